//! What a delivery carries: the TypeScript types of Jira's webhook payloads, declared from these Rust types by
//! tsify. The documented parts are typed (Atlassian's Webhooks page, "Example callback for an issue-related
//! event"); everything else Jira sends is kept as it came. Payloads of events this version does not know pass
//! through as `UnknownPayload`.

#![allow(dead_code)] // declarations for TypeScript; the payload itself reaches JavaScript as Jira sent it

use tsify::Tsify;
use wasm_bindgen::prelude::wasm_bindgen;

/// A Jira user as payloads show them.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub struct JiraUser {
    /// The account id.
    #[tsify(optional)]
    account_id: Option<String>,
    /// The name shown.
    #[tsify(optional)]
    display_name: Option<String>,
    /// The REST URL of the user.
    #[tsify(optional, type = "string")]
    #[serde(rename = "self")]
    self_: Option<String>,
}

/// An issue as payloads show it: its fields are Jira's (system and custom), typed where documented.
#[derive(Tsify)]
pub struct JiraIssue {
    /// The issue id.
    id: String,
    /// The issue key, e.g. `PROJ-1`.
    key: String,
    /// The REST URL of the issue.
    #[tsify(optional, type = "string")]
    #[serde(rename = "self")]
    self_: Option<String>,
    /// The issue's fields.
    #[tsify(
        type = "{ summary?: string; project?: { id?: string; key?: string; name?: string }; issuetype?: { id?: string; name?: string }; status?: { id?: string; name?: string }; assignee?: JiraUser | null; reporter?: JiraUser | null; [field: string]: unknown }"
    )]
    fields: (),
}

/// What an update changed.
#[derive(Tsify)]
pub struct Changelog {
    /// The changelog id.
    #[tsify(optional)]
    id: Option<String>,
    /// One entry per changed field.
    #[tsify(
        type = "{ field: string; fieldId?: string; fieldtype?: string; from: string | null; fromString: string | null; to: string | null; toString: string | null }[]"
    )]
    items: (),
}

/// `jira:issue_created`, `jira:issue_updated`, `jira:issue_deleted`.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub struct IssuePayload {
    /// The event.
    #[tsify(type = "\"jira:issue_created\" | \"jira:issue_updated\" | \"jira:issue_deleted\"")]
    webhook_event: String,
    /// When it happened, in milliseconds since the epoch.
    timestamp: f64,
    /// The ids of the app's webhooks that matched (REST-registered webhooks).
    #[tsify(optional)]
    matched_webhook_ids: Option<Vec<f64>>,
    /// e.g. `issue_created`, `issue_updated`, `issue_generic`.
    #[tsify(optional)]
    #[serde(rename = "issue_event_type_name")]
    issue_event_type_name: Option<String>,
    /// Who did it.
    #[tsify(optional)]
    user: Option<JiraUser>,
    /// The issue.
    issue: JiraIssue,
    /// What changed (updates).
    #[tsify(optional)]
    changelog: Option<Changelog>,
}

/// `comment_created`, `comment_updated`, `comment_deleted`.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub struct CommentPayload {
    /// The event.
    #[tsify(type = "\"comment_created\" | \"comment_updated\" | \"comment_deleted\"")]
    webhook_event: String,
    /// When it happened, in milliseconds since the epoch.
    timestamp: f64,
    /// The ids of the app's webhooks that matched.
    #[tsify(optional)]
    matched_webhook_ids: Option<Vec<f64>>,
    /// The comment.
    #[tsify(
        type = "{ id: string; body?: unknown; author?: JiraUser; updateAuthor?: JiraUser; created?: string; updated?: string; [key: string]: unknown }"
    )]
    comment: (),
    /// The issue commented on.
    #[tsify(optional)]
    issue: Option<JiraIssue>,
}

/// `issue_property_set`, `issue_property_deleted`.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub struct IssuePropertyPayload {
    /// The event.
    #[tsify(type = "\"issue_property_set\" | \"issue_property_deleted\"")]
    webhook_event: String,
    /// When it happened, in milliseconds since the epoch.
    timestamp: f64,
    /// The ids of the app's webhooks that matched.
    #[tsify(optional)]
    matched_webhook_ids: Option<Vec<f64>>,
    /// The property.
    #[tsify(type = "{ key: string; value?: unknown }")]
    property: (),
    /// The issue it belongs to.
    #[tsify(optional)]
    issue: Option<JiraIssue>,
}

/// `sprint_created`, `sprint_updated`, `sprint_closed`, `sprint_deleted`, `sprint_started`.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub struct SprintPayload {
    /// The event.
    #[tsify(
        type = "\"sprint_created\" | \"sprint_updated\" | \"sprint_closed\" | \"sprint_deleted\" | \"sprint_started\""
    )]
    webhook_event: String,
    /// When it happened, in milliseconds since the epoch.
    timestamp: f64,
    /// The ids of the app's webhooks that matched.
    #[tsify(optional)]
    matched_webhook_ids: Option<Vec<f64>>,
    /// The sprint.
    #[tsify(type = "{ id: number; name?: string; state?: string; originBoardId?: number; [key: string]: unknown }")]
    sprint: (),
}

/// `jira:version_*`; a merge comes as `jira:version_deleted` with `mergedTo`.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub struct VersionPayload {
    /// The event.
    #[tsify(
        type = "\"jira:version_released\" | \"jira:version_unreleased\" | \"jira:version_created\" | \"jira:version_moved\" | \"jira:version_updated\" | \"jira:version_merged\" | \"jira:version_deleted\""
    )]
    webhook_event: String,
    /// When it happened, in milliseconds since the epoch.
    timestamp: f64,
    /// The ids of the app's webhooks that matched.
    #[tsify(optional)]
    matched_webhook_ids: Option<Vec<f64>>,
    /// The version.
    #[tsify(type = "{ id: string; name?: string; projectId?: number; released?: boolean; [key: string]: unknown }")]
    version: (),
    /// Where a merged version went.
    #[tsify(optional, type = "{ id: string; name?: string; [key: string]: unknown }")]
    merged_to: Option<()>,
}

/// An event this version does not know: passed through untyped.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
pub struct UnknownPayload {
    /// The event.
    #[tsify(type = "string & {}")]
    webhook_event: String,
    /// When it happened, in milliseconds since the epoch.
    #[tsify(optional)]
    timestamp: Option<f64>,
}

#[wasm_bindgen(typescript_custom_section)]
const PAYLOAD_TS: &str = r#"
/** What a delivery carries, by `webhookEvent`: an event this version knows, or `UnknownPayload`. */
export type WebhookPayload = IssuePayload | CommentPayload | IssuePropertyPayload | SprintPayload | VersionPayload | UnknownPayload;

/**
 * A handler per event this version knows, typed by it: a misspelled event is a compile error (and a config error at
 * run time). `"*"` gets every event that has no handler of its own; handlers of events newer than this version go
 * in `onOther`.
 */
export type WebhookHandlers = { [E in keyof WebhookPayloads]?: (payload: WebhookPayloads[E], delivery: Delivery) => unknown } & {
  "*"?: (payload: WebhookPayload, delivery: Delivery) => unknown;
};
"#;

#[wasm_bindgen(typescript_custom_section)]
const PAYLOADS_BY_EVENT: &str = crate::models::WEBHOOK_PAYLOADS_TS;
