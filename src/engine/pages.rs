//! Paging: where the next page starts and when to stop, for the offset pages of getDynamicWebhooksForApp and
//! the cursor of getFailedWebhooks. A server that does not move forward is an error, never an endless loop. The
//! position moves only when a page arrived, so a failed page is asked for again.

use super::call::Reply;
use crate::decode::Doc;
use crate::error::Error;
use crate::operations::{
    GetDynamicWebhooksForApp, GetDynamicWebhooksForAppParams, GetFailedWebhooks, GetFailedWebhooksParams, Operation,
};
use crate::text::cat;

/// The pages of getDynamicWebhooksForApp, from the first asked for to the last.
#[derive(Clone, Debug, PartialEq)]
pub struct OffsetPages {
    next: Option<GetDynamicWebhooksForAppParams>,
}

impl OffsetPages {
    /// Pages from `first` on.
    pub fn new(first: GetDynamicWebhooksForAppParams) -> Self {
        OffsetPages { next: Some(first) }
    }

    /// The operation that fetches the next page, or `None` after the last.
    pub fn next(&self) -> Option<GetDynamicWebhooksForApp> {
        self.next.clone().map(GetDynamicWebhooksForApp)
    }

    /// Moves past the page `reply` holds (the answer to [`OffsetPages::next`]).
    pub fn advance(&mut self, reply: &Reply) -> Result<(), Error> {
        let Some(params) = &self.next else { return Ok(()) };
        let doc = Doc::parse(reply.text()).map_err(|_| no_progress("an unreadable page"))?;
        let page = doc.root();
        let int = |name| page.get(name).and_then(|v| v.as_i64());
        let len = page.get("values").map_or(0, |v| v.len()) as i64;
        let is_last = page.get("isLast").and_then(|v| v.as_bool());
        let asked = params.start_at.unwrap_or(0);
        if len == 0 {
            if is_last == Some(false) {
                return Err(no_progress("an empty page that is not the last"));
            }
            self.next = None;
            return Ok(());
        }
        if int("startAt").is_some_and(|s| s != asked) {
            return Err(no_progress("a page that starts elsewhere than asked"));
        }
        let next = asked + len;
        let page_size = int("maxResults").or(params.max_results).unwrap_or(100);
        let last = match (is_last, int("total")) {
            (Some(last), _) => last,
            (None, Some(total)) => next >= total,
            (None, None) => len < page_size,
        };
        self.next = (!last).then_some(GetDynamicWebhooksForAppParams { start_at: Some(next), ..params.clone() });
        Ok(())
    }
}

fn no_progress(what: &str) -> Error {
    let id = GetDynamicWebhooksForApp::SPEC.id;
    let mut e = Error::decode(200, None, cat!(id, ": Jira returned ", what, "; stopping the pages"));
    e.operation = Some(id);
    e
}

/// The failed deliveries of getFailedWebhooks, oldest first, following the last failure's time. The `next` link
/// of an answer is never followed (it would need the credentials sent to wherever it points).
#[derive(Clone, Debug, PartialEq)]
pub struct CursorPages {
    next: Option<GetFailedWebhooksParams>,
}

impl CursorPages {
    /// Failures after `first.after` on.
    pub fn new(first: GetFailedWebhooksParams) -> Self {
        CursorPages { next: Some(first) }
    }

    /// The operation that fetches the next page, or `None` when there is nothing more now.
    pub fn next(&self) -> Option<GetFailedWebhooks> {
        self.next.clone().map(GetFailedWebhooks)
    }

    /// Moves past the page `reply` holds (the answer to [`CursorPages::next`]).
    pub fn advance(&mut self, reply: &Reply) -> Result<(), Error> {
        let Some(params) = &self.next else { return Ok(()) };
        let id = GetFailedWebhooks::SPEC.id;
        let stuck = || {
            let mut e = Error::decode(
                200,
                None,
                cat!(id, ": Jira returned failures no newer than the cursor; stopping the pages"),
            );
            e.operation = Some(id);
            e
        };
        let doc = Doc::parse(reply.text()).map_err(|_| stuck())?;
        let page = doc.root();
        let values = page.get("values");
        let count = values.map_or(0, |v| v.len());
        let last = values.and_then(|v| v.items().last()).and_then(|v| v.get("failureTime")).and_then(|t| t.as_i64());
        let Some(last) = last else {
            self.next = None;
            return Ok(());
        };
        if params.after.is_some_and(|after| last <= after) {
            return Err(stuck());
        }
        let max = page.get("maxResults").and_then(|v| v.as_i64()).unwrap_or(i64::MAX);
        self.next = (count as i64 >= max).then_some(GetFailedWebhooksParams { after: Some(last), ..params.clone() });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn reply(body: &str) -> Reply {
        Reply { status: 200, body: body.into(), patched: None, attempts: 1 }
    }

    const TWO: &str = r#"[{"id":1,"events":[],"jqlFilter":"a"},{"id":2,"events":[],"jqlFilter":"b"}]"#;

    #[test]
    fn offset_pages_follow_until_the_last() {
        let mut pages = OffsetPages::new(GetDynamicWebhooksForAppParams { start_at: None, max_results: Some(2) });
        pages
            .advance(&reply(&format!(r#"{{"startAt":0,"maxResults":2,"total":3,"isLast":false,"values":{TWO}}}"#)))
            .unwrap();
        assert_eq!(pages.next().unwrap().0, GetDynamicWebhooksForAppParams { start_at: Some(2), max_results: Some(2) });
        pages
            .advance(&reply(r#"{"startAt":2,"total":3,"isLast":true,"values":[{"id":3,"events":[],"jqlFilter":"c"}]}"#))
            .unwrap();
        assert_eq!(pages.next(), None);
    }

    #[test]
    fn without_is_last_total_decides_and_without_both_a_short_page() {
        let first = GetDynamicWebhooksForAppParams { start_at: None, max_results: Some(2) };
        let mut pages = OffsetPages::new(first.clone());
        pages.advance(&reply(&format!(r#"{{"startAt":0,"total":2,"values":{TWO}}}"#))).unwrap();
        assert_eq!(pages.next(), None);
        let mut pages = OffsetPages::new(first.clone());
        pages.advance(&reply(&format!(r#"{{"values":{TWO}}}"#))).unwrap();
        assert_eq!(pages.next().unwrap().0.start_at, Some(2));
        let mut pages = OffsetPages::new(first);
        pages.advance(&reply(r#"{"values":[{"id":3,"events":[],"jqlFilter":"c"}]}"#)).unwrap();
        assert_eq!(pages.next(), None);
    }

    #[test]
    fn a_server_that_does_not_move_forward_is_an_error() {
        let at4 = GetDynamicWebhooksForAppParams { start_at: Some(4), max_results: None };
        let e = OffsetPages::new(at4.clone()).advance(&reply(r#"{"isLast":false,"values":[]}"#)).unwrap_err();
        assert!(e.message.contains("empty page"), "{}", e.message);
        let repeated = reply(r#"{"startAt":0,"isLast":false,"values":[{"id":1,"events":[],"jqlFilter":"a"}]}"#);
        assert_eq!(OffsetPages::new(at4.clone()).advance(&repeated).unwrap_err().kind, ErrorKind::Decode);
        let mut pages = OffsetPages::new(at4);
        pages.advance(&reply(r#"{"values":[]}"#)).unwrap();
        assert_eq!(pages.next(), None);
    }

    #[test]
    fn cursor_pages_follow_the_last_failure_time() {
        let mut pages = CursorPages::new(GetFailedWebhooksParams { max_results: Some(2), after: None });
        pages
            .advance(&reply(
                r#"{"maxResults":2,"next":"https://elsewhere.example/rest/api/2/webhook/failed?failedAfter=20",
                    "values":[{"id":"a","url":"u","failureTime":10},{"id":"b","url":"u","failureTime":20}]}"#,
            ))
            .unwrap();
        assert_eq!(pages.next().unwrap().0, GetFailedWebhooksParams { max_results: Some(2), after: Some(20) });
        pages.advance(&reply(r#"{"maxResults":2,"values":[{"id":"c","url":"u","failureTime":30}]}"#)).unwrap();
        assert_eq!(pages.next(), None);
        let mut pages = CursorPages::new(GetFailedWebhooksParams::default());
        pages.advance(&reply(r#"{"maxResults":2,"values":[]}"#)).unwrap();
        assert_eq!(pages.next(), None);
    }

    #[test]
    fn a_cursor_that_does_not_advance_is_an_error() {
        let mut pages = CursorPages::new(GetFailedWebhooksParams { max_results: None, after: Some(20) });
        let stuck = reply(r#"{"maxResults":1,"values":[{"id":"a","url":"u","failureTime":20}]}"#);
        assert_eq!(pages.advance(&stuck).unwrap_err().kind, ErrorKind::Decode);
        assert_eq!(pages.next().unwrap().0.after, Some(20), "the position did not move");
    }
}
