//! The iterators' side in Rust: `pages.js` asks a [`Pager`] what comes next (an item of the page in hand, a page
//! to fetch, the end) and reports each page that arrived; the walk itself is the core's ([`Items`]).

use super::client::{call, CallHandle};
use super::values::error_to_js;
use crate::engine::{CursorPages, ItemStep, Items, OffsetPages, PageFacts, Pages};
use crate::error::Error;
use crate::Client;
use wasm_bindgen::prelude::*;

/// Which pages a pager walks.
enum Walk {
    Offset(Items<OffsetPages>),
    Cursor(Items<CursorPages>),
}

/// What `next` answers: an item's index, or one of these.
const DONE: i32 = -1;
const FETCH: i32 = -2;

/// One iterator's walk through the pages of a listing.
#[wasm_bindgen(skip_typescript)]
pub struct Pager {
    client: Client,
    walk: Walk,
    timeout_ms: Option<f64>,
    /// The call that fetches the page asked for, made by `next` and handed out by `fetch`.
    pending: Option<Result<CallHandle, Error>>,
}

impl Pager {
    pub(super) fn offset(client: Client, items: Items<OffsetPages>, timeout_ms: Option<f64>) -> Pager {
        Pager { client, walk: Walk::Offset(items), timeout_ms, pending: None }
    }

    pub(super) fn cursor(client: Client, items: Items<CursorPages>, timeout_ms: Option<f64>) -> Pager {
        Pager { client, walk: Walk::Cursor(items), timeout_ms, pending: None }
    }

    fn step<P: Pages>(&mut self, step: ItemStep<P::Op>, session: &JsValue) -> i32 {
        match step {
            ItemStep::Item(i) => i32::try_from(i).unwrap_or(DONE),
            ItemStep::Done => DONE,
            ItemStep::Fetch(op) => {
                self.pending = Some(call(&self.client, &op, self.timeout_ms, session));
                FETCH
            }
        }
    }
}

#[wasm_bindgen]
impl Pager {
    /// What comes next: the index of an item of the page in hand, −1 for the end, −2 for a page to `fetch`.
    pub fn next(&mut self, session: &JsValue) -> i32 {
        match &mut self.walk {
            Walk::Offset(items) => {
                let step = items.next();
                self.step::<OffsetPages>(step, session)
            }
            Walk::Cursor(items) => {
                let step = items.next();
                self.step::<CursorPages>(step, session)
            }
        }
    }

    /// The call that fetches the page `next` asked for.
    pub fn fetch(&mut self) -> Result<CallHandle, JsValue> {
        let pending =
            self.pending.take().unwrap_or_else(|| Err(Error::new(crate::ErrorKind::Decode, "no page asked for")));
        pending.map_err(|e| error_to_js(&e))
    }

    /// The page asked for arrived: its item count and paging fields (checked by the page's validator), `NaN`
    /// where the page has none; `is_last` is 1 or 0.
    pub fn on_page(
        &mut self,
        len: u32,
        start_at: f64,
        max_results: f64,
        total: f64,
        is_last: f64,
        last_failure_time: f64,
    ) -> Result<(), JsValue> {
        let int = |n: f64| (!n.is_nan()).then_some(n as i64);
        let facts = PageFacts {
            len: len as usize,
            start_at: int(start_at),
            max_results: int(max_results),
            total: int(total),
            is_last: int(is_last).map(|n| n != 0),
            last_failure_time: int(last_failure_time),
        };
        let advanced = match &mut self.walk {
            Walk::Offset(items) => items.on_page(&facts),
            Walk::Cursor(items) => items.on_page(&facts),
        };
        advanced.map_err(|e| error_to_js(&e))
    }
}
