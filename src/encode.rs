//! Encodings on the wire: base64 (Basic auth, JWTs), hex (signatures), percent-encoding (queries, Connect's
//! canonical request) and JSON string literals (what the crate writes itself).

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
            for _ in chunk.len()..3 {
                out.push('=');
            }
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

/// Appends `s` as a JSON string literal.
pub fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push_str(&hex(&[c as u8]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lowercase() {
        assert_eq!(hex(&[0, 0xab, 0x7f]), "00ab7f");
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
