// The size budget: what `import { JiraWebhooks } from "jira-webhooks"` ships to a browser (browser.js, the glue and
// the wasm, each gzip -9), printed with its figure. Deterministic: bytes, not timings. The lifecycle entry is its
// own figure, with its own budget: only apps that import it ship it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { PKG, assertBuilt } from "../support/pack.mjs";

/** KB (1024 bytes), gzip -9. The target is 40 KB; these are the levels reached (see the README, "Performance"). */
const BUDGETS = { "": 75, "lifecycle/": 106 };

const gz = (file) => gzipSync(readFileSync(join(PKG, file)), { level: 9 }).length;

for (const [dir, budget] of Object.entries(BUDGETS)) {
  test(`jira-webhooks${dir ? "/" + dir.slice(0, -1) : ""} ships at most ${budget} KB gzip to a browser`, (t) => {
    assertBuilt();
    const parts = { "browser.js": gz(`${dir}browser.js`), glue: gz(`${dir}jira_webhooks.js`), wasm: gz(`${dir}jira_webhooks_bg.wasm`) };
    const total = Object.values(parts).reduce((a, b) => a + b, 0);
    const kb = (n) => (n / 1024).toFixed(1);
    t.diagnostic(`${kb(total)} KB gzip -9 (${Object.entries(parts).map(([k, v]) => `${k} ${kb(v)}`).join(", ")}); budget ${budget} KB`);
    assert.ok(total <= budget * 1024, `${kb(total)} KB is over the ${budget} KB budget`);
  });
}
