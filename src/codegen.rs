//! The second output of the model tables (the first is tsify's TypeScript): a plain JavaScript module that checks
//! a `JSON.parse`d value against each registered shape ([`SHAPES`]) exactly as [`check`] checks the JSON text,
//! converting Jira's date strings to milliseconds in place. Host only: `cargo run --quiet --bin codegen >
//! src/js/validators.js` writes it, and a test fails when the committed file differs.
//!
//! # The JavaScript interface
//!
//! One export per shape, `check<Name>(value)`: `undefined` when `value` matches, else a fault
//! `[path, code, a, b]`. `path` is what the Rust fault's path prints (`values[3].id`, `""` for the value itself);
//! `code`, `a` and `b` are [`problem_code`], which [`problem_from_code`] turns back into the problem (and
//! [`Problem::describe`] into its words). `SHAPES` lists the names by index (`a` of an `Unknown` fault). A date
//! string where the shape has [`Ty::Date`] is replaced by its milliseconds in the object itself, as the Rust side
//! replaces it in the text. Nothing is allocated while the value is valid (but for [`Ty::Ids`], which sorts a
//! copy): a path is built on the way out of a fault.
//!
//! # Where a parsed value cannot tell texts apart
//!
//! `JSON.parse` makes some different texts the same value. Both validators follow these rules, so they agree on
//! every text:
//! - A number is judged by its value: `1.0`, `1e3`, `12.5e1` and `-0` are the integers 1, 1000, 125 and 0, and any
//!   number beyond 2^53 − 1, whole or not (`9007199254740993`, `1e400`), is [`Problem::Unsafe`]. An integer
//!   beyond int32 where [`Ty::Int32`] is asked is `Unsafe` when it is also beyond 2^53 − 1, else `OutOfRange`.
//! - A repeated member counts once, with its last value, where the first one was (`JSON.parse` keeps the last).
//!   In a [`Ty::StrMap`] only each key's last value must be a string.
//! - An object's faults come in the order its shape declares the members, after a member a closed shape does not
//!   have: `JSON.parse` moves keys such as `"0"` to the front, so the text's order cannot be followed.
//! - A date string whose milliseconds are beyond 2^53 − 1 (a string of many digits) is [`Problem::NotADate`].
//!
//! They can still differ on a number written with more precision than a double holds (`1.00000000000000001`,
//! `9007199254740991.4`, `1e-400`): `JSON.parse` rounds it before the JavaScript sees it. Neither Jira (Java longs)
//! nor `JSON.stringify` (the shortest form that reads back) writes one. And the Rust parser refuses nesting deeper
//! than 256 anywhere, `JSON.parse` does not; the JavaScript never descends into a [`Ty::Any`] member, so depth
//! costs it nothing.
//!
//! # Values only JavaScript has
//!
//! The caller's input arrives as an object, not as `JSON.stringify`'s text, so the JavaScript also says what these
//! are: `undefined` is an absent member (`JSON.stringify` leaves it out), also among a closed shape's members and
//! a [`Ty::StrMap`]'s; a function is fine where the shape has [`Ty::Any`] (the config's `transport`, `getToken`,
//! `sharedSecret`) and of the wrong type anywhere else, and a member a closed shape does not have even when it is
//! a function; `NaN` is not a number; a `BigInt` is not an integer; an object that `JSON.stringify` would write as
//! a string (a `URL`, a `Date`) is not a string. A hole in an array is `undefined`, of the wrong type (as the
//! `null` that `JSON.stringify` writes there is).
//!
//! # What stays with the caller
//!
//! `JSON.parse` itself: a text that is not JSON (empty, truncated, an HTML login page) throws before any check,
//! and saying so, with the content type and the status, is the edge's job, as the Rust `decode::answer` does it
//! for text; so is the prefix of a fault's path (`auth`, `retry`) and the words around it. So is the second step
//! of the config's `auth`: its check asks only for a string `type` (as the Rust config does); then
//! `checkBasicAuth`, `checkBearerAuth`, `checkConnectAuth` or `checkNoAuth` checks the rest, and an unknown
//! `type` is the config's own error. The config's own rules beyond the tables (`baseUrl` or `cloudId`, https,
//! `apiVersion` 2 or 3, header-safe credentials, `retry`'s bounds) stay in Rust.

pub use crate::decode::schema::{Field, Problem, Shape, Ty, EXPECTED, MAX_IDS, MAX_SAFE_INTEGER};
use crate::decode::{schema, Doc};
pub use crate::schemas::{problem_code, problem_from_code, shape_index, CLIENT_SHAPES, SHAPES, TAGGED};

/// The command that regenerates `src/js/validators.js`.
pub const COMMAND: &str = "cargo run --quiet --bin codegen > src/js/validators.js";

/// What the Rust validator says of a JSON text checked as a registered shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It matches; the text with its date strings replaced by milliseconds.
    Valid(String),
    /// It does not: where, and [`problem_code`].
    Invalid {
        /// The path, as the JavaScript reports it.
        path: String,
        /// The problem's code.
        code: u32,
        /// Its first parameter.
        a: i64,
        /// Its second parameter.
        b: i64,
    },
    /// It is not JSON.
    NotJson,
}

/// Checks `text` as the shape registered as `name` (`None` for a name not in [`SHAPES`]).
pub fn check(name: &str, text: &str) -> Option<Verdict> {
    let shape = SHAPES.iter().find(|(n, _)| *n == name)?.1;
    let Ok(doc) = Doc::parse(text) else { return Some(Verdict::NotJson) };
    let mut patches = Vec::new();
    Some(match schema::check(doc.root(), Ty::Obj(shape), &mut patches) {
        Ok(()) => Verdict::Valid(schema::apply(text, &patches)),
        Err(fault) => {
            let (code, a, b) = problem_code(&fault.problem);
            Verdict::Invalid { path: fault.path(), code, a, b }
        }
    })
}

/// The JavaScript module (ES2020, no imports) with a `check<Name>` for every shape in [`SHAPES`].
///
/// # Panics
///
/// When a shape refers to a shape that is not registered, has a member named like one every JavaScript object
/// inherits (`constructor`), or bounds a [`Ty::Range`] beyond what a JavaScript number holds exactly: all
/// mistakes in the tables, found by the tests.
pub fn validators_js() -> String {
    let mut out = String::from(HEADER);
    let names: Vec<String> = SHAPES.iter().map(|(name, _)| js_string(name)).collect();
    out.push_str(&format!(
        "\n/** The schemas by their index: `a` of an Unknown fault. */\nexport const SHAPES = [\n  {},\n];\n",
        names.join(",\n  ")
    ));
    out.push_str(&format!("\nconst MAX = {MAX_SAFE_INTEGER};\nconst MAX_IDS = {MAX_IDS};\n"));
    out.push_str(RUNTIME);
    for (index, (name, shape)) in SHAPES.iter().enumerate() {
        assert_eq!(shape_index(shape), Some(index), "{name} is registered twice");
        out.push('\n');
        out.push_str(&shape_fn(name, shape, index));
    }
    out.push_str(&describe_js());
    let checks = |shapes: &[(&str, &Shape)], indent: &str| -> String {
        shapes.iter().map(|(name, _)| format!("\n{indent}check{name},")).collect()
    };
    let (client, lifecycle) = SHAPES.split_at(CLIENT_SHAPES.min(SHAPES.len()));
    out.push_str(&format!(
        "\n/** The validators by their index in SHAPES, which is what the Rust side passes. */\n\
         export const CHECKS = [{}\n];\n",
        checks(client, "  ")
    ));
    out.push_str(&format!(
        "\n/**\n * Adds the lifecycle's validators to CHECKS: the lifecycle build's edge calls it once, so that a bundle \
         of the\n * client alone leaves them out.\n */\nexport function lifecycleChecks() {{\n  \
         if (CHECKS.length === {CLIENT_SHAPES}) CHECKS.push({}\n  );\n  Object.assign(UNKNOWN, {});\n}}\n",
        checks(lifecycle, "    "),
        unknown_js(CLIENT_SHAPES.min(SHAPES.len()), SHAPES.len(), "  "),
    ));
    out
}

/// A problem's words as a JavaScript expression of `a` and `b`: Rust's own words for `problem(SENTINEL_A,
/// SENTINEL_B)`, with the sentinels' digits replaced by the variables. Equal to [`Problem::describe`] for every
/// `a` and `b` by construction.
fn template(problem: Problem) -> String {
    let words = js_string(&problem.describe());
    let expression =
        words.replace(&SENTINEL_A.to_string(), "\" + a + \"").replace(&SENTINEL_B.to_string(), "\" + b + \"");
    tidy(&expression)
}

/// A concatenation without its empty strings.
fn tidy(expression: &str) -> String {
    let s = expression.replace(" + \"\"", "");
    s.strip_prefix("\"\" + ").map_or(s.clone(), str::to_owned)
}
const SENTINEL_A: i64 = 7_654_321;
const SENTINEL_B: i64 = 8_765_432;

/// The sentence of an `Unknown` fault for each closed shape from `from` to `to` (as an object's members).
fn unknown_js(from: usize, to: usize, indent: &str) -> String {
    let members: String = SHAPES
        .get(from..to)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter(|(_, (_, shape))| shape.closed)
        .map(|(i, (_, shape))| format!("\n{indent}  {}: {},", from + i, js_string(&Problem::Unknown(shape).describe())))
        .collect();
    format!("{{{members}\n{indent}}}")
}

/// `describe(code, a, b)`: the words of a fault's problem, as [`problem_from_code`] and [`Problem::describe`] give
/// them; the edge sends the words to the Rust side, which then needs neither the words nor the schema tables.
fn describe_js() -> String {
    let expected: Vec<String> = EXPECTED.iter().map(|e| js_string(e)).collect();
    let not_one_of: Vec<String> = TAGGED.iter().map(|t| js_string(&Problem::NotOneOf(t).describe())).collect();
    let mut cases = String::new();
    let mut case = |code: u32, expression: String| cases.push_str(&format!("    case {code}: return {expression};\n"));
    let expected_words = Problem::Expected("\u{1}").describe();
    let (before, after) = expected_words.split_once('\u{1}').expect("Expected's words name what was expected");
    case(0, tidy(&format!("{} + EXPECTED[a] + {}", js_string(before), js_string(after))));
    case(1, template(Problem::Missing));
    case(2, "UNKNOWN[a] ?? \"is not valid\"".into());
    case(3, template(Problem::Unsafe));
    case(4, template(Problem::OutOfRange));
    case(5, template(Problem::NotADate));
    case(6, template(Problem::Blank));
    case(7, template(Problem::NotAUrl));
    case(8, format!("a === 1 ? {} : {}", template(Problem::TooFew(1)), template(Problem::TooFew(SENTINEL_A as u32))));
    case(9, template(Problem::TooMany(SENTINEL_A as u32)));
    case(
        10,
        format!(
            "b === MAX ? {} : {}",
            template(Problem::Outside(SENTINEL_A, MAX_SAFE_INTEGER)),
            template(Problem::Outside(SENTINEL_A, SENTINEL_B))
        ),
    );
    case(11, template(Problem::NotAnId));
    case(12, template(Problem::Twice));
    case(13, "NOT_ONE_OF[a] ?? \"is not valid\"".into());
    format!(
        "\n// What each problem's words are: the Rust side's Problem::describe, generated from it.\n\
         const EXPECTED = [{}];\nconst NOT_ONE_OF = [{}];\nconst UNKNOWN = {};\n\n\
         /** The words of the problem `code` with its parameters `a`, `b` (as a fault gives them). */\n\
         export function describe(code, a, b) {{\n  switch (code) {{\n{cases}    default: return \"is not valid\";\n  }}\n}}\n",
        expected.join(", "),
        not_one_of.join(", "),
        unknown_js(0, CLIENT_SHAPES.min(SHAPES.len()), ""),
    )
}

/// The nested shapes that are not registered, as `Outer.member`; empty when the tables are complete.
pub fn unregistered() -> Vec<String> {
    fn walk(ty: Ty, at: &str, out: &mut Vec<String>) {
        match ty {
            Ty::Obj(shape) | Ty::BoolOr(shape) if shape_index(shape).is_none() => out.push(at.to_owned()),
            Ty::Tagged(_, shapes) => {
                out.extend(shapes.iter().filter(|(_, s)| shape_index(s).is_none()).map(|(n, _)| format!("{at}:{n}")))
            }
            Ty::List(item) | Ty::Items(item, ..) | Ty::OneOrMany(item) => walk(*item, at, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (name, shape) in SHAPES {
        for field in shape.fields {
            walk(field.ty, &format!("{name}.{}", field.name), &mut out);
        }
    }
    out
}

const HEADER: &str = "\
// Generated by `cargo run --quiet --bin codegen > src/js/validators.js` from the model tables (src/codegen.rs);
// do not edit.
//
// check<Name>(value) checks a JSON.parse'd value against the schema <Name>, exactly as the Rust validator checks
// the JSON text: undefined when it matches, else a fault [path, code, a, b]. Date strings where the schema has a
// date are replaced by their milliseconds in place. `path` names the member (\"values[3].id\"; \"\" for the value
// itself); the Rust side's problem_from_code(code, a, b) turns the rest into the problem and its words:
//   0 Expected    a: what (0 a boolean, 1 a string, 2 a number, 3 an integer, 4 an array, 5 an object,
//                    6 an object of strings, 7 a boolean or an object)
//   1 Missing     a required member is absent (undefined counts as absent)
//   2 Unknown     a member the closed schema does not have; a: the schema's index in SHAPES
//   3 Unsafe      a number beyond 2^53 - 1 where an integer is expected
//   4 OutOfRange  an integer beyond int32
//   5 NotADate    a string that is not a date-time
//   6 Blank       an empty or blank string
//   7 NotAUrl     not an absolute http(s) URL
//   8 TooFew      fewer than a items
//   9 TooMany     more than a items
//  10 Outside     an integer outside a..b
//  11 NotAnId     not a positive webhook id
//  12 Twice       an id listed a second time
";

const RUNTIME: &str = r#"
// Rust's char::is_whitespace (Unicode White_Space): not String.prototype.trim's set (no U+FEFF, but U+0085).
function space(c) {
  return c === 32 || (c >= 9 && c <= 13) || (c >= 0x85 && (c === 0x85 || c === 0xa0 || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000));
}

function blank(s) {
  for (let i = 0; i < s.length; i++) if (!space(s.charCodeAt(i))) return false;
  return true;
}

// Whether s starts with `lower` (ASCII, lower case) in any case.
function prefix(s, lower) {
  if (s.length < lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    const c = s.charCodeAt(i), l = lower.charCodeAt(i);
    if (c !== l && !(l >= 97 && l <= 122 && c === l - 32)) return false;
  }
  return true;
}

// An absolute http:// or https:// URL with a host and no whitespace.
function isUrl(s) {
  const n = prefix(s, "https://") ? 8 : prefix(s, "http://") ? 7 : 0;
  if (n === 0 || s.length === n || s.charCodeAt(n) === 47) return false;
  for (let i = 0; i < s.length; i++) if (space(s.charCodeAt(i))) return false;
  return true;
}

function digits(s, at, len) {
  let n = 0;
  for (let i = at; i < at + len; i++) {
    const d = s.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 9)) return -1;
    n = n * 10 + d;
  }
  return n;
}

function daysInMonth(year, month) {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// Days since 1970-01-01 of a date (Howard Hinnant's days_from_civil).
function civil(year, month, day) {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400), yoe = y - era * 400, mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

// The digit at i, or a number so negative that any sum of digits with it is.
function digit(s, i) {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -100000;
}

// Jira's timestamp strings as milliseconds since the epoch, or undefined: decode::date::parse_timestamp. Jira's
// own form, 2019-06-01T12:42:30.000+0000 (a hundred on a page of webhooks), is read at its fixed positions; any
// other goes the general way.
function date(s) {
  if (s.length !== 28 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 ||
    s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 ||
    (s.charCodeAt(23) !== 43 && s.charCodeAt(23) !== 45)) return dateAny(s);
  const year = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const month = digit(s, 5) * 10 + digit(s, 6), day = digit(s, 8) * 10 + digit(s, 9);
  const hour = digit(s, 11) * 10 + digit(s, 12), minute = digit(s, 14) * 10 + digit(s, 15);
  const second = digit(s, 17) * 10 + digit(s, 18), millis = digit(s, 20) * 100 + digit(s, 21) * 10 + digit(s, 22);
  const hours = digit(s, 24) * 10 + digit(s, 25), minutes = digit(s, 26) * 10 + digit(s, 27);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour < 0 || hour >= 24 ||
    minute < 0 || minute >= 60 || second < 0 || second >= 61 || millis < 0 || hours < 0 || minutes < 0) return undefined;
  const offset = s.charCodeAt(23) === 45 ? -(hours * 60 + minutes) : hours * 60 + minutes;
  return (civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset * 60) * 1000 + millis;
}

// Any timestamp form decode::date::parse_timestamp takes, as milliseconds since the epoch, or undefined.
function dateAny(s) {
  let a = 0, b = s.length;
  while (a < b && space(s.charCodeAt(a))) a++;
  while (b > a && space(s.charCodeAt(b - 1))) b--;
  if (a > 0 || b < s.length) s = s.slice(a, b);
  if (s.length > 0 && digits(s, 0, s.length) >= 0) {
    const n = Number(s);
    return n <= MAX ? n : undefined;
  }
  const year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
  const t = s.charCodeAt(10);
  if (year < 0 || month < 0 || day < 0 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return undefined;
  if (t !== 84 && t !== 116 && t !== 32) return undefined;
  const hour = digits(s, 11, 2), minute = digits(s, 14, 2);
  if (hour < 0 || minute < 0 || s.charCodeAt(13) !== 58) return undefined;
  let i = 16, second = 0, millis = 0;
  if (s.charCodeAt(i) === 58) {
    second = digits(s, i + 1, 2);
    if (second < 0) return undefined;
    i += 3;
    if (s.charCodeAt(i) === 46) {
      let n = 0;
      while (digits(s, i + 1 + n, 1) >= 0) n++;
      if (n === 0) return undefined;
      const m = n < 3 ? n : 3;
      millis = digits(s, i + 1, m) * (m === 1 ? 100 : m === 2 ? 10 : 1);
      i += 1 + n;
    }
  }
  const rest = s.length - i, sign = s.charCodeAt(i);
  let offset = 0;
  if (rest === 1 && (sign === 90 || sign === 122)) offset = 0;
  else if (sign === 43 || sign === 45) {
    let h, m;
    if (rest === 6 && s.charCodeAt(i + 3) === 58) (h = digits(s, i + 1, 2)), (m = digits(s, i + 4, 2));
    else if (rest === 5) (h = digits(s, i + 1, 2)), (m = digits(s, i + 3, 2));
    else if (rest === 3) (h = digits(s, i + 1, 2)), (m = 0);
    else return undefined;
    if (h < 0 || m < 0) return undefined;
    offset = sign === 45 ? -(h * 60 + m) : h * 60 + m;
  } else return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour >= 24 || minute >= 60 || second >= 61) return undefined;
  return (civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset * 60) * 1000 + millis;
}

// The fault of a value that is not a safe integer.
function notInt(path, v) {
  return typeof v === "number" && (v > MAX || v < -MAX) ? [path, 3, 0, 0] : [path, 0, 3, 0];
}

// `inner` (a path inside the value at `outer`) as a path from the top.
function at(outer, inner) {
  if (inner === "") return outer;
  if (outer === "" || inner.charCodeAt(0) === 91) return outer + inner;
  return outer + "." + inner;
}

// Webhook ids: 1 to MAX_IDS safe integers, positive, none twice (the later of two is at fault).
function ids(v) {
  if (!Array.isArray(v)) return ["", 0, 4, 0];
  const n = v.length;
  if (n < 1) return ["", 8, 1, 0];
  if (n > MAX_IDS) return ["", 9, MAX_IDS, 0];
  for (let i = 0; i < n; i++) if (!Number.isSafeInteger(v[i])) return notInt("[" + i + "]", v[i]);
  for (let i = 0; i < n; i++) if (v[i] <= 0) return ["[" + i + "]", 11, 0, 0];
  const sorted = Float64Array.from(v).sort();
  for (let i = 1; i < n; i++) if (sorted[i] === sorted[i - 1]) return ["[" + v.lastIndexOf(sorted[i]) + "]", 12, 0, 0];
  return undefined;
}
"#;

/// One segment of a path while generating: a member's name, or the JS variable holding an index.
#[derive(Clone)]
enum Seg {
    Key(&'static str),
    Index(String),
}

/// A JS expression of the path, as `Fault::path` prints it.
fn path_js(path: &[Seg]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut text = String::new();
    for (i, seg) in path.iter().enumerate() {
        match seg {
            Seg::Key(name) => {
                if i > 0 {
                    text.push('.');
                }
                text.push_str(name);
            }
            Seg::Index(var) => {
                text.push('[');
                parts.push(js_string(&text));
                parts.push(var.clone());
                text = "]".to_owned();
            }
        }
    }
    if !text.is_empty() || parts.is_empty() {
        parts.push(js_string(&text));
    }
    parts.join(" + ")
}

fn js_string(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `object.name`, or `object["name"]` when the name is no identifier.
fn member(object: &str, name: &str) -> String {
    let mut chars = name.chars();
    let identifier = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if identifier {
        format!("{object}.{name}")
    } else {
        format!("{object}[{}]", js_string(name))
    }
}

fn registered(shape: &Shape) -> (&'static str, usize) {
    let index = shape_index(shape)
        .unwrap_or_else(|| panic!("a nested shape is not registered in SHAPES (src/schemas.rs): {shape:?}"));
    (SHAPES[index].0, index)
}

fn fail(path: &[Seg], code: u32, a: i64, b: i64) -> String {
    format!("return [{}, {code}, {a}, {b}];", path_js(path))
}

/// Code that returns a fault from `call` (a function of the value returning a fault inside it), moved to `path`.
fn nested(call: &str, path: &[Seg]) -> String {
    if path.is_empty() {
        return format!("{{ const f = {call}; if (f !== undefined) return f; }}");
    }
    format!("{{ const f = {call}; if (f !== undefined) {{ f[0] = at({}, f[0]); return f; }} }}", path_js(path))
}

const NOT_OBJECT: &str = "typeof {v} !== \"object\" || {v} === null || Array.isArray({v})";

/// The statements that check `v` (a JS variable) against `ty`: each returns the fault at `path`. A date is
/// written back to `store`; `depth` names the loop variables.
fn check_ty(ty: Ty, v: &str, store: &str, path: &[Seg], depth: usize, indent: &str, out: &mut String) {
    let line = |out: &mut String, s: String| {
        out.push_str(indent);
        out.push_str(&s);
        out.push('\n');
    };
    let not_int = || format!("if (!Number.isSafeInteger({v})) return notInt({}, {v});", path_js(path));
    let not_object = NOT_OBJECT.replace("{v}", v);
    let deeper = format!("{indent}  ");
    match ty {
        Ty::Any => {}
        Ty::Bool => line(out, format!("if (typeof {v} !== \"boolean\") {}", fail(path, 0, 0, 0))),
        Ty::Str => line(out, format!("if (typeof {v} !== \"string\") {}", fail(path, 0, 1, 0))),
        Ty::Text => {
            line(out, format!("if (typeof {v} !== \"string\") {}", fail(path, 0, 1, 0)));
            line(out, format!("if (blank({v})) {}", fail(path, 6, 0, 0)));
        }
        Ty::Url => {
            line(out, format!("if (typeof {v} !== \"string\") {}", fail(path, 0, 1, 0)));
            line(out, format!("if (!isUrl({v})) {}", fail(path, 7, 0, 0)));
        }
        Ty::Num => line(out, format!("if (typeof {v} !== \"number\" || {v} !== {v}) {}", fail(path, 0, 2, 0))),
        Ty::Int => line(out, not_int()),
        Ty::Int32 => {
            line(out, not_int());
            line(out, format!("if (({v} | 0) !== {v}) {}", fail(path, 4, 0, 0)));
        }
        Ty::Date => {
            line(out, format!("if (typeof {v} === \"string\") {{"));
            line(out, format!("  const ms = date({v});"));
            line(out, format!("  if (ms === undefined) {}", fail(path, 5, 0, 0)));
            line(out, format!("  {store} = ms;"));
            line(out, format!("}} else {}", not_int()));
        }
        Ty::Range(min, max) => {
            assert!(
                min.unsigned_abs() <= MAX_SAFE_INTEGER as u64 && max.unsigned_abs() <= MAX_SAFE_INTEGER as u64,
                "Ty::Range({min}, {max}): a bound JavaScript cannot hold exactly"
            );
            line(out, not_int());
            line(out, format!("if ({v} < {min} || {v} > {max}) {}", fail(path, 10, min, max)));
        }
        Ty::List(item) => {
            line(out, format!("if (!Array.isArray({v})) {}", fail(path, 0, 4, 0)));
            check_items(*item, 0, u32::MAX, v, path, depth, indent, out);
        }
        Ty::Items(item, min, max) => {
            line(out, format!("if (!Array.isArray({v})) {}", fail(path, 0, 4, 0)));
            check_items(*item, min, max, v, path, depth, indent, out);
        }
        Ty::OneOrMany(item) => {
            line(out, format!("if (Array.isArray({v})) {{"));
            check_items(*item, 1, u32::MAX, v, path, depth, &deeper, out);
            line(out, "} else {".to_owned());
            check_ty(*item, v, store, path, depth, &deeper, out);
            line(out, "}".to_owned());
        }
        Ty::Ids => line(out, nested(&format!("ids({v})"), path)),
        Ty::Obj(shape) => line(out, nested(&format!("check{}({v})", registered(shape).0), path)),
        Ty::BoolOr(shape) => {
            line(out, format!("if (typeof {v} !== \"boolean\") {{"));
            line(out, format!("  if ({not_object}) {}", fail(path, 0, 7, 0)));
            line(out, format!("  {}", nested(&format!("check{}({v})", registered(shape).0), path)));
            line(out, "}".to_owned());
        }
        Ty::Function => line(out, format!("if (typeof {v} !== \"function\") {}", fail(path, 0, 8, 0))),
        Ty::Functions => {
            let k = format!("k{depth}");
            line(out, format!("if ({not_object}) {}", fail(path, 0, 9, 0)));
            line(out, format!("for (const {k} in {v}) {{"));
            line(
                out,
                format!("  if (typeof {v}[{k}] !== \"function\" && {v}[{k}] !== undefined) {}", fail(path, 0, 9, 0)),
            );
            line(out, "}".to_owned());
        }
        Ty::Tagged(tag, shapes) => {
            let index = TAGGED.iter().position(|t| std::ptr::eq(*t, shapes)).expect("a tag table registered in TAGGED");
            let mut tagged = path.to_vec();
            tagged.push(Seg::Key(tag));
            line(out, format!("if ({not_object}) {}", fail(path, 0, 5, 0)));
            line(out, format!("switch ({}) {{", member(v, tag)));
            for (name, shape) in shapes.iter() {
                line(
                    out,
                    format!(
                        "  case {}: {} break;",
                        js_string(name),
                        nested(&format!("check{}({v})", registered(shape).0), path)
                    ),
                );
            }
            line(out, format!("  default: {}", fail(&tagged, 13, index as i64, 0)));
            line(out, "}".to_owned());
        }
        Ty::StrMap => {
            let (k, s) = (format!("k{depth}"), format!("s{depth}"));
            line(out, format!("if ({not_object}) {}", fail(path, 0, 6, 0)));
            line(out, format!("for (const {k} in {v}) {{"));
            line(out, format!("  const {s} = {v}[{k}];"));
            line(out, format!("  if (typeof {s} !== \"string\" && {s} !== undefined) {}", fail(path, 0, 6, 0)));
            line(out, "}".to_owned());
        }
    }
}

/// The statements that check the items of the array `v`: how many, then each one.
#[allow(clippy::too_many_arguments)]
fn check_items(item: Ty, min: u32, max: u32, v: &str, path: &[Seg], depth: usize, indent: &str, out: &mut String) {
    if min > 0 {
        out.push_str(&format!("{indent}if ({v}.length < {min}) {}\n", fail(path, 8, min.into(), 0)));
    }
    if max < u32::MAX {
        out.push_str(&format!("{indent}if ({v}.length > {max}) {}\n", fail(path, 9, max.into(), 0)));
    }
    if matches!(item, Ty::Any) {
        return;
    }
    let (i, x) = (format!("i{depth}"), format!("x{depth}"));
    out.push_str(&format!("{indent}for (let {i} = 0; {i} < {v}.length; {i}++) {{\n"));
    out.push_str(&format!("{indent}  const {x} = {v}[{i}];\n"));
    let mut inner = path.to_vec();
    inner.push(Seg::Index(i.clone()));
    check_ty(item, &x, &format!("{v}[{i}]"), &inner, depth + 1, &format!("{indent}  "), out);
    out.push_str(&format!("{indent}}}\n"));
}

/// `export function check<Name>(o)`: a member the closed shape lacks, then each member in the shape's order.
fn shape_fn(name: &str, shape: &Shape, index: usize) -> String {
    // `o.name` of an absent member must be undefined, not something every object inherits.
    const INHERITED: &[&str] = &[
        "__proto__",
        "__defineGetter__",
        "__defineSetter__",
        "__lookupGetter__",
        "__lookupSetter__",
        "constructor",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toLocaleString",
        "toString",
        "valueOf",
    ];
    if let Some(field) = shape.fields.iter().find(|f| INHERITED.contains(&f.name)) {
        panic!("{name}.{}: every JavaScript object inherits a member of that name", field.name);
    }
    let mut out = format!("/** Checks a `{name}`. */\nexport function check{name}(o) {{\n");
    out.push_str(&format!("  if ({}) return [\"\", 0, 5, 0];\n", NOT_OBJECT.replace("{v}", "o")));
    if shape.closed {
        let known: String = shape.fields.iter().map(|f| format!("k !== {} && ", js_string(f.name))).collect();
        out.push_str(&format!("  for (const k in o) if ({known}o[k] !== undefined) return [\"\", 2, {index}, 0];\n"));
    }
    if shape.fields.iter().any(|f| !matches!(f.ty, Ty::Any)) {
        out.push_str("  let v;\n");
    }
    for field in shape.fields {
        let path = [Seg::Key(field.name)];
        let access = member("o", field.name);
        match (field.required, field.ty) {
            (false, Ty::Any) => {}
            (true, Ty::Any) => {
                out.push_str(&format!("  if ({access} === undefined) {}\n", fail(&path, 1, 0, 0)));
            }
            (true, ty) => {
                out.push_str(&format!("  v = {access};\n"));
                out.push_str(&format!("  if (v === undefined) {}\n", fail(&path, 1, 0, 0)));
                check_ty(ty, "v", &access, &path, 0, "  ", &mut out);
            }
            (false, ty) => {
                out.push_str(&format!("  v = {access};\n"));
                out.push_str("  if (v !== undefined && v !== null) {\n");
                check_ty(ty, "v", &access, &path, 0, "    ", &mut out);
                out.push_str("  }\n");
            }
        }
    }
    out.push_str("  return undefined;\n}\n");
    out
}
