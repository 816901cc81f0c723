// Cloudflare Workers (workerd): the wasm is imported as a compiled WebAssembly.Module, as Wrangler bundles it.
import wasm from "./jira_webhooks_bg.wasm";
import { __initSync } from "./jira_webhooks.js";

__initSync({ module: wasm });

export * from "./jira_webhooks.js";
