//! One file per Jira operation, named after its operationId: the method, the path, the query, the body, what it
//! takes (its `Input`, checked when the operation is made) and what it answers (its `Output`).

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

use crate::decode::Registered;
use crate::decode::{self, FromJson, Invalid, Model, Shape};
use crate::error::Error;
use crate::http::{Method, Spec};
use crate::models::ContainerForWebhookIDs;
use std::marker::PhantomData;

/// One of Jira's webhook operations with its input, valid by construction.
pub trait Operation {
    /// Jira's operationId.
    const ID: &'static str;
    /// The method.
    const METHOD: Method;
    /// The path below `/rest/api/{version}`.
    const PATH: &'static str;
    /// The statuses that mean success.
    const SUCCESS: &'static [u16] = &[200];
    /// What the operation takes.
    type Input: Model;
    /// What a successful call resolves to.
    type Output: Answer;
    /// What the call engine needs to know, from the above.
    const SPEC: Spec = Spec { id: Self::ID, method: Self::METHOD, success: Self::SUCCESS };

    /// Query parameters, in order (every one of these operations takes integers).
    fn query(&self) -> Vec<(&'static str, i64)> {
        Vec::new()
    }
    /// The JSON body, if the operation has one.
    fn body(&self) -> Option<&str> {
        None
    }
}

/// What a successful call answers: a model checked against its schema, or nothing (`()`, Jira's 202).
pub trait Answer: FromJson {
    /// The schema a success answer's body is checked against; `None` when it has no body.
    fn shape() -> Option<&'static Shape>;
    /// Its index in the registry of schemas (the generated validator the edge checks it with).
    fn index() -> Option<u32>;
}

impl<T: Registered> Answer for T {
    fn shape() -> Option<&'static Shape> {
        Some(T::SHAPE)
    }
    fn index() -> Option<u32> {
        Some(T::INDEX)
    }
}

impl Answer for () {
    fn shape() -> Option<&'static Shape> {
        None
    }
    fn index() -> Option<u32> {
        None
    }
}

/// The JSON text of a `T` that matches `T`'s schema: checked by this crate's validator, or, at the JavaScript
/// edge, by the validator generated from the same schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Valid<T> {
    text: String,
    of: PhantomData<T>,
}

impl<T: Model> Valid<T> {
    /// `value`, checked (a typed value can still break the schema's constraints: an empty list, a blank string).
    pub fn new(value: &T) -> Result<Self, Invalid> {
        Valid::parse(decode::to_json(value))
    }

    /// JSON text, checked.
    pub fn parse(text: String) -> Result<Self, Invalid> {
        decode::check(&text, decode::Ty::Obj(T::SHAPE))?;
        Ok(Valid { text, of: PhantomData })
    }

    /// A body the edge has checked with the generated validator and keeps: it sends its own text, which never
    /// crosses into the wasm (the request carries an empty body in its place; [`Valid::text`] is empty).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn held_by_the_edge() -> Self {
        Valid { text: String::new(), of: PhantomData }
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The value.
    pub fn read(&self) -> T {
        let doc = decode::Doc::parse(&self.text).ok();
        T::from_json(doc.as_ref().map(|d| d.root()))
    }
}

/// The `invalid-input` error of operation `op` for `invalid`.
pub(crate) fn invalid_input(op: &'static str, invalid: Invalid) -> Error {
    let path = if invalid.path.is_empty() { "argument".to_owned() } else { invalid.path };
    let mut e = Error::invalid_input(path, &invalid.problem);
    e.operation = Some(op);
    e
}

/// The body of the two operations that take webhook ids (refresh and delete).
pub(crate) fn webhook_ids(op: &'static str, ids: &[i64]) -> Result<Valid<ContainerForWebhookIDs>, Error> {
    Valid::new(&ContainerForWebhookIDs { webhook_ids: ids.to_vec() }).map_err(|e| invalid_input(op, e))
}

/// Checks a number of `T`'s schema: the query parameters are typed, and their constraints are the schema's.
pub(crate) fn check_param<T: Model>(op: &'static str, name: &'static str, value: Option<i64>) -> Result<(), Error> {
    match (value, T::SHAPE.fields.iter().find(|f| f.name == name)) {
        (Some(n), Some(field)) => decode::schema::check_int(n, field.ty)
            .map_err(|problem| invalid_input(op, Invalid { path: name.into(), problem: problem.describe() })),
        _ => Ok(()),
    }
}

/// The largest page Jira serves.
pub const MAX_PAGE_SIZE: i64 = 100;
