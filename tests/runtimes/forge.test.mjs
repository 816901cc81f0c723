// The Forge adapters of the installed package (`jira-webhooks/forge`), with stand-ins for `@forge/api`
// (`requestJira(route, init)` + `assumeTrustedRoute`) and `@forge/bridge` (`requestJira(path, init)`) that
// record every call and forward it to the fake, adding the credential the way Forge would. The client uses
// `auth: { type: "none" }` and no baseUrl; the stand-ins get API paths and never an Authorization header.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { AUTH } from "jira-webhooks-fake/helpers";
import { useFake } from "../support/fake.mjs";
import { INPUT, apiRequests, checkDrive, drive, importFromConsumer, installPackage, prepareFake, rejection } from "./common.mjs";

const fake = useFake();
let lib, forge;

before(async () => {
  const { dir } = await installPackage();
  lib = await importFromConsumer(dir, "forge-entry.mjs", `export * from "jira-webhooks";\n`);
  forge = await importFromConsumer(dir, "forge-adapter-entry.mjs", `export * from "jira-webhooks/forge";\nexport const resolved = import.meta.resolve("jira-webhooks/forge");\n`);
}, { timeout: 60_000 });

/** Forwards one recorded call to the fake with the Connect app's credential (Forge adds its own). */
const forward = (path, init) => fetch(fake.url + path, { method: init.method, headers: { ...init.headers, Authorization: AUTH.connect }, body: init.body });

/** What the stand-ins must have been given for drive()'s six requests. */
function checkCalls(calls, ids) {
  const body = (x) => JSON.stringify(x);
  assert.deepEqual(calls.map((c) => [c.path, c.init.method]), [
    ["/rest/api/2/webhook", "POST"],
    ["/rest/api/2/webhook?maxResults=10", "GET"],
    ["/rest/api/2/webhook/refresh", "PUT"],
    ["/rest/api/2/webhook/failed?maxResults=10", "GET"],
    ["/rest/api/2/webhook", "DELETE"],
    ["/rest/api/2/webhook?maxResults=10", "GET"],
  ]);
  for (const { init } of calls) {
    assert.deepEqual(Object.keys(init).filter((k) => init[k] !== undefined).sort(), init.body === undefined ? ["headers", "method"] : ["body", "headers", "method"]);
    assert.deepEqual(Object.keys(init.headers).filter((h) => h.toLowerCase() === "authorization"), [], "no Authorization header reaches Forge");
    if (init.body !== undefined) assert.match(Object.entries(init.headers).find(([h]) => h.toLowerCase() === "content-type")[1], /^application\/json/);
  }
  assert.deepEqual(JSON.parse(calls[0].init.body), { url: INPUT.hookUrl, webhooks: INPUT.webhooks });
  assert.equal(calls[2].init.body, body({ webhookIds: ids }));
  assert.equal(calls[4].init.body, body({ webhookIds: ids }));
}

test("jira-webhooks/forge resolves to forge.js", () => {
  assert.match(forge.resolved, /\/node_modules\/jira-webhooks\/forge\.js$/);
  assert.deepEqual(Object.keys(forge).sort(), ["bridgeTransport", "forgeTransport", "resolved"]);
});

test("forgeTransport(@forge/api stand-in, assumeTrustedRoute): the five operations; routes are API paths, no Authorization", { timeout: 30_000 }, async () => {
  await prepareFake(fake);
  const calls = [];
  const routes = [];
  const assumeTrustedRoute = (p) => {
    const route = { value: p };
    routes.push(route);
    return route;
  };
  const api = {
    async requestJira(route, init) {
      assert.ok(routes.includes(route), "requestJira gets the route object assumeTrustedRoute made");
      calls.push({ path: route.value, init: structuredClone(init) });
      return forward(route.value, init);
    },
  };
  const out = await drive(lib, { auth: { type: "none" }, transport: forge.forgeTransport(api, assumeTrustedRoute) }, INPUT);
  const { ids } = checkDrive(out, fake);
  checkCalls(calls, ids);
  assert.equal(routes.length, calls.length);
  assert.equal(apiRequests(fake).length, calls.length, "every request went through requestJira");
});

test("bridgeTransport(@forge/bridge stand-in): the five operations; paths, no Authorization", { timeout: 30_000 }, async () => {
  await prepareFake(fake);
  const calls = [];
  const requestJira = async (path, init) => {
    assert.equal(typeof path, "string");
    calls.push({ path, init: structuredClone(init) });
    return forward(path, init);
  };
  const out = await drive(lib, { auth: { type: "none" }, transport: forge.bridgeTransport(requestJira) }, INPUT);
  const { ids } = checkDrive(out, fake);
  checkCalls(calls, ids);
  assert.equal(apiRequests(fake).length, calls.length);
});

test("Forge: Jira's answers through requestJira keep their meaning (a 403 is kind http 403)", { timeout: 30_000 }, async () => {
  await prepareFake(fake);
  const plainUser = { async requestJira(route, init) { return fetch(fake.url + route.value, { method: init.method, headers: { ...init.headers, Authorization: AUTH.plain }, body: init.body }); } };
  const client = new lib.JiraWebhooks({ auth: { type: "none" }, transport: forge.forgeTransport(plainUser, (p) => ({ value: p })) });
  const e = await rejection(client.getDynamicWebhooksForApp());
  assert.deepEqual({ kind: e.kind, status: e.status, operation: e.operation }, { kind: "http", status: 403, operation: "getDynamicWebhooksForApp" });
  assert.deepEqual(apiRequests(fake).map((r) => [r.method, r.path, r.status]), [["GET", "/rest/api/2/webhook", 403]]);
});
