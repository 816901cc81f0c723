//! When a failed attempt is sent again, and after how long. Pure: the caller supplies the clock and the dice.
//!
//! - 429 is retried for every method: Jira did not act on the request. The wait is `Retry-After` (seconds or an
//!   HTTP-date), else `X-RateLimit-Reset`, else exponential backoff with full jitter.
//! - 502, 503, 504 and network failures are retried only for idempotent methods (GET, PUT, DELETE). A POST is
//!   re-sent only when Jira provably did not act on it: a 429, or a 503 that carries `Retry-After`. After a dropped
//!   connection Jira may already have registered the webhooks, and a second POST would register them twice.
//! - Timeouts and aborts are never retried: they are the caller's.
//!
//! Every wait is at most `maxDelayMs`, in whole milliseconds. A wait Jira asks for that is longer ends the call
//! with that answer (its `retryAfterMs` says how long): sent earlier, Jira answers 429 again ("the same or longer
//! Retry-After period", Atlassian's rate limiting page), and an hourly points budget resets on the hour.

use crate::config::{timer_ms, RetryPolicy};
use crate::decode::date::{parse_http_date, parse_timestamp};
use crate::http::HttpResponse;

impl RetryPolicy {
    /// The wait in milliseconds before sending again, after `attempts` sends ended in `outcome`, or `None` to
    /// stop. `now_ms` is the wall clock, `random` a number in `[0, 1)`.
    pub fn delay(&self, attempts: u32, idempotent: bool, outcome: Outcome, now_ms: f64, random: f64) -> Option<f64> {
        if attempts > self.retries {
            return None;
        }
        let backoff =
            || random * (self.min_delay_ms * 2f64.powi(attempts.saturating_sub(1) as i32)).min(self.max_delay_ms);
        let delay = match outcome {
            Outcome::NetworkFailure if idempotent => backoff(),
            Outcome::NetworkFailure => return None,
            Outcome::Response(r) => match (r.status, retry_after_ms(r, now_ms)) {
                (_, Some(hint)) if hint > self.max_delay_ms => return None,
                (429, hint) => hint.unwrap_or_else(backoff),
                (503, Some(hint)) => hint,
                (502..=504, hint) if idempotent => hint.unwrap_or_else(backoff),
                _ => return None,
            },
        };
        Some(timer_ms(delay.min(self.max_delay_ms)))
    }
}

/// What an attempt ended with.
#[derive(Clone, Copy, Debug)]
pub enum Outcome<'a> {
    /// Jira answered (with any status).
    Response(&'a HttpResponse),
    /// No answer came back: refused, reset or dropped connection.
    NetworkFailure,
}

/// The wait Jira asked for: `Retry-After` (seconds, or an HTTP-date; `0` means now), else `X-RateLimit-Reset`.
pub fn retry_after_ms(response: &HttpResponse, now_ms: f64) -> Option<f64> {
    if let Some(value) = response.retry_after.as_deref().map(str::trim) {
        if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            let seconds = value.bytes().take(12).fold(0f64, |n, b| n * 10.0 + f64::from(b - b'0'));
            return Some(seconds * 1000.0);
        }
        if let Some(at) = parse_http_date(value) {
            return Some((at as f64 - now_ms).max(0.0));
        }
    }
    let reset = parse_timestamp(response.rate_limit.reset.as_deref()?)? as f64;
    (reset > now_ms).then_some(reset - now_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::RateLimit;

    fn answer(status: u16, retry_after: Option<&str>, reset: Option<&str>) -> HttpResponse {
        HttpResponse {
            status,
            retry_after: retry_after.map(Into::into),
            rate_limit: RateLimit { reset: reset.map(Into::into), ..RateLimit::default() },
            ..HttpResponse::default()
        }
    }

    const NOW: f64 = 1_764_400_000_000.0; // 2025-11-29T07:06:40Z
    const P: RetryPolicy = RetryPolicy { retries: 3, min_delay_ms: 100.0, max_delay_ms: 10_000.0 };

    #[test]
    fn rate_limits_are_retried_for_every_method_honouring_hints() {
        let r = answer(429, Some("7"), None);
        assert_eq!(P.delay(1, false, Outcome::Response(&r), NOW, 0.5), Some(7_000.0));
        let r = answer(429, Some("120"), None);
        assert_eq!(
            P.delay(1, true, Outcome::Response(&r), NOW, 0.5),
            None,
            "longer than maxDelayMs: the answer ends the call"
        );
        let r = answer(429, None, Some("2025-11-29T07:06:45Z"));
        assert_eq!(P.delay(1, false, Outcome::Response(&r), NOW, 0.5), Some(5_000.0));
        let r = answer(429, None, None);
        assert_eq!(P.delay(1, true, Outcome::Response(&r), NOW, 0.0), Some(0.0), "full jitter may be 0");
        assert_eq!(P.delay(3, true, Outcome::Response(&r), NOW, 0.5), Some(200.0), "0.5 * 100 * 2^2");
        assert_eq!(P.delay(4, true, Outcome::Response(&r), NOW, 0.5), None, "out of retries");
    }

    /// Defect: `Retry-After: 0` and the HTTP-date form were dropped, and the wait fell back to backoff.
    #[test]
    fn retry_after_zero_and_http_dates_are_honoured() {
        let r = answer(429, Some("0"), None);
        assert_eq!(retry_after_ms(&r, NOW), Some(0.0));
        assert_eq!(P.delay(3, false, Outcome::Response(&r), NOW, 0.9), Some(0.0), "now, not backoff");
        let r = answer(429, Some("Sat, 29 Nov 2025 07:06:43 GMT"), None);
        assert_eq!(retry_after_ms(&r, NOW), Some(3_000.0));
        assert_eq!(P.delay(1, false, Outcome::Response(&r), NOW, 0.9), Some(3_000.0));
        let r = answer(429, Some("Sat, 29 Nov 2025 07:00:00 GMT"), None);
        assert_eq!(retry_after_ms(&r, NOW), Some(0.0), "a date in the past means now");
        let r = answer(429, Some("soon"), Some("2025-11-29T07:06:50Z"));
        assert_eq!(retry_after_ms(&r, NOW), Some(10_000.0), "unreadable Retry-After: X-RateLimit-Reset");
        let r = answer(429, Some("1.5"), None);
        assert_eq!(retry_after_ms(&r, NOW), None, "not a delay-seconds value");
    }

    #[test]
    fn a_post_is_resent_only_when_jira_provably_did_not_act() {
        for (status, retry_after, post, put) in [
            (502, None, None, Some(50.0)),
            (503, None, None, Some(50.0)),
            (503, Some("2"), Some(2_000.0), Some(2_000.0)),
            (504, None, None, Some(50.0)),
            (500, None, None, None),
            (400, None, None, None),
            (401, Some("5"), None, None),
        ] {
            let r = answer(status, retry_after, None);
            assert_eq!(P.delay(1, false, Outcome::Response(&r), NOW, 0.5), post, "POST {status}");
            assert_eq!(P.delay(1, true, Outcome::Response(&r), NOW, 0.5), put, "PUT {status}");
        }
        assert_eq!(P.delay(1, false, Outcome::NetworkFailure, NOW, 0.5), None);
        assert_eq!(P.delay(2, true, Outcome::NetworkFailure, NOW, 0.5), Some(100.0));
    }

    #[test]
    fn delays_are_whole_milliseconds_and_bad_numbers_are_config_errors() {
        let p = RetryPolicy { retries: 3, min_delay_ms: 0.3, max_delay_ms: 1e20 }.validated().unwrap();
        assert_eq!((p.min_delay_ms, p.max_delay_ms), (1.0, crate::config::settings::MAX_TIMER_MS));
        let r = answer(429, None, None);
        assert_eq!(p.delay(1, true, Outcome::Response(&r), NOW, 0.33), Some(1.0));
        assert!(RetryPolicy { min_delay_ms: 5.0, max_delay_ms: 1.0, retries: 1 }.validated().is_err());
        assert!(RetryPolicy { min_delay_ms: f64::NAN, ..P }.validated().is_err());
        assert!(RetryPolicy { retries: 11, ..P }.validated().is_err());
    }
}
