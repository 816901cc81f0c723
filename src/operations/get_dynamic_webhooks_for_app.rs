//! `GET /rest/api/{2|3}/webhook`: getDynamicWebhooksForApp.

use super::validate_max_results;
use crate::client::Operation;
use crate::error::Error;
use crate::models::PageBeanWebhook;
use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// Offset paging for getDynamicWebhooksForApp.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetDynamicWebhooksForAppParams {
    /// The index of the first item to return in a page of results (page offset). Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub start_at: Option<i64>,
    /// The maximum number of items to return per page. Default 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub max_results: Option<i32>,
}

/// Returns a page of the webhooks registered by the calling app.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GetDynamicWebhooksForApp(pub GetDynamicWebhooksForAppParams);

impl Operation for GetDynamicWebhooksForApp {
    const ID: &'static str = "getDynamicWebhooksForApp";
    const METHOD: &'static str = "GET";
    const PATH: &'static str = "/webhook";
    type Output = PageBeanWebhook;

    fn validate(&self) -> Result<(), Error> {
        if let Some(start) = self.0.start_at.filter(|s| *s < 0) {
            return Err(Error::invalid_input("startAt", format_args!("must be 0 or more, got {start}")));
        }
        validate_max_results(self.0.max_results)
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(v) = self.0.start_at {
            q.push(("startAt", v.to_string()));
        }
        if let Some(v) = self.0.max_results {
            q.push(("maxResults", v.to_string()));
        }
        q
    }
}

/// The params of the page after `page`, or `None` when `page` was the last. A server that does not move
/// forward (an empty page that claims not to be the last) is an error rather than an endless loop.
pub fn next_page(
    params: &GetDynamicWebhooksForAppParams,
    page: &PageBeanWebhook,
) -> Result<Option<GetDynamicWebhooksForAppParams>, Error> {
    let len = page.values.len() as i64;
    if len == 0 {
        return match page.is_last {
            Some(false) => Err(no_progress("an empty page that is not the last")),
            _ => Ok(None),
        };
    }
    let start = page.start_at.or(params.start_at).unwrap_or(0);
    if page.start_at.is_some_and(|s| s != params.start_at.unwrap_or(0)) {
        return Err(no_progress("a page that starts elsewhere than asked"));
    }
    let next = start + len;
    let page_size = page.max_results.or(params.max_results).map_or(100, i64::from);
    let last = match (page.is_last, page.total) {
        (Some(last), _) => last,
        (None, Some(total)) => next >= total,
        (None, None) => len < page_size,
    };
    Ok((!last).then_some(GetDynamicWebhooksForAppParams { start_at: Some(next), max_results: params.max_results }))
}

fn no_progress(what: &str) -> Error {
    let mut e = Error::decode(200, None, format!("getDynamicWebhooksForApp: Jira returned {what}; stopping the pages"));
    e.operation = Some("getDynamicWebhooksForApp");
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::tests::{client, response};
    use crate::ErrorKind;

    fn op(start_at: Option<i64>, max_results: Option<i32>) -> GetDynamicWebhooksForApp {
        GetDynamicWebhooksForApp(GetDynamicWebhooksForAppParams { start_at, max_results })
    }

    #[test]
    fn builds_paged_requests() {
        let c = client();
        let req = c.build(&op(None, None)).unwrap();
        assert_eq!(
            (req.method, req.url.as_str(), req.body),
            ("GET", "https://acme.atlassian.net/rest/api/2/webhook", None)
        );
        assert!(!req.headers.iter().any(|(k, _)| *k == "Content-Type"));
        assert_eq!(c.build(&op(Some(100), Some(50))).unwrap().path, "/rest/api/2/webhook?startAt=100&maxResults=50");
        assert_eq!(c.build(&op(None, Some(5))).unwrap().path, "/rest/api/2/webhook?maxResults=5");
    }

    fn page(json: &str) -> PageBeanWebhook {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn pages_follow_until_the_last() {
        let first = GetDynamicWebhooksForAppParams { start_at: None, max_results: Some(2) };
        let hooks = r#"[{"id":1,"events":[],"jqlFilter":"a"},{"id":2,"events":[],"jqlFilter":"b"}]"#;
        let p = page(&format!(r#"{{"startAt":0,"maxResults":2,"total":3,"isLast":false,"values":{hooks}}}"#));
        let next = next_page(&first, &p).unwrap().unwrap();
        assert_eq!((next.start_at, next.max_results), (Some(2), Some(2)));
        let p = page(
            r#"{"startAt":2,"maxResults":2,"total":3,"isLast":true,"values":[{"id":3,"events":[],"jqlFilter":"c"}]}"#,
        );
        assert_eq!(next_page(&next, &p).unwrap(), None);
        // Without isLast, total decides; without both, a short page is the last.
        let p = page(&format!(r#"{{"startAt":0,"total":2,"values":{hooks}}}"#));
        assert_eq!(next_page(&first, &p).unwrap(), None);
        let p = page(&format!(r#"{{"values":{hooks}}}"#));
        assert_eq!(next_page(&first, &p).unwrap().unwrap().start_at, Some(2));
        let p = page(r#"{"values":[{"id":3,"events":[],"jqlFilter":"c"}]}"#);
        assert_eq!(next_page(&first, &p).unwrap(), None);
    }

    #[test]
    fn a_server_that_does_not_move_forward_is_an_error() {
        let params = GetDynamicWebhooksForAppParams { start_at: Some(4), max_results: None };
        let e = next_page(&params, &page(r#"{"isLast":false,"values":[]}"#)).unwrap_err();
        assert!(e.message.contains("empty page"), "{}", e.message);
        let repeated = page(r#"{"startAt":0,"isLast":false,"values":[{"id":1,"events":[],"jqlFilter":"a"}]}"#);
        assert_eq!(next_page(&params, &repeated).unwrap_err().kind, ErrorKind::Decode);
        assert_eq!(next_page(&params, &page(r#"{"values":[]}"#)).unwrap(), None);
    }

    #[test]
    fn rejects_bad_paging() {
        assert_eq!(client().build(&op(Some(-1), None)).unwrap_err().path.as_deref(), Some("startAt"));
        for n in [0, 101, -1] {
            let e = client().build(&op(None, Some(n))).unwrap_err();
            assert_eq!((e.kind, e.path.as_deref()), (ErrorKind::InvalidInput, Some("maxResults")));
        }
        assert!(client().build(&op(None, Some(100))).is_ok());
    }

    #[test]
    fn wrong_types_are_decode_errors_with_the_json_path() {
        let body = r#"{"isLast":true,"values":[{"id":1,"events":[],"jqlFilter":"a"},{"id":"two","events":[],"jqlFilter":"b"}]}"#;
        let e = client().parse::<GetDynamicWebhooksForApp>(&response(200, body)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Decode);
        assert_eq!(e.path.as_deref(), Some("values[1].id"));
        assert_eq!(e.status, 200);
        assert_eq!(e.request_id.as_deref(), Some("req-1"));
        assert!(e.message.contains("getDynamicWebhooksForApp") && e.message.contains("values[1].id"), "{}", e.message);

        let e = client().parse::<GetDynamicWebhooksForApp>(&response(200, r#"{"values":[{"id":1}]}"#)).unwrap_err();
        assert!(e.message.contains("missing field `events`"), "{}", e.message);
        let e = client().parse::<GetDynamicWebhooksForApp>(&response(200, r#"{"values":[{"id":1,"#)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Decode);
        let e = client().parse::<GetDynamicWebhooksForApp>(&response(200, "[]")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Decode);
        let e = client().parse::<GetDynamicWebhooksForApp>(&response(200, "")).unwrap_err();
        assert!(e.message.contains("empty body"), "{}", e.message);
    }

    #[test]
    fn html_pages_are_never_mistaken_for_data() {
        let mut html = response(200, "<!DOCTYPE html><html><body>Log in to Atlassian</body></html>");
        html.content_type = Some("text/html;charset=UTF-8".into());
        let e = client().parse::<GetDynamicWebhooksForApp>(&html).unwrap_err();
        assert_eq!((e.kind, e.status), (ErrorKind::Decode, 200));
        assert!(e.message.contains("HTML page"), "{}", e.message);

        html.status = 502;
        let e = client().parse::<GetDynamicWebhooksForApp>(&html).unwrap_err();
        assert_eq!((e.kind, e.status), (ErrorKind::Http, 502));
        assert!(e.message.contains("HTML page") && e.message.contains("502 Bad Gateway"), "{}", e.message);
        assert!(e.error_messages.is_empty());
    }
}
