//! The client configuration: `JiraWebhooksConfig` as JavaScript passes it, [`Config`] as Rust builds it, and
//! its validation into a [`Client`](crate::Client)'s settings. No error here ever quotes a value of the caller's:
//! the value may be a credential pasted into the wrong field.

use crate::decode::{self, model, JsFunction, RawJson, Ty};
use crate::engine::RetryPolicy;
use crate::error::{Error, Secrets};
use crate::text::{base64, cat};
use std::fmt;

/// Where the OAuth 2.0 (3LO) gateway lives unless `gatewayUrl` says otherwise.
pub const ATLASSIAN_GATEWAY: &str = "https://api.atlassian.com";

/// The longest wait `setTimeout` honours (2^31 − 1 ms, about 24.8 days); longer timers fire at once.
pub const MAX_TIMER_MS: f64 = 2_147_483_647.0;

model! {
    /// How to reach Jira and who is calling. Give `baseUrl` (your site, for Connect apps and API tokens) or
    /// `cloudId` (OAuth 2.0 apps, routed through `https://api.atlassian.com/ex/jira/{cloudId}`), not both.
    pub struct JiraWebhooksConfig (true) {
        /// The site, e.g. `https://your-domain.atlassian.net`. Plain `http://` is allowed only for loopback.
        #[tsify(optional)]
        base_url "baseUrl": Option<String> = Ty::Str,
        /// The site's cloud id, for OAuth 2.0 (3LO) apps.
        #[tsify(optional)]
        cloud_id "cloudId": Option<String> = Ty::Str,
        /// The OAuth 2.0 gateway used with `cloudId`; defaults to `https://api.atlassian.com`.
        #[tsify(optional)]
        gateway_url "gatewayUrl": Option<String> = Ty::Str,
        /// The credentials.
        #[tsify(type = "JiraWebhooksAuth")]
        auth "auth": RawJson = Ty::Obj(AUTH_TYPE),
        /// `2` (default) or `3`: which `/rest/api/{version}` to call. The webhook operations are the same in both.
        #[tsify(optional, type = "2 | 3")]
        api_version "apiVersion": Option<f64> = Ty::Num,
        /// Gives up on a call after this many milliseconds (kind `timeout`), across its retries; a call's own
        /// `timeoutMs` wins.
        #[tsify(optional)]
        timeout_ms "timeoutMs": Option<f64> = Ty::Num,
        /// How failed calls are retried; `false` turns retries off. Default: 3 retries, 500 ms to 30 s apart.
        #[tsify(optional, type = "RetryPolicy | false")]
        retry "retry": Option<RawJson> = Ty::BoolOr(RetryPolicy::SHAPE),
        /// Sent as `User-Agent` where the runtime allows it (browsers ignore it).
        #[tsify(optional)]
        user_agent "userAgent": Option<String> = Ty::Str,
        /// Sends the requests instead of the global `fetch` (Forge, Connect iframes, a proxy); then `baseUrl` may
        /// be left out.
        #[tsify(optional, type = "Transport")]
        transport "transport": Option<JsFunction> = Ty::Any,
    }
}

/// What the config's own check asks of `auth`: a string `type`, whose shape then checks the rest.
pub(crate) const AUTH_TYPE: &decode::Shape =
    &decode::Shape { fields: &[decode::Field { name: "type", ty: Ty::Str, required: true }], closed: false };

model! {
    /// An Atlassian account's email and API token (scripts, admin tools acting for an app).
    pub struct BasicAuth (true) {
        /// `"basic"`.
        #[tsify(type = "\"basic\"")]
        kind "type": String = Ty::Str,
        /// The account's email address.
        email "email": String = Ty::Str,
        /// An API token of that account.
        api_token "apiToken": String = Ty::Str,
    }
}

model! {
    /// An OAuth 2.0 (3LO) access token, or a `getToken` that supplies one: asked on the first call, and once
    /// more after a 401 (then the request is sent again once). With both, `token` is used until a 401.
    pub struct BearerAuth (true) {
        /// `"bearer"`.
        #[tsify(type = "\"bearer\"")]
        kind "type": String = Ty::Str,
        /// The access token.
        #[tsify(optional)]
        token "token": Option<String> = Ty::Str,
        /// Supplies a fresh access token.
        #[tsify(optional, type = "() => string | Promise<string>")]
        get_token "getToken": Option<JsFunction> = Ty::Any,
    }
}

model! {
    /// A Connect app: each request is signed with a fresh HS256 JWT (iss, iat, exp, qsh).
    pub struct ConnectAuth (true) {
        /// `"connect"`.
        #[tsify(type = "\"connect\"")]
        kind "type": String = Ty::Str,
        /// The app's key (the JWT's `iss`).
        app_key "appKey": String = Ty::Str,
        /// The shared secret Jira gave the app for this site at installation.
        shared_secret "sharedSecret": String = Ty::Str,
    }
}

model! {
    /// No credentials: the `transport` authenticates (Forge `requestJira`, Connect `AP.request`, your proxy).
    pub struct NoAuth (true) {
        /// `"none"`.
        #[tsify(type = "\"none\"")]
        kind "type": String = Ty::Str,
    }
}

/// The members of every kind of `auth`, read once the kind's own shape has checked them.
#[derive(Default)]
struct AuthFields {
    email: Option<String>,
    api_token: Option<String>,
    token: Option<String>,
    app_key: Option<String>,
    shared_secret: Option<String>,
}

impl decode::FromJson for AuthFields {
    fn from_json(v: Option<decode::Value>) -> Self {
        let mut a = AuthFields::default();
        for (key, value) in v.iter().flat_map(|v| v.members()) {
            let slot = match key.as_str().as_deref() {
                Some("email") => &mut a.email,
                Some("apiToken") => &mut a.api_token,
                Some("token") => &mut a.token,
                Some("appKey") => &mut a.app_key,
                Some("sharedSecret") => &mut a.shared_secret,
                _ => continue,
            };
            *slot = value.as_str().map(|s| s.into_owned());
        }
        a
    }
}

/// Credentials.
#[derive(Clone, PartialEq)]
pub enum Auth {
    /// HTTP basic auth with an email and an API token.
    Basic {
        /// The account's email address.
        email: String,
        /// An API token of that account.
        api_token: String,
    },
    /// An OAuth 2.0 (3LO) access token.
    Bearer {
        /// The access token.
        token: String,
    },
    /// OAuth 2.0 with tokens from a provider (JS: `getToken`): asked on the first call and after a 401.
    TokenProvider {
        /// A token to use until the first 401, if the caller has one.
        initial: Option<String>,
    },
    /// A Connect app: every request is signed with a fresh HS256 JWT.
    Connect {
        /// The app's key (the JWT's `iss`).
        app_key: String,
        /// The shared secret Jira gave the app at installation.
        shared_secret: String,
    },
    /// No credentials: the custom transport authenticates the requests.
    None,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Auth::Basic { .. } => "Basic(<redacted>)",
            Auth::Bearer { .. } => "Bearer(<redacted>)",
            Auth::TokenProvider { .. } => "TokenProvider(<redacted>)",
            Auth::Connect { .. } => "Connect(<redacted>)",
            Auth::None => "None",
        })
    }
}

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

    /// Reads `JiraWebhooksConfig` from its JSON text (`JSON.stringify` leaves functions out: `transport` and
    /// `get_token` say whether the caller gave them).
    pub fn from_json(text: &str, transport: bool, get_token: bool) -> Result<Config, Error> {
        let c: JiraWebhooksConfig = decode::input(text, Ty::Obj(JiraWebhooksConfig::SHAPE), "", config_error)?;
        let kind = decode::check(&c.auth.0, Ty::Obj(AUTH_TYPE))
            .ok()
            .and_then(|(doc, _)| doc.root().get("type").and_then(|t| t.as_str()).map(|s| s.into_owned()));
        let kind = kind.unwrap_or_default();
        let shape = match kind.as_str() {
            "basic" => BasicAuth::SHAPE,
            "bearer" => BearerAuth::SHAPE,
            "connect" => ConnectAuth::SHAPE,
            "none" => NoAuth::SHAPE,
            _ => return Err(Error::config("auth.type", "must be \"basic\", \"bearer\", \"connect\" or \"none\"")),
        };
        let a: AuthFields = decode::input(&c.auth.0, Ty::Obj(shape), "auth", config_error)?;
        let auth = match (kind.as_str(), a.token) {
            ("basic", _) => {
                Auth::Basic { email: a.email.unwrap_or_default(), api_token: a.api_token.unwrap_or_default() }
            }
            ("bearer", initial) if get_token => Auth::TokenProvider { initial },
            ("bearer", Some(token)) => Auth::Bearer { token },
            ("bearer", None) => return Err(Error::config("auth.token", "is missing (give a token, or getToken)")),
            ("connect", _) => Auth::Connect {
                app_key: a.app_key.unwrap_or_default(),
                shared_secret: a.shared_secret.unwrap_or_default(),
            },
            _ => Auth::None,
        };
        let api_version = match c.api_version {
            None => 2,
            Some(v) if v == 2.0 || v == 3.0 => v as u8,
            Some(_) => return Err(Error::config("apiVersion", "must be 2 or 3")),
        };
        let retry = match c.retry.as_ref().map(|r| r.0.as_str()) {
            None | Some("true") => RetryPolicy::default(),
            Some("false") => RetryPolicy::NONE,
            Some(policy) => decode::input(policy, Ty::Obj(RetryPolicy::SHAPE), "retry", config_error)?,
        };
        Ok(Config {
            base_url: c.base_url,
            cloud_id: c.cloud_id,
            gateway_url: c.gateway_url,
            auth,
            api_version,
            timeout_ms: c.timeout_ms,
            retry,
            user_agent: c.user_agent,
            custom_transport: transport,
        })
    }
}

fn config_error(path: &str, problem: &str) -> Error {
    Error::config(if path == "argument" { "config" } else { path }, problem)
}

/// How each request gets its `Authorization` header.
#[derive(Clone)]
pub(crate) enum Credential {
    /// The same header value every time (basic, bearer token).
    Header(String),
    /// A fresh Connect JWT per attempt.
    Connect { app_key: String, shared_secret: String },
    /// A token from the caller's provider, refreshed once after a 401.
    Provider { initial: Option<String> },
    /// None: the custom transport authorizes, and a 401 is final.
    Transport,
}

/// A validated configuration: everything a request needs.
#[derive(Clone)]
pub(crate) struct Settings {
    /// Scheme, host and any gateway prefix, with no trailing slash (empty: the transport decides).
    pub origin: String,
    pub api_version: u8,
    pub credential: Credential,
    pub user_agent: Option<String>,
    /// The default deadline of a call, whole milliseconds.
    pub timeout_ms: Option<f64>,
    pub retry: RetryPolicy,
    pub secrets: Secrets,
    /// Jira's limit of webhooks an app may hold on a site (100 for Connect apps, 5 per user for OAuth 2.0).
    pub app_limit: usize,
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
        let mut app_limit = 100;
        let credential = match &config.auth {
            Auth::Basic { email, api_token } => {
                check_credential("auth.email", email)?;
                check_credential("auth.apiToken", api_token)?;
                let encoded = base64(cat!(email, ':', api_token).as_bytes(), false);
                secrets.add(api_token);
                secrets.add(&encoded);
                Credential::Header(cat!("Basic ", encoded))
            }
            Auth::Bearer { token } => {
                check_token("auth.token", token)?;
                secrets.add(token);
                app_limit = 5;
                Credential::Header(cat!("Bearer ", token))
            }
            Auth::TokenProvider { initial } => {
                if let Some(token) = initial {
                    check_token("auth.token", token)?;
                    secrets.add(token);
                }
                app_limit = 5;
                Credential::Provider { initial: initial.clone() }
            }
            Auth::Connect { app_key, shared_secret } => {
                check_credential("auth.appKey", app_key)?;
                if shared_secret.is_empty() {
                    return Err(Error::config("auth.sharedSecret", "is empty"));
                }
                secrets.add(shared_secret);
                Credential::Connect { app_key: app_key.clone(), shared_secret: shared_secret.clone() }
            }
            Auth::None if config.custom_transport => Credential::Transport,
            Auth::None => {
                return Err(Error::config("auth", "type \"none\" needs a `transport` that authenticates the requests"))
            }
        };
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
        let retry = config.retry.validated()?;
        Ok(Settings {
            origin,
            api_version: config.api_version,
            credential,
            user_agent: config.user_agent.clone(),
            timeout_ms,
            retry,
            secrets,
            app_limit,
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

const HEADER_PROBLEM: &str = "contains a character that cannot be sent in an HTTP header (a line break, a control \
     character, or a zero-width or other non-Latin-1 character, often pasted along)";

/// Whether `Headers.set` accepts `value` everywhere: tab, space, visible ASCII and Latin-1, nothing else.
pub fn is_header_value(value: &str) -> bool {
    value.chars().all(|c| c == '\t' || (' '..='~').contains(&c) || ('\u{a0}'..='\u{ff}').contains(&c))
}

/// An email, API token or app key: not empty, no whitespace or control characters at its ends or inside.
fn check_credential(path: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::config(path, "is empty"));
    }
    if !is_header_value(value) || value.contains(char::is_whitespace) {
        return Err(Error::config(path, HEADER_PROBLEM));
    }
    Ok(())
}

/// A bearer token as RFC 6750 allows it (`b64token`), so it fits the header unchanged.
pub fn check_token(path: &str, token: &str) -> Result<(), Error> {
    if token.is_empty() {
        return Err(Error::config(path, "is empty"));
    }
    let body = token.trim_end_matches('=');
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b)) {
        return Err(Error::config(path, HEADER_PROBLEM));
    }
    Ok(())
}

/// Checks an absolute `https://` URL (or `http://` to loopback) and returns it without a trailing slash.
fn check_url(field: &str, url: &str) -> Result<String, Error> {
    let url = url.trim().trim_end_matches('/');
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(Error::config(field, "must be an absolute URL such as https://your-domain.atlassian.net"));
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let plain = !authority.is_empty()
        && !authority.contains('@')
        && !url.contains(['?', '#', '\\'])
        && !url.contains(char::is_whitespace)
        && is_header_value(url);
    if !plain {
        return Err(Error::config(field, "must be a plain site URL such as https://your-domain.atlassian.net"));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(url.to_owned()),
        "http" if is_loopback(authority) => Ok(url.to_owned()),
        "http" => Err(Error::config(
            field,
            "plain http:// would send credentials unencrypted; use https:// (http is allowed only for loopback: \
             localhost, 127.0.0.0/8, [::1])",
        )),
        _ => Err(Error::config(field, "must start with https://")),
    }
}

/// Whether the URL authority names the loopback interface: `localhost`, an IPv4 address in 127.0.0.0/8 or
/// `[::1]`, with any port. A name that merely starts with `127.` is not.
fn is_loopback(authority: &str) -> bool {
    if let Some(v6) = authority.strip_prefix('[') {
        let Some((host, rest)) = v6.split_once(']') else { return false };
        return host == "::1" && (rest.is_empty() || is_port(rest));
    }
    let host = match authority.split_once(':') {
        Some((host, port)) if is_port(&cat!(':', port)) => host,
        Some(_) => return false,
        None => authority,
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets[0] == "127"
        && octets.iter().all(|o| !o.is_empty() && o.len() <= 3 && o.bytes().all(|b| b.is_ascii_digit()))
        && octets.iter().all(|o| o.parse::<u16>().is_ok_and(|n| n <= 255))
}

fn is_port(s: &str) -> bool {
    s.strip_prefix(':').is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
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
    fn base_url_forms() {
        let s = Settings::new(&site(Some("https://acme.atlassian.net/"), None, basic())).unwrap();
        assert_eq!(s.origin, "https://acme.atlassian.net");
        assert!(matches!(&s.credential, Credential::Header(h) if h == "Basic bWVAZXhhbXBsZS5jb206dG9rM24tdmFsdWU="));
        for ok in [
            "http://localhost:8080",
            "http://127.0.0.1:1",
            "http://127.255.3.4",
            "http://[::1]:9/jira",
            "HTTP://LOCALHOST",
        ] {
            assert!(Settings::new(&site(Some(ok), None, basic())).is_ok(), "{ok}");
        }
    }

    /// Defect: `http://127.evil.example.com` and `http://127.0.0.com` passed the loopback test.
    #[test]
    fn names_that_only_look_like_loopback_may_not_use_http() {
        for bad in [
            "http://127.evil.example.com",
            "http://127.0.0.com",
            "http://127.0.0.1.evil.com",
            "http://127.0.0.256",
            "http://127.0.0",
            "http://localhost.evil.com",
            "http://[::1].evil.com",
            "http://127.0.0.1:80:80",
            "http://[::2]",
            "http://acme.atlassian.net",
        ] {
            assert_eq!(path_of(Settings::new(&site(Some(bad), None, basic()))), "baseUrl", "{bad}");
        }
    }

    #[test]
    fn cloud_id_routes_through_the_gateway() {
        let s = Settings::new(&site(None, Some("1111-2222"), Auth::Bearer { token: "abc123".into() })).unwrap();
        assert_eq!(s.origin, "https://api.atlassian.com/ex/jira/1111-2222");
        assert!(matches!(&s.credential, Credential::Header(h) if h == "Bearer abc123"));
        assert_eq!(s.app_limit, 5);
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

    fn js(text: &str) -> Result<Config, Error> {
        Config::from_json(text, false, false)
    }

    #[test]
    fn reads_every_auth_type_from_json() {
        let c = js(r#"{"baseUrl":"https://a","auth":{"type":"connect","appKey":"k","sharedSecret":"s"},"apiVersion":3,"retry":false}"#)
            .unwrap();
        assert_eq!(c.auth, Auth::Connect { app_key: "k".into(), shared_secret: "s".into() });
        assert_eq!((c.api_version, c.retry), (3, RetryPolicy::NONE));
        let c = Config::from_json(r#"{"auth":{"type":"bearer"}}"#, false, true).unwrap();
        assert_eq!(c.auth, Auth::TokenProvider { initial: None });
        let c = Config::from_json(r#"{"auth":{"type":"none"}}"#, true, false).unwrap();
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
