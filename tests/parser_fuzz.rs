//! Fuzz test of the engine's answer handling on the host: random bytes, random JSON, mutated real answers, every
//! status code, every operation, through the public API. Nothing may panic (a panic in wasm aborts the host or
//! poisons the instance), and every outcome must be a success for the operation's status or a typed error. The
//! pages' position logic gets the same answers.

use jira_webhooks::*;

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
    let config = Config {
        retry: RetryPolicy::NONE,
        ..Config::new("https://acme.atlassian.net", Auth::Bearer { token: "fuzz-secret-token".into() })
    };
    Client::new(&config).unwrap()
}

fn check<O: Operation>(client: &Client, op: &O, response: &HttpResponse) -> Option<Reply> {
    let mut call = client.call(op, 0.0, None, None).unwrap();
    assert!(matches!(call.poll(0.0, 0.5), Action::Send));
    call.on_response(response.clone());
    let Action::Done(result) = call.poll(0.0, 0.5) else { panic!("{}: a final answer must end the call", O::SPEC.id) };
    let success = O::SPEC.success.contains(&response.status);
    match result {
        Ok(reply) => {
            assert!(success, "{} accepted status {}", O::SPEC.id, response.status);
            Some(reply)
        }
        Err(e) => {
            let kind = if success { ErrorKind::Decode } else { ErrorKind::Http };
            assert_eq!(e.kind, kind, "{}: {}", O::SPEC.id, e.message);
            assert_eq!(e.operation, Some(O::SPEC.id));
            assert!(!e.message.is_empty() && !e.fields_json().contains("fuzz-secret-token"));
            None
        }
    }
}

#[test]
fn no_answer_makes_the_engine_panic() {
    let client = client();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let statuses = [200u16, 202, 204, 301, 400, 401, 403, 404, 429, 500, 502, 503, 504, 599];
    let details = WebhookRegistrationDetails {
        url: "https://app.example.com/hook".into(),
        webhooks: vec![WebhookDetails {
            events: vec![WebhookEvent::IssueCreated],
            jql_filter: "project = A".into(),
            ..WebhookDetails::default()
        }],
    };
    let register = RegisterDynamicWebhooks::new(&details).unwrap();
    let jqls = vec!["project = A".to_owned()];
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
        if let Some(reply) = check(&client, &register, &response) {
            let _ = partial_failure(&jqls, &reply.output::<RegisterDynamicWebhooks>());
        }
        if let Some(reply) = check(&client, &GetDynamicWebhooksForApp::default(), &response) {
            let page = reply.output::<GetDynamicWebhooksForApp>();
            let _ = OffsetPages::new(GetDynamicWebhooksForApp::default()).advance(&PageFacts::of_webhooks(&page));
        }
        if let Some(reply) = check(&client, &GetFailedWebhooks::default(), &response) {
            let after = GetFailedWebhooks::new(GetFailedWebhooksParams { max_results: None, after: Some(5) }).unwrap();
            let page = reply.output::<GetFailedWebhooks>();
            let _ = CursorPages::new(after).advance(&PageFacts::of_failures(&page));
        }
        check(&client, &RefreshWebhooks::new(&[1, 2]).unwrap(), &response);
        check(&client, &DeleteWebhookById::new(&[1]).unwrap(), &response);
    }
}
