//! The `JiraWebhooks` class and each call's handle. A method takes its arguments (checked by the generated
//! validators), makes the operation and its [`Call`], and hands the call to `call.js`, which performs what the
//! call decides through the [`CallHandle`].

use super::bindings;
use super::pages::Pager;
use super::values::{self, error_to_js, Blame, Js};
use crate::auth::Auth;
use crate::config::{CallOptions, Config, JiraWebhooksConfig, RegisterOptions};
use crate::decode::{FromJson, Invalid, Source};
use crate::engine::{Action, Call, CursorPages, Expect, Items, OffsetPages};
use crate::error::{Error, ErrorKind};
use crate::http::{HttpResponse, RateLimit};
use crate::models::WebhookRegistrationDetails;
use crate::models::{ContainerForRegisteredWebhooks, ContainerForWebhookIDs, ErrorCollection, WebhookEvent};
use crate::operations::{
    partial_failure, Answer, DeleteWebhookById, GetDynamicWebhooksForApp, GetDynamicWebhooksForAppParams,
    GetFailedWebhooks, GetFailedWebhooksParams, Operation, RefreshWebhooks, RegisterDynamicWebhooks, Valid,
};
use crate::small::pieces;
use crate::text::{cat, push_uint};
use crate::Client;
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
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

/** What every hook event says: the call and the attempt, never a header or a credential. */
export interface CallEvent {
  /** Jira's operationId, e.g. `getDynamicWebhooksForApp`. */
  operation: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** The API path and query, e.g. `/rest/api/2/webhook?startAt=0`. */
  path: string;
  /** 1 for the first time the request is sent. */
  attempt: number;
}
/** Before an attempt is sent. */
export interface RequestEvent extends CallEvent {}
/** After an attempt: the status (0 when no answer came), how long it took, and Jira's rate-limit headers. */
export interface ResponseEvent extends CallEvent {
  status: number;
  durationMs: number;
  retryAfter?: string;
  rateLimit?: { reason?: string; limit?: string; remaining?: string; nearLimit?: string; reset?: string };
}
/** Before the client waits to send again. */
export interface RetryEvent extends CallEvent {
  delayMs: number;
}

export interface WebhookIterator extends AsyncIterableIterator<Webhook, undefined> {}
export interface FailedWebhookIterator extends AsyncIterableIterator<FailedWebhook, undefined> {}
"#;

/// A client for one Jira site and one set of credentials.
#[wasm_bindgen]
pub struct JiraWebhooks {
    pub(super) client: Client,
    /// What only JavaScript holds: the transport, `getToken`, the hooks, the token in hand, the run queue.
    pub(super) session: JsValue,
}

#[wasm_bindgen]
impl JiraWebhooks {
    /// Checks `config`; throws a `JiraWebhooksError` of kind `config` if it cannot work.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "JiraWebhooksConfig")] config: JsValue,
    ) -> Result<JiraWebhooks, JsValue> {
        JiraWebhooks::from_config(&config).map_err(|e| error_to_js(&e))
    }

    fn from_config(config: &JsValue) -> Result<JiraWebhooks, Error> {
        if !config.is_object() || Array::is_array(config) {
            return Err(Error::config(
                "config",
                "must be an object such as { baseUrl, auth: { type: \"basic\", email, apiToken } }",
            ));
        }
        let copy = values::take::<JiraWebhooksConfig>(config, Blame::Config(""))?;
        let transport = values::member(&copy, "transport").is_function();
        let get_token = values::member(&values::member(&copy, "auth"), "getToken").is_function();
        let client = Client::new(&Config::read(Js(copy.clone()), transport, get_token)?)?;
        let session = bindings::session(&copy, client.auth().initial_token().map(str::to_owned));
        Ok(JiraWebhooks { client, session })
    }

    /// Registers webhooks (POST). Per-webhook failures come back inside the result, in request order, unless
    /// `throwOnPartialFailure` turns them into a `partial-failure` error (its `result` keeps the created ids).
    #[wasm_bindgen(js_name = registerDynamicWebhooks, unchecked_return_type = "Promise<ContainerForRegisteredWebhooks>")]
    pub fn register_dynamic_webhooks(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WebhookRegistrationDetails")] details: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RegisterOptions")] options: JsValue,
    ) -> Promise {
        self.promise(Method::Register, &details, &options)
    }

    /// Returns one page of the app's webhooks (GET, offset paging).
    #[wasm_bindgen(js_name = getDynamicWebhooksForApp, unchecked_return_type = "Promise<PageBeanWebhook>")]
    pub fn get_dynamic_webhooks_for_app(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "GetDynamicWebhooksForAppParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.promise(Method::List, &params, &options)
    }

    /// Returns one page of failed deliveries (GET, cursor paging; Connect apps only).
    #[wasm_bindgen(js_name = getFailedWebhooks, unchecked_return_type = "Promise<FailedWebhooks>")]
    pub fn get_failed_webhooks(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "GetFailedWebhooksParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.promise(Method::Failed, &params, &options)
    }

    /// Extends the listed webhooks by 30 days (PUT).
    #[wasm_bindgen(js_name = refreshWebhooks, unchecked_return_type = "Promise<WebhooksExpirationDate>")]
    pub fn refresh_webhooks(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ContainerForWebhookIDs")] ids: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.promise(Method::Refresh, &ids, &options)
    }

    /// Deletes the listed webhooks (DELETE); resolves to `undefined` on Jira's 202.
    #[wasm_bindgen(js_name = deleteWebhookById, unchecked_return_type = "Promise<void>")]
    pub fn delete_webhook_by_id(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ContainerForWebhookIDs")] ids: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        self.promise(Method::Delete, &ids, &options)
    }

    /// Every webhook of the app, page after page: `for await (const webhook of client.webhooks())`. Calls of
    /// `next()` made at once are answered in order; after a page failed, the next call asks for it again.
    #[wasm_bindgen(unchecked_return_type = "WebhookIterator")]
    pub fn webhooks(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "GetDynamicWebhooksForAppParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.start(Method::Webhooks, &params, &options).map_err(|e| error_to_js(&e))
    }

    /// Every failed delivery from `after` on, oldest first, following Jira's cursor:
    /// `for await (const failure of client.failedWebhooks())`.
    #[wasm_bindgen(js_name = failedWebhooks, unchecked_return_type = "FailedWebhookIterator")]
    pub fn failed_webhooks(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "GetFailedWebhooksParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.start(Method::FailedWebhooks, &params, &options).map_err(|e| error_to_js(&e))
    }
}

/// The client's methods, which one function serves: the code each would repeat is there once.
#[derive(Clone, Copy, PartialEq)]
enum Method {
    List,
    Failed,
    Register,
    Refresh,
    Delete,
    Webhooks,
    FailedWebhooks,
}

impl JiraWebhooks {
    /// A method's promise: what [`JiraWebhooks::start`] starts, or its error (naming the operation) rejected.
    fn promise(&self, method: Method, arg: &JsValue, options: &JsValue) -> Promise {
        self.start(method, arg, options).map(JsValue::unchecked_into).unwrap_or_else(|mut e| {
            let operation = match method {
                Method::List => GetDynamicWebhooksForApp::ID,
                Method::Failed => GetFailedWebhooks::ID,
                Method::Register => RegisterDynamicWebhooks::ID,
                Method::Refresh => RefreshWebhooks::ID,
                _ => DeleteWebhookById::ID,
            };
            e.operation.get_or_insert(operation);
            Promise::reject(&error_to_js(&e))
        })
    }

    /// What every method does: takes its options and its argument (checked by the generated validators), makes
    /// the call, or the iterator, and hands it to the edge: the call's promise, or the iterator.
    #[inline(never)]
    fn start(&self, method: Method, arg: &JsValue, options: &JsValue) -> Result<JsValue, Error> {
        let input = Blame::Input("options");
        let (timeout_ms, strict, copy) = if method == Method::Register {
            let (o, copy) = values::optional::<RegisterOptions>(options, input)?;
            (o.timeout_ms, o.throw_on_partial_failure == Some(true), copy)
        } else {
            let (o, copy) = values::optional::<CallOptions>(options, input)?;
            (o.timeout_ms, false, copy)
        };
        let (call, body) = match method {
            Method::List => {
                let (params, _) = values::optional::<GetDynamicWebhooksForAppParams>(arg, Blame::Input(""))?;
                (self.call(&GetDynamicWebhooksForApp::checked(params), timeout_ms)?, JsValue::UNDEFINED)
            }
            Method::Failed => {
                let (params, _) = values::optional::<GetFailedWebhooksParams>(arg, Blame::Input(""))?;
                (self.call(&GetFailedWebhooks::checked(params), timeout_ms)?, JsValue::UNDEFINED)
            }
            Method::Register => {
                let (body, parsed) = values::body::<WebhookRegistrationDetails>(arg)?;
                let mut call = self.call(&RegisterDynamicWebhooks::checked(Valid::held_by_the_edge()), timeout_ms)?;
                if strict {
                    let webhooks = Js(parsed).member("webhooks").map(|w| w.items()).unwrap_or_default();
                    call.strict =
                        Some(webhooks.into_iter().map(|w| String::from_json(w.member("jqlFilter"))).collect());
                }
                (call, body)
            }
            Method::Refresh | Method::Delete => {
                let (body, _) = values::body::<ContainerForWebhookIDs>(arg)?;
                let call = if method == Method::Refresh {
                    self.call(&RefreshWebhooks::checked(Valid::held_by_the_edge()), timeout_ms)?
                } else {
                    self.call(&DeleteWebhookById::checked(Valid::held_by_the_edge()), timeout_ms)?
                };
                (call, body)
            }
            Method::Webhooks => {
                let (params, _) = values::optional::<GetDynamicWebhooksForAppParams>(arg, Blame::Input(""))?;
                let pages = Items::new(OffsetPages::new(GetDynamicWebhooksForApp::checked(params)));
                let pager = Pager::offset(self.client.clone(), pages, timeout_ms);
                return Ok(bindings::iterate(pager, &self.session, &values::signal(&copy)?));
            }
            Method::FailedWebhooks => {
                let (params, _) = values::optional::<GetFailedWebhooksParams>(arg, Blame::Input(""))?;
                let pages = Items::new(CursorPages::new(GetFailedWebhooks::checked(params)));
                let pager = Pager::cursor(self.client.clone(), pages, timeout_ms);
                return Ok(bindings::iterate(pager, &self.session, &values::signal(&copy)?));
            }
        };
        Ok(bindings::perform(call, &self.session, &values::signal(&copy)?, &body).into())
    }
}

impl JiraWebhooks {
    /// A call of `op` starting now, with the session's token.
    pub(super) fn call<O: Operation>(&self, op: &O, timeout_ms: Option<f64>) -> Result<CallHandle, Error> {
        call(&self.client, op, timeout_ms, &self.session)
    }
}

/// A call of `op` on `client` starting now, with `session`'s token.
pub(super) fn call<O: Operation>(
    client: &Client,
    op: &O,
    timeout_ms: Option<f64>,
    session: &JsValue,
) -> Result<CallHandle, Error> {
    let token = values::member(session, "token").as_string();
    let call = client.call(op, js_sys::Date::now(), timeout_ms, token)?;
    Ok(CallHandle::new(call, <O::Output as Answer>::index(), client.auth()))
}

/// A promise of what `job` starts; a job that could not start rejects at once, naming `operation`.
#[cfg(feature = "lifecycle")]
pub(super) fn settle(operation: &'static str, job: impl FnOnce() -> Result<Promise, Error>) -> Promise {
    job().unwrap_or_else(|mut e| {
        e.operation.get_or_insert(operation);
        Promise::reject(&error_to_js(&e))
    })
}

/// One call as `call.js` drives it: it polls, reads what the action needs, and reports what happened. Few
/// methods with few arguments: each costs glue on both sides of the boundary, and each call of one a crossing.
#[wasm_bindgen(skip_typescript)]
pub struct CallHandle {
    call: Call,
    /// The index of the answer's schema in the registry (its generated validator is `CHECKS[index]`).
    answer: Option<u32>,
    sleep_ms: f64,
    refused: Option<String>,
    result: Option<Result<(), Error>>,
    /// `throwOnPartialFailure`: the JQL filters of the webhooks asked for, in order.
    pub(super) strict: Option<Vec<String>>,
    /// Whether the caller gave the provider's first token with `getToken`.
    initial: bool,
}

impl CallHandle {
    pub(super) fn new(call: Call, answer: Option<u32>, auth: &Auth) -> CallHandle {
        let initial = auth.initial_token().is_some();
        CallHandle { call, answer, sleep_ms: 0.0, refused: None, result: None, strict: None, initial }
    }

    /// How the call ended, once it has: `Ok` or its error (taken: asked once).
    pub(super) fn outcome(&mut self) -> Result<(), Error> {
        self.result.take().unwrap_or_else(|| Err(Error::new(ErrorKind::Network, "the call did not end")))
    }
}

/// What `poll` answers: the codes `call.js` switches on.
const SEND: u32 = 0;
const SLEEP: u32 = 1;
const TOKEN: u32 = 2;
const DONE: u32 = 3;
/// Done, and Jira refused the provider's token the call started with: the session must not offer it again.
const DONE_REFUSED: u32 = 4;
/// Sleep on: the rest of a wait the timer ended early (`sleep_ms`), not a new retry.
const SLEEP_MORE: u32 = 5;

/// What `on_head` answers besides a schema's index: read nothing of the body, or read Jira's ErrorCollection.
const READ_NOTHING: i32 = -1;
const READ_ERRORS: i32 = -2;

/// What `on_fail` is told: how the attempt or the call ended without an answer.
const NETWORK: u32 = 0;
const ABORTED: u32 = 1;
const DEADLINE: u32 = 2;
const UNSUPPORTED: u32 = 3;
const TOKEN_FAILED: u32 = 4;
const REAUTHORIZE: u32 = 5;
const TOKEN_ERROR: u32 = 6;

#[wasm_bindgen]
impl CallHandle {
    /// What to do next: 0 send (then `request`), 1 sleep (`sleep_ms`), 2 ask for a token (`refused_token`), 3 done,
    /// 4 done and the provider's token Jira refused must be dropped, 5 sleep on (the same wait, `sleep_ms` more).
    pub fn poll(&mut self, now_ms: f64, random: f64) -> u32 {
        match self.call.poll(now_ms, random) {
            Action::Send => SEND,
            Action::Sleep(ms) => {
                self.sleep_ms = ms;
                SLEEP
            }
            // A timer woke before the clock said the wait was over: the hooks are not told of a new retry.
            Action::SleepOn(ms) => {
                self.sleep_ms = ms;
                SLEEP_MORE
            }
            Action::NeedToken { refused } => {
                self.refused = refused;
                TOKEN
            }
            Action::Done(result) => {
                self.result = Some(result.map(drop));
                if self.call.token_refused() && self.initial {
                    DONE_REFUSED
                } else {
                    DONE
                }
            }
        }
    }

    /// The request to send, as lines: operationId, attempt, method, URL, API path, the number of headers, each
    /// header's name and value, then the body, if any (the rest of the text; the edge's own when it holds it). No
    /// field but the body holds a line break: header values are checked, the URL and path are encoded.
    pub fn request(&self) -> String {
        let r = self.call.request();
        let mut out = String::with_capacity(256);
        for piece in [self.call.operation(), "\n"] {
            out.push_str(piece);
        }
        push_uint(&mut out, self.call.attempts().into());
        for piece in ["\n", r.method.as_str(), "\n", &r.url, "\n", &r.path, "\n"] {
            out.push_str(piece);
        }
        push_uint(&mut out, r.headers.len() as u64);
        for (name, value) in &r.headers {
            for piece in ["\n", name, "\n", value] {
                out.push_str(piece);
            }
        }
        if let Some(body) = r.body.as_deref().filter(|b| !b.is_empty()) {
            out.push('\n');
            out.push_str(body);
        }
        out
    }

    /// How long to wait.
    pub fn sleep_ms(&self) -> f64 {
        self.sleep_ms
    }

    /// The token Jira refused, to tell the provider.
    pub fn refused_token(&self) -> Option<String> {
        self.refused.clone()
    }

    /// How long until the deadline, if the call has one; −1 when it has none.
    pub fn remaining_ms(&self, now_ms: f64) -> f64 {
        self.call.remaining_ms(now_ms).unwrap_or(-1.0)
    }

    /// Jira answered with `status` and these headers, one a line (empty when absent): `Content-Type`,
    /// `X-AREQUESTID`, then, when the answer failed, `Retry-After` and the five rate-limit headers. Says what of
    /// the body to read: the index of the schema to check the answer with, −1 nothing, −2 Jira's ErrorCollection.
    pub fn on_head(&mut self, status: u16, head: &str) -> i32 {
        let mut values = pieces(head, "\n").map(|v| (!v.is_empty()).then(|| v.to_owned()));
        let mut next = || values.next().flatten();
        let (content_type, request_id, retry_after) = (next(), next(), next());
        let rate_limit =
            RateLimit { reason: next(), limit: next(), remaining: next(), near_limit: next(), reset: next() };
        let head = HttpResponse { status, content_type, request_id, retry_after, rate_limit, body: String::new() };
        match self.call.on_head(head) {
            Expect::Nothing => READ_NOTHING,
            Expect::Answer => self.answer.map_or(READ_NOTHING, |i| i as i32),
            Expect::ErrorCollection => READ_ERRORS,
        }
    }

    /// What the edge found in a success body: `flags` (1: it starts with markup, 2: it is blank, 4: `JSON.parse`
    /// took it) and the generated validator's fault, if any: where, and the problem in words.
    pub fn on_body(&mut self, flags: u32, path: Option<String>, problem: Option<String>) {
        let fault = path.map(|path| Invalid { path, problem: problem.unwrap_or_else(|| "is not valid".into()) });
        self.call.on_checked(flags & 1 != 0, flags & 2 != 0, flags & 4 != 0, fault);
    }

    /// What the edge found in an error body: whether it starts with markup, and whether it is Jira's
    /// ErrorCollection (checked by its generated validator), with its `errorMessages` and its `errors` (each key
    /// then its value), every entry after a NUL (the texts' own NULs made U+FFFD).
    pub fn on_error_body(&mut self, markup: bool, collection: bool, messages: &str, errors: &str) {
        let entries = |text| pieces(text, "\0").skip(1).map(str::to_owned);
        let collection = collection.then(|| {
            let mut errors = entries(errors);
            let mut pairs = Vec::new();
            while let (Some(key), Some(value)) = (errors.next(), errors.next()) {
                pairs.push((key, value));
            }
            ErrorCollection { error_messages: Some(entries(messages).collect()), errors: Some(pairs), status: None }
        });
        self.call.on_error_body(markup, collection);
    }

    /// The attempt or the call ended without an answer: 0 no answer came back (`text`: the runtime's words),
    /// 1 the caller's signal fired, 2 the deadline passed, 3 the runtime cannot cancel calls (no `AbortController`
    /// or `setTimeout`), 4 the token provider threw something of kind `text` (empty: it resolved to something that
    /// is not a string), 5 and 6 it failed with a `JiraWebhooksError` of this package (`oauth2Tokens`) of kind
    /// `reauthorize` or another, whose message is `text`: the call ends with it.
    pub fn on_fail(&mut self, what: u32, text: String) {
        match what {
            NETWORK => self.call.on_network_error(text),
            ABORTED => self.call.on_abort(),
            DEADLINE => self.call.on_deadline(),
            TOKEN_FAILED => {
                let why = if text.is_empty() {
                    "it resolved to something that is not a string".into()
                } else {
                    cat!("it threw or rejected with ", text, " (its message is not shown: it may hold a credential)")
                };
                self.call.on_token(Err(why));
            }
            REAUTHORIZE | TOKEN_ERROR => {
                let kind = if what == REAUTHORIZE { ErrorKind::Reauthorize } else { ErrorKind::Token };
                self.call.on_token_error(Error::new(kind, text));
            }
            UNSUPPORTED => {
                let op = self.call.operation();
                let mut e = Error::new(
                    ErrorKind::Config,
                    cat!(op, ": this runtime cannot cancel calls (no AbortController or setTimeout)"),
                );
                e.operation = Some(op);
                self.result = Some(Err(e));
            }
            _ => {}
        }
    }

    /// The provider gave a token.
    pub fn on_token(&mut self, token: String) {
        self.call.on_token(Ok(token));
    }

    /// The outcome: `answer` (the parsed body, or `undefined`), or the error, thrown.
    pub fn finish(&mut self, answer: JsValue) -> Result<JsValue, JsValue> {
        let attempts = self.call.attempts();
        self.outcome().map_err(|e| error_to_js(&e))?;
        if let Some(jqls) = &self.strict {
            let result = ContainerForRegisteredWebhooks::from_json(Some(Js(answer.clone())));
            if let Some(mut e) = partial_failure(jqls, &result) {
                e.attempts = attempts;
                e.result =
                    js_sys::JSON::stringify(&answer).ok().and_then(|t| t.as_string()).map(crate::error::JsonText);
                return Err(error_to_js(&e));
            }
        }
        Ok(answer)
    }
}

/// Every event name this version knows, in the spec's order (v2 events, then the 2026 v3 additions).
#[wasm_bindgen(js_name = webhookEvents, unchecked_return_type = "WebhookEvent[]")]
pub fn webhook_events() -> Array {
    WebhookEvent::KNOWN.iter().map(|e| JsValue::from_str(e.as_str())).collect()
}
