//! One file per Jira operation, named after its operationId: the path, the query, the body, the validation of
//! the input, the success statuses and the schema of the answer.

mod delete_webhook_by_id;
mod get_dynamic_webhooks_for_app;
mod get_failed_webhooks;
mod refresh_webhooks;
mod register_dynamic_webhooks;

pub use delete_webhook_by_id::DeleteWebhookById;
pub use get_dynamic_webhooks_for_app::{GetDynamicWebhooksForApp, GetDynamicWebhooksForAppParams};
pub use get_failed_webhooks::{GetFailedWebhooks, GetFailedWebhooksParams};
pub use refresh_webhooks::RefreshWebhooks;
pub use register_dynamic_webhooks::{partial_failure, RegisterDynamicWebhooks};

use crate::decode::{FromJson, Shape};
use crate::engine::Spec;

/// One of Jira's webhook operations with its input.
pub trait Operation {
    /// The operationId, method, success statuses and answer schema.
    const SPEC: Spec;
    /// The path below `/rest/api/{version}`.
    const PATH: &'static str;
    /// The schema the input must match before anything is sent: the body's, or the query parameters'. Its
    /// constraints (non-empty lists, ranges, ids) are the validation; errors name the JSON path.
    const INPUT: &'static Shape;
    /// What a successful call resolves to.
    type Output: FromJson;

    /// The input as JSON, for the check against [`Operation::INPUT`].
    fn input(&self) -> std::borrow::Cow<'_, str>;
    /// Query parameters, in order (every one of these operations takes integers).
    fn query(&self) -> Vec<(&'static str, i64)> {
        Vec::new()
    }
    /// The JSON body, if the operation has one.
    fn body(&self) -> Option<&str> {
        None
    }
}

/// The largest page Jira serves.
pub const MAX_PAGE_SIZE: i64 = 100;
