//! Client configuration, as passed from JavaScript, and its validation.

use crate::error::Error;
use crate::retry::RetryPolicy;
use base64::Engine as _;
use serde::Deserialize;
use std::fmt;
use tsify::Tsify;

/// Where the OAuth 2.0 (3LO) gateway lives unless `gatewayUrl` says otherwise.
pub const ATLASSIAN_GATEWAY: &str = "https://api.atlassian.com";

/// How to reach Jira and who is calling. Give `baseUrl` (your site, for Connect apps and API tokens) or
/// `cloudId` (OAuth 2.0 apps, routed through `https://api.atlassian.com/ex/jira/{cloudId}`), not both.
#[derive(Clone, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct JiraWebhooksConfig {
    /// The site, e.g. `https://your-domain.atlassian.net`. Plain `http://` is allowed only for loopback.
    #[serde(default)]
    #[tsify(optional)]
    pub base_url: Option<String>,
    /// The site's cloud id, for OAuth 2.0 (3LO) apps.
    #[serde(default)]
    #[tsify(optional)]
    pub cloud_id: Option<String>,
    /// The OAuth 2.0 gateway used with `cloudId`; defaults to `https://api.atlassian.com`.
    #[serde(default)]
    #[tsify(optional)]
    pub gateway_url: Option<String>,
    /// The credentials.
    #[tsify(type = "JiraWebhooksAuth")]
    pub auth: Auth,
    /// `2` (default) or `3`: which `/rest/api/{version}` to call. The webhook operations are the same in both.
    #[serde(default)]
    #[tsify(optional, type = "2 | 3")]
    pub api_version: Option<u8>,
    /// Gives up on a call after this many milliseconds (kind `timeout`); a call's own `timeoutMs` wins.
    #[serde(default)]
    #[tsify(optional)]
    pub timeout_ms: Option<f64>,
    /// How failed calls are retried; `false` turns retries off. Default: 3 retries, 500 ms to 30 s apart.
    #[serde(default)]
    #[tsify(optional, type = "RetryPolicy | false")]
    pub retry: Option<RetrySetting>,
    /// Set by the JS layer when `transport` is a function: then `baseUrl` may be left out.
    #[serde(skip)]
    pub has_transport: bool,
    /// Set by the JS layer when `auth.getToken` is a function: then `auth.token` may be left out.
    #[serde(skip)]
    pub has_token_provider: bool,
    /// Sent as `User-Agent` where the runtime allows it (browsers ignore it).
    #[serde(default)]
    #[tsify(optional)]
    pub user_agent: Option<String>,
}

/// `retry` in the config: a policy, or `false` for none (`true` means the default policy).
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(untagged)]
pub enum RetrySetting {
    /// `true` or `false`.
    Enabled(bool),
    /// A policy; missing fields take their defaults.
    Policy(RetryPolicy),
}

/// Credentials (TypeScript: `JiraWebhooksAuth`, declared in `exports.rs` since `getToken` is a function).
#[derive(Clone, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Auth {
    /// HTTP basic auth with an email and an API token.
    #[serde(rename_all = "camelCase")]
    Basic {
        /// The account's email address.
        email: String,
        /// An API token of that account.
        api_token: String,
    },
    /// An OAuth 2.0 (3LO) access token, or (JS only) a `getToken` function that supplies one.
    #[serde(rename_all = "camelCase")]
    Bearer {
        /// The access token; empty when `getToken` supplies it.
        #[serde(default)]
        token: String,
    },
    /// A Connect app: every request is signed with a fresh HS256 JWT.
    #[serde(rename_all = "camelCase")]
    Connect {
        /// The app's key (the JWT's `iss`).
        app_key: String,
        /// The shared secret Jira gave the app at installation.
        shared_secret: String,
    },
    /// No credentials: the custom `transport` authenticates (Forge's `requestJira`, `AP.request`, a proxy).
    None,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Basic { email, .. } => {
                write!(f, "Basic {{ email: {email:?}, api_token: <redacted> }}")
            }
            Auth::Bearer { .. } => f.write_str("Bearer { token: <redacted> }"),
            Auth::Connect { app_key, .. } => write!(f, "Connect {{ app_key: {app_key:?}, shared_secret: <redacted> }}"),
            Auth::None => f.write_str("None"),
        }
    }
}

/// How each request gets its `Authorization` header.
#[derive(Clone)]
pub enum Authorization {
    /// The same header value every time (basic, bearer token).
    Header(String),
    /// A fresh Connect JWT per request.
    Connect {
        /// The JWT's `iss`.
        app_key: String,
        /// The HS256 key.
        shared_secret: String,
    },
    /// Supplied per request by the JS layer (`getToken`), or by the custom transport (`none`).
    Supplied,
}

/// The configuration (named for TypeScript, where it is `JiraWebhooksConfig`).
pub type Config = JiraWebhooksConfig;

/// A validated configuration: everything a request needs, ready to use.
#[derive(Clone)]
pub struct Resolved {
    /// Scheme, host and any gateway prefix, with no trailing slash.
    pub origin_and_prefix: String,
    /// `2` or `3`.
    pub api_version: u8,
    /// How requests are authorized.
    pub authorization: Authorization,
    /// The `User-Agent` header value, if any.
    pub user_agent: Option<String>,
    /// Default timeout of a call, in milliseconds.
    pub timeout_ms: Option<f64>,
    /// How failed calls are retried.
    pub retry: RetryPolicy,
    /// Strings that must never appear in an error.
    pub secrets: Vec<String>,
}

impl fmt::Debug for Resolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolved")
            .field("origin_and_prefix", &self.origin_and_prefix)
            .field("api_version", &self.api_version)
            .field("authorization", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl JiraWebhooksConfig {
    /// A configuration for the site at `base_url` with `auth` and every other setting at its default.
    pub fn new(base_url: &str, auth: Auth) -> Self {
        JiraWebhooksConfig {
            base_url: Some(base_url.to_owned()),
            cloud_id: None,
            gateway_url: None,
            auth,
            api_version: None,
            timeout_ms: None,
            retry: None,
            has_transport: false,
            has_token_provider: false,
            user_agent: None,
        }
    }

    /// Checks the configuration and resolves it, or says which field cannot work.
    pub fn resolve(&self) -> Result<Resolved, Error> {
        let origin_and_prefix = match (&self.base_url, &self.cloud_id) {
            (Some(_), Some(_)) => return Err(Error::config("baseUrl", "give either `baseUrl` or `cloudId`, not both")),
            (None, None) if self.has_transport => String::new(),
            (None, None) => {
                return Err(Error::config(
                    "baseUrl",
                    "missing: give `baseUrl` (e.g. https://your-domain.atlassian.net) or `cloudId` (OAuth 2.0 apps)",
                ))
            }
            (Some(url), None) => check_url("baseUrl", url)?,
            (None, Some(id)) => {
                let ok = !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
                if !ok {
                    return Err(Error::config(
                        "cloudId",
                        "must be a cloud id such as 11223344-a1b2-3b33-c444-def123456789",
                    ));
                }
                let gateway = check_url("gatewayUrl", self.gateway_url.as_deref().unwrap_or(ATLASSIAN_GATEWAY))?;
                format!("{gateway}/ex/jira/{id}")
            }
        };
        let api_version = match self.api_version.unwrap_or(2) {
            v @ (2 | 3) => v,
            _ => return Err(Error::config("apiVersion", "must be 2 or 3")),
        };
        let (authorization, secrets) = match &self.auth {
            Auth::Basic { email, api_token } => {
                if email.trim().is_empty() {
                    return Err(Error::config("auth.email", "is empty"));
                }
                if api_token.trim().is_empty() {
                    return Err(Error::config("auth.apiToken", "is empty"));
                }
                let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{email}:{api_token}"));
                (Authorization::Header(format!("Basic {encoded}")), vec![api_token.clone(), encoded])
            }
            Auth::Bearer { token } if token.is_empty() && self.has_token_provider => (Authorization::Supplied, vec![]),
            Auth::Bearer { token } => {
                if token.trim().is_empty() {
                    return Err(Error::config(
                        "auth.token",
                        "is empty (give a token, or getToken: () => Promise<string>)",
                    ));
                }
                (Authorization::Header(format!("Bearer {token}")), vec![token.clone()])
            }
            Auth::Connect { app_key, shared_secret } => {
                if app_key.trim().is_empty() {
                    return Err(Error::config("auth.appKey", "is empty"));
                }
                if shared_secret.is_empty() {
                    return Err(Error::config("auth.sharedSecret", "is empty"));
                }
                let authorization =
                    Authorization::Connect { app_key: app_key.clone(), shared_secret: shared_secret.clone() };
                (authorization, vec![shared_secret.clone()])
            }
            Auth::None if self.has_transport => (Authorization::Supplied, vec![]),
            Auth::None => {
                return Err(Error::config("auth", "type \"none\" needs a `transport` that authenticates the requests"))
            }
        };
        if let Some(ua) = &self.user_agent {
            if ua.bytes().any(|b| b.is_ascii_control()) {
                return Err(Error::config("userAgent", "must not contain control characters"));
            }
        }
        if self.timeout_ms.is_some_and(|ms| !(ms.is_finite() && ms > 0.0)) {
            return Err(Error::config("timeoutMs", "must be a positive number of milliseconds"));
        }
        let retry = match self.retry {
            None | Some(RetrySetting::Enabled(true)) => RetryPolicy::default(),
            Some(RetrySetting::Enabled(false)) => RetryPolicy::NONE,
            Some(RetrySetting::Policy(p)) => {
                p.validate()?;
                p
            }
        };
        Ok(Resolved {
            retry,
            origin_and_prefix,
            api_version,
            authorization,
            user_agent: self.user_agent.clone(),
            timeout_ms: self.timeout_ms,
            secrets,
        })
    }
}

/// Checks an absolute `https://` URL (or `http://` to loopback) and returns it without a trailing slash.
fn check_url(field: &str, url: &str) -> Result<String, Error> {
    let url = url.trim().trim_end_matches('/');
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| Error::config(field, "must be an absolute URL such as https://your-domain.atlassian.net"))?;
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') || url.contains(['?', '#']) || url.contains(char::is_whitespace)
    {
        return Err(Error::config(field, "must be a plain site URL such as https://your-domain.atlassian.net"));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(url.to_owned()),
        "http" if is_loopback(authority) => Ok(url.to_owned()),
        "http" => Err(Error::config(
            field,
            "plain http:// would send credentials unencrypted; use https:// (http is allowed only for localhost)",
        )),
        _ => Err(Error::config(field, "must start with https://")),
    }
}

fn is_loopback(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost") || host == "::1" || host.starts_with("127.") && host.split('.').count() == 4
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic() -> Auth {
        Auth::Basic { email: "me@example.com".into(), api_token: "tok3n-value".into() }
    }

    fn config(base_url: Option<&str>, cloud_id: Option<&str>, auth: Auth) -> Config {
        Config { base_url: base_url.map(Into::into), cloud_id: cloud_id.map(Into::into), ..Config::new("", auth) }
    }

    #[test]
    fn base_url_forms() {
        let r = config(Some("https://acme.atlassian.net/"), None, basic()).resolve().unwrap();
        assert_eq!(r.origin_and_prefix, "https://acme.atlassian.net");
        assert!(
            matches!(&r.authorization, Authorization::Header(h) if h == "Basic bWVAZXhhbXBsZS5jb206dG9rM24tdmFsdWU=")
        );
        assert_eq!(r.api_version, 2);
        for ok in ["http://localhost:8080", "http://127.0.0.1:1", "http://[::1]:9/jira"] {
            assert!(config(Some(ok), None, basic()).resolve().is_ok(), "{ok}");
        }
    }

    #[test]
    fn cloud_id_routes_through_gateway() {
        let auth = Auth::Bearer { token: "abc123".into() };
        let r = config(None, Some("1111-2222"), auth).resolve().unwrap();
        assert_eq!(r.origin_and_prefix, "https://api.atlassian.com/ex/jira/1111-2222");
        assert!(matches!(&r.authorization, Authorization::Header(h) if h == "Bearer abc123"));
    }

    #[test]
    fn configs_that_cannot_work() {
        let bad = [
            (config(None, None, basic()), "baseUrl"),
            (config(Some("https://a"), Some("b"), basic()), "baseUrl"),
            (config(Some("http://acme.atlassian.net"), None, basic()), "baseUrl"),
            (config(Some("http://127.0.0.1.evil.com"), None, basic()), "baseUrl"),
            (config(Some("acme.atlassian.net"), None, basic()), "baseUrl"),
            (config(Some("https://user:pw@acme.atlassian.net"), None, basic()), "baseUrl"),
            (config(Some("ftp://acme"), None, basic()), "baseUrl"),
            (config(None, Some("../../x"), basic()), "cloudId"),
            (config(Some("https://a"), None, Auth::Basic { email: " ".into(), api_token: "x".into() }), "auth.email"),
            (config(Some("https://a"), None, Auth::Basic { email: "e".into(), api_token: "".into() }), "auth.apiToken"),
            (config(Some("https://a"), None, Auth::Bearer { token: "".into() }), "auth.token"),
            (config(Some("https://a"), None, Auth::None), "auth"),
            (
                config(Some("https://a"), None, Auth::Connect { app_key: "k".into(), shared_secret: "".into() }),
                "auth.sharedSecret",
            ),
        ];
        for (c, field) in bad {
            let e = c.resolve().unwrap_err();
            assert_eq!(e.kind, crate::ErrorKind::Config);
            assert_eq!(e.path.as_deref(), Some(field), "{}", e.message);
        }
        let mut c = config(Some("https://a"), None, basic());
        c.api_version = Some(4);
        assert_eq!(c.resolve().unwrap_err().path.as_deref(), Some("apiVersion"));
    }

    #[test]
    fn debug_never_shows_secrets() {
        let r = config(Some("https://a"), None, basic()).resolve().unwrap();
        let shown = format!("{r:?} {:?}", basic());
        assert!(!shown.contains("tok3n-value") && !shown.contains(&r.secrets[1]), "{shown}");
    }
}
