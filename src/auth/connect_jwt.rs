//! Connect app authentication: a fresh HS256 JWT per request, bound to the request by its query string hash
//! (`qsh`), as Atlassian's "Understanding JWT for Connect apps" describes
//! (<https://developer.atlassian.com/cloud/jira/platform/understanding-jwt-for-connect-apps/>).

use crate::encode::{base64, hex, percent_encode as encode, push_json_string as push_str};
use crate::small::{pieces, replace_all, sort_small, split_once, trim_end_byte};
use crate::text::{cat, Piece};
use hmac::Mac;
use sha2::{Digest, Sha256};

/// How long a token is valid, in seconds (Atlassian accepts a few minutes).
pub const LIFETIME_SECS: i64 = 180;

/// The canonical request: `METHOD&canonical-path&canonical-query`. `path_and_query` is relative to the site's
/// base URL, e.g. `/rest/api/2/webhook?startAt=0`.
pub fn canonical_request(method: &str, path_and_query: &str) -> String {
    canonical(method, path_and_query, decode)
}

/// The canonical request of a request this crate built: its query holds only names it chose and integers, which
/// read the same decoded, so nothing is decoded (and the client's wasm has no percent-decoder).
fn canonical_own(method: &str, path_and_query: &str) -> String {
    canonical(method, path_and_query, str::to_owned)
}

fn canonical(method: &str, path_and_query: &str, decode: fn(&str) -> String) -> String {
    let (path, query) = split_once(path_and_query, "?").unwrap_or((path_and_query, ""));
    let mut path = replace_all(trim_end_byte(path, b'/'), "&", "%26");
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    // Names and repeated values are sorted as they read decoded, then encoded: what Atlassian's own libraries do
    // (atlassian-jwt sorts the decoded keys and values).
    let mut params: Vec<(String, Vec<String>)> = Vec::new();
    for pair in pieces(query, "&").filter(|p| !p.is_empty()) {
        let (name, value) = split_once(pair, "=").unwrap_or((pair, ""));
        let (name, value) = (decode(name), decode(value));
        if name == "jwt" {
            continue;
        }
        match params.iter_mut().find(|(n, _)| *n == name) {
            Some((_, values)) => values.push(value),
            None => params.push((name, vec![value])),
        }
    }
    sort_small(&mut params, |a, b| a.0 < b.0);
    let mut out = cat!(method.to_ascii_uppercase(), '&', path, '&');
    for (i, (name, mut values)) in params.into_iter().enumerate() {
        sort_small(&mut values, |a, b| a < b);
        out.push_str(&cat!(if i == 0 { "" } else { "&" }, encode(&name), '='));
        for (j, value) in values.iter().enumerate() {
            out.push_str(&cat!(if j == 0 { "" } else { "," }, encode(value)));
        }
    }
    out
}

/// The query string hash: hex SHA-256 of the canonical request.
pub fn query_string_hash(method: &str, path_and_query: &str) -> String {
    hex(&Sha256::digest(canonical_request(method, path_and_query).as_bytes()))
}

/// A signed token for one request: `iss` the app key, `iat` now, `exp` a few minutes later, `qsh`.
pub fn sign(app_key: &str, shared_secret: &str, method: &str, path_and_query: &str, now_secs: i64) -> String {
    signed(app_key, shared_secret, &canonical_request(method, path_and_query), now_secs)
}

/// [`sign`] for a request this crate built (see `canonical_own`).
pub(crate) fn sign_own(app_key: &str, secret: &str, method: &str, path_and_query: &str, now_secs: i64) -> String {
    signed(app_key, secret, &canonical_own(method, path_and_query), now_secs)
}

fn signed(app_key: &str, shared_secret: &str, canonical: &str, now_secs: i64) -> String {
    let mut claims = String::from("{\"iss\":");
    push_str(&mut claims, app_key);
    claims.push_str(",\"iat\":");
    now_secs.push_to(&mut claims);
    claims.push_str(",\"exp\":");
    (now_secs + LIFETIME_SECS).push_to(&mut claims);
    claims.push_str(",\"qsh\":\"");
    claims.push_str(&hex(&Sha256::digest(canonical.as_bytes())));
    claims.push_str("\"}");
    let signing_input = cat!(base64(br#"{"alg":"HS256","typ":"JWT"}"#, true), '.', base64(claims.as_bytes(), true));
    let signature = super::mac::<Sha256>(shared_secret.as_bytes(), signing_input.as_bytes()).finalize().into_bytes();
    cat!(signing_input, '.', base64(&signature, true))
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atlassian_canonical_request_examples() {
        // From Atlassian's "Understanding JWT for Connect apps": sorted names, repeated values sorted and joined
        // with commas, spaces as %20, `jwt` excluded.
        assert_eq!(
            canonical_request(
                "get",
                "/path/to/service?zee_last=param&repeated=parameter 1&first=param&repeated=parameter 2"
            ),
            "GET&/path/to/service&first=param&repeated=parameter%201,parameter%202&zee_last=param"
        );
        assert_eq!(canonical_request("GET", "/rest/api/2/webhook/?jwt=abc.def.ghi"), "GET&/rest/api/2/webhook&");
        assert_eq!(canonical_request("POST", ""), "POST&/&");
        assert_eq!(canonical_request("GET", "/a&b/c"), "GET&/a%26b/c&");
        assert_eq!(canonical_request("GET", "/x?b=2&a=1&a=0&c"), "GET&/x&a=0,1&b=2&c=");
        assert_eq!(canonical_request("GET", "/x?q=a%2Cb&s=%7e*+"), "GET&/x&q=a%2Cb&s=~%2A%20");
        assert_eq!(
            canonical_request("GET", "/rest/api/2/webhook?startAt=0&maxResults=50"),
            "GET&/rest/api/2/webhook&maxResults=50&startAt=0"
        );
        // Defect: names were sorted encoded ("%C3%A9" before "z"); Atlassian's libraries sort them decoded.
        assert_eq!(canonical_request("DELETE", "/x?z=%C3%A9&%C3%A9=1"), "DELETE&/x&z=%C3%A9&%C3%A9=1");
    }

    /// The requests the crate builds read the same with or without percent-decoding.
    #[test]
    fn the_crates_own_requests_need_no_decoding() {
        use crate::client::tests::client;
        use crate::operations::*;
        let c = client();
        let ids = || crate::models::ContainerForWebhookIDs { webhook_ids: vec![1, 2] };
        let paths = [
            c.request(&GetDynamicWebhooksForApp::new(GetDynamicWebhooksForAppParams::default()).unwrap()).path,
            c.request(
                &GetDynamicWebhooksForApp::new(GetDynamicWebhooksForAppParams {
                    start_at: Some(100),
                    max_results: Some(50),
                })
                .unwrap(),
            )
            .path,
            c.request(
                &GetFailedWebhooks::new(GetFailedWebhooksParams { max_results: Some(5), after: Some(7) }).unwrap(),
            )
            .path,
            c.request(&RefreshWebhooks::new(&ids().webhook_ids).unwrap()).path,
            c.request(&DeleteWebhookById::new(&ids().webhook_ids).unwrap()).path,
        ];
        for path in paths {
            for method in ["GET", "POST", "PUT", "DELETE"] {
                assert_eq!(canonical_own(method, &path), canonical_request(method, &path), "{path}");
            }
        }
    }

    #[test]
    fn qsh_is_hex_sha256_of_the_canonical_request() {
        // sha256("GET&/rest/api/2/webhook&")
        let qsh = query_string_hash("GET", "/rest/api/2/webhook");
        assert_eq!(qsh.len(), 64);
        assert_eq!(qsh, query_string_hash("get", "/rest/api/2/webhook/?jwt=x"));
        assert_ne!(qsh, query_string_hash("POST", "/rest/api/2/webhook"));
    }

    #[test]
    fn token_has_the_claims_and_a_valid_signature() {
        let t = sign("com.example.app", "s3cret", "PUT", "/rest/api/2/webhook/refresh", 1_700_000_000);
        let parts: Vec<&str> = t.split('.').collect();
        assert_eq!(parts.len(), 3);
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let claims = String::from_utf8(b64.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(
            claims,
            format!(
                r#"{{"iss":"com.example.app","iat":1700000000,"exp":{},"qsh":"{}"}}"#,
                1_700_000_000 + LIFETIME_SECS,
                query_string_hash("PUT", "/rest/api/2/webhook/refresh")
            )
        );
        let mut mac = <hmac::Hmac<Sha256> as hmac::KeyInit>::new_from_slice(b"s3cret").unwrap();
        mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
        mac.verify_slice(&b64.decode(parts[2]).unwrap()).expect("signature verifies");
    }
}
