// Browsers, web workers, Deno and bundlers: fetches and compiles the wasm next to this file once, with
// top-level await, so `import { JiraWebhooks } from "jira-webhooks"` is ready to use with no init call.
import { __init } from "./jira_webhooks.js";

await __init({ module_or_path: new URL("./jira_webhooks_bg.wasm", import.meta.url) });

export * from "./jira_webhooks.js";
