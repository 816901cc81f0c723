//! Fuzz test of the response parser on the host: random bytes, random JSON, mutated real answers, every status
//! code, every operation. Nothing may panic (a panic in wasm traps and can poison the instance), and every
//! outcome must be a success for the operation's status or a typed error.

use jira_webhooks::operations::*;
use jira_webhooks::{Auth, Client, Config, ErrorKind, HttpResponse, Operation};

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
        (self.next() % n as u64) as usize
    }
    fn json(&mut self, depth: u32) -> String {
        const KEYS: &[&str] = &[
            "values",
            "id",
            "events",
            "jqlFilter",
            "expirationDate",
            "isLast",
            "total",
            "startAt",
            "maxResults",
            "next",
            "failureTime",
            "url",
            "body",
            "webhookRegistrationResult",
            "createdWebhookId",
            "errors",
            "errorMessages",
            "status",
            "fieldIdsFilter",
            "self",
            "nextPage",
        ];
        const ATOMS: &[&str] = &[
            "null",
            "true",
            "false",
            "0",
            "-1",
            "1.5",
            "1e308",
            "-9223372036854775809",
            "18446744073709551616",
            "\"\"",
            "\"2019-06-01T12:42:30.000+0000\"",
            "\"2019-13-45T99:99:99.000+9999\"",
            "\"jira:issue_created\"",
            "\"\\ud800\"",
            "\"x\\u0000y\"",
            "12345678901234567890123",
            "[]",
            "{}",
        ];
        match if depth == 0 { 0 } else { self.below(3) } {
            0 => ATOMS[self.below(ATOMS.len())].to_owned(),
            1 => {
                let items: Vec<String> = (0..self.below(4)).map(|_| self.json(depth - 1)).collect();
                format!("[{}]", items.join(","))
            }
            _ => {
                let fields: Vec<String> = (0..self.below(6))
                    .map(|_| format!("\"{}\":{}", KEYS[self.below(KEYS.len())], self.json(depth - 1)))
                    .collect();
                format!("{{{}}}", fields.join(","))
            }
        }
    }
}

const REAL: &[&str] = &[
    r#"{"isLast":true,"maxResults":3,"startAt":0,"total":3,"values":[{"events":["jira:issue_updated"],"expirationDate":"2019-06-01T12:42:30.000+0000","id":10000,"jqlFilter":"project = PRJ"}]}"#,
    r#"{"webhookRegistrationResult":[{"createdWebhookId":1000},{"errors":["The clause watchCount is unsupported"]}]}"#,
    r#"{"values":[{"id":"1","body":"{}","url":"https://example.com","failureTime":1573118132000}],"maxResults":100,"next":"https://x/y"}"#,
    r#"{"expirationDate":"2019-06-01T12:42:30.000+0000"}"#,
    r#"{"errorMessages":["bad"],"errors":{"webhookIds":"required"},"status":400}"#,
    "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>",
];

fn client() -> Client {
    Client::new(&Config::new("https://acme.atlassian.net", Auth::Bearer { token: "fuzz-secret-token".into() })).unwrap()
}

fn check<O: Operation>(client: &Client, response: &HttpResponse) {
    match client.parse::<O>(response) {
        Ok(_) => assert!(O::is_success(response.status), "{} accepted status {}", O::ID, response.status),
        Err(e) => {
            if O::is_success(response.status) {
                assert_eq!(e.kind, ErrorKind::Decode, "{}: {}", O::ID, e.message);
            } else {
                assert_eq!((e.kind, e.status), (ErrorKind::Http, response.status), "{}", e.message);
            }
            assert_eq!(e.operation, Some(O::ID));
            assert!(!e.message.is_empty() && !e.message.contains("fuzz-secret-token"));
        }
    }
}

#[test]
fn no_response_makes_the_parser_panic() {
    let client = client();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let statuses = [200u16, 202, 204, 301, 400, 401, 403, 404, 429, 500, 502, 503, 504, 599];
    for i in 0..30_000 {
        let body = match i % 4 {
            0 => {
                let bytes: Vec<u8> = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
                String::from_utf8_lossy(&bytes).into_owned()
            }
            1 => rng.json(4),
            2 => {
                // A real answer, cut or with one byte replaced.
                let real = REAL[rng.below(REAL.len())];
                let mut b = real.as_bytes().to_vec();
                let at = rng.below(b.len());
                if rng.below(2) == 0 {
                    b.truncate(at);
                } else {
                    let noise = b"{}[]\",:0a-\\ ";
                    b[at] = noise[rng.below(noise.len())];
                }
                String::from_utf8_lossy(&b).into_owned()
            }
            _ => REAL[rng.below(REAL.len())].to_owned(),
        };
        let status = if i % 3 == 0 { rng.below(600) as u16 } else { statuses[rng.below(statuses.len())] };
        let content_type = ["application/json", "text/html", "text/plain", ""][rng.below(4)];
        let response = HttpResponse {
            status,
            content_type: (!content_type.is_empty()).then(|| content_type.to_owned()),
            body,
            ..HttpResponse::default()
        };
        check::<RegisterDynamicWebhooks>(&client, &response);
        check::<GetDynamicWebhooksForApp>(&client, &response);
        check::<GetFailedWebhooks>(&client, &response);
        check::<RefreshWebhooks>(&client, &response);
        check::<DeleteWebhookById>(&client, &response);
    }
}
