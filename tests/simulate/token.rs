//! Workers that need the OAuth 2.0 connection's access token (a `getToken` provider's callers): each asks its
//! process's `TokenManager`, which answers with a fresh token, says to join the refresh in flight, or starts a
//! `TokenRun` for the worker to drive (load, refresh at the endpoint, compare-and-swap save, sleep). Then it uses
//! the token against Jira; a 401 asks again, naming the refused token.

use super::world::{Home, Io, IoResult, Wake, World, HOUR, MINUTE, SECOND};
use jira_webhooks::oauth::{Begin, TokenAction, TokenRun, Tokens};
use jira_webhooks::{Error, ErrorKind};

pub struct TokenWorker {
    pub home: Home,
    uses: u32,
    run: Option<Box<TokenRun>>,
    run_uid: u64,
    /// The refresh token the run presented last.
    presented: Option<String>,
    /// The rotation the run bought and has not stored yet.
    issued: Option<usize>,
    /// The access token in use.
    token: Option<String>,
    retried: bool,
    timer: u64,
}

impl TokenWorker {
    pub fn new(home: Home, uses: u32) -> Self {
        TokenWorker {
            home,
            uses,
            run: None,
            run_uid: 0,
            presented: None,
            issued: None,
            token: None,
            retried: false,
            timer: 0,
        }
    }

    pub fn on_wake(&mut self, w: &mut World, me: usize, why: Wake) {
        match why {
            Wake::Start => self.want(w, me, None),
            Wake::Timer(t) if t == self.timer => match self.run.is_some() {
                true => self.step(w, me),
                false => self.want(w, me, None),
            },
            Wake::Joined(result) => self.got(w, me, *result),
            _ => {}
        }
    }

    /// Asks the process's manager for a token.
    fn want(&mut self, w: &mut World, me: usize, refused: Option<String>) {
        let now = w.now;
        match w.procs[self.home.proc].manager.begin(now, refused.as_deref()) {
            Begin::Ready(token) => self.use_token(w, me, token),
            Begin::Join => {
                w.log(|| format!("worker#{me}@p{}: joins the refresh in flight", self.home.proc));
                w.seen.add("a token request joined the refresh in flight");
                w.procs[self.home.proc].joiners.push(me);
            }
            Begin::Start(run) => {
                w.log(|| format!("worker#{me}@p{}: starts a refresh", self.home.proc));
                w.procs[self.home.proc].runs += 1;
                self.run = Some(run);
                self.run_uid = w.uid();
                self.presented = None;
                self.issued = None;
                self.step(w, me);
            }
        }
    }

    /// Performs what the run says until it waits.
    fn step(&mut self, w: &mut World, me: usize) {
        let Some(run) = self.run.as_mut() else { return };
        match run.poll(w.now, w.choices.unit()) {
            TokenAction::Load => {
                w.note(2, me, 1);
                w.log(|| format!("worker#{me}@p{}: loads the stored tokens", self.home.proc));
                w.io(me, Io::Load);
            }
            TokenAction::Refresh { refresh_token } => {
                w.note(2, me, 2);
                if w.procs[self.home.proc].runs > 1 {
                    let detail = format!(
                        "process {} sends a refresh while another of its runs for the connection is in flight",
                        self.home.proc
                    );
                    w.ledger.violate("token-single-flight", w.now, detail);
                }
                w.log(|| format!("worker#{me}: refreshes with refresh token {}", short(&refresh_token)));
                self.presented = Some(refresh_token.clone());
                w.io(me, Io::Refresh { token: refresh_token, run: self.run_uid });
            }
            TokenAction::Save { next, previous_refresh_token } => {
                w.note(2, me, 3);
                w.log(|| {
                    let (n, p) = (short(&next.refresh_token), short(&previous_refresh_token));
                    format!("worker#{me}: saves refresh token {n} in place of {p}")
                });
                w.io(me, Io::Save { next, previous: previous_refresh_token });
            }
            TokenAction::Sleep(ms) => {
                w.log(|| format!("worker#{me}: sleeps {ms} ms"));
                self.timer += 1;
                w.wake(me, ms, Wake::Timer(self.timer));
            }
            TokenAction::Done(result) => self.end_run(w, me, result),
        }
    }

    fn end_run(&mut self, w: &mut World, me: usize, result: Result<Tokens, Error>) {
        w.note(2, me, if result.is_ok() { 4 } else { 5 });
        w.log(|| match &result {
            Ok(t) => format!("worker#{me}: its refresh ended with refresh token {}", short(&t.refresh_token)),
            Err(e) => format!("worker#{me}: its refresh failed ({}): {}", e.kind.as_str(), e.message),
        });
        self.run = None;
        let proc = &mut w.procs[self.home.proc];
        proc.runs -= 1;
        proc.manager.finish(&result);
        let joiners = std::mem::take(&mut proc.joiners);
        for joiner in joiners {
            w.wake(joiner, 0.0, Wake::Joined(Box::new(result.clone())));
        }
        if let Some(rotation) = self.issued.take() {
            let stored = w.ledger.rotations[rotation].saved_at.is_some();
            if !stored && result.as_ref().is_err_and(|e| e.path.as_deref() == Some("save")) {
                w.ledger.orphan(rotation, "the store failed every save of the rotated tokens");
            }
        }
        match &result {
            Err(e) if e.kind == ErrorKind::Reauthorize => {
                w.ledger.reauthorized.push((w.now, self.presented.clone()));
            }
            Ok(_)
                if self.presented.is_some()
                    && w.ledger
                        .rotations
                        .iter()
                        .any(|r| Some(&r.spent) == self.presented.as_ref() && r.run != self.run_uid) =>
            {
                w.seen.add("a refresh lost the race and adopted the winner's tokens");
            }
            _ => {}
        }
        self.got(w, me, result);
    }

    fn got(&mut self, w: &mut World, me: usize, result: Result<Tokens, Error>) {
        match result {
            Ok(tokens) => self.use_token(w, me, tokens.access_token),
            Err(e) => {
                w.ledger.check_error(w.now, "a token error", &e);
                w.seen.add("a worker got no token");
                self.next_use(w, me);
            }
        }
    }

    fn use_token(&mut self, w: &mut World, me: usize, token: String) {
        w.log(|| format!("worker#{me}: calls Jira with access token {}", short(&token)));
        self.token = Some(token.clone());
        w.io(me, Io::Use { access: token });
    }

    fn next_use(&mut self, w: &mut World, me: usize) {
        self.uses = self.uses.saturating_sub(1);
        self.retried = false;
        if self.uses > 0 {
            let gap = w.choices.pick(&[0.0, SECOND, 10.0 * MINUTE, 2.0 * HOUR]);
            self.timer += 1;
            w.wake(me, gap, Wake::Timer(self.timer));
        }
    }

    pub fn on_reply(&mut self, w: &mut World, me: usize, result: IoResult) {
        match result {
            IoResult::Used(true) => self.next_use(w, me),
            IoResult::Used(false) if !self.retried => {
                self.retried = true;
                w.seen.add("Jira refused an access token (401): the worker asks again");
                let refused = self.token.take();
                self.want(w, me, refused);
            }
            IoResult::Used(false) => {
                w.seen.add("Jira refused the token asked for after a 401");
                self.next_use(w, me);
            }
            IoResult::Loaded(loaded) => {
                if let Some(run) = self.run.as_mut() {
                    run.on_load(loaded);
                    self.step(w, me);
                }
            }
            IoResult::Token(response, rotation) => {
                if let Some(run) = self.run.as_mut() {
                    if rotation.is_some() && matches!(response, jira_webhooks::oauth::TokenResponse::Issued { .. }) {
                        self.issued = rotation;
                    }
                    run.on_token_response(response);
                    self.step(w, me);
                }
            }
            IoResult::Saved(saved) => {
                if let Some(run) = self.run.as_mut() {
                    run.on_save(saved);
                    self.step(w, me);
                }
            }
            _ => {}
        }
    }

    /// The process stops: a rotated pair not stored yet is lost with it.
    pub fn on_stop(&mut self, w: &mut World) {
        if let Some(rotation) = self.issued.take() {
            w.ledger.orphan(rotation, "the process stopped before it stored the rotated tokens");
        }
    }
}

/// A token's number, for the trace (never the token).
pub fn short(token: &str) -> String {
    format!("#{}", token.rsplit('.').next().unwrap_or("?"))
}
