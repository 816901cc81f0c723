//! What must hold, and the ledger of facts it is checked against. A violation names its invariant; a case the
//! design declares at-least-once or lost by necessity is not a violation but is named and counted ("excused").
//!
//! - `webhooks-exact`: once a sync has ended that ran alone (no sync overlapped it that the design does not
//!   serialize with it: same process, or any process under the lease), and after the final sync run alone on a
//!   quiet Jira, the app's webhooks are the desired set exactly: each desired webhook Jira accepts once, unexpired,
//!   nothing else.
//! - `handler-once`: a delivery's handler succeeds at most once. Excused: a handler that outlived its lease (the
//!   next attempt took the lease over while it ran), a completion the store lost, a process's in-memory store lost
//!   in a restart. (Not excused: a replay of a failure Jira still lists, whatever its age.)
//! - `success-answered-2xx`: an attempt whose handler succeeded before its deadline answers 2xx.
//! - `delivered-was-handled`: every delivery Jira was answered 2xx for was handled.
//! - `answered-once`: every attempt answers once; a valid delivery is never refused.
//! - `token-not-lost`: no worker is told to reauthorize, and the store never ends with a spent refresh token, unless
//!   the user revoked the grant or the rotated pair was lost by necessity (the endpoint's answer lost, the process
//!   stopped before saving, the store failing every save).
//! - `token-single-flight`: one process sends one connection's refresh requests from one run at a time.
//! - `retry-after-honoured`: a call never sends again before the `Retry-After` Jira gave it.
//! - `no-secret-in-errors`: no error or report holds a token, a secret or a credential.
//! - `no-panic`, `quiescence`: the core never panics, and every run settles.

use super::world::{identity_of, refused, World, MARK, VARIANTS};
use jira_webhooks::{Claim, ClaimPolicy, Error, StoreFailure};
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Debug)]
pub struct Violation {
    pub invariant: &'static str,
    pub at: f64,
    pub detail: String,
}

/// One attempt of one delivery at the app (or one replay): what the invariants need to know.
#[derive(Clone, Debug, Default)]
pub struct RunRecord {
    pub delivery: usize,
    pub replay: bool,
    pub owner: String,
    pub key: Option<String>,
    pub claimed_at: Option<f64>,
    pub handler_start: Option<f64>,
    pub handler_end: Option<f64>,
    pub succeeded: bool,
    pub timed_out: bool,
    pub completion_failed: bool,
    pub answer: Option<u16>,
}

/// A rotation of the refresh token by the endpoint.
#[derive(Clone, Debug)]
pub struct Rotation {
    pub spent: String,
    pub next: String,
    pub run: u64,
    pub at: f64,
    pub saved_at: Option<f64>,
    /// Why its successor can never reach the store, when that is by necessity.
    pub orphan: Option<&'static str>,
}

#[derive(Default)]
pub struct Ledger {
    pub violations: Vec<Violation>,
    pub excused: BTreeMap<&'static str, u64>,
    pub runs: Vec<RunRecord>,
    owners: HashMap<String, usize>,
    /// When each key was recorded as processed.
    pub completions: HashMap<String, Vec<f64>>,
    /// Keys an in-memory store forgot in a restart.
    pub wiped: Vec<String>,
    pub rotations: Vec<Rotation>,
    /// Reauthorize results: when, and the refresh token the run presented last.
    pub reauthorized: Vec<(f64, Option<String>)>,
    pub revoked_at: Option<f64>,
}

impl Ledger {
    pub fn violate(&mut self, invariant: &'static str, at: f64, detail: String) {
        self.violations.push(Violation { invariant, at, detail });
    }

    pub fn excuse(&mut self, why: &'static str) {
        *self.excused.entry(why).or_default() += 1;
    }

    /// No secret of the simulation in `text`.
    pub fn check_text(&mut self, at: f64, what: &str, text: &str) {
        if text.contains(MARK) || text.contains(super::world::BEARER) {
            self.violate("no-secret-in-errors", at, format!("{what} holds a secret: {text}"));
        }
    }

    pub fn check_error(&mut self, at: f64, what: &str, e: &Error) {
        self.check_text(at, what, &e.message);
        self.check_text(at, what, &e.fields_json());
        self.check_text(at, what, &format!("{e:?}"));
    }

    pub fn check_store_failure(&mut self, at: f64, f: &StoreFailure) {
        self.check_text(at, "a store failure", &f.reason);
    }

    // --- deliveries ---------------------------------------------------------------------------------------------

    pub fn new_run(&mut self, delivery: usize, replay: bool, owner: &str) -> usize {
        self.runs.push(RunRecord { delivery, replay, owner: owner.to_owned(), ..RunRecord::default() });
        self.owners.insert(owner.to_owned(), self.runs.len() - 1);
        self.runs.len() - 1
    }

    pub fn claimed(&mut self, key: &str, owner: &str, at: f64, result: &Result<Claim, StoreFailure>) {
        if let Some(&run) = self.owners.get(owner) {
            let r = &mut self.runs[run];
            r.key = Some(key.to_owned());
            if result == &Ok(Claim::Claimed) {
                r.claimed_at = Some(at);
            }
        }
    }

    pub fn completed(&mut self, key: &str, at: f64) {
        self.completions.entry(key.to_owned()).or_default().push(at);
    }

    /// The checks over every delivery, once the run has settled.
    pub fn check_deliveries(&mut self, w_delivered: &[bool]) {
        let mut found: Vec<(&'static str, f64, String)> = Vec::new();
        let mut excused: Vec<&'static str> = Vec::new();
        for (d, &delivered) in w_delivered.iter().enumerate() {
            let mut successes: Vec<&RunRecord> = self.runs.iter().filter(|r| r.delivery == d && r.succeeded).collect();
            // In the order they claimed the delivery (a run without a key claims nothing: when its handler began).
            let began = |r: &RunRecord| r.claimed_at.or(r.handler_start).unwrap_or(0.0);
            successes.sort_by(|a, b| began(a).total_cmp(&began(b)));
            if delivered && successes.is_empty() {
                found.push((
                    "delivered-was-handled",
                    0.0,
                    format!("delivery #{d}: Jira was answered 2xx, but no handler ever succeeded for it"),
                ));
            }
            for (i, again) in successes.iter().enumerate().skip(1) {
                let claimed = again.claimed_at.unwrap_or(0.0);
                // An earlier run's handler was still running when its lease ran out, and this one claimed after that
                // (itself, or after another attempt took the lease over and let it go).
                let lease_ms = ClaimPolicy::default().lease_ms;
                let outlived = successes[..i].iter().any(|s| {
                    let lease_end = s.claimed_at.unwrap_or(f64::INFINITY) + lease_ms;
                    s.handler_end.is_some_and(|e| e >= lease_end) && claimed >= lease_end
                });
                let key = again.key.clone().unwrap_or_default();
                let completed_before: Vec<f64> = self
                    .completions
                    .get(&key)
                    .map_or(Vec::new(), |v| v.iter().copied().filter(|&t| t < claimed).collect());
                let why = if outlived {
                    Some("a handler outlived its lease: the next attempt took the lease over and ran it again")
                } else if successes[..i].iter().any(|s| s.completion_failed) {
                    Some("a completion the store lost: the key was not recorded, so a later attempt ran it again")
                } else if self.wiped.contains(&key) && !completed_before.is_empty() {
                    Some("a process restarted with its in-memory store: it forgot the processed key")
                } else {
                    None
                };
                match why {
                    Some(why) => excused.push(why),
                    None => found.push((
                        "handler-once",
                        claimed,
                        format!(
                            "delivery #{d}: its handler succeeded {} times ({})",
                            successes.len(),
                            successes
                                .iter()
                                .map(|s| format!(
                                    "{}{} ended {:.3}s",
                                    s.owner,
                                    if s.replay { " (replay)" } else { "" },
                                    (s.handler_end.unwrap_or(0.0) - super::world::T0) / 1000.0
                                ))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )),
                }
            }
        }
        for r in &self.runs {
            if r.succeeded && !r.timed_out && r.answer.is_some_and(|s| !(200..300).contains(&s)) {
                found.push((
                    "success-answered-2xx",
                    r.handler_end.unwrap_or(0.0),
                    format!(
                        "{} (delivery #{}): its handler succeeded in time but it answered {} (Jira will run it again)",
                        r.owner,
                        r.delivery,
                        r.answer.unwrap_or(0)
                    ),
                ));
            }
        }
        for why in excused {
            self.excuse(why);
        }
        for (invariant, at, detail) in found {
            self.violate(invariant, at, detail);
        }
    }

    // --- tokens -------------------------------------------------------------------------------------------------

    pub fn saved(&mut self, refresh_token: &str, at: f64) {
        if let Some(r) = self.rotations.iter_mut().find(|r| r.next == refresh_token) {
            r.saved_at.get_or_insert(at);
        }
    }

    pub fn orphan(&mut self, rotation: usize, why: &'static str) {
        if let Some(r) = self.rotations.get_mut(rotation) {
            if r.saved_at.is_none() && r.orphan.is_none() {
                r.orphan = Some(why);
            }
        }
    }

    /// Why the refresh token `spent` cannot be used: by necessity (excused), or a loss.
    /// The excuse comes with the rotation it is about (`usize::MAX`: the revocation), to count each loss once.
    fn why_spent(&self, spent: &str, at: f64) -> Result<(&'static str, usize), String> {
        match self.rotations.iter().position(|r| r.spent == spent) {
            Some(i) => match (self.rotations[i].orphan, self.rotations[i].saved_at) {
                (Some(why), _) => Ok((why, i)),
                (None, Some(saved)) => Err(format!(
                    "its refresh token was rotated at {:.3}s and the successor stored at {:.3}s",
                    (self.rotations[i].at - super::world::T0) / 1000.0,
                    (saved - super::world::T0) / 1000.0
                )),
                (None, None) => Err(format!(
                    "its refresh token was rotated at {:.3}s by run {} and the successor was never stored",
                    (self.rotations[i].at - super::world::T0) / 1000.0,
                    self.rotations[i].run
                )),
            },
            None if self.revoked_at.is_some_and(|t| t <= at) => Ok(("the user revoked the grant", usize::MAX)),
            None => Err("the endpoint refused a refresh token nobody spent".into()),
        }
    }

    pub fn check_tokens(&mut self, stored: Option<&str>, valid: Option<&str>, now: f64) {
        let mut outcomes = Vec::new();
        for (at, presented) in self.reauthorized.clone() {
            let why = match presented {
                Some(_) if self.revoked_at.is_some_and(|t| t <= at) => Ok(("the user revoked the grant", usize::MAX)),
                Some(p) => self.why_spent(&p, at),
                None => Err("a run asked to reauthorize without presenting a refresh token".into()),
            };
            outcomes.push((at, why, "a worker was told to reauthorize"));
        }
        if stored != valid {
            let why = match stored {
                _ if self.revoked_at.is_some() => Ok(("the user revoked the grant", usize::MAX)),
                Some(s) => self.why_spent(s, now),
                None => Err("nothing is stored".into()),
            };
            outcomes.push((now, why, "the store ends with a refresh token the endpoint refuses"));
        }
        let mut counted = Vec::new();
        for (at, why, what) in outcomes {
            match why {
                Ok(excuse) if counted.contains(&excuse) => {}
                Ok(excuse) => {
                    counted.push(excuse);
                    self.excuse(excuse.0);
                }
                Err(detail) => self.violate("token-not-lost", at, format!("{what}: {detail}")),
            }
        }
    }
}

/// Checks the app's webhooks against variant `variant` of the desired set.
pub fn check_webhooks(w: &mut World, variant: usize, context: &str) {
    match differences(w, variant) {
        None => w.seen.add("the webhooks were exact after a sync that ran alone"),
        Some(problems) => w.ledger.violate("webhooks-exact", w.now, format!("{context}: {problems}")),
    }
}

/// How the app's webhooks differ from variant `variant` of the desired set, if they do.
pub fn differences(w: &World, variant: usize) -> Option<String> {
    let expected: Vec<String> = VARIANTS[variant].iter().filter(|&&i| !refused(i)).map(|&i| identity_of(i)).collect();
    let now = w.now;
    let mut problems = Vec::new();
    for id in &expected {
        let n = w.jira.hooks.iter().filter(|h| h.identity() == *id && h.expires > now).count();
        if n != 1 {
            problems.push(format!("{n} live copies of `{id}`"));
        }
    }
    for h in &w.jira.hooks {
        if !expected.contains(&h.identity()) {
            problems.push(format!("#{} `{}` is not desired", h.id, h.identity()));
        } else if h.expires <= now {
            problems.push(format!("#{} `{}` has expired", h.id, h.identity()));
        }
    }
    (!problems.is_empty()).then(|| problems.join("; "))
}

/// The end of a run: every check over what happened.
pub fn check_end(w: &mut World) {
    let delivered: Vec<bool> = w.jira.deliveries.iter().map(|d| d.delivered).collect();
    w.ledger.check_deliveries(&delivered);
    let stored = w.conn.stored.as_ref().map(|t| t.refresh_token.clone());
    let valid = w.conn.valid.clone();
    w.ledger.check_tokens(stored.as_deref(), valid.as_deref(), w.now);
}
