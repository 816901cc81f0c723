//! When a failed call is sent again, and after how long. Pure: the caller supplies the clock and the dice.
//!
//! - 429 is retried for every operation: Jira did not act on the request. The wait is `Retry-After` (seconds),
//!   else `X-RateLimit-Reset`, else exponential backoff with full jitter; never more than `max_delay_ms`.
//! - 502, 503, 504 and network failures are retried only for idempotent operations (GET, PUT refresh, DELETE).
//!   `registerDynamicWebhooks` (POST) is re-sent only when Jira provably did not act on it: a 429, or a 503 that
//!   carries `Retry-After`. After a dropped connection the POST may already have registered the webhooks, and a
//!   second one would register them twice, so it fails with kind `network` instead.
//! - Timeouts and aborts are never retried: they are the caller's deadline.

use crate::client::HttpResponse;
use crate::date::parse_timestamp;
use crate::error::Error;
use serde::Deserialize;
use tsify::Tsify;

/// How failed calls are retried (`retry` in the config; `false` turns retries off).
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RetryPolicy {
    /// How many times a call may be sent again. Default 3.
    #[serde(default = "default_retries")]
    #[tsify(optional)]
    pub retries: u32,
    /// The first backoff step, in milliseconds. Default 500.
    #[serde(default = "default_min_delay")]
    #[tsify(optional)]
    pub min_delay_ms: f64,
    /// The longest wait between two attempts, in milliseconds. Default 30000.
    #[serde(default = "default_max_delay")]
    #[tsify(optional)]
    pub max_delay_ms: f64,
}

fn default_retries() -> u32 {
    3
}
fn default_min_delay() -> f64 {
    500.0
}
fn default_max_delay() -> f64 {
    30_000.0
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { retries: default_retries(), min_delay_ms: default_min_delay(), max_delay_ms: default_max_delay() }
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

impl RetryPolicy {
    /// No retries at all.
    pub const NONE: RetryPolicy = RetryPolicy { retries: 0, min_delay_ms: 0.0, max_delay_ms: 0.0 };

    /// Checks the numbers.
    pub fn validate(&self) -> Result<(), Error> {
        let ok = |v: f64| v.is_finite() && v >= 0.0;
        if !ok(self.min_delay_ms) || !ok(self.max_delay_ms) || self.min_delay_ms > self.max_delay_ms {
            return Err(Error::config("retry", "needs 0 <= minDelayMs <= maxDelayMs"));
        }
        if self.retries > 10 {
            return Err(Error::config("retry.retries", "must be 10 or fewer"));
        }
        Ok(())
    }

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
                (429, hint) => hint.unwrap_or_else(backoff),
                (503, Some(hint)) => hint,
                (502..=504, hint) if idempotent => hint.unwrap_or_else(backoff),
                _ => return None,
            },
        };
        Some(delay.min(self.max_delay_ms))
    }
}

/// The wait Jira asked for: `Retry-After` in seconds (0 means "no hint"), else `X-RateLimit-Reset`.
pub fn retry_after_ms(response: &HttpResponse, now_ms: f64) -> Option<f64> {
    let seconds = response.retry_after.as_deref().and_then(|v| v.trim().parse::<f64>().ok());
    match seconds {
        Some(s) if s.is_finite() && s > 0.0 => Some(s * 1000.0),
        _ => {
            let reset = parse_timestamp(response.rate_limit.reset.as_deref()?)? as f64;
            (reset > now_ms).then_some(reset - now_ms)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::RateLimit;

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
    fn rate_limits_are_retried_for_every_operation_honouring_hints() {
        let r = answer(429, Some("7"), None);
        assert_eq!(P.delay(1, false, Outcome::Response(&r), NOW, 0.5), Some(7_000.0));
        let r = answer(429, Some("120"), None);
        assert_eq!(P.delay(1, true, Outcome::Response(&r), NOW, 0.5), Some(10_000.0), "capped");
        let r = answer(429, None, Some("2025-11-29T07:06:45Z"));
        assert_eq!(P.delay(1, false, Outcome::Response(&r), NOW, 0.5), Some(5_000.0));
        let r = answer(429, Some("0"), None);
        assert_eq!(P.delay(3, false, Outcome::Response(&r), NOW, 0.5), Some(200.0), "0 means backoff: 0.5 * 100 * 2^2");
        let r = answer(429, None, None);
        assert_eq!(P.delay(1, true, Outcome::Response(&r), NOW, 0.0), Some(0.0), "full jitter may be 0");
        assert_eq!(P.delay(4, true, Outcome::Response(&r), NOW, 0.5), None, "out of retries");
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
    fn none_never_retries_and_bad_numbers_are_config_errors() {
        let r = answer(429, Some("1"), None);
        assert_eq!(RetryPolicy::NONE.delay(1, true, Outcome::Response(&r), NOW, 0.5), None);
        assert!(RetryPolicy { min_delay_ms: 5.0, max_delay_ms: 1.0, retries: 1 }.validate().is_err());
        assert!(RetryPolicy { min_delay_ms: f64::NAN, ..P }.validate().is_err());
        assert!(RetryPolicy::default().validate().is_ok());
    }
}
