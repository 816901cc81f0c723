// Node ESM entry: loads the wasm synchronously from disk, so `import` is all a caller needs.
import { readFileSync } from "node:fs";
import { initSync } from "./jira_webhooks.js";

initSync({ module: readFileSync(new URL("./jira_webhooks_bg.wasm", import.meta.url)) });

export * from "./jira_webhooks.js";
export { default } from "./jira_webhooks.js"; // the (already done) async init, so the typed default exists
