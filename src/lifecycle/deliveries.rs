//! Receiving deliveries: which credential a delivery carries, whether it verifies, the `Delivery` the app's
//! handler gets, what the endpoint answers, and remembering delivery ids so that a retried or doubled delivery is
//! processed once. Jira retries on 408, 409, 425, 429, 5xx and connection failures, and may deliver twice; the
//! `X-Atlassian-Webhook-Identifier` header is the same on every retry (Atlassian's Webhooks page, "Retry policy").

use crate::auth::verify::{check_hub_signature, check_qsh, unauthorized, Jwt};
use crate::decode::{model, Doc, FromJson, Kind, Source, Ty};
use crate::encode::push_json_string as push_str;
use crate::error::{Error, ErrorKind};
use crate::text::Piece;
use std::collections::VecDeque;

/// A secret, or several while one is being rotated.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SecretList(pub Vec<String>);

impl FromJson for SecretList {
    fn from_json<S: Source>(v: Option<S>) -> Self {
        match v {
            Some(v) if v.kind() == Kind::Arr => SecretList(Vec::from_json(Some(v))),
            v => SecretList(v.and_then(|v| v.string()).map(|s| vec![s]).unwrap_or_default()),
        }
    }
}

impl crate::decode::ToJson for SecretList {
    fn to_json(&self, out: &mut String) {
        out.push_str("\"<redacted>\"");
    }
}

model! {
    /// OAuth 2.0 apps: deliveries carry `Authorization: Bearer <JWT>` signed with the app's client secret.
    pub struct OAuthVerify [closed] {
        /// The app's client secret, or several while rotating.
        #[tsify(type = "string | string[]")]
        client_secret "clientSecret": SecretList = Ty::OneOrMany(&Ty::Text),
    }
}

model! {
    /// Connect apps: deliveries carry `Authorization: JWT <token>` (or `?jwt=`) signed with the tenant's shared
    /// secret, with `qsh` bound to the delivery's own request.
    pub struct ConnectVerify [closed] {
        /// The app's base URL (the descriptor's `baseUrl`): `qsh` is computed on the path relative to it.
        base_url "baseUrl": String = Ty::Url,
        /// The tenant's shared secret, by its clientKey (the JWT's `iss`); `undefined` for an unknown tenant.
        #[tsify(type = "(clientKey: string) => string | undefined | null | Promise<string | undefined | null>")]
        shared_secret "sharedSecret": Option<crate::decode::JsOnly> = Ty::Any,
    }
}

model! {
    /// Admin webhooks with a secret: `X-Hub-Signature: sha256=<hex HMAC of the body>`.
    pub struct HmacVerify [closed] {
        /// The webhook's secret, or several while rotating.
        #[tsify(type = "string | string[]")]
        secret "secret": SecretList = Ty::OneOrMany(&Ty::Text),
    }
}

model! {
    /// How deliveries are verified: give the one (or several) your app uses.
    pub struct VerifyOptions [open] {
        /// OAuth 2.0 (3LO) apps.
        #[tsify(optional)]
        oauth "oauth": Option<OAuthVerify> = Ty::Obj(OAuthVerify::SHAPE),
        /// Connect apps.
        #[tsify(optional)]
        connect "connect": Option<ConnectVerify> = Ty::Obj(ConnectVerify::SHAPE),
        /// Admin webhooks with a secret.
        #[tsify(optional)]
        hmac "hmac": Option<HmacVerify> = Ty::Obj(HmacVerify::SHAPE),
        /// Leeway for `exp`, `nbf` and `iat`, in seconds (0 to 600). Default 60.
        #[tsify(optional)]
        clock_skew_seconds "clockSkewSeconds": Option<f64> = Ty::Num,
    }
}

impl VerifyOptions {
    /// Checks that at least one way to verify is configured and the skew is sane.
    pub fn validate(&self) -> Result<(), Error> {
        if self.oauth.is_none() && self.connect.is_none() && self.hmac.is_none() {
            return Err(Error::config("verify", "give at least one of `oauth`, `connect` or `hmac`"));
        }
        if self.connect.as_ref().is_some_and(|c| c.shared_secret.is_none()) {
            return Err(Error::config("connect.sharedSecret", "must be a function (clientKey) => secret"));
        }
        if !(0.0..=600.0).contains(&self.skew()) {
            return Err(Error::config("clockSkewSeconds", "must be between 0 and 600"));
        }
        Ok(())
    }

    /// The leeway in seconds.
    pub fn skew(&self) -> f64 {
        self.clock_skew_seconds.unwrap_or(60.0)
    }
}

/// What a delivery's request says about itself.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeliveryRequest {
    /// The HTTP method.
    pub method: String,
    /// The full URL it was sent to.
    pub url: String,
    /// `Authorization`.
    pub authorization: Option<String>,
    /// `X-Hub-Signature`.
    pub hub_signature: Option<String>,
    /// `X-Atlassian-Webhook-Identifier`: the dedupe key.
    pub identifier: Option<String>,
    /// `X-Atlassian-Webhook-Retry`: the retry count (absent on the first attempt).
    pub retry: Option<String>,
    /// `X-Atlassian-Webhook-Flow`: `Primary` or `Secondary`.
    pub flow: Option<String>,
}

/// The credential a delivery carries.
#[derive(Clone, Debug, PartialEq)]
pub enum Credential {
    /// A Connect JWT (`Authorization: JWT`, or `?jwt=`).
    Connect(String),
    /// An OAuth 2.0 app's `Authorization: Bearer` JWT.
    Bearer(String),
    /// `X-Hub-Signature`.
    Hub(String),
}

/// The credential of `request`, if it is one that `options` can verify.
pub fn credential(request: &DeliveryRequest, options: &VerifyOptions) -> Result<Credential, Error> {
    let auth = request.authorization.as_deref().map(str::trim).unwrap_or_default();
    let scheme = |name: &str| {
        auth.get(..name.len()).filter(|s| s.eq_ignore_ascii_case(name)).map(|_| auth[name.len()..].trim().to_owned())
    };
    let query_jwt = request
        .url
        .split_once('?')
        .and_then(|(_, query)| query.split('&').find_map(|pair| pair.strip_prefix("jwt=")).map(str::to_owned));
    let found = if let Some(token) = scheme("JWT ").or(query_jwt) {
        options
            .connect
            .as_ref()
            .map(|_| Credential::Connect(token))
            .ok_or("a Connect JWT, but `connect` is not configured")
    } else if let Some(token) = scheme("Bearer ") {
        options.oauth.as_ref().map(|_| Credential::Bearer(token)).ok_or("a Bearer JWT, but `oauth` is not configured")
    } else if let Some(signature) = &request.hub_signature {
        options
            .hmac
            .as_ref()
            .map(|_| Credential::Hub(signature.clone()))
            .ok_or("X-Hub-Signature, but `hmac` is not configured")
    } else {
        Err("no Authorization or X-Hub-Signature header")
    };
    found.map_err(|why| unauthorized("authorization", why))
}

/// The tenant a Connect JWT claims to come from (its `iss`), before its signature is checked with that tenant's
/// secret.
pub fn connect_client_key(token: &str) -> Result<String, Error> {
    Jwt::parse(token)?
        .claim("iss")
        .filter(|iss| !iss.is_empty())
        .ok_or_else(|| unauthorized("iss", "the token names no tenant"))
}

/// Verifies `credential` at `now_s`; `connect_secret` is the tenant's shared secret for a Connect JWT. The body
/// is needed for `X-Hub-Signature`.
pub fn verify(
    credential: &Credential,
    request: &DeliveryRequest,
    body: &str,
    options: &VerifyOptions,
    connect_secret: Option<&str>,
    now_s: f64,
) -> Result<(), Error> {
    match credential {
        Credential::Connect(token) => {
            let jwt = Jwt::parse(token)?;
            let secret = connect_secret
                .ok_or_else(|| unauthorized("iss", "the tenant is not known to the app (no shared secret for it)"))?;
            jwt.verify([secret], now_s, options.skew())?;
            let base_url = options.connect.as_ref().map_or("", |c| &c.base_url);
            check_qsh(&jwt, &request.method, &request.url, base_url)
        }
        Credential::Bearer(token) => {
            let secrets = options.oauth.as_ref().map_or(&[][..], |o| &o.client_secret.0);
            Jwt::parse(token)?.verify(secrets.iter().map(String::as_str), now_s, options.skew())
        }
        Credential::Hub(signature) => {
            let secrets = options.hmac.as_ref().map_or(&[][..], |h| &h.secret.0);
            check_hub_signature(body, signature, secrets.iter().map(String::as_str))
        }
    }
}

/// The `Delivery` the app's handler gets, as JSON: the headers' id, retry count and flow, the event, the tenant,
/// the matched webhook ids, and the payload as it came. A body that is not a JSON object is a `decode` error (the
/// endpoint answers 400).
pub fn delivery(
    request: &DeliveryRequest,
    body: &str,
    client_key: Option<&str>,
    replayed: bool,
) -> Result<String, Error> {
    let not_json = || {
        let mut e = Error::decode(0, Some("body".into()), "the delivery's body is not a JSON object".into());
        e.status = 400;
        e
    };
    let doc = Doc::parse(body).map_err(|_| not_json())?;
    let payload = doc.root();
    if payload.kind() != Kind::Obj {
        return Err(not_json());
    }
    let mut out = String::from("{\"id\":");
    push_str(&mut out, request.identifier.as_deref().unwrap_or_default());
    out.push_str(",\"retry\":");
    let retry = request.retry.as_deref().and_then(|r| r.trim().parse::<u32>().ok()).unwrap_or(0);
    retry.push_to(&mut out);
    if let Some(flow) = &request.flow {
        out.push_str(",\"flow\":");
        push_str(&mut out, flow);
    }
    out.push_str(",\"event\":");
    let event = payload.get("webhookEvent").or_else(|| payload.get("eventType")).and_then(|e| e.as_str());
    push_str(&mut out, event.as_deref().unwrap_or_default());
    if let Some(key) = client_key {
        out.push_str(",\"clientKey\":");
        push_str(&mut out, key);
    }
    if let Some(ids) = payload.get("matchedWebhookIds").filter(|v| v.kind() == Kind::Arr) {
        out.push_str(",\"matchedWebhookIds\":");
        out.push_str(ids.source());
    }
    if replayed {
        out.push_str(",\"replayed\":true");
    }
    out.push_str(",\"payload\":");
    out.push_str(payload.source());
    out.push('}');
    Ok(out)
}

/// The key a processed delivery is remembered by: its identifier is unique per site (Atlassian's Webhooks page), so
/// a Connect app serving many sites prefixes the tenant's clientKey.
pub fn dedupe_key(id: &str, client_key: Option<&str>) -> String {
    match client_key {
        Some(key) if !id.is_empty() => crate::text::cat!(key, '/', id),
        _ => id.to_owned(),
    }
}

/// What handling a delivery came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handled {
    /// It did not verify.
    Unverified,
    /// Its body is not a JSON object.
    NotJson,
    /// It was processed before (a retry, or Jira delivering twice): the handler is not called again.
    Duplicate,
    /// The handler succeeded.
    Done,
    /// The handler threw or rejected: Jira should retry.
    HandlerFailed,
}

impl Handled {
    /// What a delivery that could not be handed to its handler comes to: not verified (401), not readable (400),
    /// or our side failing, such as the app's `sharedSecret` lookup throwing (500: Jira retries).
    pub fn for_error(e: &Error) -> Handled {
        match e.kind {
            ErrorKind::Unauthorized => Handled::Unverified,
            ErrorKind::Decode | ErrorKind::InvalidInput => Handled::NotJson,
            _ => Handled::HandlerFailed,
        }
    }

    /// The status the endpoint answers. Jira counts only 200 and 204 as delivered, and retries on 5xx.
    pub fn status(self) -> u16 {
        match self {
            Handled::Unverified => 401,
            Handled::NotJson => 400,
            Handled::Duplicate | Handled::Done => 204,
            Handled::HandlerFailed => 500,
        }
    }
}

/// How long a delivery id is remembered by default: failed deliveries are retried within hours, and
/// getFailedWebhooks keeps them 72 hours, so a replay within that time is recognised too.
pub const REMEMBER_MS: f64 = 72.0 * 3_600_000.0;

/// The default memory of processed delivery ids: bounded (the oldest are forgotten first) and timed.
#[derive(Clone, Debug)]
pub struct DeliveryLog {
    entries: VecDeque<(String, f64)>,
    capacity: usize,
}

impl DeliveryLog {
    /// Remembers at most `capacity` ids.
    pub fn new(capacity: usize) -> Self {
        DeliveryLog { entries: VecDeque::new(), capacity }
    }

    /// Whether `id` was processed and is still remembered at `now_ms`.
    pub fn has(&mut self, id: &str, now_ms: f64) -> bool {
        self.entries.retain(|(_, until)| *until > now_ms);
        self.entries.iter().any(|(seen, _)| seen == id)
    }

    /// Remembers `id` as processed until `now_ms + ttl_ms`.
    pub fn add(&mut self, id: &str, now_ms: f64, ttl_ms: f64) {
        if self.entries.len() >= self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back((id.to_owned(), now_ms + ttl_ms));
    }
}

/// The request a failed delivery (from getFailedWebhooks) stands for, to feed it through the same handlers.
pub fn replayed_request(id: &str) -> DeliveryRequest {
    DeliveryRequest { method: "POST".into(), identifier: Some(id.to_owned()), ..DeliveryRequest::default() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::connect_jwt;
    use crate::decode::check;
    use crate::error::ErrorKind;
    use crate::encode::base64;

    const NOW: f64 = 1_764_400_000.0;

    fn options(text: &str) -> VerifyOptions {
        let (doc, _) = check(text, Ty::Obj(VerifyOptions::SHAPE)).unwrap();
        let mut o = VerifyOptions::from_json(Some(doc.root()));
        if let Some(c) = &mut o.connect {
            c.shared_secret = Some(crate::decode::JsOnly);
        }
        o
    }

    fn all() -> VerifyOptions {
        options(
            r#"{"oauth":{"clientSecret":["new-secret","oauth-s3cr3t"]},"connect":{"baseUrl":"https://app.example.com/app"},"hmac":{"secret":"hub-s3cr3t"}}"#,
        )
    }

    fn request(auth: Option<String>, url: &str) -> DeliveryRequest {
        DeliveryRequest {
            method: "POST".into(),
            url: url.into(),
            authorization: auth,
            identifier: Some("d-1".into()),
            retry: Some("2".into()),
            flow: Some("Primary".into()),
            ..DeliveryRequest::default()
        }
    }

    fn hs256(claims: &str, secret: &str) -> String {
        use hmac::Mac;
        let input = format!("{}.{}", base64(br#"{"alg":"HS256","typ":"JWT"}"#, true), base64(claims.as_bytes(), true));
        let sig = crate::auth::mac::<sha2::Sha256>(secret.as_bytes(), input.as_bytes()).finalize().into_bytes();
        format!("{input}.{}", base64(&sig, true))
    }

    fn run(req: &DeliveryRequest, body: &str, secret: Option<&str>, now: f64) -> Result<Option<String>, Error> {
        let opts = all();
        let cred = credential(req, &opts)?;
        let client_key = match &cred {
            Credential::Connect(token) => Some(connect_client_key(token)?),
            _ => None,
        };
        verify(&cred, req, body, &opts, secret, now)?;
        Ok(client_key)
    }

    #[test]
    fn an_oauth_delivery_verifies_with_any_configured_secret() {
        let token = hs256(r#"{"iss":"https://site.atlassian.net","exp":1764400100}"#, "oauth-s3cr3t");
        let req = request(Some(format!("Bearer {token}")), "https://app.example.com/app/hook");
        assert_eq!(run(&req, "{}", None, NOW), Ok(None));
        let wrong = hs256(r#"{"exp":1764400100}"#, "another");
        let e = run(&request(Some(format!("Bearer {wrong}")), "https://a/x"), "{}", None, NOW).unwrap_err();
        assert_eq!((e.kind, e.path.as_deref()), (ErrorKind::Unauthorized, Some("signature")));
        let e = run(&req, "{}", None, NOW + 1000.0).unwrap_err();
        assert_eq!(e.path.as_deref(), Some("exp"));
    }

    #[test]
    fn a_connect_delivery_verifies_with_its_tenants_secret_and_its_own_request() {
        let url = "https://app.example.com/app/webhook?tenant=x";
        let qsh = connect_jwt::query_string_hash("POST", "/webhook?tenant=x");
        let token =
            hs256(&format!(r#"{{"iss":"client-1","iat":1764399990,"exp":1764400100,"qsh":"{qsh}"}}"#), "tenant-s3cr3t");
        let req = request(Some(format!("JWT {token}")), url);
        assert_eq!(run(&req, "{}", Some("tenant-s3cr3t"), NOW), Ok(Some("client-1".into())));
        assert_eq!(run(&req, "{}", Some("other"), NOW).unwrap_err().path.as_deref(), Some("signature"));
        assert_eq!(run(&req, "{}", None, NOW).unwrap_err().path.as_deref(), Some("iss"), "unknown tenant");
        let moved = request(Some(format!("JWT {token}")), "https://app.example.com/app/webhook?tenant=y");
        assert_eq!(run(&moved, "{}", Some("tenant-s3cr3t"), NOW).unwrap_err().path.as_deref(), Some("qsh"));
        let in_query = request(None, &format!("{url}&jwt={token}"));
        assert_eq!(run(&in_query, "{}", Some("tenant-s3cr3t"), NOW), Ok(Some("client-1".into())), "?jwt= is accepted");
    }

    #[test]
    fn an_hmac_delivery_verifies_over_the_raw_body() {
        let mut req = request(None, "https://a/x");
        use hmac::Mac;
        let sig = crate::auth::mac::<sha2::Sha256>(b"hub-s3cr3t", br#"{"webhookEvent":"x"}"#).finalize().into_bytes();
        req.hub_signature = Some(format!("sha256={}", crate::encode::hex(&sig)));
        assert_eq!(run(&req, r#"{"webhookEvent":"x"}"#, None, NOW), Ok(None));
        assert_eq!(
            run(&req, r#"{"webhookEvent":"y"}"#, None, NOW).unwrap_err().path.as_deref(),
            Some("x-hub-signature")
        );
    }

    #[test]
    fn a_missing_or_unconfigured_credential_is_refused() {
        assert_eq!(
            run(&request(None, "https://a/x"), "{}", None, NOW).unwrap_err().path.as_deref(),
            Some("authorization")
        );
        let only_hmac = options(r#"{"hmac":{"secret":"x"}}"#);
        let e = credential(&request(Some("Bearer abc".into()), "https://a/x"), &only_hmac).unwrap_err();
        assert!(e.message.contains("`oauth` is not configured"), "{}", e.message);
        assert!(options("{}").validate().is_err());
        assert!(options(r#"{"hmac":{"secret":"x"},"clockSkewSeconds":900}"#).validate().is_err());
    }

    #[test]
    fn the_delivery_carries_headers_tenant_and_payload() {
        let req = request(None, "https://a/x");
        let body = r#"{"timestamp":1,"webhookEvent":"jira:issue_updated","matchedWebhookIds":[10000,10002],"issue":{"key":"A-1"}}"#;
        let json = delivery(&req, body, Some("client-1"), false).unwrap();
        assert_eq!(
            json,
            format!(
                r#"{{"id":"d-1","retry":2,"flow":"Primary","event":"jira:issue_updated","clientKey":"client-1","matchedWebhookIds":[10000,10002],"payload":{body}}}"#
            )
        );
        let replayed = delivery(&replayed_request("f-9"), r#"{"webhookEvent":"comment_created"}"#, None, true).unwrap();
        assert_eq!(
            replayed,
            r#"{"id":"f-9","retry":0,"event":"comment_created","replayed":true,"payload":{"webhookEvent":"comment_created"}}"#
        );
        for bad in ["", "not json", "[1]", "\"x\""] {
            let e = delivery(&req, bad, None, false).unwrap_err();
            assert_eq!((e.kind, e.status), (ErrorKind::Decode, 400));
        }
    }

    #[test]
    fn delivery_ids_are_remembered_per_tenant() {
        assert_eq!(dedupe_key("17", Some("client-a")), "client-a/17");
        assert_ne!(dedupe_key("17", Some("client-a")), dedupe_key("17", Some("client-b")));
        assert_eq!((dedupe_key("17", None), dedupe_key("", Some("client-a"))), ("17".into(), String::new()));
    }

    #[test]
    fn the_endpoint_answers_what_makes_jira_retry_only_failures() {
        assert_eq!(
            [Handled::Unverified, Handled::NotJson, Handled::Duplicate, Handled::Done, Handled::HandlerFailed]
                .map(Handled::status),
            [401, 400, 204, 204, 500]
        );
    }

    #[test]
    fn the_delivery_log_is_bounded_and_timed() {
        let mut log = DeliveryLog::new(2);
        log.add("a", 0.0, 100.0);
        log.add("b", 0.0, 100.0);
        assert!(log.has("a", 50.0) && log.has("b", 50.0));
        log.add("c", 50.0, 100.0);
        assert!(!log.has("a", 60.0), "the oldest is forgotten first");
        assert!(log.has("c", 60.0));
        assert!(!log.has("b", 101.0), "and every one after its time");
    }
}
