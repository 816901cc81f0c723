//! The schemas of Jira's webhooks API, named and shaped exactly as in Atlassian's OpenAPI document
//! (components/schemas), each declared once with [`model!`](crate::decode::model).
//!
//! Answers are read leniently where real Jira differs from the spec (date strings, event names newer than this
//! library, members Jira adds); request bodies are strict: an unknown member is an `invalid-input` error, as it
//! would be a 400 from Jira.

use crate::decode::{model, FromJson, Source, ToJson, Ty};
use wasm_bindgen::prelude::wasm_bindgen;

macro_rules! webhook_events {
    ($($variant:ident => $name:literal: $payload:ident,)*) => {
        /// A Jira event that triggers a webhook: the spec's v2 list plus the 2026 v3 additions.
        /// A name this version does not know is kept as [`WebhookEvent::Other`] and round-trips unchanged.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

        /// The TypeScript map from each known event to the type of its payload (declared in the lifecycle entry).
        #[allow(dead_code)]
        pub(crate) const WEBHOOK_PAYLOADS_TS: &str = concat!(
            "/** The payload of each event this version knows. */\nexport interface WebhookPayloads {\n",
            $("  \"", $name, "\": ", stringify!($payload), ";\n",)*
            "}\n"
        );
    };
}

webhook_events! {
    IssueCreated => "jira:issue_created": IssuePayload,
    IssueUpdated => "jira:issue_updated": IssuePayload,
    IssueDeleted => "jira:issue_deleted": IssuePayload,
    CommentCreated => "comment_created": CommentPayload,
    CommentUpdated => "comment_updated": CommentPayload,
    CommentDeleted => "comment_deleted": CommentPayload,
    IssuePropertySet => "issue_property_set": IssuePropertyPayload,
    IssuePropertyDeleted => "issue_property_deleted": IssuePropertyPayload,
    SprintCreated => "sprint_created": SprintPayload,
    SprintUpdated => "sprint_updated": SprintPayload,
    SprintClosed => "sprint_closed": SprintPayload,
    SprintDeleted => "sprint_deleted": SprintPayload,
    SprintStarted => "sprint_started": SprintPayload,
    VersionReleased => "jira:version_released": VersionPayload,
    VersionUnreleased => "jira:version_unreleased": VersionPayload,
    VersionCreated => "jira:version_created": VersionPayload,
    VersionMoved => "jira:version_moved": VersionPayload,
    VersionUpdated => "jira:version_updated": VersionPayload,
    VersionMerged => "jira:version_merged": VersionPayload,
    VersionDeleted => "jira:version_deleted": VersionPayload,
}

impl Default for WebhookEvent {
    fn default() -> Self {
        WebhookEvent::Other(String::new())
    }
}

impl FromJson for WebhookEvent {
    fn from_json<S: Source>(v: Option<S>) -> Self {
        WebhookEvent::from_name(&String::from_json(v))
    }
}

impl ToJson for WebhookEvent {
    fn to_json(&self, out: &mut String) {
        crate::encode::push_json_string(out, self.as_str());
    }
}

const STRINGS: Ty = Ty::List(&Ty::Str);
const TEXTS: Ty = Ty::List(&Ty::Text);

/// The most webhooks a Connect app may hold on a site (Atlassian's Webhooks page: "A maximum of 100 webhooks per
/// app per tenant is allowed for a Connect app"); one registration cannot ask for more.
pub const MAX_WEBHOOKS_PER_APP: u32 = 100;

model! {
    /// Container for a list of webhook IDs.
    pub struct ContainerForWebhookIDs [closed] {
        /// A list of webhook IDs.
        webhook_ids "webhookIds": Vec<i64> = Ty::Ids,
    }
}

model! {
    /// A page of items.
    pub struct PageBeanWebhook [open] {
        /// Whether this is the last page.
        #[tsify(optional)]
        is_last "isLast": Option<bool> = Ty::Bool,
        /// The maximum number of items that could be returned.
        #[tsify(optional)]
        max_results "maxResults": Option<i32> = Ty::Int32,
        /// If there is another page of results, the URL of the next page.
        #[tsify(optional)]
        next_page "nextPage": Option<String> = Ty::Str,
        /// The URL of the page.
        #[tsify(optional)]
        self_ "self": Option<String> = Ty::Str,
        /// The index of the first item returned.
        #[tsify(optional)]
        start_at "startAt": Option<i64> = Ty::Int,
        /// The number of items returned.
        #[tsify(optional)]
        total "total": Option<i64> = Ty::Int,
        /// The list of items (optional in the spec; Jira always sends it, and the client requires it).
        values "values": Vec<Webhook> = Ty::List(&Ty::Obj(Webhook::SHAPE)),
    }
}

model! {
    /// A webhook.
    pub struct Webhook [open] {
        /// The ID of the webhook.
        id "id": i64 = Ty::Int,
        /// The Jira events that trigger the webhook.
        events "events": Vec<WebhookEvent> = STRINGS,
        /// The JQL filter that specifies which issues the webhook is sent for.
        jql_filter "jqlFilter": String = Ty::Str,
        /// A list of field IDs. When the issue changelog contains any of the fields, the webhook
        /// `jira:issue_updated` is sent. If this parameter is not present, the app is notified about all field updates.
        #[tsify(optional)]
        field_ids_filter "fieldIdsFilter": Option<Vec<String>> = STRINGS,
        /// A list of issue property keys. A change of those issue properties triggers the `issue_property_set` or
        /// `issue_property_deleted` webhooks. If this parameter is not present, the app is notified about all issue
        /// property updates.
        #[tsify(optional)]
        issue_property_keys_filter "issuePropertyKeysFilter": Option<Vec<String>> = STRINGS,
        /// The date after which the webhook is no longer sent, in milliseconds since the Unix epoch (Jira's date
        /// strings are converted). Use `refreshWebhooks` to extend it.
        #[tsify(optional)]
        expiration_date "expirationDate": Option<i64> = Ty::Date,
        /// The URL that specifies where the webhooks are sent (sent by newer Jira versions).
        #[tsify(optional)]
        url "url": Option<String> = Ty::Str,
    }
}

model! {
    /// Details of webhooks to register.
    pub struct WebhookRegistrationDetails [closed] {
        /// The URL that specifies where to send the webhooks. This URL must use the same base URL as the Connect
        /// app. Only a single URL per app is allowed to be registered.
        url "url": String = Ty::Url,
        /// A list of webhooks (at most 100: the most a Connect app may hold on a site).
        webhooks "webhooks": Vec<WebhookDetails> = Ty::Items(&Ty::Obj(WebhookDetails::SHAPE), 1, MAX_WEBHOOKS_PER_APP),
    }
}

model! {
    /// A list of webhooks.
    pub struct WebhookDetails [closed] {
        /// The Jira events that trigger the webhook.
        events "events": Vec<WebhookEvent> = Ty::Items(&Ty::Text, 1, u32::MAX),
        /// A list of field IDs. When the issue changelog contains any of the fields, the webhook
        /// `jira:issue_updated` is sent. If this parameter is not present, the app is notified about all field updates.
        #[tsify(optional)]
        field_ids_filter "fieldIdsFilter": Option<Vec<String>> = TEXTS,
        /// A list of issue property keys. A change of those issue properties triggers the `issue_property_set` or
        /// `issue_property_deleted` webhooks. If this parameter is not present, the app is notified about all issue
        /// property updates.
        #[tsify(optional)]
        issue_property_keys_filter "issuePropertyKeysFilter": Option<Vec<String>> = TEXTS,
        /// The JQL filter that specifies which issues the webhook is sent for. Only a subset of JQL can be used.
        /// Fields: `issueKey`, `project`, `issuetype`, `status`, `assignee`, `reporter`, `issue.property` and
        /// `cf[id]` (only the epic label custom field); operators: `=`, `!=`, `IN` and `NOT IN`.
        jql_filter "jqlFilter": String = Ty::Text,
    }
}

model! {
    /// Container for a list of registered webhooks. Webhook details are returned in the same order as the request.
    pub struct ContainerForRegisteredWebhooks [open] {
        /// A list of registered webhooks (optional in the spec; Jira always sends it, and the client requires it).
        webhook_registration_result "webhookRegistrationResult": Vec<RegisteredWebhook> =
            Ty::List(&Ty::Obj(RegisteredWebhook::SHAPE)),
    }
}

model! {
    /// ID of a registered webhook or error messages explaining why a webhook wasn't registered.
    pub struct RegisteredWebhook [open] {
        /// The ID of the webhook. Returned if the webhook is created.
        #[tsify(optional)]
        created_webhook_id "createdWebhookId": Option<i64> = Ty::Int,
        /// Error messages specifying why the webhook creation failed.
        #[tsify(optional)]
        errors "errors": Option<Vec<String>> = STRINGS,
    }
}

model! {
    /// A page of failed webhooks.
    pub struct FailedWebhooks [open] {
        /// The maximum number of items on the page. If the list of values is shorter than this number, then there
        /// are no more pages.
        max_results "maxResults": i32 = Ty::Int32,
        /// The URL to the next page of results. Present only if the request returned at least one result. The next
        /// page may be empty at the time of receiving the response, but new failed webhooks may appear in time.
        #[tsify(optional)]
        next "next": Option<String> = Ty::Str,
        /// The list of webhooks.
        values "values": Vec<FailedWebhook> = Ty::List(&Ty::Obj(FailedWebhook::SHAPE)),
    }
}

model! {
    /// Details about a failed webhook.
    pub struct FailedWebhook [open] {
        /// The webhook body.
        #[tsify(optional)]
        body "body": Option<String> = Ty::Str,
        /// The time the webhook was added to the list of failed webhooks (that is, the time of the last failed
        /// retry), in milliseconds since the Unix epoch.
        failure_time "failureTime": i64 = Ty::Date,
        /// The webhook ID, as sent in the `X-Atlassian-Webhook-Identifier` header with the webhook.
        id "id": String = Ty::Str,
        /// The original webhook destination.
        url "url": String = Ty::Str,
    }
}

model! {
    /// The date the refreshed webhooks expire.
    pub struct WebhooksExpirationDate [open] {
        /// The expiration date of all the refreshed webhooks, in milliseconds since the Unix epoch.
        expiration_date "expirationDate": i64 = Ty::Date,
    }
}

model! {
    /// Error messages from an operation.
    pub struct ErrorCollection [open] {
        /// The list of error messages produced by this operation.
        #[tsify(optional)]
        error_messages "errorMessages": Option<Vec<String>> = STRINGS,
        /// The list of errors by parameter returned by the operation.
        #[tsify(optional, type = "Record<string, string>")]
        errors "errors": Option<Vec<(String, String)>> = Ty::StrMap,
        /// The HTTP status, when Jira includes it.
        #[tsify(optional)]
        status "status": Option<i32> = Ty::Int32,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::decode::{check, to_json};
    use tsify::Tsify;

    /// Reads `text` as a `T` the way an answer is read: checked against the shape, then converted.
    pub fn read<T: FromJson>(text: &str, shape: &'static crate::decode::Shape) -> T {
        let (doc, _) = check(text, Ty::Obj(shape)).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        T::from_json(Some(doc.root()))
    }

    #[test]
    fn spec_example_page_with_string_dates() {
        // The 200 example of getDynamicWebhooksForApp, verbatim from the spec.
        let body = r#"{"isLast":true,"maxResults":3,"startAt":0,"total":3,"values":[{"events":["jira:issue_updated","jira:issue_created"],"expirationDate":"2019-06-01T12:42:30.000+0000","fieldIdsFilter":["summary","customfield_10029"],"id":10000,"jqlFilter":"project = PRJ"},{"events":["jira:issue_created"],"expirationDate":"2019-06-01T12:42:30.000+0000","id":10001,"jqlFilter":"issuetype = Bug"},{"events":["issue_property_set"],"expirationDate":"2019-06-01T12:42:30.000+0000","id":10002,"issuePropertyKeysFilter":["my-issue-property-key"],"jqlFilter":"project = PRJ"}]}"#;
        let page: PageBeanWebhook = read(body, PageBeanWebhook::SHAPE);
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
    fn integer_dates_v3_url_and_unknown_events_kept() {
        let w: Webhook = read(
            r#"{"id":1,"events":["sprint_started","board_configuration_changed"],"jqlFilter":"project = A","expirationDate":1559392950000,"url":"https://app.example.com/hook","newField":{}}"#,
            Webhook::SHAPE,
        );
        assert_eq!(w.expiration_date, Some(1_559_392_950_000));
        assert_eq!(w.url.as_deref(), Some("https://app.example.com/hook"));
        assert_eq!(w.events, [WebhookEvent::SprintStarted, WebhookEvent::Other("board_configuration_changed".into())]);
        assert_eq!(
            to_json(&w),
            r#"{"id":1,"events":["sprint_started","board_configuration_changed"],"jqlFilter":"project = A","expirationDate":1559392950000,"url":"https://app.example.com/hook"}"#
        );
    }

    #[test]
    fn every_known_event_round_trips_by_name() {
        assert_eq!(WebhookEvent::KNOWN.len(), 20);
        for e in WebhookEvent::KNOWN {
            assert_eq!(&WebhookEvent::from_name(e.as_str()), e);
        }
    }

    #[test]
    fn request_bodies_refuse_unknown_members_and_answers_keep_them() {
        let text = r#"{"url":"https://a","webhooks":[{"events":["jira:issue_created"],"jqlFilter":"project = A","jqlFiltr":"x"}]}"#;
        let e = check(text, Ty::Obj(WebhookRegistrationDetails::SHAPE)).unwrap_err();
        assert_eq!(e.path, "webhooks[0]");
        assert!(e.problem.contains("none of `events`, `fieldIdsFilter`"), "{}", e.problem);
        assert!(!e.problem.contains("jqlFiltr"), "never quotes the caller's text");
    }

    #[test]
    fn spec_examples_of_other_responses() {
        let r: ContainerForRegisteredWebhooks = read(
            r#"{"webhookRegistrationResult":[{"createdWebhookId":1000},{"errors":["The clause watchCount is unsupported"]},{"createdWebhookId":1001}]}"#,
            ContainerForRegisteredWebhooks::SHAPE,
        );
        assert_eq!(
            r.webhook_registration_result[1].errors.as_ref().unwrap()[0],
            "The clause watchCount is unsupported"
        );
        assert_eq!(r.webhook_registration_result[2].created_webhook_id, Some(1001));
        let f: FailedWebhooks = read(
            r#"{"values":[{"id":"1","body":"{\"data\":\"webhook data\"}","url":"https://example.com","failureTime":1573118132000},{"id":"2","url":"https://example.com","failureTime":1573540473480}],"maxResults":100,"next":"https://your-domain.atlassian.net/rest/api/2/webhook/failed?failedAfter=1573540473480&maxResults=100"}"#,
            FailedWebhooks::SHAPE,
        );
        assert_eq!(f.values[0].body.as_deref(), Some(r#"{"data":"webhook data"}"#));
        assert_eq!(f.values[1].failure_time, 1_573_540_473_480);
        let e: WebhooksExpirationDate =
            read(r#"{"expirationDate":"2019-06-01T12:42:30.000+0000"}"#, WebhooksExpirationDate::SHAPE);
        assert_eq!(e.expiration_date, 1_559_392_950_000);
        let c: ErrorCollection =
            read(r#"{"errorMessages":["a"],"errors":{"webhookIds":"required"},"status":400}"#, ErrorCollection::SHAPE);
        assert_eq!(c.errors.unwrap(), [("webhookIds".to_owned(), "required".to_owned())]);
    }

    /// tsify declares the TypeScript from the same fields: the names and optional marks must agree with the shape.
    #[test]
    fn typescript_declarations_match_the_shapes() {
        fn agree<T: Tsify>(shape: &crate::decode::Shape) {
            for f in shape.fields {
                let mark = if f.required { format!(" {}: ", f.name) } else { format!(" {}?: ", f.name) };
                assert!(T::DECL.contains(&mark), "{} lacks `{mark}`: {}", f.name, T::DECL);
            }
        }
        agree::<PageBeanWebhook>(PageBeanWebhook::SHAPE);
        agree::<Webhook>(Webhook::SHAPE);
        agree::<WebhookRegistrationDetails>(WebhookRegistrationDetails::SHAPE);
        agree::<WebhookDetails>(WebhookDetails::SHAPE);
        agree::<ContainerForRegisteredWebhooks>(ContainerForRegisteredWebhooks::SHAPE);
        agree::<RegisteredWebhook>(RegisteredWebhook::SHAPE);
        agree::<FailedWebhooks>(FailedWebhooks::SHAPE);
        agree::<FailedWebhook>(FailedWebhook::SHAPE);
        agree::<WebhooksExpirationDate>(WebhooksExpirationDate::SHAPE);
        agree::<ErrorCollection>(ErrorCollection::SHAPE);
        agree::<ContainerForWebhookIDs>(ContainerForWebhookIDs::SHAPE);
    }
}
