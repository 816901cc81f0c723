//! Receiving deliveries: the way of one delivery from its arrival to its answer, as a state machine with no I/O
//! ([`Receipt`]). Which credential it carries; the tenant's secret (Connect); its body, read once as bytes within
//! a size limit and hashed as it comes (`X-Hub-Signature`), never held whole by the core; verification; its
//! payload, its site and its handler; and the claim ([`super::claim`]) that runs the handler once although Jira
//! retries and may deliver twice (Atlassian's Webhooks page, "Retry policy"). The edge performs each
//! [`ReceiptAction`] and reports back; every decision is here.

use super::claim::{delivery_key, Claim, ClaimAction, ClaimPolicy, DeliveryRun, HandlerOutcome, StoreFailure};
use crate::auth::verify::{check_qsh, unauthorized, HubCheck, Jwt};
use crate::decode::{model, FromJson, JsOnly, Kind, Source, Ty};
use crate::error::{Error, ErrorKind};
use crate::models::WebhookEvent;
use crate::text::cat;
use std::rc::Rc;

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
        shared_secret "sharedSecret": JsOnly = Ty::Function,
    }
}

model! {
    /// Admin webhooks with a secret: `X-Hub-Signature: sha256=<hex HMAC of the raw body>`.
    pub struct HmacVerify [closed] {
        /// The webhook's secret, or several while rotating.
        #[tsify(type = "string | string[]")]
        secret "secret": SecretList = Ty::OneOrMany(&Ty::Text),
    }
}

model! {
    /// How deliveries are verified (`verifyDelivery`): give the one (or several) your app uses.
    pub struct VerifyOptions [closed] {
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
        /// The largest body accepted, in bytes (a larger one is answered 413). Default 32 MiB, above the 25 MB
        /// Jira sends at most.
        #[tsify(optional)]
        max_body_bytes "maxBodyBytes": Option<f64> = Ty::Num,
        /// The site a delivery comes from, when the app knows better than the package (see the README, "Sites").
        #[tsify(optional, type = "(delivery: Delivery) => string | undefined | Promise<string | undefined>")]
        site_of "siteOf": Option<JsOnly> = Ty::Function,
    }
}

model! {
    /// `createWebhookHandler`'s options: how deliveries are verified, who handles them, and where they are claimed.
    pub struct WebhookHandlerOptions [closed] {
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
        /// The largest body accepted, in bytes (a larger one is answered 413). Default 32 MiB, above the 25 MB
        /// Jira sends at most.
        #[tsify(optional)]
        max_body_bytes "maxBodyBytes": Option<f64> = Ty::Num,
        /// The site a delivery comes from, when the app knows better than the package (see the README, "Sites").
        #[tsify(optional, type = "(delivery: Delivery) => string | undefined | Promise<string | undefined>")]
        site_of "siteOf": Option<JsOnly> = Ty::Function,
        /// The handler of each event this version knows, or `"*"` for the others; each may be async. A throw makes
        /// the endpoint answer 500, so that Jira retries.
        #[tsify(type = "WebhookHandlers")]
        on "on": JsOnly = Ty::Functions,
        /// Handlers of events newer than this version, by their name.
        #[tsify(optional, type = "Record<string, (payload: UnknownPayload, delivery: Delivery) => unknown>")]
        on_other "onOther": Option<JsOnly> = Ty::Functions,
        /// Where deliveries are claimed and remembered (see the README, "Exactly once"); default: in memory, in
        /// this process. `false`: every attempt runs its handler.
        #[tsify(optional, type = "DeliveryStore | false")]
        dedupe "dedupe": Option<JsOnly> = Ty::Any,
        /// How long a handler may take before the endpoint answers 503 (Jira retries; the claim keeps the retry
        /// out until the handler settles). Default 15000, under Jira's timeout of about 20 s.
        #[tsify(optional)]
        handler_timeout_ms "handlerTimeoutMs": Option<f64> = Ty::Num,
        /// Told about a handler that threw or timed out (`error`: what it threw) and about a store that failed
        /// (what the store threw is the error's `cause`; its message is never in the package's words, nor a token);
        /// default: one line on `console.error`.
        #[tsify(optional, type = "(error: unknown, context: DeliveryProblem) => unknown")]
        on_error "onError": Option<JsOnly> = Ty::Function,
        /// Gets a replayed failure that has no body, so the app can fetch the entity itself.
        #[tsify(optional, type = "(failure: FailedWebhook) => unknown")]
        on_missing_body "onMissingBody": Option<JsOnly> = Ty::Function,
    }
}

model! {
    /// A delivery, verified: what every handler gets with the payload.
    pub struct Delivery [open] {
        /// Jira's `X-Atlassian-Webhook-Identifier`: the same on every retry; unique per site only.
        id "id": String = Ty::Str,
        /// The site it comes from: a Connect tenant's clientKey, an OAuth 2.0 site's cloud id or origin.
        site "site": String = Ty::Str,
        /// `X-Atlassian-Webhook-Retry`: 0 for the first attempt.
        retry "retry": f64 = Ty::Num,
        /// `X-Atlassian-Webhook-Flow`: the dependent events of a delete come as `Secondary`, later.
        #[tsify(optional, type = "\"Primary\" | \"Secondary\"")]
        flow "flow": Option<String> = Ty::Str,
        /// The event (`webhookEvent`).
        #[tsify(type = "WebhookEvent")]
        event "event": String = Ty::Str,
        /// A Connect tenant's clientKey.
        #[tsify(optional)]
        client_key "clientKey": Option<String> = Ty::Str,
        /// The ids of the app's webhooks that matched (REST-registered webhooks).
        #[tsify(optional)]
        matched_webhook_ids "matchedWebhookIds": Option<Vec<i64>> = Ty::List(&Ty::Int),
        /// `true` when it came from `replay`, not from Jira.
        #[tsify(optional)]
        replayed "replayed": Option<bool> = Ty::Bool,
        /// The payload as Jira sent it.
        #[tsify(type = "WebhookPayload")]
        payload "payload": JsOnly = Ty::Any,
    }
}

model! {
    /// What `onError` is told besides the error: which delivery, never its token.
    pub struct DeliveryProblem [open] {
        /// A stable name: `handler-failed`, `handler-timed-out`, `claim-failed`, `complete-failed`, …
        code "code": String = Ty::Str,
        /// A sentence a person can act on.
        message "message": String = Ty::Str,
        /// The delivery's id.
        id "id": String = Ty::Str,
        /// Its site.
        site "site": String = Ty::Str,
        /// Its event.
        event "event": String = Ty::Str,
    }
}

/// How a receiver verifies and handles deliveries: its options, read once.
#[derive(Clone, Debug, Default)]
pub struct ReceiverSettings {
    /// The verification options (`verifyDelivery`'s, or the handler's).
    pub verify: VerifyOptions,
    /// Whether `connect.sharedSecret` was given.
    pub shared_secret: bool,
    /// The events `on` has handlers for (`*` included).
    pub on: Vec<String>,
    /// The events `onOther` has handlers for.
    pub on_other: Vec<String>,
    /// Whether deliveries are claimed (a store, or the default memory).
    pub claims: bool,
    /// The claim's timings.
    pub policy: ClaimPolicy,
}

/// The most bytes a body may have unless `maxBodyBytes` says otherwise: 32 MiB, above Jira's 25 MB.
pub const MAX_BODY_BYTES: f64 = 32.0 * 1024.0 * 1024.0;

impl ReceiverSettings {
    /// `verifyDelivery`'s settings, checked.
    pub fn verifier(verify: VerifyOptions, shared_secret: bool) -> Result<ReceiverSettings, Error> {
        let settings = ReceiverSettings { verify, shared_secret, ..ReceiverSettings::default() };
        settings.check()?;
        Ok(settings)
    }

    /// `createWebhookHandler`'s settings, checked: `on` and `onOther` name their events (a misspelled known event
    /// is refused, not silently never called), `dedupe` is a store or `false`.
    pub fn handler(
        options: &WebhookHandlerOptions,
        shared_secret: bool,
        on: Vec<String>,
        on_other: Vec<String>,
        claims: bool,
    ) -> Result<ReceiverSettings, Error> {
        let verify = VerifyOptions {
            oauth: options.oauth.clone(),
            connect: options.connect.clone(),
            hmac: options.hmac.clone(),
            clock_skew_seconds: options.clock_skew_seconds,
            max_body_bytes: options.max_body_bytes,
            site_of: options.site_of,
        };
        for event in &on {
            if event != "*" && !WebhookEvent::KNOWN.iter().any(|e| e.as_str() == event) {
                return Err(Error::config(
                    "on",
                    "names an event this version does not know (a typo?); a handler of an event newer than this \
                     version goes in `onOther`",
                ));
            }
        }
        if on_other.iter().any(|event| event == "*" || WebhookEvent::KNOWN.iter().any(|e| e.as_str() == event)) {
            return Err(Error::config(
                "onOther",
                "is for events this version does not know: give known events in `on`",
            ));
        }
        let mut policy = ClaimPolicy::default();
        if let Some(ms) = options.handler_timeout_ms {
            if !(ms.is_finite() && ms > 0.0) {
                return Err(Error::config("handlerTimeoutMs", "must be a positive number of milliseconds"));
            }
            policy.handler_deadline_ms = ms;
            policy.lease_ms = policy.lease_ms.max(ms * 4.0);
        }
        let settings = ReceiverSettings { verify, shared_secret, on, on_other, claims, policy: policy.validated()? };
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), Error> {
        let v = &self.verify;
        if v.oauth.is_none() && v.connect.is_none() && v.hmac.is_none() {
            return Err(Error::config("options", "give at least one of `oauth`, `connect` or `hmac`"));
        }
        if v.connect.is_some() && !self.shared_secret {
            return Err(Error::config("connect.sharedSecret", "must be a function (clientKey) => secret"));
        }
        if !(0.0..=600.0).contains(&self.skew()) {
            return Err(Error::config("clockSkewSeconds", "must be between 0 and 600"));
        }
        if self.max_body_bytes().is_nan() || self.max_body_bytes() < 1.0 {
            return Err(Error::config("maxBodyBytes", "must be a positive number of bytes"));
        }
        Ok(())
    }

    /// The leeway in seconds.
    pub fn skew(&self) -> f64 {
        self.verify.clock_skew_seconds.unwrap_or(60.0)
    }

    /// The largest body accepted.
    pub fn max_body_bytes(&self) -> f64 {
        self.verify.max_body_bytes.unwrap_or(MAX_BODY_BYTES)
    }

    /// Which handler a delivery of `event` goes to.
    pub fn handler_of(&self, event: &str) -> Handler {
        if self.on.iter().any(|e| e == event) {
            Handler::On(event.to_owned())
        } else if self.on_other.iter().any(|e| e == event) {
            Handler::Other(event.to_owned())
        } else if self.on.iter().any(|e| e == "*") {
            Handler::On("*".into())
        } else {
            Handler::None
        }
    }
}

/// Which of the app's handlers a delivery goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Handler {
    /// `on[event]` (or `on["*"]`).
    On(String),
    /// `onOther[event]`.
    Other(String),
    /// None: the delivery counts as handled.
    None,
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
        auth.get(..name.len())
            .filter(|s| s.eq_ignore_ascii_case(name))
            .and_then(|_| auth.get(name.len()..))
            .map(|rest| rest.trim().to_owned())
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

/// What to read of a delivery's payload: its event, the webhooks it matched, and where it says it comes from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PayloadFacts {
    /// `webhookEvent` (or `eventType`).
    pub event: String,
    /// `matchedWebhookIds`.
    pub matched_webhook_ids: Option<Vec<i64>>,
    /// The origin of the first REST link in it (`issue.self`, `comment.self`, …): the site's URL.
    pub origin: Option<String>,
}

impl PayloadFacts {
    /// Reads a parsed payload; `None` when it is not a JSON object.
    pub fn read<S: Source>(payload: &S) -> Option<PayloadFacts> {
        if payload.kind() != Kind::Obj {
            return None;
        }
        let text = |v: Option<S>| v.and_then(|v| v.string());
        let event = text(payload.member("webhookEvent")).or_else(|| text(payload.member("eventType")));
        let ids = payload.member("matchedWebhookIds").filter(|v| v.kind() == Kind::Arr);
        let links = ["issue", "comment", "sprint", "version", "worklog", "project", "user"];
        let link = links
            .iter()
            .find_map(|name| text(payload.member(name).and_then(|v| v.member("self"))))
            .or_else(|| text(payload.member("self")));
        Some(PayloadFacts {
            event: event.unwrap_or_default(),
            matched_webhook_ids: ids.map(|v| Vec::from_json(Some(v))),
            origin: link.as_deref().and_then(origin_of),
        })
    }
}

/// The origin (`https://host`) of an absolute http(s) URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = crate::small::split_once(url, "://")?;
    if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next().filter(|h| !h.is_empty() && !h.bytes().any(|b| b == b'@'))?;
    Some(cat!(scheme.to_ascii_lowercase(), "://", host.to_ascii_lowercase()))
}

/// What the edge does next for a delivery.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum ReceiptAction {
    /// Ask the app's `connect.sharedSecret` for this tenant's secret; report with `on_secret`.
    Secret(String),
    /// Read the body's bytes, at most `limit`; when `hash` is set, feed them to `on_body_chunk` as they come;
    /// report the end with `on_body_end`.
    ReadBody {
        /// The most bytes accepted.
        limit: f64,
        /// Whether the core needs the bytes (an `X-Hub-Signature` to check).
        hash: bool,
    },
    /// Decode the body (UTF-8) and parse it as JSON; report with `on_payload`.
    Parse,
    /// Ask the app's `siteOf`; report with `on_site`.
    Site,
    /// The delivery is verified (`verifyDelivery`): hand out [`Receipt::delivery`].
    Verified,
    /// The claim's next step (the handler to run is [`Receipt::handler`]).
    Claim(ClaimAction),
    /// Answer with this status (the run may go on: a late handler).
    Answer(u16),
    /// The delivery could not be taken: answer with the error's status and message (never a secret).
    Refuse(Error),
    /// Nothing more to do.
    Done,
}

#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Start,
    AwaitingSecret,
    Reading,
    Parsing,
    AwaitingSite,
    Claiming,
    Ended,
}

/// One delivery's way, from its arrival (or a replay) to its answer.
pub struct Receipt {
    settings: Rc<ReceiverSettings>,
    request: DeliveryRequest,
    /// `None` for a replay (it was verified when Jira first sent it).
    credential: Option<Credential>,
    verify_only: bool,
    phase: Phase,
    client_key: Option<String>,
    /// The OAuth token's `context.cloudId` claim (an undocumented claim the fake sends; used when present).
    cloud_id: Option<String>,
    hub: Option<HubCheck>,
    delivery: Delivery,
    run: Option<DeliveryRun>,
    owner: String,
    now_s: f64,
}

impl Receipt {
    /// A delivery that arrived at `now_ms` with `request`'s head; `owner` is unique to this attempt.
    pub fn new(
        settings: Rc<ReceiverSettings>,
        request: DeliveryRequest,
        owner: String,
        now_ms: f64,
        verify_only: bool,
    ) -> Receipt {
        let retry = request.retry.as_deref().and_then(|r| r.trim().parse::<u32>().ok()).unwrap_or(0);
        let delivery = Delivery {
            id: request.identifier.clone().unwrap_or_default(),
            retry: f64::from(retry),
            flow: request.flow.clone(),
            ..Delivery::default()
        };
        Receipt {
            settings,
            request,
            credential: None,
            verify_only,
            phase: Phase::Start,
            client_key: None,
            cloud_id: None,
            hub: None,
            delivery,
            run: None,
            owner,
            now_s: now_ms / 1000.0,
        }
    }

    /// A failed delivery (from getFailedWebhooks) fed through the handlers again, once: `site` is the site it
    /// came from (a Connect tenant's clientKey), so that it shares its key with the live delivery.
    pub fn replay(
        settings: Rc<ReceiverSettings>,
        id: &str,
        site: Option<&str>,
        owner: String,
        now_ms: f64,
    ) -> Result<Receipt, Error> {
        if site.is_none_or(str::is_empty) && settings.verify.connect.is_some() {
            return Err(Error::invalid_input(
                "options.site",
                "is missing: a replay needs the site the failure came from (the tenant's clientKey), so that it is \
                 recognised as the delivery Jira may still retry",
            ));
        }
        let request =
            DeliveryRequest { method: "POST".into(), identifier: Some(id.to_owned()), ..DeliveryRequest::default() };
        let mut receipt = Receipt::new(settings, request, owner, now_ms, false);
        receipt.delivery.replayed = Some(true);
        receipt.delivery.site = site.unwrap_or_default().to_owned();
        receipt.phase = Phase::Parsing;
        Ok(receipt)
    }

    /// The delivery as far as it is known (its `payload` is the edge's).
    pub fn delivery(&self) -> &Delivery {
        &self.delivery
    }

    /// Which handler runs it.
    pub fn handler(&self) -> Handler {
        self.settings.handler_of(&self.delivery.event)
    }

    /// What to do next, at `now_ms`.
    pub fn poll(&mut self, now_ms: f64) -> ReceiptAction {
        self.now_s = now_ms / 1000.0;
        match self.phase {
            Phase::Start => self.start(),
            Phase::Reading | Phase::AwaitingSecret | Phase::AwaitingSite => ReceiptAction::Claim(ClaimAction::Wait),
            Phase::Parsing => ReceiptAction::Parse,
            Phase::Claiming => match self.run.as_mut().map(|r| r.poll(now_ms)) {
                Some(ClaimAction::Done) | None => {
                    self.phase = Phase::Ended;
                    ReceiptAction::Done
                }
                Some(ClaimAction::Answer(status)) => ReceiptAction::Answer(status),
                Some(action) => ReceiptAction::Claim(action),
            },
            Phase::Ended => ReceiptAction::Done,
        }
    }

    fn start(&mut self) -> ReceiptAction {
        let credential = match credential(&self.request, &self.settings.verify) {
            Ok(c) => c,
            Err(e) => return self.refuse(e),
        };
        let action = match &credential {
            Credential::Connect(token) => match connect_client_key(token) {
                Ok(key) => {
                    self.phase = Phase::AwaitingSecret;
                    self.client_key = Some(key.clone());
                    ReceiptAction::Secret(key)
                }
                Err(e) => return self.refuse(e),
            },
            Credential::Bearer(token) => {
                let secrets = self.settings.verify.oauth.as_ref().map_or(&[][..], |o| &o.client_secret.0);
                let verified = Jwt::parse(token).and_then(|jwt| {
                    jwt.verify(secrets.iter().map(String::as_str), self.now_s, self.settings.skew()).map(|()| jwt)
                });
                match verified {
                    Ok(jwt) => self.cloud_id = jwt.claim_at(&["context", "cloudId"]),
                    Err(e) => return self.refuse(e),
                }
                self.read(false)
            }
            Credential::Hub(signature) => {
                let secrets = self.settings.verify.hmac.as_ref().map_or(&[][..], |h| &h.secret.0);
                match HubCheck::new(signature, secrets.iter().map(String::as_str)) {
                    Ok(check) => self.hub = Some(check),
                    Err(e) => return self.refuse(e),
                }
                self.read(true)
            }
        };
        self.credential = Some(credential);
        action
    }

    fn read(&mut self, hash: bool) -> ReceiptAction {
        self.phase = Phase::Reading;
        ReceiptAction::ReadBody { limit: self.settings.max_body_bytes(), hash }
    }

    fn refuse(&mut self, e: Error) -> ReceiptAction {
        self.phase = Phase::Ended;
        ReceiptAction::Refuse(e)
    }

    /// The tenant's shared secret (Connect), or `None` for a tenant the app does not know.
    pub fn on_secret(&mut self, secret: Option<String>) -> ReceiptAction {
        if self.phase != Phase::AwaitingSecret {
            return ReceiptAction::Done;
        }
        let Some(Credential::Connect(token)) = &self.credential else { return ReceiptAction::Done };
        let verified = match secret.filter(|s| !s.is_empty()) {
            None => Err(unauthorized("iss", "the tenant is not known to the app (no shared secret for it)")),
            Some(secret) => Jwt::parse(token).and_then(|jwt| {
                jwt.verify([secret.as_str()], self.now_s, self.settings.skew())?;
                let base_url = self.settings.verify.connect.as_ref().map_or("", |c| &c.base_url);
                check_qsh(&jwt, &self.request.method, &self.request.url, base_url)
            }),
        };
        match verified {
            Ok(()) => self.read(false),
            Err(e) => self.refuse(e),
        }
    }

    /// The app's `connect.sharedSecret` threw something of kind `name` (its message is not shown).
    pub fn on_secret_failed(&mut self, name: &str) -> ReceiptAction {
        let mut e = Error::config("connect.sharedSecret", "");
        e.message = cat!(
            "connect.sharedSecret threw or rejected with ",
            name,
            " (its message is not shown: it may hold a secret)"
        );
        e.status = 500;
        self.refuse(e)
    }

    /// The next bytes of the body (only when [`ReceiptAction::ReadBody`] asked to hash them).
    pub fn on_body_chunk(&mut self, chunk: &[u8]) {
        if let Some(hub) = &mut self.hub {
            hub.update(chunk);
        }
    }

    /// The body was read (`complete`), or it was larger than the limit, or it could not be read.
    pub fn on_body_end(&mut self, end: BodyEnd) -> ReceiptAction {
        if self.phase != Phase::Reading {
            return ReceiptAction::Done;
        }
        match end {
            BodyEnd::TooLarge => {
                let mut e = Error::invalid_input("body", "is larger than `maxBodyBytes`");
                e.status = 413;
                self.refuse(e)
            }
            BodyEnd::Unreadable => {
                let mut e = Error::invalid_input("request", "its body could not be read");
                e.status = 400;
                self.refuse(e)
            }
            BodyEnd::Complete => match self.hub.take().map_or(Ok(()), HubCheck::finish) {
                Ok(()) => {
                    self.phase = Phase::Parsing;
                    ReceiptAction::Parse
                }
                Err(e) => self.refuse(e),
            },
        }
    }

    /// What the body held: its facts when it was a JSON object, `None` when it was not (or not UTF-8).
    pub fn on_payload(&mut self, facts: Option<PayloadFacts>) -> ReceiptAction {
        if self.phase != Phase::Parsing {
            return ReceiptAction::Done;
        }
        let Some(facts) = facts else {
            let mut e = Error::decode(0, Some("body".into()), "the delivery's body is not a JSON object".into());
            e.status = 400;
            return self.refuse(e);
        };
        let d = &mut self.delivery;
        d.event = facts.event;
        d.matched_webhook_ids = facts.matched_webhook_ids;
        d.client_key = self.client_key.clone();
        if d.site.is_empty() {
            d.site = self.client_key.clone().or_else(|| self.cloud_id.clone()).or(facts.origin).unwrap_or_default();
        }
        if self.settings.verify.site_of.is_some() {
            self.phase = Phase::AwaitingSite;
            return ReceiptAction::Site;
        }
        self.claim()
    }

    /// The app's `siteOf` said (`None`: keep the package's).
    pub fn on_site(&mut self, site: Option<String>) -> ReceiptAction {
        if self.phase != Phase::AwaitingSite {
            return ReceiptAction::Done;
        }
        if let Some(site) = site.filter(|s| !s.is_empty()) {
            self.delivery.site = site;
        }
        self.claim()
    }

    fn claim(&mut self) -> ReceiptAction {
        if self.verify_only {
            self.phase = Phase::Ended;
            return ReceiptAction::Verified;
        }
        let key = if self.settings.claims { delivery_key(&self.delivery.site, &self.delivery.id) } else { None };
        let now_ms = self.now_s * 1000.0;
        self.run = Some(DeliveryRun::new(key, std::mem::take(&mut self.owner), now_ms, self.settings.policy));
        self.phase = Phase::Claiming;
        self.poll(now_ms)
    }

    /// The store answered the claim.
    pub fn on_claim(&mut self, claim: Result<Claim, StoreFailure>) {
        if let Some(run) = &mut self.run {
            run.on_claim(claim);
        }
    }

    /// The handler settled (or passed its deadline).
    pub fn on_handler(&mut self, outcome: HandlerOutcome) {
        if let Some(run) = &mut self.run {
            run.on_handler(outcome);
        }
    }

    /// The store recorded the delivery as processed.
    pub fn on_complete(&mut self, result: Result<(), StoreFailure>) {
        if let Some(run) = &mut self.run {
            run.on_complete(result);
        }
    }

    /// The store released the claim.
    pub fn on_release(&mut self, result: Result<(), StoreFailure>) {
        if let Some(run) = &mut self.run {
            run.on_release(result);
        }
    }
}

/// How reading a body ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyEnd {
    /// All of it was read.
    Complete,
    /// It was larger than the limit (the rest was not read).
    TooLarge,
    /// The stream failed.
    Unreadable,
}

/// What a delivery that could not be taken is answered: not verified (401), not readable (400), too large (413),
/// or our side failing, such as the app's `sharedSecret` lookup throwing (500: Jira retries).
pub fn refusal_status(e: &Error) -> u16 {
    match (e.kind, e.status) {
        (ErrorKind::Unauthorized, _) => 401,
        (_, 400 | 413 | 500) => e.status,
        (ErrorKind::Decode | ErrorKind::InvalidInput, _) => 400,
        _ => 500,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::connect_jwt;
    use crate::decode::Doc;
    use crate::encode::base64;
    use crate::lifecycle::claim::ClaimLog;

    const NOW: f64 = 1_764_400_000_000.0;
    const CLIENT_KEY: &str = "client-1";

    fn verify_options() -> VerifyOptions {
        let text = r#"{"oauth":{"clientSecret":["new-secret","oauth-s3cr3t"]},"connect":{"baseUrl":"https://app.example.com/app"},"hmac":{"secret":"hub-s3cr3t"}}"#;
        VerifyOptions::from_json(Some(Doc::parse(text).unwrap().root()))
    }

    fn settings(on: &[&str]) -> Rc<ReceiverSettings> {
        let v = verify_options();
        let options = WebhookHandlerOptions {
            oauth: v.oauth,
            connect: v.connect,
            hmac: v.hmac,
            ..WebhookHandlerOptions::default()
        };
        let on = on.iter().map(|e| e.to_string()).collect();
        Rc::new(ReceiverSettings::handler(&options, true, on, vec!["board_created".into()], true).unwrap())
    }

    fn request(auth: Option<String>, url: &str, id: &str) -> DeliveryRequest {
        DeliveryRequest {
            method: "POST".into(),
            url: url.into(),
            authorization: auth,
            identifier: Some(id.into()),
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

    fn oauth(claims: &str) -> Option<String> {
        Some(format!("Bearer {}", hs256(claims, "oauth-s3cr3t")))
    }

    fn connect(url_path: &str) -> Option<String> {
        let qsh = connect_jwt::query_string_hash("POST", url_path);
        let claims = format!(r#"{{"iss":"{CLIENT_KEY}","iat":1764399990,"exp":1764400100,"qsh":"{qsh}"}}"#);
        Some(format!("JWT {}", hs256(&claims, "tenant-s3cr3t")))
    }

    const ISSUE: &str = r#"{"timestamp":1,"webhookEvent":"jira:issue_updated","matchedWebhookIds":[10000,10002],"issue":{"key":"A-1","self":"https://acme.atlassian.net/rest/api/2/issue/10001"}}"#;

    /// What happened to one delivery.
    #[derive(Debug, Default, PartialEq)]
    struct Outcome {
        answered: Option<u16>,
        refused: Option<(u16, String)>,
        ran: Vec<Handler>,
        reported: Vec<&'static str>,
    }

    /// The edge, in a test: the tenant's secret, the body (fed in chunks), its payload, one store, a handler that
    /// answers `handler`.
    fn drive(mut r: Receipt, body: &[u8], store: &mut ClaimLog, handler: HandlerOutcome) -> (Outcome, Receipt) {
        let mut out = Outcome::default();
        let mut action = r.poll(NOW);
        loop {
            action = match action {
                ReceiptAction::Secret(key) => {
                    assert_eq!(key, CLIENT_KEY);
                    r.on_secret(Some("tenant-s3cr3t".into()))
                }
                ReceiptAction::ReadBody { limit, hash } => {
                    if body.len() as f64 > limit {
                        r.on_body_end(BodyEnd::TooLarge)
                    } else {
                        if hash {
                            body.chunks(3).for_each(|c| r.on_body_chunk(c));
                        }
                        r.on_body_end(BodyEnd::Complete)
                    }
                }
                ReceiptAction::Parse => {
                    let facts = std::str::from_utf8(body)
                        .ok()
                        .and_then(|t| Doc::parse(t).ok())
                        .and_then(|d| PayloadFacts::read(&d.root()));
                    r.on_payload(facts)
                }
                ReceiptAction::Site => r.on_site(None),
                ReceiptAction::Verified => return (out, r),
                ReceiptAction::Refuse(e) => {
                    out.refused = Some((refusal_status(&e), e.path.clone().unwrap_or_default()));
                    return (out, r);
                }
                ReceiptAction::Answer(status) => {
                    out.answered = Some(status);
                    r.poll(NOW)
                }
                ReceiptAction::Done => return (out, r),
                ReceiptAction::Claim(step) => {
                    match step {
                        ClaimAction::Claim { key, owner, lease_ms } => {
                            r.on_claim(store.claim(&key, &owner, NOW, lease_ms))
                        }
                        ClaimAction::RunHandler { .. } => {
                            out.ran.push(r.handler());
                            r.on_handler(handler);
                        }
                        ClaimAction::Complete { key, remember_ms } => {
                            r.on_complete(store.complete(&key, NOW, remember_ms))
                        }
                        ClaimAction::Release { key, owner } => {
                            store.release(&key, &owner);
                            r.on_release(Ok(()));
                        }
                        ClaimAction::Report(p) => out.reported.push(p.code()),
                        // The edge stops at a Wait unless a late handler is running: never in these tests.
                        ClaimAction::Wait => panic!("a Wait with no handler running: the edge would never answer"),
                        ClaimAction::Answer(_) | ClaimAction::Done => {}
                    }
                    r.poll(NOW)
                }
            };
        }
    }

    fn receipt(s: &Rc<ReceiverSettings>, req: DeliveryRequest, owner: &str) -> Receipt {
        Receipt::new(s.clone(), req, owner.into(), NOW, false)
    }

    #[test]
    fn an_oauth_delivery_verifies_with_any_configured_secret_and_names_its_site() {
        let s = settings(&["jira:issue_updated"]);
        let mut store = ClaimLog::new(10);
        let req = request(
            oauth(r#"{"iss":"https://acme.atlassian.net","exp":1764400100,"context":{"cloudId":"cloud-1"}}"#),
            "https://app.example.com/hook",
            "d-1",
        );
        let (out, r) = drive(receipt(&s, req, "a"), ISSUE.as_bytes(), &mut store, HandlerOutcome::Succeeded);
        assert_eq!((out.answered, out.ran), (Some(204), vec![Handler::On("jira:issue_updated".into())]));
        let d = r.delivery();
        assert_eq!(
            (d.id.as_str(), d.site.as_str(), d.retry, d.flow.as_deref()),
            ("d-1", "cloud-1", 2.0, Some("Primary"))
        );
        assert_eq!(d.matched_webhook_ids, Some(vec![10000, 10002]));
        // Without the cloud id claim, the site is the origin of the payload's links.
        let req = request(oauth(r#"{"exp":1764400100}"#), "https://app.example.com/hook", "d-2");
        let (_, r) = drive(receipt(&s, req, "b"), ISSUE.as_bytes(), &mut store, HandlerOutcome::Succeeded);
        assert_eq!(r.delivery().site, "https://acme.atlassian.net");
        for (auth, path) in [
            (Some(format!("Bearer {}", hs256(r#"{"exp":1764400100}"#, "another"))), "signature"),
            (oauth(r#"{"exp":1764399000}"#), "exp"),
            (None, "authorization"),
        ] {
            let (out, _) = drive(
                receipt(&s, request(auth, "https://a/x", "d-3"), "c"),
                b"{}",
                &mut store,
                HandlerOutcome::Succeeded,
            );
            assert_eq!(out.refused, Some((401, path.into())), "{path}");
            assert!(out.ran.is_empty());
        }
    }

    #[test]
    fn a_connect_delivery_verifies_with_its_tenants_secret_and_its_own_request() {
        let s = settings(&["*"]);
        let mut store = ClaimLog::new(10);
        let url = "https://app.example.com/app/webhook?tenant=x";
        let (out, r) = drive(
            receipt(&s, request(connect("/webhook?tenant=x"), url, "d-1"), "a"),
            ISSUE.as_bytes(),
            &mut store,
            HandlerOutcome::Succeeded,
        );
        assert_eq!(out.answered, Some(204));
        assert_eq!((r.delivery().site.as_str(), r.delivery().client_key.as_deref()), (CLIENT_KEY, Some(CLIENT_KEY)));
        let moved = request(connect("/webhook?tenant=x"), "https://app.example.com/app/webhook?tenant=y", "d-2");
        assert_eq!(
            drive(receipt(&s, moved, "b"), b"{}", &mut store, HandlerOutcome::Succeeded).0.refused,
            Some((401, "qsh".into()))
        );
        let token = connect("/webhook?tenant=x").unwrap().replace("JWT ", "");
        let in_query = request(None, &format!("{url}&jwt={token}"), "d-3");
        assert_eq!(
            drive(receipt(&s, in_query, "c"), ISSUE.as_bytes(), &mut store, HandlerOutcome::Succeeded).0.answered,
            Some(204)
        );
        let mut unknown = receipt(&s, request(connect("/webhook?tenant=x"), url, "d-4"), "d");
        assert!(matches!(unknown.poll(NOW), ReceiptAction::Secret(_)));
        let ReceiptAction::Refuse(e) = unknown.on_secret(None) else { panic!("an unknown tenant is refused") };
        assert_eq!(e.path.as_deref(), Some("iss"));
    }

    /// Defect: the signature was checked over the body decoded as text; now the raw bytes are hashed as they come.
    #[test]
    fn an_hmac_delivery_verifies_over_the_raw_bytes() {
        use hmac::Mac;
        let s = settings(&["*"]);
        let mut store = ClaimLog::new(10);
        let sig = crate::auth::mac::<sha2::Sha256>(b"hub-s3cr3t", ISSUE.as_bytes()).finalize().into_bytes();
        let mut req = request(None, "https://a/x", "d-1");
        req.hub_signature = Some(format!("sha256={}", crate::encode::hex(&sig)));
        assert_eq!(
            drive(receipt(&s, req.clone(), "a"), ISSUE.as_bytes(), &mut store, HandlerOutcome::Succeeded).0.answered,
            Some(204)
        );
        let changed = ISSUE.replace("A-1", "A-2");
        let out = drive(receipt(&s, req, "b"), changed.as_bytes(), &mut store, HandlerOutcome::Succeeded).0;
        assert_eq!(out.refused, Some((401, "x-hub-signature".into())));
    }

    #[test]
    fn bodies_that_are_too_large_or_not_json_objects_are_refused() {
        let s = settings(&["*"]);
        let mut store = ClaimLog::new(10);
        let req = || request(oauth(r#"{"exp":1764400100}"#), "https://a/x", "d-1");
        let big = vec![b' '; MAX_BODY_BYTES as usize + 1];
        assert_eq!(
            drive(receipt(&s, req(), "a"), &big, &mut store, HandlerOutcome::Succeeded).0.refused,
            Some((413, "body".into()))
        );
        for bad in [&b"not json"[..], b"[1]", b"\"x\"", b"{\"a\":\xff}"] {
            assert_eq!(
                drive(receipt(&s, req(), "b"), bad, &mut store, HandlerOutcome::Succeeded).0.refused,
                Some((400, "body".into()))
            );
        }
    }

    /// Defect: for an OAuth app the key was the bare identifier, unique per site only: a second site's deliveries
    /// with ids the first had used were answered 204 and never handled.
    #[test]
    fn deliveries_of_two_sites_with_the_same_id_are_both_handled() {
        let s = settings(&["*"]);
        let mut store = ClaimLog::new(10);
        for (cloud, owner) in [("cloud-a", "a"), ("cloud-b", "b"), ("cloud-a", "c")] {
            let claims = format!(r#"{{"exp":1764400100,"context":{{"cloudId":"{cloud}"}}}}"#);
            let req = request(oauth(&claims), "https://app.example.com/hook", "17");
            let (out, _) = drive(receipt(&s, req, owner), ISSUE.as_bytes(), &mut store, HandlerOutcome::Succeeded);
            assert_eq!(out.answered, Some(204));
            assert_eq!(out.ran.len(), usize::from(owner != "c"), "the second delivery of cloud-a's 17 is a duplicate");
        }
    }

    /// Defect: a live Connect delivery was remembered as `clientKey/id`, a replay by the bare id: one delivery
    /// could run twice, once live and once replayed.
    #[test]
    fn a_replay_shares_its_key_with_the_live_delivery() {
        let s = settings(&["*"]);
        let mut store = ClaimLog::new(10);
        let url = "https://app.example.com/app/webhook";
        let (out, _) = drive(
            receipt(&s, request(connect("/webhook"), url, "f-9"), "a"),
            ISSUE.as_bytes(),
            &mut store,
            HandlerOutcome::Succeeded,
        );
        assert_eq!(out.ran.len(), 1);
        let replay = Receipt::replay(s.clone(), "f-9", Some(CLIENT_KEY), "b".into(), NOW).unwrap();
        let (out, r) = drive(replay, ISSUE.as_bytes(), &mut store, HandlerOutcome::Succeeded);
        assert_eq!(
            (out.answered, out.ran.len(), r.delivery().replayed),
            (Some(204), 0, Some(true)),
            "processed live: not again"
        );
        let e = Receipt::replay(s.clone(), "f-10", None, "c".into(), NOW).err().unwrap();
        assert_eq!(e.path.as_deref(), Some("options.site"), "a Connect app's replay must name the tenant");
        let fresh = Receipt::replay(s, "f-11", Some(CLIENT_KEY), "d".into(), NOW).unwrap();
        assert_eq!(drive(fresh, ISSUE.as_bytes(), &mut store, HandlerOutcome::Succeeded).0.ran.len(), 1);
    }

    /// Two attempts of one delivery at once, step by step against one store: the handler runs once.
    #[test]
    fn two_attempts_at_once_run_the_handler_once() {
        let s = settings(&["*"]);
        let mut store = ClaimLog::new(10);
        let req = || request(oauth(r#"{"exp":1764400100,"context":{"cloudId":"c"}}"#), "https://a/x", "d-1");
        let mut first = receipt(&s, req(), "first");
        let mut second = receipt(&s, req(), "second");
        for r in [&mut first, &mut second] {
            assert!(matches!(r.poll(NOW), ReceiptAction::ReadBody { .. }));
            assert_eq!(r.on_body_end(BodyEnd::Complete), ReceiptAction::Parse);
            let facts = PayloadFacts::read(&Doc::parse(ISSUE).unwrap().root());
            match r.on_payload(facts) {
                ReceiptAction::Claim(ClaimAction::Claim { key, owner, lease_ms }) => {
                    r.on_claim(store.claim(&key, &owner, NOW, lease_ms))
                }
                other => panic!("the payload is followed by the claim, not {other:?}"),
            }
        }
        assert!(matches!(first.poll(NOW), ReceiptAction::Claim(ClaimAction::RunHandler { .. })));
        assert_eq!(second.poll(NOW), ReceiptAction::Answer(409), "the second attempt finds it in progress");
    }

    #[test]
    fn handlers_are_chosen_by_own_event_names_and_typos_are_refused() {
        let s = settings(&["jira:issue_created", "*"]);
        assert_eq!(s.handler_of("jira:issue_created"), Handler::On("jira:issue_created".into()));
        assert_eq!(s.handler_of("comment_created"), Handler::On("*".into()));
        assert_eq!(s.handler_of("board_created"), Handler::Other("board_created".into()));
        assert_eq!(s.handler_of("constructor"), Handler::On("*".into()), "never an inherited member");
        let o = WebhookHandlerOptions { hmac: verify_options().hmac, ..WebhookHandlerOptions::default() };
        let e = ReceiverSettings::handler(&o, false, vec!["jira:issue_udpated".into()], vec![], true).unwrap_err();
        assert_eq!((e.kind, e.path.as_deref()), (ErrorKind::Config, Some("on")));
        let e = ReceiverSettings::handler(&o, false, vec![], vec!["comment_created".into()], true).unwrap_err();
        assert_eq!(e.path.as_deref(), Some("onOther"));
        let o = WebhookHandlerOptions { handler_timeout_ms: Some(-1.0), ..o };
        assert_eq!(
            ReceiverSettings::handler(&o, false, vec![], vec![], true).unwrap_err().path.as_deref(),
            Some("handlerTimeoutMs")
        );
    }

    #[test]
    fn refusals_answer_what_makes_jira_retry_only_our_failures() {
        assert_eq!(refusal_status(&unauthorized("exp", "x")), 401);
        let mut e = Error::invalid_input("body", "x");
        e.status = 413;
        assert_eq!(refusal_status(&e), 413);
        assert_eq!(refusal_status(&Error::decode(0, None, "x".into())), 400);
        assert_eq!(refusal_status(&Error::new(ErrorKind::Network, "x")), 500);
    }
}
