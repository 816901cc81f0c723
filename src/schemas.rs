//! Every schema of the crate by its TypeScript name: the generated JavaScript validators have a `check<Name>` for
//! each, and a fault they report names its problem by a code that turns back into the same [`Problem`] here.

use crate::decode::schema::{Problem, Shape, EXPECTED};

/// Every schema by its TypeScript name. The lifecycle's come last, so that the others have the same index in both
/// builds.
pub static SHAPES: &[(&str, &Shape)] = &[
    ("PageBeanWebhook", crate::models::PageBeanWebhook::SHAPE),
    ("Webhook", crate::models::Webhook::SHAPE),
    ("ContainerForRegisteredWebhooks", crate::models::ContainerForRegisteredWebhooks::SHAPE),
    ("RegisteredWebhook", crate::models::RegisteredWebhook::SHAPE),
    ("FailedWebhooks", crate::models::FailedWebhooks::SHAPE),
    ("FailedWebhook", crate::models::FailedWebhook::SHAPE),
    ("WebhooksExpirationDate", crate::models::WebhooksExpirationDate::SHAPE),
    ("ErrorCollection", crate::models::ErrorCollection::SHAPE),
    ("WebhookRegistrationDetails", crate::models::WebhookRegistrationDetails::SHAPE),
    ("WebhookDetails", crate::models::WebhookDetails::SHAPE),
    ("ContainerForWebhookIDs", crate::models::ContainerForWebhookIDs::SHAPE),
    ("GetDynamicWebhooksForAppParams", crate::operations::GetDynamicWebhooksForAppParams::SHAPE),
    ("GetFailedWebhooksParams", crate::operations::GetFailedWebhooksParams::SHAPE),
    ("JiraWebhooksConfig", crate::config::JiraWebhooksConfig::SHAPE),
    ("CallHooks", crate::config::CallHooks::SHAPE),
    ("BasicAuth", crate::config::BasicAuth::SHAPE),
    ("BearerAuth", crate::config::BearerAuth::SHAPE),
    ("ConnectAuth", crate::config::ConnectAuth::SHAPE),
    ("NoAuth", crate::config::NoAuth::SHAPE),
    ("RetryPolicy", crate::config::RetryPolicy::SHAPE),
    ("CallOptions", crate::config::CallOptions::SHAPE),
    ("RegisterOptions", crate::config::RegisterOptions::SHAPE),
    #[cfg(feature = "lifecycle")]
    ("DesiredWebhooks", crate::lifecycle::sync::DesiredWebhooks::SHAPE),
    #[cfg(feature = "lifecycle")]
    ("KeepAliveOptions", crate::lifecycle::sync::KeepAliveOptions::SHAPE),
    #[cfg(feature = "lifecycle")]
    ("VerifyOptions", crate::lifecycle::deliveries::VerifyOptions::SHAPE),
    #[cfg(feature = "lifecycle")]
    ("OAuthVerify", crate::lifecycle::deliveries::OAuthVerify::SHAPE),
    #[cfg(feature = "lifecycle")]
    ("ConnectVerify", crate::lifecycle::deliveries::ConnectVerify::SHAPE),
    #[cfg(feature = "lifecycle")]
    ("HmacVerify", crate::lifecycle::deliveries::HmacVerify::SHAPE),
];

/// The TypeScript name of `shape` (its `check<Name>` in the generated validators).
pub fn name_of(shape: &Shape) -> &'static str {
    SHAPES.iter().find(|(_, s)| std::ptr::eq(*s, shape) || **s == *shape).map_or("", |(name, _)| name)
}

/// The problem a generated validator's fault names: `code` is the variant (in declaration order, from 0 for
/// `Expected`), `a` and `b` its parameters (`Expected`: the index in [`EXPECTED`]; `Unknown`: the index in
/// [`SHAPES`]; `TooFew`, `TooMany`: the count; `Outside`: min and max); `None` for numbers no problem has.
pub fn problem_from_code(code: i64, a: i64, b: i64) -> Option<Problem> {
    let count = || u32::try_from(a).ok();
    Some(match code {
        0 => Problem::Expected(EXPECTED.get(usize::try_from(a).ok()?)?),
        1 => Problem::Missing,
        2 => Problem::Unknown(SHAPES.get(usize::try_from(a).ok()?)?.1),
        3 => Problem::Unsafe,
        4 => Problem::OutOfRange,
        5 => Problem::NotADate,
        6 => Problem::Blank,
        7 => Problem::NotAUrl,
        8 => Problem::TooFew(count()?),
        9 => Problem::TooMany(count()?),
        10 => Problem::Outside(a, b),
        11 => Problem::NotAnId,
        12 => Problem::Twice,
        _ => return None,
    })
}
