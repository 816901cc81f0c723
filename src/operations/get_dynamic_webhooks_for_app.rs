//! `GET /rest/api/{2|3}/webhook`: getDynamicWebhooksForApp.

use super::{check_param, Operation, MAX_PAGE_SIZE};
use crate::decode::schema::MAX_SAFE_INTEGER;
use crate::decode::{model, Ty};
use crate::error::Error;
use crate::http::Method;
use crate::models::PageBeanWebhook;

model! {
    /// Offset paging for getDynamicWebhooksForApp.
    pub struct GetDynamicWebhooksForAppParams [closed] {
        /// The index of the first item to return in a page of results (page offset). Default 0.
        #[tsify(optional)]
        start_at "startAt": Option<i64> = Ty::Range(0, MAX_SAFE_INTEGER),
        /// The maximum number of items to return per page, 1 to 100. Default 100.
        #[tsify(optional)]
        max_results "maxResults": Option<i64> = Ty::Range(1, MAX_PAGE_SIZE),
    }
}

/// Returns a page of the webhooks registered by the calling app.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GetDynamicWebhooksForApp(GetDynamicWebhooksForAppParams);

impl GetDynamicWebhooksForApp {
    /// The page `params` ask for.
    pub fn new(params: GetDynamicWebhooksForAppParams) -> Result<Self, Error> {
        check_param::<GetDynamicWebhooksForAppParams>(Self::ID, "startAt", params.start_at)?;
        check_param::<GetDynamicWebhooksForAppParams>(Self::ID, "maxResults", params.max_results)?;
        Ok(GetDynamicWebhooksForApp(params))
    }

    /// Parameters the edge's generated validator has checked.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn checked(params: GetDynamicWebhooksForAppParams) -> Self {
        GetDynamicWebhooksForApp(params)
    }

    /// The page of the same size from `start_at` on (a start the paging computed: past the pages that arrived).
    pub(crate) fn starting_at(&self, start_at: i64) -> Self {
        GetDynamicWebhooksForApp(GetDynamicWebhooksForAppParams { start_at: Some(start_at), ..self.0.clone() })
    }

    /// The paging parameters.
    pub fn params(&self) -> &GetDynamicWebhooksForAppParams {
        &self.0
    }
}

impl Operation for GetDynamicWebhooksForApp {
    const ID: &'static str = "getDynamicWebhooksForApp";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/webhook";
    type Input = GetDynamicWebhooksForAppParams;
    type Output = PageBeanWebhook;

    fn query(&self) -> Vec<(&'static str, i64)> {
        let mut q = Vec::new();
        q.extend(self.0.start_at.map(|v| ("startAt", v)));
        q.extend(self.0.max_results.map(|v| ("maxResults", v)));
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::tests::{answer, client, response};
    use crate::ErrorKind;

    fn op(start_at: Option<i64>, max_results: Option<i64>) -> GetDynamicWebhooksForApp {
        GetDynamicWebhooksForApp::new(GetDynamicWebhooksForAppParams { start_at, max_results }).unwrap()
    }

    fn invalid(start_at: Option<i64>, max_results: Option<i64>) -> Error {
        GetDynamicWebhooksForApp::new(GetDynamicWebhooksForAppParams { start_at, max_results }).unwrap_err()
    }

    #[test]
    fn builds_paged_requests() {
        let c = client();
        let req = c.request(&op(None, None));
        assert_eq!(
            (req.method, req.url.as_str(), req.body),
            (Method::Get, "https://acme.atlassian.net/rest/api/2/webhook", None)
        );
        assert!(!req.headers.iter().any(|(k, _)| *k == "Content-Type"));
        assert_eq!(c.request(&op(Some(100), Some(50))).path, "/rest/api/2/webhook?startAt=100&maxResults=50");
        assert_eq!(c.request(&op(None, Some(5))).path, "/rest/api/2/webhook?maxResults=5");
    }

    #[test]
    fn rejects_bad_paging() {
        assert_eq!(invalid(Some(-1), None).path.as_deref(), Some("startAt"));
        for n in [0, 101, -1] {
            let e = invalid(None, Some(n));
            assert_eq!((e.kind, e.path.as_deref()), (ErrorKind::InvalidInput, Some("maxResults")));
            assert_eq!(e.operation, Some("getDynamicWebhooksForApp"));
        }
        assert!(GetDynamicWebhooksForApp::new(GetDynamicWebhooksForAppParams {
            start_at: None,
            max_results: Some(100)
        })
        .is_ok());
    }

    #[test]
    fn wrong_types_are_decode_errors_with_the_json_path() {
        let body = r#"{"isLast":true,"values":[{"id":1,"events":[],"jqlFilter":"a"},{"id":"two","events":[],"jqlFilter":"b"}]}"#;
        let e = answer(&op(None, None), response(200, body)).unwrap_err();
        assert_eq!((e.kind, e.path.as_deref(), e.status), (ErrorKind::Decode, Some("values[1].id"), 200));
        assert_eq!(e.request_id.as_deref(), Some("req-1"));
        assert!(e.message.contains("getDynamicWebhooksForApp") && e.message.contains("values[1].id"), "{}", e.message);

        let e = answer(&op(None, None), response(200, r#"{"values":[{"id":1}]}"#)).unwrap_err();
        assert_eq!(e.path.as_deref(), Some("values[0].events"));
        assert!(e.message.contains("is missing"), "{}", e.message);
        let e = answer(&op(None, None), response(200, r#"{"values":[{"id":1,"#)).unwrap_err();
        assert!(e.kind == ErrorKind::Decode && e.message.contains("is not JSON"), "{}", e.message);
        let e = answer(&op(None, None), response(200, "[]")).unwrap_err();
        assert!(e.message.contains("expected an object"), "{}", e.message);
        let e = answer(&op(None, None), response(200, "")).unwrap_err();
        assert!(e.message.contains("empty body"), "{}", e.message);
    }

    /// Defect: ids above 2^53 − 1 were silently rounded, so a refresh or delete would target another webhook.
    #[test]
    fn ids_javascript_cannot_hold_exactly_are_decode_errors() {
        let body =
            r#"{"isLast":true,"values":[{"id":9007199254740993,"events":["jira:issue_created"],"jqlFilter":"a"}]}"#;
        let e = answer(&op(None, None), response(200, body)).unwrap_err();
        assert_eq!((e.kind, e.path.as_deref()), (ErrorKind::Decode, Some("values[0].id")));
        assert!(e.message.contains("2^53"), "{}", e.message);
        let ok = r#"{"isLast":true,"values":[{"id":9007199254740991,"events":[],"jqlFilter":"a"}]}"#;
        assert!(answer(&op(None, None), response(200, ok)).is_ok());
    }

    #[test]
    fn string_dates_become_milliseconds_in_the_text_handed_on() {
        let body = r#"{"isLast":true,"values":[{"id":1,"events":[],"jqlFilter":"a","expirationDate":"2019-06-01T12:42:30.000+0000"}]}"#;
        let reply = answer(&op(None, None), response(200, body)).unwrap();
        assert_eq!(
            reply.text(),
            r#"{"isLast":true,"values":[{"id":1,"events":[],"jqlFilter":"a","expirationDate":1559392950000}]}"#
        );
        let page: PageBeanWebhook = reply.output::<GetDynamicWebhooksForApp>();
        assert_eq!(page.values[0].expiration_date, Some(1_559_392_950_000));
        let plain = r#"{"isLast":true,"values":[]}"#;
        assert_eq!(answer(&op(None, None), response(200, plain)).unwrap().text(), plain);
    }

    #[test]
    fn html_pages_are_never_mistaken_for_data() {
        let mut html = response(200, "<!DOCTYPE html><html><body>Log in to Atlassian</body></html>");
        html.content_type = Some("text/html;charset=UTF-8".into());
        let e = answer(&op(None, None), html.clone()).unwrap_err();
        assert_eq!((e.kind, e.status), (ErrorKind::Decode, 200));
        assert!(e.message.contains("HTML page"), "{}", e.message);

        html.status = 502;
        let e = answer(&op(None, None), html).unwrap_err();
        assert_eq!((e.kind, e.status), (ErrorKind::Http, 502));
        assert!(e.message.contains("HTML page") && e.message.contains("502 Bad Gateway"), "{}", e.message);
        assert!(e.error_messages.is_empty());
        let relabelled = HttpResponse { content_type: Some("text/plain".into()), ..response(200, r#"{"values":[]}"#) };
        assert!(answer(&op(None, None), relabelled).is_ok(), "valid JSON whatever the content type");
    }

    use crate::http::HttpResponse;
}
