// Node ESM entry: loads the wasm synchronously from disk, so `import` is all a caller needs.
import { readFileSync } from "node:fs";
import { __initSync } from "./jira_webhooks.js";

__initSync({ module: readFileSync(new URL("./jira_webhooks_bg.wasm", import.meta.url)) });

export * from "./jira_webhooks.js";
