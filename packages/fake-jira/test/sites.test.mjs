// node --test packages/fake-jira/test/ — many sites, the Connect install lifecycle, the per-app rate limit, stats.
import { describe, it, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import * as jwt from "atlassian-jwt";
import { useFake } from "../node-test.mjs";
import { startFakeJira } from "../server.mjs";
import { AUTH, CONNECT_APP, CONNECT_SECRET, CONNECT_CLIENT_KEY, OAUTH_PREFIX, call, hooks, startReceiver } from "../helpers.mjs";

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
let app; // the Connect app's server: lifecycle callbacks under /app, webhooks at /app/hook
let answer = () => 204;

// Registered before useFake's hooks, so this runs before its reset, as it always has.
beforeEach(() => {
  answer = () => 204;
  app.received.length = 0;
});
const fake = useFake({ now: () => T0, deliveryRetryDelaysMs: [1] });
before(async () => {
  app = await startReceiver((r, n) => answer(r, n));
});
after(() => app.close());

const appBaseUrl = () => `${app.url}/app`;
/** A Connect JWT for a call to Jira: iss = app key, qsh of the path relative to the site's base URL. */
const connectJwt = (secret, method, pathAndQuery) =>
  `JWT ${jwt.encodeSymmetric({ iss: CONNECT_APP, iat: T0 / 1000, exp: T0 / 1000 + 180, qsh: jwt.createQueryStringHash(jwt.fromMethodAndUrl(method, pathAndQuery), false, "") }, secret)}`;
/** Calls a site the way an installed app does: `${baseUrl}/rest/…` with a JWT signed with the sharedSecret. */
const asApp = (install, method, path, body) =>
  call({ url: install.baseUrl }, method, path, { body, auth: connectJwt(install.sharedSecret, method, path) });
const received = (path) => app.received.filter((r) => r.path === path);

/** Installs the app on a site and returns the `installed` payload the app received. */
async function install(site) {
  assert.equal(await fake.installApp({ site, appBaseUrl: appBaseUrl() }), 204);
  return received("/app/installed").at(-1).json;
}

describe("many sites", () => {
  it("each site has its own state, ids and delivery identifiers under /site/<name>; JWT qsh is relative to the site", async () => {
    const alpha = await install("alpha");
    const beta = await install("beta");
    assert.notEqual(alpha.sharedSecret, beta.sharedSecret);
    assert.notEqual(alpha.clientKey, beta.clientKey);
    const body = { url: `${app.url}/app/hook`, webhooks: [{ events: ["jira:issue_created"], jqlFilter: "project = DEMO" }] };
    for (const site of [alpha, beta]) {
      const r = await asApp(site, "POST", "/rest/api/2/webhook", body);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.webhookRegistrationResult, [{ createdWebhookId: 10000 }], "ids are per site");
    }
    await asApp(alpha, "POST", "/rest/api/2/webhook", body);
    const listed = await asApp(alpha, "GET", "/rest/api/2/webhook?maxResults=1");
    assert.equal(listed.json.total, 2);
    assert.equal(listed.json.nextPage, `${alpha.baseUrl}/rest/api/2/webhook?maxResults=1&startAt=1`);
    assert.equal((await asApp(beta, "GET", "/rest/api/3/webhook")).json.total, 1);
    assert.equal((await call(fake, "GET", "/rest/api/3/webhook")).json.total, 0, "the default site is apart");
    assert.equal((await call({ url: alpha.baseUrl }, "GET", "/rest/api/3/webhook", { auth: connectJwt(beta.sharedSecret, "GET", "/rest/api/3/webhook") })).status, 401, "another site's secret");
    assert.equal(fake.applied.at(-1).site, "alpha");

    const a = fake.emit({ event: "jira:issue_created", site: "alpha" });
    const b = fake.emit({ event: "jira:issue_created", site: "beta" });
    await fake.deliveriesSettled();
    assert.deepEqual([a.deliveries.map((d) => [d.id, d.matchedWebhookIds]), b.deliveries.map((d) => [d.id, d.matchedWebhookIds])], [[["1", [10000, 10001]]], [["1", [10000]]]]);
    const issuer = (req) => jwt.decodeSymmetric(req.headers.authorization.slice(4), "", jwt.SymmetricAlgorithm.HS256, true).iss;
    for (const site of [alpha, beta]) {
      const req = received("/app/hook").find((r) => issuer(r) === site.clientKey);
      const claims = jwt.decodeSymmetric(req.headers.authorization.slice(4), site.sharedSecret, jwt.SymmetricAlgorithm.HS256);
      assert.equal(claims.iss, site.clientKey);
      assert.equal(claims.qsh, jwt.createQueryStringHash(jwt.fromMethodAndUrl("POST", req.url), false, appBaseUrl()), "qsh of /hook, relative to the app's baseUrl");
      assert.equal(req.json.issue.self, `${site.baseUrl}/rest/api/2/issue/10001`);
    }
    assert.deepEqual(fake.sites.sort(), ["alpha", "beta", "default"]);
  });

  it("a site is also created by first use, with derived secrets the fake exposes; /site/default is the default site", async () => {
    const gamma = fake.site("gamma");
    assert.equal(gamma.state.apps[CONNECT_APP].installed, true);
    const secret = gamma.state.apps[CONNECT_APP].sharedSecret;
    assert.notEqual(secret, CONNECT_SECRET);
    const r = await call(fake, "POST", "/site/delta/rest/api/3/webhook", { body: hooks(1) });
    assert.equal(r.status, 200, "Basic credentials of the seed work on every site");
    const sites = (await call(fake, "GET", "/_fake/sites", { auth: null })).json;
    assert.deepEqual(sites.map((s) => s.name), ["default", "gamma", "delta"]);
    assert.deepEqual(sites[0], {
      name: "default", baseUrl: fake.url, clientKey: CONNECT_CLIENT_KEY, cloudId: "11111111-2222-3333-4444-555555555555",
      apps: { [CONNECT_APP]: { type: "connect", installed: true, sharedSecret: CONNECT_SECRET, webhooks: 0 }, "oauth-client-id-123": { type: "oauth", installed: true, webhooks: 0 } },
    });
    assert.equal(sites[1].apps[CONNECT_APP].sharedSecret, secret);
    assert.equal((await call(fake, "GET", "/_fake/state?site=delta", { auth: null })).json.apps[CONNECT_APP].webhooks.length, 1);
    assert.equal((await call(fake, "GET", "/site/default/rest/api/3/webhook", { auth: connectJwt(CONNECT_SECRET, "GET", "/rest/api/3/webhook") })).status, 200);
    for (const bad of ["/site/UPPER/rest/api/3/webhook", "/site/a_b/rest/api/3/webhook"]) assert.equal((await call(fake, "GET", bad)).status, 404);
  });

  it("OAuth 2.0 routes reach a site by its cloudId", async () => {
    const { cloudId } = fake.site("epsilon");
    const r = await call(fake, "POST", `/ex/jira/${cloudId}/rest/api/3/webhook`, { body: hooks(1), auth: AUTH.oauth });
    assert.equal(r.status, 200);
    assert.equal(fake.site("epsilon").state.apps["oauth-client-id-123"].webhooks.length, 1);
    assert.equal((await call(fake, "GET", `${OAUTH_PREFIX}/rest/api/3/webhook`, { auth: AUTH.oauth })).json.total, 0);
  });
});

describe("the Connect install lifecycle", () => {
  it("POSTs `installed` with an RS256 JWT verifiable with the public key served by kid", async () => {
    const payload = await install("alpha");
    const req = received("/app/installed")[0];
    assert.equal(req.method, "POST");
    assert.equal(req.headers["content-type"], "application/json");
    const token = req.headers.authorization.replace(/^JWT /, "");
    const kid = jwt.getKeyId(token);
    assert.equal(jwt.getAlgorithm(token), "RS256");
    const key = await call(fake, "GET", `/_fake/connect-keys/${kid}`, { auth: null });
    assert.equal(key.status, 200);
    assert.match(key.text, /^-----BEGIN PUBLIC KEY-----/);
    const claims = jwt.decodeAsymmetric(token, key.text, jwt.AsymmetricAlgorithm.RS256);
    assert.deepEqual([claims.iss, claims.aud], [payload.clientKey, [appBaseUrl()]]);
    assert.equal(claims.qsh, jwt.createQueryStringHash(jwt.fromMethodAndUrl("POST", "/installed"), false, ""));
    assert.ok(claims.exp > claims.iat);
    assert.equal((await call(fake, "GET", "/_fake/connect-keys/nope", { auth: null })).status, 404);
    const site = fake.site("alpha");
    assert.deepEqual(payload, {
      key: CONNECT_APP, clientKey: site.clientKey, sharedSecret: site.state.apps[CONNECT_APP].sharedSecret, serverVersion: payload.serverVersion,
      pluginsVersion: payload.pluginsVersion, baseUrl: `${fake.url}/site/alpha`, displayUrl: `${fake.url}/site/alpha`, productType: "jira",
      description: `Atlassian JIRA at ${fake.url}/site/alpha`, eventType: "installed", cloudId: site.cloudId,
    });
  });

  it("uninstalling removes the app's webhooks on that site, stops its deliveries and refuses its JWTs", async () => {
    const alpha = await install("alpha");
    const beta = await install("beta");
    const body = { url: `${app.url}/app/hook`, webhooks: [{ events: ["jira:issue_created"], jqlFilter: "project = DEMO" }] };
    await asApp(alpha, "POST", "/rest/api/3/webhook", body);
    await asApp(beta, "POST", "/rest/api/3/webhook", body);
    assert.equal(await fake.uninstallApp({ site: "alpha", appBaseUrl: appBaseUrl() }), 204);
    const req = received("/app/uninstalled")[0];
    assert.equal(req.json.eventType, "uninstalled");
    assert.equal(req.json.clientKey, alpha.clientKey);
    const key = await fake.connectPublicKey(jwt.getKeyId(req.headers.authorization.slice(4)));
    assert.equal(jwt.decodeAsymmetric(req.headers.authorization.slice(4), key, jwt.AsymmetricAlgorithm.RS256).iss, alpha.clientKey);
    assert.deepEqual(fake.site("alpha").state.apps[CONNECT_APP].webhooks, []);
    assert.deepEqual(fake.emit({ event: "jira:issue_created", site: "alpha" }).deliveries, []);
    assert.equal(fake.emit({ event: "jira:issue_created", site: "beta" }).deliveries.length, 1);
    const refused = await asApp(alpha, "GET", "/rest/api/3/webhook");
    assert.equal(refused.status, 401);
    assert.match(refused.json.errorMessages[0], /not installed/);
    assert.equal((await call(fake, "GET", "/site/alpha/rest/api/3/webhook")).status, 403, "Basic: no longer the app");
    await install("alpha");
    assert.equal((await asApp(alpha, "GET", "/rest/api/3/webhook")).status, 200, "installed again");
    await fake.deliveriesSettled();
  });

  it("an install the app does not accept leaves it uninstalled; POST /_fake/install answers the status", async () => {
    answer = (r) => (r.path === "/app/installed" ? 500 : 204);
    const r = await call(fake, "POST", "/_fake/install", { body: { site: "zeta", appBaseUrl: appBaseUrl() }, auth: null });
    assert.deepEqual(r.json, { ok: true, status: 500 });
    assert.equal(fake.site("zeta").state.apps[CONNECT_APP].installed, false);
    const bad = await call(fake, "POST", "/_fake/install", { body: { site: "zeta", appBaseUrl: "http://127.0.0.1:1/app" }, auth: null });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error, /installed callback .* failed/);
    await assert.rejects(fake.installApp({ site: "zeta", appBaseUrl: "ftp://x" }), /appBaseUrl/);
    await assert.rejects(fake.installApp({ site: "zeta", appBaseUrl: appBaseUrl(), appKey: "oauth-client-id-123" }), /no Connect app/);
  });
});

describe("the per-app rate limit", () => {
  it("answers 429 with Retry-After and Jira's headers across all sites of the app, without applying the request", async () => {
    fake.setRateLimit({ requestsPerSecond: 10, burst: 2 });
    assert.equal((await call(fake, "GET", "/rest/api/3/webhook")).status, 200);
    assert.equal((await call(fake, "GET", "/site/alpha/rest/api/3/webhook")).status, 200);
    const r = await call(fake, "POST", "/site/beta/rest/api/3/webhook", { body: hooks(1) });
    assert.equal(r.status, 429);
    assert.equal(r.headers.get("retry-after"), "1");
    assert.equal(r.headers.get("x-ratelimit-limit"), "2");
    assert.equal(r.headers.get("x-ratelimit-remaining"), "0");
    assert.equal(r.headers.get("x-ratelimit-reset"), "2026-06-01T12:00Z");
    assert.equal(r.headers.get("ratelimit-reason"), "jira-burst-based");
    assert.deepEqual(r.json, { errorMessages: ["Rate limit exceeded."], errors: {} });
    assert.deepEqual(fake.site("beta").state.apps[CONNECT_APP].webhooks, []);
    assert.equal((await call(fake, "GET", `${OAUTH_PREFIX}/rest/api/3/webhook`, { auth: AUTH.oauth })).status, 200, "another app has its own bucket");
    assert.equal((await call(fake, "GET", "/rest/api/3/webhook", { auth: AUTH.plain })).status, 403, "not an app: not limited");
    assert.equal(fake.stats().sites.beta.rateLimited, 1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal((await call(fake, "GET", "/rest/api/3/webhook")).status, 200, "a token again after 100 ms");
  });

  it("is set at start or through /_fake/rate-limit, and reset goes back to the start option", async () => {
    const f = await startFakeJira({ rateLimit: { requestsPerSecond: 100, burst: 1 } });
    try {
      assert.deepEqual((await call(f, "GET", "/_fake/rate-limit", { auth: null })).json, { requestsPerSecond: 100, burst: 1 });
      assert.equal((await call(f, "GET", "/rest/api/3/webhook")).status, 200);
      assert.equal((await call(f, "GET", "/rest/api/3/webhook")).status, 429);
      assert.equal((await call(f, "POST", "/_fake/rate-limit", { raw: "null", auth: null })).status, 200);
      assert.equal(f.rateLimit, null);
      assert.equal((await call(f, "GET", "/rest/api/3/webhook")).status, 200);
      assert.equal((await call(f, "POST", "/_fake/rate-limit", { body: { burst: 3 }, auth: null })).status, 400);
      f.reset();
      assert.deepEqual(f.rateLimit, { requestsPerSecond: 100, burst: 1 });
    } finally {
      await f.close();
    }
  });
});

describe("faults for fleets", () => {
  it("target one site, and hit with a seeded probability (unlimited times) so that runs repeat", async () => {
    const run = async () => {
      fake.reset();
      fake.injectFault({ type: "status", status: 503, site: "alpha", probability: 0.3 });
      const statuses = [];
      for (let i = 0; i < 30; i++) statuses.push((await call(fake, "GET", "/site/alpha/rest/api/3/webhook")).status);
      assert.equal((await call(fake, "GET", "/rest/api/3/webhook")).status, 200, "other sites untouched");
      return statuses;
    };
    const first = await run();
    const failures = first.filter((s) => s === 503).length;
    assert.ok(failures > 3 && failures < 20, `${failures} of 30`);
    assert.deepEqual(await run(), first, "the same sequence after a reset");
    assert.equal(fake.faults.length, 1, "still there");
  });

  it("reset with apply:true on one site: applied there, the connection dropped", async () => {
    fake.injectFault({ type: "reset", apply: true, site: "alpha", operation: "registerDynamicWebhooks" });
    assert.equal((await call(fake, "POST", "/rest/api/3/webhook", { body: hooks(1) })).status, 200);
    await assert.rejects(call(fake, "POST", "/site/alpha/rest/api/3/webhook", { body: hooks(1) }));
    assert.equal(fake.state.apps[CONNECT_APP].webhooks.length, 1);
    assert.equal(fake.site("alpha").state.apps[CONNECT_APP].webhooks.length, 1);
  });
});

describe("stats", () => {
  it("per site and in total: requests by operation, rate-limited, webhooks, duplicates, deliveries", async () => {
    const url = `${app.url}/app/hook`;
    const same = { events: ["jira:issue_updated", "jira:issue_created"], jqlFilter: "project = DEMO", fieldIdsFilter: ["b", "a"] };
    await call(fake, "POST", "/rest/api/3/webhook", { body: { url, webhooks: [same, { ...same, events: ["jira:issue_created", "jira:issue_updated"], fieldIdsFilter: ["a", "b"] }, { ...same, jqlFilter: "project = OPS" }] } });
    await call(fake, "POST", "/site/alpha/rest/api/3/webhook", { body: { url, webhooks: [same] } });
    await call(fake, "GET", "/site/alpha/rest/api/3/webhook");
    answer = () => 500;
    fake.emit({ event: "jira:issue_created", site: "alpha" });
    await fake.deliveriesSettled();
    fake.setRateLimit({ requestsPerSecond: 1, burst: 1 });
    await call(fake, "GET", "/rest/api/3/webhook");
    await call(fake, "GET", "/rest/api/3/webhook");
    const stats = (await call(fake, "GET", "/_fake/stats", { auth: null })).json;
    assert.deepEqual(stats.sites.default, {
      requests: { registerDynamicWebhooks: 1, getDynamicWebhooksForApp: 2 }, rateLimited: 1, rateLimitedByReason: { "jira-burst-based": 1 }, webhooks: 3, duplicates: 1,
      deliveries: { attempted: 0, attempts: 0, succeeded: 0, failed: 0 },
    });
    assert.deepEqual(stats.sites.alpha, {
      requests: { registerDynamicWebhooks: 1, getDynamicWebhooksForApp: 1 }, rateLimited: 0, rateLimitedByReason: {}, webhooks: 1, duplicates: 0,
      deliveries: { attempted: 1, attempts: 6, succeeded: 0, failed: 1 },
    });
    assert.deepEqual(stats.total, {
      requests: { registerDynamicWebhooks: 2, getDynamicWebhooksForApp: 3 }, rateLimited: 1, rateLimitedByReason: { "jira-burst-based": 1 }, webhooks: 4, duplicates: 1,
      deliveries: { attempted: 1, attempts: 6, succeeded: 0, failed: 1 },
    });
    fake.reset();
    assert.deepEqual(Object.keys(fake.stats().sites), ["default"]);
  });
});
