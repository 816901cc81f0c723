//! The one transport: sends an [`HttpRequest`] with the runtime's global `fetch` through gloo-net, and the
//! timer and cancellation it needs. Uses only globals every runtime has (`fetch`, `setTimeout`, `AbortSignal`).

use crate::client::{HttpRequest, HttpResponse};
use crate::error::{Error, ErrorKind, RateLimit};
use gloo_net::http::{Method, RequestBuilder};
use js_sys::{Function, Promise};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
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
    let armed: Rc<RefCell<Option<(JsValue, Function)>>> = Rc::default();
    let slot = armed.clone();
    let promise = Promise::new(&mut |resolve, reject| {
        let timer = set_timeout(&resolve, ms);
        if let Some(signal) = &cancel.combined {
            let _ = signal.add_event_listener_with_callback("abort", &reject);
        }
        *slot.borrow_mut() = Some((timer, reject));
    });
    let waited = JsFuture::from(promise).await;
    if let Some((timer, reject)) = armed.borrow_mut().take() {
        clear_timeout(&timer);
        if let Some(signal) = &cancel.combined {
            let _ = signal.remove_event_listener_with_callback("abort", &reject);
        }
    }
    match waited {
        Ok(_) => Ok(()),
        Err(_) => Err(cancel.fired().unwrap_or_else(|| Error::new(ErrorKind::Aborted, "the call was aborted"))),
    }
}

/// Sends `request` and reads the whole answer. Fails only when no complete answer arrived.
pub async fn send(request: &HttpRequest, cancel: &Cancel) -> Result<HttpResponse, Error> {
    if let Some(e) = cancel.fired() {
        return Err(e);
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
