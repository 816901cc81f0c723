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
mod encode;
mod engine;
mod error;
mod http;
#[cfg(feature = "lifecycle")]
mod lifecycle;
mod models;
mod operations;
#[cfg(feature = "lifecycle")]
mod payloads;
mod schemas;
mod small;
mod text;

#[cfg(target_arch = "wasm32")]
mod js;

pub use auth::connect_jwt;
#[cfg(feature = "lifecycle")]
pub use auth::oauth;
#[cfg(feature = "lifecycle")]
pub use auth::verify::Jwt;
pub use auth::Auth;
pub use client::Client;
pub use config::{
    BasicAuth, BearerAuth, CallHooks, CallOptions, Config, ConnectAuth, JiraWebhooksConfig, NoAuth, RegisterOptions,
    RetryPolicy, TokenContext,
};
pub use decode::{FromJson, Model, Source, ToJson, Verdict};
pub use engine::{
    retry_after_ms, Action, Call, CursorPages, Expect, ItemStep, Items, OffsetPages, PageFacts, Pages, Reply,
};
pub use error::{Error, ErrorKind};
pub use http::{HttpRequest, HttpResponse, Method, RateLimit, Spec};
#[cfg(feature = "lifecycle")]
pub use lifecycle::claim::{
    delivery_key, Claim, ClaimAction, ClaimLog, ClaimPolicy, DeliveryRun, HandlerOutcome, Problem, StoreFailure,
};
#[cfg(feature = "lifecycle")]
pub use lifecycle::deliveries::{
    connect_client_key, credential, refusal_status, BodyEnd, Credential, Delivery, DeliveryProblem, DeliveryRequest,
    Handler, PayloadFacts, Receipt, ReceiptAction, ReceiverSettings, VerifyOptions, WebhookHandlerOptions,
};
#[cfg(feature = "lifecycle")]
pub use lifecycle::jql;
#[cfg(feature = "lifecycle")]
pub use lifecycle::sync::{
    plan, validate as validate_desired, AnswerKind, Answered, CreatedWebhook, DesiredWebhooks, FailedRegistration,
    KeepAliveOptions, KeepAliveResult, Lifecycle, Outcome, Planned, Scope, Step, SyncPlan, SyncResult,
};
pub use models::*;
pub use operations::*;
