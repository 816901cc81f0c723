//! The call engine: every decision about a call, with no I/O. [`Call`] drives one operation from its first
//! attempt to its result; [`RetryPolicy`](crate::config::RetryPolicy)'s `delay` says what is sent again and when;
//! [`OffsetPages`] and [`CursorPages`] walk Jira's two kinds of pages, [`Items`] an iterator through their items.

mod call;
mod pages;
mod retry;
#[cfg(test)]
mod tests;

pub use call::{Action, Call, Expect, Reply};
pub use pages::{CursorPages, ItemStep, Items, OffsetPages, PageFacts, Pages};
pub use retry::retry_after_ms;
