//! `GET /rest/api/{2|3}/webhook/failed`: getFailedWebhooks (Connect apps only).

use super::{check_param, Operation, MAX_PAGE_SIZE};
use crate::decode::schema::MAX_SAFE_INTEGER;
use crate::decode::{model, Ty};
use crate::error::Error;
use crate::http::Method;
use crate::models::FailedWebhooks;

model! {
    /// Cursor paging for getFailedWebhooks.
    pub struct GetFailedWebhooksParams [closed] {
        /// The maximum number of webhooks to return per page, 1 to 100. Records with the same failure time are
        /// never split across pages, so a page may hold more.
        #[tsify(optional)]
        max_results "maxResults": Option<i64> = Ty::Range(1, MAX_PAGE_SIZE),
        /// Only failures after this time, in milliseconds since the Unix epoch: pass the `failureTime` of the
        /// last webhook of the previous page.
        #[tsify(optional)]
        after "after": Option<i64> = Ty::Range(0, MAX_SAFE_INTEGER),
    }
}

/// Returns webhooks that failed to be delivered after the maximum number of retries, oldest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GetFailedWebhooks(GetFailedWebhooksParams);

impl GetFailedWebhooks {
    /// The page `params` ask for.
    pub fn new(params: GetFailedWebhooksParams) -> Result<Self, Error> {
        check_param::<GetFailedWebhooksParams>(Self::ID, "maxResults", params.max_results)?;
        check_param::<GetFailedWebhooksParams>(Self::ID, "after", params.after)?;
        Ok(GetFailedWebhooks(params))
    }

    /// Parameters the edge's generated validator has checked.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn checked(params: GetFailedWebhooksParams) -> Self {
        GetFailedWebhooks(params)
    }

    /// The page of the same size of failures after `after` (a failure time of Jira's, not before 1970).
    pub(crate) fn after(&self, after: i64) -> Self {
        GetFailedWebhooks(GetFailedWebhooksParams { after: Some(after.max(0)), ..self.0.clone() })
    }

    /// The paging parameters.
    pub fn params(&self) -> &GetFailedWebhooksParams {
        &self.0
    }
}

impl Operation for GetFailedWebhooks {
    const ID: &'static str = "getFailedWebhooks";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/webhook/failed";
    type Input = GetFailedWebhooksParams;
    type Output = FailedWebhooks;

    fn query(&self) -> Vec<(&'static str, i64)> {
        let mut q = Vec::new();
        q.extend(self.0.max_results.map(|v| ("maxResults", v)));
        q.extend(self.0.after.map(|v| ("after", v)));
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::tests::{answer, client, response};
    use crate::ErrorKind;

    #[test]
    fn builds_cursor_requests() {
        let op =
            GetFailedWebhooks::new(GetFailedWebhooksParams { max_results: Some(10), after: Some(1_573_540_473_480) });
        let req = client().request(&op.unwrap());
        assert_eq!(req.url, "https://acme.atlassian.net/rest/api/2/webhook/failed?maxResults=10&after=1573540473480");
        assert_eq!(client().request(&GetFailedWebhooks::default()).path, "/rest/api/2/webhook/failed");
        let bad = GetFailedWebhooks::new(GetFailedWebhooksParams { max_results: None, after: Some(-5) });
        assert_eq!(bad.unwrap_err().kind, ErrorKind::InvalidInput);
    }

    #[test]
    fn spec_example_and_empty_page() {
        let body = r#"{"values":[{"id":"1","body":"{\"data\":\"webhook data\"}","url":"https://example.com","failureTime":1573118132000},{"id":"2","url":"https://example.com","failureTime":1573540473480}],"maxResults":100,"next":"https://your-domain.atlassian.net/rest/api/2/webhook/failed?failedAfter=1573540473480&maxResults=100"}"#;
        let page: FailedWebhooks =
            answer(&GetFailedWebhooks::default(), response(200, body)).unwrap().output::<GetFailedWebhooks>();
        assert_eq!((page.values.len(), page.values[1].failure_time), (2, 1_573_540_473_480));
        let page: FailedWebhooks =
            answer(&GetFailedWebhooks::default(), response(200, r#"{"values":[],"maxResults":100}"#))
                .unwrap()
                .output::<GetFailedWebhooks>();
        assert!(page.values.is_empty() && page.next.is_none());
    }

    #[test]
    fn forbidden_for_oauth_apps_says_why() {
        let body = r#"{"errorMessages":["Only Connect apps can use this operation."],"errors":{}}"#;
        let e = answer(&GetFailedWebhooks::default(), response(403, body)).unwrap_err();
        assert_eq!((e.kind, e.status), (ErrorKind::Http, 403));
        assert_eq!(e.error_messages, ["Only Connect apps can use this operation."]);
        assert!(e.message.contains("only Connect apps may read failed webhooks"), "{}", e.message);
    }
}
