//! `DELETE /rest/api/{2|3}/webhook`: deleteWebhookById.

use super::{webhook_ids, Operation, Valid};
use crate::error::Error;
use crate::http::Method;
use crate::models::ContainerForWebhookIDs;

/// Removes webhooks by id. Jira answers 202 with no body; ids of other apps are ignored.
#[derive(Clone, Debug, PartialEq)]
pub struct DeleteWebhookById(Valid<ContainerForWebhookIDs>);

impl DeleteWebhookById {
    /// For the webhooks with these ids (1 to 10,000 positive ids, none twice).
    pub fn new(ids: &[i64]) -> Result<Self, Error> {
        webhook_ids(Self::ID, ids).map(DeleteWebhookById)
    }

    /// For ids the edge's generated validator has checked.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn checked(body: Valid<ContainerForWebhookIDs>) -> Self {
        DeleteWebhookById(body)
    }
}

impl Operation for DeleteWebhookById {
    const ID: &'static str = "deleteWebhookById";
    const METHOD: Method = Method::Delete;
    const PATH: &'static str = "/webhook";
    const SUCCESS: &'static [u16] = &[200, 202, 204];
    type Input = ContainerForWebhookIDs;
    type Output = ();

    fn body(&self) -> Option<&str> {
        Some(self.0.text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::tests::{answer, client, response};
    use crate::ErrorKind;

    fn op(ids: Vec<i64>) -> DeleteWebhookById {
        DeleteWebhookById::new(&ids).unwrap()
    }

    #[test]
    fn sends_ids_in_a_delete_body() {
        let req = client().request(&op(vec![10000, 10001]));
        assert_eq!((req.method, req.path.as_str()), (Method::Delete, "/rest/api/2/webhook"));
        assert_eq!(req.body.as_deref(), Some(r#"{"webhookIds":[10000,10001]}"#));
        assert_eq!(DeleteWebhookById::new(&[]).unwrap_err().kind, ErrorKind::InvalidInput);
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
