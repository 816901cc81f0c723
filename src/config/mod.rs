//! The client's configuration: the wire schema JavaScript passes ([`schema`]), the validated settings every call
//! starts from ([`settings`]), and where requests may go ([`url`]).

pub mod schema;
pub mod settings;
pub mod url;

pub use schema::{
    BasicAuth, BearerAuth, CallHooks, CallOptions, ConnectAuth, JiraWebhooksConfig, NoAuth, RegisterOptions,
    RetryPolicy, TokenContext,
};
pub(crate) use settings::Settings;
pub use settings::{timer_ms, Config};
