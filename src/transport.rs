//! The one transport: sends an [`HttpRequest`] with the runtime's global `fetch` through gloo-net.

use crate::client::{HttpRequest, HttpResponse};
use crate::error::{Error, ErrorKind};
use gloo_net::http::{Method, RequestBuilder};
use wasm_bindgen::prelude::wasm_bindgen;
use web_sys::AbortSignal;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = AbortSignal, js_name = timeout)]
    fn abort_signal_timeout(ms: f64) -> AbortSignal;
    #[wasm_bindgen(js_namespace = AbortSignal, js_name = any)]
    fn abort_signal_any(signals: &js_sys::Array) -> AbortSignal;
}

/// Per-call options: the caller's `AbortSignal` and a timeout.
#[derive(Default)]
pub struct CallOptions {
    /// Aborts the call when it fires.
    pub signal: Option<AbortSignal>,
    /// Gives up after this many milliseconds.
    pub timeout_ms: Option<f64>,
}

/// Sends `request` and reads the whole answer. Fails only when no complete answer arrived.
pub async fn send(request: &HttpRequest, options: &CallOptions) -> Result<HttpResponse, Error> {
    if options.signal.as_ref().is_some_and(AbortSignal::aborted) {
        return Err(Error::new(
            ErrorKind::Aborted,
            "the call was aborted before it was sent",
        ));
    }
    let timeout = options.timeout_ms.map(abort_signal_timeout);
    let signal = match (&options.signal, &timeout) {
        (Some(a), Some(b)) => Some(abort_signal_any(&js_sys::Array::of2(a, b))),
        (a, b) => a.clone().or_else(|| b.clone()),
    };
    let method = match request.method {
        "POST" => Method::POST,
        "PUT" => Method::PUT,
        "DELETE" => Method::DELETE,
        _ => Method::GET,
    };
    let mut builder = RequestBuilder::new(&request.url)
        .method(method)
        .abort_signal(signal.as_ref());
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let failed = |e: gloo_net::Error| fetch_error(request, options, timeout.as_ref(), e);
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
        body: response.text().await.map_err(failed)?,
    })
}

fn fetch_error(
    request: &HttpRequest,
    options: &CallOptions,
    timeout: Option<&AbortSignal>,
    e: gloo_net::Error,
) -> Error {
    if options.signal.as_ref().is_some_and(AbortSignal::aborted) {
        return Error::new(ErrorKind::Aborted, "the call was aborted");
    }
    if timeout.is_some_and(AbortSignal::aborted) {
        let ms = options.timeout_ms.unwrap_or_default();
        return Error::new(
            ErrorKind::Timeout,
            format!("Jira did not answer within {ms} ms"),
        );
    }
    let cause = match e {
        gloo_net::Error::JsError(js) => format!("{}: {}", js.name, js.message),
        other => other.to_string(),
    };
    let origin = request
        .url
        .strip_suffix(&request.path)
        .unwrap_or(&request.url);
    Error::new(
        ErrorKind::Network,
        format!(
            "could not reach Jira at {origin} ({cause}); check the URL and the network, and in browsers that the \
             server allows this origin (CORS)"
        ),
    )
}
