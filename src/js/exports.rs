//! Every `#[wasm_bindgen]` export: the `JiraWebhooks` class, the same five operations as free functions, and
//! the page iterators. Each export reads its arguments, hands the work to the engine through the driver, and
//! turns the outcome into a value or a `JiraWebhooksError`; nothing here decides how a call goes.

use super::convert::{self, error_to_js, Fail, Options};
use super::driver::{drive, Session};
#[cfg(feature = "lifecycle")]
use super::receiver::{self, Receiver};
use crate::config::Config;
#[cfg(feature = "lifecycle")]
use crate::decode::to_json;
use crate::decode::{RawJson, Ty};
use crate::engine::{Call, CursorPages, OffsetPages, Reply};
use crate::error::Error;
#[cfg(feature = "lifecycle")]
use crate::lifecycle::sync::{validate as validate_desired, DesiredWebhooks, KeepAliveOptions, Lifecycle, Step};
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

#[cfg(feature = "lifecycle")]
#[wasm_bindgen(typescript_custom_section)]
const LIFECYCLE_TYPES: &str = r#"
/** A delivery's request when it is not a `Request`: what Node's and Express's requests give, for example. */
export interface DeliveryRequestLike {
  method?: string;
  /** The full URL the delivery was sent to (Connect's `qsh` covers its path and query). */
  url: string;
  headers: Headers | Record<string, string | string[] | undefined>;
  /** The raw body, exactly as received (HMAC signatures cover its bytes). */
  body: string;
}

/** Where processed delivery ids are remembered (a KV, a database): both may be async. */
export interface DeliveryStore {
  has(id: string): boolean | Promise<boolean>;
  add(id: string, ttlMs: number): unknown;
}

/** `createWebhookHandler`'s options. */
export interface WebhookHandlerOptions extends VerifyOptions {
  /** The handler of each event, or `"*"` for the others; it may be async. A throw makes the endpoint answer 500, so Jira retries. */
  on: WebhookHandlers;
  /** Where processed deliveries are remembered; default: in memory, 10,000 ids for 72 hours. `false`: no dedupe. */
  dedupe?: DeliveryStore | false;
  /** Gets a replayed failure that has no body, so the app can fetch the entity itself. */
  onMissingBody?: (failure: FailedWebhook) => unknown;
}

/** A webhook endpoint for Workers, Deno, Vercel Edge, Bun and any Request/Response server. */
export type WebhookHandler = ((request: Request) => Promise<Response>) & {
  replay(failure: FailedWebhook): Promise<Delivery | undefined>;
};

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
            Ok(Job::call(&self.session, call, options.signal, Finish::Registered { op, strict }))
        };
        run(RegisterDynamicWebhooks::SPEC.id, job())
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
            Ok(Job::call(&self.session, call, options.signal, Finish::Json))
        };
        run(GetDynamicWebhooksForApp::SPEC.id, job())
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
            Ok(Job::call(&self.session, call, options.signal, Finish::Json))
        };
        run(GetFailedWebhooks::SPEC.id, job())
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
            Ok(Job::call(&self.session, call, options.signal, Finish::Json))
        };
        run(RefreshWebhooks::SPEC.id, job())
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
            Ok(Job::call(&self.session, call, options.signal, Finish::Nothing))
        };
        run(DeleteWebhookById::SPEC.id, job())
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

/// The lifecycle: sync and keep-alive (the `jira-webhooks/lifecycle` entry).
#[cfg(feature = "lifecycle")]
#[wasm_bindgen]
impl JiraWebhooks {
    /// Makes the app's webhooks on the site exactly `desired`: lists them all, deletes what is not desired (and
    /// second copies), registers what is missing, refreshes what expires within `refreshWithinDays`. A registration
    /// whose answer was lost is never repeated blindly: the list is read again and only what is still missing is
    /// registered. `timeoutMs` applies to each call.
    #[wasm_bindgen(js_name = syncWebhooks, unchecked_return_type = "Promise<SyncResult>")]
    pub fn sync_webhooks(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DesiredWebhooks")] desired: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let job = || {
            let options = convert::options(&options, CALL_OPTIONS)?;
            let desired: DesiredWebhooks = convert::value(&desired, Ty::Obj(DesiredWebhooks::SHAPE))?;
            validate_desired(&desired, self.session.client.app_limit())?;
            let session = self.session.clone();
            Ok(Job::Lifecycle {
                session,
                run: Box::new(Lifecycle::sync(desired)),
                signal: options.signal,
                timeout_ms: options.timeout_ms,
            })
        };
        run("syncWebhooks", job())
    }

    /// Refreshes every webhook of the app that expires within `withinDays` (default 7), in one call; for apps that
    /// register imperatively. Run it daily (a cron trigger, a timer).
    #[wasm_bindgen(js_name = keepAlive, unchecked_return_type = "Promise<KeepAliveResult>")]
    pub fn keep_alive(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "KeepAliveOptions")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        let job = || {
            let options = convert::options(&options, CALL_OPTIONS)?;
            let params: KeepAliveOptions = convert::optional(&params, Ty::Obj(KeepAliveOptions::SHAPE))?;
            let days = params.within_days.unwrap_or(7.0);
            if !(0.0..=30.0).contains(&days) {
                return Err(Error::invalid_input("withinDays", "must be between 0 and 30 (webhooks live 30 days)"));
            }
            let session = self.session.clone();
            Ok(Job::Lifecycle {
                session,
                run: Box::new(Lifecycle::keep_alive(days)),
                signal: options.signal,
                timeout_ms: options.timeout_ms,
            })
        };
        run("keepAlive", job())
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
    Call { session: Rc<Session>, call: Box<Call>, signal: Option<web_sys::AbortSignal>, finish: Finish },
    /// The next item of an iterator, once the `next()` before it (if any) has settled.
    Next(Rc<RefCell<Pager>>, Option<Promise>),
    /// A sync or keep-alive run: each step one call.
    #[cfg(feature = "lifecycle")]
    Lifecycle {
        session: Rc<Session>,
        run: Box<Lifecycle>,
        signal: Option<web_sys::AbortSignal>,
        timeout_ms: Option<f64>,
    },
    /// Verify a delivery.
    #[cfg(feature = "lifecycle")]
    Verify(Rc<Receiver>, JsValue),
    /// Verify a delivery, dedupe it, hand it to its handler, and answer.
    #[cfg(feature = "lifecycle")]
    Handle(Rc<Receiver>, JsValue),
    /// Feed a failed delivery through the handlers again.
    #[cfg(feature = "lifecycle")]
    Replay(Rc<Receiver>, JsValue),
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

impl Job {
    /// One call of `session`, whose answer `finish` turns into the value.
    fn call(session: &Rc<Session>, call: Call, signal: Option<web_sys::AbortSignal>, finish: Finish) -> Job {
        Job::Call { session: session.clone(), call: Box::new(call), signal, finish }
    }
}

/// A promise of `job`'s outcome; a job that could not be prepared rejects at once, naming `operation`.
fn run(operation: &'static str, job: Result<Job, Error>) -> Promise {
    match job {
        Ok(job) => future_to_promise(async move { work(job).await.map_err(Fail::into_js) }),
        Err(mut e) => {
            e.operation.get_or_insert(operation);
            Promise::reject(&error_to_js(&e))
        }
    }
}

async fn work(job: Job) -> Result<JsValue, Fail> {
    match job {
        Job::Call { session, call, signal, finish } => {
            let (reply, body) = drive(&session, *call, signal).await?;
            match finish {
                Finish::Json => Ok(answer(&reply, &body)?),
                Finish::Nothing => Ok(JsValue::UNDEFINED),
                Finish::Registered { op, strict } => {
                    let js = answer(&reply, &body)?;
                    match partial_failure(&op, &reply.read::<ContainerForRegisteredWebhooks>()) {
                        Some(mut e) if strict => {
                            e.attempts = reply.attempts;
                            e.result = Some(RawJson(reply.text().to_owned()));
                            Err(e.into())
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
            let session = pager.borrow().session.clone();
            Ok(Pager::step(&session, &pager).await?)
        }
        #[cfg(feature = "lifecycle")]
        Job::Lifecycle { session, mut run, signal, timeout_ms } => loop {
            let options = Options { signal: signal.clone(), timeout_ms, ..Options::default() };
            let call = match run.next(js_sys::Date::now()) {
                Step::Done(outcome) => {
                    return Ok(outcome.and_then(|o| convert::parse(&JsValue::from_str(&to_json(&o))))?)
                }
                Step::List(op) => start(&session, &op, &options),
                Step::Delete(op) => start(&session, &op, &options),
                Step::Register(op) => start(&session, &op, &options),
                Step::Refresh(op) => start(&session, &op, &options),
            };
            let reply = match call {
                Ok(call) => drive(&session, call, signal.clone()).await.map(|(reply, _)| reply),
                Err(e) => Err(e),
            };
            run.on_reply(reply);
        },
        #[cfg(feature = "lifecycle")]
        Job::Verify(receiver, request) => Ok(receiver::verified(&receiver, &request).await?),
        #[cfg(feature = "lifecycle")]
        Job::Handle(receiver, request) => Ok(receiver::handle(&receiver, &request).await),
        #[cfg(feature = "lifecycle")]
        Job::Replay(receiver, failure) => receiver::replay(&receiver, &failure).await,
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

#[cfg(feature = "lifecycle")]
/// Verifies that `request` comes from Jira (an OAuth 2.0 app's Bearer JWT, a Connect JWT with `qsh`, or an
/// `X-Hub-Signature`) and resolves to the delivery; rejects with kind `unauthorized` naming the check that failed.
#[wasm_bindgen(js_name = verifyDelivery, unchecked_return_type = "Promise<Delivery>")]
pub fn verify_delivery(
    #[wasm_bindgen(unchecked_param_type = "Request | DeliveryRequestLike")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyOptions")] options: JsValue,
) -> Promise {
    run("verifyDelivery", Receiver::from_js(&options, false).map(|r| Job::Verify(Rc::new(r), request)))
}

#[cfg(feature = "lifecycle")]
/// A webhook endpoint: `(request: Request) => Promise<Response>`. It answers 401 to a delivery that does not
/// verify, 400 to a body that is not JSON, 204 once the `on` handler for the event (or `"*"`) succeeded and to a
/// delivery already processed (the handler is not called again), and 500 when the handler threw, so that Jira
/// retries. Its `replay(failure)` feeds a failed delivery (from `client.failedWebhooks()`) through the same
/// handlers and memory.
#[wasm_bindgen(js_name = createWebhookHandler, unchecked_return_type = "WebhookHandler")]
pub fn create_webhook_handler(
    #[wasm_bindgen(unchecked_param_type = "WebhookHandlerOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let receiver = Receiver::from_js(&options, true).map_err(|e| error_to_js(&e))?;
    let receiver: JsValue = DeliveryReceiver { receiver: Rc::new(receiver) }.into();
    let method = |name: &str| -> Result<js_sys::Function, JsValue> {
        let f: js_sys::Function = Reflect::get(&receiver, &name.into())?.dyn_into()?;
        Ok(f.bind0(&receiver).unchecked_into())
    };
    let handle = method("handle")?;
    Reflect::set(&handle, &"replay".into(), &method("replay")?.into())?;
    Ok(handle.into())
}

/// What `createWebhookHandler` returns is this receiver's `handle`, with its `replay`.
#[cfg(feature = "lifecycle")]
#[wasm_bindgen]
pub struct DeliveryReceiver {
    receiver: Rc<Receiver>,
}

#[cfg(feature = "lifecycle")]
#[wasm_bindgen]
impl DeliveryReceiver {
    /// Answers one delivery.
    #[wasm_bindgen(unchecked_return_type = "Promise<Response>")]
    pub fn handle(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Request | DeliveryRequestLike")] request: JsValue,
    ) -> Promise {
        run("handle", Ok(Job::Handle(self.receiver.clone(), request)))
    }

    /// Feeds a failed delivery through the handlers (`replayed: true`), once; resolves to `undefined` when it had
    /// no body and went to `onMissingBody`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Delivery | undefined>")]
    pub fn replay(&self, #[wasm_bindgen(unchecked_param_type = "FailedWebhook")] failure: JsValue) -> Promise {
        run("replay", Ok(Job::Replay(self.receiver.clone(), failure)))
    }
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
        let before = pager.borrow_mut().tail.take();
        let next = run("", Ok(Job::Next(pager.clone(), before)));
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
