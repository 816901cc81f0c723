// node --test packages/fake-jira/test/
import { describe, it, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import * as jwt from "atlassian-jwt";
import { useFake } from "../node-test.mjs";
import { startFakeJira, WEBHOOK_LIFETIME_MS, FAILED_RETENTION_MS, jiraDate } from "../server.mjs";
import { getSpecs, JIRA_DATE_PATTERN } from "../spec.mjs";
import { AUTH, CONNECT_APP, OAUTH_APP, CLOUD_ID, CONNECT_SECRET, OAUTH_PREFIX, DEFAULT_SEED, basic, call, hooks } from "../helpers.mjs";

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const DAY = 86_400_000;
const HOUR = 3_600_000;
const seedJson = JSON.parse(readFileSync(new URL("../seed.json", import.meta.url), "utf8"));
const BOB = { type: "bearer", token: "bob-token", app: OAUTH_APP, user: "bob" };
const withBob = { ...DEFAULT_SEED, credentials: [...DEFAULT_SEED.credentials, BOB] };

let t = T0;
// Registered before useFake's hooks, so this runs before its reset (which reads the clock).
beforeEach(() => (t = T0));
const fake = useFake({ now: () => t });

const register = (body, opts = {}) => call(fake, "POST", `${opts.prefix ?? "/rest/api/3"}/webhook`, { body, ...opts });
const list = (query = "", opts = {}) => call(fake, "GET", `${opts.prefix ?? "/rest/api/3"}/webhook${query}`, opts);
const ids = (r) => r.json.webhookRegistrationResult.map((x) => x.createdWebhookId);

describe("authentication and callers", () => {
  it("answers 401 with an ErrorCollection and WWW-Authenticate without or with wrong credentials", async () => {
    for (const auth of [null, basic("admin@example.com", "wrong"), "Bearer nope", "Digest abc"]) {
      const r = await list("", { auth });
      assert.equal(r.status, 401, String(auth));
      assert.deepEqual(r.json.errors, {});
      assert.match(r.json.errorMessages[0], /not authenticated/);
      assert.match(r.headers.get("www-authenticate"), /^OAuth realm=/);
    }
  });

  it("answers 403 'isn't an app' to a plain user on the four app operations", async () => {
    const cases = [
      ["GET", "/rest/api/2/webhook", undefined],
      ["POST", "/rest/api/2/webhook", hooks(1)],
      ["PUT", "/rest/api/3/webhook/refresh", { webhookIds: [1] }],
      ["DELETE", "/rest/api/3/webhook", { webhookIds: [1] }],
    ];
    for (const [method, path, body] of cases) {
      const r = await call(fake, method, path, { body, auth: AUTH.plain });
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.match(r.json.errorMessages[0], /isn't an app/);
    }
    assert.deepEqual(fake.applied, []);
  });

  it("answers 403 'not a Connect app' on getFailedWebhooks to OAuth apps and plain users", async () => {
    const oauth = await call(fake, "GET", `${OAUTH_PREFIX}/rest/api/3/webhook/failed`, { auth: AUTH.oauth });
    const plain = await call(fake, "GET", "/rest/api/3/webhook/failed", { auth: AUTH.plain });
    for (const r of [oauth, plain]) {
      assert.equal(r.status, 403);
      assert.match(r.json.errorMessages[0], /not a Connect app/);
    }
  });

  it("accepts OAuth bearer tokens only under /ex/jira/{cloudId} with the app's cloudId", async () => {
    assert.equal((await list("", { auth: AUTH.oauth })).status, 401, "bearer on the site URL");
    const ok = await list("", { auth: AUTH.oauth, prefix: `${OAUTH_PREFIX}/rest/api/3` });
    assert.equal(ok.status, 200);
    assert.equal(ok.json.self, `${fake.url}${OAUTH_PREFIX}/rest/api/3/webhook?maxResults=100&startAt=0`);
    const other = await list("", { auth: AUTH.oauth, prefix: "/ex/jira/99999999-0000-0000-0000-000000000000/rest/api/3" });
    assert.equal(other.status, 404);
    const basicThere = await list("", { auth: AUTH.connect, prefix: `${OAUTH_PREFIX}/rest/api/2` });
    assert.equal(basicThere.status, 404);
    assert.equal((await list("", { auth: null, prefix: `${OAUTH_PREFIX}/rest/api/2` })).status, 401);
  });

  it("verifies Connect JWTs: HS256 with the shared secret, exp, qsh", async () => {
    const token = (method, pathAndQuery, { secret = CONNECT_SECRET, exp = T0 / 1000 + 180, iss = CONNECT_APP } = {}) =>
      `JWT ${jwt.encodeSymmetric({ iss, iat: T0 / 1000, exp, qsh: jwt.createQueryStringHash(jwt.fromMethodAndUrl(method, pathAndQuery), false, "") }, secret)}`;
    const path = "/rest/api/3/webhook?startAt=0&maxResults=5";
    const good = await call(fake, "GET", path, { auth: token("GET", path) });
    assert.equal(good.status, 200);
    assert.equal(fake.requests.at(-1).app, CONNECT_APP);
    const post = await register(hooks(1), { auth: token("POST", "/rest/api/3/webhook") });
    assert.equal(post.status, 200);
    assert.deepEqual(ids(post), [10000]);
    for (const [auth, why] of [
      [token("GET", "/rest/api/3/webhook?startAt=1&maxResults=5"), /qsh/],
      [token("GET", path, { secret: "wrong" }), /signature/],
      [token("GET", path, { exp: T0 / 1000 - 1 }), /expired/],
      [token("GET", path, { iss: OAUTH_APP }), /issuer/],
      ["JWT not.a.token", /decode|JWT/],
    ]) {
      const r = await call(fake, "GET", path, { auth });
      assert.equal(r.status, 401);
      assert.match(r.json.errorMessages[0], why);
    }
  });
});

describe("registerDynamicWebhooks", () => {
  it("creates webhooks with increasing int64 ids from 10000, expiring in 30 days, remembering the url", async () => {
    const r = await register({
      url: "https://app.example.com/hook",
      webhooks: [
        { events: ["jira:issue_created", "jira:issue_updated"], jqlFilter: "project = PROJ", fieldIdsFilter: ["summary"] },
        { events: ["issue_property_set"], jqlFilter: "project = PROJ", issuePropertyKeysFilter: ["k"] },
      ],
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { webhookRegistrationResult: [{ createdWebhookId: 10000 }, { createdWebhookId: 10001 }] });
    const app = fake.state.apps[CONNECT_APP];
    assert.equal(app.url, "https://app.example.com/hook");
    assert.deepEqual(app.webhooks.map((w) => w.expirationDate), [T0 + WEBHOOK_LIFETIME_MS, T0 + WEBHOOK_LIFETIME_MS]);
    assert.deepEqual(app.webhooks[0].fieldIdsFilter, ["summary"]);
    assert.deepEqual(app.webhooks[1].issuePropertyKeysFilter, ["k"]);
    assert.deepEqual(fake.applied.map(({ operation, app, ids }) => ({ operation, app, ids })), [
      { operation: "registerDynamicWebhooks", app: CONNECT_APP, ids: [10000, 10001] },
    ]);
    const r2 = await register(hooks(1), { auth: AUTH.oauth, prefix: `${OAUTH_PREFIX}/rest/api/2` });
    assert.deepEqual(ids(r2), [10002], "ids are global and keep increasing");
  });

  it("reports JQL outside the subset per webhook inside a 200, in request order (the spec's example)", async () => {
    const r = await register({
      url: "https://app.example.com/hook",
      webhooks: [
        { events: ["jira:issue_created"], jqlFilter: "project = PROJ" },
        { events: ["jira:issue_created"], jqlFilter: "watchCount > 3" },
        { events: ["jira:issue_deleted"], jqlFilter: "project IN (PROJ, EXP) AND status = done" },
        { events: ["jira:issue_deleted"], jqlFilter: "project = (" },
        { events: ["jira:issue_deleted"], jqlFilter: "priority = High OR project ~ x" },
        { events: ["jira:issue_deleted"], jqlFilter: "(issueKey = A-1 OR cf[10014] != x) AND issue.property[p].a NOT IN (1, \"two\")" },
      ],
    });
    assert.equal(r.status, 200);
    const res = r.json.webhookRegistrationResult;
    assert.deepEqual(res[0], { createdWebhookId: 10000 });
    assert.deepEqual(res[1], { errors: ["The clause watchCount is unsupported"] });
    assert.deepEqual(res[2], { createdWebhookId: 10001 });
    assert.match(res[3].errors[0], /^Error in the JQL Query: /);
    assert.deepEqual(res[4], { errors: ["The clause priority is unsupported", "The clause project is unsupported"] });
    assert.deepEqual(res[5], { createdWebhookId: 10002 });
    assert.equal(fake.state.apps[CONNECT_APP].webhooks.length, 3);
  });

  it("limits a Connect app to 100 webhooks per tenant", async () => {
    assert.equal(ids(await register(hooks(98))).length, 98);
    const r = await register(hooks(4));
    assert.deepEqual(r.json.webhookRegistrationResult, [
      { createdWebhookId: 10098 },
      { createdWebhookId: 10099 },
      { errors: ["Reached the limit of 100 webhooks per app"] },
      { errors: ["Reached the limit of 100 webhooks per app"] },
    ]);
    // the OAuth app is not affected, and deleting frees a slot
    assert.equal((await register(hooks(1), { auth: AUTH.oauth, prefix: `${OAUTH_PREFIX}/rest/api/3` })).json.webhookRegistrationResult[0].createdWebhookId, 10100);
    assert.equal((await call(fake, "DELETE", "/rest/api/3/webhook", { body: { webhookIds: [10000] } })).status, 202);
    assert.deepEqual(ids(await register(hooks(1))), [10101]);
  });

  it("limits an OAuth app to 5 webhooks per user", async () => {
    fake.reset(withBob);
    const prefix = `${OAUTH_PREFIX}/rest/api/3`;
    const alice = await register(hooks(6), { auth: AUTH.oauth, prefix });
    assert.deepEqual(alice.json.webhookRegistrationResult.at(-1), { errors: ["Reached the limit of 5 webhooks per user for this app"] });
    assert.equal(alice.json.webhookRegistrationResult.filter((x) => x.createdWebhookId).length, 5);
    const bob = await register(hooks(5), { auth: "Bearer bob-token", prefix });
    assert.equal(ids(bob).filter(Boolean).length, 5, "another user has their own 5");
    assert.match((await register(hooks(1), { auth: "Bearer bob-token", prefix })).json.webhookRegistrationResult[0].errors[0], /limit of 5/);
  });
});

describe("getDynamicWebhooksForApp", () => {
  it("pages with startAt/maxResults/total/isLast/self/nextPage and only shows the caller's webhooks", async () => {
    await register(hooks(7));
    await register(hooks(2), { auth: AUTH.oauth, prefix: `${OAUTH_PREFIX}/rest/api/3` });
    const base = `${fake.url}/rest/api/2/webhook`;
    const seen = [];
    let next = `${base}?maxResults=3`;
    const pages = [];
    while (next) {
      const r = await call(fake, "GET", next.slice(fake.url.length));
      assert.equal(r.status, 200);
      pages.push(r.json);
      seen.push(...r.json.values.map((w) => w.id));
      next = r.json.nextPage;
    }
    assert.deepEqual(pages.map((p) => [p.startAt, p.maxResults, p.total, p.isLast, p.values.length]), [
      [0, 3, 7, false, 3], [3, 3, 7, false, 3], [6, 3, 7, true, 1],
    ]);
    assert.equal(pages[0].self, `${base}?maxResults=3&startAt=0`);
    assert.equal(pages[0].nextPage, `${base}?maxResults=3&startAt=3`);
    assert.equal("nextPage" in pages[2], false);
    assert.deepEqual(seen, [10000, 10001, 10002, 10003, 10004, 10005, 10006]);

    const defaults = await list();
    assert.deepEqual([defaults.json.startAt, defaults.json.maxResults, defaults.json.total, defaults.json.isLast], [0, 100, 7, true]);
    assert.equal((await list("?maxResults=1000")).json.maxResults, 100, "maxResults is capped at 100");
    const past = await list("?startAt=50");
    assert.deepEqual([past.json.values, past.json.isLast], [[], true]);
    const oauth = await list("", { auth: AUTH.oauth, prefix: `${OAUTH_PREFIX}/rest/api/3` });
    assert.deepEqual(oauth.json.values.map((w) => w.id), [10007, 10008]);
  });

  it("returns url under /3 but not under /2, and expirationDate as a number by default", async () => {
    await register({ url: "https://app.example.com/hook", webhooks: [{ events: ["jira:issue_updated"], jqlFilter: "status = Done", fieldIdsFilter: ["summary"] }] });
    const expected = { id: 10000, jqlFilter: "status = Done", events: ["jira:issue_updated"], fieldIdsFilter: ["summary"], expirationDate: T0 + WEBHOOK_LIFETIME_MS };
    assert.deepEqual((await list("", { prefix: "/rest/api/2" })).json.values, [expected]);
    assert.deepEqual((await list("", { prefix: "/rest/api/3" })).json.values, [{ ...expected, url: "https://app.example.com/hook" }]);
  });

  it("shares state between /2 and /3, and returns v3-only events through /2 as stored", async () => {
    await register({ url: "https://app.example.com/hook", webhooks: [{ events: ["sprint_started"], jqlFilter: "project = DEMO" }] });
    const v2 = await list("", { prefix: "/rest/api/2" });
    assert.equal(v2.status, 200);
    assert.deepEqual(v2.json.values[0].events, ["sprint_started"]);
  });

  it("drops webhooks whose expirationDate has passed", async () => {
    await register(hooks(2));
    t = T0 + 20 * DAY;
    await call(fake, "PUT", "/rest/api/3/webhook/refresh", { body: { webhookIds: [10001] } });
    t = T0 + 31 * DAY;
    assert.deepEqual((await list()).json.values.map((w) => w.id), [10001]);
    assert.deepEqual(fake.state.apps[CONNECT_APP].webhooks.map((w) => w.id), [10001]);
  });
});

describe("getFailedWebhooks", () => {
  it("pages by cursor, oldest first, never splitting equal failure times, with next only on non-empty pages", async () => {
    const f = (id, ago) => ({ id, url: "https://app.example.com/hook", failureTime: T0 - ago });
    fake.seedFailed(CONNECT_APP, [f("c", 3 * HOUR), f("a", 5 * HOUR), f("d", 2 * HOUR), f("b", 3 * HOUR), f("e", HOUR), f("old", 73 * HOUR)]);
    fake.seedFailed(CONNECT_APP, [{ id: "with-body", url: "https://app.example.com/hook", body: "{\"x\":1}", failedMinutesAgo: 30 }]);
    const p1 = await call(fake, "GET", "/rest/api/3/webhook/failed?maxResults=2");
    assert.equal(p1.status, 200);
    assert.deepEqual(p1.json.values.map((v) => v.id), ["a", "c", "b"], "c and b share a failure time: both on this page");
    assert.equal(p1.json.maxResults, 2);
    assert.equal(p1.json.next, `${fake.url}/rest/api/3/webhook/failed?failedAfter=${T0 - 3 * HOUR}&maxResults=2`);
    const p2 = await call(fake, "GET", p1.json.next.slice(fake.url.length));
    assert.deepEqual(p2.json.values, [
      { id: "d", url: "https://app.example.com/hook", failureTime: T0 - 2 * HOUR },
      { id: "e", url: "https://app.example.com/hook", failureTime: T0 - HOUR },
    ]);
    const p3 = await call(fake, "GET", p2.json.next.slice(fake.url.length));
    assert.deepEqual(p3.json.values, [{ id: "with-body", body: "{\"x\":1}", url: "https://app.example.com/hook", failureTime: T0 - 30 * 60_000 }]);
    const p4 = await call(fake, "GET", p3.json.next.slice(fake.url.length));
    assert.deepEqual(p4.json, { values: [], maxResults: 2 }, "no next on an empty page");
    // `after` (the spec's name) works the same, exclusive; default maxResults 100; older than 72 h is gone
    const all = await call(fake, "GET", `/rest/api/2/webhook/failed?after=${T0 - 3 * HOUR}`);
    assert.deepEqual(all.json.values.map((v) => v.id), ["d", "e", "with-body"]);
    assert.equal(all.json.maxResults, 100);
    assert.match(all.json.next, /\/rest\/api\/2\/webhook\/failed\?failedAfter=\d+&maxResults=100$/);
    t = T0 + 71 * HOUR; // failures before T0-1h are now older than 72 h
    assert.deepEqual((await call(fake, "GET", "/rest/api/2/webhook/failed")).json.values.map((v) => v.id), ["e", "with-body"]);
    assert.equal(FAILED_RETENTION_MS, 72 * HOUR);
  });
});

describe("refreshWebhooks and deleteWebhookById", () => {
  it("refresh extends the caller's webhooks to now+30 days and ignores unknown and others' ids", async () => {
    await register(hooks(2));
    await register(hooks(1), { auth: AUTH.oauth, prefix: `${OAUTH_PREFIX}/rest/api/3` }); // 10002
    t = T0 + 10 * DAY;
    const r = await call(fake, "PUT", "/rest/api/3/webhook/refresh", { body: { webhookIds: [10000, 10002, 424242] } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { expirationDate: t + WEBHOOK_LIFETIME_MS });
    const exp = (app) => fake.state.apps[app].webhooks.map((w) => [w.id, w.expirationDate]);
    assert.deepEqual(exp(CONNECT_APP), [[10000, t + WEBHOOK_LIFETIME_MS], [10001, T0 + WEBHOOK_LIFETIME_MS]]);
    assert.deepEqual(exp(OAUTH_APP), [[10002, T0 + WEBHOOK_LIFETIME_MS]]);
    assert.deepEqual(fake.applied.at(-1).ids, [10000]);
  });

  it("delete answers 202 with no body, removes only the caller's webhooks", async () => {
    await register(hooks(2));
    await register(hooks(1), { auth: AUTH.oauth, prefix: `${OAUTH_PREFIX}/rest/api/3` }); // 10002
    const r = await call(fake, "DELETE", "/rest/api/2/webhook", { body: { webhookIds: [10001, 10002, 5] } });
    assert.equal(r.status, 202);
    assert.equal(r.text, "");
    assert.equal(r.headers.get("content-type"), null);
    assert.deepEqual(fake.state.apps[CONNECT_APP].webhooks.map((w) => w.id), [10000]);
    assert.deepEqual(fake.state.apps[OAUTH_APP].webhooks.map((w) => w.id), [10002]);
    assert.deepEqual(fake.applied.at(-1), { operation: "deleteWebhookById", app: CONNECT_APP, user: "admin", ids: [10001], time: T0, requestId: fake.requests.at(-1).id });
  });
});

describe("validation against the official spec", () => {
  const bad = async (method, path, opts, pattern) => {
    const r = await call(fake, method, path, opts);
    assert.equal(r.status, 400, `${method} ${path}: ${r.text}`);
    assert.deepEqual(r.json.errors, {});
    assert.match(r.json.errorMessages.join(" | "), pattern);
  };

  it("rejects unknown fields (additionalProperties:false) and missing required ones", async () => {
    await bad("POST", "/rest/api/3/webhook", { body: { ...hooks(1), secret: "x" } }, /unrecognized field 'secret'/);
    await bad("POST", "/rest/api/2/webhook", { body: { url: "u", webhooks: [{ events: ["jira:issue_created"], jqlFilter: "project = A", jql: "x" }] } }, /webhooks\[0\]: unrecognized field 'jql'/);
    await bad("POST", "/rest/api/3/webhook", { body: { webhooks: [] } }, /missing required field 'url'/);
    await bad("POST", "/rest/api/3/webhook", { body: { url: "u", webhooks: [{ events: ["jira:issue_created"] }] } }, /missing required field 'jqlFilter'/);
    await bad("PUT", "/rest/api/3/webhook/refresh", { body: { webhookIds: ["10000"] } }, /webhookIds\[0\]: must be integer/);
    assert.deepEqual(fake.applied, []);
  });

  it("validates events against the v2 enum under /2 and the larger v3 enum under /3", async () => {
    const body = { url: "https://app.example.com/hook", webhooks: [{ events: ["jira:version_released"], jqlFilter: "project = A" }] };
    await bad("POST", "/rest/api/2/webhook", { body }, /events\[0\]: must be equal to one of the allowed values/);
    const r = await register(body);
    assert.equal(r.status, 200);
    assert.deepEqual(ids(r), [10000]);
    await bad("POST", "/rest/api/3/webhook", { body: { ...body, webhooks: [{ events: ["jira:issue_exploded"], jqlFilter: "project = A" }] } }, /allowed values/);
  });

  it("rejects non-integer, out-of-range and unknown query parameters", async () => {
    for (const q of ["startAt=abc", "startAt=1.5", "startAt=1e3", "maxResults=3000000000", "maxResults=", "startAt=1&startAt=2"])
      await bad("GET", `/rest/api/3/webhook?${q}`, {}, /startAt|maxResults/);
    await bad("GET", "/rest/api/3/webhook?startAt=-1", {}, /negative/);
    await bad("GET", "/rest/api/3/webhook?expand=all", {}, /unrecognized field 'expand'/);
    await bad("GET", "/rest/api/3/webhook/failed?failedAfter=yesterday", {}, /'failedAfter'/);
    await bad("GET", "/rest/api/3/webhook/failed?after=1.5", {}, /'after'/);
    assert.equal((await call(fake, "GET", "/rest/api/3/webhook?startAt=0&maxResults=10")).status, 200);
  });

  it("requires the JSON body, including on DELETE", async () => {
    await bad("DELETE", "/rest/api/3/webhook", {}, /request body is missing/);
    await bad("DELETE", "/rest/api/2/webhook", { body: {} }, /missing required field 'webhookIds'/);
    await bad("PUT", "/rest/api/3/webhook/refresh", {}, /request body is missing/);
    await bad("POST", "/rest/api/3/webhook", { raw: "{\"url\":", headers: { "content-type": "application/json" } }, /not valid JSON/);
    const wrongType = await call(fake, "POST", "/rest/api/3/webhook", { raw: JSON.stringify(hooks(1)), headers: { "content-type": "text/plain" } });
    assert.equal(wrongType.status, 415);
    assert.match(wrongType.json.errorMessages[0], /application\/json/);
  });

  it("answers 404 JSON for unknown paths and methods", async () => {
    for (const [method, path] of [["GET", "/rest/api/3/webhooks"], ["PATCH", "/rest/api/3/webhook"], ["GET", "/rest/api/4/webhook"], ["GET", "/nothing"]]) {
      const r = await call(fake, method, path);
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.equal(r.headers.get("content-type"), "application/json;charset=UTF-8");
      assert.match(r.json.errorMessages[0], /No REST resource/);
    }
  });
});

describe("response self-validation", () => {
  it("every normal answer of every operation, /2 /3 and OAuth routes, matches the spec's response schema", async () => {
    const specs = await getSpecs();
    const answers = [];
    const run = async (method, prefix, path, opts) => {
      const r = await call(fake, method, `${prefix}/rest/api/${path}`, opts);
      answers.push({ method, path: `/rest/api/${path.split("?")[0]}`, r });
      return r;
    };
    fake.seedFailed(CONNECT_APP, [{ id: "1", url: "https://a.example/h", body: "{}", failedMinutesAgo: 5 }, { id: "2", url: "https://a.example/h", failedMinutesAgo: 1 }]);
    for (const v of ["2", "3"]) {
      for (const [prefix, auth] of [["", AUTH.connect], [OAUTH_PREFIX, AUTH.oauth]]) {
        await run("POST", prefix, `${v}/webhook`, { auth, body: { url: "https://a.example/h", webhooks: [{ events: ["jira:issue_created"], jqlFilter: "project = A", fieldIdsFilter: ["summary"], issuePropertyKeysFilter: ["p"] }, { events: ["comment_created"], jqlFilter: "watchCount > 1" }] } });
        await run("GET", prefix, `${v}/webhook?maxResults=1`, { auth });
        await run("PUT", prefix, `${v}/webhook/refresh`, { auth, body: { webhookIds: [10000, 10001, 10002] } });
        if (!prefix) await run("GET", prefix, `${v}/webhook/failed?maxResults=1`, { auth });
        await run("GET", prefix, `${v}/webhook?startAt=abc`, { auth });
      }
      await run("GET", "", `${v}/webhook/failed`, { auth: AUTH.plain });
      await run("DELETE", "", `${v}/webhook`, { body: { webhookIds: [10000] } });
      await run("DELETE", "", `${v}/webhook`, {});
    }
    assert.ok(answers.length >= 20);
    for (const { method, path, r } of answers) {
      const v = path.split("/")[3];
      const op = specs[v].match(method, path);
      assert.ok([200, 202, 400, 403].includes(r.status), `${method} ${path} -> ${r.status} ${r.text}`);
      assert.deepEqual(specs[v].validateResponse(op, r.status, r.text ? r.json : undefined), [], `${method} ${path} ${r.status}`);
    }
    assert.deepEqual(fake.selfCheckFailures, []);
  });

  it("the validators tell v2 from v3 Webhook shapes and catch a bad body", async () => {
    const specs = await getSpecs();
    const op = (v) => specs[v].match("GET", `/rest/api/${v}/webhook`);
    const page = (w) => ({ isLast: true, maxResults: 1, startAt: 0, total: 1, values: [w] });
    const w = { id: 1, events: ["jira:issue_created"], jqlFilter: "project = A", expirationDate: 1 };
    assert.deepEqual(specs[2].validateResponse(op(2), 200, page(w)), []);
    assert.match(specs[2].validateResponse(op(2), 200, page({ ...w, url: "u" })).join(), /unrecognized field 'url'/);
    assert.match(specs[3].validateResponse(op(3), 200, page(w)).join(), /missing required field 'url'/);
    assert.match(specs[3].validateResponse(op(3), 200, page({ ...w, url: "u", expirationDate: jiraDate(T0) })).join(), /must be integer/);
    assert.deepEqual(specs[3].validateResponse(op(3), 200, page({ ...w, url: "u", expirationDate: jiraDate(T0) }), { stringDates: true }), []);
    assert.match(specs[3].validateResponse(specs[3].match("DELETE", "/rest/api/3/webhook"), 202, { x: 1 }).join(), /no body/);
  });

  it("with dateFormat 'string' sends expirationDate in Jira's own form", async () => {
    const f = await startFakeJira({ now: () => T0, dateFormat: "string" });
    try {
      await call(f, "POST", "/rest/api/2/webhook", { body: hooks(1) });
      const listed = await call(f, "GET", "/rest/api/2/webhook");
      assert.equal(listed.json.values[0].expirationDate, "2026-07-01T12:00:00.000+0000");
      assert.match(listed.json.values[0].expirationDate, new RegExp(JIRA_DATE_PATTERN));
      const refreshed = await call(f, "PUT", "/rest/api/3/webhook/refresh", { body: { webhookIds: [10000] } });
      assert.deepEqual(refreshed.json, { expirationDate: "2026-07-01T12:00:00.000+0000" });
      assert.deepEqual(f.selfCheckFailures, []);
    } finally {
      await f.close();
    }
  });
});

describe("faults", () => {
  it("status: answers the status without applying by default, once", async () => {
    fake.injectFault({ type: "status", status: 503, operation: "registerDynamicWebhooks", headers: { "Retry-After": "2" } });
    const r = await register(hooks(1));
    assert.equal(r.status, 503);
    assert.equal(r.headers.get("retry-after"), "2");
    assert.deepEqual(r.json, { errorMessages: ["Injected fault: HTTP 503"], errors: {} });
    assert.deepEqual(fake.state.apps[CONNECT_APP].webhooks, []);
    assert.deepEqual(fake.applied, []);
    assert.equal(fake.requests.at(-1).fault.type, "status");
    assert.equal(fake.requests.at(-1).status, 503);
    assert.deepEqual(ids(await register(hooks(1))), [10000], "the fault was used up");
  });

  it("status with apply:true changes state and still answers the error; custom body; operation filter", async () => {
    fake.injectFault({ type: "status", status: 500, apply: true, body: "Internal oops", operation: "deleteWebhookById" });
    await register(hooks(2));
    assert.equal((await list()).status, 200, "a fault for another operation does not fire");
    const r = await call(fake, "DELETE", "/rest/api/3/webhook", { body: { webhookIds: [10000] } });
    assert.deepEqual([r.status, r.text, r.headers.get("content-type")], [500, "Internal oops", "text/plain;charset=UTF-8"]);
    assert.deepEqual(fake.state.apps[CONNECT_APP].webhooks.map((w) => w.id), [10001]);
    assert.deepEqual(fake.applied.at(-1).ids, [10000]);
  });

  it("rate-limit: 429 with Retry-After and the X-RateLimit-* / RateLimit-Reason headers, `times` in a row", async () => {
    fake.injectFault({ type: "rate-limit", retryAfter: 7, times: 2, reason: "jira-burst-based" });
    for (let i = 0; i < 2; i++) {
      const r = await list("", { headers: { origin: "http://localhost:5173" } });
      assert.equal(r.status, 429);
      assert.deepEqual(r.json, { errorMessages: ["Rate limit exceeded."], errors: {} });
      assert.equal(r.headers.get("retry-after"), "7");
      assert.equal(r.headers.get("x-ratelimit-remaining"), "0");
      assert.equal(r.headers.get("x-ratelimit-limit"), "100");
      assert.equal(r.headers.get("x-ratelimit-reset"), "2026-06-01T12:00Z");
      assert.equal(r.headers.get("x-ratelimit-nearlimit"), "true");
      assert.equal(r.headers.get("ratelimit-reason"), "jira-burst-based");
      assert.equal(r.headers.get("access-control-allow-origin"), "http://localhost:5173");
      assert.match(r.headers.get("access-control-expose-headers"), /retry-after/);
    }
    assert.equal((await list()).status, 200);
    fake.injectFault({ type: "rate-limit" });
    assert.equal((await list()).headers.get("retry-after"), null, "Retry-After only when given");
  });

  it("html: an HTML error page with the given status", async () => {
    fake.injectFault({ type: "html" });
    fake.injectFault({ type: "html", status: 200 });
    const r1 = await list();
    assert.deepEqual([r1.status, r1.headers.get("content-type")], [502, "text/html;charset=UTF-8"]);
    assert.match(r1.text, /^<!DOCTYPE html>/);
    const r2 = await register(hooks(1));
    assert.equal(r2.status, 200);
    assert.match(r2.text, /<html>/);
    assert.equal(fake.state.apps[CONNECT_APP].webhooks.length, 1, "a 2xx fault applies the change by default");
  });

  it("malformed-json: 200 with truncated JSON; wrong-content-type: the real body as text/plain", async () => {
    fake.injectFault({ type: "malformed-json", operation: "registerDynamicWebhooks" });
    const r = await register(hooks(1));
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "application/json;charset=UTF-8");
    assert.throws(() => JSON.parse(r.text));
    assert.ok('{"webhookRegistrationResult":[{"createdWebhookId":10000}]}'.startsWith(r.text));
    assert.equal(fake.state.apps[CONNECT_APP].webhooks.length, 1);
    fake.injectFault({ type: "wrong-content-type" });
    const w = await list();
    assert.deepEqual([w.status, w.headers.get("content-type")], [200, "text/plain;charset=UTF-8"]);
    assert.equal(w.json.total, 1);
  });

  it("malformed-json with apply:false leaves the state alone", async () => {
    fake.injectFault({ type: "malformed-json", apply: false });
    const r = await register(hooks(1));
    assert.ok(r.text.length > 0 && r.json === undefined);
    assert.deepEqual(fake.state.apps[CONNECT_APP].webhooks, []);
    assert.deepEqual(ids(await register(hooks(1))), [10000], "ids were not consumed by the dry run");
  });

  it("delay: answers normally after `ms`", async () => {
    fake.injectFault({ type: "delay", ms: 300 });
    const start = performance.now();
    const r = await register(hooks(1));
    assert.ok(performance.now() - start >= 290);
    assert.equal(r.status, 200);
    assert.deepEqual(ids(r), [10000]);
  });

  it("reset: destroys the connection before (default) or after applying", async () => {
    fake.injectFault({ type: "reset" });
    await assert.rejects(register(hooks(1)));
    assert.deepEqual(fake.state.apps[CONNECT_APP].webhooks, []);
    fake.injectFault({ type: "reset", apply: true });
    await assert.rejects(register(hooks(1)));
    assert.deepEqual(fake.state.apps[CONNECT_APP].webhooks.map((w) => w.id), [10000]);
    const logged = fake.requests.filter((x) => x.fault?.type === "reset");
    assert.equal(logged.length, 2);
    assert.deepEqual(logged.map((x) => x.status), [null, null]);
  });

  it("large: a valid JSON body of about `bytes`", async () => {
    await register(hooks(1));
    fake.injectFault({ type: "large", bytes: 2_000_000 });
    const r = await list();
    assert.equal(r.status, 200);
    assert.ok(r.text.length >= 2_000_000);
    assert.equal(r.json.values[0].id, 10000);
  });

  it("rejects invalid faults", () => {
    assert.throws(() => fake.injectFault({ type: "explode" }), /invalid fault/);
    assert.throws(() => fake.injectFault({ type: "status", operation: "getWebhooks" }), /invalid fault/);
    assert.throws(() => fake.injectFault({ type: "delay", ms: -1 }), /invalid fault/);
  });
});

describe("CORS and headers", () => {
  it("answers preflights with 204 and the explicit allow lists", async () => {
    const r = await fetch(`${fake.url}/rest/api/3/webhook`, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:8080", "access-control-request-method": "DELETE", "access-control-request-headers": "authorization,content-type" },
    });
    assert.equal(r.status, 204);
    assert.equal(r.headers.get("access-control-allow-origin"), "http://localhost:8080");
    assert.equal(r.headers.get("access-control-allow-methods"), "GET, POST, PUT, DELETE, OPTIONS");
    assert.equal(r.headers.get("access-control-allow-headers"), "authorization, content-type, x-atlassian-token, user-agent");
    assert.equal(
      r.headers.get("access-control-expose-headers"),
      "retry-after, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, x-ratelimit-nearlimit, ratelimit-reason, x-arequestid",
    );
  });

  it("puts CORS headers, X-AREQUESTID and the JSON content type on every answer, errors included", async () => {
    fake.injectFault({ type: "status", status: 500, operation: "refreshWebhooks" });
    const answers = [
      await list(), await list("", { auth: null }), await list("", { auth: AUTH.plain }), await list("?startAt=x"),
      await call(fake, "GET", "/rest/api/3/nope"), await call(fake, "PUT", "/rest/api/3/webhook/refresh", { body: { webhookIds: [] } }),
    ];
    assert.deepEqual(answers.map((r) => r.status), [200, 401, 403, 400, 404, 500]);
    const requestIds = new Set();
    for (const r of answers) {
      assert.equal(r.headers.get("access-control-allow-origin"), "*");
      assert.match(r.headers.get("x-arequestid"), /^[0-9a-f-]{36}$/);
      assert.equal(r.headers.get("content-type"), "application/json;charset=UTF-8");
      requestIds.add(r.headers.get("x-arequestid"));
    }
    assert.equal(requestIds.size, answers.length);
  });
});

describe("request log", () => {
  it("records method, path, query, redacted headers, parsed body, app and status", async () => {
    await register(hooks(1), { headers: { "x-atlassian-token": "no-check" } });
    await list("?maxResults=5", { auth: AUTH.plain });
    const [a, b] = fake.requests;
    assert.equal(a.method, "POST");
    assert.equal(a.path, "/rest/api/3/webhook");
    assert.equal(a.headers.authorization, "<redacted>");
    assert.equal(a.headers["x-atlassian-token"], "no-check");
    assert.deepEqual(a.body, hooks(1));
    assert.deepEqual([a.app, a.user, a.operation, a.status], [CONNECT_APP, "admin", "registerDynamicWebhooks", 200]);
    assert.deepEqual([b.query, b.app, b.user, b.status, b.body], [{ maxResults: "5" }, null, "plain", 403, null]);
    assert.ok(!JSON.stringify(fake.requests).includes(AUTH.connect.slice(6)), "no credential in the log");
  });
});

describe("control API /_fake/", () => {
  const ctl = (method, path, body) => call(fake, method, `/_fake/${path}`, { body, auth: null, headers: { origin: "http://localhost:5173" } });

  it("resets to a seed, shows state, requests, applied; clears requests", async () => {
    let r = await ctl("POST", "reset", seedJson);
    assert.deepEqual([r.status, r.json], [200, { ok: true }]);
    assert.equal(r.headers.get("access-control-allow-origin"), "http://localhost:5173");
    const state = (await ctl("GET", "state")).json;
    assert.equal(state.apps[CONNECT_APP].webhooks.length, 4);
    assert.equal(state.apps[OAUTH_APP].webhooks.length, 2);
    await register(hooks(1));
    const requests = (await ctl("GET", "requests")).json;
    assert.deepEqual(requests.map((x) => [x.method, x.path, x.status, x.headers.authorization]), [["POST", "/rest/api/3/webhook", 200, "<redacted>"]]);
    assert.deepEqual((await ctl("GET", "applied")).json.map((a) => a.ids), [[10006]]);
    assert.deepEqual((await ctl("DELETE", "requests")).json, { ok: true });
    assert.deepEqual((await ctl("GET", "requests")).json, []);
    r = await ctl("POST", "reset");
    assert.equal(r.status, 200);
    assert.deepEqual(fake.state.apps[CONNECT_APP].webhooks, [], "no body: back to the start seed");
    assert.equal((await ctl("POST", "reset", { apps: [{ key: "x", type: "weird" }] })).status, 400);
  });

  it("adds failed deliveries, injects and clears faults, moves the clock", async () => {
    assert.equal((await ctl("POST", "failed", { app: CONNECT_APP, failures: [{ id: "f1", url: "https://a.example/h", failureTime: T0 - 1000 }] })).status, 200);
    assert.deepEqual((await call(fake, "GET", "/rest/api/3/webhook/failed")).json.values.map((v) => v.id), ["f1"]);
    assert.equal((await ctl("POST", "failed", { app: "nope", failures: [] })).status, 400);
    const inj = await ctl("POST", "faults", { type: "status", status: 502, operation: "getDynamicWebhooksForApp", times: 3 });
    assert.equal(inj.status, 200);
    assert.equal(inj.json.ids.length, 1);
    assert.equal((await ctl("GET", "faults")).json[0].times, 3);
    assert.equal((await list()).status, 502);
    assert.deepEqual((await ctl("DELETE", "faults")).json, { ok: true });
    assert.equal((await list()).status, 200);
    assert.equal((await ctl("POST", "faults", { type: "bogus" })).status, 400);
    await register(hooks(1));
    assert.deepEqual((await ctl("POST", "clock", { advanceMs: 31 * DAY })).json, { now: T0 + 31 * DAY });
    assert.deepEqual((await list()).json.values, []);
    const pre = await fetch(`${fake.url}/_fake/reset`, { method: "OPTIONS", headers: { origin: "http://x.test", "access-control-request-method": "POST" } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), "http://x.test");
    assert.equal((await ctl("GET", "nothing")).status, 404);
  });
});

describe("seed.json and the CLI", () => {
  it("seed.json has the default credentials, 6 webhooks (2 expiring within 7 days, 1 within 1 day) and 4 failures", async () => {
    assert.deepEqual(seedJson.apps, DEFAULT_SEED.apps);
    assert.deepEqual(seedJson.credentials, DEFAULT_SEED.credentials);
    fake.reset(seedJson);
    const all = Object.values(fake.state.apps).flatMap((a) => a.webhooks);
    assert.equal(all.length, 6);
    assert.equal(all.filter((w) => w.expirationDate - T0 < 7 * DAY).length, 2);
    assert.equal(all.filter((w) => w.expirationDate - T0 < 1 * DAY).length, 1);
    const failed = await call(fake, "GET", "/rest/api/2/webhook/failed");
    assert.equal(failed.json.values.length, 4);
    assert.equal((await list("", { auth: AUTH.oauth, prefix: `${OAUTH_PREFIX}/rest/api/3` })).json.total, 2);
    assert.throws(() => fake.reset({ webhooks: [{ app: "ghost", url: "u", events: [], jqlFilter: "project = A" }] }), /unknown app 'ghost'/);
    assert.throws(() => fake.reset({ ...DEFAULT_SEED, webhooks: [{ app: CONNECT_APP, url: "u", events: [], jqlFilter: "votes > 1" }] }), /unsupported/);
  });

  it("cli.mjs prints its URL and the test-only credentials, and serves the seed", async () => {
    const child = spawn(process.execPath, [new URL("../cli.mjs", import.meta.url).pathname, "--port", "0", "--seed", new URL("../seed.json", import.meta.url).pathname, "--date-format", "string", "--points-per-hour", "50"]);
    try {
      let out = "";
      const url = await new Promise((resolve, reject) => {
        child.stdout.on("data", (d) => {
          out += d;
          const m = /^fake Jira listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
          if (m && out.includes("control API")) resolve(m[1]);
        });
        child.on("exit", (code) => reject(new Error(`cli exited ${code}: ${out}`)));
      });
      assert.match(out, /TEST-ONLY/);
      assert.match(out, /admin@example\.com:basic-api-token/);
      assert.match(out, /client_id "oauth-client-id-123", client_secret "oauth-client-secret-for-tests", callback URLs \["https:\/\/app\.example\.com\/oauth\/callback"\]/);
      const r = await call({ url }, "GET", "/rest/api/2/webhook");
      assert.equal(r.json.total, 4);
      assert.match(r.json.values[0].expirationDate, new RegExp(JIRA_DATE_PATTERN));
      assert.deepEqual([r.headers.get("x-ratelimit-limit"), r.headers.get("x-ratelimit-remaining")], ["50", "45"], "1 + 4 webhooks");
    } finally {
      child.kill("SIGTERM");
    }
  });
});
