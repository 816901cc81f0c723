//! A configured client: validated once, then the starting point of every call.

use crate::config::{timer_ms, Config, Credential, Settings};
use crate::decode::{self, Ty};
use crate::engine::{Call, HttpRequest};
use crate::error::Error;
use crate::operations::Operation;
use crate::text::{cat, percent_encode, Piece};
use std::rc::Rc;

/// A client for one Jira site and one set of credentials.
#[derive(Clone, Debug)]
pub struct Client {
    settings: Rc<Settings>,
}

impl Client {
    /// Validates the configuration.
    pub fn new(config: &Config) -> Result<Client, Error> {
        Ok(Client { settings: Rc::new(Settings::new(config)?) })
    }

    /// The site (or gateway prefix) requests go to, e.g. `https://your-domain.atlassian.net`; empty when a custom
    /// transport decides.
    pub fn origin(&self) -> &str {
        &self.settings.origin
    }

    /// How many webhooks Jira lets this app hold on the site: 100 for a Connect app, 5 per user for OAuth 2.0.
    pub fn app_limit(&self) -> usize {
        self.settings.app_limit
    }

    /// Scrubs the configured secrets from an error made outside a call.
    pub fn redact(&self, e: &mut Error) {
        e.redact(&self.settings.secrets);
    }

    /// Validates `op` and builds its request (a Connect JWT or a provider's token is added per attempt).
    pub fn request<O: Operation>(&self, op: &O) -> Result<HttpRequest, Error> {
        if let Err(invalid) = decode::check(&op.input(), Ty::Obj(O::INPUT)) {
            let path = if invalid.path.is_empty() { "argument".to_owned() } else { invalid.path };
            let mut e = Error::invalid_input(path, &invalid.problem);
            e.operation = Some(O::SPEC.id);
            return Err(e);
        }
        let s = &self.settings;
        let mut path = cat!("/rest/api/", s.api_version, O::PATH);
        for (i, (name, value)) in op.query().iter().enumerate() {
            path.push(if i == 0 { '?' } else { '&' });
            path.push_str(&percent_encode(name));
            path.push('=');
            value.push_to(&mut path);
        }
        let body = op.body().map(str::to_owned);
        let mut headers = vec![("Accept", "application/json".to_owned())];
        if let Credential::Header(value) = &s.credential {
            headers.push(("Authorization", value.clone()));
        }
        if body.is_some() {
            headers.push(("Content-Type", "application/json".into()));
        }
        if let Some(ua) = &s.user_agent {
            headers.push(("User-Agent", ua.clone()));
        }
        Ok(HttpRequest { method: O::SPEC.method, url: cat!(s.origin, path), path, headers, body })
    }

    /// Starts a call of `op` at `now_ms`. `timeout_ms` overrides the configured deadline; `token` is the token
    /// provider's token from an earlier call.
    pub fn call<O: Operation>(
        &self,
        op: &O,
        now_ms: f64,
        timeout_ms: Option<f64>,
        token: Option<String>,
    ) -> Result<Call, Error> {
        let timeout = match timeout_ms {
            Some(ms) if ms.is_finite() && ms > 0.0 => Some(timer_ms(ms)),
            Some(_) => {
                let mut e = Error::invalid_input("options.timeoutMs", "must be a positive number of milliseconds");
                e.operation = Some(O::SPEC.id);
                return Err(e);
            }
            None => self.settings.timeout_ms,
        };
        let request = self.request(op)?;
        Ok(Call::new(self.settings.clone(), O::SPEC, request, now_ms, timeout, token))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::Auth;
    use crate::engine::{Action, HttpResponse, Reply};

    pub fn client() -> Client {
        Client::new(&Config::new("https://acme.atlassian.net", Auth::Bearer { token: "secret-token-123".into() }))
            .unwrap()
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

    /// Runs `op` against one answer, without retries.
    pub fn answer<O: Operation>(op: &O, response: HttpResponse) -> Result<Reply, Error> {
        let config = Config {
            retry: crate::engine::RetryPolicy::NONE,
            ..Config::new("https://acme.atlassian.net", Auth::Bearer { token: "secret-token-123".into() })
        };
        let mut call = Client::new(&config).unwrap().call(op, 0.0, None, None)?;
        assert!(matches!(call.poll(0.0, 0.5), Action::Send(_)));
        call.on_response(response);
        match call.poll(0.0, 0.5) {
            Action::Done(result) => result,
            other => panic!("expected the end, got {other:?}"),
        }
    }
}
