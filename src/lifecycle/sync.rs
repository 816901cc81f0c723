//! Declarative sync and keep-alive: the registered set converges on the declared set, and stays alive past the
//! 30-day expiry. [`plan`] decides what to register, delete, refresh and keep; [`Lifecycle`] walks the calls that
//! apply a plan, with the one rule registration needs: a POST whose answer was lost (connection dropped, timeout,
//! 502/503/504) may have registered the webhooks, so the list is read again and only what is still missing is
//! registered. Everything here is pure: a driver performs each [`Step`] and reports back.

use super::jql;
use crate::decode::{model, Ty};
use crate::engine::{OffsetPages, PageFacts, Pages, Reply};
use crate::error::Error;
use crate::models::{
    ContainerForRegisteredWebhooks, PageBeanWebhook, Webhook, WebhookDetails, WebhookEvent, WebhooksExpirationDate,
    MAX_WEBHOOKS_PER_APP,
};
use crate::operations::{
    DeleteWebhookById, GetDynamicWebhooksForApp, GetDynamicWebhooksForAppParams, RefreshWebhooks,
    RegisterDynamicWebhooks,
};
use crate::small::sort_small;
use crate::text::cat;

const DAY_MS: f64 = 86_400_000.0;
/// How many days before expiry a webhook is refreshed, unless the caller says otherwise.
const DEFAULT_WINDOW_DAYS: f64 = 7.0;

model! {
    /// The webhooks an app wants on a site: `syncWebhooks`' first argument.
    pub struct DesiredWebhooks [closed] {
        /// Where Jira sends them (one URL per app).
        url "url": String = Ty::Url,
        /// Every webhook the app wants; any other webhook of the app is deleted. Empty: delete them all.
        webhooks "webhooks": Vec<WebhookDetails> = Ty::Items(&Ty::Obj(WebhookDetails::SHAPE), 0, MAX_WEBHOOKS_PER_APP),
        /// Refresh the kept webhooks that expire within this many days (0 to 30). Default 7.
        #[tsify(optional)]
        refresh_within_days "refreshWithinDays": Option<f64> = Ty::Num,
        /// Plan only: list, decide, send nothing else.
        #[tsify(optional)]
        dry_run "dryRun": Option<bool> = Ty::Bool,
        /// OAuth 2.0 apps: the ids of the webhooks this connection registered (the `created` ids of its earlier
        /// syncs, kept by the app). Jira may list every user's webhooks of the app, so only these are ever deleted,
        /// and only these are matched; without them a sync deletes nothing it finds (see the README, "Sync").
        #[tsify(optional)]
        owned "owned": Option<Vec<i64>> = Ty::List(&Ty::Int),
        /// OAuth 2.0 apps: also delete the app's webhooks this connection cannot tell are its own (every user's).
        /// Default `false`.
        #[tsify(optional)]
        delete_unowned "deleteUnowned": Option<bool> = Ty::Bool,
    }
}

model! {
    /// `keepAlive`'s options.
    pub struct KeepAliveOptions [closed] {
        /// Refresh every webhook of the app that expires within this many days (0 to 30). Default 7.
        #[tsify(optional)]
        within_days "withinDays": Option<f64> = Ty::Num,
    }
}

model! {
    /// What a sync decided: the ids are those of the listed webhooks.
    pub struct SyncPlan [open] {
        /// Desired webhooks that are missing (or expired): registered.
        register "register": Vec<WebhookDetails> = Ty::Any,
        /// Webhooks of the app that are not desired, second copies of one, and expired ones: deleted.
        delete "delete": Vec<i64> = Ty::Any,
        /// Kept webhooks that expire soon, or whose expiry Jira did not say: refreshed.
        refresh "refresh": Vec<i64> = Ty::Any,
        /// Webhooks that are desired and present.
        keep "keep": Vec<i64> = Ty::Any,
        /// Webhooks of the app this connection cannot tell are its own (OAuth 2.0: another user's, or registered
        /// before it kept `owned`): left alone.
        foreign "foreign": Vec<i64> = Ty::Any,
        /// Event names in the desired set that this version does not know (a typo, or an event newer than it):
        /// sent as they are; Jira refuses an event it does not know.
        unknown_events "unknownEvents": Vec<String> = Ty::Any,
    }
}

model! {
    /// A webhook a sync registered.
    pub struct CreatedWebhook [open] {
        /// Its id.
        id "id": i64 = Ty::Any,
        /// What was registered.
        webhook "webhook": WebhookDetails = Ty::Any,
    }
}

model! {
    /// A webhook Jira refused inside its 200, with Jira's reasons.
    pub struct FailedRegistration [open] {
        /// What was asked for.
        webhook "webhook": WebhookDetails = Ty::Any,
        /// Jira's reasons.
        errors "errors": Vec<String> = Ty::Any,
    }
}

model! {
    /// What `syncWebhooks` did.
    pub struct SyncResult [open] {
        /// What it decided.
        plan "plan": SyncPlan = Ty::Any,
        /// What it registered (found again by listing, when an answer was lost).
        created "created": Vec<CreatedWebhook> = Ty::Any,
        /// What it deleted.
        deleted "deleted": Vec<i64> = Ty::Any,
        /// What it refreshed.
        refreshed "refreshed": Vec<i64> = Ty::Any,
        /// The new expiry of the refreshed webhooks, in milliseconds since the epoch, when it refreshed.
        #[tsify(optional)]
        expiration_date "expirationDate": Option<i64> = Ty::Any,
        /// Webhooks Jira refused, with its reasons.
        failed "failed": Vec<FailedRegistration> = Ty::Any,
        /// `false` for a dry run: the plan only.
        applied "applied": bool = Ty::Any,
        /// The ids of the caller's webhooks as the sync leaves them (kept, created, and planned deletes not made):
        /// an OAuth 2.0 connection stores them as its next sync's `owned`.
        owned "owned": Vec<i64> = Ty::Any,
    }
}

model! {
    /// What `keepAlive` did.
    pub struct KeepAliveResult [open] {
        /// The webhooks it refreshed.
        refreshed "refreshed": Vec<i64> = Ty::Any,
        /// Their new expiry, in milliseconds since the epoch, when it refreshed any.
        #[tsify(optional)]
        expiration_date "expirationDate": Option<i64> = Ty::Any,
    }
}

/// What makes two webhooks the same: their events and filters, compared as sets and normalized JQL.
#[derive(Clone, Debug, PartialEq)]
struct Identity {
    events: Vec<String>,
    jql: String,
    fields: Vec<String>,
    properties: Vec<String>,
}

fn set(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = items.collect();
    sort_small(&mut v, |a, b| a < b);
    v.dedup();
    v
}

impl Identity {
    fn of(events: &[WebhookEvent], jql: &str, fields: &Option<Vec<String>>, properties: &Option<Vec<String>>) -> Self {
        Identity {
            events: set(events.iter().map(|e| e.as_str().to_owned())),
            jql: jql::normalize(jql),
            fields: set(fields.iter().flatten().cloned()),
            properties: set(properties.iter().flatten().cloned()),
        }
    }

    fn desired(d: &WebhookDetails) -> Self {
        Identity::of(&d.events, &d.jql_filter, &d.field_ids_filter, &d.issue_property_keys_filter)
    }

    fn listed(w: &Webhook) -> Self {
        Identity::of(&w.events, &w.jql_filter, &w.field_ids_filter, &w.issue_property_keys_filter)
    }
}

/// A plan, and for each desired webhook the listed one it matched.
#[derive(Clone, Debug, PartialEq)]
pub struct Planned {
    /// What to do.
    pub plan: SyncPlan,
    /// For each desired webhook, in order: the id of the listed webhook that is it, if any.
    pub matches: Vec<Option<i64>>,
}

/// Whose webhooks a sync may touch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The app's: every webhook listed is the app's own (Connect apps, API tokens acting for an app).
    App,
    /// One OAuth 2.0 connection's: Jira may list other users' webhooks of the app, so only the `owned` ones are
    /// matched and deleted (all of them with `deleteUnowned`).
    Connection,
}

/// Decides what turns the `listed` webhooks into the `desired` ones at `now_ms`. A listed webhook matches a
/// desired one with the same identity and, where Jira reports one, the same url; an expired one matches nothing
/// (whether Jira can refresh it is undocumented: it is deleted and registered again). Each listed webhook serves
/// at most one desired one, so second copies of one identity (left by an earlier double registration) are deleted.
/// In a connection's [`Scope`], a webhook it cannot tell is its own is `foreign`: never matched, never deleted.
pub fn plan(desired: &DesiredWebhooks, listed: &[Webhook], now_ms: f64, scope: Scope) -> Planned {
    let within_ms = desired.refresh_within_days.unwrap_or(DEFAULT_WINDOW_DAYS) * DAY_MS;
    let identities: Vec<Identity> = listed.iter().map(Identity::listed).collect();
    let ours = |w: &Webhook| match scope {
        Scope::App => true,
        Scope::Connection => {
            desired.delete_unowned == Some(true) || desired.owned.as_ref().is_some_and(|ids| ids.contains(&w.id))
        }
    };
    // Another's webhook is never claimed, so never kept, refreshed or deleted by this sync.
    let mut claimed: Vec<bool> = listed.iter().map(|w| !ours(w)).collect();
    let mut out = SyncPlan::default();
    let mut matches = Vec::with_capacity(desired.webhooks.len());
    for wanted in &desired.webhooks {
        let identity = Identity::desired(wanted);
        let found = (0..listed.len()).find(|&i| {
            let w = &listed[i];
            !claimed[i]
                && identities[i] == identity
                && w.url.as_ref().is_none_or(|url| *url == desired.url)
                && w.expiration_date.is_none_or(|at| at as f64 > now_ms)
        });
        match found {
            Some(i) => {
                claimed[i] = true;
                let w = &listed[i];
                out.keep.push(w.id);
                if w.expiration_date.is_none_or(|at| at as f64 <= now_ms + within_ms) {
                    out.refresh.push(w.id);
                }
                matches.push(Some(w.id));
            }
            None => {
                out.register.push(wanted.clone());
                matches.push(None);
            }
        }
    }
    out.delete = listed.iter().zip(&claimed).filter(|(w, c)| !**c && ours(w)).map(|(w, _)| w.id).collect();
    out.foreign = listed.iter().filter(|w| !ours(w)).map(|w| w.id).collect();
    out.unknown_events = set(desired
        .webhooks
        .iter()
        .flat_map(|w| &w.events)
        .filter(|e| matches!(e, WebhookEvent::Other(_)))
        .map(|e| e.as_str().to_owned()));
    Planned { plan: out, matches }
}

/// Checks a desired set before anything is sent: the app's limit, the JQL subset, filters that can apply to the
/// webhook's events, no webhook twice, and a sane refresh window. Paths name the webhook at fault.
pub fn validate(desired: &DesiredWebhooks, app_limit: usize) -> Result<(), Error> {
    if desired.webhooks.len() > app_limit {
        return Err(Error::invalid_input(
            "webhooks",
            &cat!(
                "lists ",
                desired.webhooks.len(),
                " webhooks, more than the ",
                app_limit,
                " this app may hold on a site"
            ),
        ));
    }
    let days = desired.refresh_within_days.unwrap_or(DEFAULT_WINDOW_DAYS);
    if !(0.0..=30.0).contains(&days) {
        return Err(Error::invalid_input("refreshWithinDays", "must be between 0 and 30 (webhooks live 30 days)"));
    }
    let mut seen: Vec<Identity> = Vec::new();
    for (i, w) in desired.webhooks.iter().enumerate() {
        let at = |field: &str| cat!("webhooks[", i, "].", field);
        if let Err(e) = jql::check(&w.jql_filter) {
            let problem = cat!("is outside the JQL subset of webhooks: ", e.what, " (at character ", e.at, ')');
            return Err(Error::invalid_input(at("jqlFilter"), &problem));
        }
        if w.field_ids_filter.is_some() && !w.events.contains(&WebhookEvent::IssueUpdated) {
            return Err(Error::invalid_input(
                at("fieldIdsFilter"),
                "applies only to jira:issue_updated, which this webhook's events do not have",
            ));
        }
        let property_events = [WebhookEvent::IssuePropertySet, WebhookEvent::IssuePropertyDeleted];
        if w.issue_property_keys_filter.is_some() && !w.events.iter().any(|e| property_events.contains(e)) {
            return Err(Error::invalid_input(
                at("issuePropertyKeysFilter"),
                "applies only to issue_property_set and issue_property_deleted, which this webhook's events do not have",
            ));
        }
        let identity = Identity::desired(w);
        if let Some(j) = seen.iter().position(|s| *s == identity) {
            return Err(Error::invalid_input(
                cat!("webhooks[", i, ']'),
                &cat!("is the same webhook as webhooks[", j, ']'),
            ));
        }
        seen.push(identity);
    }
    Ok(())
}

/// What a lifecycle run does next.
#[derive(Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // handed over once per call, never stored
pub enum Step {
    /// Fetch this page of the app's webhooks.
    List(GetDynamicWebhooksForApp),
    /// Delete these webhooks.
    Delete(DeleteWebhookById),
    /// Register these webhooks.
    Register(RegisterDynamicWebhooks),
    /// Refresh these webhooks.
    Refresh(RefreshWebhooks),
    /// The run is over.
    Done(Result<Outcome, Error>),
}

/// What the answer to a step is, read by the driver.
#[derive(Clone, Debug, PartialEq)]
pub enum Answered {
    /// A page of the app's webhooks.
    Listed(PageBeanWebhook),
    /// The webhooks were deleted.
    Deleted,
    /// The registration's per-webhook results.
    Registered(ContainerForRegisteredWebhooks),
    /// The refreshed webhooks' new expiry.
    Refreshed(WebhooksExpirationDate),
}

/// Which answer the last step expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerKind {
    /// A page of webhooks.
    Page,
    /// A registration's results.
    Registration,
    /// A refresh's new expiry.
    Expiry,
    /// Nothing (a delete).
    Nothing,
}

/// The first page a run lists.
fn first_page() -> OffsetPages {
    let first = GetDynamicWebhooksForAppParams { start_at: None, max_results: Some(100) };
    OffsetPages::new(GetDynamicWebhooksForApp::new(first).unwrap_or_default())
}

/// A step answered with something else than it asked for: a driver's mistake, reported rather than panicking.
fn internal() -> Error {
    Error::new(crate::error::ErrorKind::Decode, "syncWebhooks: an answer did not match the step it answered")
}

/// What a lifecycle run ended with.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Outcome {
    /// `syncWebhooks`.
    Synced(SyncResult),
    /// `keepAlive`.
    KeptAlive(KeepAliveResult),
}

impl crate::decode::ToJson for Outcome {
    fn to_json(&self, out: &mut String) {
        match self {
            Outcome::Synced(r) => r.to_json(out),
            Outcome::KeptAlive(r) => r.to_json(out),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Listing,
    Deleting(Vec<i64>),
    Registering(Vec<usize>),
    Refreshing(Vec<i64>),
    Ended,
}

/// A `syncWebhooks` or `keepAlive` run, from the first page listed to its result.
#[derive(Debug)]
pub struct Lifecycle {
    desired: Option<DesiredWebhooks>,
    within_ms: f64,
    pages: OffsetPages,
    listed: Vec<Webhook>,
    phase: Phase,
    planned: Option<Planned>,
    result: SyncResult,
    scope: Scope,
    /// The ids of the first listing (a connection's webhooks that appear later were created by this run).
    first_listed: Vec<i64>,
    /// Registrations whose answer was lost, so far.
    lost: u32,
    ended: Option<Result<Outcome, Error>>,
}

/// How many registrations with a lost answer a sync follows up on before it gives up.
const MAX_LOST: u32 = 3;

impl Lifecycle {
    /// A sync towards `desired` (check it with [`validate`] first), touching the webhooks of `scope`.
    pub fn sync(desired: DesiredWebhooks, scope: Scope) -> Self {
        let within_ms = desired.refresh_within_days.unwrap_or(DEFAULT_WINDOW_DAYS) * DAY_MS;
        let mut run = Lifecycle::new(Some(desired), within_ms);
        run.scope = scope;
        run
    }

    /// A keep-alive: refresh every webhook of the app that expires within `within_days` (default 7, at most 30).
    pub fn keep_alive(within_days: Option<f64>) -> Result<Self, Error> {
        let days = within_days.unwrap_or(DEFAULT_WINDOW_DAYS);
        if !(0.0..=30.0).contains(&days) {
            return Err(Error::invalid_input("withinDays", "must be between 0 and 30 (webhooks live 30 days)"));
        }
        Ok(Lifecycle::new(None, days * DAY_MS))
    }

    fn new(desired: Option<DesiredWebhooks>, within_ms: f64) -> Self {
        Lifecycle {
            desired,
            within_ms,
            pages: first_page(),
            listed: Vec::new(),
            phase: Phase::Listing,
            planned: None,
            result: SyncResult { applied: true, ..SyncResult::default() },
            scope: Scope::App,
            first_listed: Vec::new(),
            lost: 0,
            ended: None,
        }
    }

    /// What to do next; `now_ms` is the wall clock (for expiry).
    pub fn next(&mut self, now_ms: f64) -> Step {
        if let Some(ended) = &self.ended {
            return Step::Done(ended.clone());
        }
        match &self.phase {
            Phase::Listing => match self.pages.next() {
                Some(op) => Step::List(op),
                None => self.listed(now_ms),
            },
            Phase::Deleting(ids) => self.step(DeleteWebhookById::new(ids).map(Step::Delete)),
            Phase::Registering(indices) => {
                let Some(desired) = self.desired.as_ref() else { return self.end(Err(internal())) };
                let webhooks = indices.iter().filter_map(|&i| desired.webhooks.get(i).cloned()).collect();
                let details = crate::models::WebhookRegistrationDetails { url: desired.url.clone(), webhooks };
                self.step(RegisterDynamicWebhooks::new(&details).map(Step::Register))
            }
            Phase::Refreshing(ids) => self.step(RefreshWebhooks::new(ids).map(Step::Refresh)),
            Phase::Ended => {
                let outcome = match self.desired {
                    Some(_) => Outcome::Synced(self.finished()),
                    None => Outcome::KeptAlive(KeepAliveResult {
                        refreshed: self.result.refreshed.clone(),
                        expiration_date: self.result.expiration_date,
                    }),
                };
                self.end(Ok(outcome))
            }
        }
    }

    /// The answer to the last [`Step`], as the core read it (a host driver).
    pub fn on_reply(&mut self, reply: Result<Reply, Error>) {
        let answer = reply.map(|reply| match self.phase {
            Phase::Listing => Answered::Listed(reply.output::<GetDynamicWebhooksForApp>()),
            Phase::Registering(_) => Answered::Registered(reply.output::<RegisterDynamicWebhooks>()),
            Phase::Refreshing(_) => Answered::Refreshed(reply.output::<RefreshWebhooks>()),
            Phase::Deleting(_) | Phase::Ended => Answered::Deleted,
        });
        self.on_answer(answer);
    }

    /// What the answer to the last [`Step`] is a reply of: the page listed, the registration's results, the new
    /// expiry.
    pub fn answer_kind(&self) -> AnswerKind {
        match self.phase {
            Phase::Listing => AnswerKind::Page,
            Phase::Registering(_) => AnswerKind::Registration,
            Phase::Refreshing(_) => AnswerKind::Expiry,
            Phase::Deleting(_) | Phase::Ended => AnswerKind::Nothing,
        }
    }

    /// The answer to the last [`Step`], read as [`Lifecycle::answer_kind`] says.
    pub fn on_answer(&mut self, answer: Result<Answered, Error>) {
        let phase = std::mem::replace(&mut self.phase, Phase::Ended);
        let answer = match answer {
            Ok(answer) => answer,
            Err(e) => return self.failed(phase, e),
        };
        match (phase, answer) {
            (Phase::Listing, Answered::Listed(page)) => {
                if let Err(e) = self.pages.advance(&PageFacts::of_webhooks(&page)) {
                    return self.failed(Phase::Listing, e);
                }
                self.listed.extend(page.values);
                self.phase = Phase::Listing;
            }
            (Phase::Deleting(ids), _) => {
                self.result.deleted.extend(ids);
                self.phase = self.after_deletes();
            }
            (Phase::Registering(indices), Answered::Registered(answer)) => {
                let Some(desired) = self.desired.as_ref() else { return self.failed(Phase::Ended, internal()) };
                for (n, &i) in indices.iter().enumerate() {
                    let Some(webhook) = desired.webhooks.get(i).cloned() else { continue };
                    match answer.webhook_registration_result.get(n) {
                        Some(r) if r.created_webhook_id.is_some() => {
                            let id = r.created_webhook_id.unwrap_or_default();
                            self.result.created.push(CreatedWebhook { id, webhook });
                        }
                        Some(r) => self.result.failed.push(FailedRegistration {
                            webhook,
                            errors: r.errors.clone().unwrap_or_else(|| vec!["no id and no reason given".into()]),
                        }),
                        None => self.result.failed.push(FailedRegistration {
                            webhook,
                            errors: vec!["Jira's answer has no result for it".into()],
                        }),
                    }
                }
                self.phase = self.refreshes();
            }
            (Phase::Refreshing(ids), Answered::Refreshed(at)) => {
                self.result.refreshed.extend(ids);
                self.result.expiration_date = Some(at.expiration_date);
                self.phase = Phase::Ended;
            }
            (phase, _) => self.failed(phase, internal()),
        }
    }

    /// A step that could be made, or the end of the run with why it could not.
    fn step(&mut self, step: Result<Step, Error>) -> Step {
        step.unwrap_or_else(|e| self.end(Err(e)))
    }

    /// Every page is in: plan (or, after a lost registration, find what it registered).
    fn listed(&mut self, now_ms: f64) -> Step {
        let Some(desired) = &self.desired else {
            let mut ids: Vec<i64> = self
                .listed
                .iter()
                .filter(|w| w.expiration_date.is_none_or(|at| at as f64 <= now_ms + self.within_ms))
                .map(|w| w.id)
                .collect();
            ids.truncate(crate::decode::schema::MAX_IDS as usize);
            if ids.is_empty() {
                return self.end(Ok(Outcome::KeptAlive(KeepAliveResult::default())));
            }
            self.phase = Phase::Refreshing(ids.clone());
            return self.step(RefreshWebhooks::new(&ids).map(Step::Refresh));
        };
        let planned = match (&self.planned, self.scope) {
            (Some(before), Scope::Connection) => {
                // Listed again after a lost registration: a webhook that was not there the first time and is one
                // this run asked to register (same identity and url, one each), this run created. Anything else
                // that appeared is another user's (the same identity registered by another user at the same
                // moment cannot be told apart: a lease per site prevents that, see the README).
                let mut asked: Vec<Identity> = before
                    .matches
                    .iter()
                    .zip(&desired.webhooks)
                    .filter(|(m, _)| m.is_none())
                    .map(|(_, d)| Identity::desired(d))
                    .collect();
                let mut appeared = Vec::new();
                for w in &self.listed {
                    let new = !self.first_listed.contains(&w.id) && w.url.as_ref().is_none_or(|u| *u == desired.url);
                    if let Some(i) = asked.iter().position(|a| new && *a == Identity::listed(w)) {
                        asked.swap_remove(i);
                        appeared.push(w.id);
                    }
                }
                let mut desired = desired.clone();
                desired.owned = Some(desired.owned.unwrap_or_default().into_iter().chain(appeared).collect());
                plan(&desired, &self.listed, now_ms, self.scope)
            }
            _ => plan(desired, &self.listed, now_ms, self.scope),
        };
        match self.planned.take() {
            None => {
                self.first_listed = self.listed.iter().map(|w| w.id).collect();
                self.result.plan = planned.plan.clone();
                if desired.dry_run == Some(true) {
                    self.result.applied = false;
                    let result = self.finished();
                    return self.end(Ok(Outcome::Synced(result)));
                }
            }
            Some(before) => {
                // After a registration whose answer was lost: what it asked for and is now listed, it created.
                for (i, (was, now)) in before.matches.iter().zip(&planned.matches).enumerate() {
                    if let (None, Some(id), Some(webhook)) = (was, now, desired.webhooks.get(i)) {
                        self.result.created.push(CreatedWebhook { id: *id, webhook: webhook.clone() });
                    }
                }
            }
        }
        self.planned = Some(planned);
        self.phase = self.deletes();
        self.next(now_ms)
    }

    /// The deletes of the current plan not yet done, or what comes after them.
    fn deletes(&self) -> Phase {
        let Some(planned) = self.planned.as_ref() else { return Phase::Ended };
        let deletes: Vec<i64> =
            planned.plan.delete.iter().copied().filter(|id| !self.result.deleted.contains(id)).collect();
        if !deletes.is_empty() {
            return Phase::Deleting(deletes);
        }
        self.after_deletes()
    }

    fn after_deletes(&self) -> Phase {
        let Some(planned) = self.planned.as_ref() else { return Phase::Ended };
        let missing: Vec<usize> =
            planned.matches.iter().enumerate().filter(|(_, m)| m.is_none()).map(|(i, _)| i).collect();
        if missing.is_empty() {
            self.refreshes()
        } else {
            Phase::Registering(missing)
        }
    }

    fn refreshes(&self) -> Phase {
        let Some(planned) = self.planned.as_ref() else { return Phase::Ended };
        if planned.plan.refresh.is_empty() {
            Phase::Ended
        } else {
            Phase::Refreshing(planned.plan.refresh.clone())
        }
    }

    fn failed(&mut self, phase: Phase, mut e: Error) {
        if matches!(phase, Phase::Registering(_)) && e.may_have_applied && self.lost < MAX_LOST {
            // Jira may have registered them: list again, and register only what is still missing.
            self.lost += 1;
            self.pages = first_page();
            self.listed.clear();
            self.phase = Phase::Listing;
            return;
        }
        let done = &self.finished();
        if !done.deleted.is_empty() || !done.created.is_empty() {
            e.message = cat!(
                "syncWebhooks stopped after deleting ",
                done.deleted.len(),
                " and registering ",
                done.created.len(),
                " webhooks (the error's `result` says which): ",
                e.message
            );
            e.result = Some(crate::error::JsonText(crate::decode::to_json(done)));
        }
        self.end(Err(e));
    }

    /// The result so far, with what the caller owns after it: kept, created, and planned deletes not made.
    fn finished(&self) -> SyncResult {
        let mut result = self.result.clone();
        let plan = &result.plan;
        let undeleted = plan.delete.iter().filter(|id| !result.deleted.contains(id));
        let mut owned: Vec<i64> = plan.keep.iter().chain(undeleted).copied().collect();
        owned.extend(result.created.iter().map(|c| c.id));
        sort_small(&mut owned, |a, b| a < b);
        owned.dedup();
        result.owned = owned;
        result
    }

    fn end(&mut self, outcome: Result<Outcome, Error>) -> Step {
        self.phase = Phase::Ended;
        self.ended = Some(outcome.clone());
        Step::Done(outcome)
    }
}
