// The Connect app of examples/connect-app-worker on Cloudflare Workers, in Miniflare 4 (workerd with local D1,
// Queues and cron), against the fake Jira serving many sites: `npm run fleet` end to end under the per-app rate
// limit and dropped connections, then the edges one at a time: forged lifecycle callbacks, an uninstalled tenant
// (no more syncs, its deliveries 401), Jira sending a delivery twice, a delivery consumer whose database fails,
// two syncs of one tenant at once (the lease), a round near the points limit (pacing), and the call log.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import * as jwt from "atlassian-jwt";
import { startFakeJira, clientKeyOf } from "jira-webhooks-fake";
import { CONNECT_APP, call } from "jira-webhooks-fake/helpers";
import { ROOT } from "../support/pack.mjs";
import { runProcess } from "../runtimes/common.mjs";
import { startApp } from "../../examples/connect-app-worker/local.mjs";
import { LOCAL_CONSUMERS, checkWebhooks, localVars, syncsSettled, until, workerLog } from "../../examples/connect-app-worker/fleet.mjs";

test("npm run fleet -- --tenants 20 --faults: every site synced once, every delivery processed once, under 429s", { timeout: 180_000 }, async () => {
  const { code, stdout, stderr } = await runProcess("npm", ["run", "--silent", "fleet", "--", "--tenants", "20", "--faults", "--rate-limit", "20:5", "--max-backoff", "4"],
    { cwd: ROOT, timeout: 170_000 });
  const lines = stdout.trim().split("\n");
  const summary = JSON.parse(lines.at(-1));
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  assert.equal(lines.at(-2), "OK");
  assert.deepEqual(Object.keys(summary), ["tenants", "synced", "webhooksMissing", "webhooksDuplicated", "jiraCalls", "rateLimited", "deliveries", "processedTwice", "wallMs"]);
  assert.deepEqual({ ...summary, jiraCalls: 0, rateLimited: 0, wallMs: 0 },
    { tenants: 20, synced: 20, webhooksMissing: 0, webhooksDuplicated: 0, jiraCalls: 0, rateLimited: 0, deliveries: 40, processedTwice: 0, wallMs: 0 });
  assert.ok(summary.rateLimited > 0, "the rate limit was reached, and waited out");
  assert.match(stdout, /cron round done in \d+ ms: \d+ calls, \d+ rate-limited, 0 writes/);
});

let fake, app, worker;
/** The Worker's JSON log lines since `from` (an index into worker.entries). */
const logged = (from = 0) => worker.entries.slice(from);
const post = (path, { headers = {}, body = {} } = {}) =>
  fetch(app.url + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
const tenant = async (site) => app.db.prepare("SELECT * FROM tenants WHERE client_key = ?").bind(clientKeyOf(site)).first();
const processed = async (site) =>
  (await app.db.prepare("SELECT delivery_id, attempts FROM processed_deliveries WHERE client_key = ? ORDER BY rowid").bind(clientKeyOf(site)).all()).results;
/** A delivery as Jira signs it for a Connect app: HS256 with the secret, iss = clientKey, qsh of POST /webhook. */
function delivery(site, { secret = fake.site(site).state.apps[CONNECT_APP].sharedSecret, id = "9001" } = {}) {
  const url = `${app.url}/webhook`;
  const iat = Math.floor(Date.now() / 1000);
  const qsh = jwt.createQueryStringHash(jwt.fromMethodAndUrl("POST", url), false, app.url);
  const token = jwt.encodeSymmetric({ iss: clientKeyOf(site), iat, exp: iat + 180, qsh }, secret);
  return {
    headers: { authorization: `JWT ${token}`, "x-atlassian-webhook-identifier": id },
    body: { timestamp: Date.now(), webhookEvent: "jira:issue_created", matchedWebhookIds: [10000], issue: { id: "1", key: "DEMO-9", fields: {} } },
  };
}

before(async () => {
  fake = await startFakeJira({ port: 0 });
  worker = workerLog({ secret: /\bJWT\s|eyJ[\w-]{10,}\.|connect-shared-secret-for-tests/, keep: true,
    keys: ["operation", "clientKey", "status", "attempt", "durationMs", "retryAfter", "rateLimit"] });
  app = await startApp({ vars: localVars(fake), consumers: LOCAL_CONSUMERS, stdio: worker.stdio });
  for (const site of ["alpha", "beta"]) assert.equal(await fake.installApp({ site, appBaseUrl: app.url }), 204);
  await syncsSettled(app.db, 30_000);
}, { timeout: 90_000 });
after(async () => {
  await app?.dispose();
  await fake?.close();
});

test("installed: the tenant is stored and its webhooks registered", async () => {
  const row = await tenant("alpha");
  assert.deepEqual([row.installed, row.base_url, row.sync_status, row.sync_detail], [1, `${fake.url}/site/alpha`, "ok", "created 2, deleted 0, refreshed 0, kept 0"]);
  assert.equal(row.shared_secret, fake.site("alpha").state.apps[CONNECT_APP].sharedSecret);
  assert.deepEqual(checkWebhooks(fake, ["alpha", "beta"], `${app.url}/webhook`), { missing: 0, duplicated: 0 });
});

test("lifecycle callbacks that do not verify are refused (401) and change nothing", async () => {
  const body = { key: CONNECT_APP, clientKey: "forged-tenant", sharedSecret: "s", baseUrl: "https://evil.example.com", eventType: "installed" };
  const url = `${app.url}/installed`;
  const claims = () => {
    const iat = Math.floor(Date.now() / 1000);
    return { iss: "forged-tenant", aud: app.url, iat, exp: iat + 180, qsh: jwt.createQueryStringHash(jwt.fromMethodAndUrl("POST", url), false, app.url) };
  };
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
  const tokens = {
    none: undefined,
    "HS256 with a secret of our choosing": jwt.encodeSymmetric(claims(), "any-secret"),
    "RS256 under a kid the key service does not know": jwt.encodeAsymmetric(claims(), privateKey, jwt.AsymmetricAlgorithm.RS256, { kid: randomUUID() }),
    "a kid that is a path": jwt.encodeAsymmetric(claims(), privateKey, jwt.AsymmetricAlgorithm.RS256, { kid: "../../rest/api/2/webhook" }),
  };
  for (const [what, token] of Object.entries(tokens)) {
    const res = await post("/installed", { headers: token ? { authorization: `JWT ${token}` } : {}, body });
    assert.equal(res.status, 401, what);
  }
  assert.equal(await app.db.prepare("SELECT * FROM tenants WHERE client_key = 'forged-tenant'").first(), null);
});

test("Jira sending a delivery twice: both answered 204, processed once", async () => {
  const d = delivery("alpha", { id: "twice-1" });
  assert.equal((await post("/webhook", d)).status, 204);
  assert.equal((await post("/webhook", { ...d, headers: { ...d.headers, "x-atlassian-webhook-retry": "1" } })).status, 204);
  await until("the delivery", async () => (await processed("alpha")).some((p) => p.delivery_id === "twice-1"), 20_000);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal((await processed("alpha")).filter((p) => p.delivery_id === "twice-1").length, 1);
});

test("a delivery whose processing fails (the database) is answered 204, retried by the Queue and processed once", { timeout: 60_000 }, async () => {
  await app.db.prepare("ALTER TABLE processed_deliveries RENAME TO processed_deliveries_away").run();
  let restored = false;
  try {
    const { deliveries: [sent] } = fake.emit({ site: "alpha", event: "comment_created" });
    await fake.deliveriesSettled();
    assert.deepEqual(fake.deliveries.filter((d) => d.site === "alpha" && d.id === sent.id).map((d) => d.status), [204], "answered at once");
    await new Promise((resolve) => setTimeout(resolve, 2500)); // the consumer fails at least once
    await app.db.prepare("ALTER TABLE processed_deliveries_away RENAME TO processed_deliveries").run();
    restored = true;
    await until("the retried delivery", async () => (await processed("alpha")).some((p) => p.delivery_id === sent.id), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const rows = (await processed("alpha")).filter((p) => p.delivery_id === sent.id);
    assert.equal(rows.length, 1, "processed once");
    assert.ok(rows[0].attempts >= 2, `processed on a retry (attempt ${rows[0].attempts})`);
  } finally {
    if (!restored) await app.db.prepare("ALTER TABLE processed_deliveries_away RENAME TO processed_deliveries").run();
  }
});

test("each Jira call is one JSON log line (operation, status, attempt, durationMs, rateLimit), without a secret", () => {
  const lines = logged().filter((e) => e.operation);
  assert.equal(lines.length, fake.requests.length, "one line per request Jira received");
  assert.equal(worker.stats.malformed, 0);
  assert.equal(worker.stats.secrets, 0);
  for (const site of ["alpha", "beta"]) {
    const secret = fake.site(site).state.apps[CONNECT_APP].sharedSecret;
    assert.ok(!JSON.stringify(worker.entries).includes(secret), "no shared secret");
  }
  const first = lines.find((e) => e.operation === "registerDynamicWebhooks");
  assert.deepEqual(Object.keys(first), ["operation", "clientKey", "status", "attempt", "durationMs", "rateLimit"]);
  assert.equal(first.status, 200);
  assert.equal(first.attempt, 1);
  assert.ok(Number.isInteger(first.durationMs));
});

test("two syncs of one tenant at once (two cron instances, an overlapping deploy): one waits for the other's lease, no duplicate", { timeout: 60_000 }, async () => {
  const clientKey = clientKeyOf("alpha");
  fake.site("alpha").state.apps[CONNECT_APP].webhooks.splice(0); // gone: each sync alone would register both
  // Both listings take 1.5 s, so that without the lease the two syncs would plan from the same empty list.
  fake.injectFault({ type: "delay", ms: 1500, operation: "getDynamicWebhooksForApp", site: "alpha", times: 2 });
  const from = worker.entries.length;
  const requests = fake.requests.length;
  const queue = await app.mf.getQueueProducer("SYNC_QUEUE");
  await queue.sendBatch([{ body: { clientKey } }, { body: { clientKey } }]); // one batch: run at once
  const mine = () => logged(from).filter((e) => e.operation && e.clientKey === clientKey);
  await until("both syncs", () => mine().filter((e) => e.operation === "getDynamicWebhooksForApp").length === 2, 30_000);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const registrations = fake.requests.slice(requests).filter((r) => r.operation === "registerDynamicWebhooks");
  assert.equal(registrations.length, 1, "registered once");
  assert.deepEqual(checkWebhooks(fake, ["alpha"], `${app.url}/webhook`), { missing: 0, duplicated: 0 });
  const waited = logged(from).filter((e) => e.event === "sync-deferred" && e.reason === "lease" && e.clientKey === clientKey);
  assert.equal(waited.length, 1, "the second sync found the lease taken and waited");
  const [first, second] = mine().filter((e) => e.operation === "getDynamicWebhooksForApp");
  assert.ok(first && second);
  assert.equal((await app.db.prepare("SELECT COUNT(*) AS n FROM sync_leases").first()).n, 0, "both released");
  assert.equal((await tenant("alpha")).sync_detail, "created 0, deleted 0, refreshed 0, kept 2", "the one that waited found them");
});

test("near the points limit (X-RateLimit-NearLimit: less than 20 % left), a round slows down: its syncs start a slot apart", { timeout: 90_000 }, async () => {
  const HOUR = 3_600_000;
  // The budget's window is the fake's clock hour: start well inside one.
  if (fake.now() % HOUR > HOUR - 60_000) await new Promise((resolve) => setTimeout(resolve, HOUR - (fake.now() % HOUR) + 100));
  fake.setPointsPerHour(100);
  try {
    // 81 points spent: a listing of the default site, which has no webhooks, costs 1.
    for (let i = 0; i < 81; i++) assert.equal((await call(fake, "GET", "/rest/api/2/webhook")).status, 200);
    await app.scheduled(); // listings of 3 points each: their answers say NearLimit
    await syncsSettled(app.db, 30_000);
    assert.equal((await app.db.prepare("SELECT near_limit FROM pacing").first()).near_limit, 1);
    const from = worker.entries.length;
    const requests = fake.requests.length;
    await app.scheduled();
    await syncsSettled(app.db, 30_000);
    const listings = fake.requests.slice(requests).filter((r) => r.operation === "getDynamicWebhooksForApp");
    assert.equal(listings.length, 2);
    const interval = 60_000 / 30; // NEAR_LIMIT_SYNCS_PER_MINUTE in wrangler.jsonc
    assert.ok(listings[1].time - listings[0].time >= interval - 500, `${listings[1].time - listings[0].time} ms apart`);
    assert.ok(logged(from).some((e) => e.event === "sync-deferred" && e.reason === "near-limit"));
    assert.equal(fake.stats().total.rateLimited, 0, "never over the limit");
  } finally {
    fake.setPointsPerHour(null);
  }
});

test("uninstalled: the tenant is retired, the next round does not sync it, its deliveries get 401", { timeout: 60_000 }, async () => {
  const secret = fake.site("beta").state.apps[CONNECT_APP].sharedSecret;
  assert.equal(await fake.uninstallApp({ site: "beta", appBaseUrl: app.url }), 204);
  const row = await tenant("beta");
  assert.deepEqual([row.installed, row.shared_secret, row.sync_status], [0, null, null]);
  const before = fake.stats().sites;
  await app.scheduled();
  await syncsSettled(app.db, 30_000);
  await new Promise((resolve) => setTimeout(resolve, 1500)); // a message for beta would have been consumed by now
  const after = fake.stats().sites;
  assert.deepEqual(after.beta.requests, before.beta.requests, "no call for the uninstalled site");
  assert.equal(after.alpha.requests.getDynamicWebhooksForApp, before.alpha.requests.getDynamicWebhooksForApp + 1, "the installed one was listed");
  assert.equal((await tenant("alpha")).sync_detail, "created 0, deleted 0, refreshed 0, kept 2");

  assert.equal((await post("/webhook", delivery("beta", { secret, id: "after-uninstall" }))).status, 401, "the old secret");
  assert.equal((await post("/webhook", delivery("never-installed", { secret: "whatever" }))).status, 401, "an unknown tenant");
  assert.equal((await post("/webhook", delivery("alpha", { secret, id: "wrong-secret" }))).status, 401, "another tenant's secret");
  assert.equal((await post("/webhook", delivery("alpha", { id: "still-fine" }))).status, 204, "the installed tenant still gets through");
  assert.deepEqual(await processed("beta"), []);
});
