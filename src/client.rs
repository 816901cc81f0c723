//! A configured client: validated once, then the starting point of every call.

use crate::auth::Auth;
use crate::config::{timer_ms, Config, Settings};
use crate::encode::percent_encode;
use crate::engine::Call;
use crate::error::Error;
use crate::http::{HttpRequest, Method, Spec};
use crate::operations::{Answer, Operation};
use crate::text::{cat, Piece};
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

    /// The credentials.
    pub fn auth(&self) -> &Auth {
        &self.settings.auth
    }

    /// The request of `op` (its `Authorization` is set per attempt by the call).
    pub fn request<O: Operation>(&self, op: &O) -> HttpRequest {
        self.build(O::METHOD, O::PATH, &op.query(), op.body())
    }

    /// What [`Client::request`] builds, for any operation: one copy of the code, not one per operation.
    fn build(&self, method: Method, op_path: &str, query: &[(&str, i64)], body: Option<&str>) -> HttpRequest {
        let s = &self.settings;
        let mut path = cat!("/rest/api/", s.api_version, op_path);
        for (i, (name, value)) in query.iter().enumerate() {
            path.push(if i == 0 { '?' } else { '&' });
            path.push_str(&percent_encode(name));
            path.push('=');
            value.push_to(&mut path);
        }
        let body = body.map(str::to_owned);
        let mut headers = vec![("Accept", "application/json".to_owned())];
        if body.is_some() {
            headers.push(("Content-Type", "application/json".into()));
        }
        if let Some(ua) = &s.user_agent {
            headers.push(("User-Agent", ua.clone()));
        }
        if let Some(authorization) = &s.authorization {
            headers.push(("Authorization", authorization.clone()));
        }
        HttpRequest { method, url: cat!(s.origin, path), path, headers, body }
    }

    /// Starts a call of `op` at `now_ms`. `timeout_ms` overrides the configured deadline; `token` is the token
    /// provider's token to start with (else the provider is asked first).
    pub fn call<O: Operation>(
        &self,
        op: &O,
        now_ms: f64,
        timeout_ms: Option<f64>,
        token: Option<String>,
    ) -> Result<Call, Error> {
        let request = self.request(op);
        let call = self.start(O::SPEC, <O::Output as Answer>::index(), request, now_ms, timeout_ms, token)?;
        // A host driver hands the whole body to the core, which checks it against the answer's schema; the wasm
        // edge checks answers in JavaScript by the index, so the wasm carries no schema tables.
        #[cfg(not(target_arch = "wasm32"))]
        let call = call.with_shape(<O::Output as Answer>::shape());
        Ok(call)
    }

    /// What [`Client::call`] does for any operation, once in the code.
    fn start(
        &self,
        spec: Spec,
        output: Option<u32>,
        request: HttpRequest,
        now_ms: f64,
        timeout_ms: Option<f64>,
        token: Option<String>,
    ) -> Result<Call, Error> {
        let timeout = match timeout_ms {
            Some(ms) if ms.is_finite() && ms > 0.0 => Some(timer_ms(ms)),
            Some(_) => {
                let mut e = Error::invalid_input("options.timeoutMs", "must be a positive number of milliseconds");
                e.operation = Some(spec.id);
                return Err(e);
            }
            None => self.settings.timeout_ms,
        };
        Ok(Call::new(self.settings.clone(), spec, output, request, now_ms, timeout, token))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::auth::Auth;
    use crate::config::RetryPolicy;
    use crate::engine::{Action, Reply};
    use crate::http::HttpResponse;

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
            retry: RetryPolicy::NONE,
            ..Config::new("https://acme.atlassian.net", Auth::Bearer { token: "secret-token-123".into() })
        };
        let mut call = Client::new(&config).unwrap().call(op, 0.0, None, None)?;
        assert!(matches!(call.poll(0.0, 0.5), Action::Send));
        call.on_response(response);
        match call.poll(0.0, 0.5) {
            Action::Done(result) => result,
            other => panic!("expected the end, got {other:?}"),
        }
    }
}
