//! `PUT /rest/api/{2|3}/webhook/refresh`: refreshWebhooks.

use super::{webhook_ids, Operation, Valid};
use crate::error::Error;
use crate::http::Method;
use crate::models::ContainerForWebhookIDs;
use crate::models::WebhooksExpirationDate;

/// Extends the life of webhooks: registered webhooks expire after 30 days. Unknown ids are ignored by Jira.
#[derive(Clone, Debug, PartialEq)]
pub struct RefreshWebhooks(Valid<ContainerForWebhookIDs>);

impl RefreshWebhooks {
    /// For the webhooks with these ids (1 to 10,000 positive ids, none twice).
    pub fn new(ids: &[i64]) -> Result<Self, Error> {
        webhook_ids(Self::ID, ids).map(RefreshWebhooks)
    }

    /// For ids the edge's generated validator has checked.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn checked(body: Valid<ContainerForWebhookIDs>) -> Self {
        RefreshWebhooks(body)
    }
}

impl Operation for RefreshWebhooks {
    const ID: &'static str = "refreshWebhooks";
    const METHOD: Method = Method::Put;
    const PATH: &'static str = "/webhook/refresh";
    type Input = ContainerForWebhookIDs;
    type Output = WebhooksExpirationDate;

    fn body(&self) -> Option<&str> {
        Some(self.0.text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::tests::{answer, client, response};
    use crate::ErrorKind;

    fn op(ids: Vec<i64>) -> RefreshWebhooks {
        RefreshWebhooks::new(&ids).unwrap()
    }

    #[test]
    fn builds_and_parses() {
        let req = client().request(&op(vec![10000, 10001, 10042]));
        assert_eq!((req.method, req.path.as_str()), (Method::Put, "/rest/api/2/webhook/refresh"));
        assert_eq!(req.body.as_deref(), Some(r#"{"webhookIds":[10000,10001,10042]}"#));
        let out: WebhooksExpirationDate =
            answer(&op(vec![1]), response(200, r#"{"expirationDate":"2019-06-01T12:42:30.000+0000"}"#))
                .unwrap()
                .output::<RefreshWebhooks>();
        assert_eq!(out.expiration_date, 1_559_392_950_000);
        let out: WebhooksExpirationDate = answer(&op(vec![1]), response(200, r#"{"expirationDate":1559392950000}"#))
            .unwrap()
            .output::<RefreshWebhooks>();
        assert_eq!(out.expiration_date, 1_559_392_950_000);
        let e = answer(&op(vec![1]), response(200, r#"{"expirationDate":"next tuesday"}"#)).unwrap_err();
        assert_eq!((e.kind, e.path.as_deref()), (ErrorKind::Decode, Some("expirationDate")));
    }

    #[test]
    fn rejects_empty_duplicate_and_impossible_ids() {
        for (ids, path) in [(vec![], "webhookIds"), (vec![1, 2, 1], "webhookIds[2]"), (vec![5, 0], "webhookIds[1]")] {
            let e = RefreshWebhooks::new(&ids).unwrap_err();
            assert_eq!((e.kind, e.path.as_deref()), (ErrorKind::InvalidInput, Some(path)));
            assert_eq!(e.operation, Some("refreshWebhooks"));
        }
    }
}
