//! Every JavaScript function the Rust side calls, in one place: the edge's `.js` files of this folder (wasm-bindgen
//! ships them beside the glue) and the globals the edge needs.

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/call.js")]
extern "C" {
    /// Runs a call to its end and settles with its outcome; `body` is the request body the edge holds, if any.
    pub fn perform(call: super::client::CallHandle, session: &JsValue, signal: &JsValue, body: &JsValue) -> Promise;
}

#[wasm_bindgen(module = "/src/js/pages.js")]
extern "C" {
    /// An async iterator over the items of a pager's pages.
    pub fn iterate(pager: super::pages::Pager, session: &JsValue, signal: &JsValue) -> JsValue;
}

#[cfg(feature = "lifecycle")]
#[wasm_bindgen(module = "/src/js/lifecycle.js")]
extern "C" {
    /// Runs a sync or keep-alive to its end, after every earlier run of the session under `key` has settled.
    #[wasm_bindgen(js_name = runSerialized)]
    pub fn run_serialized(run: super::lifecycle::Run, session: &JsValue, signal: &JsValue, key: &str) -> Promise;
}

#[cfg(feature = "lifecycle")]
#[wasm_bindgen(module = "/src/js/receiver.js")]
extern "C" {
    /// The webhook endpoint of a receiver, with its `replay`.
    #[wasm_bindgen(js_name = webhookHandler)]
    pub fn webhook_handler(receiver: super::receiver::Receiver, options: &JsValue) -> JsValue;
    /// Verifies one request; resolves to its delivery.
    #[wasm_bindgen(js_name = verifyRequest)]
    pub fn verify_request(receiver: super::receiver::Receiver, options: &JsValue, request: &JsValue) -> Promise;
}

#[cfg(feature = "lifecycle")]
#[wasm_bindgen(module = "/src/js/oauth.js")]
extern "C" {
    /// `{ getToken }` for one connection's tokens.
    #[wasm_bindgen(js_name = tokenManager)]
    pub fn token_manager(session: super::oauth::TokenSession, options: &JsValue) -> JsValue;
    /// POSTs an authorization code to the token endpoint; resolves to the first tokens.
    pub fn exchange(handle: super::oauth::Exchange, url: &str, body: &str) -> Promise;
    /// GETs the sites of a grant.
    pub fn resources(handle: super::oauth::Exchange, url: &str, authorization: &str) -> Promise;
}

#[wasm_bindgen(module = "/src/js/values.js")]
extern "C" {
    /// The caller's value taken once and checked as the registered schema `shape`: `[copy]` or
    /// `[undefined, fault]`.
    pub fn take(value: &JsValue, shape: u32) -> Array;
    /// The caller's value as a checked JSON body: `[text, parsed]` or `[undefined, undefined, fault]`.
    pub fn body(value: &JsValue, shape: u32) -> Array;
    /// What a value is: 0 null or undefined, 1 a boolean, 2 a number, 3 a string, 4 an array, 5 anything else.
    pub fn kind(value: &JsValue) -> u32;
    /// An object's member: `undefined` for anything but an object, or when a getter throws.
    pub fn member(value: &JsValue, name: &JsValue) -> JsValue;
    /// The client's session: what only JavaScript holds.
    pub fn session(config: &JsValue, token: Option<String>) -> JsValue;
}

#[wasm_bindgen]
extern "C" {
    /// The runtime's `AbortSignal` (only ever checked with `instanceof`).
    pub type AbortSignal;
}

#[wasm_bindgen(module = "/src/js/errors.js")]
extern "C" {
    /// A `JiraWebhooksError` with the fields' JSON.
    #[wasm_bindgen(js_name = newError)]
    pub fn new_error(message: &str, fields: &str) -> JsValue;
}

#[wasm_bindgen(module = "/src/js/validators.js")]
extern "C" {
    /// Forces wasm-bindgen to ship the generated validators beside the edge's other files.
    #[wasm_bindgen(js_name = checkErrorCollection)]
    pub fn check_error_collection(value: &JsValue) -> JsValue;
}
