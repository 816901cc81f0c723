//! The world: one clock, the processes of one app, and what they share. A simulated Jira (the app's dynamic
//! webhooks with ids, 30-day expiry, the app's limit, offset pages it cuts short, refusals of JQL it does not
//! support, an hourly points budget answering 429 with `Retry-After`; and the deliveries it sends and retries), the
//! delivery store (a remote store shared by the processes, or each process's in-memory `ClaimLog`), and Atlassian's
//! token endpoint with the app's compare-and-swap token store. Every operation of an actor is two events: it reaches
//! its server ([`Event::Apply`], where faults strike before or after it is applied) and its answer reaches the actor
//! ([`Event::Reply`]); whatever else is due runs in between.

use super::delivery::{DeliveryActor, Replayer};
use super::invariants::{Ledger, Rotation};
use super::scheduler::{Choices, Queue};
use super::sync::SyncActor;
use super::token::TokenWorker;
use jira_webhooks::oauth::{StoreFailure as TokenStoreFailure, TokenManager, TokenPolicy, TokenResponse, Tokens};
use jira_webhooks::*;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::rc::Rc;

/// The simulated epoch: 2025-11-29.
pub const T0: f64 = 1_764_400_000_000.0;
pub const SECOND: f64 = 1_000.0;
pub const MINUTE: f64 = 60.0 * SECOND;
pub const HOUR: f64 = 60.0 * MINUTE;
pub const DAY: f64 = 24.0 * HOUR;
/// Webhooks live 30 days.
pub const LIFETIME: f64 = 30.0 * DAY;
/// Jira gives up on a delivery that has not answered in about 20 s.
pub const JIRA_TIMEOUT: f64 = 20.0 * SECOND;
/// Jira keeps a failed delivery listed for 72 hours.
pub const FAILED_KEPT: f64 = 72.0 * HOUR;
/// The app's URL.
pub const APP_URL: &str = "https://app.example.com/app/webhook";
/// Marks every secret of the simulation: no error may contain it.
pub const MARK: &str = "SeCrEt";
/// The sync client's bearer token.
pub const BEARER: &str = "bearer.SeCrEt.sync";
/// The OAuth app's client secret (deliveries' Bearer JWTs are signed with it).
pub const CLIENT_SECRET: &str = "client.SeCrEt.oauth";
/// The most events one run may take before it counts as not settling.
pub const MAX_STEPS: u64 = 60_000;

/// The webhooks the syncs may want: two variants of the desired set (a config change between deploys).
pub const CATALOGUE: [(&[&str], &str); 5] = [
    (&["jira:issue_created"], "project = A"),
    (&["jira:issue_created", "jira:issue_updated"], "project IN (A, B) AND status = done"),
    (&["comment_created"], "project = C"),
    // Inside the client's JQL subset, but Jira supports only the epic label custom field: refused inside its 200.
    (&["jira:issue_deleted"], "cf[10099] = 1"),
    (&["comment_updated"], "project = D"),
];
pub const VARIANTS: [&[usize]; 2] = [&[0, 1, 2], &[0, 3, 4]];

/// Where the deliveries come from: two Connect tenants and two OAuth 2.0 sites.
pub struct Site {
    pub connect: bool,
    /// The Connect clientKey, or the OAuth site's cloud id.
    pub key: &'static str,
    /// The tenant's shared secret (Connect).
    pub secret: &'static str,
    /// The origin of the REST links in its payloads.
    pub origin: &'static str,
}

pub static SITES: [Site; 4] = [
    Site { connect: true, key: "client-a", secret: "tenant-a.SeCrEt", origin: "https://a.atlassian.net" },
    Site { connect: true, key: "client-b", secret: "tenant-b.SeCrEt", origin: "https://b.atlassian.net" },
    Site { connect: false, key: "cloud-1", secret: "", origin: "https://one.atlassian.net" },
    Site { connect: false, key: "cloud-2", secret: "", origin: "https://two.atlassian.net" },
];

/// What a run is told from the command line.
#[derive(Clone, Copy, Default)]
pub struct Options {
    /// How long the receiver remembers a processed delivery, when not the shipped default (96 h).
    pub remember_ms: Option<f64>,
}

/// The scenario's knobs, drawn first.
pub struct Setup {
    pub procs: usize,
    /// The documented advice across processes: a lease around each sync.
    pub lease: bool,
    /// Deliveries claimed in each process's memory (one receiving process) instead of a shared store.
    pub memory_store: bool,
    /// OAuth deliveries carry the cloud id claim (else their site is their links' origin).
    pub cloud_claim: bool,
    pub page_size: usize,
    pub jira_retries: u32,
    pub points_per_hour: Option<u32>,
    pub timeout_ms: Option<f64>,
    /// Fault rates, per mille.
    pub lost: u64,
    pub jira_error: u64,
    pub burst: u64,
    pub store_fail: u64,
    pub token_fault: u64,
    pub handler_fail: u64,
    pub slow: u64,
    pub duplicate: u64,
    pub answer_lost: u64,
    pub slow_store: u64,
}

/// An item of the scenario, started at its time.
#[derive(Clone, Debug)]
pub enum Item {
    Sync { proc: usize, variant: usize, keep_alive: bool },
    Deliver { delivery: usize },
    Worker { proc: usize, uses: u32 },
    Replayer { proc: usize, rounds: u32 },
    Stop { proc: usize, down_ms: f64 },
    Start { proc: usize },
    Revoke,
}

/// Where a claim goes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StoreAt {
    Remote,
    Memory(usize, u64),
}

/// An operation on its way to a server.
#[derive(Clone, Debug)]
pub enum Io {
    Jira {
        req: HttpRequest,
        call: u64,
    },
    Claim {
        store: StoreAt,
        key: String,
        owner: String,
        lease_ms: f64,
    },
    /// `run` is the ledger's record of the attempt (the simulation's bookkeeping, not the store's).
    Complete {
        store: StoreAt,
        key: String,
        remember_ms: f64,
        run: usize,
    },
    Release {
        store: StoreAt,
        key: String,
        owner: String,
    },
    Load,
    Refresh {
        token: String,
        run: u64,
    },
    Save {
        next: Tokens,
        previous: String,
    },
    Use {
        access: String,
    },
}

/// An answer on its way back.
#[derive(Clone, Debug)]
pub enum IoResult {
    Http(Result<HttpResponse, String>),
    Claim(Result<Claim, StoreFailure>),
    Stored(Result<(), StoreFailure>),
    Loaded(Result<Option<Tokens>, TokenStoreFailure>),
    /// The endpoint's answer, and the rotation it made (even when the answer is lost).
    Token(TokenResponse, Option<usize>),
    Saved(Result<bool, TokenStoreFailure>),
    Used(bool),
}

/// Why an actor is woken.
#[derive(Clone, Debug)]
pub enum Wake {
    Start,
    /// A timer; `u64` is the actor's timer number, so a stale one is ignored.
    Timer(u64),
    /// A call's deadline passed.
    Deadline(u64),
    /// The handler settled (`true`: succeeded).
    Handler(u64, bool),
    /// The handler's deadline passed.
    HandlerDeadline(u64),
    /// The refresh this worker joined ended.
    Joined(Box<Result<Tokens, Error>>),
    /// A replay of this delivery was answered 204.
    Replayed(usize),
}

pub enum Event {
    Scenario(Item),
    Apply(usize, Io),
    Reply(usize, IoResult),
    Wake(usize, Wake),
    /// Jira sends the next attempt of a thread of a delivery.
    JiraSend(usize),
    /// Jira hears the app's answer to an attempt (`None`: the connection failed).
    Heard {
        thread: usize,
        attempt: u32,
        status: Option<u16>,
    },
    JiraTimeout {
        thread: usize,
        attempt: u32,
    },
}

pub enum Actor {
    Sync(Box<SyncActor>),
    Delivery(Box<DeliveryActor>),
    Token(Box<TokenWorker>),
    Replayer(Replayer),
    Gone,
}

/// Which incarnation of which process an actor lives in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Home {
    pub proc: usize,
    pub inc: u64,
}

/// A claim store, and beside it who held each lease (to tell a takeover of an expired lease).
pub struct ClaimStore {
    pub log: ClaimLog,
    /// Per key: the owner of the lease and when it ends, or `None` once processed.
    pub leases: HashMap<String, Option<(String, f64)>>,
}

impl ClaimStore {
    pub fn new() -> Self {
        ClaimStore { log: ClaimLog::new(ClaimLog::CAPACITY), leases: HashMap::new() }
    }
}

/// One process of the app: what it holds in memory is lost when it stops.
pub struct Proc {
    pub up: bool,
    pub inc: u64,
    pub manager: TokenManager,
    /// Workers waiting for the refresh in flight.
    pub joiners: Vec<usize>,
    /// Token runs of this process in flight (one, when single-flight holds).
    pub runs: u32,
    /// Syncs by key, first the running one (the JS edge's per-key queue).
    pub queue: HashMap<String, VecDeque<usize>>,
    pub memory: ClaimStore,
}

impl Proc {
    fn new(inc: u64) -> Self {
        let mut manager = TokenManager::new(TokenPolicy::default());
        manager.add_secret(CLIENT_SECRET);
        Proc { up: true, inc, manager, joiners: Vec::new(), runs: 0, queue: HashMap::new(), memory: ClaimStore::new() }
    }
}

/// A webhook as Jira keeps it.
#[derive(Clone, Debug)]
pub struct Hook {
    pub id: i64,
    pub events: Vec<String>,
    pub jql: String,
    pub url: String,
    pub expires: f64,
}

impl Hook {
    /// What makes two webhooks the same (the catalogue's JQL is already in normal form).
    pub fn identity(&self) -> String {
        format!("{} | {}", self.events.join(","), self.jql)
    }
}

/// The identity of catalogue webhook `i`.
pub fn identity_of(i: usize) -> String {
    let mut events: Vec<String> = CATALOGUE[i].0.iter().map(|e| e.to_string()).collect();
    events.sort();
    format!("{} | {}", events.join(","), CATALOGUE[i].1)
}

/// Whether Jira refuses catalogue webhook `i` (inside its 200).
pub fn refused(i: usize) -> bool {
    unsupported(CATALOGUE[i].1)
}

fn unsupported(jql: &str) -> bool {
    jql.contains("cf[") && !jql.contains("cf[10014]")
}

/// A delivery Jira has to make: an event of a site, with the identifier Jira gives it on that site.
pub struct Delivery {
    pub site: usize,
    pub id: String,
    /// Whether Jira was answered 2xx for it.
    pub delivered: bool,
}

/// One line of attempts of a delivery: Jira's retries follow each other; a duplicate is another thread.
pub struct Thread {
    pub delivery: usize,
    pub attempts: u32,
    /// The attempt Jira waits for, if any.
    pub waiting: Option<u32>,
}

/// A failure Jira lists (getFailedWebhooks).
pub struct Failure {
    pub delivery: usize,
    pub at: f64,
}

/// The simulated Jira.
pub struct Jira {
    pub hooks: Vec<Hook>,
    pub next_id: i64,
    pub limit: usize,
    pub page_size: usize,
    pub points: Option<u32>,
    pub window: i64,
    pub used: u32,
    /// Until when every request is answered 429 (a request before a `Retry-After` ends gets the rest of it).
    pub limited_until: f64,
    /// Per call: when Jira last told it to wait until.
    pub not_before: HashMap<u64, f64>,
    pub deliveries: Vec<Delivery>,
    pub threads: Vec<Thread>,
    pub failed: Vec<Failure>,
    pub next_delivery_id: [u32; 4],
}

/// The OAuth 2.0 connection: the token endpoint's side and the app's token store.
pub struct Connection {
    /// The one refresh token the endpoint accepts (`None`: revoked).
    pub valid: Option<String>,
    pub issued: u32,
    /// Access tokens the API accepts, until when.
    pub access: Vec<(String, f64)>,
    pub stored: Option<Tokens>,
    pub revoked: bool,
}

/// Coverage: how often the interesting situations came up.
#[derive(Default)]
pub struct Seen {
    pub counts: BTreeMap<&'static str, u64>,
}

impl Seen {
    pub fn add(&mut self, what: &'static str) {
        *self.counts.entry(what).or_default() += 1;
    }
}

/// The three kinds of interleaving, each summed up as a hash of who did what in which order.
pub const KINDS: [&str; 3] = ["syncs", "deliveries", "tokens"];

#[derive(Default, Clone)]
pub struct Signature {
    pub hash: u64,
    slots: Vec<usize>,
    pub steps: u32,
}

impl Signature {
    /// Adds `actor` doing `what`; actors are numbered by first appearance, so the hash is the order's shape.
    pub fn add(&mut self, actor: usize, what: u8) {
        let slot = match self.slots.iter().position(|&a| a == actor) {
            Some(i) => i,
            None => {
                self.slots.push(actor);
                self.slots.len() - 1
            }
        };
        for byte in [slot as u8, what] {
            self.hash = (self.hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01B3);
        }
        self.steps += 1;
    }
}

pub struct World {
    pub now: f64,
    pub choices: Choices,
    pub setup: Setup,
    pub queue: Queue<Event>,
    pub actors: Vec<Actor>,
    pub procs: Vec<Proc>,
    pub jira: Jira,
    pub remote: ClaimStore,
    pub conn: Connection,
    pub ledger: Ledger,
    pub seen: Seen,
    pub signatures: [Signature; 3],
    pub steps: u64,
    pub faults: u64,
    /// Faults off: the final sync runs alone on a quiet Jira.
    pub quiet: bool,
    /// Syncs (not keep-alives) that run, or that ended or died with requests still on their way to Jira.
    pub running_syncs: Vec<usize>,
    pub lease_holder: Option<usize>,
    pub lease_waiters: VecDeque<usize>,
    pub receiver: Rc<ReceiverSettings>,
    pub final_variant: usize,
    pub trace: Option<Vec<String>>,
    next_uid: u64,
}

impl World {
    /// Draws a scenario from `choices`.
    pub fn new(mut choices: Choices, options: Options, trace: bool) -> World {
        let c = &mut choices;
        let procs = 1 + c.below(3) as usize;
        let setup = Setup {
            procs,
            lease: c.chance(500),
            memory_store: c.chance(200),
            cloud_claim: c.chance(500),
            page_size: c.pick(&[100, 1, 2, 3]),
            jira_retries: c.pick(&[2, 0, 1, 3]),
            points_per_hour: c.pick(&[None, Some(30), Some(120)]),
            timeout_ms: c.pick(&[None, Some(30_000.0)]),
            lost: c.pick(&[0, 50, 150, 300]),
            jira_error: c.pick(&[0, 50, 150]),
            burst: c.pick(&[0, 50, 150]),
            store_fail: c.pick(&[0, 50, 150, 300]),
            token_fault: c.pick(&[0, 50, 150, 300]),
            handler_fail: c.pick(&[0, 100, 300]),
            slow: c.pick(&[0, 100, 300]),
            duplicate: c.pick(&[0, 200, 500]),
            answer_lost: c.pick(&[0, 50, 200]),
            slow_store: c.pick(&[0, 20, 100]),
        };
        let mut jira = Jira {
            hooks: Vec::new(),
            next_id: 10_000,
            limit: 5,
            page_size: setup.page_size,
            points: setup.points_per_hour,
            window: 0,
            used: 0,
            limited_until: 0.0,
            not_before: HashMap::new(),
            deliveries: Vec::new(),
            threads: Vec::new(),
            failed: Vec::new(),
            next_delivery_id: [0; 4],
        };
        // What an earlier deploy left: nothing, or copies, expired ones and ones no longer wanted.
        for _ in 0..c.below(4) {
            let i = c.below(CATALOGUE.len() as u64) as usize;
            if refused(i) {
                continue;
            }
            let expires = T0 + c.pick(&[20.0 * DAY, 2.0 * DAY, -DAY]);
            let mut events: Vec<String> = CATALOGUE[i].0.iter().map(|e| e.to_string()).collect();
            events.sort();
            jira.hooks.push(Hook {
                id: jira.next_id,
                events,
                jql: CATALOGUE[i].1.into(),
                url: APP_URL.into(),
                expires,
            });
            jira.next_id += 1;
        }
        let first = Tokens {
            access_token: "access.SeCrEt.0".into(),
            refresh_token: "refresh.SeCrEt.0".into(),
            expires_at_ms: T0 + c.pick(&[HOUR, 2.0 * MINUTE, 30.0 * MINUTE]),
        };
        let conn = Connection {
            valid: Some(first.refresh_token.clone()),
            issued: 0,
            access: vec![(first.access_token.clone(), first.expires_at_ms)],
            stored: Some(first),
            revoked: false,
        };
        let mut settings = receiver_settings();
        if let Some(ms) = options.remember_ms {
            settings.policy.remember_ms = ms;
        }
        let receiver = Rc::new(settings);
        let mut w = World {
            now: T0,
            choices,
            procs: (0..setup.procs).map(|_| Proc::new(0)).collect(),
            setup,
            queue: Queue::new(),
            actors: Vec::new(),
            jira,
            remote: ClaimStore::new(),
            conn,
            ledger: Ledger::default(),
            seen: Seen::default(),
            signatures: Default::default(),
            steps: 0,
            faults: 0,
            quiet: false,
            running_syncs: Vec::new(),
            lease_holder: None,
            lease_waiters: VecDeque::new(),
            receiver,
            final_variant: 0,
            trace: trace.then(Vec::new),
            next_uid: 0,
        };
        w.draw_items();
        w
    }

    /// Whether the list being drawn gets another item: each item's draws follow its own "one more" choice, so the
    /// shrinker removes an item by deleting its block of choices (and ends a list with a 0).
    fn more(&mut self, n: usize, max: usize, per_mille: u64) -> bool {
        n < max && self.choices.chance(per_mille)
    }

    fn draw_items(&mut self) {
        let procs = self.setup.procs as u64;
        let mut items = Vec::new();
        while self.more(items.len(), 6, 750) {
            let proc = self.choices.below(procs) as usize;
            let variant = self.choices.below(2) as usize;
            let keep_alive = self.choices.chance(250);
            items.push((self.when(), Item::Sync { proc, variant, keep_alive }));
            if !keep_alive {
                self.final_variant = variant;
            }
        }
        let mut n = 0;
        while self.more(n, 10, 850) {
            n += 1;
            let site = self.choices.below(4) as usize;
            self.jira.next_delivery_id[site] += 1;
            let id = self.jira.next_delivery_id[site].to_string();
            self.jira.deliveries.push(Delivery { site, id, delivered: false });
            items.push((self.when(), Item::Deliver { delivery: self.jira.deliveries.len() - 1 }));
        }
        let mut n = 0;
        while self.more(n, 6, 750) {
            n += 1;
            let proc = self.choices.below(procs) as usize;
            let uses = 1 + self.choices.below(4) as u32;
            items.push((self.when(), Item::Worker { proc, uses }));
        }
        let mut n = 0;
        while self.more(n, 2, 500) {
            n += 1;
            let proc = self.choices.below(procs) as usize;
            let rounds = 1 + self.choices.below(3) as u32;
            let proc = if self.setup.memory_store { 0 } else { proc };
            // An app back from an outage replays the backlog, up to the end of Jira's 72 hours.
            let late = self.choices.pick(&[0.0, 0.0, 71.5 * HOUR, 72.3 * HOUR]);
            items.push((self.when() + late, Item::Replayer { proc, rounds }));
        }
        let mut n = 0;
        while self.more(n, 3, 500) {
            n += 1;
            let proc = self.choices.below(procs) as usize;
            let down_ms = self.choices.pick(&[SECOND, 30.0 * SECOND, 10.0 * MINUTE]);
            items.push((self.when(), Item::Stop { proc, down_ms }));
        }
        if self.choices.chance(30) {
            items.push((self.when(), Item::Revoke));
        }
        for (at, item) in items {
            self.queue.push(at, Event::Scenario(item));
        }
    }

    /// When a scenario item starts: mostly close together (so that they overlap), sometimes after hours or days
    /// (tokens and webhooks expire, memories of deliveries end).
    fn when(&mut self) -> f64 {
        let phase = self.choices.pick(&[0.0, 0.0, 0.0, 2.0 * HOUR, 8.0 * DAY, 31.0 * DAY]);
        let step = self.choices.pick(&[10.0, 200.0, 3_000.0, 60_000.0]);
        T0 + phase + step * self.choices.below(8) as f64
    }

    pub fn uid(&mut self) -> u64 {
        self.next_uid += 1;
        self.next_uid
    }

    /// A fault of rate `per_mille`, unless the world is quiet.
    pub fn fault(&mut self, per_mille: u64, what: &'static str) -> bool {
        if self.quiet || !self.choices.chance(per_mille) {
            return false;
        }
        self.faults += 1;
        self.seen.add(what);
        self.log(|| format!("fault: {what}"));
        true
    }

    pub fn note(&mut self, kind: usize, actor: usize, what: u8) {
        self.signatures[kind].add(actor, what);
    }

    pub fn log(&mut self, line: impl FnOnce() -> String) {
        if let Some(trace) = &mut self.trace {
            trace.push(format!("{:>12.3}s  {}", (self.now - T0) / 1000.0, line()));
        }
    }

    pub fn at(&mut self, delay: f64, event: Event) {
        self.queue.push(self.now + delay.max(0.0), event);
    }

    pub fn wake(&mut self, actor: usize, delay: f64, why: Wake) {
        self.at(delay, Event::Wake(actor, why));
    }

    /// A one-way network delay.
    pub fn network(&mut self) -> f64 {
        self.choices.pick(&[0.0, 1.0, 5.0, 20.0, 100.0, 400.0])
    }

    fn store_delay(&mut self, slow: bool) -> f64 {
        if slow && self.fault(self.setup.slow_store, "a claim store was slow") {
            return self.choices.pick(&[2_000.0, 8_000.0, 16_000.0]);
        }
        self.choices.pick(&[0.0, 1.0, 5.0, 30.0, 200.0])
    }

    /// Sends `io` from `actor`: it reaches its server after a delay.
    pub fn io(&mut self, actor: usize, io: Io) {
        let delay = match &io {
            Io::Claim { store: StoreAt::Memory(..), .. }
            | Io::Complete { store: StoreAt::Memory(..), .. }
            | Io::Release { store: StoreAt::Memory(..), .. } => 0.0,
            // A remote claim store may be slow: a claim can then use up the handler's deadline.
            Io::Claim { .. } | Io::Complete { .. } | Io::Release { .. } => self.store_delay(true),
            // The token store answers within a fraction of a second (a save slower than the 7.5 s of rechecks after
            // invalid_grant is a documented limit, not simulated).
            Io::Load | Io::Save { .. } => self.store_delay(false),
            Io::Jira { .. } | Io::Refresh { .. } | Io::Use { .. } => self.network(),
        };
        self.at(delay, Event::Apply(actor, io));
    }

    pub fn home(&self, actor: usize) -> Option<Home> {
        match &self.actors[actor] {
            Actor::Sync(a) => Some(a.home),
            Actor::Delivery(a) => Some(a.home),
            Actor::Token(a) => Some(a.home),
            Actor::Replayer(a) => Some(a.home),
            Actor::Gone => None,
        }
    }

    /// Whether `actor` still lives: not ended, its process up and not restarted since.
    pub fn alive(&self, actor: usize) -> bool {
        self.home(actor).is_some_and(|h| self.procs[h.proc].up && self.procs[h.proc].inc == h.inc)
    }

    pub fn spawn(&mut self, actor: Actor) -> usize {
        self.actors.push(actor);
        self.actors.len() - 1
    }

    /// Runs every event until none is left (or the step cap).
    pub fn run(&mut self) {
        while let Some((at, event)) = self.queue.pop(&mut self.choices) {
            self.now = self.now.max(at);
            self.steps += 1;
            if self.steps > MAX_STEPS {
                self.ledger.violate(
                    "quiescence",
                    self.now,
                    format!("the run did not settle within {MAX_STEPS} events"),
                );
                return;
            }
            self.dispatch(event);
        }
    }

    fn dispatch(&mut self, event: Event) {
        match event {
            Event::Scenario(item) => self.scenario(item),
            Event::Apply(actor, io) => {
                let back = match &io {
                    Io::Claim { store: StoreAt::Memory(..), .. }
                    | Io::Complete { store: StoreAt::Memory(..), .. }
                    | Io::Release { store: StoreAt::Memory(..), .. } => 0.0,
                    Io::Claim { .. } | Io::Complete { .. } | Io::Release { .. } | Io::Load | Io::Save { .. } => {
                        self.store_delay(false)
                    }
                    Io::Jira { .. } | Io::Refresh { .. } | Io::Use { .. } => self.network(),
                };
                if let Some(result) = self.apply(actor, io) {
                    self.at(back, Event::Reply(actor, result));
                }
            }
            Event::Reply(actor, result) => {
                if self.alive(actor) {
                    self.with_actor(actor, |a, w| match a {
                        Actor::Sync(s) => s.on_reply(w, actor, result),
                        Actor::Delivery(d) => d.on_reply(w, actor, result),
                        Actor::Token(t) => t.on_reply(w, actor, result),
                        _ => {}
                    });
                } else if let IoResult::Token(_, Some(rotation)) = result {
                    self.ledger.orphan(rotation, "the process stopped before it heard the endpoint's rotated tokens");
                }
            }
            Event::Wake(actor, why) => {
                if self.alive(actor) {
                    self.with_actor(actor, |a, w| match a {
                        Actor::Sync(s) => s.on_wake(w, actor, why),
                        Actor::Delivery(d) => d.on_wake(w, actor, why),
                        Actor::Token(t) => t.on_wake(w, actor, why),
                        Actor::Replayer(r) => r.on_wake(w, actor, why),
                        Actor::Gone => {}
                    });
                }
            }
            Event::JiraSend(thread) => super::delivery::jira_sends(self, thread),
            Event::Heard { thread, attempt, status } => super::delivery::jira_hears(self, thread, attempt, status),
            Event::JiraTimeout { thread, attempt } => super::delivery::jira_hears(self, thread, attempt, None),
        }
    }

    /// Runs `f` on `actor`, taken out of the world for the time.
    pub fn with_actor(&mut self, actor: usize, f: impl FnOnce(&mut Actor, &mut World)) {
        let mut a = std::mem::replace(&mut self.actors[actor], Actor::Gone);
        f(&mut a, self);
        if matches!(self.actors[actor], Actor::Gone) {
            self.actors[actor] = a;
        }
    }

    fn scenario(&mut self, item: Item) {
        self.log(|| format!("scenario: {item:?}"));
        match item {
            Item::Sync { proc, variant, keep_alive } => {
                if !self.procs[proc].up {
                    return self.seen.add("a sync started on a stopped process (skipped)");
                }
                let home = Home { proc, inc: self.procs[proc].inc };
                let actor = self.spawn(Actor::Sync(Box::new(SyncActor::new(self, home, variant, keep_alive))));
                self.wake(actor, 0.0, Wake::Start);
            }
            Item::Deliver { delivery } => super::delivery::jira_emits(self, delivery),
            Item::Worker { proc, uses } => {
                if self.procs[proc].up {
                    let home = Home { proc, inc: self.procs[proc].inc };
                    let actor = self.spawn(Actor::Token(Box::new(TokenWorker::new(home, uses))));
                    self.wake(actor, 0.0, Wake::Start);
                }
            }
            Item::Replayer { proc, rounds } => {
                if self.procs[proc].up {
                    let home = Home { proc, inc: self.procs[proc].inc };
                    let actor = self.spawn(Actor::Replayer(Replayer::new(home, rounds)));
                    self.wake(actor, 0.0, Wake::Start);
                }
            }
            Item::Stop { proc, down_ms } => {
                if self.procs[proc].up {
                    self.stop(proc);
                    self.at(down_ms, Event::Scenario(Item::Start { proc }));
                }
            }
            Item::Start { proc } => self.start(proc),
            Item::Revoke => {
                self.faults += 1;
                self.seen.add("the user revoked the grant");
                self.conn.revoked = true;
                self.ledger.revoked_at = Some(self.now);
                self.conn.valid = None;
                self.conn.access.clear();
            }
        }
    }

    /// Stops `proc`: what it held in memory is gone, its actors die mid-step, the requests it sent still land.
    pub fn stop(&mut self, proc: usize) {
        self.faults += 1;
        self.seen.add("a process stopped mid-run");
        self.procs[proc].up = false;
        // Its deliveries in flight: Jira's connection breaks; a running handler dies with the process.
        for actor in 0..self.actors.len() {
            if self.home(actor).is_some_and(|h| h.proc == proc && h.inc == self.procs[proc].inc) {
                self.with_actor(actor, |a, w| match a {
                    Actor::Delivery(d) => d.on_stop(w),
                    Actor::Token(t) => t.on_stop(w),
                    Actor::Sync(s) => s.on_stop(w, actor),
                    _ => {}
                });
            }
        }
        if self.setup.memory_store {
            let keys: Vec<String> = self.procs[proc].memory.leases.keys().cloned().collect();
            self.ledger.wiped.extend(keys);
        }
        let inc = self.procs[proc].inc + 1;
        self.procs[proc] = Proc::new(inc);
        self.procs[proc].up = false;
        self.release_lease_of_dead();
    }

    /// The end of a run: faults off, one sync alone on a quiet Jira (its webhooks must then be exact), then every
    /// check over what happened.
    pub fn settle(&mut self) {
        if !self.ledger.violations.is_empty() {
            return;
        }
        self.quiet = true;
        self.jira.limited_until = 0.0;
        if !self.procs[0].up {
            self.start(0);
        }
        let home = Home { proc: 0, inc: self.procs[0].inc };
        let variant = self.final_variant;
        let actor = self.spawn(Actor::Sync(Box::new(SyncActor::new(self, home, variant, false))));
        self.log(|| "the final sync, alone and without faults".into());
        self.wake(actor, 0.0, Wake::Start);
        self.run();
        if let Actor::Sync(s) = &self.actors[actor] {
            if !s.succeeded {
                let detail = "the final sync, alone on a quiet Jira, did not end with a result".to_owned();
                self.ledger.violate("webhooks-exact", self.now, detail);
            }
        }
        super::invariants::check_end(self);
    }

    fn start(&mut self, proc: usize) {
        self.procs[proc].up = true;
    }

    // --- the syncs' queue and lease ---------------------------------------------------------------------------

    /// Whether sync `actor` may run now: first in its process's queue for `key`, and, with the lease, holding it.
    pub fn may_run(&mut self, actor: usize, home: Home, key: &str, lease: bool) -> bool {
        let queue = self.procs[home.proc].queue.entry(key.to_owned()).or_default();
        if !queue.contains(&actor) {
            queue.push_back(actor);
        }
        if queue.front() != Some(&actor) {
            return false;
        }
        if !(lease && self.setup.lease) {
            return true;
        }
        match self.lease_holder {
            Some(holder) if holder == actor => true,
            None if self.lease_waiters.front().is_none_or(|&w| w == actor) => {
                self.lease_waiters.retain(|&w| w != actor);
                self.lease_holder = Some(actor);
                true
            }
            _ => {
                if !self.lease_waiters.contains(&actor) {
                    self.lease_waiters.push_back(actor);
                }
                false
            }
        }
    }

    /// Sync `actor` ended: the next in its queue, and the next waiting for the lease, may go.
    pub fn done_running(&mut self, actor: usize, home: Home, key: &str) {
        if let Some(queue) = self.procs[home.proc].queue.get_mut(key) {
            queue.retain(|&a| a != actor);
            if let Some(&next) = queue.front() {
                self.wake(next, 0.0, Wake::Start);
            }
        }
        if self.lease_holder == Some(actor) {
            self.lease_holder = None;
            self.grant_lease();
        }
    }

    fn grant_lease(&mut self) {
        self.lease_waiters.retain(|&a| matches!(&self.actors[a], Actor::Sync(_)));
        if let Some(&next) = self.lease_waiters.front() {
            self.wake(next, 0.0, Wake::Start);
        }
    }

    /// A lease held by a sync of a stopped process ends once its last request has landed (a lease row's expiry).
    pub fn release_lease_of_dead(&mut self) {
        if let Some(holder) = self.lease_holder {
            let landed = match &self.actors[holder] {
                Actor::Sync(s) => s.in_flight == 0,
                _ => true,
            };
            if !self.alive(holder) && landed {
                self.lease_holder = None;
                self.grant_lease();
            }
        }
        let waiting: Vec<usize> = self.lease_waiters.iter().copied().filter(|&a| !self.alive(a)).collect();
        self.lease_waiters.retain(|a| !waiting.contains(a));
        if self.lease_holder.is_none() {
            self.grant_lease();
        }
    }

    // --- servers ---------------------------------------------------------------------------------------------

    /// `io` reaches its server; the answer, or `None` when no answer goes back.
    fn apply(&mut self, actor: usize, io: Io) -> Option<IoResult> {
        match io {
            Io::Jira { req, call } => {
                let result = self.serve(&req, call);
                if let Actor::Sync(s) = &mut self.actors[actor] {
                    s.in_flight -= 1;
                }
                self.release_lease_of_dead();
                super::sync::landed(self, actor);
                Some(IoResult::Http(result))
            }
            Io::Claim { store, key, owner, lease_ms } => {
                if store == StoreAt::Remote && self.fault(self.setup.store_fail, "a claim failed") {
                    return Some(IoResult::Claim(Err(StoreFailure::new("store.claim threw Error: ECONNRESET"))));
                }
                let now = self.now;
                let s = self.store(store)?;
                let before = s.leases.get(&key).cloned();
                let result = s.log.claim(&key, &owner, now, lease_ms);
                if result == Ok(Claim::Claimed) {
                    s.leases.insert(key.clone(), Some((owner.clone(), now + lease_ms)));
                }
                if result == Ok(Claim::Claimed) && matches!(before, Some(Some((_, until))) if until <= now) {
                    self.seen.add("an attempt took over an expired lease");
                }
                self.log(|| format!("store: {owner} claims {key}: {result:?}"));
                self.ledger.claimed(&key, &owner, now, &result);
                if store == StoreAt::Remote && self.fault(self.setup.store_fail / 2, "a claim's answer was lost") {
                    return Some(IoResult::Claim(Err(StoreFailure::new("store.claim timed out"))));
                }
                Some(IoResult::Claim(result))
            }
            Io::Complete { store, key, remember_ms, run } => {
                if store == StoreAt::Remote && self.fault(self.setup.store_fail, "a completion failed") {
                    self.ledger.runs[run].completion_failed = true;
                    return Some(IoResult::Stored(Err(StoreFailure::new("store.complete threw Error: ETIMEDOUT"))));
                }
                let now = self.now;
                let Some(s) = self.store(store) else {
                    self.ledger.runs[run].completion_failed = true;
                    return None;
                };
                let result = s.log.complete(&key, now, remember_ms);
                if result.is_ok() {
                    s.leases.insert(key.clone(), None);
                    self.ledger.completed(&key, now);
                }
                self.log(|| format!("store: {key} completed: {result:?}"));
                if store == StoreAt::Remote && self.fault(self.setup.store_fail / 2, "a completion's answer was lost") {
                    return Some(IoResult::Stored(Err(StoreFailure::new("store.complete timed out"))));
                }
                Some(IoResult::Stored(result))
            }
            Io::Release { store, key, owner } => {
                if store == StoreAt::Remote && self.fault(self.setup.store_fail, "a release failed") {
                    return Some(IoResult::Stored(Err(StoreFailure::new("store.release threw Error: ECONNRESET"))));
                }
                let s = self.store(store)?;
                s.log.release(&key, &owner);
                if matches!(s.leases.get(&key), Some(Some((o, _))) if *o == owner) {
                    s.leases.remove(&key);
                }
                Some(IoResult::Stored(Ok(())))
            }
            Io::Load => {
                if self.fault(self.setup.store_fail / 2, "a token load failed") {
                    // The edge passes a failure's kind only (`StoreFailure`: "never a thrown value's message").
                    return Some(IoResult::Loaded(Err(TokenStoreFailure::new("load threw Error"))));
                }
                Some(IoResult::Loaded(Ok(self.conn.stored.clone())))
            }
            Io::Refresh { token, run } => Some(self.token_endpoint(&token, run)),
            Io::Save { next, previous } => {
                if self.fault(self.setup.store_fail / 2, "a token save failed") {
                    // Words that echo the tokens the run handed over: the run must scrub them.
                    let echo = format!("save threw Error: conflict on {} -> {}", previous, next.refresh_token);
                    return Some(IoResult::Saved(Err(TokenStoreFailure::new(echo))));
                }
                let swapped = self.conn.stored.as_ref().is_some_and(|t| t.refresh_token == previous);
                self.log(|| format!("token store: save {}", if swapped { "stored" } else { "refused (changed)" }));
                if swapped {
                    self.conn.stored = Some(next.clone());
                    self.ledger.saved(&next.refresh_token, self.now);
                }
                if swapped && self.fault(self.setup.store_fail / 3, "a token save's answer was lost") {
                    return Some(IoResult::Saved(Err(TokenStoreFailure::new("save timed out"))));
                }
                Some(IoResult::Saved(Ok(swapped)))
            }
            Io::Use { access } => {
                let now = self.now;
                Some(IoResult::Used(self.conn.access.iter().any(|(a, until)| *a == access && *until > now)))
            }
        }
    }

    fn store(&mut self, at: StoreAt) -> Option<&mut ClaimStore> {
        if let StoreAt::Memory(proc, inc) = at {
            if !(self.procs[proc].up && self.procs[proc].inc == inc) {
                self.log(|| format!("store: process {proc}'s memory is gone; the operation is lost"));
            }
        }
        match at {
            StoreAt::Remote => Some(&mut self.remote),
            // The memory of a process that stopped since is gone, and what was sent to it with it.
            StoreAt::Memory(proc, inc) => {
                let p = &mut self.procs[proc];
                (p.up && p.inc == inc).then_some(&mut p.memory)
            }
        }
    }

    /// Atlassian's token endpoint: one valid refresh token per grant, rotated by every refresh.
    fn token_endpoint(&mut self, token: &str, run: u64) -> IoResult {
        if self.fault(self.setup.token_fault, "the token endpoint failed (did not act)") {
            let response = match self.choices.below(3) {
                0 => TokenResponse::Retryable {
                    status: 429,
                    retry_after_ms: Some(self.choices.pick(&[1_000.0, 2_000.0])),
                },
                1 => TokenResponse::Retryable { status: 503, retry_after_ms: None },
                _ => TokenResponse::Retryable { status: 0, retry_after_ms: None },
            };
            return IoResult::Token(response, None);
        }
        if self.conn.valid.as_deref() != Some(token) {
            self.log(|| format!("endpoint: invalid_grant for refresh token {}", super::token::short(token)));
            return IoResult::Token(TokenResponse::InvalidGrant, None);
        }
        self.conn.issued += 1;
        let n = self.conn.issued;
        let (access, refresh) = (format!("access.SeCrEt.{n}"), format!("refresh.SeCrEt.{n}"));
        let lifetime = self.choices.pick(&[3600.0, 3600.0, 120.0]);
        self.conn.valid = Some(refresh.clone());
        self.conn.access.push((access.clone(), self.now + lifetime * 1000.0));
        self.log(|| format!("endpoint: rotates refresh token {} to #{n}", super::token::short(token)));
        let rotation = self.ledger.rotations.len();
        self.ledger.rotations.push(Rotation {
            spent: token.to_owned(),
            next: refresh.clone(),
            run,
            at: self.now,
            saved_at: None,
            orphan: None,
        });
        let issued =
            TokenResponse::Issued { access_token: access, refresh_token: Some(refresh), expires_in_s: lifetime };
        if self.fault(self.setup.token_fault / 2, "the token endpoint rotated, then its answer was lost") {
            self.ledger.orphan(rotation, "the endpoint rotated the token and its answer was lost");
            return IoResult::Token(TokenResponse::Retryable { status: 0, retry_after_ms: None }, Some(rotation));
        }
        IoResult::Token(issued, Some(rotation))
    }

    /// Jira's REST side: one request, with the faults of the moment.
    fn serve(&mut self, req: &HttpRequest, call: u64) -> Result<HttpResponse, String> {
        let now = self.now;
        let write = req.method != Method::Get;
        if let Some(&until) = self.jira.not_before.get(&call) {
            if now < until {
                self.ledger.violate(
                    "retry-after-honoured",
                    now,
                    format!(
                        "{:?} {} was sent again {:.0} ms before the end of the Retry-After Jira gave it",
                        req.method,
                        req.path,
                        until - now
                    ),
                );
            }
        }
        if self.jira.not_before.get(&call).is_none_or(|&t| t <= now) && self.jira.limited_until > now {
            self.seen
                .add("a call was sent while Jira's Retry-After to another call ran (calls share no rate-limit state)");
        }
        if self.jira.limited_until > now && !self.quiet {
            return Ok(self.rate_limited(call, self.jira.limited_until, "jira-quota-based"));
        }
        if self.fault(self.setup.burst, "Jira answered 429 (burst)") {
            let until = now + self.choices.pick(&[1.0, 2.0, 5.0]) * 1000.0;
            return Ok(self.rate_limited(call, until, "jira-burst-based"));
        }
        if let Some(budget) = self.jira.points.filter(|_| !self.quiet) {
            let window = ((now - T0) / HOUR).floor() as i64;
            if window != self.jira.window {
                self.jira.window = window;
                self.jira.used = 0;
            }
            let cost = 1 + if write { 0 } else { self.jira.page_size.min(self.jira.hooks.len()) as u32 };
            if self.jira.used + cost > budget {
                self.seen.add("Jira's hourly points ran out (429 until the hour ends)");
                let until = T0 + (window + 1) as f64 * HOUR;
                return Ok(self.rate_limited(call, until, "jira-quota-based"));
            }
            self.jira.used += cost;
        }
        if self.fault(self.setup.jira_error, "Jira failed before acting (5xx)") {
            let status = self.choices.pick(&[500, 502, 503, 504, 503]);
            let mut r = response(status, r#"{"errorMessages":["Internal server error"]}"#);
            if status == 503 && self.choices.below(2) == 1 {
                r.retry_after = Some("1".into());
                self.jira.not_before.insert(call, now + 1000.0);
            }
            return Ok(r);
        }
        let (path, query) = req.path.split_once('?').unwrap_or((&req.path, ""));
        let answer = match (req.method, path) {
            (Method::Get, "/rest/api/2/webhook") => self.list(query),
            (Method::Post, "/rest/api/2/webhook") => self.register(req.body.as_deref().unwrap_or_default()),
            (Method::Delete, "/rest/api/2/webhook") => self.delete(req.body.as_deref().unwrap_or_default()),
            (Method::Put, "/rest/api/2/webhook/refresh") => self.refresh(req.body.as_deref().unwrap_or_default()),
            _ => response(404, r#"{"errorMessages":["Not found"]}"#),
        };
        if self.fault(self.setup.lost, "Jira acted, then its answer was lost") {
            // A transport whose words echo the request: the core must not pass the credential on.
            return Err(format!("ECONNRESET: socket hang up (request had Authorization: Bearer {BEARER})"));
        }
        if write
            && req.method == Method::Post
            && self.fault(self.setup.jira_error, "Jira registered, then a gateway failed")
        {
            return Ok(response(self.choices.pick(&[502, 504, 500]), "<html>gateway</html>"));
        }
        Ok(answer)
    }

    fn rate_limited(&mut self, call: u64, until: f64, reason: &str) -> HttpResponse {
        let now = self.now;
        self.jira.limited_until = self.jira.limited_until.max(until);
        let seconds = ((until - now) / 1000.0).ceil().max(1.0);
        self.jira.not_before.insert(call, now + seconds * 1000.0);
        let mut r = response(429, r#"{"errorMessages":["Rate limit exceeded."]}"#);
        r.retry_after = Some(format!("{seconds}"));
        r.rate_limit.reason = Some(reason.into());
        r
    }

    fn list(&mut self, query: &str) -> HttpResponse {
        let param = |name: &str| {
            query.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=')?.parse::<usize>().ok())
        };
        let start = param("startAt").unwrap_or(0);
        let size = param("maxResults").unwrap_or(100).min(self.jira.page_size);
        let total = self.jira.hooks.len();
        let page: Vec<String> = self.jira.hooks.iter().skip(start).take(size).map(hook_json).collect();
        let last = start + page.len() >= total;
        if self.jira.hooks.iter().any(|h| h.expires <= self.now) {
            self.seen.add("a sync listed expired webhooks");
        }
        let body = format!(
            r#"{{"startAt":{start},"maxResults":{size},"total":{total},"isLast":{last},"values":[{}]}}"#,
            page.join(",")
        );
        response(200, &body)
    }

    fn register(&mut self, body: &str) -> HttpResponse {
        let Ok(details) = Valid::<WebhookRegistrationDetails>::parse(body.to_owned()) else {
            return response(400, r#"{"errorMessages":["Invalid request"]}"#);
        };
        let details = details.read();
        let mut results = Vec::new();
        for d in details.webhooks {
            if unsupported(&d.jql_filter) {
                results.push(r#"{"errors":["The clause cf[10099] is unsupported"]}"#.to_owned());
                continue;
            }
            if self.jira.hooks.len() >= self.jira.limit {
                self.seen.add("Jira refused a registration over the app's limit");
                results.push(r#"{"errors":["The app has reached the limit of 5 webhooks"]}"#.to_owned());
                continue;
            }
            let mut events: Vec<String> = d.events.iter().map(|e| e.as_str().to_owned()).collect();
            events.sort();
            events.dedup();
            let id = self.jira.next_id;
            self.jira.next_id += 1;
            self.log(|| format!("jira: registers #{id} `{}`", d.jql_filter));
            self.jira.hooks.push(Hook {
                id,
                events,
                jql: d.jql_filter,
                url: details.url.clone(),
                expires: self.now + LIFETIME,
            });
            results.push(format!(r#"{{"createdWebhookId":{id}}}"#));
        }
        response(200, &format!(r#"{{"webhookRegistrationResult":[{}]}}"#, results.join(",")))
    }

    fn ids(body: &str) -> Option<Vec<i64>> {
        Some(Valid::<ContainerForWebhookIDs>::parse(body.to_owned()).ok()?.read().webhook_ids)
    }

    fn delete(&mut self, body: &str) -> HttpResponse {
        let Some(ids) = Self::ids(body) else { return response(400, r#"{"errorMessages":["no ids"]}"#) };
        self.log(|| format!("jira: deletes {ids:?}"));
        self.jira.hooks.retain(|h| !ids.contains(&h.id));
        HttpResponse { status: 202, ..HttpResponse::default() }
    }

    fn refresh(&mut self, body: &str) -> HttpResponse {
        let Some(ids) = Self::ids(body) else { return response(400, r#"{"errorMessages":["no ids"]}"#) };
        self.log(|| format!("jira: refreshes {ids:?}"));
        let now = self.now;
        let until = now + LIFETIME;
        // An expired webhook is gone for good (whether Jira can refresh one is undocumented).
        for h in self.jira.hooks.iter_mut().filter(|h| ids.contains(&h.id) && h.expires > now) {
            h.expires = until;
        }
        response(200, &format!(r#"{{"expirationDate":{}}}"#, until as i64))
    }
}

pub fn response(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        content_type: Some("application/json;charset=UTF-8".into()),
        request_id: Some("req-sim".into()),
        body: body.into(),
        ..HttpResponse::default()
    }
}

fn hook_json(h: &Hook) -> String {
    let events: Vec<String> = h.events.iter().map(|e| format!("\"{e}\"")).collect();
    format!(
        r#"{{"id":{},"events":[{}],"jqlFilter":"{}","expirationDate":{},"url":"{}"}}"#,
        h.id,
        events.join(","),
        h.jql,
        h.expires as i64,
        h.url
    )
}

/// The receiver of every process: OAuth 2.0 and Connect deliveries, one handler for every event, claims on.
fn receiver_settings() -> ReceiverSettings {
    let mut verify =
        VerifyOptions { oauth: Some(Default::default()), connect: Some(Default::default()), ..Default::default() };
    if let Some(oauth) = verify.oauth.as_mut() {
        oauth.client_secret.0 = vec![CLIENT_SECRET.to_owned()];
    }
    if let Some(connect) = verify.connect.as_mut() {
        connect.base_url = "https://app.example.com/app".into();
    }
    let options = WebhookHandlerOptions { oauth: verify.oauth, connect: verify.connect, ..Default::default() };
    ReceiverSettings::handler(&options, true, vec!["*".into()], vec![], true).expect("valid receiver settings")
}
