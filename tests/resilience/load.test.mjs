// Load on one client instance: many concurrent calls, wasm memory over 10,000 calls, and a burst of garbage
// answers after which the same instance must still be right.
import { test } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import http from "node:http";
import { call } from "jira-webhooks-fake/helpers";
import { useFake, clientOf, details, failure, seedHooks, stored, appliedOf, wasmMemoryBytes, CONNECT_APP } from "./common.mjs";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc");
const MiB = 1024 * 1024;
const mib = (bytes) => `${(bytes / MiB).toFixed(2)} MiB`;

const fake = useFake();

const countBy = (items, key) => items.reduce((m, x) => ((m[key(x)] = (m[key(x)] ?? 0) + 1), m), {});

test("1,000 concurrent calls from one client all succeed, and the fake saw exactly 1,000", async () => {
  const ids = await seedHooks(fake, 5);
  fake.seedFailed(CONNECT_APP, [{ id: "f1", url: "https://x.example/h", failedMinutesAgo: 5 }]);
  const client = clientOf(fake);
  const calls = Array.from({ length: 1000 }, (_, i) => {
    switch (i % 4) {
      case 0:
      case 1:
        return client.getDynamicWebhooksForApp({ maxResults: 3, startAt: i % 2 });
      case 2:
        return client.refreshWebhooks({ webhookIds: [ids[i % 5]] });
      default:
        return client.getFailedWebhooks();
    }
  });
  const t0 = performance.now();
  const settled = await Promise.allSettled(calls);
  const elapsed = performance.now() - t0;
  console.log(`1,000 concurrent calls: ${elapsed.toFixed(0)} ms`);
  const rejected = settled.filter((s) => s.status === "rejected");
  assert.deepEqual(rejected.map((s) => s.reason.message), [], "every call succeeded");
  settled.forEach(({ value }, i) => {
    if (i % 4 < 2) assert.deepEqual(value.values.map((w) => w.id), ids.slice(i % 2, (i % 2) + 3));
    else if (i % 4 === 2) assert.equal(typeof value.expirationDate, "number");
    else assert.deepEqual(value.values.map((f) => f.id), ["f1"]);
  });
  assert.equal(fake.requests.length, 1000, "no retries, nothing lost");
  assert.deepEqual(countBy(fake.requests, (r) => `${r.operation} ${r.status}`), {
    "getDynamicWebhooksForApp 200": 500,
    "refreshWebhooks 200": 250,
    "getFailedWebhooks 200": 250,
  });
  assert.equal(appliedOf(fake, "refreshWebhooks").length, 250);
  assert.deepEqual(stored(fake).map((w) => w.id), ids);
});

/**
 * A replaying proxy in front of the fake: the first request of each (method, URL, body) goes to the fake, later
 * ones get the recorded answer. The fake validates every request against the spec and costs ~1-3 ms per request on
 * this machine; replaying keeps 10,000 real HTTP round trips through the client's fetch transport within seconds.
 */
async function replayProxy(target) {
  const recorded = new Map();
  const proxy = { served: 0, forwarded: 0 };
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString("utf8");
    const key = `${req.method} ${req.url} ${body}`;
    let answer = recorded.get(key);
    if (!answer) {
      proxy.forwarded++;
      const r = await fetch(target.url + req.url, {
        method: req.method,
        headers: { authorization: req.headers.authorization, ...(body && { "content-type": req.headers["content-type"] }) },
        body: body || undefined,
      });
      answer = { status: r.status, headers: Object.fromEntries(r.headers), text: await r.text() };
      delete answer.headers["content-length"];
      delete answer.headers["transfer-encoding"];
      delete answer.headers.connection;
      delete answer.headers["keep-alive"];
      recorded.set(key, answer);
    }
    proxy.served++;
    res.writeHead(answer.status, answer.headers).end(answer.text);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", 1024, resolve));
  proxy.url = `http://127.0.0.1:${server.address().port}`;
  proxy.close = () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve)));
  return proxy;
}

test("wasm linear memory stays flat over 10,000 calls (successes, errors, pages, custom transport)", async () => {
  const ids = await seedHooks(fake, 5);
  fake.seedFailed(CONNECT_APP, [{ id: "f1", url: "https://x.example/h", failedMinutesAgo: 5 }]);
  const proxy = await replayProxy(fake);
  // The first DELETE of id 99999 reaches the fake and gets a 404, replayed ever after: an http error each time.
  fake.injectFault({ type: "status", status: 404, operation: "deleteWebhookById" });
  await call({ url: proxy.url }, "DELETE", "/rest/api/2/webhook", { body: { webhookIds: [99999] } });
  const client = clientOf(proxy);
  const viaTransport = clientOf(proxy, {
    transport: ({ url, method, headers, body, signal }) => fetch(url, { method, headers, body, signal }),
  });
  const CONCURRENCY = 50;
  let calls = 0;
  const outcomes = {};
  const tally = (kind) => (outcomes[kind] = (outcomes[kind] ?? 0) + 1);

  /** Call number i: lists, refreshes, failed pages, full iterations, errors, a custom transport. */
  function job(i) {
    switch (i % 10) {
      case 0: return client.refreshWebhooks({ webhookIds: [ids[i % 5]] }).then(() => "refresh");
      case 1: return client.getFailedWebhooks({ maxResults: 10 }).then(() => "failed");
      case 2: return client.getDynamicWebhooksForApp({ maxResults: 0 }).then(() => "unexpected"); // invalid-input
      case 3: return client.deleteWebhookById({ webhookIds: [99999] }).then(() => "unexpected"); // http 404
      case 4: return (async () => {
        const seen = [];
        for await (const w of client.webhooks({ maxResults: 2 })) seen.push(w.id);
        assert.deepEqual(seen, ids);
        return "iterate";
      })();
      case 5: return viaTransport.getDynamicWebhooksForApp().then((p) => (assert.equal(p.values.length, 5), "transport"));
      default: return client.getDynamicWebhooksForApp().then((p) => (assert.equal(p.values.length, 5), "list"));
    }
  }
  /** Runs calls until `calls` reaches `total`, CONCURRENCY at a time. */
  async function runUntil(total) {
    const worker = async () => {
      while (calls < total) {
        const i = calls++;
        tally(await job(i).catch((e) => `error ${e.kind}${e.status ? ` ${e.status}` : ""}`));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }
  const measure = (label) => {
    gc();
    const m = { calls, wasm: wasmMemoryBytes(), ...process.memoryUsage() };
    console.log(`${label.padEnd(8)} calls=${String(calls).padStart(5)} wasm=${mib(m.wasm)} heapUsed=${mib(m.heapUsed)} ` +
      `rss=${mib(m.rss)} external=${mib(m.external)} arrayBuffers=${mib(m.arrayBuffers)}`);
    return m;
  };

  try {
    const start = measure("start");
    await runUntil(2000);
    const warm = measure("warm-up");
    const t0 = performance.now();
    await runUntil(10_000);
    const end = measure("end");
    console.log(`8,000 calls after warm-up: ${(performance.now() - t0).toFixed(0)} ms; outcomes ${JSON.stringify(outcomes)}`);

    assert.equal(outcomes.unexpected, undefined);
    assert.deepEqual(outcomes, {
      refresh: 1000, failed: 1000, "error invalid-input": 1000, "error http 404": 1000, iterate: 1000, transport: 1000, list: 4000,
    });
    // invalid input sends nothing; each iteration is 3 pages; +1 for the DELETE that recorded the 404.
    assert.equal(proxy.served, 10_000 - 1000 + 2 * 1000 + 1, "every call reached the server, none twice");
    assert.ok(start.wasm > 0);
    const growth = end.wasm - warm.wasm;
    assert.ok(growth < MiB, `wasm memory grew by ${mib(growth)} between 2,000 and 10,000 calls`);
    const heapGrowth = end.heapUsed - warm.heapUsed;
    assert.ok(heapGrowth < 8 * MiB, `JS heap grew by ${mib(heapGrowth)} between 2,000 and 10,000 calls`);
  } finally {
    await proxy.close();
  }
});

test("after 200 garbage answers the same instance still answers correctly (no poisoned instance)", async () => {
  await seedHooks(fake, 3);
  fake.seedFailed(CONNECT_APP, [{ id: "f1", url: "https://x.example/h", failedMinutesAgo: 5 }]);
  const client = clientOf(fake);
  const reference = await client.getDynamicWebhooksForApp();
  const referenceFailed = await client.getFailedWebhooks();
  fake.clearRequests();

  // 200 garbage answers, alternating between the two GET operations.
  for (let i = 0; i < 200; i++) {
    const r = i % 10;
    const operation = i % 2 ? "getDynamicWebhooksForApp" : "getFailedWebhooks";
    if (r < 4) fake.injectFault({ type: "malformed-json", operation });
    else if (r < 6) fake.injectFault({ type: "html", status: 200, operation });
    else if (r < 7) fake.injectFault({ type: "html", operation }); // 502: retried
    else if (r < 9) fake.injectFault({ type: "large", bytes: i % 50 === 7 ? 5 * MiB : MiB, operation });
    else fake.injectFault({ type: "status", status: 200, body: '{"values":[{"id":"not-a-number"', operation });
  }

  const outcomes = {};
  const t0 = performance.now();
  for (let round = 0; fake.faults.length; round++) {
    assert.ok(round < 50, "the faults should be used up");
    const jobs = Array.from({ length: 20 }, (_, i) => {
      const p = i % 2 ? client.getDynamicWebhooksForApp().then((v) => assert.deepEqual(v, reference))
        : client.getFailedWebhooks().then((v) => assert.deepEqual(v, referenceFailed));
      return p.then(() => "ok", (e) => {
        if (e instanceof assert.AssertionError) throw e; // a half-filled or wrong value
        assert.equal(e.name, "JiraWebhooksError");
        assert.ok(e.kind === "decode" || (e.kind === "http" && e.status === 502), `${e.kind} ${e.status} ${e.message}`);
        return `error ${e.kind}`;
      });
    });
    for (const o of await Promise.all(jobs)) outcomes[o] = (outcomes[o] ?? 0) + 1;
  }
  console.log(`200 garbage answers: ${(performance.now() - t0).toFixed(0)} ms; outcomes ${JSON.stringify(outcomes)}; ` +
    `wasm=${mib(wasmMemoryBytes())}`);
  assert.equal(fake.requests.filter((r) => r.fault).length, 200, "every fault was served");
  assert.ok(outcomes["error decode"] >= 120, "malformed, HTML 200 and mistyped bodies are decode errors");

  // The same instance, afterwards: every operation is right.
  fake.clearRequests();
  assert.deepEqual(await client.getDynamicWebhooksForApp(), reference);
  assert.deepEqual(await client.getFailedWebhooks(), referenceFailed);
  const registered = await client.registerDynamicWebhooks(details("project = POSTBURST"));
  const id = registered.webhookRegistrationResult[0].createdWebhookId;
  assert.equal(typeof id, "number");
  const refreshed = await client.refreshWebhooks({ webhookIds: [id] });
  assert.equal(typeof refreshed.expirationDate, "number");
  const seen = [];
  for await (const w of client.webhooks({ maxResults: 1 })) seen.push(w.id);
  assert.deepEqual(seen, [...reference.values.map((w) => w.id), id]);
  await client.deleteWebhookById({ webhookIds: [id] });
  assert.deepEqual(stored(fake).map((w) => w.id), reference.values.map((w) => w.id));
  const err = await failure(client.getDynamicWebhooksForApp({ maxResults: 101 }));
  assert.equal(err.kind, "invalid-input");
  assert.ok(fake.requests.every((r) => !r.fault && r.status >= 200 && r.status < 300));
});
