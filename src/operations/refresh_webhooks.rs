//! `PUT /rest/api/{2|3}/webhook/refresh`: refreshWebhooks.

use super::{validate_ids, Operation};
use crate::decode::{to_json, Ty};
use crate::engine::{Method, Spec};
use crate::error::Error;
use crate::models::{ContainerForWebhookIDs, WebhooksExpirationDate};

/// Extends the life of webhooks: registered webhooks expire after 30 days. Unknown ids are ignored by Jira.
#[derive(Clone, Debug, PartialEq)]
pub struct RefreshWebhooks(pub ContainerForWebhookIDs);

impl Operation for RefreshWebhooks {
    const SPEC: Spec = Spec {
        id: "refreshWebhooks",
        method: Method::Put,
        success: &[200],
        answer: Some(Ty::Obj(WebhooksExpirationDate::SHAPE)),
    };
    const PATH: &'static str = "/webhook/refresh";
    type Output = WebhooksExpirationDate;

    fn validate(&self) -> Result<(), Error> {
        validate_ids(&self.0)
    }

    fn body(&self) -> Option<String> {
        Some(to_json(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::tests::{answer, client, response};
    use crate::ErrorKind;

    fn op(ids: Vec<i64>) -> RefreshWebhooks {
        RefreshWebhooks(ContainerForWebhookIDs { webhook_ids: ids })
    }

    #[test]
    fn builds_and_parses() {
        let req = client().request(&op(vec![10000, 10001, 10042])).unwrap();
        assert_eq!((req.method, req.path.as_str()), (Method::Put, "/rest/api/2/webhook/refresh"));
        assert_eq!(req.body.as_deref(), Some(r#"{"webhookIds":[10000,10001,10042]}"#));
        let out: WebhooksExpirationDate =
            answer(&op(vec![1]), response(200, r#"{"expirationDate":"2019-06-01T12:42:30.000+0000"}"#)).unwrap().read();
        assert_eq!(out.expiration_date, 1_559_392_950_000);
        let out: WebhooksExpirationDate =
            answer(&op(vec![1]), response(200, r#"{"expirationDate":1559392950000}"#)).unwrap().read();
        assert_eq!(out.expiration_date, 1_559_392_950_000);
        let e = answer(&op(vec![1]), response(200, r#"{"expirationDate":"next tuesday"}"#)).unwrap_err();
        assert_eq!((e.kind, e.path.as_deref()), (ErrorKind::Decode, Some("expirationDate")));
    }

    #[test]
    fn rejects_empty_duplicate_and_impossible_ids() {
        for (ids, path) in [(vec![], "webhookIds"), (vec![1, 2, 1], "webhookIds[2]"), (vec![5, 0], "webhookIds[1]")] {
            let e = client().request(&op(ids)).unwrap_err();
            assert_eq!((e.kind, e.path.as_deref()), (ErrorKind::InvalidInput, Some(path)));
            assert_eq!(e.operation, Some("refreshWebhooks"));
        }
    }
}
