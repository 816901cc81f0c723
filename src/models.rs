//! The schemas of Jira's webhooks API, named and shaped exactly as in Atlassian's OpenAPI document.
//!
//! Responses are read leniently where real Jira differs from the spec (see [`crate::date`], [`WebhookEvent`]);
//! request bodies are strict: an unknown field is an `invalid-input` error, as it would be a 400 from Jira.

use crate::date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use tsify::Tsify;
use wasm_bindgen::prelude::wasm_bindgen;

macro_rules! webhook_events {
    ($($variant:ident => $name:literal,)*) => {
        /// A Jira event that triggers a webhook: the spec's v2 list plus the 2026 v3 additions.
        /// A name this version does not know is kept as [`WebhookEvent::Other`] and round-trips unchanged.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum WebhookEvent {
            $(#[doc = $name] $variant,)*
            /// An event name newer than this library.
            Other(String),
        }

        impl WebhookEvent {
            /// Every event this version knows, in the spec's order.
            pub const KNOWN: &'static [WebhookEvent] = &[$(WebhookEvent::$variant,)*];

            /// The event's name on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(WebhookEvent::$variant => $name,)*
                    WebhookEvent::Other(name) => name,
                }
            }

            /// The event with this wire name; unknown names become [`WebhookEvent::Other`].
            pub fn from_name(name: &str) -> Self {
                match name {
                    $($name => WebhookEvent::$variant,)*
                    other => WebhookEvent::Other(other.to_owned()),
                }
            }
        }

        #[wasm_bindgen(typescript_custom_section)]
        const WEBHOOK_EVENT_TS: &str = concat!(
            "/** A Jira event that triggers a webhook. Unknown future names are passed through as strings. */\n",
            "export type WebhookEvent =", $(" \"", $name, "\" |",)* " (string & {});\n"
        );
    };
}

webhook_events! {
    IssueCreated => "jira:issue_created",
    IssueUpdated => "jira:issue_updated",
    IssueDeleted => "jira:issue_deleted",
    CommentCreated => "comment_created",
    CommentUpdated => "comment_updated",
    CommentDeleted => "comment_deleted",
    IssuePropertySet => "issue_property_set",
    IssuePropertyDeleted => "issue_property_deleted",
    SprintCreated => "sprint_created",
    SprintUpdated => "sprint_updated",
    SprintClosed => "sprint_closed",
    SprintDeleted => "sprint_deleted",
    SprintStarted => "sprint_started",
    VersionReleased => "jira:version_released",
    VersionUnreleased => "jira:version_unreleased",
    VersionCreated => "jira:version_created",
    VersionMoved => "jira:version_moved",
    VersionUpdated => "jira:version_updated",
    VersionMerged => "jira:version_merged",
    VersionDeleted => "jira:version_deleted",
}

impl Serialize for WebhookEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for WebhookEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(WebhookEvent::from_name(&name))
    }
}

/// Container for a list of webhook IDs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContainerForWebhookIDs {
    /// A list of webhook IDs.
    pub webhook_ids: Vec<i64>,
}

/// A page of items.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct PageBeanWebhook {
    /// Whether this is the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub is_last: Option<bool>,
    /// The maximum number of items that could be returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub max_results: Option<i32>,
    /// If there is another page of results, the URL of the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub next_page: Option<String>,
    /// The URL of the page.
    #[serde(default, rename = "self", skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub self_: Option<String>,
    /// The index of the first item returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub start_at: Option<i64>,
    /// The number of items returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub total: Option<i64>,
    /// The list of items.
    #[serde(default)]
    pub values: Vec<Webhook>,
}

/// A webhook.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    /// The ID of the webhook.
    pub id: i64,
    /// The Jira events that trigger the webhook.
    pub events: Vec<WebhookEvent>,
    /// The JQL filter that specifies which issues the webhook is sent for.
    pub jql_filter: String,
    /// A list of field IDs. When the issue changelog contains any of the fields, the webhook
    /// `jira:issue_updated` is sent. If this parameter is not present, the app is notified about all field updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub field_ids_filter: Option<Vec<String>>,
    /// A list of issue property keys. A change of those issue properties triggers the `issue_property_set` or
    /// `issue_property_deleted` webhooks. If this parameter is not present, the app is notified about all issue
    /// property updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub issue_property_keys_filter: Option<Vec<String>>,
    /// The date after which the webhook is no longer sent, in milliseconds since the Unix epoch (Jira's
    /// date strings are converted). Use `refreshWebhooks` to extend it.
    #[serde(default, deserialize_with = "date::millis_opt", skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub expiration_date: Option<i64>,
    /// The URL that specifies where the webhooks are sent (sent by newer Jira versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub url: Option<String>,
}

/// Details of webhooks to register.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookRegistrationDetails {
    /// The URL that specifies where to send the webhooks. This URL must use the same base URL as the Connect
    /// app. Only a single URL per app is allowed to be registered.
    pub url: String,
    /// A list of webhooks.
    pub webhooks: Vec<WebhookDetails>,
}

/// A list of webhooks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookDetails {
    /// The Jira events that trigger the webhook.
    pub events: Vec<WebhookEvent>,
    /// A list of field IDs. When the issue changelog contains any of the fields, the webhook
    /// `jira:issue_updated` is sent. If this parameter is not present, the app is notified about all field updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub field_ids_filter: Option<Vec<String>>,
    /// A list of issue property keys. A change of those issue properties triggers the `issue_property_set` or
    /// `issue_property_deleted` webhooks. If this parameter is not present, the app is notified about all issue
    /// property updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub issue_property_keys_filter: Option<Vec<String>>,
    /// The JQL filter that specifies which issues the webhook is sent for. Only a subset of JQL can be used.
    /// Fields: `issueKey`, `project`, `issuetype`, `status`, `assignee`, `reporter`, `issue.property` and
    /// `cf[id]` (only the epic label custom field); operators: `=`, `!=`, `IN` and `NOT IN`.
    pub jql_filter: String,
}

/// Container for a list of registered webhooks. Webhook details are returned in the same order as the request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ContainerForRegisteredWebhooks {
    /// A list of registered webhooks.
    #[serde(default)]
    pub webhook_registration_result: Vec<RegisteredWebhook>,
}

/// ID of a registered webhook or error messages explaining why a webhook wasn't registered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct RegisteredWebhook {
    /// The ID of the webhook. Returned if the webhook is created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub created_webhook_id: Option<i64>,
    /// Error messages specifying why the webhook creation failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub errors: Option<Vec<String>>,
}

/// A page of failed webhooks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct FailedWebhooks {
    /// The maximum number of items on the page. If the list of values is shorter than this number, then there
    /// are no more pages.
    pub max_results: i32,
    /// The URL to the next page of results. Present only if the request returned at least one result. The next
    /// page may be empty at the time of receiving the response, but new failed webhooks may appear in time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub next: Option<String>,
    /// The list of webhooks.
    pub values: Vec<FailedWebhook>,
}

/// Details about a failed webhook.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct FailedWebhook {
    /// The webhook body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub body: Option<String>,
    /// The time the webhook was added to the list of failed webhooks (that is, the time of the last failed
    /// retry), in milliseconds since the Unix epoch.
    #[serde(deserialize_with = "date::millis")]
    pub failure_time: i64,
    /// The webhook ID, as sent in the `X-Atlassian-Webhook-Identifier` header with the webhook.
    pub id: String,
    /// The original webhook destination.
    pub url: String,
}

/// The date the refreshed webhooks expire.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct WebhooksExpirationDate {
    /// The expiration date of all the refreshed webhooks, in milliseconds since the Unix epoch.
    #[serde(deserialize_with = "date::millis")]
    pub expiration_date: i64,
}

/// Error messages from an operation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ErrorCollection {
    /// The list of error messages produced by this operation.
    #[serde(default)]
    pub error_messages: Vec<String>,
    /// The list of errors by parameter returned by the operation.
    #[serde(default)]
    #[tsify(type = "Record<string, string>")]
    pub errors: BTreeMap<String, String>,
    /// The HTTP status, when Jira includes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub status: Option<i32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_example_page_with_string_dates() {
        // The 200 example of getDynamicWebhooksForApp, verbatim from the spec.
        let body = r#"{"isLast":true,"maxResults":3,"startAt":0,"total":3,"values":[{"events":["jira:issue_updated","jira:issue_created"],"expirationDate":"2019-06-01T12:42:30.000+0000","fieldIdsFilter":["summary","customfield_10029"],"id":10000,"jqlFilter":"project = PRJ"},{"events":["jira:issue_created"],"expirationDate":"2019-06-01T12:42:30.000+0000","id":10001,"jqlFilter":"issuetype = Bug"},{"events":["issue_property_set"],"expirationDate":"2019-06-01T12:42:30.000+0000","id":10002,"issuePropertyKeysFilter":["my-issue-property-key"],"jqlFilter":"project = PRJ"}]}"#;
        let page: PageBeanWebhook = serde_json::from_str(body).unwrap();
        assert_eq!(page.total, Some(3));
        assert_eq!(page.values.len(), 3);
        assert_eq!(page.values[0].expiration_date, Some(1_559_392_950_000));
        assert_eq!(page.values[0].events, [WebhookEvent::IssueUpdated, WebhookEvent::IssueCreated]);
        assert_eq!(
            page.values[2].issue_property_keys_filter.as_deref(),
            Some(&["my-issue-property-key".to_owned()][..])
        );
    }

    #[test]
    fn integer_dates_and_v3_url_kept() {
        let w: Webhook = serde_json::from_str(
            r#"{"id":1,"events":["sprint_started","jira:version_merged"],"jqlFilter":"project = A","expirationDate":1559392950000,"url":"https://app.example.com/hook"}"#,
        )
        .unwrap();
        assert_eq!(w.expiration_date, Some(1_559_392_950_000));
        assert_eq!(w.url.as_deref(), Some("https://app.example.com/hook"));
        assert_eq!(w.events, [WebhookEvent::SprintStarted, WebhookEvent::VersionMerged]);
        let back = serde_json::to_value(&w).unwrap();
        assert_eq!(back["expirationDate"], 1_559_392_950_000i64);
        assert_eq!(back["url"], "https://app.example.com/hook");
    }

    #[test]
    fn unknown_event_round_trips() {
        let w: Webhook = serde_json::from_str(
            r#"{"id":1,"events":["board_configuration_changed","comment_created"],"jqlFilter":"x"}"#,
        )
        .unwrap();
        assert_eq!(w.events[0], WebhookEvent::Other("board_configuration_changed".into()));
        assert_eq!(serde_json::to_value(&w).unwrap()["events"][0], "board_configuration_changed");
    }

    #[test]
    fn every_known_event_round_trips_by_name() {
        assert_eq!(WebhookEvent::KNOWN.len(), 20);
        for e in WebhookEvent::KNOWN {
            assert_eq!(&WebhookEvent::from_name(e.as_str()), e);
        }
    }

    #[test]
    fn request_bodies_reject_unknown_fields() {
        let err = serde_json::from_str::<WebhookRegistrationDetails>(
            r#"{"url":"https://a","webhooks":[{"events":["jira:issue_created"],"jqlFilter":"project = A","jqlFiltr":"x"}]}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("jqlFiltr"), "{err}");
    }

    #[test]
    fn spec_examples_of_other_responses() {
        let r: ContainerForRegisteredWebhooks = serde_json::from_str(
            r#"{"webhookRegistrationResult":[{"createdWebhookId":1000},{"errors":["The clause watchCount is unsupported"]},{"createdWebhookId":1001}]}"#,
        )
        .unwrap();
        assert_eq!(
            r.webhook_registration_result[1].errors.as_ref().unwrap()[0],
            "The clause watchCount is unsupported"
        );
        let f: FailedWebhooks = serde_json::from_str(
            r#"{"values":[{"id":"1","body":"{\"data\":\"webhook data\"}","url":"https://example.com","failureTime":1573118132000},{"id":"2","url":"https://example.com","failureTime":1573540473480}],"maxResults":100,"next":"https://your-domain.atlassian.net/rest/api/2/webhook/failed?failedAfter=1573540473480&maxResults=100"}"#,
        )
        .unwrap();
        assert_eq!(f.values[1].failure_time, 1_573_540_473_480);
        let e: WebhooksExpirationDate =
            serde_json::from_str(r#"{"expirationDate":"2019-06-01T12:42:30.000+0000"}"#).unwrap();
        assert_eq!(e.expiration_date, 1_559_392_950_000);
    }
}
