//! Building sentences without `core::fmt`: its machinery (and float formatting above all) would be most of the
//! shipped wasm. Messages are static pieces joined with [`cat!`], numbers written by [`Piece`].

/// A part of a message.
pub trait Piece {
    /// Appends this piece to `out`.
    fn push_to(&self, out: &mut String);
}

impl Piece for str {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for String {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for std::borrow::Cow<'_, str> {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for char {
    fn push_to(&self, out: &mut String) {
        out.push(*self);
    }
}

impl<T: Piece + ?Sized> Piece for &T {
    fn push_to(&self, out: &mut String) {
        (**self).push_to(out);
    }
}

macro_rules! integer_pieces {
    ($($t:ty),*) => {$(
        impl Piece for $t {
            fn push_to(&self, out: &mut String) {
                push_int(out, *self as i128);
            }
        }
    )*};
}
integer_pieces!(u8, u16, u32, u64, usize, i32, i64);

/// Appends the decimal digits of `n`.
pub fn push_int(out: &mut String, n: i128) {
    if n < 0 {
        out.push('-');
    }
    let mut digits = [0u8; 40];
    let mut i = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        i -= 1;
        digits[i] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(d as char);
    }
}

/// Joins pieces into a `String`: `cat!("got ", n, " of ", total)`.
macro_rules! cat {
    ($($piece:expr),* $(,)?) => {{
        let mut out = String::new();
        $( $crate::text::Piece::push_to(&$piece, &mut out); )*
        out
    }};
}
pub(crate) use cat;

/// Sorts a short list in place (insertion sort: a few bytes of wasm per type, where the standard sorts cost
/// kilobytes; for the handful of query parameters and secrets it is given).
pub fn sort_small<T>(items: &mut [T], less: impl Fn(&T, &T) -> bool) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && less(&items[j], &items[j - 1]) {
            items.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// The byte offset of the first `needle` in `haystack` (a plain scan: the messages and headers searched here
/// are short, and `str::find` would bring a two-way searcher into the wasm).
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return Some(0);
    }
    (0..(h.len() + 1).saturating_sub(n.len())).find(|&i| h[i..].starts_with(n))
}

/// `haystack` with every `needle` replaced by `with`.
pub fn replace_all(haystack: &str, needle: &str, with: &str) -> String {
    let mut out = String::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = find(rest, needle).filter(|_| !needle.is_empty()) {
        out.push_str(&rest[..at]);
        out.push_str(with);
        rest = &rest[at + needle.len()..];
    }
    out.push_str(rest);
    out
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64 (RFC 4648): the standard alphabet with padding (`url = false`, Basic auth), or the URL-safe one without
/// (`url = true`, JWTs). Thirty lines here instead of a crate's generic engines, a few kilobytes of wasm.
pub fn base64(bytes: &[u8], url: bool) -> String {
    let alphabet = if url { BASE64URL } else { BASE64 };
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(alphabet[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
        if !url {
            out.push_str(&"=="[..3 - chunk.len()]);
        }
    }
    out
}

/// Decodes base64 in either alphabet, with or without padding; `None` for anything else.
#[cfg_attr(not(feature = "lifecycle"), allow(dead_code))]
pub fn base64_decode(text: &str, url: bool) -> Option<Vec<u8>> {
    let alphabet = if url { BASE64URL } else { BASE64 };
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes() {
        acc = acc << 6 | alphabet.iter().position(|a| *a == c)? as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    // Leftover bits must be zero padding, and a single leftover character is never valid.
    (bits < 6 && acc & ((1 << bits) - 1) == 0).then_some(out)
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// `%XX`-encodes every byte outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`): query values, and
/// Atlassian's canonical request for JWTs.
pub fn percent_encode(value: &str) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(DIGITS[usize::from(b >> 4)] as char);
            out.push(DIGITS[usize::from(b & 15)] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_join_without_fmt() {
        assert_eq!(cat!("a", 0u8, -17i64, ' ', String::from("b"), i64::MIN), "a0-17 b-9223372036854775808");
        assert_eq!(cat!(u64::MAX), "18446744073709551615");
        assert_eq!(hex(&[0, 0xab, 0x7f]), "00ab7f");
    }

    #[test]
    fn small_sorts_searches_and_replacements() {
        let mut v = vec![5, 1, 4, 1, 3];
        sort_small(&mut v, |a, b| a < b);
        assert_eq!(v, [1, 1, 3, 4, 5]);
        assert_eq!((find("abcabc", "ca"), find("abc", "abcd"), find("abc", "")), (Some(2), None, Some(0)));
        assert_eq!(replace_all("a-xx-b-xx", "xx", "<r>"), "a-<r>-b-<r>");
        assert_eq!(replace_all("aaa", "aa", "b"), "ba");
    }

    #[test]
    fn base64_agrees_with_the_base64_crate() {
        use base64::Engine as _;
        let (std, url) = (base64::engine::general_purpose::STANDARD, base64::engine::general_purpose::URL_SAFE_NO_PAD);
        for len in 0..70 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 250) as u8).collect();
            assert_eq!(base64(&bytes, false), std.encode(&bytes));
            assert_eq!(base64(&bytes, true), url.encode(&bytes));
            assert_eq!(base64_decode(&std.encode(&bytes), false).unwrap(), bytes);
            assert_eq!(base64_decode(&url.encode(&bytes), true).unwrap(), bytes);
        }
        for bad in ["a", "ab!c", "abc$", "ab+c"] {
            assert_eq!(base64_decode(bad, true), None, "{bad}");
        }
        assert_eq!(base64_decode("YR", true), None, "non-zero padding bits");
    }

    #[test]
    fn percent_encoding_keeps_only_unreserved() {
        assert_eq!(percent_encode("a b&c=d/é~"), "a%20b%26c%3Dd%2F%C3%A9~");
        assert_eq!(percent_encode("1573540473480"), "1573540473480");
    }
}
