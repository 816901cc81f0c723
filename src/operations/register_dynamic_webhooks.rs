//! `POST /rest/api/{2|3}/webhook`: registerDynamicWebhooks.

use super::{invalid_input, Operation, Valid};
use crate::error::{Error, ErrorKind};
use crate::http::Method;
use crate::models::{ContainerForRegisteredWebhooks, WebhookRegistrationDetails};
use crate::small::join;
use crate::text::cat;

/// Registers webhooks. Per-webhook failures (such as an unsupported JQL clause) come back inside the 200
/// as `errors` of that webhook's result, in request order.
#[derive(Clone, Debug, PartialEq)]
pub struct RegisterDynamicWebhooks(Valid<WebhookRegistrationDetails>);

impl RegisterDynamicWebhooks {
    /// Registers `details` (checked: at least one webhook, each with events and a JQL filter, an absolute URL).
    pub fn new(details: &WebhookRegistrationDetails) -> Result<Self, Error> {
        Valid::new(details).map(RegisterDynamicWebhooks).map_err(|e| invalid_input(Self::ID, e))
    }

    /// Registers details the edge's generated validator has checked.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn checked(body: Valid<WebhookRegistrationDetails>) -> Self {
        RegisterDynamicWebhooks(body)
    }

    /// What is registered.
    pub fn details(&self) -> WebhookRegistrationDetails {
        self.0.read()
    }
}

impl Operation for RegisterDynamicWebhooks {
    const ID: &'static str = "registerDynamicWebhooks";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/webhook";
    type Input = WebhookRegistrationDetails;
    type Output = ContainerForRegisteredWebhooks;

    fn body(&self) -> Option<&str> {
        Some(self.0.text())
    }
}

/// The error for `throwOnPartialFailure`: `None` when every webhook was registered. `jql_filters` are those of
/// the webhooks asked for, in order. Its `errors` map each failed webhook (`webhooks[1]`) to Jira's reasons; the
/// created ids stay in the result the caller keeps.
pub fn partial_failure(jql_filters: &[String], result: &ContainerForRegisteredWebhooks) -> Option<Error> {
    let results = &result.webhook_registration_result;
    let mut failed = Vec::new();
    for (i, jql) in jql_filters.iter().enumerate() {
        let reasons = match results.get(i) {
            Some(r) if r.created_webhook_id.is_some() => continue,
            Some(r) => r
                .errors
                .as_ref()
                .map_or("no id and no reason given".to_owned(), |e| join(e.iter().map(String::as_str), "; ")),
            None => "Jira's answer has no result for it".to_owned(),
        };
        failed.push((cat!("webhooks[", i, ']'), cat!("webhook #", i, " (", jql, "): ", reasons)));
    }
    if failed.is_empty() {
        return None;
    }
    let mut e = Error::new(
        ErrorKind::PartialFailure,
        cat!(
            "registerDynamicWebhooks: ",
            failed.len(),
            " of ",
            jql_filters.len(),
            " webhooks were not registered: ",
            join(failed.iter().map(|(_, m)| m.as_str()), " | ")
        ),
    );
    e.status = 200;
    e.operation = Some(RegisterDynamicWebhooks::ID);
    e.error_messages = failed.iter().map(|(_, m)| m.clone()).collect();
    e.errors = failed;
    Some(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::tests::{answer, client, response};
    use crate::models::tests::read;
    use crate::models::{WebhookDetails, WebhookEvent};
    use crate::ErrorKind;

    fn details() -> WebhookRegistrationDetails {
        read(
            r#"{"url":"https://your-app.example.com/webhook-received","webhooks":[
                {"events":["jira:issue_created","jira:issue_updated"],"fieldIdsFilter":["summary","customfield_10029"],"jqlFilter":"project = PROJ"},
                {"events":["jira:issue_deleted"],"jqlFilter":"project IN (PROJ, EXP) AND status = done"},
                {"events":["issue_property_set"],"issuePropertyKeysFilter":["my-issue-property-key"],"jqlFilter":"project = PROJ"}]}"#,
            WebhookRegistrationDetails::SHAPE,
        )
    }

    fn register() -> RegisterDynamicWebhooks {
        RegisterDynamicWebhooks::new(&details()).unwrap()
    }

    fn jqls() -> Vec<String> {
        details().webhooks.into_iter().map(|w| w.jql_filter).collect()
    }

    #[test]
    fn builds_the_spec_example_request() {
        let req = client().request(&register());
        assert_eq!(req.method, Method::Post);
        assert_eq!(req.url, "https://acme.atlassian.net/rest/api/2/webhook");
        assert_eq!(req.path, "/rest/api/2/webhook");
        assert!(req.headers.contains(&("Content-Type", "application/json".into())));
        assert_eq!(
            req.body.as_deref().unwrap(),
            concat!(
                r#"{"url":"https://your-app.example.com/webhook-received","webhooks":["#,
                r#"{"events":["jira:issue_created","jira:issue_updated"],"fieldIdsFilter":["summary","customfield_10029"],"jqlFilter":"project = PROJ"},"#,
                r#"{"events":["jira:issue_deleted"],"jqlFilter":"project IN (PROJ, EXP) AND status = done"},"#,
                r#"{"events":["issue_property_set"],"issuePropertyKeysFilter":["my-issue-property-key"],"jqlFilter":"project = PROJ"}]}"#
            )
        );
    }

    #[test]
    fn rejects_obviously_invalid_input() {
        let mut empty = details();
        empty.webhooks.clear();
        let mut no_events = details();
        no_events.webhooks[1].events.clear();
        let mut blank_jql = details();
        blank_jql.webhooks[2].jql_filter = "  ".into();
        let mut no_url = details();
        no_url.url = String::new();
        let mut not_a_url = details();
        not_a_url.url = "not a url".into();
        let mut empty_field = details();
        empty_field.webhooks[0].field_ids_filter = Some(vec!["summary".into(), " ".into()]);
        for (input, path) in [
            (empty, "webhooks"),
            (no_events, "webhooks[1].events"),
            (blank_jql, "webhooks[2].jqlFilter"),
            (no_url, "url"),
            (not_a_url, "url"),
            (empty_field, "webhooks[0].fieldIdsFilter[1]"),
        ] {
            let e = RegisterDynamicWebhooks::new(&input).unwrap_err();
            assert_eq!((e.kind, e.path.as_deref()), (ErrorKind::InvalidInput, Some(path)));
            assert_eq!(e.operation, Some("registerDynamicWebhooks"));
            assert!(e.message.contains(path), "{}", e.message);
        }
    }

    #[test]
    fn unknown_events_are_sent_unchanged() {
        let d = WebhookRegistrationDetails {
            url: "https://a.example".into(),
            webhooks: vec![WebhookDetails {
                events: vec![WebhookEvent::Other("future_event".into())],
                field_ids_filter: None,
                issue_property_keys_filter: None,
                jql_filter: "project = A".into(),
            }],
        };
        let req = client().request(&RegisterDynamicWebhooks::new(&d).unwrap());
        assert!(req.body.unwrap().contains(r#""events":["future_event"]"#));
    }

    #[test]
    fn partial_failures_name_each_failed_webhook() {
        let body = r#"{"webhookRegistrationResult":[{"createdWebhookId":1000},{"errors":["The clause watchCount is unsupported"]},{"createdWebhookId":1001}]}"#;
        let out: ContainerForRegisteredWebhooks =
            answer(&register(), response(200, body)).unwrap().output::<RegisterDynamicWebhooks>();
        let e = partial_failure(&jqls(), &out).unwrap();
        assert_eq!((e.kind, e.status), (ErrorKind::PartialFailure, 200));
        assert_eq!(e.errors.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["webhooks[1]"]);
        assert!(e.message.contains("1 of 3") && e.message.contains("watchCount"), "{}", e.message);
        let short: ContainerForRegisteredWebhooks =
            answer(&register(), response(200, r#"{"webhookRegistrationResult":[{"createdWebhookId":1}]}"#))
                .unwrap()
                .output::<RegisterDynamicWebhooks>();
        let e = partial_failure(&jqls(), &short).unwrap();
        assert_eq!(e.errors.len(), 2, "missing results count as failures");
        let all =
            r#"{"webhookRegistrationResult":[{"createdWebhookId":1},{"createdWebhookId":2},{"createdWebhookId":3}]}"#;
        let all: ContainerForRegisteredWebhooks =
            answer(&register(), response(200, all)).unwrap().output::<RegisterDynamicWebhooks>();
        assert!(partial_failure(&jqls(), &all).is_none());
    }

    #[test]
    fn more_webhooks_than_an_app_may_hold_are_refused() {
        let mut many = details();
        many.webhooks = vec![many.webhooks[0].clone(); 101];
        let e = RegisterDynamicWebhooks::new(&many).unwrap_err();
        assert_eq!((e.kind, e.path.as_deref()), (ErrorKind::InvalidInput, Some("webhooks")));
    }

    #[test]
    fn per_webhook_errors_inside_200_are_kept_in_order() {
        let body = r#"{"webhookRegistrationResult":[{"createdWebhookId":1000},{"errors":["The clause watchCount is unsupported"]},{"createdWebhookId":1001}]}"#;
        let out: ContainerForRegisteredWebhooks =
            answer(&register(), response(200, body)).unwrap().output::<RegisterDynamicWebhooks>();
        let ids: Vec<_> = out.webhook_registration_result.iter().map(|r| r.created_webhook_id).collect();
        assert_eq!(ids, [Some(1000), None, Some(1001)]);
        assert_eq!(
            out.webhook_registration_result[1].errors.as_deref().unwrap(),
            ["The clause watchCount is unsupported"]
        );
    }
}
