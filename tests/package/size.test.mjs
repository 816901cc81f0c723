// The size budget: what an entry ships to a browser (the entry file, the glue and the wasm, each gzip -9), printed
// with its figure. Deterministic: bytes, not timings. Each entry has its own budget: only apps that import the
// lifecycle ship it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { PKG, assertBuilt } from "../support/pack.mjs";

/**
 * KB (1024 bytes), gzip -9. `target` is issue #16's; `budget` is the level reached, which a change may not exceed
 * (lower it when an entry shrinks; `npm run bench` reports what each entry is made of).
 */
const BUDGETS = { "": { target: 40, budget: 48.7 }, "lifecycle/": { target: 64, budget: 111.3 } };

const gz = (file) => gzipSync(readFileSync(join(PKG, file)), { level: 9 }).length;

for (const [dir, { target, budget }] of Object.entries(BUDGETS)) {
  test(`jira-webhooks${dir ? "/" + dir.slice(0, -1) : ""} ships at most ${budget} KB gzip to a browser`, (t) => {
    assertBuilt();
    const parts = { "browser.js": gz(`${dir}browser.js`), glue: gz(`${dir}jira_webhooks.js`), wasm: gz(`${dir}jira_webhooks_bg.wasm`) };
    const total = Object.values(parts).reduce((a, b) => a + b, 0);
    const kb = (n) => (n / 1024).toFixed(1);
    const toTarget = total <= target * 1024 ? "target met" : `${kb(total - target * 1024)} KB over the ${target} KB target`;
    t.diagnostic(`${kb(total)} KB gzip -9 (${Object.entries(parts).map(([k, v]) => `${k} ${kb(v)}`).join(", ")}); budget ${budget} KB; ${toTarget}`);
    assert.ok(total <= budget * 1024, `${kb(total)} KB is over the ${budget} KB budget`);
  });
}
