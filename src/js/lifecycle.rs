//! `syncWebhooks` and `keepAlive` (the `jira-webhooks/lifecycle` entry): a [`Run`] is the core's
//! [`Lifecycle`](crate::lifecycle::sync::Lifecycle) as `lifecycle.js` drives it, one call after the other.

use super::bindings;
use super::client::{settle, CallHandle, JiraWebhooks};
use super::values::{self, error_to_js, Blame, Js};
use crate::config::CallOptions;
use crate::decode::{to_json, FromJson};
use crate::error::Error;
use crate::lifecycle::sync::{
    validate as validate_desired, AnswerKind, Answered, DesiredWebhooks, KeepAliveOptions, Lifecycle, Scope, Step,
};
use crate::models::{ContainerForRegisteredWebhooks, PageBeanWebhook, WebhooksExpirationDate};
use crate::Client;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

/// The lifecycle: sync and keep-alive.
#[wasm_bindgen]
impl JiraWebhooks {
    /// Makes the app's webhooks on the site exactly `desired`: lists them all, deletes what is not desired (and
    /// second copies), registers what is missing, refreshes what expires within `refreshWithinDays`. A registration
    /// whose answer was lost is never repeated blindly: the list is read again and only what is still missing is
    /// registered. Runs of one client and URL are serialized (a second waits for the first). `timeoutMs` applies
    /// to each call.
    #[wasm_bindgen(js_name = syncWebhooks, unchecked_return_type = "Promise<SyncResult>")]
    pub fn sync_webhooks(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DesiredWebhooks")] desired: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        settle("syncWebhooks", || {
            let (options, copy) = values::optional::<CallOptions>(&options, Blame::Input("options"))?;
            let taken = values::take::<DesiredWebhooks>(&desired, Blame::Input(""))?;
            let desired = DesiredWebhooks::from_json(Some(Js(taken)));
            validate_desired(&desired, self.client.auth().app_limit())?;
            let key = desired.url.clone();
            // An OAuth 2.0 connection touches only what it can tell is its own (Jira may list every user's).
            let scope = if self.client.auth().is_oauth() { Scope::Connection } else { Scope::App };
            let run = Run::new(&self.client, Lifecycle::sync(desired, scope), options.timeout_ms);
            Ok(bindings::run_serialized(run, &self.session, &values::signal(&copy)?, &key))
        })
    }

    /// Refreshes every webhook of the app that expires within `withinDays` (default 7), in one call; for apps that
    /// register imperatively. Run it daily (a cron trigger, a timer).
    #[wasm_bindgen(js_name = keepAlive, unchecked_return_type = "Promise<KeepAliveResult>")]
    pub fn keep_alive(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "KeepAliveOptions")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
    ) -> Promise {
        settle("keepAlive", || {
            let (options, copy) = values::optional::<CallOptions>(&options, Blame::Input("options"))?;
            let (params, _) = values::optional::<KeepAliveOptions>(&params, Blame::Input(""))?;
            let run = Run::new(&self.client, Lifecycle::keep_alive(params.within_days)?, options.timeout_ms);
            Ok(bindings::run_serialized(run, &self.session, &values::signal(&copy)?, ""))
        })
    }
}

/// One sync or keep-alive as `lifecycle.js` drives it.
#[wasm_bindgen(skip_typescript)]
pub struct Run {
    client: Client,
    lifecycle: Lifecycle,
    timeout_ms: Option<f64>,
    result: Option<Result<JsValue, Error>>,
}

impl Run {
    fn new(client: &Client, lifecycle: Lifecycle, timeout_ms: Option<f64>) -> Run {
        Run { client: client.clone(), lifecycle, timeout_ms, result: None }
    }
}

#[wasm_bindgen]
impl Run {
    /// The call of the next step, or `undefined` when the run is over (then `result`).
    pub fn next(&mut self, now_ms: f64, session: &JsValue) -> Option<CallHandle> {
        loop {
            let call = match self.lifecycle.next(now_ms) {
                Step::Done(outcome) => {
                    self.result = Some(outcome.map(|o| js_sys::JSON::parse(&to_json(&o)).unwrap_or_default()));
                    return None;
                }
                Step::List(op) => super::client::call(&self.client, &op, self.timeout_ms, session),
                Step::Delete(op) => super::client::call(&self.client, &op, self.timeout_ms, session),
                Step::Register(op) => super::client::call(&self.client, &op, self.timeout_ms, session),
                Step::Refresh(op) => super::client::call(&self.client, &op, self.timeout_ms, session),
            };
            match call {
                Ok(call) => return Some(call),
                Err(e) => self.lifecycle.on_answer(Err(e)),
            }
        }
    }

    /// The call of the last step ended: `answer` is its parsed body, read as the step expects.
    pub fn on_call(&mut self, call: &mut CallHandle, answer: JsValue) {
        let source = Some(Js(answer));
        let answered = call.outcome().map(|()| match self.lifecycle.answer_kind() {
            AnswerKind::Page => Answered::Listed(PageBeanWebhook::from_json(source)),
            AnswerKind::Registration => Answered::Registered(ContainerForRegisteredWebhooks::from_json(source)),
            AnswerKind::Expiry => Answered::Refreshed(WebhooksExpirationDate::from_json(source)),
            AnswerKind::Nothing => Answered::Deleted,
        });
        self.lifecycle.on_answer(answered);
    }

    /// What the run came to: its result, or its error, thrown.
    pub fn result(&mut self) -> Result<JsValue, JsValue> {
        let result =
            self.result.take().unwrap_or_else(|| Err(Error::new(crate::ErrorKind::Decode, "the run did not end")));
        result.map_err(|e| error_to_js(&e))
    }
}
