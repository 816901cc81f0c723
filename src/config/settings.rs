//! A configuration ([`Config`], as Rust builds it, or read from JavaScript's `JiraWebhooksConfig`) validated into
//! the [`Settings`] every call starts from. No error here ever quotes a value of the caller's: the value may be a
//! credential pasted into the wrong field.

use super::schema::{JiraWebhooksConfig, RetryPolicy};
use super::url::check_url;
use crate::auth::Auth;
use crate::decode::{FromJson, Source, Ty};
use crate::error::{Error, Secrets};
use crate::http::{is_header_value, HEADER_PROBLEM};
use crate::text::cat;
use std::fmt;

/// Where the OAuth 2.0 (3LO) gateway lives unless `gatewayUrl` says otherwise.
pub const ATLASSIAN_GATEWAY: &str = "https://api.atlassian.com";

/// The longest wait `setTimeout` honours (2^31 − 1 ms, about 24.8 days); longer timers fire at once.
pub const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// The configuration, as Rust builds it (`JiraWebhooksConfig` in JavaScript).
#[derive(Clone, Debug)]
pub struct Config {
    /// The site, e.g. `https://your-domain.atlassian.net`.
    pub base_url: Option<String>,
    /// The site's cloud id (OAuth 2.0 apps).
    pub cloud_id: Option<String>,
    /// The OAuth 2.0 gateway used with `cloud_id`.
    pub gateway_url: Option<String>,
    /// The credentials.
    pub auth: Auth,
    /// `2` or `3`.
    pub api_version: u8,
    /// The default deadline of a call, in milliseconds.
    pub timeout_ms: Option<f64>,
    /// How failed calls are retried.
    pub retry: RetryPolicy,
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
    /// Whether a custom transport sends the requests (then `base_url` may be left out).
    pub custom_transport: bool,
}

impl Config {
    /// A configuration for the site at `base_url` with `auth` and every other setting at its default.
    pub fn new(base_url: &str, auth: Auth) -> Self {
        Config {
            base_url: Some(base_url.to_owned()),
            cloud_id: None,
            gateway_url: None,
            auth,
            api_version: 2,
            timeout_ms: None,
            retry: RetryPolicy::default(),
            user_agent: None,
            custom_transport: false,
        }
    }

    /// Reads `JiraWebhooksConfig` from JSON text, checked against its schema here (the JavaScript edge checks
    /// the caller's object with the validator generated from the same schema, then reads it with [`Config::read`]).
    pub fn from_json(text: &str, transport: bool, get_token: bool) -> Result<Config, Error> {
        let doc = crate::decode::Doc::parse(text).map_err(|_| Error::config("config", "is not JSON"))?;
        let mut patches = Vec::new();
        if let Err(f) = crate::decode::schema::check(doc.root(), Ty::Obj(JiraWebhooksConfig::SHAPE), &mut patches) {
            let path = f.path();
            return Err(Error::config(if path.is_empty() { "config" } else { &path }, &f.problem.describe()));
        }
        Config::read(doc.root(), transport, get_token)
    }

    /// Reads the caller's `JiraWebhooksConfig`, already checked against its schema (functions are only
    /// JavaScript's: `transport` and `get_token` say whether the caller gave them).
    pub fn read<S: Source>(v: S, transport: bool, get_token: bool) -> Result<Config, Error> {
        let c = JiraWebhooksConfig::from_json(Some(v));
        let auth = match c.auth {
            Auth::Bearer { token } if get_token => {
                Auth::TokenProvider { initial: Some(token).filter(|t| !t.is_empty()) }
            }
            Auth::Bearer { token } if token.is_empty() => {
                return Err(Error::config("auth.token", "is missing (give a token, or getToken)"))
            }
            auth => auth,
        };
        let api_version = match c.api_version {
            None => 2,
            Some(v) if v == 2.0 || v == 3.0 => v as u8,
            Some(_) => return Err(Error::config("apiVersion", "must be 2 or 3")),
        };
        Ok(Config {
            base_url: c.base_url,
            cloud_id: c.cloud_id,
            gateway_url: c.gateway_url,
            auth,
            api_version,
            timeout_ms: c.timeout_ms,
            retry: c.retry.unwrap_or_default().0,
            user_agent: c.user_agent,
            custom_transport: transport,
        })
    }
}

/// A validated configuration: everything a request needs.
#[derive(Clone)]
pub(crate) struct Settings {
    /// Scheme, host and any gateway prefix, with no trailing slash (empty: the transport decides).
    pub origin: String,
    pub api_version: u8,
    pub auth: Auth,
    pub user_agent: Option<String>,
    /// The default deadline of a call, whole milliseconds.
    pub timeout_ms: Option<f64>,
    pub retry: RetryPolicy,
    pub secrets: Secrets,
    /// The `Authorization` value when it is the same for every attempt (basic, bearer): made once.
    pub authorization: Option<String>,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings").field("origin", &self.origin).field("api_version", &self.api_version).finish()
    }
}

impl Settings {
    /// Checks `config`, or says which field cannot work.
    pub fn new(config: &Config) -> Result<Settings, Error> {
        let origin = match (&config.base_url, &config.cloud_id) {
            (Some(_), Some(_)) => return Err(Error::config("baseUrl", "give either `baseUrl` or `cloudId`, not both")),
            (None, None) if config.custom_transport => String::new(),
            (None, None) => {
                return Err(Error::config(
                    "baseUrl",
                    "is missing: give `baseUrl` (e.g. https://your-domain.atlassian.net) or `cloudId` (OAuth 2.0 apps)",
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
                let gateway = check_url("gatewayUrl", config.gateway_url.as_deref().unwrap_or(ATLASSIAN_GATEWAY))?;
                cat!(gateway, "/ex/jira/", id)
            }
        };
        if !matches!(config.api_version, 2 | 3) {
            return Err(Error::config("apiVersion", "must be 2 or 3"));
        }
        let mut secrets = Secrets::default();
        config.auth.check(config.custom_transport, &mut secrets)?;
        if let Some(ua) = &config.user_agent {
            if !is_header_value(ua) {
                return Err(Error::config("userAgent", HEADER_PROBLEM));
            }
        }
        let timeout_ms = match config.timeout_ms {
            None => None,
            Some(ms) if ms.is_finite() && ms > 0.0 => Some(timer_ms(ms)),
            Some(_) => return Err(Error::config("timeoutMs", "must be a positive number of milliseconds")),
        };
        Ok(Settings {
            origin,
            api_version: config.api_version,
            authorization: config.auth.fixed_authorization(),
            auth: config.auth.clone(),
            user_agent: config.user_agent.clone(),
            timeout_ms,
            retry: config.retry.validated()?,
            secrets,
        })
    }
}

impl RetryPolicy {
    /// Checks the numbers; delays become whole milliseconds a timer takes.
    pub fn validated(&self) -> Result<RetryPolicy, Error> {
        let ok = |v: f64| v.is_finite() && v >= 0.0;
        if !ok(self.min_delay_ms) || !ok(self.max_delay_ms) || self.min_delay_ms > self.max_delay_ms {
            return Err(Error::config("retry", "needs 0 <= minDelayMs <= maxDelayMs"));
        }
        if self.retries > 10 {
            return Err(Error::config("retry.retries", "must be 10 or fewer"));
        }
        Ok(RetryPolicy {
            min_delay_ms: timer_ms(self.min_delay_ms),
            max_delay_ms: timer_ms(self.max_delay_ms),
            ..*self
        })
    }
}

/// A duration as a timer can take it: whole milliseconds (rounded up), at most [`MAX_TIMER_MS`].
pub fn timer_ms(ms: f64) -> f64 {
    if ms.is_nan() || ms <= 0.0 {
        0.0
    } else {
        ms.ceil().min(MAX_TIMER_MS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn basic() -> Auth {
        Auth::Basic { email: "me@example.com".into(), api_token: "tok3n-value".into() }
    }

    fn site(base_url: Option<&str>, cloud_id: Option<&str>, auth: Auth) -> Config {
        Config { base_url: base_url.map(Into::into), cloud_id: cloud_id.map(Into::into), ..Config::new("", auth) }
    }

    fn path_of(r: Result<Settings, Error>) -> String {
        let Err(e) = r else { panic!("expected a config error") };
        assert_eq!(e.kind, ErrorKind::Config);
        e.path.unwrap()
    }

    #[test]
    fn base_url_becomes_the_origin() {
        let s = Settings::new(&site(Some("https://acme.atlassian.net/"), None, basic())).unwrap();
        assert_eq!(s.origin, "https://acme.atlassian.net");
        assert_eq!(s.auth.app_limit(), 100);
    }

    #[test]
    fn cloud_id_routes_through_the_gateway() {
        let s = Settings::new(&site(None, Some("1111-2222"), Auth::Bearer { token: "abc123".into() })).unwrap();
        assert_eq!(s.origin, "https://api.atlassian.com/ex/jira/1111-2222");
        assert_eq!(s.auth.app_limit(), 5);
    }

    #[test]
    fn configs_that_cannot_work() {
        let https = Some("https://a");
        let cases = [
            (site(None, None, basic()), "baseUrl"),
            (site(https, Some("b"), basic()), "baseUrl"),
            (site(Some("acme.atlassian.net"), None, basic()), "baseUrl"),
            (site(Some("https://user:pw@acme.atlassian.net"), None, basic()), "baseUrl"),
            (site(Some("ftp://acme"), None, basic()), "baseUrl"),
            (site(None, Some("../../x"), basic()), "cloudId"),
            (site(https, None, Auth::Basic { email: " ".into(), api_token: "x".into() }), "auth.email"),
            (site(https, None, Auth::Basic { email: "e".into(), api_token: "".into() }), "auth.apiToken"),
            (site(https, None, Auth::Basic { email: "e".into(), api_token: "tok\r\nen".into() }), "auth.apiToken"),
            (site(https, None, Auth::Bearer { token: "".into() }), "auth.token"),
            (site(https, None, Auth::Bearer { token: "abc\u{200b}".into() }), "auth.token"),
            (site(https, None, Auth::Bearer { token: "abc def".into() }), "auth.token"),
            (site(https, None, Auth::None), "auth"),
            (site(https, None, Auth::Connect { app_key: "k".into(), shared_secret: "".into() }), "auth.sharedSecret"),
            (Config { user_agent: Some("app/1 ✓".into()), ..site(https, None, basic()) }, "userAgent"),
            (Config { user_agent: Some("app\n".into()), ..site(https, None, basic()) }, "userAgent"),
            (Config { timeout_ms: Some(-1.0), ..site(https, None, basic()) }, "timeoutMs"),
            (Config { timeout_ms: Some(f64::NAN), ..site(https, None, basic()) }, "timeoutMs"),
            (Config { api_version: 4, ..site(https, None, basic()) }, "apiVersion"),
        ];
        for (c, field) in cases {
            assert_eq!(path_of(Settings::new(&c)), field, "{c:?}");
        }
    }

    /// Defect: `AbortSignal.timeout` threw on fractional or huge values and killed the process.
    #[test]
    fn timeouts_become_whole_milliseconds_a_timer_takes() {
        let c = Config { timeout_ms: Some(1234.2), ..site(Some("https://a"), None, basic()) };
        assert_eq!(Settings::new(&c).unwrap().timeout_ms, Some(1235.0));
        let c = Config { timeout_ms: Some(1e300), ..site(Some("https://a"), None, basic()) };
        assert_eq!(Settings::new(&c).unwrap().timeout_ms, Some(MAX_TIMER_MS));
        assert_eq!(timer_ms(0.3), 1.0);
        assert_eq!(timer_ms(-5.0), 0.0);
    }

    fn read(text: &str, transport: bool, get_token: bool) -> Result<Config, Error> {
        Config::from_json(text, transport, get_token)
    }

    fn js(text: &str) -> Result<Config, Error> {
        read(text, false, false)
    }

    #[test]
    fn reads_every_auth_type_from_json() {
        let c = js(r#"{"baseUrl":"https://a","auth":{"type":"connect","appKey":"k","sharedSecret":"s"},"apiVersion":3,"retry":false}"#)
            .unwrap();
        assert_eq!(c.auth, Auth::Connect { app_key: "k".into(), shared_secret: "s".into() });
        assert_eq!((c.api_version, c.retry), (3, RetryPolicy::NONE));
        let c = read(r#"{"auth":{"type":"bearer"}}"#, false, true).unwrap();
        assert_eq!(c.auth, Auth::TokenProvider { initial: None });
        let c = read(r#"{"auth":{"type":"none"}}"#, true, false).unwrap();
        assert!(c.custom_transport && c.auth == Auth::None);
        let c =
            js(r#"{"baseUrl":"https://a","auth":{"type":"basic","email":"e","apiToken":"t"},"retry":{"retries":1}}"#)
                .unwrap();
        assert_eq!(c.retry, RetryPolicy { retries: 1, ..RetryPolicy::default() });
    }

    /// Defect: serde quoted the caller's value (`invalid type: string "Bearer <token>"`, `unknown variant "<token>"`).
    #[test]
    fn config_errors_never_quote_the_callers_strings() {
        let secret = "eyJhbGciOiJIUzI1NiJ9.s3cr3t";
        for (text, path) in [
            (format!(r#"{{"baseUrl":"https://a","auth":"Bearer {secret}"}}"#), "auth"),
            (format!(r#"{{"baseUrl":"https://a","auth":{{"type":"{secret}"}}}}"#), "auth.type"),
            (format!(r#"{{"baseUrl":"https://a","auth":{{"type":"bearer","tokne":"{secret}"}}}}"#), "auth"),
            (
                format!(
                    r#"{{"baseUrl":"https://a","auth":{{"type":"basic","email":"e","apiToken":"t","{secret}":1}}}}"#
                ),
                "auth",
            ),
            (format!(r#"{{"baseUrl":"https://a","{secret}":1,"auth":{{"type":"none"}}}}"#), "config"),
            (format!(r#"{{"baseUrl":"{secret}","auth":{{"type":"bearer","token":"t"}}}}"#), "baseUrl"),
            (format!(r#"{{"baseUrl":"https://a","auth":{{"type":"bearer","token":"{secret} "}}}}"#), "auth.token"),
            (
                format!(r#"{{"baseUrl":"https://a","auth":{{"type":"basic","email":"{secret}","apiToken":1}}}}"#),
                "auth.apiToken",
            ),
        ] {
            let e = js(&text).and_then(|c| Settings::new(&c).map(drop)).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Config, "{text}");
            assert_eq!(e.path.as_deref(), Some(path), "{text}: {}", e.message);
            assert!(!e.fields_json().contains("s3cr3t"), "{}", e.fields_json());
        }
    }

    #[test]
    fn debug_never_shows_secrets() {
        let shown = format!("{:?}", site(Some("https://a"), None, basic()));
        assert!(!shown.contains("tok3n-value"), "{shown}");
    }
}
