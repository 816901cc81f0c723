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
