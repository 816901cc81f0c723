// Connect JWT end to end in Node through the installed package: every request carries a fresh HS256 JWT that
// the fake verifies with atlassian-jwt (signature, exp, qsh). The five operations go through a custom transport
// that sends as the default one does and keeps the tokens, checked here claim by claim (the default transport
// with Connect JWT runs in tests/integration's auth scenario and in the runtime suites); a wrong secret and an
// expired token give 401s that never contain the secret.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as jwt from "atlassian-jwt";
import { useFake } from "../support/fake.mjs";
import {
  AUTHS, CONNECT_APP, CONNECT_SECRET, INPUT, SECRETS, apiRequests, checkDrive, drive, importFromConsumer, installPackage, prepareFake, rejection,
} from "./common.mjs";

const fake = useFake();
let lib, lifecycle;

before(async () => {
  const { dir } = await installPackage();
  lib = await importFromConsumer(dir, "connect-entry.mjs", `export * from "jira-webhooks";\n`);
  lifecycle = await importFromConsumer(dir, "connect-lifecycle.mjs", `export * from "jira-webhooks/lifecycle";\n`);
}, { timeout: 60_000 });

test("queryStringHash is atlassian-jwt's, for requests under the app's base URL", () => {
  const base = "https://app.example.com/connect";
  for (const [method, path] of [
    ["POST", "/installed"],
    ["post", "/installed/"],
    ["GET", "/webhook?b=2&a=1&a=0&jwt=x.y.z"],
    ["PUT", "/a%26b/c?q=a%2Cb&s=%7E*+&empty="],
    ["DELETE", "/x?z=%C3%A9&%C3%A9=1"],
  ]) {
    const expected = jwt.createQueryStringHash(jwt.fromMethodAndUrl(method.toUpperCase(), path), false, "");
    assert.equal(lifecycle.queryStringHash(method, base + path, base), expected, `${method} ${path}`);
  }
  assert.throws(() => lifecycle.queryStringHash("POST", "https://elsewhere.example.com/x", base), (e) => e.kind === "invalid-input");
});

test("Connect JWT: the five operations, each request signed (HS256 with iss, iat, exp +180 s, the qsh of the request) and accepted by the fake", { timeout: 30_000 }, async () => {
  await prepareFake(fake);
  const tokens = [];
  // A transport that sends with fetch as the default one does, and keeps what it sent.
  const transport = async (request) => {
    const authorization = request.headers.Authorization ?? request.headers.authorization;
    tokens.push({ method: request.method, url: request.url, path: request.path, authorization, sentAt: Date.now() });
    return fetch(request.url, { method: request.method, headers: request.headers, body: request.body, signal: request.signal });
  };
  const out = await drive(lib, { baseUrl: fake.url, auth: AUTHS.connect, transport }, INPUT);
  checkDrive(out, fake, { user: null }); // JWT without `sub`: the app itself, as Jira sees a Connect app
  assert.equal(tokens.length, 6);
  for (const t of tokens) {
    assert.equal(t.url, fake.url + t.path);
    const [scheme, token] = t.authorization.split(" ");
    assert.equal(scheme, "JWT");
    assert.deepEqual(JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString("utf8")), { alg: "HS256", typ: "JWT" });
    const claims = jwt.decodeSymmetric(token, CONNECT_SECRET, jwt.SymmetricAlgorithm.HS256);
    assert.deepEqual(Object.keys(claims).sort(), ["exp", "iat", "iss", "qsh"]);
    assert.equal(claims.iss, CONNECT_APP);
    assert.equal(claims.exp - claims.iat, 180);
    assert.ok(Math.abs(claims.iat - t.sentAt / 1000) <= 1.5, "signed when sent"); // a fresh token per request
    const url = new URL(t.url);
    const request = { method: t.method, pathname: url.pathname, query: Object.fromEntries(url.searchParams) };
    assert.equal(claims.qsh, jwt.createQueryStringHash(request, false, ""), `${t.method} ${t.path}`);
  }
  // Tokens differ whenever the requests do (the two identical list calls may share one within a second).
  assert.ok(new Set(tokens.map((t) => t.authorization)).size >= 5);
});

test("Connect JWT: a wrong shared secret is kind http, status 401, and the secret appears nowhere in the error", { timeout: 30_000 }, async () => {
  await prepareFake(fake);
  const wrongSecret = "not-the-connect-secret-4321";
  const client = new lib.JiraWebhooks({ baseUrl: fake.url, auth: { ...AUTHS.connect, sharedSecret: wrongSecret } });
  const errors = {
    list: await rejection(client.getDynamicWebhooksForApp()),
    register: await rejection(client.registerDynamicWebhooks({ url: INPUT.hookUrl, webhooks: INPUT.webhooks })),
    failed: await rejection(new lib.JiraWebhooks({ baseUrl: fake.url, auth: { ...AUTHS.connect, sharedSecret: wrongSecret } }).getFailedWebhooks()),
  };
  for (const [operation, e] of [["getDynamicWebhooksForApp", errors.list], ["registerDynamicWebhooks", errors.register], ["getFailedWebhooks", errors.failed]]) {
    assert.deepEqual({ ...e, text: undefined, errorMessages: undefined }, {
      isError: true, name: "JiraWebhooksError", kind: "http", status: 401, operation, attempts: 1, text: undefined, errorMessages: undefined,
    });
    assert.match(e.errorMessages.join(), /JWT: signature/);
    for (const secret of [wrongSecret, ...SECRETS]) assert.ok(!e.text.includes(secret), `secret in the error: ${e.text}`);
  }
  assert.deepEqual(apiRequests(fake).map((r) => [r.method, r.path, r.status, r.app]), [
    ["GET", "/rest/api/2/webhook", 401, null], ["POST", "/rest/api/2/webhook", 401, null], ["GET", "/rest/api/2/webhook/failed", 401, null],
  ]);
  assert.deepEqual(fake.applied, []);
});

test("Connect JWT: the fake checks exp (its clock 10 minutes ahead: 401), then the same client works again", { timeout: 30_000 }, async () => {
  await prepareFake(fake);
  const client = new lib.JiraWebhooks({ baseUrl: fake.url, auth: AUTHS.connect, retry: false });
  fake.advanceTime(10 * 60_000);
  const e = await rejection(client.getDynamicWebhooksForApp());
  assert.equal(e.kind, "http");
  assert.equal(e.status, 401);
  assert.match(e.errorMessages.join(), /JWT: token expired/);
  assert.ok(!e.text.includes(CONNECT_SECRET));
  fake.reset();
  assert.deepEqual((await client.getDynamicWebhooksForApp()).values, []);
});
