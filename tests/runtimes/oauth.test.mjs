// OAuth 2.0 (3LO) in Node through the installed package: `cloudId` + `gatewayUrl` (the fake stands in for
// the gateway, /ex/jira/{cloudId}/rest/api/…) with a bearer token from `getToken` that first hands out an
// expired token: exactly one refresh and exactly one retry, seen in the fake's request log. (A fixed `token`
// through the gateway runs in tests/integration's scenario.)
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { CLOUD_ID, OAUTH_PREFIX } from "jira-webhooks-fake/helpers";
import { useFake } from "../support/fake.mjs";
import { AUTHS, INPUT, OAUTH_APP, SECRETS, WEBHOOKS, HOOK_URL, apiRequests, checkDrive, drive, importFromConsumer, installPackage, prepareFake, rejection } from "./common.mjs";

const GOOD = AUTHS.bearer.token;
const EXPIRED = "expired-oauth-access-token-1";
const fake = useFake();
let lib;

before(async () => {
  const { dir } = await installPackage();
  lib = await importFromConsumer(dir, "oauth-entry.mjs", `export * from "jira-webhooks";\n`);
}, { timeout: 60_000 });

const OAUTH = { prefix: OAUTH_PREFIX, app: OAUTH_APP, user: "alice", failedForbidden: true }; // failed deliveries: Connect only

test("OAuth: the five operations through /ex/jira/{cloudId}; getToken hands out an expired token first: it is told which token was refused, and the call is sent once more", { timeout: 30_000 }, async () => {
  await prepareFake(fake);
  const handedOut = [];
  const refusals = [];
  const getToken = async ({ refused, signal }) => {
    assert.ok(signal instanceof AbortSignal, "getToken gets the call's signal");
    if (refused !== undefined) refusals.push(refused);
    const token = handedOut.length === 0 ? EXPIRED : GOOD;
    handedOut.push(token);
    return token;
  };
  const out = await drive(lib, { cloudId: CLOUD_ID, gatewayUrl: fake.url, auth: { type: "bearer", getToken } }, INPUT);
  // getToken is asked at the start of every call (it caches: oauth2Tokens does), and once more after the 401,
  // told which token Jira refused.
  assert.deepEqual(refusals, [EXPIRED], "one refusal, naming the refused token");
  assert.deepEqual([handedOut[0], handedOut[1]], [EXPIRED, GOOD]);
  assert.ok(handedOut.slice(1).every((t) => t === GOOD), String(handedOut));
  // The first POST is refused (401) and sent exactly once more with the fresh token; the rest use it at once.
  const refused = { method: "POST", path: "/webhook", query: {}, body: { url: HOOK_URL, webhooks: WEBHOOKS }, status: 401 };
  checkDrive(out, fake, { ...OAUTH, extraRequests: [refused] });
  assert.ok(!JSON.stringify(out).includes(EXPIRED));
  assert.equal(apiRequests(fake).filter((r) => r.status === 401).length, 1);
});

test("OAuth: getToken that never gets a good token: one refresh, one retry, then kind http 401 without the tokens", { timeout: 30_000 }, async () => {
  await prepareFake(fake);
  let calls = 0;
  const bad = () => `revoked-token-${++calls}`;
  const client = new lib.JiraWebhooks({ cloudId: CLOUD_ID, gatewayUrl: fake.url, auth: { type: "bearer", getToken: bad } });
  const e = await rejection(client.getDynamicWebhooksForApp());
  assert.equal(calls, 2);
  assert.deepEqual({ kind: e.kind, status: e.status, operation: e.operation, name: e.name }, { kind: "http", status: 401, operation: "getDynamicWebhooksForApp", name: "JiraWebhooksError" });
  for (const secret of ["revoked-token-1", "revoked-token-2", ...SECRETS]) assert.ok(!e.text.includes(secret), `token in the error: ${e.text}`);
  assert.deepEqual(apiRequests(fake).map((r) => [r.method, r.path, r.status]), [
    ["GET", `${OAUTH_PREFIX}/rest/api/2/webhook`, 401], ["GET", `${OAUTH_PREFIX}/rest/api/2/webhook`, 401],
  ]);
});

test("OAuth: a getToken that throws is a `token` error naming auth.getToken but never its text, and nothing is sent", { timeout: 30_000 }, async () => {
  await prepareFake(fake);
  const client = new lib.JiraWebhooks({ cloudId: CLOUD_ID, gatewayUrl: fake.url, auth: { type: "bearer", getToken: () => { throw new Error("refresh token rt-s3cr3t expired"); } } });
  const e = await rejection(client.getDynamicWebhooksForApp());
  assert.equal(e.kind, "token", "told apart from a config error: the token endpoint or the user's grant failed");
  assert.match(e.text, /auth\.getToken failed: it threw or rejected with Error/);
  assert.ok(!e.text.includes("rt-s3cr3t"), "a token provider's message may hold a credential");
  assert.deepEqual(apiRequests(fake), []);
});
