//! Every `#[wasm_bindgen]` export: the `JiraWebhooks` class, the same five operations as free functions,
//! and the conversion of errors into `JiraWebhooksError` objects.

use crate::client::{set_header, Client, HttpRequest, Operation};
use crate::config::Config;
use crate::error::{Error, ErrorKind, RateLimit};
use crate::models::WebhookEvent;
use crate::operations::{
    get_dynamic_webhooks_for_app, get_failed_webhooks, partial_failure, DeleteWebhookById, GetDynamicWebhooksForApp,
    GetDynamicWebhooksForAppParams, GetFailedWebhooks, GetFailedWebhooksParams, RefreshWebhooks,
    RegisterDynamicWebhooks,
};
use crate::retry::{retry_after_ms, Outcome};
use crate::transport::{self, Cancel};
use js_sys::{Array, Function, Object, Promise, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::AbortSignal;

#[wasm_bindgen(typescript_custom_section)]
const ERROR_TS: &str = r#"
/** What went wrong: see the README's "Errors" section. */
export type JiraWebhooksErrorKind =
  "http" | "network" | "timeout" | "aborted" | "decode" | "invalid-input" | "config" | "partial-failure";

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
  /** For "partial-failure": the whole registration result, with the ids that were created. */
  result?: ContainerForRegisteredWebhooks;
}

/** Credentials. */
export type JiraWebhooksAuth =
  /** An Atlassian account's email and API token. */
  | { type: "basic"; email: string; apiToken: string }
  /** An OAuth 2.0 (3LO) access token. */
  | { type: "bearer"; token: string }
  /** OAuth 2.0 with refreshing tokens: asked once, and once more after a 401 (then the call is retried once). */
  | { type: "bearer"; getToken: () => string | Promise<string> }
  /** A Connect app: each request is signed with a fresh HS256 JWT (iss, iat, exp, qsh). */
  | { type: "connect"; appKey: string; sharedSecret: string }
  /** No credentials: the `transport` authenticates (Forge `requestJira`, Connect `AP.request`, your proxy). */
  | { type: "none" };

/** What a custom transport receives. `path` is the API path and query, without any gateway prefix. */
export interface TransportRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Absolute URL (just the path when the config has no `baseUrl`). */
  url: string;
  /** e.g. `/rest/api/2/webhook?startAt=0`; segments and query values are already percent-encoded. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** What a custom transport resolves to: a `fetch` Response satisfies it. */
export interface ResponseLike {
  status: number;
  headers: { get(name: string): string | null | undefined };
  text(): Promise<string>;
}

/** Sends requests where `fetch` is special: Forge, Custom UI, Connect iframes, your own proxy. */
export type Transport = (request: TransportRequest) => Promise<ResponseLike>;

export interface JiraWebhooksConfig {
  /** Sends the requests instead of the global `fetch`; then `baseUrl` may be left out. */
  transport?: Transport;
}

/** Options of `registerDynamicWebhooks`. */
export interface RegisterOptions extends CallOptions {
  /** Reject with kind "partial-failure" when Jira refused any webhook (the error's `result` keeps the created ids). */
  throwOnPartialFailure?: boolean;
}

export interface WebhookIterator extends AsyncIterableIterator<Webhook, undefined> {}
export interface FailedWebhookIterator extends AsyncIterableIterator<FailedWebhook, undefined> {}

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
    session: Rc<Session>,
}

#[wasm_bindgen]
impl JiraWebhooks {
    /// Validates `config`; throws a `JiraWebhooksError` of kind `config` if it cannot work.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "JiraWebhooksConfig")] config: JsValue,
    ) -> Result<JiraWebhooks, JsValue> {
        Session::from_js(config).map(|session| JiraWebhooks { session: Rc::new(session) }).map_err(|e| error_to_js(&e))
    }

    /// Registers webhooks (POST). Per-webhook failures come back inside the result, in request order, unless
    /// `throwOnPartialFailure` turns them into a `partial-failure` error (its `result` keeps the created ids).
    #[wasm_bindgen(js_name = registerDynamicWebhooks, unchecked_return_type = "Promise<ContainerForRegisteredWebhooks>")]
    pub fn register_dynamic_webhooks(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WebhookRegistrationDetails")] details: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RegisterOptions")] options: JsValue,
    ) -> Promise {
        let op = required("", details).map(RegisterDynamicWebhooks);
        run(self.session.clone(), options, op, |op, out| partial_failure(&op.0, out))
    }

    /// Returns one page of the app's webhooks (GET, offset paging).
    #[wasm_bindgen(js_name = getDynamicWebhooksForApp, unchecked_return_type = "Promise<PageBeanWebhook>")]
    pub fn get_dynamic_webhooks_for_app(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "GetDynamicWebhooksForAppParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        run(self.session.clone(), options, optional(params).map(GetDynamicWebhooksForApp), |_, _| None)
    }

    /// Returns one page of failed deliveries (GET, cursor paging; Connect apps only).
    #[wasm_bindgen(js_name = getFailedWebhooks, unchecked_return_type = "Promise<FailedWebhooks>")]
    pub fn get_failed_webhooks(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "GetFailedWebhooksParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        run(self.session.clone(), options, optional(params).map(GetFailedWebhooks), |_, _| None)
    }

    /// Extends the listed webhooks by 30 days (PUT).
    #[wasm_bindgen(js_name = refreshWebhooks, unchecked_return_type = "Promise<WebhooksExpirationDate>")]
    pub fn refresh_webhooks(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ContainerForWebhookIDs")] ids: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        run(self.session.clone(), options, required("", ids).map(RefreshWebhooks), |_, _| None)
    }

    /// Deletes the listed webhooks (DELETE); resolves to `undefined` on Jira's 202.
    #[wasm_bindgen(js_name = deleteWebhookById, unchecked_return_type = "Promise<void>")]
    pub fn delete_webhook_by_id(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ContainerForWebhookIDs")] ids: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        run(self.session.clone(), options, required("", ids).map(DeleteWebhookById), |_, _| None)
    }

    /// Every webhook of the app, page after page: `for await (const webhook of client.webhooks())`.
    #[wasm_bindgen(unchecked_return_type = "WebhookIterator")]
    pub fn webhooks(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "GetDynamicWebhooksForAppParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let params = optional(params).map_err(|e| error_to_js(&e))?;
        let pager = Pager::new(self.session.clone(), Cursor::Offset(params), options);
        Ok(async_iterable(WebhookIterator { pager }.into()))
    }

    /// Every failed delivery from `after` on, following Jira's cursor: `for await (const f of client.failedWebhooks())`.
    #[wasm_bindgen(js_name = failedWebhooks, unchecked_return_type = "FailedWebhookIterator")]
    pub fn failed_webhooks(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "GetFailedWebhooksParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let params = optional(params).map_err(|e| error_to_js(&e))?;
        let pager = Pager::new(self.session.clone(), Cursor::Failed(params), options);
        Ok(async_iterable(FailedWebhookIterator { pager }.into()))
    }
}

/// Calls `method` on a one-off client made from `config`, or rejects with the config error.
fn with_client(config: JsValue, method: impl FnOnce(&JiraWebhooks) -> Promise) -> Promise {
    match JiraWebhooks::new(config) {
        Ok(client) => method(&client),
        Err(e) => Promise::reject(&e),
    }
}

/// Registers webhooks (POST) with a one-off client made from `config`.
#[wasm_bindgen(js_name = registerDynamicWebhooks, unchecked_return_type = "Promise<ContainerForRegisteredWebhooks>")]
pub fn register_dynamic_webhooks(
    #[wasm_bindgen(unchecked_param_type = "JiraWebhooksConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_param_type = "WebhookRegistrationDetails")] details: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RegisterOptions")] options: JsValue,
) -> Promise {
    with_client(config, |c| c.register_dynamic_webhooks(details, options))
}

/// Returns one page of the app's webhooks with a one-off client made from `config`.
#[wasm_bindgen(js_name = getDynamicWebhooksForApp, unchecked_return_type = "Promise<PageBeanWebhook>")]
pub fn get_dynamic_webhooks_for_app(
    #[wasm_bindgen(unchecked_param_type = "JiraWebhooksConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "GetDynamicWebhooksForAppParams")] params: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
) -> Promise {
    with_client(config, |c| c.get_dynamic_webhooks_for_app(params, options))
}

/// Returns one page of failed deliveries with a one-off client made from `config`.
#[wasm_bindgen(js_name = getFailedWebhooks, unchecked_return_type = "Promise<FailedWebhooks>")]
pub fn get_failed_webhooks(
    #[wasm_bindgen(unchecked_param_type = "JiraWebhooksConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "GetFailedWebhooksParams")] params: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
) -> Promise {
    with_client(config, |c| c.get_failed_webhooks(params, options))
}

/// Extends the listed webhooks by 30 days with a one-off client made from `config`.
#[wasm_bindgen(js_name = refreshWebhooks, unchecked_return_type = "Promise<WebhooksExpirationDate>")]
pub fn refresh_webhooks(
    #[wasm_bindgen(unchecked_param_type = "JiraWebhooksConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ContainerForWebhookIDs")] ids: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
) -> Promise {
    with_client(config, |c| c.refresh_webhooks(ids, options))
}

/// Deletes the listed webhooks with a one-off client made from `config`.
#[wasm_bindgen(js_name = deleteWebhookById, unchecked_return_type = "Promise<void>")]
pub fn delete_webhook_by_id(
    #[wasm_bindgen(unchecked_param_type = "JiraWebhooksConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ContainerForWebhookIDs")] ids: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
) -> Promise {
    with_client(config, |c| c.delete_webhook_by_id(ids, options))
}

/// Where a pager is: the next offset page, or the next failed-webhooks cursor.
enum Cursor {
    Offset(GetDynamicWebhooksForAppParams),
    Failed(GetFailedWebhooksParams),
}

/// The state shared by both iterators: fetch a page when the buffer is empty, stop when the core says so.
struct Pager {
    session: Rc<Session>,
    options: JsValue,
    cursor: Option<Cursor>,
    buffer: VecDeque<JsValue>,
}

impl Pager {
    fn new(session: Rc<Session>, cursor: Cursor, options: JsValue) -> Rc<RefCell<Pager>> {
        Rc::new(RefCell::new(Pager { session, options, cursor: Some(cursor), buffer: VecDeque::new() }))
    }

    /// The next `IteratorResult`, fetching a page when needed.
    fn next(pager: Rc<RefCell<Pager>>) -> Promise {
        future_to_promise(async move {
            loop {
                let (session, options, cursor) = {
                    let mut p = pager.borrow_mut();
                    if let Some(item) = p.buffer.pop_front() {
                        return Ok(iterator_result(item, false));
                    }
                    match p.cursor.take() {
                        None => return Ok(iterator_result(JsValue::UNDEFINED, true)),
                        Some(c) => (p.session.clone(), p.options.clone(), c),
                    }
                };
                let fetched = async {
                    let (signal, timeout_ms, _) = call_options(options)?;
                    let cancel = Cancel::new(signal, timeout_ms.or(session.client.timeout_ms()));
                    match cursor {
                        Cursor::Offset(params) => {
                            let (page, _) =
                                execute(&session, &GetDynamicWebhooksForApp(params.clone()), &cancel).await?;
                            let next = get_dynamic_webhooks_for_app::next_page(&params, &page)?;
                            Ok((
                                page.values.iter().map(to_js).collect::<Result<Vec<_>, _>>()?,
                                next.map(Cursor::Offset),
                            ))
                        }
                        Cursor::Failed(params) => {
                            let (page, _) = execute(&session, &GetFailedWebhooks(params.clone()), &cancel).await?;
                            let next =
                                get_failed_webhooks::next_page(&params, &page, session.client.origin_and_prefix())?;
                            Ok((
                                page.values.iter().map(to_js).collect::<Result<Vec<_>, _>>()?,
                                next.map(Cursor::Failed),
                            ))
                        }
                    }
                }
                .await;
                let (items, next) = fetched.map_err(|mut e: Error| {
                    session.redact(&mut e);
                    error_to_js(&e)
                })?;
                let mut p = pager.borrow_mut();
                p.buffer.extend(items);
                p.cursor = next;
            }
        })
    }
}

fn iterator_result(value: JsValue, done: bool) -> JsValue {
    let result = Object::new();
    let _ = Reflect::set(&result, &"value".into(), &value);
    let _ = Reflect::set(&result, &"done".into(), &done.into());
    result.into()
}

/// Makes instances of an exported class async-iterable: `obj[Symbol.asyncIterator]()` must return `obj`, and
/// `Object.prototype.valueOf` does exactly that (it returns `this`), with no `eval`, so it works under CSP and
/// in workerd.
fn async_iterable(instance: JsValue) -> JsValue {
    let prototype = Object::get_prototype_of(&instance);
    let symbol = js_sys::Symbol::async_iterator();
    if !Reflect::has(&prototype, &symbol).unwrap_or(true) {
        let object_prototype = Object::get_prototype_of(&Object::new());
        let value_of = Reflect::get(&object_prototype, &"valueOf".into()).unwrap_or_default();
        let _ = Reflect::set(&prototype, &symbol, &value_of);
    }
    instance
}

/// Async iterator over every webhook of every page of getDynamicWebhooksForApp.
#[wasm_bindgen]
pub struct WebhookIterator {
    pager: Rc<RefCell<Pager>>,
}

#[wasm_bindgen]
impl WebhookIterator {
    /// The next webhook (fetching the next page when needed).
    #[wasm_bindgen(unchecked_return_type = "Promise<IteratorResult<Webhook, undefined>>")]
    pub fn next(&self) -> Promise {
        Pager::next(self.pager.clone())
    }
}

/// Async iterator over failed deliveries, following getFailedWebhooks' cursor.
#[wasm_bindgen]
pub struct FailedWebhookIterator {
    pager: Rc<RefCell<Pager>>,
}

#[wasm_bindgen]
impl FailedWebhookIterator {
    /// The next failed delivery (fetching the next page when needed).
    #[wasm_bindgen(unchecked_return_type = "Promise<IteratorResult<FailedWebhook, undefined>>")]
    pub fn next(&self) -> Promise {
        Pager::next(self.pager.clone())
    }
}

/// The size of this module's WebAssembly linear memory in bytes: for benchmarks and leak checks.
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    memory.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length() as f64
}

/// Every event name this version knows, in the spec's order (v2 events, then the 2026 v3 additions).
#[wasm_bindgen(js_name = webhookEvents, unchecked_return_type = "WebhookEvent[]")]
pub fn webhook_events() -> Array {
    WebhookEvent::KNOWN.iter().map(|e| JsValue::from_str(e.as_str())).collect()
}

/// Sends one operation, again as the retry policy allows, and parses the answer.
/// Resolves to the output and how many times the request was sent.
async fn execute<O: Operation>(session: &Session, op: &O, cancel: &Cancel) -> Result<(O::Output, u32), Error> {
    let client = &session.client;
    let mut request = client.build(op)?;
    let policy = client.retry_policy();
    let mut attempts = 0;
    let mut token_refreshed = false;
    let result = loop {
        if let Some(e) = cancel.fired() {
            break Err(e);
        }
        attempts += 1;
        if let Err(e) = session.authorize(&mut request, false).await {
            break Err(e);
        }
        let sent = transport::send(&request, cancel, session.transport.as_ref()).await;
        // A 401 with `getToken`: ask for a fresh token once and send again at once.
        if matches!(&sent, Ok(r) if r.status == 401) && client.needs_token() && !token_refreshed {
            token_refreshed = true;
            if let Err(e) = session.authorize(&mut request, true).await {
                break Err(e);
            }
            continue;
        }
        let outcome = match &sent {
            Ok(response) if !O::is_success(response.status) => Some(Outcome::Response(response)),
            Err(e) if e.kind == ErrorKind::Network => Some(Outcome::NetworkFailure),
            _ => None,
        };
        let now = js_sys::Date::now();
        match outcome.and_then(|o| policy.delay(attempts, O::IDEMPOTENT, o, now, js_sys::Math::random())) {
            Some(ms) => {
                if let Err(e) = transport::sleep(ms, cancel).await {
                    break Err(e);
                }
            }
            None => {
                break sent.and_then(|response| {
                    client.parse::<O>(&response).map_err(|mut e| {
                        if e.kind == ErrorKind::Http {
                            e.retry_after_ms = retry_after_ms(&response, now);
                        }
                        e
                    })
                })
            }
        }
    };
    result.map(|output| (output, attempts)).map_err(|mut e| {
        e.operation.get_or_insert(O::ID);
        e.attempts = attempts;
        e
    })
}

/// Runs one operation for JavaScript: every failure becomes a `JiraWebhooksError`. `check` may turn a success
/// into an error (for `throwOnPartialFailure`), which then carries the result as `result`.
fn run<O: Operation + 'static>(
    session: Rc<Session>,
    options: JsValue,
    op: Result<O, Error>,
    check: impl FnOnce(&O, &O::Output) -> Option<Error> + 'static,
) -> Promise {
    future_to_promise(async move {
        let mut partial = None;
        let result = async {
            let (signal, timeout_ms, strict) = call_options(options)?;
            let op = op?;
            let cancel = Cancel::new(signal, timeout_ms.or(session.client.timeout_ms()));
            let (output, attempts) = execute(&session, &op, &cancel).await?;
            let js = to_js(&output)?;
            match check(&op, &output).filter(|_| strict) {
                Some(mut e) => {
                    e.attempts = attempts;
                    partial = Some(js);
                    Err(e)
                }
                None => Ok(js),
            }
        }
        .await;
        result.map_err(|mut e| {
            e.operation.get_or_insert(O::ID);
            session.redact(&mut e);
            let js = error_to_js(&e);
            if let Some(output) = partial {
                let _ = Reflect::set(&js, &"result".into(), &output);
            }
            js
        })
    })
}

/// A validated client plus what only JavaScript can supply: a custom transport and a token provider.
struct Session {
    client: Client,
    transport: Option<Function>,
    get_token: Option<Function>,
    token: RefCell<Option<String>>,
    /// Tokens from `getToken`, redacted from errors like the configured secrets.
    supplied_secrets: RefCell<Vec<String>>,
}

impl Session {
    fn from_js(config: JsValue) -> Result<Session, Error> {
        if !config.is_object() {
            return Err(Error::config(
                "config",
                "must be an object such as { baseUrl, auth: { type: \"basic\", email, apiToken } }",
            ));
        }
        let function = |value: JsValue, path: &str| match value {
            v if v.is_undefined() || v.is_null() => Ok(None),
            v => v.dyn_into::<Function>().map(Some).map_err(|_| Error::config(path, "must be a function")),
        };
        let transport = function(Reflect::get(&config, &"transport".into()).unwrap_or_default(), "transport")?;
        let auth = Reflect::get(&config, &"auth".into()).unwrap_or_default();
        let get_token = match auth.is_object() {
            true => function(Reflect::get(&auth, &"getToken".into()).unwrap_or_default(), "auth.getToken")?,
            false => None,
        };
        // JSON.stringify leaves the two functions out.
        let mut parsed: Config =
            from_json(config).map_err(|(path, e)| Error::config(if path == "." { "config" } else { &path }, e))?;
        parsed.has_transport = transport.is_some();
        parsed.has_token_provider = get_token.is_some();
        let client = Client::new(&parsed)?;
        Ok(Session { client, transport, get_token, token: RefCell::default(), supplied_secrets: RefCell::default() })
    }

    /// Puts the `Authorization` header on this attempt: a fresh Connect JWT, or the token from `getToken`
    /// (asked for once, and again when `refresh` is set after a 401).
    async fn authorize(&self, request: &mut HttpRequest, refresh: bool) -> Result<(), Error> {
        self.client.sign(request, (js_sys::Date::now() / 1000.0) as i64);
        let Some(get_token) = self.get_token.as_ref().filter(|_| self.client.needs_token()) else { return Ok(()) };
        let cached = self.token.borrow().clone().filter(|_| !refresh);
        let token = match cached {
            Some(token) => token,
            None => {
                let failed = |why: String| Error::new(ErrorKind::Config, format!("auth.getToken failed: {why}"));
                let returned = get_token.call0(&JsValue::UNDEFINED).map_err(|e| failed(js_error_text(&e)))?;
                let value = JsFuture::from(Promise::resolve(&returned)).await.map_err(|e| failed(js_error_text(&e)))?;
                let token = value.as_string().filter(|t| !t.trim().is_empty());
                let token = token.ok_or_else(|| failed("it must resolve to a non-empty string".into()))?;
                self.supplied_secrets.borrow_mut().push(token.clone());
                *self.token.borrow_mut() = Some(token.clone());
                token
            }
        };
        set_header(request, "Authorization", format!("Bearer {token}"));
        Ok(())
    }

    fn redact(&self, e: &mut Error) {
        e.redact(self.client.secrets());
        e.redact(&self.supplied_secrets.borrow());
    }
}

/// The message of a thrown JS value, for errors.
fn js_error_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| Reflect::get(e, &"message".into()).ok().and_then(|m| m.as_string()))
        .unwrap_or_else(|| "unknown error".into())
}

/// Reads a required argument; `path` prefixes the field names in errors.
fn required<T: DeserializeOwned>(path: &str, value: JsValue) -> Result<T, Error> {
    if value.is_undefined() || value.is_null() {
        return Err(Error::invalid_input(if path.is_empty() { "argument" } else { path }, "is missing"));
    }
    from_json(value)
        .map_err(|(at, e)| Error::invalid_input(if at == "." { "argument".into() } else { format!("{path}{at}") }, e))
}

/// Reads a JS value through `JSON.stringify` and serde_json, the same decoder that reads Jira's answers (one
/// copy of the decoding code in the wasm instead of two). Errors name the JSON path.
fn from_json<T: DeserializeOwned>(value: JsValue) -> Result<T, (String, String)> {
    let text = js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| (".".to_owned(), "cannot be written as JSON (a BigInt, a cycle or a function?)".to_owned()))?;
    serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(&text))
        .map_err(|e| (e.path().to_string(), e.inner().to_string()))
}

/// Reads an optional argument; `undefined` and `null` mean the defaults.
fn optional<T: DeserializeOwned + Default>(value: JsValue) -> Result<T, Error> {
    if value.is_undefined() || value.is_null() {
        Ok(T::default())
    } else {
        required("", value)
    }
}

/// Reads `{ signal?, timeoutMs?, throwOnPartialFailure? }`.
fn call_options(options: JsValue) -> Result<(Option<AbortSignal>, Option<f64>, bool), Error> {
    if options.is_undefined() || options.is_null() {
        return Ok((None, None, false));
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
    let strict = Reflect::get(&options, &"throwOnPartialFailure".into()).unwrap_or_default().is_truthy();
    Ok((signal, timeout_ms, strict))
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, Error> {
    // serde_json + JSON.parse beats building objects field by field across the boundary, and shares code.
    let cannot =
        |e: String| Error::new(ErrorKind::Decode, format!("the answer cannot be represented in JavaScript: {e}"));
    let text = serde_json::to_string(value).map_err(|e| cannot(e.to_string()))?;
    if text == "null" {
        return Ok(JsValue::UNDEFINED); // deleteWebhookById's `()`
    }
    js_sys::JSON::parse(&text).map_err(|e| cannot(js_error_text(&e)))
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
