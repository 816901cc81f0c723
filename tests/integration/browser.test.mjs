// The packed, installed package in Chromium with no bundler: a static server serves the consumer project, a page
// imports node_modules/jira-webhooks/browser.js and forge.js (by path, or through the README's import map), and the
// shared scenarios run in a page against the fake Jira on another origin (CORS): the main scenario through the
// import map, the auth scenario by path, so that each page is proven and each scenario runs once in Chromium. Any
// console error or page error other than Chromium's notes about the error answers the scenario provokes fails the test.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { join } from "node:path";
import { CONNECT_APP } from "jira-webhooks-fake/helpers";
import { launchChromium, pageProblems } from "../support/browser.mjs";
import { useFake } from "../support/fake.mjs";
import { installPackage } from "../support/pack.mjs";
import { refusedUrl, startStaticServer } from "../support/static.mjs";
import { scenario, authScenario, envFor, checkScenario, checkAuthScenario, FAILURES } from "./scenario.mjs";

const NAMES = ["JiraWebhooks", "JiraWebhooksError", "isJiraWebhooksError", "webhookEvents"];

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

const fake = useFake();
let server, browser, closedUrl;

before(async () => {
  const { dir } = await installPackage();
  server = await startStaticServer({ pages: PAGES, mounts: { "/node_modules/": join(dir, "node_modules") } });
  closedUrl = await refusedUrl();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens `path` in a fresh context, waits for the package, runs `fn(tab, problems)`, then closes the context. */
async function withPage(path, fn) {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const problems = pageProblems(tab);
  try {
    await tab.goto(`${server.origin}${path}`);
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

/** Browser-only facts: the wasm was fetched once, next to browser.js; CORS preflights reached the fake. */
function checkBrowserFetches() {
  assert.deepEqual(server.served.filter(([, status]) => status !== 200), []);
  assert.equal(server.served.filter(([p]) => p === `${DIR}/jira_webhooks_bg.wasm`).length, 1);
  const preflights = fake.requests.filter((r) => r.method === "OPTIONS");
  assert.ok(preflights.length > 0, "cross-origin calls with Authorization need a preflight");
  for (const p of preflights) {
    assert.equal(p.headers.origin, server.origin);
    assert.match(p.headers["access-control-request-headers"], /authorization/);
  }
  assert.ok(fake.requests.filter((r) => r.method !== "OPTIONS").every((r) => r.headers.origin === server.origin));
}

test("Chromium, /import-map.html: all five operations and every failure kind (/rest/api/3)", async () => {
  fake.seedFailed(CONNECT_APP, FAILURES);
  server.served.length = 0;
  const env = { ...envFor(fake, closedUrl, 3, "jira-webhooks-browser-test/1.0"), browser: true };
  await withPage("/import-map.html", async (tab, problems) => {
    const out = await runInPage(tab, scenario, ["window.__lib", JSON.stringify(env)]);
    checkScenario(out, fake, env);
    const { network, networkRetried, networkPost } = out.errors;
    checkConsole(problems, network.error.attempts + networkRetried.error.attempts + networkPost.error.attempts);
  });
  checkBrowserFetches();
});

test("Chromium, /path-import.html: Connect JWT, bearer getToken, a custom transport and the Forge adapters (/rest/api/2)", async () => {
  fake.seedFailed(CONNECT_APP, FAILURES);
  server.served.length = 0;
  const env = envFor(fake, closedUrl, 2);
  await withPage("/path-import.html", async (tab, problems) => {
    checkAuthScenario(await runInPage(tab, authScenario, ["window.__lib", "window.__forge", JSON.stringify(env)]), fake, env);
    checkConsole(problems, 0);
  });
  checkBrowserFetches();
});
