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

/// The params of the page after `page`, or `None` when there is nothing more now. The cursor is the last
/// failure's time. A `next` link on another origin than the client's is refused (following it would send the
/// credentials there), and so is a cursor that does not move forward.
pub fn next_page(
    params: &GetFailedWebhooksParams,
    page: &FailedWebhooks,
    origin: &str,
) -> Result<Option<GetFailedWebhooksParams>, Error> {
    let Some(last) = page.values.last() else { return Ok(None) };
    if let Some(next) = &page.next {
        if scheme_and_host(next) != scheme_and_host(origin) {
            return Err(failed_paging(format!(
                "refusing to follow a `next` link to another origin ({}): the credentials would be sent there",
                scheme_and_host(next)
            )));
        }
    }
    if params.after.is_some_and(|after| last.failure_time <= after) {
        return Err(failed_paging("Jira returned failures no newer than the cursor; stopping the pages".into()));
    }
    if (page.values.len() as i64) < i64::from(page.max_results) {
        return Ok(None);
    }
    Ok(Some(GetFailedWebhooksParams { max_results: params.max_results, after: Some(last.failure_time) }))
}

fn scheme_and_host(url: &str) -> String {
    let end = url.find("://").map_or(0, |i| i + 3);
    let host_end = url[end..].find(['/', '?', '#']).map_or(url.len(), |i| end + i);
    url[..host_end].to_ascii_lowercase()
}

fn failed_paging(message: String) -> Error {
    let mut e = Error::decode(200, Some("next".into()), format!("getFailedWebhooks: {message}"));
    e.operation = Some("getFailedWebhooks");
    e
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

    fn page(json: &str) -> FailedWebhooks {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn cursor_pages_follow_the_last_failure_time() {
        let origin = "https://acme.atlassian.net";
        let params = GetFailedWebhooksParams { max_results: Some(2), after: None };
        let full = page(
            r#"{"maxResults":2,"next":"https://ACME.atlassian.net/rest/api/2/webhook/failed?failedAfter=20&maxResults=2",
                "values":[{"id":"a","url":"u","failureTime":10},{"id":"b","url":"u","failureTime":20}]}"#,
        );
        let next = next_page(&params, &full, origin).unwrap().unwrap();
        assert_eq!((next.after, next.max_results), (Some(20), Some(2)));
        let short = page(r#"{"maxResults":2,"values":[{"id":"c","url":"u","failureTime":30}]}"#);
        assert_eq!(next_page(&next, &short, origin).unwrap(), None);
        assert_eq!(next_page(&next, &page(r#"{"maxResults":2,"values":[]}"#), origin).unwrap(), None);
    }

    #[test]
    fn foreign_next_links_and_stuck_cursors_are_refused() {
        let params = GetFailedWebhooksParams { max_results: None, after: Some(20) };
        let foreign = page(
            r#"{"maxResults":1,"next":"https://evil.example/rest/api/2/webhook/failed?failedAfter=30",
                "values":[{"id":"a","url":"u","failureTime":30}]}"#,
        );
        let e = next_page(&params, &foreign, "https://acme.atlassian.net/").unwrap_err();
        assert!(e.message.contains("https://evil.example"), "{}", e.message);
        let stuck = page(r#"{"maxResults":1,"values":[{"id":"a","url":"u","failureTime":20}]}"#);
        assert!(next_page(&params, &stuck, "https://acme.atlassian.net").is_err());
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
