//! One call, as a state machine with no I/O (sans-IO, like quinn-proto): [`Call::poll`] says what to do next
//! ([`Action`]); the driver does it and reports back. Every decision of a call is here: when to send, what a
//! status means, whether and when to retry, the POST rule, the token after a 401, the deadline across attempts.
//!
//! A driver reports an answer in one of two ways: as its text ([`Call::on_response`], the host), or as its head
//! first ([`Call::on_head`], which says what to read of the body) and then what it found in the body
//! ([`Call::on_checked`] for a success, [`Call::on_error_body`] for Jira's ErrorCollection): the JavaScript edge,
//! where `JSON.parse` and the validator generated from the same schemas check the answer where it already is.

use super::retry::{retry_after_ms, Outcome};
use crate::auth::{check_token, Unauthorized};
use crate::config::{timer_ms, Settings};
use crate::decode::schema::Shape;
use crate::decode::{self, FromJson, Verdict};
use crate::error::{Error, ErrorKind, Secrets};
use crate::http::{HttpRequest, HttpResponse, Method, Spec};
use crate::models::ErrorCollection;
use crate::operations::Operation;
use crate::small::join;
use crate::text::cat;
use std::rc::Rc;

/// A success: the answer passed its schema check.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// How many times the request was sent.
    pub attempts: u32,
    /// The body as the caller gets it (Jira's date strings made milliseconds), when the core read it; the edge
    /// keeps the parsed value itself.
    pub text: Option<String>,
}

impl Reply {
    /// The body as the caller gets it: dates as milliseconds.
    pub fn text(&self) -> &str {
        self.text.as_deref().unwrap_or_default()
    }

    /// The answer as operation `O`'s output (it has passed its schema check).
    pub fn output<O: Operation>(&self) -> O::Output {
        let doc = self.text.as_deref().and_then(|t| decode::Doc::parse(t).ok());
        O::Output::from_json(doc.as_ref().map(|d| d.root()))
    }
}

/// What of an answer's body the edge reads, once the engine has seen its head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Nothing: the status decides (a success without a body).
    Nothing,
    /// The success answer: check it against the operation's output schema, then [`Call::on_checked`].
    Answer,
    /// An error status: Jira's ErrorCollection, if the body is one, then [`Call::on_error_body`].
    ErrorCollection,
}

/// What the driver does next.
#[derive(Debug, PartialEq)]
// The end carries the outcome by value, once per call: boxing it would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Action {
    /// Send [`Call::request`] (authorized for this attempt), then report the answer (or `on_network_error`,
    /// `on_abort`, `on_deadline`). The call lends its request rather than copying it for every attempt.
    Send,
    /// Wait this many whole milliseconds before sending again (a new wait: a retry), then poll again.
    Sleep(f64),
    /// Wait this many more milliseconds of the wait already begun (polled before its end, e.g. by a timer that fired
    /// early), then poll again: not another retry.
    SleepOn(f64),
    /// Ask the token provider for a token, then report with `on_token`.
    NeedToken {
        /// The token Jira just refused (a 401), to tell the provider: it must not hand out that one again.
        refused: Option<String>,
    },
    /// The call is over.
    Done(Result<Reply, Error>),
}

#[derive(Debug)]
enum State {
    Ready,
    AwaitingToken,
    Sending,
    /// The head of an answer whose body the edge is reading.
    Head(HttpResponse),
    Answered(HttpResponse, Body),
    NetworkFailed(String),
    Waiting(f64),
    Ended(Result<Reply, Error>),
}

/// What the driver found in an answer's body.
#[derive(Debug)]
enum Body {
    /// A success body, checked: the verdict, and the text the caller gets when the core read it.
    Checked(Verdict, Option<String>),
    /// An error body: Jira's ErrorCollection if it was one, and whether it was an HTML page.
    Errors(Option<ErrorCollection>, bool),
}

/// One call of one operation, from its first attempt to its result.
#[derive(Debug)]
pub struct Call {
    settings: Rc<Settings>,
    spec: Spec,
    /// The index of the answer's schema in the registry (`None`: the answer has no body).
    output: Option<u32>,
    /// The answer's schema, for a host driver's [`Call::on_response`] (the wasm edge checks by `output`).
    shape: Option<&'static Shape>,
    request: HttpRequest,
    state: State,
    attempts: u32,
    deadline: Option<(f64, f64)>,
    token: Option<String>,
    asked_again: bool,
    secrets: Secrets,
}

impl Call {
    /// A call of the operation `spec` describes (answering `output`) that sends `request`. `timeout_ms` (whole milliseconds) starts at `now_ms`; `token` is the
    /// provider's token to start with, if the driver has one (else the provider is asked first).
    pub(crate) fn new(
        settings: Rc<Settings>,
        spec: Spec,
        output: Option<u32>,
        request: HttpRequest,
        now_ms: f64,
        timeout_ms: Option<f64>,
        token: Option<String>,
    ) -> Call {
        let mut secrets = Secrets::default();
        if let Some(t) = &token {
            secrets.add(t);
        }
        Call {
            spec,
            output,
            shape: None,
            request,
            state: State::Ready,
            attempts: 0,
            deadline: timeout_ms.map(|ms| (now_ms + ms, ms)),
            token,
            asked_again: false,
            secrets,
            settings,
        }
    }

    /// The operationId.
    pub fn operation(&self) -> &'static str {
        self.spec.id
    }

    /// The request (its `Authorization` as of the last attempt).
    pub fn request(&self) -> &HttpRequest {
        &self.request
    }

    /// How many times the request was sent so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// How long until the deadline, in whole milliseconds, if the call has one.
    pub fn remaining_ms(&self, now_ms: f64) -> Option<f64> {
        self.deadline.map(|(at, _)| timer_ms(at - now_ms))
    }

    /// What to do next. `now_ms` is the wall clock, `random` a number in `[0, 1)` for backoff jitter.
    pub fn poll(&mut self, now_ms: f64, random: f64) -> Action {
        let state = std::mem::replace(&mut self.state, State::Ready);
        let next = match state {
            State::Ready if self.settings.auth.needs_token(self.token.as_deref()) => {
                self.state = State::AwaitingToken;
                return Action::NeedToken { refused: None };
            }
            State::Ready => return self.attempt(now_ms),
            State::AwaitingToken | State::Sending | State::Head(_) => {
                Err(Error::new(ErrorKind::Network, "the driver polled a call that was waiting for an event"))
            }
            State::Waiting(until) if now_ms < until => {
                self.state = State::Waiting(until);
                return Action::SleepOn(timer_ms(until - now_ms));
            }
            State::Waiting(_) => return self.attempt(now_ms),
            State::Answered(response, body) => match self.answered(response, body, now_ms, random) {
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

    /// The answer's schema, which [`Call::on_response`] checks a body against (a host driver).
    pub fn with_shape(mut self, shape: Option<&'static Shape>) -> Self {
        self.shape = shape;
        self
    }

    /// Jira answered; `response.body` is the whole body as text, which the core checks here (a host driver).
    pub fn on_response(&mut self, mut response: HttpResponse) {
        let text = std::mem::take(&mut response.body);
        let body = match self.on_head(response) {
            Expect::Nothing => return,
            Expect::Answer => {
                let Some(shape) = self.shape else {
                    return;
                };
                let head = match &self.state {
                    State::Head(head) => head,
                    _ => return,
                };
                let (verdict, patched) = Verdict::check(head.content_type.as_deref(), &text, shape);
                Body::Checked(verdict, Some(patched.unwrap_or(text)))
            }
            Expect::ErrorCollection => {
                let head = match &self.state {
                    State::Head(head) => head,
                    _ => return,
                };
                let html = decode::looks_like_html(head.content_type.as_deref(), &text);
                let collection = decode::check(&text, decode::Ty::Obj(<ErrorCollection as decode::Model>::SHAPE))
                    .ok()
                    .map(|(doc, _)| ErrorCollection::from_json(Some(doc.root())));
                Body::Errors(collection, html)
            }
        };
        if let State::Head(head) = std::mem::replace(&mut self.state, State::Ready) {
            self.state = State::Answered(head, body);
        }
    }

    /// Jira answered with this head (its body not read yet): says what of the body to read and report.
    pub fn on_head(&mut self, head: HttpResponse) -> Expect {
        if !matches!(self.state, State::Sending) {
            return Expect::Nothing;
        }
        let expect = match (self.success(head.status), self.output) {
            (true, Some(_)) => Expect::Answer,
            (true, None) => Expect::Nothing,
            (false, _) => Expect::ErrorCollection,
        };
        self.state = match expect {
            Expect::Nothing => State::Answered(head, Body::Checked(Verdict::Valid, None)),
            _ => State::Head(head),
        };
        expect
    }

    /// What the edge found in a success body ([`Expect::Answer`]): whether it starts with markup, is blank, is
    /// JSON, and where it does not match the schema (the generated validator's fault).
    pub fn on_checked(&mut self, markup: bool, blank: bool, parsed: bool, fault: Option<decode::Invalid>) {
        if let State::Head(head) = std::mem::replace(&mut self.state, State::Ready) {
            let html = markup || decode::looks_like_html(head.content_type.as_deref(), "");
            self.state = State::Answered(head, Body::Checked(Verdict::of(html, blank, parsed, fault), None));
        }
    }

    /// What the edge found in an error body ([`Expect::ErrorCollection`]): whether it starts with markup, and
    /// Jira's ErrorCollection if the body was one.
    pub fn on_error_body(&mut self, markup: bool, collection: Option<ErrorCollection>) {
        if let State::Head(head) = std::mem::replace(&mut self.state, State::Ready) {
            let html = markup || decode::looks_like_html(head.content_type.as_deref(), "");
            self.state = State::Answered(head, Body::Errors(collection, html));
        }
    }

    /// Whether Jira refused a token of the provider's in this call (a 401, then the provider was asked again).
    pub fn token_refused(&self) -> bool {
        self.asked_again
    }

    /// No answer came back (refused, reset, dropped, DNS, TLS, CORS). `cause` is the runtime's words.
    pub fn on_network_error(&mut self, cause: String) {
        if matches!(self.state, State::Sending | State::Head(_)) {
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
                e.kind = ErrorKind::Token;
                e.message =
                    cat!(self.spec.id, ": auth.getToken resolved to something that is not a token: ", e.message);
                e
            }),
            Err(why) => {
                let mut e = Error::new(ErrorKind::Token, cat!(self.spec.id, ": auth.getToken failed: ", why));
                e.path = Some("auth.getToken".into());
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

    /// The token provider failed with a `JiraWebhooksError` of its own (`reauthorize`, `token`): the call ends
    /// with it.
    pub fn on_token_error(&mut self, e: Error) {
        if matches!(self.state, State::AwaitingToken) {
            self.state = State::Ended(Err(e));
        }
    }

    /// The provider's token the call used last, to start the next call with.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
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

    /// Whether `status` is one of the operation's successes.
    fn success(&self, status: u16) -> bool {
        self.spec.success.contains(&status)
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
        // A fixed `Authorization` (basic, bearer) is in the request from the start.
        if self.settings.authorization.is_none() {
            self.settings.auth.authorize(&mut self.request, now_ms, self.token.as_deref(), &mut self.secrets);
        }
        self.state = State::Sending;
        Action::Send
    }

    fn wait(&mut self, now_ms: f64, ms: f64) -> Action {
        self.state = State::Waiting(now_ms + ms);
        Action::Sleep(ms)
    }

    /// Decides on an answer: `Some` action, or `None` when the state changed and a poll decides.
    fn answered(&mut self, response: HttpResponse, body: Body, now_ms: f64, random: f64) -> Option<Action> {
        let status = response.status;
        if self.success(status) {
            let (verdict, text) = match body {
                Body::Checked(verdict, text) => (verdict, text.filter(|t| !t.is_empty())),
                Body::Errors(..) => (Verdict::Valid, None),
            };
            let result = verdict.into_result(self.spec.id, status);
            let result = result.map(|()| Reply { status, attempts: self.attempts, text });
            return Some(self.finish(result.map_err(|mut e| {
                e.request_id = response.request_id.clone();
                e
            })));
        }
        if status == 401 && self.settings.auth.on_unauthorized(self.asked_again) == Unauthorized::AskAgain {
            self.asked_again = true;
            self.state = State::AwaitingToken;
            return Some(Action::NeedToken { refused: self.token.take() });
        }
        let idempotent = self.spec.method.idempotent();
        match self.settings.retry.delay(self.attempts, idempotent, Outcome::Response(&response), now_ms, random) {
            Some(ms) if !self.past_deadline(now_ms + ms) => Some(self.wait(now_ms, ms)),
            _ => {
                let (collection, html) = match body {
                    Body::Errors(collection, html) => (collection, html),
                    Body::Checked(..) => (None, false),
                };
                let mut e = http_error(self.spec.id, &response, collection, html, now_ms);
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
            e.redact(&self.settings.secrets.merged(&self.secrets));
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

/// The error for a status that is not the operation's success, with Jira's ErrorCollection when the body was one.
pub(crate) fn http_error(
    op: &'static str,
    response: &HttpResponse,
    collection: Option<ErrorCollection>,
    html: bool,
    now_ms: f64,
) -> Error {
    let status = response.status;
    let mut e = Error::new(ErrorKind::Http, cat!(op, " failed: Jira answered ", status, reason(status)));
    if let Some(c) = collection {
        e.error_messages = c.error_messages.unwrap_or_default();
        e.errors = c.errors.unwrap_or_default();
    }
    let details: Vec<String> =
        e.error_messages.iter().cloned().chain(e.errors.iter().map(|(k, v)| cat!(k, ": ", v))).collect();
    if !details.is_empty() {
        e.message.push_str(&cat!(": ", join(details.iter().map(String::as_str), "; ")));
    }
    e.message.push_str(&cat!(" (", hint(op, status), ")"));
    if details.is_empty() && html {
        e.message.push_str("; the body was an HTML page, not Jira's JSON");
    }
    e.status = status;
    e.request_id = response.request_id.clone();
    e.rate_limit = response.rate_limit.clone();
    e.retry_after_ms = retry_after_ms(response, now_ms).map(|ms| ms as u64);
    e
}
