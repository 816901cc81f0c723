//! One file per Jira operation, named after its operationId.

mod delete_webhook_by_id;
pub mod get_dynamic_webhooks_for_app;
pub mod get_failed_webhooks;
mod refresh_webhooks;
mod register_dynamic_webhooks;

pub use delete_webhook_by_id::DeleteWebhookById;
pub use get_dynamic_webhooks_for_app::{GetDynamicWebhooksForApp, GetDynamicWebhooksForAppParams};
pub use get_failed_webhooks::{GetFailedWebhooks, GetFailedWebhooksParams};
pub use refresh_webhooks::RefreshWebhooks;
pub use register_dynamic_webhooks::{partial_failure, RegisterDynamicWebhooks};

use crate::error::Error;
use crate::models::ContainerForWebhookIDs;

/// The most webhooks a Connect app may hold on a site (FACTS.md); a single request cannot register more.
pub const MAX_WEBHOOKS_PER_APP: usize = 100;
/// The largest page Jira serves.
pub const MAX_PAGE_SIZE: i32 = 100;

/// Checks a list of webhook ids: not empty, positive, no duplicates.
fn validate_ids(ids: &ContainerForWebhookIDs) -> Result<(), Error> {
    if ids.webhook_ids.is_empty() {
        return Err(Error::invalid_input("webhookIds", "must list at least one webhook id"));
    }
    for (i, id) in ids.webhook_ids.iter().enumerate() {
        if *id <= 0 {
            return Err(Error::invalid_input(format!("webhookIds[{i}]"), format_args!("{id} is not a webhook id")));
        }
        if ids.webhook_ids[..i].contains(id) {
            return Err(Error::invalid_input(format!("webhookIds[{i}]"), format_args!("{id} is listed twice")));
        }
    }
    Ok(())
}

/// Checks an optional page size: 1 to 100.
fn validate_max_results(max_results: Option<i32>) -> Result<(), Error> {
    match max_results {
        Some(n) if !(1..=MAX_PAGE_SIZE).contains(&n) => {
            Err(Error::invalid_input("maxResults", format_args!("must be between 1 and {MAX_PAGE_SIZE}, got {n}")))
        }
        _ => Ok(()),
    }
}
