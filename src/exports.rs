//! Every `#[wasm_bindgen]` export: the `JiraWebhooks` class, the same five operations as free functions,
//! and the conversion of errors into `JiraWebhooksError` objects.

use crate::client::{Client, Operation};
use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::models::{ContainerForWebhookIDs, WebhookEvent};
use crate::operations::*;
use crate::transport::{self, CallOptions};
use js_sys::{Array, Object, Promise, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;

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
        client_from(config)
            .map(|client| JiraWebhooks { client })
            .map_err(|e| error_to_js(&e))
    }

    /// Registers webhooks (POST). Per-webhook failures come back inside the result, in request order.
    #[wasm_bindgen(js_name = registerDynamicWebhooks, unchecked_return_type = "Promise<ContainerForRegisteredWebhooks>")]
    pub fn register_dynamic_webhooks(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WebhookRegistrationDetails")] details: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        run(Ok(self.client.clone()), options, move || {
            Ok(RegisterDynamicWebhooks(required("", details)?))
        })
    }

    /// Returns one page of the app's webhooks (GET, offset paging).
    #[wasm_bindgen(js_name = getDynamicWebhooksForApp, unchecked_return_type = "Promise<PageBeanWebhook>")]
    pub fn get_dynamic_webhooks_for_app(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "GetDynamicWebhooksForAppParams")]
        params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        run(Ok(self.client.clone()), options, move || {
            Ok(GetDynamicWebhooksForApp(optional(params)?))
        })
    }

    /// Returns one page of failed deliveries (GET, cursor paging; Connect apps only).
    #[wasm_bindgen(js_name = getFailedWebhooks, unchecked_return_type = "Promise<FailedWebhooks>")]
    pub fn get_failed_webhooks(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "GetFailedWebhooksParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        run(Ok(self.client.clone()), options, move || {
            Ok(GetFailedWebhooks(optional(params)?))
        })
    }

    /// Extends the listed webhooks by 30 days (PUT).
    #[wasm_bindgen(js_name = refreshWebhooks, unchecked_return_type = "Promise<WebhooksExpirationDate>")]
    pub fn refresh_webhooks(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ContainerForWebhookIDs")] ids: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        run(Ok(self.client.clone()), options, move || {
            Ok(RefreshWebhooks(required::<ContainerForWebhookIDs>(
                "", ids,
            )?))
        })
    }

    /// Deletes the listed webhooks (DELETE); resolves to `undefined` on Jira's 202.
    #[wasm_bindgen(js_name = deleteWebhookById, unchecked_return_type = "Promise<void>")]
    pub fn delete_webhook_by_id(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ContainerForWebhookIDs")] ids: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        run(Ok(self.client.clone()), options, move || {
            Ok(DeleteWebhookById(required::<ContainerForWebhookIDs>(
                "", ids,
            )?))
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
    run(client_from(config), options, move || {
        Ok(RegisterDynamicWebhooks(required("", details)?))
    })
}

/// Returns one page of the app's webhooks with a one-off client made from `config`.
#[wasm_bindgen(js_name = getDynamicWebhooksForApp, unchecked_return_type = "Promise<PageBeanWebhook>")]
pub fn get_dynamic_webhooks_for_app(
    #[wasm_bindgen(unchecked_param_type = "JiraWebhooksConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "GetDynamicWebhooksForAppParams")]
    params: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
) -> Promise {
    run(client_from(config), options, move || {
        Ok(GetDynamicWebhooksForApp(optional(params)?))
    })
}

/// Returns one page of failed deliveries with a one-off client made from `config`.
#[wasm_bindgen(js_name = getFailedWebhooks, unchecked_return_type = "Promise<FailedWebhooks>")]
pub fn get_failed_webhooks(
    #[wasm_bindgen(unchecked_param_type = "JiraWebhooksConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "GetFailedWebhooksParams")] params: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
) -> Promise {
    run(client_from(config), options, move || {
        Ok(GetFailedWebhooks(optional(params)?))
    })
}

/// Extends the listed webhooks by 30 days with a one-off client made from `config`.
#[wasm_bindgen(js_name = refreshWebhooks, unchecked_return_type = "Promise<WebhooksExpirationDate>")]
pub fn refresh_webhooks(
    #[wasm_bindgen(unchecked_param_type = "JiraWebhooksConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ContainerForWebhookIDs")] ids: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
) -> Promise {
    run(client_from(config), options, move || {
        Ok(RefreshWebhooks(required::<ContainerForWebhookIDs>(
            "", ids,
        )?))
    })
}

/// Deletes the listed webhooks with a one-off client made from `config`.
#[wasm_bindgen(js_name = deleteWebhookById, unchecked_return_type = "Promise<void>")]
pub fn delete_webhook_by_id(
    #[wasm_bindgen(unchecked_param_type = "JiraWebhooksConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ContainerForWebhookIDs")] ids: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
) -> Promise {
    run(client_from(config), options, move || {
        Ok(DeleteWebhookById(required::<ContainerForWebhookIDs>(
            "", ids,
        )?))
    })
}

/// Every event name this version knows, in the spec's order (v2 events, then the 2026 v3 additions).
#[wasm_bindgen(js_name = webhookEvents, unchecked_return_type = "WebhookEvent[]")]
pub fn webhook_events() -> Array {
    WebhookEvent::KNOWN
        .iter()
        .map(|e| JsValue::from_str(e.as_str()))
        .collect()
}

/// Runs one operation: validate, build, send, parse; every failure becomes a `JiraWebhooksError`.
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
        let result = async {
            let mut options = call_options(options)?;
            options.timeout_ms = options.timeout_ms.or(client.timeout_ms());
            let request = client.build(&input()?)?;
            let response = transport::send(&request, &options).await?;
            client.parse::<O>(&response)
        }
        .await;
        match result {
            Ok(output) => to_js(&output),
            Err(mut e) => {
                e.operation.get_or_insert(O::ID);
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
    let parsed: Config =
        serde_path_to_error::deserialize(serde_wasm_bindgen::Deserializer::from(config))
            .map_err(|e| Error::config(&e.path().to_string(), e.inner()))?;
    Client::new(&parsed).map(Rc::new)
}

/// Reads a required argument; `path` prefixes the field names in errors.
fn required<T: DeserializeOwned>(path: &str, value: JsValue) -> Result<T, Error> {
    if value.is_undefined() || value.is_null() {
        return Err(Error::invalid_input(
            if path.is_empty() { "argument" } else { path },
            "is missing",
        ));
    }
    serde_path_to_error::deserialize(serde_wasm_bindgen::Deserializer::from(value)).map_err(|e| {
        let at = e.path().to_string();
        Error::invalid_input(
            if at == "." {
                "argument".into()
            } else {
                format!("{path}{at}")
            },
            e.inner(),
        )
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

fn call_options(options: JsValue) -> Result<CallOptions, Error> {
    if options.is_undefined() || options.is_null() {
        return Ok(CallOptions::default());
    }
    let signal = match Reflect::get(&options, &"signal".into()).unwrap_or_default() {
        v if v.is_undefined() || v.is_null() => None,
        v => Some(
            v.dyn_into()
                .map_err(|_| Error::invalid_input("options.signal", "must be an AbortSignal"))?,
        ),
    };
    let timeout_ms = match Reflect::get(&options, &"timeoutMs".into()).unwrap_or_default() {
        v if v.is_undefined() || v.is_null() => None,
        v => match v.as_f64() {
            Some(ms) if ms.is_finite() && ms > 0.0 => Some(ms),
            _ => {
                return Err(Error::invalid_input(
                    "options.timeoutMs",
                    "must be a positive number of milliseconds",
                ))
            }
        },
    };
    Ok(CallOptions { signal, timeout_ms })
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    value.serialize(&serializer).map_err(|e| {
        error_to_js(&Error::new(
            ErrorKind::Decode,
            format!("the answer cannot be represented in JavaScript: {e}"),
        ))
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
    let messages: Array = e
        .error_messages
        .iter()
        .map(|m| JsValue::from_str(m))
        .collect();
    let fields: [(&str, JsValue); 7] = [
        ("kind", e.kind.as_str().into()),
        ("status", e.status.into()),
        ("errorMessages", messages.into()),
        ("errors", errors.into()),
        (
            "operation",
            e.operation.map(JsValue::from_str).unwrap_or_default(),
        ),
        (
            "path",
            e.path.as_deref().map(JsValue::from_str).unwrap_or_default(),
        ),
        (
            "requestId",
            e.request_id
                .as_deref()
                .map(JsValue::from_str)
                .unwrap_or_default(),
        ),
    ];
    for (name, value) in fields {
        if !value.is_undefined() {
            let _ = Reflect::set(&js, &name.into(), &value);
        }
    }
    js.into()
}
