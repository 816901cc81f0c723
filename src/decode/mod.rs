//! JSON in and out without a derive per type: a strict parser ([`json`]), one validator driven by each model's
//! table ([`schema`]), Jira's date forms ([`date`]), and the [`model!`] macro that declares a model once for
//! Rust (struct, reader, writer), the validator (its [`Shape`]) and TypeScript (tsify).

pub mod date;
pub mod json;
pub mod schema;

use crate::error::Error;
use crate::text::cat;
pub use json::{push_str, Doc, Kind, Value};
pub use schema::{Field, Shape, Ty};

/// Reads a value that has passed its schema check; `None` is an absent member.
pub trait FromJson: Sized {
    /// Whether the member may be absent (or `null`).
    const OPTIONAL: bool = false;
    /// Reads the value.
    fn from_json(v: Option<Value>) -> Self;
}

/// Writes a value as JSON.
pub trait ToJson {
    /// Appends the JSON text.
    fn to_json(&self, out: &mut String);
    /// Whether an object member holding this value is left out.
    fn skip(&self) -> bool {
        false
    }
}

impl FromJson for i64 {
    fn from_json(v: Option<Value>) -> Self {
        v.and_then(|v| v.as_i64().or_else(|| date::parse_timestamp(&v.as_str()?))).unwrap_or(0)
    }
}
impl FromJson for i32 {
    fn from_json(v: Option<Value>) -> Self {
        v.and_then(|v| v.as_i64()).and_then(|n| i32::try_from(n).ok()).unwrap_or(0)
    }
}
impl FromJson for f64 {
    fn from_json(v: Option<Value>) -> Self {
        v.and_then(|v| v.as_f64()).unwrap_or(0.0)
    }
}
impl FromJson for bool {
    fn from_json(v: Option<Value>) -> Self {
        v.and_then(|v| v.as_bool()).unwrap_or(false)
    }
}
impl FromJson for String {
    fn from_json(v: Option<Value>) -> Self {
        v.and_then(|v| v.as_str()).map(|s| s.into_owned()).unwrap_or_default()
    }
}
impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: Option<Value>) -> Self {
        v.map(|v| v.items().map(|item| T::from_json(Some(item))).collect()).unwrap_or_default()
    }
}
impl<T: FromJson> FromJson for Option<T> {
    const OPTIONAL: bool = true;
    fn from_json(v: Option<Value>) -> Self {
        v.filter(|v| v.kind() != Kind::Null).map(|v| T::from_json(Some(v)))
    }
}
impl FromJson for Vec<(String, String)> {
    fn from_json(v: Option<Value>) -> Self {
        let Some(v) = v else { return Vec::new() };
        v.members().map(|(k, val)| (String::from_json(Some(k)), String::from_json(Some(val)))).collect()
    }
}

impl ToJson for i64 {
    fn to_json(&self, out: &mut String) {
        crate::text::push_int(out, i128::from(*self));
    }
}
impl ToJson for i32 {
    fn to_json(&self, out: &mut String) {
        crate::text::push_int(out, i128::from(*self));
    }
}
impl ToJson for f64 {
    /// Whole numbers as integers; others with up to six decimals (no float formatting machinery in the wasm).
    fn to_json(&self, out: &mut String) {
        if !self.is_finite() {
            return out.push_str("null");
        }
        let scaled = (self.abs() * 1e6).round();
        if self.is_sign_negative() && scaled != 0.0 {
            out.push('-');
        }
        crate::text::push_int(out, (scaled / 1e6).trunc() as i128);
        let fraction = (scaled % 1e6) as i128;
        if fraction != 0 {
            let mut digits = String::new();
            crate::text::push_int(&mut digits, 1_000_000 + fraction);
            out.push('.');
            out.push_str(digits[1..].trim_end_matches('0'));
        }
    }
}
impl ToJson for bool {
    fn to_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}
impl ToJson for String {
    fn to_json(&self, out: &mut String) {
        push_str(out, self);
    }
}
impl<T: ToJson> ToJson for [T] {
    fn to_json(&self, out: &mut String) {
        out.push('[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item.to_json(out);
        }
        out.push(']');
    }
}
impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self, out: &mut String) {
        self.as_slice().to_json(out);
    }
}
impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self, out: &mut String) {
        match self {
            Some(v) => v.to_json(out),
            None => out.push_str("null"),
        }
    }
    fn skip(&self) -> bool {
        self.is_none()
    }
}
impl ToJson for Vec<(String, String)> {
    fn to_json(&self, out: &mut String) {
        out.push('{');
        for (i, (k, v)) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_str(out, k);
            out.push(':');
            push_str(out, v);
        }
        out.push('}');
    }
}

/// A JSON value kept as its text, to be read later (or handed on as it is).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawJson(pub String);

impl FromJson for RawJson {
    fn from_json(v: Option<Value>) -> Self {
        RawJson(v.map(|v| v.source().to_owned()).unwrap_or_default())
    }
}
impl ToJson for RawJson {
    fn to_json(&self, out: &mut String) {
        out.push_str(&self.0);
    }
}

/// A JavaScript function: JSON leaves it out, so JSON never holds one; the JS layer says when there is one.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct JsFunction;

impl FromJson for JsFunction {
    fn from_json(_: Option<Value>) -> Self {
        JsFunction
    }
}
impl ToJson for JsFunction {
    fn to_json(&self, out: &mut String) {
        out.push_str("null");
    }
    fn skip(&self) -> bool {
        true
    }
}

/// The JSON text of `value`.
pub fn to_json<T: ToJson + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    value.to_json(&mut out);
    out
}

/// Declares a model once: the struct (with tsify's TypeScript declaration), its [`Shape`] for the validator,
/// and its [`FromJson`] and [`ToJson`]. Each field names its JSON member and its [`Ty`]; `Option` fields are the
/// optional ones (mark them `#[tsify(optional)]` too).
macro_rules! model {
    (
        $(#[$meta:meta])*
        pub struct $name:ident ($closed:literal) {
            $( $(#[$fmeta:meta])* $field:ident $json:literal : $t:ty = $ty:expr, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, tsify::Tsify)]
        pub struct $name {
            $( $(#[$fmeta])* #[serde(rename = $json)] pub $field: $t, )*
        }

        impl $name {
            /// The JSON schema the validator checks.
            pub const SHAPE: &'static $crate::decode::Shape = &$crate::decode::Shape {
                closed: $closed,
                fields: &[ $( $crate::decode::Field {
                    name: $json,
                    ty: $ty,
                    required: !<$t as $crate::decode::FromJson>::OPTIONAL,
                }, )* ],
            };
        }

        impl $crate::decode::FromJson for $name {
            fn from_json(v: Option<$crate::decode::Value>) -> Self {
                #[allow(unused_mut)]
                let mut out = Self::default();
                for (key, value) in v.iter().flat_map(|v| v.members()) {
                    $( if key.is_str($json) {
                        out.$field = $crate::decode::FromJson::from_json(Some(value));
                        continue;
                    } )*
                }
                out
            }
        }

        impl $crate::decode::ToJson for $name {
            #[allow(unused_assignments)]
            fn to_json(&self, out: &mut String) {
                out.push('{');
                #[allow(unused_mut, unused_variables, unused_assignments)]
                let mut first = true;
                $( if !$crate::decode::ToJson::skip(&self.$field) {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    $crate::decode::push_str(out, $json);
                    out.push(':');
                    $crate::decode::ToJson::to_json(&self.$field, out);
                } )*
                out.push('}');
            }
        }
    };
}
pub(crate) use model;

/// A JSON text that failed its check: where (empty for the whole value), and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Invalid {
    /// The JSON path, e.g. `webhooks[1].events`.
    pub path: String,
    /// Words that never quote the value.
    pub problem: String,
}

/// Parses `text` and checks it against `ty`; returns the document and the date strings to replace.
pub fn check<'a>(text: &'a str, ty: Ty) -> Result<(Doc<'a>, Vec<schema::Patch>), Invalid> {
    let doc = Doc::parse(text)
        .map_err(|e| Invalid { path: String::new(), problem: cat!("is not JSON (", e.what, " at byte ", e.at, ")") })?;
    let mut patches = Vec::new();
    schema::check(doc.root(), ty, &mut patches)
        .map_err(|f| Invalid { path: f.path(), problem: f.problem.describe() })?;
    Ok((doc, patches))
}

/// Reads the caller's input (JSON text from `JSON.stringify`) as `T` after checking it against `ty`. Errors come
/// from `error(path, problem)`, where `path` is `prefix` joined with the JSON path.
pub fn input<T: FromJson>(text: &str, ty: Ty, prefix: &str, error: fn(&str, &str) -> Error) -> Result<T, Error> {
    match check(text, ty) {
        Ok((doc, _)) => Ok(T::from_json(Some(doc.root()))),
        Err(Invalid { path, problem }) => {
            let path = match (prefix.is_empty(), path.is_empty()) {
                (true, true) => "argument".to_owned(),
                (true, false) => path,
                (false, true) => prefix.to_owned(),
                (false, false) if path.starts_with('[') => cat!(prefix, path),
                (false, false) => cat!(prefix, '.', path),
            };
            Err(error(&path, &problem))
        }
    }
}

/// A success answer from Jira, checked against its schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Checked {
    /// The body with Jira's date strings replaced by milliseconds, when it had any (else use the body as is).
    pub patched: Option<String>,
}

/// Checks a success answer's body against `ty`: HTML (a login or proxy page), an empty body, text that is not
/// JSON, or JSON that does not match the spec is a `decode` error naming the JSON path. The content type is not
/// trusted either way (proxies relabel): only what the body is counts.
pub fn answer(op: &'static str, status: u16, content_type: Option<&str>, body: &str, ty: Ty) -> Result<Checked, Error> {
    let fail = |path: Option<String>, why: &str| {
        let mut e = Error::decode(status, path, cat!(op, ": Jira answered ", status, " with ", why));
        e.operation = Some(op);
        e
    };
    if looks_like_html(content_type, body) {
        return Err(fail(
            None,
            "an HTML page instead of JSON; the base URL probably points at a login page or a proxy rather than Jira's REST API",
        ));
    }
    if body.trim().is_empty() {
        return Err(fail(None, "an empty body, expected JSON"));
    }
    match check(body, ty) {
        Ok((_, patches)) if patches.is_empty() => Ok(Checked { patched: None }),
        Ok((_, patches)) => Ok(Checked { patched: Some(schema::apply(body, &patches)) }),
        Err(Invalid { path, problem }) if path.is_empty() => Err(fail(None, &cat!("a body that ", problem))),
        Err(Invalid { path, problem }) => {
            Err(fail(Some(path.clone()), &cat!("a body that does not match the spec: `", path, "` ", problem)))
        }
    }
}

/// Whether an answer is an HTML page (labelled so, or starting with a tag).
pub fn looks_like_html(content_type: Option<&str>, body: &str) -> bool {
    content_type.is_some_and(|t| crate::text::find(&t.to_ascii_lowercase(), "html").is_some())
        || body.trim_start().starts_with('<')
}

impl FromJson for () {
    fn from_json(_: Option<Value>) -> Self {}
}

#[cfg(test)]
mod speed {
    /// Not a test of speed (timings are not asserted): prints how long checking a 100-webhook page takes, for
    /// profiling with `cargo test --release decode::speed -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn check_a_page() {
        let text = std::fs::read_to_string("/tmp/page100.json").unwrap();
        let ty = super::Ty::Obj(crate::models::PageBeanWebhook::SHAPE);
        let t = std::time::Instant::now();
        for _ in 0..1000 {
            let (doc, patches) = super::check(&text, ty).unwrap();
            std::hint::black_box((doc, super::schema::apply(&text, &patches)));
        }
        println!("check + patch: {:?} per page", t.elapsed() / 1000);
        let t = std::time::Instant::now();
        for _ in 0..1000 {
            std::hint::black_box(super::Doc::parse(&text).unwrap());
        }
        println!("parse only: {:?} per page", t.elapsed() / 1000);
    }
}
