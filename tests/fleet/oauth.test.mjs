// The OAuth 2.0 integration of examples/oauth-integration-worker on Cloudflare Workers, in Miniflare 4 (workerd with
// local D1, Queues, Durable Objects and cron), against the fake Jira as Atlassian's authorization server, gateway
// and sites: `npm run fleet -- --oauth` end to end with faults, then the edges one at a time: a state that is not
// the browser's, a delivery signed with the previous client secret during a rotation, one connection refreshing from
// a cron round, twenty deliveries and a resync AT ONCE (one refresh), a revoked user (reauthorize, no more calls,
// deliveries recorded not processed), and `wrangler deploy --dry-run` when Wrangler is installed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeJira } from "jira-webhooks-fake";
import { OAUTH_APP, OAUTH_CLIENT_SECRET } from "jira-webhooks-fake/helpers";
import { ROOT, installPackage } from "../support/pack.mjs";
import { runProcess } from "../runtimes/common.mjs";
import { APP_DIR, startApp } from "../../examples/oauth-integration-worker/local.mjs";
import { LOCAL_CONSUMERS, connectUser, localVars, seedFor, syncsSettled, until } from "../../examples/oauth-integration-worker/fleet.mjs";
import { workerLog } from "../../examples/connect-app-worker/fleet.mjs";

const KEYS = ["connections", "synced", "reauthorize", "webhooksMissing", "webhooksDuplicated", "tokensLost", "jiraCalls", "tokenRequests",
  "rateLimited", "pointsUsed", "pointsBudget", "deliveries", "processedTwice", "wallMs"];

test("npm run fleet -- --oauth --connections 20 --faults: no token lost, revoked users reauthorize, every webhook once, every delivery once", { timeout: 240_000 }, async () => {
  const { code, stdout, stderr } = await runProcess("npm", ["run", "--silent", "fleet", "--", "--oauth", "--connections", "20", "--faults"],
    { cwd: ROOT, timeout: 230_000 });
  const lines = stdout.trim().split("\n");
  const summary = JSON.parse(lines.at(-1));
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  assert.equal(lines.at(-2), "OK");
  assert.deepEqual(Object.keys(summary), KEYS);
  assert.deepEqual({ ...summary, jiraCalls: 0, tokenRequests: 0, rateLimited: 0, pointsUsed: 0, pointsBudget: 0, deliveries: 0, wallMs: 0 },
    { connections: 20, synced: 19, reauthorize: 1, webhooksMissing: 0, webhooksDuplicated: 0, tokensLost: 0, jiraCalls: 0, tokenRequests: 0,
      rateLimited: 0, pointsUsed: 0, pointsBudget: 0, deliveries: 0, processedTwice: 0, wallMs: 0 });
  assert.ok(summary.pointsUsed > 0 && summary.pointsUsed <= summary.pointsBudget, "points within the budgets of the windows spent in");
  assert.match(stdout, /windows over their budget 0/);
  const [, perWindow, needed] = stdout.match(/budget round: (\d+) points\/h \((\d+) needed/).map(Number);
  assert.ok(needed > 2 * perWindow, "the last round needed more than two windows' budget");
  assert.equal(summary.deliveries, 3 * 2, "two events on each of the three sites, each one delivery (for every owner)");
  assert.ok(summary.tokenRequests >= 20 + 20, "each user's code exchange, and at least one refresh each after the tokens expired");
  assert.match(stdout, /refresh token reuse 0/);
  assert.match(stdout, /calls by revoked users 0/);
});

// ------------------------------------------------------------------------------------------------ one app, the edges

let fake, app, worker;
const ADMIN = localVars({ url: "" }).ADMIN_TOKEN;
const PREVIOUS_SECRET = "the-client-secret-before-the-rotation";

before(async () => {
  const { createServer } = await import("node:net");
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
  fake = await startFakeJira({ port: 0, seed: seedFor(`http://127.0.0.1:${port}`) });
  for (const s of ["north", "south"]) fake.site(s);
  worker = workerLog({ secret: /\b(at|rt|code)-[\w-]{20,}|Bearer|oauth-client-secret-for-tests|the-client-secret-before/, keep: true,
    keys: ["operation", "connection", "site", "status", "attempt", "durationMs", "retryAfter", "rateLimit"] });
  app = await startApp({ port, vars: { ...localVars(fake), OAUTH_CLIENT_SECRET_OLD: PREVIOUS_SECRET }, consumers: LOCAL_CONSUMERS, stdio: worker.stdio });
  for (const [user, sites] of [["ann", ["north", "south"]], ["bob", ["north"]]]) assert.equal(await connectUser(app.url, user, sites), 200);
  await syncsSettled(app.db, 30_000);
}, { timeout: 90_000 });
after(async () => {
  await app?.dispose();
  await fake?.close();
});

const connection = (user) => app.mf.getDurableObjectNamespace("CONNECTION").then((ns) => ns.get(ns.idFromName(user)).describe());
const cloudIdOf = (site) => fake.site(site).cloudId;

/** A delivery as Jira signs it for an OAuth 2.0 app: `Authorization: Bearer <HS256 JWT>` with the client secret. */
function delivery(site, { id, secret = OAUTH_CLIENT_SECRET, matched }) {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const iat = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ iss: `${fake.url}/site/${site}`, sub: "u", iat, exp: iat + 180, context: { cloudId: cloudIdOf(site) } })}`;
  const jwt = `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
  return fetch(`${app.url}/webhook`, {
    method: "POST",
    headers: { authorization: `Bearer ${jwt}`, "content-type": "application/json", "x-atlassian-webhook-identifier": id },
    body: JSON.stringify({ timestamp: Date.now(), webhookEvent: "jira:issue_created", matchedWebhookIds: matched, issue: { id: "1", key: "DEMO-7", fields: {} } }),
  });
}
const recorded = async (id) => (await app.db.prepare("SELECT user, outcome FROM deliveries WHERE delivery_id = ? ORDER BY user").bind(id).all()).results;

test("connected: each connection owns its webhooks on each of its sites; webhook ids repeat across sites", async () => {
  const ann = await connection("ann");
  const bob = await connection("bob");
  assert.deepEqual([ann.status, ann.sites.length, bob.sites.length], ["active", 2, 1]);
  for (const s of [...ann.sites, ...bob.sites]) assert.equal(s.owned.length, 2);
  const north = ann.sites.find((s) => s.cloudId === cloudIdOf("north")).owned;
  const south = ann.sites.find((s) => s.cloudId === cloudIdOf("south")).owned;
  assert.ok(north.some((id) => south.includes(id)) || bob.sites[0].owned.some((id) => south.includes(id)), "the same ids on two sites");
  assert.ok(!JSON.stringify([ann, bob]).match(/\b(at|rt)-/), "describe() shows no token");
  const owners = (await app.db.prepare("SELECT cloud_id, webhook_id, user FROM owned_webhooks").all()).results;
  assert.equal(owners.length, 6);
});

test("the callback takes a state only from the browser that started it, unexpired and signed", async () => {
  const start = await fetch(`${app.url}/connect?user=mallory`, { redirect: "manual" });
  const state = new URL(start.headers.get("location")).searchParams.get("state");
  const nonce = start.headers.get("set-cookie").split(";")[0];
  const [payload] = state.split(".");
  const forged = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url")), user: "ann" })).toString("base64url")}.${state.split(".")[1]}`;
  for (const [what, query, cookie] of [
    ["no cookie", `code=x&state=${state}`, undefined],
    ["another browser's cookie", `code=x&state=${state}`, "jira_oauth_nonce=someone-else"],
    ["a state whose user was changed", `code=x&state=${forged}`, nonce],
    ["no state", "code=x", nonce],
  ]) {
    const res = await fetch(`${app.url}/callback?${query}`, { headers: cookie ? { cookie } : {} });
    assert.equal(res.status, 400, what);
  }
  assert.equal(fake.stats().oauth.tokenRequests.authorization_code, 2, "no code was exchanged for them");
  assert.equal(await app.db.prepare("SELECT * FROM connections WHERE user = 'mallory'").first(), null);
});

test("a delivery signed with the previous client secret (during a rotation) is accepted; another secret is not", async () => {
  const matched = (await connection("bob")).sites[0].owned;
  assert.equal((await delivery("north", { id: "rot-1", secret: PREVIOUS_SECRET, matched })).status, 204);
  assert.equal((await delivery("north", { id: "rot-2", secret: "some-other-secret", matched })).status, 401);
  await until("the work", async () => (await recorded("rot-1")).length > 0, 20_000);
  assert.deepEqual(await recorded("rot-1"), [{ user: "bob", outcome: "processed" }]);
  assert.deepEqual(await recorded("rot-2"), []);
});

test("ann's tokens expired: a cron round, twenty deliveries and a resync at once make one refresh, and nothing is lost", { timeout: 60_000 }, async () => {
  // Deliveries here are signed by the test with the real clock: the fake's clock may move on.
  fake.advanceTime(61 * 60_000);
  const refreshes = () => fake.stats().oauth.tokenRequests.refresh_token;
  const before = refreshes();
  const owned = (await connection("ann")).sites.find((s) => s.cloudId === cloudIdOf("south")).owned;
  const [resync] = await Promise.all([
    fetch(`${app.url}/resync`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}` }, body: JSON.stringify({ user: "ann" }) }).then((r) => r.json()),
    app.scheduled(),
    ...Array.from({ length: 20 }, (_, i) => delivery("south", { id: `burst-${i}`, matched: owned }).then((r) => assert.equal(r.status, 204))),
  ]);
  assert.deepEqual(resync.map((r) => r.status), ["ok", "ok"]);
  await syncsSettled(app.db, 30_000);
  await until("the work", async () => (await app.db.prepare("SELECT COUNT(*) AS n FROM deliveries WHERE delivery_id LIKE 'burst-%'").first()).n === 20, 30_000);
  // bob's connection refreshed once too, in the cron round.
  assert.equal(refreshes() - before, 2, "one refresh per connection, however many calls needed a token at once");
  assert.equal(fake.stats().oauth.refreshTokenReuse, 0);
  const outcomes = (await app.db.prepare("SELECT outcome, COUNT(*) AS n FROM deliveries WHERE delivery_id LIKE 'burst-%' GROUP BY outcome").all()).results;
  assert.deepEqual(outcomes, [{ outcome: "processed", n: 20 }]);
  assert.equal((await connection("ann")).status, "active");
});

test("a revoked user: reauthorize, no more calls, deliveries acknowledged and recorded, not processed", { timeout: 60_000 }, async () => {
  fake.oauth.revoke("bob", OAUTH_APP);
  fake.advanceTime(61 * 60_000); // its access token expires: the next call refreshes, and learns of the revocation
  await app.scheduled();
  await syncsSettled(app.db, 30_000);
  assert.equal((await connection("bob")).status, "reauthorize");
  assert.deepEqual((await app.db.prepare("SELECT status FROM connections WHERE user = 'bob'").first()), { status: "reauthorize" });
  const requests = fake.requests.length;
  const matched = (await connection("bob")).sites[0].owned;
  assert.equal((await delivery("north", { id: "after-revoke", matched })).status, 204);
  await app.scheduled();
  await syncsSettled(app.db, 30_000);
  await until("the record", async () => (await recorded("after-revoke")).length > 0, 10_000);
  assert.deepEqual(await recorded("after-revoke"), [{ user: "bob", outcome: "reauthorize" }]);
  assert.deepEqual(fake.requests.slice(requests).filter((r) => r.user === "bob"), [], "bob costs no call");
  assert.ok(fake.requests.slice(requests).some((r) => r.user === "ann"), "ann was synced");
});

test("two connections syncing one site at once, both registrations' answers lost: one waits for the site's lease, each keeps its own", { timeout: 60_000 }, async () => {
  // Jira lists every user's webhooks here; after a lost answer a sync counts as its own what appeared since it listed.
  fake.site("east");
  for (const user of ["cat", "dan"]) assert.equal(await connectUser(app.url, user, ["east"]), 200);
  await syncsSettled(app.db, 30_000);
  fake.site("east").state.apps[OAUTH_APP].webhooks.splice(0); // gone: both syncs register
  // Every listing (the first ones, and those after the lost answers) takes 0.8 s: without the lease, both syncs would
  // list, register and list again side by side, and each would find the other's new webhooks.
  fake.injectFault({ type: "delay", ms: 800, operation: "getDynamicWebhooksForApp", site: "east", times: 4 });
  fake.injectFault({ type: "reset", operation: "registerDynamicWebhooks", site: "east", apply: true, times: 2 });
  const resync = (user) => fetch(`${app.url}/resync`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}` }, body: JSON.stringify({ user }) }).then((r) => r.json());
  const results = await Promise.all([resync("cat"), resync("dan")]);
  assert.deepEqual(results.map((r) => r.map((x) => x.status)), [["ok"], ["ok"]]);
  const hooks = fake.site("east").state.apps[OAUTH_APP].webhooks;
  for (const user of ["cat", "dan"]) {
    const owned = (await connection(user)).sites[0].owned;
    const theirs = hooks.filter((w) => w.user === user).map((w) => w.id).sort((a, b) => a - b);
    assert.deepEqual(owned, theirs, `${user} owns exactly the webhooks it registered`);
    assert.equal(theirs.length, 2);
  }
  assert.equal(hooks.length, 4, "no duplicate");
});

test("each Jira call is one JSON log line, without a token or a secret", () => {
  const calls = worker.entries.filter((e) => e.operation);
  assert.equal(calls.length, fake.requests.length);
  assert.equal(worker.stats.malformed, 0);
  assert.equal(worker.stats.secrets, 0);
  assert.deepEqual(Object.keys(calls.find((e) => e.status === 200)), ["operation", "connection", "site", "status", "attempt", "durationMs", "rateLimit"]);
  assert.ok(calls.some((e) => e.status === 401 && e.attempt === 1), "the expired tokens' 401s are there");
});

// Wrangler from the workspace or an example's node_modules, or wherever WRANGLER points (it is not a dependency here).
const wrangler = process.env.WRANGLER ??
  [join(ROOT, "node_modules/.bin/wrangler"), join(APP_DIR, "node_modules/.bin/wrangler")].find((p) => existsSync(p));
test("wrangler deploy --dry-run bundles both Workers examples (Durable Object, D1, Queues, the .wasm as its own module)", { skip: !wrangler && "wrangler is not installed", timeout: 240_000 }, async () => {
  // A copy of each example whose node_modules holds this repository's packed jira-webhooks, as `npm install` would.
  const { dir } = await installPackage();
  const work = mkdtempSync(join(tmpdir(), "workers-dry-run-"));
  try {
    for (const [name, appDir, bindings] of [
      ["oauth", APP_DIR, ["env.CONNECTION (Connection)", "Durable Object", "env.SYNC_QUEUE", "env.WORK_QUEUE", "env.DB"]],
      ["connect", join(APP_DIR, "../connect-app-worker"), ["env.SYNC_QUEUE", "env.DELIVERY_QUEUE", "env.DB"]],
    ]) {
      cpSync(appDir, join(work, name), { recursive: true, filter: (src) => !src.includes("node_modules") });
      symlinkSync(join(dir, "node_modules"), join(work, name, "node_modules"));
      const outdir = join(work, `${name}-out`);
      const { code, stdout, stderr } = await runProcess(wrangler, ["deploy", "--dry-run", "--outdir", outdir],
        { cwd: join(work, name), timeout: 110_000, env: { WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" } });
      assert.equal(code, 0, `${name}: ${stdout}\n${stderr}`);
      const files = readdirSync(outdir);
      assert.ok(files.includes("worker.js") && files.some((f) => f.endsWith("jira_webhooks_bg.wasm")), `${name}: ${files.join(", ")}`);
      for (const b of bindings) assert.ok(stdout.includes(b), `${name}: ${b} in\n${stdout}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
