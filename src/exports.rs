//! Every `#[wasm_bindgen]` export: the `JiraWebhooks` class, the same five operations as free functions,
//! and the conversion of errors into `JiraWebhooksError` objects.

use crate::client::{Client, Operation};
use crate::config::Config;
use crate::error::{Error, ErrorKind, RateLimit};
use crate::models::{ContainerForWebhookIDs, WebhookEvent};
use crate::operations::*;
use crate::retry::{retry_after_ms, Outcome};
use crate::transport::{self, Cancel};
use js_sys::{Array, Object, Promise, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

#[wasm_bindgen(typescript_custom_section)]
const ERROR_TS: &str = r#"
/** What went wrong: see the README's "Errors" section. */
export type JiraWebhooksErrorKind = "http" | "network" | "timeout" | "aborted" | "decode" | "invalid-input" | "config";

/** Every failure rejects with this (`err.name === "JiraWebhooksError"`). It never contains a credential. */
export interface JiraWebhooksError extends Error {
  name: "JiraWebhooksError";
  kind: JiraWebhooksErrorKind;
  /** HTTP status, 0 when there was no response. */
  status: number;
  /** Jira's `errorMessages`, when the response had an ErrorCollection. */
  errorMessages: string[];
  /** Jira's `errors` by field, when the response had an ErrorCollection. */
  errors: Record<string, string>;
  /** The operationId of the failed call. */
  operation?: string;
  /** The input, config or JSON path at fault (invalid-input, config, decode). */
  path?: string;
  /** Jira's request id (`X-AREQUESTID`), for Atlassian support. */
  requestId?: string;
  /** How long Jira asked to wait before trying again (429, some 503), in milliseconds. */
  retryAfterMs?: number;
  /** Jira's rate-limit headers, when the error response had them. */
  rateLimit?: { reason?: string; limit?: string; remaining?: string; nearLimit?: string; reset?: string };
  /** How many times the request was sent (0: never, e.g. invalid input). */
  attempts: number;
}

/** Per-call options, the last argument of every operation. */
export interface CallOptions {
  /** Aborts the call (rejects with kind "aborted"). */
  signal?: AbortSignal;
  /** Gives up after this many milliseconds (rejects with kind "timeout"); overrides the config's `timeoutMs`. */
  timeoutMs?: number;
}
"#;

/// A client for one Jira site and one set of credentials.
#[wasm_bindgen]
pub struct JiraWebhooks {
    client: Rc<Client>,
}

#[wasm_bindgen]
impl JiraWebhooks {
    /// Validates `config`; throws a `JiraWebhooksError` of kind `config` if it cannot work.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "JiraWebhooksConfig")] config: JsValue,
    ) -> Result<JiraWebhooks, JsValue> {
        client_from(config).map(|client| JiraWebhooks { client }).map_err(|e| error_to_js(&e))
    }

    /// Registers webhooks (POST). Per-webhook failures come back inside the result, in request order.
    #[wasm_bindgen(js_name = registerDynamicWebhooks, unchecked_return_type = "Promise<ContainerForRegisteredWebhooks>")]
    pub fn register_dynamic_webhooks(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WebhookRegistrationDetails")] details: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        run(Ok(self.client.clone()), options, move || Ok(RegisterDynamicWebhooks(required("", details)?)))
    }

    /// Returns one page of the app's webhooks (GET, offset paging).
    #[wasm_bindgen(js_name = getDynamicWebhooksForApp, unchecked_return_type = "Promise<PageBeanWebhook>")]
    pub fn get_dynamic_webhooks_for_app(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "GetDynamicWebhooksForAppParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        run(Ok(self.client.clone()), options, move || Ok(GetDynamicWebhooksForApp(optional(params)?)))
    }

    /// Returns one page of failed deliveries (GET, cursor paging; Connect apps only).
    #[wasm_bindgen(js_name = getFailedWebhooks, unchecked_return_type = "Promise<FailedWebhooks>")]
    pub fn get_failed_webhooks(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "GetFailedWebhooksParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        run(Ok(self.client.clone()), options, move || Ok(GetFailedWebhooks(optional(params)?)))
    }

    /// Extends the listed webhooks by 30 days (PUT).
    #[wasm_bindgen(js_name = refreshWebhooks, unchecked_return_type = "Promise<WebhooksExpirationDate>")]
    pub fn refresh_webhooks(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ContainerForWebhookIDs")] ids: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        run(Ok(self.client.clone()), options, move || Ok(RefreshWebhooks(required::<ContainerForWebhookIDs>("", ids)?)))
    }

    /// Deletes the listed webhooks (DELETE); resolves to `undefined` on Jira's 202.
    #[wasm_bindgen(js_name = deleteWebhookById, unchecked_return_type = "Promise<void>")]
    pub fn delete_webhook_by_id(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ContainerForWebhookIDs")] ids: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        run(Ok(self.client.clone()), options, move || {
            Ok(DeleteWebhookById(required::<ContainerForWebhookIDs>("", ids)?))
        })
    }
}

/// Registers webhooks (POST) with a one-off client made from `config`.
#[wasm_bindgen(js_name = registerDynamicWebhooks, unchecked_return_type = "Promise<ContainerForRegisteredWebhooks>")]
pub fn register_dynamic_webhooks(
    #[wasm_bindgen(unchecked_param_type = "JiraWebhooksConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_param_type = "WebhookRegistrationDetails")] details: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
) -> Promise {
    run(client_from(config), options, move || Ok(RegisterDynamicWebhooks(required("", details)?)))
}

/// Returns one page of the app's webhooks with a one-off client made from `config`.
#[wasm_bindgen(js_name = getDynamicWebhooksForApp, unchecked_return_type = "Promise<PageBeanWebhook>")]
pub fn get_dynamic_webhooks_for_app(
    #[wasm_bindgen(unchecked_param_type = "JiraWebhooksConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "GetDynamicWebhooksForAppParams")] params: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
) -> Promise {
    run(client_from(config), options, move || Ok(GetDynamicWebhooksForApp(optional(params)?)))
}

/// Returns one page of failed deliveries with a one-off client made from `config`.
#[wasm_bindgen(js_name = getFailedWebhooks, unchecked_return_type = "Promise<FailedWebhooks>")]
pub fn get_failed_webhooks(
    #[wasm_bindgen(unchecked_param_type = "JiraWebhooksConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "GetFailedWebhooksParams")] params: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
) -> Promise {
    run(client_from(config), options, move || Ok(GetFailedWebhooks(optional(params)?)))
}

/// Extends the listed webhooks by 30 days with a one-off client made from `config`.
#[wasm_bindgen(js_name = refreshWebhooks, unchecked_return_type = "Promise<WebhooksExpirationDate>")]
pub fn refresh_webhooks(
    #[wasm_bindgen(unchecked_param_type = "JiraWebhooksConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ContainerForWebhookIDs")] ids: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
) -> Promise {
    run(client_from(config), options, move || Ok(RefreshWebhooks(required::<ContainerForWebhookIDs>("", ids)?)))
}

/// Deletes the listed webhooks with a one-off client made from `config`.
#[wasm_bindgen(js_name = deleteWebhookById, unchecked_return_type = "Promise<void>")]
pub fn delete_webhook_by_id(
    #[wasm_bindgen(unchecked_param_type = "JiraWebhooksConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ContainerForWebhookIDs")] ids: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
) -> Promise {
    run(client_from(config), options, move || Ok(DeleteWebhookById(required::<ContainerForWebhookIDs>("", ids)?)))
}

/// Every event name this version knows, in the spec's order (v2 events, then the 2026 v3 additions).
#[wasm_bindgen(js_name = webhookEvents, unchecked_return_type = "WebhookEvent[]")]
pub fn webhook_events() -> Array {
    WebhookEvent::KNOWN.iter().map(|e| JsValue::from_str(e.as_str())).collect()
}

/// Runs one operation: validate, build, send (again, as the retry policy allows), parse; every failure
/// becomes a `JiraWebhooksError`.
fn run<O>(
    client: Result<Rc<Client>, Error>,
    options: JsValue,
    input: impl FnOnce() -> Result<O, Error> + 'static,
) -> Promise
where
    O: Operation + 'static,
{
    future_to_promise(async move {
        let client = client.map_err(|e| error_to_js(&e))?;
        let mut attempts = 0;
        let result = async {
            let (signal, timeout_ms) = call_options(options)?;
            let request = client.build(&input()?)?;
            let cancel = Cancel::new(signal, timeout_ms.or(client.timeout_ms()));
            let policy = client.retry_policy();
            loop {
                attempts += 1;
                let sent = transport::send(&request, &cancel).await;
                let outcome = match &sent {
                    Ok(response) if !O::is_success(response.status) => Some(Outcome::Response(response)),
                    Err(e) if e.kind == ErrorKind::Network => Some(Outcome::NetworkFailure),
                    _ => None,
                };
                let now = js_sys::Date::now();
                let delay = outcome.and_then(|o| policy.delay(attempts, O::IDEMPOTENT, o, now, js_sys::Math::random()));
                match (delay, sent) {
                    (Some(ms), _) => transport::sleep(ms, &cancel).await?,
                    (None, Err(e)) => return Err(e),
                    (None, Ok(response)) => {
                        return client.parse::<O>(&response).map_err(|mut e| {
                            if e.kind == ErrorKind::Http {
                                e.retry_after_ms = retry_after_ms(&response, now);
                            }
                            e
                        })
                    }
                }
            }
        }
        .await;
        match result {
            Ok(output) => to_js(&output),
            Err(mut e) => {
                e.operation.get_or_insert(O::ID);
                e.attempts = attempts;
                e.redact(client.secrets());
                Err(error_to_js(&e))
            }
        }
    })
}

fn client_from(config: JsValue) -> Result<Rc<Client>, Error> {
    if !config.is_object() {
        return Err(Error::config(
            "config",
            "must be an object such as { baseUrl, auth: { type: \"basic\", email, apiToken } }",
        ));
    }
    let parsed: Config = serde_path_to_error::deserialize(serde_wasm_bindgen::Deserializer::from(config))
        .map_err(|e| Error::config(&e.path().to_string(), e.inner()))?;
    Client::new(&parsed).map(Rc::new)
}

/// Reads a required argument; `path` prefixes the field names in errors.
fn required<T: DeserializeOwned>(path: &str, value: JsValue) -> Result<T, Error> {
    if value.is_undefined() || value.is_null() {
        return Err(Error::invalid_input(if path.is_empty() { "argument" } else { path }, "is missing"));
    }
    serde_path_to_error::deserialize(serde_wasm_bindgen::Deserializer::from(value)).map_err(|e| {
        let at = e.path().to_string();
        Error::invalid_input(if at == "." { "argument".into() } else { format!("{path}{at}") }, e.inner())
    })
}

/// Reads an optional argument; `undefined` and `null` mean the defaults.
fn optional<T: DeserializeOwned + Default>(value: JsValue) -> Result<T, Error> {
    if value.is_undefined() || value.is_null() {
        Ok(T::default())
    } else {
        required("", value)
    }
}

/// Reads `{ signal?, timeoutMs? }`.
fn call_options(options: JsValue) -> Result<(Option<AbortSignal>, Option<f64>), Error> {
    if options.is_undefined() || options.is_null() {
        return Ok((None, None));
    }
    let signal = match Reflect::get(&options, &"signal".into()).unwrap_or_default() {
        v if v.is_undefined() || v.is_null() => None,
        v => Some(v.dyn_into().map_err(|_| Error::invalid_input("options.signal", "must be an AbortSignal"))?),
    };
    let timeout_ms = match Reflect::get(&options, &"timeoutMs".into()).unwrap_or_default() {
        v if v.is_undefined() || v.is_null() => None,
        v => match v.as_f64() {
            Some(ms) if ms.is_finite() && ms > 0.0 => Some(ms),
            _ => return Err(Error::invalid_input("options.timeoutMs", "must be a positive number of milliseconds")),
        },
    };
    Ok((signal, timeout_ms))
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    value.serialize(&serializer).map_err(|e| {
        error_to_js(&Error::new(ErrorKind::Decode, format!("the answer cannot be represented in JavaScript: {e}")))
    })
}

/// The one conversion of [`Error`] into a JS `Error` named `JiraWebhooksError`.
fn error_to_js(e: &Error) -> JsValue {
    let js = js_sys::Error::new(&e.message);
    js.set_name("JiraWebhooksError");
    let errors = Object::new();
    for (k, v) in &e.errors {
        let _ = Reflect::set(&errors, &k.into(), &v.into());
    }
    let messages: Array = e.error_messages.iter().map(|m| JsValue::from_str(m)).collect();
    let rate_limit = Object::new();
    let r = &e.rate_limit;
    for (name, value) in [
        ("reason", &r.reason),
        ("limit", &r.limit),
        ("remaining", &r.remaining),
        ("nearLimit", &r.near_limit),
        ("reset", &r.reset),
    ] {
        if let Some(v) = value {
            let _ = Reflect::set(&rate_limit, &name.into(), &v.into());
        }
    }
    let has_rate_limit = *r != RateLimit::default();
    let fields: [(&str, JsValue); 10] = [
        ("kind", e.kind.as_str().into()),
        ("status", e.status.into()),
        ("errorMessages", messages.into()),
        ("errors", errors.into()),
        ("operation", e.operation.map(JsValue::from_str).unwrap_or_default()),
        ("path", e.path.as_deref().map(JsValue::from_str).unwrap_or_default()),
        ("requestId", e.request_id.as_deref().map(JsValue::from_str).unwrap_or_default()),
        ("retryAfterMs", e.retry_after_ms.map(JsValue::from).unwrap_or_default()),
        ("rateLimit", if has_rate_limit { rate_limit.into() } else { JsValue::UNDEFINED }),
        ("attempts", e.attempts.into()),
    ];
    for (name, value) in fields {
        if !value.is_undefined() {
            let _ = Reflect::set(&js, &name.into(), &value);
        }
    }
    js.into()
}
