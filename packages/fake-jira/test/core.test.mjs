// The runtime-neutral core: its module graph imports no Node built-in and no package; `handle(request)` answers
// without a server; deliveries and lifecycle calls can go to a Fetch-API handler; it runs in Deno and in workerd
// (Miniflare) with light stand-ins for the injected validators. node --test packages/fake-jira/test/
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync, mkdtempSync, writeFileSync, rmSync, copyFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createHash, createHmac } from "node:crypto";
import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as jwt from "atlassian-jwt";
import { createFakeJira, nodeDeps, startFakeJira, WEBHOOK_EVENTS, MAX_REQUEST_BYTES } from "../server.mjs";
import { sha256, hmacSha256, hex, base64url, signHS256, verifyHS256, rs256KeyPair } from "../crypto.mjs";
import { AUTH, CONNECT_APP, CONNECT_SECRET, CONNECT_CLIENT_KEY, OAUTH_CLIENT_SECRET, hooks } from "../helpers.mjs";

const PKG = fileURLToPath(new URL("..", import.meta.url));
const NEUTRAL = ["core.mjs", "auth.mjs", "crypto.mjs", "deliveries.mjs", "events.mjs", "jql-values.mjs", "lifecycle.mjs", "oauth.mjs", "points.mjs", "ratelimit.mjs", "schemas.mjs", "seed.mjs", "sites.mjs"];
const stripComments = (source) => source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");

describe("the core's module graph", () => {
  it("imports only its own neutral modules: no node: built-in, no package, no Node global", () => {
    const seen = new Set();
    const visit = (file) => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = stripComments(readFileSync(join(PKG, file), "utf8"));
      const specifiers = [...code.matchAll(/\b(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1] ?? m[2]);
      for (const s of specifiers) {
        assert.match(s, /^\.\/[\w-]+\.mjs$/, `${file} imports ${s}`);
        visit(s.slice(2));
      }
      for (const global of [/\bBuffer\b/, /\bprocess\./, /\brequire\(/, /__dirname/, /import\.meta/])
        assert.doesNotMatch(code, global, `${file} uses ${global}`);
    };
    visit("core.mjs");
    assert.deepEqual([...seen].sort(), [...NEUTRAL].sort());
  });

  it("WEBHOOK_EVENTS is the v3 spec's event enum", () => {
    const spec = JSON.parse(readFileSync(join(PKG, "openapi", "webhooks-v3-2026.openapi.json"), "utf8"));
    assert.deepEqual(WEBHOOK_EVENTS, spec.components.schemas.WebhookDetails.properties.events.items.enum);
  });

  it("createFakeJira without its dependencies is a TypeError naming them", () => {
    assert.throws(() => createFakeJira({}), /needs deps \{ specs: \{2, 3\}, jql: \{ checkJql, matchJql \}/);
  });
});

describe("crypto.mjs against node:crypto and atlassian-jwt", () => {
  it("SHA-256 and HMAC-SHA256 over lengths around the block boundaries, and UTF-8", () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 70_000]) {
      const text = `${"a".repeat(n)}é€`;
      const key = "k".repeat(n % 150);
      assert.equal(hex(sha256(text)), createHash("sha256").update(text).digest("hex"), `sha256 of ${n}`);
      assert.equal(base64url(hmacSha256(key, text)), createHmac("sha256", key).update(text).digest("base64url"), `hmac of ${n}`);
    }
  });

  it("HS256 tokens are byte for byte atlassian-jwt's; verification refuses another secret, another alg and garbage", async () => {
    const claims = { iss: "x", iat: 1, exp: 2, context: { cloudId: "c" } };
    const token = await signHS256(claims, "secret");
    assert.equal(token, jwt.encodeSymmetric(claims, "secret"));
    assert.deepEqual(await verifyHS256(jwt.encodeSymmetric(claims, "secret"), "secret"), claims);
    await assert.rejects(verifyHS256(token, "other"), /signature verification failed/);
    await assert.rejects(verifyHS256(jwt.encodeSymmetric(claims, "secret", jwt.SymmetricAlgorithm.HS512), "secret"), /HS512 instead of HS256/);
    await assert.rejects(verifyHS256("not.a.token", "secret"), { name: "TypeError", message: "a JWT part is not base64url JSON" });
    await assert.rejects(verifyHS256("only-one-part", "secret"), /three dot-separated parts/);
  });

  it("RS256 tokens verify with atlassian-jwt and the PEM public key; the header carries the kid", async () => {
    const keys = await rs256KeyPair();
    const token = await keys.sign({ iss: "k", aud: "https://app.example.com" });
    const claims = jwt.decodeAsymmetric(token, keys.publicKey, jwt.AsymmetricAlgorithm.RS256);
    assert.deepEqual([claims.iss, [claims.aud].flat()], ["k", ["https://app.example.com"]]);
    assert.equal(JSON.parse(Buffer.from(token.split(".")[0], "base64url")).kid, keys.kid);
    const other = await rs256KeyPair();
    assert.throws(() => jwt.decodeAsymmetric(token, other.publicKey, jwt.AsymmetricAlgorithm.RS256));
  });
});

describe("handle(request) without a server", () => {
  it("answers Fetch-API Requests with the fake's url in its links; a reset fault is Response.error(); 413 over the limit", async () => {
    const fake = createFakeJira({ url: "https://jira.test" }, await nodeDeps());
    const res = await fake.handle(new Request("https://anything.example/rest/api/3/webhook", { headers: { authorization: AUTH.connect } }));
    assert.equal(res.status, 200);
    assert.equal((await res.json()).self, "https://jira.test/rest/api/3/webhook?maxResults=100&startAt=0");
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    assert.match(res.headers.get("x-arequestid"), /^[0-9a-f-]{36}$/);
    fake.injectFault({ type: "reset" });
    const dropped = await fake.handle(new Request("https://jira.test/rest/api/3/webhook", { headers: { authorization: AUTH.connect } }));
    assert.equal(dropped.type, "error");
    const big = await fake.handle(new Request("https://jira.test/rest/api/3/webhook", {
      method: "POST", headers: { authorization: AUTH.connect, "content-type": "application/json" }, body: "x".repeat(MAX_REQUEST_BYTES + 1),
    }));
    assert.deepEqual([big.status, await big.json()], [413, { errorMessages: ["Request body too large."], errors: {} }]);
    assert.deepEqual(fake.requests.map((r) => r.status), [200, null]);
    const noContent = await fake.handle(new Request("https://jira.test/rest/api/3/webhook", { method: "OPTIONS" }));
    assert.deepEqual([noContent.status, await noContent.text()], [204, ""]);
  });

  it("delivers through the `fetch` option: a Connect delivery signed for the app, with no network", async () => {
    const received = [];
    const fake = createFakeJira({
      url: "https://jira.test",
      fetch: async (url, init) => (received.push({ url, init }), new Response(null, { status: 204 })),
    }, await nodeDeps());
    const reg = await fake.handle(new Request("https://jira.test/rest/api/3/webhook", {
      method: "POST", headers: { authorization: AUTH.connect, "content-type": "application/json" }, body: JSON.stringify({ ...hooks(1), url: "https://app.example.com/hooks/jira" }),
    }));
    assert.equal(reg.status, 200);
    fake.emit({ event: "jira:issue_created" });
    await fake.deliveriesSettled();
    assert.equal(received.length, 1);
    assert.equal(received[0].url, "https://app.example.com/hooks/jira");
    const token = received[0].init.headers.Authorization.replace(/^JWT /, "");
    const claims = jwt.decodeSymmetric(token, CONNECT_SECRET, jwt.SymmetricAlgorithm.HS256);
    assert.equal(claims.iss, CONNECT_CLIENT_KEY);
    assert.equal(claims.qsh, jwt.createQueryStringHash(jwt.fromMethodAndUrl("POST", "/hooks/jira"), false, ""));
    assert.deepEqual(JSON.parse(received[0].init.body).matchedWebhookIds, [10000]);
    assert.deepEqual(fake.deliveries.map((d) => [d.app, d.status]), [[CONNECT_APP, 204]]);
  });

  it("the Node entry's answer to an over-large body is 413 too", async () => {
    const fake = await startFakeJira();
    try {
      const r = await fetch(`${fake.url}/rest/api/3/webhook`, {
        method: "POST", headers: { authorization: AUTH.connect, "content-type": "application/json" }, body: "x".repeat(MAX_REQUEST_BYTES + 10),
      });
      assert.equal(r.status, 413);
      assert.match(r.headers.get("access-control-expose-headers"), /x-arequestid/);
    } finally {
      await fake.close();
    }
  });
});

/** A file of the workspace's node_modules (the root's devDependencies: deno, miniflare), or null. */
function fromWorkspace(...path) {
  for (let dir = PKG; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, "node_modules", ...path);
    if (existsSync(file)) return file;
  }
  return null;
}

/** What the smoke script reports, checked the same way for every runtime. */
async function checkSmoke(result, runtime) {
  assert.equal(result.runtime, runtime);
  assert.deepEqual(result.token, { status: 200, keys: ["access_token", "expires_in", "refresh_token", "scope", "token_type"] });
  assert.deepEqual(result.refresh, [200, 403], "two refreshes of one token at once: one wins");
  assert.deepEqual(result.resources, ["default"]);
  assert.deepEqual(result.gateway, { register: 200, list: 1, user: "dora" });
  assert.equal(result.delivery.url, "https://app.example.com/hook");
  // the delivery's bearer JWT, signed there with WebCrypto, verifies here with atlassian-jwt
  const claims = jwt.decodeSymmetric(result.delivery.authorization.replace(/^Bearer /, ""), OAUTH_CLIENT_SECRET, jwt.SymmetricAlgorithm.HS256);
  assert.equal(claims.sub, "dora");
  assert.equal(result.lifecycle.status, 200);
  assert.equal(jwt.decodeAsymmetric(result.lifecycle.token, result.lifecycle.publicKey, jwt.AsymmetricAlgorithm.RS256).qsh, "qsh-of-POST-/installed");
  assert.equal(result.siteClientKey, (await import("../sites.mjs")).clientKeyOf("alpha"), "derived ids are the same there");
}

describe("the core in other runtimes, with light stand-ins for the injected validators", () => {
  const deno = fromWorkspace(".bin", "deno");
  it("Deno: the OAuth 2.0 dance, concurrent refreshes, the gateway, a delivery and a lifecycle call", { skip: !deno && "no deno binary in node_modules/.bin", timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "fake-jira-deno-"));
    try {
      const script = join(dir, "core-in-deno.mjs");
      writeFileSync(script, `import { createFakeJira } from ${JSON.stringify(pathToFileURL(join(PKG, "core.mjs")).href)};\n${SMOKE}\nconsole.log(JSON.stringify(result));\n`);
      const out = await new Promise((resolve, reject) =>
        execFile(deno, ["run", "--no-lock", "--no-prompt", "--no-config", script], { env: { ...process.env, DENO_DIR: join(dir, "deno-dir"), NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" }, timeout: 110_000 },
          (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout))));
      await checkSmoke(JSON.parse(out.trim().split("\n").at(-1)), "deno");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const miniflare = fromWorkspace("miniflare", "package.json");
  it("workerd (Miniflare): the same, inside a Worker's fetch handler", { skip: !miniflare && "no miniflare in node_modules", timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "fake-jira-workerd-"));
    const { Miniflare } = await import(pathToFileURL(createRequire(miniflare).resolve("miniflare")).href);
    let mf;
    try {
      for (const file of NEUTRAL) copyFileSync(join(PKG, file), join(dir, file));
      writeFileSync(join(dir, "worker.mjs"), `import { createFakeJira } from "./core.mjs";\nexport default { async fetch() {\n${SMOKE}\nreturn Response.json(result);\n} };\n`);
      mf = new Miniflare({ modules: true, scriptPath: join(dir, "worker.mjs"), modulesRoot: dir, modulesRules: [{ type: "ESModule", include: ["**/*.mjs"] }], compatibilityDate: "2025-01-01" });
      const res = await mf.dispatchFetch("http://localhost/");
      await checkSmoke(await res.json(), "workerd");
    } finally {
      await mf?.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The core with stand-ins for what Node injects (a route table without validation, JQL that matches everything, a
 * fake qsh), deliveries and lifecycle calls caught by the `fetch` option; it leaves its findings in `result`.
 */
const SMOKE = `
const table = { "POST /webhook": "registerDynamicWebhooks", "GET /webhook": "getDynamicWebhooksForApp", "GET /webhook/failed": "getFailedWebhooks",
  "PUT /webhook/refresh": "refreshWebhooks", "DELETE /webhook": "deleteWebhookById" };
const spec = {
  match: (method, path) => { const id = table[method.toUpperCase() + " " + path.replace(/^\\/rest\\/api\\/[23]/, "")]; return id && { operationId: id, requestBody: id !== "getDynamicWebhooksForApp" && id !== "getFailedWebhooks" ? {} : undefined }; },
  validateRequest: () => [], validateResponse: () => [],
};
const sent = [];
const fake = createFakeJira({
  url: "https://jira.test",
  fetch: async (url, init) => { sent.push({ url, init }); return new Response(null, { status: url.endsWith("/installed") ? 200 : 204 }); },
}, { specs: { 2: spec, 3: spec }, jql: { checkJql: () => [], matchJql: () => true }, qsh: ({ method, url }) => "qsh-of-" + method + "-" + new URL(url).pathname });
const call = (path, init = {}) => fake.handle(new Request("https://jira.test" + path, init));
const json = { "content-type": "application/json" };
const consent = await call("/authorize?audience=api.atlassian.com&client_id=oauth-client-id-123&scope=read:jira-work%20manage:jira-webhook%20offline_access&redirect_uri=" +
  encodeURIComponent("https://app.example.com/oauth/callback") + "&state=s&response_type=code&prompt=consent&user=dora");
const code = new URL(consent.headers.get("location")).searchParams.get("code");
const tokenRes = await call("/oauth/token", { method: "POST", headers: json, body: JSON.stringify({ grant_type: "authorization_code", client_id: "oauth-client-id-123",
  client_secret: "oauth-client-secret-for-tests", code, redirect_uri: "https://app.example.com/oauth/callback" }) });
const token = await tokenRes.json();
const refresh = () => call("/oauth/token", { method: "POST", headers: json, body: JSON.stringify({ grant_type: "refresh_token", client_id: "oauth-client-id-123",
  client_secret: "oauth-client-secret-for-tests", refresh_token: token.refresh_token }) });
const refreshes = await Promise.all([refresh(), refresh()]);
const fresh = await refreshes.find((r) => r.status === 200).json();
const auth = { authorization: "Bearer " + fresh.access_token };
const resources = await (await call("/oauth/token/accessible-resources", { headers: auth })).json();
const gw = "/ex/jira/" + resources[0].id + "/rest/api/3/webhook";
const register = await call(gw, { method: "POST", headers: { ...auth, ...json }, body: JSON.stringify({ url: "https://app.example.com/hook", webhooks: [{ events: ["jira:issue_created"], jqlFilter: "project = DEMO" }] }) });
const list = await (await call(gw, { headers: auth })).json();
fake.emit({ event: "jira:issue_created" });
await fake.deliveriesSettled();
const install = await fake.installApp({ site: "alpha", appBaseUrl: "https://connect.example.com" });
const installed = sent.find((s) => s.url.endsWith("/installed"));
const kid = JSON.parse(atob(installed.init.headers.Authorization.slice(4).split(".")[0].replace(/-/g, "+").replace(/_/g, "/"))).kid;
const result = {
  runtime: typeof Deno === "object" ? "deno" : globalThis.navigator?.userAgent === "Cloudflare-Workers" ? "workerd" : "other",
  token: { status: tokenRes.status, keys: Object.keys(token).sort() },
  refresh: refreshes.map((r) => r.status).sort(),
  resources: resources.map((r) => r.name),
  gateway: { register: register.status, list: list.total, user: fake.state.apps["oauth-client-id-123"].webhooks[0].user },
  delivery: { url: sent[0].url, authorization: sent[0].init.headers.Authorization },
  lifecycle: { status: install, token: installed.init.headers.Authorization.slice(4), publicKey: await fake.connectPublicKey(kid) },
  siteClientKey: fake.site("alpha").clientKey,
};
`;
