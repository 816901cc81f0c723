// The demo in proxy mode (scripts/start.mjs with a real site's URL and credentials), against a second fake Jira
// playing the real site: in Node, the proxy refuses requests without this run's key (403) and methods a path does
// not need (405); in Chromium, the page works through it, the key moves into an HttpOnly cookie, the credentials
// never reach the page, sync works, deliveries are inert, and the proxy's own 504 is not retried blindly.
import { before, after, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startDemo, PROXY_PLACEHOLDER_TOKEN, proxyPlaceholderAuth } from "../../scripts/start.mjs";
import { startFakeJira, SEED_PATH } from "jira-webhooks-fake";
import { launchChromium } from "../support/browser.mjs";
import { ROOT, OUT, failedLoad, openPage, until } from "./harness.mjs";

const SEED = JSON.parse(readFileSync(SEED_PATH, "utf8"));
const CONNECT = "com.example.connect-app";
const email = "admin@example.com";
const apiToken = "basic-api-token";
const SECRETS = [apiToken, Buffer.from(`${email}:${apiToken}`).toString("base64"), email];

let site, proxied, browser;
before(async () => {
  site = await startFakeJira({ port: 0, seed: SEED }); // plays the real Jira site
  proxied = await startDemo({ port: 0, proxy: { baseUrl: site.url, auth: { type: "basic", email, apiToken } }, upstreamTimeoutMs: 300 });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await proxied?.close();
  await site?.close();
  assert.deepEqual(site?.selfCheckFailures ?? [], [], "the fake answered something off-spec");
});
beforeEach(() => site.reset());

const cookieName = () => `jira_webhooks_demo_key_${new URL(proxied.url).port}`;
const withKey = (headers = {}) => ({ ...headers, cookie: `${cookieName()}=${proxied.key}` });
const rowIds = (page) => page.$$eval("#webhooks-body tr", (rows) => rows.map((r) => Number(r.dataset.id)));
const row = (page, id) => page.locator(`#webhooks-body tr[data-id="${id}"]`);
const banner = (page) => page.locator("#banner[role=alert] .banner");
const ready = (page) => until(page, () => document.querySelectorAll("#webhooks-body tr").length > 0 && document.querySelectorAll("#failed-body tr").length > 0);

/** A page in proxy mode: screenshot afterwards, and no console errors but those `allow`ed. */
async function withPage(name, { url = proxied.pageUrl, allow = [] } = {}, fn) {
  const session = await openPage(browser, url);
  try {
    await fn(session);
  } finally {
    await session.page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true }).catch(() => {});
    await session.context.close();
  }
  assert.deepEqual(session.problems.filter((p) => !allow.some((re) => re.test(p))), [], "console errors or page errors");
}

test("proxy: no key, a wrong key, a foreign origin or host: 403; a method the path does not need: 405; nothing reaches the site", async () => {
  assert.match(proxied.key, /^[A-Za-z0-9_-]{32}$/);
  assert.equal(proxied.pageUrl, `${proxied.url}/?key=${proxied.key}`);
  const call = (path, init = {}) => fetch(`${proxied.url}${path}`, { redirect: "manual", ...init });
  const json = async (res) => (await res.json()).errorMessages[0];

  // Without the key (or with another one) every proxied path and method is refused.
  for (const [method, path] of [["GET", "/rest/api/3/webhook"], ["POST", "/rest/api/2/webhook"], ["DELETE", "/rest/api/3/webhook"],
    ["GET", "/rest/api/3/webhook/failed"], ["PUT", "/rest/api/3/webhook/refresh"], ["GET", "/rest/api/3/myself"]]) {
    const res = await call(path, { method, headers: { "content-type": "application/json" }, body: method === "GET" ? undefined : "{}" });
    assert.equal(res.status, 403, `${method} ${path} without the key`);
    assert.match(await json(res), /^The demo proxy needs this run's key/);
  }
  const wrong = await call("/rest/api/3/webhook", { headers: { cookie: `${cookieName()}=${proxied.key.replace(/.$/, (c) => (c === "A" ? "B" : "A"))}` } });
  assert.equal(wrong.status, 403);
  const otherPort = await call("/rest/api/3/webhook", { headers: { cookie: `jira_webhooks_demo_key_1=${proxied.key}` } });
  assert.equal(otherPort.status, 403, "the key of this port's cookie only");
  const foreign = await call("/rest/api/3/webhook", { headers: withKey({ origin: "http://evil.example" }) });
  assert.equal(foreign.status, 403);
  // fetch will not send another Host: node:http does (a DNS-rebinding page's requests carry its host name).
  const rebound = await new Promise((resolve, reject) => {
    http.get(`${proxied.url}/rest/api/3/webhook`, { headers: withKey({ host: "evil.example" }) }, (res) => (res.resume(), resolve(res.statusCode))).on("error", reject);
  });
  assert.equal(rebound, 403);

  // With the key: each path forwards only the methods its operations use.
  const allowed = { "/rest/api/3/webhook": "GET, POST, DELETE", "/rest/api/2/webhook/failed": "GET", "/rest/api/3/webhook/refresh": "PUT" };
  for (const [path, methods] of [["/rest/api/3/webhook", ["PUT", "PATCH", "OPTIONS", "HEAD"]], ["/rest/api/2/webhook/failed", ["POST", "DELETE", "PUT"]],
    ["/rest/api/3/webhook/refresh", ["GET", "POST", "DELETE"]]]) {
    for (const method of methods) {
      const res = await call(path, { method, headers: withKey() });
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal(res.headers.get("allow"), allowed[path]);
    }
  }
  assert.equal((await call("/rest/api/3/myself", { headers: withKey() })).status, 404);
  assert.equal(site.requests.length, 0, "refused requests never reach the site");

  // With the key and a method the path needs: forwarded, with the real credentials.
  const list = await call("/rest/api/3/webhook", { headers: withKey({ authorization: "Bearer whatever-the-page-sends" }) });
  assert.equal(list.status, 200);
  assert.equal((await list.json()).values.length, 4);
  const refresh = await call("/rest/api/3/webhook/refresh", { method: "PUT", headers: withKey({ "content-type": "application/json" }), body: JSON.stringify({ webhookIds: [10000] }) });
  assert.equal(refresh.status, 200);
  assert.deepEqual(site.requests.map((r) => [r.operation, r.status, r.app]), [["getDynamicWebhooksForApp", 200, CONNECT], ["refreshWebhooks", 200, CONNECT]]);

  // The key in the address: a wrong one is refused, this run's sets the cookie (HttpOnly, SameSite=Strict) and
  // redirects to the same address without it.
  assert.equal((await call("/?key=not-the-key")).status, 403);
  const take = await call(`/?key=${proxied.key}`);
  assert.equal(take.status, 303);
  assert.equal(take.headers.get("location"), "/");
  assert.equal(take.headers.get("set-cookie"), `${cookieName()}=${proxied.key}; Path=/; HttpOnly; SameSite=Strict`);
  // /config.json says whether the page has the key, and never anything secret.
  const config = await (await call("/config.json")).text();
  for (const s of [...SECRETS, proxied.key]) assert.ok(!config.includes(s), `/config.json has no ${s}`);
  // The placeholder has the real credential's type (here basic): the library scopes sync by it.
  const placeholder = { type: "basic", email: "placeholder@demo-proxy.invalid", apiToken: PROXY_PLACEHOLDER_TOKEN };
  assert.deepEqual(proxyPlaceholderAuth("basic"), placeholder);
  assert.deepEqual(proxyPlaceholderAuth("bearer"), { type: "bearer", token: PROXY_PLACEHOLDER_TOKEN });
  assert.deepEqual(JSON.parse(config), { mode: "proxy", site: site.url, apiVersion: 3, auth: placeholder, keyed: false });
  assert.equal(JSON.parse(await (await call("/config.json", { headers: withKey() })).text()).keyed, true);
  // The receiver and the deliveries actions exist only in fake mode.
  assert.equal((await call("/webhook", { method: "POST", body: "{}" })).status, 404);
  assert.equal((await call("/_demo/fire", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status, 404);
});

test("proxy mode: the page works through the proxy with the key in a cookie, and the credentials never reach it", async () => {
  const responses = [];
  const sentAuth = new Set();
  await withPage("proxy-mode", {}, async ({ page, context }) => {
    // The key left the address bar at once; it is in a cookie the page's scripts cannot read.
    assert.equal(page.url(), `${proxied.url}/`);
    const [cookie] = await context.cookies();
    assert.deepEqual([cookie.name, cookie.value, cookie.httpOnly, cookie.sameSite], [cookieName(), proxied.key, true, "Strict"]);
    assert.equal(await page.evaluate(() => document.cookie), "");

    page.on("request", (r) => r.headers().authorization && sentAuth.add(r.headers().authorization));
    page.on("response", (r) => responses.push((async () => {
      const body = await r.body().catch(() => Buffer.alloc(0));
      return { url: r.url(), text: `${JSON.stringify(r.headers())}\n${body.toString("latin1")}` };
    })()));
    await page.goto(`${proxied.url}/`); // again, now that the listeners are on: the cookie is enough
    await page.waitForSelector("html[data-app=ready]");
    await ready(page);
    assert.match(await page.locator("#mode").textContent(), new RegExp(`^Proxy → 127\\.0\\.0\\.1:${new URL(site.url).port}$`));
    assert.equal(await page.inputValue("#baseUrl"), proxied.url);
    assert.deepEqual(await rowIds(page), [10000, 10001, 10002, 10003]);
    assert.equal(await page.locator("#failed-body tr").count(), 4);

    // Deliveries need a public URL: the panel says so and offers nothing.
    assert.equal(await page.locator("#deliveries-live").textContent(), "Not available");
    assert.match(await page.locator("#deliveries-unavailable").textContent(), /^Deliveries need a public URL\./);
    assert.ok(await page.locator("#deliveries-controls").isHidden());
    assert.ok(await page.locator("#deliveries-table").isHidden());

    const hook = page.locator(".hook").first();
    await hook.getByLabel("sprint_started").check();
    await hook.getByLabel("JQL filter").fill("project = DEMO");
    await page.click("#register-submit");
    await until(page, () => document.querySelector(".hook-result")?.textContent === "Registered as webhook 10006.");
    await page.click("#refresh-expiring");
    await until(page, () => /^Refreshed 2 webhooks/.test(document.querySelector("#webhooks-status").textContent));
    await row(page, 10006).getByLabel("Select webhook 10006").check();
    await page.click("#delete-selected");
    await page.getByRole("button", { name: "Delete 1 webhook" }).click();
    await until(page, () => document.querySelector("#webhooks-status").textContent === "Deleted 1 webhook (10006).");

    // Sync through the proxy: the example's URL is a placeholder for the app's own.
    const desired = JSON.parse(await page.inputValue("#sync-desired"));
    assert.equal(desired.url, "https://your-app.example.com/webhook-received");
    await page.click("#sync-preview");
    await until(page, () => document.querySelector("#sync-outcome").dataset.applied === "false");
    assert.equal(await page.locator("#sync-status").textContent(), "Dry run, nothing was changed. Apply would register 2, delete 4, refresh 0, keep 0.");
    await page.click("#sync-apply");
    await page.getByRole("button", { name: "Apply and delete 4" }).click();
    await until(page, () => /^Applied: registered 2 \(10007, 10008\), deleted 4/.test(document.querySelector("#sync-status").textContent));
    assert.deepEqual(site.state.apps[CONNECT].webhooks.map((w) => [w.id, w.url]), [[10007, desired.url], [10008, desired.url]]);

    const html = await page.content();
    for (const s of [...SECRETS, proxied.key]) assert.ok(!html.includes(s), `the page has no ${s}`);
  });

  // The site saw every call as the Connect app (the proxy's credentials), and the page only ever sent the placeholder.
  const ops = site.requests.map((r) => `${r.operation}:${r.status}:${r.app}`);
  for (const op of ["getDynamicWebhooksForApp", "getFailedWebhooks", "registerDynamicWebhooks", "refreshWebhooks", "deleteWebhookById"]) {
    assert.ok(ops.some((o) => o.startsWith(`${op}:2`) && o.endsWith(CONNECT)), `${op} went through: ${ops.join(", ")}`);
  }
  assert.deepEqual([...sentAuth], [`Basic ${Buffer.from(`placeholder@demo-proxy.invalid:${PROXY_PLACEHOLDER_TOKEN}`).toString("base64")}`]);
  const all = await Promise.all(responses);
  assert.ok(all.some((r) => r.url.includes("/rest/api/3/webhook")), "responses were recorded");
  for (const r of all) for (const s of [...SECRETS, proxied.key]) assert.ok(!r.text.includes(s), `${r.url} does not carry ${s}`);
});

test("proxy mode: the proxy's own 504 while the site still applies the registration is not retried blindly", async () => {
  await withPage("proxy-504", { allow: [failedLoad(504)] }, async ({ page }) => {
    await ready(page);
    // The site registers after 0.8 s; the proxy gives up after 0.3 s and answers 504.
    site.injectFault({ type: "delay", ms: 800, operation: "registerDynamicWebhooks" });
    const hook = page.locator(".hook").first();
    await hook.getByLabel("jira:issue_created").check();
    await hook.getByLabel("JQL filter").fill("project = OPS");
    await page.click("#register-submit");
    await until(page, () => /the list shows what exists/.test(document.querySelector("#banner").textContent));
    const text = await banner(page).textContent();
    assert.match(text, /^Jira had a problem \(HTTP 504\): the list shows what exists/);
    assert.match(text, /The demo proxy could not reach http:\/\/127\.0\.0\.1:\d+: no answer within 0\.3 s\./);
    assert.match(text, /The requested webhook is not there yet\. Register reads the list again first/);
    assert.deepEqual(await banner(page).getByRole("button").allTextContents(), ["Dismiss"]);
    assert.equal(site.applied.length, 0, "not applied yet");

    // Meanwhile the site applies it; Register reads the list first, finds it and sends nothing.
    while (!site.applied.length) await new Promise((resolve) => setTimeout(resolve, 50));
    await page.click("#register-submit");
    await until(page, () => /^Read the list first: the webhook is there now \(webhook 1 as 10006\)\. Nothing was sent\.$/.test(document.querySelector("#register-status").textContent));
    assert.equal(await hook.locator(".hook-result").textContent(), "Present as webhook 10006: found in the list after Jira's answer was lost.");
    assert.deepEqual(site.applied.map((a) => [a.operation, a.ids]), [["registerDynamicWebhooks", [10006]]], "registered exactly once");
    assert.equal(site.requests.filter((r) => r.operation === "registerDynamicWebhooks").length, 1);
    await until(page, () => document.querySelector("#page-info").textContent === "1–5 of 5");
  });
});

test("proxy mode: a page opened without the key says how to get one and calls nothing", async () => {
  await withPage("proxy-no-key", { url: `${proxied.url}/` }, async ({ page, context }) => {
    assert.deepEqual(await context.cookies(), []);
    await banner(page).waitFor();
    assert.match(await banner(page).textContent(), /^This page has no key for the demo proxy.*open the address the demo server printed/);
    assert.equal(await page.locator("#connection-status").textContent(), "Not connected");
    assert.equal(site.requests.length, 0);
  });
});
