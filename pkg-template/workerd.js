// Cloudflare Workers (workerd): the wasm is imported as a compiled WebAssembly.Module, as Wrangler bundles it.
import wasm from "./jira_webhooks_bg.wasm";
import { initSync } from "./jira_webhooks.js";

initSync({ module: wasm });

export * from "./jira_webhooks.js";
export { default } from "./jira_webhooks.js"; // the (already done) async init, so the typed default exists
