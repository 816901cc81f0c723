//! Every schema of the crate by its TypeScript name: the generated JavaScript validators have a `check<Name>` for
//! each, and a fault they report names its problem by a code that turns back into the same [`Problem`] here.

use crate::decode::schema::{Problem, Shape, Ty, EXPECTED};

/// Every schema by its TypeScript name: the generated JavaScript has a `check<Name>` for each, and
/// [`Problem::Unknown`]'s code is the index here. The lifecycle's come last, so that the others have the same
/// index in both builds. The lifecycle's results (`SyncResult`, `SyncPlan`, …) are outputs, never checked.
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
    ("WebhookHandlerOptions", crate::lifecycle::deliveries::WebhookHandlerOptions::SHAPE),
    #[cfg(feature = "lifecycle")]
    ("OAuthVerify", crate::lifecycle::deliveries::OAuthVerify::SHAPE),
    #[cfg(feature = "lifecycle")]
    ("ConnectVerify", crate::lifecycle::deliveries::ConnectVerify::SHAPE),
    #[cfg(feature = "lifecycle")]
    ("HmacVerify", crate::lifecycle::deliveries::HmacVerify::SHAPE),
    #[cfg(feature = "lifecycle")]
    ("OAuth2TokensOptions", crate::auth::oauth::OAuth2TokensOptions::SHAPE),
    #[cfg(feature = "lifecycle")]
    ("StoredTokens", crate::auth::oauth::StoredTokens::SHAPE),
    #[cfg(feature = "lifecycle")]
    ("ExchangeCodeOptions", crate::auth::oauth::ExchangeCodeOptions::SHAPE),
    #[cfg(feature = "lifecycle")]
    ("AccessibleResource", crate::auth::oauth::AccessibleResource::SHAPE),
    #[cfg(feature = "lifecycle")]
    ("AccessibleResources", ACCESSIBLE_RESOURCES),
    #[cfg(feature = "lifecycle")]
    ("AccessibleResourcesOptions", crate::auth::oauth::AccessibleResourcesOptions::SHAPE),
    #[cfg(feature = "lifecycle")]
    ("TokenAnswer", crate::auth::oauth::TOKEN_ANSWER),
];

/// The index of `shape` in [`SHAPES`]. A constant's address may differ between codegen units, so a shape is
/// also found by what it is: the same members, of the same types, equally closed.
pub fn shape_index(shape: &Shape) -> Option<usize> {
    SHAPES
        .iter()
        .position(|(_, s)| std::ptr::eq(*s, shape))
        .or_else(|| SHAPES.iter().position(|(_, s)| same_shape(s, shape)))
}

fn same_shape(a: &Shape, b: &Shape) -> bool {
    std::ptr::eq(a, b)
        || (a.closed == b.closed
            && a.fields.len() == b.fields.len()
            && a.fields
                .iter()
                .zip(b.fields)
                .all(|(x, y)| x.name == y.name && x.required == y.required && same_ty(x.ty, y.ty)))
}

fn same_ty(a: Ty, b: Ty) -> bool {
    match (a, b) {
        (Ty::Any, Ty::Any)
        | (Ty::Bool, Ty::Bool)
        | (Ty::Str, Ty::Str)
        | (Ty::Text, Ty::Text)
        | (Ty::Url, Ty::Url)
        | (Ty::Num, Ty::Num)
        | (Ty::Int32, Ty::Int32)
        | (Ty::Int, Ty::Int)
        | (Ty::Date, Ty::Date)
        | (Ty::Ids, Ty::Ids)
        | (Ty::StrMap, Ty::StrMap)
        | (Ty::Function, Ty::Function)
        | (Ty::Functions, Ty::Functions) => true,
        (Ty::Tagged(t1, x), Ty::Tagged(t2, y)) => t1 == t2 && std::ptr::eq(x, y),
        (Ty::List(x), Ty::List(y)) | (Ty::OneOrMany(x), Ty::OneOrMany(y)) => same_ty(*x, *y),
        (Ty::Items(x, a1, a2), Ty::Items(y, b1, b2)) => a1 == b1 && a2 == b2 && same_ty(*x, *y),
        (Ty::Range(a1, a2), Ty::Range(b1, b2)) => a1 == b1 && a2 == b2,
        (Ty::Obj(x), Ty::Obj(y)) | (Ty::BoolOr(x), Ty::BoolOr(y)) => same_shape(x, y),
        _ => false,
    }
}

/// `accessible-resources` answers a list; the validators check objects, so the list is the member of one.
#[cfg(feature = "lifecycle")]
static ACCESSIBLE_RESOURCES: &Shape = &Shape {
    fields: &[crate::decode::Field {
        name: "resources",
        ty: Ty::List(&Ty::Obj(crate::auth::oauth::AccessibleResource::SHAPE)),
        required: true,
    }],
    closed: true,
};

/// The tag tables of [`Ty::Tagged`] by their index (the `a` of a `NotOneOf` fault).
pub static TAGGED: &[&[(&str, &Shape)]] = &[crate::config::schema::AUTH_TYPES];

#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
fn tags_index(shapes: &[(&str, &Shape)]) -> i64 {
    TAGGED.iter().position(|t| std::ptr::eq(*t, shapes)).map_or(-1, |i| i as i64)
}

/// The TypeScript name of `shape` (its `check<Name>` in the generated validators).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub fn name_of(shape: &Shape) -> &'static str {
    shape_index(shape).and_then(|i| SHAPES.get(i)).map_or("", |(name, _)| name)
}

/// The problem as three numbers, as the generated JavaScript reports it: the variant (in declaration order,
/// from 0 for `Expected` to 12 for `Twice`) and its parameters: `Expected`: the index in [`EXPECTED`];
/// `Unknown`: the index in [`SHAPES`] (−1 for a shape not there); `TooFew`, `TooMany`: the count;
/// `Outside`: min and max. Unused parameters are 0.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub fn problem_code(problem: &Problem) -> (u32, i64, i64) {
    match *problem {
        Problem::Expected(what) => (0, EXPECTED.iter().position(|e| *e == what).map_or(-1, |i| i as i64), 0),
        Problem::Missing => (1, 0, 0),
        Problem::Unknown(shape) => (2, shape_index(shape).map_or(-1, |i| i as i64), 0),
        Problem::Unsafe => (3, 0, 0),
        Problem::OutOfRange => (4, 0, 0),
        Problem::NotADate => (5, 0, 0),
        Problem::Blank => (6, 0, 0),
        Problem::NotAUrl => (7, 0, 0),
        Problem::TooFew(n) => (8, i64::from(n), 0),
        Problem::TooMany(n) => (9, i64::from(n), 0),
        Problem::Outside(min, max) => (10, min, max),
        Problem::NotAnId => (11, 0, 0),
        Problem::Twice => (12, 0, 0),
        Problem::NotOneOf(shapes) => (13, tags_index(shapes), 0),
    }
}

/// The problem a [`problem_code`] names; `None` for numbers no problem has.
pub fn problem_from_code(code: u32, a: i64, b: i64) -> Option<Problem> {
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
        13 => Problem::NotOneOf(TAGGED.get(usize::try_from(a).ok()?)?),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::schema::{Field, MAX_IDS, MAX_SAFE_INTEGER};

    static OUTER: Shape = Shape { fields: &[Field { name: "x", ty: Ty::Int, required: true }], closed: true };

    #[test]
    fn problems_round_trip_through_their_codes() {
        let mut problems = vec![
            Problem::Missing,
            Problem::Unsafe,
            Problem::OutOfRange,
            Problem::NotADate,
            Problem::Blank,
            Problem::NotAUrl,
            Problem::TooFew(1),
            Problem::TooMany(MAX_IDS),
            Problem::Outside(0, MAX_SAFE_INTEGER),
            Problem::NotAnId,
            Problem::Twice,
        ];
        problems.extend(EXPECTED.iter().map(|e| Problem::Expected(e)));
        problems.extend(SHAPES.iter().map(|(_, s)| Problem::Unknown(s)));
        for p in problems {
            let (code, a, b) = problem_code(&p);
            let back = problem_from_code(code, a, b).unwrap();
            assert_eq!(back.describe(), p.describe());
            assert_eq!(problem_code(&back), (code, a, b));
        }
        assert_eq!(problem_code(&Problem::Unknown(&OUTER)), (2, -1, 0), "not registered");
        for (code, a) in
            [(0, EXPECTED.len() as i64), (0, -1), (2, SHAPES.len() as i64), (8, -1), (13, TAGGED.len() as i64), (14, 0)]
        {
            assert_eq!(problem_from_code(code, a, 0), None, "{code} {a}");
        }
        // The codes are the JavaScript's: fixed, in declaration order.
        assert_eq!(problem_code(&Problem::Twice).0, 12);
        assert_eq!(problem_code(&Problem::Expected("a string")), (0, 1, 0));
    }

    #[test]
    fn every_registered_shape_is_found_by_its_index() {
        for (i, (name, shape)) in SHAPES.iter().enumerate() {
            assert_eq!(shape_index(shape), Some(i), "{name}");
        }
        // A copy elsewhere in memory is the same shape.
        let copy = Shape { fields: crate::models::Webhook::SHAPE.fields, closed: false };
        assert_eq!(shape_index(&copy), shape_index(crate::models::Webhook::SHAPE));
        assert_eq!(shape_index(&Shape { fields: crate::models::Webhook::SHAPE.fields, closed: true }), None);
    }
}
