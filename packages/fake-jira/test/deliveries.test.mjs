// node --test packages/fake-jira/test/ — webhook deliveries: matching, bodies, headers, signatures, retries, failures.
import { describe, it, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as jwt from "atlassian-jwt";
import { useFake } from "../node-test.mjs";
import { startFakeJira, WEBHOOK_LIFETIME_MS, DEFAULT_SEED } from "../server.mjs";
import {
  AUTH, CONNECT_APP, OAUTH_APP, CLOUD_ID, CONNECT_SECRET, CONNECT_CLIENT_KEY, OAUTH_CLIENT_SECRET, OAUTH_PREFIX, call, startReceiver,
} from "../helpers.mjs";

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
let t = T0;
let receiver;
/** What the receiver answers to request n (default 204). */
let answer = () => 204;

// Registered before useFake's hooks, so this runs before its reset (which reads the clock).
beforeEach(() => {
  t = T0;
  answer = () => 204;
  receiver.received.length = 0;
});
const fake = useFake({ now: () => t, deliveryRetryDelaysMs: [5] });
before(async () => {
  receiver = await startReceiver((r, n) => answer(r, n));
});
after(() => receiver.close());

const register = (webhooks, { url = `${receiver.url}/hook`, auth = AUTH.connect, prefix = "" } = {}) =>
  call(fake, "POST", `${prefix}/rest/api/3/webhook`, { body: { url, webhooks }, auth }).then((r) => {
    assert.equal(r.status, 200, r.text);
    return r.json.webhookRegistrationResult.map((x) => x.createdWebhookId ?? x.errors);
  });
const emitted = async (event) => {
  const r = fake.emit(event);
  await fake.deliveriesSettled();
  return r.deliveries;
};
const hook = (events, jqlFilter, more = {}) => ({ events, jqlFilter, ...more });

/** Verifies a Connect delivery JWT the way an app does (atlassian-jwt): signature, iss, exp, qsh of its own path. */
function verifyConnect(req, { secret = CONNECT_SECRET, clientKey = CONNECT_CLIENT_KEY, appBaseUrl = receiver.url } = {}) {
  const [scheme, token] = req.headers.authorization.split(" ");
  assert.equal(scheme, "JWT");
  const claims = jwt.decodeSymmetric(token, secret, jwt.SymmetricAlgorithm.HS256);
  assert.equal(claims.iss, clientKey);
  assert.ok(claims.iat <= fake.now() / 1000 && claims.exp > fake.now() / 1000, "iat/exp around the fake's clock");
  assert.equal(claims.qsh, jwt.createQueryStringHash(jwt.fromMethodAndUrl("POST", req.url), false, appBaseUrl));
  return claims;
}

describe("deliveries: what is sent", () => {
  it("POSTs one JSON body per app with Jira's headers and a Connect JWT (iss = clientKey, qsh of the app-relative path)", async () => {
    const [id] = await register([hook(["jira:issue_created"], "project = DEMO")], { url: `${receiver.url}/hooks/jira?tenant=a%20b` });
    const deliveries = await emitted({ event: "jira:issue_created" });
    assert.deepEqual(deliveries, [{ id: "1", app: CONNECT_APP, url: `${receiver.url}/hooks/jira?tenant=a%20b`, matchedWebhookIds: [id] }]);
    assert.equal(receiver.received.length, 1);
    const [req] = receiver.received;
    assert.equal(req.method, "POST");
    assert.equal(req.url, "/hooks/jira?tenant=a%20b");
    assert.equal(req.headers["content-type"], "application/json");
    assert.equal(req.headers["x-atlassian-webhook-identifier"], "1");
    assert.equal(req.headers["x-atlassian-webhook-flow"], "Primary");
    assert.equal(req.headers["x-atlassian-webhook-retry"], undefined, "no retry header on the first attempt");
    verifyConnect(req);
    assert.throws(() => verifyConnect(req, { secret: "another-secret" }), /Signature verification failed/);
    const body = req.json;
    assert.deepEqual([body.timestamp, body.webhookEvent, body.issue_event_type_name, body.matchedWebhookIds], [T0, "jira:issue_created", "issue_created", [id]]);
    assert.equal(body.issue.key, "DEMO-1");
    assert.deepEqual(body.issue.fields.project.key, "DEMO");
    assert.equal(body.issue.self, `${fake.url}/rest/api/2/issue/10001`);
    assert.equal(typeof body.user.accountId, "string");
    assert.equal("changelog" in body, false);
    assert.deepEqual(fake.deliveries, [{ id: "1", site: "default", app: CONNECT_APP, url: deliveries[0].url, attempt: 1, time: T0, flow: "Primary", status: 204 }]);
  });

  it("computes qsh relative to the connectAppBaseUrl option when the app has a path prefix", async () => {
    const f = await startFakeJira({ now: () => T0, connectAppBaseUrl: `${receiver.url}/my-app` });
    try {
      await call(f, "POST", "/rest/api/2/webhook", { body: { url: `${receiver.url}/my-app/hooks/jira`, webhooks: [hook(["jira:issue_created"], "project = DEMO")] } });
      f.emit({ event: "jira:issue_created" });
      await f.deliveriesSettled();
      const claims = verifyConnect(receiver.received[0], { appBaseUrl: `${receiver.url}/my-app` });
      assert.equal(claims.qsh, jwt.createQueryStringHash(jwt.fromMethodAndUrl("POST", "/hooks/jira"), false, ""));
    } finally {
      await f.close();
    }
  });

  it("OAuth 2.0 apps get a Bearer JWT signed with the client secret, with the cloudId in its context", async () => {
    const [id] = await register([hook(["comment_created"], "project = DEMO")], { auth: AUTH.oauth, prefix: OAUTH_PREFIX });
    const deliveries = await emitted({ event: "comment_created", flow: "Secondary", comment: { id: "77", body: "hello" } });
    assert.deepEqual(deliveries.map((d) => [d.app, d.matchedWebhookIds]), [[OAUTH_APP, [id]]]);
    const [req] = receiver.received;
    assert.equal(req.headers["x-atlassian-webhook-flow"], "Secondary");
    const [scheme, token] = req.headers.authorization.split(" ");
    assert.equal(scheme, "Bearer");
    const claims = jwt.decodeSymmetric(token, OAUTH_CLIENT_SECRET, jwt.SymmetricAlgorithm.HS256);
    assert.deepEqual([claims.iss, claims.sub, claims.context], [fake.url, "alice", { cloudId: CLOUD_ID }]);
    assert.ok(claims.exp > claims.iat);
    assert.deepEqual(req.json.comment, { id: "77", body: "hello" });
    assert.equal(req.json.issue.key, "DEMO-1");
  });

  it("one delivery per app, each with its own identifier, to the app's url; both apps' ids listed only in their own", async () => {
    const connect = await register([hook(["jira:issue_created"], "project = DEMO"), hook(["jira:issue_created"], "issuetype = Task")]);
    const oauth = await register([hook(["jira:issue_created"], "status = 'To Do'")], { url: `${receiver.url}/oauth`, auth: AUTH.oauth, prefix: OAUTH_PREFIX });
    const deliveries = await emitted({ event: "jira:issue_created" });
    assert.deepEqual(deliveries.map((d) => [d.id, d.app, d.matchedWebhookIds]), [["1", CONNECT_APP, connect], ["2", OAUTH_APP, oauth]]);
    const byPath = Object.fromEntries(receiver.received.map((r) => [r.path, r.json.matchedWebhookIds]));
    assert.deepEqual(byPath, { "/hook": connect, "/oauth": oauth });
  });
});

describe("deliveries: which webhooks an event triggers", () => {
  it("evaluates jqlFilter on the issue, and ignores expired webhooks", async () => {
    const [demo, ops, done, bug] = await register([
      hook(["jira:issue_created"], "project = DEMO"),
      hook(["jira:issue_created"], "project IN (OPS)"),
      hook(["jira:issue_created", "jira:issue_deleted"], "project = DEMO AND status = Done"),
      hook(["jira:issue_created"], "issuetype = bug AND (assignee = 5b10ac8d82e05b22cc7d4ef5 OR cf[10014] = \"epic x\")"),
    ]);
    const ids = async (event) => (await emitted(event)).map((d) => d.matchedWebhookIds);
    assert.deepEqual(await ids({ event: "jira:issue_created" }), [[demo]]);
    assert.deepEqual(await ids({ event: "jira:issue_created", issue: { key: "OPS-3" } }), [[ops]]);
    assert.deepEqual(await ids({ event: "jira:issue_created", issue: { fields: { status: { name: "DONE" } } } }), [[demo, done]]);
    assert.deepEqual(await ids({ event: "jira:issue_deleted", issue: { fields: { status: { name: "Done" } } } }), [[done]]);
    assert.deepEqual(await ids({ event: "jira:issue_created", issue: { key: "X-1", fields: { issuetype: { name: "Bug" }, customfield_10014: "Epic X" } } }), [[bug]]);
    assert.deepEqual(await ids({ event: "jira:issue_updated" }), [], "no webhook listens to updates");
    t = T0 + WEBHOOK_LIFETIME_MS + 1;
    assert.deepEqual(await ids({ event: "jira:issue_created" }), [], "expired");
    assert.equal(receiver.received.length, 5);
  });

  it("fieldIdsFilter: jira:issue_updated only when the changelog has one of the fields", async () => {
    const [assignee, any] = await register([
      hook(["jira:issue_updated"], "project = DEMO", { fieldIdsFilter: ["assignee", "customfield_10029"] }),
      hook(["jira:issue_updated"], "project = DEMO"),
    ]);
    const changelog = (...fieldIds) => ({ id: "1", items: fieldIds.map((fieldId) => ({ field: fieldId, fieldtype: "jira", fieldId, from: null, to: "x" })) });
    const ids = async (event) => (await emitted(event)).map((d) => d.matchedWebhookIds);
    assert.deepEqual(await ids({ event: "jira:issue_updated" }), [[any]], "the default changelog changes the summary");
    assert.deepEqual(await ids({ event: "jira:issue_updated", changelog: changelog("status", "customfield_10029") }), [[assignee, any]]);
    const body = receiver.received.at(-1).json;
    assert.equal(body.issue_event_type_name, "issue_updated");
    assert.deepEqual(body.changelog.items.map((i) => i.fieldId), ["status", "customfield_10029"]);
    await emitted({ event: "jira:issue_updated", issueEventTypeName: "issue_generic", changelog: changelog("assignee") });
    assert.equal(receiver.received.at(-1).json.issue_event_type_name, "issue_generic");
  });

  it("issuePropertyKeysFilter and issue.property[…] clauses for issue_property_* events", async () => {
    const [flagged, anyKey] = await register([
      hook(["issue_property_set", "issue_property_deleted"], "issue.property[flag].on = \"true\"", { issuePropertyKeysFilter: ["flag"] }),
      hook(["issue_property_set"], "project = DEMO"),
    ]);
    const ids = async (event) => (await emitted(event)).map((d) => d.matchedWebhookIds);
    assert.deepEqual(await ids({ event: "issue_property_set", property: { key: "flag", value: { on: true } } }), [[flagged, anyKey]]);
    assert.deepEqual(receiver.received.at(-1).json.property, { key: "flag", value: { on: true } });
    assert.deepEqual(await ids({ event: "issue_property_set", property: { key: "other", value: 1 }, issue: { properties: { flag: { on: true } } } }), [[anyKey]]);
    assert.deepEqual(await ids({ event: "issue_property_deleted", property: { key: "flag" }, issue: { properties: { flag: { on: true } } } }), [], "deleted: no longer on the issue");
  });

  it("sprint and version events carry their object and no issue; their JQL is not evaluated", async () => {
    const [sprint, version] = await register([hook(["sprint_started"], "project = NOPE"), hook(["jira:version_released"], "project = NOPE")]);
    assert.deepEqual((await emitted({ event: "sprint_started" })).map((d) => d.matchedWebhookIds), [[sprint]]);
    assert.deepEqual((await emitted({ event: "jira:version_released", version: { id: "5", name: "2.0", released: true } })).map((d) => d.matchedWebhookIds), [[version]]);
    const [s, v] = receiver.received.map((r) => r.json);
    assert.equal(s.sprint.state, "active");
    assert.equal("issue" in s, false);
    assert.deepEqual(v.version, { id: "5", name: "2.0", released: true });
  });

  it("refuses an invalid event", () => {
    assert.throws(() => fake.emit({ event: "jira:issue_exploded" }), /invalid event/);
    assert.throws(() => fake.emit({ event: "jira:issue_created", isue: {} }), /invalid event/);
    assert.throws(() => fake.emit({ event: "jira:issue_created", site: "Bad_Name" }), /invalid site name/);
  });
});

describe("deliveries: Jira's retry policy", () => {
  it("retries 408, 409, 425, 429 and 5xx with the same identifier and body, counting in X-Atlassian-Webhook-Retry", async () => {
    await register([hook(["jira:issue_created"], "project = DEMO")]);
    const statuses = [500, 408, 409, 425, 429, 200];
    answer = (_r, n) => statuses[n - 1];
    await emitted({ event: "jira:issue_created" });
    const got = receiver.received;
    assert.equal(got.length, 6);
    assert.deepEqual(got.map((r) => r.headers["x-atlassian-webhook-retry"]), [undefined, "1", "2", "3", "4", "5"]);
    assert.equal(new Set(got.map((r) => r.headers["x-atlassian-webhook-identifier"])).size, 1);
    assert.equal(new Set(got.map((r) => r.body)).size, 1, "the same body on every retry");
    for (const r of got) verifyConnect(r);
    assert.deepEqual(fake.deliveries.map((d) => [d.attempt, d.status]), statuses.map((s, i) => [i + 1, s]));
    assert.deepEqual((await call(fake, "GET", "/rest/api/2/webhook/failed")).json.values, []);
  });

  it("500 twice then 204: delivered on the second retry", async () => {
    await register([hook(["jira:issue_created"], "project = DEMO")]);
    answer = (_r, n) => (n <= 2 ? 500 : 204);
    const [d] = await emitted({ event: "jira:issue_created" });
    assert.deepEqual(receiver.received.map((r) => [r.headers["x-atlassian-webhook-identifier"], r.headers["x-atlassian-webhook-retry"]]), [
      [d.id, undefined], [d.id, "1"], [d.id, "2"],
    ]);
    assert.deepEqual(fake.stats().sites.default.deliveries, { attempted: 1, attempts: 3, succeeded: 1, failed: 0 });
  });

  it("always 500: after the 5th retry the delivery is listed by GET /webhook/failed with its body", async () => {
    await register([hook(["jira:issue_created"], "project = DEMO")]);
    answer = () => 500;
    const [d] = await emitted({ event: "jira:issue_created" });
    assert.equal(receiver.received.length, 6, "the first attempt and 5 retries");
    const failed = await call(fake, "GET", "/rest/api/2/webhook/failed");
    assert.deepEqual(failed.json.values, [{ id: d.id, body: receiver.received[0].body, url: d.url, failureTime: T0 }]);
    assert.deepEqual(fake.stats().sites.default.deliveries, { attempted: 1, attempts: 6, succeeded: 0, failed: 1 });
  });

  it("a 4xx other than 408/409/425/429 ends the delivery: no retry, not listed as failed", async () => {
    await register([hook(["jira:issue_created"], "project = DEMO")]);
    for (const status of [400, 401, 403, 404]) {
      answer = () => status;
      await emitted({ event: "jira:issue_created" });
    }
    assert.equal(receiver.received.length, 4);
    assert.deepEqual(fake.deliveries.map((d) => d.status), [400, 401, 403, 404]);
    assert.deepEqual((await call(fake, "GET", "/rest/api/3/webhook/failed")).json.values, []);
    assert.equal(fake.stats().total.deliveries.failed, 4);
  });

  it("retries connection failures and timeouts", async () => {
    const f = await startFakeJira({ now: () => T0, deliveryRetries: 2, deliveryRetryDelaysMs: [1], deliveryTimeoutMs: 150 });
    const closed = http.createServer();
    await new Promise((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadUrl = `http://127.0.0.1:${closed.address().port}/hook`;
    await new Promise((resolve) => closed.close(resolve));
    const slow = await startReceiver((_r, n) => (n === 1 ? null : 204)); // the first request never gets an answer
    try {
      await call(f, "POST", "/rest/api/2/webhook", { body: { url: deadUrl, webhooks: [hook(["jira:issue_created"], "project = DEMO")] } });
      f.emit({ event: "jira:issue_created" });
      await f.deliveriesSettled();
      assert.deepEqual(f.deliveries.map((d) => [d.attempt, d.error]), [[1, "ECONNREFUSED"], [2, "ECONNREFUSED"], [3, "ECONNREFUSED"]]);
      assert.deepEqual((await call(f, "GET", "/rest/api/2/webhook/failed")).json.values.map((v) => [v.id, v.url]), [["1", deadUrl]]);

      f.reset();
      await call(f, "POST", "/rest/api/2/webhook", { body: { url: `${slow.url}/hook`, webhooks: [hook(["jira:issue_created"], "project = DEMO")] } });
      f.emit({ event: "jira:issue_created" });
      await f.deliveriesSettled();
      assert.deepEqual(f.deliveries.map((d) => d.error ?? d.status), ["timeout after 150 ms", 204]);
      assert.deepEqual(slow.received.map((r) => r.headers["x-atlassian-webhook-retry"]), [undefined, "1"]);
    } finally {
      await slow.close();
      await f.close();
    }
  });
});

describe("deliveries: load", () => {
  it("sends at most deliveryConcurrency attempts at once; the others queue without timing out", async () => {
    const f = await startFakeJira({ deliveryConcurrency: 2, deliveryTimeoutMs: 100 });
    let active = 0;
    let most = 0;
    answer = async () => {
      most = Math.max(most, ++active);
      await new Promise((resolve) => setTimeout(resolve, 30));
      active--;
      return 204;
    };
    try {
      await call(f, "POST", "/rest/api/2/webhook", { body: { url: `${receiver.url}/hook`, webhooks: [hook(["jira:issue_created"], "project = DEMO")] } });
      for (let i = 0; i < 8; i++) f.emit({ event: "jira:issue_created" });
      await f.deliveriesSettled();
      assert.equal(most, 2);
      assert.deepEqual(f.deliveries.map((d) => d.status), Array(8).fill(204), "8 × 30 ms in pairs: no attempt waited 100 ms on the wire");
    } finally {
      await f.close();
    }
  });
});

describe("deliveries: control API and reset", () => {
  const ctl = (method, path, body) => call(fake, method, `/_fake/${path}`, { body, auth: null });

  it("POST /_fake/events emits and answers at once; GET /_fake/deliveries?settled=true waits for the log", async () => {
    const [id] = await register([hook(["jira:issue_created"], "project = DEMO")]);
    const r = await ctl("POST", "events", { event: "jira:issue_created" });
    assert.deepEqual(r.json, { ok: true, deliveries: [{ id: "1", app: CONNECT_APP, url: `${receiver.url}/hook`, matchedWebhookIds: [id] }] });
    const log = await ctl("GET", "deliveries?settled=true");
    assert.deepEqual(log.json.map((d) => [d.id, d.status]), [["1", 204]]);
    assert.equal((await ctl("POST", "events", { event: "nope" })).status, 400);
  });

  it("reset clears the delivery log and stops deliveries in flight", async () => {
    await register([hook(["jira:issue_created"], "project = DEMO")]);
    answer = () => 503;
    fake.emit({ event: "jira:issue_created" });
    fake.reset();
    await fake.deliveriesSettled();
    assert.ok(receiver.received.length <= 1);
    assert.deepEqual(fake.deliveries, []);
  });
});

describe("deliveries: the CLI", () => {
  it("--emit emits events once started, delivered to the seed's webhooks", async () => {
    const seedFile = join(mkdtempSync(join(tmpdir(), "fake-jira-")), "seed.json");
    const webhooks = [{ app: CONNECT_APP, url: `${receiver.url}/cli-hook`, events: ["jira:issue_created"], jqlFilter: "project = OPS" }];
    writeFileSync(seedFile, JSON.stringify({ ...DEFAULT_SEED, webhooks }));
    const cli = new URL("../cli.mjs", import.meta.url).pathname;
    const child = spawn(process.execPath, [cli, "--port", "0", "--seed", seedFile, "--emit", '{"event":"jira:issue_created","issue":{"key":"OPS-9"}}']);
    try {
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      const deadline = Date.now() + 5000;
      while (!receiver.received.length || !/emitted jira:issue_created: 1 deliveries/.test(out)) {
        assert.ok(Date.now() < deadline, `no delivery from the CLI; it printed: ${out}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const [req] = receiver.received;
      assert.equal(req.path, "/cli-hook");
      assert.deepEqual([req.json.issue.key, req.json.matchedWebhookIds], ["OPS-9", [10000]]);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
