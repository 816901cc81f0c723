//! JSON in and out without a derive per type: a strict parser ([`json`]), one validator driven by each model's
//! table ([`schema`]), Jira's date forms ([`date`]), and the [`model!`] macro that declares a model once for
//! Rust (struct, reader, writer), the validator (its [`Shape`]) and TypeScript (tsify).

pub mod date;
pub mod json;
pub mod schema;

pub(crate) use crate::encode::push_json_string;
use crate::error::Error;
use crate::text::cat;
pub use json::{Doc, Kind, Value};
pub use schema::{Field, Shape, Ty};

/// A parsed JSON value to read from: the crate's own parser (`json::Value`) on the host, a JavaScript value
/// (read member by member) in the wasm edge. Readers are written once, for any source.
pub trait Source: Sized {
    /// What the value is.
    fn kind(&self) -> Kind;
    /// An object's member named `name` (a model's member: a name in the code, which a source may keep).
    fn member(&self, name: &'static str) -> Option<Self>;
    /// An array's items (nothing for other values).
    fn items(&self) -> Vec<Self>;
    /// An object's members (nothing for other values).
    fn entries(&self) -> Vec<(String, Self)>;
    /// The string, if this is one.
    fn string(&self) -> Option<String>;
    /// The number, if this is one.
    fn number(&self) -> Option<f64>;
    /// The integer, if this is a number that is one (exactly, within `i64`).
    fn integer(&self) -> Option<i64>;
    /// The boolean, if this is one.
    fn boolean(&self) -> Option<bool>;
}

/// Reads a value that has passed its schema check; `None` is an absent member.
pub trait FromJson: Sized {
    /// Whether the member may be absent (or `null`).
    const OPTIONAL: bool = false;
    /// Reads the value.
    fn from_json<S: Source>(v: Option<S>) -> Self;
}

impl FromJson for i64 {
    fn from_json<S: Source>(v: Option<S>) -> Self {
        v.and_then(|v| v.integer().or_else(|| date::parse_timestamp(&v.string()?))).unwrap_or(0)
    }
}
impl FromJson for i32 {
    fn from_json<S: Source>(v: Option<S>) -> Self {
        v.and_then(|v| v.integer()).and_then(|n| i32::try_from(n).ok()).unwrap_or(0)
    }
}
impl FromJson for f64 {
    fn from_json<S: Source>(v: Option<S>) -> Self {
        v.and_then(|v| v.number()).unwrap_or(0.0)
    }
}
impl FromJson for bool {
    fn from_json<S: Source>(v: Option<S>) -> Self {
        v.and_then(|v| v.boolean()).unwrap_or(false)
    }
}
impl FromJson for String {
    fn from_json<S: Source>(v: Option<S>) -> Self {
        v.and_then(|v| v.string()).unwrap_or_default()
    }
}
impl<T: FromJson> FromJson for Vec<T> {
    fn from_json<S: Source>(v: Option<S>) -> Self {
        v.map(|v| v.items().into_iter().map(|item| T::from_json(Some(item))).collect()).unwrap_or_default()
    }
}
impl<T: FromJson> FromJson for Option<T> {
    const OPTIONAL: bool = true;
    fn from_json<S: Source>(v: Option<S>) -> Self {
        v.filter(|v| v.kind() != Kind::Null).map(|v| T::from_json(Some(v)))
    }
}
impl FromJson for Vec<(String, String)> {
    fn from_json<S: Source>(v: Option<S>) -> Self {
        let Some(v) = v else { return Vec::new() };
        v.entries().into_iter().map(|(k, val)| (k, String::from_json(Some(val)))).collect()
    }
}

impl Source for Value<'_> {
    fn kind(&self) -> Kind {
        Value::kind(self)
    }
    fn member(&self, name: &'static str) -> Option<Self> {
        self.get(name)
    }
    fn items(&self) -> Vec<Self> {
        Value::items(self).collect()
    }
    fn entries(&self) -> Vec<(String, Self)> {
        self.members().filter_map(|(k, v)| Some((k.as_str()?.into_owned(), v))).collect()
    }
    fn string(&self) -> Option<String> {
        self.as_str().map(|s| s.into_owned())
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn integer(&self) -> Option<i64> {
        self.as_i64()
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
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

impl ToJson for i64 {
    fn to_json(&self, out: &mut String) {
        crate::text::push_int(out, *self);
    }
}
impl ToJson for i32 {
    fn to_json(&self, out: &mut String) {
        crate::text::push_int(out, i64::from(*self));
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
        let whole = (scaled / 1e6).trunc();
        // Beyond u64 (no number this crate writes comes near), the leading digits and zeros: within an ulp.
        let mut zeros = 0;
        let mut lead = whole;
        while lead >= 1e19 {
            lead /= 10.0;
            zeros += 1;
        }
        crate::text::push_uint(out, lead as u64);
        out.extend(std::iter::repeat_n('0', zeros));
        // A double past 2^53 has no fraction.
        // (`scaled - whole * 1e6` rather than `%`, which would bring a software fmod into the wasm.)
        let fraction = if whole < 9_007_199_254_740_992.0 { (scaled - whole * 1e6) as u64 } else { 0 };
        if fraction != 0 {
            let mut digits = String::new();
            crate::text::push_uint(&mut digits, 1_000_000 + fraction);
            out.push('.');
            out.push_str(digits.get(1..).unwrap_or_default().trim_end_matches('0'));
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
        push_json_string(out, self);
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
            push_json_string(out, k);
            out.push(':');
            push_json_string(out, v);
        }
        out.push('}');
    }
}

/// A member only JavaScript holds (a function, an `AbortSignal`, an object of functions): Rust never reads it,
/// and JSON never carries it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct JsOnly;

impl FromJson for JsOnly {
    fn from_json<S: Source>(_: Option<S>) -> Self {
        JsOnly
    }
}
impl ToJson for JsOnly {
    fn to_json(&self, out: &mut String) {
        out.push_str("null");
    }
    fn skip(&self) -> bool {
        true
    }
}

/// A model the registry of schemas numbers: the index the edge passes to the generated
/// JavaScript (`CHECKS[index]` is its `check<Name>`). Declared here, below every model, and implemented by the registry.
pub trait Registered: Model {
    /// The index in the registry.
    const INDEX: u32;
}

/// A model declared with `model!`: its schema, read and written as JSON.
pub trait Model: FromJson + ToJson {
    /// The JSON schema the validators check.
    const SHAPE: &'static Shape;
}

/// The JSON text of `value`.
pub fn to_json<T: ToJson + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    value.to_json(&mut out);
    out
}

/// Declares a model once: the struct (with tsify's TypeScript declaration), its [`Shape`] for the validators,
/// and its [`FromJson`] and [`ToJson`]. `[closed]` refuses members the model does not list (what the caller sends:
/// Jira's request schemas forbid them), `[open]` keeps them (Jira's answers: Jira adds fields). Each field names its
/// JSON member and its [`Ty`]; `Option` fields are the optional ones (mark them `#[tsify(optional)]` too).
macro_rules! model {
    (@closed closed) => { true };
    (@closed open) => { false };
    (
        $(#[$meta:meta])*
        pub struct $name:ident [$members:ident] {
            $( $(#[$fmeta:meta])* $field:ident $json:literal : $t:ty = $ty:expr, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, tsify::Tsify)]
        pub struct $name {
            $( $(#[$fmeta])* #[serde(rename = $json)] pub $field: $t, )*
        }

        impl $name {
            /// The JSON schema the validators check.
            pub const SHAPE: &'static $crate::decode::Shape = &$crate::decode::Shape {
                closed: $crate::decode::model!(@closed $members),
                fields: &[ $( $crate::decode::Field {
                    name: $json,
                    ty: $ty,
                    required: !<$t as $crate::decode::FromJson>::OPTIONAL,
                }, )* ],
            };
        }

        impl $crate::decode::Model for $name {
            const SHAPE: &'static $crate::decode::Shape = $name::SHAPE;
        }

        impl $crate::decode::FromJson for $name {
            #[allow(unused_variables)]
            fn from_json<S: $crate::decode::Source>(v: Option<S>) -> Self {
                let Some(v) = v else { return Self::default() };
                Self { $( $field: $crate::decode::FromJson::from_json(v.member($json)), )* }
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
                    $crate::encode::push_json_string(out, $json);
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

/// What checking a success answer's body found. The content type is not trusted either way (proxies relabel):
/// only what the body is counts.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// JSON that matches the operation's answer schema.
    Valid,
    /// An HTML page (a login page, a proxy's error page) where JSON belongs.
    Html,
    /// No body where one belongs.
    Empty,
    /// Text that is not JSON (truncated, garbage), with the parser's words when the core parsed it.
    NotJson(Option<String>),
    /// JSON that does not match the schema: where and why.
    Mismatch(Invalid),
}

impl Verdict {
    /// The verdict on what the edge observed of a body: whether it looks like markup (labelled HTML, or starting
    /// with `<`), whether it is blank, whether `JSON.parse` took it, and the generated validator's fault.
    pub fn of(html: bool, blank: bool, parsed: bool, fault: Option<Invalid>) -> Verdict {
        match (html, blank, parsed, fault) {
            (true, _, _, _) => Verdict::Html,
            (_, true, _, _) => Verdict::Empty,
            (_, _, false, _) => Verdict::NotJson(None),
            (_, _, _, Some(fault)) => Verdict::Mismatch(fault),
            _ => Verdict::Valid,
        }
    }

    /// Checks `body` against `shape` here in the core; also returns the body with Jira's date strings made
    /// milliseconds, when it had any.
    pub fn check(content_type: Option<&str>, body: &str, shape: &'static Shape) -> (Verdict, Option<String>) {
        let html = looks_like_html(content_type, body);
        if html || body.trim().is_empty() {
            return (Verdict::of(html, true, false, None), None);
        }
        match Doc::parse(body) {
            Err(e) => (Verdict::NotJson(Some(cat!(e.what, " at byte ", e.at))), None),
            Ok(doc) => {
                let mut patches = Vec::new();
                match schema::check(doc.root(), Ty::Obj(shape), &mut patches) {
                    Err(f) => (Verdict::Mismatch(Invalid { path: f.path(), problem: f.problem.describe() }), None),
                    Ok(()) if patches.is_empty() => (Verdict::Valid, None),
                    Ok(()) => (Verdict::Valid, Some(schema::apply(body, &patches))),
                }
            }
        }
    }

    /// The `decode` error this verdict means for operation `op`'s answer with `status`, if any.
    pub fn into_result(self, op: &'static str, status: u16) -> Result<(), Error> {
        let fail = |path: Option<String>, why: &str| {
            let mut e = Error::decode(status, path, cat!(op, ": Jira answered ", status, " with ", why));
            e.operation = Some(op);
            Err(e)
        };
        match self {
            Verdict::Valid => Ok(()),
            Verdict::Html => fail(
                None,
                "an HTML page instead of JSON; the base URL probably points at a login page or a proxy rather than Jira's REST API",
            ),
            Verdict::Empty => fail(None, "an empty body, expected JSON"),
            Verdict::NotJson(None) => fail(None, "a body that is not JSON"),
            Verdict::NotJson(Some(why)) => fail(None, &cat!("a body that is not JSON (", why, ")")),
            Verdict::Mismatch(Invalid { path, problem }) if path.is_empty() => fail(None, &cat!("a body that ", problem)),
            Verdict::Mismatch(Invalid { path, problem }) => {
                let why = cat!("a body that does not match the spec: `", path, "` ", problem);
                fail(Some(path), &why)
            }
        }
    }
}

/// Whether an answer is an HTML page (labelled so, or starting with a tag).
pub fn looks_like_html(content_type: Option<&str>, body: &str) -> bool {
    content_type.is_some_and(|t| crate::small::find(&t.to_ascii_lowercase(), "html").is_some())
        || body.chars().find(|c| !c.is_whitespace()) == Some('<')
}

impl FromJson for () {
    fn from_json<S: Source>(_: Option<S>) -> Self {}
}

#[cfg(test)]
mod tests {
    use super::to_json;

    #[test]
    fn numbers_are_written_without_float_formatting() {
        let cases = [
            (0.0, "0"),
            (-0.0, "0"),
            (1.5, "1.5"),
            (-0.25, "-0.25"),
            (1_764_400_000_000.0, "1764400000000"),
            (0.000_000_4, "0"),
            (2.000_000_7, "2.000001"),
            (1e20, "100000000000000000000"),
            (f64::NAN, "null"),
        ];
        for (n, text) in cases {
            assert_eq!(to_json(&n), text, "{n}");
        }
        assert_eq!(to_json(&-42i64), "-42");
        assert_eq!(to_json(&i64::MIN), "-9223372036854775808");
    }
}
