// The lifecycle end to end, with the packed package (jira-webhooks/lifecycle and jira-webhooks/node-adapter)
// against the fake Jira, which delivers the way Jira does: sync registers exactly once even when the connection
// drops after Jira applied the registration, the endpoint verifies each delivery, a 500 makes Jira retry and the
// retry is processed once, a permanently failing endpoint fills getFailedWebhooks, and replay recovers it.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { installPackage } from "../support/pack.mjs";
import { startFakeJira } from "jira-webhooks-fake";
import { CONNECT_APP, CONNECT_SECRET, CONNECT_CLIENT_KEY, CLOUD_ID, OAUTH_CLIENT_SECRET } from "jira-webhooks-fake/helpers";

let lib, fake, server, receiverUrl;
/** Every delivery a handler got, and what the handler does with the next one. */
const handled = [];
let behaviour = async () => {};
/** The raw requests the endpoint received, to send one again. */
const raw = [];

before(async () => {
  const { dir } = await installPackage();
  writeFileSync(join(dir, "lifecycle-lib.mjs"),
    'export * from "jira-webhooks/lifecycle";\nexport { toNodeListener } from "jira-webhooks/node-adapter";\n');
  lib = await import(pathToFileURL(join(dir, "lifecycle-lib.mjs")).href);
  fake = await startFakeJira({ port: 0, deliveryRetries: 2, deliveryRetryDelaysMs: [5] });
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      raw.push({ method: req.method, url: req.url, headers: { ...req.headers }, body });
      listener(Object.assign(req, { body }), res);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${server.address().port}/webhook`;
});
after(async () => {
  assert.deepEqual(fake.selfCheckFailures, []);
  await fake.close();
  await new Promise((resolve) => server.close(resolve));
});
/** The endpoint: a fresh handler per test (the fake numbers its deliveries from 1 again after a reset). */
let listener;
beforeEach(() => {
  const handler = lib.createWebhookHandler({
    connect: { baseUrl: "http://127.0.0.1", sharedSecret: (clientKey) => (clientKey === CONNECT_CLIENT_KEY ? CONNECT_SECRET : undefined) },
    oauth: { clientSecret: OAUTH_CLIENT_SECRET },
    on: { "*": async (payload, delivery) => { handled.push(delivery); await behaviour(delivery, payload); } },
  });
  listener = lib.toNodeListener(handler);
  fake.reset();
  handled.length = 0;
  raw.length = 0;
  behaviour = async () => {};
});

const connect = () => new lib.JiraWebhooks({ baseUrl: fake.url, auth: { type: "connect", appKey: CONNECT_APP, sharedSecret: CONNECT_SECRET } });
const desired = () => ({
  url: receiverUrl,
  webhooks: [
    { events: ["jira:issue_created", "jira:issue_updated"], jqlFilter: "project = DEMO" },
    { events: ["comment_created"], jqlFilter: "project in (DEMO, OPS)" },
  ],
});
const writes = () => fake.applied.map((a) => a.operation);
const emit = async (event) => {
  const { deliveries } = fake.emit(event);
  await fake.deliveriesSettled();
  return deliveries;
};

test("sync registers the declared set once; a second sync writes nothing", async () => {
  const client = connect();
  const first = await client.syncWebhooks(desired());
  assert.equal(first.created.length, 2);
  assert.ok(first.applied);
  assert.deepEqual(writes(), ["registerDynamicWebhooks"]);
  const second = await client.syncWebhooks(desired());
  assert.deepEqual([second.created, second.deleted, second.refreshed, second.plan.keep.length], [[], [], [], 2]);
  assert.deepEqual(writes(), ["registerDynamicWebhooks"], "no write the second time");
  const plan = await client.syncWebhooks({ ...desired(), webhooks: [], dryRun: true });
  assert.deepEqual([plan.applied, plan.plan.delete.length], [false, 2]);
  assert.deepEqual(writes(), ["registerDynamicWebhooks"]);
});

test("a registration whose connection drops after Jira applied it is found by listing, never sent twice", async () => {
  fake.injectFault({ type: "reset", operation: "registerDynamicWebhooks", apply: true });
  const result = await connect().syncWebhooks(desired());
  assert.equal(result.created.length, 2, "counted as created");
  assert.deepEqual(writes(), ["registerDynamicWebhooks"], "registered once");
  assert.equal(fake.stats().total.duplicates, 0);
  assert.equal(fake.state.apps[CONNECT_APP].webhooks.length, 2, "nothing missing");
});

test("a delivery is verified and processed once; a 500 makes Jira retry, and the retry is processed once", async () => {
  await connect().syncWebhooks(desired());
  let failures = 1;
  behaviour = async () => { if (failures-- > 0) throw new Error("database down"); };
  const [delivery] = await emit({ event: "jira:issue_created", issue: { key: "DEMO-1", fields: { project: { key: "DEMO" } } } });
  assert.deepEqual(handled.map((d) => [d.id, d.retry, d.event, d.clientKey]), [
    [delivery.id, 0, "jira:issue_created", CONNECT_CLIENT_KEY],
    [delivery.id, 1, "jira:issue_created", CONNECT_CLIENT_KEY],
  ]);
  assert.deepEqual(fake.deliveries.map((d) => d.status), [500, 204]);
  assert.equal(handled[1].matchedWebhookIds.length, 1);
  // Jira may deliver the same id again: answered 204, not handled again.
  const again = raw.at(-1);
  const res = await fetch(`http://127.0.0.1:${server.address().port}${again.url}`, { method: "POST", headers: again.headers, body: again.body });
  assert.equal(res.status, 204);
  assert.equal(handled.length, 2);
});

test("deliveries that do not verify are answered 401 and never handled", async () => {
  await connect().syncWebhooks(desired());
  await emit({ event: "jira:issue_created", issue: { key: "DEMO-2", fields: { project: { key: "DEMO" } } } });
  const good = raw.at(-1);
  handled.length = 0;
  const port = server.address().port;
  const send = (url, headers) => fetch(`http://127.0.0.1:${port}${url}`, { method: "POST", headers, body: good.body });
  const { authorization, ...unsigned } = good.headers;
  assert.equal((await send(good.url, unsigned)).status, 401, "no credential");
  assert.equal((await send("/webhook?moved=1", { ...good.headers, "x-atlassian-webhook-identifier": "other" })).status, 401, "qsh of another request");
  const forged = good.headers.authorization.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
  assert.equal((await send(good.url, { ...good.headers, authorization: forged, "x-atlassian-webhook-identifier": "x" })).status, 401, "signature");
  const wrong = lib.verifyDelivery({ url: `http://127.0.0.1:${port}${good.url}`, headers: good.headers, body: good.body },
    { connect: { baseUrl: "http://127.0.0.1", sharedSecret: () => "not-the-secret" } });
  await assert.rejects(wrong, (e) => e.kind === "unauthorized" && e.path === "signature" && !e.message.includes(CONNECT_SECRET));
  const unknown = lib.verifyDelivery({ url: `http://127.0.0.1:${port}${good.url}`, headers: good.headers, body: good.body },
    { connect: { baseUrl: "http://127.0.0.1", sharedSecret: async () => undefined } });
  await assert.rejects(unknown, (e) => e.kind === "unauthorized" && e.path === "iss");
  assert.equal(handled.length, 0);
});

test("a permanently failing endpoint fills getFailedWebhooks; replay recovers each failure once", async () => {
  const client = connect();
  await client.syncWebhooks(desired());
  behaviour = async (d) => { if (d.event === "comment_created") throw new Error("always"); };
  const [delivery] = await emit({ event: "comment_created", issue: { key: "OPS-1", fields: { project: { key: "OPS" } } }, comment: { id: "1", body: "hi" } });
  assert.equal(handled.length, 3, "the first attempt and two retries");
  const failures = [];
  for await (const failure of client.failedWebhooks()) failures.push(failure);
  assert.deepEqual(failures.map((f) => f.id), [delivery.id]);
  behaviour = async () => {};
  const handler = lib.createWebhookHandler({ connect: { baseUrl: "http://127.0.0.1", sharedSecret: () => CONNECT_SECRET }, on: { comment_created: (p, d) => handled.push(d) } });
  // The replay names the tenant the failure came from: it is the same delivery as the one Jira may still retry.
  const replayed = await handler.replay(failures[0], { site: CONNECT_CLIENT_KEY });
  assert.deepEqual([replayed.id, replayed.event, replayed.replayed, replayed.payload.comment.id], [delivery.id, "comment_created", true, "1"]);
  await handler.replay(failures[0], { site: CONNECT_CLIENT_KEY });
  assert.equal(handled.filter((d) => d.replayed).length, 1, "replayed once");
  const missing = [];
  const withoutBody = lib.createWebhookHandler({ connect: { baseUrl: "http://x", sharedSecret: () => "s" }, on: {}, onMissingBody: (f) => missing.push(f.id) });
  assert.equal(await withoutBody.replay({ id: "gone", url: receiverUrl, failureTime: 1 }, { site: CONNECT_CLIENT_KEY }), undefined);
  assert.deepEqual(missing, ["gone"]);
});

test("an OAuth 2.0 app: sync through the gateway, deliveries verified with the client secret", async () => {
  const client = new lib.JiraWebhooks({ cloudId: CLOUD_ID, gatewayUrl: fake.url, auth: { type: "bearer", token: "oauth-access-token" } });
  const result = await client.syncWebhooks({ url: receiverUrl, webhooks: [{ events: ["jira:issue_updated"], jqlFilter: "project = DEMO", fieldIdsFilter: ["summary"] }] });
  assert.equal(result.created.length, 1);
  await emit({ event: "jira:issue_updated", issue: { key: "DEMO-3", fields: { project: { key: "DEMO" } } }, changelog: { items: [{ field: "summary", fieldId: "summary" }] } });
  assert.deepEqual(handled.map((d) => [d.event, d.clientKey]), [["jira:issue_updated", undefined]]);
  assert.ok(raw.at(-1).headers.authorization.startsWith("Bearer "));
  const tooMany = client.syncWebhooks({ url: receiverUrl, webhooks: Array.from({ length: 6 }, (_, i) => ({ events: ["jira:issue_created"], jqlFilter: `project = P${i}` })) });
  await assert.rejects(tooMany, (e) => e.kind === "invalid-input" && e.path === "webhooks" && /5 this app may hold/.test(e.message));
});

test("keepAlive refreshes what expires within the window, in one call", async () => {
  // The Connect app's API-token account: the fake's clock moves, and a JWT is signed with the real one.
  const client = new lib.JiraWebhooks({ baseUrl: fake.url, auth: { type: "basic", email: "admin@example.com", apiToken: "basic-api-token" } });
  await client.syncWebhooks(desired());
  assert.deepEqual(await client.keepAlive(), { refreshed: [] }, "nothing expires within 7 days");
  const kept = await client.keepAlive({ withinDays: 30 });
  assert.equal(kept.refreshed.length, 2);
  assert.ok(kept.expirationDate > Date.now() + 29 * 86_400_000);
  assert.deepEqual(writes(), ["registerDynamicWebhooks", "refreshWebhooks"]);
  await assert.rejects(client.keepAlive({ withinDays: 45 }), (e) => e.kind === "invalid-input" && e.path === "withinDays");
});
