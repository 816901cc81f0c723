//! The call engine: every decision about a call, with no I/O. [`Call`] drives one operation from its first
//! attempt to its result; [`RetryPolicy`] says what is sent again and when; [`OffsetPages`] and [`CursorPages`]
//! walk Jira's two kinds of pages.

mod call;
mod pages;
mod retry;
#[cfg(test)]
mod tests;

pub use call::{Action, Call, HttpRequest, HttpResponse, Method, Reply, Spec};
pub use pages::{CursorPages, OffsetPages};
pub use retry::{retry_after_ms, RetryPolicy};
