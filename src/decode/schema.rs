//! One table-driven validator for every schema: Jira's answers (unknown members kept, for fields Jira adds) and
//! the caller's input (unknown members refused, as the spec's request schemas do). It checks a parsed [`Doc`]
//! against a [`Ty`] in one pass and collects the date strings to replace with milliseconds.

use super::date::parse_timestamp;
use super::json::{Kind, Value};
use crate::text::cat;

/// The largest integer JavaScript holds exactly (2^53 − 1).
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// The type a JSON value must have.
#[derive(Clone, Copy, Debug)]
pub enum Ty {
    /// Anything.
    Any,
    /// `true` or `false`.
    Bool,
    /// A string.
    Str,
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
    /// An object with known members.
    Obj(&'static Shape),
    /// An object whose members are all strings.
    StrMap,
    /// `true`, `false`, or an object with known members (`retry` in the config).
    BoolOr(&'static Shape),
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

/// Checks `v` against `ty`, adding to `patches` the date strings to replace.
pub fn check(v: Value, ty: Ty, patches: &mut Vec<Patch>) -> Result<(), Fault> {
    let expected = |what| Err(Fault::new(Problem::Expected(what)));
    match ty {
        Ty::Any => Ok(()),
        Ty::Bool if v.kind() == Kind::Bool => Ok(()),
        Ty::Bool => expected("a boolean"),
        Ty::Str if v.kind() == Kind::Str => Ok(()),
        Ty::Str => expected("a string"),
        Ty::Num if v.kind() == Kind::Num => Ok(()),
        Ty::Num => expected("a number"),
        Ty::Int32 => match v.as_i64() {
            Some(n) if i32::try_from(n).is_ok() => Ok(()),
            Some(_) => Err(Fault::new(Problem::OutOfRange)),
            None => integer(v).map(drop),
        },
        Ty::Int => integer(v).map(drop),
        Ty::Date if v.kind() == Kind::Str => {
            let millis = v.as_str().and_then(|s| parse_timestamp(&s)).ok_or(Fault::new(Problem::NotADate))?;
            let (start, end) = v.span();
            patches.push(Patch { start, end, millis });
            Ok(())
        }
        Ty::Date => integer(v).map(drop),
        Ty::List(item) if v.kind() == Kind::Arr => {
            for (i, it) in v.items().enumerate() {
                check(it, *item, patches).map_err(|f| f.at(Seg::Index(i)))?;
            }
            Ok(())
        }
        Ty::List(_) => expected("an array"),
        Ty::Obj(shape) if v.kind() == Kind::Obj => object(v, shape, patches),
        Ty::Obj(_) => expected("an object"),
        Ty::StrMap if v.kind() == Kind::Obj => match v.members().find(|(_, val)| val.kind() != Kind::Str) {
            Some(_) => expected("an object of strings"),
            None => Ok(()),
        },
        Ty::StrMap => expected("an object of strings"),
        Ty::BoolOr(_) if v.kind() == Kind::Bool => Ok(()),
        Ty::BoolOr(shape) if v.kind() == Kind::Obj => object(v, shape, patches),
        Ty::BoolOr(_) => expected("a boolean or an object"),
    }
}

/// A safe integer.
fn integer(v: Value) -> Result<i64, Fault> {
    match v.as_i64() {
        Some(n) if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&n) => Ok(n),
        Some(_) => Err(Fault::new(Problem::Unsafe)),
        // Digits only, but beyond i64: still an integer, just not one JavaScript can hold.
        None if v.kind() == Kind::Num && v.raw().bytes().all(|b| b.is_ascii_digit() || b == b'-') => {
            Err(Fault::new(Problem::Unsafe))
        }
        None => Err(Fault::new(Problem::Expected("an integer"))),
    }
}

fn object(v: Value, shape: &'static Shape, patches: &mut Vec<Patch>) -> Result<(), Fault> {
    let mut seen = 0u64;
    for (key, value) in v.members() {
        let Some(i) = shape.fields.iter().position(|f| key.is_str(f.name)) else {
            if shape.closed {
                return Err(Fault::new(Problem::Unknown(shape)));
            }
            continue;
        };
        let field = &shape.fields[i];
        if value.kind() == Kind::Null && !field.required {
            continue;
        }
        seen |= 1 << i;
        check(value, field.ty, patches).map_err(|f| f.at(Seg::Key(field.name)))?;
    }
    match shape.fields.iter().enumerate().find(|(i, f)| f.required && seen & (1 << i) == 0) {
        Some((_, f)) => Err(Fault::new(Problem::Missing).at(Seg::Key(f.name))),
        None => Ok(()),
    }
}

/// `text` with each patch's literal replaced by its milliseconds (patches in text order).
pub fn apply(text: &str, patches: &[Patch]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for p in patches {
        out.push_str(&text[at..p.start]);
        crate::text::push_int(&mut out, i128::from(p.millis));
        at = p.end;
    }
    out.push_str(&text[at..]);
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
}
