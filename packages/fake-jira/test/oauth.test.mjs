// OAuth 2.0 (3LO): consent, code exchange, rotating refresh tokens, expiry on the fake's clock, revocation,
// accessible resources, the gateway with issued tokens (ownership per user, the limit of 5), faults on the token
// endpoint. node --test packages/fake-jira/test/
import { describe, it, beforeEach } from "node:test";
import assert from "node:assert/strict";
import * as jwt from "atlassian-jwt";
import { useFake } from "../node-test.mjs";
import { startFakeJira, OAUTH_LIFETIMES, LIMIT_MESSAGES, DEFAULT_SEED } from "../server.mjs";
import {
  OAUTH_APP, CLOUD_ID, OAUTH_PREFIX, OAUTH_CLIENT_SECRET, OAUTH_REDIRECT_URI, OAUTH_SCOPE, AUTH,
  authorizeUrl, tokenRequest, oauthDance, call, hooks, startReceiver,
} from "../helpers.mjs";

const T0 = Date.UTC(2026, 5, 1, 12, 30, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let t = T0;
beforeEach(() => (t = T0));
const fake = useFake({ now: () => t });

const INVALID_GRANT = { error: "invalid_grant", error_description: "Unknown or invalid refresh token." };
const refresh = (refreshToken, opts) =>
  tokenRequest(fake, { grant_type: "refresh_token", client_id: OAUTH_APP, client_secret: OAUTH_CLIENT_SECRET, refresh_token: refreshToken }, opts);
const consent = (opts) => fetch(authorizeUrl(fake, opts), { redirect: "manual" });
const codeOf = (res) => new URL(res.headers.get("location")).searchParams.get("code");
const exchange = (code, overrides = {}) =>
  tokenRequest(fake, { grant_type: "authorization_code", client_id: OAUTH_APP, client_secret: OAUTH_CLIENT_SECRET, code, redirect_uri: OAUTH_REDIRECT_URI, ...overrides });
const gateway = (token, method = "GET", { cloudId = CLOUD_ID, body, version = 3, path = "/webhook" } = {}) =>
  call(fake, method, `/ex/jira/${cloudId}/rest/api/${version}${path}`, { body, auth: `Bearer ${token}` });
const resources = async (token) => {
  const res = await fetch(`${fake.url}/oauth/token/accessible-resources`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, json: await res.json() };
};

describe("the authorization-code flow", () => {
  it("consents (302 with code and state), exchanges the code, lists the site, and the token reaches the gateway as alice", async () => {
    const res = await consent({ state: "s-42" });
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get("location"));
    assert.equal(`${location.origin}${location.pathname}`, OAUTH_REDIRECT_URI);
    assert.equal(location.searchParams.get("state"), "s-42");
    const code = location.searchParams.get("code");
    assert.match(code, /^code-[A-Za-z0-9_-]{43}$/);

    const r = await exchange(code);
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.json).sort(), ["access_token", "expires_in", "refresh_token", "scope", "token_type"]);
    assert.equal(r.json.expires_in, 3600);
    assert.equal(r.json.token_type, "Bearer");
    assert.equal(r.json.scope, OAUTH_SCOPE);
    assert.notEqual(r.json.access_token, r.json.refresh_token);
    assert.equal(r.headers.get("cache-control"), "no-store");

    const list = await resources(r.json.access_token);
    assert.equal(list.status, 200);
    assert.deepEqual(list.json, [{ id: CLOUD_ID, url: fake.url, name: "default", scopes: OAUTH_SCOPE.split(" "), avatarUrl: `${fake.url}/images/site-avatar.png` }]);

    const reg = await gateway(r.json.access_token, "POST", { body: hooks(1) });
    assert.equal(reg.status, 200);
    assert.equal(fake.state.apps[OAUTH_APP].webhooks[0].user, "alice");
    const entry = fake.requests.at(-1);
    assert.deepEqual([entry.app, entry.user, entry.site, entry.status], [OAUTH_APP, "alice", "default", 200]);
    assert.deepEqual(fake.stats().oauth.tokenRequests, { authorization_code: 1, refresh_token: 0, other: 0 });
  });

  it("accepts the token request form-encoded too (RFC 6749), and names the consenting user with `user`", async () => {
    const code = codeOf(await consent({ user: "bob" }));
    const r = await tokenRequest(fake, { grant_type: "authorization_code", client_id: OAUTH_APP, client_secret: OAUTH_CLIENT_SECRET, code, redirect_uri: OAUTH_REDIRECT_URI }, { form: true });
    assert.equal(r.status, 200);
    await gateway(r.json.access_token, "POST", { body: hooks(1) });
    assert.equal(fake.state.apps[OAUTH_APP].webhooks[0].user, "bob");
    assert.deepEqual(fake.oauth.grants(), [{ clientId: OAUTH_APP, user: "bob", sites: ["default"], scopes: OAUTH_SCOPE.split(" ") }]);
  });

  it("a code is single-use, bound to its redirect_uri and client, and dies after 10 minutes", async () => {
    const code = codeOf(await consent());
    assert.equal((await exchange(code)).status, 200);
    const again = await exchange(code);
    assert.deepEqual([again.status, again.json], [403, { error: "invalid_grant", error_description: "Invalid authorization code" }]);

    const other = codeOf(await consent());
    const wrongUri = await exchange(other, { redirect_uri: "https://app.example.com/elsewhere" });
    assert.deepEqual([wrongUri.status, wrongUri.json.error], [403, "invalid_grant"]);
    assert.equal((await exchange(other)).status, 403, "the failed exchange spent the code");

    const late = codeOf(await consent());
    t += OAUTH_LIFETIMES.codeMs + 1;
    assert.equal((await exchange(late)).status, 403);
    const inTime = codeOf(await consent());
    t += OAUTH_LIFETIMES.codeMs;
    assert.equal((await exchange(inTime)).status, 200);
    assert.equal(fake.stats().oauth.invalidGrant, 4);
  });

  it("checks the client: unknown client_id or wrong secret is 401 invalid_client, and spends nothing", async () => {
    const code = codeOf(await consent());
    for (const overrides of [{ client_secret: "wrong" }, { client_id: "nobody" }, { client_secret: undefined }]) {
      const r = await exchange(code, overrides);
      assert.deepEqual([r.status, r.json.error], [401, "invalid_client"], JSON.stringify(overrides));
    }
    assert.equal((await exchange(code)).status, 200, "the code survived the failed client checks");
    assert.equal(fake.stats().oauth.invalidClient, 3);
  });

  it("answers 400 to a request it cannot read: no grant_type, another grant type, a missing code, a body that is neither JSON nor a form", async () => {
    const cases = [
      [{ client_id: OAUTH_APP }, "invalid_request"],
      [{ grant_type: "client_credentials", client_id: OAUTH_APP, client_secret: OAUTH_CLIENT_SECRET }, "unsupported_grant_type"],
      [{ grant_type: "authorization_code", client_id: OAUTH_APP, client_secret: OAUTH_CLIENT_SECRET }, "invalid_request"],
      [{ grant_type: "refresh_token", client_id: OAUTH_APP, client_secret: OAUTH_CLIENT_SECRET }, "invalid_request"],
    ];
    for (const [params, error] of cases) {
      const r = await tokenRequest(fake, params);
      assert.deepEqual([r.status, r.json.error], [400, error], JSON.stringify(params));
    }
    const text = await fetch(`${fake.url}/oauth/token`, { method: "POST", headers: { "content-type": "text/plain" }, body: "grant_type=refresh_token" });
    assert.equal(text.status, 400);
    assert.equal((await text.json()).error, "invalid_request");
    assert.equal((await fetch(`${fake.url}/oauth/token`)).status, 405);
  });

  it("/authorize: 400 without redirect for an unknown client or an unregistered redirect_uri; other problems go back with error and state", async () => {
    for (const opts of [{ clientId: "nobody" }, { redirectUri: "https://evil.example.com/cb" }]) {
      const res = await consent(opts);
      assert.equal(res.status, 400, JSON.stringify(opts));
      assert.equal(res.headers.get("location"), null);
      assert.equal((await res.json()).error, "invalid_request");
    }
    const cases = [
      [{ extra: { response_type: "token" } }, "unsupported_response_type"],
      [{ extra: { audience: "example.com" } }, "invalid_request"],
      [{ scope: "" }, "invalid_scope"],
      [{ extra: { deny: "true" } }, "access_denied"],
      [{ user: "no spaces allowed" }, "invalid_request"],
    ];
    for (const [opts, error] of cases) {
      const res = await consent({ ...opts, state: "st" });
      assert.equal(res.status, 302, JSON.stringify(opts));
      const back = new URL(res.headers.get("location"));
      assert.deepEqual([back.searchParams.get("error"), back.searchParams.get("state"), back.searchParams.get("code")], [error, "st", null]);
    }
    assert.deepEqual(fake.oauth.grants(), [], "no consent was recorded");
  });

  it("without offline_access there is no refresh token (Atlassian: add offline_access to get one)", async () => {
    const tokens = await oauthDance(fake, { scope: "read:jira-work manage:jira-webhook" });
    assert.equal(tokens.refresh_token, undefined);
    assert.equal((await gateway(tokens.access_token)).status, 200);
  });
});

describe("rotating refresh tokens", () => {
  it("each refresh returns a new pair and spends the token presented: a spent token answers 403 invalid_grant and counts as reuse", async () => {
    const first = await oauthDance(fake);
    const seen = new Set([first.refresh_token, first.access_token]);
    let current = first.refresh_token;
    const spent = [];
    for (let i = 0; i < 3; i++) {
      const r = await refresh(current, { form: i === 1 });
      assert.equal(r.status, 200);
      assert.equal(r.json.expires_in, 3600);
      assert.ok(!seen.has(r.json.refresh_token) && !seen.has(r.json.access_token), "fresh tokens each time");
      seen.add(r.json.refresh_token).add(r.json.access_token);
      spent.push(current);
      current = r.json.refresh_token;
      assert.equal((await gateway(r.json.access_token)).status, 200);
    }
    for (const old of spent) {
      const r = await refresh(old);
      assert.deepEqual([r.status, r.json], [403, INVALID_GRANT]);
    }
    assert.equal((await refresh("rt-never-issued")).status, 403);
    assert.equal((await refresh(current)).status, 200, "the newest one still works: reuse did not revoke the grant");
    const s = fake.stats().oauth;
    assert.deepEqual([s.tokenRequests.refresh_token, s.refreshTokenReuse, s.invalidGrant], [8, 3, 4]);
  });

  it("two refreshes of the same token at once: exactly one wins, the other gets invalid_grant", async () => {
    const { refresh_token } = await oauthDance(fake);
    const answers = await Promise.all([refresh(refresh_token), refresh(refresh_token)]);
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, 403]);
    const winner = answers.find((r) => r.status === 200).json;
    assert.deepEqual(answers.find((r) => r.status === 403).json, INVALID_GRANT);
    assert.equal(fake.stats().oauth.refreshTokenReuse, 1);
    assert.equal((await refresh(winner.refresh_token)).status, 200, "the winner's token goes on");
  });

  it("ten refreshes at once: one winner", async () => {
    const { refresh_token } = await oauthDance(fake);
    const answers = await Promise.all(Array.from({ length: 10 }, () => refresh(refresh_token)));
    assert.equal(answers.filter((r) => r.status === 200).length, 1);
    assert.equal(answers.filter((r) => r.status === 403 && r.json.error === "invalid_grant").length, 9);
  });

  it("a refresh token dies after 90 days unused; each refresh starts a new 90 days", async () => {
    const a = await oauthDance(fake);
    t += OAUTH_LIFETIMES.refreshInactivityMs; // exactly 90 days: still alive
    const b = await refresh(a.refresh_token);
    assert.equal(b.status, 200);
    t += OAUTH_LIFETIMES.refreshInactivityMs + 1;
    const c = await refresh(b.json.refresh_token);
    assert.deepEqual([c.status, c.json], [403, INVALID_GRANT]);
    assert.equal(fake.stats().oauth.refreshTokenReuse, 0, "expiry is not reuse");
  });

  it("a chain dies 365 days after its first token, however often it was refreshed", async () => {
    let { refresh_token } = await oauthDance(fake);
    for (let day = 80; day <= 320; day += 80) {
      t = T0 + day * DAY;
      const r = await refresh(refresh_token);
      assert.equal(r.status, 200, `day ${day}`);
      refresh_token = r.json.refresh_token;
    }
    t = T0 + 365 * DAY;
    const lastDay = await refresh(refresh_token);
    assert.equal(lastDay.status, 200, "day 365 itself");
    t += 1;
    assert.deepEqual((await refresh(lastDay.json.refresh_token)).json, INVALID_GRANT);
    // a new consent starts a new chain
    const again = await oauthDance(fake);
    assert.equal((await refresh(again.refresh_token)).status, 200);
  });

  it("an access token lives one hour on the fake's clock (advanceTime too)", async () => {
    const { access_token } = await oauthDance(fake);
    fake.advanceTime(HOUR - 1000);
    assert.equal((await gateway(access_token)).status, 200);
    assert.equal((await resources(access_token)).status, 200);
    fake.advanceTime(1001);
    const late = await gateway(access_token);
    assert.equal(late.status, 401);
    assert.match(late.json.errorMessages[0], /access token expired/);
    assert.match(late.headers.get("www-authenticate"), /^OAuth realm=/);
    assert.deepEqual(await resources(access_token), { status: 401, json: { code: 401, message: "Unauthorized" } });
  });

  it("with oauthReuseRevokesGrant, presenting a spent token also kills the winner's new refresh token", async () => {
    const strict = await startFakeJira({ oauthReuseRevokesGrant: true });
    try {
      const { refresh_token } = await oauthDance(strict);
      const body = (rt) => ({ grant_type: "refresh_token", client_id: OAUTH_APP, client_secret: OAUTH_CLIENT_SECRET, refresh_token: rt });
      const answers = await Promise.all([tokenRequest(strict, body(refresh_token)), tokenRequest(strict, body(refresh_token))]);
      assert.deepEqual(answers.map((r) => r.status).sort(), [200, 403]);
      const winner = answers.find((r) => r.status === 200).json;
      assert.equal((await tokenRequest(strict, body(winner.refresh_token))).status, 403, "the grant's refresh tokens are gone");
      assert.equal((await call(strict, "GET", `${OAUTH_PREFIX}/rest/api/3/webhook`, { auth: `Bearer ${winner.access_token}` })).status, 200, "access tokens live on");
      const renewed = await oauthDance(strict);
      assert.equal((await tokenRequest(strict, body(renewed.refresh_token))).status, 200, "a new consent works again");
    } finally {
      await strict.close();
    }
  });
});

describe("revocation", () => {
  it("the user revokes the app: refresh tokens answer invalid_grant, access tokens 401, on the gateway and accessible-resources", async () => {
    const alice = await oauthDance(fake);
    const bob = await oauthDance(fake, { user: "bob" });
    assert.equal(fake.oauth.revoke("alice", OAUTH_APP), 1);
    assert.deepEqual((await refresh(alice.refresh_token)).json, INVALID_GRANT);
    const r = await gateway(alice.access_token);
    assert.equal(r.status, 401);
    assert.match(r.json.errorMessages[0], /revoked/);
    assert.equal((await resources(alice.access_token)).status, 401);
    assert.equal((await gateway(bob.access_token)).status, 200, "bob's grant is untouched");
    assert.equal((await refresh(bob.refresh_token)).status, 200);

    const viaControl = await call(fake, "POST", "/_fake/oauth/revoke", { body: { user: "bob" }, auth: null });
    assert.deepEqual(viaControl.json, { ok: true, revoked: 1 });
    assert.equal((await gateway(bob.access_token)).status, 401);
    assert.equal(fake.stats().oauth.revocations, 2);
    assert.deepEqual(fake.oauth.grants(), []);

    const back = await oauthDance(fake);
    assert.equal((await gateway(back.access_token)).status, 200, "consenting again starts a new grant");
    assert.equal((await refresh(alice.refresh_token)).status, 403, "the old chain stays dead");
  });

  it("revoking a code's grant before the exchange spoils the code", async () => {
    const code = codeOf(await consent());
    fake.oauth.revoke("alice");
    assert.equal((await exchange(code)).status, 403);
  });
});

describe("sites and accessible resources", () => {
  it("a consent covers the sites it names; consenting again adds sites to the one grant, for every token of it", async () => {
    const first = await oauthDance(fake, { sites: ["alpha", "beta"] });
    const alpha = fake.site("alpha");
    const beta = fake.site("beta");
    assert.deepEqual((await resources(first.access_token)).json.map((s) => [s.id, s.name, s.url]), [
      [alpha.cloudId, "alpha", `${fake.url}/site/alpha`], [beta.cloudId, "beta", `${fake.url}/site/beta`],
    ]);
    assert.equal((await gateway(first.access_token, "GET", { cloudId: alpha.cloudId })).status, 200);
    const notGranted = await gateway(first.access_token);
    assert.equal(notGranted.status, 404, "the default site was not part of the consent");
    assert.equal((await gateway(first.access_token, "GET", { cloudId: "99999999-0000-0000-0000-000000000000" })).status, 404);

    await oauthDance(fake, { sites: ["default"] });
    assert.deepEqual((await resources(first.access_token)).json.map((s) => s.name), ["alpha", "beta", "default"]);
    assert.equal((await gateway(first.access_token)).status, 200, "the first token reaches the added site");
  });

  it("without `site`, a consent covers every site that exists; the seed's fixed bearer token lists every site", async () => {
    fake.site("gamma");
    const tokens = await oauthDance(fake);
    assert.deepEqual((await resources(tokens.access_token)).json.map((s) => s.name), ["default", "gamma"]);
    const fixed = await resources("oauth-access-token");
    assert.deepEqual(fixed.json.map((s) => [s.name, s.scopes]), [["default", ["read:jira-work", "manage:jira-webhook"]], ["gamma", ["read:jira-work", "manage:jira-webhook"]]]);
    assert.equal((await resources("nope")).status, 401);
  });

  it("checks the operation's scopes: classic read:jira-work + manage:jira-webhook, or the granular set of that operation", async () => {
    const granularRead = fake.oauth.grant({ user: "reader", scope: "read:webhook:jira read:jql:jira" });
    assert.equal((await gateway(granularRead.access_token)).status, 200);
    const post = await gateway(granularRead.access_token, "POST", { body: hooks(1) });
    assert.deepEqual([post.status, post.json.errorMessages], [401, ["Unauthorized; scope does not match"]]);
    const half = fake.oauth.grant({ user: "half", scope: "read:jira-work" });
    assert.equal((await gateway(half.access_token)).status, 401);
    const writer = fake.oauth.grant({ user: "writer", scope: "read:field:jira read:project:jira write:webhook:jira" });
    assert.equal((await gateway(writer.access_token, "POST", { body: hooks(1) })).status, 200);
  });
});

describe("webhooks of OAuth 2.0 users through the gateway", () => {
  it("5 per user per site per app: alice's 6th fails, bob still registers 5 there, alice 5 on another site", async () => {
    const alice = fake.oauth.grant({ sites: ["default", "alpha"] });
    const bob = fake.oauth.grant({ user: "bob" });
    const a = await gateway(alice.access_token, "POST", { body: hooks(6) });
    assert.deepEqual(a.json.webhookRegistrationResult.at(-1), { errors: [LIMIT_MESSAGES.oauth] });
    assert.equal(a.json.webhookRegistrationResult.filter((x) => x.createdWebhookId).length, 5);
    const b = await gateway(bob.access_token, "POST", { body: hooks(5) });
    assert.ok(b.json.webhookRegistrationResult.every((x) => x.createdWebhookId));
    const elsewhere = await gateway(alice.access_token, "POST", { body: hooks(5), cloudId: fake.site("alpha").cloudId });
    assert.ok(elsewhere.json.webhookRegistrationResult.every((x) => x.createdWebhookId));
    const users = fake.state.apps[OAUTH_APP].webhooks.map((w) => w.user);
    assert.deepEqual(users, [...Array(5).fill("alice"), ...Array(5).fill("bob")]);

    // default list scope "app": every user's webhooks of the app on that site
    const list = await gateway(alice.access_token);
    assert.equal(list.json.total, 10);
    // deleting frees alice's places, not bob's
    const mine = list.json.values.slice(0, 2).map((w) => w.id);
    assert.equal((await gateway(alice.access_token, "DELETE", { body: { webhookIds: mine } })).status, 202);
    const more = await gateway(alice.access_token, "POST", { body: hooks(3) });
    assert.deepEqual(more.json.webhookRegistrationResult.map((x) => Boolean(x.createdWebhookId)), [true, true, false]);
  });

  it("oauthListScope 'user': each user lists only the webhooks they registered", async () => {
    const scoped = await startFakeJira({ oauthListScope: "user" });
    try {
      const alice = scoped.oauth.grant({});
      const bob = scoped.oauth.grant({ user: "bob" });
      const as = (who, method = "GET", body) => call(scoped, method, `${OAUTH_PREFIX}/rest/api/3/webhook`, { body, auth: `Bearer ${who.access_token}` });
      await as(alice, "POST", hooks(2));
      await as(bob, "POST", hooks(3));
      assert.equal((await as(alice)).json.total, 2);
      assert.equal((await as(bob)).json.total, 3);
      assert.equal((await call(scoped, "GET", "/rest/api/3/webhook", { auth: AUTH.connect })).json.total, 0, "the Connect app is not affected");
      assert.deepEqual(scoped.selfCheckFailures, []);
    } finally {
      await scoped.close();
    }
    await assert.rejects(startFakeJira({ oauthListScope: "everyone" }), /oauthListScope/);
  });

  it("deliveries to an app with its own client secret are signed with it (HS256; iss, sub = the registering user, iat, exp, context.cloudId)", async () => {
    const receiver = await startReceiver();
    try {
      const seed = { ...DEFAULT_SEED, apps: [DEFAULT_SEED.apps[0], { ...DEFAULT_SEED.apps[1], clientSecret: "another-secret-of-the-app" }] };
      fake.reset(seed);
      const bad = await oauthDance(fake).catch((e) => e);
      assert.match(bad.message, /401 .*invalid_client/, "the default secret is not this app's");
      const tokens = await oauthDance(fake, { user: "carol", clientSecret: "another-secret-of-the-app" });
      await gateway(tokens.access_token, "POST", { body: { ...hooks(1), url: `${receiver.url}/hook` } });
      fake.emit({ event: "jira:issue_created" });
      await fake.deliveriesSettled();
      const [token] = receiver.received.map((r) => r.headers.authorization.replace(/^Bearer /, ""));
      const claims = jwt.decodeSymmetric(token, "another-secret-of-the-app", jwt.SymmetricAlgorithm.HS256);
      assert.deepEqual({ ...claims, iat: 0, exp: 0 }, { iss: fake.url, sub: "carol", iat: 0, exp: 0, context: { cloudId: CLOUD_ID } });
      assert.equal(claims.exp - claims.iat, 180);
      assert.throws(() => jwt.decodeSymmetric(token, OAUTH_CLIENT_SECRET, jwt.SymmetricAlgorithm.HS256));
    } finally {
      await receiver.close();
    }
  });
});

describe("the points budget", () => {
  it("costs 1 point per request plus 1 per object returned (writes: 1), across the app's sites; headers on every answer; 429 jira-quota-based when spent", async () => {
    fake.setPointsPerHour(20);
    const alice = fake.oauth.grant({ sites: ["default", "alpha"] });
    const pts = (r) => ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-ratelimit-nearlimit"].map((h) => r.headers.get(h));
    const reg = await gateway(alice.access_token, "POST", { body: hooks(4) });
    assert.deepEqual(pts(reg), ["20", "19", "2026-06-01T13:00Z", null], "a write of 4 webhooks costs 1");
    const list = await gateway(alice.access_token);
    assert.deepEqual(pts(list), ["20", "14", "2026-06-01T13:00Z", null], "1 + 4 webhooks listed");
    const other = await gateway(alice.access_token, "GET", { cloudId: fake.site("alpha").cloudId });
    assert.deepEqual(pts(other), ["20", "13", "2026-06-01T13:00Z", null], "the other site draws on the same budget");
    const paged = await gateway(alice.access_token, "GET", { path: "/webhook?maxResults=2" });
    assert.deepEqual(pts(paged), ["20", "10", "2026-06-01T13:00Z", null], "objects of the page, not the total");
    for (let i = 0; i < 6; i++) await gateway(alice.access_token, "PUT", { path: "/webhook/refresh", body: { webhookIds: [10000] } });
    const near = await gateway(alice.access_token, "PUT", { path: "/webhook/refresh", body: { webhookIds: [10000] } });
    assert.deepEqual(pts(near), ["20", "3", "2026-06-01T13:00Z", "true"], "under 20 % left");
    assert.equal((await call(fake, "GET", "/rest/api/3/webhook")).headers.get("x-ratelimit-remaining"), "19", "the Connect app has its own budget");
    await gateway(alice.access_token, "GET", { path: "/webhook?maxResults=3" }); // 1 + 3: all spent, and 1 more
    const refused = await gateway(alice.access_token, "POST", { body: hooks(1) });
    assert.equal(refused.status, 429);
    assert.deepEqual([refused.headers.get("retry-after"), refused.headers.get("ratelimit-reason"), ...pts(refused)], ["1800", "jira-quota-based", "20", "0", "2026-06-01T13:00Z", "true"]);
    assert.equal(fake.state.apps[OAUTH_APP].webhooks.length, 4, "a refused write changes nothing");
    const stats = fake.stats();
    assert.deepEqual(stats.points, { pointsPerHour: 20, windowStart: Date.UTC(2026, 5, 1, 12), windowEnd: Date.UTC(2026, 5, 1, 13), apps: { [OAUTH_APP]: { used: 21, remaining: 0 }, "com.example.connect-app": { used: 1, remaining: 19 } } });
    assert.deepEqual(stats.total.rateLimitedByReason, { "jira-quota-based": 1 });
    assert.equal(stats.total.rateLimited, 1);

    fake.advanceTime(30 * 60_000); // 13:00: a new hour
    const fresh = await gateway(alice.access_token, "POST", { body: hooks(1) });
    assert.equal(fresh.status, 200);
    assert.deepEqual(pts(fresh), ["20", "19", "2026-06-01T14:00Z", null]);
  });

  it("is off by default, can be set through the control API, and reset() puts the start option back", async () => {
    const r = await call(fake, "GET", "/rest/api/3/webhook");
    assert.equal(r.headers.get("x-ratelimit-limit"), null);
    assert.deepEqual((await call(fake, "POST", "/_fake/points", { body: { pointsPerHour: 1 }, auth: null })).json, { ok: true });
    assert.deepEqual((await call(fake, "GET", "/_fake/points", { auth: null })).json, { pointsPerHour: 1 });
    assert.equal((await call(fake, "GET", "/rest/api/3/webhook")).status, 200);
    assert.equal((await call(fake, "GET", "/rest/api/3/webhook")).status, 429);
    assert.equal((await call(fake, "GET", "/rest/api/3/webhook", { auth: AUTH.plain })).status, 403, "plain users have no app budget");
    fake.reset();
    assert.equal(fake.pointsPerHour, null);
    assert.throws(() => fake.setPointsPerHour(0), /pointsPerHour/);
  });
});

describe("faults on the token endpoint", () => {
  it("429 with Retry-After and 503 rotate nothing; a fault without `operation` leaves the token endpoint alone", async () => {
    const { refresh_token } = await oauthDance(fake);
    fake.injectFault({ type: "rate-limit", operation: "oauthToken", retryAfter: 30 });
    const limited = await refresh(refresh_token);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("retry-after"), "30");
    assert.equal(limited.json.error, "rate_limited");
    fake.injectFault({ type: "status", status: 503, operation: "oauthToken", headers: { "Retry-After": "5" } });
    const down = await refresh(refresh_token);
    assert.deepEqual([down.status, down.headers.get("retry-after"), down.json.error], [503, "5", "temporarily_unavailable"]);
    fake.injectFault({ type: "status", status: 500 }); // the five operations only
    const ok = await refresh(refresh_token);
    assert.equal(ok.status, 200, "the same token still works: the faults spent nothing");
    assert.equal((await gateway(ok.json.access_token)).status, 500, "the untargeted fault hit the next webhook call");
    const s = fake.stats().oauth;
    assert.deepEqual([s.faults, s.refreshTokenReuse, s.tokenRequests.refresh_token], [2, 0, 1]);
    assert.deepEqual(fake.oauth.requests.map((r) => [r.grantType, r.status, r.fault?.type ?? null]), [
      ["authorization_code", 200, null], ["refresh_token", 429, "rate-limit"], ["refresh_token", 503, "status"], ["refresh_token", 200, null],
    ]);
  });

  it("a dropped connection after the rotation (reset, apply: true) loses the answer: the token presented is spent", async () => {
    const { refresh_token } = await oauthDance(fake);
    fake.injectFault({ type: "reset", operation: "oauthToken", apply: true });
    await assert.rejects(refresh(refresh_token));
    assert.deepEqual((await refresh(refresh_token)).json, INVALID_GRANT);
    const second = await oauthDance(fake);
    fake.injectFault({ type: "reset", operation: "oauthToken" }); // before: nothing happens
    await assert.rejects(refresh(second.refresh_token));
    assert.equal((await refresh(second.refresh_token)).status, 200);
  });

  it("accessible-resources takes faults too", async () => {
    const { access_token } = await oauthDance(fake);
    fake.injectFault({ type: "status", status: 502, operation: "accessibleResources" });
    assert.equal((await resources(access_token)).status, 502);
    assert.equal((await resources(access_token)).status, 200);
  });
});

describe("secrets", () => {
  it("the OAuth request log and the stats hold no client secret, code or token", async () => {
    const tokens = await oauthDance(fake);
    await refresh(tokens.refresh_token);
    await refresh(tokens.refresh_token);
    await resources(tokens.access_token);
    const text = JSON.stringify([fake.oauth.requests, fake.stats(), fake.oauth.grants(), (await call(fake, "GET", "/_fake/oauth", { auth: null })).json]);
    for (const secret of [OAUTH_CLIENT_SECRET, tokens.access_token, tokens.refresh_token]) assert.ok(!text.includes(secret));
    assert.ok(!/"(code|at|rt)-[A-Za-z0-9_-]{20,}/.test(text));
    assert.equal(fake.oauth.requests.length, 4);
  });

  it("reset() forgets grants, tokens and counts", async () => {
    const tokens = await oauthDance(fake);
    fake.reset();
    assert.equal((await gateway(tokens.access_token)).status, 401);
    assert.equal((await refresh(tokens.refresh_token)).status, 403);
    assert.deepEqual([fake.oauth.grants(), fake.oauth.requests.length, fake.stats().oauth.tokensIssued], [[], 1, 0]);
  });
});
