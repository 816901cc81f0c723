//! Values across the boundary. JS values come in as JSON text (`JSON.stringify`) and are checked by the same
//! validator as Jira's answers; results go out as JSON text for one `JSON.parse`. Every JS call that can throw
//! (a getter, a `toJSON`, a BigInt) is caught and becomes an error.

use crate::decode::{self, FromJson, Ty};
use crate::error::{Error, ERROR_TS};
use crate::text::cat;
use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

#[wasm_bindgen(typescript_custom_section)]
const ERROR_DECLARATION: &str = ERROR_TS;

fn invalid(path: &str, problem: &str) -> Error {
    Error::invalid_input(path, problem)
}

/// `value` as JSON text; `None` for `undefined` and `null`.
fn json_text(value: &JsValue, path: &str, error: fn(&str, &str) -> Error) -> Result<Option<String>, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let text = JSON::stringify(value).ok().and_then(|s| s.as_string());
    let problem = "cannot be written as JSON (a BigInt, a cycle, or a getter or toJSON that throws?)";
    text.map(Some).ok_or_else(|| error(if path.is_empty() { "argument" } else { path }, problem))
}

/// A required argument as JSON text, for an operation that checks it and sends it as it is.
pub fn required(value: &JsValue) -> Result<String, Error> {
    json_text(value, "", invalid)?.ok_or_else(|| Error::invalid_input("argument", "is missing"))
}

/// Reads a required argument as `T`, checked against `ty`.
#[cfg(feature = "lifecycle")]
pub fn value<T: FromJson>(value: &JsValue, ty: Ty) -> Result<T, Error> {
    let text = required(value)?;
    decode::input(&text, ty, "", invalid)
}

/// Reads an optional argument; `undefined` and `null` mean the defaults.
pub fn optional<T: FromJson + Default>(value: &JsValue, ty: Ty) -> Result<T, Error> {
    match json_text(value, "", invalid)? {
        Some(text) => decode::input(&text, ty, "", invalid),
        None => Ok(T::default()),
    }
}

/// JSON text of the caller's config (functions left out) for [`crate::Config::from_json`].
pub fn config_text(config: &JsValue) -> Result<String, Error> {
    json_text(config, "config", Error::config)?.ok_or_else(|| Error::config("config", "is missing"))
}

/// Reads a member of a JS object; a getter that throws is an error naming `path`.
pub fn member(object: &JsValue, name: &str, path: &str, error: fn(&str, &str) -> Error) -> Result<JsValue, Error> {
    if !object.is_object() {
        return Ok(JsValue::UNDEFINED);
    }
    Reflect::get(object, &name.into()).map_err(|_| error(path, "could not be read (its getter threw)"))
}

/// A member that must be a function when present.
pub fn function(
    object: &JsValue,
    name: &str,
    path: &str,
    error: fn(&str, &str) -> Error,
) -> Result<Option<js_sys::Function>, Error> {
    match member(object, name, path, error)? {
        v if v.is_undefined() || v.is_null() => Ok(None),
        v => v.dyn_into().map(Some).map_err(|_| error(path, "must be a function")),
    }
}

/// Per-call options: `{ signal?, timeoutMs?, throwOnPartialFailure? }`.
#[derive(Default)]
pub struct Options {
    pub signal: Option<AbortSignal>,
    pub timeout_ms: Option<f64>,
    pub throw_on_partial_failure: bool,
}

/// Reads the last argument of every operation. A member it does not know is refused: a typo such as `timeout`
/// would otherwise be silently ignored.
pub fn options(value: &JsValue, allowed: &[&'static str]) -> Result<Options, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(Options::default());
    }
    if !value.is_object() {
        return Err(Error::invalid_input("options", "must be an object such as { signal, timeoutMs }"));
    }
    let object: &Object = value.unchecked_ref();
    let keys = Object::keys(object);
    if keys.iter().any(|k| !allowed.iter().any(|a| k.as_string().as_deref() == Some(a))) {
        return Err(Error::invalid_input(
            "options",
            &cat!("has a member that is none of `", allowed.join("`, `"), '`'),
        ));
    }
    let get = |name| member(value, name, "options", invalid);
    let signal = match get("signal")? {
        v if v.is_undefined() || v.is_null() => None,
        v => Some(
            v.dyn_into::<AbortSignal>()
                .map_err(|_| Error::invalid_input("options.signal", "must be an AbortSignal"))?,
        ),
    };
    let timeout_ms =
        match get("timeoutMs")? {
            v if v.is_undefined() || v.is_null() => None,
            v => Some(v.as_f64().ok_or_else(|| {
                Error::invalid_input("options.timeoutMs", "must be a positive number of milliseconds")
            })?),
        };
    let throw_on_partial_failure = get("throwOnPartialFailure")?.is_truthy();
    Ok(Options { signal, timeout_ms, throw_on_partial_failure })
}

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` of a JS string as it is: the text never crosses into the wasm and back.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn parse_js(text: &JsValue) -> Result<JsValue, JsValue>;
    type TextDecoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextDecoder;
    /// The text of UTF-8 bytes, as a JS string.
    #[wasm_bindgen(method)]
    fn decode(this: &TextDecoder, bytes: &js_sys::Uint8Array) -> JsValue;
}

/// Parses JSON text (ours, or Jira's checked answer, as a JS string or as UTF-8 bytes) into a JS value.
pub fn parse(text: &JsValue) -> Result<JsValue, Error> {
    let parsed = match text.dyn_ref::<js_sys::Uint8Array>() {
        Some(bytes) => parse_js(&TextDecoder::new().decode(bytes)),
        None => parse_js(text),
    };
    parsed.map_err(|_| {
        Error::new(crate::ErrorKind::Decode, "the answer cannot be represented in JavaScript (JSON.parse refused it)")
    })
}

/// The one conversion of [`Error`] into a JS `Error` named `JiraWebhooksError`, with the fields of
/// [`Error::fields_json`].
pub fn error_to_js(e: &Error) -> JsValue {
    let js = js_sys::Error::new(&e.message);
    js.set_name("JiraWebhooksError");
    if let Ok(fields) = JSON::parse(&e.fields_json()) {
        let (target, source): (&Object, &Object) = (js.unchecked_ref(), fields.unchecked_ref());
        Object::assign(target, source);
    }
    js.into()
}

/// An array of strings.
pub fn strings<'a>(items: impl Iterator<Item = &'a str>) -> Array {
    items.map(JsValue::from_str).collect()
}

/// Why a job failed: our error, or what the caller's own code (a handler) threw, passed on as it is.
pub enum Fail {
    Error(Error),
    #[cfg_attr(not(feature = "lifecycle"), allow(dead_code))]
    Thrown(JsValue),
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::Error(e)
    }
}

impl Fail {
    pub fn into_js(self) -> JsValue {
        match self {
            Fail::Error(e) => error_to_js(&e),
            Fail::Thrown(v) => v,
        }
    }
}
