//! `PUT /rest/api/{2|3}/webhook/refresh`: refreshWebhooks.

use super::validate_ids;
use crate::client::Operation;
use crate::error::Error;
use crate::models::{ContainerForWebhookIDs, WebhooksExpirationDate};

/// Extends the life of webhooks: registered webhooks expire after 30 days. Unknown ids are ignored by Jira.
#[derive(Clone, Debug, PartialEq)]
pub struct RefreshWebhooks(pub ContainerForWebhookIDs);

impl Operation for RefreshWebhooks {
    const ID: &'static str = "refreshWebhooks";
    const METHOD: &'static str = "PUT";
    const PATH: &'static str = "/webhook/refresh";
    type Output = WebhooksExpirationDate;

    fn validate(&self) -> Result<(), Error> {
        validate_ids(&self.0)
    }

    fn body(&self) -> Option<String> {
        serde_json::to_string(&self.0).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::tests::{client, response};
    use crate::ErrorKind;

    #[test]
    fn builds_and_parses() {
        let op = RefreshWebhooks(ContainerForWebhookIDs { webhook_ids: vec![10000, 10001, 10042] });
        let req = client().build(&op).unwrap();
        assert_eq!((req.method, req.path.as_str()), ("PUT", "/rest/api/2/webhook/refresh"));
        assert_eq!(req.body.as_deref(), Some(r#"{"webhookIds":[10000,10001,10042]}"#));
        let out =
            client().parse::<RefreshWebhooks>(&response(200, r#"{"expirationDate":"2019-06-01T12:42:30.000+0000"}"#));
        assert_eq!(out.unwrap().expiration_date, 1_559_392_950_000);
        let out = client().parse::<RefreshWebhooks>(&response(200, r#"{"expirationDate":1559392950000}"#));
        assert_eq!(out.unwrap().expiration_date, 1_559_392_950_000);
        let e = client().parse::<RefreshWebhooks>(&response(200, r#"{"expirationDate":"next tuesday"}"#)).unwrap_err();
        assert_eq!((e.kind, e.path.as_deref()), (ErrorKind::Decode, Some("expirationDate")));
    }

    #[test]
    fn rejects_empty_duplicate_and_impossible_ids() {
        for (ids, path) in [(vec![], "webhookIds"), (vec![1, 2, 1], "webhookIds[2]"), (vec![5, 0], "webhookIds[1]")] {
            let e = client().build(&RefreshWebhooks(ContainerForWebhookIDs { webhook_ids: ids })).unwrap_err();
            assert_eq!((e.kind, e.path.as_deref()), (ErrorKind::InvalidInput, Some(path)));
        }
    }
}
