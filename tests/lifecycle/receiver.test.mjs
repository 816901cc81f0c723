// The receiver's promise, end to end and at once: each delivery is processed once although Jira retries it while
// an attempt still runs, a store fails, a handler throws or never settles, two sites use the same identifier, or a
// failure is replayed; and two syncs of one client at once register the declared set once. One scenario (signed deliveries from the testing kit, sent to `createWebhookHandler` many at
// a time) runs in Node and in a Worker in workerd, with the packed package, and must give the same result; Node
// alone also sends a 20 MB delivery (the body is hashed as it comes and never copied whole into the wasm).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundleWorker, importFromConsumer, serveWorkerd, workerdConfig } from "../runtimes/common.mjs";
import { loadKit } from "../testing/common.mjs";

/** Self-contained (its source is pasted into a Worker): the receiver under concurrent and failing deliveries. */
async function scenario(kit, lib) {
  const APP = "https://app.example.com";
  const URL_ = `${APP}/webhooks/jira`;
  const TENANTS = { "tenant-a": "tenant-a-shared-secret", "tenant-b": "tenant-b-shared-secret" };
  const CLIENT_SECRET = "oauth-client-secret-for-receiver-tests";
  const HMAC = "hmac-secret-for-receiver-tests";
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const out = {};
  const runs = [];
  const errors = [];
  let behaviour = async () => {};
  /** A store as an app would write it over a database: every step awaits, `claim` is atomic. */
  function asyncStore({ failComplete = false } = {}) {
    const rows = new Map();
    return {
      async claim(key, owner, leaseMs) {
        await sleep(2);
        const row = rows.get(key);
        if (!row || (row.state === "claimed" && row.until <= Date.now())) {
          rows.set(key, { state: "claimed", owner, until: Date.now() + leaseMs });
          return "claimed";
        }
        return row.state === "done" ? "done" : "in-progress";
      },
      async complete(key, rememberMs) {
        await sleep(2);
        if (failComplete) throw new Error("the database is gone: postgres://app:db-password@db/app");
        rows.set(key, { state: "done", until: Date.now() + rememberMs });
      },
      async release(key, owner) {
        await sleep(2);
        if (rows.get(key)?.owner === owner && rows.get(key).state === "claimed") rows.delete(key);
      },
    };
  }
  const handlerWith = (extra = {}) => lib.createWebhookHandler({
    connect: { baseUrl: APP, sharedSecret: async (clientKey) => TENANTS[clientKey] },
    oauth: { clientSecret: CLIENT_SECRET },
    hmac: { secret: HMAC },
    onError: (error, context) => void errors.push([context.code, context.id, context.site,
      `${error?.message} ${context.message}`.includes("db-password"), String(error?.cause?.message).includes("db-password")]),
    on: {
      "*": async (payload, delivery) => {
        runs.push([delivery.id, delivery.site, delivery.event, delivery.retry, delivery.replayed === true]);
        await behaviour(delivery, payload);
      },
    },
    ...extra,
  });
  const connect = (clientKey, id, extra = {}) => kit.signedDelivery({
    url: URL_, event: "jira:issue_created", payload: { issue: { key: "DEMO-1" } }, id,
    connect: { clientKey, sharedSecret: TENANTS[clientKey], baseUrl: APP }, ...extra,
  });
  const statuses = async (handler, requests) => (await Promise.all(requests.map(async (r) => handler(await r)))).map((r) => r.status);
  const ran = (id) => runs.filter((r) => r[0] === id).length;

  // 1. Three attempts of one delivery at once while the handler takes 250 ms: one runs it, the others are told to
  // come back (409); a retry after it finished is answered 204 without running it again.
  let handler = handlerWith();
  behaviour = () => sleep(250);
  out.together = (await statuses(handler, [connect("tenant-a", "d-1"), connect("tenant-a", "d-1", { retry: 1 }), connect("tenant-a", "d-1", { retry: 2 })])).sort();
  out.afterwards = await statuses(handler, [connect("tenant-a", "d-1", { retry: 3 })]);
  out.ranTogether = ran("d-1");

  // 2. The same with a store whose every step awaits (a database shared by processes).
  handler = handlerWith({ dedupe: asyncStore() });
  out.storeTogether = (await statuses(handler, [connect("tenant-a", "d-2"), connect("tenant-a", "d-2", { retry: 1 }), connect("tenant-a", "d-2", { retry: 2 })])).sort();
  out.ranStore = ran("d-2");

  // 3. The store fails to record the success: the answer is still 204 (the work is done), onError hears of it.
  handler = handlerWith({ dedupe: asyncStore({ failComplete: true }) });
  behaviour = async () => {};
  out.completeFailed = await statuses(handler, [connect("tenant-a", "d-3")]);

  // 4. A handler that throws: 500 and the claim released, so that Jira's retry runs it, once.
  handler = handlerWith();
  let fail = true;
  behaviour = async () => {
    if (fail) {
      fail = false;
      throw new Error("the handler fails once");
    }
  };
  out.thrown = [...(await statuses(handler, [connect("tenant-a", "d-4")])), ...(await statuses(handler, [connect("tenant-a", "d-4", { retry: 1 })])),
    ...(await statuses(handler, [connect("tenant-a", "d-4", { retry: 2 })]))];
  out.ranThrown = ran("d-4");

  // 5. A handler that does not settle within handlerTimeoutMs: 503, the claim kept (a retry meanwhile: 409); once it
  // settles, a retry is answered 204 without running it again.
  handler = handlerWith({ handlerTimeoutMs: 50 });
  let settle;
  behaviour = () => new Promise((resolve) => (settle = resolve));
  out.slow = await statuses(handler, [connect("tenant-a", "d-5")]);
  out.slowRetry = await statuses(handler, [connect("tenant-a", "d-5", { retry: 1 })]);
  settle();
  await sleep(20);
  behaviour = async () => {};
  out.slowAfter = await statuses(handler, [connect("tenant-a", "d-5", { retry: 2 })]);
  out.ranSlow = ran("d-5");

  // 6. Two sites whose deliveries carry the same identifier (it is unique per site only), at once: both are handled,
  // each with its site; Connect tenants, and OAuth 2.0 sites by their cloud id.
  handler = handlerWith();
  out.twoSites = await statuses(handler, [connect("tenant-a", "shared-id"), connect("tenant-b", "shared-id")]);
  const oauth = (cloudId, id) => kit.signedDelivery({ url: URL_, event: "comment_created", id, oauth: { clientSecret: CLIENT_SECRET, cloudId } });
  out.twoClouds = await statuses(handler, [oauth("cloud-1", "shared-id"), oauth("cloud-2", "shared-id")]);
  out.twoSitesAgain = await statuses(handler, [connect("tenant-b", "shared-id", { retry: 1 }), oauth("cloud-2", "shared-id")]);
  out.sites = runs.filter((r) => r[0] === "shared-id").map((r) => r[1]).sort();

  // 7. Replay shares the live delivery's key: a failure Jira lists for a delivery already processed runs nothing;
  // one not yet processed runs once, and Jira's own retry of it afterwards runs nothing.
  const failure = async (id) => ({ id, url: URL_, failureTime: Date.now(), body: await (await connect("tenant-a", id)).text() });
  await handler.replay(await failure("shared-id"), { site: "tenant-a" });
  await handler.replay(await failure("d-7"), { site: "tenant-a" });
  out.retryAfterReplay = await statuses(handler, [connect("tenant-a", "d-7", { retry: 1 })]);
  out.replays = runs.filter((r) => r[4]).map((r) => [r[0], r[1]]);
  out.ranShared = ran("shared-id");

  // 8. Event names that are also members of every object reach the "*" handler, once.
  const named = ["constructor", "toString", "hasOwnProperty", "__proto__", "valueOf"];
  out.objectNames = await statuses(handler, named.map((event, i) => kit.signedDelivery({
    url: URL_, body: JSON.stringify({ webhookEvent: event, timestamp: 1 }), id: `name-${i}`, hmac: { secret: HMAC },
  })));
  out.objectNamesRan = runs.filter((r) => r[0].startsWith("name-")).map((r) => r[2]).sort();

  // 9. X-Hub-Signature covers the raw bytes: a body signed as sent is accepted; the same text with another byte in
  // place of "é" (0xFF, or U+FFFD, what a decoder makes of it) or with a byte order mark in front is not. A body
  // signed as sent that is not UTF-8 is verified, then refused as not JSON (400), never handled.
  const bytes = (text) => new TextEncoder().encode(text);
  const around = (middle) => new Uint8Array([...bytes('{"webhookEvent":"jira:issue_created","timestamp":1,"note":"caf'), ...middle, ...bytes('"}')]);
  const raw = around([0xc3, 0xa9]);
  const hex = async (data) => {
    const key = await crypto.subtle.importKey("raw", bytes(HMAC), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return [...new Uint8Array(await crypto.subtle.sign("HMAC", key, data))].map((b) => b.toString(16).padStart(2, "0")).join("");
  };
  const post = async (body, id, signed = raw) => new Request(URL_, { method: "POST", body, headers: { "Content-Type": "application/json",
    "X-Atlassian-Webhook-Identifier": id, "X-Hub-Signature": `sha256=${await hex(signed)}` } });
  const notUtf8 = around([0xff]);
  out.rawBytes = await statuses(handler, [post(raw, "raw-1"), post(notUtf8, "raw-2"), post(around([0xef, 0xbf, 0xbd]), "raw-3"),
    post(new Uint8Array([0xef, 0xbb, 0xbf, ...raw]), "raw-4"), post(notUtf8, "raw-5", notUtf8)]);

  // 10. Over maxBodyBytes: 413, nothing run.
  handler = handlerWith({ maxBodyBytes: 1000 });
  out.tooLarge = await statuses(handler, [kit.signedDelivery({ url: URL_, event: "jira:issue_created", payload: { padding: "x".repeat(2000) }, id: "big", hmac: { secret: HMAC } })]);
  out.ranTooLarge = ran("big");

  // 11. Two syncs of one client at once (a timer firing while a slow run is under way): the second waits for the
  // first and plans from what it left, so Jira holds the declared set once.
  const jira = kit.createFakeJira();
  const client = new lib.JiraWebhooks(jira.config());
  const desired = { url: URL_, webhooks: ["project = A", "project = B", "project = C"].map((jqlFilter) => ({ events: ["jira:issue_created"], jqlFilter })) };
  const both = await Promise.all([client.syncWebhooks(desired), client.syncWebhooks(desired)]);
  out.overlapping = [...both.map((r) => r.created.length), jira.webhooks().length];

  out.errors = errors;
  out.runs = runs.length;
  return out;
}

const WORKER = `import * as kit from "jira-webhooks/testing";
import * as lib from "jira-webhooks/lifecycle";
const scenario = ${scenario};
export default {
  async fetch() {
    try {
      return Response.json({ ok: await scenario(kit, lib) });
    } catch (e) {
      return Response.json({ fail: String(e?.stack ?? e) }, { status: 500 });
    }
  },
};
`;


let node, dir, tmp;
before(async () => {
  const kit = await loadKit();
  ({ dir, tmp } = kit);
  node = await scenario(kit.kit, kit.lib);
}, { timeout: 60_000 });

test("Node: at once, each delivery runs once; a failure releases it, a slow handler keeps it, sites and replays share keys", () => {
  const r = node;
  assert.deepEqual([r.together, r.afterwards, r.ranTogether], [[204, 409, 409], [204], 1], "three attempts at once: one run, two told to come back");
  assert.deepEqual([r.storeTogether, r.ranStore], [[204, 409, 409], 1], "the same with an async store");
  assert.deepEqual(r.completeFailed, [204], "the work was done: 204 although the store failed to record it");
  assert.deepEqual([r.thrown, r.ranThrown], [[500, 204, 204], 2], "a throw releases the claim: the retry runs it, the next does not");
  assert.deepEqual([r.slow, r.slowRetry, r.slowAfter, r.ranSlow], [[503], [409], [204], 1], "a slow handler keeps its claim");
  assert.deepEqual([r.twoSites, r.twoClouds, r.twoSitesAgain], [[204, 204], [204, 204], [204, 204]]);
  assert.deepEqual(r.sites, ["cloud-1", "cloud-2", "tenant-a", "tenant-b"], "one identifier, four sites, four runs");
  assert.deepEqual([r.replays, r.retryAfterReplay, r.ranShared], [[["d-7", "tenant-a"]], [204], 4], "replay: only what was not processed, once");
  assert.deepEqual(r.objectNames, [204, 204, 204, 204, 204]);
  assert.deepEqual(r.objectNamesRan, ["__proto__", "constructor", "hasOwnProperty", "toString", "valueOf"]);
  assert.deepEqual(r.rawBytes, [204, 401, 401, 401, 400], "the signature is over the bytes, not a decoding of them");
  assert.deepEqual([r.tooLarge, r.ranTooLarge], [[413], 0]);
  assert.deepEqual(r.errors, [["complete-failed", "d-3", "tenant-a", false, true], ["handler-failed", "d-4", "tenant-a", false, false],
    ["handler-timed-out", "d-5", "tenant-a", false, false]],
    "each failure told once, with its delivery and site; the store's own error is the cause, its message never in the package's words");
  assert.equal(r.runs, 1 + 1 + 1 + 2 + 1 + 4 + 1 + 5 + 1);
  assert.deepEqual(r.overlapping, [3, 0, 3], "two syncs at once: the second finds the first's webhooks");
});

test("workerd: a Worker gives Node's result", { timeout: 60_000 }, async () => {
  const outdir = join(tmp, `receiver-workerd-${process.pid}`);
  await bundleWorker(dir, outdir, `receiver-worker-${process.pid}.js`, WORKER);
  writeFileSync(join(outdir, "config.capnp"), workerdConfig());
  const worker = await serveWorkerd(outdir);
  try {
    const res = await fetch(worker.origin, { signal: AbortSignal.timeout(30_000) });
    const body = await res.json();
    assert.equal(res.status, 200, body.fail);
    assert.deepEqual(body.ok, node);
  } finally {
    await worker.stop();
  }
});

test("Node: a 20 MB delivery is verified and handled without the wasm memory growing by its size", { timeout: 60_000 }, async () => {
  // The lifecycle glue with its wasm loaded here, to read its linear memory (the entries keep the initialiser).
  const pkg = new URL("../../pkg/lifecycle/", import.meta.url);
  const glue = await import(new URL("jira_webhooks.js", pkg).href);
  const wasm = glue.__initSync({ module: readFileSync(new URL("jira_webhooks_bg.wasm", pkg)) });
  const { kit } = await loadKit();
  const HMAC = "hmac-secret-for-the-big-delivery";
  let got;
  const handler = glue.createWebhookHandler({ hmac: { secret: HMAC }, on: { "*": (payload) => void (got = payload.items.length) } });
  // Warm up with a small one: what the handler itself needs is not what is measured.
  const small = (id, items) => kit.signedDelivery({ url: "https://app.example.com/hook", body: JSON.stringify({ webhookEvent: "jira:issue_updated", timestamp: 1, items }), id, hmac: { secret: HMAC } });
  assert.equal((await handler(await small("warm", [1]))).status, 204);
  const before = wasm.memory.buffer.byteLength;
  const items = Array.from({ length: 700_000 }, (_, i) => ({ id: i, key: `K-${i}` }));
  const big = await small("big", items);
  const size = Number(big.headers.get("content-length") ?? (await big.clone().arrayBuffer()).byteLength);
  assert.ok(size > 20e6, `${size} bytes`);
  assert.equal((await handler(big)).status, 204);
  assert.equal(got, 700_000);
  const grew = wasm.memory.buffer.byteLength - before;
  assert.ok(grew < 2 * 1024 * 1024, `the wasm memory grew by ${grew} bytes for a ${size}-byte body`);
});

test("Node: through toNodeListener and node:http, three attempts of one delivery at once run the handler once", async () => {
  const { kit, lib, dir } = await loadKit();
  const { toNodeListener } = await importFromConsumer(dir, `receiver-adapter-${process.pid}.mjs`, 'export * from "jira-webhooks/node-adapter";\n');
  let runs = 0;
  const handler = lib.createWebhookHandler({
    hmac: { secret: "hmac-secret-for-the-adapter" },
    on: { "*": async () => { runs++; await new Promise((resolve) => setTimeout(resolve, 250)); } },
  });
  const server = http.createServer(toNodeListener(handler));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const url = `http://127.0.0.1:${server.address().port}/webhooks/jira`;
    const send = async (retry) => {
      const request = await kit.signedDelivery({ url, event: "jira:issue_created", id: "over-http", retry, hmac: { secret: "hmac-secret-for-the-adapter" } });
      return (await fetch(url, { method: "POST", headers: request.headers, body: await request.arrayBuffer() })).status;
    };
    const together = (await Promise.all([send(0), send(1), send(2)])).sort();
    assert.deepEqual([together, await send(3), runs], [[204, 409, 409], 204, 1]);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
