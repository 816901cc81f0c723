// The packed, installed package in Chromium with no bundler: a static server serves the consumer project, a page
// imports node_modules/jira-webhooks/browser.js and forge.js (by path, and through the README's import map), and the
// shared scenarios run in that page against the fake Jira on another origin (CORS). Any console error or page error
// other than Chromium's notes about the error answers the scenario provokes fails the test.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";
import { startFakeJira } from "../fake-jira/server.mjs";
import { CONNECT_APP } from "../fake-jira/helpers.mjs";
import { installPackage } from "./pack.mjs";
import { scenario, authScenario, envFor, refusedUrl, checkScenario, checkAuthScenario, FAILURES } from "./scenario.mjs";

const NAMES = ["JiraWebhooks", "registerDynamicWebhooks", "getDynamicWebhooksForApp", "getFailedWebhooks", "refreshWebhooks", "deleteWebhookById", "webhookEvents"];
const MIME = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".wasm": "application/wasm", ".json": "application/json" };
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

/** A page that imports the package (and its Forge adapters) with no bundler and exposes them as window.__lib / __forge. */
const page = (head, main, forge) => `<!doctype html>
<html><head><meta charset="utf-8"><title>jira-webhooks</title><link rel="icon" href="data:,">${head}</head><body>
<script type="module">
import { ${NAMES.join(", ")} } from "${main}";
import * as forge from "${forge}";
window.__lib = { ${NAMES.join(", ")} };
window.__forge = forge;
</script></body></html>`;
const DIR = "/node_modules/jira-webhooks";
const IMPORT_MAP = { imports: { "jira-webhooks": `${DIR}/browser.js`, "jira-webhooks/forge": `${DIR}/forge.js` } };
const PAGES = {
  "/path-import.html": page("", `${DIR}/browser.js`, `${DIR}/forge.js`),
  "/import-map.html": page(`<script type="importmap">${JSON.stringify(IMPORT_MAP)}</script>`, "jira-webhooks", "jira-webhooks/forge"),
};

let server, origin, fake, browser, closedUrl;
/** Paths the static server was asked for, with the status it gave. */
const served = [];

before(async () => {
  const { dir } = installPackage();
  server = http.createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = normalize(join(dir, path));
    let body = PAGES[path];
    if (body === undefined && file.startsWith(dir + "/") && path.startsWith("/node_modules/")) body = await readFile(file).catch(() => undefined);
    served.push([path, body === undefined ? 404 : 200]);
    if (body === undefined) return res.writeHead(404).end();
    res.writeHead(200, { "Content-Type": MIME[extname(path)] ?? "application/octet-stream", "Cache-Control": "no-store" }).end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  fake = await startFakeJira({ port: 0 });
  closedUrl = await refusedUrl();
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await fake?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

/** Opens `path` in a fresh context, waits for the package, runs `fn(tab, problems)`, then closes the context. */
async function withPage(path, fn) {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const problems = [];
  tab.on("pageerror", (e) => problems.push(`pageerror: ${e.stack ?? e}`));
  tab.on("console", (m) => ["error", "warning"].includes(m.type()) && problems.push(`console.${m.type()}: ${m.text()}`));
  try {
    await tab.goto(`${origin}${path}`);
    await tab.waitForFunction(() => window.__lib && window.__forge, null, { timeout: 30_000 });
    await fn(tab, problems);
  } finally {
    await context.close();
  }
}

/** Runs a self-contained scenario function in the page: `fn(window.__lib, ..., env)`. */
const runInPage = (tab, fn, args) => tab.evaluate(`(${fn})(${args.join(", ")})`);

/** Chromium logs each error answer and each refused connection: exactly those, and no other error or warning. */
function checkConsole(problems, refused) {
  const answers = fake.requests.filter((r) => r.method !== "OPTIONS" && r.status >= 400);
  const expected = [
    ...answers.map((r) => `console.error: Failed to load resource: the server responded with a status of ${r.status} (${http.STATUS_CODES[r.status]})`),
    ...Array(refused).fill("console.error: Failed to load resource: net::ERR_CONNECTION_REFUSED"),
  ];
  assert.deepEqual([...problems].sort(), expected.sort(), "console errors or page errors");
}

for (const [path, apiVersion] of [["/import-map.html", 3], ["/path-import.html", 2]]) {
  test(`Chromium, ${path}: all five operations and every failure kind (/rest/api/${apiVersion})`, async () => {
    fake.reset();
    fake.seedFailed(CONNECT_APP, FAILURES);
    served.length = 0;
    const env = { ...envFor(fake, closedUrl, apiVersion, "jira-webhooks-browser-test/1.0"), browser: true };
    await withPage(path, async (tab, problems) => {
      const out = await runInPage(tab, scenario, ["window.__lib", JSON.stringify(env)]);
      checkScenario(out, fake, env);
      const { network, networkRetried, networkPost } = out.errors;
      checkConsole(problems, network.error.attempts + networkRetried.error.attempts + networkPost.error.attempts);
    });
    // Browser-only facts: the wasm was fetched next to browser.js, and CORS preflights reached the fake.
    assert.deepEqual(served.filter(([, status]) => status !== 200), []);
    assert.equal(served.filter(([p]) => p === `${DIR}/jira_webhooks_bg.wasm`).length, 1);
    const preflights = fake.requests.filter((r) => r.method === "OPTIONS");
    assert.ok(preflights.length > 0, "cross-origin calls with Authorization need a preflight");
    for (const p of preflights) {
      assert.equal(p.headers.origin, origin);
      assert.match(p.headers["access-control-request-headers"], /authorization/);
    }
    assert.ok(fake.requests.filter((r) => r.method !== "OPTIONS").every((r) => r.headers.origin === origin));
  });

  test(`Chromium, ${path}: Connect JWT, bearer getToken, a custom transport and the Forge adapters`, async () => {
    fake.reset();
    fake.seedFailed(CONNECT_APP, FAILURES);
    const env = envFor(fake, closedUrl, apiVersion);
    await withPage(path, async (tab, problems) => {
      checkAuthScenario(await runInPage(tab, authScenario, ["window.__lib", "window.__forge", JSON.stringify(env)]), fake, env);
      checkConsole(problems, 0);
    });
  });
}
