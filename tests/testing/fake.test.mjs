// jira-webhooks/testing's createFakeJira, from the packed package, with the package's client and receiver: the
// transport, the state it keeps (ids, expiry, owner), the clock, limits, faults, deliveries to a Fetch handler
// (signed per app, retried like Jira, listed when they failed), tenants, and the light checks' answers compared
// with the full fake's.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as jwt from "atlassian-jwt";
import { startFakeJira } from "jira-webhooks-fake";
import { AUTH, OAUTH_PREFIX } from "jira-webhooks-fake/helpers";
import { APP, DAY_MS, SITE, loadKit } from "./common.mjs";

let kit, lib, full;
before(async () => {
  ({ kit, lib } = await loadKit());
  full = await startFakeJira();
}, { timeout: 60_000 });
after(() => full?.close());

const HOOK = `${APP}/webhooks/jira`;
const WEBHOOKS = [
  { events: ["jira:issue_created", "jira:issue_updated"], jqlFilter: "project = DEMO", fieldIdsFilter: ["summary"] },
  { events: ["comment_created"], jqlFilter: "project = DEMO AND issuetype = Bug" },
];
const FAST = { retry: { retries: 3, minDelayMs: 5, maxDelayMs: 20 } };
/** A receiver of the fake's deliveries to the Connect app and the OAuth 2.0 app (default site). */
const receiver = (fake, on = {}, extra = {}) => {
  const seen = [];
  const handler = lib.createWebhookHandler({
    connect: { baseUrl: APP, sharedSecret: async (clientKey) => (clientKey === fake.connect.clientKey ? fake.connect.sharedSecret : fake.site("alpha").clientKey === clientKey ? fake.site("alpha").sharedSecret : undefined) },
    oauth: { clientSecret: fake.oauth.clientSecret },
    on: { "*": (payload, delivery) => void seen.push({ key: payload.issue?.key, site: delivery.site, retry: delivery.retry, event: delivery.event }), ...on },
    ...extra,
  });
  return { handler, seen };
};

test("the transport acts for the Connect app: the five operations, and the state Jira keeps (ids, expiry, owner)", async () => {
  const fake = kit.createFakeJira();
  const client = new lib.JiraWebhooks(fake.config());
  const t0 = fake.now();
  const { webhookRegistrationResult } = await client.registerDynamicWebhooks({ url: HOOK, webhooks: [...WEBHOOKS, { events: ["jira:issue_deleted"], jqlFilter: "priority = High" }] });
  assert.deepEqual(webhookRegistrationResult, [{ createdWebhookId: 10000 }, { createdWebhookId: 10001 }, { errors: ["The clause priority is unsupported"] }]);
  const held = fake.webhooks();
  assert.deepEqual(held.map(({ id, app, user, url, events, jqlFilter, fieldIdsFilter }) => ({ id, app, user, url, events, jqlFilter, fieldIdsFilter })), [
    { id: 10000, app: fake.connect.appKey, user: null, url: HOOK, ...WEBHOOKS[0] },
    { id: 10001, app: fake.connect.appKey, user: null, url: HOOK, ...WEBHOOKS[1], fieldIdsFilter: undefined },
  ]);
  for (const w of held) assert.ok(Math.abs(w.expirationDate - (t0 + 30 * DAY_MS)) < 1000, `expires 30 days on: ${w.expirationDate - t0}`);

  fake.advance(10 * DAY_MS);
  const { expirationDate } = await client.refreshWebhooks({ webhookIds: [10000] });
  assert.ok(Math.abs(expirationDate - (t0 + 40 * DAY_MS)) < 1000);
  assert.deepEqual(fake.webhooks().map((w) => w.expirationDate > t0 + 35 * DAY_MS), [true, false]);

  const list = await client.getDynamicWebhooksForApp({ maxResults: 1 });
  assert.deepEqual([list.total, list.isLast, list.values.map((w) => w.id)], [2, false, [10000]]);
  const all = [];
  for await (const w of client.webhooks({ maxResults: 1 })) all.push(w.id);
  assert.deepEqual(all, [10000, 10001]);

  fake.seedFailed([{ id: "f-1", url: HOOK, body: '{"webhookEvent":"jira:issue_created"}', failedMinutesAgo: 5 }]);
  const failed = await client.getFailedWebhooks();
  assert.deepEqual(failed.values.map((f) => f.id), ["f-1"]);

  assert.equal(await client.deleteWebhookById({ webhookIds: [10000, 10001] }), undefined);
  assert.deepEqual(fake.webhooks(), []);
  assert.deepEqual(fake.requests.map((r) => [r.method, r.path, r.status, r.app, r.headers.authorization]), [
    ["POST", "/rest/api/2/webhook", 200, fake.connect.appKey, "<redacted>"],
    ["PUT", "/rest/api/2/webhook/refresh", 200, fake.connect.appKey, "<redacted>"],
    ["GET", "/rest/api/2/webhook", 200, fake.connect.appKey, "<redacted>"],
    ["GET", "/rest/api/2/webhook", 200, fake.connect.appKey, "<redacted>"],
    ["GET", "/rest/api/2/webhook", 200, fake.connect.appKey, "<redacted>"],
    ["GET", "/rest/api/2/webhook/failed", 200, fake.connect.appKey, "<redacted>"],
    ["DELETE", "/rest/api/2/webhook", 202, fake.connect.appKey, "<redacted>"],
  ]);
  assert.deepEqual(fake.applied.map((a) => [a.operation, a.ids]), [["registerDynamicWebhooks", [10000, 10001]], ["refreshWebhooks", [10000]], ["deleteWebhookById", [10000, 10001]]]);
});

test("any config on the fake: Connect JWTs, an API token, OAuth 2.0 through the gateway; a wrong secret is a 401", async () => {
  const fake = kit.createFakeJira();
  for (const kind of ["connect", "basic", "oauth"]) {
    const client = new lib.JiraWebhooks(fake.config(kind));
    const [r] = (await client.registerDynamicWebhooks({ url: HOOK, webhooks: [WEBHOOKS[0]] })).webhookRegistrationResult;
    assert.ok(Number.isInteger(r.createdWebhookId), `${kind}: ${JSON.stringify(r)}`);
  }
  assert.deepEqual(fake.webhooks().map((w) => [w.app, w.user]), [[fake.connect.appKey, null], [fake.connect.appKey, "admin"], [fake.oauth.clientId, fake.oauth.user]]);
  assert.deepEqual(fake.requests.map((r) => r.path), ["/rest/api/2/webhook", "/rest/api/2/webhook", `/ex/jira/${fake.oauth.cloudId}/rest/api/2/webhook`]);
  const oauthClient = new lib.JiraWebhooks(fake.config("oauth"));
  await assert.rejects(oauthClient.getFailedWebhooks(), (e) => e.kind === "http" && e.status === 403);

  // No baseUrl at all: the transport gets bare paths and answers for the site.
  const bare = new lib.JiraWebhooks({ auth: { type: "none" }, transport: fake.transport });
  assert.equal((await bare.getDynamicWebhooksForApp()).total, 2, "the Connect app's two (the third is the OAuth 2.0 app's)");
  assert.equal(fake.requests.at(-1).app, fake.connect.appKey);

  const wrong = new lib.JiraWebhooks({ ...fake.config("connect"), auth: { type: "connect", appKey: fake.connect.appKey, sharedSecret: "guessed" } });
  await assert.rejects(wrong.getDynamicWebhooksForApp(), (e) => e.kind === "http" && e.status === 401 && !JSON.stringify(e).includes("guessed"));

  const asOAuth = kit.createFakeJira({ auth: { type: "oauth", user: "bob", clientId: "my-oauth-app" } });
  const viaGateway = new lib.JiraWebhooks(asOAuth.config());
  await viaGateway.registerDynamicWebhooks({ url: HOOK, webhooks: [WEBHOOKS[0]] });
  assert.deepEqual(asOAuth.webhooks().map((w) => [w.app, w.user]), [["my-oauth-app", "bob"]]);
  assert.equal(asOAuth.requests[0].path, `/ex/jira/${asOAuth.oauth.cloudId}/rest/api/2/webhook`);
});

test("the clock: webhooks expire 30 days after their last refresh on the fake's clock; moving Date moves Jira and the app together", async (t) => {
  let now = Date.now();
  const fake = kit.createFakeJira({ now: () => now });
  const client = new lib.JiraWebhooks(fake.config());
  const desired = { url: HOOK, webhooks: WEBHOOKS };
  assert.equal((await client.syncWebhooks(desired)).created.length, 2);
  assert.equal(fake.webhooks()[0].expirationDate, now + 30 * DAY_MS);
  now += 30 * DAY_MS; // on the day: still there
  assert.equal(fake.webhooks().length, 2);
  assert.equal(fake.advance(1), now + 1);
  assert.equal(fake.webhooks().length, 0, "expired: Jira has dropped them");
  assert.deepEqual((await client.getDynamicWebhooksForApp()).values, []);
  // advance() moves Jira's clock only: the client (on Date.now) sees nothing registered and registers again.
  const again = await client.syncWebhooks(desired);
  assert.deepEqual([again.created.length, again.refreshed.length, again.deleted.length], [2, 0, 0]);

  // To move the app's clock too, move Date: the fake's default clock is Date.now.
  t.mock.timers.enable({ apis: ["Date"], now: Date.now() });
  const both = kit.createFakeJira();
  const app = new lib.JiraWebhooks(both.config());
  await app.syncWebhooks(desired);
  t.mock.timers.tick(25 * DAY_MS);
  const refreshed = await app.syncWebhooks({ ...desired, refreshWithinDays: 7 });
  assert.deepEqual([refreshed.created.length, refreshed.refreshed.length, refreshed.deleted.length], [0, 2, 0]);
  assert.equal(both.webhooks()[0].expirationDate, Date.now() + 30 * DAY_MS);
  t.mock.timers.tick(31 * DAY_MS);
  assert.deepEqual(both.webhooks(), []);
});

test("limit: a registration over it comes back with Jira's error in its place", async () => {
  const fake = kit.createFakeJira({ limit: 2 });
  const client = new lib.JiraWebhooks(fake.config());
  const three = [...WEBHOOKS, { events: ["jira:issue_deleted"], jqlFilter: "project = OPS" }];
  const { webhookRegistrationResult } = await client.registerDynamicWebhooks({ url: HOOK, webhooks: three });
  assert.deepEqual(webhookRegistrationResult.at(-1), { errors: ["Reached the limit of 2 webhooks per app"] });
  const oauth = kit.createFakeJira({ auth: "oauth" });
  const six = Array.from({ length: 6 }, (_, i) => ({ events: ["jira:issue_created"], jqlFilter: `project = P${i}` }));
  const r = await new lib.JiraWebhooks(oauth.config()).registerDynamicWebhooks({ url: HOOK, webhooks: six });
  assert.deepEqual(r.webhookRegistrationResult.at(-1), { errors: ["Reached the limit of 5 webhooks per user for this app"] }, "Jira's 5 per user by default");
});

test("faults: a 429 with Retry-After and a 503 are retried; a registration applied but its answer lost is not made twice; a dropped list is retried", async () => {
  const fake = kit.createFakeJira();
  const events = [];
  const client = new lib.JiraWebhooks({ ...fake.config(), ...FAST, hooks: { response: (e) => void events.push([e.operation, e.attempt, e.status, e.retryAfter]) } });
  fake.injectFault({ type: "rate-limit", retryAfter: 0, operation: "getDynamicWebhooksForApp" });
  fake.injectFault({ type: "status", status: 503, operation: "getDynamicWebhooksForApp" });
  assert.equal((await client.getDynamicWebhooksForApp()).total, 0);
  assert.deepEqual(events, [["getDynamicWebhooksForApp", 1, 429, "0"], ["getDynamicWebhooksForApp", 2, 503, undefined], ["getDynamicWebhooksForApp", 3, 200, undefined]]);

  events.length = 0;
  fake.injectFault({ type: "reset", operation: "registerDynamicWebhooks", apply: true });
  const synced = await client.syncWebhooks({ url: HOOK, webhooks: WEBHOOKS });
  assert.deepEqual(synced.created.map((c) => c.id).sort(), [10000, 10001], JSON.stringify(synced));
  assert.equal(fake.webhooks().length, 2, "registered once");
  assert.deepEqual(fake.applied.map((a) => a.operation), ["registerDynamicWebhooks"]);
  assert.ok(events.some(([op, , status]) => op === "registerDynamicWebhooks" && status === 0), JSON.stringify(events));

  fake.injectFault({ type: "reset", operation: "getDynamicWebhooksForApp" });
  assert.equal((await client.getDynamicWebhooksForApp()).total, 2);
  const dropped = fake.requests.filter((r) => r.fault?.type === "reset");
  assert.deepEqual(dropped.map((r) => [r.operation, r.status]), [["registerDynamicWebhooks", null], ["getDynamicWebhooksForApp", null]]);
  await assert.rejects(new lib.JiraWebhooks({ ...fake.config(), retry: false }).getDynamicWebhooksForApp({}, { timeoutMs: 5_000 })
    .then(() => (fake.injectFault({ type: "reset" }), new lib.JiraWebhooks({ ...fake.config(), retry: false }).getDynamicWebhooksForApp())),
  (e) => e.kind === "network");
});

test("emit: each app's delivery signed for it, verified by the package's handler; JQL and field filters decide", async () => {
  const fake = kit.createFakeJira();
  await new lib.JiraWebhooks(fake.config("connect")).syncWebhooks({ url: HOOK, webhooks: WEBHOOKS });
  await new lib.JiraWebhooks(fake.config("oauth")).registerDynamicWebhooks({ url: HOOK, webhooks: [WEBHOOKS[0]] });
  const { handler, seen } = receiver(fake);
  const sent = await fake.emit({ event: "jira:issue_created", issue: { key: "DEMO-5" } }, handler);
  assert.deepEqual(sent.map((d) => [d.app, d.matchedWebhookIds, d.outcome, d.attempts]), [
    [fake.connect.appKey, [10000], "delivered", [{ attempt: 1, status: 204 }]],
    [fake.oauth.clientId, [10002], "delivered", [{ attempt: 1, status: 204 }]],
  ]);
  assert.deepEqual(seen.map((s) => [s.key, s.site]).sort(), [["DEMO-5", fake.connect.clientKey], ["DEMO-5", fake.oauth.cloudId]].sort());

  seen.length = 0;
  assert.deepEqual(await fake.emit({ event: "jira:issue_created", issue: { key: "OPS-5" } }, handler), [], "the JQL matches project DEMO only");
  const unchanged = { event: "jira:issue_updated", changelog: { items: [{ field: "labels", fieldId: "labels" }] } };
  assert.deepEqual(await fake.emit(unchanged, handler), [], "fieldIdsFilter: only summary changes");
  const bug = await fake.emit({ event: "comment_created", issue: { fields: { issuetype: { name: "Bug" } } } }, handler);
  assert.deepEqual(bug.map((d) => d.matchedWebhookIds), [[10001]]);
  assert.deepEqual(await fake.emit("comment_created", handler), [], "a Task is not a Bug");

  // An object with fetch (a Worker, a Hono app) is a handler too; the request is Jira's.
  const requests = [];
  await fake.emit("jira:issue_created", { fetch: (request) => (requests.push(request), new Response(null, { status: 200 })) });
  assert.equal(requests.length, 2);
  const connectReq = requests.find((r) => r.headers.get("authorization").startsWith("JWT "));
  assert.equal(connectReq.url, HOOK);
  assert.equal(connectReq.headers.get("x-atlassian-webhook-flow"), "Primary");
  const claims = jwt.decodeSymmetric(connectReq.headers.get("authorization").slice(4), fake.connect.sharedSecret, jwt.SymmetricAlgorithm.HS256);
  assert.equal(claims.iss, fake.connect.clientKey);
  assert.ok(Math.abs(claims.iat - Date.now() / 1000) < 5);
  await assert.rejects(fake.emit("jira:issue_craeted", handler), /invalid event/);
  await assert.rejects(fake.emit("jira:issue_created"), /handler must be a function/);
});

test("emit: retried the way Jira retries (5xx, 429, no answer, a timeout), refused on a 4xx, listed and replayable when every attempt failed", async () => {
  const fake = kit.createFakeJira({ retries: 2, retryDelaysMs: [5], deliveryTimeoutMs: 100 });
  await new lib.JiraWebhooks(fake.config()).syncWebhooks({ url: HOOK, webhooks: WEBHOOKS });
  let answers = [];
  const { handler, seen } = receiver(fake, {}, {});
  const scripted = async (request) => {
    const next = answers.shift() ?? "pass";
    if (next === "throw") throw new Error("the app crashed");
    if (next === "hang") return new Promise(() => {});
    if (next === "pass") return handler(request);
    return new Response(null, { status: next });
  };
  const emit = async (script) => {
    answers = [...script];
    const [d] = await fake.emit({ event: "jira:issue_created", issue: { key: "DEMO-1" } }, scripted);
    return [d.outcome, d.attempts.map((a) => a.status ?? a.error)];
  };
  assert.deepEqual(await emit([500, 429]), ["delivered", [500, 429, 204]]);
  assert.deepEqual(seen.map((s) => s.retry), [2], "the handler saw X-Atlassian-Webhook-Retry: 2");
  const [outcome, attempts] = await emit(["throw", "hang"]);
  assert.equal(outcome, "delivered");
  assert.deepEqual([attempts[0], attempts[1], attempts[2]], ["the app crashed", "timeout after 100 ms", 204]);
  assert.deepEqual(await emit([400]), ["refused", [400]]);
  assert.deepEqual(fake.failed(), [], "a refused delivery is not listed as failed");
  assert.deepEqual(await emit([503, 503, 408]), ["failed", [503, 503, 408]]);
  const failures = fake.failed();
  assert.equal(failures.length, 1);
  const listed = await new lib.JiraWebhooks(fake.config()).getFailedWebhooks();
  assert.deepEqual(listed.values.map((f) => f.id), [failures[0].id]);
  seen.length = 0;
  const replayed = await handler.replay(listed.values[0], { site: fake.connect.clientKey });
  assert.equal(replayed.replayed, true);
  assert.deepEqual(seen.map((s) => s.key), ["DEMO-1"]);
});

test("tenants: each site has its clientKey, cloudId and secret; a config and deliveries per site", async () => {
  const fake = kit.createFakeJira();
  const alpha = fake.site("alpha");
  assert.notEqual(alpha.clientKey, fake.connect.clientKey);
  assert.notEqual(alpha.sharedSecret, fake.connect.sharedSecret);
  assert.equal(alpha.baseUrl, `${SITE}/site/alpha`);
  await new lib.JiraWebhooks(fake.config("none", "alpha")).syncWebhooks({ url: HOOK, webhooks: WEBHOOKS });
  await new lib.JiraWebhooks(fake.config("connect", "alpha")).getDynamicWebhooksForApp();
  assert.equal(fake.webhooks("alpha").length, 2);
  assert.equal(fake.webhooks().length, 0);
  const { handler, seen } = receiver(fake);
  assert.deepEqual(await fake.emit({ event: "jira:issue_created", site: "alpha" }, handler).then((d) => d.map((x) => x.outcome)), ["delivered"]);
  assert.deepEqual(seen.map((s) => s.site), [alpha.clientKey]);
  assert.deepEqual(await fake.emit({ event: "jira:issue_created" }, handler), [], "nothing registered on the default site");
});

test("the light request checks answer what the full fake answers (status), for good and bad requests", async () => {
  const fake = kit.createFakeJira();
  const json = { "content-type": "application/json" };
  const requests = [
    ["GET", "/rest/api/2/webhook", undefined],
    ["GET", "/rest/api/3/webhook?startAt=0&maxResults=5", undefined],
    ["GET", "/rest/api/2/webhook?maxResults=abc", undefined],
    ["GET", "/rest/api/2/webhook?maxResults=99999999999", undefined],
    ["GET", "/rest/api/2/webhook?expand=all", undefined],
    ["GET", "/rest/api/2/webhook/failed?after=1&maxResults=2", undefined],
    ["GET", "/rest/api/2/webhook/failed?failedAfter=1", undefined],
    ["POST", "/rest/api/2/webhook", { url: HOOK, webhooks: [{ events: ["jira:issue_created"], jqlFilter: "project = A" }] }],
    ["POST", "/rest/api/2/webhook", { url: HOOK, webhooks: [{ events: ["jira:issue_created"] }] }],
    ["POST", "/rest/api/2/webhook", { url: HOOK, webhooks: [{ events: ["sprint_started"], jqlFilter: "project = A" }] }],
    ["POST", "/rest/api/3/webhook", { url: HOOK, webhooks: [{ events: ["sprint_started"], jqlFilter: "project = A" }] }],
    ["POST", "/rest/api/2/webhook", { url: HOOK, webhooks: [{ events: ["jira:issue_created"], jqlFilter: "project = A", extra: 1 }] }],
    ["POST", "/rest/api/2/webhook", { webhooks: [] }],
    ["POST", "/rest/api/2/webhook", "not json"],
    ["POST", "/rest/api/2/webhook", undefined],
    ["PUT", "/rest/api/2/webhook/refresh", { webhookIds: [1, 2] }],
    ["PUT", "/rest/api/2/webhook/refresh", { webhookIds: ["1"] }],
    ["DELETE", "/rest/api/2/webhook", { webhookIds: [10000] }],
    ["DELETE", "/rest/api/2/webhook", { ids: [1] }],
    ["GET", "/rest/api/2/webhooks", undefined],
    ["PATCH", "/rest/api/2/webhook", undefined],
  ];
  const statuses = { kit: [], full: [] };
  for (const [method, path, body] of requests) {
    const init = { method, headers: { authorization: AUTH.connect, ...(body !== undefined && json) }, ...(body !== undefined && { body: typeof body === "string" ? body : JSON.stringify(body) }) };
    statuses.kit.push(`${method} ${path}: ${(await fake.fetch(path, init)).status}`);
    statuses.full.push(`${method} ${path}: ${(await fetch(full.url + path, init)).status}`);
  }
  assert.deepEqual(statuses.kit, statuses.full);
  const bad = await fake.fetch(new Request(`${SITE}/rest/api/2/webhook`, { method: "POST", headers: json, body: JSON.stringify({ url: HOOK, webhooks: [{ events: ["jira:issue_created"] }] }) }));
  assert.deepEqual(await bad.json(), { errorMessages: ["request body.webhooks[0]: missing required field 'jqlFilter'"], errors: {} });
  // the OAuth gateway: a token without the scopes is refused like the full fake refuses it
  const grant = fake.core.oauth.grant({ scope: "read:jira-work" });
  const scoped = await fake.fetch(`${OAUTH_PREFIX}/rest/api/2/webhook`, { headers: { authorization: `Bearer ${grant.access_token}` } });
  assert.equal(scoped.status, 401);
});

test("wrong options are TypeErrors that name them", () => {
  for (const [options, message] of [
    [{ auht: "connect" }, /unknown option 'auht'/],
    [{ auth: "jwt" }, /auth must be "connect", "oauth"/],
    [{ auth: { type: "connect", sharedSecret: "" } }, /auth.sharedSecret must be a non-empty string/],
    [{ auth: { type: "oauth", appKey: "x" } }, /unknown option 'appKey'/],
    [{ limit: -1 }, /limit must be an integer >= 0/],
    [{ limit: { connnect: 3 } }, /limit must be/],
    [{ now: 5 }, /now must be a function/],
    [{ url: "https://x.example.com/path" }, /url must be the site's origin/],
    [{ retries: -1 }, /retries must be an integer >= 0/],
    [{ retryDelaysMs: [5, -1] }, /retryDelaysMs must be an array of ms >= 0/],
    [{ deliveryTimeoutMs: 0 }, /deliveryTimeoutMs must be a number of ms > 0/],
  ]) assert.throws(() => kit.createFakeJira(options), (e) => e instanceof TypeError && message.test(e.message), JSON.stringify(options));
  const fake = kit.createFakeJira();
  assert.throws(() => fake.config("jwt"), /kind must be "none", "connect", "oauth" or "basic"/);
  assert.throws(() => fake.injectFault({ type: "rate-limt" }), /invalid fault/);
  assert.throws(() => fake.advance(-1), /ms must be a number >= 0/);
});
