//! Every schema of the crate by its TypeScript name: the generated JavaScript validators have a `check<Name>` for
//! each, and a fault they report names its problem by a code that turns back into the same [`Problem`] here.

use crate::decode::schema::{Problem, Shape, Ty, EXPECTED};

pub use crate::decode::Registered;

/// Declares the registry: [`SHAPES`] in order, and [`Registered`] for each entry that names its type.
macro_rules! registry {
    (@impl $name:ident [$(#[$attr:meta])*]) => {};
    (@impl $name:ident [$(#[$attr:meta])*] $ty:ty) => {
        $(#[$attr])*
        impl Registered for $ty {
            const INDEX: u32 = Index::$name as u32;
        }
    };
    ($( $(#[$attr:meta])* $name:ident: $shape:expr $(=> $ty:ty)?, )*) => {
        #[allow(non_camel_case_types, dead_code, clippy::upper_case_acronyms)]
        enum Index { $( $(#[$attr])* $name, )* }

        /// Every schema by its TypeScript name: the generated JavaScript has a `check<Name>` for each, and
        /// [`Problem::Unknown`]'s code is the index here. The lifecycle's come last (from [`CLIENT_SHAPES`] on), so
        /// that the others have the same index in both builds. The lifecycle's results (`SyncResult`, `SyncPlan`,
        /// …) are outputs, never checked.
        pub static SHAPES: &[(&str, &Shape)] = &[ $( $(#[$attr])* (stringify!($name), $shape), )* ];

        $( registry!(@impl $name [$(#[$attr])*] $($ty)?); )*
    };
}

/// How many of [`SHAPES`] the client build has: the lifecycle's follow.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub const CLIENT_SHAPES: usize = 22;

registry! {
    PageBeanWebhook: crate::models::PageBeanWebhook::SHAPE => crate::models::PageBeanWebhook,
    Webhook: crate::models::Webhook::SHAPE => crate::models::Webhook,
    ContainerForRegisteredWebhooks: crate::models::ContainerForRegisteredWebhooks::SHAPE => crate::models::ContainerForRegisteredWebhooks,
    RegisteredWebhook: crate::models::RegisteredWebhook::SHAPE => crate::models::RegisteredWebhook,
    FailedWebhooks: crate::models::FailedWebhooks::SHAPE => crate::models::FailedWebhooks,
    FailedWebhook: crate::models::FailedWebhook::SHAPE => crate::models::FailedWebhook,
    WebhooksExpirationDate: crate::models::WebhooksExpirationDate::SHAPE => crate::models::WebhooksExpirationDate,
    ErrorCollection: crate::models::ErrorCollection::SHAPE => crate::models::ErrorCollection,
    WebhookRegistrationDetails: crate::models::WebhookRegistrationDetails::SHAPE => crate::models::WebhookRegistrationDetails,
    WebhookDetails: crate::models::WebhookDetails::SHAPE => crate::models::WebhookDetails,
    ContainerForWebhookIDs: crate::models::ContainerForWebhookIDs::SHAPE => crate::models::ContainerForWebhookIDs,
    GetDynamicWebhooksForAppParams: crate::operations::GetDynamicWebhooksForAppParams::SHAPE => crate::operations::GetDynamicWebhooksForAppParams,
    GetFailedWebhooksParams: crate::operations::GetFailedWebhooksParams::SHAPE => crate::operations::GetFailedWebhooksParams,
    JiraWebhooksConfig: crate::config::JiraWebhooksConfig::SHAPE => crate::config::JiraWebhooksConfig,
    CallHooks: crate::config::CallHooks::SHAPE => crate::config::CallHooks,
    BasicAuth: crate::config::BasicAuth::SHAPE => crate::config::BasicAuth,
    BearerAuth: crate::config::BearerAuth::SHAPE => crate::config::BearerAuth,
    ConnectAuth: crate::config::ConnectAuth::SHAPE => crate::config::ConnectAuth,
    NoAuth: crate::config::NoAuth::SHAPE => crate::config::NoAuth,
    RetryPolicy: crate::config::RetryPolicy::SHAPE,
    CallOptions: crate::config::CallOptions::SHAPE => crate::config::CallOptions,
    RegisterOptions: crate::config::RegisterOptions::SHAPE => crate::config::RegisterOptions,
    #[cfg(feature = "lifecycle")]
    DesiredWebhooks: crate::lifecycle::sync::DesiredWebhooks::SHAPE => crate::lifecycle::sync::DesiredWebhooks,
    #[cfg(feature = "lifecycle")]
    KeepAliveOptions: crate::lifecycle::sync::KeepAliveOptions::SHAPE => crate::lifecycle::sync::KeepAliveOptions,
    #[cfg(feature = "lifecycle")]
    VerifyOptions: crate::lifecycle::deliveries::VerifyOptions::SHAPE => crate::lifecycle::deliveries::VerifyOptions,
    #[cfg(feature = "lifecycle")]
    WebhookHandlerOptions: crate::lifecycle::deliveries::WebhookHandlerOptions::SHAPE => crate::lifecycle::deliveries::WebhookHandlerOptions,
    #[cfg(feature = "lifecycle")]
    OAuthVerify: crate::lifecycle::deliveries::OAuthVerify::SHAPE => crate::lifecycle::deliveries::OAuthVerify,
    #[cfg(feature = "lifecycle")]
    ConnectVerify: crate::lifecycle::deliveries::ConnectVerify::SHAPE => crate::lifecycle::deliveries::ConnectVerify,
    #[cfg(feature = "lifecycle")]
    HmacVerify: crate::lifecycle::deliveries::HmacVerify::SHAPE => crate::lifecycle::deliveries::HmacVerify,
    #[cfg(feature = "lifecycle")]
    OAuth2TokensOptions: crate::auth::oauth::OAuth2TokensOptions::SHAPE => crate::auth::oauth::OAuth2TokensOptions,
    #[cfg(feature = "lifecycle")]
    StoredTokens: crate::auth::oauth::StoredTokens::SHAPE => crate::auth::oauth::StoredTokens,
    #[cfg(feature = "lifecycle")]
    ExchangeCodeOptions: crate::auth::oauth::ExchangeCodeOptions::SHAPE => crate::auth::oauth::ExchangeCodeOptions,
    #[cfg(feature = "lifecycle")]
    AccessibleResource: crate::auth::oauth::AccessibleResource::SHAPE => crate::auth::oauth::AccessibleResource,
    #[cfg(feature = "lifecycle")]
    AccessibleResources: ACCESSIBLE_RESOURCES,
    #[cfg(feature = "lifecycle")]
    AccessibleResourcesOptions: crate::auth::oauth::AccessibleResourcesOptions::SHAPE => crate::auth::oauth::AccessibleResourcesOptions,
    #[cfg(feature = "lifecycle")]
    TokenAnswer: crate::auth::oauth::TOKEN_ANSWER,
}

/// The index of `shape` in [`SHAPES`]. A constant's address may differ between codegen units, so a shape is
/// also found by what it is: the same members, of the same types, equally closed.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub fn shape_index(shape: &Shape) -> Option<usize> {
    SHAPES
        .iter()
        .position(|(_, s)| std::ptr::eq(*s, shape))
        .or_else(|| SHAPES.iter().position(|(_, s)| same_shape(s, shape)))
}

#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
fn same_shape(a: &Shape, b: &Shape) -> bool {
    std::ptr::eq(a, b)
        || (a.closed == b.closed
            && a.fields.len() == b.fields.len()
            && a.fields
                .iter()
                .zip(b.fields)
                .all(|(x, y)| x.name == y.name && x.required == y.required && same_ty(x.ty, y.ty)))
}

#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
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
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub static TAGGED: &[&[(&str, &Shape)]] = &[crate::config::schema::AUTH_TYPES];

#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
fn tags_index(shapes: &[(&str, &Shape)]) -> i64 {
    TAGGED.iter().position(|t| std::ptr::eq(*t, shapes)).map_or(-1, |i| i as i64)
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
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
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
    fn the_client_shapes_come_first_and_each_type_knows_its_index() {
        #[cfg(not(feature = "lifecycle"))]
        assert_eq!(SHAPES.len(), CLIENT_SHAPES);
        #[cfg(feature = "lifecycle")]
        assert_eq!(SHAPES[CLIENT_SHAPES].0, "DesiredWebhooks");
        fn at<T: Registered>(name: &str) {
            let (n, shape) = SHAPES[T::INDEX as usize];
            assert_eq!(n, name);
            let names = |s: &Shape| s.fields.iter().map(|f| f.name).collect::<Vec<_>>();
            assert_eq!(names(shape), names(T::SHAPE), "{name}");
        }
        at::<crate::models::PageBeanWebhook>("PageBeanWebhook");
        at::<crate::models::ContainerForWebhookIDs>("ContainerForWebhookIDs");
        at::<crate::config::JiraWebhooksConfig>("JiraWebhooksConfig");
        at::<crate::config::RegisterOptions>("RegisterOptions");
        assert_eq!(<crate::config::RegisterOptions as Registered>::INDEX as usize, CLIENT_SHAPES - 1);
        #[cfg(feature = "lifecycle")]
        at::<crate::auth::oauth::AccessibleResourcesOptions>("AccessibleResourcesOptions");
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
