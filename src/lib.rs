//! A client for Jira Cloud's dynamic webhooks REST API, compiled to WebAssembly for JavaScript.
//!
//! The core ([`client`], [`operations`], [`models`]) builds requests and parses responses without any I/O;
//! `transport` sends them with `fetch` and `exports` is the JavaScript API (both only on wasm32).
#![deny(missing_docs)]
// Errors are the cold path and carry Jira's messages by value; boxing them buys nothing measurable.
#![allow(clippy::result_large_err)]

pub mod client;
pub mod config;
pub mod connect_jwt;
pub mod date;
pub mod error;
pub mod models;
pub mod operations;
pub mod retry;

#[cfg(target_arch = "wasm32")]
pub mod exports;
#[cfg(target_arch = "wasm32")]
mod transport;

pub use client::{Client, HttpRequest, HttpResponse, Operation};
pub use config::{Auth, Config};
pub use error::{Error, ErrorKind, RateLimit};
pub use retry::RetryPolicy;
