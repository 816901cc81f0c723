//! The one transport: sends an [`HttpRequest`] with the runtime's global `fetch` through gloo-net, and the
//! timer and cancellation it needs. Uses only globals every runtime has (`fetch`, `setTimeout`, `AbortSignal`).

use crate::client::{HttpRequest, HttpResponse};
use crate::error::{Error, ErrorKind, RateLimit};
use gloo_net::http::{Method, RequestBuilder};
use js_sys::{Function, Object, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = AbortSignal, js_name = timeout)]
    fn abort_signal_timeout(ms: f64) -> AbortSignal;
    #[wasm_bindgen(js_namespace = AbortSignal, js_name = any)]
    fn abort_signal_any(signals: &js_sys::Array) -> AbortSignal;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// The caller's `AbortSignal` and deadline for one call, across all its attempts.
pub struct Cancel {
    user: Option<AbortSignal>,
    deadline: Option<(AbortSignal, f64)>,
    combined: Option<AbortSignal>,
}

impl Cancel {
    /// Starts the deadline clock now.
    pub fn new(user: Option<AbortSignal>, timeout_ms: Option<f64>) -> Self {
        let deadline = timeout_ms.map(|ms| (abort_signal_timeout(ms), ms));
        let combined = match (&user, &deadline) {
            (Some(a), Some((b, _))) => Some(abort_signal_any(&js_sys::Array::of2(a, b))),
            (a, b) => a.clone().or_else(|| b.as_ref().map(|(s, _)| s.clone())),
        };
        Cancel { user, deadline, combined }
    }

    /// The error to end with if the caller aborted or the deadline passed.
    pub fn fired(&self) -> Option<Error> {
        if self.user.as_ref().is_some_and(AbortSignal::aborted) {
            return Some(Error::new(ErrorKind::Aborted, "the call was aborted by its AbortSignal"));
        }
        match &self.deadline {
            Some((signal, ms)) if signal.aborted() => {
                Some(Error::new(ErrorKind::Timeout, format!("Jira did not answer within {ms} ms")))
            }
            _ => None,
        }
    }
}

/// Waits `ms` milliseconds, or less if the call is cancelled meanwhile.
pub async fn sleep(ms: f64, cancel: &Cancel) -> Result<(), Error> {
    let timer: Rc<RefCell<JsValue>> = Rc::default();
    let slot = timer.clone();
    let wait = Promise::new(&mut |resolve, _| *slot.borrow_mut() = set_timeout(&resolve, ms));
    let waited = until_cancelled(wait, cancel).await;
    clear_timeout(&timer.borrow());
    waited.map(drop)
}

/// Awaits `promise`, or rejects as soon as the call is aborted or its deadline passes.
async fn until_cancelled(promise: Promise, cancel: &Cancel) -> Result<JsValue, Error> {
    let Some(signal) = &cancel.combined else {
        return JsFuture::from(promise).await.map_err(|e| Error::new(ErrorKind::Network, js_text(&e)));
    };
    let listener: Rc<RefCell<Option<Function>>> = Rc::default();
    let slot = listener.clone();
    let aborted = Promise::new(&mut |_, reject| {
        let _ = signal.add_event_listener_with_callback("abort", &reject);
        *slot.borrow_mut() = Some(reject);
    });
    let raced = if signal.aborted() {
        Err(JsValue::UNDEFINED)
    } else {
        JsFuture::from(Promise::race(&js_sys::Array::of2(&promise, &aborted))).await
    };
    if let Some(reject) = listener.borrow_mut().take() {
        let _ = signal.remove_event_listener_with_callback("abort", &reject);
    }
    raced.map_err(|e| cancel.fired().unwrap_or_else(|| Error::new(ErrorKind::Network, js_text(&e))))
}

fn js_text(e: &JsValue) -> String {
    let name = Reflect::get(e, &"name".into()).ok().and_then(|n| n.as_string());
    let message = e.as_string().or_else(|| Reflect::get(e, &"message".into()).ok().and_then(|m| m.as_string()));
    match (name, message) {
        (Some(n), Some(m)) => format!("{n}: {m}"),
        (_, Some(m)) => m,
        _ => "unknown error".into(),
    }
}

/// Sends `request` through the caller's `transport` function: `(request) => Promise<ResponseLike>`.
async fn send_custom(transport: &Function, request: &HttpRequest, cancel: &Cancel) -> Result<HttpResponse, Error> {
    let headers = Object::new();
    for (name, value) in &request.headers {
        let _ = Reflect::set(&headers, &(*name).into(), &value.into());
    }
    let js = Object::new();
    let body = request.body.as_deref().map(JsValue::from_str).unwrap_or_default();
    let signal = cancel.combined.clone().map(JsValue::from).unwrap_or_default();
    for (name, value) in [
        ("method", request.method.into()),
        ("url", request.url.as_str().into()),
        ("path", request.path.as_str().into()),
        ("headers", headers.into()),
        ("body", body),
        ("signal", signal),
    ] {
        let _ = Reflect::set(&js, &name.into(), &value);
    }
    let failed = |why: String| Error::new(ErrorKind::Network, format!("the custom transport failed: {why}"));
    let returned = transport.call1(&JsValue::UNDEFINED, &js).map_err(|e| failed(js_text(&e)))?;
    let response = until_cancelled(Promise::resolve(&returned), cancel).await.map_err(|e| match e.kind {
        ErrorKind::Network => failed(e.message),
        _ => e,
    })?;
    let bad = |what: &str| {
        Error::decode(0, None, format!("the custom transport resolved to something that is not ResponseLike: {what}"))
    };
    let status = Reflect::get(&response, &"status".into()).ok().and_then(|s| s.as_f64());
    let status = status.filter(|s| (100.0..600.0).contains(s)).ok_or_else(|| bad("no valid `status`"))? as u16;
    let headers = Reflect::get(&response, &"headers".into()).unwrap_or_default();
    let get = Reflect::get(&headers, &"get".into()).ok().and_then(|g| g.dyn_into::<Function>().ok());
    let header = |name: &str| -> Option<String> {
        let value = match &get {
            Some(get) => get.call1(&headers, &name.into()).ok()?,
            None => Reflect::get(&headers, &name.into()).ok()?,
        };
        value.as_string()
    };
    let text = Reflect::get(&response, &"text".into()).ok().and_then(|t| t.dyn_into::<Function>().ok());
    let text = text.ok_or_else(|| bad("no `text()`"))?;
    let body = text.call0(&response).map_err(|e| failed(js_text(&e)))?;
    let body = until_cancelled(Promise::resolve(&body), cancel).await?;
    Ok(HttpResponse {
        status,
        content_type: header("content-type"),
        request_id: header("x-arequestid"),
        retry_after: header("retry-after"),
        rate_limit: RateLimit {
            reason: header("ratelimit-reason"),
            limit: header("x-ratelimit-limit"),
            remaining: header("x-ratelimit-remaining"),
            near_limit: header("x-ratelimit-nearlimit"),
            reset: header("x-ratelimit-reset"),
        },
        body: body.as_string().ok_or_else(|| bad("`text()` did not resolve to a string"))?,
    })
}

/// Sends `request` (through `custom` when the caller gave a transport) and reads the whole answer.
/// Fails only when no complete answer arrived.
pub async fn send(request: &HttpRequest, cancel: &Cancel, custom: Option<&Function>) -> Result<HttpResponse, Error> {
    if let Some(e) = cancel.fired() {
        return Err(e);
    }
    if let Some(transport) = custom {
        return send_custom(transport, request, cancel).await;
    }
    let method = match request.method {
        "POST" => Method::POST,
        "PUT" => Method::PUT,
        "DELETE" => Method::DELETE,
        _ => Method::GET,
    };
    let mut builder = RequestBuilder::new(&request.url).method(method).abort_signal(cancel.combined.as_ref());
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let failed = |e: gloo_net::Error| cancel.fired().unwrap_or_else(|| network_error(request, e));
    let sent = match &request.body {
        Some(body) => builder.body(body.as_str()).map_err(failed)?.send().await,
        None => builder.send().await,
    };
    let response = sent.map_err(failed)?;
    let headers = response.headers();
    Ok(HttpResponse {
        status: response.status(),
        content_type: headers.get("content-type"),
        request_id: headers.get("x-arequestid"),
        retry_after: headers.get("retry-after"),
        rate_limit: RateLimit {
            reason: headers.get("ratelimit-reason"),
            limit: headers.get("x-ratelimit-limit"),
            remaining: headers.get("x-ratelimit-remaining"),
            near_limit: headers.get("x-ratelimit-nearlimit"),
            reset: headers.get("x-ratelimit-reset"),
        },
        body: response.text().await.map_err(failed)?,
    })
}

fn network_error(request: &HttpRequest, e: gloo_net::Error) -> Error {
    let cause = match e {
        gloo_net::Error::JsError(js) => format!("{}: {}", js.name, js.message),
        other => other.to_string(),
    };
    let origin = request.url.strip_suffix(&request.path).unwrap_or(&request.url);
    Error::new(
        ErrorKind::Network,
        format!(
            "could not reach Jira at {origin} ({cause}); check the URL and the network, and in browsers that the \
             server allows this origin (CORS)"
        ),
    )
}
