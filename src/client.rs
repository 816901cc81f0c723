//! The sans-IO core: builds each operation's HTTP request and turns each HTTP response into a result.
//! No network here; a transport sends the [`HttpRequest`] and hands back an [`HttpResponse`].

use crate::config::{Authorization, Config, Resolved};
use crate::connect_jwt;
use crate::error::{Error, ErrorKind, RateLimit};
use crate::models::ErrorCollection;
use crate::retry::RetryPolicy;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// One of Jira's webhook operations with its input. Each lives in a file named after its operationId.
pub trait Operation {
    /// Jira's operationId, e.g. `registerDynamicWebhooks`.
    const ID: &'static str;
    /// The HTTP method.
    const METHOD: &'static str;
    /// The path below `/rest/api/{version}`.
    const PATH: &'static str;
    /// What a successful call resolves to.
    type Output: DeserializeOwned + Serialize;

    /// Rejects input that cannot form a valid request, naming the field.
    fn validate(&self) -> Result<(), Error> {
        Ok(())
    }
    /// Query parameters, in order.
    fn query(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
    /// The JSON body, if the operation has one.
    fn body(&self) -> Option<String> {
        None
    }
    /// Whether sending the request twice has the same effect as once (every operation but the POST).
    const IDEMPOTENT: bool = true;
    /// Whether `status` is this operation's success.
    fn is_success(status: u16) -> bool {
        status == 200
    }
    /// Decodes a success response's body.
    fn decode(status: u16, body: &str) -> Result<Self::Output, Error> {
        decode_json(Self::ID, status, body)
    }
}

/// An HTTP request, ready for any transport.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpRequest {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The absolute URL.
    pub url: String,
    /// The API path and query without any gateway prefix, e.g. `/rest/api/2/webhook?startAt=0`.
    pub path: String,
    /// Header names and values. The `Authorization` value is a secret: never log it.
    pub headers: Vec<(&'static str, String)>,
    /// The JSON body.
    pub body: Option<String>,
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
    /// The `Retry-After` header (seconds).
    pub retry_after: Option<String>,
    /// Jira's rate-limit headers.
    pub rate_limit: RateLimit,
    /// The body as text.
    pub body: String,
}

/// A configured client: validated once, then used for any number of calls.
#[derive(Clone, Debug)]
pub struct Client {
    config: Resolved,
}

impl Client {
    /// Validates the configuration.
    pub fn new(config: &Config) -> Result<Self, Error> {
        Ok(Client { config: config.resolve()? })
    }

    /// Strings that must never appear in an error or a log line.
    pub fn secrets(&self) -> &[String] {
        &self.config.secrets
    }

    /// The configured default timeout of a call, in milliseconds.
    pub fn timeout_ms(&self) -> Option<f64> {
        self.config.timeout_ms
    }

    /// How failed calls are retried.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.config.retry
    }

    /// The site (or gateway prefix) requests go to, e.g. `https://your-domain.atlassian.net`.
    pub fn origin_and_prefix(&self) -> &str {
        &self.config.origin_and_prefix
    }

    /// Validates `op` and builds its request.
    pub fn build<O: Operation>(&self, op: &O) -> Result<HttpRequest, Error> {
        op.validate().map_err(|mut e| {
            e.operation = Some(O::ID);
            e
        })?;
        let mut path = format!("/rest/api/{}{}", self.config.api_version, O::PATH);
        for (i, (name, value)) in op.query().iter().enumerate() {
            path.push(if i == 0 { '?' } else { '&' });
            path.push_str(name);
            path.push('=');
            path.push_str(&encode_query_value(value));
        }
        let body = op.body();
        let mut headers = vec![("Accept", "application/json".to_owned())];
        if let Authorization::Header(value) = &self.config.authorization {
            headers.push(("Authorization", value.clone()));
        }
        if body.is_some() {
            headers.push(("Content-Type", "application/json".into()));
        }
        if let Some(ua) = &self.config.user_agent {
            headers.push(("User-Agent", ua.clone()));
        }
        Ok(HttpRequest {
            method: O::METHOD,
            url: format!("{}{path}", self.config.origin_and_prefix),
            path,
            headers,
            body,
        })
    }

    /// Signs `request` for this attempt when the app authenticates with Connect JWTs (a no-op otherwise).
    /// `now_secs` is the wall clock in seconds since the epoch.
    pub fn sign(&self, request: &mut HttpRequest, now_secs: i64) {
        if let Authorization::Connect { app_key, shared_secret } = &self.config.authorization {
            let jwt = connect_jwt::token(app_key, shared_secret, request.method, &request.path, now_secs);
            set_header(request, "Authorization", format!("JWT {jwt}"));
        }
    }

    /// Whether the JS layer supplies the `Authorization` header (`getToken`).
    pub fn needs_token(&self) -> bool {
        matches!(self.config.authorization, Authorization::Supplied)
    }

    /// Turns a response into the operation's result or an error. The one place where statuses are decided.
    pub fn parse<O: Operation>(&self, response: &HttpResponse) -> Result<O::Output, Error> {
        let result = if O::is_success(response.status) {
            if looks_like_html(response) {
                Err(Error::decode(
                    response.status,
                    None,
                    format!(
                        "{}: Jira answered {} with an HTML page instead of JSON; the base URL probably points at a \
                         login page or a proxy rather than Jira's REST API",
                        O::ID,
                        response.status
                    ),
                ))
            } else {
                O::decode(response.status, &response.body)
            }
        } else {
            Err(http_error(O::ID, response))
        };
        result.map_err(|mut e| {
            e.operation = Some(O::ID);
            e.request_id = response.request_id.clone();
            if e.kind == ErrorKind::Http {
                e.rate_limit = response.rate_limit.clone();
            }
            e.redact(self.secrets());
            e
        })
    }
}

/// Sets a header, replacing any earlier value.
pub fn set_header(request: &mut HttpRequest, name: &'static str, value: String) {
    request.headers.retain(|(n, _)| *n != name);
    request.headers.push((name, value));
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay as they are).
pub(crate) fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn looks_like_html(response: &HttpResponse) -> bool {
    let html_type = response.content_type.as_deref().is_some_and(|t| t.to_ascii_lowercase().contains("html"));
    html_type || response.body.trim_start().starts_with('<')
}

/// Decodes a JSON body into `T`, naming the JSON path at fault.
pub(crate) fn decode_json<T: DeserializeOwned>(op: &str, status: u16, body: &str) -> Result<T, Error> {
    if body.trim().is_empty() {
        return Err(Error::decode(
            status,
            None,
            format!("{op}: Jira answered {status} with an empty body, expected JSON"),
        ));
    }
    // Every response schema is an object; serde would also read a struct from an array.
    if !body.trim_start().starts_with('{') {
        return Err(Error::decode(status, None, format!("{op}: Jira's answer is not a JSON object")));
    }
    let de = &mut serde_json::Deserializer::from_str(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." { String::new() } else { format!(" at `{path}`") };
        let what = std::any::type_name::<T>().rsplit("::").next().unwrap_or("value");
        Error::decode(
            status,
            (path != ".").then_some(path),
            format!("{op}: Jira's answer is not a valid {what}{at}: {}", e.inner()),
        )
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

fn hint(op: &str, status: u16) -> &'static str {
    match status {
        400 => "Jira rejected the request as invalid",
        401 => "check the credentials: the email and API token, or the OAuth access token (it may have expired)",
        403 if op == "getFailedWebhooks" => "only Connect apps may read failed webhooks",
        403 => "only Connect and OAuth 2.0 apps may use the webhooks API, with the manage:jira-webhook scope",
        404 => "check `baseUrl` or `cloudId` and `apiVersion`",
        429 => "Jira is rate limiting this app; wait and try again",
        500..=599 => "Jira or a proxy in front of it failed; try again later",
        _ => "unexpected status",
    }
}

/// Builds the error for a non-success status, with Jira's ErrorCollection when the body has one.
fn http_error(op: &str, response: &HttpResponse) -> Error {
    let status = response.status;
    let collection = serde_json::from_str::<ErrorCollection>(&response.body).ok();
    let mut details: Vec<String> = Vec::new();
    if let Some(c) = &collection {
        details.extend(c.error_messages.iter().cloned());
        details.extend(c.errors.iter().map(|(k, v)| format!("{k}: {v}")));
    }
    let mut message = format!("{op} failed: Jira answered {status} {}", reason(status)).trim_end().to_owned();
    if details.is_empty() {
        message.push_str(&format!(" ({})", hint(op, status)));
    } else {
        message.push_str(&format!(": {} ({})", details.join("; "), hint(op, status)));
    }
    if collection.is_none() && looks_like_html(response) {
        message.push_str("; the body was an HTML page, not Jira's JSON");
    }
    let mut e = Error::new(ErrorKind::Http, message);
    e.status = status;
    match collection {
        Some(c) => e.with_collection(c),
        None => e,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::Auth;

    pub fn client() -> Client {
        Client::new(&client_config()).unwrap()
    }

    fn client_config() -> Config {
        Config::new("https://acme.atlassian.net", Auth::Bearer { token: "secret-token-123".into() })
    }

    pub fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            content_type: Some("application/json;charset=UTF-8".into()),
            request_id: Some("req-1".into()),
            body: body.into(),
            ..HttpResponse::default()
        }
    }

    #[test]
    fn connect_requests_are_signed_per_attempt() {
        let config = Config {
            auth: Auth::Connect { app_key: "com.example.app".into(), shared_secret: "shh-secret".into() },
            ..client_config()
        };
        let c = Client::new(&config).unwrap();
        let op = crate::operations::GetDynamicWebhooksForApp::default();
        let mut req = c.build(&op).unwrap();
        assert!(!req.headers.iter().any(|(n, _)| *n == "Authorization"));
        c.sign(&mut req, 1_700_000_000);
        c.sign(&mut req, 1_700_000_060);
        let auth: Vec<_> = req.headers.iter().filter(|(n, _)| *n == "Authorization").collect();
        assert_eq!(auth.len(), 1);
        let expected = connect_jwt::token("com.example.app", "shh-secret", "GET", "/rest/api/2/webhook", 1_700_000_060);
        assert_eq!(auth[0].1, format!("JWT {expected}"));
        assert_eq!(c.secrets(), ["shh-secret"]);
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(encode_query_value("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        assert_eq!(encode_query_value("1573540473480"), "1573540473480");
    }
}
