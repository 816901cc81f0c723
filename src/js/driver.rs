//! Performs what the engine asks ([`Action`]): sends through the transport, waits with `setTimeout`, asks
//! `getToken`; and interrupts any of them when the caller's `AbortSignal` fires or the call's deadline passes.
//! It decides nothing: every outcome goes back to the [`Call`].

use super::transport::{self, Head};
use crate::engine::{Action, Call, HttpRequest, HttpResponse, Reply};
use crate::error::Error;
use crate::text::cat;
use crate::Client;
use js_sys::{Array, Function, Promise, Reflect};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue) -> Result<(), JsValue>;
}

/// A client plus what only JavaScript can supply: a custom transport, a token provider and its last token.
pub struct Session {
    pub client: Client,
    pub transport: Option<Function>,
    pub get_token: Option<Function>,
    pub token: RefCell<Option<String>>,
}

/// Why an await ended early.
enum Stop {
    Aborted,
    Deadline,
    Failed(JsValue),
}

/// Interrupts the awaits of one call: an `AbortController` that the caller's signal and the deadline timer
/// both abort. It also cancels the `fetch` under way (its signal is the request's).
struct Interrupt {
    controller: AbortController,
    abort: Function,
    user: Option<AbortSignal>,
    timer: Option<JsValue>,
    /// Resolves (never rejects: nothing may be left unhandled) with `marker` when the controller aborts.
    fired: Promise,
    marker: JsValue,
}

impl Interrupt {
    /// `None` when there is nothing to interrupt with (no signal, no deadline): the fast path.
    fn new(user: Option<AbortSignal>, deadline_ms: Option<f64>) -> Result<Option<Interrupt>, JsValue> {
        if user.is_none() && deadline_ms.is_none() {
            return Ok(None);
        }
        let controller = AbortController::new()?;
        let abort = Reflect::get(&controller, &"abort".into())?.dyn_into::<Function>()?.bind0(&controller);
        let signal = controller.signal();
        let marker: JsValue = js_sys::Object::new().into();
        let mut listening = Ok(());
        let fired = Promise::new(&mut |resolve, _| {
            let fire: Function = resolve.bind1(&JsValue::UNDEFINED, &marker).unchecked_into();
            listening = signal.add_event_listener_with_callback("abort", &fire);
        });
        listening?;
        let timer = deadline_ms.map(|ms| set_timeout(&abort, ms)).transpose()?;
        if let Some(user) = &user {
            if user.aborted() {
                controller.abort();
            } else {
                user.add_event_listener_with_callback("abort", &abort)?;
            }
        }
        Ok(Some(Interrupt { controller, abort, user, timer, fired, marker }))
    }

    fn why(&self, failure: JsValue) -> Stop {
        if self.user.as_ref().is_some_and(AbortSignal::aborted) {
            Stop::Aborted
        } else if self.controller.signal().aborted() {
            Stop::Deadline
        } else {
            Stop::Failed(failure)
        }
    }
}

impl Drop for Interrupt {
    fn drop(&mut self) {
        if let Some(timer) = &self.timer {
            let _ = clear_timeout(timer);
        }
        if let Some(user) = &self.user {
            let _ = user.remove_event_listener_with_callback("abort", &self.abort);
        }
    }
}

/// Starts `work` unless the call is already interrupted, and awaits it, or stops as soon as the call is
/// interrupted. (Starting nothing after an interrupt also leaves no rejected promise unhandled.)
async fn until(
    interrupt: Option<&Interrupt>,
    work: impl FnOnce() -> Result<Promise, JsValue>,
) -> Result<JsValue, Stop> {
    match interrupt {
        None => JsFuture::from(work().map_err(Stop::Failed)?).await.map_err(Stop::Failed),
        Some(i) => {
            if i.controller.signal().aborted() {
                return Err(i.why(JsValue::UNDEFINED));
            }
            let promise = work().map_err(Stop::Failed)?;
            match JsFuture::from(Promise::race(&Array::of2(&promise, &i.fired))).await {
                Ok(value) if value == i.marker => Err(i.why(value)),
                Ok(value) => Ok(value),
                Err(e) => Err(i.why(e)),
            }
        }
    }
}

/// The words of a thrown JS value: `name: message`, for network failures (never for a token provider's).
pub fn thrown_text(e: &JsValue) -> String {
    let get = |key: &str| Reflect::get(e, &key.into()).ok().and_then(|v| v.as_string());
    match (get("name"), e.as_string().or_else(|| get("message"))) {
        (Some(name), Some(message)) => cat!(name, ": ", message),
        (None, Some(message)) => message,
        (Some(name), None) => name,
        (None, None) => "an unknown error".into(),
    }
}

/// The kind of a thrown JS value, e.g. `TypeError`, without its message.
fn thrown_name(e: &JsValue) -> String {
    let name = Reflect::get(e, &"name".into()).ok().and_then(|n| n.as_string());
    name.filter(|n| n.len() <= 40 && n.bytes().all(|b| b.is_ascii_alphanumeric())).unwrap_or_else(|| "a value".into())
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// Runs `call` to its end. The body comes back as the JS string too, so an answer that needs no change is
/// handed to `JSON.parse` without another copy.
pub async fn drive(session: &Session, mut call: Call, signal: Option<AbortSignal>) -> Result<(Reply, JsValue), Error> {
    let interrupt = match Interrupt::new(signal, call.remaining_ms(now())) {
        Ok(i) => i,
        Err(_) => {
            let mut e = Error::config("", "");
            e.message = cat!(
                call.operation(),
                ": this runtime cannot cancel calls (no AbortController, setTimeout or EventTarget)"
            );
            e.path = None;
            return Err(e);
        }
    };
    let interrupt = interrupt.as_ref();
    let mut body = JsValue::UNDEFINED;
    loop {
        // JS runs one thing at a time: an abort or the deadline can only have come during the last await.
        if let Some(i) = interrupt.filter(|i| i.controller.signal().aborted()) {
            match i.why(JsValue::UNDEFINED) {
                Stop::Aborted => call.on_abort(),
                _ => call.on_deadline(),
            }
        }
        match call.poll(now(), js_sys::Math::random()) {
            Action::Send(request) => match send(&request, interrupt, session.transport.as_ref()).await {
                Ok((response, text)) => {
                    body = text;
                    call.on_response(response);
                }
                Err(Stop::Aborted) => call.on_abort(),
                Err(Stop::Deadline) => call.on_deadline(),
                Err(Stop::Failed(cause)) => call.on_network_error(thrown_text(&cause)),
            },
            Action::Sleep(ms) => {
                let mut timer = Ok(JsValue::UNDEFINED);
                let waited = until(interrupt, || {
                    let wait = Promise::new(&mut |resolve, _| timer = set_timeout(&resolve, ms));
                    timer.clone().map(|_| wait)
                })
                .await;
                if let Ok(id) = &timer {
                    let _ = clear_timeout(id);
                }
                match waited {
                    Ok(_) => {}
                    Err(Stop::Aborted) => call.on_abort(),
                    Err(Stop::Deadline) => call.on_deadline(),
                    Err(Stop::Failed(cause)) => call.on_network_error(thrown_text(&cause)),
                }
            }
            Action::NeedToken { .. } => {
                let asked = || match &session.get_token {
                    Some(get_token) => get_token.call0(&JsValue::UNDEFINED).map(|v| Promise::resolve(&v)),
                    None => Err(JsValue::from_str("no getToken")),
                };
                match until(interrupt, asked).await {
                    Ok(token) => match token.as_string() {
                        Some(token) => call.on_token(Ok(token)),
                        None => call.on_token(Err("it resolved to something that is not a string".into())),
                    },
                    Err(Stop::Aborted) => call.on_abort(),
                    Err(Stop::Deadline) => call.on_deadline(),
                    Err(Stop::Failed(e)) => call.on_token(Err(cat!(
                        "it threw or rejected with ",
                        thrown_name(&e),
                        " (its message is not shown: it may hold a credential)"
                    ))),
                }
            }
            Action::Done(result) => {
                if let Some(token) = call.token() {
                    *session.token.borrow_mut() = Some(token.to_owned());
                }
                return result.map(|reply| (reply, body));
            }
        }
    }
}

/// Sends one request and reads the whole answer.
async fn send(
    request: &HttpRequest,
    interrupt: Option<&Interrupt>,
    custom: Option<&Function>,
) -> Result<(HttpResponse, JsValue), Stop> {
    let signal = interrupt.map(|i| i.controller.signal());
    let answer = until(interrupt, || transport::start(request, signal.as_ref(), custom)).await?;
    let (head, status): (Head, u16) = transport::head(answer, custom.is_some()).map_err(|e| Stop::Failed(e.into()))?;
    let body = until(interrupt, || head.body()).await?;
    let (text, js) = head.read(body).map_err(|why| Stop::Failed(why.into()))?;
    Ok((head.into_response(status, text), js))
}
