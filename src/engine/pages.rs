//! Paging: where the next page starts and when to stop, for the offset pages of getDynamicWebhooksForApp and
//! the cursor of getFailedWebhooks, and an iterator's walk through the items of those pages ([`Items`]). A server
//! that does not move forward is an error, never an endless loop. The position moves only when a page arrived, so
//! a failed page is asked for again.

use crate::error::Error;
use crate::models::{FailedWebhooks, PageBeanWebhook};
use crate::operations::{GetDynamicWebhooksForApp, GetFailedWebhooks, Operation};
use crate::text::cat;

/// What paging needs to know of a page that arrived: how many items it has, and its paging fields.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PageFacts {
    /// How many items (`values.length`).
    pub len: usize,
    /// `startAt` (offset pages).
    pub start_at: Option<i64>,
    /// `maxResults`.
    pub max_results: Option<i64>,
    /// `total` (offset pages).
    pub total: Option<i64>,
    /// `isLast` (offset pages).
    pub is_last: Option<bool>,
    /// The last item's `failureTime` (cursor pages).
    pub last_failure_time: Option<i64>,
}

impl PageFacts {
    /// The facts of a page of webhooks.
    pub fn of_webhooks(page: &PageBeanWebhook) -> Self {
        PageFacts {
            len: page.values.len(),
            start_at: page.start_at,
            max_results: page.max_results.map(i64::from),
            total: page.total,
            is_last: page.is_last,
            last_failure_time: None,
        }
    }

    /// The facts of a page of failed deliveries.
    pub fn of_failures(page: &FailedWebhooks) -> Self {
        PageFacts {
            len: page.values.len(),
            max_results: Some(i64::from(page.max_results)),
            last_failure_time: page.values.last().map(|f| f.failure_time),
            ..PageFacts::default()
        }
    }
}

/// Jira's pages of one kind.
pub trait Pages {
    /// The operation that fetches a page.
    type Op: Operation;
    /// The operation that fetches the next page, or `None` after the last.
    fn next(&self) -> Option<Self::Op>;
    /// Moves past the page that arrived (the answer to [`Pages::next`]).
    fn advance(&mut self, page: &PageFacts) -> Result<(), Error>;
}

/// The pages of getDynamicWebhooksForApp, from the first asked for to the last.
#[derive(Clone, Debug, PartialEq)]
pub struct OffsetPages {
    next: Option<GetDynamicWebhooksForApp>,
}

impl OffsetPages {
    /// Pages from `first` on.
    pub fn new(first: GetDynamicWebhooksForApp) -> Self {
        OffsetPages { next: Some(first) }
    }
}

impl Pages for OffsetPages {
    type Op = GetDynamicWebhooksForApp;

    fn next(&self) -> Option<GetDynamicWebhooksForApp> {
        self.next.clone()
    }

    fn advance(&mut self, page: &PageFacts) -> Result<(), Error> {
        let Some(op) = &self.next else { return Ok(()) };
        let params = op.params();
        let len = page.len as i64;
        let asked = params.start_at.unwrap_or(0);
        if len == 0 {
            if page.is_last == Some(false) {
                return Err(no_progress("an empty page that is not the last"));
            }
            self.next = None;
            return Ok(());
        }
        if page.start_at.is_some_and(|s| s != asked) {
            return Err(no_progress("a page that starts elsewhere than asked"));
        }
        let next = asked + len;
        let page_size = page.max_results.or(params.max_results).unwrap_or(100);
        let last = match (page.is_last, page.total) {
            (Some(last), _) => last,
            (None, Some(total)) => next >= total,
            (None, None) => len < page_size,
        };
        self.next = if last { None } else { Some(op.starting_at(next)) };
        Ok(())
    }
}

fn no_progress(what: &str) -> Error {
    let id = GetDynamicWebhooksForApp::ID;
    let mut e = Error::decode(200, None, cat!(id, ": Jira returned ", what, "; stopping the pages"));
    e.operation = Some(id);
    e
}

/// The failed deliveries of getFailedWebhooks, oldest first, following the last failure's time. The `next` link
/// of an answer is never followed (it would need the credentials sent to wherever it points).
#[derive(Clone, Debug, PartialEq)]
pub struct CursorPages {
    next: Option<GetFailedWebhooks>,
}

impl CursorPages {
    /// Failures after `first`'s `after` on.
    pub fn new(first: GetFailedWebhooks) -> Self {
        CursorPages { next: Some(first) }
    }
}

impl Pages for CursorPages {
    type Op = GetFailedWebhooks;

    fn next(&self) -> Option<GetFailedWebhooks> {
        self.next.clone()
    }

    fn advance(&mut self, page: &PageFacts) -> Result<(), Error> {
        let Some(op) = &self.next else { return Ok(()) };
        let params = op.params();
        let Some(last) = page.last_failure_time.filter(|_| page.len > 0) else {
            self.next = None;
            return Ok(());
        };
        let what = if last < 0 {
            "a failure time before 1970"
        } else if params.after.is_some_and(|after| last <= after) {
            "failures no newer than the cursor"
        } else {
            let max = page.max_results.unwrap_or(i64::MAX);
            self.next = (page.len as i64 >= max).then(|| op.after(last));
            return Ok(());
        };
        let id = GetFailedWebhooks::ID;
        let mut e = Error::decode(200, None, cat!(id, ": Jira returned ", what, "; stopping the pages"));
        e.operation = Some(id);
        Err(e)
    }
}

/// What an iterator does next.
#[derive(Debug, PartialEq)]
pub enum ItemStep<O> {
    /// Hand out the item at this index of the page in hand.
    Item(usize),
    /// Fetch this page, then report it with [`Items::on_page`].
    Fetch(O),
    /// Every item of every page has been handed out.
    Done,
}

/// An iterator's walk through the items of `P`: the page in hand, the position in it (moved only when an item is
/// handed out), and the next page asked for only when the page in hand is used up.
#[derive(Clone, Debug, PartialEq)]
pub struct Items<P> {
    pages: P,
    len: usize,
    at: usize,
}

impl<P: Pages> Items<P> {
    /// The items of `pages`, from their first page on.
    pub fn new(pages: P) -> Self {
        Items { pages, len: 0, at: 0 }
    }

    /// What to do next.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> ItemStep<P::Op> {
        if self.at < self.len {
            self.at += 1;
            return ItemStep::Item(self.at - 1);
        }
        match self.pages.next() {
            Some(op) => ItemStep::Fetch(op),
            None => ItemStep::Done,
        }
    }

    /// The page asked for arrived: its items are the ones handed out next. A page that did not arrive is never
    /// reported, so the next step asks for it again.
    pub fn on_page(&mut self, page: &PageFacts) -> Result<(), Error> {
        self.pages.advance(page)?;
        self.len = page.len;
        self.at = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::{GetDynamicWebhooksForAppParams, GetFailedWebhooksParams};
    use crate::ErrorKind;

    fn offset(body: &str) -> PageFacts {
        PageFacts::of_webhooks(&crate::models::tests::read(body, PageBeanWebhook::SHAPE))
    }

    fn cursor(body: &str) -> PageFacts {
        PageFacts::of_failures(&crate::models::tests::read(body, FailedWebhooks::SHAPE))
    }

    fn list(start_at: Option<i64>, max_results: Option<i64>) -> OffsetPages {
        OffsetPages::new(
            GetDynamicWebhooksForApp::new(GetDynamicWebhooksForAppParams { start_at, max_results }).unwrap(),
        )
    }

    fn failed(max_results: Option<i64>, after: Option<i64>) -> CursorPages {
        CursorPages::new(GetFailedWebhooks::new(GetFailedWebhooksParams { max_results, after }).unwrap())
    }

    const TWO: &str = r#"[{"id":1,"events":[],"jqlFilter":"a"},{"id":2,"events":[],"jqlFilter":"b"}]"#;

    #[test]
    fn offset_pages_follow_until_the_last() {
        let mut pages = list(None, Some(2));
        pages
            .advance(&offset(&format!(r#"{{"startAt":0,"maxResults":2,"total":3,"isLast":false,"values":{TWO}}}"#)))
            .unwrap();
        assert_eq!(
            pages.next().unwrap().params().clone(),
            GetDynamicWebhooksForAppParams { start_at: Some(2), max_results: Some(2) }
        );
        pages
            .advance(&offset(
                r#"{"startAt":2,"total":3,"isLast":true,"values":[{"id":3,"events":[],"jqlFilter":"c"}]}"#,
            ))
            .unwrap();
        assert_eq!(pages.next(), None);
    }

    #[test]
    fn without_is_last_total_decides_and_without_both_a_short_page() {
        let mut pages = list(None, Some(2));
        pages.advance(&offset(&format!(r#"{{"startAt":0,"total":2,"values":{TWO}}}"#))).unwrap();
        assert_eq!(pages.next(), None);
        let mut pages = list(None, Some(2));
        pages.advance(&offset(&format!(r#"{{"values":{TWO}}}"#))).unwrap();
        assert_eq!(pages.next().unwrap().params().start_at, Some(2));
        let mut pages = list(None, Some(2));
        pages.advance(&offset(r#"{"values":[{"id":3,"events":[],"jqlFilter":"c"}]}"#)).unwrap();
        assert_eq!(pages.next(), None);
    }

    #[test]
    fn a_server_that_does_not_move_forward_is_an_error() {
        let e = list(Some(4), None).advance(&offset(r#"{"isLast":false,"values":[]}"#)).unwrap_err();
        assert!(e.message.contains("empty page"), "{}", e.message);
        let repeated = offset(r#"{"startAt":0,"isLast":false,"values":[{"id":1,"events":[],"jqlFilter":"a"}]}"#);
        assert_eq!(list(Some(4), None).advance(&repeated).unwrap_err().kind, ErrorKind::Decode);
        let mut pages = list(Some(4), None);
        pages.advance(&offset(r#"{"values":[]}"#)).unwrap();
        assert_eq!(pages.next(), None);
    }

    #[test]
    fn cursor_pages_follow_the_last_failure_time() {
        let mut pages = failed(Some(2), None);
        pages
            .advance(&cursor(
                r#"{"maxResults":2,"next":"https://elsewhere.example/rest/api/2/webhook/failed?failedAfter=20",
                    "values":[{"id":"a","url":"u","failureTime":10},{"id":"b","url":"u","failureTime":20}]}"#,
            ))
            .unwrap();
        assert_eq!(
            pages.next().unwrap().params().clone(),
            GetFailedWebhooksParams { max_results: Some(2), after: Some(20) }
        );
        pages.advance(&cursor(r#"{"maxResults":2,"values":[{"id":"c","url":"u","failureTime":30}]}"#)).unwrap();
        assert_eq!(pages.next(), None);
        let mut pages = failed(None, None);
        pages.advance(&cursor(r#"{"maxResults":2,"values":[]}"#)).unwrap();
        assert_eq!(pages.next(), None);
    }

    #[test]
    fn a_cursor_that_does_not_advance_is_an_error() {
        let mut pages = failed(None, Some(20));
        let stuck = cursor(r#"{"maxResults":1,"values":[{"id":"a","url":"u","failureTime":20}]}"#);
        assert_eq!(pages.advance(&stuck).unwrap_err().kind, ErrorKind::Decode);
        assert_eq!(pages.next().unwrap().params().after, Some(20), "the position did not move");
        // A failure time before 1970 cannot be the next cursor (`after` is 0 or more): Jira's answer is at fault.
        let mut pages = failed(Some(1), None);
        let before_1970 = cursor(r#"{"maxResults":1,"values":[{"id":"a","url":"u","failureTime":-5}]}"#);
        let e = pages.advance(&before_1970).unwrap_err();
        assert_eq!((e.kind, e.operation), (ErrorKind::Decode, Some("getFailedWebhooks")));
        assert!(e.message.contains("before 1970"), "{}", e.message);
    }

    /// The iterator's item cursor: items of the page in hand first, then the next page, and a page that failed
    /// (never reported) asked for again.
    #[test]
    fn items_walk_the_pages_and_ask_again_for_a_page_that_failed() {
        let mut items = Items::new(list(None, Some(2)));
        let first = match items.next() {
            ItemStep::Fetch(op) => op,
            other => panic!("expected a fetch, got {other:?}"),
        };
        assert_eq!(first.params().start_at, None);
        items.on_page(&offset(&format!(r#"{{"startAt":0,"maxResults":2,"isLast":false,"values":{TWO}}}"#))).unwrap();
        assert_eq!([items.next(), items.next()], [ItemStep::Item(0), ItemStep::Item(1)]);
        let ItemStep::Fetch(second) = items.next() else { panic!("expected the second page") };
        assert_eq!(second.params().start_at, Some(2));
        let ItemStep::Fetch(again) = items.next() else { panic!("expected the second page again") };
        assert_eq!(again, second, "it failed: asked for again, the position unmoved");
        items
            .on_page(&offset(r#"{"startAt":2,"isLast":true,"values":[{"id":3,"events":[],"jqlFilter":"c"}]}"#))
            .unwrap();
        assert_eq!([items.next(), items.next()], [ItemStep::Item(0), ItemStep::Done]);
    }
}
