// The packed package used as a hostile or careless caller would: each case runs in its own Node process with
// --unhandled-rejections=strict, so a crash, an uncaught exception or a promise left rejected unhandled is a
// failing exit code, not a test that hangs or passes by luck. Each case prints what its calls ended with.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { installPackage } from "../support/pack.mjs";
import { startFakeJira } from "jira-webhooks-fake";

let project, fake;
before(async () => {
  project = await installPackage();
  fake = await startFakeJira({ port: 0 });
});
after(() => fake?.close());

const BASIC = { type: "basic", email: "admin@example.com", apiToken: "basic-api-token" };

/** Runs `body` (an async function body with `JiraWebhooks`, `config`, `outcome` in scope) in a fresh Node. */
function run(name, body, { timeout = 20_000 } = {}) {
  const file = join(project.dir, `${name}.mjs`);
  writeFileSync(file, `import * as lib from "jira-webhooks";
const { JiraWebhooks } = lib;
const config = JSON.parse(process.argv[2]);
/** What a promise ended with: the value, or the error's kind, path, attempts and text. */
const outcome = (p) => p.then(
  (value) => ({ ok: true, value }),
  (e) => ({ ok: false, name: e.name, kind: e.kind, path: e.path, status: e.status, attempts: e.attempts,
            retryAfterMs: e.retryAfterMs, text: e.message + "\\n" + e.stack + "\\n" + JSON.stringify(e) }),
);
const thrown = (f) => { try { f(); return { ok: true }; } catch (e) { return { ok: false, name: e.name, kind: e.kind, path: e.path, text: e.message + "\\n" + e.stack + "\\n" + JSON.stringify(e) }; } };
const results = await (async () => { ${body} })();
console.log(JSON.stringify(results));
`);
  const config = { baseUrl: fake.url, auth: BASIC };
  return new Promise((resolve) => {
    execFile(process.execPath, ["--unhandled-rejections=strict", file, JSON.stringify(config)], { cwd: project.dir, timeout },
      (error, stdout, stderr) => {
        assert.equal(error?.code ?? 0, 0, `${name}: the process died (${error?.signal ?? error?.code}):\n${stderr}`);
        resolve(JSON.parse(stdout.trim().split("\n").at(-1)));
      });
  });
}

test("numbers that look valid never kill the process: fractional, huge and tiny deadlines", async () => {
  fake.reset();
  const r = await run("numbers", `
    const client = new JiraWebhooks({ ...config, timeoutMs: 1234.5 });
    const deadline = performance.now() + 5000;
    return [
      await outcome(client.getDynamicWebhooksForApp({}, { timeoutMs: deadline - performance.now() })),
      await outcome(client.getDynamicWebhooksForApp({}, { timeoutMs: 2 ** 32 })),
      await outcome(client.getDynamicWebhooksForApp({}, { timeoutMs: 1e300 })),
      await outcome(client.getDynamicWebhooksForApp({}, { timeoutMs: 0.001 })),
      await outcome(client.getDynamicWebhooksForApp({}, { timeoutMs: -1 })),
      await outcome(client.getDynamicWebhooksForApp({}, { timeoutMs: NaN })),
    ];`);
  assert.deepEqual(r.slice(0, 3).map((o) => o.ok), [true, true, true], JSON.stringify(r));
  assert.ok(r[3].ok || r[3].kind === "timeout", JSON.stringify(r[3]));
  assert.deepEqual(r.slice(4).map((o) => [o.kind, o.path]), [["invalid-input", "options.timeoutMs"], ["invalid-input", "options.timeoutMs"]]);
});

test("header values fetch would refuse are config errors naming the field, before anything is sent", async () => {
  fake.reset();
  const r = await run("headers", `
    return [
      thrown(() => new JiraWebhooks({ ...config, userAgent: "my-app/1.0 ✓" })),
      thrown(() => new JiraWebhooks({ ...config, auth: { type: "bearer", token: "abc\\u200bdef" } })),
      thrown(() => new JiraWebhooks({ ...config, auth: { ...config.auth, apiToken: "basic-api-token\\r\\n" } })),
      thrown(() => new JiraWebhooks({ ...config, auth: { type: "connect", appKey: "app\\nkey", sharedSecret: "s" } })),
      await outcome(new JiraWebhooks({ ...config, auth: { type: "bearer", getToken: () => "tok\\r\\nX-Injected: 1" } }).getDynamicWebhooksForApp()),
      await outcome(new JiraWebhooks({ ...config, auth: { type: "bearer", getToken: async () => 42 } }).getDynamicWebhooksForApp()),
    ];`);
  const kinds = r;
  assert.deepEqual(kinds.map((o) => [o.kind, o.path]), [
    ["config", "userAgent"], ["config", "auth.token"], ["config", "auth.apiToken"], ["config", "auth.appKey"],
    // A provider's bad token is a `token` error, not `config`: "the token endpoint failed" and "the config is
    // wrong" are told apart (README, "Errors").
    ["token", "auth.getToken"], ["token", "auth.getToken"],
  ]);
  assert.ok(!kinds[4].text.includes("X-Injected"), "the bad token is not echoed");
  assert.equal(fake.requests.length, 0);
});

test("a runtime without AbortSignal.any and AbortSignal.timeout still gets deadlines and aborts", async () => {
  fake.reset();
  fake.injectFault({ type: "delay", ms: 3000, operation: "getDynamicWebhooksForApp", times: 2 });
  const r = await run("old-runtime", `
    delete AbortSignal.any;
    delete AbortSignal.timeout;
    const client = new JiraWebhooks(config);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const t0 = performance.now();
    const aborted = await outcome(client.getDynamicWebhooksForApp({}, { signal: controller.signal, timeoutMs: 10_000 }));
    const timedOut = await outcome(client.getDynamicWebhooksForApp({}, { timeoutMs: 100 }));
    return [aborted, timedOut, performance.now() - t0];`);
  assert.deepEqual([r[0].kind, r[1].kind], ["aborted", "timeout"]);
  assert.ok(r[2] < 1500, `took ${r[2]} ms`);
});

test("a token provider that hangs meets the deadline and the signal; its failures never show its text", async () => {
  fake.reset();
  const r = await run("token", `
    const hang = new JiraWebhooks({ ...config, auth: { type: "bearer", getToken: () => new Promise(() => {}) } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const t0 = performance.now();
    return [
      await outcome(hang.getDynamicWebhooksForApp({}, { timeoutMs: 100 })),
      await outcome(hang.getDynamicWebhooksForApp({}, { signal: controller.signal })),
      performance.now() - t0,
      await outcome(new JiraWebhooks({ ...config, auth: { type: "bearer", getToken: () => Promise.reject(new Error("refresh rt-s3cr3t failed")) } })
        .getDynamicWebhooksForApp()),
    ];`);
  assert.deepEqual([r[0].kind, r[1].kind, r[3].kind, r[3].path], ["timeout", "aborted", "token", "auth.getToken"]);
  assert.ok(r[2] < 1500, `took ${r[2]} ms`);
  assert.ok(!r[3].text.includes("rt-s3cr3t"), r[3].text);
  assert.equal(fake.requests.length, 0);
});

test("secrets in the wrong place are never echoed by config errors, in any form", async () => {
  const r = await run("secrets", `
    const token = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.s3cr3t-sig";
    return [
      thrown(() => new JiraWebhooks({ baseUrl: config.baseUrl, auth: "Bearer " + token })),
      thrown(() => new JiraWebhooks({ baseUrl: config.baseUrl, auth: { type: token } })),
      thrown(() => new JiraWebhooks({ baseUrl: config.baseUrl, auth: { type: "bearer", [token]: 1 } })),
      thrown(() => new JiraWebhooks({ baseUrl: token, auth: { type: "bearer", token: "t" } })),
      thrown(() => new JiraWebhooks({ baseUrl: config.baseUrl, auth: { type: "basic", email: token, apiToken: 7 } })),
    ];`);
  const all = r;
  for (const o of all) {
    assert.equal(o.kind, "config", JSON.stringify(o));
    assert.ok(!/s3cr3t|c2VjcmV0|eyJhbGci/.test(o.text), o.text);
  }
  assert.deepEqual(all.map((o) => o.path), ["auth", "auth.type", "auth", "baseUrl", "auth.apiToken"]);
});

test("a hostile global fetch (a non-Response, a rejection with a string) is an error, not a crash", async () => {
  const r = await run("fetch", `
    const client = new JiraWebhooks(config);
    globalThis.fetch = async () => ({ status: 200, text: async () => "{}" });
    const notAResponse = await outcome(client.getDynamicWebhooksForApp({}, {}));
    globalThis.fetch = () => Promise.reject("a string, not an Error");
    const stringRejection = await outcome(client.getDynamicWebhooksForApp());
    globalThis.fetch = () => { throw 42; };
    const throwsSync = await outcome(client.getDynamicWebhooksForApp());
    return [notAResponse, stringRejection, throwsSync];`);
  assert.deepEqual(r.map((o) => o.kind), ["network", "network", "network"], JSON.stringify(r));
  assert.match(r[0].text, /not a Response/);
});

test("a 401 through a custom transport (auth none) is final: sent once", async () => {
  const r = await run("transport-401", `
    let calls = 0;
    const transport = async () => { calls++; return new Response('{"errorMessages":["no"]}', { status: 401 }); };
    const e = await outcome(new JiraWebhooks({ auth: { type: "none" }, transport }).getDynamicWebhooksForApp());
    return [e, calls];`);
  assert.deepEqual([r[0].kind, r[0].status, r[0].attempts, r[1]], ["http", 401, 1, 1]);
});

test("Jira's error texts reach the error whole: empty ones, NULs (made U+FFFD), the errors' keys and values in order", async () => {
  const r = await run("error-texts", `
    const body = { errorMessages: ["first\\u0000part", "", "last"], errors: { "k\\u0000": "v", x: "", webhookIds: "bad" } };
    const transport = async () => new Response(JSON.stringify(body), { status: 400 });
    const e = await new JiraWebhooks({ auth: { type: "none" }, transport, retry: false }).getDynamicWebhooksForApp().catch((e) => e);
    return { kind: e.kind, errorMessages: e.errorMessages, errors: Object.entries(e.errors), message: e.message };`);
  assert.equal(r.kind, "http");
  assert.deepEqual(r.errorMessages, ["first\ufffdpart", "", "last"]);
  assert.deepEqual(r.errors, [["k\ufffd", "v"], ["x", ""], ["webhookIds", "bad"]]);
  assert.match(r.message, /Jira answered 400 Bad Request: first\ufffdpart; ; last; k\ufffd: v; x: ; webhookIds: bad/);
});

test("the README's Connect iframe recipe (AP.request, no baseUrl) pages through every failed webhook", async () => {
  fake.reset();
  const failures = Array.from({ length: 5 }, (_, i) => ({ id: `d${i}`, url: "https://app.example.com/hook", failureTime: Date.now() - 60_000 + i }));
  fake.seedFailed("com.example.connect-app", failures);
  const r = await run("ap-request", `
    // What all.js gives a Connect iframe: AP.request sends with the app's own credentials.
    const AP = { request: async ({ url, type, data, headers }) => {
      const res = await fetch(config.baseUrl + url, { method: type, body: data, headers: { ...headers, authorization: "Basic " + btoa("admin@example.com:basic-api-token") } });
      const text = await res.text();
      const xhr = { status: res.status, getResponseHeader: (n) => res.headers.get(n), responseText: text };
      if (res.status >= 400) throw { err: text, xhr };
      return { body: text, xhr };
    } };
    const jira = new JiraWebhooks({
      auth: { type: "none" },
      transport: async ({ method, path, headers, body }) => {
        const { Authorization, ...rest } = headers;
        try {
          const { body: text, xhr } = await AP.request({ url: path, type: method, data: body, headers: rest, contentType: "application/json" });
          return { status: xhr.status, headers: { get: (n) => xhr.getResponseHeader(n) }, text: async () => text };
        } catch ({ err, xhr }) {
          return { status: xhr.status, headers: { get: (n) => xhr.getResponseHeader(n) }, text: async () => xhr.responseText };
        }
      },
    });
    const ids = [];
    for await (const f of jira.failedWebhooks({ maxResults: 2 })) ids.push(f.id);
    return ids;`);
  assert.deepEqual(r, ["d0", "d1", "d2", "d3", "d4"]);
});

test("iterators: next() calls made at once are answered in order, and a failed page is asked for again", async () => {
  fake.reset();
  const url = "https://app.example.com/hook";
  const webhooks = Array.from({ length: 5 }, (_, i) => ({ events: ["jira:issue_created"], jqlFilter: `project = P${i}` }));
  const r = await run("iterators", `
    const client = new JiraWebhooks({ ...config, retry: false });
    await client.registerDynamicWebhooks({ url: ${JSON.stringify(url)}, webhooks: ${JSON.stringify(webhooks)} });
    const it = client.webhooks({ maxResults: 2 });
    const together = await Promise.all([it.next(), it.next(), it.next()]);
    await fetch(config.baseUrl + "/_fake/faults", { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "status", status: 500, operation: "getDynamicWebhooksForApp" }) });
    const buffered = await it.next(); // the rest of the second page: nothing to fetch
    const failed = await outcome(it.next()); // the third page fails
    const rest = [await it.next(), await it.next()]; // the third page again, then the end
    return [together.map((x) => x.value.jqlFilter), buffered.value.jqlFilter, failed.kind, rest.map((x) => x.done ? "done" : x.value.jqlFilter)];`);
  assert.deepEqual(r, [["project = P0", "project = P1", "project = P2"], "project = P3", "http", ["project = P4", "done"]]);
});

test("100,000 ids are refused at once, and ids JavaScript cannot hold are a decode error", async () => {
  fake.reset();
  fake.injectFault({ type: "status", status: 200, operation: "getDynamicWebhooksForApp",
    body: '{"isLast":true,"values":[{"id":9007199254740993,"events":["jira:issue_created"],"jqlFilter":"project = A"}]}' });
  const r = await run("ids", `
    const client = new JiraWebhooks(config);
    const t0 = performance.now();
    const many = await outcome(client.refreshWebhooks({ webhookIds: Array.from({ length: 100_000 }, (_, i) => i + 1) }));
    const spent = performance.now() - t0;
    return [many, spent, await outcome(client.getDynamicWebhooksForApp())];`);
  assert.deepEqual([r[0].kind, r[0].path], ["invalid-input", "webhookIds"]);
  assert.ok(r[1] < 1000, `${r[1]} ms`);
  assert.deepEqual([r[2].kind, r[2].path], ["decode", "values[0].id"]);
});

test("Retry-After as an HTTP-date and as 0 reaches the error as retryAfterMs", async () => {
  fake.reset();
  const at = new Date(Date.now() + 120_000).toUTCString();
  fake.injectFault({ type: "status", status: 429, headers: { "retry-after": at }, operation: "getDynamicWebhooksForApp" });
  fake.injectFault({ type: "status", status: 429, headers: { "retry-after": "0" }, operation: "refreshWebhooks" });
  const r = await run("retry-after", `
    const client = new JiraWebhooks({ ...config, retry: false });
    return [await outcome(client.getDynamicWebhooksForApp()), await outcome(client.refreshWebhooks({ webhookIds: [1] }))];`);
  assert.equal(r[0].status, 429);
  assert.ok(r[0].retryAfterMs > 100_000 && r[0].retryAfterMs <= 120_000, `${r[0].retryAfterMs}`);
  assert.equal(r[1].retryAfterMs, 0);
});
