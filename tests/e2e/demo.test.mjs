// The demo admin page (www/) end to end in Chromium, served by scripts/start.mjs against the seeded fake Jira.
// Proxy mode: proxy.test.mjs; the sync and deliveries panels: lifecycle.test.mjs.
import { before, after, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startDemo } from "../../scripts/start.mjs";
import { launchChromium } from "../support/browser.mjs";
import { waitForPkg } from "../support/pack.mjs";
import { refusedUrl } from "../support/static.mjs";
import { ROOT, e2e, failedLoad, openPage, until } from "./harness.mjs";

const CONNECT = "com.example.connect-app";
const DAY = 86_400_000;

let demo, browser;
before(async () => {
  await waitForPkg(180_000); // the demo's webhook receiver runs the built package
  demo = await startDemo({ port: 0 });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await demo?.close();
});
beforeEach(() => demo.fake.reset());

const open = (opts) => openPage(browser, demo.pageUrl, opts);
/** The Connect app's webhooks in the fake, by id. */
const fakeHooks = () => new Map(demo.fake.state.apps[CONNECT].webhooks.map((w) => [w.id, w]));
const rowIds = (page) => page.$$eval("#webhooks-body tr", (rows) => rows.map((r) => Number(r.dataset.id)));
const row = (page, id) => page.locator(`#webhooks-body tr[data-id="${id}"]`);
const banner = (page) => page.locator("#banner[role=alert] .banner");
async function ready(page) {
  await until(page, () => document.querySelectorAll("#webhooks-body tr").length > 0 && document.querySelectorAll("#failed-body tr").length > 0);
}
/** A fault through the fake's HTTP control API, as a person trying the demo would inject it. */
async function injectFault(fault) {
  const res = await fetch(`${demo.fake.url}/_fake/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(fault) });
  assert.equal(res.status, 200);
}

e2e("lists the seeded webhooks, highlights those expiring within 7 days, and pages through them", { open }, async ({ page }) => {
  await ready(page);
  assert.deepEqual(await rowIds(page), [10000, 10001, 10002, 10003]);
  assert.match(await page.locator("#connection-status").textContent(), /^Connected · 127\.0\.0\.1:\d+ · API v3$/);

  const hooks = fakeHooks();
  const expectations = [
    [10000, true, /in 12 hours/],
    [10001, true, /in 5 days/],
    [10002, false, /in 21 days/],
    [10003, false, /in 29 days/],
  ];
  for (const [id, soon, text] of expectations) {
    const r = row(page, id);
    assert.equal(await r.evaluate((el) => el.classList.contains("expiring")), soon, `row ${id} highlighted`);
    assert.match(await r.locator(".expiry").textContent(), text);
    assert.equal(await r.locator("time").getAttribute("datetime"), new Date(hooks.get(id).expirationDate).toISOString());
    assert.match(await r.locator(".expiry-date").textContent(), /\d{4}/);
    for (const e of hooks.get(id).events) assert.ok((await r.locator("[data-label=Events]").textContent()).includes(e));
    assert.equal(await r.locator(".jql").textContent(), hooks.get(id).jqlFilter);
  }
  assert.match(await row(page, 10000).locator("[data-label=Filters]").textContent(), /Fields\s*summary\s*customfield_10029/);
  assert.match(await row(page, 10002).locator("[data-label=Filters]").textContent(), /Properties\s*my-issue-property-key/);
  assert.match(await row(page, 10001).locator("[data-label=Filters]").textContent(), /None/);
  assert.match(await page.locator("#webhooks-url").textContent(), /Delivered to https:\/\/app\.example\.com\/hook/);

  // Paging: 3 per page, next, previous, load all.
  await page.fill("#page-size", "3");
  await page.press("#page-size", "Enter");
  await until(page, () => document.querySelectorAll("#webhooks-body tr").length === 3);
  assert.equal(await page.locator("#page-info").textContent(), "1–3 of 4");
  assert.ok(await page.locator("#prev-page").isDisabled());
  await page.click("#next-page");
  await until(page, () => document.querySelector("#page-info").textContent === "4–4 of 4");
  assert.deepEqual(await rowIds(page), [10003]);
  assert.ok(await page.locator("#next-page").isDisabled());
  const listCalls = demo.fake.requests.filter((r) => r.operation === "getDynamicWebhooksForApp");
  assert.deepEqual(listCalls.at(-1).query, { startAt: "3", maxResults: "3" });
  await page.click("#prev-page");
  await until(page, () => document.querySelector("#page-info").textContent === "1–3 of 4");
  await page.click("#load-all");
  await until(page, () => document.querySelector("#page-info").textContent === "All 4 webhooks");
  assert.deepEqual(await rowIds(page), [10000, 10001, 10002, 10003]);
  assert.equal(await page.locator("#load-all").textContent(), "Show pages");
  assert.ok(await page.locator("#next-page").isDisabled());
});

e2e("registers two webhooks in one request: the unsupported clause's error shows next to its webhook, the other is created", { open }, async ({ page }) => {
  await ready(page);
  assert.equal(await page.inputValue("#hook-url"), "https://app.example.com/hook");
  const first = page.locator(".hook").nth(0);
  await first.getByLabel("jira:issue_created").check();
  await first.getByLabel("jira:issue_updated").check();
  await first.getByLabel("JQL filter").fill("project = DEMO AND issuetype IN (Bug, Task)");
  await first.getByLabel(/Field IDs filter/).fill("summary, customfield_10029");
  await page.click("#add-hook");
  const second = page.locator(".hook").nth(1);
  assert.equal(await second.locator("legend.hook-legend").textContent(), "Webhook 2");
  await second.getByLabel("comment_created").check();
  await second.getByLabel("JQL filter").fill('project = DEMO AND summary ~ "outage"');
  await page.click("#register-submit");

  await until(page, () => document.querySelectorAll(".hook-result:not([hidden])").length === 2);
  assert.equal(await first.locator(".hook-result").textContent(), "Registered as webhook 10006.");
  const error = second.locator(".hook-result.error");
  assert.match(await error.textContent(), /^Not registered:.*The clause summary is unsupported/);
  assert.equal(await second.getByLabel("JQL filter").getAttribute("aria-invalid"), "true");
  assert.equal(await page.evaluate(() => document.activeElement?.closest(".hook")?.querySelector("legend")?.textContent), "Webhook 2", "focus moves to the error");
  assert.match(await page.locator("#register-status").textContent(), /1 of 2 webhooks registered; 1 not/);
  await page.locator("#register").screenshot({ path: join(ROOT, "test-output", "e2e", "register-results.png") });

  // One request with both webhooks, in order; the created one is in Jira with its filters and listed.
  const registers = demo.fake.requests.filter((r) => r.operation === "registerDynamicWebhooks");
  assert.equal(registers.length, 1);
  assert.deepEqual(registers[0].body, {
    url: "https://app.example.com/hook",
    webhooks: [
      { events: ["jira:issue_created", "jira:issue_updated"], jqlFilter: "project = DEMO AND issuetype IN (Bug, Task)", fieldIdsFilter: ["summary", "customfield_10029"] },
      { events: ["comment_created"], jqlFilter: 'project = DEMO AND summary ~ "outage"' },
    ],
  });
  const created = fakeHooks().get(10006);
  assert.deepEqual(created.events, ["jira:issue_created", "jira:issue_updated"]);
  assert.deepEqual(created.fieldIdsFilter, ["summary", "customfield_10029"]);
  await until(page, () => !!document.querySelector('#webhooks-body tr[data-id="10006"]'));
  assert.ok(await first.getByLabel("JQL filter").isDisabled(), "a created webhook is locked in the form");

  // Fix the second one and send again: only it is sent.
  await second.getByLabel("JQL filter").fill("project = DEMO AND status != Done");
  await page.click("#register-submit");
  await until(page, () => document.querySelector(".hook:nth-child(2) .hook-result")?.textContent === "Registered as webhook 10007.");
  const again = demo.fake.requests.filter((r) => r.operation === "registerDynamicWebhooks").at(-1);
  assert.equal(again.body.webhooks.length, 1);
  assert.match(await page.locator("#register-status").textContent(), /Registered 1 webhook \(10007\)/);

  // Nothing is sent without an event: the library's invalid-input error lands on the field.
  await page.click("#clear-form");
  await page.locator(".hook").nth(0).getByLabel("JQL filter").fill("project = DEMO");
  const before = demo.fake.requests.length;
  await page.click("#register-submit");
  await until(page, () => document.querySelector(".hook .events .field-error")?.textContent !== "");
  assert.match(await page.locator(".hook .events .field-error").textContent(), /at least one item/i);
  assert.equal(demo.fake.requests.length, before);
});

e2e("a registration whose answer was lost is never sent blindly: the page reads the list and shows which webhooks exist",
  { open, allow: [/net::ERR_EMPTY_RESPONSE/, failedLoad(504)] },
  async ({ page }) => {
    await ready(page);
    const registers = () => demo.fake.applied.filter((a) => a.operation === "registerDynamicWebhooks");
    // Jira registers both, then a gateway answers 504: the answer is lost.
    await injectFault({ type: "status", status: 504, operation: "registerDynamicWebhooks", apply: true });
    const first = page.locator(".hook").nth(0);
    await first.getByLabel("jira:issue_created").check();
    await first.getByLabel("JQL filter").fill("project = DEMO");
    await page.click("#add-hook");
    const second = page.locator(".hook").nth(1);
    await second.getByLabel("comment_created").check();
    await second.getByLabel("JQL filter").fill("project IN (DEMO, OPS)");
    await page.click("#register-submit");
    await until(page, () => document.querySelectorAll(".hook-result:not([hidden])").length === 2);
    await banner(page).waitFor();
    const text = await banner(page).textContent();
    assert.match(text, /^Jira had a problem \(HTTP 504\): the list shows what exists/);
    assert.match(text, /so the page did not send them again: it read the list instead\./);
    assert.match(text, /All 2 requested webhooks are there: webhook 1 as 10006, webhook 2 as 10007\./);
    assert.deepEqual(await banner(page).getByRole("button").allTextContents(), ["Dismiss"], "no Try again");
    assert.ok(await banner(page).evaluate((el) => el.classList.contains("warn")));
    assert.equal(await first.locator(".hook-result").textContent(), "Present as webhook 10006: found in the list after Jira's answer was lost.");
    assert.equal(await second.locator(".hook-result").textContent(), "Present as webhook 10007: found in the list after Jira's answer was lost.");
    assert.equal(await page.evaluate(() => document.activeElement?.closest(".hook")?.querySelector("legend")?.textContent), "Webhook 1", "the focus moves to the first result");
    // The list was read (every page) and the visible page reloaded: the new webhooks are listed.
    await until(page, () => document.querySelector("#page-info").textContent === "1–5 of 6");
    assert.deepEqual(registers().map((a) => a.ids), [[10006, 10007]], "registered exactly once");
    await page.screenshot({ path: join(ROOT, "test-output", "e2e", "lost-registration.png") });
    await page.click("#register-submit");
    await until(page, () => /^Every webhook in this form is registered/.test(document.querySelector("#register-status").textContent));
    assert.equal(registers().length, 1);

    // The connection drops and nothing was applied. (Again and again: when a reused keep-alive connection closes
    // without an answer, Chromium itself sends the POST again on another one; only a drop on a fresh connection
    // reaches the page.)
    await page.click("#clear-form");
    const third = page.locator(".hook").nth(0);
    await third.getByLabel("jira:issue_deleted").check();
    await third.getByLabel("JQL filter").fill("project = OPS");
    await injectFault({ type: "reset", operation: "registerDynamicWebhooks", times: 10 });
    await page.click("#register-submit");
    await until(page, () => /the list shows what exists/.test(document.querySelector("#banner").textContent));
    assert.match(await banner(page).textContent(), /^Could not reach Jira: the list shows what exists.*The requested webhook is not there yet\. Register reads the list again first, then sends only what is still missing\./);
    assert.deepEqual(await banner(page).getByRole("button").allTextContents(), ["Dismiss"]);
    assert.match(await third.locator(".hook-result").textContent(), /^Not in the list: Register reads the list again first/);
    assert.equal(registers().length, 1);
    demo.fake.clearFaults();
    const lists = () => demo.fake.requests.filter((r) => r.operation === "getDynamicWebhooksForApp").length;
    const listed = lists();
    await page.click("#register-submit");
    await until(page, () => document.querySelector(".hook-result")?.textContent === "Registered as webhook 10008.");
    assert.ok(lists() > listed, "the list was read again before sending");
    assert.deepEqual(registers().map((a) => a.ids), [[10006, 10007], [10008]]);
    assert.equal(await banner(page).count(), 0);
  });

e2e("refreshes the selected webhooks and all those expiring within 7 days", { open }, async ({ page }) => {
  await ready(page);
  await row(page, 10002).getByLabel("Select webhook 10002").check();
  assert.equal(await page.locator("#refresh-selected").textContent(), "Refresh selected (1)");
  const t0 = Date.now();
  await page.click("#refresh-selected");
  await until(page, () => /^Refreshed 1 webhook \(10002\)/.test(document.querySelector("#webhooks-status").textContent));
  assert.ok(fakeHooks().get(10002).expirationDate >= t0 + 30 * DAY - 60_000);
  assert.match(await row(page, 10002).locator(".expiry").textContent(), /in 30 days/);

  await page.click("#refresh-expiring");
  await until(page, () => /^Refreshed 2 webhooks expiring within 7 days \(10000, 10001\)/.test(document.querySelector("#webhooks-status").textContent));
  const refreshes = demo.fake.applied.filter((a) => a.operation === "refreshWebhooks");
  assert.deepEqual(refreshes.map((a) => a.ids), [[10002], [10000, 10001]]);
  await until(page, () => document.querySelectorAll("#webhooks-body tr.expiring").length === 0);
  assert.match(await row(page, 10000).locator(".expiry").textContent(), /in 30 days/);

  await page.click("#refresh-expiring");
  await until(page, () => document.querySelector("#webhooks-status").textContent === "No webhook expires within 7 days: nothing to refresh.");
  assert.equal(demo.fake.applied.filter((a) => a.operation === "refreshWebhooks").length, 2);
});

e2e("deletes the selected webhooks only after the in-page confirmation", { open }, async ({ page }) => {
  await ready(page);
  await row(page, 10000).getByLabel("Select webhook 10000").check();
  await row(page, 10003).getByLabel("Select webhook 10003").check();
  await page.click("#delete-selected");
  const dialog = page.locator("dialog#confirm-dialog");
  await dialog.waitFor({ state: "visible" });
  assert.equal(await dialog.locator("h2").textContent(), "Delete 2 webhooks?");
  assert.match(await dialog.locator("#confirm-list").textContent(), /10000.*project = DEMO.*10003/s);
  assert.equal(await page.evaluate(() => document.activeElement?.id), "confirm-cancel", "Cancel has the focus");
  // The page answers the dialog's "close" event, which comes after the dialog is hidden: wait for its answer. (The
  // status is cleared when the dialog opens, so this is the answer to this dialog, not to an earlier one.)
  const status = () => page.locator("#webhooks-status").textContent();
  const answered = () => until(page, () => document.querySelector("#webhooks-status").textContent === "Nothing deleted.");
  await page.click("#confirm-cancel");
  await dialog.waitFor({ state: "hidden" });
  await answered();
  assert.equal(demo.fake.requests.filter((r) => r.operation === "deleteWebhookById").length, 0);
  assert.equal(fakeHooks().size, 4);

  await page.click("#delete-selected");
  await dialog.waitFor({ state: "visible" });
  assert.equal(await status(), "", "a new question clears the last answer");
  await page.keyboard.press("Escape"); // Escape cancels too
  await dialog.waitFor({ state: "hidden" });
  await answered();
  assert.equal(await page.evaluate(() => document.activeElement?.id), "delete-selected");
  assert.equal(fakeHooks().size, 4);

  await page.click("#delete-selected");
  await dialog.waitFor({ state: "visible" });
  await dialog.getByRole("button", { name: "Delete 2 webhooks" }).click();
  await until(page, () => document.querySelector("#webhooks-status").textContent === "Deleted 2 webhooks (10000, 10003).");
  assert.deepEqual([...fakeHooks().keys()], [10001, 10002]);
  // The status comes first; then the page reloads the list and moves the focus to its title.
  await until(page, () => document.activeElement?.id === "webhooks-title");
  assert.deepEqual(await rowIds(page), [10001, 10002]);
  assert.equal(await page.locator("#delete-selected").textContent(), "Delete selected");
  assert.ok(await page.locator("#delete-selected").isDisabled());
});

e2e("shows failed deliveries with their time, URL and body, and loads newer ones by cursor", { open, allow: [failedLoad(403)] }, async ({ page }) => {
  await ready(page);
  await page.fill("#failed-size", "2");
  await page.click("#failed-reload");
  // maxResults 2, but the 2nd and 3rd failures share a failure time: a page never splits them.
  await until(page, () => document.querySelector("#failed-info").textContent === "3 failures shown, oldest first");
  const failed = demo.fake.state.apps[CONNECT].failed.toSorted((a, b) => a.failureTime - b.failureTime);
  const cells = await page.$$eval("#failed-body tr", (rows) => rows.map((r) => ({
    id: r.querySelector("[data-label=ID]").textContent,
    url: r.querySelector("[data-label=URL]").textContent,
    time: r.querySelector("time").getAttribute("datetime"),
    body: r.querySelector("[data-label=Body]").textContent,
  })));
  assert.deepEqual(cells.map((c) => c.id), failed.slice(0, 3).map((f) => f.id));
  assert.deepEqual(cells.map((c) => c.time), failed.slice(0, 3).map((f) => new Date(f.failureTime).toISOString()));
  assert.ok(cells.every((c) => c.url === "https://app.example.com/hook"));
  assert.equal(cells[0].body.split("{")[0], "jira:issue_created · DEMO-1");
  assert.ok(cells.some((c) => c.body === "No body"));
  const first = page.locator("#failed-body tr").first();
  await first.locator("summary").click();
  assert.match(await first.locator("pre").textContent(), /"matchedWebhookIds": \[\s*10000\s*\]/);
  assert.match(await first.locator("[data-label=Failed]").textContent(), /26 hours ago/);

  await page.click("#failed-newer");
  await until(page, () => document.querySelector("#failed-info").textContent === "4 failures shown, oldest first");
  const lastQuery = () => demo.fake.requests.filter((r) => r.operation === "getFailedWebhooks").at(-1).query;
  assert.deepEqual(lastQuery(), { maxResults: "2", after: String(failed[2].failureTime) });
  assert.match(await page.locator("#failed-status").textContent(), /Loaded 1 newer failure/);

  await page.click("#failed-newer");
  await until(page, () => /^No newer failures yet/.test(document.querySelector("#failed-status").textContent));
  assert.deepEqual(lastQuery(), { maxResults: "2", after: String(failed[3].failureTime) });

  // A new failure arrives: "Load newer" finds it.
  const res = await fetch(`${demo.fake.url}/_fake/failed`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ app: CONNECT, failures: [{ id: "new-failure-1", url: "https://app.example.com/hook", body: '{"webhookEvent":"comment_created"}', failedMinutesAgo: 0 }] }),
  });
  assert.equal(res.status, 200);
  await page.click("#failed-newer");
  await until(page, () => document.querySelector("#failed-info").textContent === "5 failures shown, oldest first");
  assert.equal(await page.locator("#failed-body tr").last().locator("[data-label=ID]").textContent(), "new-failure-1");

  // An OAuth 2.0 app may not read failed deliveries: the section says so, without an error banner.
  const oauth = await page.$eval("#account", (s) => [...s.options].find((o) => /OAuth/.test(o.textContent)).value);
  await page.selectOption("#account", oauth);
  assert.equal(await page.locator("input[name=target][value=cloud]").isChecked(), true);
  await page.click("#connect");
  await until(page, () => /^Not available for this caller/.test(document.querySelector("#failed-empty").textContent));
  assert.deepEqual(await rowIds(page), [10004, 10005]);
  assert.equal(await banner(page).count(), 0);
  assert.ok(await page.locator("#failed-newer").isDisabled());
});

e2e("shows an error banner for a 429 with its retry time, a 500 with Jira's messages, and network and config failures",
  { open, allow: [failedLoad(429), failedLoad(500), /net::ERR_CONNECTION_REFUSED/] },
  async ({ page }) => {
    await ready(page);
    await injectFault({ type: "rate-limit", retryAfter: 30, operation: "getDynamicWebhooksForApp" });
    await page.click("#reload");
    await banner(page).waitFor();
    let text = await banner(page).textContent();
    assert.match(text, /Jira is rate limiting this app/);
    assert.match(text, /try again in 30 seconds \(after \d{1,2}:\d{2}:\d{2}/);
    assert.match(text, /Rate limit exceeded\./);
    assert.ok(await banner(page).getByRole("button", { name: "Try again" }).isDisabled(), "Try again waits for Retry-After");
    assert.ok(await banner(page).evaluate((el) => el.classList.contains("warn")));
    assert.equal(await page.getAttribute("#webhooks", "aria-busy"), "false");
    await page.screenshot({ path: join(ROOT, "test-output", "e2e", "banner-429.png") });
    await banner(page).getByRole("button", { name: "Dismiss the error" }).click();
    assert.equal(await banner(page).count(), 0);

    await injectFault({ type: "status", status: 500, operation: "refreshWebhooks" });
    await row(page, 10003).getByLabel("Select webhook 10003").check();
    await page.click("#refresh-selected");
    await banner(page).waitFor();
    text = await banner(page).textContent();
    assert.match(text, /Jira had a problem \(HTTP 500\)/);
    assert.match(text, /Injected fault: HTTP 500/);
    assert.match(text, /Operation: refreshWebhooks/);
    assert.match(text, /Request id: [0-9a-f-]{36}/);
    // "Try again" repeats the call; the fault was for one request only.
    await banner(page).getByRole("button", { name: "Try again" }).click();
    await until(page, () => /^Refreshed 1 webhook \(10003\)/.test(document.querySelector("#webhooks-status").textContent));
    assert.equal(await banner(page).count(), 0);

    // Nothing listening: a network failure, in plain words.
    await page.fill("#baseUrl", await refusedUrl());
    await page.click("#connect");
    await until(page, () => document.querySelector("#connection-status").textContent === "Connection failed");
    text = await banner(page).textContent();
    assert.match(text, /Could not reach Jira/);
    assert.match(text, /No answer came back/);

    // A config that cannot work is refused before anything is sent, next to its field.
    await page.fill("#baseUrl", "http://jira.example.com");
    await page.click("#connect");
    await until(page, () => document.querySelector("#baseUrl-error").textContent !== "");
    assert.match(await page.locator("#baseUrl-error").textContent(), /^Plain http:\/\/ would send credentials unencrypted/);
    assert.equal(await page.getAttribute("#baseUrl", "aria-invalid"), "true");
    assert.match(await banner(page).textContent(), /These connection settings cannot work/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "baseUrl");
  });

e2e("with automatic retries on, a rate-limited call waits for Retry-After and succeeds", { open, allow: [failedLoad(429)] }, async ({ page }) => {
  await ready(page);
  await page.check("#retry");
  await page.click("#connect");
  await until(page, () => /^Connected/.test(document.querySelector("#connection-status").textContent));
  demo.fake.clearRequests();
  await injectFault({ type: "rate-limit", retryAfter: 1, operation: "getDynamicWebhooksForApp" });
  await page.click("#reload");
  await until(page, () => document.querySelector("#webhooks").getAttribute("aria-busy") === "true", undefined, 2000);
  assert.ok(await page.locator("#reload").isDisabled(), "buttons are disabled while the call runs");
  await until(page, () => document.querySelector("#webhooks").getAttribute("aria-busy") === "false");
  assert.equal(await banner(page).count(), 0);
  const calls = demo.fake.requests.filter((r) => r.operation === "getDynamicWebhooksForApp");
  assert.deepEqual(calls.map((r) => r.status), [429, 200]);
  assert.ok(calls[1].time - calls[0].time >= 900, "waited for Retry-After");
  assert.deepEqual(await rowIds(page), [10000, 10001, 10002, 10003]);
});

e2e("the Last calls panel shows each call from the client's hooks: operation, status, attempts, time, rate limit; newest first, the last 20",
  { open, allow: [failedLoad(429)] },
  async ({ page }) => {
    await ready(page);
    /** The panel's rows, newest first. */
    const calls = () => page.$$eval("#calls-body tr", (rows) => rows.map((r) => ({
      seq: Number(r.dataset.seq),
      state: r.dataset.state,
      statuses: r.dataset.statuses,
      operation: r.querySelector("[data-label=Operation] code").textContent,
      path: r.querySelector(".call-path").textContent,
      status: r.querySelector("[data-label=Status]").textContent,
      attempts: r.querySelector("[data-label=Attempts]").textContent,
      took: r.querySelector("[data-label=Took]").textContent,
      rate: r.querySelector("[data-label='Rate limit']").textContent,
    })));
    const seconds = (took) => (/ ms$/.test(took) ? Number.parseFloat(took) / 1000 : Number.parseFloat(took));
    const reload = async () => {
      const before = (await calls())[0].seq;
      await page.click("#reload");
      await until(page, (seq) => Number(document.querySelector("#calls-body tr")?.dataset.seq) > seq &&
        document.querySelector("#calls-body tr").dataset.state === "done" && document.querySelector("#webhooks").getAttribute("aria-busy") === "false", before);
      return (await calls())[0];
    };

    // Connecting made two calls at once: both done, one attempt each, no rate-limit headers yet.
    await until(page, () => document.querySelectorAll("#calls-body tr[data-state=done]").length === 2);
    const first = await calls();
    assert.deepEqual(first.map((c) => c.operation).sort(), ["getDynamicWebhooksForApp", "getFailedWebhooks"]);
    assert.ok(first.every((c) => c.statuses === "200" && c.attempts === "1" && c.rate === "—" && /^\d+ ms$|^\d+\.\d+ s$/.test(c.took)), JSON.stringify(first));
    assert.equal(first.find((c) => c.operation === "getDynamicWebhooksForApp").path, "GET /rest/api/3/webhook?startAt=0&maxResults=5");
    assert.equal(await page.locator("#calls-info").textContent(), "2 calls, newest first");

    // A 429 without retries: one attempt, and what Jira said about its limits.
    await injectFault({ type: "rate-limit", retryAfter: 30, operation: "getDynamicWebhooksForApp" });
    let top = await reload();
    assert.equal(top.operation, "getDynamicWebhooksForApp");
    assert.deepEqual([top.statuses, top.status, top.attempts], ["429", "429", "1"]);
    assert.equal(top.rate, "0 of 100 leftnear limitretry after 30 seconds");
    await banner(page).getByRole("button", { name: "Dismiss the error" }).click();

    // With retries on and a points budget: the 429 (Retry-After: 1) and the 200 after it are one call of two
    // attempts, about a second long, with the budget Jira reported on the 200.
    await page.check("#retry");
    await page.click("#connect");
    await until(page, () => /^Connected/.test(document.querySelector("#connection-status").textContent));
    demo.fake.setPointsPerHour(1000);
    await injectFault({ type: "rate-limit", retryAfter: 1, operation: "getDynamicWebhooksForApp" });
    await page.click("#reload");
    await until(page, () => document.querySelector("#calls-body tr")?.dataset.state === "waiting");
    assert.match((await calls())[0].status, /^429 waiting 1 second$/);
    await until(page, () => document.querySelector("#calls-body tr")?.dataset.statuses === "429 200" && document.querySelector("#calls-body tr").dataset.state === "done");
    top = (await calls())[0];
    assert.equal(top.attempts, "2 (waited 1 second)");
    assert.ok(seconds(top.took) >= 0.95 && seconds(top.took) < 10, top.took);
    const remaining = () => demo.fake.stats().points.apps[CONNECT].remaining;
    assert.equal(top.rate, `${remaining()} of 1000 left`);

    // Under a fifth of the budget left, Jira says so on a successful answer too.
    demo.fake.setPointsPerHour(6); // a new budget: a page of 4 webhooks costs 5 points, leaving 1
    top = await reload();
    assert.equal(top.statuses, "200");
    assert.equal(remaining(), 1);
    assert.equal(top.rate, "1 of 6 leftnear limit");
    await page.locator("#calls").screenshot({ path: join(ROOT, "test-output", "e2e", "last-calls.png") });
    demo.fake.setPointsPerHour(null);

    // Bounded: the last 20 calls, newest first.
    for (let i = 0; i < 18; i++) await reload();
    const rows = await calls();
    assert.equal(rows.length, 20);
    assert.ok(rows.every((c, i) => i === 0 || c.seq < rows[i - 1].seq), "newest first");
    assert.equal(await page.locator("#calls-info").textContent(), "20 calls, newest first");
    assert.ok(rows[0].seq > 20, "older calls left the panel");

    // Never a credential: the hooks get none, so the panel has none.
    const text = await page.locator("#calls").evaluate((el) => el.outerHTML);
    for (const secret of ["basic-api-token", "admin@example.com", Buffer.from("admin@example.com:basic-api-token").toString("base64")]) {
      assert.ok(!text.includes(secret), `the panel has no ${secret}`);
    }
  });

e2e("registers a webhook with the keyboard only", { open }, async ({ page }) => {
  await ready(page);
  /** Presses Tab (or `key`) until `predicate` holds for the focused element. */
  async function tabTo(predicate, key = "Tab", max = 150) {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press(key);
      if (await page.evaluate(predicate)) return;
    }
    throw new Error(`Tab never reached ${predicate}`);
  }
  // The skip link is the first stop.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Skip to the webhooks");

  await tabTo(() => document.activeElement.id === "hook-url");
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("https://app.example.com/hook");
  await tabTo(() => document.activeElement.value === "jira:issue_deleted");
  // The focus is visible.
  assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), "none");
  await page.keyboard.press("Space");
  await tabTo(() => document.activeElement.tagName === "TEXTAREA");
  await page.keyboard.type("project IN (DEMO, OPS)");
  await tabTo(() => document.activeElement.id === "add-hook");
  await page.keyboard.press("Enter"); // adds webhook 2 and moves the focus into it
  assert.equal(await page.evaluate(() => document.activeElement.value), "jira:issue_created");
  await page.keyboard.press("Space");
  await tabTo(() => document.activeElement.tagName === "TEXTAREA");
  await page.keyboard.type("project = OPS");
  await tabTo(() => document.activeElement.textContent === "Remove from form");
  await page.keyboard.press("Shift+Tab"); // back, then forward again: nothing is lost
  await tabTo(() => document.activeElement.id === "register-submit");
  await page.keyboard.press("Enter");
  await until(page, () => document.querySelector("#register-status").textContent === "Registered 2 webhooks (10006, 10007).");
  assert.deepEqual(fakeHooks().get(10006).events, ["jira:issue_deleted"]);
  assert.equal(fakeHooks().get(10007).jqlFilter, "project = OPS");
  assert.equal(await page.evaluate(() => document.activeElement.id), "register-submit", "the focus stays on the button");

  // Delete one with the keyboard, through the dialog.
  await tabTo(() => document.activeElement.getAttribute("aria-label") === "Select webhook 10000", "Shift+Tab");
  await page.keyboard.press("Space");
  await tabTo(() => document.activeElement.id === "delete-selected", "Shift+Tab");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "confirm-cancel");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await until(page, () => document.querySelector("#webhooks-status").textContent === "Deleted 1 webhook (10000).");
  assert.equal(fakeHooks().has(10000), false);
});

e2e("is usable at 390 px: no horizontal scrolling, tables as stacked cards", { open, width: 390, height: 844, allow: [failedLoad(500)] }, async ({ page }) => {
  await ready(page);
  const noScroll = async (what) => assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), `no horizontal scroll ${what}`);
  await noScroll("after loading");
  const layout = await page.evaluate(() => ({
    rowDisplay: getComputedStyle(document.querySelector("#webhooks-body tr")).display,
    headerVisible: getComputedStyle(document.querySelector("#webhooks-table th:nth-child(2)")).display !== "none",
    label: getComputedStyle(document.querySelector("#webhooks-body td[data-label=Events]"), "::before").content,
    failedRow: getComputedStyle(document.querySelector("#failed-body tr")).display,
  }));
  assert.deepEqual(layout, { rowDisplay: "block", headerVisible: false, label: '"Events"', failedRow: "block" });

  // The sync plan and a delivery in the new panels: stacked too.
  await page.click("#sync-preview");
  await until(page, () => document.querySelector("#sync-outcome").dataset.applied === "false");
  await page.click("#forge");
  await until(page, () => document.querySelectorAll("#deliveries-body tr").length === 1);
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector("#deliveries-body tr")).display), "block");
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector(".plan")).gridTemplateColumns.split(" ").length), 1);
  await noScroll("with a sync plan and a delivery");

  // Everything opened up at once: two webhooks in the form, a long body, the dialog and an error banner.
  for (const details of await page.locator("#failed-body details").all()) await details.locator("summary").click();
  await page.click("#add-hook");
  await page.locator(".hook").nth(1).getByLabel("JQL filter").fill("issue.property[some-really-long-property-key-without-any-spaces].value = x");
  await injectFault({ type: "status", status: 500, operation: "getDynamicWebhooksForApp", body: JSON.stringify({ errorMessages: ["A very long message from Jira ".repeat(8)], errors: {} }) });
  await page.click("#reload");
  await banner(page).waitFor();
  await noScroll("with the banner, the open bodies and two webhooks in the form");
  await row(page, 10000).getByLabel("Select webhook 10000").check();
  await page.click("#delete-selected");
  await page.locator("dialog#confirm-dialog").waitFor({ state: "visible" });
  await noScroll("with the dialog open");
  const box = await page.locator("dialog#confirm-dialog").boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, "the dialog fits");
  await page.screenshot({ path: join(ROOT, "test-output", "e2e", "narrow-dialog.png") });
  await page.keyboard.press("Escape");
  await page.evaluate(() => window.scrollTo(0, 0));
});

test("the fake Jira never had to answer off-spec during these tests", () => {
  assert.deepEqual(demo.fake.selfCheckFailures, []);
});
