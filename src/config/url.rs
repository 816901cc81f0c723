//! Where requests may go: an absolute `https://` URL, or plain `http://` to the loopback interface only (a
//! credential must never cross a network unencrypted).

use crate::error::Error;
use crate::http::is_header_value;
use crate::text::cat;

/// Checks an absolute `https://` URL (or `http://` to loopback) and returns it without a trailing slash.
pub fn check_url(field: &str, url: &str) -> Result<String, Error> {
    let url = url.trim().trim_end_matches('/');
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(Error::config(field, "must be an absolute URL such as https://your-domain.atlassian.net"));
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let plain = !authority.is_empty()
        && !authority.contains('@')
        && !url.contains(['?', '#', '\\'])
        && !url.contains(char::is_whitespace)
        && is_header_value(url);
    if !plain {
        return Err(Error::config(field, "must be a plain site URL such as https://your-domain.atlassian.net"));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(url.to_owned()),
        "http" if is_loopback(authority) => Ok(url.to_owned()),
        "http" => Err(Error::config(
            field,
            "plain http:// would send credentials unencrypted; use https:// (http is allowed only for loopback: \
             localhost, 127.0.0.0/8, [::1])",
        )),
        _ => Err(Error::config(field, "must start with https://")),
    }
}

/// Whether the URL authority names the loopback interface: `localhost`, an IPv4 address in 127.0.0.0/8 or
/// `[::1]`, with any port. A name that merely starts with `127.` is not.
fn is_loopback(authority: &str) -> bool {
    if let Some(v6) = authority.strip_prefix('[') {
        let Some((host, rest)) = v6.split_once(']') else { return false };
        return host == "::1" && (rest.is_empty() || is_port(rest));
    }
    let host = match authority.split_once(':') {
        Some((host, port)) if is_port(&cat!(':', port)) => host,
        Some(_) => return false,
        None => authority,
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets[0] == "127"
        && octets.iter().all(|o| !o.is_empty() && o.len() <= 3 && o.bytes().all(|b| b.is_ascii_digit()))
        && octets.iter().all(|o| o.parse::<u16>().is_ok_and(|n| n <= 255))
}

fn is_port(s: &str) -> bool {
    s.strip_prefix(':').is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
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
