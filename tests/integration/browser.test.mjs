// The packed, installed package in Chromium with no bundler: a static server serves the consumer project,
// a module script imports node_modules/jira-webhooks/browser.js (by path, and by an import map) and drives
// the fake Jira on another origin (CORS).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { createServer } from "node:net";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";
import { startFakeJira } from "../fake-jira/server.mjs";
import { CONNECT_APP } from "../fake-jira/helpers.mjs";
import { installPackage } from "./pack.mjs";
import { scenario, envFor, checkScenario, FAILURES } from "./scenario.mjs";

const NAMES = ["JiraWebhooks", "registerDynamicWebhooks", "getDynamicWebhooksForApp", "getFailedWebhooks", "refreshWebhooks", "deleteWebhookById", "webhookEvents"];
const MIME = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8", ".wasm": "application/wasm", ".json": "application/json" };
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

/** A page that runs the scenario; `env` comes in the URL's hash. window.__result: { ok } or { fail }. */
const page = (head, specifier) => `<!doctype html>
<html><head><meta charset="utf-8"><title>jira-webhooks</title><link rel="icon" href="data:,">${head}</head><body>
<script type="module">
import { ${NAMES.join(", ")} } from "${specifier}";
const scenario = ${scenario};
const env = JSON.parse(decodeURIComponent(location.hash.slice(1)));
window.__result = scenario({ ${NAMES.join(", ")} }, env).then((ok) => ({ ok }), (e) => ({ fail: String(e?.stack ?? e) }));
</script></body></html>`;
const PAGES = {
  "/path-import.html": page("", "/node_modules/jira-webhooks/browser.js"),
  "/import-map.html": page(
    `<script type="importmap">${JSON.stringify({ imports: { "jira-webhooks": "/node_modules/jira-webhooks/browser.js" } })}</script>`,
    "jira-webhooks",
  ),
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
  const spare = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => spare.once("listening", resolve));
  closedUrl = `http://127.0.0.1:${spare.address().port}`;
  await new Promise((resolve) => spare.close(resolve));
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await fake?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

for (const [path, apiVersion] of [["/import-map.html", 3], ["/path-import.html", 2]]) {
  test(`Chromium, ${path}: all five operations and every failure kind (/rest/api/${apiVersion})`, async () => {
    fake.reset();
    fake.seedFailed(CONNECT_APP, FAILURES);
    served.length = 0;
    const env = { ...envFor(fake, closedUrl, apiVersion, "jira-webhooks-browser-test/1.0"), browser: true };
    const context = await browser.newContext();
    const tab = await context.newPage();
    const problems = [];
    tab.on("pageerror", (e) => problems.push(`pageerror: ${e.stack ?? e}`));
    tab.on("console", (m) => ["error", "warning"].includes(m.type()) && problems.push(`console.${m.type()}: ${m.text()}`));
    try {
      await tab.goto(`${origin}${path}#${encodeURIComponent(JSON.stringify(env))}`);
      await tab.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 });
      const result = await tab.evaluate(() => window.__result);
      assert.equal(result.fail, undefined, result.fail);
      checkScenario(result.ok, fake, env);
    } finally {
      await context.close();
    }
    // The answers the scenario provokes on purpose show up as Chromium's network messages; nothing else may.
    const expected = [403, 401, 400, 502].map((s) => `console.error: Failed to load resource: the server responded with a status of ${s} `);
    expected.push("console.error: Failed to load resource: net::ERR_CONNECTION_REFUSED");
    assert.equal(problems.length, expected.length, `console errors or page errors: ${problems.join("\n")}`);
    problems.forEach((p, i) => assert.ok(p.startsWith(expected[i]), `unexpected: ${p}`));
    // Browser-only facts: the wasm was fetched next to browser.js, and CORS preflights reached the fake.
    assert.deepEqual(served.filter(([, status]) => status !== 200), []);
    assert.equal(served.filter(([p]) => p === "/node_modules/jira-webhooks/jira_webhooks_bg.wasm").length, 1);
    const preflights = fake.requests.filter((r) => r.method === "OPTIONS");
    assert.ok(preflights.length > 0, "cross-origin calls with Authorization need a preflight");
    for (const p of preflights) {
      assert.equal(p.headers.origin, origin);
      assert.match(p.headers["access-control-request-headers"], /authorization/);
    }
    assert.ok(fake.requests.filter((r) => r.method !== "OPTIONS").every((r) => r.headers.origin === origin));
  });
}
