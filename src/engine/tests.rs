//! The whole call policy, through the engine, with a scripted transport and a fake clock: no network, no timers.

use super::*;
use crate::auth::Auth;
use crate::config::{Config, RetryPolicy};
use crate::error::ErrorKind;
use crate::http::{HttpResponse, RateLimit};
use crate::models::{WebhookDetails, WebhookEvent, WebhookRegistrationDetails};
use crate::operations::{GetDynamicWebhooksForApp, Operation, RefreshWebhooks, RegisterDynamicWebhooks};
use crate::{Client, Error};
use std::collections::VecDeque;

/// What the scripted world does next.
enum Step {
    /// Jira answers.
    Answer(HttpResponse),
    /// The connection is refused, reset or dropped.
    Reset,
    /// No answer: the call's deadline passes while the request is under way.
    Hang,
    /// The caller aborts while the request is under way.
    Abort,
    /// The token provider answers.
    Token(Result<&'static str, &'static str>),
}

/// What the driver was asked to do.
#[derive(Debug, PartialEq)]
enum Did {
    Sent(Option<String>),
    Slept(f64),
    /// The provider was asked, told which token was refused.
    AskedToken(Option<String>),
}

const T0: f64 = 1_764_400_000_000.0; // 2025-11-29T07:06:40Z

fn ok(status: u16, body: &str) -> Step {
    Step::Answer(HttpResponse { status, body: body.into(), ..HttpResponse::default() })
}

fn status(status: u16, retry_after: Option<&str>) -> Step {
    Step::Answer(HttpResponse { status, retry_after: retry_after.map(Into::into), ..HttpResponse::default() })
}

const PAGE: &str = r#"{"isLast":true,"values":[]}"#;
const REGISTERED: &str = r#"{"webhookRegistrationResult":[{"createdWebhookId":10000}]}"#;

fn config(auth: Auth) -> Config {
    Config {
        retry: RetryPolicy { retries: 3, min_delay_ms: 100.0, max_delay_ms: 10_000.0 },
        ..Config::new("https://acme.atlassian.net", auth)
    }
}

fn bearer() -> Config {
    config(Auth::Bearer { token: "secret-token-123".into() })
}

fn list() -> GetDynamicWebhooksForApp {
    GetDynamicWebhooksForApp::default()
}

fn register() -> RegisterDynamicWebhooks {
    RegisterDynamicWebhooks::new(&WebhookRegistrationDetails {
        url: "https://app.example.com/hook".into(),
        webhooks: vec![WebhookDetails {
            events: vec![WebhookEvent::IssueCreated],
            jql_filter: "project = A".into(),
            ..WebhookDetails::default()
        }],
    })
    .unwrap()
}

/// Runs a call of `op` through `steps`, with random = 0.5; returns the result, what the driver did, and the
/// time that passed.
fn run<O: Operation>(
    config: Config,
    op: &O,
    timeout: Option<f64>,
    steps: Vec<Step>,
) -> (Result<Reply, Error>, Vec<Did>, f64) {
    let token = config.auth.initial_token().map(str::to_owned);
    let mut call = Client::new(&config).unwrap().call(op, T0, timeout, token).unwrap();
    let mut steps: VecDeque<Step> = steps.into();
    let mut did = Vec::new();
    let mut now = T0;
    loop {
        match call.poll(now, 0.5) {
            Action::Send => {
                let auth = call.request().headers.iter().find(|(n, _)| *n == "Authorization").map(|(_, v)| v.clone());
                did.push(Did::Sent(auth));
                match steps.pop_front().expect("a step for the request") {
                    Step::Answer(r) => call.on_response(r),
                    Step::Reset => call.on_network_error("TypeError: fetch failed (ECONNRESET)".into()),
                    Step::Hang => {
                        now += call.remaining_ms(now).expect("a deadline");
                        call.on_deadline();
                    }
                    Step::Abort => call.on_abort(),
                    Step::Token(_) => panic!("a token step while a request is under way"),
                }
            }
            Action::Sleep(ms) | Action::SleepOn(ms) => {
                did.push(Did::Slept(ms));
                now += ms;
            }
            Action::NeedToken { refused } => {
                did.push(Did::AskedToken(refused));
                match steps.pop_front().expect("a step for the token") {
                    Step::Token(t) => call.on_token(t.map(Into::into).map_err(Into::into)),
                    Step::Hang => call.on_deadline(),
                    Step::Abort => call.on_abort(),
                    _ => panic!("expected a token step"),
                }
            }
            Action::Done(result) => {
                assert!(steps.is_empty(), "steps left over");
                return (result, did, now - T0);
            }
        }
    }
}

fn sent(n: usize, auth: &str) -> Vec<Did> {
    (0..n).map(|_| Did::Sent(Some(auth.into()))).collect()
}

const BEARER: &str = "Bearer secret-token-123";

#[test]
fn success_at_once() {
    let (result, did, _) = run(bearer(), &list(), None, vec![ok(200, PAGE)]);
    assert_eq!(result.unwrap().attempts, 1);
    assert_eq!(did, sent(1, BEARER));
}

#[test]
fn rate_limited_with_retry_after_waits_exactly_that_long() {
    let (result, did, elapsed) = run(bearer(), &register(), None, vec![status(429, Some("2")), ok(200, REGISTERED)]);
    assert_eq!(result.unwrap().attempts, 2, "a 429 POST is sent again: Jira did not act on it");
    assert_eq!(did, [Did::Sent(Some(BEARER.into())), Did::Slept(2000.0), Did::Sent(Some(BEARER.into()))]);
    assert_eq!(elapsed, 2000.0);
}

#[test]
fn rate_limited_with_only_x_ratelimit_reset_says_when() {
    let reset = Step::Answer(HttpResponse {
        status: 429,
        rate_limit: RateLimit { reset: Some("2025-11-29T07:07Z".into()), ..RateLimit::default() },
        ..HttpResponse::default()
    });
    // 20 s until the reset, more than this policy's maxDelayMs (10 s): the call ends with Jira's answer.
    let (result, did, _) = run(bearer(), &list(), None, vec![reset]);
    assert_eq!(result.unwrap_err().retry_after_ms, Some(20_000));
    assert_eq!(did.len(), 1);
}

/// Defect (found by the simulator): a 429 whose wait is longer than `maxDelayMs` was sent again after
/// `maxDelayMs`, long before the reset, only to be refused again.
#[test]
fn a_wait_longer_than_max_delay_ends_the_call_with_the_answer() {
    let (result, did, _) = run(bearer(), &list(), None, vec![status(429, Some("3600"))]);
    let e = result.unwrap_err();
    assert_eq!((e.kind, e.status, e.attempts, e.retry_after_ms), (ErrorKind::Http, 429, 1, Some(3_600_000)));
    assert_eq!(did.len(), 1, "not sent again: {did:?}");
}

#[test]
fn service_unavailable_with_and_without_retry_after() {
    let (r, did, _) = run(bearer(), &register(), None, vec![status(503, Some("1")), ok(200, REGISTERED)]);
    assert!(r.is_ok() && did[1] == Did::Slept(1000.0), "503 + Retry-After: Jira says it did not act");
    let (r, did, _) = run(bearer(), &register(), None, vec![status(503, None)]);
    let e = r.unwrap_err();
    assert_eq!((e.kind, e.status, e.attempts, e.may_have_applied), (ErrorKind::Http, 503, 1, true));
    assert_eq!(did.len(), 1, "a bare 503 POST is not sent again");
    let (r, did, _) = run(bearer(), &list(), None, vec![status(503, None), ok(200, PAGE)]);
    assert!(r.is_ok());
    assert_eq!(did[1], Did::Slept(50.0), "backoff: 0.5 * 100 ms");
}

#[test]
fn bad_gateways_and_gateway_timeouts_are_retried_only_when_idempotent() {
    for code in [502, 504] {
        let (r, did, _) = run(bearer(), &list(), None, vec![status(code, None), status(code, None), ok(200, PAGE)]);
        assert_eq!(r.unwrap().attempts, 3);
        assert_eq!(did[1..4], [Did::Slept(50.0), Did::Sent(Some(BEARER.into())), Did::Slept(100.0)]);
        let (r, _, _) = run(bearer(), &register(), None, vec![status(code, None)]);
        let e = r.unwrap_err();
        assert_eq!((e.status, e.attempts, e.may_have_applied), (code, 1, true));
    }
}

#[test]
fn a_dropped_connection_resends_a_get_but_never_a_post() {
    let (r, did, _) = run(bearer(), &list(), None, vec![Step::Reset, ok(200, PAGE)]);
    assert_eq!((r.unwrap().attempts, did.len()), (2, 3));
    let (r, did, _) = run(bearer(), &register(), None, vec![Step::Reset]);
    let e = r.unwrap_err();
    assert_eq!((e.kind, e.status, e.attempts, e.may_have_applied), (ErrorKind::Network, 0, 1, true));
    assert!(e.message.contains("list them before registering again"), "{}", e.message);
    assert!(e.message.contains("ECONNRESET"), "{}", e.message);
    assert_eq!(did.len(), 1);
}

#[test]
fn other_statuses_are_final() {
    for code in [400, 401, 403, 404, 500] {
        let (r, did, _) = run(bearer(), &list(), None, vec![status(code, Some("1"))]);
        assert_eq!((r.unwrap_err().status, did.len()), (code, 1));
    }
}

#[test]
fn out_of_retries_the_last_answer_is_the_error() {
    let steps = (0..4).map(|_| status(429, Some("1"))).collect();
    let (r, did, _) = run(bearer(), &list(), None, steps);
    let e = r.unwrap_err();
    assert_eq!((e.status, e.attempts, e.retry_after_ms), (429, 4, Some(1000)));
    assert_eq!(did.iter().filter(|d| matches!(d, Did::Sent(_))).count(), 4);
}

#[test]
fn the_deadline_spans_every_attempt() {
    // The wait Jira asks for would end after the deadline: the call ends now, with the answer that asked.
    let (r, did, elapsed) = run(bearer(), &list(), Some(5_000.0), vec![status(429, Some("3")), status(429, Some("3"))]);
    let e = r.unwrap_err();
    assert_eq!((e.kind, e.status, e.attempts, e.retry_after_ms), (ErrorKind::Http, 429, 2, Some(3000)));
    assert_eq!(did, [Did::Sent(Some(BEARER.into())), Did::Slept(3000.0), Did::Sent(Some(BEARER.into()))]);
    assert_eq!(elapsed, 3000.0);
    // A request under way when the deadline passes: a timeout.
    let (r, _, elapsed) = run(bearer(), &list(), Some(5_000.0), vec![status(503, None), Step::Hang]);
    let e = r.unwrap_err();
    assert_eq!((e.kind, e.attempts, e.may_have_applied), (ErrorKind::Timeout, 2, false));
    assert_eq!(elapsed, 5_000.0);
    assert!(e.message.contains("5000 ms"), "{}", e.message);
    let (r, _, _) = run(bearer(), &register(), Some(1_000.0), vec![Step::Hang]);
    assert!(r.unwrap_err().may_have_applied, "a POST that timed out may have been applied");
}

#[test]
fn an_abort_during_a_wait_ends_the_call_without_another_attempt() {
    let mut call = Client::new(&bearer()).unwrap().call(&list(), T0, None, None).unwrap();
    assert!(matches!(call.poll(T0, 0.5), Action::Send));
    call.on_response(HttpResponse { status: 429, retry_after: Some("8".into()), ..HttpResponse::default() });
    assert_eq!(call.poll(T0, 0.5), Action::Sleep(8_000.0));
    // Polled again before the wait is over (a timer that fired early): the rest of the same wait, not a new one.
    assert_eq!(call.poll(T0 + 7_999.5, 0.5), Action::SleepOn(1.0));
    call.on_abort();
    let Action::Done(Err(e)) = call.poll(T0 + 10.0, 0.5) else { panic!("expected the end") };
    assert_eq!((e.kind, e.attempts), (ErrorKind::Aborted, 1));
    let (r, _, _) = run(bearer(), &list(), None, vec![Step::Abort]);
    assert_eq!(r.unwrap_err().kind, ErrorKind::Aborted);
}

#[test]
fn a_token_provider_is_asked_once_and_once_more_after_a_401() {
    let provider = config(Auth::TokenProvider { initial: None });
    let steps = vec![Step::Token(Ok("tok-a")), status(401, None), Step::Token(Ok("tok-b")), ok(200, PAGE)];
    let (r, did, elapsed) = run(provider.clone(), &list(), None, steps);
    assert_eq!(r.unwrap().attempts, 2);
    assert_eq!(
        did,
        [
            Did::AskedToken(None),
            Did::Sent(Some("Bearer tok-a".into())),
            Did::AskedToken(Some("tok-a".into())),
            Did::Sent(Some("Bearer tok-b".into()))
        ]
    );
    assert_eq!(elapsed, 0.0, "sent again at once");
    // A second 401 is final, and neither token shows in the error.
    let steps = vec![
        Step::Token(Ok("tok-a1")),
        status(401, None),
        Step::Token(Ok("tok-b2")),
        ok(401, r#"{"errorMessages":["bad token tok-b2"]}"#),
    ];
    let e = run(provider, &list(), None, steps).0.unwrap_err();
    assert_eq!((e.status, e.attempts), (401, 2));
    assert_eq!(e.error_messages, ["bad token <redacted>"]);
}

/// Defect: a 401 through a custom transport (`auth: none`) was sent again.
#[test]
fn a_401_is_final_when_the_transport_or_a_fixed_token_authorizes() {
    let transport = Config { base_url: None, custom_transport: true, ..config(Auth::None) };
    let (r, did, _) = run(transport, &list(), None, vec![status(401, None)]);
    assert_eq!((r.unwrap_err().attempts, did), (1, vec![Did::Sent(None)]));
    let (r, did, _) = run(bearer(), &list(), None, vec![status(401, None)]);
    assert_eq!((r.unwrap_err().attempts, did.len()), (1, 1));
}

#[test]
fn a_token_provider_that_fails_or_answers_garbage_is_named() {
    let provider = config(Auth::TokenProvider { initial: None });
    let (r, did, _) = run(provider.clone(), &list(), None, vec![Step::Token(Err("it threw TypeError (not shown)"))]);
    let e = r.unwrap_err();
    assert_eq!((e.kind, e.path.as_deref(), e.attempts), (ErrorKind::Token, Some("auth.getToken"), 0));
    assert!(e.message.contains("TypeError") && e.message.contains("not shown"), "{}", e.message);
    assert_eq!(did, [Did::AskedToken(None)]);
    for bad in ["", "tok\r\nInjected: 1", "tok\u{200b}en"] {
        let token: &'static str = Box::leak(bad.to_owned().into_boxed_str());
        let e = run(provider.clone(), &list(), None, vec![Step::Token(Ok(token))]).0.unwrap_err();
        assert_eq!(e.path.as_deref(), Some("auth.getToken"), "{bad:?}");
        assert!(!e.message.contains("Injected"), "{}", e.message);
    }
}

/// Defect: `getToken` ignored the deadline and the AbortSignal.
#[test]
fn a_hanging_token_provider_meets_the_deadline_and_the_signal() {
    let provider = config(Auth::TokenProvider { initial: None });
    let e = run(provider.clone(), &list(), Some(2_000.0), vec![Step::Hang]).0.unwrap_err();
    assert_eq!((e.kind, e.attempts), (ErrorKind::Timeout, 0));
    let e = run(provider, &list(), None, vec![Step::Abort]).0.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Aborted);
}

#[test]
fn an_initial_token_is_used_until_the_first_401() {
    let provider = config(Auth::TokenProvider { initial: Some("first-token".into()) });
    let (r, did, _) = run(provider, &list(), None, vec![status(401, None), Step::Token(Ok("second")), ok(200, PAGE)]);
    assert!(r.is_ok());
    assert_eq!(did[0], Did::Sent(Some("Bearer first-token".into())));
}

#[test]
fn connect_requests_are_signed_anew_for_each_attempt() {
    let connect = config(Auth::Connect { app_key: "com.example.app".into(), shared_secret: "shh-secret".into() });
    let (r, did, _) = run(connect.clone(), &list(), None, vec![status(429, Some("5")), ok(200, PAGE)]);
    assert!(r.is_ok());
    let [Did::Sent(Some(a)), Did::Slept(_), Did::Sent(Some(b))] = &did[..] else { panic!("{did:?}") };
    let expected = |at: f64| {
        crate::text::cat!(
            "JWT ",
            crate::connect_jwt::sign(
                "com.example.app",
                "shh-secret",
                "GET",
                "/rest/api/2/webhook",
                (at / 1000.0) as i64
            )
        )
    };
    assert_eq!((a, b), (&expected(T0), &expected(T0 + 5000.0)));
    // A server that echoes the JWT back does not get it into the error.
    let echo = format!(r#"{{"errorMessages":["got {}"]}}"#, expected(T0).trim_start_matches("JWT "));
    let body: &'static str = Box::leak(echo.into_boxed_str());
    let e = run(connect, &list(), None, vec![ok(403, body)]).0.unwrap_err();
    assert_eq!(e.error_messages, ["got <redacted>"]);
}

#[test]
fn secrets_echoed_by_jira_never_reach_the_error() {
    let echo = r#"{"errorMessages":["Bearer secret-token-123 is not valid"],"errors":{"secret-token-123":"c2VjcmV0LXRva2VuLTEyMw=="}}"#;
    let e = run(bearer(), &RefreshWebhooks::new(&[1]).unwrap(), None, vec![ok(400, echo)]).0.unwrap_err();
    let all = e.fields_json();
    assert!(!all.contains("secret-token-123") && !all.contains("c2VjcmV0"), "{all}");
}

#[test]
fn invalid_input_is_refused_before_anything_is_sent() {
    let client = Client::new(&bearer()).unwrap();
    let e = RefreshWebhooks::new(&[]).unwrap_err();
    assert_eq!((e.kind, e.attempts, e.operation), (ErrorKind::InvalidInput, 0, Some("refreshWebhooks")));
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let e = client.call(&list(), T0, Some(bad), None).unwrap_err();
        assert_eq!(e.path.as_deref(), Some("options.timeoutMs"));
    }
    // A fractional or huge deadline is rounded up and capped, never refused.
    let call = client.call(&list(), T0, Some(1234.5), None).unwrap();
    assert_eq!(call.remaining_ms(T0), Some(1235.0));
    let call = client.call(&list(), T0, Some(1e15), None).unwrap();
    assert_eq!(call.remaining_ms(T0), Some(crate::config::settings::MAX_TIMER_MS));
}
