//! Processing a delivery exactly once, even when attempts overlap: the claim, as a state machine with no I/O.
//!
//! Jira retries a delivery on 408, 409, 425, 429, 5xx, a failed connection or a timeout, may send one delivery
//! more than once, and sends the same `X-Atlassian-Webhook-Identifier` every time (Atlassian's Webhooks page,
//! "Retry policy": <https://developer.atlassian.com/cloud/jira/platform/webhooks/#retry-policy>, and the
//! announcement "New Jira Cloud Webhook Retry Policy" on the Atlassian developer community). Checking "seen?"
//! before the handler and remembering the id after it lets two overlapping attempts both run the handler, and a
//! store failing after a successful handler makes the endpoint answer 500 and Jira run it again. So, as with
//! Stripe's idempotency keys (<https://docs.stripe.com/api/idempotent_requests>), the key is *claimed* before the
//! work runs, atomically, with a lease:
//!
//! | the store's answer / the handler | the endpoint does | answers |
//! | --- | --- | --- |
//! | processed before ([`Claim::Done`]) | nothing | 204: delivered |
//! | another attempt holds an unexpired lease ([`Claim::InProgress`]) | nothing | 409: Jira comes back later, instead of this attempt waiting |
//! | the claim failed | nothing ran | 500: Jira retries |
//! | the handler succeeded | [`ClaimAction::Complete`] | 204, also when completing fails (reported): the work is done, a 500 would run it again |
//! | the handler failed | [`ClaimAction::Release`] | 500: Jira retries and the next attempt claims it |
//! | the handler passed its deadline | keeps the lease, reports | 503: Jira retries; the lease keeps other attempts out (409) until the late handler settles (then complete or release) |
//!
//! One case stays at-least-once, by necessity: a handler that never settles (a crashed process, a handler that
//! outlives its lease). When the lease expires, the next attempt takes it over and runs the handler again. A late
//! handler's release names its own lease ([`ClaimAction::Release`] carries the attempt's `owner`), so it never
//! frees a lease that another attempt took over in the meantime; a late success still completes the key.
//!
//! The driver (the JS edge) creates a [`DeliveryRun`] when the delivery arrives, calls [`DeliveryRun::poll`], does
//! what it says, and reports back with `on_claim`, `on_handler`, `on_complete` and `on_release`. [`ClaimLog`] is the
//! in-memory store of one process; an app with several processes gives its own store with the same three
//! operations (an atomic insert-if-absent with an expiry, such as Redis `SET key owner NX PX lease`).

use crate::error::Error;
use crate::text::cat;
use std::collections::VecDeque;

/// How long the handler, the lease and the memory of a processed delivery last.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClaimPolicy {
    /// How long the handler may run before the endpoint answers 503, counted from the delivery's arrival, in ms.
    pub handler_deadline_ms: f64,
    /// How long a claim keeps other attempts out, in ms; longer than the handler's deadline.
    pub lease_ms: f64,
    /// How long a processed delivery is remembered, in ms.
    pub remember_ms: f64,
}

impl ClaimPolicy {
    /// 15 s. Jira's delivery timeout is reported as about 20 s (it is not documented): answering 503 at 15 s leaves
    /// 5 s for verification, the store's round trips and the network, so Jira hears our answer rather than timing
    /// out. A handler this slow should hand the work to a queue.
    pub const HANDLER_DEADLINE_MS: f64 = 15_000.0;
    /// 60 s: four handler deadlines, so a handler that overran its deadline by seconds still finishes under its
    /// lease (its retries get 409, then 204 once it completes); and short against Jira's retry window (deliveries
    /// come up to 30 minutes late), so that the delivery of a crashed attempt is still retried after its lease ends.
    pub const LEASE_MS: f64 = 60_000.0;
    /// 96 h: Jira keeps a failed delivery listed (getFailedWebhooks) for 72 hours from its last failed retry, which
    /// comes after the first attempt (Jira's retry schedule is not documented: a day of margin), so a replay of a
    /// delivery processed meanwhile is recognised as processed.
    pub const REMEMBER_MS: f64 = 96.0 * 3_600_000.0;

    /// Checks the numbers: all positive and finite, the lease longer than the deadline. Whole milliseconds.
    pub fn validated(self) -> Result<ClaimPolicy, Error> {
        let whole = |ms: f64| (ms.is_finite() && ms >= 1.0).then(|| ms.ceil());
        let (Some(deadline), Some(lease), Some(remember)) =
            (whole(self.handler_deadline_ms), whole(self.lease_ms), whole(self.remember_ms))
        else {
            return Err(Error::config("claim", "handlerDeadlineMs, leaseMs and rememberMs must be at least 1 ms"));
        };
        if lease <= deadline {
            return Err(Error::config("claim.leaseMs", "must be longer than handlerDeadlineMs"));
        }
        Ok(ClaimPolicy { handler_deadline_ms: deadline, lease_ms: lease, remember_ms: remember })
    }
}

impl Default for ClaimPolicy {
    fn default() -> Self {
        ClaimPolicy {
            handler_deadline_ms: Self::HANDLER_DEADLINE_MS,
            lease_ms: Self::LEASE_MS,
            remember_ms: Self::REMEMBER_MS,
        }
    }
}

/// The key a delivery is claimed and remembered by, or `None` for an empty id (never remembered).
///
/// `X-Atlassian-Webhook-Identifier` is unique per site only, so every key is scoped by the delivery's site: a
/// Connect tenant's clientKey, an OAuth 2.0 site's cloudId or origin (the empty string only for an app that serves
/// one site). A replayed failure is given its site and so gets its live delivery's key. The site's length leads,
/// so that no site and id can spell another pair's key.
pub fn delivery_key(site: &str, id: &str) -> Option<String> {
    (!id.is_empty()).then(|| cat!(site.len(), ':', site, '/', id))
}

/// Why a store could not answer, in words safe to show (never a thrown value's message that may hold a secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreFailure {
    /// What failed, e.g. `store.claim threw TypeError`.
    pub reason: String,
}

impl StoreFailure {
    /// A failure for `reason`.
    pub fn new(reason: impl Into<String>) -> Self {
        StoreFailure { reason: reason.into() }
    }
}

/// A store's answer to a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key was free, or its lease had expired (a takeover): this attempt runs the handler.
    Claimed,
    /// Another attempt holds an unexpired lease.
    InProgress,
    /// The delivery was processed before.
    Done,
}

/// How the handler ended, as the driver saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandlerOutcome {
    /// It returned, or its promise resolved.
    Succeeded,
    /// It threw, or its promise rejected.
    Failed,
    /// Its deadline passed while it ran; it may still be running (report its real outcome later).
    TimedOut,
}

/// Something the app should hear about (its `onError` hook) although the endpoint answers.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// The store could not claim the delivery; nothing ran and the endpoint answers 500.
    ClaimFailed(StoreFailure),
    /// The claim took until the handler's deadline; the handler was not run and the endpoint answers 503.
    NoTimeToRun,
    /// The handler threw or rejected; the claim is released and the endpoint answers 500, so Jira retries.
    HandlerFailed,
    /// The handler passed its deadline; the endpoint answers 503 and the lease stays until the handler settles.
    HandlerTimedOut,
    /// The handler succeeded but the store could not record it; once the lease ends, a retry runs it again.
    CompleteFailed(StoreFailure),
    /// The handler failed and the store could not release the lease; retries get 409 until the lease ends.
    ReleaseFailed(StoreFailure),
}

impl Problem {
    /// A stable name for the problem, e.g. `complete-failed`.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::ClaimFailed(_) => "claim-failed",
            Problem::NoTimeToRun => "no-time-to-run",
            Problem::HandlerFailed => "handler-failed",
            Problem::HandlerTimedOut => "handler-timed-out",
            Problem::CompleteFailed(_) => "complete-failed",
            Problem::ReleaseFailed(_) => "release-failed",
        }
    }

    /// A sentence a person can act on.
    pub fn message(&self) -> String {
        match self {
            Problem::ClaimFailed(f) => cat!(
                "the delivery could not be claimed (",
                f.reason,
                "): the handler did not run and Jira will retry the delivery"
            ),
            Problem::NoTimeToRun => String::from(
                "claiming the delivery took until the handler's deadline: the handler did not run and Jira will \
                 retry the delivery",
            ),
            Problem::HandlerFailed => {
                String::from("the handler threw or rejected: Jira was answered 500 and will retry the delivery")
            }
            Problem::HandlerTimedOut => String::from(
                "the handler did not finish before its deadline: Jira was answered 503 and will retry; the \
                 delivery stays claimed until the handler settles",
            ),
            Problem::CompleteFailed(f) => cat!(
                "the handler succeeded but the delivery could not be recorded as processed (",
                f.reason,
                "): a retry after its lease ends would run the handler again"
            ),
            Problem::ReleaseFailed(f) => cat!(
                "the handler failed and the delivery's claim could not be released (",
                f.reason,
                "): Jira's retries are refused until the lease ends"
            ),
        }
    }
}

/// What the driver does next.
#[derive(Clone, Debug, PartialEq)]
pub enum ClaimAction {
    /// Claim `key` for `owner` for `lease_ms` (insert if absent, or take over an expired lease); report with
    /// `on_claim`.
    Claim {
        /// The delivery's key.
        key: String,
        /// This attempt's token: a lease is released only by its owner.
        owner: String,
        /// How long the lease lasts, in ms.
        lease_ms: f64,
    },
    /// Call the handler; report `on_handler` when it settles, or `on_handler(TimedOut)` after `timeout_ms` whole
    /// milliseconds and then, when it settles after all, `on_handler` again with its real outcome.
    RunHandler {
        /// How long until the handler's deadline, in whole milliseconds.
        timeout_ms: f64,
    },
    /// Record `key` as processed for `remember_ms`, whoever holds its lease; report with `on_complete`.
    Complete {
        /// The delivery's key.
        key: String,
        /// How long to remember it, in ms.
        remember_ms: f64,
    },
    /// Drop `key`'s lease if `owner` still holds it (never a processed key, never another owner's lease); report
    /// with `on_release`.
    Release {
        /// The delivery's key.
        key: String,
        /// This attempt's token.
        owner: String,
    },
    /// Tell the app (its `onError` hook), then poll again.
    Report(Problem),
    /// Answer Jira with this status, then poll again: the run may still have work (a late handler).
    Answer(u16),
    /// Await the event the last action asked for, then poll again.
    Wait,
    /// Nothing more to do.
    Done,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Start,
    Claiming,
    Claimed,
    Running,
    Completing,
    Releasing,
    /// Answered 503 at the deadline; the handler may still be running.
    Late,
    Finished,
}

/// One attempt of one delivery, from its arrival to its answer (and, for a late handler, beyond).
#[derive(Clone, Debug)]
pub struct DeliveryRun {
    key: Option<String>,
    owner: String,
    policy: ClaimPolicy,
    deadline: f64,
    step: Step,
    /// Actions decided by an event, handed out in order by `poll`.
    queue: VecDeque<ClaimAction>,
    /// The status to answer once a release is over.
    after_release: u16,
    answered: bool,
}

impl DeliveryRun {
    /// An attempt that arrived at `now_ms`. `key` is [`delivery_key`]'s (`None`: nothing is claimed or
    /// remembered, the handler just runs); `owner` is unique to this attempt (`crypto.randomUUID()`).
    pub fn new(key: Option<String>, owner: String, now_ms: f64, policy: ClaimPolicy) -> Self {
        DeliveryRun {
            key,
            owner,
            policy,
            deadline: now_ms + policy.handler_deadline_ms,
            step: Step::Start,
            queue: VecDeque::new(),
            after_release: 500,
            answered: false,
        }
    }

    /// The delivery's key.
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// This attempt's owner token.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// What to do next, at `now_ms`.
    pub fn poll(&mut self, now_ms: f64) -> ClaimAction {
        if let Some(action) = self.queue.pop_front() {
            return action;
        }
        match (self.step, &self.key) {
            (Step::Start, Some(key)) => {
                self.step = Step::Claiming;
                ClaimAction::Claim { key: key.clone(), owner: self.owner.clone(), lease_ms: self.policy.lease_ms }
            }
            (Step::Start, None) => {
                self.step = Step::Claimed;
                self.poll(now_ms)
            }
            (Step::Claimed, _) if now_ms >= self.deadline => {
                self.queue.push_back(ClaimAction::Report(Problem::NoTimeToRun));
                self.release(503);
                self.poll(now_ms)
            }
            (Step::Claimed, _) => {
                self.step = Step::Running;
                ClaimAction::RunHandler { timeout_ms: (self.deadline - now_ms).ceil().min(2_147_483_647.0) }
            }
            (Step::Finished, _) => ClaimAction::Done,
            _ => ClaimAction::Wait,
        }
    }

    /// The store answered the claim.
    pub fn on_claim(&mut self, claim: Result<Claim, StoreFailure>) {
        if self.step != Step::Claiming {
            return;
        }
        match claim {
            Ok(Claim::Claimed) => self.step = Step::Claimed,
            Ok(Claim::InProgress) => self.finish(409),
            Ok(Claim::Done) => self.finish(204),
            Err(failure) => {
                self.queue.push_back(ClaimAction::Report(Problem::ClaimFailed(failure)));
                self.finish(500);
            }
        }
    }

    /// The handler settled, or its deadline passed (`TimedOut`; then report again when it settles).
    pub fn on_handler(&mut self, outcome: HandlerOutcome) {
        match (self.step, outcome) {
            (Step::Running | Step::Late, HandlerOutcome::Succeeded) => match self.key.clone() {
                Some(key) => {
                    self.queue.push_back(ClaimAction::Complete { key, remember_ms: self.policy.remember_ms });
                    self.step = Step::Completing;
                }
                None => self.finish(204),
            },
            (Step::Running | Step::Late, HandlerOutcome::Failed) => {
                self.queue.push_back(ClaimAction::Report(Problem::HandlerFailed));
                self.release(500);
            }
            (Step::Running, HandlerOutcome::TimedOut) => {
                self.queue.push_back(ClaimAction::Report(Problem::HandlerTimedOut));
                self.answer(503);
                self.step = if self.key.is_some() { Step::Late } else { Step::Finished };
            }
            _ => {}
        }
    }

    /// The store answered the completion.
    pub fn on_complete(&mut self, result: Result<(), StoreFailure>) {
        if self.step == Step::Completing {
            if let Err(failure) = result {
                self.queue.push_back(ClaimAction::Report(Problem::CompleteFailed(failure)));
            }
            self.finish(204);
        }
    }

    /// The store answered the release.
    pub fn on_release(&mut self, result: Result<(), StoreFailure>) {
        if self.step == Step::Releasing {
            if let Err(failure) = result {
                self.queue.push_back(ClaimAction::Report(Problem::ReleaseFailed(failure)));
            }
            self.finish(self.after_release);
        }
    }

    /// Queues the answer, unless Jira was answered already (a late handler).
    fn answer(&mut self, status: u16) {
        if !self.answered {
            self.answered = true;
            self.queue.push_back(ClaimAction::Answer(status));
        }
    }

    fn finish(&mut self, status: u16) {
        self.answer(status);
        self.step = Step::Finished;
    }

    /// Releases the claim (if there is one), then answers `status`.
    fn release(&mut self, status: u16) {
        match &self.key {
            Some(key) => {
                let release = ClaimAction::Release { key: key.clone(), owner: self.owner.clone() };
                self.queue.push_back(release);
                self.after_release = status;
                self.step = Step::Releasing;
            }
            None => self.finish(status),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Held {
    key: String,
    /// The lease's owner while in progress; `None` once processed.
    owner: Option<String>,
    /// When the lease ends, or the key is forgotten.
    until: f64,
}

/// The in-memory claim store of one process: bounded, timed, and atomic by construction (each operation runs to
/// its end before another starts). It never drops an unexpired lease to make room.
#[derive(Clone, Debug)]
pub struct ClaimLog {
    entries: Vec<Held>,
    capacity: usize,
}

impl ClaimLog {
    /// The default capacity: 10,000 keys.
    pub const CAPACITY: usize = 10_000;

    /// Holds at most `capacity` keys (at least 1).
    pub fn new(capacity: usize) -> Self {
        ClaimLog { entries: Vec::new(), capacity: capacity.max(1) }
    }

    /// Claims `key` for `owner` until `now_ms + lease_ms`, unless it is processed or another lease on it is
    /// unexpired. Makes room by forgetting the processed key that would be forgotten first; when every key held is
    /// an unexpired lease, the claim is refused rather than dropping one.
    pub fn claim(&mut self, key: &str, owner: &str, now_ms: f64, lease_ms: f64) -> Result<Claim, StoreFailure> {
        self.forget_expired(now_ms);
        if let Some(held) = self.entries.iter().find(|e| e.key == key) {
            return Ok(if held.owner.is_some() { Claim::InProgress } else { Claim::Done });
        }
        self.make_room()?;
        self.entries.push(Held { key: key.to_owned(), owner: Some(owner.to_owned()), until: now_ms + lease_ms });
        Ok(Claim::Claimed)
    }

    /// Records `key` as processed until `now_ms + remember_ms`, whoever holds its lease.
    pub fn complete(&mut self, key: &str, now_ms: f64, remember_ms: f64) -> Result<(), StoreFailure> {
        self.forget_expired(now_ms);
        let until = now_ms + remember_ms;
        if let Some(held) = self.entries.iter_mut().find(|e| e.key == key) {
            held.owner = None;
            held.until = until;
            return Ok(());
        }
        self.make_room()?;
        self.entries.push(Held { key: key.to_owned(), owner: None, until });
        Ok(())
    }

    /// Drops `key`'s lease if `owner` holds it; a processed key or another owner's lease stays.
    pub fn release(&mut self, key: &str, owner: &str) {
        self.entries.retain(|e| !(e.key == key && e.owner.as_deref() == Some(owner)));
    }

    fn forget_expired(&mut self, now_ms: f64) {
        self.entries.retain(|e| e.until > now_ms);
    }

    fn make_room(&mut self) -> Result<(), StoreFailure> {
        if self.entries.len() < self.capacity {
            return Ok(());
        }
        let oldest_done =
            self.entries.iter().filter(|e| e.owner.is_none()).map(|e| e.until).min_by(|a, b| a.total_cmp(b));
        match oldest_done {
            Some(until) => {
                let mut evicted = false;
                self.entries.retain(|e| {
                    let evict = !evicted && e.owner.is_none() && e.until == until;
                    evicted |= evict;
                    !evict
                });
                Ok(())
            }
            None => Err(StoreFailure::new(cat!(
                "the claim log is full: all ",
                self.capacity,
                " keys are deliveries in progress"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ClaimAction as A;
    use HandlerOutcome::{Failed, Succeeded, TimedOut};

    const NOW: f64 = 1_764_400_000_000.0;
    const P: ClaimPolicy = ClaimPolicy { handler_deadline_ms: 15_000.0, lease_ms: 60_000.0, remember_ms: 1e6 };

    fn run(owner: &str) -> DeliveryRun {
        DeliveryRun::new(delivery_key("site-1", "d-1"), owner.into(), NOW, P)
    }

    fn key() -> String {
        delivery_key("site-1", "d-1").unwrap()
    }

    fn fail(what: &str) -> StoreFailure {
        StoreFailure::new(what)
    }

    /// Polls until the run waits or ends, collecting the actions.
    fn drain(r: &mut DeliveryRun, now: f64) -> Vec<ClaimAction> {
        let mut out = Vec::new();
        loop {
            let a = r.poll(now);
            let stop = matches!(
                a,
                A::Wait | A::Done | A::Claim { .. } | A::RunHandler { .. } | A::Complete { .. } | A::Release { .. }
            );
            out.push(a);
            if stop {
                return out;
            }
        }
    }

    fn claim_action(owner: &str) -> ClaimAction {
        A::Claim { key: key(), owner: owner.into(), lease_ms: 60_000.0 }
    }

    // --- the machine, branch by branch -------------------------------------------------------------------------

    #[test]
    fn a_processed_delivery_is_answered_204_without_its_handler() {
        let mut r = run("a");
        assert_eq!(r.poll(NOW), claim_action("a"));
        r.on_claim(Ok(Claim::Done));
        assert_eq!(drain(&mut r, NOW), [A::Answer(204), A::Done]);
    }

    #[test]
    fn a_delivery_in_progress_elsewhere_is_answered_409_so_jira_comes_back() {
        let mut r = run("a");
        r.poll(NOW);
        r.on_claim(Ok(Claim::InProgress));
        assert_eq!(drain(&mut r, NOW), [A::Answer(409), A::Done]);
    }

    #[test]
    fn a_failed_claim_runs_nothing_and_answers_500() {
        let mut r = run("a");
        r.poll(NOW);
        r.on_claim(Err(fail("store.claim threw TypeError")));
        let actions = drain(&mut r, NOW);
        assert_eq!(
            actions,
            [A::Report(Problem::ClaimFailed(fail("store.claim threw TypeError"))), A::Answer(500), A::Done]
        );
        let A::Report(p) = &actions[0] else { unreachable!() };
        assert_eq!(p.code(), "claim-failed");
        assert!(p.message().contains("store.claim threw TypeError"), "{}", p.message());
    }

    #[test]
    fn a_successful_handler_completes_then_answers_204() {
        let mut r = run("a");
        r.poll(NOW);
        assert_eq!(r.poll(NOW), A::Wait, "waiting for the claim");
        r.on_claim(Ok(Claim::Claimed));
        assert_eq!(r.poll(NOW + 1_000.0), A::RunHandler { timeout_ms: 14_000.0 }, "the deadline counts from arrival");
        assert_eq!(r.poll(NOW + 1_000.0), A::Wait);
        r.on_handler(Succeeded);
        assert_eq!(r.poll(NOW), A::Complete { key: key(), remember_ms: 1e6 });
        assert_eq!(r.poll(NOW), A::Wait);
        r.on_complete(Ok(()));
        assert_eq!(drain(&mut r, NOW), [A::Answer(204), A::Done]);
    }

    #[test]
    fn a_completion_that_fails_is_reported_and_still_answers_204() {
        let mut r = run("a");
        r.poll(NOW);
        r.on_claim(Ok(Claim::Claimed));
        r.poll(NOW);
        r.on_handler(Succeeded);
        r.poll(NOW);
        r.on_complete(Err(fail("kv down")));
        let actions = drain(&mut r, NOW);
        assert_eq!(actions, [A::Report(Problem::CompleteFailed(fail("kv down"))), A::Answer(204), A::Done]);
    }

    #[test]
    fn a_failed_handler_releases_then_answers_500_and_a_failed_release_is_reported() {
        for (released, expected) in [
            (Ok(()), vec![A::Answer(500), A::Done]),
            (Err(fail("x")), vec![A::Report(Problem::ReleaseFailed(fail("x"))), A::Answer(500), A::Done]),
        ] {
            let mut r = run("a");
            r.poll(NOW);
            r.on_claim(Ok(Claim::Claimed));
            r.poll(NOW);
            r.on_handler(Failed);
            assert_eq!(r.poll(NOW), A::Report(Problem::HandlerFailed), "the app hears of it (onError)");
            assert_eq!(r.poll(NOW), A::Release { key: key(), owner: "a".into() });
            r.on_release(released);
            assert_eq!(drain(&mut r, NOW), expected);
        }
    }

    #[test]
    fn a_timed_out_handler_keeps_its_lease_answers_503_and_settles_later() {
        for (late, last) in [
            (Succeeded, A::Complete { key: key(), remember_ms: 1e6 }),
            (Failed, A::Release { key: key(), owner: "a".into() }),
        ] {
            let mut r = run("a");
            r.poll(NOW);
            r.on_claim(Ok(Claim::Claimed));
            r.poll(NOW);
            r.on_handler(TimedOut);
            assert_eq!(drain(&mut r, NOW), [A::Report(Problem::HandlerTimedOut), A::Answer(503), A::Wait]);
            r.on_handler(TimedOut);
            assert_eq!(r.poll(NOW), A::Wait, "a second timeout changes nothing");
            r.on_handler(late);
            if late == Failed {
                assert_eq!(r.poll(NOW), A::Report(Problem::HandlerFailed));
            }
            assert_eq!(r.poll(NOW), last);
            if late == Succeeded {
                r.on_complete(Err(fail("gone")));
                assert_eq!(
                    drain(&mut r, NOW),
                    [A::Report(Problem::CompleteFailed(fail("gone"))), A::Done],
                    "no second answer"
                );
            } else {
                r.on_release(Ok(()));
                assert_eq!(r.poll(NOW), A::Done, "no second answer");
            }
        }
    }

    #[test]
    fn a_claim_that_used_up_the_deadline_releases_without_running_the_handler() {
        let mut r = run("a");
        r.poll(NOW);
        r.on_claim(Ok(Claim::Claimed));
        let actions = drain(&mut r, NOW + 15_000.0);
        assert_eq!(actions, [A::Report(Problem::NoTimeToRun), A::Release { key: key(), owner: "a".into() }]);
        r.on_release(Ok(()));
        assert_eq!(drain(&mut r, NOW), [A::Answer(503), A::Done]);
    }

    #[test]
    fn without_a_key_the_handler_just_runs() {
        assert_eq!(delivery_key("site-1", ""), None, "an empty id is never remembered");
        for (outcome, expected) in [
            (Succeeded, vec![A::Answer(204), A::Done]),
            (Failed, vec![A::Report(Problem::HandlerFailed), A::Answer(500), A::Done]),
            (TimedOut, vec![A::Report(Problem::HandlerTimedOut), A::Answer(503), A::Done]),
        ] {
            let mut r = DeliveryRun::new(None, "a".into(), NOW, P);
            assert_eq!(r.poll(NOW), A::RunHandler { timeout_ms: 15_000.0 });
            r.on_handler(outcome);
            assert_eq!(drain(&mut r, NOW), expected);
            r.on_handler(Succeeded);
            assert_eq!(r.poll(NOW), A::Done, "a late outcome without a key has nothing to record");
        }
    }

    #[test]
    fn events_out_of_turn_are_ignored() {
        let mut r = run("a");
        r.on_handler(Succeeded);
        r.on_complete(Ok(()));
        r.on_release(Ok(()));
        assert_eq!(r.poll(NOW), claim_action("a"));
        r.on_handler(Failed);
        r.on_claim(Ok(Claim::Claimed));
        r.on_claim(Ok(Claim::Done));
        assert!(matches!(r.poll(NOW), A::RunHandler { .. }));
    }

    #[test]
    fn keys_are_scoped_by_site_and_cannot_collide() {
        assert_eq!(delivery_key("client-a", "17").as_deref(), Some("8:client-a/17"));
        assert_ne!(delivery_key("client-a", "17"), delivery_key("client-b", "17"));
        assert_ne!(delivery_key("a/b", "c"), delivery_key("a", "b/c"));
        assert_eq!(delivery_key("", "17").as_deref(), Some("0:/17"));
        assert_eq!(delivery_key("https://x.atlassian.net", "f-9"), delivery_key("https://x.atlassian.net", "f-9"));
    }

    #[test]
    fn policies_are_checked() {
        assert_eq!(ClaimPolicy::default().validated(), Ok(ClaimPolicy::default()));
        let p = ClaimPolicy { handler_deadline_ms: 0.5, lease_ms: 2.2, remember_ms: 1.0 }.validated();
        assert!(p.is_err(), "below 1 ms");
        let p = ClaimPolicy { handler_deadline_ms: 1.5, lease_ms: 2.2, remember_ms: 9.0 }.validated().unwrap();
        assert_eq!((p.handler_deadline_ms, p.lease_ms), (2.0, 3.0));
        let e = ClaimPolicy { lease_ms: 15_000.0, ..ClaimPolicy::default() }.validated().unwrap_err();
        assert_eq!(e.path.as_deref(), Some("claim.leaseMs"));
        assert!(ClaimPolicy { remember_ms: f64::NAN, ..P }.validated().is_err());
        assert!(ClaimPolicy { lease_ms: f64::INFINITY, ..P }.validated().is_err());
    }

    // --- the in-memory store ------------------------------------------------------------------------------------

    #[test]
    fn the_log_claims_once_until_completed_or_released() {
        let mut log = ClaimLog::new(10);
        assert_eq!(log.claim("k", "a", 0.0, 100.0), Ok(Claim::Claimed));
        assert_eq!(log.claim("k", "b", 50.0, 100.0), Ok(Claim::InProgress));
        log.release("k", "b");
        assert_eq!(log.claim("k", "b", 50.0, 100.0), Ok(Claim::InProgress), "only the owner releases");
        log.release("k", "a");
        assert_eq!(log.claim("k", "b", 60.0, 100.0), Ok(Claim::Claimed));
        assert_eq!(log.complete("k", 70.0, 1_000.0), Ok(()));
        log.release("k", "b");
        assert_eq!(log.claim("k", "c", 80.0, 100.0), Ok(Claim::Done), "a release never forgets a processed key");
        assert_eq!(log.claim("k", "c", 1_070.0, 100.0), Ok(Claim::Claimed), "remembered until its time");
    }

    #[test]
    fn an_expired_lease_is_taken_over_and_its_owner_cannot_release_the_new_one() {
        let mut log = ClaimLog::new(10);
        log.claim("k", "a", 0.0, 100.0).unwrap();
        assert_eq!(log.claim("k", "b", 99.0, 100.0), Ok(Claim::InProgress));
        assert_eq!(log.claim("k", "b", 100.0, 100.0), Ok(Claim::Claimed), "takeover at expiry");
        log.release("k", "a");
        assert_eq!(log.claim("k", "c", 150.0, 100.0), Ok(Claim::InProgress), "b's lease holds");
        assert_eq!(log.complete("k", 160.0, 500.0), Ok(()), "a late success completes whoever holds the lease");
        assert_eq!(log.claim("k", "c", 170.0, 100.0), Ok(Claim::Done));
    }

    #[test]
    fn a_full_log_forgets_the_oldest_processed_key_and_never_a_lease() {
        let mut log = ClaimLog::new(3);
        log.claim("old", "o", 0.0, 10.0).unwrap();
        log.complete("old", 0.0, 1_000.0).unwrap();
        log.claim("new", "o", 1.0, 10.0).unwrap();
        log.complete("new", 1.0, 2_000.0).unwrap();
        log.claim("busy", "o", 2.0, 5_000.0).unwrap();
        assert_eq!(log.claim("x", "o", 3.0, 5_000.0), Ok(Claim::Claimed), "room made by forgetting `old`");
        assert_eq!(log.claim("old", "p", 4.0, 5_000.0), Ok(Claim::Claimed), "forgotten; room made by forgetting `new`");
        let full = log.claim("new", "p", 5.0, 10.0).unwrap_err();
        assert_eq!(full, fail("the claim log is full: all 3 keys are deliveries in progress"));
        let mut log = ClaimLog::new(3);
        for k in ["a", "b", "c"] {
            log.claim(k, "o", 0.0, 5_000.0).unwrap();
        }
        assert_eq!(log.claim("a", "p", 1.0, 10.0), Ok(Claim::InProgress));
        let refused = log.claim("d", "p", 1.0, 10.0).unwrap_err();
        assert!(refused.reason.contains("full"), "{}", refused.reason);
        assert_eq!(log.complete("d", 1.0, 10.0).unwrap_err(), refused, "no room to record either");
        assert_eq!(log.claim("b", "p", 2.0, 10.0), Ok(Claim::InProgress), "no lease was dropped");
        assert_eq!(log.claim("d", "p", 5_000.0, 10.0), Ok(Claim::Claimed), "room once the leases expire");
        assert_eq!(ClaimLog::new(0).claim("k", "o", 0.0, 1.0), Ok(Claim::Claimed), "capacity is at least 1");
    }

    #[test]
    fn eviction_order_is_by_expiry_among_processed_keys() {
        let mut log = ClaimLog::new(3);
        log.complete("late", 0.0, 3_000.0).unwrap();
        log.complete("early", 0.0, 1_000.0).unwrap();
        log.claim("busy", "o", 0.0, 5_000.0).unwrap();
        log.claim("x", "o", 1.0, 5_000.0).unwrap();
        assert_eq!(log.claim("late", "p", 2.0, 10.0), Ok(Claim::Done), "`early` was forgotten, `late` kept");
    }

    // --- attempts of one delivery, interleaved ------------------------------------------------------------------

    /// What a simulated attempt's handler does each time it runs.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Script {
        Succeed,
        Fail,
    }

    /// Which store operation fails, for whom.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Fault {
        None,
        Claim(usize),
        Complete(usize),
        Release(usize),
    }

    /// One attempt and its driver. A step performs one action against the shared log; a running handler is a
    /// step of its own (it starts, then, some steps later, ends), so other attempts run in between.
    #[derive(Clone, Debug)]
    struct Attempt {
        id: usize,
        run: DeliveryRun,
        script: Script,
        running: bool,
        answer: Option<u16>,
        reports: Vec<&'static str>,
        done: bool,
    }

    #[derive(Clone, Debug)]
    struct World {
        log: ClaimLog,
        attempts: Vec<Attempt>,
        handler_runs: u32,
        successes: u32,
        concurrent: u32,
        max_concurrent: u32,
        fault: Fault,
    }

    impl World {
        fn new(scripts: &[Script], fault: Fault) -> World {
            let attempts = scripts
                .iter()
                .enumerate()
                .map(|(id, &script)| Attempt {
                    id,
                    run: DeliveryRun::new(delivery_key("site", "d"), format!("owner-{id}"), NOW, P),
                    script,
                    running: false,
                    answer: None,
                    reports: Vec::new(),
                    done: false,
                })
                .collect();
            World {
                log: ClaimLog::new(8),
                attempts,
                handler_runs: 0,
                successes: 0,
                concurrent: 0,
                max_concurrent: 0,
                fault,
            }
        }

        /// Advances attempt `i` by one step; false when it has nothing left to do.
        fn step(&mut self, i: usize) -> bool {
            let fault = self.fault;
            let a = &mut self.attempts[i];
            if a.done {
                return false;
            }
            if a.running {
                a.running = false;
                self.concurrent -= 1;
                if a.script == Script::Succeed {
                    self.successes += 1;
                }
                a.run.on_handler(if a.script == Script::Succeed { Succeeded } else { Failed });
                return true;
            }
            match a.run.poll(NOW) {
                A::Claim { key, owner, lease_ms } => {
                    let r = if fault == Fault::Claim(a.id) {
                        Err(fail("claim"))
                    } else {
                        self.log.claim(&key, &owner, NOW, lease_ms)
                    };
                    a.run.on_claim(r);
                }
                A::RunHandler { .. } => {
                    a.running = true;
                    self.handler_runs += 1;
                    self.concurrent += 1;
                    self.max_concurrent = self.max_concurrent.max(self.concurrent);
                }
                A::Complete { key, remember_ms } => {
                    let r = if fault == Fault::Complete(a.id) {
                        Err(fail("complete"))
                    } else {
                        self.log.complete(&key, NOW, remember_ms)
                    };
                    a.run.on_complete(r);
                }
                A::Release { key, owner } => {
                    if fault == Fault::Release(a.id) {
                        a.run.on_release(Err(fail("release")));
                    } else {
                        self.log.release(&key, &owner);
                        a.run.on_release(Ok(()));
                    }
                }
                A::Report(p) => a.reports.push(p.code()),
                A::Answer(status) => {
                    assert!(a.answer.is_none(), "answered twice");
                    a.answer = Some(status);
                }
                A::Wait => panic!("attempt {i} waits with nothing in flight"),
                A::Done => a.done = true,
            }
            true
        }
    }

    /// Runs `check` on every complete interleaving of the attempts' steps.
    fn explore(world: World, check: &mut dyn FnMut(&World)) -> usize {
        let mut finished = 0;
        let mut any = false;
        for i in 0..world.attempts.len() {
            let mut next = world.clone();
            if next.step(i) {
                any = true;
                finished += explore(next, check);
            }
        }
        if !any {
            check(&world);
            finished += 1;
        }
        finished
    }

    fn answers(w: &World) -> Vec<u16> {
        let mut a: Vec<u16> = w.attempts.iter().map(|a| a.answer.expect("every attempt answers")).collect();
        a.sort();
        a
    }

    #[test]
    fn two_and_three_overlapping_attempts_run_the_handler_exactly_once() {
        for n in [2, 3] {
            let orders = explore(World::new(&vec![Script::Succeed; n], Fault::None), &mut |w| {
                assert_eq!(w.handler_runs, 1, "{w:#?}");
                let a = answers(w);
                assert_eq!(a.iter().filter(|s| **s == 204).count() + a.iter().filter(|s| **s == 409).count(), n);
                assert!(a.contains(&204));
                assert!(w.attempts.iter().all(|a| a.reports.is_empty()));
                assert_eq!(w.log.clone().claim(&key_of("d"), "later", NOW, 1.0), Ok(Claim::Done), "remembered");
            });
            assert!(orders > if n == 2 { 20 } else { 1_000 }, "{n} attempts: only {orders} orders explored");
        }
    }

    fn key_of(id: &str) -> String {
        delivery_key("site", id).unwrap()
    }

    #[test]
    fn a_failing_handler_is_never_run_twice_at_once_and_a_retry_can_succeed() {
        for scripts in [[Script::Fail, Script::Succeed, Script::Succeed], [Script::Fail, Script::Fail, Script::Succeed]]
        {
            explore(World::new(&scripts, Fault::None), &mut |w| {
                assert_eq!(w.max_concurrent, 1, "never two handlers at once");
                assert!(w.successes <= 1, "a success is never repeated");
                let failed = w.attempts.iter().filter(|a| a.script == Script::Fail && a.answer == Some(500)).count();
                assert_eq!(w.handler_runs as usize, failed + w.successes as usize);
                let remembered = w.log.clone().claim(&key_of("d"), "later", NOW, 1.0) == Ok(Claim::Done);
                assert_eq!(remembered, w.successes == 1);
            });
        }
    }

    #[test]
    fn a_store_failing_at_each_step_never_runs_the_handler_twice() {
        for fault in [Fault::Claim(0), Fault::Complete(0), Fault::Release(0)] {
            let scripts = if matches!(fault, Fault::Release(_)) {
                [Script::Fail, Script::Succeed]
            } else {
                [Script::Succeed, Script::Succeed]
            };
            explore(World::new(&scripts, fault), &mut |w| {
                let first = &w.attempts[0];
                match fault {
                    Fault::Claim(_) => {
                        assert_eq!((first.answer, &first.reports[..]), (Some(500), &["claim-failed"][..]));
                        assert_eq!((w.handler_runs, w.attempts[1].answer), (1, Some(204)), "the other attempt runs it");
                    }
                    Fault::Complete(_) => {
                        assert_eq!(w.handler_runs, 1, "the lease still keeps the other attempt out");
                        if first.reports.is_empty() {
                            // The other attempt won the claim; attempt 0 never ran.
                            assert!(matches!(first.answer, Some(409 | 204)), "{w:#?}");
                        } else {
                            assert_eq!((first.answer, &first.reports[..]), (Some(204), &["complete-failed"][..]));
                        }
                    }
                    _ => {
                        let ran_first = first.answer == Some(500);
                        if ran_first {
                            assert_eq!(first.reports, ["handler-failed", "release-failed"]);
                            assert_eq!(w.handler_runs, 1, "the unreleased lease refuses the retry: {w:#?}");
                            assert_eq!(w.attempts[1].answer, Some(409));
                        }
                        assert!(w.max_concurrent <= 1);
                    }
                }
            });
        }
        // After a failed completion or release, the lease ends and the delivery runs again: at-least-once.
        let mut log = ClaimLog::new(4);
        log.claim("k", "a", NOW, P.lease_ms).unwrap();
        assert_eq!(log.claim("k", "b", NOW + P.lease_ms - 1.0, P.lease_ms), Ok(Claim::InProgress));
        assert_eq!(log.claim("k", "b", NOW + P.lease_ms, P.lease_ms), Ok(Claim::Claimed));
    }

    /// Drives `r` against `log` at `now` until it runs its handler, waits, or is done; returns what it answered.
    fn until_handler(r: &mut DeliveryRun, log: &mut ClaimLog, now: f64) -> (Option<u16>, bool) {
        let mut answer = None;
        loop {
            match r.poll(now) {
                A::Claim { key, owner, lease_ms } => r.on_claim(log.claim(&key, &owner, now, lease_ms)),
                A::Complete { key, remember_ms } => r.on_complete(log.complete(&key, now, remember_ms)),
                A::Release { key, owner } => {
                    log.release(&key, &owner);
                    r.on_release(Ok(()));
                }
                A::Answer(s) => answer = Some(s),
                A::Report(_) => {}
                A::RunHandler { .. } => return (answer, true),
                A::Wait | A::Done => return (answer, false),
            }
        }
    }

    #[test]
    fn a_retry_while_a_timed_out_handler_still_runs_is_refused_then_sees_it_done() {
        for late in [Succeeded, Failed] {
            let mut log = ClaimLog::new(8);
            let key = delivery_key("site", "d");
            let mut first = DeliveryRun::new(key.clone(), "a".into(), NOW, P);
            assert_eq!(until_handler(&mut first, &mut log, NOW), (None, true));
            first.on_handler(TimedOut);
            assert_eq!(until_handler(&mut first, &mut log, NOW + 15_000.0), (Some(503), false));

            let t = NOW + 20_000.0;
            let mut retry = DeliveryRun::new(key.clone(), "b".into(), t, P);
            assert_eq!(until_handler(&mut retry, &mut log, t), (Some(409), false), "the lease keeps it out");

            first.on_handler(late);
            assert_eq!(until_handler(&mut first, &mut log, t + 1.0), (None, false), "Jira was answered once");

            let mut after = DeliveryRun::new(key.clone(), "c".into(), t + 2.0, P);
            let expected = if late == Succeeded { (Some(204), false) } else { (None, true) };
            assert_eq!(until_handler(&mut after, &mut log, t + 2.0), expected, "{late:?}: done, or free to run again");
        }
    }

    #[test]
    fn a_handler_that_outlives_its_lease_is_run_again_but_cannot_free_the_new_lease() {
        let mut log = ClaimLog::new(8);
        let key = delivery_key("site", "d");
        let mut first = DeliveryRun::new(key.clone(), "a".into(), NOW, P);
        until_handler(&mut first, &mut log, NOW);
        first.on_handler(TimedOut);
        until_handler(&mut first, &mut log, NOW + 15_000.0);

        let t = NOW + P.lease_ms;
        let mut second = DeliveryRun::new(key.clone(), "b".into(), t, P);
        assert_eq!(until_handler(&mut second, &mut log, t), (None, true), "takeover: at-least-once for this case");

        first.on_handler(Failed);
        until_handler(&mut first, &mut log, t + 1.0);
        let mut third = DeliveryRun::new(key.clone(), "c".into(), t + 2.0, P);
        assert_eq!(
            until_handler(&mut third, &mut log, t + 2.0),
            (Some(409), false),
            "the first's release freed nothing"
        );

        second.on_handler(Succeeded);
        assert_eq!(until_handler(&mut second, &mut log, t + 3.0), (Some(204), false));
        let mut fourth = DeliveryRun::new(key, "d".into(), t + 4.0, P);
        assert_eq!(until_handler(&mut fourth, &mut log, t + 4.0), (Some(204), false));
    }
}
