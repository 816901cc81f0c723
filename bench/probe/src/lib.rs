//! Decode steps of jira-webhooks as plain wasm exports, timed from JS by bench/probe/run.mjs: untyped
//! serde_json, typed serde_json, typed through serde_path_to_error (what the package does), and serde_json::to_string
//! of the result (the package then hands that text to JSON.parse).
use jira_webhooks::models::PageBeanWebhook;
use std::cell::RefCell;

thread_local! { static PAGE: RefCell<Option<PageBeanWebhook>> = RefCell::new(None); }

#[no_mangle]
pub extern "C" fn probe_alloc(len: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(len);
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

fn body(ptr: *const u8, len: usize) -> &'static str {
    unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(ptr, len)) }
}

/// serde_json into serde_json::Value (untyped parse).
#[no_mangle]
pub extern "C" fn probe_value(ptr: *const u8, len: usize) -> usize {
    let v: serde_json::Value = serde_json::from_str(body(ptr, len)).unwrap();
    v["values"].as_array().map(|a| a.len()).unwrap_or(0)
}

/// serde_json straight into the typed model.
#[no_mangle]
pub extern "C" fn probe_plain(ptr: *const u8, len: usize) -> usize {
    let p: PageBeanWebhook = serde_json::from_str(body(ptr, len)).unwrap();
    p.values.len()
}

/// The package's way: serde_path_to_error around serde_json into the typed model.
#[no_mangle]
pub extern "C" fn probe_tracked(ptr: *const u8, len: usize) -> usize {
    let de = &mut serde_json::Deserializer::from_str(body(ptr, len));
    let p: PageBeanWebhook = serde_path_to_error::deserialize(de).unwrap();
    let n = p.values.len();
    PAGE.with(|s| *s.borrow_mut() = Some(p));
    n
}

/// serde_json::to_string of the last decoded page (the package's to_js step before JSON.parse).
#[no_mangle]
pub extern "C" fn probe_serialize() -> usize {
    PAGE.with(|s| serde_json::to_string(s.borrow().as_ref().unwrap()).unwrap().len())
}
