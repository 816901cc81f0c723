// The end-to-end scenario shared by the Node (ESM, CJS) and browser tests, and the checks of its outcome.
import assert from "node:assert/strict";
import { CLOUD_ID, CONNECT_APP, OAUTH_APP, OAUTH_PREFIX } from "jira-webhooks-fake/helpers";

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
    attempts: e.attempts, retryAfterMs: e.retryAfterMs, rateLimit: e.rateLimit, result: e.result,
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
  // The pagination helpers: async iterators that follow the pages.
  out.iterated = [];
  for await (const w of client.webhooks({ maxResults: 1 })) out.iterated.push(w.id);
  out.iteratedFailed = [];
  for await (const f of client.failedWebhooks({ maxResults: 1 })) out.iteratedFailed.push(f.id);
  out.failed1 = await client.getFailedWebhooks({ maxResults: 1 });
  out.failed2 = await client.getFailedWebhooks({ maxResults: 1, after: out.failed1.values.at(-1).failureTime });
  out.deleted = (await attempt(() => client.deleteWebhookById({ webhookIds: [a] }))).value;
  out.afterDelete = await client.getDynamicWebhooksForApp();

  // --- the same five on a second client of the same config
  const second = new JiraWebhooks(config);
  const reg = await second.registerDynamicWebhooks({ url, webhooks: [hook("project = FREE")] });
  const id = reg.webhookRegistrationResult[0].createdWebhookId;
  out.free = {
    register: reg,
    list: await second.getDynamicWebhooksForApp({ maxResults: 10 }),
    refresh: await second.refreshWebhooks({ webhookIds: [id] }),
    failed: await second.getFailedWebhooks(),
    deleted: (await attempt(() => second.deleteWebhookById({ webhookIds: [id] }))).value,
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
  e.fractionalId = await attempt(() => client.refreshWebhooks({ webhookIds: [1.5] }));
  e.duplicateIds = await attempt(() => client.deleteWebhookById({ webhookIds: [b, b] }));
  e.noWebhooks = await attempt(() => client.registerDynamicWebhooks({ url, webhooks: [] }));
  e.emptyJql = await attempt(() => client.registerDynamicWebhooks({ url, webhooks: [hook(" ")] }));
  e.missingIds = await attempt(() => client.deleteWebhookById({}));
  e.stringIds = await attempt(() => client.deleteWebhookById({ webhookIds: ["10000"] }));
  e.maxResultsZero = await attempt(() => client.getDynamicWebhooksForApp({ maxResults: 0 }));
  e.negativeStartAt = await attempt(() => client.getDynamicWebhooksForApp({ startAt: -1 }));
  e.negativeAfter = await attempt(() => client.getFailedWebhooks({ after: -1 }));
  e.badSignal = await attempt(() => client.getDynamicWebhooksForApp({}, { signal: "stop" }));
  e.preAborted = await attempt(() => client.getDynamicWebhooksForApp({}, { signal: AbortSignal.abort() }));
  e.configCtor = await attempt(() => new JiraWebhooks({ baseUrl: "http://jira.example.com", auth: basic }));
  e.configNoAuth = await attempt(() => new JiraWebhooks({ baseUrl: env.fakeUrl }));
  e.configApiVersion = await attempt(() => new JiraWebhooks({ ...config, apiVersion: 4 }));
  e.configEmpty = await attempt(() => new JiraWebhooks({ ...config, auth: { type: "basic", email: "admin@example.com", apiToken: "" } }));
  e.configBoth = await attempt(() => new JiraWebhooks({ ...config, cloudId: env.cloudId }));
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
  e.partial = await attempt(() =>
    client.registerDynamicWebhooks({ url, webhooks: [hook("project = PART"), hook("priority = Low")] }, { throwOnPartialFailure: true }));
  const partialId = e.partial.error?.result?.webhookRegistrationResult?.[0]?.createdWebhookId;
  await client.deleteWebhookById({ webhookIds: [partialId] });

  // Retries: quick ones here; 429 for every call, 5xx and network failures only for idempotent ones.
  const quick = { ...config, retry: { retries: 2, minDelayMs: 5, maxDelayMs: 20 } };
  const retrying = new JiraWebhooks(quick);
  await fault({ type: "status", status: 503, operation: "getDynamicWebhooksForApp" });
  out.retried503 = await retrying.getDynamicWebhooksForApp();
  await fault({ type: "rate-limit", operation: "registerDynamicWebhooks", retryAfter: 0 }); // a wait within maxDelayMs
  out.retried429 = await retrying.registerDynamicWebhooks({ url, webhooks: [hook("project = RETRY")] });
  await retrying.deleteWebhookById({ webhookIds: [out.retried429.webhookRegistrationResult[0].createdWebhookId] });
  await fault({ type: "status", status: 503, operation: "registerDynamicWebhooks" });
  e.post503 = await attempt(() => retrying.registerDynamicWebhooks({ url, webhooks: [hook("project = ONCE")] }));
  await fault({ type: "rate-limit", retryAfter: 7, operation: "refreshWebhooks" });
  e.rateLimited = await attempt(() => new JiraWebhooks({ ...config, retry: false }).refreshWebhooks({ webhookIds: [b] }));
  e.network = await attempt(() => new JiraWebhooks({ ...config, baseUrl: env.closedUrl, retry: false }).getDynamicWebhooksForApp());
  e.networkRetried = await attempt(() => new JiraWebhooks({ ...quick, baseUrl: env.closedUrl }).getDynamicWebhooksForApp());
  e.networkPost = await attempt(() =>
    new JiraWebhooks({ ...quick, baseUrl: env.closedUrl }).registerDynamicWebhooks({ url, webhooks: [hook("project = NET")] }));

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

  assert.deepEqual(out.iterated, [a, b], "client.webhooks() yields every webhook of every page");
  assert.deepEqual(out.iteratedFailed, ["f1", "f2", "f3"], "client.failedWebhooks() follows the cursor");

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
  const invalid = { kind: "invalid-input", status: 0, attempts: 0 };
  expectError(e.emptyIds, { ...invalid, path: "webhookIds", operation: "refreshWebhooks" });
  expectError(e.fractionalId, { ...invalid, path: "webhookIds[0]" });
  expectError(e.duplicateIds, { ...invalid, path: "webhookIds[1]", operation: "deleteWebhookById" });
  expectError(e.noWebhooks, { ...invalid, path: "webhooks", operation: "registerDynamicWebhooks" });
  expectError(e.emptyJql, { ...invalid, path: "webhooks[0].jqlFilter" });
  expectError(e.missingIds, { ...invalid, operation: "deleteWebhookById" });
  assert.match(e.missingIds.error.message, /webhookIds/);
  expectError(e.stringIds, { ...invalid, path: "webhookIds[0]", operation: "deleteWebhookById" });
  expectError(e.maxResultsZero, { ...invalid, path: "maxResults", operation: "getDynamicWebhooksForApp" });
  expectError(e.negativeStartAt, { ...invalid, path: "startAt" });
  expectError(e.negativeAfter, { ...invalid, path: "after", operation: "getFailedWebhooks" });
  expectError(e.badSignal, { ...invalid, path: "options.signal" });
  expectError(e.preAborted, { kind: "aborted", status: 0, operation: "getDynamicWebhooksForApp" });
  const config = { kind: "config", status: 0, attempts: 0 };
  expectError(e.configCtor, { ...config, path: "baseUrl" }, { threw: true });
  assert.match(e.configCtor.error.message, /https/);
  expectError(e.configNoAuth, config, { threw: true });
  assert.match(e.configNoAuth.error.message, /auth/);
  expectError(e.configApiVersion, { ...config, path: "apiVersion" }, { threw: true });
  expectError(e.configEmpty, { ...config, path: "auth.apiToken" }, { threw: true });
  expectError(e.configBoth, { ...config, path: "baseUrl" }, { threw: true });

  const apiLog = fake.requests.filter((r) => r.method !== "OPTIONS");
  const byId = (id) => apiLog.find((r) => r.id === id);
  expectError(e.unauthorized, { kind: "http", status: 401, operation: "getDynamicWebhooksForApp", attempts: 1 });
  assert.equal(e.unauthorized.error.errorMessages.length, 1);
  assert.match(e.unauthorized.error.errorMessages[0], /authenticat/i);
  assert.deepEqual(e.unauthorized.error.errors, {});
  assert.equal(byId(e.unauthorized.error.requestId)?.status, 401, "requestId is the fake's X-AREQUESTID");
  assert.match(e.unauthorized.error.message, /401/);

  expectError(e.echoedSecret, { kind: "http", status: 400, operation: "refreshWebhooks", attempts: 1 });
  assert.equal(e.echoedSecret.error.errorMessages.length, 1);
  assert.deepEqual(Object.keys(e.echoedSecret.error.errors), ["auth"]);
  expectError(e.malformedJson, { kind: "decode", status: 200, operation: "getDynamicWebhooksForApp", attempts: 1 });
  expectError(e.html200, { kind: "decode", status: 200, operation: "getFailedWebhooks", attempts: 1 });
  expectError(e.html502, { kind: "http", status: 502, operation: "registerDynamicWebhooks", attempts: 1 });
  assert.deepEqual(e.html502.error.errorMessages, []);
  assert.ok(byId(e.html502.error.requestId), "an http error carries the request id");

  // throwOnPartialFailure: the created id is kept in the error's result.
  expectError(e.partial, { kind: "partial-failure", operation: "registerDynamicWebhooks" });
  const partialResult = e.partial.error.result.webhookRegistrationResult;
  const partialId = partialResult[0].createdWebhookId;
  assert.deepEqual(partialResult, [{ createdWebhookId: partialId }, { errors: ["The clause priority is unsupported"] }]);
  assert.match(e.partial.error.message, /1 of 2/);

  // Retries: 503 on a GET and 429 on a POST are sent again; a 503 on a POST and anything with retry: false are not.
  assert.deepEqual(out.retried503.values.map((w) => w.id), [b]);
  const retryId = out.retried429.webhookRegistrationResult[0].createdWebhookId;
  assert.ok(retryId > partialId);
  expectError(e.post503, { kind: "http", status: 503, operation: "registerDynamicWebhooks", attempts: 1 });
  expectError(e.rateLimited, { kind: "http", status: 429, operation: "refreshWebhooks", attempts: 1, retryAfterMs: 7000 });
  const { reset, ...rateLimit } = e.rateLimited.error.rateLimit;
  assert.deepEqual(rateLimit, { reason: "jira-quota-based", limit: "100", remaining: "0", nearLimit: "true" });
  assert.match(reset, /^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/);
  const network = { kind: "network", status: 0 };
  expectError(e.network, { ...network, operation: "getDynamicWebhooksForApp", attempts: 1 });
  expectError(e.networkRetried, { ...network, operation: "getDynamicWebhooksForApp", attempts: 3 });
  expectError(e.networkPost, { ...network, operation: "registerDynamicWebhooks", attempts: 1 }); // could register twice
  expectError(e.callTimeout, { kind: "timeout", status: 0, attempts: 1 });
  expectError(e.configTimeout, { kind: "timeout", status: 0, attempts: 1 });
  expectError(e.aborted, { kind: "aborted", status: 0, operation: "getDynamicWebhooksForApp", attempts: 1 });
  assert.deepEqual(out.afterFailures.values.map((w) => w.id), [b]);

  // --- what reached Jira, in order, as the spec wants it
  const base = `/rest/api/${v}`;
  const gw = `${OAUTH_PREFIX}${base}`;
  const row = (method, path, query, body, status, fault) => ({ method, path, query, body, status, ...(fault && { fault }) });
  const get = (path, query, status = 200, fault) => row("GET", `${base}${path}`, query, null, status, fault);
  const post = (jqlFilters, status = 200, fault) =>
    row("POST", `${base}/webhook`, {}, { url: HOOK_URL, webhooks: jqlFilters.map((jqlFilter) => ({ events: ["jira:issue_created"], jqlFilter })) }, status, fault);
  const put = (ids, status = 200, fault) => row("PUT", `${base}/webhook/refresh`, {}, { webhookIds: ids }, status, fault);
  const del = (ids) => row("DELETE", `${base}/webhook`, {}, { webhookIds: ids }, 202);
  const [t1, t2] = ["f1", "f2"].map((id) => String(failureTime(id)));
  const expected = [
    row("POST", `${base}/webhook`, {}, {
      url: HOOK_URL,
      webhooks: [
        { events: ["jira:issue_created", "jira:issue_updated"], fieldIdsFilter: ["summary"], jqlFilter: "project = DEMO" },
        { events: ["jira:issue_deleted"], jqlFilter: "priority = High AND project = DEMO" },
        { events: ["issue_property_set"], issuePropertyKeysFilter: ["my-key"], jqlFilter: 'status IN (Done, "In Progress")' },
      ],
    }, 200),
    get("/webhook", { startAt: "0", maxResults: "1" }),
    get("/webhook", { startAt: "1", maxResults: "1" }),
    put([a, b]),
    // client.webhooks({ maxResults: 1 }): page after page until isLast
    get("/webhook", { maxResults: "1" }),
    get("/webhook", { startAt: "1", maxResults: "1" }),
    // client.failedWebhooks({ maxResults: 1 }): cursor after cursor until an empty page
    get("/webhook/failed", { maxResults: "1" }),
    get("/webhook/failed", { maxResults: "1", after: t1 }),
    get("/webhook/failed", { maxResults: "1", after: t2 }),
    get("/webhook/failed", { maxResults: "1" }),
    get("/webhook/failed", { maxResults: "1", after: t1 }),
    del([a]),
    get("/webhook", {}),
    post(["project = FREE"]),
    get("/webhook", { maxResults: "10" }),
    put([freeId]),
    get("/webhook/failed", {}),
    del([freeId]),
    row("POST", `${gw}/webhook`, {}, { url: HOOK_URL, webhooks: [{ events: ["jira:issue_created"], jqlFilter: "project = OAUTH" }] }, 200),
    row("GET", `${gw}/webhook`, {}, null, 200),
    row("GET", `${gw}/webhook/failed`, {}, null, 403),
    row("DELETE", `${gw}/webhook`, {}, { webhookIds: [oauthId] }, 202),
    get("/webhook", {}, 401),
    put([b], 400, "status"),
    get("/webhook", {}, 200, "malformed-json"),
    get("/webhook/failed", {}, 200, "html"),
    post(["project = HTML"], 502, "html"),
    post(["project = PART", "priority = Low"]),
    del([partialId]),
    get("/webhook", {}, 503, "status"),
    get("/webhook", {}),
    post(["project = RETRY"], 429, "rate-limit"),
    post(["project = RETRY"]),
    del([retryId]),
    post(["project = ONCE"], 503, "status"),
    put([b], 429, "rate-limit"),
    ...[1, 2, 3].map(() => get("/webhook", {}, "<delayed>", "delay")),
    get("/webhook", {}),
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
  // The state changes that happened; none from a fault that must not apply.
  assert.deepEqual(fake.applied.map((x) => [x.operation, x.ids]), [
    ["registerDynamicWebhooks", [a, b]], ["refreshWebhooks", [a, b]], ["deleteWebhookById", [a]],
    ["registerDynamicWebhooks", [freeId]], ["refreshWebhooks", [freeId]], ["deleteWebhookById", [freeId]],
    ["registerDynamicWebhooks", [oauthId]], ["deleteWebhookById", [oauthId]],
    ["registerDynamicWebhooks", [partialId]], ["deleteWebhookById", [partialId]],
    ["registerDynamicWebhooks", [retryId]], ["deleteWebhookById", [retryId]],
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

/**
 * The other ways in: Connect JWT, a bearer token from `getToken` (refreshed after a 401), a custom transport with
 * `auth: { type: "none" }`, and the Forge adapters of `jira-webhooks/forge`. Self-contained like `scenario`.
 * @param {Record<string, any>} lib the package's exports @param {Record<string, any>} forge `jira-webhooks/forge`
 * @param {{ fakeUrl: string, apiVersion: 2 | 3, cloudId: string }} env
 */
export async function authScenario(lib, forge, env) {
  const { JiraWebhooks } = lib;
  const url = "https://app.example.com/hook";
  const details = (jqlFilter) => ({ url, webhooks: [{ events: ["jira:issue_created"], jqlFilter }] });
  const fail = (p) => p.then((value) => ({ value }), (e) => ({
    error: { name: e.name, kind: e.kind, status: e.status, attempts: e.attempts, message: e.message, string: String(e), stack: String(e.stack),
      own: JSON.stringify(e, Object.getOwnPropertyNames(e)), errorMessages: e.errorMessages },
  }));
  const created = (r) => r.webhookRegistrationResult[0].createdWebhookId;
  const base = { baseUrl: env.fakeUrl, apiVersion: env.apiVersion, retry: false };
  const out = {};

  // Connect JWT: a fresh token per request, its qsh covering method, path and query.
  const connect = new JiraWebhooks({ ...base, auth: { type: "connect", appKey: "com.example.connect-app", sharedSecret: "connect-shared-secret-for-tests" } });
  const id = created(await connect.registerDynamicWebhooks(details("project = JWT")));
  out.connect = {
    id,
    page: await connect.getDynamicWebhooksForApp({ startAt: 0, maxResults: 5 }),
    failed: await connect.getFailedWebhooks({ maxResults: 5, after: 0 }),
    refresh: await connect.refreshWebhooks({ webhookIds: [id] }),
    deleted: (await connect.deleteWebhookById({ webhookIds: [id] })) === undefined,
  };
  const forged = { type: "connect", appKey: "com.example.connect-app", sharedSecret: "wrong-shared-secret-0123" };
  out.badSecret = await fail(new JiraWebhooks({ ...base, auth: forged }).getDynamicWebhooksForApp());

  // OAuth 2.0 with getToken: the first token has expired; after the 401 a new one is asked for and the call repeated.
  const tokens = ["expired-token-0123", "oauth-access-token"];
  let asked = 0;
  const oauth = new JiraWebhooks({
    cloudId: env.cloudId, gatewayUrl: env.fakeUrl, apiVersion: env.apiVersion, retry: false,
    auth: { type: "bearer", getToken: async () => tokens[Math.min(asked++, 1)] },
  });
  out.getToken = { page: await oauth.getDynamicWebhooksForApp(), askedAfterFirst: asked };
  out.getToken.page2 = await oauth.getDynamicWebhooksForApp({ maxResults: 1 });
  out.getToken.askedAfterSecond = asked;
  const never = new JiraWebhooks({
    cloudId: env.cloudId, gatewayUrl: env.fakeUrl, apiVersion: env.apiVersion, retry: false,
    auth: { type: "bearer", getToken: () => "expired-token-0123" },
  });
  out.getToken.stillExpired = await fail(never.getDynamicWebhooksForApp());

  // A custom transport (e.g. the app's own proxy) that adds the credentials itself.
  const basic = `Basic ${btoa("admin@example.com:basic-api-token")}`;
  const seen = [];
  const proxy = new JiraWebhooks({
    ...base,
    auth: { type: "none" },
    transport: async (r) => {
      seen.push({ method: r.method, url: r.url, path: r.path, body: r.body ?? null, authorization: "authorization" in r.headers, signal: r.signal instanceof AbortSignal });
      return fetch(r.url, { method: r.method, headers: { ...r.headers, authorization: basic }, body: r.body, signal: r.signal });
    },
  });
  const pid = created(await proxy.registerDynamicWebhooks(details("project = PROXY")));
  out.transport = { id: pid, page: await proxy.getDynamicWebhooksForApp({ maxResults: 10 }, { timeoutMs: 10_000 }), deleted: await proxy.deleteWebhookById({ webhookIds: [pid] }) === undefined, seen };

  // Forge: no baseUrl; the platform's requestJira takes the path and authenticates (here: the fake app's Basic).
  const requester = { requestJira: (route, init) => fetch(env.fakeUrl + route, { ...init, headers: { ...init.headers, authorization: basic } }) };
  const viaForge = new JiraWebhooks({ apiVersion: env.apiVersion, retry: false, auth: { type: "none" }, transport: forge.forgeTransport(requester, (p) => p) });
  const fid = created(await viaForge.registerDynamicWebhooks(details("project = FORGE")));
  const viaBridge = new JiraWebhooks({
    apiVersion: env.apiVersion, retry: false, auth: { type: "none" },
    transport: forge.bridgeTransport((path, init) => requester.requestJira(path, init)),
  });
  out.forge = {
    id: fid,
    refresh: await viaForge.refreshWebhooks({ webhookIds: [fid] }),
    bridgePage: await viaBridge.getDynamicWebhooksForApp(),
    deleted: (await viaBridge.deleteWebhookById({ webhookIds: [fid] })) === undefined,
  };
  return out;
}

/** Checks `authScenario`'s result and the fake's log of it. */
export function checkAuthScenario(out, fake, env) {
  const text = JSON.stringify(out);
  for (const secret of [...Object.values(SECRETS), "connect-shared-secret-for-tests", "wrong-shared-secret-0123", "expired-token-0123"])
    assert.ok(!text.includes(secret), `a secret leaked: ${secret}`);
  const base = `/rest/api/${env.apiVersion}`;
  const { connect, badSecret, getToken, transport, forge } = out;
  assert.deepEqual(connect.page.values.map((w) => w.id), [connect.id]);
  assert.deepEqual(connect.failed.values.map((f) => f.id), ["f1", "f2", "f3"]);
  assert.equal(typeof connect.refresh.expirationDate, "number");
  assert.equal(connect.deleted, true);
  assert.equal(badSecret.error?.name, "JiraWebhooksError");
  assert.equal(badSecret.error.kind, "http");
  assert.equal(badSecret.error.status, 401);

  assert.deepEqual(getToken.page.values, []);
  assert.equal(getToken.askedAfterFirst, 2, "getToken is asked again after a 401");
  assert.ok(getToken.askedAfterSecond >= 2);
  assert.equal(getToken.stillExpired.error?.kind, "http");
  assert.equal(getToken.stillExpired.error.status, 401, "a second 401 is the caller's problem");

  assert.deepEqual(transport.page.values.map((w) => w.id), [transport.id]);
  assert.equal(transport.deleted, true);
  assert.deepEqual(transport.seen.map(({ method, url, path, authorization }) => [method, url, path, authorization]), [
    ["POST", `${fake.url}${base}/webhook`, `${base}/webhook`, false],
    ["GET", `${fake.url}${base}/webhook?maxResults=10`, `${base}/webhook?maxResults=10`, false],
    ["DELETE", `${fake.url}${base}/webhook`, `${base}/webhook`, false],
  ]);
  assert.deepEqual(JSON.parse(transport.seen[2].body), { webhookIds: [transport.id] });
  assert.equal(transport.seen[1].signal, true, "a call with a timeout hands the transport an AbortSignal");

  assert.equal(typeof forge.refresh.expirationDate, "number");
  assert.deepEqual(forge.bridgePage.values.map((w) => w.id), [forge.id]);
  assert.equal(forge.deleted, true);

  const log = fake.requests.filter((r) => r.method !== "OPTIONS").map((r) => [r.method, r.path, r.query, r.status, r.app]);
  const gw = `${OAUTH_PREFIX}${base}`;
  const C = CONNECT_APP;
  assert.deepEqual(log, [
    ["POST", `${base}/webhook`, {}, 200, C],
    ["GET", `${base}/webhook`, { startAt: "0", maxResults: "5" }, 200, C],
    ["GET", `${base}/webhook/failed`, { maxResults: "5", after: "0" }, 200, C],
    ["PUT", `${base}/webhook/refresh`, {}, 200, C],
    ["DELETE", `${base}/webhook`, {}, 202, C],
    ["GET", `${base}/webhook`, {}, 401, null],
    ["GET", `${gw}/webhook`, {}, 401, null],
    ["GET", `${gw}/webhook`, {}, 200, OAUTH_APP],
    ["GET", `${gw}/webhook`, { maxResults: "1" }, 200, OAUTH_APP],
    ["GET", `${gw}/webhook`, {}, 401, null],
    ["GET", `${gw}/webhook`, {}, 401, null],
    ["POST", `${base}/webhook`, {}, 200, C],
    ["GET", `${base}/webhook`, { maxResults: "10" }, 200, C],
    ["DELETE", `${base}/webhook`, {}, 202, C],
    ["POST", `${base}/webhook`, {}, 200, C],
    ["PUT", `${base}/webhook/refresh`, {}, 200, C],
    ["GET", `${base}/webhook`, {}, 200, C],
    ["DELETE", `${base}/webhook`, {}, 202, C],
  ]);
  assert.deepEqual(fake.selfCheckFailures, []);
}
