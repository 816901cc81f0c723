//! The one transport: sends an [`HttpRequest`] with the runtime's global `fetch` (or the caller's `transport`)
//! and reads the answer. It only sends; every decision is the engine's.
//!
//! `fetch` is called through our own binding declared `catch`, and what it resolves to is checked before gloo-net
//! reads it: gloo-net's `Request::send` panics (`unreachable!`) when `fetch` rejects with something that is not an
//! `Error` and when it resolves to something that is not a `Response`, and a panic here aborts the host.

use crate::engine::{HttpRequest, HttpResponse};
use crate::error::RateLimit;
use gloo_net::http::Response;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortSignal, RequestInit};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = fetch)]
    fn fetch(url: &str, init: &RequestInit) -> Result<Promise, JsValue>;
}

/// An answer whose head has been read; its body is still to come.
pub enum Head {
    /// A `fetch` Response; its head is read through gloo-net.
    Fetch(web_sys::Response),
    /// What a custom transport resolved to: anything with `status`, `headers.get(name)` and `text()`.
    Custom(JsValue),
}

/// Starts sending `request`: resolves to the answer's head (`fetch` Response or ResponseLike).
pub fn start(
    request: &HttpRequest,
    signal: Option<&AbortSignal>,
    custom: Option<&Function>,
) -> Result<Promise, JsValue> {
    let headers = Object::new();
    for (name, value) in &request.headers {
        Reflect::set(&headers, &JsValue::from_str(name), &JsValue::from_str(value))?;
    }
    let body = request.body.as_deref().map(JsValue::from_str).unwrap_or_default();
    if let Some(transport) = custom {
        let js = Object::new();
        let signal = signal.map(JsValue::from).unwrap_or_default();
        for (name, value) in [
            ("method", JsValue::from_str(request.method.as_str())),
            ("url", JsValue::from_str(&request.url)),
            ("path", JsValue::from_str(&request.path)),
            ("headers", headers.into()),
            ("body", body),
            ("signal", signal),
        ] {
            Reflect::set(&js, &JsValue::from_str(name), &value)?;
        }
        return Ok(Promise::resolve(&transport.call1(&JsValue::UNDEFINED, &js)?));
    }
    let init = RequestInit::new();
    init.set_method(request.method.as_str());
    init.set_headers(&headers);
    if !body.is_undefined() {
        init.set_body(&body);
    }
    if let Some(signal) = signal {
        init.set_signal(Some(signal));
    }
    fetch(&request.url, &init)
}

/// Reads what [`start`] resolved to; `Err` names what is wrong with it.
pub fn head(answer: JsValue, custom: bool) -> Result<(Head, u16), &'static str> {
    if !custom {
        let raw =
            answer.dyn_into::<web_sys::Response>().map_err(|_| "fetch resolved to something that is not a Response")?;
        let status = Response::from(Clone::clone(&raw)).status();
        return Ok((Head::Fetch(raw), status));
    }
    let status = Reflect::get(&answer, &"status".into()).ok().and_then(|s| s.as_f64());
    match status {
        Some(s) if (100.0..600.0).contains(&s) && s.fract() == 0.0 => Ok((Head::Custom(answer), s as u16)),
        _ => Err("the custom transport resolved to something without a valid `status` (it must be ResponseLike)"),
    }
}

impl Head {
    /// Starts reading the body: a `fetch` Response's bytes (copied into the wasm in one block, where a JS string
    /// would be copied character by character), a custom transport's text.
    pub fn body(&self) -> Result<Promise, JsValue> {
        match self {
            Head::Fetch(response) => response.array_buffer(),
            Head::Custom(answer) => {
                let text = Reflect::get(answer, &"text".into())?.dyn_into::<Function>()?;
                Ok(Promise::resolve(&text.call0(answer)?))
            }
        }
    }

    /// The body as Rust text, and as the JS value to hand on (a `Uint8Array` or a string); `Err` names what is wrong.
    pub fn read(&self, body: JsValue) -> Result<(String, JsValue), &'static str> {
        match self {
            Head::Fetch(_) => {
                let bytes = js_sys::Uint8Array::new(&body);
                let text = String::from_utf8(bytes.to_vec()).map_err(|_| "the body is not UTF-8 text")?;
                Ok((text, bytes.into()))
            }
            Head::Custom(_) => match body.as_string() {
                Some(text) => Ok((text, body)),
                None => Err("`text()` did not resolve to a string"),
            },
        }
    }

    /// The answer with its body. Retry and rate-limit headers matter only when the status is not a success.
    pub fn into_response(self, status: u16, body: String) -> HttpResponse {
        let fetched = match &self {
            Head::Fetch(raw) => Some(Response::from(Clone::clone(raw)).headers()),
            Head::Custom(_) => None,
        };
        let header = |name: &str| -> Option<String> {
            match (&self, &fetched) {
                (_, Some(headers)) => headers.get(name),
                (Head::Fetch(_), None) => None,
                (Head::Custom(answer), _) => {
                    let headers = Reflect::get(answer, &"headers".into()).ok()?;
                    let get = Reflect::get(&headers, &"get".into()).ok()?.dyn_into::<Function>().ok()?;
                    get.call1(&headers, &name.into()).ok()?.as_string()
                }
            }
        };
        let failed = !(200..300).contains(&status);
        let when_failed = |name: &str| if failed { header(name) } else { None };
        HttpResponse {
            status,
            content_type: header("content-type"),
            request_id: header("x-arequestid"),
            retry_after: when_failed("retry-after"),
            rate_limit: RateLimit {
                reason: when_failed("ratelimit-reason"),
                limit: when_failed("x-ratelimit-limit"),
                remaining: when_failed("x-ratelimit-remaining"),
                near_limit: when_failed("x-ratelimit-nearlimit"),
                reset: when_failed("x-ratelimit-reset"),
            },
            body,
        }
    }
}
