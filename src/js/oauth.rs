//! OAuth 2.0 (3LO) for integrations (the `jira-webhooks/lifecycle` entry): `oauth2Tokens` (one connection's
//! rotating tokens, refreshed single-flight and saved compare-and-swap), `exchangeCode` and `accessibleResources`.
//! Every decision is the core's ([`TokenManager`], [`TokenRun`]); `oauth.js` performs the token requests and the
//! app's `load` and `save`.

use super::bindings;
use super::values::{self, error_to_js, Blame, Js};
use crate::auth::oauth::{
    token_request, AccessibleResourcesOptions, Begin, ExchangeCodeOptions, Grant, OAuth2TokensOptions, StoreFailure,
    StoredTokens, TokenAction, TokenManager, TokenPolicy, TokenResponse, TokenRun, Tokens, TOKEN_URL,
};
use crate::config::settings::ATLASSIAN_GATEWAY;
use crate::config::url::check_url;
use crate::decode::{to_json, FromJson};
use crate::error::{Error, ErrorKind, Secrets};
use crate::text::cat;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** One connection's tokens: `getToken` for the client's `auth: { type: "bearer", getToken }`. */
export interface OAuth2Tokens {
  /**
   * An access token that is not about to expire, refreshed first when needed: once per connection and process however
   * many calls ask at once, saved before it is used. `refused` is a token Jira just answered 401 to. Rejects with kind
   * `reauthorize` when the user must authorize the app again, `token` when the token endpoint or the store failed.
   */
  getToken(context?: { refused?: string; signal?: AbortSignal }): Promise<string>;
}
"#;

/// The checked token endpoint's URL, or `config` error naming `field`.
fn token_url(url: Option<&str>) -> Result<String, Error> {
    let url = url.unwrap_or(TOKEN_URL);
    check_url("tokenUrl", url)
}

/// One connection's tokens in this process, as `oauth.js` drives them.
#[wasm_bindgen(skip_typescript)]
pub struct TokenSession {
    manager: TokenManager,
    policy: TokenPolicy,
    client_id: String,
    client_secret: String,
    url: String,
    started: Option<Box<TokenRun>>,
    ready: String,
}

/// Tokens that cannot be lost: Atlassian's refresh tokens rotate (each refresh spends the one sent), so the refresh
/// is single-flight per connection in this process, saved compare-and-swap across processes, and an `invalid_grant`
/// is read again from the store before it is believed (another process may have rotated first). See the README,
/// "OAuth 2.0 integrations".
#[wasm_bindgen(js_name = oauth2Tokens, unchecked_return_type = "OAuth2Tokens")]
pub fn oauth2_tokens(
    #[wasm_bindgen(unchecked_param_type = "OAuth2TokensOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let start = || -> Result<JsValue, Error> {
        let taken = values::take::<OAuth2TokensOptions>(&options, Blame::Config(""))?;
        let o = OAuth2TokensOptions::from_json(Some(Js(taken.clone())));
        let d = TokenPolicy::default();
        let policy = TokenPolicy {
            refresh_ahead_ms: o.refresh_ahead_ms.unwrap_or(d.refresh_ahead_ms),
            timeout_ms: o.timeout_ms.unwrap_or(d.timeout_ms),
        }
        .validated()?;
        let mut manager = TokenManager::new(policy);
        manager.add_secret(&o.client_secret);
        let url = token_url(o.token_url.as_deref())?;
        let session = TokenSession {
            manager,
            policy,
            client_id: o.client_id,
            client_secret: o.client_secret,
            url,
            started: None,
            ready: String::new(),
        };
        Ok(bindings::token_manager(session, &taken))
    };
    start().map_err(|e| error_to_js(&e))
}

#[wasm_bindgen]
impl TokenSession {
    /// 0: a token is ready (`ready_token`), 1: join the refresh in flight, 2: start the run (`run`).
    pub fn begin(&mut self, now_ms: f64, refused: Option<String>) -> u8 {
        match self.manager.begin(now_ms, refused.as_deref()) {
            Begin::Ready(token) => {
                self.ready = token;
                0
            }
            Begin::Join => 1,
            Begin::Start(mut run) => {
                run.add_secret(&self.client_secret);
                self.started = Some(run);
                2
            }
        }
    }

    /// The token `begin` found ready.
    pub fn ready_token(&mut self) -> String {
        std::mem::take(&mut self.ready)
    }

    /// The run `begin` started.
    pub fn run(&mut self) -> Option<TokenRunHandle> {
        let run = *self.started.take()?;
        Some(TokenRunHandle {
            run,
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            url: self.url.clone(),
            refresh_token: String::new(),
            save: None,
            sleep_ms: 0.0,
            result: None,
            timeout_ms: self.policy.timeout_ms,
        })
    }

    /// The run ended: the manager remembers its tokens (or forgets them, after a lost grant). Returns the access
    /// token, or throws its error.
    pub fn finish(&mut self, run: &mut TokenRunHandle) -> Result<String, JsValue> {
        let result = run.result.take().unwrap_or_else(|| Err(Error::new(ErrorKind::Token, "the refresh did not end")));
        self.manager.finish(&result);
        result.map(|t| t.access_token).map_err(|e| error_to_js(&e))
    }
}

/// One refresh as `oauth.js` drives it.
#[wasm_bindgen(skip_typescript)]
pub struct TokenRunHandle {
    run: TokenRun,
    client_id: String,
    client_secret: String,
    url: String,
    refresh_token: String,
    save: Option<(Tokens, String)>,
    sleep_ms: f64,
    result: Option<Result<Tokens, Error>>,
    timeout_ms: f64,
}

fn stored(t: &Tokens) -> JsValue {
    let s = StoredTokens {
        access_token: t.access_token.clone(),
        refresh_token: t.refresh_token.clone(),
        expires_at: t.expires_at_ms,
    };
    js_sys::JSON::parse(&to_json(&s)).unwrap_or_default()
}

#[wasm_bindgen]
impl TokenRunHandle {
    /// What to do next: 0 load, 1 refresh (POST `request_body` to `url`), 2 save, 3 sleep, 4 done.
    pub fn poll(&mut self, now_ms: f64, random: f64) -> u8 {
        match self.run.poll(now_ms, random) {
            TokenAction::Load => 0,
            TokenAction::Refresh { refresh_token } => {
                self.refresh_token = refresh_token;
                1
            }
            TokenAction::Save { next, previous_refresh_token } => {
                self.save = Some((next, previous_refresh_token));
                2
            }
            TokenAction::Sleep(ms) => {
                self.sleep_ms = ms;
                3
            }
            TokenAction::Done(result) => {
                self.result = Some(result);
                4
            }
        }
    }

    /// The token endpoint.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The refresh request's JSON body (it holds the client secret and the refresh token: never log it).
    pub fn request_body(&self) -> String {
        token_request(&self.client_id, &self.client_secret, Grant::Refresh(&self.refresh_token))
    }

    /// How long the request may take.
    pub fn remaining_ms(&self, now_ms: f64) -> f64 {
        self.run.remaining_ms(now_ms)
    }

    /// How long to wait.
    pub fn sleep_ms(&self) -> f64 {
        self.sleep_ms
    }

    /// The tokens to save.
    pub fn next_tokens(&self) -> JsValue {
        self.save.as_ref().map(|(t, _)| stored(t)).unwrap_or_default()
    }

    /// What the save compares with: `{ refreshToken }`.
    pub fn previous(&self) -> JsValue {
        let previous = self.save.as_ref().map(|(_, p)| p.clone()).unwrap_or_default();
        let out = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&out, &"refreshToken".into(), &previous.into());
        out.into()
    }

    /// `load` answered (checked: a `StoredTokens` or nothing), or failed (`failure`: what threw, by kind).
    pub fn on_load(&mut self, tokens: JsValue, failure: Option<String>) {
        let loaded = match failure {
            Some(why) => Err(StoreFailure::new(why)),
            None if tokens.is_null() || tokens.is_undefined() => Ok(None),
            None => {
                let s = StoredTokens::from_json(Some(Js(tokens)));
                Ok(Some(Tokens {
                    access_token: s.access_token,
                    refresh_token: s.refresh_token,
                    expires_at_ms: s.expires_at,
                }))
            }
        };
        self.run.on_load(loaded);
    }

    /// The endpoint issued tokens (its checked answer: `access_token`, `refresh_token`, `expires_in`).
    pub fn on_issued(&mut self, access_token: String, refresh_token: Option<String>, expires_in_s: f64) {
        self.run.on_token_response(TokenResponse::Issued { access_token, refresh_token, expires_in_s });
    }

    /// The endpoint answered without tokens (status 0: no answer), with the body's `error` and `Retry-After`.
    pub fn on_refused(&mut self, status: u16, error: Option<String>, retry_after: Option<String>) {
        self.run.on_token_response(TokenResponse::classify(status, error.as_deref(), retry_after.as_deref()));
    }

    /// `save` answered (whether it stored), or failed.
    pub fn on_save(&mut self, saved: bool, failure: Option<String>) {
        self.run.on_save(failure.map_or(Ok(saved), |why| Err(StoreFailure::new(why))));
    }

    /// How long one request may take at most.
    pub fn timeout_ms(&self) -> f64 {
        self.timeout_ms
    }
}

/// Exchanges the code of the authorization redirect for the connection's first tokens (store them, then give
/// `oauth2Tokens` a `load` that reads them).
#[wasm_bindgen(js_name = exchangeCode, unchecked_return_type = "Promise<StoredTokens>")]
pub fn exchange_code(#[wasm_bindgen(unchecked_param_type = "ExchangeCodeOptions")] options: JsValue) -> Promise {
    let start = || -> Result<Promise, Error> {
        let taken = values::take::<ExchangeCodeOptions>(&options, Blame::Config(""))?;
        let o = ExchangeCodeOptions::from_json(Some(Js(taken)));
        let url = token_url(o.token_url.as_deref())?;
        let body = token_request(&o.client_id, &o.client_secret, Grant::Code(&o.code, &o.redirect_uri));
        let mut secrets = Secrets::default();
        secrets.add(&o.client_secret);
        secrets.add(&o.code);
        let exchange = Exchange { secrets, timeout_ms: o.timeout_ms.unwrap_or(TokenPolicy::TIMEOUT_MS) };
        Ok(bindings::exchange(exchange, &url, &body))
    };
    start().unwrap_or_else(|mut e| {
        e.operation = Some("exchangeCode");
        Promise::reject(&error_to_js(&e))
    })
}

/// The sites the user granted the app, with their cloud ids (`GET /oauth/token/accessible-resources`).
#[wasm_bindgen(js_name = accessibleResources, unchecked_return_type = "Promise<AccessibleResource[]>")]
pub fn accessible_resources(
    access_token: String,
    #[wasm_bindgen(unchecked_optional_param_type = "AccessibleResourcesOptions")] options: JsValue,
) -> Promise {
    let start = || -> Result<Promise, Error> {
        let (o, _) = values::optional::<AccessibleResourcesOptions>(&options, Blame::Input("options"))?;
        crate::auth::check_token("accessToken", &access_token)?;
        let gateway = check_url("gatewayUrl", o.gateway_url.as_deref().unwrap_or(ATLASSIAN_GATEWAY))?;
        let mut secrets = Secrets::default();
        secrets.add(&access_token);
        let exchange = Exchange { secrets, timeout_ms: o.timeout_ms.unwrap_or(TokenPolicy::TIMEOUT_MS) };
        let url = cat!(gateway, "/oauth/token/accessible-resources");
        Ok(bindings::resources(exchange, &url, &cat!("Bearer ", access_token)))
    };
    start().unwrap_or_else(|mut e| {
        e.operation = Some("accessibleResources");
        Promise::reject(&error_to_js(&e))
    })
}

/// One request of `exchangeCode` or `accessibleResources`: what its errors must never hold, and its deadline.
#[wasm_bindgen(skip_typescript)]
pub struct Exchange {
    secrets: Secrets,
    timeout_ms: f64,
}

#[wasm_bindgen]
impl Exchange {
    /// How long the request may take.
    pub fn timeout_ms(&self) -> f64 {
        self.timeout_ms
    }

    /// The error of an answer without what was asked: its status (0: none came), the body's `error` code and
    /// `error_description`, or a body that is not what the endpoint answers (`decode`).
    pub fn failure(
        &self,
        operation: String,
        status: u16,
        error: Option<String>,
        description: Option<String>,
    ) -> JsValue {
        let op: &'static str = if operation == "exchangeCode" { "exchangeCode" } else { "accessibleResources" };
        let mut e = match (status, error.as_deref()) {
            (0, _) => Error::new(ErrorKind::Network, cat!(op, ": could not reach Atlassian's authorization server")),
            (200, _) => Error::decode(200, None, cat!(op, ": the answer is not what Atlassian's endpoint sends")),
            (400 | 403, Some("invalid_grant")) => Error::new(
                ErrorKind::Reauthorize,
                cat!(op, ": the code or grant is invalid, expired or already used: authorize the app again"),
            ),
            (401, None) => Error::new(ErrorKind::Reauthorize, cat!(op, ": the access token was refused")),
            _ => Error::new(ErrorKind::Token, cat!(op, ": Atlassian's authorization server answered ", status)),
        };
        if let Some(words) = error.iter().chain(description.iter()).next() {
            e.message.push_str(&cat!(" (", words, ")"));
        }
        e.status = status;
        e.operation = Some(op);
        e.redact(&self.secrets);
        error_to_js(&e)
    }
}
