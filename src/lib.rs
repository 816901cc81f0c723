//! A client for Jira Cloud's dynamic webhooks REST API, compiled to WebAssembly for JavaScript.
//!
//! The core holds every decision and does no I/O: [`Client`] builds each operation's request, [`Call`] decides
//! what a call does next (send, wait, ask for a token, finish) and [`OffsetPages`] / [`CursorPages`] walk the
//! pages. A driver performs the actions: on wasm32 that is `js/`, with the runtime's `fetch` and timers.
#![deny(missing_docs)]
// Errors are the cold path and carry Jira's messages by value; boxing them buys nothing measurable.
#![allow(clippy::result_large_err)]

mod auth;
mod client;
#[cfg(not(target_arch = "wasm32"))]
pub mod codegen;
mod config;
mod decode;
mod engine;
mod error;
#[cfg(feature = "lifecycle")]
mod lifecycle;
mod models;
mod operations;
#[cfg(feature = "lifecycle")]
mod payloads;
mod text;

#[cfg(target_arch = "wasm32")]
mod js;

pub use auth::connect_jwt;
#[cfg(feature = "lifecycle")]
pub use auth::verify::Jwt;
pub use client::Client;
pub use config::{Auth, BasicAuth, BearerAuth, Config, ConnectAuth, JiraWebhooksConfig, NoAuth};
pub use decode::{FromJson, ToJson};
pub use engine::{
    retry_after_ms, Action, Call, CursorPages, HttpRequest, HttpResponse, Method, OffsetPages, Reply, RetryPolicy,
};
pub use error::{Error, ErrorKind, RateLimit};
#[cfg(feature = "lifecycle")]
pub use lifecycle::deliveries::{
    connect_client_key, credential, dedupe_key, delivery, replayed_request, verify as verify_delivery, Credential,
    DeliveryLog, DeliveryRequest, Handled, VerifyOptions, REMEMBER_MS,
};
#[cfg(feature = "lifecycle")]
pub use lifecycle::jql;
#[cfg(feature = "lifecycle")]
pub use lifecycle::sync::{
    plan, validate as validate_desired, CreatedWebhook, DesiredWebhooks, FailedRegistration, KeepAliveOptions,
    KeepAliveResult, Lifecycle, Outcome, Planned, Step, SyncPlan, SyncResult,
};
pub use models::*;
pub use operations::*;
