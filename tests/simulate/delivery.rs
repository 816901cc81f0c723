//! Deliveries: Jira's side (it sends each delivery, sometimes twice, times out after about 20 s, retries on 408,
//! 409, 425, 429, 5xx, a failed connection or a timeout, and lists for replay what failed for good), the app's
//! receiver (the core's `Receipt`, with its `DeliveryRun` claim, driven step by step like `receiver.js`: the
//! tenant's secret, the body, the payload, the claim, the handler, completing or releasing, the answer), and the
//! app's replays of Jira's failed list (`replay`, keyed like the live delivery).

use super::world::{
    Actor, Event, Home, Io, IoResult, StoreAt, Thread, Wake, World, CLIENT_SECRET, FAILED_KEPT, HOUR, JIRA_TIMEOUT,
    MINUTE, SECOND, SITES,
};
use jira_webhooks::*;

/// Jira has an event to deliver: a first thread of attempts, and now and then a second one (it "may deliver more
/// than once").
pub fn jira_emits(w: &mut World, delivery: usize) {
    thread(w, delivery, 0.0);
    if w.fault(w.setup.duplicate, "Jira sent a delivery twice") {
        let delay = w.choices.pick(&[0.0, 5.0, SECOND, 30.0 * SECOND, 2.0 * MINUTE]);
        thread(w, delivery, delay);
    }
}

fn thread(w: &mut World, delivery: usize, delay: f64) {
    w.jira.threads.push(Thread { delivery, attempts: 0, waiting: None });
    let t = w.jira.threads.len() - 1;
    w.at(delay, Event::JiraSend(t));
}

/// Jira sends the next attempt of `thread` to one of the app's processes.
pub fn jira_sends(w: &mut World, thread: usize) {
    let t = &mut w.jira.threads[thread];
    let attempt = t.attempts;
    t.attempts += 1;
    t.waiting = Some(attempt);
    let delivery = t.delivery;
    w.at(JIRA_TIMEOUT, Event::JiraTimeout { thread, attempt });
    // With an in-memory store, the app is one receiving process.
    let proc = if w.setup.memory_store { 0 } else { w.choices.below(w.setup.procs as u64) as usize };
    if !w.procs[proc].up {
        let delay = w.network();
        w.at(delay, Event::Heard { thread, attempt, status: None });
        return;
    }
    let home = Home { proc, inc: w.procs[proc].inc };
    let (site, id) = (SITES[w.jira.deliveries[delivery].site].key, w.jira.deliveries[delivery].id.clone());
    w.log(|| {
        format!("jira: sends delivery #{delivery} ({site} id {id}) attempt {attempt} of copy {thread} to p{proc}")
    });
    let request = request(w, delivery, attempt);
    let actor = DeliveryActor::spawn(w, home, delivery, Some((thread, attempt)), None, request);
    let delay = w.network();
    w.wake(actor, delay, Wake::Start);
}

/// Jira hears the answer to an attempt (`None`: the connection failed, or it timed out): done, retried later, or
/// failed for good.
pub fn jira_hears(w: &mut World, thread: usize, attempt: u32, status: Option<u16>) {
    if w.jira.threads[thread].waiting != Some(attempt) {
        return;
    }
    let delivery = w.jira.threads[thread].delivery;
    w.log(|| format!("jira: hears {status:?} for delivery #{delivery} attempt {attempt} of copy {thread}"));
    let t = &mut w.jira.threads[thread];
    t.waiting = None;
    let retry = match status {
        Some(200..=299) => {
            w.jira.deliveries[delivery].delivered = true;
            return;
        }
        Some(408 | 409 | 425 | 429 | 500..=599) | None => true,
        Some(_) => false,
    };
    if retry && t.attempts <= w.setup.jira_retries {
        let delay = w.choices.pick(&[SECOND, 5.0 * SECOND, 30.0 * SECOND, 90.0 * SECOND, 5.0 * MINUTE, 12.0 * MINUTE]);
        w.at(delay, Event::JiraSend(thread));
        return;
    }
    if SITES[w.jira.deliveries[delivery].site].connect {
        w.seen.add("a delivery failed for good (Jira lists it for replay)");
        w.jira.failed.push(super::world::Failure { delivery, at: w.now });
    }
}

/// The request of an attempt, signed as Jira signs it: a Connect tenant's JWT with `qsh`, or an OAuth 2.0 app's
/// Bearer JWT (with the cloud id claim when the scenario says so).
fn request(w: &mut World, delivery: usize, attempt: u32) -> DeliveryRequest {
    let d = &w.jira.deliveries[delivery];
    let site = &SITES[d.site];
    let now_s = (w.now / 1000.0).floor() as i64;
    let authorization = if site.connect {
        format!("JWT {}", connect_jwt::sign(site.key, site.secret, "POST", "/webhook", now_s))
    } else {
        let context =
            if w.setup.cloud_claim { format!(r#","context":{{"cloudId":"{}"}}"#, site.key) } else { String::new() };
        let claims = format!(r#"{{"iss":"https://auth.atlassian.com","exp":{}{context}}}"#, now_s + 180);
        format!("Bearer {}", hs256(&claims, CLIENT_SECRET))
    };
    DeliveryRequest {
        method: "POST".into(),
        url: super::world::APP_URL.into(),
        authorization: Some(authorization),
        hub_signature: None,
        identifier: Some(d.id.clone()),
        retry: (attempt > 0).then(|| attempt.to_string()),
        flow: Some("Primary".into()),
    }
}

fn hs256(claims: &str, secret: &str) -> String {
    use base64::Engine;
    use hmac::{KeyInit, Mac};
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let input = format!("{}.{}", b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#), b64.encode(claims));
    let mut mac = <hmac::SimpleHmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("any key");
    mac.update(input.as_bytes());
    format!("{input}.{}", b64.encode(mac.finalize().into_bytes()))
}

#[derive(Clone, Copy, PartialEq)]
enum Pending {
    Nothing,
    Claim,
    Complete,
    Release,
    Handler(u64),
}

/// One attempt (or one replay) at the app.
pub struct DeliveryActor {
    pub home: Home,
    delivery: usize,
    /// Jira's thread and attempt; `None` for a replay.
    jira: Option<(usize, u32)>,
    replayer: Option<usize>,
    request: DeliveryRequest,
    receipt: Option<Receipt>,
    owner: String,
    record: usize,
    store: StoreAt,
    pending: Pending,
    answered: bool,
}

impl DeliveryActor {
    /// A new attempt in the world (its actor number); it starts when woken.
    pub fn spawn(
        w: &mut World,
        home: Home,
        delivery: usize,
        jira: Option<(usize, u32)>,
        replayer: Option<usize>,
        request: DeliveryRequest,
    ) -> usize {
        let owner = format!("attempt-{}", w.uid());
        let record = w.ledger.new_run(delivery, jira.is_none(), &owner);
        let store = if w.setup.memory_store { StoreAt::Memory(home.proc, home.inc) } else { StoreAt::Remote };
        let actor = DeliveryActor {
            home,
            delivery,
            jira,
            replayer,
            request,
            receipt: None,
            owner,
            record,
            store,
            pending: Pending::Nothing,
            answered: false,
        };
        w.spawn(Actor::Delivery(Box::new(actor)))
    }

    pub fn on_wake(&mut self, w: &mut World, me: usize, why: Wake) {
        match why {
            Wake::Start if self.receipt.is_none() => {
                let settings = w.receiver.clone();
                let owner = self.owner.clone();
                let receipt = match self.jira {
                    Some(_) => Receipt::new(settings, self.request.clone(), owner, w.now, false),
                    None => {
                        let site = SITES[w.jira.deliveries[self.delivery].site].key;
                        let id = w.jira.deliveries[self.delivery].id.clone();
                        Receipt::replay(settings, &id, Some(site), owner, w.now).expect("a replay with its site")
                    }
                };
                self.receipt = Some(receipt);
                w.note(1, me, 1);
                self.with_receipt(w, me, |_| {});
            }
            Wake::HandlerDeadline(uid) if self.pending == Pending::Handler(uid) => {
                w.ledger.runs[self.record].timed_out = true;
                w.log(|| format!("{}: the handler passed its deadline", self.owner));
                self.with_receipt(w, me, |r| r.on_handler(HandlerOutcome::TimedOut));
            }
            Wake::Handler(uid, succeeded) if self.pending == Pending::Handler(uid) => {
                self.pending = Pending::Nothing;
                let run = &mut w.ledger.runs[self.record];
                run.handler_end = Some(w.now);
                run.succeeded = succeeded;
                w.note(1, me, if succeeded { 3 } else { 4 });
                w.log(|| format!("{}: the handler {}", self.owner, if succeeded { "succeeded" } else { "failed" }));
                let outcome = if succeeded { HandlerOutcome::Succeeded } else { HandlerOutcome::Failed };
                self.with_receipt(w, me, |r| r.on_handler(outcome));
            }
            _ => {}
        }
    }

    pub fn on_reply(&mut self, w: &mut World, me: usize, result: IoResult) {
        match (self.pending, result) {
            (Pending::Claim, IoResult::Claim(result)) => {
                self.pending = Pending::Nothing;
                if let Err(f) = &result {
                    w.ledger.check_store_failure(w.now, f);
                }
                match result {
                    Ok(Claim::InProgress) => w.seen.add("an attempt found its delivery in progress (409)"),
                    Ok(Claim::Done) => w.seen.add("an attempt found its delivery done (204)"),
                    _ => {}
                }
                w.note(1, me, 2);
                self.with_receipt(w, me, |r| r.on_claim(result));
            }
            (Pending::Complete, IoResult::Stored(result)) => {
                self.pending = Pending::Nothing;
                w.note(1, me, 5);
                self.with_receipt(w, me, |r| r.on_complete(result));
            }
            (Pending::Release, IoResult::Stored(result)) => {
                self.pending = Pending::Nothing;
                w.note(1, me, 6);
                self.with_receipt(w, me, |r| r.on_release(result));
            }
            _ => {}
        }
    }

    fn with_receipt(&mut self, w: &mut World, me: usize, f: impl FnOnce(&mut Receipt)) {
        let Some(mut receipt) = self.receipt.take() else { return };
        f(&mut receipt);
        let next = receipt.poll(w.now);
        self.drive(w, me, &mut receipt, next);
        self.receipt = Some(receipt);
    }

    /// Performs what the receipt says until it waits for something.
    fn drive(&mut self, w: &mut World, me: usize, receipt: &mut Receipt, mut action: ReceiptAction) {
        let site = &SITES[w.jira.deliveries[self.delivery].site];
        // `Claim(Wait)` right after the payload means "poll again"; after that, it means "await the event".
        let mut polled = false;
        loop {
            action = match action {
                ReceiptAction::Secret(key) => {
                    let secret = SITES.iter().find(|s| s.connect && s.key == key).map(|s| s.secret.to_owned());
                    receipt.on_secret(secret)
                }
                ReceiptAction::ReadBody { .. } => receipt.on_body_end(BodyEnd::Complete),
                ReceiptAction::Parse => receipt.on_payload(Some(PayloadFacts {
                    event: "jira:issue_updated".into(),
                    matched_webhook_ids: Some(vec![10_000]),
                    origin: Some(site.origin.into()),
                })),
                ReceiptAction::Site => receipt.on_site(None),
                ReceiptAction::Verified => return,
                ReceiptAction::Refuse(e) => {
                    w.ledger.check_error(w.now, "a refusal", &e);
                    let detail = format!("{}: a valid delivery was refused: {}", self.owner, e.message);
                    w.ledger.violate("answered-once", w.now, detail);
                    return self.answer(w, me, refusal_status(&e));
                }
                ReceiptAction::Answer(status) => {
                    self.answer(w, me, status);
                    receipt.poll(w.now)
                }
                ReceiptAction::Done => return,
                ReceiptAction::Claim(step) => match step {
                    ClaimAction::Claim { key, owner, lease_ms } => {
                        self.pending = Pending::Claim;
                        w.io(me, Io::Claim { store: self.store, key, owner, lease_ms });
                        return;
                    }
                    ClaimAction::RunHandler { timeout_ms } => {
                        let succeeds = !w.fault(w.setup.handler_fail, "a handler failed");
                        let takes = if w.fault(w.setup.slow, "a handler was slow") {
                            w.choices.pick(&[16.0 * SECOND, 40.0 * SECOND, 75.0 * SECOND, 200.0 * SECOND])
                        } else {
                            w.choices.pick(&[0.0, 20.0, 300.0, 3.0 * SECOND])
                        };
                        let uid = w.uid();
                        self.pending = Pending::Handler(uid);
                        w.ledger.runs[self.record].handler_start = Some(w.now);
                        w.log(|| format!("{}: runs the handler", self.owner));
                        if takes >= timeout_ms {
                            w.wake(me, timeout_ms, Wake::HandlerDeadline(uid));
                        }
                        w.wake(me, takes, Wake::Handler(uid, succeeds));
                        return;
                    }
                    ClaimAction::Complete { key, remember_ms } => {
                        self.pending = Pending::Complete;
                        w.io(me, Io::Complete { store: self.store, key, remember_ms, run: self.record });
                        return;
                    }
                    ClaimAction::Release { key, owner } => {
                        self.pending = Pending::Release;
                        w.io(me, Io::Release { store: self.store, key, owner });
                        return;
                    }
                    ClaimAction::Report(problem) => {
                        w.ledger.check_text(w.now, "a delivery problem", &problem.message());
                        if problem.code() == "complete-failed" {
                            w.seen.add("a completion failed after a successful handler");
                        }
                        receipt.poll(w.now)
                    }
                    ClaimAction::Answer(status) => {
                        self.answer(w, me, status);
                        receipt.poll(w.now)
                    }
                    ClaimAction::Wait if self.pending == Pending::Nothing && !polled => {
                        polled = true;
                        receipt.poll(w.now)
                    }
                    ClaimAction::Wait => return,
                    ClaimAction::Done => return,
                },
            };
        }
    }

    fn answer(&mut self, w: &mut World, me: usize, status: u16) {
        if self.answered {
            let detail = format!("{} answered twice (then {status})", self.owner);
            return w.ledger.violate("answered-once", w.now, detail);
        }
        self.answered = true;
        w.ledger.runs[self.record].answer = Some(status);
        w.note(1, me, 10 + (status / 100) as u8);
        w.log(|| format!("{}: answers {status}", self.owner));
        match self.jira {
            Some((thread, attempt)) => {
                let delay = w.network();
                let heard =
                    if w.fault(w.setup.answer_lost, "the app's answer to Jira was lost") { None } else { Some(status) };
                w.at(delay, Event::Heard { thread, attempt, status: heard });
            }
            None => {
                if status == 204 {
                    if let Some(replayer) = self.replayer {
                        w.wake(replayer, 0.0, Wake::Replayed(self.delivery));
                    }
                }
            }
        }
    }

    /// The process stops: a running handler dies with it, and Jira's connection breaks.
    pub fn on_stop(&mut self, w: &mut World) {
        if let Pending::Handler(_) = self.pending {
            w.seen.add("a handler died with its process");
        }
        if let (Some((thread, attempt)), false) = (self.jira, self.answered) {
            w.at(0.0, Event::Heard { thread, attempt, status: None });
        }
    }
}

/// The app's replays: now and then it reads Jira's failed list (Connect tenants only) and replays what it has
/// not replayed successfully yet (its memory of that is lost in a restart).
pub struct Replayer {
    pub home: Home,
    rounds: u32,
    replayed: Vec<usize>,
}

impl Replayer {
    pub fn new(home: Home, rounds: u32) -> Self {
        Replayer { home, rounds, replayed: Vec::new() }
    }

    pub fn on_wake(&mut self, w: &mut World, me: usize, why: Wake) {
        match why {
            Wake::Replayed(delivery) => self.replayed.push(delivery),
            Wake::Start | Wake::Timer(_) if self.rounds > 0 => {
                self.rounds -= 1;
                let now = w.now;
                let due: Vec<usize> = w
                    .jira
                    .failed
                    .iter()
                    .filter(|f| f.at + FAILED_KEPT > now && !self.replayed.contains(&f.delivery))
                    .map(|f| f.delivery)
                    .collect();
                for delivery in due {
                    w.seen.add("a failed delivery was replayed");
                    let request = DeliveryRequest::default();
                    let actor = DeliveryActor::spawn(w, self.home, delivery, None, Some(me), request);
                    w.wake(actor, 0.0, Wake::Start);
                }
                let next = w.choices.pick(&[MINUTE, 30.0 * MINUTE, 10.0 * HOUR, 71.0 * HOUR]);
                w.wake(me, next, Wake::Timer(0));
            }
            _ => {}
        }
    }
}
