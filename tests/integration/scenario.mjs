// The end-to-end scenario shared by the Node (ESM, CJS) and browser tests, and the checks of its outcome.
import assert from "node:assert/strict";
import { CLOUD_ID, CONNECT_APP, OAUTH_APP, OAUTH_PREFIX } from "../fake-jira/helpers.mjs";

export const HOOK_URL = "https://app.example.com/hook";
export const SECRETS = {
  apiToken: "basic-api-token",
  basic: Buffer.from("admin@example.com:basic-api-token").toString("base64"),
  bearer: "oauth-access-token",
  wrongToken: "wrong-api-token-0123",
  wrongBasic: Buffer.from("admin@example.com:wrong-api-token-0123").toString("base64"),
};
/** Failed deliveries seeded before the scenario: page 1 (maxResults 1) holds f1, page 2 both f2 and f3 (same time). */
export const FAILURES = [
  { id: "f1", url: HOOK_URL, body: '{"webhookEvent":"jira:issue_created"}', failedMinutesAgo: 30 },
  { id: "f2", url: HOOK_URL, failedMinutesAgo: 10 },
  { id: "f3", url: HOOK_URL, failedMinutesAgo: 10 },
];

/**
 * Drives all five operations and every kind of failure. Its source text is pasted into a Node script
 * (ESM or CJS) or a browser page, so it must stay self-contained: no imports, no outer variables.
 * Faults are injected through the fake's CORS control API. Returns plain JSON.
 * @param {Record<string, any>} lib the package's exports
 * @param {{ fakeUrl: string, closedUrl: string, apiVersion: 2 | 3, userAgent?: string, cloudId: string }} env
 */
export async function scenario(lib, env) {
  const { JiraWebhooks } = lib;
  const control = async (method, what, body) =>
    (await fetch(`${env.fakeUrl}/_fake/${what}`, { method, body: body && JSON.stringify(body) })).json();
  const fault = (f) => control("POST", "faults", f);
  const requestCount = async () => (await control("GET", "requests")).length;
  const describe = (e) => ({
    isError: e instanceof Error, name: e.name, message: e.message, kind: e.kind, status: e.status,
    errorMessages: e.errorMessages, errors: e.errors, operation: e.operation, path: e.path, requestId: e.requestId,
    string: String(e), stack: String(e.stack), json: JSON.stringify(e), own: JSON.stringify(e, Object.getOwnPropertyNames(e)),
  });
  /** Runs `fn`; { value } or { error }, and { threw } when it threw synchronously instead of rejecting. */
  const attempt = async (fn) => {
    let promise;
    try {
      promise = fn();
    } catch (e) {
      return { threw: true, error: describe(e) };
    }
    try {
      const value = await promise;
      return { value: value === undefined ? "<undefined>" : value };
    } catch (e) {
      return { error: describe(e) };
    } finally {
      await control("DELETE", "faults"); // a fault the call did not use must not hit the next one
    }
  };
  const hook = (jqlFilter, events = ["jira:issue_created"]) => ({ events, jqlFilter });
  const url = "https://app.example.com/hook";
  const basic = { type: "basic", email: "admin@example.com", apiToken: "basic-api-token" };
  const config = { baseUrl: env.fakeUrl, auth: basic, apiVersion: env.apiVersion, userAgent: env.userAgent };
  const client = new JiraWebhooks(config);
  const out = { events: lib.webhookEvents() };

  // --- the five operations, on a client
  out.register = await client.registerDynamicWebhooks({
    url,
    webhooks: [
      { ...hook("project = DEMO", ["jira:issue_created", "jira:issue_updated"]), fieldIdsFilter: ["summary"] },
      hook("priority = High AND project = DEMO", ["jira:issue_deleted"]), // priority: unsupported clause
      { ...hook('status IN (Done, "In Progress")', ["issue_property_set"]), issuePropertyKeysFilter: ["my-key"] },
    ],
  });
  const [a, , b] = out.register.webhookRegistrationResult.map((r) => r.createdWebhookId);
  out.page1 = await client.getDynamicWebhooksForApp({ startAt: 0, maxResults: 1 });
  out.page2 = await client.getDynamicWebhooksForApp({ startAt: 1, maxResults: 1 });
  out.refresh = await client.refreshWebhooks({ webhookIds: [a, b] });
  out.failed1 = await client.getFailedWebhooks({ maxResults: 1 });
  out.failed2 = await client.getFailedWebhooks({ maxResults: 1, after: out.failed1.values.at(-1).failureTime });
  out.deleted = (await attempt(() => client.deleteWebhookById({ webhookIds: [a] }))).value;
  out.afterDelete = await client.getDynamicWebhooksForApp();

  // --- the same five as free functions
  const reg = await lib.registerDynamicWebhooks(config, { url, webhooks: [hook("project = FREE")] });
  const id = reg.webhookRegistrationResult[0].createdWebhookId;
  out.free = {
    register: reg,
    list: await lib.getDynamicWebhooksForApp(config, { maxResults: 10 }),
    refresh: await lib.refreshWebhooks(config, { webhookIds: [id] }),
    failed: await lib.getFailedWebhooks(config),
    deleted: (await attempt(() => lib.deleteWebhookById(config, { webhookIds: [id] }))).value,
  };

  // --- an OAuth 2.0 app: bearer token through the gateway (the fake) with cloudId
  const oauth = new JiraWebhooks({
    cloudId: env.cloudId, gatewayUrl: env.fakeUrl, auth: { type: "bearer", token: "oauth-access-token" }, apiVersion: env.apiVersion, userAgent: env.userAgent,
  });
  const oreg = await oauth.registerDynamicWebhooks({ url, webhooks: [hook("project = OAUTH")] });
  out.oauth = {
    register: oreg,
    list: await oauth.getDynamicWebhooksForApp(),
    failed: await attempt(() => oauth.getFailedWebhooks()), // Connect apps only: 403
    deleted: (await attempt(() => oauth.deleteWebhookById({ webhookIds: [oreg.webhookRegistrationResult[0].createdWebhookId] }))).value,
  };

  // --- failures
  const e = (out.errors = {});
  const before = await requestCount();
  e.emptyIds = await attempt(() => client.refreshWebhooks({ webhookIds: [] }));
  e.noWebhooks = await attempt(() => client.registerDynamicWebhooks({ url, webhooks: [] }));
  e.emptyJql = await attempt(() => client.registerDynamicWebhooks({ url, webhooks: [hook(" ")] }));
  e.missingIds = await attempt(() => client.deleteWebhookById({}));
  e.stringIds = await attempt(() => client.deleteWebhookById({ webhookIds: ["10000"] }));
  e.maxResultsZero = await attempt(() => client.getDynamicWebhooksForApp({ maxResults: 0 }));
  e.badSignal = await attempt(() => client.getDynamicWebhooksForApp({}, { signal: "stop" }));
  e.preAborted = await attempt(() => client.getDynamicWebhooksForApp({}, { signal: AbortSignal.abort() }));
  e.configCtor = await attempt(() => new JiraWebhooks({ baseUrl: "http://jira.example.com", auth: basic }));
  e.configNoAuth = await attempt(() => new JiraWebhooks({ baseUrl: env.fakeUrl }));
  e.configApiVersion = await attempt(() => new JiraWebhooks({ ...config, apiVersion: 4 }));
  e.configFree = await attempt(() => lib.getDynamicWebhooksForApp({ ...config, auth: { type: "basic", email: "admin@example.com", apiToken: "" } }));
  e.configBoth = await attempt(() => lib.deleteWebhookById({ ...config, cloudId: env.cloudId }, { webhookIds: [1] }));
  out.sentByInvalidCalls = (await requestCount()) - before;

  const wrong = new JiraWebhooks({ ...config, auth: { ...basic, apiToken: "wrong-api-token-0123" } });
  e.unauthorized = await attempt(() => wrong.getDynamicWebhooksForApp());
  const b64 = btoa("admin@example.com:basic-api-token");
  await fault({
    type: "status", status: 400, operation: "refreshWebhooks",
    body: JSON.stringify({ errorMessages: [`Token basic-api-token (Basic ${b64}) is not allowed`], errors: { auth: "basic-api-token" } }),
  });
  e.echoedSecret = await attempt(() => client.refreshWebhooks({ webhookIds: [b] }));
  await fault({ type: "malformed-json", operation: "getDynamicWebhooksForApp" });
  e.malformedJson = await attempt(() => client.getDynamicWebhooksForApp());
  await fault({ type: "html", status: 200, operation: "getFailedWebhooks" });
  e.html200 = await attempt(() => client.getFailedWebhooks());
  await fault({ type: "html", operation: "registerDynamicWebhooks" });
  e.html502 = await attempt(() => client.registerDynamicWebhooks({ url, webhooks: [hook("project = HTML")] }));
  e.network = await attempt(() => new JiraWebhooks({ ...config, baseUrl: env.closedUrl }).getDynamicWebhooksForApp());
  await fault({ type: "delay", ms: 1500, operation: "getDynamicWebhooksForApp" });
  e.callTimeout = await attempt(() => client.getDynamicWebhooksForApp({}, { timeoutMs: 100 }));
  await fault({ type: "delay", ms: 1500, operation: "getDynamicWebhooksForApp" });
  e.configTimeout = await attempt(() => new JiraWebhooks({ ...config, timeoutMs: 100 }).getDynamicWebhooksForApp());
  await fault({ type: "delay", ms: 1500, operation: "getDynamicWebhooksForApp" });
  const controller = new AbortController();
  const n = await requestCount();
  const pending = attempt(() => client.getDynamicWebhooksForApp({}, { signal: controller.signal }));
  while ((await requestCount()) === n); // abort once the request has reached the fake
  controller.abort();
  e.aborted = await pending;
  out.afterFailures = await client.getDynamicWebhooksForApp(); // the client still works
  return out;
}

/**
 * The `env` for a run against `fake`.
 * @param {{url: string}} fake @param {string} closedUrl @param {2|3} apiVersion @param {string} [userAgent]
 */
export const envFor = (fake, closedUrl, apiVersion, userAgent) => ({ fakeUrl: fake.url, closedUrl, apiVersion, userAgent, cloudId: CLOUD_ID });

/**
 * Checks a scenario's result and the fake's log of it.
 * @param {any} out what `scenario` returned
 * @param {any} fake the fake it ran against (reset and seeded with FAILURES before)
 * @param {{ apiVersion: 2|3, userAgent?: string }} env
 */
export function checkScenario(out, fake, env) {
  const v = env.apiVersion;
  const stringDates = fake.dateFormat === "string";
  // Secrets never leave in an error: message, String(err), stack, JSON, own properties.
  const text = JSON.stringify(out);
  for (const [name, secret] of Object.entries(SECRETS)) assert.ok(!text.includes(secret), `the ${name} secret leaked: ${text}`);

  assert.ok(out.events.includes("jira:issue_created") && out.events.includes("sprint_started"), String(out.events));
  const results = out.register.webhookRegistrationResult;
  assert.equal(results.length, 3);
  assert.deepEqual(results[1], { errors: ["The clause priority is unsupported"] });
  const [a, , b] = results.map((r) => r.createdWebhookId);
  assert.ok(Number.isInteger(a) && Number.isInteger(b) && b > a, JSON.stringify(results));
  assert.deepEqual(Object.keys(results[0]), ["createdWebhookId"]);

  const stored = (id) => fake.state.apps[CONNECT_APP].webhooks.find((w) => w.id === id);
  const expectWebhook = (got, id, jqlFilter, events, extra) => {
    assert.deepEqual(got, { id, jqlFilter, events, ...extra, expirationDate: got.expirationDate, ...(v === 3 && { url: HOOK_URL }) });
    assert.equal(typeof got.expirationDate, "number", `expirationDate must be a number (dateFormat ${fake.dateFormat})`);
    assert.ok(Math.abs(got.expirationDate - (fake.now() + 30 * 86_400_000)) < 60_000, `expirationDate ${got.expirationDate}`);
  };
  assert.equal(out.page1.values.length, 1);
  expectWebhook(out.page1.values[0], a, "project = DEMO", ["jira:issue_created", "jira:issue_updated"], { fieldIdsFilter: ["summary"] });
  assert.deepEqual({ ...out.page1, values: [] }, {
    self: `${fake.url}/rest/api/${v}/webhook?maxResults=1&startAt=0`, nextPage: `${fake.url}/rest/api/${v}/webhook?maxResults=1&startAt=1`,
    maxResults: 1, startAt: 0, total: 2, isLast: false, values: [],
  });
  expectWebhook(out.page2.values[0], b, 'status IN (Done, "In Progress")', ["issue_property_set"], { issuePropertyKeysFilter: ["my-key"] });
  assert.equal(out.page2.isLast, true);
  assert.equal(out.page2.startAt, 1);

  assert.deepEqual(Object.keys(out.refresh), ["expirationDate"]);
  assert.equal(typeof out.refresh.expirationDate, "number");
  // The exact instant Jira stored, also when it was sent as "2019-06-01T12:42:30.000+0000".
  assert.equal(out.refresh.expirationDate, stored(b).expirationDate);

  const failureTime = (id) => fake.state.apps[CONNECT_APP].failed.find((f) => f.id === id).failureTime;
  assert.deepEqual(out.failed1.values, [{ id: "f1", body: FAILURES[0].body, url: HOOK_URL, failureTime: failureTime("f1") }]);
  assert.equal(out.failed1.maxResults, 1);
  assert.match(out.failed1.next, /\/webhook\/failed\?failedAfter=\d+&maxResults=1$/);
  assert.deepEqual(out.failed2.values.map((f) => f.id), ["f2", "f3"], "a page never splits failures of the same time");
  assert.equal(out.failed2.values[0].failureTime, failureTime("f2"));

  assert.equal(out.deleted, "<undefined>", "deleteWebhookById resolves undefined");
  assert.deepEqual(out.afterDelete.values.map((w) => w.id), [b]);
  assert.equal(out.afterDelete.total, 1);

  const freeId = out.free.register.webhookRegistrationResult[0].createdWebhookId;
  assert.ok(freeId > b);
  assert.deepEqual(out.free.list.values.map((w) => w.id), [b, freeId]);
  assert.equal(typeof out.free.refresh.expirationDate, "number");
  assert.deepEqual(out.free.failed.values.map((f) => f.id), ["f1", "f2", "f3"]);
  assert.equal(out.free.deleted, "<undefined>");

  const oauthId = out.oauth.register.webhookRegistrationResult[0].createdWebhookId;
  assert.deepEqual(out.oauth.list.values.map((w) => w.id), [oauthId]);
  assert.equal(out.oauth.deleted, "<undefined>");
  expectError(out.oauth.failed, { kind: "http", status: 403, operation: "getFailedWebhooks" });
  assert.deepEqual(out.oauth.failed.error.errorMessages, ["The caller is not a Connect app: only Connect apps can use this operation."]);

  // --- failures
  const e = out.errors;
  assert.equal(out.sentByInvalidCalls, 0, "invalid input, config errors and a pre-aborted signal send nothing");
  expectError(e.emptyIds, { kind: "invalid-input", status: 0, path: "webhookIds", operation: "refreshWebhooks" });
  expectError(e.noWebhooks, { kind: "invalid-input", path: "webhooks", operation: "registerDynamicWebhooks" });
  expectError(e.emptyJql, { kind: "invalid-input", path: "webhooks[0].jqlFilter" });
  expectError(e.missingIds, { kind: "invalid-input", operation: "deleteWebhookById" });
  expectError(e.stringIds, { kind: "invalid-input", operation: "deleteWebhookById" });
  assert.match(e.stringIds.error.path, /webhookIds/);
  expectError(e.maxResultsZero, { kind: "invalid-input", path: "maxResults", operation: "getDynamicWebhooksForApp" });
  expectError(e.badSignal, { kind: "invalid-input", path: "options.signal" });
  expectError(e.preAborted, { kind: "aborted", status: 0 });
  expectError(e.configCtor, { kind: "config", path: "baseUrl" }, { threw: true });
  assert.match(e.configCtor.error.message, /https/);
  expectError(e.configNoAuth, { kind: "config" }, { threw: true });
  assert.match(e.configNoAuth.error.message, /auth/);
  expectError(e.configApiVersion, { kind: "config", path: "apiVersion" }, { threw: true });
  expectError(e.configFree, { kind: "config", path: "auth.apiToken" }, { threw: false });
  expectError(e.configBoth, { kind: "config", path: "baseUrl" }, { threw: false });

  const apiLog = fake.requests.filter((r) => r.method !== "OPTIONS");
  const byId = (id) => apiLog.find((r) => r.id === id);
  expectError(e.unauthorized, { kind: "http", status: 401, operation: "getDynamicWebhooksForApp" });
  assert.equal(e.unauthorized.error.errorMessages.length, 1);
  assert.match(e.unauthorized.error.errorMessages[0], /authenticat/i);
  assert.deepEqual(e.unauthorized.error.errors, {});
  assert.equal(byId(e.unauthorized.error.requestId)?.status, 401, "requestId is the fake's X-AREQUESTID");
  assert.match(e.unauthorized.error.message, /401/);

  expectError(e.echoedSecret, { kind: "http", status: 400, operation: "refreshWebhooks" });
  assert.equal(e.echoedSecret.error.errorMessages.length, 1);
  assert.deepEqual(Object.keys(e.echoedSecret.error.errors), ["auth"]);
  expectError(e.malformedJson, { kind: "decode", status: 200, operation: "getDynamicWebhooksForApp" });
  expectError(e.html200, { kind: "decode", status: 200, operation: "getFailedWebhooks" });
  expectError(e.html502, { kind: "http", status: 502, operation: "registerDynamicWebhooks" });
  assert.deepEqual(e.html502.error.errorMessages, []);
  assert.ok(byId(e.html502.error.requestId), "an http error carries the request id");
  expectError(e.network, { kind: "network", status: 0, operation: "getDynamicWebhooksForApp" });
  expectError(e.callTimeout, { kind: "timeout", status: 0 });
  expectError(e.configTimeout, { kind: "timeout", status: 0 });
  expectError(e.aborted, { kind: "aborted", status: 0, operation: "getDynamicWebhooksForApp" });
  assert.deepEqual(out.afterFailures.values.map((w) => w.id), [b]);

  // --- what reached Jira, in order, as the spec wants it
  const base = `/rest/api/${v}`;
  const gw = `${OAUTH_PREFIX}${base}`;
  const row = (method, path, query, body, status, fault) => ({ method, path, query, body, status, ...(fault && { fault }) });
  const expected = [
    row("POST", `${base}/webhook`, {}, {
      url: HOOK_URL,
      webhooks: [
        { events: ["jira:issue_created", "jira:issue_updated"], fieldIdsFilter: ["summary"], jqlFilter: "project = DEMO" },
        { events: ["jira:issue_deleted"], jqlFilter: "priority = High AND project = DEMO" },
        { events: ["issue_property_set"], issuePropertyKeysFilter: ["my-key"], jqlFilter: 'status IN (Done, "In Progress")' },
      ],
    }, 200),
    row("GET", `${base}/webhook`, { startAt: "0", maxResults: "1" }, null, 200),
    row("GET", `${base}/webhook`, { startAt: "1", maxResults: "1" }, null, 200),
    row("PUT", `${base}/webhook/refresh`, {}, { webhookIds: [a, b] }, 200),
    row("GET", `${base}/webhook/failed`, { maxResults: "1" }, null, 200),
    row("GET", `${base}/webhook/failed`, { maxResults: "1", after: String(failureTime("f1")) }, null, 200),
    row("DELETE", `${base}/webhook`, {}, { webhookIds: [a] }, 202),
    row("GET", `${base}/webhook`, {}, null, 200),
    row("POST", `${base}/webhook`, {}, { url: HOOK_URL, webhooks: [{ events: ["jira:issue_created"], jqlFilter: "project = FREE" }] }, 200),
    row("GET", `${base}/webhook`, { maxResults: "10" }, null, 200),
    row("PUT", `${base}/webhook/refresh`, {}, { webhookIds: [freeId] }, 200),
    row("GET", `${base}/webhook/failed`, {}, null, 200),
    row("DELETE", `${base}/webhook`, {}, { webhookIds: [freeId] }, 202),
    row("POST", `${gw}/webhook`, {}, { url: HOOK_URL, webhooks: [{ events: ["jira:issue_created"], jqlFilter: "project = OAUTH" }] }, 200),
    row("GET", `${gw}/webhook`, {}, null, 200),
    row("GET", `${gw}/webhook/failed`, {}, null, 403),
    row("DELETE", `${gw}/webhook`, {}, { webhookIds: [oauthId] }, 202),
    row("GET", `${base}/webhook`, {}, null, 401),
    row("PUT", `${base}/webhook/refresh`, {}, { webhookIds: [b] }, 400, "status"),
    row("GET", `${base}/webhook`, {}, null, 200, "malformed-json"),
    row("GET", `${base}/webhook/failed`, {}, null, 200, "html"),
    row("POST", `${base}/webhook`, {}, { url: HOOK_URL, webhooks: [{ events: ["jira:issue_created"], jqlFilter: "project = HTML" }] }, 502, "html"),
    ...[1, 2, 3].map(() => row("GET", `${base}/webhook`, {}, null, "<delayed>", "delay")),
    row("GET", `${base}/webhook`, {}, null, 200),
  ];
  const seen = apiLog.map((r) => row(r.method, r.path, r.query, r.body, r.fault?.type === "delay" ? "<delayed>" : r.status, r.fault?.type));
  assert.deepEqual(seen, expected);
  assert.deepEqual(fake.selfCheckFailures, []);
  for (const r of apiLog) {
    assert.equal(r.headers.authorization, "<redacted>", `${r.method} ${r.path} sent credentials`);
    if (r.body !== null) assert.match(r.headers["content-type"], /^application\/json/);
    if (env.userAgent && !env.browser) assert.equal(r.headers["user-agent"], env.userAgent, `${r.method} ${r.path} ${r.status}`);
  }
  const apps = apiLog.map((r) => r.app);
  assert.deepEqual([...new Set(apps)], [CONNECT_APP, OAUTH_APP, null]);
  // State changes that happened: the registrations, refreshes and deletes, none from a fault that must not apply.
  assert.deepEqual(fake.applied.map((x) => [x.operation, x.ids]), [
    ["registerDynamicWebhooks", [a, b]], ["refreshWebhooks", [a, b]], ["deleteWebhookById", [a]],
    ["registerDynamicWebhooks", [freeId]], ["refreshWebhooks", [freeId]], ["deleteWebhookById", [freeId]],
    ["registerDynamicWebhooks", [oauthId]], ["deleteWebhookById", [oauthId]],
  ]);
}

/** Asserts `r` (an `attempt` result) is a JiraWebhooksError with these fields. */
function expectError(r, fields, { threw = false } = {}) {
  assert.ok(r.error, `expected a failure, got ${JSON.stringify(r)}`);
  assert.equal(!!r.threw, threw, threw ? "must throw synchronously" : "must reject, not throw");
  const { error } = r;
  assert.equal(error.isError, true);
  assert.equal(error.name, "JiraWebhooksError");
  assert.ok(error.message.length > 0);
  assert.ok(error.string.startsWith("JiraWebhooksError: "), error.string);
  assert.ok(Array.isArray(error.errorMessages) && error.errors && typeof error.errors === "object", JSON.stringify(error));
  assert.equal(typeof error.status, "number");
  for (const [k, want] of Object.entries(fields)) assert.equal(error[k], want, `${k} of ${JSON.stringify(error)}`);
}
