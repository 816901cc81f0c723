//! Checking that a delivery comes from Jira: an HS256/384/512 JWT (OAuth 2.0 apps: `Authorization: Bearer`, signed
//! with the client secret; Connect apps: `Authorization: JWT`, signed with the tenant's shared secret and bound to
//! the request by `qsh`), or an `X-Hub-Signature: sha256=…` HMAC of the body (admin webhooks with a secret).
//! Signatures are compared in constant time (`hmac`'s `verify_slice`). A failure is an `unauthorized` error whose
//! `path` names the check that failed; no token or secret ever appears in it.

use super::connect_jwt::query_string_hash;
use super::mac;
use crate::decode::Doc;
use crate::encode::base64_decode;
use crate::error::{Error, ErrorKind};
use crate::text::cat;
use hmac::Mac;
use sha2::{Sha256, Sha384, Sha512};

/// A JWT's algorithm: only the HMAC ones. `none` and asymmetric algorithms are refused (a webhook JWT is signed
/// with a secret the app shares with Jira).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Alg {
    Hs256,
    Hs384,
    Hs512,
}

/// An `unauthorized` error: which check failed, and why.
pub fn unauthorized(check: &str, why: &str) -> Error {
    let mut e = Error::new(ErrorKind::Unauthorized, cat!("the delivery is not verified (", check, "): ", why));
    e.status = 401;
    e.path = Some(check.to_owned());
    e
}

/// A parsed JWT: its signing input, its signature, its claims' JSON text.
#[derive(Debug)]
pub struct Jwt<'t> {
    alg: Alg,
    signing_input: &'t str,
    signature: Vec<u8>,
    claims: String,
}

impl<'t> Jwt<'t> {
    /// Splits and decodes `token`; checks nothing yet but its form and algorithm.
    pub fn parse(token: &'t str) -> Result<Jwt<'t>, Error> {
        let malformed = || unauthorized("authorization", "the token is not a JWT");
        let mut parts = token.split('.');
        let (header, claims, signature) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(h), Some(c), Some(s), None) => (h, c, s),
            _ => return Err(malformed()),
        };
        let text = |part: &str| base64_decode(part, true).and_then(|b| String::from_utf8(b).ok()).ok_or_else(malformed);
        let header = text(header)?;
        let doc = Doc::parse(&header).map_err(|_| malformed())?;
        let alg = match doc.root().get("alg").and_then(|a| a.as_str()).as_deref() {
            Some("HS256") => Alg::Hs256,
            Some("HS384") => Alg::Hs384,
            Some("HS512") => Alg::Hs512,
            _ => return Err(unauthorized("alg", "only HS256, HS384 and HS512 tokens are accepted")),
        };
        let claims = text(claims)?;
        if Doc::parse(&claims).map(|d| d.root().kind() != crate::decode::Kind::Obj).unwrap_or(true) {
            return Err(malformed());
        }
        let signature = base64_decode(signature, true).ok_or_else(malformed)?;
        let signing_input = token.get(..token.rfind('.').unwrap_or(0)).unwrap_or_default();
        Ok(Jwt { alg, signing_input, signature, claims })
    }

    /// A string claim, unverified (to find the tenant's secret before checking the signature with it).
    pub fn claim(&self, name: &str) -> Option<String> {
        self.claim_at(&[name])
    }

    /// A string claim inside objects of claims, e.g. `["context", "cloudId"]`.
    pub fn claim_at(&self, path: &[&str]) -> Option<String> {
        let doc = Doc::parse(&self.claims).ok()?;
        let mut value = doc.root();
        for name in path {
            value = value.get(name)?;
        }
        value.as_str().map(|s| s.into_owned())
    }

    fn number(&self, name: &str) -> Result<Option<f64>, Error> {
        let doc = Doc::parse(&self.claims).map_err(|_| unauthorized("authorization", "the token is not a JWT"))?;
        match doc.root().get(name) {
            None => Ok(None),
            Some(v) => v.as_f64().map(Some).ok_or_else(|| unauthorized(name, "the claim is not a number")),
        }
    }

    /// Whether one of `secrets` signed the token (constant-time comparison).
    fn signed_by_any<'s>(&self, secrets: impl IntoIterator<Item = &'s str>) -> bool {
        let input = self.signing_input.as_bytes();
        secrets.into_iter().any(|secret| {
            let key = secret.as_bytes();
            match self.alg {
                Alg::Hs256 => mac::<Sha256>(key, input).verify_slice(&self.signature).is_ok(),
                Alg::Hs384 => mac::<Sha384>(key, input).verify_slice(&self.signature).is_ok(),
                Alg::Hs512 => mac::<Sha512>(key, input).verify_slice(&self.signature).is_ok(),
            }
        })
    }

    /// Checks the signature with `secrets` (any of them: secrets rotate) and the times: `exp` must be there and not
    /// past, `nbf` and `iat` not in the future, each with `skew_s` seconds of leeway.
    pub fn verify<'s>(&self, secrets: impl IntoIterator<Item = &'s str>, now_s: f64, skew_s: f64) -> Result<(), Error> {
        if !self.signed_by_any(secrets) {
            return Err(unauthorized("signature", "the token was not signed with the configured secret"));
        }
        match self.number("exp")? {
            None => return Err(unauthorized("exp", "the token has no expiry")),
            Some(exp) if exp + skew_s < now_s => return Err(unauthorized("exp", "the token has expired")),
            Some(_) => {}
        }
        for claim in ["nbf", "iat"] {
            if self.number(claim)?.is_some_and(|t| t - skew_s > now_s) {
                return Err(unauthorized(claim, "the token is not valid yet (check the clocks)"));
            }
        }
        Ok(())
    }
}

/// The query string hash (`qsh`) of a request to the app: `method`, and `url`'s path relative to the app's
/// `base_url` and its query, by Atlassian's canonical-request rules; `None` when `url` is not under `base_url`.
pub fn request_qsh(method: &str, url: &str, base_url: &str) -> Option<String> {
    let base_path = path_of(base_url).trim_end_matches('/');
    let path = path_of(url);
    let relative = path.strip_prefix(base_path).filter(|r| r.is_empty() || r.starts_with(['/', '?']))?;
    Some(query_string_hash(method, relative))
}

/// Checks a Connect delivery's `qsh`: the hash of its own method, path relative to the app's `base_url` and query.
pub fn check_qsh(jwt: &Jwt, method: &str, url: &str, base_url: &str) -> Result<(), Error> {
    let Some(expected) = request_qsh(method, url, base_url) else {
        return Err(unauthorized("qsh", "the delivery's URL is not under the configured baseUrl"));
    };
    match jwt.claim("qsh") {
        Some(qsh) if qsh == expected => Ok(()),
        Some(_) => Err(unauthorized("qsh", "the token was made for another request (method, path or query)")),
        None => Err(unauthorized("qsh", "the token has no query string hash")),
    }
}

/// The path and query of an absolute URL (or of a path).
fn path_of(url: &str) -> &str {
    let path = match crate::small::split_once(url, "://") {
        Some((_, rest)) => rest.find(['/', '?']).and_then(|i| rest.get(i..)).unwrap_or_default(),
        None => url,
    };
    path.split('#').next().unwrap_or(path)
}

/// Checks `X-Hub-Signature: sha256=<hex>` over the raw `body` with any of `secrets` (the streaming
/// [`HubCheck`]'s reference in the tests).
#[cfg(test)]
pub fn check_hub_signature<'s>(
    body: &[u8],
    header: &str,
    secrets: impl IntoIterator<Item = &'s str>,
) -> Result<(), Error> {
    let mut check = HubCheck::new(header, secrets)?;
    check.update(body);
    check.finish()
}

/// `X-Hub-Signature` checked over the body's raw bytes as they arrive, chunk by chunk: the body is never held
/// whole here.
pub struct HubCheck {
    expected: Vec<u8>,
    macs: Vec<hmac::SimpleHmac<Sha256>>,
}

impl HubCheck {
    /// A check of `header` (`sha256=<hex>`) with any of `secrets`.
    pub fn new<'s>(header: &str, secrets: impl IntoIterator<Item = &'s str>) -> Result<HubCheck, Error> {
        let hex = header
            .trim()
            .strip_prefix("sha256=")
            .ok_or_else(|| unauthorized("x-hub-signature", "the signature is not of the form sha256=<hex>"))?;
        let expected = hex_decode(hex).ok_or_else(|| unauthorized("x-hub-signature", "the signature is not hex"))?;
        Ok(HubCheck { expected, macs: secrets.into_iter().map(|s| mac::<Sha256>(s.as_bytes(), b"")).collect() })
    }

    /// The next bytes of the body.
    pub fn update(&mut self, chunk: &[u8]) {
        for m in &mut self.macs {
            m.update(chunk);
        }
    }

    /// Whether one of the secrets signed the bytes seen (constant-time comparison).
    pub fn finish(self) -> Result<(), Error> {
        let expected = self.expected;
        if self.macs.into_iter().any(|m| m.verify_slice(&expected).is_ok()) {
            Ok(())
        } else {
            Err(unauthorized("x-hub-signature", "the body was not signed with the configured secret (or was changed)"))
        }
    }
}

fn hex_decode(hex: &str) -> Option<Vec<u8>> {
    if hex.len() % 2 != 0 {
        return None;
    }
    let digit = |b: Option<&u8>| (*b? as char).to_digit(16);
    hex.as_bytes().chunks(2).map(|p| Some((digit(p.first())? * 16 + digit(p.get(1))?) as u8)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::base64;

    fn token(alg: &str, claims: &str, secret: &str) -> String {
        let input = format!(
            "{}.{}",
            base64(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#).as_bytes(), true),
            base64(claims.as_bytes(), true)
        );
        let signature = match alg {
            "HS384" => mac::<Sha384>(secret.as_bytes(), input.as_bytes()).finalize().into_bytes().to_vec(),
            "HS512" => mac::<Sha512>(secret.as_bytes(), input.as_bytes()).finalize().into_bytes().to_vec(),
            _ => mac::<Sha256>(secret.as_bytes(), input.as_bytes()).finalize().into_bytes().to_vec(),
        };
        format!("{input}.{}", base64(&signature, true))
    }

    const NOW: f64 = 1_764_400_000.0;
    const CLAIMS: &str = r#"{"iss":"jira","sub":"app","iat":1764399990,"exp":1764400170,"context":{"cloudId":"x"}}"#;

    fn check(token: &str, secrets: &[&str], now: f64) -> Result<(), Option<String>> {
        Jwt::parse(token).and_then(|j| j.verify(secrets.iter().copied(), now, 60.0)).map_err(|e| {
            assert_eq!((e.kind, e.status), (ErrorKind::Unauthorized, 401));
            assert!(!e.message.contains("s3cr3t"), "{}", e.message);
            e.path
        })
    }

    #[test]
    fn a_token_signed_with_the_secret_and_in_time_is_accepted_in_every_hmac_algorithm() {
        for alg in ["HS256", "HS384", "HS512"] {
            assert_eq!(check(&token(alg, CLAIMS, "s3cr3t"), &["s3cr3t"], NOW), Ok(()), "{alg}");
        }
        assert_eq!(check(&token("HS256", CLAIMS, "s3cr3t"), &["old-secret", "s3cr3t"], NOW), Ok(()), "rotation");
        assert_eq!(check(&token("HS256", CLAIMS, "s3cr3t"), &["s3cr3t"], 1_764_400_200.0), Ok(()), "within the skew");
    }

    #[test]
    fn every_failure_names_its_check() {
        let good = token("HS256", CLAIMS, "s3cr3t");
        assert_eq!(check(&good, &["wrong"], NOW), Err(Some("signature".into())));
        assert_eq!(check(&good, &[], NOW), Err(Some("signature".into())));
        assert_eq!(check(&good, &["s3cr3t"], 1_764_400_300.0), Err(Some("exp".into())));
        let early = token("HS256", r#"{"nbf":1764400100,"exp":1764400500}"#, "s3cr3t");
        assert_eq!(check(&early, &["s3cr3t"], NOW), Err(Some("nbf".into())));
        let forever = token("HS256", r#"{"iss":"jira"}"#, "s3cr3t");
        assert_eq!(check(&forever, &["s3cr3t"], NOW), Err(Some("exp".into())));
        let mut tampered = good.clone();
        let body_at = tampered.find('.').unwrap() + 3;
        tampered.replace_range(body_at..body_at + 1, if &good[body_at..=body_at] == "A" { "B" } else { "A" });
        assert!(check(&tampered, &["s3cr3t"], NOW).is_err(), "a changed claim");
        for (alg, path) in [("none", "alg"), ("RS256", "alg"), ("ES256", "alg")] {
            let t = format!(
                "{}.{}.",
                base64(format!(r#"{{"alg":"{alg}"}}"#).as_bytes(), true),
                base64(CLAIMS.as_bytes(), true)
            );
            assert_eq!(check(&t, &["s3cr3t"], NOW), Err(Some(path.into())), "{alg}");
        }
        for garbage in ["", "a.b", "a.b.c.d", "!!.??.**"] {
            assert_eq!(check(garbage, &["s3cr3t"], NOW), Err(Some("authorization".into())), "{garbage}");
        }
        assert_eq!(check("e30.e30.%%", &["s3cr3t"], NOW), Err(Some("alg".into())), "a header with no algorithm");
    }

    #[test]
    fn connect_qsh_binds_the_token_to_the_delivery_request() {
        let qsh = query_string_hash("POST", "/webhook/jira?tenant=1");
        let claims = format!(r#"{{"iss":"client-key","iat":1764399990,"exp":1764400170,"qsh":"{qsh}"}}"#);
        let t = token("HS256", &claims, "s3cr3t");
        let jwt = Jwt::parse(&t).unwrap();
        assert_eq!(jwt.claim("iss").as_deref(), Some("client-key"));
        let base = "https://app.example.com/app";
        assert!(check_qsh(&jwt, "POST", "https://app.example.com/app/webhook/jira?tenant=1", base).is_ok());
        assert!(
            check_qsh(&jwt, "POST", "https://app.example.com/app/webhook/jira?tenant=1&jwt=abc", base).is_ok(),
            "jwt is not in qsh"
        );
        for (method, url, base) in [
            ("GET", "https://app.example.com/app/webhook/jira?tenant=1", base),
            ("POST", "https://app.example.com/app/webhook/jira?tenant=2", base),
            ("POST", "https://app.example.com/app/other?tenant=1", base),
            ("POST", "https://app.example.com/webhook/jira?tenant=1", base),
        ] {
            assert_eq!(check_qsh(&jwt, method, url, base).unwrap_err().path.as_deref(), Some("qsh"), "{method} {url}");
        }
    }

    /// The test vector of Atlassian's Webhooks page ("Secure admin webhooks").
    #[test]
    fn hub_signatures_match_atlassians_test_vector() {
        let header = "sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9";
        assert!(check_hub_signature(b"Hello World!", header, ["It's a Secret to Everybody"]).is_ok());
        let e = check_hub_signature(b"Hello World?", header, ["It's a Secret to Everybody"]).unwrap_err();
        assert_eq!(e.path.as_deref(), Some("x-hub-signature"));
        assert!(check_hub_signature(b"Hello World!", "sha1=abc", ["x"]).is_err());
        assert!(check_hub_signature(b"Hello World!", "sha256=zz", ["x"]).is_err());
        let mut chunked = HubCheck::new(header, ["wrong", "It's a Secret to Everybody"]).unwrap();
        for chunk in [&b"Hel"[..], b"lo Wor", b"", b"ld!"] {
            chunked.update(chunk);
        }
        assert!(chunked.finish().is_ok(), "chunk by chunk, with a second secret while rotating");
    }

    /// Defect: the signature was checked over the body decoded as text, so a body with the byte FF and one with
    /// U+FFFD (or with a BOM in front) shared a signature.
    #[test]
    fn hub_signatures_cover_the_raw_bytes() {
        use hmac::Mac;
        let signed = "{\"a\":\"\u{fffd}\"}".as_bytes();
        let sig = crate::encode::hex(&mac::<Sha256>(b"k", signed).finalize().into_bytes());
        let header = format!("sha256={sig}");
        assert!(check_hub_signature(signed, &header, ["k"]).is_ok());
        assert!(check_hub_signature(b"{\"a\":\"\xff\"}", &header, ["k"]).is_err());
        let with_bom = [&b"\xef\xbb\xbf"[..], signed].concat();
        assert!(check_hub_signature(&with_bom, &header, ["k"]).is_err());
    }
}
