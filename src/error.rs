//! The one error type. Its fields are listed once, in [`error_type!`], which makes the Rust struct, the
//! TypeScript declaration of `JiraWebhooksError` and the JSON of the fields the JS error object gets.

use crate::encode::{base64, percent_encode, push_json_string as push_str};
pub use crate::http::RateLimit;
use crate::small::{find, replace_all, sort_small};
use crate::text::{cat, Piece};

macro_rules! error_kinds {
    ($( $(#[doc = $doc:literal])+ $variant:ident => $name:literal, )*) => {
        /// What went wrong, as the `kind` property of the JS error.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $( $(#[doc = $doc])+ $variant, )*
        }

        impl ErrorKind {
            /// The name used in JavaScript (`err.kind`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $( ErrorKind::$variant => $name, )*
                }
            }
        }

        /// The TypeScript declaration of the kinds, from the same list.
        #[allow(dead_code)]
        pub const KINDS_TS: &str = concat!(
            "/** What went wrong: see the README's \"Errors\" section. */\n",
            "export type JiraWebhooksErrorKind = never",
            $( " | \"", $name, "\"", )*
            ";\n"
        );
    };
}

error_kinds! {
    /// Jira answered with a status other than the operation's success status.
    Http => "http",
    /// The request did not reach Jira or no answer came back (DNS, TLS, CORS, connection reset).
    Network => "network",
    /// No answer within the call's deadline.
    Timeout => "timeout",
    /// The caller's `AbortSignal` fired.
    Aborted => "aborted",
    /// Jira answered with success, but the body is not what the spec describes.
    Decode => "decode",
    /// The arguments cannot form a valid request; nothing was sent.
    InvalidInput => "invalid-input",
    /// The client configuration cannot work; nothing was sent.
    Config => "config",
    /// `registerDynamicWebhooks` with `throwOnPartialFailure`: Jira answered 200 but refused some webhooks.
    PartialFailure => "partial-failure",
    /// A webhook delivery failed verification: it cannot be shown to come from Jira.
    Unauthorized => "unauthorized",
    /// The OAuth 2.0 grant is gone (the refresh token was refused and no other process replaced it): the user must
    /// authorize the app again. Never retried.
    Reauthorize => "reauthorize",
    /// No access token could be had: `getToken` failed, or the token endpoint, the app's credentials or the token
    /// store did.
    Token => "token",
}

/// A value of an error field, written as JSON.
trait Field {
    fn write(&self, out: &mut String);
    fn present(&self) -> bool {
        true
    }
}

impl Field for ErrorKind {
    fn write(&self, out: &mut String) {
        push_str(out, self.as_str());
    }
}
impl Field for &'static str {
    fn write(&self, out: &mut String) {
        push_str(out, self);
    }
}
impl Field for u16 {
    fn write(&self, out: &mut String) {
        self.push_to(out);
    }
}
impl Field for u32 {
    fn write(&self, out: &mut String) {
        self.push_to(out);
    }
}
impl Field for u64 {
    fn write(&self, out: &mut String) {
        self.push_to(out);
    }
}
impl Field for bool {
    fn write(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
    fn present(&self) -> bool {
        *self
    }
}
impl Field for String {
    fn write(&self, out: &mut String) {
        push_str(out, self);
    }
}
impl Field for Vec<String> {
    fn write(&self, out: &mut String) {
        out.push('[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_str(out, item);
        }
        out.push(']');
    }
}
impl Field for Vec<(String, String)> {
    fn write(&self, out: &mut String) {
        out.push('{');
        for (i, (k, v)) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_str(out, k);
            out.push(':');
            push_str(out, v);
        }
        out.push('}');
    }
}
/// A JSON value kept as its text (`result`), written as it is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JsonText(pub String);
impl Field for JsonText {
    fn write(&self, out: &mut String) {
        out.push_str(&self.0);
    }
}
impl Field for RateLimit {
    fn write(&self, out: &mut String) {
        let mut copy = self.clone();
        out.push('{');
        let mut first = true;
        for (name, value) in copy.fields() {
            if let Some(v) = value {
                if !first {
                    out.push(',');
                }
                first = false;
                push_str(out, name);
                out.push(':');
                push_str(out, v);
            }
        }
        out.push('}');
    }
    fn present(&self) -> bool {
        !self.is_empty()
    }
}
impl<T: Field> Field for Option<T> {
    fn write(&self, out: &mut String) {
        if let Some(v) = self {
            v.write(out);
        }
    }
    fn present(&self) -> bool {
        self.as_ref().is_some_and(Field::present)
    }
}

macro_rules! error_type {
    ($( $(#[doc = $doc:literal])+ $field:ident: $ty:ty => $js:literal: $ts:literal, )*) => {
        /// A failed operation, and what JavaScript sees as a `JiraWebhooksError`. Never holds a credential:
        /// messages are built from statuses, paths and Jira's own texts, and [`Error::redact`] scrubs every
        /// configured secret from every field before an error leaves the library.
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub struct Error {
            $( $(#[doc = $doc])+ pub $field: $ty, )*
        }

        impl Error {
            /// The fields as a JSON object, with JavaScript's names; absent ones are left out.
            pub fn fields_json(&self) -> String {
                let mut out = String::from("{");
                $(
                    if Field::present(&self.$field) {
                        if out.len() > 1 {
                            out.push(',');
                        }
                        push_str(&mut out, $js.trim_end_matches('?'));
                        out.push(':');
                        Field::write(&self.$field, &mut out);
                    }
                )*
                out.push('}');
                out
            }
        }

        /// The TypeScript declaration of the JS error object, from the same list as the struct (used by the
        /// wasm exports).
        #[allow(dead_code)]
        pub const ERROR_TS: &str = concat!(
            "/**\n * Every failure rejects with this (`err instanceof JiraWebhooksError`, also for errors of another copy of\n",
            " * the package, such as the lifecycle entry's). It never contains a credential.\n */\n",
            "export declare class JiraWebhooksError extends Error {\n  private constructor();\n  name: \"JiraWebhooksError\";\n",
            $( "  /**", $($doc,)+ " */\n  ", $js, ": ", $ts, ";\n", )*
            "}\n\n",
            "/** Whether `value` is a `JiraWebhooksError` (the same as `value instanceof JiraWebhooksError`). */\n",
            "export declare function isJiraWebhooksError(value: unknown): value is JiraWebhooksError;\n"
        );
    };
}

error_type! {
    /// What went wrong.
    kind: ErrorKind => "kind": "JiraWebhooksErrorKind",
    /// A sentence a person can act on.
    message: String => "message": "string",
    /// The HTTP status, 0 when there was no response.
    status: u16 => "status": "number",
    /// Jira's `errorMessages`, when the response had an ErrorCollection.
    error_messages: Vec<String> => "errorMessages": "string[]",
    /// Jira's `errors` by field, when the response had an ErrorCollection.
    errors: Vec<(String, String)> => "errors": "Record<string, string>",
    /// The operationId of the failed call, e.g. `refreshWebhooks`.
    operation: Option<&'static str> => "operation?": "string",
    /// The input, config or JSON path at fault (invalid-input, config, decode), or the check that failed (unauthorized).
    path: Option<String> => "path?": "string",
    /// Jira's request id (`X-AREQUESTID`), for Atlassian support.
    request_id: Option<String> => "requestId?": "string",
    /// How long Jira asked to wait before trying again (429, some 503), in milliseconds.
    retry_after_ms: Option<u64> => "retryAfterMs?": "number",
    /// Jira's rate-limit headers, when the error response had them.
    rate_limit: RateLimit => "rateLimit?": "{ reason?: string; limit?: string; remaining?: string; nearLimit?: string; reset?: string }",
    /// How many times the request was sent (0: never, e.g. invalid input).
    attempts: u32 => "attempts": "number",
    /// `true` when Jira may have applied a registration whose answer was lost: list the webhooks before trying again.
    may_have_applied: bool => "mayHaveApplied?": "true",
    /// For "partial-failure": the whole registration answer, with the ids that were created.
    result: Option<JsonText> => "result?": "ContainerForRegisteredWebhooks",
}

impl Error {
    /// A new error with no HTTP details.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            status: 0,
            error_messages: Vec::new(),
            errors: Vec::new(),
            operation: None,
            path: None,
            request_id: None,
            retry_after_ms: None,
            rate_limit: RateLimit::default(),
            attempts: 0,
            may_have_applied: false,
            result: None,
        }
    }

    /// An `invalid-input` error about the input at `path`. `problem` must never quote the caller's strings.
    pub fn invalid_input(path: impl Into<String>, problem: &str) -> Self {
        let path = path.into();
        let mut e = Error::new(ErrorKind::InvalidInput, cat!("invalid input at `", path, "`: ", problem));
        e.path = Some(path);
        e
    }

    /// A `config` error about the config field `path`. `problem` must never quote the caller's strings.
    pub fn config(path: &str, problem: &str) -> Self {
        let mut e = Error::new(ErrorKind::Config, cat!("invalid config `", path, "`: ", problem));
        e.path = Some(path.to_owned());
        e
    }

    /// A `decode` error: a success response whose body is not what the spec describes.
    pub fn decode(status: u16, path: Option<String>, message: String) -> Self {
        let mut e = Error::new(ErrorKind::Decode, message);
        e.status = status;
        e.path = path;
        e
    }

    /// Replaces every occurrence of each secret, in every text field, with `<redacted>`.
    pub fn redact(&mut self, secrets: &Secrets) {
        if secrets.0.is_empty() {
            return;
        }
        let scrub = |s: &mut String| secrets.scrub(s);
        scrub(&mut self.message);
        self.error_messages.iter_mut().for_each(scrub);
        for (k, v) in &mut self.errors {
            scrub(k);
            scrub(v);
        }
        self.path.iter_mut().chain(self.request_id.iter_mut()).for_each(scrub);
        for (_, v) in self.rate_limit.fields() {
            v.iter_mut().for_each(scrub);
        }
        if let Some(JsonText(r)) = &mut self.result {
            scrub(r);
        }
    }
}

/// Strings that must never appear in an error: each credential, with its percent-encoded and base64 forms.
#[derive(Clone, Default, PartialEq)]
pub struct Secrets(Vec<String>);

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(<redacted>)")
    }
}

impl Secrets {
    /// The shortest string worth scrubbing: shorter ones would redact ordinary words.
    const MIN_LEN: usize = 4;

    /// Adds `secret` and the forms it takes in URLs, headers and tokens.
    pub fn add(&mut self, secret: &str) {
        let secret = secret.trim();
        if secret.len() < Self::MIN_LEN || self.0.iter().any(|s| s == secret) {
            return;
        }
        let forms = [
            secret.to_owned(),
            percent_encode(secret),
            base64(secret.as_bytes(), false),
            base64(secret.as_bytes(), true),
        ];
        for form in forms {
            if !self.0.contains(&form) {
                self.0.push(form);
            }
        }
        // Longest first, so a secret containing another is scrubbed whole.
        sort_small(&mut self.0, |a, b| a.len() > b.len());
    }

    /// These secrets and `more`'s, longest first: a call's own (its JWTs, the provider's tokens) joined with its
    /// client's, which every call shares rather than copies.
    pub fn merged(&self, more: &Secrets) -> Secrets {
        let mut all = Secrets(self.0.iter().chain(&more.0).cloned().collect());
        sort_small(&mut all.0, |a, b| a.len() > b.len());
        all
    }

    /// Replaces every secret in `s` with `<redacted>`.
    pub fn scrub(&self, s: &mut String) {
        for secret in &self.0 {
            if find(s, secret).is_some() {
                *s = replace_all(s, secret, "<redacted>");
            }
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_scrubs_every_field_and_every_form() {
        let mut secrets = Secrets::default();
        secrets.add("s3cr3t/token+");
        let mut e = Error::new(ErrorKind::Http, "token s3cr3t/token+ leaked");
        e.error_messages.push("encoded s3cr3t%2Ftoken%2B".into());
        e.errors.push(("key s3cr3t/token+".into(), "b64 czNjcjN0L3Rva2VuKw==".into()));
        e.path = Some("url czNjcjN0L3Rva2VuKw".into());
        e.request_id = Some("s3cr3t/token+".into());
        e.rate_limit.reason = Some("s3cr3t/token+".into());
        e.redact(&secrets);
        let json = e.fields_json();
        assert!(!json.contains("s3cr3t") && !json.contains("czNjcjN0"), "{json}");
        assert_eq!(json.matches("<redacted>").count(), 7, "{json}");
    }

    #[test]
    fn fields_json_uses_javascript_names_and_leaves_out_absent_fields() {
        let mut e = Error::new(ErrorKind::InvalidInput, "bad \"input\"");
        e.operation = Some("refreshWebhooks");
        e.retry_after_ms = Some(1500);
        e.errors.push(("webhookIds".into(), "required".into()));
        assert_eq!(
            e.fields_json(),
            r#"{"kind":"invalid-input","message":"bad \"input\"","status":0,"errorMessages":[],"errors":{"webhookIds":"required"},"operation":"refreshWebhooks","retryAfterMs":1500,"attempts":0}"#
        );
    }

    #[test]
    fn the_typescript_declaration_lists_every_field() {
        let fields = Error::new(ErrorKind::Http, "").fields_json();
        for name in ["kind", "message", "status", "errorMessages", "errors", "attempts"] {
            assert!(fields.contains(&format!("\"{name}\"")));
            assert!(ERROR_TS.contains(&format!("  {name}: ")), "{name}");
        }
        for optional in ["operation", "path", "requestId", "retryAfterMs", "rateLimit", "mayHaveApplied", "result"] {
            assert!(ERROR_TS.contains(&format!("  {optional}?: ")), "{optional}");
        }
    }
}
