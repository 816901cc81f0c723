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

use crate::decode::FromJson;
use crate::engine::Spec;
use crate::error::Error;
use crate::models::ContainerForWebhookIDs;
use crate::text::cat;

/// One of Jira's webhook operations with its input.
pub trait Operation {
    /// The operationId, method, success statuses and answer schema.
    const SPEC: Spec;
    /// The path below `/rest/api/{version}`.
    const PATH: &'static str;
    /// What a successful call resolves to.
    type Output: FromJson;

    /// Rejects input that cannot form a valid request, naming the field. Never quotes the caller's strings.
    fn validate(&self) -> Result<(), Error> {
        Ok(())
    }
    /// Query parameters, in order (every one of these operations takes integers).
    fn query(&self) -> Vec<(&'static str, i64)> {
        Vec::new()
    }
    /// The JSON body, if the operation has one.
    fn body(&self) -> Option<String> {
        None
    }
}

/// The most webhooks a Connect app may hold on a site (Atlassian's Webhooks page: "A maximum of 100 webhooks per
/// app per tenant is allowed for a Connect app"); one registration cannot ask for more.
pub const MAX_WEBHOOKS_PER_APP: usize = 100;
/// The largest page Jira serves.
pub const MAX_PAGE_SIZE: i64 = 100;
/// The most ids one refresh or delete takes: checking is O(n log n), and far more than any app holds.
pub const MAX_IDS_PER_REQUEST: usize = 10_000;

/// Checks a list of webhook ids: 1 to [`MAX_IDS_PER_REQUEST`] of them, positive, none twice.
fn validate_ids(ids: &ContainerForWebhookIDs) -> Result<(), Error> {
    let ids = &ids.webhook_ids;
    if ids.is_empty() {
        return Err(Error::invalid_input("webhookIds", "must list at least one webhook id"));
    }
    if ids.len() > MAX_IDS_PER_REQUEST {
        return Err(Error::invalid_input("webhookIds", &cat!("lists more than ", MAX_IDS_PER_REQUEST, " ids")));
    }
    if let Some(i) = ids.iter().position(|id| *id <= 0) {
        return Err(Error::invalid_input(cat!("webhookIds[", i, ']'), "is not a webhook id (ids are positive)"));
    }
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    if let Some(pair) = sorted.windows(2).find(|w| w[0] == w[1]) {
        let later = ids.iter().rposition(|id| *id == pair[0]).unwrap_or(0);
        return Err(Error::invalid_input(cat!("webhookIds[", later, ']'), "is listed twice"));
    }
    Ok(())
}

/// Checks an optional page size: 1 to 100.
fn validate_max_results(max_results: Option<i64>) -> Result<(), Error> {
    match max_results {
        Some(n) if !(1..=MAX_PAGE_SIZE).contains(&n) => {
            Err(Error::invalid_input("maxResults", &cat!("must be between 1 and ", MAX_PAGE_SIZE, ", got ", n)))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: Vec<i64>) -> ContainerForWebhookIDs {
        ContainerForWebhookIDs { webhook_ids: v }
    }

    /// Defect: the duplicate check was quadratic with no cap; 100,000 ids froze the thread.
    #[test]
    fn id_checks_are_bounded() {
        let many: Vec<i64> = (1..=MAX_IDS_PER_REQUEST as i64).collect();
        assert!(validate_ids(&ids(many.clone())).is_ok());
        let mut too_many = many;
        too_many.push(MAX_IDS_PER_REQUEST as i64 + 1);
        assert_eq!(validate_ids(&ids(too_many)).unwrap_err().path.as_deref(), Some("webhookIds"));
        let mut dup: Vec<i64> = (1..=5000).collect();
        dup.push(17);
        assert_eq!(validate_ids(&ids(dup)).unwrap_err().path.as_deref(), Some("webhookIds[5000]"));
    }
}
