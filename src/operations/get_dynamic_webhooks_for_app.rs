//! `GET /rest/api/{2|3}/webhook`: getDynamicWebhooksForApp.

use super::{Operation, MAX_PAGE_SIZE};
use crate::decode::schema::MAX_SAFE_INTEGER;
use crate::decode::{model, to_json, Shape, Ty};
use crate::engine::{Method, Spec};
use crate::models::PageBeanWebhook;
use std::borrow::Cow;

model! {
    /// Offset paging for getDynamicWebhooksForApp.
    pub struct GetDynamicWebhooksForAppParams (true) {
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
pub struct GetDynamicWebhooksForApp(pub GetDynamicWebhooksForAppParams);

impl Operation for GetDynamicWebhooksForApp {
    const SPEC: Spec = Spec {
        id: "getDynamicWebhooksForApp",
        method: Method::Get,
        success: &[200],
        answer: Some(Ty::Obj(PageBeanWebhook::SHAPE)),
    };
    const PATH: &'static str = "/webhook";
    const INPUT: &'static Shape = GetDynamicWebhooksForAppParams::SHAPE;
    type Output = PageBeanWebhook;

    fn input(&self) -> Cow<'_, str> {
        Cow::Owned(to_json(&self.0))
    }

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
        GetDynamicWebhooksForApp(GetDynamicWebhooksForAppParams { start_at, max_results })
    }

    #[test]
    fn builds_paged_requests() {
        let c = client();
        let req = c.request(&op(None, None)).unwrap();
        assert_eq!(
            (req.method, req.url.as_str(), req.body),
            (Method::Get, "https://acme.atlassian.net/rest/api/2/webhook", None)
        );
        assert!(!req.headers.iter().any(|(k, _)| *k == "Content-Type"));
        assert_eq!(c.request(&op(Some(100), Some(50))).unwrap().path, "/rest/api/2/webhook?startAt=100&maxResults=50");
        assert_eq!(c.request(&op(None, Some(5))).unwrap().path, "/rest/api/2/webhook?maxResults=5");
    }

    #[test]
    fn rejects_bad_paging() {
        assert_eq!(client().request(&op(Some(-1), None)).unwrap_err().path.as_deref(), Some("startAt"));
        for n in [0, 101, -1] {
            let e = client().request(&op(None, Some(n))).unwrap_err();
            assert_eq!((e.kind, e.path.as_deref()), (ErrorKind::InvalidInput, Some("maxResults")));
        }
        assert!(client().request(&op(None, Some(100))).is_ok());
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
        let page: PageBeanWebhook = reply.read();
        assert_eq!(page.values[0].expiration_date, Some(1_559_392_950_000));
        let plain = r#"{"isLast":true,"values":[]}"#;
        assert_eq!(
            answer(&op(None, None), response(200, plain)).unwrap().patched,
            None,
            "no copy when nothing changes"
        );
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

    use crate::engine::HttpResponse;
}
