//! Who is calling: the one model of the credentials (`auth` in the config), checked once before anything is
//! sent, then asked to authorize each attempt and to say what a 401 means.

use super::connect_jwt;
use crate::decode::{FromJson, Source};
use crate::encode::base64;
use crate::error::{Error, Secrets};
use crate::http::{is_header_value, HttpRequest, HEADER_PROBLEM};
use crate::text::cat;
use std::fmt;

/// Credentials.
#[derive(Clone, Default, PartialEq)]
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
    /// OAuth 2.0 with tokens from a provider (JS: `getToken`): asked at the start of every call, and once more
    /// after a 401 (told which token was refused).
    TokenProvider {
        /// A token to use until Jira refuses it, if the caller has one.
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
    #[default]
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

/// Reads the config's `auth` (checked against its schema by `type`; a `getToken` is JavaScript's, so a bearer
/// auth is read as a token here and the config turns it into a provider).
impl FromJson for Auth {
    fn from_json<S: Source>(v: Option<S>) -> Self {
        let Some(v) = v else { return Auth::None };
        let text = |name: &'static str| String::from_json(v.member(name));
        match text("type").as_str() {
            "basic" => Auth::Basic { email: text("email"), api_token: text("apiToken") },
            "bearer" => Auth::Bearer { token: text("token") },
            "connect" => Auth::Connect { app_key: text("appKey"), shared_secret: text("sharedSecret") },
            _ => Auth::None,
        }
    }
}

impl crate::decode::ToJson for Auth {
    /// Never the credentials: only the kind.
    fn to_json(&self, out: &mut String) {
        out.push_str("{\"type\":\"<redacted>\"}");
    }
}

/// What a 401 from Jira means for the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unauthorized {
    /// Ask the provider for another token (telling it which one was refused), then send once more.
    AskAgain,
    /// The answer stands: the credentials are wrong, or the transport authorizes.
    Final,
}

impl Auth {
    /// Checks that the credentials can be sent as they are, before anything is sent, and adds every form they
    /// take on the wire to `secrets`. `custom_transport` says whether a transport could authorize instead.
    pub(crate) fn check(&self, custom_transport: bool, secrets: &mut Secrets) -> Result<(), Error> {
        match self {
            Auth::Basic { email, api_token } => {
                check_credential("auth.email", email)?;
                check_credential("auth.apiToken", api_token)?;
                secrets.add(api_token);
                secrets.add(&basic(email, api_token));
            }
            Auth::Bearer { token } => {
                check_token("auth.token", token)?;
                secrets.add(token);
            }
            Auth::TokenProvider { initial } => {
                if let Some(token) = initial {
                    check_token("auth.token", token)?;
                    secrets.add(token);
                }
            }
            Auth::Connect { app_key, shared_secret } => {
                check_credential("auth.appKey", app_key)?;
                if shared_secret.is_empty() {
                    return Err(Error::config("auth.sharedSecret", "is empty"));
                }
                secrets.add(shared_secret);
            }
            Auth::None if custom_transport => {}
            Auth::None => {
                return Err(Error::config("auth", "type \"none\" needs a `transport` that authenticates the requests"))
            }
        }
        Ok(())
    }

    /// How many webhooks Jira lets this app hold on a site: 5 per user for an OAuth 2.0 app, 100 otherwise
    /// (Atlassian's Webhooks page, "Registering a webhook using the REST API").
    pub fn app_limit(&self) -> usize {
        match self {
            Auth::Bearer { .. } | Auth::TokenProvider { .. } => 5,
            _ => 100,
        }
    }

    /// Whether this is an OAuth 2.0 app's access token (deliveries and limits differ).
    pub fn is_oauth(&self) -> bool {
        matches!(self, Auth::Bearer { .. } | Auth::TokenProvider { .. })
    }

    /// Whether the provider must be asked for a token before an attempt, holding `token`.
    pub fn needs_token(&self, token: Option<&str>) -> bool {
        matches!(self, Auth::TokenProvider { .. }) && token.is_none()
    }

    /// The provider's token to start with, if the caller gave one.
    pub fn initial_token(&self) -> Option<&str> {
        match self {
            Auth::TokenProvider { initial } => initial.as_deref(),
            _ => None,
        }
    }

    /// Sets `request`'s `Authorization` for one attempt at `now_ms`: the same header every time, a fresh Connect
    /// JWT (bound to the request by its `qsh`), or the provider's `token`. New secrets (a JWT) go to `secrets`.
    pub(crate) fn authorize(&self, request: &mut HttpRequest, now_ms: f64, token: Option<&str>, secrets: &mut Secrets) {
        let header = match self {
            Auth::Basic { email, api_token } => cat!("Basic ", basic(email, api_token)),
            Auth::Bearer { token } => cat!("Bearer ", token),
            Auth::TokenProvider { .. } => cat!("Bearer ", token.unwrap_or_default()),
            Auth::Connect { app_key, shared_secret } => {
                let method = request.method.as_str();
                let jwt =
                    connect_jwt::sign_own(app_key, shared_secret, method, &request.path, (now_ms / 1000.0) as i64);
                secrets.add(&jwt);
                cat!("JWT ", jwt)
            }
            Auth::None => return,
        };
        request.set_header("Authorization", header);
    }

    /// The `Authorization` value when it is the same for every attempt: basic and bearer credentials.
    pub(crate) fn fixed_authorization(&self) -> Option<String> {
        match self {
            Auth::Basic { email, api_token } => Some(cat!("Basic ", basic(email, api_token))),
            Auth::Bearer { token } => Some(cat!("Bearer ", token)),
            _ => None,
        }
    }

    /// What a 401 means, when `asked_again` says whether the provider was already asked after one.
    pub fn on_unauthorized(&self, asked_again: bool) -> Unauthorized {
        match self {
            Auth::TokenProvider { .. } if !asked_again => Unauthorized::AskAgain,
            _ => Unauthorized::Final,
        }
    }
}

/// The value of a Basic `Authorization` header.
fn basic(email: &str, api_token: &str) -> String {
    base64(cat!(email, ':', api_token).as_bytes(), false)
}

/// An email, API token or app key: not empty, no whitespace or control characters at its ends or inside.
fn check_credential(path: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::config(path, "is empty"));
    }
    if !is_header_value(value) || value.chars().any(char::is_whitespace) {
        return Err(Error::config(path, HEADER_PROBLEM));
    }
    Ok(())
}

/// A bearer token as RFC 6750 allows it (`b64token`), so it fits the header unchanged.
pub fn check_token(path: &str, token: &str) -> Result<(), Error> {
    if token.is_empty() {
        return Err(Error::config(path, "is empty"));
    }
    let body = crate::small::trim_end_byte(token, b'=');
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b)) {
        return Err(Error::config(path, HEADER_PROBLEM));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Method;

    fn request() -> HttpRequest {
        HttpRequest {
            method: Method::Get,
            url: "https://a/rest/api/2/webhook".into(),
            path: "/rest/api/2/webhook".into(),
            headers: vec![],
            body: None,
        }
    }

    fn header(auth: &Auth, token: Option<&str>) -> Option<String> {
        let mut r = request();
        auth.authorize(&mut r, 1.7e12, token, &mut Secrets::default());
        r.headers.into_iter().find(|(n, _)| *n == "Authorization").map(|(_, v)| v)
    }

    #[test]
    fn each_kind_authorizes_an_attempt() {
        let basic = Auth::Basic { email: "me@example.com".into(), api_token: "tok3n-value".into() };
        assert_eq!(header(&basic, None).as_deref(), Some("Basic bWVAZXhhbXBsZS5jb206dG9rM24tdmFsdWU="));
        assert_eq!(header(&Auth::Bearer { token: "abc".into() }, None).as_deref(), Some("Bearer abc"));
        assert_eq!(header(&Auth::TokenProvider { initial: None }, Some("t1")).as_deref(), Some("Bearer t1"));
        let connect = Auth::Connect { app_key: "k".into(), shared_secret: "s3cr3t".into() };
        assert!(header(&connect, None).is_some_and(|h| h.starts_with("JWT ey")));
        assert_eq!(header(&Auth::None, None), None);
    }

    #[test]
    fn only_a_provider_is_asked_again_after_a_401_and_only_once() {
        let provider = Auth::TokenProvider { initial: None };
        assert_eq!(provider.on_unauthorized(false), Unauthorized::AskAgain);
        assert_eq!(provider.on_unauthorized(true), Unauthorized::Final);
        assert_eq!(Auth::Bearer { token: "x".into() }.on_unauthorized(false), Unauthorized::Final);
        assert_eq!(Auth::None.on_unauthorized(false), Unauthorized::Final);
        assert!(provider.needs_token(None) && !provider.needs_token(Some("t")));
    }

    #[test]
    fn secrets_of_every_kind_are_collected() {
        let mut secrets = Secrets::default();
        let basic = Auth::Basic { email: "me@example.com".into(), api_token: "tok3n-value".into() };
        basic.check(false, &mut secrets).unwrap();
        let mut text = String::from("bWVAZXhhbXBsZS5jb206dG9rM24tdmFsdWU= and tok3n-value");
        secrets.scrub(&mut text);
        assert_eq!(text, "<redacted> and <redacted>");
        assert_eq!(Auth::None.check(false, &mut secrets).unwrap_err().path.as_deref(), Some("auth"));
        assert!(Auth::None.check(true, &mut secrets).is_ok());
    }
}
