//! Where requests may go: an absolute `https://` URL, or plain `http://` to the loopback interface only (a
//! credential must never cross a network unencrypted).

use crate::error::Error;
use crate::http::is_header_value;
use crate::small::{split_once, trim_end_byte};

/// Checks an absolute `https://` URL (or `http://` to loopback) and returns it without a trailing slash. Bytes
/// and `get` throughout: no string searcher and no index that could panic come into the wasm with it.
pub fn check_url(field: &str, url: &str) -> Result<String, Error> {
    let url = trim_end_byte(url.trim(), b'/');
    let Some((scheme, rest)) = split_once(url, "://") else {
        return Err(Error::config(field, "must be an absolute URL such as https://your-domain.atlassian.net"));
    };
    let authority = split_once(rest, "/").map_or(rest, |(authority, _)| authority);
    let plain = !authority.is_empty()
        && !authority.bytes().any(|b| b == b'@')
        && !url.bytes().any(|b| matches!(b, b'?' | b'#' | b'\\'))
        && !url.chars().any(char::is_whitespace)
        && is_header_value(url);
    if !plain {
        return Err(Error::config(field, "must be a plain site URL such as https://your-domain.atlassian.net"));
    }
    if scheme.eq_ignore_ascii_case("https") || (scheme.eq_ignore_ascii_case("http") && is_loopback(authority)) {
        Ok(url.to_owned())
    } else if scheme.eq_ignore_ascii_case("http") {
        Err(Error::config(
            field,
            "plain http:// would send credentials unencrypted; use https:// (http is allowed only for loopback: \
             localhost, 127.0.0.0/8, [::1])",
        ))
    } else {
        Err(Error::config(field, "must start with https://"))
    }
}

/// Whether the URL authority names the loopback interface: `localhost`, an IPv4 address in 127.0.0.0/8 or
/// `[::1]`, with any port. A name that merely starts with `127.` is not.
fn is_loopback(authority: &str) -> bool {
    if let Some(v6) = authority.strip_prefix('[') {
        let Some((host, rest)) = split_once(v6, "]") else { return false };
        return host == "::1" && (rest.is_empty() || rest.strip_prefix(':').is_some_and(is_port));
    }
    let host = match split_once(authority, ":") {
        Some((host, port)) if is_port(port) => host,
        Some(_) => return false,
        None => authority,
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let mut octets = 0;
    let all = host.as_bytes().split(|b| *b == b'.').all(|octet| {
        octets += 1;
        let digits = (1..=3).contains(&octet.len()) && octet.iter().all(u8::is_ascii_digit);
        let value = octet.iter().fold(0u32, |n, d| n.wrapping_mul(10).wrapping_add(u32::from(d.wrapping_sub(b'0'))));
        digits && value <= 255 && (octets > 1 || value == 127)
    });
    all && octets == 4
}

/// A port: one to five digits.
fn is_port(port: &str) -> bool {
    (1..=5).contains(&port.len()) && port.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_forms() {
        assert_eq!(check_url("baseUrl", "https://acme.atlassian.net/").unwrap(), "https://acme.atlassian.net");
        for ok in [
            "http://localhost:8080",
            "http://127.0.0.1:1",
            "http://127.255.3.4",
            "http://[::1]:9/jira",
            "HTTP://LOCALHOST",
        ] {
            assert!(check_url("baseUrl", ok).is_ok(), "{ok}");
        }
    }

    /// Defect: `http://127.evil.example.com` and `http://127.0.0.com` passed the loopback test.
    #[test]
    fn names_that_only_look_like_loopback_may_not_use_http() {
        for bad in [
            "http://127.evil.example.com",
            "http://127.0.0.com",
            "http://127.0.0.1.evil.com",
            "http://127.0.0.256",
            "http://127.0.0",
            "http://localhost.evil.com",
            "http://[::1].evil.com",
            "http://127.0.0.1:80:80",
            "http://[::2]",
            "http://acme.atlassian.net",
            "acme.atlassian.net",
            "https://user:pw@acme.atlassian.net",
            "ftp://acme",
        ] {
            assert_eq!(check_url("baseUrl", bad).unwrap_err().path.as_deref(), Some("baseUrl"), "{bad}");
        }
    }
}
