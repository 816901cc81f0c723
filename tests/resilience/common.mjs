// Shared by the resilience suites: the built package, a fake Jira per suite, and small helpers.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { readFileSync } from "node:fs";
import { __initSync, JiraWebhooks } from "../../pkg/jira_webhooks.js";
import { call, hooks, CONNECT_APP } from "jira-webhooks-fake/helpers";

// The package's glue, loaded here with its wasm so that the suites can read its linear memory (what `initSync`
// answers); the entries keep the initialisers to themselves.
const wasm = __initSync({ module: readFileSync(new URL("../../pkg/jira_webhooks_bg.wasm", import.meta.url)) });
/** The size of the wasm linear memory, in bytes: it never shrinks, so growth after a warm-up is a leak. */
const wasmMemoryBytes = () => wasm.memory.buffer.byteLength;

export { JiraWebhooks, wasmMemoryBytes, CONNECT_APP, sleep };
export { useFake } from "../support/fake.mjs";

/** The Connect app's Basic credential in the fake (test-only secret). */
export const AUTH = { type: "basic", email: "admin@example.com", apiToken: "basic-api-token" };
/** Small waits so the suite stays fast; timing tests pass their own. */
export const FAST = { retries: 3, minDelayMs: 5, maxDelayMs: 50 };
export const HOOK_URL = "https://app.example.com/hook";

/** A client of `fake` (retry policy FAST unless overridden). */
export function clientOf(fake, config = {}) {
  return new JiraWebhooks({ baseUrl: fake.url, auth: AUTH, retry: FAST, ...config });
}

/** Registration details with one webhook per JQL filter. */
export function details(...filters) {
  return { url: HOOK_URL, webhooks: filters.map((jqlFilter) => ({ events: ["jira:issue_created"], jqlFilter })) };
}

/** Awaits a promise that must reject with a JiraWebhooksError, and returns the error. */
export async function failure(promise) {
  let value;
  try {
    value = await promise;
  } catch (e) {
    assert.equal(e?.name, "JiraWebhooksError", `expected a JiraWebhooksError, got ${e?.stack ?? e}`);
    assert.ok(e instanceof Error);
    return e;
  }
  assert.fail(`expected a rejection, got ${JSON.stringify(value)}`);
}

/** Registers `n` webhooks straight through HTTP (not the client), then clears the fake's logs. Returns the ids. */
export async function seedHooks(fake, n, jqlFilter = "project = DEMO") {
  const r = await call(fake, "POST", "/rest/api/2/webhook", { body: hooks(n, jqlFilter) });
  assert.equal(r.status, 200, r.text);
  const ids = r.json.webhookRegistrationResult.map((x) => x.createdWebhookId);
  assert.equal(ids.length, n);
  fake.clearRequests();
  fake.applied.length = 0;
  return ids;
}

/** The app's stored webhooks (live state of the fake). */
export const stored = (fake) => fake.state.apps[CONNECT_APP].webhooks;

/** "METHOD status[fault]" per request the fake received (control API excluded). */
export const sent = (fake) =>
  fake.requests.map((r) => `${r.method} ${r.status ?? "reset"}${r.fault ? ` [${r.fault.type}]` : ""}`);

/** State changes of one operation actually applied by the fake. */
export const appliedOf = (fake, operation) => fake.applied.filter((a) => a.operation === operation);

/** Waits until `predicate()` holds (polling), failing after `ms`. */
export async function until(predicate, ms = 5000, what = "condition") {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Milliseconds since `t0` (performance.now()). */
export const since = (t0) => performance.now() - t0;
