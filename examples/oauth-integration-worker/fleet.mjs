// The whole OAuth 2.0 integration against a fleet of users and Jira sites, on this machine: the Worker in Miniflare
// (local D1, Queues, Durable Objects, cron) and the repository's fake Jira as Atlassian's authorization server,
// API gateway and N sites, with its per-app rate limit (429 + Retry-After) and points budget.
//   npm run fleet -- --oauth --connections N [--faults] [--rate-limit RPS:BURST] [--verbose]
//
// 1. N users connect, each through the Worker's /connect, the fake's consent page and the Worker's /callback, each
//    to one or two of the sites (about N/10 sites, so webhook ids repeat across sites and a site's listing holds
//    every user's webhooks); each callback queues its first syncs. Waits until every sync ended.
// Without --faults: 2. a cron round, which must write nothing; 3. two events on every site, each delivery processed
// once for every connection that owns a webhook it matched.
// With --faults, from the start: 30 % of registrations lose their answer after Jira acted, 3 % of listings are
// dropped and 3 % answered 503. Then:
// 2. 3 % of the users revoke the app. The fake's clock moves 61 minutes on (every access token expires) and the
//    token endpoint starts answering 429 and 503 now and then; then AT ONCE: a cron round, two events on every site
//    (each delivery's work calls Jira with the owners' tokens), and a manual resync of every tenth connection: the
//    same connection refreshes from three places at once. Revoked users end `reauthorize`, their deliveries are
//    recorded and not processed.
// 3. A round under a points budget of less than half of what it needs, in points windows of a few seconds (the
//    fake's clock jumps to the last seconds of each hour): it slows at NearLimit, pauses on 429, and finishes over
//    several windows. Every access token expires at each jump; revoked users must cost no call.
// Prints a summary whose last line is JSON; exits 1 when a check fails (see `checks` below).
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { startApp } from "./local.mjs";
import { eachConcurrently, freePort, syncsSettledBy, until } from "../connect-app-worker/local.mjs";
import { WEBHOOKS } from "./src/webhooks.js";
import { DEFAULT_SEED, startFakeJira } from "jira-webhooks-fake";
import { OAUTH_APP, OAUTH_CLIENT_SECRET } from "jira-webhooks-fake/helpers";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const ADMIN_TOKEN = "fleet-admin-token";
const STATE_SECRET = "fleet-state-secret";

export const FAULTS = [
  { type: "reset", operation: "registerDynamicWebhooks", apply: true, probability: 0.3 },
  { type: "reset", operation: "getDynamicWebhooksForApp", probability: 0.03 },
  { type: "status", status: 503, operation: "getDynamicWebhooksForApp", probability: 0.03 },
];
export const TOKEN_FAULTS = [
  { type: "rate-limit", operation: "oauthToken", retryAfter: 1, probability: 0.1 },
  { type: "status", status: 503, operation: "oauthToken", headers: { "Retry-After": "1" }, probability: 0.05 },
];
/** Fired on every site (the fake's default issue DEMO-1, a Task, matches both webhooks' JQL). */
export const EVENTS = [{ event: "jira:issue_created" }, { event: "comment_created" }];

/** Local settings: the fake's endpoints and secrets, backoffs of seconds, a quick pace while near the limit. */
export const localVars = (fake, { spreadSeconds = 0 } = {}) => ({
  OAUTH_CLIENT_ID: OAUTH_APP,
  OAUTH_CLIENT_SECRET,
  STATE_SECRET,
  ADMIN_TOKEN,
  OAUTH_AUTHORIZE_URL: `${fake.url}/authorize`,
  OAUTH_TOKEN_URL: `${fake.url}/oauth/token`,
  JIRA_GATEWAY_URL: fake.url,
  SYNC_SPREAD_SECONDS: String(spreadSeconds),
  NEAR_LIMIT_SYNCS_PER_MINUTE: "120",
  SYNC_BACKOFF_SECONDS: "1",
  SYNC_MAX_BACKOFF_SECONDS: "8",
  INLINE_RETRY_MAX_MS: "3000",
  JIRA_TIMEOUT_MS: "10000",
});
/** Miniflare runs one consumer invocation per queue at a time: short batch timeouts; failed work back after 1 s. */
export const LOCAL_CONSUMERS = {
  "jira-oauth-sync": { max_batch_timeout: 1 },
  "jira-oauth-work": { max_batch_timeout: 1, retry_delay: 1 },
};

/** The default seed, with the Worker's callback URL registered for the OAuth 2.0 app. */
export function seedFor(appUrl) {
  const seed = structuredClone(DEFAULT_SEED);
  for (const app of seed.apps) if (app.type === "oauth") app.redirectUris = [...(app.redirectUris ?? []), `${appUrl}/callback`];
  return seed;
}

export { until };

/** Resolves when no (connection, site) has a sync queued or retrying; logs the counts every 10 s. */
export const syncsSettled = (db, timeoutMs, log) =>
  syncsSettledBy(db, "SELECT sync_status AS status, COUNT(*) AS n FROM connection_sites GROUP BY sync_status", timeoutMs, log);

/**
 * A user connects as a browser would: the Worker's /connect (302 and a cookie), the fake's consent page (302 with a
 * code; `user` and `site` are the fake's own parameters: who consents, to which sites), the Worker's /callback.
 * @returns {Promise<number>} the callback's status
 */
export async function connectUser(appUrl, user, sites) {
  const start = await fetch(`${appUrl}/connect?user=${encodeURIComponent(user)}`, { redirect: "manual" });
  const cookie = start.headers.get("set-cookie")?.split(";")[0];
  const consent = new URL(start.headers.get("location"));
  consent.searchParams.set("user", user);
  for (const s of sites) consent.searchParams.append("site", s);
  const granted = await fetch(consent, { redirect: "manual" });
  const callback = granted.headers.get("location");
  if (granted.status !== 302 || !callback) return granted.status;
  const done = await fetch(callback, { headers: { cookie } });
  await done.arrayBuffer();
  return done.status;
}

/** The layout: `connections` users over ceil(N/10) (at least 3) sites; every fourth user also on the next site. */
export function layout(connections) {
  const siteCount = Math.max(3, Math.ceil(connections / 10));
  const sites = Array.from({ length: siteCount }, (_, i) => `site-${String(i + 1).padStart(4, "0")}`);
  const users = Array.from({ length: connections }, (_, i) => ({
    user: `user-${String(i + 1).padStart(5, "0")}`,
    sites: i % 4 === 3 ? [sites[i % siteCount], sites[(i + 1) % siteCount]] : [sites[i % siteCount]],
  }));
  return { sites, users };
}

/** Per (user, site) of `users`: the desired webhooks the user holds there, missing and duplicated. */
export function checkWebhooks(fake, users, url) {
  const key = (w) => JSON.stringify([[...w.events].sort(), w.jqlFilter]);
  let missing = 0;
  let duplicated = 0;
  const now = fake.now();
  for (const { user, sites } of users) {
    for (const site of sites) {
      const live = fake.site(site).state.apps[OAUTH_APP].webhooks.filter((w) => w.user === user && w.url === url && w.expirationDate >= now);
      for (const desired of WEBHOOKS) {
        const n = live.filter((w) => key(w) === key(desired)).length;
        if (n === 0) missing++;
        if (n > 1) duplicated += n - 1;
      }
    }
  }
  return { missing, duplicated };
}

/** Webhooks a user deleted that another user had registered (a sync must never do that). */
export function foreignDeletes(fake) {
  const owner = new Map();
  let n = 0;
  for (const a of fake.applied) {
    if (a.app !== OAUTH_APP) continue;
    if (a.operation === "registerDynamicWebhooks") for (const id of a.ids) owner.set(`${a.site}/${id}`, a.user);
    if (a.operation === "deleteWebhookById") for (const id of a.ids) if (owner.get(`${a.site}/${id}`) !== a.user) n++;
  }
  return n;
}

/**
 * Tracks the points the app spent: the fake reports the current window only, so this samples it every 100 ms and
 * keeps, per window, the largest use seen and the window's budget. With `tailSeconds`, it also keeps the fake's
 * clock in the last `tailSeconds` of its hour: at each new window it jumps there, so a window lasts that long in
 * wall time.
 */
function pointsMeter(fake) {
  /** windowStart -> { used, budget } */
  const windows = new Map();
  let tailMs = 0;
  const sample = () => {
    const p = fake.stats().points;
    if (!p) return;
    const u = p.apps[OAUTH_APP]?.used ?? 0;
    const w = windows.get(p.windowStart);
    windows.set(p.windowStart, { used: Math.max(w?.used ?? 0, u), budget: p.pointsPerHour });
    if (tailMs) {
      const position = fake.now() % HOUR;
      if (position < HOUR - tailMs) fake.advanceTime(HOUR - tailMs - position);
    }
  };
  const timer = setInterval(sample, 100);
  return {
    sample,
    /** Windows of `seconds` from now on (0: the clock runs normally). */
    windows(seconds) {
      tailMs = seconds * 1000;
      sample();
    },
    /**
     * Over the windows points were spent in: `used` (all the points), `budget` (their budgets added up: what the
     * app was allowed), `windows` (how many) and `over`, those that went over their budget by more than one answer's
     * objects. Jira admits a request while the window has points left and charges the objects it returns afterwards
     * (up to 100, a page), so the last request of a spent window may end a little over; more than that would mean
     * calls made past a refusal.
     */
    usage() {
      sample();
      const spent = [...windows.values()].filter((w) => w.used > 0);
      const sum = (key) => spent.reduce((a, w) => a + w[key], 0);
      return { used: sum("used"), budget: sum("budget"), windows: spent.length, over: spent.filter((w) => w.used > w.budget + 100).length };
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * The worker's console: each Jira call is one JSON line (`operation`, `status`, `attempt`, `durationMs`,
 * `rateLimit`); counts them and checks that none holds a token or the client secret.
 */
function callLog(verbose) {
  const stats = { calls: 0, lines: 0, notJson: 0, secrets: 0, reauthorize: 0, nearLimit: 0, byStatus: {}, deferred: {} };
  const secret = new RegExp(`\\b(at|rt|code)-[A-Za-z0-9_-]{20,}|Bearer|${OAUTH_CLIENT_SECRET}|${STATE_SECRET}|${ADMIN_TOKEN}`);
  const read = (stream, other) => createInterface({ input: stream }).on("line", (line) => {
    if (!line.startsWith("{")) {
      if (verbose || /error/i.test(line)) other.write(`${line}\n`);
      return;
    }
    stats.lines++;
    if (secret.test(line)) stats.secrets++;
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      stats.notJson++;
      return;
    }
    if (entry.operation) {
      stats.calls++;
      stats.byStatus[entry.status] = (stats.byStatus[entry.status] ?? 0) + 1;
      const keys = ["operation", "connection", "site", "status", "attempt", "durationMs", "retryAfter", "rateLimit"];
      if (Object.keys(entry).some((k) => !keys.includes(k))) stats.notJson++;
    }
    if (entry.rateLimit?.nearLimit === "true" && entry.status < 300) stats.nearLimit++;
    if (entry.event === "reauthorize") stats.reauthorize++;
    if (entry.event === "sync-deferred") stats.deferred[entry.reason] = (stats.deferred[entry.reason] ?? 0) + 1;
  });
  return { stats, stdio: (stdout, stderr) => { read(stdout, process.stdout); read(stderr, process.stderr); } };
}

/**
 * @param {{ connections: number, faults?: boolean, rateLimit?: { requestsPerSecond: number, burst: number },
 *   log?: (line: string) => void, verbose?: boolean }} options
 */
export async function runOAuthFleet({ connections, faults = false, rateLimit = { requestsPerSecond: 100, burst: 100 }, log = console.log, verbose = false }) {
  const started = Date.now();
  const { sites, users } = layout(connections);
  const siteConnections = users.reduce((n, u) => n + u.sites.length, 0);
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const pointsPerHour = 65_000; // Atlassian's tier 1, as its staff reported it
  const fake = await startFakeJira({ port: 0, seed: seedFor(appUrl), rateLimit, pointsPerHour, faultSeed: 7 });
  for (const s of sites) fake.site(s);
  // An hour back, so that moving on later expires every access token while deliveries' JWTs stay within the
  // receiver's clock skew (the fake signs them with its clock).
  if (faults) fake.advanceTime(-(HOUR + MINUTE));
  const meter = pointsMeter(fake);
  const calls = callLog(verbose);
  const spreadSeconds = Math.ceil(siteConnections / (0.8 * rateLimit.requestsPerSecond));
  const app = await startApp({ port, vars: localVars(fake, { spreadSeconds }), consumers: LOCAL_CONSUMERS, stdio: calls.stdio, log: verbose });
  const { db } = app;
  const settleMs = 120_000 + siteConnections * 600;
  const checks = [];
  const check = (ok, what) => {
    if (!ok) checks.push(what);
  };
  try {
    if (faults) FAULTS.forEach((f) => fake.injectFault(f));
    log(`fake Jira ${fake.url}: ${sites.length} sites, ${connections} users (${siteConnections} connection-sites), rate limit ` +
      `${rateLimit.requestsPerSecond}/s (burst ${rateLimit.burst}), ${pointsPerHour} points/h${faults ? `, faults ${JSON.stringify(FAULTS)}` : ""}`);
    log(`worker ${appUrl} in Miniflare; a cron round is spread over ${spreadSeconds} s`);

    // 1. Every user connects; each callback queues the first sync of each of its sites.
    const statuses = {};
    await eachConcurrently(users, 8, async ({ user, sites: granted }) => {
      const status = await connectUser(appUrl, user, granted).catch((e) => `error ${e.message}`);
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
    log(`connected: ${JSON.stringify(statuses)} in ${Date.now() - started} ms`);
    check(statuses[200] === connections, "every user connected");
    await syncsSettled(db, settleMs, log);
    const first = fake.stats();
    log(`first syncs done in ${Date.now() - started} ms: ${JSON.stringify(first.total.requests)}, ${first.total.rateLimited} rate-limited, ` +
      `token requests ${JSON.stringify(first.oauth.tokenRequests)}`);

    const revoked = new Set();
    const expected = new Map(); // "cloudId/deliveryId/user" -> outcome
    const emitEvents = () => {
      for (const site of sites) {
        const { cloudId } = fake.site(site);
        const owner = new Map(fake.site(site).state.apps[OAUTH_APP].webhooks.map((w) => [w.id, w.user]));
        for (const e of EVENTS) {
          for (const d of fake.emit({ ...e, site }).deliveries) {
            if (d.app !== OAUTH_APP) continue;
            for (const user of new Set(d.matchedWebhookIds.map((id) => owner.get(id)))) {
              expected.set(`${cloudId}/${d.id}/${user}`, revoked.has(user) ? "reauthorize" : "processed");
            }
          }
        }
      }
    };
    const recorded = async () => (await db.prepare("SELECT COUNT(*) AS n FROM deliveries").first()).n;

    if (!faults) {
      // 2. The cron: a round that must find everything in place. 3. Events on every site.
      const before = fake.stats().total;
      await app.scheduled();
      await syncsSettled(db, settleMs, log);
      const after = fake.stats().total;
      const writes = ["registerDynamicWebhooks", "deleteWebhookById"].reduce((n, op) => n + (after.requests[op] ?? 0) - (before.requests[op] ?? 0), 0);
      log(`cron round: ${(after.requests.getDynamicWebhooksForApp ?? 0) - (before.requests.getDynamicWebhooksForApp ?? 0)} listings, ${writes} writes`);
      check(writes === 0, "the cron round wrote nothing");
      emitEvents();
    } else {
      // 2. Revocations, then expired tokens and token-endpoint faults, then cron + deliveries + resyncs at once.
      users.filter((_, i) => i % 33 === 16).forEach(({ user }) => revoked.add(user) && fake.oauth.revoke(user, OAUTH_APP));
      meter.sample();
      fake.advanceTime(HOUR + MINUTE + 30_000);
      TOKEN_FAULTS.forEach((f) => fake.injectFault(f));
      const before = fake.stats();
      const t = Date.now();
      const resyncs = users.filter((_, i) => i % 10 === 0);
      const resynced = {};
      await Promise.all([
        app.scheduled(),
        Promise.resolve().then(emitEvents),
        eachConcurrently(resyncs, 8, async ({ user }) => {
          const res = await fetch(`${appUrl}/resync`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" }, body: JSON.stringify({ user }) });
          await res.arrayBuffer();
          resynced[res.status] = (resynced[res.status] ?? 0) + 1;
        }),
      ]);
      await fake.deliveriesSettled();
      await syncsSettled(db, settleMs, log);
      await until("the deliveries' work", async () => (await recorded()) >= expected.size, settleMs);
      // Syncs per second the Worker managed here (with everything else going on: a lower bound).
      const rate = (siteConnections + resyncs.reduce((n, u) => n + u.sites.length, 0)) / ((Date.now() - t) / 1000);
      const after = fake.stats();
      log(`revoked ${revoked.size} users; cron + ${expected.size} deliveries' work + ${resyncs.length} resyncs (${JSON.stringify(resynced)}) at once, ` +
        `tokens expired: ${Date.now() - t} ms, ${JSON.stringify(diff(after.total.requests, before.total.requests))}, ` +
        `token requests ${JSON.stringify(diff(after.oauth.tokenRequests, before.oauth.tokenRequests))}, ` +
        `token faults answered ${after.oauth.faults - before.oauth.faults}, invalid_grant ${after.oauth.invalidGrant - before.oauth.invalidGrant}`);

      // 3. The last round under a tight budget, in short points windows: what ~70 % of a window at the rate above
      // would spend, and at most half of what the round needs, so that it reaches NearLimit in each window.
      const active = users.filter((u) => !revoked.has(u.user));
      const listed = (site) => fake.site(site).state.apps[OAUTH_APP].webhooks.length;
      const syncs = active.reduce((n, u) => n + u.sites.length, 0);
      const need = active.reduce((n, u) => n + u.sites.reduce((m, s) => m + 1 + listed(s), 0), 0);
      const windowSeconds = Math.max(4, Math.min(30, Math.round(connections / 33)));
      const budget = Math.max(3 * Math.ceil(need / syncs), Math.min(Math.ceil(need / 2), Math.ceil(0.7 * rate * windowSeconds * (need / syncs))));
      meter.sample();
      const now = fake.now();
      let target = Math.floor((now + HOUR + MINUTE) / HOUR) * HOUR + HOUR - windowSeconds * 1000;
      if (target < now + HOUR + MINUTE) target += HOUR;
      fake.advanceTime(target - now);
      fake.setPointsPerHour(budget);
      meter.windows(windowSeconds);
      const requestsBefore = fake.requests.length;
      const deferredBefore = { ...calls.stats.deferred };
      const before3 = fake.stats();
      const t3 = Date.now();
      await app.scheduled();
      await syncsSettled(db, settleMs, log);
      meter.windows(0);
      const after3 = fake.stats();
      const byRevoked = fake.requests.slice(requestsBefore).filter((r) => revoked.has(r.user)).length;
      const pace = await db.prepare("SELECT * FROM pacing").first();
      log(`budget round: ${budget} points/h (${need} needed; ${rate.toFixed(1)} syncs/s before), windows of ${windowSeconds} s: ${Date.now() - t3} ms, ` +
        `${JSON.stringify(diff(after3.total.requests, before3.total.requests))}, ` +
        `${JSON.stringify(diff(after3.total.rateLimitedByReason, before3.total.rateLimitedByReason))} rate-limited by reason, ` +
        `syncs deferred ${JSON.stringify(diff(calls.stats.deferred, deferredBefore))}, calls by revoked users ${byRevoked}; pacing ${JSON.stringify(pace)}`);
      check(byRevoked === 0, "revoked users cost no call");
      const slowed = ["near-limit", "paused"].reduce((n, k) => n + (calls.stats.deferred[k] ?? 0) - (deferredBefore[k] ?? 0), 0);
      check(slowed > 0, "the budget slowed the round");
    }

    await fake.deliveriesSettled();
    await until("the deliveries' work", async () => (await recorded()) >= expected.size, settleMs);
    await sleep(1500); // anything queued twice would be recorded by now
    meter.stop();

    const wallMs = Date.now() - started;
    const stats = fake.stats();
    const active = users.filter((u) => !revoked.has(u.user));
    const { missing, duplicated } = checkWebhooks(fake, active, `${appUrl}/webhook`);
    const notSynced = (await db.prepare(
      `SELECT c.user, s.cloud_id, s.sync_status, s.sync_detail FROM connections c JOIN connection_sites s ON s.user = c.user
       WHERE c.status = 'active' AND s.sync_status <> 'ok'`).all()).results;
    if (notSynced.length) log(`not synced: ${JSON.stringify(notSynced.slice(0, 5))}`);
    const reauthorized = (await db.prepare("SELECT user FROM connections WHERE status = 'reauthorize'").all()).results.map((r) => r.user);
    const tokensLost = reauthorized.filter((u) => !revoked.has(u)).length;
    const synced = active.length - new Set(notSynced.map((r) => r.user)).size;
    const rows = (await db.prepare("SELECT cloud_id, delivery_id, user, outcome FROM deliveries").all()).results;
    const twice = (await db.prepare("SELECT COUNT(*) AS n FROM (SELECT 1 FROM deliveries GROUP BY cloud_id, delivery_id, user HAVING COUNT(*) > 1)").first()).n;
    const got = new Map(rows.map((r) => [`${r.cloud_id}/${r.delivery_id}/${r.user}`, r.outcome]));
    const wrong = [...expected].filter(([k, outcome]) => got.get(k) !== outcome);
    const extra = rows.filter((r) => !expected.has(`${r.cloud_id}/${r.delivery_id}/${r.user}`));
    if (wrong.length || extra.length) log(`deliveries not as expected: ${JSON.stringify(wrong.slice(0, 5))} extra ${JSON.stringify(extra.slice(0, 5))}`);
    const outcomes = rows.reduce((o, r) => ((o[r.outcome] = (o[r.outcome] ?? 0) + 1), o), {});
    const foreign = foreignDeletes(fake);
    log(`jira calls by operation: ${JSON.stringify(stats.total.requests)}; token requests ${JSON.stringify(stats.oauth.tokenRequests)}, ` +
      `refresh token reuse ${stats.oauth.refreshTokenReuse}, invalid_grant ${stats.oauth.invalidGrant}, revocations ${stats.oauth.revocations}`);
    log(`deliveries' work: ${JSON.stringify(outcomes)} for ${expected.size} (delivery, connection) pairs; other users' webhooks deleted ${foreign}`);
    log(`worker log: ${calls.stats.calls} call lines (the fake saw ${fake.requests.length} requests), ` +
      `${calls.stats.notJson} malformed, ${calls.stats.secrets} with a secret; by status ${JSON.stringify(calls.stats.byStatus)}`);
    check(missing === 0 && duplicated === 0, "every connection holds each webhook once");
    check(tokensLost === 0, "no token lost");
    check(reauthorized.length === revoked.size, "reauthorize = the revoked users");
    check(synced === active.length, "every active connection synced");
    check(twice === 0 && !wrong.length && !extra.length, "each delivery's work done once, for its owners only");
    check(foreign === 0, "no sync deleted another user's webhook");
    check(stats.oauth.refreshTokenReuse === 0, "no spent refresh token presented again");
    check(calls.stats.secrets === 0 && calls.stats.notJson === 0 && calls.stats.calls === fake.requests.length, "one clean JSON line per call, no secret");
    check(fake.selfCheckFailures.length === 0, "the fake answered by the spec");
    const points = meter.usage();
    log(`points: ${points.used} spent over ${points.windows} windows whose budgets add up to ${points.budget}; windows over their budget ${points.over}`);
    check(points.over === 0 && points.used <= points.budget, "points within the budget");

    const summary = {
      connections, synced, reauthorize: reauthorized.length, webhooksMissing: missing,
      webhooksDuplicated: duplicated, tokensLost,
      jiraCalls: Object.values(stats.total.requests).reduce((a, b) => a + b, 0),
      tokenRequests: Object.values(stats.oauth.tokenRequests).reduce((a, b) => a + b, 0),
      rateLimited: stats.total.rateLimited, pointsUsed: points.used, pointsBudget: points.budget,
      deliveries: new Set(rows.map((r) => `${r.cloud_id}/${r.delivery_id}`)).size, processedTwice: twice, wallMs,
    };
    const ok = checks.length === 0;
    log(ok ? "OK" : `FAILED: ${checks.join("; ")}`);
    log(JSON.stringify(summary));
    return { ok, summary };
  } finally {
    meter.stop();
    await app.dispose();
    await fake.close();
  }
}

const diff = (after, before) => Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => v));

/** `npm run fleet -- --oauth --connections N [--faults] [--rate-limit RPS:BURST] [--verbose]` */
export async function main(args) {
  const { values } = parseArgs({
    args,
    options: { oauth: { type: "boolean", default: true }, connections: { type: "string", default: "20" }, faults: { type: "boolean", default: false },
      "rate-limit": { type: "string", default: "100:100" }, verbose: { type: "boolean", default: false } },
  });
  const connections = Number(values.connections);
  const [requestsPerSecond, burst = requestsPerSecond] = values["rate-limit"].split(":").map(Number);
  if (!Number.isInteger(connections) || connections < 1 || !(requestsPerSecond > 0)) {
    console.error("usage: fleet.mjs --oauth --connections N [--faults] [--rate-limit RPS:BURST] [--verbose]");
    return 2;
  }
  const { ok } = await runOAuthFleet({ connections, faults: values.faults, rateLimit: { requestsPerSecond, burst }, verbose: values.verbose });
  return ok ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) process.exit(await main(process.argv.slice(2)));
