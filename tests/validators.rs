//! The generated JavaScript validators (`src/js/validators.js`) against the Rust validator: the committed file is
//! what the tables generate, and on a few thousand seeded documents per run (valid ones, then mutated: wrong types,
//! absent and `null` members, unknown and repeated members, unsafe and non-canonical numbers, dates valid and
//! not, blank strings, URLs without a scheme, empty and oversized arrays, repeated ids, text that is not JSON)
//! both accept the same, name the same first fault (path and problem code) and convert the same dates.
//! Host only (the generator is); run by `cargo test`.
#![cfg(not(target_arch = "wasm32"))]

use jira_webhooks::codegen::{self, Shape, Ty, Verdict, MAX_IDS, MAX_SAFE_INTEGER, SHAPES};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The committed file is generated with the default features (the lifecycle's shapes included).
#[cfg(feature = "lifecycle")]
#[test]
fn the_committed_validators_are_what_the_tables_generate() {
    let committed =
        std::fs::read_to_string(std::path::Path::new(ROOT).join("src/js/validators.js")).unwrap_or_default();
    assert!(committed == codegen::validators_js(), "src/js/validators.js is stale: run `{}`", codegen::COMMAND);
}

#[test]
fn every_nested_shape_is_registered() {
    assert_eq!(codegen::unregistered(), Vec::<String>::new());
}

/// Every `model!` in the sources is registered, but for the lifecycle's results, which are outputs.
#[cfg(feature = "lifecycle")]
#[test]
fn every_model_is_registered() {
    const OUTPUTS: &[&str] = &[
        "SyncPlan",
        "CreatedWebhook",
        "FailedRegistration",
        "SyncResult",
        "KeepAliveResult",
        "Delivery",
        "DeliveryProblem",
        "TokenContext",
    ];
    let mut models = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(ROOT).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for block in text.split("model! {").skip(1) {
                    let name = block.split("pub struct ").nth(1).and_then(|s| s.split_whitespace().next()).unwrap();
                    models.push(name.to_owned());
                }
            }
        }
    }
    assert!(models.len() > 20, "{models:?}");
    for name in models {
        assert!(
            SHAPES.iter().any(|(n, _)| *n == name) || OUTPUTS.contains(&name.as_str()),
            "{name} is a model!, not in SHAPES"
        );
    }
}

/// The edge sends a fault's problem to the Rust side in words: the generated `describe` must say what
/// `Problem::describe` says, for every problem and parameter (the lifecycle's shapes added as its build adds them).
#[test]
fn javascript_describes_each_problem_in_the_rust_words() {
    use codegen::{problem_code, Problem, EXPECTED, TAGGED};
    let mut problems = vec![
        Problem::Missing,
        Problem::Unsafe,
        Problem::OutOfRange,
        Problem::NotADate,
        Problem::Blank,
        Problem::NotAUrl,
        Problem::TooFew(1),
        Problem::TooFew(2),
        Problem::TooFew(17),
        Problem::TooMany(MAX_IDS),
        Problem::TooMany(1),
        Problem::Outside(0, MAX_SAFE_INTEGER),
        Problem::Outside(1, 100),
        Problem::Outside(-5, 5),
        Problem::NotAnId,
        Problem::Twice,
    ];
    problems.extend(EXPECTED.iter().map(|e| Problem::Expected(e)));
    problems.extend(SHAPES.iter().filter(|(_, s)| s.closed).map(|(_, s)| Problem::Unknown(s)));
    problems.extend(TAGGED.iter().map(|t| Problem::NotOneOf(t)));
    let codes: Vec<String> = problems
        .iter()
        .map(|p| {
            let (code, a, b) = problem_code(p);
            format!("[{code},{a},{b}]")
        })
        .collect();
    let dir = std::env::temp_dir().join(format!("jira-webhooks-describe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let module = dir.join("describe.mjs");
    let script = format!(
        "{}\nlifecycleChecks();\nconsole.log([{}].map(([c, a, b]) => describe(c, a, b)).join(\"\\n\"));\n",
        codegen::validators_js(),
        codes.join(",")
    );
    std::fs::write(&module, script).unwrap();
    let output = node(&[module.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    let words: Vec<&str> = output.trim_end_matches('\n').split('\n').collect();
    assert_eq!(words.len(), problems.len());
    for (problem, words) in problems.iter().zip(&words) {
        assert_eq!(*words, problem.describe(), "{problem:?}");
    }
}

/// The cases that only JavaScript has (functions, `undefined`, `NaN`, `BigInt`, holes) have their own test.
#[test]
fn values_only_javascript_has() {
    node(&["--test", &format!("{ROOT}/tests/validators/js-only.test.mjs")]);
}

#[test]
fn javascript_and_rust_agree() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut cases: Vec<(&str, String)> = Vec::new();
    for (name, shape) in SHAPES {
        for _ in 0..40 {
            let doc = rng.object(shape, 0);
            cases.push((name, doc.text(rng.below(4) == 0)));
            for _ in 0..5 {
                let mut mutant = doc.clone();
                for _ in 0..[1, 1, 1, 1, 1, 1, 1, 2, 2, 3][rng.below(10)] {
                    rng.mutate(&mut mutant, Ty::Obj(shape));
                }
                cases.push((name, mutant.text(rng.below(4) == 0)));
            }
        }
        for garbage in GARBAGE {
            cases.push((name, garbage.to_string()));
        }
        let valid = rng.object(shape, 0).text(false);
        let mut cut = rng.below(valid.len());
        while !valid.is_char_boundary(cut) {
            cut -= 1;
        }
        cases.push((name, valid[..cut].to_owned()));
    }

    let verdicts: Vec<Verdict> = cases.iter().map(|(name, text)| codegen::check(name, text).unwrap()).collect();
    let dir = std::env::temp_dir().join(format!("jira-webhooks-validators-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let module = dir.join("validators.mjs");
    std::fs::write(&module, codegen::validators_js()).unwrap();
    let mut lines = String::new();
    for ((name, text), verdict) in cases.iter().zip(&verdicts) {
        let patched = match verdict {
            Verdict::Valid(patched) => lit(patched),
            _ => "null".to_owned(),
        };
        lines.push_str(&format!("{{\"shape\":{},\"text\":{},\"patched\":{patched}}}\n", lit(name), lit(text)));
    }
    let file = dir.join("cases.jsonl");
    std::fs::write(&file, lines).unwrap();
    let harness = format!("{ROOT}/tests/validators/harness.mjs");
    let output = node(&[&harness, module.to_str().unwrap(), file.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();

    let answers: Vec<&str> = output.lines().collect();
    assert_eq!(answers.len(), cases.len());
    let mut codes = [0usize; 14];
    let (mut valid, mut converted) = (0, 0);
    for (((name, text), verdict), answer) in cases.iter().zip(&verdicts).zip(answers) {
        let rust = match verdict {
            Verdict::NotJson => "notjson".to_owned(),
            Verdict::Valid(patched) => {
                valid += 1;
                converted += usize::from(patched != text);
                "ok 1".to_owned()
            }
            Verdict::Invalid { path, code, a, b } => {
                codes[*code as usize] += 1;
                format!("fault {} {code} {a} {b}", lit(path))
            }
        };
        assert_eq!(answer, rust, "check{name} of {text}");
    }
    eprintln!("{} cases: {valid} valid ({converted} with dates converted); faults by code: {codes:?}", cases.len());
    // The corpus is worth something: every problem occurs, and so do valid documents with dates to convert.
    assert!(codes.iter().all(|n| *n > 0), "problem codes seen: {codes:?}");
    assert!(valid > 500 && converted > 100, "{valid} valid, {converted} with dates converted");
    assert!(cases.len() > 3000, "{} cases", cases.len());
}

/// Runs node with `args`; its stdout, or a failed test with its stderr.
fn node(args: &[&str]) -> String {
    let out = Command::new("node").args(args).output().expect("node 20 or later on PATH");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "node {args:?} failed:\n{stdout}\n{stderr}");
    stdout
}

/// Texts that are no document: not JSON at all, or JSON of the wrong kind.
const GARBAGE: &[&str] = &[
    "",
    " ",
    "<!DOCTYPE html><html><body>Log in</body></html>",
    "{",
    "{\"a\":1,}",
    "null",
    "[]",
    "[{}]",
    "\"x\"",
    "1",
    "true",
    "{\"a\" 1}",
    "\u{feff}{}",
];

/// A JSON string literal of `s`.
fn lit(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON document as written: literals kept as their text, members in order, repeated ones too.
#[derive(Clone, Debug)]
enum J {
    Raw(String),
    Arr(Vec<J>),
    Obj(Vec<Member>),
}

#[derive(Clone, Debug)]
struct Member {
    /// The name, and the literal that writes it (perhaps with escapes).
    name: String,
    key: String,
    value: J,
}

impl J {
    fn raw(s: impl Into<String>) -> J {
        J::Raw(s.into())
    }

    fn text(&self, spaced: bool) -> String {
        let mut out = String::new();
        self.write(&mut out, spaced);
        out
    }

    fn write(&self, out: &mut String, spaced: bool) {
        let gap = if spaced { " " } else { "" };
        match self {
            J::Raw(s) => out.push_str(s),
            J::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                        out.push_str(gap);
                    }
                    item.write(out, spaced);
                }
                out.push(']');
            }
            J::Obj(members) => {
                out.push('{');
                out.push_str(gap);
                for (i, m) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                        out.push_str(gap);
                    }
                    out.push_str(&m.key);
                    out.push(':');
                    out.push_str(gap);
                    m.value.write(out, spaced);
                }
                out.push_str(gap);
                out.push('}');
            }
        }
    }

    fn at(&mut self, path: &[usize]) -> &mut J {
        match (self, path.split_first()) {
            (j, None) => j,
            (J::Arr(items), Some((i, rest))) => items[*i].at(rest),
            (J::Obj(members), Some((i, rest))) => members[*i].value.at(rest),
            (J::Raw(_), Some(_)) => unreachable!(),
        }
    }
}

/// A value where the document has a type: its path (item and member indices), and the type.
struct Slot {
    path: Vec<usize>,
    ty: Ty,
}

fn slots(j: &J, ty: Ty, path: &mut Vec<usize>, out: &mut Vec<Slot>) {
    out.push(Slot { path: path.clone(), ty });
    match (j, ty) {
        (J::Obj(members), Ty::Obj(shape) | Ty::BoolOr(shape)) => {
            for (i, m) in members.iter().enumerate() {
                if let Some(field) = shape.fields.iter().find(|f| f.name == m.name) {
                    path.push(i);
                    slots(&m.value, field.ty, path, out);
                    path.pop();
                }
            }
        }
        (J::Obj(members), Ty::StrMap) => {
            for i in 0..members.len() {
                path.push(i);
                out.push(Slot { path: path.clone(), ty: Ty::Str });
                path.pop();
            }
        }
        (J::Arr(items), Ty::List(item) | Ty::Items(item, ..) | Ty::OneOrMany(item)) => {
            for (i, it) in items.iter().enumerate() {
                path.push(i);
                slots(it, *item, path, out);
                path.pop();
            }
        }
        (J::Arr(items), Ty::Ids) => {
            for i in 0..items.len() {
                path.push(i);
                out.push(Slot { path: path.clone(), ty: Ty::Int });
                path.pop();
            }
        }
        _ => {}
    }
}

const ATOMS: &[&str] = &["null", "true", "false", "0", "-1", "1.5", "\"\"", "\"x\"", "[]", "{}", "[1]", "{\"a\":1}"];
const STRINGS: &[&str] = &[
    "\"\"",
    "\"x\"",
    "\" \"",
    "\"jira:issue_created\"",
    "\"project = PRJ AND status != Done\"",
    "\"q\\\"uote\\\\back\\/slash\"",
    "\"\\u0000\"",
    "\"é ✓ 😀\"",
    "\"\\ud83d\\ude00\"",
    "\"\\ud800\"",
    "\"https://a.example/x?y=1#z\"",
    "\"1\"",
];
const TEXTS: &[&str] = &[
    "\"project = A\"",
    "\" x \"",
    "\"\\u00a0x\"",
    "\"\\ufeff\"",
    "\"\u{feff}\"",
    "\"\\u200b\"",
    "\"\\u001c\"",
    "\"é\"",
    "\"\\ud800\"",
    "\"summary\"",
];
const BLANKS: &[&str] = &[
    "\"\"",
    "\"   \"",
    "\"\\t\\n\\r\"",
    "\"\\u000b\\u000c\"",
    "\"\\u0085\"",
    "\"\u{85}\"",
    "\"\\u00a0\"",
    "\"\\u1680\\u2000\\u200a\"",
    "\"\\u2028\\u2029\"",
    "\"\\u202f\\u205f\\u3000\"",
];
const URLS: &[&str] = &[
    "\"https://a\"",
    "\"https://app.example.com/jira/webhook\"",
    "\"http://localhost:8080/x\"",
    "\"HTTPS://A.EXAMPLE\"",
    "\"hTtP://x/y?z#w\"",
    "\"https://é.example/ü\"",
    "\"https://a/\\u00e9\"",
    "\"https://a\\u200b\"",
];
const BAD_URLS: &[&str] = &[
    "\"app.example.com/hook\"",
    "\"ftp://a\"",
    "\"https://\"",
    "\"http://\"",
    "\"https:///x\"",
    "\"https://a b\"",
    "\"https://a\\u00a0b\"",
    "\"https://a\\u0085\"",
    "\"https://a\\u2028\"",
    "\" https://a\"",
    "\"https:/a\"",
    "\"httpss://a\"",
    "\"https\\u001a//a\"",
    "\"\"",
];
const NUMBERS: &[&str] = &["0", "-0", "1", "-1", "1.5", "1e3", "-2.5E-3", "1e400", "-1e400", "0.000001", "12345678.9"];
/// Numbers where an integer is expected, each one a double holds exactly (or is far beyond 2^53).
const INTEGER_EDGES: &[&str] = &[
    "9007199254740991",
    "-9007199254740991",
    "9007199254740992",
    "-9007199254740992",
    "9007199254740993",
    "9007199254740991.5",
    "99999999999999999999",
    "-99999999999999999999",
    "1e400",
    "-1e400",
    "1e16",
    "1.5",
    "0.5",
    "-0.25",
    "1e-1",
    "-0",
    "-0.0",
    "1.0",
    "1e3",
    "1E+3",
    "12.5e1",
    "100e-2",
    "0.1e1",
    "2147483647",
    "2147483648",
    "-2147483648",
    "-2147483649",
    "4294967296",
    "2.147483647e9",
    "\"1\"",
    "true",
];
const BAD_DATES: &[&str] = &[
    "\"\"",
    "\" \"",
    "\"yesterday\"",
    "\"2019-06-01\"",
    "\"2019-06-01T12:42:30\"",
    "\"2019-02-29T00:00:00Z\"",
    "\"2019-13-01T00:00:00Z\"",
    "\"2019-06-31T00:00:00Z\"",
    "\"2019-06-01T24:00:00Z\"",
    "\"2019-06-01T12:60:00Z\"",
    "\"2019-06-01T12:42:61Z\"",
    "\"2019-06-01T12:42:30.Z\"",
    "\"2019-06-01T12:42:30+0\"",
    "\"2019-06-01T12:42:30+000\"",
    "\"2019-06-01T12:42:30+00:0\"",
    "\"2019-06-01T12:42:30.000+0000x\"",
    "\"2019-06-01X12:42:30Z\"",
    "\"2019/06/01T12:42:30Z\"",
    "\"2019-06-01T12-42-30Z\"",
    "\"2019-06-01T12:42:30,5Z\"",
    "\"\\ufeff2019-06-01T12:42:30Z\"",
    "\"2019-06-01T12:42:30Z\\ufeff\"",
    "\"２０１９-06-01T12:42:30Z\"",
    "\"+2019-06-01T12:42:30Z\"",
    "\"99999999999999999\"",
    "\"9007199254740992\"",
    "\"12a\"",
    "\"-5\"",
];
const ODD_DATES: &[&str] = &[
    "\"9007199254740991\"",
    "\"0\"",
    "\" 1559392950000\\n\"",
    "\"000000000000000000001\"",
    "\"2019-06-01T12:42:60Z\"",
    "\"0000-01-01T00:00:00Z\"",
    "\"0000-03-01T00:00:00-23:59\"",
    "\"9999-12-31T23:59:59.999+9999\"",
    "\"2024-02-29T00:00:00z\"",
    "\"2000-02-29 00:00:00+05\"",
    "\"2019-06-01t12:42Z\"",
    "\"2019-06-01T12:42:30.1234567890123+00:00\"",
    "\"\\u00852019-06-01T12:42:30Z\\u3000\"",
    "\"\\u0032019-06-01T12:42:30.5-0130\"",
    "\"1900-02-29T00:00:00Z\"",
];
const UNKNOWN_KEYS: &[&str] = &[
    "\"zzz\"",
    "\"0\"",
    "\"1\"",
    "\"__proto__\"",
    "\"constructor\"",
    "\"toString\"",
    "\"Url\"",
    "\"url \"",
    "\"\"",
    "\"s3cr3t\"",
];

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick(&mut self, items: &[&str]) -> J {
        J::raw(items[self.below(items.len())])
    }

    /// An integer written in one of the forms JSON.parse reads as that integer.
    fn int(&mut self, n: i64) -> J {
        J::raw(match self.below(12) {
            0 => format!("{n}.0"),
            1 if n != 0 => format!("{n}00e-2"),
            1 => "0e-2".to_owned(),
            2 if n == 0 => "-0".to_owned(),
            3 if n % 1000 == 0 && n != 0 => format!("{}e3", n / 1000),
            4 if n.abs() >= 10 => format!("{}.{}E1", n / 10, (n % 10).abs()),
            _ => n.to_string(),
        })
    }

    fn safe_int(&mut self, lo: i64, hi: i64) -> i64 {
        match self.below(6) {
            0 => lo,
            1 => hi,
            2 => lo.max(0).min(hi),
            3 => (lo.max(-1000) + self.below(2001) as i64).clamp(lo, hi),
            _ => {
                let span = (hi as i128 - lo as i128 + 1) as u128;
                (lo as i128 + (self.next() as u128 % span) as i128) as i64
            }
        }
    }

    fn date(&mut self) -> String {
        let year = [1970, 2019, 2026, 2000, 1999, 2100, 2400][self.below(7)] + self.below(3) as i64;
        let month = 1 + self.below(12);
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
        let day = 1 + self.below(days);
        let sep = ["T", "T", "T", "t", " "][self.below(5)];
        let mut s = format!("{year:04}-{month:02}-{day:02}{sep}{:02}:{:02}", self.below(24), self.below(60));
        if self.below(5) > 0 {
            s.push_str(&format!(":{:02}", self.below(61)));
            if self.below(2) == 0 {
                let digits = 1 + self.below(7);
                s.push('.');
                for _ in 0..digits {
                    s.push(char::from(b'0' + self.below(10) as u8));
                }
            }
        }
        let (h, m) = (self.below(15), [0, 30, 45][self.below(3)]);
        let sign = ["+", "-"][self.below(2)];
        s.push_str(&match self.below(6) {
            0 => "Z".to_owned(),
            1 => "z".to_owned(),
            2 => format!("{sign}{h:02}{m:02}"),
            3 => format!("{sign}{h:02}:{m:02}"),
            4 => format!("{sign}{h:02}"),
            _ => "+0000".to_owned(),
        });
        match self.below(8) {
            0 => format!(" {s}\\t"),
            1 => format!("\\u00a0{s}"),
            _ => s,
        }
    }

    fn any(&mut self, depth: u32) -> J {
        match self.below(if depth == 0 { 3 } else { 5 }) {
            0 => self.pick(ATOMS),
            1 => self.pick(STRINGS),
            2 => self.pick(NUMBERS),
            3 => J::Arr((0..self.below(3)).map(|_| self.any(depth - 1)).collect()),
            _ => J::Obj(
                (0..self.below(3))
                    .map(|i| {
                        let name = format!("k{i}");
                        Member { key: lit(&name), name, value: self.any(depth - 1) }
                    })
                    .collect(),
            ),
        }
    }

    fn valid(&mut self, ty: Ty, depth: u32) -> J {
        match ty {
            Ty::Any => self.any(2),
            Ty::Bool => self.pick(&["true", "false"]),
            Ty::Str => self.pick(STRINGS),
            Ty::Text => self.pick(TEXTS),
            Ty::Url => self.pick(URLS),
            Ty::Num => self.pick(NUMBERS),
            Ty::Int32 => {
                let n = self.safe_int(i32::MIN.into(), i32::MAX.into());
                self.int(n)
            }
            Ty::Int => {
                let n = self.safe_int(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER);
                self.int(n)
            }
            Ty::Date => match self.below(5) {
                0 => {
                    let n = self.safe_int(0, 4_102_444_800_000);
                    self.int(n)
                }
                1 => self.pick(ODD_DATES),
                _ => {
                    let date = self.date();
                    J::Raw(format!("\"{date}\""))
                }
            },
            Ty::List(item) => self.items(*item, 0, 4, depth),
            Ty::Items(item, min, max) => {
                let n = min as usize + self.below(4).min((max - min) as usize);
                self.items(*item, n, n, depth)
            }
            Ty::Range(min, max) => {
                let n = self.safe_int(min, max);
                self.int(n)
            }
            Ty::Ids => {
                let n = 1 + self.below(5);
                let mut ids: Vec<i64> = Vec::new();
                while ids.len() < n {
                    let id = self.safe_int(1, MAX_SAFE_INTEGER);
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
                J::Arr(ids.into_iter().map(|id| self.int(id)).collect())
            }
            Ty::Obj(shape) => self.object(shape, depth),
            Ty::StrMap => J::Obj(
                (0..self.below(4))
                    .map(|i| {
                        let name = ["webhookIds", "url", "x", "0"][i].to_owned();
                        Member { key: lit(&name), name, value: self.pick(STRINGS) }
                    })
                    .collect(),
            ),
            Ty::BoolOr(shape) => match self.below(3) {
                0 => self.pick(&["true", "false"]),
                _ => self.object(shape, depth),
            },
            Ty::OneOrMany(item) => match self.below(2) {
                0 => self.valid(*item, depth),
                _ => self.items(*item, 1, 3, depth),
            },
            // No JSON text holds a function: both validators must refuse what stands in its place alike.
            Ty::Function => self.pick(&["null", "{}", "\"f\""]),
            Ty::Functions => J::raw("{}"),
            Ty::Tagged(tag, shapes) => {
                let (name, shape) = shapes[self.below(shapes.len())];
                let J::Obj(mut members) = self.object(shape, depth) else { unreachable!() };
                members.retain(|m| m.name != tag);
                let value = if self.below(8) == 0 { J::raw("\"unknown-kind\"") } else { J::Raw(lit(name)) };
                members.push(Member { name: tag.to_owned(), key: lit(tag), value });
                J::Obj(members)
            }
        }
    }

    fn items(&mut self, item: Ty, min: usize, max: usize, depth: u32) -> J {
        let n = min + self.below(max - min + 1);
        J::Arr((0..n).map(|_| self.valid(item, depth + 1)).collect())
    }

    /// A valid object: required members, some optional ones (or `null`), in any order, and for open shapes
    /// members of their own; now and then a name written with an escape.
    fn object(&mut self, shape: &Shape, depth: u32) -> J {
        let mut members = Vec::new();
        for field in shape.fields {
            let value = match (field.required, self.below(20)) {
                (false, 0..=6) => continue,
                (false, 7..=9) => J::raw("null"),
                _ => self.valid(field.ty, depth + 1),
            };
            let key = match self.below(10) {
                0 => format!("\"\\u{:04x}{}\"", field.name.as_bytes()[0], &field.name[1..]),
                _ => lit(field.name),
            };
            members.push(Member { name: field.name.to_owned(), key, value });
        }
        if !shape.closed && self.below(3) == 0 {
            for _ in 0..1 + self.below(2) {
                let key = self.pick(UNKNOWN_KEYS);
                let J::Raw(key) = key else { unreachable!() };
                let name = key.trim_matches('"').to_owned();
                members.push(Member { name, key, value: self.any(1) });
            }
        }
        // Shuffle: the shape's order decides which fault comes first, not the text's.
        for i in (1..members.len()).rev() {
            members.swap(i, self.below(i + 1));
        }
        J::Obj(members)
    }

    /// A value of `ty` that is wrong, or at an edge of right.
    fn edge(&mut self, ty: Ty) -> J {
        match ty {
            Ty::Text => self.pick(BLANKS),
            Ty::Url => self.pick(BAD_URLS),
            Ty::Int | Ty::Int32 => self.pick(INTEGER_EDGES),
            Ty::Range(min, max) => match self.below(4) {
                0 => self.int(min - 1),
                1 => self.int(max + 1),
                _ => self.pick(INTEGER_EDGES),
            },
            Ty::Date => match self.below(3) {
                0 => self.pick(INTEGER_EDGES),
                _ => self.pick(BAD_DATES),
            },
            Ty::Ids => {
                let ids: &[&str] =
                    &["[]", "[0]", "[-1]", "[1,1]", "[4,2,4,2]", "[3,1,2,3]", "[1.5]", "[\"1\"]", "[-0]"];
                match self.below(5) {
                    0 => J::Arr((0..MAX_IDS as i64 + 1).map(|i| J::Raw((i + 1).to_string())).collect()),
                    1 => J::Arr((1..=MAX_IDS as i64).map(|i| J::Raw(i.to_string())).collect()),
                    2 => J::Raw("[9007199254740992,1]".to_owned()),
                    _ => self.pick(ids),
                }
            }
            Ty::Items(item, min, max) => {
                let n = match self.below(2) {
                    0 if min > 0 => min as usize - 1,
                    _ if max < 1000 => max as usize + 1,
                    _ => 0,
                };
                J::Arr((0..n).map(|_| self.valid(*item, 1)).collect())
            }
            Ty::OneOrMany(_) => J::raw("[]"),
            _ => self.pick(ATOMS),
        }
    }

    /// One change at a random place where the document has a type.
    fn mutate(&mut self, doc: &mut J, ty: Ty) {
        let mut found = Vec::new();
        slots(doc, ty, &mut Vec::new(), &mut found);
        let slot = &found[self.below(found.len())];
        let member = match slot.path.split_last() {
            Some((last, parent)) => match doc.at(parent) {
                J::Obj(_) => Some((parent.to_vec(), *last)),
                _ => None,
            },
            None => None,
        };
        match self.below(10) {
            0 | 1 => *doc.at(&slot.path) = self.edge(slot.ty),
            2 => {
                let wrong = [Ty::Bool, Ty::Str, Ty::Num, Ty::Date, Ty::List(&Ty::Int), Ty::StrMap][self.below(6)];
                *doc.at(&slot.path) = self.valid(wrong, 2);
            }
            3 => *doc.at(&slot.path) = J::raw("null"),
            4 | 5 if member.is_some() => {
                let (parent, i) = member.unwrap();
                let J::Obj(members) = doc.at(&parent) else { unreachable!() };
                if self.below(2) == 0 {
                    members.remove(i);
                } else {
                    // Repeated: another value before or after it.
                    let mut twin = members[i].clone();
                    twin.value = if self.below(2) == 0 { self.edge(slot.ty) } else { self.valid(slot.ty, 2) };
                    members.insert(i + self.below(2), twin);
                }
            }
            6 => {
                if let J::Obj(members) = doc.at(&slot.path) {
                    let J::Raw(key) = self.pick(UNKNOWN_KEYS) else { unreachable!() };
                    let at = self.below(members.len() + 1);
                    let value = self.any(1);
                    members.insert(at, Member { name: key.trim_matches('"').to_owned(), key, value });
                } else {
                    *doc.at(&slot.path) = self.edge(slot.ty);
                }
            }
            7 => {
                if let J::Arr(items) = doc.at(&slot.path) {
                    match self.below(3) {
                        0 => items.clear(),
                        1 if !items.is_empty() => items.push(items[0].clone()),
                        _ => items.reverse(),
                    }
                } else {
                    *doc.at(&slot.path) = self.edge(slot.ty);
                }
            }
            _ => *doc.at(&slot.path) = self.edge(slot.ty),
        }
    }
}
