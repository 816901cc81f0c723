//! OAuth 2.0 (3LO) tokens that cannot be lost: when to refresh, and how concurrent refreshes of one connection
//! end with one stored token pair, as state machines with no I/O.
//!
//! Atlassian's access tokens live an hour, and its refresh tokens rotate: every refresh returns a new refresh
//! token and disables the one that was sent; a spent one is refused with `403 {"error": "invalid_grant"}`
//! ("OAuth 2.0 (3LO) apps", <https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/>, and "Refresh
//! tokens", <https://developer.atlassian.com/cloud/oauth/getting-started/refresh-tokens>; staff answers in the
//! developer community threads "Deprecating persistent refresh tokens" and "Refresh token expire after 36000
//! seconds"). So two workers refreshing one connection at once lose it, unless:
//!
//! - **one refresh per connection per process**: [`TokenManager::begin`] answers [`Begin::Join`] while a refresh is
//!   in flight, and the driver hands every joiner the same promise; N concurrent `getToken` calls, or N concurrent
//!   401s with one token, make one token request (as octokit's auth-app shares one pending promise per key);
//! - **the store is the truth across processes**: a [`TokenRun`] loads first and uses a valid stored token that
//!   another process put there; it saves a rotated pair with a compare-and-swap on the refresh token it spent, and
//!   when that save is refused (another process stored first) it loads and uses the winner's pair;
//! - **`invalid_grant` is not always a revocation**: another process may have spent the same refresh token first and
//!   be about to store its pair. The run loads again (a few times, about 7.5 s in all) and adopts what changed;
//!   only a refresh token that stays the same is a lost grant ([`ErrorKind::Reauthorize`]). A refresh token the
//!   endpoint answered about is never sent again; one the store returns is sent at most once per load.
//! - 429, 5xx and network failures are retried with the same refresh token (the endpoint did not act on it), after
//!   `Retry-After` or exponential backoff with full jitter, within the run's deadline. Any other refusal (such as
//!   `invalid_client`) is [`ErrorKind::Token`]: the app's credentials or the endpoint failed, not the user's grant.
//!
//! A refresh answer without a `refresh_token` keeps the one that was sent (RFC 6749, section 6; the community thread
//! "OAuth rotating tokens: Unknown or invalid refresh token" reports such answers). Errors never hold a token or the
//! client secret: every token a run sees, and the secrets given to the manager, are scrubbed from them.
//!
//! The app's store must read its own writes and compare-and-swap atomically (a database row, Redis, a Durable
//! Object's storage); an eventually consistent store (such as a key-value cache replicated with a delay) can show a
//! spent refresh token after another process stored its successor, and no client logic can make that safe.

use crate::decode::{model, JsOnly, Ty};
use crate::encode::push_json_string;
use crate::error::{Error, ErrorKind, Secrets};
use crate::text::cat;

/// Atlassian's token endpoint (developer.atlassian.com, "OAuth 2.0 (3LO) apps").
pub const TOKEN_URL: &str = "https://auth.atlassian.com/oauth/token";

model! {
    /// `oauth2Tokens`' options: one connection's tokens (one user's grant), kept in the app's store.
    pub struct OAuth2TokensOptions [closed] {
        /// The app's client id.
        client_id "clientId": String = Ty::Text,
        /// The app's client secret; it never appears in an error.
        client_secret "clientSecret": String = Ty::Text,
        /// Reads the connection's stored tokens (`null` when there are none). It must read the store's latest
        /// write: an eventually consistent store can hand back a refresh token that was already spent.
        #[tsify(type = "() => StoredTokens | null | undefined | Promise<StoredTokens | null | undefined>")]
        load "load": JsOnly = Ty::Function,
        /// Compare-and-swap: stores `next` only if the stored refresh token is still `previous.refreshToken`, and says
        /// whether it did (false: another process rotated first; its tokens are used).
        #[tsify(type = "(next: StoredTokens, previous: { refreshToken: string }) => boolean | Promise<boolean>")]
        save "save": JsOnly = Ty::Function,
        /// The token endpoint; default `https://auth.atlassian.com/oauth/token`.
        #[tsify(optional)]
        token_url "tokenUrl": Option<String> = Ty::Str,
        /// Refresh this long before the access token expires. Default 300000 (5 minutes).
        #[tsify(optional)]
        refresh_ahead_ms "refreshAheadMs": Option<f64> = Ty::Num,
        /// How long one refresh may take, retries of the token endpoint included. Default 30000.
        #[tsify(optional)]
        timeout_ms "timeoutMs": Option<f64> = Ty::Num,
    }
}

model! {
    /// A connection's tokens as the app stores them.
    pub struct StoredTokens [open] {
        /// The access token (an hour's life).
        access_token "accessToken": String = Ty::Str,
        /// The refresh token: single use, each refresh returns the next one.
        refresh_token "refreshToken": String = Ty::Text,
        /// When the access token expires, in milliseconds since the epoch.
        expires_at "expiresAt": f64 = Ty::Num,
    }
}

model! {
    /// `exchangeCode`'s options: the code of the authorization redirect, for the first pair of tokens.
    pub struct ExchangeCodeOptions [closed] {
        /// The app's client id.
        client_id "clientId": String = Ty::Text,
        /// The app's client secret.
        client_secret "clientSecret": String = Ty::Text,
        /// The `code` query parameter of the redirect.
        code "code": String = Ty::Text,
        /// The redirect URI the authorization used (it must match).
        redirect_uri "redirectUri": String = Ty::Url,
        /// The token endpoint; default `https://auth.atlassian.com/oauth/token`.
        #[tsify(optional)]
        token_url "tokenUrl": Option<String> = Ty::Str,
        /// Gives up after this many milliseconds. Default 30000.
        #[tsify(optional)]
        timeout_ms "timeoutMs": Option<f64> = Ty::Num,
    }
}

model! {
    /// A site the user granted the app: what `accessibleResources` lists.
    pub struct AccessibleResource [open] {
        /// The site's cloud id: `cloudId` in the client's config.
        id "id": String = Ty::Text,
        /// The site, e.g. `https://your-domain.atlassian.net`.
        url "url": String = Ty::Str,
        /// The site's name.
        name "name": String = Ty::Str,
        /// The scopes granted on it.
        scopes "scopes": Vec<String> = Ty::List(&Ty::Str),
        /// The site's avatar.
        #[tsify(optional)]
        avatar_url "avatarUrl": Option<String> = Ty::Str,
    }
}

model! {
    /// `accessibleResources`' options.
    pub struct AccessibleResourcesOptions [closed] {
        /// The gateway; default `https://api.atlassian.com`.
        #[tsify(optional)]
        gateway_url "gatewayUrl": Option<String> = Ty::Str,
        /// Gives up after this many milliseconds. Default 30000.
        #[tsify(optional)]
        timeout_ms "timeoutMs": Option<f64> = Ty::Num,
    }
}

/// What the token endpoint answers with 200: the new pair and its lifetime (`refresh_token` may be absent when
/// the grant keeps the one that was sent).
pub static TOKEN_ANSWER: &crate::decode::Shape = &crate::decode::Shape {
    fields: &[
        crate::decode::Field { name: "access_token", ty: Ty::Text, required: true },
        crate::decode::Field { name: "refresh_token", ty: Ty::Text, required: false },
        crate::decode::Field { name: "expires_in", ty: Ty::Num, required: true },
    ],
    closed: false,
};

/// What a token request asks for.
pub enum Grant<'a> {
    /// The next pair for a refresh token (it is spent by this request).
    Refresh(&'a str),
    /// The first pair for an authorization code and the redirect URI it was issued for.
    Code(&'a str, &'a str),
}

/// The JSON body of a request to the token endpoint (Atlassian's OAuth 2.0 (3LO) page).
pub fn token_request(client_id: &str, client_secret: &str, grant: Grant) -> String {
    let mut out = String::from("{\"grant_type\":");
    let members: [(&str, &str); 2] = match grant {
        Grant::Refresh(token) => {
            push_json_string(&mut out, "refresh_token");
            [("refresh_token", token), ("", "")]
        }
        Grant::Code(code, redirect_uri) => {
            push_json_string(&mut out, "authorization_code");
            [("code", code), ("redirect_uri", redirect_uri)]
        }
    };
    for (name, value) in [("client_id", client_id), ("client_secret", client_secret)].into_iter().chain(members) {
        if name.is_empty() {
            continue;
        }
        out.push(',');
        push_json_string(&mut out, name);
        out.push(':');
        push_json_string(&mut out, value);
    }
    out.push('}');
    out
}

/// A connection's tokens.
#[derive(Clone, PartialEq)]
pub struct Tokens {
    /// The access token, sent as `Authorization: Bearer`.
    pub access_token: String,
    /// The refresh token: single use, it buys the next pair.
    pub refresh_token: String,
    /// When the access token expires (wall clock, ms since the epoch).
    pub expires_at_ms: f64,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .field("expires_at_ms", &(self.expires_at_ms as i64))
            .finish()
    }
}

/// Why the token store could not answer, in words safe to show (never a thrown value's message that may hold a
/// secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreFailure {
    /// What failed, e.g. `load threw TypeError`.
    pub reason: String,
}

impl StoreFailure {
    /// A failure for `reason`.
    pub fn new(reason: impl Into<String>) -> Self {
        StoreFailure { reason: reason.into() }
    }
}

/// What the token endpoint answered to a refresh.
#[derive(Clone, PartialEq)]
pub enum TokenResponse {
    /// 200 with a new pair.
    Issued {
        /// The new access token.
        access_token: String,
        /// The new refresh token; `None` keeps the one that was sent.
        refresh_token: Option<String>,
        /// The access token's lifetime in seconds (`expires_in`).
        expires_in_s: f64,
    },
    /// `invalid_grant` (400 or 403): the refresh token is spent, expired or revoked.
    InvalidGrant,
    /// 408, 429, 5xx, or no answer (status 0): the endpoint did not act; try again.
    Retryable {
        /// The status, 0 when no answer came.
        status: u16,
        /// `Retry-After`, in ms.
        retry_after_ms: Option<f64>,
    },
    /// Any other failure, such as `invalid_client`: the app's credentials or request are wrong.
    Rejected {
        /// The status.
        status: u16,
    },
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenResponse::Issued { expires_in_s, .. } => write!(f, "Issued(<redacted>, {} s)", *expires_in_s as i64),
            TokenResponse::InvalidGrant => f.write_str("InvalidGrant"),
            TokenResponse::Retryable { status, retry_after_ms } => {
                write!(f, "Retryable({status}, {:?})", retry_after_ms.map(|ms| ms as u64))
            }
            TokenResponse::Rejected { status } => write!(f, "Rejected({status})"),
        }
    }
}

impl TokenResponse {
    /// Classifies an answer that issued no tokens: its status (0 when no answer came), the body's `error` code and
    /// the `Retry-After` header (whole seconds; an HTTP-date falls back to backoff).
    pub fn classify(status: u16, error_code: Option<&str>, retry_after: Option<&str>) -> TokenResponse {
        let retry_after_ms = retry_after
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.len() <= 9 && v.bytes().all(|b| b.is_ascii_digit()))
            .map(|v| v.bytes().fold(0.0, |n, b| n * 10.0 + f64::from(b - b'0')) * 1000.0);
        match (status, error_code.map(str::trim)) {
            (400 | 403, Some("invalid_grant")) => TokenResponse::InvalidGrant,
            (0 | 408 | 429 | 500..=599, _) => TokenResponse::Retryable { status, retry_after_ms },
            _ => TokenResponse::Rejected { status },
        }
    }
}

/// When to refresh, and how long a refresh may take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TokenPolicy {
    /// Refresh when the access token expires within this many ms (`refreshAheadMs`).
    pub refresh_ahead_ms: f64,
    /// How long one refresh may take, waits included, in ms.
    pub timeout_ms: f64,
}

impl TokenPolicy {
    /// 5 minutes: an access token lives an hour; refreshing 5 minutes ahead leaves room for clock skew and for a
    /// request that starts just before expiry, and costs one refresh in twelve.
    pub const REFRESH_AHEAD_MS: f64 = 300_000.0;
    /// 30 s: a refresh is one small request; beyond this the caller is better told.
    pub const TIMEOUT_MS: f64 = 30_000.0;
    /// At most this many token requests per run (retries and refreshes after another process rotated).
    pub const MAX_REQUESTS: u32 = 6;
    /// The first backoff step, in ms.
    pub const MIN_DELAY_MS: f64 = 500.0;
    /// The longest backoff step, in ms.
    pub const MAX_DELAY_MS: f64 = 10_000.0;
    /// After `invalid_grant` with the stored refresh token unchanged, how many times the store is read again
    /// (after 0.5, 1, 2 and 4 s) before the grant is taken as lost.
    pub const RECHECKS: u32 = 4;
    /// At most this many attempts to save a rotated pair: the spent refresh token cannot buy it again.
    pub const MAX_SAVES: u32 = 4;

    /// Checks the numbers: `refresh_ahead_ms` from 0 to 30 minutes, `timeout_ms` from 1 ms to 10 minutes.
    pub fn validated(self) -> Result<TokenPolicy, Error> {
        if !(0.0..=1_800_000.0).contains(&self.refresh_ahead_ms) {
            return Err(Error::config("refreshAheadMs", "must be between 0 and 1800000 (30 minutes)"));
        }
        if !(1.0..=600_000.0).contains(&self.timeout_ms) {
            return Err(Error::config("timeoutMs", "must be between 1 and 600000 (10 minutes)"));
        }
        Ok(self)
    }

    fn fresh(&self, tokens: &Tokens, now_ms: f64) -> bool {
        !tokens.access_token.is_empty() && tokens.expires_at_ms - now_ms > self.refresh_ahead_ms
    }
}

impl Default for TokenPolicy {
    fn default() -> Self {
        TokenPolicy { refresh_ahead_ms: Self::REFRESH_AHEAD_MS, timeout_ms: Self::TIMEOUT_MS }
    }
}

/// What the driver does next for a [`TokenRun`].
// `Done` carries the error by value, as `Call`'s actions do: it is the last action of a run, boxing buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, PartialEq)]
pub enum TokenAction {
    /// Read the connection's stored tokens (the app's `load`); report with `on_load`.
    Load,
    /// Send `grant_type=refresh_token` with this refresh token to the token endpoint; report with
    /// `on_token_response`.
    Refresh {
        /// The refresh token to spend.
        refresh_token: String,
    },
    /// Store `next` only if the stored refresh token is still `previous_refresh_token` (the app's
    /// `save(next, previous)`); report with `on_save` (`false`: someone else stored first).
    Save {
        /// The new pair.
        next: Tokens,
        /// The refresh token that was spent for it.
        previous_refresh_token: String,
    },
    /// Wait this many whole milliseconds, then poll again.
    Sleep(f64),
    /// The run is over: the tokens to use, or why there are none.
    Done(Result<Tokens, Error>),
}

impl std::fmt::Debug for TokenAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenAction::Load => f.write_str("Load"),
            TokenAction::Refresh { .. } => f.write_str("Refresh(<redacted>)"),
            TokenAction::Save { next, .. } => write!(f, "Save({next:?})"),
            TokenAction::Sleep(ms) => write!(f, "Sleep({})", *ms as u64),
            TokenAction::Done(r) => write!(f, "Done({r:?})"),
        }
    }
}

/// Why the run reads the store.
#[derive(Clone)]
enum Why {
    /// Its first look.
    First,
    /// The endpoint answered `invalid_grant` to `presented`; the store was read `rechecks` times since.
    InvalidGrant { presented: String, rechecks: u32 },
    /// Its save of `next` (bought with `previous`) was refused.
    LostSave { next: Tokens, previous: String },
}

/// What the run does at its next poll.
#[derive(Clone)]
enum Then {
    Load(Why),
    Refresh(String),
    Save(Tokens, String),
}

#[derive(Clone)]
enum State {
    Ready(Then),
    Sleeping(f64, Then),
    Loading(Why),
    Loaded(Why, Result<Option<Tokens>, StoreFailure>),
    Refreshing(String),
    Answered(String, TokenResponse),
    Saving(Tokens, String),
    Saved(Tokens, String, Result<bool, StoreFailure>),
    Ended(Result<Tokens, Error>),
}

/// One refresh attempt of one connection, from its first look at the store to the tokens to use.
#[derive(Clone)]
pub struct TokenRun {
    policy: TokenPolicy,
    deadline: f64,
    refused: Option<String>,
    state: State,
    requests: u32,
    saves: u32,
    waits: u32,
    /// The status of the last retryable answer (0: none, or no answer).
    last_status: u16,
    /// Refresh tokens the endpoint answered about: never sent again.
    spent: Vec<String>,
    secrets: Secrets,
}

impl std::fmt::Debug for TokenRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenRun(requests: {}, saves: {})", self.requests, self.saves)
    }
}

impl TokenRun {
    /// A run starting at `now_ms` that must end within `policy.timeout_ms`. `refused` is an access token the API
    /// answered 401 to: it is not used again.
    pub fn new(now_ms: f64, policy: TokenPolicy, refused: Option<&str>) -> Self {
        let mut secrets = Secrets::default();
        if let Some(token) = refused {
            secrets.add(token);
        }
        TokenRun {
            policy,
            deadline: now_ms + policy.timeout_ms,
            refused: refused.map(str::to_owned),
            state: State::Ready(Then::Load(Why::First)),
            requests: 0,
            saves: 0,
            waits: 0,
            last_status: 0,
            spent: Vec::new(),
            secrets,
        }
    }

    /// Adds a string that must never appear in an error, such as the client secret.
    pub fn add_secret(&mut self, secret: &str) {
        self.secrets.add(secret);
    }

    /// How long until the deadline, in whole milliseconds (for the token request's own timeout).
    pub fn remaining_ms(&self, now_ms: f64) -> f64 {
        whole_ms(self.deadline - now_ms)
    }

    /// What to do next. `now_ms` is the wall clock, `random` a number in `[0, 1)` for backoff jitter.
    pub fn poll(&mut self, now_ms: f64, random: f64) -> TokenAction {
        let state = std::mem::replace(&mut self.state, State::Ready(Then::Load(Why::First)));
        match state {
            State::Ready(then) => self.act(then, now_ms),
            State::Sleeping(until, then) if now_ms < until => {
                self.state = State::Sleeping(until, then);
                TokenAction::Sleep(whole_ms(until - now_ms))
            }
            State::Sleeping(_, then) => self.act(then, now_ms),
            State::Loaded(why, loaded) => self.loaded(why, loaded, now_ms),
            State::Answered(presented, response) => self.answered(presented, response, now_ms, random),
            State::Saved(next, previous, saved) => self.saved(next, previous, saved, now_ms, random),
            State::Loading(_) | State::Refreshing(_) | State::Saving(..) => {
                self.end(Err(fail(ErrorKind::Token, "poll", "the driver polled a token run that awaited an event")))
            }
            State::Ended(result) => {
                self.state = State::Ended(result.clone());
                TokenAction::Done(result)
            }
        }
    }

    /// The store answered `Load`: the stored tokens, `None` when there are none.
    pub fn on_load(&mut self, loaded: Result<Option<Tokens>, StoreFailure>) {
        if let State::Loading(why) = &self.state {
            self.state = State::Loaded(why.clone(), loaded);
        }
    }

    /// The token endpoint answered `Refresh`.
    pub fn on_token_response(&mut self, response: TokenResponse) {
        if let State::Refreshing(presented) = &mut self.state {
            self.state = State::Answered(std::mem::take(presented), response);
        }
    }

    /// The store answered `Save`: `true` when it stored the pair, `false` when its refresh token had changed.
    pub fn on_save(&mut self, saved: Result<bool, StoreFailure>) {
        if let State::Saving(next, previous) = &mut self.state {
            let (next, previous) = (next.clone(), std::mem::take(previous));
            self.state = State::Saved(next, previous, saved);
        }
    }

    fn act(&mut self, then: Then, now_ms: f64) -> TokenAction {
        if now_ms >= self.deadline {
            let mut e = fail(ErrorKind::Token, "timeout", "");
            e.message = cat!("no OAuth 2.0 token within the deadline of ", self.policy.timeout_ms as u64, " ms");
            return self.end(Err(e));
        }
        match then {
            Then::Load(why) => {
                self.state = State::Loading(why);
                TokenAction::Load
            }
            Then::Refresh(_) if self.requests >= TokenPolicy::MAX_REQUESTS => {
                let mut e = fail(ErrorKind::Token, "refresh", "");
                e.message = cat!(
                    "no OAuth 2.0 token after ",
                    self.requests,
                    " token requests: the endpoint kept failing, or other processes kept rotating the tokens"
                );
                e.status = self.last_status;
                self.end(Err(e))
            }
            Then::Refresh(refresh_token) => {
                self.requests += 1;
                self.secrets.add(&refresh_token);
                self.state = State::Refreshing(refresh_token.clone());
                TokenAction::Refresh { refresh_token }
            }
            Then::Save(next, previous) => {
                self.saves += 1;
                self.state = State::Saving(next.clone(), previous.clone());
                TokenAction::Save { next, previous_refresh_token: previous }
            }
        }
    }

    fn loaded(&mut self, why: Why, loaded: Result<Option<Tokens>, StoreFailure>, now_ms: f64) -> TokenAction {
        let stored = match loaded {
            Err(f) => {
                let message = cat!("loading the stored OAuth 2.0 tokens failed (", f.reason, ")");
                return self.end(Err(fail(ErrorKind::Token, "load", &message)));
            }
            Ok(None) => {
                let message = "no OAuth 2.0 tokens are stored for this connection: the user must authorize the app";
                return self.end(Err(fail(ErrorKind::Reauthorize, "load", message)));
            }
            Ok(Some(stored)) => stored,
        };
        self.secrets.add(&stored.access_token);
        self.secrets.add(&stored.refresh_token);
        match why {
            Why::First => {}
            Why::LostSave { next, .. } if stored.refresh_token == next.refresh_token => {
                // Our save landed after all (its answer was lost).
                return self.end(Ok(stored));
            }
            Why::LostSave { previous, .. } if stored.refresh_token == previous => {
                let message = "the token store refused the rotated tokens but still holds the previous ones: its \
                               save must compare and swap consistently";
                return self.end(Err(fail(ErrorKind::Token, "save", message)));
            }
            Why::LostSave { .. } => {}
            Why::InvalidGrant { presented, rechecks } if stored.refresh_token == presented => {
                if rechecks < TokenPolicy::RECHECKS {
                    // Another process may have spent it and be about to store its pair.
                    let wait = TokenPolicy::MIN_DELAY_MS * f64::from(1u32 << rechecks);
                    let then = Then::Load(Why::InvalidGrant { presented, rechecks: rechecks + 1 });
                    return self.sleep(now_ms, wait, then, |e| e);
                }
                let message = "Atlassian refused the stored refresh token (invalid_grant) and no other process \
                               replaced it: it expired or was revoked, and the user must authorize the app again";
                return self.end(Err(fail(ErrorKind::Reauthorize, "refresh", message)));
            }
            Why::InvalidGrant { .. } => {}
        }
        let usable = self.policy.fresh(&stored, now_ms) && self.refused.as_deref() != Some(&*stored.access_token);
        if usable {
            return self.end(Ok(stored));
        }
        if self.spent.contains(&stored.refresh_token) {
            // Not proof that the grant is gone: more likely a stale read. Never send it again; a later run may.
            let message = "the token store returned a refresh token that was already spent (a stale read?): its \
                           load must see the latest save";
            return self.end(Err(fail(ErrorKind::Token, "load", message)));
        }
        self.act(Then::Refresh(stored.refresh_token), now_ms)
    }

    fn answered(&mut self, presented: String, response: TokenResponse, now_ms: f64, random: f64) -> TokenAction {
        match response {
            TokenResponse::Issued { access_token, refresh_token, expires_in_s } => {
                if refresh_token.as_deref().is_some_and(|r| r != presented) {
                    self.spent.push(presented.clone());
                }
                if access_token.is_empty() {
                    let message = "the token endpoint answered without an access_token";
                    return self.end(Err(fail(ErrorKind::Token, "refresh", message)));
                }
                let lifetime_ms =
                    if expires_in_s.is_finite() && expires_in_s > 0.0 { expires_in_s * 1000.0 } else { 0.0 };
                let next = Tokens {
                    refresh_token: refresh_token.unwrap_or_else(|| presented.clone()),
                    access_token,
                    expires_at_ms: now_ms + lifetime_ms,
                };
                self.secrets.add(&next.access_token);
                self.secrets.add(&next.refresh_token);
                self.act(Then::Save(next, presented), now_ms)
            }
            TokenResponse::InvalidGrant => {
                self.spent.push(presented.clone());
                self.act(Then::Load(Why::InvalidGrant { presented, rechecks: 0 }), now_ms)
            }
            TokenResponse::Retryable { status, retry_after_ms } => {
                self.last_status = status;
                let wait = retry_after_ms.unwrap_or_else(|| self.backoff(random));
                self.sleep(now_ms, wait, Then::Refresh(presented), |mut e| {
                    e.message = cat!("the token endpoint ", answer(status), " until the deadline");
                    e.status = status;
                    e.retry_after_ms = retry_after_ms.map(|ms| ms as u64);
                    e.path = Some("refresh".into());
                    e
                })
            }
            TokenResponse::Rejected { status } => {
                let mut e = fail(ErrorKind::Token, "refresh", "");
                e.message = cat!(
                    "the token endpoint refused the refresh with ",
                    status,
                    ": check the app's client id and secret and the token URL"
                );
                e.status = status;
                self.end(Err(e))
            }
        }
    }

    fn saved(
        &mut self,
        next: Tokens,
        previous: String,
        saved: Result<bool, StoreFailure>,
        now_ms: f64,
        random: f64,
    ) -> TokenAction {
        match saved {
            Ok(true) => self.end(Ok(next)),
            Ok(false) => self.act(Then::Load(Why::LostSave { next, previous }), now_ms),
            Err(f) if self.saves < TokenPolicy::MAX_SAVES => {
                // The spent refresh token cannot buy this pair again: try the save again.
                let wait = self.backoff(random);
                self.sleep(now_ms, wait, Then::Save(next, previous), |mut e| {
                    e.message = cat!("saving the rotated OAuth 2.0 tokens failed (", f.reason, ") until the deadline");
                    e.path = Some("save".into());
                    e
                })
            }
            Err(f) => {
                let message = cat!(
                    "saving the rotated OAuth 2.0 tokens failed (",
                    f.reason,
                    "): the previous refresh token is spent, so unless the store recovers the user must authorize \
                     the app again"
                );
                self.end(Err(fail(ErrorKind::Token, "save", &message)))
            }
        }
    }

    /// Full jitter: a random wait up to `MIN_DELAY_MS * 2^n`, at most `MAX_DELAY_MS`.
    fn backoff(&mut self, random: f64) -> f64 {
        let step = TokenPolicy::MIN_DELAY_MS * f64::from(1u32 << self.waits.min(10));
        self.waits += 1;
        random.clamp(0.0, 1.0) * step.min(TokenPolicy::MAX_DELAY_MS)
    }

    /// Sleeps `wait_ms`, then does `then`; ends with the timeout error `describe` makes if the deadline comes first.
    fn sleep(&mut self, now_ms: f64, wait_ms: f64, then: Then, describe: impl FnOnce(Error) -> Error) -> TokenAction {
        let wait = whole_ms(wait_ms);
        if now_ms + wait >= self.deadline {
            return self.end(Err(describe(fail(ErrorKind::Token, "timeout", ""))));
        }
        self.state = State::Sleeping(now_ms + wait, then);
        TokenAction::Sleep(wait)
    }

    fn end(&mut self, result: Result<Tokens, Error>) -> TokenAction {
        let result = result.map_err(|mut e| {
            e.attempts = self.requests;
            e.redact(&self.secrets);
            e
        });
        self.state = State::Ended(result.clone());
        TokenAction::Done(result)
    }
}

fn answer(status: u16) -> String {
    if status == 0 {
        String::from("could not be reached")
    } else {
        cat!("answered ", status)
    }
}

fn fail(kind: ErrorKind, step: &str, message: &str) -> Error {
    let mut e = Error::new(kind, message);
    e.path = Some(step.to_owned());
    e
}

/// Whole milliseconds a timer takes (0 for anything not positive).
fn whole_ms(ms: f64) -> f64 {
    if ms > 0.0 {
        ms.ceil().min(2_147_483_647.0)
    } else {
        0.0
    }
}

/// What [`TokenManager::begin`] decided.
#[derive(Debug)]
pub enum Begin {
    /// Use this access token.
    Ready(String),
    /// A refresh is in flight: await its result (the same promise).
    Join,
    /// Drive this run, then hand its result to [`TokenManager::finish`] and to every joiner.
    Start(Box<TokenRun>),
}

/// The tokens of one connection in one process: the last ones known, and whether a refresh is in flight.
#[derive(Clone)]
pub struct TokenManager {
    policy: TokenPolicy,
    tokens: Option<Tokens>,
    in_flight: bool,
    secrets: Secrets,
}

impl std::fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenManager(tokens: {:?}, in_flight: {})", self.tokens, self.in_flight)
    }
}

impl TokenManager {
    /// A manager with no tokens yet (the first `begin` loads them).
    pub fn new(policy: TokenPolicy) -> Self {
        TokenManager { policy, tokens: None, in_flight: false, secrets: Secrets::default() }
    }

    /// Adds a string that must never appear in an error, such as the client secret.
    pub fn add_secret(&mut self, secret: &str) {
        self.secrets.add(secret);
    }

    /// The tokens last known.
    pub fn tokens(&self) -> Option<&Tokens> {
        self.tokens.as_ref()
    }

    /// Whether a refresh is in flight.
    pub fn in_flight(&self) -> bool {
        self.in_flight
    }

    /// A token for a call at `now_ms`. `refused` is the access token the API just answered 401 to, if any.
    pub fn begin(&mut self, now_ms: f64, refused: Option<&str>) -> Begin {
        if self.in_flight {
            return Begin::Join;
        }
        if let Some(t) = &self.tokens {
            if self.policy.fresh(t, now_ms) && refused != Some(&*t.access_token) {
                return Begin::Ready(t.access_token.clone());
            }
        }
        self.in_flight = true;
        let mut run = TokenRun::new(now_ms, self.policy, refused);
        run.secrets = self.secrets.clone();
        if let Some(token) = refused {
            run.secrets.add(token);
        }
        Begin::Start(Box::new(run))
    }

    /// The run that `begin` started ended: remember its tokens (a lost grant forgets them).
    pub fn finish(&mut self, result: &Result<Tokens, Error>) {
        self.in_flight = false;
        match result {
            Ok(tokens) => self.tokens = Some(tokens.clone()),
            Err(e) if e.kind == ErrorKind::Reauthorize => self.tokens = None,
            Err(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenAction as T;

    const NOW: f64 = 1_764_400_000_000.0;
    const HOUR_MS: f64 = 3_600_000.0;
    const CLIENT_SECRET: &str = "client-s3cr3t";

    fn pair(n: u32, expires_at_ms: f64) -> Tokens {
        Tokens { access_token: format!("access-{n}"), refresh_token: format!("refresh-{n}"), expires_at_ms }
    }

    /// Atlassian's token endpoint as the community describes it: one valid refresh token per grant, rotated by
    /// every refresh; a spent or revoked one answers `invalid_grant`.
    #[derive(Clone)]
    struct Endpoint {
        valid: Vec<String>,
        issued: u32,
        spent: Vec<String>,
        presented: Vec<String>,
        spent_presented: u32,
        /// Answers to give first, before acting.
        script: Vec<TokenResponse>,
    }

    impl Endpoint {
        fn new(valid: &str) -> Self {
            Endpoint {
                valid: vec![valid.into()],
                issued: 100,
                spent: vec![],
                presented: vec![],
                spent_presented: 0,
                script: vec![],
            }
        }

        fn refresh(&mut self, token: &str) -> TokenResponse {
            self.presented.push(token.into());
            if !self.script.is_empty() {
                return self.script.remove(0);
            }
            if let Some(i) = self.valid.iter().position(|v| v == token) {
                self.issued += 1;
                let n = self.issued;
                self.valid[i] = format!("refresh-{n}");
                self.spent.push(token.into());
                TokenResponse::Issued {
                    access_token: format!("access-{n}"),
                    refresh_token: Some(format!("refresh-{n}")),
                    expires_in_s: 3600.0,
                }
            } else {
                if self.spent.iter().any(|s| s == token) {
                    self.spent_presented += 1;
                }
                TokenResponse::InvalidGrant
            }
        }
    }

    /// The app's store: `save` is a compare-and-swap on the refresh token.
    #[derive(Clone)]
    struct Store {
        tokens: Option<Tokens>,
        fail_loads: u32,
        fail_saves: u32,
        /// Apply the next save but report a failure (its answer is lost).
        lose_save_answers: u32,
    }

    impl Store {
        fn holding(tokens: Tokens) -> Self {
            Store { tokens: Some(tokens), fail_loads: 0, fail_saves: 0, lose_save_answers: 0 }
        }

        fn load(&mut self) -> Result<Option<Tokens>, StoreFailure> {
            if self.fail_loads > 0 {
                self.fail_loads -= 1;
                return Err(StoreFailure::new("load threw Error"));
            }
            Ok(self.tokens.clone())
        }

        fn save(&mut self, next: &Tokens, previous: &str) -> Result<bool, StoreFailure> {
            if self.fail_saves > 0 {
                self.fail_saves -= 1;
                return Err(StoreFailure::new("save threw Error"));
            }
            let swapped = self.tokens.as_ref().is_some_and(|t| t.refresh_token == previous);
            if swapped {
                self.tokens = Some(next.clone());
            }
            if swapped && self.lose_save_answers > 0 {
                self.lose_save_answers -= 1;
                return Err(StoreFailure::new("save timed out"));
            }
            Ok(swapped)
        }
    }

    #[derive(Clone)]
    struct World {
        endpoint: Endpoint,
        store: Store,
        now: f64,
    }

    impl World {
        fn new(stored: Tokens) -> Self {
            World { endpoint: Endpoint::new(&stored.refresh_token), store: Store::holding(stored), now: NOW }
        }

        /// No token is lost: what the store holds is what the endpoint will accept.
        fn assert_nothing_lost(&self) {
            let stored = self.store.tokens.as_ref().expect("tokens stored");
            assert!(self.endpoint.valid.contains(&stored.refresh_token), "the stored refresh token was spent");
        }
    }

    /// Drives one run against the world, one action per step, and checks the invariants on every refresh: the
    /// token sent is the one this run's latest load returned, and it is sent again only after a retryable answer.
    #[derive(Clone, Default)]
    struct Driver {
        run: Option<Box<TokenRun>>,
        latest_load: Option<String>,
        sent: Vec<(String, bool)>,
        actions: Vec<String>,
        result: Option<Result<Tokens, Error>>,
        random: f64,
    }

    impl Driver {
        fn new(run: Box<TokenRun>) -> Self {
            Driver { run: Some(run), random: 0.5, ..Driver::default() }
        }

        fn done(&self) -> bool {
            self.result.is_some()
        }

        /// One action; false when the run was over already.
        fn step(&mut self, w: &mut World) -> bool {
            if self.done() {
                return false;
            }
            let run = self.run.as_mut().unwrap();
            let action = run.poll(w.now, self.random);
            self.actions.push(match &action {
                T::Load => "load".into(),
                T::Refresh { .. } => "refresh".into(),
                T::Save { .. } => "save".into(),
                T::Sleep(ms) => format!("sleep {ms}"),
                T::Done(Ok(_)) => "ok".into(),
                T::Done(Err(e)) => e.kind.as_str().into(),
            });
            match action {
                T::Load => {
                    let loaded = w.store.load();
                    self.latest_load = loaded.as_ref().ok().and_then(|t| t.as_ref()).map(|t| t.refresh_token.clone());
                    run.on_load(loaded);
                }
                T::Refresh { refresh_token } => {
                    assert_eq!(Some(&refresh_token), self.latest_load.as_ref(), "sent a token the store did not give");
                    if let Some((_, retryable)) = self.sent.iter().rev().find(|(t, _)| *t == refresh_token) {
                        assert!(*retryable, "sent a refresh token twice");
                    }
                    let response = w.endpoint.refresh(&refresh_token);
                    let retryable = matches!(response, TokenResponse::Retryable { .. });
                    self.sent.push((refresh_token, retryable));
                    run.on_token_response(response);
                }
                T::Save { next, previous_refresh_token } => run.on_save(w.store.save(&next, &previous_refresh_token)),
                T::Sleep(ms) => {
                    assert!(ms >= 0.0 && ms.fract() == 0.0);
                    w.now += ms;
                }
                T::Done(result) => {
                    if let Err(e) = &result {
                        let json = e.fields_json();
                        assert!(!json.contains("access-") && !json.contains("refresh-"), "{json}");
                        assert!(!json.contains(CLIENT_SECRET), "{json}");
                    }
                    self.result = Some(result);
                }
            }
            true
        }

        fn finish(mut self, w: &mut World) -> Result<Tokens, Error> {
            while self.step(w) {}
            self.result.unwrap()
        }
    }

    fn manager() -> TokenManager {
        let mut m = TokenManager::new(TokenPolicy::default());
        m.add_secret(CLIENT_SECRET);
        m
    }

    fn start(m: &mut TokenManager, now: f64, refused: Option<&str>) -> Driver {
        match m.begin(now, refused) {
            Begin::Start(run) => Driver::new(run),
            other => panic!("expected a run, got {other:?}"),
        }
    }

    /// A stale stored pair: its access token expires within the refresh-ahead window.
    fn stale() -> Tokens {
        pair(1, NOW + 60_000.0)
    }

    #[test]
    fn concurrent_calls_in_one_process_make_one_token_request() {
        let mut w = World::new(stale());
        let mut m = manager();
        let run = start(&mut m, w.now, None);
        assert!(matches!(m.begin(w.now, None), Begin::Join));
        assert!(matches!(m.begin(w.now, Some("access-1")), Begin::Join), "a 401 during the refresh joins too");
        let tokens = run.finish(&mut w).unwrap();
        m.finish(&Ok(tokens.clone()));
        assert_eq!(tokens, pair(101, NOW + HOUR_MS));
        assert_eq!(w.endpoint.presented, ["refresh-1"]);
        assert_eq!(w.store.tokens.as_ref(), Some(&tokens), "stored before use");
        match m.begin(w.now + 1_000.0, None) {
            Begin::Ready(token) => assert_eq!(token, "access-101"),
            other => panic!("{other:?}"),
        }
        w.assert_nothing_lost();
    }

    #[test]
    fn a_fresh_stored_token_is_used_without_a_request() {
        let mut w = World::new(pair(7, NOW + HOUR_MS));
        let mut m = manager();
        let tokens = start(&mut m, w.now, None).finish(&mut w).unwrap();
        assert_eq!((tokens.access_token.as_str(), w.endpoint.presented.len()), ("access-7", 0));
    }

    /// Two processes refresh one connection at once, in every order of their steps: one wins at the endpoint,
    /// the other gets `invalid_grant`, and adopts the winner's stored pair as soon as it is there.
    #[test]
    fn two_processes_refreshing_at_once_lose_no_token() {
        fn explore(w: World, a: Driver, b: Driver, seen: &mut [u32; 3]) {
            let mut any = false;
            for pick in [0, 1] {
                let (mut w2, mut a2, mut b2) = (w.clone(), a.clone(), b.clone());
                if if pick == 0 { a2.step(&mut w2) } else { b2.step(&mut w2) } {
                    any = true;
                    explore(w2, a2, b2, seen);
                }
            }
            if !any {
                check(&w, &a, &b, seen);
            }
        }
        fn check(w: &World, a: &Driver, b: &Driver, seen: &mut [u32; 3]) {
            w.assert_nothing_lost();
            let requests = w.endpoint.presented.len();
            assert!((1..=2).contains(&requests), "at most one request each: {requests}");
            assert_eq!(w.endpoint.spent_presented as usize, requests - 1, "only a loser sends a spent token");
            let stored = w.store.tokens.clone().unwrap();
            let results = [a.result.clone().unwrap(), b.result.clone().unwrap()];
            let reauthorized = results.iter().filter(|r| r.as_ref().is_err_and(|e| e.kind == ErrorKind::Reauthorize));
            match reauthorized.count() {
                0 => {
                    assert!(results.iter().all(|r| r.as_ref() == Ok(&stored)), "both use the stored pair");
                    seen[0] += 1;
                }
                1 => {
                    // Only when the winner stored its pair after the loser's 7.5 s of rechecks.
                    let loser = if results[0].is_err() { a } else { b };
                    assert_eq!(loser.actions.iter().filter(|s| *s == "load").count(), 6, "{:?}", loser.actions);
                    seen[1] += 1;
                }
                _ => panic!("both reauthorized"),
            }
            seen[2] += 1;
        }
        let w = World::new(stale());
        let (mut p1, mut p2) = (manager(), manager());
        let (a, b) = (start(&mut p1, w.now, None), start(&mut p2, w.now, None));
        let mut seen = [0; 3];
        explore(w, a, b, &mut seen);
        assert!(seen[0] > 10 * seen[1], "adopting is the rule: {seen:?}");
        assert!(seen[2] > 100, "orders explored: {seen:?}");
    }

    #[test]
    fn the_loser_of_a_race_adopts_the_winners_pair_in_the_usual_order() {
        let mut w = World::new(stale());
        let (mut p1, mut p2) = (manager(), manager());
        let (mut a, mut b) = (start(&mut p1, w.now, None), start(&mut p2, w.now, None));
        a.step(&mut w); // load
        b.step(&mut w); // load
        a.step(&mut w); // refresh: issued
        b.step(&mut w); // refresh: invalid_grant
        b.step(&mut w); // load: unchanged
        b.step(&mut w); // sleep 500
        a.step(&mut w); // save
        let a = a.finish(&mut w).unwrap();
        let b = b.finish(&mut w).unwrap();
        assert_eq!((a.clone(), w.store.tokens.clone()), (b, Some(a)));
        w.assert_nothing_lost();
    }

    #[test]
    fn a_lost_save_adopts_what_the_winner_stored() {
        // The user authorized again while this run refreshed: the store holds a new grant's pair.
        let mut w = World::new(stale());
        let mut a = start(&mut manager(), w.now, None);
        a.step(&mut w); // load
        a.step(&mut w); // refresh
        w.endpoint.valid.push("refresh-50".into());
        w.store.tokens = Some(pair(50, NOW + HOUR_MS));
        assert_eq!(a.finish(&mut w).unwrap(), pair(50, NOW + HOUR_MS));
        assert_eq!(w.endpoint.presented.len(), 1);
        w.assert_nothing_lost();

        // The winner's pair is already stale: refresh with the NEW refresh token, never the old one again.
        let mut w = World::new(stale());
        let mut a = start(&mut manager(), w.now, None);
        a.step(&mut w);
        a.step(&mut w);
        w.endpoint.valid.push("refresh-50".into());
        w.store.tokens = Some(pair(50, NOW - 1.0));
        let tokens = a.finish(&mut w).unwrap();
        assert_eq!(w.endpoint.presented, ["refresh-1", "refresh-50"]);
        assert_eq!(Some(tokens), w.store.tokens);
    }

    #[test]
    fn a_save_whose_answer_was_lost_is_recognised_as_ours() {
        let mut w = World::new(stale());
        w.store.lose_save_answers = 1;
        let d = start(&mut manager(), w.now, None);
        let tokens = d.finish(&mut w).unwrap();
        assert_eq!(Some(&tokens), w.store.tokens.as_ref());
        assert_eq!(w.endpoint.presented.len(), 1);

        // Also when the new access token is short-lived (inside the refresh-ahead window): no second refresh.
        let mut w = World::new(stale());
        w.store.lose_save_answers = 1;
        let short = TokenResponse::Issued {
            access_token: "access-s".into(),
            refresh_token: Some("refresh-s".into()),
            expires_in_s: 60.0,
        };
        w.endpoint.script.push(short);
        let tokens = start(&mut manager(), w.now, None).finish(&mut w).unwrap();
        assert_eq!((tokens.access_token.as_str(), w.endpoint.presented.len()), ("access-s", 1));
    }

    #[test]
    fn a_failing_store_is_a_token_error_that_names_the_step() {
        let mut w = World::new(stale());
        w.store.fail_loads = 1;
        let e = start(&mut manager(), w.now, None).finish(&mut w).unwrap_err();
        assert_eq!((e.kind, e.path.as_deref(), w.endpoint.presented.len()), (ErrorKind::Token, Some("load"), 0));
        assert!(e.message.contains("load threw Error"), "{}", e.message);

        // A save that fails is tried again: the spent refresh token cannot buy the pair twice.
        let mut w = World::new(stale());
        w.store.fail_saves = 2;
        let mut d = start(&mut manager(), w.now, None);
        let tokens = {
            while d.step(&mut w) {}
            d.result.clone().unwrap().unwrap()
        };
        assert_eq!(d.actions.iter().filter(|a| *a == "save").count(), 3);
        assert_eq!(Some(tokens), w.store.tokens);

        let mut w = World::new(stale());
        w.store.fail_saves = 10;
        let e = start(&mut manager(), w.now, None).finish(&mut w).unwrap_err();
        assert_eq!((e.kind, e.path.as_deref()), (ErrorKind::Token, Some("save")));
        assert!(e.message.contains("authorize the app again"), "{}", e.message);
        assert_eq!(w.endpoint.presented.len(), 1, "never refreshed twice for one save");
    }

    #[test]
    fn a_revoked_grant_asks_to_reauthorize_and_a_bad_client_does_not() {
        let mut w = World::new(stale());
        w.endpoint.valid.clear(); // revoked
        let mut m = manager();
        m.finish(&Ok(stale()));
        let mut d = start(&mut m, w.now, None);
        while d.step(&mut w) {}
        let e = d.result.clone().unwrap().unwrap_err();
        assert_eq!((e.kind, e.kind.as_str(), e.attempts), (ErrorKind::Reauthorize, "reauthorize", 1));
        assert_eq!(w.endpoint.presented, ["refresh-1"], "the refused token is never sent again");
        assert_eq!(
            d.actions,
            [
                "load",
                "refresh",
                "load",
                "sleep 500",
                "load",
                "sleep 1000",
                "load",
                "sleep 2000",
                "load",
                "sleep 4000",
                "load",
                "reauthorize"
            ]
        );
        m.finish(&Err(e));
        assert!(m.tokens().is_none(), "a lost grant forgets the tokens");

        let mut w = World::new(stale());
        w.endpoint.script.push(TokenResponse::classify(401, Some("invalid_client"), None));
        let e = start(&mut manager(), w.now, None).finish(&mut w).unwrap_err();
        assert_eq!((e.kind, e.kind.as_str(), e.status), (ErrorKind::Token, "token", 401));
        assert!(e.message.contains("client id and secret"), "{}", e.message);

        let mut w = World::new(stale());
        w.store.tokens = None;
        let e = start(&mut manager(), w.now, None).finish(&mut w).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Reauthorize, "nothing stored: authorize first");
    }

    #[test]
    fn rate_limits_and_outages_are_retried_with_the_same_token_within_the_deadline() {
        let mut w = World::new(stale());
        w.endpoint.script = vec![
            TokenResponse::classify(503, None, None),
            TokenResponse::classify(429, None, Some("2")),
            TokenResponse::classify(0, None, None),
        ];
        let mut d = start(&mut manager(), w.now, None);
        while d.step(&mut w) {}
        let tokens = d.result.clone().unwrap().unwrap();
        assert_eq!(
            d.actions,
            ["load", "refresh", "sleep 250", "refresh", "sleep 2000", "refresh", "sleep 500", "refresh", "save", "ok"]
        );
        assert_eq!(w.endpoint.presented, ["refresh-1"; 4]);
        assert_eq!(Some(tokens), w.store.tokens);

        let mut w = World::new(stale());
        w.endpoint.script = vec![TokenResponse::classify(429, None, Some("60"))];
        let e = start(&mut manager(), w.now, None).finish(&mut w).unwrap_err();
        assert_eq!((e.kind, e.status, e.retry_after_ms), (ErrorKind::Token, 429, Some(60_000)));
        assert!(e.message.contains("answered 429 until the deadline"), "{}", e.message);
        assert_eq!(w.store.tokens, Some(stale()), "nothing spent, nothing lost");

        let mut w = World::new(stale());
        w.endpoint.script = vec![TokenResponse::classify(503, None, None); 10];
        let mut d = start(&mut manager(), w.now, None);
        d.random = 0.999;
        while d.step(&mut w) {}
        let e = d.result.clone().unwrap().unwrap_err();
        assert_eq!((e.kind, e.status), (ErrorKind::Token, 503));
        assert!(e.message.contains("after 6 token requests"), "{}", e.message);
        assert!(w.now - NOW < TokenPolicy::TIMEOUT_MS);
        assert_eq!(w.endpoint.presented.len(), TokenPolicy::MAX_REQUESTS as usize, "bounded by count");

        let mut w = World::new(stale());
        w.endpoint.script = vec![TokenResponse::classify(503, None, None); 10];
        let mut m = TokenManager::new(TokenPolicy { timeout_ms: 3_000.0, ..TokenPolicy::default() });
        let mut d = start(&mut m, w.now, None);
        d.random = 0.999;
        while d.step(&mut w) {}
        let e = d.result.clone().unwrap().unwrap_err();
        assert_eq!((e.kind, e.status, e.attempts), (ErrorKind::Token, 503, 3));
        assert!(e.message.contains("answered 503 until the deadline"), "{}", e.message);
        assert_eq!(d.actions[2..6], ["sleep 500", "refresh", "sleep 999", "refresh"], "backoff doubles, with jitter");
        assert!(w.now - NOW < 3_000.0, "gave up before sleeping past the deadline");
    }

    #[test]
    fn a_401_on_an_unexpired_token_refreshes_once() {
        let mut w = World::new(pair(1, NOW + HOUR_MS));
        let mut m = manager();
        m.finish(&Ok(pair(1, NOW + HOUR_MS)));
        match m.begin(w.now, None) {
            Begin::Ready(t) => assert_eq!(t, "access-1"),
            other => panic!("{other:?}"),
        }
        let d = start(&mut m, w.now, Some("access-1"));
        assert!(matches!(m.begin(w.now, Some("access-1")), Begin::Join));
        let tokens = d.finish(&mut w).unwrap();
        m.finish(&Ok(tokens.clone()));
        assert_eq!(tokens.access_token, "access-101");
        match m.begin(w.now, Some("access-1")) {
            Begin::Ready(t) => assert_eq!(t, "access-101", "a late caller refusing the old token gets the new one"),
            other => panic!("{other:?}"),
        }
        assert_eq!(w.endpoint.presented.len(), 1);

        // Another process got a 401 on the same old token: it finds the new pair in the store, no request.
        let mut p2 = manager();
        p2.finish(&Ok(pair(1, NOW + HOUR_MS)));
        let tokens = start(&mut p2, w.now, Some("access-1")).finish(&mut w).unwrap();
        assert_eq!((tokens.access_token.as_str(), w.endpoint.presented.len()), ("access-101", 1));
        w.assert_nothing_lost();
    }

    #[test]
    fn answers_are_classified_alike_for_400_and_403() {
        use TokenResponse as R;
        assert_eq!(R::classify(400, Some("invalid_grant"), None), R::InvalidGrant);
        assert_eq!(R::classify(403, Some(" invalid_grant "), None), R::InvalidGrant);
        assert_eq!(R::classify(401, Some("invalid_client"), None), R::Rejected { status: 401 });
        assert_eq!(R::classify(400, Some("invalid_request"), None), R::Rejected { status: 400 });
        assert_eq!(R::classify(200, None, None), R::Rejected { status: 200 }, "200 without tokens");
        assert_eq!(R::classify(429, None, Some("7")), R::Retryable { status: 429, retry_after_ms: Some(7_000.0) });
        assert_eq!(
            R::classify(503, None, Some("Sat, 29 Nov 2025 07:06:43 GMT")),
            R::Retryable { status: 503, retry_after_ms: None }
        );
        assert_eq!(R::classify(0, None, None), R::Retryable { status: 0, retry_after_ms: None });
        assert_eq!(R::classify(408, None, Some("1.5")), R::Retryable { status: 408, retry_after_ms: None });
    }

    #[test]
    fn nothing_shows_a_token_or_the_client_secret() {
        let t = pair(9, 1.0);
        assert!(!format!("{t:?}").contains("access-9") && !format!("{t:?}").contains("refresh-9"));
        let issued = TokenResponse::Issued {
            access_token: "a-tok".into(),
            refresh_token: Some("r-tok".into()),
            expires_in_s: 1.0,
        };
        assert!(!format!("{issued:?}").contains("tok"));
        let refresh = T::Refresh { refresh_token: "r-tok".into() };
        assert!(!format!("{refresh:?}").contains("tok"));

        // A store that echoes the token or the client secret in its failure.
        let mut w = World::new(stale());
        w.store.fail_saves = 10;
        let mut m = manager();
        let mut d = start(&mut m, w.now, None);
        d.run.as_mut().unwrap().add_secret("extra-secret");
        d.step(&mut w);
        d.step(&mut w);
        let run = d.run.as_mut().unwrap();
        assert!(matches!(run.poll(w.now, 0.5), T::Save { .. }));
        let echo = "refresh-101, access-101 and refresh-1 rejected for client-s3cr3t, extra-secret";
        run.on_save(Err(StoreFailure::new(echo)));
        let mut action = run.poll(w.now, 0.5);
        while let T::Sleep(ms) = action {
            w.now += ms;
            let T::Save { .. } = run.poll(w.now, 0.5) else { panic!() };
            run.on_save(Err(StoreFailure::new(echo)));
            action = run.poll(w.now, 0.5);
        }
        let T::Done(Err(e)) = action else { panic!("{action:?}") };
        let json = e.fields_json();
        for secret in ["refresh-101", "refresh-1", "access-101", CLIENT_SECRET, "extra-secret"] {
            assert!(!json.contains(secret), "{secret} in {json}");
        }
        assert!(json.contains("<redacted>"), "{json}");
    }

    #[test]
    fn out_of_turn_polls_and_events_are_harmless() {
        let mut run = TokenRun::new(NOW, TokenPolicy::default(), None);
        run.on_save(Ok(true));
        run.on_token_response(TokenResponse::InvalidGrant);
        assert_eq!(run.poll(NOW, 0.5), T::Load);
        run.on_save(Ok(true));
        let T::Done(Err(e)) = run.poll(NOW, 0.5) else { panic!() };
        assert_eq!(e.path.as_deref(), Some("poll"));
        assert_eq!(run.poll(NOW, 0.5), T::Done(Err(e)), "a finished run stays finished");
        assert_eq!(run.remaining_ms(NOW + 0.5), 30_000.0);
    }

    #[test]
    fn a_store_that_goes_back_to_a_spent_token_is_never_trusted_with_it() {
        let mut run = TokenRun::new(NOW, TokenPolicy::default(), None);
        assert_eq!(run.poll(NOW, 0.5), T::Load);
        run.on_load(Ok(Some(pair(1, NOW - 1.0))));
        assert_eq!(run.poll(NOW, 0.5), T::Refresh { refresh_token: "refresh-1".into() });
        run.on_token_response(TokenResponse::InvalidGrant);
        assert_eq!(run.poll(NOW, 0.5), T::Load);
        run.on_load(Ok(Some(pair(5, NOW - 1.0))));
        assert_eq!(run.poll(NOW, 0.5), T::Refresh { refresh_token: "refresh-5".into() }, "the new token");
        let issued = TokenResponse::Issued {
            access_token: "access-6".into(),
            refresh_token: Some("refresh-6".into()),
            expires_in_s: 3600.0,
        };
        run.on_token_response(issued);
        assert!(matches!(run.poll(NOW, 0.5), T::Save { .. }));
        run.on_save(Ok(false));
        assert_eq!(run.poll(NOW, 0.5), T::Load);
        run.on_load(Ok(Some(pair(1, NOW - 1.0)))); // a stale read: the first, spent token again
        let T::Done(Err(e)) = run.poll(NOW, 0.5) else { panic!() };
        assert_eq!((e.kind, e.path.as_deref(), e.attempts), (ErrorKind::Token, Some("load"), 2));
        assert!(e.message.contains("already spent"), "{}", e.message);
    }

    #[test]
    fn policies_are_checked() {
        assert!(TokenPolicy::default().validated().is_ok());
        let e = TokenPolicy { refresh_ahead_ms: -1.0, ..TokenPolicy::default() }.validated().unwrap_err();
        assert_eq!(e.path.as_deref(), Some("refreshAheadMs"));
        assert!(TokenPolicy { timeout_ms: f64::NAN, ..TokenPolicy::default() }.validated().is_err());
        assert!(TokenPolicy { refresh_ahead_ms: f64::INFINITY, ..TokenPolicy::default() }.validated().is_err());
    }

    #[test]
    fn an_answer_without_a_refresh_token_keeps_the_one_sent() {
        let mut w = World::new(stale());
        w.endpoint.script.push(TokenResponse::Issued {
            access_token: "access-x".into(),
            refresh_token: None,
            expires_in_s: f64::NAN,
        });
        let tokens = start(&mut manager(), w.now, None).finish(&mut w).unwrap();
        assert_eq!(
            (tokens.refresh_token.as_str(), tokens.expires_at_ms),
            ("refresh-1", NOW),
            "no lifetime: stale at once"
        );
        assert_eq!(w.store.tokens, Some(tokens));
    }
}

#[cfg(test)]
mod request_tests {
    use super::*;

    #[test]
    fn token_requests_are_atlassians_json_bodies() {
        assert_eq!(
            token_request("id-1", "s\"3", Grant::Refresh("rt-1")),
            r#"{"grant_type":"refresh_token","client_id":"id-1","client_secret":"s\"3","refresh_token":"rt-1"}"#
        );
        assert_eq!(
            token_request("id-1", "s3", Grant::Code("c-9", "https://app.example.com/callback")),
            r#"{"grant_type":"authorization_code","client_id":"id-1","client_secret":"s3","code":"c-9","redirect_uri":"https://app.example.com/callback"}"#
        );
    }
}
