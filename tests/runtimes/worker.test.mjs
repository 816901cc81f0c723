// Chromium, a dedicated module Web Worker: the worker imports the installed package's browser.js by path
// (import maps do not apply inside workers), its top-level await fetches the wasm, and it drives the five
// operations against the fake on another origin (CORS), posting the results back to the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launchChromium } from "../support/browser.mjs";
import { useFake } from "../support/fake.mjs";
import { startStaticServer } from "../support/static.mjs";
import { AUTHS, INPUT, apiRequests, checkDrive, drive, installPackage, prepareFake, runPage } from "./common.mjs";

const WORKER = `// The settings (a credential among them) come by message, not in the script's URL, where stack traces would
// show them; the listener is there before the package's top-level await, so the message is not missed.
const envReady = new Promise((resolve) => { self.onmessage = (e) => resolve(e.data); });
const lib = await import("/node_modules/jira-webhooks/browser.js");
const drive = ${drive};
const env = await envReady;
const scope = {
  dedicatedWorker: typeof DedicatedWorkerGlobalScope === "function" && self instanceof DedicatedWorkerGlobalScope,
  hasWindow: typeof window !== "undefined",
  hasDocument: typeof document !== "undefined",
  exports: Object.keys(lib).sort(),
};
drive(lib, { baseUrl: env.fakeUrl, auth: env.auth }, env.input).then(
  (out) => postMessage({ ok: { ...out, scope } }),
  (e) => postMessage({ fail: String(e?.stack ?? e) }),
);
`;

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>worker</title><link rel="icon" href="data:,"></head><body>
<script type="module">
window.__result = new Promise((resolve) => {
  const worker = new Worker("/runtime-worker.js", { type: "module" });
  worker.postMessage(JSON.parse(decodeURIComponent(location.hash.slice(1))));
  worker.onmessage = (e) => resolve(e.data);
  worker.onerror = (e) => resolve({ fail: "worker error: " + (e.message || "(no message: the module failed to load)") });
  worker.onmessageerror = () => resolve({ fail: "messageerror" });
});
</script></body></html>`;

const fake = useFake();
let server, browser;

before(async () => {
  const { dir } = await installPackage();
  server = await startStaticServer({
    pages: { "/worker.html": PAGE, "/runtime-worker.js": WORKER },
    mounts: { "/node_modules/jira-webhooks/": join(dir, "node_modules", "jira-webhooks") },
  });
  browser = await launchChromium();
}, { timeout: 60_000 });

after(async () => {
  await browser?.close();
  await server?.close();
});

test("Chromium dedicated module Worker: the five operations through browser.js", { timeout: 60_000 }, async () => {
  await prepareFake(fake);
  const env = { fakeUrl: fake.url, auth: AUTHS.basic, input: INPUT };
  const { result, problems } = await runPage(browser, `${server.origin}/worker.html#${encodeURIComponent(JSON.stringify(env))}`);
  assert.equal(result.fail, undefined, result.fail);
  const { scope, ...out } = result.ok;
  assert.deepEqual({ ...scope, exports: undefined }, { dedicatedWorker: true, hasWindow: false, hasDocument: false, exports: undefined });
  for (const name of ["JiraWebhooks", "JiraWebhooksError", "isJiraWebhooksError", "webhookEvents"])
    assert.ok(scope.exports.includes(name), `browser.js exports ${name}`);
  checkDrive(out, fake);
  assert.deepEqual(problems, []);

  // The worker fetched browser.js, jira_webhooks.js and the wasm next to them: once each, nothing missing.
  const paths = server.served.map(([p, status]) => `${status} ${p}`);
  assert.deepEqual(paths, [
    "200 /worker.html",
    "200 /runtime-worker.js",
    "200 /node_modules/jira-webhooks/browser.js",
    "200 /node_modules/jira-webhooks/jira_webhooks.js",
    "200 /node_modules/jira-webhooks/jira_webhooks_bg.wasm",
  ]);
  // Cross-origin calls from the worker: the origin is the page's, and credentials needed a preflight.
  assert.ok(apiRequests(fake).every((r) => r.headers.origin === server.origin));
  assert.ok(fake.requests.some((r) => r.method === "OPTIONS" && /authorization/.test(r.headers["access-control-request-headers"])));
});
