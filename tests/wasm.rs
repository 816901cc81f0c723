//! The JS API as JavaScript sees it, run by wasm-bindgen-test in Node and in headless Chromium against the
//! fake Jira (started by `scripts/wasm-tests.mjs`, which passes its URLs in at compile time).
#![cfg(target_arch = "wasm32")]

use gloo_net::http::Request;
use jira_webhooks::exports::JiraWebhooks;
use js_sys::{Array, Promise, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

const API_TOKEN: &str = "basic-api-token";
const BASIC_B64: &str = "YWRtaW5AZXhhbXBsZS5jb206YmFzaWMtYXBpLXRva2Vu";

const FAKE_JIRA_URL: Option<&str> = option_env!("FAKE_JIRA_URL");
const FAKE_JIRA_STRING_DATES_URL: Option<&str> = option_env!("FAKE_JIRA_STRING_DATES_URL");

fn fake_url(url: Option<&'static str>) -> &'static str {
    match url {
        Some(url) => url,
        None => panic!("the fake Jira URLs are set at build time: run these tests with scripts/wasm-tests.mjs"),
    }
}

fn fake() -> &'static str {
    fake_url(FAKE_JIRA_URL)
}

fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

fn get(v: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(v.clone(), |v, k| Reflect::get(&v, &k.into()).unwrap())
}

fn client_for(base_url: &str, auth: &str) -> JiraWebhooks {
    JiraWebhooks::new(js(&format!(r#"{{"baseUrl":"{base_url}","auth":{auth}}}"#))).expect("valid config")
}

fn client() -> JiraWebhooks {
    client_for(fake(), &format!(r#"{{"type":"basic","email":"admin@example.com","apiToken":"{API_TOKEN}"}}"#))
}

async fn ok(p: Promise) -> JsValue {
    match JsFuture::from(p).await {
        Ok(v) => v,
        Err(e) => panic!("expected success, got {:?}", e.as_string().or_else(|| get(&e, "message").as_string())),
    }
}

async fn err(p: Promise) -> JsValue {
    let e = JsFuture::from(p).await.expect_err("expected a rejection");
    assert_eq!(get(&e, "name").as_string().as_deref(), Some("JiraWebhooksError"));
    assert!(e.is_instance_of::<js_sys::Error>());
    let shown =
        format!("{} {}", get(&e, "message").as_string().unwrap(), get(&e, "stack").as_string().unwrap_or_default());
    assert!(!shown.contains(API_TOKEN) && !shown.contains(BASIC_B64), "secret leaked: {shown}");
    e
}

fn kind(e: &JsValue) -> String {
    get(e, "kind").as_string().unwrap()
}

async fn control(method: &str, path: &str, body: Option<&str>) -> JsValue {
    let url = format!("{}/_fake/{path}", fake());
    let builder = match method {
        "POST" => Request::post(&url),
        "DELETE" => Request::delete(&url),
        _ => Request::get(&url),
    };
    let response = match body {
        Some(b) => builder.header("content-type", "application/json").body(b).unwrap().send().await,
        None => builder.send().await,
    }
    .unwrap();
    assert!(response.ok(), "control {path}: {}", response.status());
    js(&response.text().await.unwrap())
}

async fn requests_received() -> u32 {
    control("GET", "requests", None).await.dyn_into::<Array>().unwrap().length()
}

#[wasm_bindgen_test]
async fn all_five_operations_against_the_fake() {
    control("POST", "reset", None).await;
    let c = client();
    let details = js(r#"{"url":"https://app.example.com/hook","webhooks":[
        {"events":["jira:issue_created","comment_created"],"jqlFilter":"project = DEMO","fieldIdsFilter":["summary"]},
        {"events":["jira:issue_updated"],"jqlFilter":"watchCount = 1"}]}"#);
    let registered = ok(c.register_dynamic_webhooks(details, JsValue::UNDEFINED)).await;
    let results: Array = get(&registered, "webhookRegistrationResult").dyn_into().unwrap();
    assert_eq!(results.length(), 2);
    let id = get(&results.get(0), "createdWebhookId").as_f64().expect("first webhook created");
    let errors: Array = get(&results.get(1), "errors").dyn_into().unwrap();
    assert!(errors.get(0).as_string().unwrap().contains("watchCount"));

    let page = ok(c.get_dynamic_webhooks_for_app(js(r#"{"startAt":0,"maxResults":10}"#), JsValue::UNDEFINED)).await;
    assert_eq!(get(&page, "total").as_f64(), Some(1.0));
    assert_eq!(get(&page, "isLast").as_bool(), Some(true));
    let hook = Array::from(&get(&page, "values")).get(0);
    assert_eq!(get(&hook, "id").as_f64(), Some(id));
    assert_eq!(get(&hook, "jqlFilter").as_string().as_deref(), Some("project = DEMO"));
    assert_eq!(Array::from(&get(&hook, "events")).get(1).as_string().as_deref(), Some("comment_created"));
    let expires = get(&hook, "expirationDate").as_f64().unwrap();
    let now = js_sys::Date::now();
    assert!((expires - now - 30.0 * 86_400_000.0).abs() < 60_000.0, "30-day expiry, got {expires}");

    let refreshed = ok(c.refresh_webhooks(js(&format!(r#"{{"webhookIds":[{id}]}}"#)), JsValue::UNDEFINED)).await;
    assert!(get(&refreshed, "expirationDate").as_f64().unwrap() >= expires);

    let failed_at = now as i64 - 60_000;
    control(
        "POST",
        "failed",
        Some(&format!(
            r#"{{"app":"com.example.connect-app","failures":[{{"id":"f-1","url":"https://app.example.com/hook","body":"{{}}","failureTime":{failed_at}}}]}}"#
        )),
    )
    .await;
    let failed = ok(c.get_failed_webhooks(JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
    let first = Array::from(&get(&failed, "values")).get(0);
    assert_eq!(get(&first, "id").as_string().as_deref(), Some("f-1"));
    assert_eq!(get(&first, "failureTime").as_f64(), Some(failed_at as f64));
    assert!(get(&failed, "next").as_string().unwrap().contains(&format!("failedAfter={failed_at}")));

    let deleted = ok(c.delete_webhook_by_id(js(&format!(r#"{{"webhookIds":[{id}]}}"#)), JsValue::UNDEFINED)).await;
    assert!(deleted.is_undefined());
    let page = ok(c.get_dynamic_webhooks_for_app(JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
    assert_eq!(get(&page, "total").as_f64(), Some(0.0));
}

#[wasm_bindgen_test]
async fn string_dates_from_jira_arrive_as_milliseconds_on_api_v3() {
    let config = format!(
        r#"{{"baseUrl":"{}","apiVersion":3,"auth":{{"type":"basic","email":"admin@example.com","apiToken":"{API_TOKEN}"}}}}"#,
        fake_url(FAKE_JIRA_STRING_DATES_URL)
    );
    let c = JiraWebhooks::new(js(&config)).unwrap();
    let details = js(
        r#"{"url":"https://app.example.com/hook","webhooks":[{"events":["sprint_started"],"jqlFilter":"project = A"}]}"#,
    );
    ok(c.register_dynamic_webhooks(details, JsValue::UNDEFINED)).await;
    let page = ok(c.get_dynamic_webhooks_for_app(JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
    let hook = Array::from(&get(&page, "values")).get(0);
    let ms = get(&hook, "expirationDate").as_f64().expect("a number, not Jira's string");
    assert!(ms > js_sys::Date::now());
    assert_eq!(get(&hook, "url").as_string().as_deref(), Some("https://app.example.com/hook"), "v3 sends url");
    assert_eq!(Array::from(&get(&hook, "events")).get(0).as_string().as_deref(), Some("sprint_started"));
}

#[wasm_bindgen_test]
async fn http_errors_carry_jiras_fields_and_no_secret() {
    let c = client_for(fake(), r#"{"type":"basic","email":"admin@example.com","apiToken":"wrong-token-value"}"#);
    let e = err(c.get_dynamic_webhooks_for_app(JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
    assert_eq!(kind(&e), "http");
    assert_eq!(get(&e, "status").as_f64(), Some(401.0));
    assert_eq!(get(&e, "operation").as_string().as_deref(), Some("getDynamicWebhooksForApp"));
    assert!(Array::from(&get(&e, "errorMessages")).length() > 0);
    assert!(get(&e, "requestId").as_string().is_some_and(|id| !id.is_empty()));
    assert!(!get(&e, "message").as_string().unwrap().contains("wrong-token-value"));

    let plain = client_for(fake(), r#"{"type":"basic","email":"plain-user@example.com","apiToken":"plain-token"}"#);
    let e = err(plain.get_dynamic_webhooks_for_app(JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
    assert_eq!((kind(&e), get(&e, "status").as_f64()), ("http".into(), Some(403.0)));
}

#[wasm_bindgen_test]
async fn invalid_input_is_rejected_before_sending() {
    control("POST", "reset", None).await;
    let c = client();
    let before = requests_received().await;
    for (promise, path) in [
        (c.refresh_webhooks(js(r#"{"webhookIds":[]}"#), JsValue::UNDEFINED), "webhookIds"),
        (c.delete_webhook_by_id(js(r#"{"webhookIds":["x"]}"#), JsValue::UNDEFINED), "webhookIds[0]"),
        (
            c.register_dynamic_webhooks(js(r#"{"url":"https://a.example","webhooks":[]}"#), JsValue::UNDEFINED),
            "webhooks",
        ),
        (
            c.register_dynamic_webhooks(
                js(r#"{"url":"https://a.example","webhooks":[{"events":[],"jqlFilter":"project = A"}]}"#),
                JsValue::UNDEFINED,
            ),
            "webhooks[0].events",
        ),
        (
            c.register_dynamic_webhooks(
                js(r#"{"url":"https://a.example","webhooks":[{"events":["jira:issue_created"],"jqlFilter":""}]}"#),
                JsValue::UNDEFINED,
            ),
            "webhooks[0].jqlFilter",
        ),
        (c.get_dynamic_webhooks_for_app(js(r#"{"maxResults":0}"#), JsValue::UNDEFINED), "maxResults"),
        (c.get_failed_webhooks(js(r#"{"after":1.5}"#), JsValue::UNDEFINED), "after"),
        (c.refresh_webhooks(JsValue::UNDEFINED, JsValue::UNDEFINED), "argument"),
        (c.get_failed_webhooks(JsValue::UNDEFINED, js(r#"{"timeoutMs":-1}"#)), "options.timeoutMs"),
    ] {
        let e = err(promise).await;
        assert_eq!(kind(&e), "invalid-input");
        assert_eq!(get(&e, "path").as_string().as_deref(), Some(path));
        assert_eq!(get(&e, "status").as_f64(), Some(0.0));
    }
    assert_eq!(requests_received().await, before, "nothing may be sent");
}

#[wasm_bindgen_test]
fn configs_that_cannot_work_throw_at_construction() {
    for (config, path) in [
        (r#"{"auth":{"type":"bearer","token":"t"}}"#, "baseUrl"),
        (r#"{"baseUrl":"http://jira.example.com","auth":{"type":"bearer","token":"t"}}"#, "baseUrl"),
        (r#"{"baseUrl":"https://jira.example.com","auth":{"type":"bearer","token":""}}"#, "auth.token"),
        (r#"{"baseUrl":"https://jira.example.com","auth":{"type":"oauth1"}}"#, "auth.type"),
        (
            r#"{"baseUrl":"https://jira.example.com","auth":{"type":"basic","email":"a@b.c","apiToken":"t"},"apiVersion":4}"#,
            "apiVersion",
        ),
    ] {
        let e = JiraWebhooks::new(js(config)).err().expect("config error");
        assert_eq!(get(&e, "name").as_string().as_deref(), Some("JiraWebhooksError"));
        assert_eq!(kind(&e), "config");
        assert_eq!(get(&e, "path").as_string().as_deref(), Some(path), "{config}");
    }
    assert!(JiraWebhooks::new(JsValue::UNDEFINED).is_err());
}

#[wasm_bindgen_test]
async fn network_failures_timeouts_aborts_and_garbage_are_typed() {
    let auth = format!(r#"{{"type":"basic","email":"admin@example.com","apiToken":"{API_TOKEN}"}}"#);
    let e =
        err(client_for("http://127.0.0.1:9", &auth)
            .get_dynamic_webhooks_for_app(JsValue::UNDEFINED, JsValue::UNDEFINED))
        .await;
    assert_eq!((kind(&e), get(&e, "status").as_f64()), ("network".into(), Some(0.0)));

    control("POST", "reset", None).await;
    let c = client();
    control("POST", "faults", Some(r#"{"type":"delay","ms":2000,"operation":"getDynamicWebhooksForApp"}"#)).await;
    let e = err(c.get_dynamic_webhooks_for_app(JsValue::UNDEFINED, js(r#"{"timeoutMs":100}"#))).await;
    assert_eq!(kind(&e), "timeout");

    let controller = web_sys::AbortController::new().unwrap();
    let options = js("{}");
    Reflect::set(&options, &"signal".into(), &controller.signal()).unwrap();
    controller.abort();
    let e = err(c.get_failed_webhooks(JsValue::UNDEFINED, options)).await;
    assert_eq!(kind(&e), "aborted");

    control("POST", "faults", Some(r#"{"type":"malformed-json","operation":"getDynamicWebhooksForApp"}"#)).await;
    let e = err(c.get_dynamic_webhooks_for_app(JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
    assert_eq!((kind(&e), get(&e, "status").as_f64()), ("decode".into(), Some(200.0)));

    control("POST", "faults", Some(r#"{"type":"html","status":200,"operation":"getDynamicWebhooksForApp"}"#)).await;
    let e = err(c.get_dynamic_webhooks_for_app(JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
    assert_eq!(kind(&e), "decode");
    assert!(get(&e, "message").as_string().unwrap().contains("HTML"));

    // The instance still serves normal calls after the garbage.
    let page = ok(c.get_dynamic_webhooks_for_app(JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
    assert!(Array::is_array(&get(&page, "values")));
}
