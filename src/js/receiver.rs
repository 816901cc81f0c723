//! Receiving deliveries in JavaScript (the `jira-webhooks/lifecycle` entry): `createWebhookHandler` and
//! `verifyDelivery` read their options once; `receiver.js` walks each delivery through the core's
//! [`Receipt`] via a [`DeliveryHandle`], performing what it asks (the body's bytes, the app's functions, the store,
//! the handler). The default store, one process's memory, is the core's [`ClaimLog`], used here directly.

use super::bindings;
use super::values::{self, error_to_js, Blame, Js};
use crate::decode::{to_json, FromJson};
use crate::error::Error;
use crate::lifecycle::claim::{Claim, ClaimAction, ClaimLog, HandlerOutcome, StoreFailure};
use crate::lifecycle::deliveries::{
    refusal_status, BodyEnd, DeliveryRequest, Handler, PayloadFacts, Receipt, ReceiptAction, ReceiverSettings,
    VerifyOptions, WebhookHandlerOptions,
};
use crate::models::FailedWebhook;
use js_sys::{Object, Promise};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** A delivery's request when it is not a `Request`: the raw body as bytes (or as the text it was sent as). */
export interface DeliveryRequestLike {
  method?: string;
  /** The full URL it was sent to (Connect's `qsh` covers its path and query). */
  url: string;
  headers: Headers | Record<string, string | string[] | undefined>;
  body: Uint8Array | ArrayBuffer | string;
}

/**
 * Where deliveries are claimed, so that each runs its handler once across processes. `claim` must be atomic: an
 * insert-if-absent with an expiry (D1 `INSERT … ON CONFLICT DO NOTHING`, Redis `SET key owner NX PX lease`, a
 * Postgres unique key), taking over an entry whose lease has ended. See the README, "Exactly once".
 */
export interface DeliveryStore {
  /** Claims `key` for `owner` for `leaseMs`: "claimed", "in-progress" (another holds an unexpired lease) or "done". */
  claim(key: string, owner: string, leaseMs: number): "claimed" | "in-progress" | "done" | Promise<"claimed" | "in-progress" | "done">;
  /** Records `key` as processed for `rememberMs`. */
  complete(key: string, rememberMs: number): unknown;
  /** Drops `key`'s lease if `owner` still holds it (never a processed key). */
  release(key: string, owner: string): unknown;
}

/** A webhook endpoint for Workers, Deno, Vercel Edge, Bun and any Request/Response server. */
export type WebhookHandler = ((request: Request | DeliveryRequestLike) => Promise<Response>) & {
  /**
   * Feeds a failed delivery (from `client.failedWebhooks()`) through the handlers, once: `site` is the tenant it
   * came from (a Connect app's clientKey), so that it is the same delivery as the one Jira may still retry.
   */
  replay(failure: FailedWebhook, options?: { site?: string }): Promise<Delivery | undefined>;
};
"#;

/// A receiver's options, read once: the core's settings, and the default memory when there is no store.
#[wasm_bindgen(skip_typescript)]
pub struct Receiver {
    settings: Rc<ReceiverSettings>,
    memory: Option<Rc<RefCell<ClaimLog>>>,
}

/// Reads what `createWebhookHandler` and `verifyDelivery` are given; the functions stay JavaScript's.
fn receiver(options: &JsValue, handler: bool) -> Result<(Receiver, JsValue), Error> {
    let taken = if handler {
        values::take::<WebhookHandlerOptions>(options, Blame::Config(""))?
    } else {
        values::take::<VerifyOptions>(options, Blame::Config(""))?
    };
    let connect = values::member(&taken, "connect");
    let shared_secret = values::member(&connect, "sharedSecret").is_function();
    if !handler {
        let settings = ReceiverSettings::verifier(VerifyOptions::from_json(Some(Js(taken.clone()))), shared_secret)?;
        return Ok((Receiver { settings: Rc::new(settings), memory: None }, taken));
    }
    let keys = |name: &'static str| -> Vec<String> {
        let object = values::member(&taken, name);
        object
            .dyn_ref::<Object>()
            .map(|o| Object::keys(o).iter().filter_map(|k| k.as_string()).collect())
            .unwrap_or_default()
    };
    let store = values::member(&taken, "dedupe");
    let claims = store.as_bool() != Some(false);
    let custom = claims && !store.is_undefined() && !store.is_null();
    if custom {
        let has = |name: &'static str| values::member(&store, name).is_function();
        if !(has("claim") && has("complete") && has("release")) {
            let problem = if has("has") && has("add") {
                "is a { has, add } store: the interface is now { claim, complete, release }, so that two attempts at \
                 once cannot both run the handler (see the README, \"Exactly once\")"
            } else {
                "must be a store { claim, complete, release }, or false"
            };
            return Err(Error::config("dedupe", problem));
        }
    }
    let options = WebhookHandlerOptions::from_json(Some(Js(taken.clone())));
    let settings = ReceiverSettings::handler(&options, shared_secret, keys("on"), keys("onOther"), claims)?;
    let memory = (claims && !custom).then(|| Rc::new(RefCell::new(ClaimLog::new(ClaimLog::CAPACITY))));
    Ok((Receiver { settings: Rc::new(settings), memory }, taken))
}

/// A webhook endpoint: `(request) => Promise<Response>`, with `replay(failure, { site })`. It answers 401 to a
/// delivery that does not verify, 400 to a body that is not a JSON object, 413 to one larger than `maxBodyBytes`,
/// 204 once the handler of the event (or `"*"`) succeeded and to a delivery already processed, 409 while another
/// attempt of the same delivery runs, 500 when the handler threw and 503 when it passed `handlerTimeoutMs` (Jira
/// retries both).
#[wasm_bindgen(js_name = createWebhookHandler, unchecked_return_type = "WebhookHandler")]
pub fn create_webhook_handler(
    #[wasm_bindgen(unchecked_param_type = "WebhookHandlerOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let (receiver, taken) = receiver(&options, true).map_err(|e| error_to_js(&e))?;
    Ok(bindings::webhook_handler(receiver, &taken))
}

/// Verifies that `request` comes from Jira (an OAuth 2.0 app's Bearer JWT, a Connect JWT with `qsh`, or an
/// `X-Hub-Signature` over the raw body) and resolves to the delivery; rejects with kind `unauthorized` naming the
/// check that failed. It does not claim: use `createWebhookHandler` to process each delivery once.
#[wasm_bindgen(js_name = verifyDelivery, unchecked_return_type = "Promise<Delivery>")]
pub fn verify_delivery(
    #[wasm_bindgen(unchecked_param_type = "Request | DeliveryRequestLike")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyOptions")] options: JsValue,
) -> Promise {
    match receiver(&options, false) {
        Ok((receiver, taken)) => bindings::verify_request(receiver, &taken, &request),
        Err(mut e) => {
            e.operation = Some("verifyDelivery");
            Promise::reject(&error_to_js(&e))
        }
    }
}

/// The query string hash (`qsh`) of a request to the app: its method, and its URL's path (relative to the app's
/// `baseUrl`) and query, by Atlassian's canonical-request rules: the claim a Connect JWT binds to its request, as
/// `createWebhookHandler` checks it. For the app's own checks, such as the signed install callbacks.
#[wasm_bindgen(js_name = queryStringHash)]
#[allow(non_snake_case)] // the parameter's name is the declaration's: `baseUrl`, as in the options
pub fn query_string_hash(method: &str, url: &str, baseUrl: &str) -> Result<String, JsValue> {
    crate::auth::verify::request_qsh(method, url, baseUrl).ok_or_else(|| {
        let mut e = Error::invalid_input("url", "is not under baseUrl");
        e.operation = Some("queryStringHash");
        error_to_js(&e)
    })
}

#[wasm_bindgen]
impl Receiver {
    /// A delivery that arrived now with this head; `owner` is unique to the attempt.
    #[allow(clippy::too_many_arguments)]
    pub fn begin(
        &self,
        method: String,
        url: String,
        authorization: Option<String>,
        hub_signature: Option<String>,
        identifier: Option<String>,
        retry: Option<String>,
        flow: Option<String>,
        owner: String,
        now_ms: f64,
        verify_only: bool,
    ) -> DeliveryHandle {
        let request = DeliveryRequest { method, url, authorization, hub_signature, identifier, retry, flow };
        let receipt = Receipt::new(self.settings.clone(), request, owner, now_ms, verify_only);
        DeliveryHandle::new(receipt, self.memory.clone())
    }

    /// A failed delivery fed through the handlers again, as the delivery of `site`; throws when it cannot be.
    pub fn replay(
        &self,
        failure: JsValue,
        site: Option<String>,
        owner: String,
        now_ms: f64,
    ) -> Result<DeliveryHandle, JsValue> {
        let failed = FailedWebhook::from_json(Some(Js(failure)));
        let receipt = Receipt::replay(self.settings.clone(), &failed.id, site.as_deref(), owner, now_ms);
        receipt.map(|r| DeliveryHandle::new(r, self.memory.clone())).map_err(|mut e| {
            e.operation = Some("replay");
            error_to_js(&e)
        })
    }
}

/// What `poll` answers: the codes `receiver.js` switches on.
mod code {
    pub const DONE: u8 = 0;
    pub const SECRET: u8 = 1;
    pub const READ: u8 = 2;
    pub const PARSE: u8 = 3;
    pub const SITE: u8 = 4;
    pub const VERIFIED: u8 = 5;
    pub const CLAIM: u8 = 6;
    pub const RUN: u8 = 7;
    pub const COMPLETE: u8 = 8;
    pub const RELEASE: u8 = 9;
    pub const REPORT: u8 = 10;
    pub const ANSWER: u8 = 11;
    pub const REFUSE: u8 = 12;
    pub const WAIT: u8 = 13;
}

/// One delivery as `receiver.js` walks it.
#[wasm_bindgen(skip_typescript)]
pub struct DeliveryHandle {
    receipt: Receipt,
    memory: Option<Rc<RefCell<ClaimLog>>>,
    /// What the last action said: a key, an owner, a number, a status, words.
    key: String,
    owner: String,
    number: f64,
    flag: bool,
    text: String,
    refused: Option<Error>,
}

impl DeliveryHandle {
    fn new(receipt: Receipt, memory: Option<Rc<RefCell<ClaimLog>>>) -> DeliveryHandle {
        DeliveryHandle {
            receipt,
            memory,
            key: String::new(),
            owner: String::new(),
            number: 0.0,
            flag: false,
            text: String::new(),
            refused: None,
        }
    }

    fn act(&mut self, action: ReceiptAction, now_ms: f64) -> u8 {
        match action {
            ReceiptAction::Secret(client_key) => {
                self.key = client_key;
                code::SECRET
            }
            ReceiptAction::ReadBody { limit, hash } => {
                self.number = limit;
                self.flag = hash;
                code::READ
            }
            ReceiptAction::Parse => code::PARSE,
            ReceiptAction::Site => code::SITE,
            ReceiptAction::Verified => code::VERIFIED,
            ReceiptAction::Answer(status) => {
                self.number = f64::from(status);
                code::ANSWER
            }
            ReceiptAction::Refuse(e) => {
                self.number = f64::from(refusal_status(&e));
                self.text = e.message.clone();
                self.refused = Some(e);
                code::REFUSE
            }
            ReceiptAction::Done => code::DONE,
            ReceiptAction::Claim(step) => self.claim_step(step, now_ms),
        }
    }

    /// A claim step: done here when the store is the process's memory, else handed to JavaScript.
    fn claim_step(&mut self, step: ClaimAction, now_ms: f64) -> u8 {
        let memory = self.memory.clone();
        match (step, memory) {
            (ClaimAction::Claim { key, owner, lease_ms }, Some(log)) => {
                let claimed = log.borrow_mut().claim(&key, &owner, now_ms, lease_ms);
                self.receipt.on_claim(claimed);
                self.poll(now_ms)
            }
            (ClaimAction::Complete { key, remember_ms }, Some(log)) => {
                let completed = log.borrow_mut().complete(&key, now_ms, remember_ms);
                self.receipt.on_complete(completed);
                self.poll(now_ms)
            }
            (ClaimAction::Release { key, owner }, Some(log)) => {
                log.borrow_mut().release(&key, &owner);
                self.receipt.on_release(Ok(()));
                self.poll(now_ms)
            }
            (ClaimAction::Claim { key, owner, lease_ms }, None) => {
                (self.key, self.owner, self.number) = (key, owner, lease_ms);
                code::CLAIM
            }
            (ClaimAction::Complete { key, remember_ms }, None) => {
                (self.key, self.number) = (key, remember_ms);
                code::COMPLETE
            }
            (ClaimAction::Release { key, owner }, None) => {
                (self.key, self.owner) = (key, owner);
                code::RELEASE
            }
            (ClaimAction::RunHandler { timeout_ms }, _) => {
                self.number = timeout_ms;
                (self.key, self.flag) = match self.receipt.handler() {
                    Handler::On(event) => (event, true),
                    Handler::Other(event) => (event, false),
                    Handler::None => (String::new(), false),
                };
                code::RUN
            }
            (ClaimAction::Report(problem), _) => {
                (self.key, self.text) = (problem.code().into(), problem.message());
                code::REPORT
            }
            (ClaimAction::Answer(status), _) => {
                self.number = f64::from(status);
                code::ANSWER
            }
            (ClaimAction::Wait, _) => code::WAIT,
            (ClaimAction::Done, _) => code::DONE,
        }
    }
}

#[wasm_bindgen]
impl DeliveryHandle {
    /// What to do next (see `code`).
    pub fn poll(&mut self, now_ms: f64) -> u8 {
        let action = self.receipt.poll(now_ms);
        self.act(action, now_ms)
    }

    /// The key, client key, handler event or problem code the last action named.
    pub fn key(&self) -> String {
        self.key.clone()
    }

    /// The owner the last claim or release named.
    pub fn owner(&self) -> String {
        self.owner.clone()
    }

    /// The number the last action named: a limit, a lease, a time, a status.
    pub fn number(&self) -> f64 {
        self.number
    }

    /// The flag the last action named: hash the body (read), `on` rather than `onOther` (run).
    pub fn flag(&self) -> bool {
        self.flag
    }

    /// The words of the last refusal or report.
    pub fn text(&self) -> String {
        self.text.clone()
    }

    /// The delivery so far, as JSON (its payload is JavaScript's).
    pub fn delivery(&self) -> String {
        to_json(self.receipt.delivery())
    }

    /// The tenant's secret, or `undefined`; the next action.
    pub fn on_secret(&mut self, secret: Option<String>, now_ms: f64) -> u8 {
        let action = self.receipt.on_secret(secret);
        self.act(action, now_ms)
    }

    /// `connect.sharedSecret` threw something of kind `name`; the next action.
    pub fn on_secret_failed(&mut self, name: String, now_ms: f64) -> u8 {
        let action = self.receipt.on_secret_failed(&name);
        self.act(action, now_ms)
    }

    /// The next bytes of the body, when the read asked to hash them.
    pub fn on_body_chunk(&mut self, chunk: &[u8]) {
        self.receipt.on_body_chunk(chunk);
    }

    /// The body was read (0), was too large (1), or could not be read (2); the next action.
    pub fn on_body_end(&mut self, end: u8, now_ms: f64) -> u8 {
        let end = match end {
            0 => BodyEnd::Complete,
            1 => BodyEnd::TooLarge,
            _ => BodyEnd::Unreadable,
        };
        let action = self.receipt.on_body_end(end);
        self.act(action, now_ms)
    }

    /// The parsed payload (`undefined` when the body was not UTF-8 JSON); the next action.
    pub fn on_payload(&mut self, payload: JsValue, now_ms: f64) -> u8 {
        let facts = if payload.is_undefined() { None } else { PayloadFacts::read(&Js(payload)) };
        let action = self.receipt.on_payload(facts);
        self.act(action, now_ms)
    }

    /// What `siteOf` said; the next action.
    pub fn on_site(&mut self, site: Option<String>, now_ms: f64) -> u8 {
        let action = self.receipt.on_site(site);
        self.act(action, now_ms)
    }

    /// The store's answer to the claim (`"claimed"`, `"in-progress"`, `"done"`), or why it failed.
    pub fn on_claim(&mut self, answer: Option<String>, failure: Option<String>) {
        let claim = match (answer.as_deref(), failure) {
            (_, Some(why)) => Err(StoreFailure::new(why)),
            (Some("claimed"), _) => Ok(Claim::Claimed),
            (Some("in-progress"), _) => Ok(Claim::InProgress),
            (Some("done"), _) => Ok(Claim::Done),
            _ => Err(StoreFailure::new("store.claim answered neither \"claimed\", \"in-progress\" nor \"done\"")),
        };
        self.receipt.on_claim(claim);
    }

    /// The handler succeeded (0), failed (1), or passed its deadline (2).
    pub fn on_handler(&mut self, outcome: u8) {
        self.receipt.on_handler(match outcome {
            0 => HandlerOutcome::Succeeded,
            1 => HandlerOutcome::Failed,
            _ => HandlerOutcome::TimedOut,
        });
    }

    /// The store recorded the delivery, or why it could not.
    pub fn on_complete(&mut self, failure: Option<String>) {
        self.receipt.on_complete(failure.map_or(Ok(()), |why| Err(StoreFailure::new(why))));
    }

    /// The store released the claim, or why it could not.
    pub fn on_release(&mut self, failure: Option<String>) {
        self.receipt.on_release(failure.map_or(Ok(()), |why| Err(StoreFailure::new(why))));
    }

    /// The error of the last refusal, for `verifyDelivery` to reject with.
    pub fn refusal(&mut self) -> JsValue {
        let mut e = self.refused.take().unwrap_or_else(|| Error::new(crate::ErrorKind::Unauthorized, "not verified"));
        e.operation = Some("verifyDelivery");
        error_to_js(&e)
    }
}
