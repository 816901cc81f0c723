// The demo page's lifecycle panels end to end in Chromium: the sync panel (dry run, apply, a second apply that
// changes nothing, Jira's refusals) and the deliveries panel, fed by the demo's receiver (scripts/demo-receiver.mjs)
// that the fake Jira delivers to: verified, duplicate dropped, forged and refused, a failing handler retried by
// Jira, failed deliveries replayed.
import { before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startDemo } from "../../scripts/start.mjs";
import { launchChromium } from "../support/browser.mjs";
import { waitForPkg } from "../support/pack.mjs";
import { ROOT, e2e, failedLoad, openPage, until } from "./harness.mjs";

const CONNECT = "com.example.connect-app";
const OUT = join(ROOT, "test-output", "e2e");

let demo, browser, lib;
before(async () => {
  await waitForPkg(180_000); // the receiver runs the built package
  demo = await startDemo({ port: 0 });
  browser = await launchChromium();
  lib = await import(pathToFileURL(join(ROOT, "pkg", "lifecycle", "node.mjs")).href);
});
after(async () => {
  await browser?.close();
  await demo?.close();
  assert.deepEqual(demo?.fake.selfCheckFailures ?? [], [], "the fake answered something off-spec");
});
// Resets the fake, and with it the receiver (its delivery ids start again at 1).
beforeEach(() => demo.fake.reset());

const open = (opts) => openPage(browser, demo.pageUrl, opts);
const writes = () => demo.fake.applied.map((a) => a.operation);
const rowIds = (page) => page.$$eval("#webhooks-body tr", (rows) => rows.map((r) => Number(r.dataset.id)));
async function ready(page) {
  await until(page, () => document.querySelectorAll("#webhooks-body tr").length > 0 && document.querySelector("#deliveries-live").textContent === "Listening");
}
const groupItems = (page, group) => page.$$eval(`#sync-outcome [data-group="${group}"] li`, (items) => items.map((li) => li.textContent));
/** The deliveries panel's rows, oldest first. */
const deliveryRows = (page) => page.$$eval("#deliveries-body tr", (rows) => rows.reverse().map((r) => ({
  outcome: r.dataset.outcome,
  source: r.dataset.source,
  id: r.querySelector("[data-label=Delivery]").textContent,
  event: r.querySelector("[data-label=Event]").textContent,
  retry: r.querySelector("[data-label=Retry]").textContent,
  matched: r.querySelector("[data-label=Matched]").textContent,
  badge: r.querySelector(".badge").textContent,
  note: r.querySelector("[data-label=Note]").textContent,
})));
/** The receiver registered by the package in Node, as an app would at start-up (the sync panel's test does it in the page). */
async function registerReceiver() {
  const client = new lib.JiraWebhooks({ baseUrl: demo.fake.url, auth: { type: "basic", email: "admin@example.com", apiToken: "basic-api-token" } });
  const result = await client.syncWebhooks({ url: demo.receiver.url, webhooks: [{ events: ["jira:issue_created", "comment_created"], jqlFilter: "project IN (DEMO, OPS)" }] });
  assert.deepEqual(result.created.map((c) => c.id), [10006]);
}

e2e("sync on an OAuth 2.0 connection: the seed's webhooks of other users are left alone, and what it registered is its own next time", { open, allow: [failedLoad(403)] }, async ({ page }) => {
  await ready(page);
  const oauth = await page.$eval("#account", (s) => [...s.options].find((o) => /OAuth/.test(o.textContent)).value);
  await page.selectOption("#account", oauth);
  await page.click("#connect");
  await until(page, () => [...document.querySelectorAll("#webhooks-body tr")].map((r) => r.dataset.id).join() === "10004,10005");

  await page.click("#sync-preview");
  await until(page, () => document.querySelector("#sync-outcome").dataset.applied === "false");
  assert.equal(await page.locator("#sync-status").textContent(),
    "Dry run, nothing was changed. Apply would register 2, delete 0, refresh 0, keep 0. It leaves alone 2 webhooks of the app that this connection did not register (10004, 10005).");

  await page.click("#sync-apply"); // nothing to delete: no confirmation
  await until(page, () => document.querySelector("#sync-outcome").dataset.applied === "true");
  assert.match(await page.locator("#sync-status").textContent(), /^Applied: registered 2 \(10006, 10007\), deleted 0, refreshed 0; kept 0\. It leaves alone 2 webhooks/);
  // The next apply keeps what the first registered: its own now.
  await page.click("#sync-apply");
  await until(page, () => /^Nothing to change/.test(document.querySelector("#sync-status").textContent));
  assert.equal(await page.locator("#sync-status").textContent(),
    "Nothing to change: Jira already has exactly these webhooks (2 webhooks kept). It leaves alone 2 webhooks of the app that this connection did not register (10004, 10005).");
  assert.deepEqual(writes(), ["registerDynamicWebhooks"], "one registration, no delete");
});

e2e("sync: the dry run shows the plan, apply confirms the deletes and does it, a second apply changes nothing", { open }, async ({ page }) => {
  await ready(page);
  const desired = JSON.parse(await page.inputValue("#sync-desired"));
  assert.equal(desired.url, demo.receiver.url, "the example delivers to the demo's receiver");
  assert.equal(desired.webhooks.length, 2);

  await page.click("#sync-preview");
  await until(page, () => document.querySelector("#sync-outcome").dataset.applied === "false");
  assert.match(await page.locator("#sync-status").textContent(), /^Dry run, nothing was changed\. Apply would register 2, delete 4, refresh 0, keep 0\.$/);
  assert.deepEqual(await groupItems(page, "register"), ["jira:issue_created, jira:issue_updated · project = DEMO", "comment_created · project IN (DEMO, OPS)"]);
  assert.deepEqual((await groupItems(page, "delete")).map((t) => t.split(" ")[0]), ["10000", "10001", "10002", "10003"]);
  assert.match((await groupItems(page, "delete"))[1], /^10001 jira:issue_deleted · project IN \(DEMO, OPS\) AND status = Done$/);
  assert.deepEqual(await groupItems(page, "keep"), []);
  assert.deepEqual(writes(), [], "a dry run changes nothing");
  await page.locator("#sync").screenshot({ path: join(OUT, "sync-dry-run.png") });

  // Apply: the deletes are confirmed first; cancelling applies nothing.
  await page.click("#sync-apply");
  const dialog = page.locator("dialog#confirm-dialog");
  await dialog.waitFor({ state: "visible" });
  assert.equal(await dialog.locator("h2").textContent(), "Apply the sync: delete 4 webhooks?");
  assert.match(await dialog.locator("#confirm-text").textContent(), /registers 2 and refreshes 0/);
  await page.click("#confirm-cancel");
  await until(page, () => document.querySelector("#sync-status").textContent === "Nothing applied.");
  assert.deepEqual(writes(), []);

  await page.click("#sync-apply");
  await dialog.waitFor({ state: "visible" });
  await dialog.getByRole("button", { name: "Apply and delete 4" }).click();
  await until(page, () => document.querySelector("#sync-outcome").dataset.applied === "true");
  assert.equal(await page.locator("#sync-status").textContent(), "Applied: registered 2 (10006, 10007), deleted 4 (10000, 10001, 10002, 10003), refreshed 0; kept 0.");
  assert.deepEqual((await groupItems(page, "created")).map((t) => t.split(" ")[0]), ["10006", "10007"]);
  assert.deepEqual((await groupItems(page, "deleted")).map((t) => t.split(" ")[0]), ["10000", "10001", "10002", "10003"]);
  assert.deepEqual(writes().toSorted(), ["deleteWebhookById", "registerDynamicWebhooks"]);
  assert.deepEqual(demo.fake.state.apps[CONNECT].webhooks.map((w) => [w.id, w.url]), [[10006, demo.receiver.url], [10007, demo.receiver.url]]);
  await until(page, () => [...document.querySelectorAll("#webhooks-body tr")].map((r) => r.dataset.id).join() === "10006,10007");
  assert.match(await page.locator("#webhooks-url").textContent(), new RegExp(`Delivered to ${demo.receiver.url}`));
  assert.equal(await page.evaluate(() => document.activeElement?.id), "sync-apply", "the focus stays on Apply");

  // A second apply: nothing to delete (no confirmation), nothing written.
  await page.click("#sync-apply");
  await until(page, () => /^Nothing to change/.test(document.querySelector("#sync-status").textContent));
  assert.equal(await page.locator("#sync-status").textContent(), "Nothing to change: Jira already has exactly these webhooks (2 webhooks kept).");
  assert.deepEqual((await groupItems(page, "keep")).map((t) => t.split(" ")[0]), ["10006", "10007"]);
  assert.equal(demo.fake.applied.length, 2, "the second apply wrote nothing");
  assert.ok(await dialog.isHidden());
  await page.locator("#sync").screenshot({ path: join(OUT, "sync-applied.png") });
});

e2e("sync: a desired set the library refuses names its path, and Jira's refusals show with their reasons", { open }, async ({ page }) => {
  await ready(page);
  const before = demo.fake.requests.length;
  await page.fill("#sync-desired", "{ not json");
  await page.click("#sync-preview");
  await until(page, () => document.querySelector("#sync-desired-error").textContent !== "");
  assert.match(await page.locator("#sync-desired-error").textContent(), /^Not valid JSON/);
  assert.equal(await page.getAttribute("#sync-desired", "aria-invalid"), "true");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "sync-desired");

  const url = demo.receiver.url;
  await page.fill("#sync-desired", JSON.stringify({ url, webhooks: [{ events: ["jira:issue_created"], jqlFilter: 'summary ~ "outage"' }] }));
  await page.click("#sync-preview");
  await until(page, () => /^At webhooks\[0\]\.jqlFilter: /.test(document.querySelector("#sync-desired-error").textContent));
  assert.match(await page.locator("#sync-desired-error").textContent(), /outside the JQL subset/);
  assert.equal(demo.fake.requests.length, before, "nothing was sent");

  // Jira refuses both inside its 200 (injected): the sync reports them, with Jira's reasons.
  demo.fake.injectFault({
    type: "status", status: 200, apply: false, operation: "registerDynamicWebhooks", contentType: "application/json",
    body: JSON.stringify({ webhookRegistrationResult: [{ errors: ["The limit of webhooks was reached"] }, { errors: ["The clause watchers is unsupported"] }] }),
  });
  await page.click("#sync-example");
  await page.click("#sync-apply");
  await page.locator("dialog#confirm-dialog").getByRole("button", { name: "Apply and delete 4" }).click();
  await until(page, () => document.querySelector("#sync-outcome").dataset.applied === "true");
  assert.match(await page.locator("#sync-status").textContent(), /registered 0, deleted 4 .* Jira refused 2 webhooks: see why below\.$/);
  assert.equal(await page.getAttribute("#sync-status", "data-tone"), "error");
  const refused = await page.$$eval("#sync-outcome [data-group=failed] > ul > li", (items) => items.map((li) => li.textContent));
  assert.deepEqual(refused, [
    "jira:issue_created, jira:issue_updated · project = DEMOThe limit of webhooks was reached",
    "comment_created · project IN (DEMO, OPS)The clause watchers is unsupported",
  ]);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.group), "failed", "the focus moves to the refusals");
});

e2e("deliveries: a fired event arrives verified; sent again it is dropped as a duplicate; a forged one is refused", { open }, async ({ page }) => {
  await ready(page);
  await registerReceiver();
  assert.ok(await page.locator("#resend").isDisabled(), "nothing to send again yet");
  await page.selectOption("#fire-project", "DEMO");
  await page.click("#fire");
  await until(page, () => document.querySelectorAll("#deliveries-body tr").length === 1);
  await until(page, () => /^Jira emitted jira:issue_created on DEMO-1: delivery 1 to this receiver \(webhook 10006\)\.$/.test(document.querySelector("#deliveries-status").textContent));
  let rows = await deliveryRows(page);
  assert.deepEqual(rows[0], { outcome: "verified", source: "jira", id: "1", event: "jira:issue_created · DEMO-1", retry: "0", matched: "10006", badge: "Verified", note: "—" });
  assert.equal(await page.locator("#deliveries-announce").textContent(), "Verified: jira:issue_created 1");
  await demo.fake.deliveriesSettled();
  assert.deepEqual(demo.fake.deliveries.map((d) => [d.id, d.status]), [["1", 204]]);

  // Jira delivering the same id again (its answer got lost): 204, the handler is not called again.
  await page.click("#resend");
  await until(page, () => document.querySelectorAll("#deliveries-body tr").length === 2);
  rows = await deliveryRows(page);
  assert.deepEqual([rows[1].outcome, rows[1].source, rows[1].id, rows[1].badge], ["duplicate", "resent", "1", "Duplicate dropped"]);
  assert.match(rows[1].note, /Already processed: answered 204, the handler was not called again\./);

  // Signed with another secret: 401, never handled.
  await page.click("#forge");
  await until(page, () => document.querySelectorAll("#deliveries-body tr").length === 3);
  rows = await deliveryRows(page);
  assert.deepEqual([rows[2].outcome, rows[2].badge, rows[2].id], ["refused", "Refused (401)", "forged-1"]);
  assert.match(rows[2].note, /not verified \(signature\)/);
  assert.match(await page.locator("#deliveries-status").textContent(), /the receiver answered 401\.$/);

  // A comment in OPS matches the same webhook: a second delivery id.
  await page.selectOption("#fire-event", "comment_created");
  await page.selectOption("#fire-project", "OPS");
  await page.click("#fire");
  await until(page, () => document.querySelectorAll("#deliveries-body tr").length === 4);
  rows = await deliveryRows(page);
  assert.deepEqual([rows[3].outcome, rows[3].id, rows[3].event], ["verified", "2", "comment_created · OPS-2"]);
  await page.locator("#deliveries").screenshot({ path: join(OUT, "deliveries.png") });
});

e2e("deliveries: a failing handler makes Jira retry; the failed attempt and the retry both show, under one id", { open }, async ({ page }) => {
  await ready(page);
  await registerReceiver();
  await page.check("#receiver-failing");
  await until(page, () => /^The handler now throws/.test(document.querySelector("#deliveries-status").textContent));
  assert.equal(demo.receiver.failing, true);
  await page.click("#fire");
  await until(page, () => document.querySelector("#deliveries-body tr")?.dataset.outcome === "failed");
  // Jira waits 1 s before its first retry: the handler works again by then.
  await page.uncheck("#receiver-failing");
  await until(page, () => document.querySelector("#deliveries-body tr")?.dataset.outcome === "verified");
  const rows = await deliveryRows(page);
  assert.deepEqual(rows.map((r) => [r.outcome, r.id, r.retry, r.badge]), [["failed", "1", "0", "Handler failed (500)"], ["verified", "1", "1", "Verified"]]);
  assert.match(rows[0].note, /answered 500: Jira retries/);
  await demo.fake.deliveriesSettled();
  assert.deepEqual(demo.fake.deliveries.map((d) => [d.id, d.attempt, d.status]), [["1", 1, 500], ["1", 2, 204]]);
  assert.deepEqual(demo.fake.state.apps[CONNECT].failed.filter((f) => f.id === "1"), [], "not a failed delivery");
});

e2e("deliveries: failed deliveries are replayed once through the handler; a reset of the fake clears the panel", { open }, async ({ page }) => {
  await ready(page);
  await page.click("#replay");
  await until(page, () => /^Replayed the 4 failed deliveries/.test(document.querySelector("#deliveries-status").textContent));
  assert.equal(await page.locator("#deliveries-status").textContent(), "Replayed the 4 failed deliveries Jira lists: 3 handled, 0 already processed (skipped), 1 without a body.");
  let rows = await deliveryRows(page);
  const seeded = demo.fake.state.apps[CONNECT].failed.toSorted((a, b) => a.failureTime - b.failureTime).map((f) => f.id);
  assert.deepEqual(rows.map((r) => r.id), seeded);
  assert.deepEqual(rows.map((r) => r.outcome), ["replayed", "replayed", "no-body", "replayed"]);
  assert.equal(rows[0].event, "jira:issue_created · DEMO-1");
  assert.match(rows[0].note, /^Replayed from getFailedWebhooks/);

  await page.click("#replay");
  await until(page, () => document.querySelectorAll("#deliveries-body tr").length === 8);
  assert.match(await page.locator("#deliveries-status").textContent(), /: 0 handled, 3 already processed \(skipped\), 1 without a body\.$/);
  rows = await deliveryRows(page);
  assert.deepEqual(rows.slice(4).map((r) => r.outcome), ["replay-skipped", "replay-skipped", "no-body", "replay-skipped"]);

  // A reset of the fake (its control API) starts its delivery ids at 1 again: the receiver forgets, the panel clears.
  const res = await fetch(`${demo.fake.url}/_fake/reset`, { method: "POST" });
  assert.equal(res.status, 200);
  await until(page, () => document.querySelectorAll("#deliveries-body tr").length === 0 && !document.querySelector("#deliveries-empty").hidden);
  assert.equal(demo.receiver.log.length, 0);
});
