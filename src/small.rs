//! Small-footprint stand-ins for standard algorithms: std's sorts and its two-way string searcher each bring
//! kilobytes into the wasm, and the lists and strings handled here are short.

/// Sorts a short list in place (insertion sort: a few bytes of wasm per type, where the standard sorts cost
/// kilobytes; for the handful of query parameters and secrets it is given).
pub fn sort_small<T>(items: &mut [T], less: impl Fn(&T, &T) -> bool) {
    for i in 1..items.len() {
        let mut j = i;
        // `get_mut` and a slice pattern: no index that could panic (and bring the panic's formatting along).
        while let Some([a, b]) = j.checked_sub(1).and_then(|k| items.get_mut(k..=j)) {
            if !less(b, a) {
                break;
            }
            std::mem::swap(a, b);
            j -= 1;
        }
    }
}

/// The byte offset of the first `needle` in `haystack` (a plain scan: the messages and headers searched here
/// are short, and `str::find` would bring a two-way searcher into the wasm).
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    let Some((first, rest)) = n.split_first() else { return Some(0) };
    let last = h.len().checked_sub(n.len())?;
    let mut at = 0;
    // Candidates are where the first byte is: a plain byte scan, the rest compared only there.
    while let Some(i) = h.get(at..=last)?.iter().position(|b| b == first).map(|i| at + i) {
        if h.get(i + 1..i + n.len()) == Some(rest) {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

/// `s` split around the first `needle`: `str::split_once` without the searcher, and without a panic path.
pub fn split_once<'s>(s: &'s str, needle: &str) -> Option<(&'s str, &'s str)> {
    let at = find(s, needle)?;
    Some((s.get(..at)?, s.get(at + needle.len()..)?))
}

/// The pieces of `s` between `separator`s (`str::split` without the searcher).
pub fn pieces<'s>(s: &'s str, separator: &'s str) -> impl Iterator<Item = &'s str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let current = rest?;
        let (piece, after) = split_once(current, separator).map_or((current, None), |(p, a)| (p, Some(a)));
        rest = after;
        Some(piece)
    })
}

/// `haystack` with every `needle` replaced by `with`.
pub fn replace_all(haystack: &str, needle: &str, with: &str) -> String {
    let mut out = String::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some((before, after)) = split_once(rest, needle).filter(|_| !needle.is_empty()) {
        out.push_str(before);
        out.push_str(with);
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The pieces joined with `separator` (`[String]::join` carries a panic path for lengths past `usize::MAX`).
pub fn join<'a>(pieces: impl IntoIterator<Item = &'a str>, separator: &str) -> String {
    let mut out = String::new();
    for (i, piece) in pieces.into_iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        out.push_str(piece);
    }
    out
}

/// `s` without the ASCII `byte`s at its end.
pub fn trim_end_byte(s: &str, byte: u8) -> &str {
    let keep = s.bytes().rposition(|b| b != byte).map_or(0, |i| i + 1);
    s.get(..keep).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_sorts_searches_and_replacements() {
        let mut v = vec![5, 1, 4, 1, 3];
        sort_small(&mut v, |a, b| a < b);
        assert_eq!(v, [1, 1, 3, 4, 5]);
        assert_eq!((find("abcabc", "ca"), find("abc", "abcd"), find("abc", "")), (Some(2), None, Some(0)));
        assert_eq!(
            (find("aab", "ab"), find("abc", "c"), find("abc", "abc"), find("", "a")),
            (Some(1), Some(2), Some(0), None)
        );
        assert_eq!(replace_all("a-xx-b-xx", "xx", "<r>"), "a-<r>-b-<r>");
        assert_eq!(replace_all("aaa", "aa", "b"), "ba");
        assert_eq!(replace_all("aaa", "", "b"), "aaa");
        assert_eq!(split_once("a://b://c", "://"), Some(("a", "b://c")));
        assert_eq!(split_once("é:x", ":"), Some(("é", "x")));
        assert_eq!(join(["a", "b", "c"], ", "), "a, b, c");
        assert_eq!(pieces("a&&b&", "&").collect::<Vec<_>>(), ["a", "", "b", ""]);
        assert_eq!(pieces("", "&").collect::<Vec<_>>(), [""]);
        assert_eq!(join([], ", "), "");
        assert_eq!((trim_end_byte("ab//", b'/'), trim_end_byte("//", b'/'), trim_end_byte("é", b'/')), ("ab", "", "é"));
        let mut words = vec!["b", "c", "a", "b"];
        sort_small(&mut words, |a, b| a < b);
        assert_eq!(words, ["a", "b", "b", "c"]);
    }
}
