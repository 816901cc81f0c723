//! A strict JSON parser (RFC 8259) into a flat tape: one `Vec` of nodes, no allocation per value, no recursion
//! (so a hostile answer nested a million deep is an error, not a stack overflow). Strings stay slices of the
//! text until asked for. One parser for Jira's answers, the caller's input and webhook deliveries.

use std::borrow::Cow;

/// What a value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `null`
    Null,
    /// `true` or `false`
    Bool,
    /// A number, kept as its text.
    Num,
    /// A string.
    Str,
    /// An array.
    Arr,
    /// An object.
    Obj,
}

#[derive(Clone, Copy, Debug)]
struct Node {
    kind: Kind,
    /// Strings: has a backslash escape. Booleans: the value.
    flag: bool,
    /// The value's text: strings without their quotes, containers from the bracket to after the closing one.
    start: u32,
    end: u32,
    /// The index after this value's subtree: its next sibling.
    next: u32,
    /// Containers: how many values (an object's values, not its keys).
    count: u32,
}

/// Where and why a text is not JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// The byte offset.
    pub at: usize,
    /// What was wrong.
    pub what: &'static str,
}

/// The deepest nesting accepted.
pub const MAX_DEPTH: usize = 256;

/// A parsed JSON text.
#[derive(Debug)]
pub struct Doc<'a> {
    text: &'a str,
    nodes: Vec<Node>,
}

impl<'a> Doc<'a> {
    /// Parses `text`, which must hold exactly one JSON value (whitespace around it is fine).
    pub fn parse(text: &'a str) -> Result<Doc<'a>, SyntaxError> {
        if text.len() >= u32::MAX as usize {
            return Err(SyntaxError { at: 0, what: "the text is too long" });
        }
        let mut p =
            Parser { b: text.as_bytes(), i: 0, nodes: Vec::with_capacity(text.len() / 8 + 1), stack: Vec::new() };
        p.run()?;
        Ok(Doc { text, nodes: p.nodes })
    }

    /// The top-level value.
    pub fn root(&self) -> Value<'_> {
        Value { doc: self, i: 0 }
    }
}

struct Parser<'b> {
    b: &'b [u8],
    i: usize,
    nodes: Vec<Node>,
    stack: Vec<u32>,
}

impl Parser<'_> {
    fn fail<T>(&self, what: &'static str) -> Result<T, SyntaxError> {
        Err(SyntaxError { at: self.i, what })
    }

    #[inline(always)]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    #[inline(always)]
    fn push(&mut self, kind: Kind, flag: bool, start: usize, end: usize) -> usize {
        let index = self.nodes.len();
        self.nodes.push(Node { kind, flag, start: start as u32, end: end as u32, next: index as u32 + 1, count: 0 });
        index
    }

    fn run(&mut self) -> Result<(), SyntaxError> {
        'value: loop {
            self.ws();
            if let Some(&top) = self.stack.last() {
                self.nodes[top as usize].count += 1;
            }
            let start = self.i;
            match self.b.get(self.i) {
                Some(&open @ (b'{' | b'[')) => {
                    if self.stack.len() >= MAX_DEPTH {
                        return self.fail("nested too deeply");
                    }
                    let kind = if open == b'{' { Kind::Obj } else { Kind::Arr };
                    let index = self.push(kind, false, start, start);
                    self.stack.push(index as u32);
                    self.i += 1;
                    self.ws();
                    let close = if kind == Kind::Obj { b'}' } else { b']' };
                    if self.b.get(self.i) != Some(&close) {
                        if kind == Kind::Obj {
                            self.key()?;
                        }
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    let (escaped, end) = self.string()?;
                    self.push(Kind::Str, escaped, start + 1, end);
                }
                Some(b't') => self.literal(b"true", Kind::Bool, true)?,
                Some(b'f') => self.literal(b"false", Kind::Bool, false)?,
                Some(b'n') => self.literal(b"null", Kind::Null, false)?,
                Some(b'-' | b'0'..=b'9') => {
                    self.number()?;
                    self.push(Kind::Num, false, start, self.i);
                }
                Some(_) => return self.fail("expected a value"),
                None => return self.fail("unexpected end of the text"),
            }
            // After a value (and any whitespace): close containers, or move to the next member.
            loop {
                self.ws();
                let Some(&top) = self.stack.last() else {
                    return if self.i == self.b.len() { Ok(()) } else { self.fail("unexpected text after the value") };
                };
                let is_obj = self.nodes[top as usize].kind == Kind::Obj;
                match self.b.get(self.i) {
                    Some(b',') => {
                        self.i += 1;
                        if is_obj {
                            self.ws();
                            self.key()?;
                        }
                        continue 'value;
                    }
                    Some(b'}') if is_obj => {}
                    Some(b']') if !is_obj => {}
                    None => return self.fail("unexpected end of the text"),
                    _ => return self.fail(if is_obj { "expected `,` or `}`" } else { "expected `,` or `]`" }),
                }
                self.i += 1;
                self.stack.pop();
                let end = self.nodes.len() as u32;
                let node = &mut self.nodes[top as usize];
                node.end = self.i as u32;
                node.next = end;
            }
        }
    }

    /// An object key and its colon.
    fn key(&mut self) -> Result<(), SyntaxError> {
        if self.b.get(self.i) != Some(&b'"') {
            return self.fail("expected a string key");
        }
        let start = self.i + 1;
        let (escaped, end) = self.string()?;
        self.push(Kind::Str, escaped, start, end);
        self.ws();
        if self.b.get(self.i) != Some(&b':') {
            return self.fail("expected `:`");
        }
        self.i += 1;
        Ok(())
    }

    /// A string from its opening quote; returns whether it has escapes and where its content ends.
    fn string(&mut self) -> Result<(bool, usize), SyntaxError> {
        self.i += 1;
        let mut escaped = false;
        loop {
            self.i += plain_run(self.b.get(self.i..).unwrap_or_default());
            match self.b.get(self.i) {
                Some(b'"') => {
                    self.i += 1;
                    return Ok((escaped, self.i - 1));
                }
                Some(b'\\') => {
                    escaped = true;
                    match self.b.get(self.i + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.i += 2,
                        Some(b'u')
                            if self
                                .b
                                .get(self.i + 2..self.i + 6)
                                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
                        {
                            self.i += 6
                        }
                        _ => return self.fail("invalid escape in a string"),
                    }
                }
                Some(0..=0x1f) => return self.fail("control character in a string"),
                Some(_) => self.i += 1,
                None => return self.fail("unterminated string"),
            }
        }
    }

    fn literal(&mut self, word: &[u8], kind: Kind, flag: bool) -> Result<(), SyntaxError> {
        if self.b.get(self.i..self.i + word.len()) != Some(word) {
            return self.fail("expected a value");
        }
        self.push(kind, flag, self.i, self.i + word.len());
        self.i += word.len();
        Ok(())
    }

    fn number(&mut self) -> Result<(), SyntaxError> {
        let digits = |p: &mut Self| {
            let from = p.i;
            while p.b.get(p.i).is_some_and(u8::is_ascii_digit) {
                p.i += 1;
            }
            p.i - from
        };
        if self.b[self.i] == b'-' {
            self.i += 1;
        }
        match self.b.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return self.fail("invalid number"),
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return self.fail("invalid number");
            }
        }
        if let Some(b'e' | b'E') = self.b.get(self.i) {
            self.i += 1;
            if let Some(b'+' | b'-') = self.b.get(self.i) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return self.fail("invalid number");
            }
        }
        Ok(())
    }
}

/// How many bytes at the start of `b` need no attention in a string: no quote, no backslash, no control
/// character. Eight bytes at a time (the "has less than" and "has zero byte" word tricks), then byte by byte.
fn plain_run(b: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut i = 0;
    while let Some(chunk) = b.get(i..i + 8) {
        let w = u64::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7]]);
        let special = has_zero(w ^ (ONES * b'"' as u64))
            | has_zero(w ^ (ONES * b'\\' as u64))
            | (w.wrapping_sub(ONES * 0x20) & !w & HIGH);
        if special != 0 {
            break;
        }
        i += 8;
    }
    let rest = &b[i..];
    i + rest.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).unwrap_or(rest.len())
}

/// A number's exact value, as far as integers go (see [`Value::number`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Number {
    /// Written with a minus sign (`-0` too).
    pub negative: bool,
    /// The whole part of the magnitude; `None` beyond `u64`.
    pub whole: Option<u64>,
    /// Whether a nonzero fraction is left after the whole part.
    pub fraction: bool,
}

/// One value of a [`Doc`].
#[derive(Clone, Copy)]
pub struct Value<'d> {
    doc: &'d Doc<'d>,
    i: u32,
}

impl<'d> Value<'d> {
    #[inline(always)]
    fn node(&self) -> &'d Node {
        &self.doc.nodes[self.i as usize]
    }

    /// What this value is.
    #[inline(always)]
    pub fn kind(&self) -> Kind {
        self.node().kind
    }

    /// The value's text: a string's content without quotes (escapes as written), a number's digits.
    pub fn raw(&self) -> &'d str {
        let n = self.node();
        self.doc.text.get(n.start as usize..n.end as usize).unwrap_or_default()
    }

    /// The byte range of the value in the text, quotes included.
    pub fn span(&self) -> (usize, usize) {
        let n = self.node();
        match n.kind {
            Kind::Str => (n.start as usize - 1, n.end as usize + 1),
            _ => (n.start as usize, n.end as usize),
        }
    }

    /// The value's whole JSON text (quotes and brackets included).
    #[cfg(test)]
    pub fn source(&self) -> &'d str {
        let (start, end) = self.span();
        &self.doc.text[start..end]
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        (self.kind() == Kind::Bool).then(|| self.node().flag)
    }

    /// The string, unescaped, if this is one.
    pub fn as_str(&self) -> Option<Cow<'d, str>> {
        let n = self.node();
        match (n.kind, n.flag) {
            (Kind::Str, false) => Some(Cow::Borrowed(self.raw())),
            (Kind::Str, true) => Some(Cow::Owned(unescape(self.raw()))),
            _ => None,
        }
    }

    /// Whether this is the string `s`.
    pub fn is_str(&self, s: &str) -> bool {
        let n = self.node();
        match (n.kind, n.flag) {
            (Kind::Str, false) => self.doc.text.as_bytes().get(n.start as usize..n.end as usize) == Some(s.as_bytes()),
            (Kind::Str, true) => self.as_str().is_some_and(|v| v == s),
            _ => false,
        }
    }

    /// The integer, if this is a number whose value is whole and within `i64`: `1`, and also `1.0`, `1e3` and `-0`
    /// (JSON.parse cannot tell them from `1`, `1000` and `0`, so neither does this).
    pub fn as_i64(&self) -> Option<i64> {
        let n = self.number()?;
        let whole = i128::from(n.whole.filter(|_| !n.fraction)?);
        i64::try_from(if n.negative { -whole } else { whole }).ok()
    }

    /// The exact value of a number, as far as integers go: its sign, the whole part of its magnitude and whether
    /// a fraction is left (`-12.5e1` is negative, 125, no fraction).
    pub fn number(&self) -> Option<Number> {
        if self.kind() != Kind::Num {
            return None;
        }
        // The parser has checked the form: `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`.
        let raw = self.raw();
        let (negative, raw) = match raw.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        // The common form: up to 19 digits, which no u64 overflows.
        if raw.len() <= 19 && raw.bytes().all(|d| d.is_ascii_digit()) {
            let whole = raw.bytes().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
            return Some(Number { negative, whole: Some(whole), fraction: false });
        }
        let (mantissa, exponent) = raw.split_once(['e', 'E']).unwrap_or((raw, "0"));
        let (int, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let (exp_negative, exponent) = match exponent.strip_prefix('-') {
            Some(e) => (true, e),
            None => (false, exponent.trim_start_matches('+')),
        };
        // Clamped far beyond any digit count a text can hold.
        let exponent = exponent.bytes().fold(0i64, |e, d| (e * 10 + i64::from(d - b'0')).min(1 << 40));
        // The decimal point sits after this many of the digits (int then fraction).
        let point = int.len() as i64 + if exp_negative { -exponent } else { exponent };
        let mut whole = Some(0u64);
        let mut fraction_left = false;
        for (i, d) in int.bytes().chain(fraction.bytes()).enumerate() {
            if (i as i64) < point {
                whole = whole.and_then(|w| w.checked_mul(10)?.checked_add(u64::from(d - b'0')));
            } else if d != b'0' {
                fraction_left = true;
            }
        }
        let zeros = point - (int.len() + fraction.len()) as i64;
        if zeros > 0 && whole != Some(0) {
            // 21 zeros overflow any u64 but 0.
            for _ in 0..zeros.min(21) {
                whole = whole.and_then(|w| w.checked_mul(10));
            }
        }
        Some(Number { negative, whole, fraction: fraction_left })
    }

    /// The number, if this is one (to within a few ulps: for the caller's settings, never for Jira's ids).
    pub fn as_f64(&self) -> Option<f64> {
        if self.kind() != Kind::Num {
            return None;
        }
        let raw = self.raw();
        let (mantissa, exponent) = raw.split_once(['e', 'E']).unwrap_or((raw, "0"));
        let (sign, mantissa) = match mantissa.strip_prefix('-') {
            Some(m) => (-1.0, m),
            None => (1.0, mantissa),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let mut n = 0f64;
        for b in whole.bytes().chain(fraction.bytes()) {
            n = n * 10.0 + f64::from(b - b'0');
        }
        let exponent = exponent.trim_start_matches('+');
        let exponent: i32 = match exponent.strip_prefix('-') {
            Some(e) => -e.bytes().take(4).fold(0, |a, b| a * 10 + i32::from(b - b'0')),
            None => exponent.bytes().take(4).fold(0, |a, b| a * 10 + i32::from(b - b'0')),
        };
        let scale = exponent - fraction.len() as i32;
        Some(sign * if scale >= 0 { n * 10f64.powi(scale) } else { n / 10f64.powi(-scale) })
    }

    /// How many items (arrays) or members (objects); 0 for anything else.
    pub fn len(&self) -> usize {
        self.node().count as usize
    }

    /// Whether this container is empty (or not a container).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// An array's items (nothing for other values).
    pub fn items(&self) -> impl Iterator<Item = Value<'d>> + 'd {
        let (doc, mut i, count) = (self.doc, self.i + 1, if self.kind() == Kind::Arr { self.len() } else { 0 });
        (0..count).map(move |_| {
            let v = Value { doc, i };
            i = v.node().next;
            v
        })
    }

    /// An object's members as (key, value) (nothing for other values).
    pub fn members(&self) -> impl Iterator<Item = (Value<'d>, Value<'d>)> + 'd {
        let (doc, mut i, count) = (self.doc, self.i + 1, if self.kind() == Kind::Obj { self.len() } else { 0 });
        (0..count).map(move |_| {
            let key = Value { doc, i };
            let value = Value { doc, i: i + 1 };
            i = value.node().next;
            (key, value)
        })
    }

    /// An object's member named `name` (the last, if repeated: the one JSON.parse keeps).
    pub fn get(&self, name: &str) -> Option<Value<'d>> {
        self.members().filter(|(k, _)| k.is_str(name)).last().map(|(_, v)| v)
    }
}

/// Resolves a JSON string's escapes; a lone surrogate becomes U+FFFD.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    let hex4 = |chars: &mut std::str::Chars| {
        let digits: String = chars.take(4).collect();
        u32::from_str_radix(&digits, 16).unwrap_or(0xfffd)
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let decoded = match chars.next() {
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('u') => {
                let high = hex4(&mut chars);
                let code = if (0xd800..0xdc00).contains(&high) && chars.as_str().starts_with("\\u") {
                    let mut ahead = chars.clone();
                    ahead.next();
                    ahead.next();
                    let low = hex4(&mut ahead);
                    if (0xdc00..0xe000).contains(&low) {
                        chars = ahead;
                        0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00)
                    } else {
                        high
                    }
                } else {
                    high
                };
                char::from_u32(code).unwrap_or('\u{fffd}')
            }
            Some(other) => other,
            None => break,
        };
        out.push(decoded);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> SyntaxError {
        Doc::parse(text).unwrap_err()
    }

    #[test]
    fn parses_every_kind() {
        let doc = Doc::parse(
            r#" {"a": [1, -2.5e3, true, false, null, "x\"y", {}], "b": {"c": []}, "d": "é\u00e9\ud83d\ude00"} "#,
        )
        .unwrap();
        let root = doc.root();
        assert_eq!((root.kind(), root.len()), (Kind::Obj, 3));
        let a: Vec<_> = root.get("a").unwrap().items().collect();
        assert_eq!(
            a.iter().map(Value::kind).collect::<Vec<_>>(),
            [Kind::Num, Kind::Num, Kind::Bool, Kind::Bool, Kind::Null, Kind::Str, Kind::Obj]
        );
        assert_eq!((a[0].as_i64(), a[1].as_i64(), a[1].raw()), (Some(1), Some(-2500), "-2.5e3"));
        assert_eq!((a[2].as_bool(), a[3].as_bool()), (Some(true), Some(false)));
        assert_eq!(a[5].as_str().unwrap(), "x\"y");
        assert!(a[6].is_empty());
        assert_eq!(root.get("b").unwrap().get("c").unwrap().kind(), Kind::Arr);
        assert_eq!(root.get("d").unwrap().as_str().unwrap(), "éé😀");
        assert!(root.get("zz").is_none());
        let keys: Vec<_> = root.members().map(|(k, _)| k.as_str().unwrap().into_owned()).collect();
        assert_eq!(keys, ["a", "b", "d"]);
    }

    #[test]
    fn integers_are_exact_or_refused() {
        let doc =
            Doc::parse("[9223372036854775807, -9223372036854775808, 9223372036854775808, 1.5, -0, 1e19]").unwrap();
        let v: Vec<_> = doc.root().items().map(|v| v.as_i64()).collect();
        assert_eq!(v, [Some(i64::MAX), Some(i64::MIN), None, None, Some(0), None]);
        // Forms JSON.parse cannot tell from a plain integer are that integer.
        let doc =
            Doc::parse("[1.0, 1e2, 1E+2, 12.50e1, 0.5e1, 1000e-3, -0.0, 0e999999999999, 10000000000000000000e-1]")
                .unwrap();
        let v: Vec<_> = doc.root().items().map(|v| v.as_i64()).collect();
        assert_eq!(
            v,
            [
                Some(1),
                Some(100),
                Some(100),
                Some(125),
                Some(5),
                Some(1),
                Some(0),
                Some(0),
                Some(1_000_000_000_000_000_000)
            ]
        );
        let number = |text: &str| Doc::parse(text).unwrap().root().number().unwrap();
        assert_eq!(number("-12.5e1"), Number { negative: true, whole: Some(125), fraction: false });
        assert_eq!(
            number("9007199254740991.5"),
            Number { negative: false, whole: Some(9007199254740991), fraction: true }
        );
        assert_eq!(number("1e-999999999999999999999"), Number { negative: false, whole: Some(0), fraction: true });
        assert_eq!(number("1e20"), Number { negative: false, whole: None, fraction: false });
        assert_eq!(number("0.0000"), Number { negative: false, whole: Some(0), fraction: false });
        let doc = Doc::parse("[1.5, -2e3, 0.25e+1, 100, 1E-2]").unwrap();
        let v: Vec<_> = doc.root().items().map(|v| v.as_f64().unwrap()).collect();
        assert_eq!(v, [1.5, -2000.0, 2.5, 100.0, 0.01]);
    }

    /// Defect: whitespace after a number, string or literal and before `,`, `]` or `}` was refused, so any
    /// pretty-printed answer (`{\n  "id": 1\n}`) was "not JSON".
    #[test]
    fn whitespace_around_every_token() {
        for text in
            ["[1 ]", "[1 ,2]", "{\"a\": 1 }", "{\"a\":\"x\"\n}", "{\n  \"a\": [\n    true ,\n    null\t]\r\n}", " 1 "]
        {
            assert!(Doc::parse(text).is_ok(), "{text:?}");
        }
        let doc = Doc::parse("{ \"a\" : [ 1 , \"x\" ] , \"b\" : null }").unwrap();
        let a: Vec<_> = doc.root().get("a").unwrap().items().map(|v| v.source().to_owned()).collect();
        assert_eq!(a, ["1", "\"x\""]);
        assert_eq!(doc.root().get("b").unwrap().kind(), Kind::Null);
    }

    #[test]
    fn rejects_what_is_not_json() {
        for bad in [
            "",
            " ",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "{a:1}",
            "[1 2]",
            "01",
            "1.",
            "-",
            "1e",
            "+1",
            "\"\\x\"",
            "\"a\nb\"",
            "\"\\u12\"",
            "tru",
            "nul",
            "[]]",
            "{} {}",
            "\"unterminated",
            "{\"a\" 1}",
            "NaN",
            "[1,,2]",
        ] {
            assert!(Doc::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(err("[1, 2").what, "unexpected end of the text");
        assert_eq!(err("{\"a\":1]").what, "expected `,` or `}`");
    }

    #[test]
    fn plain_runs_stop_at_every_special_byte() {
        for special in [b'"', b'\\', 0u8, 0x1f] {
            for at in 0..20 {
                let mut b = vec![b'a'; 24];
                b[at] = special;
                assert_eq!(plain_run(&b), at, "{special} at {at}");
            }
        }
        assert_eq!(plain_run("héllo wörld, ünïcode ok".as_bytes()), "héllo wörld, ünïcode ok".len());
        assert_eq!(plain_run(b" !#[]~\x7f"), 7, "DEL is allowed in a string");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(1_000_000);
        assert_eq!(err(&deep).what, "nested too deeply");
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(Doc::parse(&ok).is_ok());
    }

    #[test]
    fn spans_cover_the_literal() {
        let text = r#"{"d":"2019-06-01T12:42:30.000+0000","n":5}"#;
        let doc = Doc::parse(text).unwrap();
        let (s, e) = doc.root().get("d").unwrap().span();
        assert_eq!(&text[s..e], "\"2019-06-01T12:42:30.000+0000\"");
        let (s, e) = doc.root().get("n").unwrap().span();
        assert_eq!(&text[s..e], "5");
        let (s, e) = doc.root().span();
        assert_eq!((s, e), (0, text.len()));
    }

    #[test]
    fn strings_round_trip_through_the_writer() {
        for s in ["plain", "q\"uote\\back", "nl\n\t\r", "\u{1}\u{1f}", "ünï😀"] {
            let mut out = String::new();
            crate::encode::push_json_string(&mut out, s);
            let doc = Doc::parse(&out).unwrap();
            assert_eq!(doc.root().as_str().unwrap(), s);
        }
        let doc = Doc::parse(r#""\ud800x""#).unwrap();
        assert_eq!(doc.root().as_str().unwrap(), "\u{fffd}x");
    }
}
