//! Values across the boundary. What the caller passes is taken once and checked in JavaScript (`values.js`, with
//! the validators generated from the models), then read here member by member as a [`Source`]; a fault becomes
//! this crate's error naming the path, never quoting the value. Errors go out as `JiraWebhooksError`s.

use super::bindings;
use crate::decode::{Kind, Source};
use crate::error::Error;
use crate::schemas::Registered;
use crate::text::cat;
use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(typescript_custom_section)]
const ERROR_KINDS: &str = crate::error::KINDS_TS;

#[wasm_bindgen(typescript_custom_section)]
const ERROR_CLASS: &str = crate::error::ERROR_TS;

/// A JavaScript value the edge has taken and checked: read by members, as JSON would be.
#[derive(Clone)]
pub struct Js(pub JsValue);

thread_local! {
    /// The member names read so far, as JavaScript strings: each is made once, not on every read.
    static NAMES: std::cell::Cell<Vec<(&'static str, JsValue)>> = const { std::cell::Cell::new(Vec::new()) };
}

impl Source for Js {
    fn kind(&self) -> Kind {
        // One crossing: `values.js` says what the value is.
        match bindings::kind(&self.0) {
            0 => Kind::Null,
            1 => Kind::Bool,
            2 => Kind::Num,
            3 => Kind::Str,
            4 => Kind::Arr,
            _ => Kind::Obj,
        }
    }
    fn member(&self, name: &'static str) -> Option<Js> {
        let v = member(&self.0, name);
        (!v.is_undefined()).then_some(Js(v))
    }
    fn items(&self) -> Vec<Js> {
        self.0.dyn_ref::<Array>().map(|a| a.iter().map(Js).collect()).unwrap_or_default()
    }
    fn entries(&self) -> Vec<(String, Js)> {
        let Some(object) = self.0.dyn_ref::<Object>().filter(|_| !Array::is_array(&self.0)) else { return Vec::new() };
        Object::entries(object)
            .iter()
            .filter_map(|pair| {
                let pair: Array = pair.dyn_into().ok()?;
                Some((pair.get(0).as_string()?, Js(pair.get(1))))
            })
            .collect()
    }
    fn string(&self) -> Option<String> {
        self.0.as_string()
    }
    fn number(&self) -> Option<f64> {
        self.0.as_f64()
    }
    fn integer(&self) -> Option<i64> {
        self.0.as_f64().filter(|n| n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0).map(|n| n as i64)
    }
    fn boolean(&self) -> Option<bool> {
        self.0.as_bool()
    }
}

/// A fault the edge reported as `[path, words]`: where, and the problem in words (a validator's, described by the
/// generated `describe`, or one of the edge's own: a getter threw, the value nests too deeply, `JSON.stringify`
/// refused it or gave nothing).
fn problem_of(fault: &Array) -> (String, String) {
    (fault.get(0).as_string().unwrap_or_default(), fault.get(1).as_string().unwrap_or_else(|| "is not valid".into()))
}

/// Where an argument's fault is: `prefix` joined with the path within it.
fn joined(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (true, true) => "argument".into(),
        (true, false) => path.into(),
        (false, true) => prefix.into(),
        (false, false) if path.starts_with('[') => cat!(prefix, path),
        (false, false) => cat!(prefix, '.', path),
    }
}

/// How a fault in an argument is reported.
#[derive(Clone, Copy)]
pub enum Blame {
    /// `invalid-input` (what the caller asked to send, its options), the path under `prefix`.
    Input(&'static str),
    /// `config` (the client's or a handler's configuration), the path under `prefix`.
    Config(&'static str),
}

impl Blame {
    fn error(self, fault: &Array) -> Error {
        let (path, problem) = problem_of(fault);
        match self {
            Blame::Input(prefix) => Error::invalid_input(joined(prefix, &path), &problem),
            Blame::Config(prefix) => {
                let path = joined(prefix, &path);
                Error::config(if path == "argument" { "config" } else { &path }, &problem)
            }
        }
    }
}

/// The caller's `value`, taken once and checked as `T`: the copy (functions kept) to read and to keep.
pub fn take<T: Registered>(value: &JsValue, blame: Blame) -> Result<JsValue, Error> {
    let taken = bindings::take(value, T::INDEX);
    match taken.get(1) {
        fault if fault.is_undefined() => Ok(taken.get(0)),
        fault => Err(blame.error(fault.unchecked_ref())),
    }
}

/// An optional argument: `undefined` and `null` are the defaults.
pub fn optional<T: Registered + Default>(value: &JsValue, blame: Blame) -> Result<(T, JsValue), Error> {
    if value.is_undefined() || value.is_null() {
        return Ok((T::default(), JsValue::UNDEFINED));
    }
    let copy = take::<T>(value, blame)?;
    Ok((T::from_json(Some(Js(copy.clone()))), copy))
}

/// A request body: the caller's `value` as checked JSON text of a `T` (a JavaScript string, which stays there),
/// and that text parsed (to read from).
pub fn body<T: Registered>(value: &JsValue) -> Result<(JsValue, JsValue), Error> {
    let taken = bindings::body(value, T::INDEX);
    match taken.get(2) {
        fault if fault.is_undefined() => Ok((taken.get(0), taken.get(1))),
        fault => Err(Blame::Input("").error(fault.unchecked_ref())),
    }
}

/// A member of a taken value, as JavaScript holds it (`undefined` when it is no object or a getter throws).
pub fn member(value: &JsValue, name: &'static str) -> JsValue {
    NAMES.with(|cell| {
        // Taken out while JavaScript runs: a getter that reads again finds no names and makes its own.
        let mut names = cell.take();
        let i = names.iter().position(|(n, _)| std::ptr::eq(*n, name)).unwrap_or_else(|| {
            names.push((name, JsValue::from_str(name)));
            names.len() - 1
        });
        let v = names.get(i).map_or(JsValue::UNDEFINED, |(_, name)| bindings::member(value, name));
        cell.set(names);
        v
    })
}

/// The `signal` of taken call options: an `AbortSignal`, or `undefined`.
pub fn signal(options: &JsValue) -> Result<JsValue, Error> {
    let signal = member(options, "signal");
    if signal.is_undefined() || signal.is_null() {
        return Ok(JsValue::UNDEFINED);
    }
    if signal.is_instance_of::<bindings::AbortSignal>() {
        Ok(signal)
    } else {
        Err(Error::invalid_input("options.signal", "must be an AbortSignal"))
    }
}

/// The one conversion of [`Error`] into a `JiraWebhooksError`.
pub fn error_to_js(e: &Error) -> JsValue {
    bindings::new_error(&e.message, &e.fields_json())
}
