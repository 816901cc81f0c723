//! One table-driven validator for every schema: Jira's answers (unknown members kept, for fields Jira adds) and
//! the caller's input (unknown members refused, as the spec's request schemas do). It checks a parsed [`Doc`]
//! against a [`Ty`] in one pass and collects the date strings to replace with milliseconds.
//!
//! The same tables generate a JavaScript validator of the `JSON.parse`d value (`codegen`), so every rule here is
//! one a parsed value can follow too: a number is judged by its value (`1.0` is the integer 1), a repeated member
//! counts once, with its last value, and an object's faults come in the order its shape declares the members.
//! Each [`Problem`] has a stable code and the registry of schemas numbers the shapes, so a fault found in
//! JavaScript turns back into the same problem and the same words.

use super::date::parse_timestamp;
use super::json::{Kind, Value};
use crate::text::cat;
use std::borrow::Cow;

/// The largest integer JavaScript holds exactly (2^53 − 1).
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;
/// The most ids one refresh or delete takes: checking them is O(n log n), and it is far more than any app holds.
pub const MAX_IDS: u32 = 10_000;

/// What [`Problem::Expected`] says was expected; its code is the index here.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub const EXPECTED: &[&str] =
    &[BOOLEAN, STRING, NUMBER, INTEGER, ARRAY, OBJECT, OBJECT_OF_STRINGS, BOOLEAN_OR_OBJECT, FUNCTION, FUNCTIONS];
const BOOLEAN: &str = "a boolean";
const STRING: &str = "a string";
const NUMBER: &str = "a number";
const INTEGER: &str = "an integer";
const ARRAY: &str = "an array";
const OBJECT: &str = "an object";
const OBJECT_OF_STRINGS: &str = "an object of strings";
const BOOLEAN_OR_OBJECT: &str = "a boolean or an object";
const FUNCTION: &str = "a function";
const FUNCTIONS: &str = "an object of functions";

/// The type a JSON value must have.
#[derive(Clone, Copy, Debug)]
pub enum Ty {
    /// Anything.
    Any,
    /// `true` or `false`.
    Bool,
    /// A string.
    Str,
    /// A string with more than whitespace in it.
    Text,
    /// An absolute `http(s)://` URL with no whitespace.
    Url,
    /// Any number.
    Num,
    /// An integer within int32.
    Int32,
    /// An integer JavaScript holds exactly (|n| ≤ 2^53 − 1): ids, offsets, times.
    Int,
    /// Jira's timestamp: milliseconds, or a date-time string that becomes its milliseconds.
    Date,
    /// An array of one type.
    List(&'static Ty),
    /// An array of one type with at least `min` and at most `max` items.
    Items(&'static Ty, u32, u32),
    /// An integer from `min` to `max`.
    Range(i64, i64),
    /// Webhook ids: 1 to `MAX_IDS` positive safe integers, none twice.
    Ids,
    /// An object with known members.
    Obj(&'static Shape),
    /// An object whose members are all strings.
    StrMap,
    /// `true`, `false`, or an object with known members (`retry` in the config).
    BoolOr(&'static Shape),
    /// One value of a type, or an array of them (`secret: "s"` or `secret: ["new", "old"]`).
    OneOrMany(&'static Ty),
    /// A JavaScript function (config hooks, a transport): JSON never holds one, so in JSON text it can only be
    /// absent.
    Function,
    /// An object whose members are all functions (the handlers of a receiver, by event).
    Functions,
    /// An object whose string member `.0` names its shape among `.1` (`auth: { type: "basic", … }`).
    Tagged(&'static str, &'static [(&'static str, &'static Shape)]),
}

/// An object's members.
#[derive(Debug)]
pub struct Shape {
    /// The members, by their JSON name.
    pub fields: &'static [Field],
    /// Whether members not listed are refused (request bodies, config) rather than kept (Jira's answers).
    pub closed: bool,
}

/// One member of a [`Shape`].
#[derive(Debug)]
pub struct Field {
    /// The JSON name.
    pub name: &'static str,
    /// Its type.
    pub ty: Ty,
    /// Whether it must be present (and not `null`).
    pub required: bool,
}

/// A date string to replace: the byte range of the literal (quotes included) and its milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Patch {
    /// Start of the literal.
    pub start: usize,
    /// End of the literal.
    pub end: usize,
    /// Its value.
    pub millis: i64,
}

/// Why a value does not match its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Of the wrong type; says what was expected.
    Expected(&'static str),
    /// A required member is absent.
    Missing,
    /// A member not in the (closed) shape; lists the names it has.
    Unknown(&'static Shape),
    /// An integer JavaScript cannot hold exactly.
    Unsafe,
    /// An integer outside int32.
    OutOfRange,
    /// A string that is not a date-time.
    NotADate,
    /// An empty or blank string.
    Blank,
    /// Not an absolute http(s) URL.
    NotAUrl,
    /// Fewer items than the least allowed.
    TooFew(u32),
    /// More items than the most allowed.
    TooMany(u32),
    /// An integer outside `min..=max`.
    Outside(i64, i64),
    /// Not a webhook id.
    NotAnId,
    /// An id listed a second time.
    Twice,
    /// A tag naming none of the shapes it may name.
    NotOneOf(&'static [(&'static str, &'static Shape)]),
}

impl PartialEq for Shape {
    fn eq(&self, other: &Shape) -> bool {
        std::ptr::eq(self, other)
    }
}
impl Eq for Shape {}

impl Problem {
    /// The problem as words; never quotes the value (it may be a caller's secret).
    pub fn describe(&self) -> String {
        match self {
            Problem::Expected(what) => cat!("expected ", what),
            Problem::Missing => "is missing".into(),
            Problem::Unknown(shape) => {
                let mut names = String::new();
                for (i, f) in shape.fields.iter().enumerate() {
                    names.push_str(if i == 0 { "`" } else { "`, `" });
                    names.push_str(f.name);
                }
                cat!("has a member that is none of ", names, "`")
            }
            Problem::Unsafe => "is an integer beyond 2^53 - 1, which JavaScript cannot hold exactly".into(),
            Problem::OutOfRange => "is out of range".into(),
            Problem::NotADate => {
                "is not a date-time (milliseconds, or ISO 8601 such as 2019-06-01T12:42:30.000+0000)".into()
            }
            Problem::Blank => "must not be empty".into(),
            Problem::NotAUrl => "must be an absolute https:// URL".into(),
            Problem::TooFew(1) => "must list at least one item".into(),
            Problem::TooFew(n) => cat!("must list at least ", n, " items"),
            Problem::TooMany(n) => cat!("lists more than ", n, " items"),
            Problem::Outside(min, MAX_SAFE_INTEGER) => cat!("must be ", min, " or more"),
            Problem::Outside(min, max) => cat!("must be between ", min, " and ", max),
            Problem::NotAnId => "is not a webhook id (ids are positive integers)".into(),
            Problem::Twice => "is listed twice".into(),
            Problem::NotOneOf(shapes) => {
                let mut names = String::from("must be ");
                for (i, (name, _)) in shapes.iter().enumerate() {
                    names.push_str(match i {
                        0 => "\"",
                        i if i + 1 == shapes.len() => "\" or \"",
                        _ => "\", \"",
                    });
                    names.push_str(name);
                }
                cat!(names, '"')
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Key(&'static str),
    Index(usize),
}

/// Where a value failed its type, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// Innermost segment first.
    segs: Vec<Seg>,
    /// What is wrong there.
    pub problem: Problem,
}

impl Fault {
    fn new(problem: Problem) -> Self {
        Fault { segs: Vec::new(), problem }
    }

    /// The path, e.g. `values[3].id`; empty for the top-level value.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for seg in self.segs.iter().rev() {
            match seg {
                Seg::Key(name) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                }
                Seg::Index(i) => out.push_str(&cat!('[', i, ']')),
            }
        }
        out
    }

    fn at(mut self, seg: Seg) -> Self {
        self.segs.push(seg);
        self
    }
}

/// Checks `v` against `ty`, adding to `patches` the date strings to replace (kept in text order).
pub fn check(v: Value, ty: Ty, patches: &mut Vec<Patch>) -> Result<(), Fault> {
    let expected = |what| Err(Fault::new(Problem::Expected(what)));
    match ty {
        Ty::Any => Ok(()),
        Ty::Bool if v.kind() == Kind::Bool => Ok(()),
        Ty::Bool => expected(BOOLEAN),
        Ty::Str if v.kind() == Kind::Str => Ok(()),
        Ty::Text if v.kind() == Kind::Str => match v.as_str() {
            Some(s) if !s.trim().is_empty() => Ok(()),
            _ => Err(Fault::new(Problem::Blank)),
        },
        Ty::Url if v.kind() == Kind::Str => match v.as_str() {
            Some(s) if is_url(&s) => Ok(()),
            _ => Err(Fault::new(Problem::NotAUrl)),
        },
        Ty::Str | Ty::Text | Ty::Url => expected(STRING),
        Ty::Num if v.kind() == Kind::Num => Ok(()),
        Ty::Num => expected(NUMBER),
        Ty::Int32 => match integer(v)? {
            n if i32::try_from(n).is_ok() => Ok(()),
            _ => Err(Fault::new(Problem::OutOfRange)),
        },
        Ty::Int => integer(v).map(drop),
        Ty::Date if v.kind() == Kind::Str => {
            // Milliseconds JavaScript holds exactly: a string of more digits is not a date this library returns.
            let millis = v
                .as_str()
                .and_then(|s| parse_timestamp(&s))
                .filter(|ms| (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(ms))
                .ok_or(Fault::new(Problem::NotADate))?;
            let (start, end) = v.span();
            // Members are checked in the shape's order, which need not be the text's.
            let at = patches.iter().rposition(|p| p.start < start).map_or(0, |i| i + 1);
            patches.insert(at, Patch { start, end, millis });
            Ok(())
        }
        Ty::Date => integer(v).map(drop),
        Ty::List(item) => check(v, Ty::Items(item, 0, u32::MAX), patches),
        Ty::Items(item, min, max) if v.kind() == Kind::Arr => {
            if v.len() < min as usize {
                return Err(Fault::new(Problem::TooFew(min)));
            }
            if v.len() > max as usize {
                return Err(Fault::new(Problem::TooMany(max)));
            }
            for (i, it) in v.items().enumerate() {
                check(it, *item, patches).map_err(|f| f.at(Seg::Index(i)))?;
            }
            Ok(())
        }
        Ty::Items(..) => expected(ARRAY),
        Ty::Range(min, max) => match integer(v)? {
            n if (min..=max).contains(&n) => Ok(()),
            _ => Err(Fault::new(Problem::Outside(min, max))),
        },
        Ty::Ids => ids(v),
        Ty::Obj(shape) if v.kind() == Kind::Obj => object(v, shape, patches),
        Ty::Obj(_) => expected(OBJECT),
        Ty::StrMap if v.kind() == Kind::Obj && strings(v) => Ok(()),
        Ty::StrMap => expected(OBJECT_OF_STRINGS),
        Ty::BoolOr(_) if v.kind() == Kind::Bool => Ok(()),
        Ty::BoolOr(shape) if v.kind() == Kind::Obj => object(v, shape, patches),
        Ty::BoolOr(_) => expected(BOOLEAN_OR_OBJECT),
        Ty::OneOrMany(item) if v.kind() == Kind::Arr => check(v, Ty::Items(item, 1, u32::MAX), patches),
        Ty::OneOrMany(item) => check(v, *item, patches),
        Ty::Function => expected(FUNCTION),
        Ty::Functions if v.kind() == Kind::Obj && v.is_empty() => Ok(()),
        Ty::Functions => expected(FUNCTIONS),
        Ty::Tagged(tag, shapes) if v.kind() == Kind::Obj => {
            let kind = v.get(tag).and_then(|t| t.as_str());
            match shapes.iter().find(|(name, _)| kind.as_deref() == Some(*name)) {
                Some((_, shape)) => object(v, shape, patches),
                None => Err(Fault::new(Problem::NotOneOf(shapes)).at(Seg::Key(tag))),
            }
        }
        Ty::Tagged(..) => expected("an object"),
    }
}

/// Checks an integer against an integer type (the typed query parameters: their constraints are the schema's).
pub fn check_int(n: i64, ty: Ty) -> Result<(), Problem> {
    match ty {
        Ty::Range(min, max) if !(min..=max).contains(&n) => Err(Problem::Outside(min, max)),
        Ty::Int | Ty::Range(..) if !(-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&n) => Err(Problem::Unsafe),
        _ => Ok(()),
    }
}

/// Whether every member of an object is a string; of a repeated member only the last counts.
fn strings(v: Value) -> bool {
    if v.members().all(|(_, val)| val.kind() == Kind::Str) {
        return true;
    }
    // Rare: sort the keys to find each one's last member, in O(n log n) whatever the text.
    let mut keys: Vec<(Cow<str>, usize, bool)> = v
        .members()
        .enumerate()
        .map(|(i, (k, val))| (k.as_str().unwrap_or_default(), i, val.kind() == Kind::Str))
        .collect();
    heapsort(&mut keys);
    keys.iter().enumerate().all(|(i, (key, _, string))| *string || keys.get(i + 1).is_some_and(|next| next.0 == *key))
}

/// Webhook ids: 1 to [`MAX_IDS`], positive, none twice (the later of two is at fault).
fn ids(v: Value) -> Result<(), Fault> {
    check(v, Ty::Items(&Ty::Int, 1, MAX_IDS), &mut Vec::new())?;
    let ids: Vec<i64> = v.items().map(|id| id.as_i64().unwrap_or(0)).collect();
    if let Some(i) = ids.iter().position(|id| *id <= 0) {
        return Err(Fault::new(Problem::NotAnId).at(Seg::Index(i)));
    }
    let mut sorted = ids.clone();
    heapsort(&mut sorted);
    match sorted.windows(2).find(|w| w[0] == w[1]) {
        Some(pair) => {
            Err(Fault::new(Problem::Twice).at(Seg::Index(ids.iter().rposition(|id| *id == pair[0]).unwrap_or(0))))
        }
        None => Ok(()),
    }
}

/// Sorts in O(n log n) with a few hundred bytes of wasm (the standard sorts bring kilobytes).
fn heapsort<T: PartialOrd>(v: &mut [T]) {
    fn sift<T: PartialOrd>(v: &mut [T], mut root: usize, end: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end && v[child] < v[child + 1] {
                child += 1;
            }
            if v[root] >= v[child] {
                return;
            }
            v.swap(root, child);
            root = child;
        }
    }
    for start in (0..v.len() / 2).rev() {
        sift(v, start, v.len());
    }
    for end in (1..v.len()).rev() {
        v.swap(0, end);
        sift(v, 0, end);
    }
}

/// An absolute `http://` or `https://` URL with a host and no whitespace.
fn is_url(s: &str) -> bool {
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        s.get(8..).unwrap_or_default()
    } else if lower.starts_with("http://") {
        s.get(7..).unwrap_or_default()
    } else {
        return false;
    };
    !rest.is_empty() && !rest.starts_with('/') && !s.chars().any(char::is_whitespace)
}

/// A safe integer. A number is judged by its value, as JavaScript sees it: `1.0` and `1e3` are integers, and any
/// number beyond 2^53 − 1, whole or not, is one JavaScript cannot hold exactly.
fn integer(v: Value) -> Result<i64, Fault> {
    let Some(n) = v.number() else { return Err(Fault::new(Problem::Expected(INTEGER))) };
    let max = MAX_SAFE_INTEGER as u64;
    match n.whole {
        Some(whole) if whole < max || (whole == max && !n.fraction) => match n.fraction {
            true => Err(Fault::new(Problem::Expected(INTEGER))),
            false if n.negative => Ok(-(whole as i64)),
            false => Ok(whole as i64),
        },
        _ => Err(Fault::new(Problem::Unsafe)),
    }
}

/// The most members a shape has: the object check notes where each one is on the stack.
const MAX_FIELDS: usize = 16;

/// Checks an object: a member no closed shape has first, then each member in the shape's order (absent, `null`
/// or of its type). Of a repeated member only the last counts, as `JSON.parse` keeps only the last.
fn object(v: Value, shape: &'static Shape, patches: &mut Vec<Patch>) -> Result<(), Fault> {
    let mut found: [Option<Value>; MAX_FIELDS] = [None; MAX_FIELDS];
    for (key, value) in v.members() {
        match shape.fields.iter().position(|f| key.is_str(f.name)) {
            Some(i) => {
                if let Some(slot) = found.get_mut(i) {
                    *slot = Some(value);
                }
            }
            None if shape.closed => return Err(Fault::new(Problem::Unknown(shape))),
            None => {}
        }
    }
    for (i, field) in shape.fields.iter().enumerate() {
        let value = match found.get(i) {
            Some(value) => *value,
            None => v.get(field.name),
        };
        match value {
            None if field.required => return Err(Fault::new(Problem::Missing).at(Seg::Key(field.name))),
            Some(value) if field.required || value.kind() != Kind::Null => {
                check(value, field.ty, patches).map_err(|f| f.at(Seg::Key(field.name)))?
            }
            _ => {}
        }
    }
    Ok(())
}

/// `text` with each patch's literal replaced by its milliseconds (patches in text order).
pub fn apply(text: &str, patches: &[Patch]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for p in patches {
        out.push_str(text.get(at..p.start).unwrap_or_default());
        crate::text::push_int(&mut out, p.millis);
        at = p.end;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::json::Doc;

    static INNER: Shape = Shape {
        fields: &[
            Field { name: "id", ty: Ty::Int, required: true },
            Field { name: "when", ty: Ty::Date, required: false },
            Field { name: "tags", ty: Ty::List(&Ty::Str), required: false },
        ],
        closed: false,
    };
    static OUTER: Shape = Shape {
        fields: &[
            Field { name: "values", ty: Ty::List(&Ty::Obj(&INNER)), required: true },
            Field { name: "size", ty: Ty::Int32, required: false },
            Field { name: "errors", ty: Ty::StrMap, required: false },
        ],
        closed: true,
    };

    fn run(text: &str) -> Result<Vec<Patch>, (String, Problem)> {
        let doc = Doc::parse(text).unwrap();
        let mut patches = Vec::new();
        check(doc.root(), Ty::Obj(&OUTER), &mut patches).map(|_| patches).map_err(|f| (f.path(), f.problem))
    }

    #[test]
    fn valid_documents_pass_and_yield_date_patches() {
        let text = r#"{"values":[{"id":1,"when":"2019-06-01T12:42:30.000+0000","extra":{"x":[1]}},{"id":2,"when":5,"tags":null}],"errors":{"a":"b"}}"#;
        let patches = run(text).unwrap();
        assert_eq!(patches.len(), 1);
        assert_eq!(
            apply(text, &patches),
            r#"{"values":[{"id":1,"when":1559392950000,"extra":{"x":[1]}},{"id":2,"when":5,"tags":null}],"errors":{"a":"b"}}"#
        );
    }

    #[test]
    fn faults_name_the_path_and_never_the_value() {
        let cases: &[(&str, &str, Problem)] = &[
            (r#"{"values":[{"id":1},{"id":"two"}]}"#, "values[1].id", Problem::Expected("an integer")),
            (r#"{"values":[{"id":1},{}]}"#, "values[1].id", Problem::Missing),
            (r#"{"values":[{"id":null}]}"#, "values[0].id", Problem::Expected("an integer")),
            (r#"{"values":[{"id":9007199254740992}]}"#, "values[0].id", Problem::Unsafe),
            (r#"{"values":[{"id":99999999999999999999}]}"#, "values[0].id", Problem::Unsafe),
            (r#"{"values":[{"id":1.5}]}"#, "values[0].id", Problem::Expected("an integer")),
            (r#"{"values":[{"id":1,"when":"next tuesday"}]}"#, "values[0].when", Problem::NotADate),
            (r#"{"values":[{"id":1,"tags":[1]}]}"#, "values[0].tags[0]", Problem::Expected("a string")),
            (r#"{"values":{}}"#, "values", Problem::Expected("an array")),
            (r#"{"values":[],"size":2147483648}"#, "size", Problem::OutOfRange),
            (r#"{"values":[],"errors":{"a":1}}"#, "errors", Problem::Expected("an object of strings")),
            (r#"{"values":[],"s3cr3t":1}"#, "", Problem::Unknown(&OUTER)),
            (r#"{}"#, "values", Problem::Missing),
        ];
        for (text, path, problem) in cases {
            assert_eq!(run(text).unwrap_err(), (path.to_string(), *problem), "{text}");
        }
        assert_eq!(Problem::Unknown(&OUTER).describe(), "has a member that is none of `values`, `size`, `errors`");
        let doc = Doc::parse("[]").unwrap();
        assert!(check(doc.root(), Ty::Obj(&OUTER), &mut Vec::new()).is_err());
    }

    #[test]
    fn constraints_of_request_bodies() {
        static BODY: Shape = Shape {
            fields: &[
                Field { name: "url", ty: Ty::Url, required: false },
                Field { name: "jql", ty: Ty::Text, required: false },
                Field { name: "events", ty: Ty::Items(&Ty::Text, 1, 2), required: false },
                Field { name: "ids", ty: Ty::Ids, required: false },
                Field { name: "max", ty: Ty::Range(1, 100), required: false },
                Field { name: "at", ty: Ty::Range(0, MAX_SAFE_INTEGER), required: false },
            ],
            closed: true,
        };
        let run = |text: &str| {
            let doc = Doc::parse(text).unwrap();
            check(doc.root(), Ty::Obj(&BODY), &mut Vec::new()).map_err(|f| (f.path(), f.problem))
        };
        assert!(run(
            r#"{"url":"https://a.example/x","jql":"project = A","events":["a"],"ids":[3,1,2],"max":100,"at":0}"#
        )
        .is_ok());
        let cases: &[(&str, &str, Problem)] = &[
            (r#"{"url":"ftp://a"}"#, "url", Problem::NotAUrl),
            (r#"{"url":"https://"}"#, "url", Problem::NotAUrl),
            (r#"{"url":"https://a b"}"#, "url", Problem::NotAUrl),
            (r#"{"jql":"  "}"#, "jql", Problem::Blank),
            (r#"{"events":[]}"#, "events", Problem::TooFew(1)),
            (r#"{"events":["a","b","c"]}"#, "events", Problem::TooMany(2)),
            (r#"{"events":["a",""]}"#, "events[1]", Problem::Blank),
            (r#"{"ids":[]}"#, "ids", Problem::TooFew(1)),
            (r#"{"ids":[1,0]}"#, "ids[1]", Problem::NotAnId),
            (r#"{"ids":[4,2,4,2]}"#, "ids[3]", Problem::Twice),
            (r#"{"ids":[1.5]}"#, "ids[0]", Problem::Expected("an integer")),
            (r#"{"max":101}"#, "max", Problem::Outside(1, 100)),
            (r#"{"at":-1}"#, "at", Problem::Outside(0, MAX_SAFE_INTEGER)),
        ];
        for (text, path, problem) in cases {
            assert_eq!(run(text).unwrap_err(), (path.to_string(), *problem), "{text}");
        }
        assert_eq!(Problem::Outside(0, MAX_SAFE_INTEGER).describe(), "must be 0 or more");
        assert_eq!(Problem::Outside(1, 100).describe(), "must be between 1 and 100");
    }

    #[test]
    fn heapsort_sorts() {
        let mut v: Vec<i64> = (0..1000).map(|i| (i * 7919) % 1009 - 500).collect();
        let mut expected = v.clone();
        expected.sort();
        heapsort(&mut v);
        assert_eq!(v, expected);
    }

    /// Defect: the duplicate-id check was quadratic with no cap; 100,000 ids froze the thread.
    #[test]
    fn id_checks_are_bounded() {
        let ids =
            |n: i64, extra: &str| format!("[{}{extra}]", (1..=n).map(|i| i.to_string()).collect::<Vec<_>>().join(","));
        let check_ids = |text: String| {
            let doc = Doc::parse(&text).unwrap();
            check(doc.root(), Ty::Ids, &mut Vec::new()).map_err(|f| (f.path(), f.problem))
        };
        assert!(check_ids(ids(MAX_IDS as i64, "")).is_ok());
        assert_eq!(check_ids(ids(MAX_IDS as i64 + 1, "")).unwrap_err(), (String::new(), Problem::TooMany(MAX_IDS)));
        assert_eq!(check_ids(ids(5000, ",17")).unwrap_err(), ("[5000]".to_owned(), Problem::Twice));
    }

    /// What `JSON.parse` cannot tell apart is judged the same: a number by its value, a repeated member by its
    /// last value, an object's faults in the shape's order (the text's order does not survive `JSON.parse`).
    #[test]
    fn rules_a_parsed_value_can_follow() {
        for ok in [
            r#"{"values":[{"id":1.0}]}"#,
            r#"{"values":[{"id":1e3}]}"#,
            r#"{"values":[{"id":-0}]}"#,
            r#"{"values":[{"id":12.50e1}],"size":2.147483647e9}"#,
            r#"{"values":[{"id":"x","id":5}]}"#,
            r#"{"values":[],"errors":{"a":1,"a":"b"}}"#,
            r#"{"values":[],"errors":{"a":1,"b":"c","a":"b"}}"#,
            r#"{"values":[{"id":9007199254740991}]}"#,
        ] {
            assert!(run(ok).is_ok(), "{ok}");
        }
        let cases: &[(&str, &str, Problem)] = &[
            (r#"{"values":[{"id":5,"id":"x"}]}"#, "values[0].id", Problem::Expected(INTEGER)),
            (r#"{"values":[{"id":1e-1}]}"#, "values[0].id", Problem::Expected(INTEGER)),
            (r#"{"values":[{"id":9007199254740991.5}]}"#, "values[0].id", Problem::Unsafe),
            (r#"{"values":[{"id":-9007199254740992}]}"#, "values[0].id", Problem::Unsafe),
            (r#"{"values":[{"id":1e400}]}"#, "values[0].id", Problem::Unsafe),
            (r#"{"values":[],"size":2147483648}"#, "size", Problem::OutOfRange),
            (r#"{"values":[],"size":1e300}"#, "size", Problem::Unsafe),
            (r#"{"values":[],"errors":{"a":"b","a":1}}"#, "errors", Problem::Expected(OBJECT_OF_STRINGS)),
            (
                r#"{"values":[],"errors":{"a":"b","b":"c","a":1,"b":"d"}}"#,
                "errors",
                Problem::Expected(OBJECT_OF_STRINGS),
            ),
            // The shape's order: `values` before `size`, whatever the text's.
            (r#"{"size":"x","values":{}}"#, "values", Problem::Expected(ARRAY)),
            (r#"{"size":"x"}"#, "values", Problem::Missing),
            (r#"{"values":[{"when":"x","id":"y"}]}"#, "values[0].id", Problem::Expected(INTEGER)),
            // A member the closed shape lacks comes first.
            (r#"{"values":{},"zzz":1}"#, "", Problem::Unknown(&OUTER)),
            (r#"{"values":[{"id":1,"when":"99999999999999999"}]}"#, "values[0].when", Problem::NotADate),
        ];
        for (text, path, problem) in cases {
            assert_eq!(run(text).unwrap_err(), (path.to_string(), *problem), "{text}");
        }
    }

    #[test]
    fn patches_stay_in_text_order() {
        static TWO: Shape = Shape {
            fields: &[
                Field { name: "b", ty: Ty::Date, required: true },
                Field { name: "a", ty: Ty::Date, required: true },
            ],
            closed: true,
        };
        let text = r#"{"a":"1970-01-01T00:00:01Z","b":"1970-01-01T00:00:02Z"}"#;
        let doc = Doc::parse(text).unwrap();
        let mut patches = Vec::new();
        check(doc.root(), Ty::Obj(&TWO), &mut patches).unwrap();
        assert_eq!(apply(text, &patches), r#"{"a":1000,"b":2000}"#);
    }

    /// A shape of more members than the stack notes finds the others by name, with the same rules.
    #[test]
    fn shapes_beyond_max_fields() {
        static WIDE: Shape = Shape {
            fields: &[
                Field { name: "f0", ty: Ty::Int, required: false },
                Field { name: "f1", ty: Ty::Int, required: false },
                Field { name: "f2", ty: Ty::Int, required: false },
                Field { name: "f3", ty: Ty::Int, required: false },
                Field { name: "f4", ty: Ty::Int, required: false },
                Field { name: "f5", ty: Ty::Int, required: false },
                Field { name: "f6", ty: Ty::Int, required: false },
                Field { name: "f7", ty: Ty::Int, required: false },
                Field { name: "f8", ty: Ty::Int, required: false },
                Field { name: "f9", ty: Ty::Int, required: false },
                Field { name: "f10", ty: Ty::Int, required: false },
                Field { name: "f11", ty: Ty::Int, required: false },
                Field { name: "f12", ty: Ty::Int, required: false },
                Field { name: "f13", ty: Ty::Int, required: false },
                Field { name: "f14", ty: Ty::Int, required: false },
                Field { name: "f15", ty: Ty::Int, required: true },
                Field { name: "f16", ty: Ty::Int, required: true },
                Field { name: "f17", ty: Ty::Int, required: true },
            ],
            closed: true,
        };
        assert!(WIDE.fields.len() > MAX_FIELDS);
        let run = |text: &str| {
            let doc = Doc::parse(text).unwrap();
            check(doc.root(), Ty::Obj(&WIDE), &mut Vec::new()).map_err(|f| (f.path(), f.problem))
        };
        assert_eq!(run(r#"{"f15":1,"f16":1,"f17":"x","f17":2}"#), Ok(()));
        assert_eq!(run(r#"{"f15":1,"f17":2}"#), Err(("f16".to_owned(), Problem::Missing)));
        assert_eq!(run(r#"{"f17":2.5,"f16":1,"f15":1}"#), Err(("f17".to_owned(), Problem::Expected(INTEGER))));
        assert_eq!(run(r#"{"f15":1,"f16":1,"f17":1,"f18":1}"#), Err((String::new(), Problem::Unknown(&WIDE))));
    }
}
