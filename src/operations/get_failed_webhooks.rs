//! `GET /rest/api/{2|3}/webhook/failed`: getFailedWebhooks (Connect apps only).

use super::validate_max_results;
use crate::client::Operation;
use crate::error::Error;
use crate::models::FailedWebhooks;
use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// Cursor paging for getFailedWebhooks.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetFailedWebhooksParams {
    /// The maximum number of webhooks to return per page. Records with the same failure time are never split
    /// across pages, so a page may hold more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub max_results: Option<i32>,
    /// Only failures after this time, in milliseconds since the Unix epoch: pass the `failureTime` of the
    /// last webhook of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub after: Option<i64>,
}

/// Returns webhooks that failed to be delivered after the maximum number of retries, oldest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GetFailedWebhooks(pub GetFailedWebhooksParams);

impl Operation for GetFailedWebhooks {
    const ID: &'static str = "getFailedWebhooks";
    const METHOD: &'static str = "GET";
    const PATH: &'static str = "/webhook/failed";
    type Output = FailedWebhooks;

    fn validate(&self) -> Result<(), Error> {
        if let Some(after) = self.0.after.filter(|a| *a < 0) {
            return Err(Error::invalid_input(
                "after",
                format_args!("must be a time in ms since the epoch, got {after}"),
            ));
        }
        validate_max_results(self.0.max_results)
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(v) = self.0.max_results {
            q.push(("maxResults", v.to_string()));
        }
        if let Some(v) = self.0.after {
            q.push(("after", v.to_string()));
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::tests::{client, response};
    use crate::ErrorKind;

    #[test]
    fn builds_cursor_requests() {
        let op = GetFailedWebhooks(GetFailedWebhooksParams { max_results: Some(10), after: Some(1_573_540_473_480) });
        let req = client().build(&op).unwrap();
        assert_eq!(req.url, "https://acme.atlassian.net/rest/api/2/webhook/failed?maxResults=10&after=1573540473480");
        assert_eq!(client().build(&GetFailedWebhooks::default()).unwrap().path, "/rest/api/2/webhook/failed");
        let bad = GetFailedWebhooks(GetFailedWebhooksParams { max_results: None, after: Some(-5) });
        assert_eq!(client().build(&bad).unwrap_err().kind, ErrorKind::InvalidInput);
    }

    #[test]
    fn empty_page_has_no_next() {
        let page = client().parse::<GetFailedWebhooks>(&response(200, r#"{"values":[],"maxResults":100}"#)).unwrap();
        assert!(page.values.is_empty() && page.next.is_none());
    }

    #[test]
    fn forbidden_for_oauth_apps_says_why() {
        let body = r#"{"errorMessages":["Only Connect apps can use this operation."],"errors":{}}"#;
        let e = client().parse::<GetFailedWebhooks>(&response(403, body)).unwrap_err();
        assert_eq!((e.kind, e.status), (ErrorKind::Http, 403));
        assert_eq!(e.error_messages, ["Only Connect apps can use this operation."]);
        assert!(e.message.contains("only Connect apps may read failed webhooks"), "{}", e.message);
    }
}
