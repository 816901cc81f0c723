//! One file per Jira operation, named after its operationId.

mod delete_webhook_by_id;
mod get_dynamic_webhooks_for_app;
mod get_failed_webhooks;
mod refresh_webhooks;
mod register_dynamic_webhooks;

pub use delete_webhook_by_id::DeleteWebhookById;
pub use get_dynamic_webhooks_for_app::{GetDynamicWebhooksForApp, GetDynamicWebhooksForAppParams};
pub use get_failed_webhooks::{GetFailedWebhooks, GetFailedWebhooksParams};
pub use refresh_webhooks::RefreshWebhooks;
pub use register_dynamic_webhooks::RegisterDynamicWebhooks;

use crate::error::Error;
use crate::models::ContainerForWebhookIDs;

/// Checks a list of webhook ids: not empty.
fn validate_ids(ids: &ContainerForWebhookIDs) -> Result<(), Error> {
    if ids.webhook_ids.is_empty() {
        return Err(Error::invalid_input(
            "webhookIds",
            "must list at least one webhook id",
        ));
    }
    Ok(())
}

/// Checks an optional page size: at least 1.
fn validate_max_results(max_results: Option<i32>) -> Result<(), Error> {
    match max_results {
        Some(n) if n < 1 => Err(Error::invalid_input(
            "maxResults",
            format_args!("must be at least 1, got {n}"),
        )),
        _ => Ok(()),
    }
}
