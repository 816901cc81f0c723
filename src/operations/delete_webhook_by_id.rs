//! `DELETE /rest/api/{2|3}/webhook`: deleteWebhookById.

use super::Operation;
use crate::decode::{to_json, Shape};
use crate::engine::{Method, Spec};
use crate::models::ContainerForWebhookIDs;
use std::borrow::Cow;

/// Removes webhooks by id. Jira answers 202 with no body; ids of other apps are ignored.
#[derive(Clone, Debug, PartialEq)]
pub struct DeleteWebhookById {
    body: String,
}

impl DeleteWebhookById {
    /// For the webhooks with these ids.
    pub fn new(ids: &[i64]) -> Self {
        DeleteWebhookById { body: to_json(&ContainerForWebhookIDs { webhook_ids: ids.to_vec() }) }
    }

    /// For the `ContainerForWebhookIDs` in this JSON text (checked before it is sent, then sent as is).
    pub fn from_json(body: String) -> Self {
        DeleteWebhookById { body }
    }
}

impl Operation for DeleteWebhookById {
    const SPEC: Spec =
        Spec { id: "deleteWebhookById", method: Method::Delete, success: &[200, 202, 204], answer: None };
    const PATH: &'static str = "/webhook";
    const INPUT: &'static Shape = ContainerForWebhookIDs::SHAPE;
    type Output = ();

    fn input(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.body)
    }

    fn body(&self) -> Option<&str> {
        Some(&self.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::tests::{answer, client, response};
    use crate::ErrorKind;

    fn op(ids: Vec<i64>) -> DeleteWebhookById {
        DeleteWebhookById::new(&ids)
    }

    #[test]
    fn sends_ids_in_a_delete_body() {
        let req = client().request(&op(vec![10000, 10001])).unwrap();
        assert_eq!((req.method, req.path.as_str()), (Method::Delete, "/rest/api/2/webhook"));
        assert_eq!(req.body.as_deref(), Some(r#"{"webhookIds":[10000,10001]}"#));
        assert_eq!(client().request(&op(vec![])).unwrap_err().kind, ErrorKind::InvalidInput);
    }

    #[test]
    fn accepts_202_with_no_body() {
        let mut r = response(202, "");
        r.content_type = None;
        assert_eq!(answer(&op(vec![1]), r).unwrap().status, 202);
    }

    #[test]
    fn error_collection_becomes_fields() {
        let body = r#"{"errorMessages":["The list of webhook IDs is missing."],"errors":{"webhookIds":"required"},"status":400}"#;
        let e = answer(&op(vec![1]), response(400, body)).unwrap_err();
        assert_eq!((e.kind, e.status), (ErrorKind::Http, 400));
        assert_eq!(e.error_messages, ["The list of webhook IDs is missing."]);
        assert_eq!(e.errors, [("webhookIds".to_owned(), "required".to_owned())]);
        assert_eq!(
            e.message,
            "deleteWebhookById failed: Jira answered 400 Bad Request: The list of webhook IDs is missing.; \
             webhookIds: required (Jira rejected the request as invalid)"
        );
    }

    #[test]
    fn statuses_without_a_body_still_explain() {
        for (status, words) in [
            (401, "check the credentials"),
            (403, "only Connect and OAuth 2.0 apps"),
            (404, "check `baseUrl`"),
            (429, "rate limiting"),
            (503, "try again later"),
            (302, "unexpected status"),
        ] {
            let e = answer(&op(vec![1]), response(status, "")).unwrap_err();
            assert_eq!((e.kind, e.status), (ErrorKind::Http, status));
            assert!(e.message.contains(words), "{status}: {}", e.message);
            assert!(!e.message.contains("secret-token-123"));
        }
    }
}
