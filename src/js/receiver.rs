//! Receiving deliveries in JavaScript: reads a `Request` (or a request-like object), asks the app for a tenant's
//! shared secret, calls the app's handlers and store, and answers with a `Response`. What verifies, what a
//! delivery is and what the endpoint answers are decided by the core (`lifecycle::deliveries`).

use super::convert::{self, Fail};
use crate::decode::{self, JsFunction, Ty};
use crate::error::Error;
use crate::lifecycle::deliveries::{
    connect_client_key, credential, dedupe_key, delivery, replayed_request, verify, Credential, DeliveryLog,
    DeliveryRequest, Handled, VerifyOptions, REMEMBER_MS,
};
use crate::models::FailedWebhook;
use js_sys::{Function, Object, Promise, Reflect};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// How many delivery ids the default memory keeps.
const REMEMBERED: usize = 10_000;

/// Where processed delivery ids are remembered.
enum Store {
    Memory(RefCell<DeliveryLog>),
    Custom(JsValue),
    Off,
}

/// A receiver's options, read once.
pub struct Receiver {
    options: VerifyOptions,
    shared_secret: Option<Function>,
    on: JsValue,
    store: Store,
    on_missing_body: Option<Function>,
}

fn config(path: &str, problem: &str) -> Error {
    Error::config(path, problem)
}

impl Receiver {
    /// Reads `verifyDelivery`'s options, or (`handler`) `createWebhookHandler`'s.
    pub fn from_js(options: &JsValue, handler: bool) -> Result<Receiver, Error> {
        if !options.is_object() {
            return Err(config("options", "must be an object such as { oauth: { clientSecret } }"));
        }
        // Only the verification settings go through JSON: `on` and a store may hold anything.
        let settings = Object::new();
        for name in ["oauth", "connect", "hmac", "clockSkewSeconds"] {
            let value = convert::member(options, name, name, config)?;
            if !value.is_undefined() {
                let _ = Reflect::set(&settings, &name.into(), &value);
            }
        }
        let connect = convert::member(options, "connect", "connect", config)?;
        let shared_secret = convert::function(&connect, "sharedSecret", "connect.sharedSecret", config)?;
        let mut verify: VerifyOptions =
            decode::input(&convert::config_text(&settings)?, Ty::Obj(VerifyOptions::SHAPE), "", config)?;
        if let Some(c) = &mut verify.connect {
            c.shared_secret = shared_secret.as_ref().map(|_| JsFunction);
        }
        verify.validate()?;
        let mut receiver = Receiver {
            options: verify,
            shared_secret,
            on: JsValue::UNDEFINED,
            store: Store::Off,
            on_missing_body: None,
        };
        if handler {
            let on = convert::member(options, "on", "on", config)?;
            if !on.is_object() {
                return Err(config(
                    "on",
                    "must be an object of handlers by event, such as { \"jira:issue_created\": (payload) => … }",
                ));
            }
            receiver.on = on;
            receiver.store = match convert::member(options, "dedupe", "dedupe", config)? {
                v if v.is_undefined() || v.is_null() => Store::Memory(RefCell::new(DeliveryLog::new(REMEMBERED))),
                v if v.as_bool() == Some(false) => Store::Off,
                v => {
                    convert::function(&v, "has", "dedupe.has", config)?
                        .ok_or_else(|| config("dedupe.has", "must be a function"))?;
                    convert::function(&v, "add", "dedupe.add", config)?
                        .ok_or_else(|| config("dedupe.add", "must be a function"))?;
                    Store::Custom(v)
                }
            };
            receiver.on_missing_body = convert::function(options, "onMissingBody", "onMissingBody", config)?;
        }
        Ok(receiver)
    }
}

/// Awaits what `f` returned, as a promise (a plain value resolves at once).
async fn settle(returned: Result<JsValue, JsValue>) -> Result<JsValue, JsValue> {
    JsFuture::from(Promise::resolve(&returned?)).await
}

/// A header of a `Headers` object or of a plain record (any case; an array value is joined).
fn header(headers: &JsValue, name: &str) -> Option<String> {
    if let Some(h) = headers.dyn_ref::<web_sys::Headers>() {
        return h.get(name).ok().flatten();
    }
    let object: &Object = headers.dyn_ref()?;
    let key = Object::keys(object).iter().find(|k| k.as_string().is_some_and(|k| k.eq_ignore_ascii_case(name)))?;
    let value = Reflect::get(headers, &key).ok()?;
    value.as_string().or_else(|| {
        let parts: js_sys::Array = value.dyn_into().ok()?;
        Some(parts.iter().filter_map(|p| p.as_string()).collect::<Vec<_>>().join(", "))
    })
}

/// The delivery's method, URL, headers and raw body.
async fn read_request(request: &JsValue) -> Result<(DeliveryRequest, String), Error> {
    let bad = |what: &str| Error::invalid_input("request", what);
    let (method, url, headers, body) = match request.dyn_ref::<web_sys::Request>() {
        Some(r) => {
            let text = settle(r.text().map(JsValue::from)).await.map_err(|_| bad("its body could not be read"))?;
            (r.method(), r.url(), r.headers().into(), text.as_string())
        }
        None if request.is_object() => {
            let get = |name: &str| Reflect::get(request, &name.into()).ok();
            let method = get("method").and_then(|m| m.as_string()).unwrap_or_else(|| "POST".into());
            let url =
                get("url").and_then(|u| u.as_string()).ok_or_else(|| bad("must have the `url` it was sent to"))?;
            (method, url, get("headers").unwrap_or_default(), get("body").and_then(|b| b.as_string()))
        }
        None => return Err(bad("must be a Request or { method, url, headers, body }")),
    };
    let body = body.ok_or_else(|| bad("must have the raw body as a string"))?;
    let delivery = DeliveryRequest {
        method,
        url,
        authorization: header(&headers, "authorization"),
        hub_signature: header(&headers, "x-hub-signature"),
        identifier: header(&headers, "x-atlassian-webhook-identifier"),
        retry: header(&headers, "x-atlassian-webhook-retry"),
        flow: header(&headers, "x-atlassian-webhook-flow"),
    };
    Ok((delivery, body))
}

/// The tenant's shared secret from the app's `connect.sharedSecret`.
async fn shared_secret(receiver: &Receiver, client_key: &str) -> Result<Option<String>, Error> {
    let Some(f) = &receiver.shared_secret else { return Ok(None) };
    let secret = settle(f.call1(&JsValue::UNDEFINED, &client_key.into())).await.map_err(|e| {
        let mut err = Error::config("connect.sharedSecret", "");
        err.message = cat_threw(&e);
        err
    })?;
    Ok(secret.as_string().filter(|s| !s.is_empty()))
}

fn cat_threw(e: &JsValue) -> String {
    let name = Reflect::get(e, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_else(|| "a value".into());
    crate::text::cat!(
        "connect.sharedSecret threw or rejected with ",
        name,
        " (its message is not shown: it may hold a secret)"
    )
}

/// Verifies `request`; resolves to the delivery as a JS value.
pub async fn verified(receiver: &Receiver, request: &JsValue) -> Result<JsValue, Error> {
    let (req, body) = read_request(request).await?;
    let credential = credential(&req, &receiver.options)?;
    let (client_key, secret) = match &credential {
        Credential::Connect(token) => {
            let key = connect_client_key(token)?;
            let secret = shared_secret(receiver, &key).await?;
            (Some(key), secret)
        }
        _ => (None, None),
    };
    verify(&credential, &req, &body, &receiver.options, secret.as_deref(), js_sys::Date::now() / 1000.0)?;
    let json = delivery(&req, &body, client_key.as_deref(), false)?;
    convert::parse(&JsValue::from_str(&json))
}

/// Hands a verified delivery to its handler once: a duplicate is not handled again; a handler that throws leaves
/// it unremembered (Jira retries it).
async fn process(receiver: &Receiver, delivery: &JsValue) -> Result<Handled, JsValue> {
    let id = Reflect::get(delivery, &"id".into())?.as_string().unwrap_or_default();
    let client_key = Reflect::get(delivery, &"clientKey".into())?.as_string();
    let id = dedupe_key(&id, client_key.as_deref());
    let remember = !id.is_empty();
    let now = js_sys::Date::now();
    if remember {
        let seen = match &receiver.store {
            Store::Memory(log) => log.borrow_mut().has(&id, now),
            Store::Custom(store) => {
                let has: Function = Reflect::get(store, &"has".into())?.dyn_into()?;
                settle(has.call1(store, &id.as_str().into())).await?.is_truthy()
            }
            Store::Off => false,
        };
        if seen {
            return Ok(Handled::Duplicate);
        }
    }
    let event = Reflect::get(delivery, &"event".into())?;
    let handler = [event, "*".into()]
        .iter()
        .find_map(|key| Reflect::get(&receiver.on, key).ok().and_then(|f| f.dyn_into::<Function>().ok()));
    if let Some(handler) = handler {
        let payload = Reflect::get(delivery, &"payload".into())?;
        settle(handler.call2(&JsValue::UNDEFINED, &payload, delivery)).await?;
    }
    if remember {
        match &receiver.store {
            Store::Memory(log) => log.borrow_mut().add(&id, now, REMEMBER_MS),
            Store::Custom(store) => {
                let add: Function = Reflect::get(store, &"add".into())?.dyn_into()?;
                settle(add.call2(store, &id.as_str().into(), &REMEMBER_MS.into())).await?;
            }
            Store::Off => {}
        }
    }
    Ok(Handled::Done)
}

/// A `Response` with `status` and, for errors, a short text (never a secret).
fn response(status: u16, text: Option<&str>) -> JsValue {
    let init = web_sys::ResponseInit::new();
    init.set_status(status);
    web_sys::Response::new_with_opt_str_and_init(text, &init).map(JsValue::from).unwrap_or_default()
}

/// Answers one delivery (the `WebhookHandler`).
pub async fn handle(receiver: &Receiver, request: &JsValue) -> JsValue {
    let outcome = match verified(receiver, request).await {
        Ok(delivery) => process(receiver, &delivery).await.unwrap_or(Handled::HandlerFailed),
        Err(e) => return response(Handled::for_error(&e).status(), Some(&e.message)),
    };
    response(outcome.status(), None)
}

/// Feeds a failed delivery through the handlers again.
pub async fn replay(receiver: &Receiver, failure: &JsValue) -> Result<JsValue, Fail> {
    let failed: FailedWebhook = convert::value(failure, Ty::Obj(FailedWebhook::SHAPE))?;
    let Some(body) = failed.body else {
        return match &receiver.on_missing_body {
            Some(f) => settle(f.call1(&JsValue::UNDEFINED, failure)).await.map(|_| JsValue::UNDEFINED).map_err(Fail::Thrown),
            None => Err(Error::decode(
                0,
                Some("body".into()),
                "the failed delivery has no body (Jira keeps it only sometimes): give `onMissingBody` to fetch the entity".into(),
            )
            .into()),
        };
    };
    let json = delivery(&replayed_request(&failed.id), &body, None, true)?;
    let delivery = convert::parse(&JsValue::from_str(&json))?;
    process(receiver, &delivery).await.map_err(Fail::Thrown)?;
    Ok(delivery)
}
