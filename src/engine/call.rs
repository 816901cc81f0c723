//! One call, as a state machine with no I/O (sans-IO, like quinn-proto): [`Call::poll`] says what to do next
//! ([`Action`]); the driver does it and reports back with `on_response`, `on_network_error`, `on_token`,
//! `on_abort` or `on_deadline`. Every decision of a call is here: when to send, what a status means, whether
//! and when to retry, the POST rule, the one token refresh after a 401, the deadline across attempts.

use super::retry::{retry_after_ms, Outcome};
use crate::auth::connect_jwt;
use crate::config::{check_token, timer_ms, Credential, Settings};
use crate::decode::{self, Checked, FromJson, Ty};
use crate::error::{Error, ErrorKind, RateLimit, Secrets};
use crate::models::ErrorCollection;
use crate::text::cat;
use std::rc::Rc;

/// An HTTP method. Whether a request may be sent twice follows from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST: the one method that is not idempotent.
    Post,
    /// PUT
    Put,
    /// DELETE
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// Whether sending the request twice has the same effect as once (RFC 9110, section 9.2.2).
    pub fn idempotent(self) -> bool {
        self != Method::Post
    }
}

/// An HTTP request, ready for any transport.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL (just the path when a custom transport has no base URL).
    pub url: String,
    /// The API path and query without any gateway prefix, e.g. `/rest/api/2/webhook?startAt=0`.
    pub path: String,
    /// Header names and values. The `Authorization` value is a secret: never log it.
    pub headers: Vec<(&'static str, String)>,
    /// The JSON body.
    pub body: Option<String>,
}

impl HttpRequest {
    /// Sets a header, replacing any earlier value.
    pub fn set_header(&mut self, name: &'static str, value: String) {
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value));
    }
}

/// What a transport got back.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HttpResponse {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// Jira's `X-AREQUESTID` header.
    pub request_id: Option<String>,
    /// The `Retry-After` header.
    pub retry_after: Option<String>,
    /// Jira's rate-limit headers.
    pub rate_limit: RateLimit,
    /// The body as text.
    pub body: String,
}

/// What an operation's call needs to know about it.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// Jira's operationId.
    pub id: &'static str,
    /// The method.
    pub method: Method,
    /// The statuses that mean success.
    pub success: &'static [u16],
    /// The schema of a success answer; `None` when the answer has no body.
    pub answer: Option<Ty>,
}

/// A success: the answer, checked against the operation's schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body as Jira sent it.
    pub body: String,
    /// The body with Jira's date strings replaced by milliseconds, when it had any.
    pub patched: Option<String>,
    /// How many times the request was sent.
    pub attempts: u32,
}

impl Reply {
    /// The body as the caller gets it: dates as milliseconds.
    pub fn text(&self) -> &str {
        self.patched.as_deref().unwrap_or(&self.body)
    }

    /// The answer as a Rust value (it has passed its schema check).
    pub fn read<T: FromJson>(&self) -> T {
        let doc = decode::Doc::parse(self.text()).ok();
        T::from_json(doc.as_ref().map(|d| d.root()))
    }
}

/// What the driver does next.
#[derive(Debug, PartialEq)]
pub enum Action {
    /// Send this request, then report with `on_response` or `on_network_error` (or `on_abort`, `on_deadline`).
    Send(HttpRequest),
    /// Wait this many whole milliseconds, then poll again.
    Sleep(f64),
    /// Ask the token provider for a token (a fresh one when `refresh`), then report with `on_token`.
    NeedToken {
        /// Whether the token in hand was refused (a 401).
        refresh: bool,
    },
    /// The call is over.
    Done(Result<Reply, Error>),
}

#[derive(Debug)]
enum State {
    Ready,
    AwaitingToken,
    Sending,
    Answered(HttpResponse),
    NetworkFailed(String),
    Waiting(f64),
    Ended(Result<Reply, Error>),
}

/// One call of one operation, from its first attempt to its result.
#[derive(Debug)]
pub struct Call {
    settings: Rc<Settings>,
    spec: Spec,
    request: HttpRequest,
    state: State,
    attempts: u32,
    deadline: Option<(f64, f64)>,
    token: Option<String>,
    refreshed: bool,
    secrets: Secrets,
}

impl Call {
    /// A call that sends `request` as `spec` says. `timeout_ms` (whole milliseconds) starts now; `token` is the
    /// provider's token from an earlier call, if any.
    pub(crate) fn new(
        settings: Rc<Settings>,
        spec: Spec,
        request: HttpRequest,
        now_ms: f64,
        timeout_ms: Option<f64>,
        token: Option<String>,
    ) -> Call {
        let mut secrets = settings.secrets.clone();
        let token = token.or_else(|| match &settings.credential {
            Credential::Provider { initial } => initial.clone(),
            _ => None,
        });
        if let Some(t) = &token {
            secrets.add(t);
        }
        Call {
            spec,
            request,
            state: State::Ready,
            attempts: 0,
            deadline: timeout_ms.map(|ms| (now_ms + ms, ms)),
            token,
            refreshed: false,
            secrets,
            settings,
        }
    }

    /// The operationId.
    pub fn operation(&self) -> &'static str {
        self.spec.id
    }

    /// How long until the deadline, in whole milliseconds, if the call has one.
    pub fn remaining_ms(&self, now_ms: f64) -> Option<f64> {
        self.deadline.map(|(at, _)| timer_ms(at - now_ms))
    }

    /// The provider's current token, to hand to the next call.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// What to do next. `now_ms` is the wall clock, `random` a number in `[0, 1)` for backoff jitter.
    pub fn poll(&mut self, now_ms: f64, random: f64) -> Action {
        let state = std::mem::replace(&mut self.state, State::Ready);
        let next = match state {
            State::Ready if self.token.is_none() && matches!(self.settings.credential, Credential::Provider { .. }) => {
                self.state = State::AwaitingToken;
                return Action::NeedToken { refresh: false };
            }
            State::Ready => return self.attempt(now_ms),
            State::AwaitingToken | State::Sending => {
                Err(Error::new(ErrorKind::Network, "the driver polled a call that was waiting for an event"))
            }
            State::Waiting(until) if now_ms < until => {
                self.state = State::Waiting(until);
                return Action::Sleep(timer_ms(until - now_ms));
            }
            State::Waiting(_) => return self.attempt(now_ms),
            State::Answered(response) => match self.answered(response, now_ms, random) {
                Some(action) => return action,
                None => return self.poll(now_ms, random),
            },
            State::NetworkFailed(cause) => {
                let idempotent = self.spec.method.idempotent();
                let delay =
                    self.settings.retry.delay(self.attempts, idempotent, Outcome::NetworkFailure, now_ms, random);
                match delay {
                    Some(ms) if !self.past_deadline(now_ms + ms) => return self.wait(now_ms, ms),
                    _ => Err(self.network_error(&cause)),
                }
            }
            State::Ended(result) => result,
        };
        self.finish(next)
    }

    /// Jira answered.
    pub fn on_response(&mut self, response: HttpResponse) {
        if matches!(self.state, State::Sending) {
            self.state = State::Answered(response);
        }
    }

    /// No answer came back (refused, reset, dropped, DNS, TLS, CORS). `cause` is the runtime's words.
    pub fn on_network_error(&mut self, cause: String) {
        if matches!(self.state, State::Sending) {
            self.state = State::NetworkFailed(cause);
        }
    }

    /// The token provider answered: a token, or why there is none (never what it threw: that may hold a secret).
    pub fn on_token(&mut self, token: Result<String, String>) {
        if !matches!(self.state, State::AwaitingToken) {
            return;
        }
        let checked = match token {
            Ok(token) => check_token("auth.getToken", &token).map(|_| token).map_err(|mut e| {
                e.message =
                    cat!(self.spec.id, ": auth.getToken resolved to something that is not a token: ", e.message);
                e
            }),
            Err(why) => {
                let mut e = Error::config("auth.getToken", "");
                e.message = cat!(self.spec.id, ": auth.getToken failed: ", why);
                Err(e)
            }
        };
        self.state = match checked {
            Ok(token) => {
                self.secrets.add(&token);
                self.token = Some(token);
                State::Ready
            }
            Err(e) => State::Ended(Err(e)),
        };
    }

    /// The caller's `AbortSignal` fired.
    pub fn on_abort(&mut self) {
        if !matches!(self.state, State::Ended(_)) {
            let e = Error::new(ErrorKind::Aborted, cat!(self.spec.id, ": the call was aborted by its AbortSignal"));
            self.state = State::Ended(Err(e));
        }
    }

    /// The call's deadline passed while a request or the token provider was under way.
    pub fn on_deadline(&mut self) {
        if !matches!(self.state, State::Ended(_)) {
            self.state = State::Ended(Err(self.timeout()));
        }
    }

    fn timeout(&self) -> Error {
        let ms = self.deadline.map_or(0.0, |(_, ms)| ms);
        let mut e = Error::new(
            ErrorKind::Timeout,
            cat!(self.spec.id, ": no answer within the call's deadline of ", ms as u64, " ms"),
        );
        e.may_have_applied = self.spec.method == Method::Post && self.attempts > 0;
        e
    }

    fn past_deadline(&self, at_ms: f64) -> bool {
        self.deadline.is_some_and(|(deadline, _)| at_ms >= deadline)
    }

    fn attempt(&mut self, now_ms: f64) -> Action {
        if self.past_deadline(now_ms) {
            let e = self.timeout();
            return self.finish(Err(e));
        }
        self.attempts += 1;
        match &self.settings.credential {
            Credential::Connect { app_key, shared_secret } => {
                let jwt = connect_jwt::sign(
                    app_key,
                    shared_secret,
                    self.request.method.as_str(),
                    &self.request.path,
                    (now_ms / 1000.0) as i64,
                );
                self.secrets.add(&jwt);
                self.request.set_header("Authorization", cat!("JWT ", jwt));
            }
            Credential::Provider { .. } => {
                let token = self.token.clone().unwrap_or_default();
                self.request.set_header("Authorization", cat!("Bearer ", token));
            }
            Credential::Header(_) | Credential::Transport => {}
        }
        self.state = State::Sending;
        Action::Send(self.request.clone())
    }

    fn wait(&mut self, now_ms: f64, ms: f64) -> Action {
        self.state = State::Waiting(now_ms + ms);
        Action::Sleep(ms)
    }

    /// Decides on an answer: `Some` action, or `None` when the state changed and a poll decides.
    fn answered(&mut self, response: HttpResponse, now_ms: f64, random: f64) -> Option<Action> {
        let status = response.status;
        if self.spec.success.contains(&status) {
            let checked = match self.spec.answer {
                None => Ok(Checked { patched: None }),
                Some(ty) => decode::answer(self.spec.id, status, response.content_type.as_deref(), &response.body, ty),
            };
            let result =
                checked.map(|c| Reply { status, patched: c.patched, body: response.body, attempts: self.attempts });
            return Some(self.finish(result.map_err(|mut e| {
                e.request_id = response.request_id.clone();
                e
            })));
        }
        if status == 401 && !self.refreshed && matches!(self.settings.credential, Credential::Provider { .. }) {
            self.refreshed = true;
            self.state = State::AwaitingToken;
            return Some(Action::NeedToken { refresh: true });
        }
        let idempotent = self.spec.method.idempotent();
        match self.settings.retry.delay(self.attempts, idempotent, Outcome::Response(&response), now_ms, random) {
            Some(ms) if !self.past_deadline(now_ms + ms) => Some(self.wait(now_ms, ms)),
            _ => {
                let mut e = http_error(self.spec.id, &response, now_ms);
                e.may_have_applied = !idempotent && matches!(status, 502..=504);
                self.state = State::Ended(Err(e));
                None
            }
        }
    }

    fn network_error(&self, cause: &str) -> Error {
        let origin = self.request.url.strip_suffix(&self.request.path).unwrap_or(&self.request.url);
        let mut message = cat!(self.spec.id, ": could not reach Jira");
        if !origin.is_empty() {
            message.push_str(&cat!(" at ", origin));
        }
        message.push_str(&cat!(
            " (",
            cause,
            "); check the URL and the network, and in browsers that the server allows this origin (CORS)"
        ));
        let mut e = Error::new(ErrorKind::Network, message);
        if self.spec.method == Method::Post {
            e.may_have_applied = true;
            e.message.push_str(
                ". The connection failed after the request was sent, so Jira may have registered the webhooks: \
                 list them before registering again",
            );
        }
        e
    }

    /// Ends the call: errors get the operation, the attempt count, and every secret scrubbed.
    fn finish(&mut self, result: Result<Reply, Error>) -> Action {
        let result = result.map_err(|mut e| {
            e.operation.get_or_insert(self.spec.id);
            e.attempts = self.attempts;
            e.redact(&self.secrets);
            e
        });
        self.state = State::Ended(result.clone());
        Action::Done(result)
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => " Bad Request",
        401 => " Unauthorized",
        403 => " Forbidden",
        404 => " Not Found",
        405 => " Method Not Allowed",
        409 => " Conflict",
        413 => " Payload Too Large",
        415 => " Unsupported Media Type",
        429 => " Too Many Requests",
        500 => " Internal Server Error",
        502 => " Bad Gateway",
        503 => " Service Unavailable",
        504 => " Gateway Timeout",
        _ => "",
    }
}

fn hint(op: &str, status: u16) -> &'static str {
    match status {
        400 => "Jira rejected the request as invalid",
        401 => "check the credentials: the email and API token, the OAuth access token (it may have expired), or the Connect app's shared secret",
        403 if op == "getFailedWebhooks" => "only Connect apps may read failed webhooks",
        403 => "only Connect and OAuth 2.0 apps may use the webhooks API, with the manage:jira-webhook scope",
        404 => "check `baseUrl` or `cloudId` and `apiVersion`",
        429 => "Jira is rate limiting this app; wait and try again",
        500..=599 => "Jira or a proxy in front of it failed; try again later",
        _ => "unexpected status",
    }
}

/// The error for a status that is not the operation's success, with Jira's ErrorCollection when the body has one.
pub(crate) fn http_error(op: &'static str, response: &HttpResponse, now_ms: f64) -> Error {
    let status = response.status;
    let collection = decode::check(&response.body, Ty::Obj(ErrorCollection::SHAPE))
        .ok()
        .map(|(doc, _)| ErrorCollection::from_json(Some(doc.root())));
    let mut e = Error::new(ErrorKind::Http, cat!(op, " failed: Jira answered ", status, reason(status)));
    if let Some(c) = collection {
        e.error_messages = c.error_messages.unwrap_or_default();
        e.errors = c.errors.unwrap_or_default();
    }
    let details: Vec<String> =
        e.error_messages.iter().cloned().chain(e.errors.iter().map(|(k, v)| cat!(k, ": ", v))).collect();
    if !details.is_empty() {
        e.message.push_str(&cat!(": ", details.join("; ")));
    }
    e.message.push_str(&cat!(" (", hint(op, status), ")"));
    if details.is_empty() && decode::looks_like_html(response.content_type.as_deref(), &response.body) {
        e.message.push_str("; the body was an HTML page, not Jira's JSON");
    }
    e.status = status;
    e.request_id = response.request_id.clone();
    e.rate_limit = response.rate_limit.clone();
    e.retry_after_ms = retry_after_ms(response, now_ms).map(|ms| ms as u64);
    e
}
