//! HTTP as the core sees it: what a request is, what came back, and what an operation expects. The leaf every
//! other module may use; it imports nothing of the crate.

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

impl RateLimit {
    /// The headers' names, in the order of [`RateLimit::fields`].
    pub const HEADERS: [&'static str; 5] = [
        "ratelimit-reason",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-nearlimit",
        "x-ratelimit-reset",
    ];

    /// Each field with its JavaScript name.
    pub fn fields(&mut self) -> [(&'static str, &mut Option<String>); 5] {
        [
            ("reason", &mut self.reason),
            ("limit", &mut self.limit),
            ("remaining", &mut self.remaining),
            ("nearLimit", &mut self.near_limit),
            ("reset", &mut self.reset),
        ]
    }

    /// Whether no rate-limit header was sent.
    pub fn is_empty(&self) -> bool {
        *self == RateLimit::default()
    }
}

/// What a transport got back: the head, and the body in one of the forms a driver can give it.
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
    /// The body as text (a host driver; the JavaScript edge checks bodies itself).
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
}

/// Why a value cannot be a header's.
pub const HEADER_PROBLEM: &str = "contains a character that cannot be sent in an HTTP header (a line break, a \
     control character, or a zero-width or other non-Latin-1 character, often pasted along)";

/// Whether `Headers.set` accepts `value` everywhere: tab, space, visible ASCII and Latin-1, nothing else.
pub fn is_header_value(value: &str) -> bool {
    value.chars().all(|c| c == '\t' || (' '..='~').contains(&c) || ('\u{a0}'..='\u{ff}').contains(&c))
}
