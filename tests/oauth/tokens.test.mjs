// OAuth 2.0 (3LO) end to end, with the packed package against the fake's authorization server: the code is
// exchanged, the sites found, and a connection's rotating refresh token survives refreshes AT ONCE — many calls of
// one process, and several processes (separate token managers sharing one compare-and-swap store) — and a
// revocation is told apart (`reauthorize`) from a store or endpoint failure (`token`).
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { installPackage } from "../support/pack.mjs";
import { startFakeJira } from "jira-webhooks-fake";
import { authorizeUrl, CLOUD_ID, OAUTH_APP, OAUTH_CLIENT_SECRET, OAUTH_REDIRECT_URI } from "jira-webhooks-fake/helpers";

let lib, fake;
const HOUR = 3_600_000;

before(async () => {
  const { dir } = await installPackage();
  writeFileSync(join(dir, "oauth-lib.mjs"), 'export * from "jira-webhooks/lifecycle";\n');
  lib = await import(pathToFileURL(join(dir, "oauth-lib.mjs")).href);
  fake = await startFakeJira({ port: 0 });
});
after(() => fake.close());
beforeEach(() => fake.reset());

/** A store of one connection's tokens with the compare-and-swap `save` the package asks for. */
function casStore(initial) {
  const store = { tokens: initial, saves: 0, lost: 0 };
  store.load = async () => store.tokens && { ...store.tokens };
  store.save = async (next, previous) => {
    await new Promise((resolve) => setTimeout(resolve, 1)); // another process may act meanwhile
    if (store.tokens?.refreshToken !== previous.refreshToken) {
      store.lost++;
      return false;
    }
    store.tokens = { ...next };
    store.saves++;
    return true;
  };
  return store;
}

/** The consent redirect's code, as the app's /callback receives it. */
async function consent(user = "alice") {
  const res = await fetch(authorizeUrl(fake, { user }), { redirect: "manual" });
  return new URL(res.headers.get("location")).searchParams.get("code");
}

const tokensOf = (store, extra = {}) =>
  lib.oauth2Tokens({ clientId: OAUTH_APP, clientSecret: OAUTH_CLIENT_SECRET, load: store.load, save: store.save, tokenUrl: `${fake.url}/oauth/token`, ...extra });

const clientOf = (tokens) =>
  new lib.JiraWebhooks({ cloudId: CLOUD_ID, gatewayUrl: fake.url, auth: { type: "bearer", getToken: tokens.getToken } });

async function connect() {
  const first = await lib.exchangeCode({ clientId: OAUTH_APP, clientSecret: OAUTH_CLIENT_SECRET, code: await consent(), redirectUri: OAUTH_REDIRECT_URI, tokenUrl: `${fake.url}/oauth/token` });
  return casStore(first);
}

test("exchangeCode, accessibleResources, then calls through the gateway with the connection's tokens", async () => {
  const code = await consent();
  const first = await lib.exchangeCode({ clientId: OAUTH_APP, clientSecret: OAUTH_CLIENT_SECRET, code, redirectUri: OAUTH_REDIRECT_URI, tokenUrl: `${fake.url}/oauth/token` });
  assert.deepEqual(Object.keys(first).sort(), ["accessToken", "expiresAt", "refreshToken"]);
  assert.ok(first.expiresAt > Date.now() + HOUR - 60_000);
  const sites = await lib.accessibleResources(first.accessToken, { gatewayUrl: fake.url });
  assert.ok(sites.some((s) => s.id === CLOUD_ID && typeof s.url === "string" && Array.isArray(s.scopes)), JSON.stringify(sites));
  const again = await lib.exchangeCode({ clientId: OAUTH_APP, clientSecret: OAUTH_CLIENT_SECRET, code, redirectUri: OAUTH_REDIRECT_URI, tokenUrl: `${fake.url}/oauth/token` })
    .catch((e) => e);
  assert.ok(again instanceof lib.JiraWebhooksError && again.kind === "reauthorize", "a code works once");
  assert.ok(!JSON.stringify(again).includes(code) && !again.message.includes(OAUTH_CLIENT_SECRET), again.message);
  const store = casStore(first);
  const page = await clientOf(tokensOf(store)).getDynamicWebhooksForApp();
  assert.deepEqual(page.values, []);
  assert.equal(store.saves, 0, "a fresh access token is used as it is");
});

test("fifty calls at once on an expired token: one refresh, saved before use, no token lost", async () => {
  const store = await connect();
  store.tokens.expiresAt = Date.now() - 1; // the access token is due
  const client = clientOf(tokensOf(store));
  const before = fake.stats().oauth.tokenRequests.refresh_token;
  const pages = await Promise.all(Array.from({ length: 50 }, () => client.getDynamicWebhooksForApp()));
  assert.equal(pages.length, 50);
  assert.equal(fake.stats().oauth.tokenRequests.refresh_token - before, 1, "single-flight: one token request");
  assert.equal(store.saves, 1);
  assert.equal(fake.stats().oauth.refreshTokenReuse, 0, "no spent refresh token was ever presented");
});

test("four processes refreshing one connection at once: one wins at the endpoint, the others adopt its tokens", async () => {
  const store = await connect();
  store.tokens.expiresAt = Date.now() - 1;
  const processes = Array.from({ length: 4 }, () => clientOf(tokensOf(store)));
  const results = await Promise.allSettled(processes.map((c) => c.getDynamicWebhooksForApp()));
  assert.deepEqual(results.map((r) => r.status), ["fulfilled", "fulfilled", "fulfilled", "fulfilled"], JSON.stringify(results.map((r) => r.reason?.message)));
  assert.equal(store.saves, 1, "one pair stored");
  // The stored refresh token still works: the connection is not lost.
  store.tokens.expiresAt = Date.now() - 1;
  assert.deepEqual((await clientOf(tokensOf(store)).getDynamicWebhooksForApp()).values, []);
  const stats = fake.stats().oauth;
  assert.ok(stats.invalidGrant >= 1, "the losers met invalid_grant");
});

test("a token Jira refuses before it expires: getToken is told which one, one refresh, the call is sent once more", async () => {
  const store = await connect();
  const tokens = tokensOf(store);
  const client = clientOf(tokens);
  await client.getDynamicWebhooksForApp();
  fake.oauth.revoke("alice"); // refuses the access token… and the refresh token: the user must authorize again
  const e = await client.getDynamicWebhooksForApp().catch((err) => err);
  assert.ok(e instanceof lib.JiraWebhooksError, String(e));
  assert.equal(e.kind, "reauthorize", e.message);
  for (const secret of [store.tokens.accessToken, store.tokens.refreshToken, OAUTH_CLIENT_SECRET]) {
    assert.ok(!JSON.stringify({ ...e, message: e.message, stack: e.stack }).includes(secret), "no token in the error");
  }
});

test("a store that fails is kind token, not reauthorize; a load of garbage is refused", async () => {
  const store = await connect();
  store.tokens.expiresAt = Date.now() - 1;
  const failing = tokensOf({ load: store.load, save: () => { throw new Error(`db down ${store.tokens.refreshToken}`); } }, { timeoutMs: 2000 });
  const e = await failing.getToken().catch((err) => err);
  assert.equal(e.kind, "token", e.message);
  assert.ok(!e.message.includes(store.tokens.refreshToken), e.message);
  const garbage = tokensOf({ load: async () => ({ token: "x" }), save: async () => true });
  assert.equal((await garbage.getToken().catch((err) => err)).kind, "token");
  assert.throws(() => lib.oauth2Tokens({ clientId: OAUTH_APP, clientSecret: "s", load: () => null, save: () => true, tokenUrl: "http://auth.example.com/oauth/token" }),
    (err) => err.kind === "config" && err.path === "tokenUrl");
  assert.throws(() => lib.oauth2Tokens({ clientId: OAUTH_APP, clientSecret: "s", load: () => null, sav: () => true }), (err) => err.kind === "config");
});
