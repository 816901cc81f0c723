//! The configuration as JavaScript passes it (`JiraWebhooksConfig`): the wire schema, declared once for the
//! validators and for TypeScript. Reading it into [`Config`](super::Config) is [`super::settings`]' job.

use crate::auth::Auth;
use crate::decode::{model, Field, FromJson, JsOnly, Shape, Source, Ty};

model! {
    /// How to reach Jira and who is calling. Give `baseUrl` (your site, for Connect apps and API tokens) or
    /// `cloudId` (OAuth 2.0 apps, routed through `https://api.atlassian.com/ex/jira/{cloudId}`), not both.
    pub struct JiraWebhooksConfig [closed] {
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
        auth "auth": Auth = Ty::Tagged("type", AUTH_TYPES),
        /// `2` (default) or `3`: which `/rest/api/{version}` to call. The webhook operations are the same in both.
        #[tsify(optional, type = "2 | 3")]
        api_version "apiVersion": Option<f64> = Ty::Num,
        /// Gives up on a call after this many milliseconds (kind `timeout`), across its retries; a call's own
        /// `timeoutMs` wins.
        #[tsify(optional)]
        timeout_ms "timeoutMs": Option<f64> = Ty::Num,
        /// How failed calls are retried; `false` turns retries off. Default: 3 retries, 500 ms to 30 s apart.
        #[tsify(optional, type = "RetryPolicy | false")]
        retry "retry": Option<RetrySetting> = Ty::BoolOr(RetryPolicy::SHAPE),
        /// Sent as `User-Agent` where the runtime allows it (browsers ignore it).
        #[tsify(optional)]
        user_agent "userAgent": Option<String> = Ty::Str,
        /// Sends the requests instead of the global `fetch` (Forge, Connect iframes, a proxy); then `baseUrl` may
        /// be left out.
        #[tsify(optional, type = "Transport")]
        transport "transport": Option<JsOnly> = Ty::Function,
        /// Sees every call: each request, response and retry, with Jira's rate-limit headers (never a credential).
        #[tsify(optional, type = "CallHooks")]
        hooks "hooks": Option<JsOnly> = Ty::Obj(CallHooks::SHAPE),
    }
}

model! {
    /// Functions that see what each call did, for logs, metrics and pacing. They get plain data, never a
    /// credential; a hook that throws or never settles changes nothing about the call.
    pub struct CallHooks [closed] {
        /// Before each attempt is sent.
        #[tsify(optional, type = "(event: RequestEvent) => unknown")]
        request "request": Option<JsOnly> = Ty::Function,
        /// When an answer came back (any status), or the attempt failed without one (`status` 0).
        #[tsify(optional, type = "(event: ResponseEvent) => unknown")]
        response "response": Option<JsOnly> = Ty::Function,
        /// When the client waits before sending again.
        #[tsify(optional, type = "(event: RetryEvent) => unknown")]
        retry "retry": Option<JsOnly> = Ty::Function,
    }
}

/// The kinds of `auth`, by their `type`.
pub const AUTH_TYPES: &[(&str, &Shape)] = &[
    ("basic", BasicAuth::SHAPE),
    ("bearer", BearerAuth::SHAPE),
    ("connect", ConnectAuth::SHAPE),
    ("none", NoAuth::SHAPE),
];

model! {
    /// An Atlassian account's email and API token (scripts, admin tools acting for an app).
    pub struct BasicAuth [closed] {
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
    /// An OAuth 2.0 (3LO) access token, or a `getToken` that supplies one: asked on the first call, again when
    /// the token it gave expires, and once more after a 401 (then the request is sent again once). With both,
    /// `token` is used until Jira refuses it. `oauth2Tokens(…).getToken` is a `getToken` that refreshes
    /// Atlassian's rotating refresh tokens safely.
    pub struct BearerAuth [closed] {
        /// `"bearer"`.
        #[tsify(type = "\"bearer\"")]
        kind "type": String = Ty::Str,
        /// The access token.
        #[tsify(optional)]
        token "token": Option<String> = Ty::Str,
        /// Supplies an access token. `refused` is the token Jira just answered 401 to, if any: give another.
        #[tsify(optional, type = "(context: TokenContext) => string | Promise<string>")]
        get_token "getToken": Option<JsOnly> = Ty::Function,
    }
}

model! {
    /// A Connect app: each request is signed with a fresh HS256 JWT (iss, iat, exp, qsh).
    pub struct ConnectAuth [closed] {
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
    pub struct NoAuth [closed] {
        /// `"none"`.
        #[tsify(type = "\"none\"")]
        kind "type": String = Ty::Str,
    }
}

model! {
    /// Per-call options, the last argument of every operation.
    pub struct CallOptions [closed] {
        /// Aborts the call (rejects with kind "aborted").
        #[tsify(optional, type = "AbortSignal")]
        signal "signal": Option<JsOnly> = Ty::Any,
        /// Gives up after this many milliseconds, across retries (rejects with kind "timeout"); overrides the
        /// config's `timeoutMs`.
        #[tsify(optional)]
        timeout_ms "timeoutMs": Option<f64> = Ty::Num,
    }
}

model! {
    /// Options of `registerDynamicWebhooks`.
    pub struct RegisterOptions [closed] {
        /// Aborts the call (rejects with kind "aborted").
        #[tsify(optional, type = "AbortSignal")]
        signal "signal": Option<JsOnly> = Ty::Any,
        /// Gives up after this many milliseconds, across retries (rejects with kind "timeout"); overrides the
        /// config's `timeoutMs`.
        #[tsify(optional)]
        timeout_ms "timeoutMs": Option<f64> = Ty::Num,
        /// Reject with kind "partial-failure" when Jira refused any webhook (the error's `result` keeps the created
        /// ids).
        #[tsify(optional)]
        throw_on_partial_failure "throwOnPartialFailure": Option<bool> = Ty::Bool,
    }
}

model! {
    /// What `getToken` is told.
    pub struct TokenContext [open] {
        /// The token Jira just refused with a 401, if that is why a token is asked for.
        #[tsify(optional)]
        refused "refused": Option<String> = Ty::Str,
        /// Aborted when the call is aborted or its deadline passes.
        #[tsify(type = "AbortSignal")]
        signal "signal": JsOnly = Ty::Any,
    }
}

/// How failed calls are retried (`retry` in the config; `false` turns retries off).
#[derive(Clone, Copy, Debug, PartialEq, tsify::Tsify)]
pub struct RetryPolicy {
    /// How many times a call may be sent again (at most 10). Default 3.
    #[tsify(optional)]
    #[serde(rename = "retries")]
    pub retries: u32,
    /// The first backoff step, in milliseconds. Default 500.
    #[tsify(optional)]
    #[serde(rename = "minDelayMs")]
    pub min_delay_ms: f64,
    /// The longest wait between two attempts, in milliseconds. Default 30000.
    #[tsify(optional)]
    #[serde(rename = "maxDelayMs")]
    pub max_delay_ms: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { retries: 3, min_delay_ms: 500.0, max_delay_ms: 30_000.0 }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub const NONE: RetryPolicy = RetryPolicy { retries: 0, min_delay_ms: 0.0, max_delay_ms: 0.0 };

    /// The JSON schema of the config's `retry` object.
    pub const SHAPE: &'static Shape = &Shape {
        fields: &[
            Field { name: "retries", ty: Ty::Int, required: false },
            Field { name: "minDelayMs", ty: Ty::Num, required: false },
            Field { name: "maxDelayMs", ty: Ty::Num, required: false },
        ],
        closed: true,
    };
}

/// The config's `retry`: `false`, `true` or a policy whose missing members take the defaults.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RetrySetting(pub RetryPolicy);

impl FromJson for RetrySetting {
    fn from_json<S: Source>(v: Option<S>) -> Self {
        let Some(v) = v else { return RetrySetting::default() };
        if let Some(on) = v.boolean() {
            return RetrySetting(if on { RetryPolicy::default() } else { RetryPolicy::NONE });
        }
        let d = RetryPolicy::default();
        let number = |name: &'static str| v.member(name).and_then(|n| n.number());
        RetrySetting(RetryPolicy {
            retries: number("retries").map_or(d.retries, |n| n.clamp(0.0, 1e6) as u32),
            min_delay_ms: number("minDelayMs").unwrap_or(d.min_delay_ms),
            max_delay_ms: number("maxDelayMs").unwrap_or(d.max_delay_ms),
        })
    }
}

impl crate::decode::ToJson for RetrySetting {
    fn to_json(&self, out: &mut String) {
        out.push_str("{}");
    }
}
