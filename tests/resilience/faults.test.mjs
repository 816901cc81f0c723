// Every fault of the fake Jira against the built package: what the caller sees (success after retries, or the
// documented error kind and fields) and what the fake's logs prove (requests sent, state changes applied).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import {
  useFake, clientOf, details, failure, seedHooks, stored, sent, appliedOf, until, since, sleep,
  FAST, CONNECT_APP,
} from "./common.mjs";

const fake = useFake();

const REGISTER = "registerDynamicWebhooks";
const LIST = "getDynamicWebhooksForApp";
const FAILED = "getFailedWebhooks";
const REFRESH = "refreshWebhooks";
const DELETE = "deleteWebhookById";
const RATE_LIMIT_RESET = /^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/;

// ------------------------------------------------------------------------------------------------ 429
describe("429 rate limits", () => {
  test("Retry-After: 1 is honoured: one wait of >= 1 s, then success; sent exactly twice", async () => {
    await seedHooks(fake, 2);
    const client = clientOf(fake, { retry: { retries: 3, minDelayMs: 5, maxDelayMs: 5000 } });
    fake.injectFault({ type: "rate-limit", operation: LIST, retryAfter: 1 });
    const t0 = performance.now();
    const page = await client.getDynamicWebhooksForApp();
    const elapsed = since(t0);
    assert.equal(page.values.length, 2);
    assert.deepEqual(sent(fake), ["GET 429 [rate-limit]", "GET 200"]);
    const gap = fake.requests[1].time - fake.requests[0].time;
    assert.ok(gap >= 950, `the second request came ${gap} ms after the first, expected >= 1000`);
    assert.ok(elapsed >= 950 && elapsed < 3000, `took ${elapsed} ms`);
  });

  test("429 with only X-RateLimit-Reset: waits until the reset time", async () => {
    await seedHooks(fake, 1);
    const client = clientOf(fake, { retry: { retries: 3, minDelayMs: 5, maxDelayMs: 5000 } });
    const reset = new Date(Date.now() + 1000).toISOString();
    fake.injectFault({ type: "status", status: 429, operation: LIST, headers: { "X-RateLimit-Reset": reset } });
    const page = await client.getDynamicWebhooksForApp();
    assert.equal(page.values.length, 1);
    assert.deepEqual(sent(fake), ["GET 429 [status]", "GET 200"]);
    const gap = fake.requests[1].time - fake.requests[0].time;
    assert.ok(gap >= 700 && gap < 2500, `the retry came ${gap} ms later; the reset was ~1 s ahead`);
  });

  test("429 without any hint (no Retry-After, no X-RateLimit-Reset): backoff, then success", async () => {
    await seedHooks(fake, 1);
    const client = clientOf(fake);
    fake.injectFault({ type: "status", status: 429, operation: LIST, times: 2 });
    const t0 = performance.now();
    const page = await client.getDynamicWebhooksForApp();
    assert.equal(page.values.length, 1);
    assert.deepEqual(sent(fake), ["GET 429 [status]", "GET 429 [status]", "GET 200"]);
    assert.ok(since(t0) < 1000, `backoff of at most maxDelayMs (50 ms) per retry, took ${since(t0)} ms`);
  });

  test("Retry-After: 0 means now (RFC 9110): the retries follow without a backoff wait, and the error says 0", async () => {
    await seedHooks(fake, 1);
    // minDelayMs = maxDelayMs = 1000: a backoff wait would be uniform in [0, 1000) each time; "0" waits none.
    const client = clientOf(fake, { retry: { retries: 5, minDelayMs: 1000, maxDelayMs: 1000 } });
    fake.injectFault({ type: "status", status: 429, operation: LIST, times: 5, headers: { "Retry-After": "0" } });
    const page = await client.getDynamicWebhooksForApp();
    assert.equal(page.values.length, 1);
    assert.equal(fake.requests.length, 6);
    const waited = fake.requests.at(-1).time - fake.requests[0].time;
    assert.ok(waited < 500, `5 immediate retries took ${waited} ms`);
    fake.injectFault({ type: "status", status: 429, operation: LIST, times: 6, headers: { "Retry-After": "0" } });
    const err = await failure(client.getDynamicWebhooksForApp());
    assert.deepEqual([err.status, err.retryAfterMs, err.attempts], [429, 0, 6]);
  });

  test("429 forever: kind http, status 429, retryAfterMs, rateLimit fields, attempts = retries + 1", async () => {
    const client = clientOf(fake, { retry: { ...FAST, maxDelayMs: 2000 } });
    fake.injectFault({ type: "rate-limit", operation: LIST, times: 100, retryAfter: 1, reason: "jira-burst-based", limit: 50 });
    const t0 = performance.now();
    const err = await failure(client.getDynamicWebhooksForApp());
    assert.ok(since(t0) >= 3 * 990, `each of the 3 retries waited the 1 s Jira asked; took ${since(t0)} ms`);
    assert.equal(err.kind, "http");
    assert.equal(err.status, 429);
    assert.equal(err.operation, LIST);
    assert.equal(err.retryAfterMs, 1000);
    assert.equal(err.attempts, FAST.retries + 1);
    assert.deepEqual(err.errorMessages, ["Rate limit exceeded."]);
    assert.equal(err.rateLimit.reason, "jira-burst-based");
    assert.equal(err.rateLimit.limit, "50");
    assert.equal(err.rateLimit.remaining, "0");
    assert.equal(err.rateLimit.nearLimit, "true");
    assert.match(err.rateLimit.reset, RATE_LIMIT_RESET);
    assert.match(err.message, /429 Too Many Requests/);
    assert.equal(fake.requests.length, FAST.retries + 1);
    assert.equal(err.requestId, fake.requests.at(-1).id, "requestId is the last answer's X-AREQUESTID");
    assert.ok(fake.requests.every((r) => r.status === 429));
  });

  // Defect (found by the simulator): a wait longer than maxDelayMs was cut to maxDelayMs, and the request sent again
  // long before Jira's Retry-After had passed, only to be refused again (Atlassian: "the same or longer" wait).
  test("429 whose Retry-After is longer than maxDelayMs: the call ends at once with it, not sent again early", async () => {
    const client = clientOf(fake); // maxDelayMs 50
    fake.injectFault({ type: "rate-limit", operation: LIST, times: 100, retryAfter: 1 });
    const t0 = performance.now();
    const err = await failure(client.getDynamicWebhooksForApp());
    assert.ok(since(t0) < 900, `no wait; took ${since(t0)} ms`);
    assert.deepEqual([err.kind, err.status, err.retryAfterMs, err.attempts], ["http", 429, 1000, 1]);
    assert.equal(fake.requests.length, 1);
  });

  test("POST refused with 429 is re-sent exactly once and registered exactly once", async () => {
    const client = clientOf(fake);
    fake.injectFault({ type: "rate-limit", operation: REGISTER, retryAfter: 0 });
    const result = await client.registerDynamicWebhooks(details("project = A"));
    const id = result.webhookRegistrationResult[0].createdWebhookId;
    assert.equal(typeof id, "number");
    assert.deepEqual(sent(fake), ["POST 429 [rate-limit]", "POST 200"]);
    assert.deepEqual(appliedOf(fake, REGISTER).map((a) => a.ids), [[id]]);
    assert.equal(fake.applied[0].requestId, fake.requests[1].id, "applied by the second request, not the first");
    assert.deepEqual(stored(fake).map((w) => w.id), [id]);
  });
});

// ------------------------------------------------------------------------------------------------ POST
describe("the POST is never silently repeated", () => {
  test("reset after Jira applied it: kind network, sent once, registered once, not re-sent", async () => {
    const client = clientOf(fake);
    fake.injectFault({ type: "reset", operation: REGISTER, apply: true });
    const err = await failure(client.registerDynamicWebhooks(details("project = A", "project = B")));
    assert.equal(err.kind, "network");
    assert.equal(err.status, 0);
    assert.equal(err.attempts, 1);
    assert.equal(err.operation, REGISTER);
    await sleep(100); // nothing comes late
    assert.deepEqual(sent(fake), ["POST reset [reset]"]);
    assert.equal(appliedOf(fake, REGISTER).length, 1);
    assert.equal(appliedOf(fake, REGISTER)[0].ids.length, 2);
    assert.equal(stored(fake).length, 2, "the two webhooks exist exactly once");
    // The caller's recovery path (list before retrying) sees them.
    const page = await client.getDynamicWebhooksForApp();
    assert.deepEqual(page.values.map((w) => w.jqlFilter), ["project = A", "project = B"]);
  });

  test("reset before Jira applied it: kind network, nothing registered, not re-sent", async () => {
    const client = clientOf(fake);
    fake.injectFault({ type: "reset", operation: REGISTER });
    const err = await failure(client.registerDynamicWebhooks(details("project = A")));
    assert.equal(err.kind, "network");
    assert.equal(err.attempts, 1);
    await sleep(100);
    assert.deepEqual(sent(fake), ["POST reset [reset]"]);
    assert.deepEqual(fake.applied, []);
    assert.deepEqual(stored(fake), []);
  });

  test("503 without Retry-After: kind http 503, not re-sent, nothing registered", async () => {
    const client = clientOf(fake);
    fake.injectFault({ type: "status", status: 503, operation: REGISTER, times: 5 });
    const err = await failure(client.registerDynamicWebhooks(details("project = A")));
    assert.equal(err.kind, "http");
    assert.equal(err.status, 503);
    assert.equal(err.attempts, 1);
    assert.equal(err.retryAfterMs, undefined);
    assert.deepEqual(err.errorMessages, ["Injected fault: HTTP 503"]);
    assert.deepEqual(sent(fake), ["POST 503 [status]"]);
    assert.deepEqual(fake.applied, []);
  });

  test("503 with Retry-After: re-sent once, registered once", async () => {
    const client = clientOf(fake, { retry: { ...FAST, maxDelayMs: 2000 } });
    fake.injectFault({ type: "status", status: 503, operation: REGISTER, headers: { "Retry-After": "1" } });
    const t0 = performance.now();
    const result = await client.registerDynamicWebhooks(details("project = A"));
    assert.ok(since(t0) >= 990, `the 1 s Jira asked for was waited; took ${since(t0)} ms`);
    assert.deepEqual(sent(fake), ["POST 503 [status]", "POST 200"]);
    const id = result.webhookRegistrationResult[0].createdWebhookId;
    assert.deepEqual(appliedOf(fake, REGISTER).map((a) => a.ids), [[id]]);
    assert.equal(stored(fake).length, 1);
  });

  for (const [name, fault] of [
    ["502", { type: "status", status: 502 }],
    ["504", { type: "status", status: 504 }],
    ["an HTML 502 page", { type: "html" }],
  ]) {
    test(`${name}: kind http, not re-sent, nothing registered`, async () => {
      const client = clientOf(fake);
      fake.injectFault({ ...fault, operation: REGISTER, times: 5 });
      const err = await failure(client.registerDynamicWebhooks(details("project = A")));
      assert.equal(err.kind, "http");
      assert.equal(err.status, fault.status ?? 502);
      assert.equal(err.attempts, 1);
      if (fault.type === "html") {
        assert.match(err.message, /HTML page/);
        assert.deepEqual(err.errorMessages, []);
      }
      assert.equal(fake.requests.length, 1);
      assert.deepEqual(fake.applied, []);
    });
  }

  test("a truncated 200 after Jira registered: kind decode, registered once, not re-sent", async () => {
    const client = clientOf(fake);
    fake.injectFault({ type: "malformed-json", operation: REGISTER });
    const err = await failure(client.registerDynamicWebhooks(details("project = A")));
    assert.equal(err.kind, "decode");
    assert.equal(err.status, 200);
    assert.equal(err.attempts, 1);
    assert.equal(fake.requests.length, 1);
    assert.equal(appliedOf(fake, REGISTER).length, 1);
    assert.equal(stored(fake).length, 1);
  });
});

// ------------------------------------------------------------------------------------------------ idempotent
describe("GET, PUT and DELETE are retried after 502/503/504 and resets", () => {
  const FAULTS = [
    ["502", { type: "status", status: 502 }],
    ["503", { type: "status", status: 503 }],
    ["504", { type: "status", status: 504 }],
    ["reset", { type: "reset" }],
  ];
  const tag = (f) => (f.type === "reset" ? "reset [reset]" : `${f.status} [status]`);

  for (const [name, fault] of FAULTS) {
    test(`GET list after ${name}: retried, correct page`, async () => {
      const ids = await seedHooks(fake, 3);
      fake.injectFault({ ...fault, operation: LIST, times: 2 });
      const page = await clientOf(fake).getDynamicWebhooksForApp();
      assert.deepEqual(page.values.map((w) => w.id), ids);
      assert.deepEqual(sent(fake), [`GET ${tag(fault)}`, `GET ${tag(fault)}`, "GET 200"]);
    });

    test(`GET failed after ${name}: retried, correct page`, async () => {
      const t = fake.now() - 60_000;
      fake.seedFailed(CONNECT_APP, [{ id: "f1", url: "https://x.example/h", failureTime: t }]);
      fake.injectFault({ ...fault, operation: FAILED });
      const page = await clientOf(fake).getFailedWebhooks();
      assert.deepEqual(page.values, [{ id: "f1", url: "https://x.example/h", failureTime: t }]);
      assert.deepEqual(sent(fake), [`GET ${tag(fault)}`, "GET 200"]);
    });

    test(`PUT refresh after ${name}: retried, refreshed once`, async () => {
      const ids = await seedHooks(fake, 3);
      fake.advanceTime(86_400_000);
      fake.injectFault({ ...fault, operation: REFRESH });
      const result = await clientOf(fake).refreshWebhooks({ webhookIds: [ids[0], ids[2]] });
      assert.equal(typeof result.expirationDate, "number");
      assert.deepEqual(sent(fake), [`PUT ${tag(fault)}`, "PUT 200"]);
      assert.deepEqual(appliedOf(fake, REFRESH).map((a) => a.ids), [[ids[0], ids[2]]]);
      assert.deepEqual(stored(fake).map((w) => w.expirationDate === result.expirationDate), [true, false, true]);
    });

    test(`DELETE after ${name}: retried, deleted once`, async () => {
      const ids = await seedHooks(fake, 3);
      fake.injectFault({ ...fault, operation: DELETE });
      assert.equal(await clientOf(fake).deleteWebhookById({ webhookIds: [ids[1]] }), undefined);
      assert.deepEqual(sent(fake), [`DELETE ${tag(fault)}`, "DELETE 202"]);
      assert.deepEqual(appliedOf(fake, DELETE).map((a) => a.ids), [[ids[1]]]);
      assert.deepEqual(stored(fake).map((w) => w.id), [ids[0], ids[2]]);
    });
  }

  test("DELETE reset after Jira applied it: re-sent (idempotent), the second is a no-op, state is right", async () => {
    const ids = await seedHooks(fake, 3);
    fake.injectFault({ type: "reset", operation: DELETE, apply: true });
    await clientOf(fake).deleteWebhookById({ webhookIds: [ids[0]] });
    assert.deepEqual(sent(fake), ["DELETE reset [reset]", "DELETE 202"]);
    assert.deepEqual(appliedOf(fake, DELETE).map((a) => a.ids), [[ids[0]], []]);
    assert.deepEqual(stored(fake).map((w) => w.id), [ids[1], ids[2]]);
  });

  test("PUT refresh reset after Jira applied it: re-sent, every listed webhook ends refreshed", async () => {
    const ids = await seedHooks(fake, 2);
    fake.advanceTime(86_400_000);
    fake.injectFault({ type: "reset", operation: REFRESH, apply: true });
    const result = await clientOf(fake).refreshWebhooks({ webhookIds: ids });
    assert.deepEqual(sent(fake), ["PUT reset [reset]", "PUT 200"]);
    assert.equal(appliedOf(fake, REFRESH).length, 2);
    assert.ok(stored(fake).every((w) => w.expirationDate === result.expirationDate));
  });

  test("503 forever on a GET: kind http 503 after retries + 1 attempts", async () => {
    fake.injectFault({ type: "status", status: 503, operation: LIST, times: 100 });
    const err = await failure(clientOf(fake).getDynamicWebhooksForApp());
    assert.equal(err.kind, "http");
    assert.equal(err.status, 503);
    assert.equal(err.attempts, FAST.retries + 1);
    assert.equal(fake.requests.length, FAST.retries + 1);
  });

  test("resets forever on a DELETE: kind network after retries + 1 attempts, nothing deleted", async () => {
    const ids = await seedHooks(fake, 1);
    fake.injectFault({ type: "reset", operation: DELETE, times: 100 });
    const err = await failure(clientOf(fake).deleteWebhookById({ webhookIds: ids }));
    assert.equal(err.kind, "network");
    assert.equal(err.attempts, FAST.retries + 1);
    assert.equal(fake.requests.length, FAST.retries + 1);
    assert.deepEqual(fake.applied, []);
    assert.equal(stored(fake).length, 1);
  });

  test("500 is not retried, even for a GET", async () => {
    fake.injectFault({ type: "status", status: 500, operation: LIST, times: 5 });
    const err = await failure(clientOf(fake).getDynamicWebhooksForApp());
    assert.equal(err.kind, "http");
    assert.equal(err.status, 500);
    assert.equal(err.attempts, 1);
    assert.equal(fake.requests.length, 1);
  });
});

// ------------------------------------------------------------------------------------------------ time
describe("deadlines and aborts", () => {
  test("an answer slower than timeoutMs: kind timeout, promptly, not retried", async () => {
    fake.injectFault({ type: "delay", ms: 2500, operation: LIST });
    const t0 = performance.now();
    const err = await failure(clientOf(fake).getDynamicWebhooksForApp({}, { timeoutMs: 200 }));
    const elapsed = since(t0);
    assert.equal(err.kind, "timeout");
    assert.equal(err.status, 0);
    assert.equal(err.attempts, 1);
    assert.equal(err.operation, LIST);
    assert.ok(elapsed >= 190 && elapsed < 800, `rejected after ${elapsed} ms (deadline 200, delay 2500)`);
    await sleep(200);
    assert.equal(fake.requests.length, 1, "not re-sent");
  });

  test("the config's timeoutMs applies to every call", async () => {
    fake.injectFault({ type: "delay", ms: 2500, operation: FAILED });
    const t0 = performance.now();
    const err = await failure(clientOf(fake, { timeoutMs: 150 }).getFailedWebhooks());
    assert.equal(err.kind, "timeout");
    assert.ok(since(t0) < 800, `took ${since(t0)} ms`);
    assert.equal(fake.requests.length, 1);
  });

  test("timeoutMs is a deadline across attempts: a Retry-After wait that would pass it ends the call at once, with the 429", async () => {
    const client = clientOf(fake, { retry: { retries: 3, minDelayMs: 5, maxDelayMs: 10_000 } });
    fake.injectFault({ type: "rate-limit", operation: LIST, retryAfter: 2, times: 5 });
    const t0 = performance.now();
    const err = await failure(client.getDynamicWebhooksForApp({}, { timeoutMs: 300 }));
    const elapsed = since(t0);
    assert.equal(err.kind, "http");
    assert.equal(err.status, 429);
    assert.equal(err.retryAfterMs, 2000, "how long Jira asked to wait");
    assert.ok(elapsed < 250, `rejected after ${elapsed} ms: no point waiting for a deadline the retry cannot meet`);
    assert.deepEqual(sent(fake), ["GET 429 [rate-limit]"]);
  });

  test("an AbortSignal aborted mid-request: kind aborted, promptly, no further request", async () => {
    fake.injectFault({ type: "delay", ms: 2500, operation: LIST });
    const controller = new AbortController();
    const t0 = performance.now();
    const pending = clientOf(fake).getDynamicWebhooksForApp({}, { signal: controller.signal });
    await until(() => fake.requests.length === 1, 2000, "the request to arrive");
    controller.abort();
    const tAbort = performance.now();
    const err = await failure(pending);
    assert.equal(err.kind, "aborted");
    assert.equal(err.attempts, 1);
    assert.ok(since(tAbort) < 250, `rejected ${since(tAbort)} ms after the abort`);
    assert.ok(since(t0) < 1000);
    await sleep(200);
    assert.equal(fake.requests.length, 1, "no request after the abort");
  });

  test("an AbortSignal aborted during the backoff wait: kind aborted, promptly, no further request", async () => {
    const client = clientOf(fake, { retry: { retries: 3, minDelayMs: 5, maxDelayMs: 5000 } });
    fake.injectFault({ type: "rate-limit", operation: REFRESH, retryAfter: 1, times: 5 });
    const ids = await seedHooks(fake, 1);
    const controller = new AbortController();
    const pending = client.refreshWebhooks({ webhookIds: ids }, { signal: controller.signal });
    await until(() => fake.requests[0]?.status === 429, 2000, "the 429");
    await sleep(100); // the client is now in its 1 s wait
    controller.abort();
    const tAbort = performance.now();
    const err = await failure(pending);
    assert.equal(err.kind, "aborted");
    assert.equal(err.attempts, 1);
    assert.ok(since(tAbort) < 250, `rejected ${since(tAbort)} ms after the abort, during a 1 s wait`);
    await sleep(1200); // past the moment the retry would have been sent
    assert.deepEqual(sent(fake), ["PUT 429 [rate-limit]"]);
    assert.deepEqual(fake.applied, []);
  });

  test("an already aborted signal: kind aborted, nothing sent, attempts 0", async () => {
    const err = await failure(clientOf(fake).getDynamicWebhooksForApp({}, { signal: AbortSignal.abort() }));
    assert.equal(err.kind, "aborted");
    assert.equal(err.attempts, 0);
    await sleep(50);
    assert.equal(fake.requests.length, 0);
  });
});

// ------------------------------------------------------------------------------------------------ bodies
describe("garbage and unusual bodies", () => {
  test("truncated JSON in a 200: kind decode, not retried", async () => {
    await seedHooks(fake, 3);
    fake.injectFault({ type: "malformed-json", operation: LIST, times: 5 });
    const err = await failure(clientOf(fake).getDynamicWebhooksForApp());
    assert.equal(err.kind, "decode");
    assert.equal(err.status, 200);
    assert.equal(err.attempts, 1);
    assert.equal(err.requestId, fake.requests[0].id);
    assert.match(err.message, /getDynamicWebhooksForApp/);
    assert.deepEqual(sent(fake), ["GET 200 [malformed-json]"]);
  });

  test("an HTML page with 200: kind decode naming the HTML page, not retried", async () => {
    fake.injectFault({ type: "html", status: 200, operation: LIST, times: 5 });
    const err = await failure(clientOf(fake).getDynamicWebhooksForApp());
    assert.equal(err.kind, "decode");
    assert.equal(err.status, 200);
    assert.match(err.message, /HTML page/);
    assert.equal(fake.requests.length, 1);
  });

  test("an HTML 502 page on a GET: retried, then the real page", async () => {
    const ids = await seedHooks(fake, 2);
    fake.injectFault({ type: "html", operation: LIST, times: 2 });
    const page = await clientOf(fake).getDynamicWebhooksForApp();
    assert.deepEqual(page.values.map((w) => w.id), ids);
    assert.deepEqual(sent(fake), ["GET 502 [html]", "GET 502 [html]", "GET 200"]);
  });

  test("HTML 502 pages forever on a GET: kind http 502, the message says it was HTML", async () => {
    fake.injectFault({ type: "html", operation: LIST, times: 100 });
    const err = await failure(clientOf(fake).getDynamicWebhooksForApp());
    assert.equal(err.kind, "http");
    assert.equal(err.status, 502);
    assert.match(err.message, /502 Bad Gateway/);
    assert.match(err.message, /HTML page/);
    assert.deepEqual(err.errorMessages, []);
    assert.equal(err.attempts, FAST.retries + 1);
  });

  // Actual behaviour (not spelled out in the README): the client does not look at Content-Type except to spot HTML.
  // Valid JSON under text/plain is accepted; anything declared text/html is a decode error even when the body is JSON.
  test("valid JSON under Content-Type text/plain is accepted (Content-Type is not checked)", async () => {
    const ids = await seedHooks(fake, 2);
    fake.injectFault({ type: "wrong-content-type", operation: LIST });
    const page = await clientOf(fake).getDynamicWebhooksForApp();
    assert.deepEqual(page.values.map((w) => w.id), ids);
    assert.deepEqual(sent(fake), ["GET 200 [wrong-content-type]"]);
  });

  test("valid JSON declared text/html is refused as an HTML page (kind decode)", async () => {
    await seedHooks(fake, 1);
    fake.injectFault({ type: "wrong-content-type", contentType: "text/html;charset=UTF-8", operation: LIST });
    const err = await failure(clientOf(fake).getDynamicWebhooksForApp());
    assert.equal(err.kind, "decode");
    assert.match(err.message, /HTML page/);
  });

  test("a 200 whose JSON has a wrong type: kind decode with the JSON path", async () => {
    const body = JSON.stringify({ isLast: true, values: [{ id: 1, events: [], jqlFilter: "a" }, { id: "two", events: [], jqlFilter: "b" }] });
    fake.injectFault({ type: "status", status: 200, body, operation: LIST });
    const err = await failure(clientOf(fake).getDynamicWebhooksForApp());
    assert.equal(err.kind, "decode");
    assert.equal(err.path, "values[1].id");
  });

  test("a 5 MiB padded JSON body still parses (list and register)", async () => {
    const ids = await seedHooks(fake, 3);
    const client = clientOf(fake);
    fake.injectFault({ type: "large", operation: LIST });
    const page = await client.getDynamicWebhooksForApp();
    assert.deepEqual(page.values.map((w) => w.id), ids);
    fake.injectFault({ type: "large", operation: REGISTER, bytes: 5 * 1024 * 1024 });
    const result = await client.registerDynamicWebhooks(details("project = L"));
    assert.equal(result.webhookRegistrationResult.length, 1);
    assert.deepEqual(sent(fake), ["GET 200 [large]", "POST 200 [large]"]);
    assert.equal(appliedOf(fake, REGISTER).length, 1);
  });

  test("retry: false sends exactly once, whatever the failure", async () => {
    const client = clientOf(fake, { retry: false });
    const ids = await seedHooks(fake, 1);
    for (const [fault, kind, status] of [
      [{ type: "rate-limit", retryAfter: 1 }, "http", 429],
      [{ type: "status", status: 503, headers: { "Retry-After": "1" } }, "http", 503],
      [{ type: "status", status: 502 }, "http", 502],
      [{ type: "reset" }, "network", 0],
    ]) {
      fake.clearRequests();
      fake.injectFault({ ...fault, times: 5 });
      const err = await failure(client.refreshWebhooks({ webhookIds: ids }));
      assert.equal(err.kind, kind, fault.type);
      assert.equal(err.status, status, fault.type);
      assert.equal(err.attempts, 1, fault.type);
      assert.equal(fake.requests.length, 1, fault.type);
      fake.clearFaults();
    }
    assert.deepEqual(fake.applied, []);
  });
});

// ------------------------------------------------------------------------------------------------ partial
describe("throwOnPartialFailure", () => {
  const three = () => details("project = A", "watchCount = 1", "project = C");

  test("one unsupported JQL clause among three: kind partial-failure; the two created ids are kept", async () => {
    const err = await failure(clientOf(fake).registerDynamicWebhooks(three(), { throwOnPartialFailure: true }));
    assert.equal(err.kind, "partial-failure");
    assert.equal(err.status, 200);
    assert.equal(err.operation, REGISTER);
    assert.equal(err.attempts, 1);
    assert.deepEqual(Object.keys(err.errors), ["webhooks[1]"]);
    assert.match(err.errors["webhooks[1]"], /watchCount = 1/);
    assert.match(err.errors["webhooks[1]"], /The clause watchCount is unsupported/);
    const results = err.result.webhookRegistrationResult;
    assert.equal(results.length, 3);
    assert.equal(typeof results[0].createdWebhookId, "number");
    assert.deepEqual(results[1], { errors: ["The clause watchCount is unsupported"] });
    assert.equal(typeof results[2].createdWebhookId, "number");
    const created = [results[0].createdWebhookId, results[2].createdWebhookId];
    assert.deepEqual(appliedOf(fake, REGISTER).map((a) => a.ids), [created], "registered once, the two valid ones");
    assert.deepEqual(stored(fake).map((w) => w.id), created);
    assert.equal(fake.requests.length, 1);
  });

  test("without the option the same answer resolves normally", async () => {
    const result = await clientOf(fake).registerDynamicWebhooks(three());
    const r = result.webhookRegistrationResult;
    assert.deepEqual(r.map((x) => "createdWebhookId" in x), [true, false, true]);
    assert.deepEqual(r[1].errors, ["The clause watchCount is unsupported"]);
    assert.equal(stored(fake).length, 2);
  });
});

// ------------------------------------------------------------------------------------------------ pages
describe("pagination helpers", () => {
  test("webhooks({maxResults: 10}) over 25 webhooks: all 25 in order, 3 GETs", async () => {
    const ids = await seedHooks(fake, 25);
    const seen = [];
    for await (const w of clientOf(fake).webhooks({ maxResults: 10 })) seen.push(w.id);
    assert.deepEqual(seen, ids);
    assert.deepEqual(fake.requests.map((r) => [r.method, r.query]), [
      ["GET", { maxResults: "10" }],
      ["GET", { startAt: "10", maxResults: "10" }],
      ["GET", { startAt: "20", maxResults: "10" }],
    ]);
  });

  test("a 503 between pages is retried and nothing is skipped or repeated", async () => {
    const ids = await seedHooks(fake, 25);
    const seen = [];
    for await (const w of clientOf(fake).webhooks({ maxResults: 10 })) {
      if (seen.length === 0) fake.injectFault({ type: "status", status: 503, operation: LIST, times: 2 });
      seen.push(w.id);
    }
    assert.deepEqual(seen, ids);
    assert.deepEqual(sent(fake), ["GET 200", "GET 503 [status]", "GET 503 [status]", "GET 200", "GET 200"]);
  });

  test("failedWebhooks({maxResults: 3}) follows the cursor over 7 failures; equal times are not split", async () => {
    const t = fake.now() - 3_600_000;
    const times = [t, t + 1000, t + 2000, t + 2000, t + 3000, t + 4000, t + 5000];
    const failures = times.map((failureTime, i) => ({ id: `f${i}`, url: `https://x.example/${i}`, failureTime }));
    fake.seedFailed(CONNECT_APP, [...failures].reverse());
    const seen = [];
    for await (const f of clientOf(fake).failedWebhooks({ maxResults: 3 })) seen.push(f);
    assert.deepEqual(seen.map((f) => f.failureTime), times, "all, oldest first");
    assert.deepEqual(seen.map((f) => f.id).sort(), failures.map((f) => f.id), "each exactly once");
    assert.deepEqual(seen.slice(2, 4).map((f) => f.id).sort(), ["f2", "f3"], "the two with equal times");
    // page 1: f0..f3 (f2 and f3 share a time, so the page grows to 4); page 2: f4..f6; page 3: empty.
    assert.deepEqual(fake.requests.map((r) => r.query), [
      { maxResults: "3" },
      { maxResults: "3", after: String(t + 2000) },
      { maxResults: "3", after: String(t + 5000) },
    ]);
  });

  test("an empty page that claims not to be the last, forever: a decode error after one GET, not a hang", async () => {
    const body = JSON.stringify({ startAt: 0, maxResults: 10, total: 25, isLast: false, values: [] });
    fake.injectFault({ type: "status", status: 200, body, operation: LIST, times: 100 });
    const t0 = performance.now();
    const err = await failure((async () => {
      for await (const _ of clientOf(fake).webhooks({ maxResults: 10 })) assert.fail("no values expected");
    })());
    assert.ok(since(t0) < 2000);
    assert.equal(err.kind, "decode");
    assert.match(err.message, /empty page that is not the last/);
    assert.equal(fake.requests.length, 1);
  });

  test("the same non-empty page forever: a decode error on the second GET", async () => {
    const body = JSON.stringify({ startAt: 0, maxResults: 1, total: 9, isLast: false, values: [{ id: 1, events: ["jira:issue_created"], jqlFilter: "project = A" }] });
    fake.injectFault({ type: "status", status: 200, body, operation: LIST, times: 100 });
    const seen = [];
    const err = await failure((async () => {
      for await (const w of clientOf(fake).webhooks({ maxResults: 1 })) seen.push(w.id);
    })());
    assert.equal(err.kind, "decode");
    assert.match(err.message, /starts elsewhere than asked/);
    assert.deepEqual(seen, [1]);
    assert.equal(fake.requests.length, 2);
  });

  test("a failed-webhooks cursor that does not advance: a decode error, not a loop", async () => {
    const body = JSON.stringify({ maxResults: 1, values: [{ id: "x", url: "https://x.example/h", failureTime: 1000 }] });
    fake.injectFault({ type: "status", status: 200, body, operation: FAILED, times: 100 });
    const err = await failure((async () => {
      for await (const _ of clientOf(fake).failedWebhooks({ maxResults: 1 }));
    })());
    assert.equal(err.kind, "decode");
    assert.match(err.message, /no newer than the cursor/);
    assert.equal(fake.requests.length, 2);
  });

  test("a `next` link to another origin is never followed: the cursor is the last failure time", async () => {
    const foreignHits = [];
    const foreign = http.createServer((req, res) => {
      foreignHits.push(req.url);
      res.writeHead(200, { "content-type": "application/json" }).end('{"maxResults":3,"values":[]}');
    });
    await new Promise((resolve) => foreign.listen(0, "127.0.0.1", resolve));
    try {
      const foreignOrigin = `http://127.0.0.1:${foreign.address().port}`;
      const values = [1, 2, 3].map((i) => ({ id: `f${i}`, url: "https://x.example/h", failureTime: 1000 * i }));
      const body = JSON.stringify({ maxResults: 3, values, next: `${foreignOrigin}/rest/api/2/webhook/failed?failedAfter=3000&maxResults=3` });
      fake.injectFault({ type: "status", status: 200, body, operation: FAILED });
      const ids = [];
      for await (const failure of clientOf(fake).failedWebhooks({ maxResults: 3 })) ids.push(failure.id);
      assert.deepEqual(ids, ["f1", "f2", "f3"]);
      await sleep(50);
      assert.deepEqual(foreignHits, [], "nothing was sent to the foreign origin");
      assert.deepEqual(fake.requests.map((r) => r.query), [{ maxResults: "3" }, { maxResults: "3", after: "3000" }]);
    } finally {
      await new Promise((resolve) => foreign.close(resolve));
    }
  });
});
