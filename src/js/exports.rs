//! Every `#[wasm_bindgen]` export: the `JiraWebhooks` class, the same five operations as free functions, and
//! the page iterators. Each export reads its arguments, hands the work to the engine through the driver, and
//! turns the outcome into a value or a `JiraWebhooksError`; nothing here decides how a call goes.

use super::convert::{self, error_to_js, Options};
use super::driver::{drive, Session};
use crate::config::Config;
use crate::decode::{RawJson, Ty};
use crate::engine::{Call, CursorPages, OffsetPages, Reply};
use crate::error::Error;
use crate::models::{ContainerForRegisteredWebhooks, WebhookEvent};
use crate::operations::{
    partial_failure, DeleteWebhookById, GetDynamicWebhooksForApp, GetDynamicWebhooksForAppParams, GetFailedWebhooks,
    GetFailedWebhooksParams, Operation, RefreshWebhooks, RegisterDynamicWebhooks,
};
use crate::Client;
use js_sys::{Array, Object, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

#[wasm_bindgen(typescript_custom_section)]
const JS_TYPES: &str = r#"
/** Credentials: one of these, by `type`. */
export type JiraWebhooksAuth = BasicAuth | BearerAuth | ConnectAuth | NoAuth;

/** What a custom transport receives. `path` is the API path and query, without any gateway prefix. */
export interface TransportRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Absolute URL (just the path when the config has no `baseUrl`). */
  url: string;
  /** e.g. `/rest/api/2/webhook?startAt=0`; segments and query values are already percent-encoded. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborted when the caller's signal fires or the call's deadline passes. */
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

/** Per-call options, the last argument of every operation. */
export interface CallOptions {
  /** Aborts the call (rejects with kind "aborted"). */
  signal?: AbortSignal;
  /** Gives up after this many milliseconds, across retries (rejects with kind "timeout"); overrides the config's. */
  timeoutMs?: number;
}

/** Options of `registerDynamicWebhooks`. */
export interface RegisterOptions extends CallOptions {
  /** Reject with kind "partial-failure" when Jira refused any webhook (the error's `result` keeps the created ids). */
  throwOnPartialFailure?: boolean;
}

export interface WebhookIterator extends AsyncIterableIterator<Webhook, undefined> {}
export interface FailedWebhookIterator extends AsyncIterableIterator<FailedWebhook, undefined> {}
"#;

const CALL_OPTIONS: &[&str] = &["signal", "timeoutMs"];
const REGISTER_OPTIONS: &[&str] = &["signal", "timeoutMs", "throwOnPartialFailure"];

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
        session(&config).map(|session| JiraWebhooks { session: Rc::new(session) }).map_err(|e| error_to_js(&e))
    }

    /// Registers webhooks (POST). Per-webhook failures come back inside the result, in request order, unless
    /// `throwOnPartialFailure` turns them into a `partial-failure` error (its `result` keeps the created ids).
    #[wasm_bindgen(js_name = registerDynamicWebhooks, unchecked_return_type = "Promise<ContainerForRegisteredWebhooks>")]
    pub fn register_dynamic_webhooks(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WebhookRegistrationDetails")] details: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RegisterOptions")] options: JsValue,
    ) -> Promise {
        let job = || {
            let options = convert::options(&options, REGISTER_OPTIONS)?;
            let op = RegisterDynamicWebhooks::from_json(convert::required(&details)?);
            let strict = options.throw_on_partial_failure;
            let call = start(&self.session, &op, &options)?;
            Ok(Job::Call { call: Box::new(call), signal: options.signal, finish: Finish::Registered { op, strict } })
        };
        run(&self.session, RegisterDynamicWebhooks::SPEC.id, job())
    }

    /// Returns one page of the app's webhooks (GET, offset paging).
    #[wasm_bindgen(js_name = getDynamicWebhooksForApp, unchecked_return_type = "Promise<PageBeanWebhook>")]
    pub fn get_dynamic_webhooks_for_app(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "GetDynamicWebhooksForAppParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let job = || {
            let options = convert::options(&options, CALL_OPTIONS)?;
            let params = convert::optional(&params, Ty::Obj(GetDynamicWebhooksForAppParams::SHAPE))?;
            let call = start(&self.session, &GetDynamicWebhooksForApp(params), &options)?;
            Ok(Job::Call { call: Box::new(call), signal: options.signal, finish: Finish::Json })
        };
        run(&self.session, GetDynamicWebhooksForApp::SPEC.id, job())
    }

    /// Returns one page of failed deliveries (GET, cursor paging; Connect apps only).
    #[wasm_bindgen(js_name = getFailedWebhooks, unchecked_return_type = "Promise<FailedWebhooks>")]
    pub fn get_failed_webhooks(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "GetFailedWebhooksParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let job = || {
            let options = convert::options(&options, CALL_OPTIONS)?;
            let params = convert::optional(&params, Ty::Obj(GetFailedWebhooksParams::SHAPE))?;
            let call = start(&self.session, &GetFailedWebhooks(params), &options)?;
            Ok(Job::Call { call: Box::new(call), signal: options.signal, finish: Finish::Json })
        };
        run(&self.session, GetFailedWebhooks::SPEC.id, job())
    }

    /// Extends the listed webhooks by 30 days (PUT).
    #[wasm_bindgen(js_name = refreshWebhooks, unchecked_return_type = "Promise<WebhooksExpirationDate>")]
    pub fn refresh_webhooks(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ContainerForWebhookIDs")] ids: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let job = || {
            let options = convert::options(&options, CALL_OPTIONS)?;
            let op = RefreshWebhooks::from_json(convert::required(&ids)?);
            let call = start(&self.session, &op, &options)?;
            Ok(Job::Call { call: Box::new(call), signal: options.signal, finish: Finish::Json })
        };
        run(&self.session, RefreshWebhooks::SPEC.id, job())
    }

    /// Deletes the listed webhooks (DELETE); resolves to `undefined` on Jira's 202.
    #[wasm_bindgen(js_name = deleteWebhookById, unchecked_return_type = "Promise<void>")]
    pub fn delete_webhook_by_id(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ContainerForWebhookIDs")] ids: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let job = || {
            let options = convert::options(&options, CALL_OPTIONS)?;
            let op = DeleteWebhookById::from_json(convert::required(&ids)?);
            let call = start(&self.session, &op, &options)?;
            Ok(Job::Call { call: Box::new(call), signal: options.signal, finish: Finish::Nothing })
        };
        run(&self.session, DeleteWebhookById::SPEC.id, job())
    }

    /// Every webhook of the app, page after page: `for await (const webhook of client.webhooks())`.
    #[wasm_bindgen(unchecked_return_type = "WebhookIterator")]
    pub fn webhooks(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "GetDynamicWebhooksForAppParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let start = || -> Result<_, Error> {
            let options = convert::options(&options, CALL_OPTIONS)?;
            let params = convert::optional(&params, Ty::Obj(GetDynamicWebhooksForAppParams::SHAPE))?;
            Ok(Pager::new(self.session.clone(), Pages::Offset(OffsetPages::new(params)), options))
        };
        let pager = start().map_err(|e| error_to_js(&e))?;
        Ok(async_iterable(WebhookIterator { pager }.into()))
    }

    /// Every failed delivery from `after` on, oldest first, following Jira's cursor:
    /// `for await (const failure of client.failedWebhooks())`.
    #[wasm_bindgen(js_name = failedWebhooks, unchecked_return_type = "FailedWebhookIterator")]
    pub fn failed_webhooks(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "GetFailedWebhooksParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let start = || -> Result<_, Error> {
            let options = convert::options(&options, CALL_OPTIONS)?;
            let params = convert::optional(&params, Ty::Obj(GetFailedWebhooksParams::SHAPE))?;
            Ok(Pager::new(self.session.clone(), Pages::Cursor(CursorPages::new(params)), options))
        };
        let pager = start().map_err(|e| error_to_js(&e))?;
        Ok(async_iterable(FailedWebhookIterator { pager }.into()))
    }
}

/// Reads the caller's config into a session: the core validates, JS supplies the functions.
fn session(config: &JsValue) -> Result<Session, Error> {
    if !config.is_object() || Array::is_array(config) {
        return Err(Error::config(
            "config",
            "must be an object such as { baseUrl, auth: { type: \"basic\", email, apiToken } }",
        ));
    }
    let transport = convert::function(config, "transport", "transport", Error::config)?;
    let auth = convert::member(config, "auth", "auth", Error::config)?;
    let get_token = convert::function(&auth, "getToken", "auth.getToken", Error::config)?;
    let text = convert::config_text(config)?;
    let config = Config::from_json(&text, transport.is_some(), get_token.is_some())?;
    Ok(Session { client: Client::new(&config)?, transport, get_token, token: RefCell::default() })
}

/// Starts a call of `op` with the session's last token.
fn start<O: Operation>(session: &Session, op: &O, options: &Options) -> Result<Call, Error> {
    let token = session.token.borrow().clone();
    session.client.call(op, js_sys::Date::now(), options.timeout_ms, token)
}

/// What an export has prepared; [`work`] does it. All exports share this one async function, so the wasm holds
/// one future and one promise adapter instead of one per export.
enum Job {
    /// Drive one call, then make the value.
    Call { call: Box<Call>, signal: Option<web_sys::AbortSignal>, finish: Finish },
    /// The next item of an iterator, once the `next()` before it (if any) has settled.
    Next(Rc<RefCell<Pager>>, Option<Promise>),
}

/// What a finished call resolves to.
enum Finish {
    /// The answer, parsed.
    Json,
    /// `undefined`.
    Nothing,
    /// The registration answer, or a `partial-failure` error when `strict` and Jira refused some.
    Registered { op: RegisterDynamicWebhooks, strict: bool },
}

/// A promise of `job`'s outcome; a job that could not be prepared rejects at once, naming `operation`.
fn run(session: &Rc<Session>, operation: &'static str, job: Result<Job, Error>) -> Promise {
    match job {
        Ok(job) => {
            let session = session.clone();
            future_to_promise(async move { work(&session, job).await.map_err(|e| error_to_js(&e)) })
        }
        Err(mut e) => {
            e.operation.get_or_insert(operation);
            Promise::reject(&error_to_js(&e))
        }
    }
}

async fn work(session: &Session, job: Job) -> Result<JsValue, Error> {
    match job {
        Job::Call { call, signal, finish } => {
            let (reply, body) = drive(session, *call, signal).await?;
            match finish {
                Finish::Json => answer(&reply, &body),
                Finish::Nothing => Ok(JsValue::UNDEFINED),
                Finish::Registered { op, strict } => {
                    let js = answer(&reply, &body)?;
                    match partial_failure(&op, &reply.read::<ContainerForRegisteredWebhooks>()) {
                        Some(mut e) if strict => {
                            e.attempts = reply.attempts;
                            e.result = Some(RawJson(reply.text().to_owned()));
                            Err(e)
                        }
                        _ => Ok(js),
                    }
                }
            }
        }
        Job::Next(pager, before) => {
            if let Some(before) = before {
                let _ = JsFuture::from(before).await;
            }
            Pager::step(session, &pager).await
        }
    }
}

/// The answer as a JS value: the body as Jira sent it when it needed no change, else the patched text.
fn answer(reply: &Reply, body: &JsValue) -> Result<JsValue, Error> {
    match &reply.patched {
        Some(text) => convert::parse(&JsValue::from_str(text)),
        None => convert::parse(body),
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

/// Which pages an iterator walks.
enum Pages {
    Offset(OffsetPages),
    Cursor(CursorPages),
}

/// What both iterators share: the pages' position (moved only when a page arrived), the items of the page in
/// hand, and the promise of the `next()` before, so that calls made at once run one after the other.
struct Pager {
    session: Rc<Session>,
    signal: Option<web_sys::AbortSignal>,
    timeout_ms: Option<f64>,
    pages: Pages,
    items: Array,
    at: u32,
    tail: Option<Promise>,
}

impl Pager {
    fn new(session: Rc<Session>, pages: Pages, options: Options) -> Rc<RefCell<Pager>> {
        let Options { signal, timeout_ms, .. } = options;
        Rc::new(RefCell::new(Pager { session, signal, timeout_ms, pages, items: Array::new(), at: 0, tail: None }))
    }

    /// The next `IteratorResult`, after every earlier `next()` has settled.
    fn next(pager: &Rc<RefCell<Pager>>) -> Promise {
        let (session, before) = {
            let mut p = pager.borrow_mut();
            (p.session.clone(), p.tail.take())
        };
        let next = run(&session, "", Ok(Job::Next(pager.clone(), before)));
        pager.borrow_mut().tail = Some(next.clone());
        next
    }

    async fn step(session: &Session, pager: &Rc<RefCell<Pager>>) -> Result<JsValue, Error> {
        loop {
            let (call, signal) = {
                let mut p = pager.borrow_mut();
                if p.at < p.items.length() {
                    p.at += 1;
                    return Ok(iterator_result(p.items.get(p.at - 1), false));
                }
                let options = Options { signal: p.signal.clone(), timeout_ms: p.timeout_ms, ..Options::default() };
                let call = match &p.pages {
                    Pages::Offset(pages) => pages.next().map(|op| start(session, &op, &options)),
                    Pages::Cursor(pages) => pages.next().map(|op| start(session, &op, &options)),
                };
                match call {
                    None => return Ok(iterator_result(JsValue::UNDEFINED, true)),
                    Some(call) => (call?, options.signal),
                }
            };
            let (reply, body) = drive(session, call, signal).await?;
            let page = answer(&reply, &body)?;
            let items = Reflect::get(&page, &"values".into()).ok().and_then(|v| v.dyn_into::<Array>().ok());
            let mut p = pager.borrow_mut();
            match &mut p.pages {
                Pages::Offset(pages) => pages.advance(&reply)?,
                Pages::Cursor(pages) => pages.advance(&reply)?,
            }
            p.items = items.unwrap_or_default();
            p.at = 0;
        }
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
    /// The next webhook (fetching the next page when needed). Calls made at once are answered in order; after
    /// a page failed, the next call asks for that page again.
    #[wasm_bindgen(unchecked_return_type = "Promise<IteratorResult<Webhook, undefined>>")]
    pub fn next(&self) -> Promise {
        Pager::next(&self.pager)
    }
}

/// Async iterator over failed deliveries, following getFailedWebhooks' cursor.
#[wasm_bindgen]
pub struct FailedWebhookIterator {
    pager: Rc<RefCell<Pager>>,
}

#[wasm_bindgen]
impl FailedWebhookIterator {
    /// The next failed delivery (fetching the next page when needed). Calls made at once are answered in order;
    /// after a page failed, the next call asks for that page again.
    #[wasm_bindgen(unchecked_return_type = "Promise<IteratorResult<FailedWebhook, undefined>>")]
    pub fn next(&self) -> Promise {
        Pager::next(&self.pager)
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
    convert::strings(WebhookEvent::KNOWN.iter().map(WebhookEvent::as_str))
}
