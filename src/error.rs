//! The one error type. Every failure of every operation is an [`Error`] with a [`ErrorKind`].

use crate::models::ErrorCollection;
use std::collections::BTreeMap;
use std::fmt;

/// What went wrong, as the `kind` property of the JS error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Jira answered with a status other than the operation's success status.
    Http,
    /// The request did not reach Jira or no answer came back (DNS, TLS, CORS, connection reset).
    Network,
    /// No answer within the configured time.
    Timeout,
    /// The caller's `AbortSignal` fired.
    Aborted,
    /// Jira answered with success, but the body is not what the spec describes.
    Decode,
    /// The arguments cannot form a valid request; nothing was sent.
    InvalidInput,
    /// The client configuration cannot work; nothing was sent.
    Config,
    /// `registerDynamicWebhooks` with `throwOnPartialFailure`: Jira answered 200 but refused some webhooks.
    PartialFailure,
}

impl ErrorKind {
    /// The name used in JavaScript (`err.kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Http => "http",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Aborted => "aborted",
            ErrorKind::Decode => "decode",
            ErrorKind::InvalidInput => "invalid-input",
            ErrorKind::Config => "config",
            ErrorKind::PartialFailure => "partial-failure",
        }
    }
}

/// A failed operation. Never holds a credential: messages are built from statuses, paths and Jira's own
/// error texts, and the JS layer redacts the configured secrets once more before anything leaves.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// HTTP status, 0 when there was no response.
    pub status: u16,
    /// A sentence a person can act on.
    pub message: String,
    /// Jira's `errorMessages`, when the response had an ErrorCollection.
    pub error_messages: Vec<String>,
    /// Jira's `errors` by field, when the response had an ErrorCollection.
    pub errors: BTreeMap<String, String>,
    /// The operationId of the failed call, when there was one.
    pub operation: Option<&'static str>,
    /// The input or JSON path at fault, for `invalid-input`, `config` and `decode` errors.
    pub path: Option<String>,
    /// Jira's request id (`X-AREQUESTID`), when the response had one.
    pub request_id: Option<String>,
    /// How long Jira asked to wait before trying again (429, some 503), in milliseconds.
    pub retry_after_ms: Option<f64>,
    /// Jira's rate-limit headers, on HTTP errors that had them.
    pub rate_limit: RateLimit,
    /// How many times the request was sent (0 when it never was).
    pub attempts: u32,
}

/// Jira's rate-limit headers, as sent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RateLimit {
    /// `RateLimit-Reason`, e.g. `jira-quota-based` or `jira-burst-based`.
    pub reason: Option<String>,
    /// `X-RateLimit-Limit`.
    pub limit: Option<String>,
    /// `X-RateLimit-Remaining`.
    pub remaining: Option<String>,
    /// `X-RateLimit-NearLimit`: `true` when less than 20% of a budget remains.
    pub near_limit: Option<String>,
    /// `X-RateLimit-Reset`: when the limit resets (ISO 8601).
    pub reset: Option<String>,
}

impl Error {
    /// A new error with no HTTP details.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            status: 0,
            message: message.into(),
            error_messages: Vec::new(),
            errors: BTreeMap::new(),
            operation: None,
            path: None,
            request_id: None,
            retry_after_ms: None,
            rate_limit: RateLimit::default(),
            attempts: 0,
        }
    }

    /// An `invalid-input` error about the input at `path`.
    pub fn invalid_input(path: impl Into<String>, message: impl fmt::Display) -> Self {
        let path = path.into();
        let mut e = Error::new(ErrorKind::InvalidInput, format!("invalid input at `{path}`: {message}"));
        e.path = Some(path);
        e
    }

    /// A `config` error about the config field `path`.
    pub fn config(path: &str, message: impl fmt::Display) -> Self {
        let mut e = Error::new(ErrorKind::Config, format!("invalid config `{path}`: {message}"));
        e.path = Some(path.to_owned());
        e
    }

    /// A `decode` error: a success response whose body is not what the spec describes.
    pub fn decode(status: u16, path: Option<String>, message: impl fmt::Display) -> Self {
        let mut e = Error::new(ErrorKind::Decode, message.to_string());
        e.status = status;
        e.path = path;
        e
    }

    /// Takes Jira's ErrorCollection fields into this error.
    pub(crate) fn with_collection(mut self, c: ErrorCollection) -> Self {
        self.error_messages = c.error_messages;
        self.errors = c.errors;
        self
    }

    /// Replaces every occurrence of each secret in the texts of this error with `<redacted>`.
    pub fn redact(&mut self, secrets: &[String]) {
        let scrub = |s: &mut String| {
            for secret in secrets.iter().filter(|s| s.len() >= 4) {
                if s.contains(secret.as_str()) {
                    *s = s.replace(secret.as_str(), "<redacted>");
                }
            }
        };
        scrub(&mut self.message);
        self.error_messages.iter_mut().for_each(scrub);
        self.errors.values_mut().for_each(scrub);
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_scrubs_every_text() {
        let mut e = Error::new(ErrorKind::Http, "token s3cr3t-token leaked");
        e.error_messages.push("again s3cr3t-token".into());
        e.errors.insert("auth".into(), "Bearer s3cr3t-token".into());
        e.redact(&["s3cr3t-token".into()]);
        assert_eq!(e.message, "token <redacted> leaked");
        assert_eq!(e.error_messages[0], "again <redacted>");
        assert_eq!(e.errors["auth"], "Bearer <redacted>");
    }
}
