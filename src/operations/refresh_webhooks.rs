//! `PUT /rest/api/{2|3}/webhook/refresh`: refreshWebhooks.

use super::Operation;
use crate::decode::{to_json, Shape, Ty};
use crate::engine::{Method, Spec};
use crate::models::{ContainerForWebhookIDs, WebhooksExpirationDate};
use std::borrow::Cow;

/// Extends the life of webhooks: registered webhooks expire after 30 days. Unknown ids are ignored by Jira.
#[derive(Clone, Debug, PartialEq)]
pub struct RefreshWebhooks {
    body: String,
}

impl RefreshWebhooks {
    /// For the webhooks with these ids.
    pub fn new(ids: &[i64]) -> Self {
        RefreshWebhooks { body: to_json(&ContainerForWebhookIDs { webhook_ids: ids.to_vec() }) }
    }

    /// For the `ContainerForWebhookIDs` in this JSON text (checked before it is sent, then sent as is).
    pub fn from_json(body: String) -> Self {
        RefreshWebhooks { body }
    }
}

impl Operation for RefreshWebhooks {
    const SPEC: Spec = Spec {
        id: "refreshWebhooks",
        method: Method::Put,
        success: &[200],
        answer: Some(Ty::Obj(WebhooksExpirationDate::SHAPE)),
    };
    const PATH: &'static str = "/webhook/refresh";
    const INPUT: &'static Shape = ContainerForWebhookIDs::SHAPE;
    type Output = WebhooksExpirationDate;

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

    fn op(ids: Vec<i64>) -> RefreshWebhooks {
        RefreshWebhooks::new(&ids)
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
