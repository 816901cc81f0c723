// Node CommonJS entry: loads the wasm synchronously from disk, so `require` is all a caller needs.
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const glue = require("./jira_webhooks.cjs");

glue.initSync({ module: readFileSync(join(__dirname, "jira_webhooks_bg.wasm")) });

module.exports = glue;
