//! `syncWebhooks` and `keepAlive` runs: the core's `Lifecycle` says which call comes next and the core's `Call`
//! decides each call's sends, waits and retries; this actor performs them against the simulated Jira, as
//! `lifecycle.js` and `call.js` do. Runs of one key (the URL; keep-alives share "") in one process wait in the
//! process's queue, as the JS edge serializes them; with the cross-process lease (the documented advice: a lease
//! row, a Durable Object) syncs of every process also wait for the lease.

use super::invariants::{check_webhooks, differences};
use super::world::{Actor, Home, Io, IoResult, Wake, World, APP_URL, BEARER, CATALOGUE, VARIANTS};
use jira_webhooks::*;

pub struct SyncActor {
    pub home: Home,
    pub keep_alive: bool,
    pub variant: usize,
    client: Client,
    lifecycle: Lifecycle,
    call: Option<Call>,
    call_uid: u64,
    /// The current call sent a request and waits for its answer.
    awaiting: bool,
    /// Requests sent that have not reached Jira yet.
    pub in_flight: u32,
    running: bool,
    ended: bool,
    /// It ran while a sync ran that the design does not serialize it with (another process, without the lease).
    pub overlapped: bool,
    /// It ended with a result.
    pub succeeded: bool,
    timer: u64,
    lost_registrations: u32,
}

/// Webhook `i` of the catalogue, as the app declares it.
pub fn details(i: usize) -> WebhookDetails {
    WebhookDetails {
        events: CATALOGUE[i].0.iter().map(|e| WebhookEvent::from_name(e)).collect(),
        jql_filter: CATALOGUE[i].1.into(),
        ..WebhookDetails::default()
    }
}

impl SyncActor {
    pub fn new(w: &World, home: Home, variant: usize, keep_alive: bool) -> Self {
        let config = Config {
            retry: RetryPolicy::default(),
            timeout_ms: w.setup.timeout_ms,
            ..Config::new("https://acme.atlassian.net", Auth::Bearer { token: BEARER.into() })
        };
        let client = Client::new(&config).expect("a valid config");
        let lifecycle = if keep_alive {
            Lifecycle::keep_alive(Some(7.0)).expect("a valid window")
        } else {
            let desired = DesiredWebhooks {
                url: APP_URL.into(),
                webhooks: VARIANTS[variant].iter().map(|&i| details(i)).collect(),
                ..DesiredWebhooks::default()
            };
            validate_desired(&desired, client.auth().app_limit()).expect("a valid desired set");
            Lifecycle::sync(desired, Scope::App)
        };
        SyncActor {
            home,
            keep_alive,
            variant,
            client,
            lifecycle,
            call: None,
            call_uid: 0,
            awaiting: false,
            in_flight: 0,
            running: false,
            ended: false,
            overlapped: false,
            succeeded: false,
            timer: 0,
            lost_registrations: 0,
        }
    }

    fn key(&self) -> &'static str {
        if self.keep_alive {
            ""
        } else {
            APP_URL
        }
    }

    pub fn on_wake(&mut self, w: &mut World, me: usize, why: Wake) {
        match why {
            Wake::Start if !self.running && !self.ended => {
                if !w.may_run(me, self.home, self.key(), !self.keep_alive) {
                    return;
                }
                self.running = true;
                if !self.keep_alive {
                    let others: Vec<usize> = w.running_syncs.clone();
                    for other in others {
                        if let Actor::Sync(s) = &mut w.actors[other] {
                            if s.home != self.home && !w.setup.lease {
                                s.overlapped = true;
                                self.overlapped = true;
                                w.seen.add("two processes' syncs overlapped (no lease)");
                            } else if s.home == self.home {
                                w.seen.add("two syncs of one process overlapped");
                            }
                        }
                    }
                    w.running_syncs.push(me);
                }
                w.log(|| {
                    format!(
                        "sync#{me}@p{}: runs ({})",
                        self.home.proc,
                        if self.keep_alive { "keepAlive" } else { "sync" }
                    )
                });
                self.advance(w, me);
            }
            Wake::Timer(t) if t == self.timer && self.running => self.advance(w, me),
            Wake::Deadline(uid) if uid == self.call_uid && self.awaiting => {
                self.awaiting = false;
                if let Some(call) = &mut self.call {
                    call.on_deadline();
                }
                w.seen.add("a call passed its deadline");
                self.advance(w, me);
            }
            _ => {}
        }
    }

    pub fn on_reply(&mut self, w: &mut World, me: usize, result: IoResult) {
        let IoResult::Http(result) = result else { return };
        if !self.awaiting {
            return;
        }
        self.awaiting = false;
        if let Some(call) = &mut self.call {
            match result {
                Ok(response) => {
                    w.log(|| format!("sync#{me}: Jira answered {}", response.status));
                    call.on_response(response)
                }
                Err(cause) => {
                    w.log(|| format!("sync#{me}: the answer was lost"));
                    call.on_network_error(cause)
                }
            }
        }
        self.advance(w, me);
    }

    fn advance(&mut self, w: &mut World, me: usize) {
        loop {
            if let Some(call) = &mut self.call {
                match call.poll(w.now, w.choices.unit()) {
                    Action::Send => {
                        let req = call.request().clone();
                        let code = match req.method {
                            Method::Get => 1,
                            Method::Delete => 2,
                            Method::Post => 3,
                            Method::Put => 4,
                        };
                        w.note(0, me, code);
                        w.log(|| format!("sync#{me}: sends {:?} {}", req.method, req.path));
                        self.awaiting = true;
                        self.in_flight += 1;
                        if let Some(ms) = call.remaining_ms(w.now) {
                            w.wake(me, ms, Wake::Deadline(self.call_uid));
                        }
                        w.io(me, Io::Jira { req, call: self.call_uid });
                        return;
                    }
                    Action::Sleep(ms) | Action::SleepOn(ms) => {
                        if ms > 0.0 {
                            w.seen.add("a call waited before sending again");
                        }
                        self.timer += 1;
                        w.wake(me, ms, Wake::Timer(self.timer));
                        return;
                    }
                    Action::NeedToken { .. } => call.on_token(Ok(BEARER.into())),
                    Action::Done(result) => {
                        if let Err(e) = &result {
                            w.ledger.check_error(w.now, "a call's error", e);
                            if e.may_have_applied && call.operation() == "registerDynamicWebhooks" {
                                self.lost_registrations += 1;
                                w.seen.add("a registration's answer was lost: the sync lists again");
                            }
                        }
                        self.call = None;
                        self.lifecycle.on_reply(result);
                    }
                }
                continue;
            }
            let call = match self.lifecycle.next(w.now) {
                Step::Done(outcome) => return self.finish(w, me, outcome),
                Step::List(op) => self.client.call(&op, w.now, None, None),
                Step::Delete(op) => self.client.call(&op, w.now, None, None),
                Step::Register(op) => self.client.call(&op, w.now, None, None),
                Step::Refresh(op) => self.client.call(&op, w.now, None, None),
            };
            self.call_uid = w.uid();
            self.call = Some(call.expect("a call with the config's deadline"));
        }
    }

    fn finish(&mut self, w: &mut World, me: usize, outcome: Result<Outcome, Error>) {
        self.running = false;
        self.ended = true;
        self.succeeded = outcome.is_ok();
        if let Err(e) = &outcome {
            w.ledger.check_error(w.now, "a sync's error", e);
        }
        w.log(|| format!("sync#{me}: ended {}", if outcome.is_ok() { "ok" } else { "with an error" }));
        if !self.keep_alive {
            if self.in_flight == 0 {
                w.running_syncs.retain(|&a| a != me);
            }
            match &outcome {
                Ok(_) if !self.overlapped => {
                    let context = format!(
                        "after sync#{me} (variant {}) ended: the design serializes it with every sync that overlapped it",
                        self.variant
                    );
                    check_webhooks(w, self.variant, &context);
                }
                Ok(_) => {
                    w.ledger.excuse("a sync overlapped another process's sync without the lease");
                    if differences(w, self.variant).is_some() {
                        w.seen.add("overlapping syncs without the lease left the set inexact (the next sync fixes it)");
                    }
                }
                Err(_) => w.seen.add("a sync ended with an error"),
            }
        }
        w.done_running(me, self.home, self.key());
    }

    /// The process stopped under the run.
    pub fn on_stop(&mut self, w: &mut World, me: usize) {
        if self.in_flight == 0 {
            w.running_syncs.retain(|&a| a != me);
        }
        self.running = false;
        self.ended = true;
    }
}

/// A request of sync `actor` reached Jira: a sync that is over or dead stops counting as running once its last
/// request has landed.
pub fn landed(w: &mut World, actor: usize) {
    if let Actor::Sync(s) = &w.actors[actor] {
        if s.in_flight == 0 && s.ended {
            w.running_syncs.retain(|&a| a != actor);
        }
    }
}
