//! Small-footprint stand-ins for standard algorithms: std's sorts and its two-way string searcher each bring
//! kilobytes into the wasm, and the lists and strings handled here are short.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_sorts_searches_and_replacements() {
        let mut v = vec![5, 1, 4, 1, 3];
        sort_small(&mut v, |a, b| a < b);
        assert_eq!(v, [1, 1, 3, 4, 5]);
        assert_eq!((find("abcabc", "ca"), find("abc", "abcd"), find("abc", "")), (Some(2), None, Some(0)));
        assert_eq!(replace_all("a-xx-b-xx", "xx", "<r>"), "a-<r>-b-<r>");
        assert_eq!(replace_all("aaa", "aa", "b"), "ba");
    }
}
