// Shared by the runtime tests: the five-operation run (pasted as source into workers, pages, bundles and
// Deno scripts), the checks of its outcome and of the fake's request log, and ways to run it (a page in
// Chromium, a module in the consumer project, a program such as Deno).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { build } from "esbuild";
import { pathToFileURL } from "node:url";
import { CONNECT_APP, CONNECT_SECRET, OAUTH_APP } from "jira-webhooks-fake/helpers";
import { pageProblems } from "../support/browser.mjs";

export { CONNECT_APP, CONNECT_SECRET, OAUTH_APP };
export { installPackage } from "../support/pack.mjs";

export const HOOK_URL = "https://app.example.com/hook";
export const DAY_MS = 86_400_000;

/** Credentials of the fake's accounts (test-only secrets), as `auth` configs. */
export const AUTHS = {
  basic: { type: "basic", email: "admin@example.com", apiToken: "basic-api-token" },
  connect: { type: "connect", appKey: CONNECT_APP, sharedSecret: CONNECT_SECRET },
  bearer: { type: "bearer", token: "oauth-access-token" },
};
/** Strings that must never appear in what a run returns (errors included). */
export const SECRETS = ["basic-api-token", CONNECT_SECRET, "oauth-access-token", Buffer.from("admin@example.com:basic-api-token").toString("base64")];

/** The failed deliveries seeded before each run (oldest first, the order Jira pages them in). */
export const FAILURES = [
  { id: "rt-failed-1", url: HOOK_URL, body: '{"webhookEvent":"jira:issue_created"}', failedMinutesAgo: 20 },
  { id: "rt-failed-2", url: HOOK_URL, failedMinutesAgo: 5 },
];

/** The webhooks each run registers: the second one's JQL (`priority`) is unsupported and comes back as errors. */
export const WEBHOOKS = [
  { events: ["jira:issue_created", "jira:issue_updated"], jqlFilter: "project = RUNTIME", fieldIdsFilter: ["summary"] },
  { events: ["jira:issue_deleted"], jqlFilter: "priority = High AND project = RUNTIME" },
  { events: ["comment_created"], jqlFilter: 'issuetype = Bug AND status IN (Done, "In Progress")' },
];

/**
 * Drives the five operations with one client, then one call with invalid input (an error; nothing is sent).
 * Its source text is pasted into workers, pages, bundles and Deno scripts, so it must stay self-contained: no
 * imports, no outer variables. Returns plain JSON: each step is { value } or { error } (a described
 * JiraWebhooksError), so a failure shows up in the assertions.
 * @param {{ JiraWebhooks: any }} lib the package's exports (at least JiraWebhooks)
 * @param {object} config the client's config
 * @param {{ hookUrl: string, webhooks: object[] }} input
 */
export async function drive(lib, config, input) {
  const describe = (e) => ({
    isError: e instanceof Error, name: e?.name, message: e?.message, kind: e?.kind, status: e?.status,
    operation: e?.operation, attempts: e?.attempts, errorMessages: e?.errorMessages, string: String(e),
    own: JSON.stringify(e, e && typeof e === "object" ? Object.getOwnPropertyNames(e) : undefined),
  });
  const step = async (fn) => {
    try {
      const value = await fn();
      return { value: value === undefined ? "<undefined>" : value };
    } catch (e) {
      return { error: describe(e) };
    }
  };
  const client = new lib.JiraWebhooks(config);
  const out = {};
  out.register = await step(() => client.registerDynamicWebhooks({ url: input.hookUrl, webhooks: input.webhooks }));
  const ids = (out.register.value?.webhookRegistrationResult ?? []).map((r) => r.createdWebhookId).filter((id) => id !== undefined);
  out.list = await step(() => client.getDynamicWebhooksForApp({ maxResults: 10 }));
  out.refresh = await step(() => client.refreshWebhooks({ webhookIds: ids }));
  out.failed = await step(() => client.getFailedWebhooks({ maxResults: 10 }));
  out.deleted = await step(() => client.deleteWebhookById({ webhookIds: ids }));
  out.afterDelete = await step(() => client.getDynamicWebhooksForApp({ maxResults: 10 }));
  // An error in this runtime: invalid input, refused before anything is sent.
  out.invalid = await step(() => client.getDynamicWebhooksForApp({ maxResults: 0 }));
  return out;
}

/** The `input` of `drive`. */
export const INPUT = { hookUrl: HOOK_URL, webhooks: WEBHOOKS };

/** Resets the fake and seeds FAILURES through its control API (`POST /_fake/failed`). */
export async function prepareFake(fake, app = CONNECT_APP) {
  fake.reset();
  const res = await fetch(`${fake.url}/_fake/failed`, { method: "POST", body: JSON.stringify({ app, failures: FAILURES }) });
  assert.deepEqual(await res.json(), { ok: true });
  fake.clearRequests();
}

/**
 * Checks what `drive` returned and what reached the fake.
 * @param {any} out
 * @param {any} fake
 * @param {{ prefix?: string, app?: string, user?: string|null, failedForbidden?: boolean, extraRequests?: object[] }} [opts]
 *   prefix: the gateway prefix (`/ex/jira/{cloudId}` for OAuth); user: who the fake saw (JWT: null);
 *   failedForbidden: getFailedWebhooks is for Connect apps only (OAuth: 403); extraRequests: expected log
 *   rows before the five (e.g. the 401 of an expired token).
 */
export function checkDrive(out, fake, { prefix = "", app = CONNECT_APP, user = "admin", failedForbidden = false, extraRequests = [] } = {}) {
  const text = JSON.stringify(out);
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `a secret leaked: ${text}`);
  for (const [name, s] of Object.entries(out)) {
    if (!(name === "failed" && failedForbidden) && name !== "invalid") assert.equal(s.error, undefined, `${name} failed: ${JSON.stringify(s.error)}`);
  }

  // register: per-webhook results in request order; the unsupported clause comes back as errors inside the 200
  const results = out.register.value.webhookRegistrationResult;
  assert.equal(results.length, 3, JSON.stringify(results));
  assert.deepEqual(results[1], { errors: ["The clause priority is unsupported"] });
  const [a, , b] = results.map((r) => r.createdWebhookId);
  assert.ok(Number.isInteger(a) && Number.isInteger(b) && b > a, JSON.stringify(results));
  assert.deepEqual(results[0], { createdWebhookId: a });
  assert.deepEqual(results[2], { createdWebhookId: b });

  // list
  const soon = fake.now() + 30 * DAY_MS;
  const near = (ms) => typeof ms === "number" && Math.abs(ms - soon) < 120_000;
  const list = out.list.value;
  assert.equal(list.total, 2);
  assert.equal(list.isLast, true);
  assert.deepEqual(list.values.map(({ expirationDate, ...w }) => w), [
    { id: a, ...WEBHOOKS[0] },
    { id: b, ...WEBHOOKS[2] },
  ]);
  for (const w of list.values) assert.ok(near(w.expirationDate), `expirationDate ${w.expirationDate}`);

  // refresh
  assert.deepEqual(Object.keys(out.refresh.value), ["expirationDate"]);
  assert.ok(near(out.refresh.value.expirationDate), `refreshed to ${out.refresh.value.expirationDate}`);

  // failed: the seeded deliveries, oldest first (Connect apps only)
  if (failedForbidden) {
    const e = out.failed.error;
    assert.ok(e, `getFailedWebhooks must be refused: ${JSON.stringify(out.failed)}`);
    assert.equal(e.isError, true);
    assert.equal(e.name, "JiraWebhooksError");
    assert.equal(e.kind, "http");
    assert.equal(e.status, 403);
    assert.equal(e.operation, "getFailedWebhooks");
  } else {
    const failed = out.failed.value;
    assert.equal(failed.maxResults, 10);
    assert.deepEqual(failed.values.map(({ failureTime, ...f }) => f), FAILURES.map(({ failedMinutesAgo, ...f }) => f));
    failed.values.forEach((f, i) => {
      assert.equal(typeof f.failureTime, "number");
      assert.ok(Math.abs(f.failureTime - (fake.now() - FAILURES[i].failedMinutesAgo * 60_000)) < 120_000, `failureTime ${f.failureTime}`);
    });
  }

  // delete resolves to undefined on Jira's 202; then nothing is left
  assert.equal(out.deleted.value, "<undefined>");
  assert.equal(out.afterDelete.value.total, 0);
  assert.deepEqual(out.afterDelete.value.values, []);

  // an error is a JiraWebhooksError, an Error, in every runtime
  const { isError, name, kind, status, operation, attempts, string } = out.invalid.error ?? {};
  assert.deepEqual({ isError, name, kind, status, operation, attempts }, {
    isError: true, name: "JiraWebhooksError", kind: "invalid-input", status: 0, operation: "getDynamicWebhooksForApp", attempts: 0,
  }, JSON.stringify(out.invalid));
  assert.match(string, /^JiraWebhooksError: /);

  // what reached the fake, in order (CORS preflights aside)
  const base = `${prefix}/rest/api/2`;
  const row = (method, path, query, body, status) => ({ method, path: `${base}${path}`, query, body, status });
  const expected = [
    ...extraRequests.map((r) => ({ ...r, path: `${base}${r.path}` })),
    row("POST", "/webhook", {}, { url: HOOK_URL, webhooks: WEBHOOKS }, 200),
    row("GET", "/webhook", { maxResults: "10" }, null, 200),
    row("PUT", "/webhook/refresh", {}, { webhookIds: [a, b] }, 200),
    row("GET", "/webhook/failed", { maxResults: "10" }, null, failedForbidden ? 403 : 200),
    row("DELETE", "/webhook", {}, { webhookIds: [a, b] }, 202),
    row("GET", "/webhook", { maxResults: "10" }, null, 200),
  ];
  const log = apiRequests(fake);
  assert.deepEqual(log.map(({ method, path, query, body, status }) => ({ method, path, query, body, status })), expected);
  const authenticated = log.slice(extraRequests.length);
  assert.deepEqual([...new Set(authenticated.map((r) => r.app))], [app], "the fake saw the expected app");
  assert.deepEqual([...new Set(authenticated.map((r) => r.user))], [user], "the fake saw the expected user");
  for (const r of log) {
    assert.equal(r.headers.authorization, "<redacted>", `${r.method} ${r.path} was sent with credentials`);
    if (r.body !== null) assert.match(r.headers["content-type"], /^application\/json/);
  }
  assert.deepEqual(fake.selfCheckFailures, []);
  assert.deepEqual(fake.applied.map((x) => [x.operation, x.ids]), [
    ["registerDynamicWebhooks", [a, b]], ["refreshWebhooks", [a, b]], ["deleteWebhookById", [a, b]],
  ]);
  return { ids: [a, b] };
}

/** The fake's log without CORS preflights. */
export const apiRequests = (fake) => fake.requests.filter((r) => r.method !== "OPTIONS");

/** Rejects after `ms` with a message naming `what`. */
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Opens `url` in a fresh context, waits for `window.__result` ({ ok } or { fail }) and returns it with the page's
 * errors and failed console messages.
 */
export async function runPage(browser, url, timeout = 30_000) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const problems = pageProblems(page);
    await page.goto(url, { timeout });
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout });
    const result = await page.evaluate(() => window.__result);
    return { result, problems };
  } finally {
    await context.close();
  }
}

/**
 * Writes `source` as a module into the consumer project and imports it there, so bare specifiers resolve the
 * way they do for a user of the installed package (Node's "node"/"import" conditions).
 */
export async function importFromConsumer(dir, name, source) {
  const file = join(dir, name);
  writeFileSync(file, source);
  return import(pathToFileURL(file).href);
}

/** Runs a program with a time limit; resolves { code, signal, stdout, stderr } (never rejects on exit codes). */
export function runProcess(file, args, { cwd, env, timeout = 60_000, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env: { ...process.env, ...env }, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    if (input !== undefined) child.stdin.end(input);
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${file} ${args.join(" ")}: killed after ${timeout} ms\n${stdout}\n${stderr}`));
    }, timeout);
    child.on("error", (e) => (clearTimeout(timer), reject(e)));
    child.on("close", (code, signal) => (clearTimeout(timer), resolve({ code, signal, stdout, stderr })));
  });
}

const require = createRequire(import.meta.url);
/** The Deno 2 executable of the npm package `deno` (a devDependency). */
export const denoBinary = () => require("deno/install_api.cjs").runInstall();
/** The workerd executable of the npm package `workerd` (a devDependency). */
export const workerdBinary = () => require("workerd").default;

/**
 * Bundles `source` (written into the consumer project `dir`, so that it imports the installed package) as a Worker
 * project's bundler would, into `outdir`: worker.js and the package's wasm beside it. Returns the bundle's inputs.
 */
export async function bundleWorker(dir, outdir, name, source) {
  mkdirSync(outdir, { recursive: true });
  writeFileSync(join(dir, name), source);
  const result = await build({
    entryPoints: { worker: join(dir, name) }, bundle: true, format: "esm", platform: "neutral", conditions: ["workerd", "worker", "browser"],
    loader: { ".wasm": "copy" }, assetNames: "[name]", outdir, logLevel: "silent", metafile: true,
  });
  assert.deepEqual([...result.errors, ...result.warnings], []);
  return Object.keys(result.metafile.inputs);
}

/**
 * A workerd config: one Worker serving on 127.0.0.1:0 (`modules`: by default the bundled worker.js and the
 * package's wasm beside it); `allow` is its outbound network (`["local"]`: loopback only, `[]`: none, absent:
 * workerd's default).
 */
export function workerdConfig({ allow, modules = ['(name = "worker.js", esModule = embed "worker.js")', '(name = "jira_webhooks_bg.wasm", wasm = embed "jira_webhooks_bg.wasm")'] } = {}) {
  const outbound = allow === undefined ? "" : `\n  globalOutbound = "net",`;
  const network = allow === undefined ? "" : `, (name = "net", network = (allow = ${JSON.stringify(allow)}))`;
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker)${network} ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
${modules.map((m) => `    ${m},`).join("\n")}
  ],
  compatibilityDate = "2025-09-01",${outbound}
);
`;
}

/**
 * Runs `workerd serve` on `outdir/config.capnp` until it listens: `{ origin, logs, stop }` (`logs`: what it
 * printed). workerd reports the port it took (port 0 in the config) as JSON lines on fd 3 (`--control-fd`).
 */
export async function serveWorkerd(outdir) {
  const logs = [];
  const workerd = spawn(workerdBinary(), ["serve", join(outdir, "config.capnp"), "--control-fd=3"], { cwd: outdir, stdio: ["ignore", "pipe", "pipe", "pipe"] });
  for (const stream of [workerd.stdout, workerd.stderr]) stream.setEncoding("utf8").on("data", (d) => logs.push(d));
  const exited = new Promise((_, reject) => workerd.once("exit", (code, signal) => reject(new Error(`workerd exited (${code ?? signal}):\n${logs.join("")}`))));
  exited.catch(() => {});
  const listening = new Promise((resolve) => createInterface({ input: workerd.stdio[3] }).on("line", (line) => {
    const event = JSON.parse(line);
    if (event.event === "listen" && event.socket === "http") resolve(event.port);
  }));
  const stop = async () => {
    if (workerd.exitCode !== null || workerd.signalCode !== null) return;
    const gone = new Promise((resolve) => workerd.once("exit", resolve));
    workerd.kill("SIGTERM");
    const timer = setTimeout(() => workerd.kill("SIGKILL"), 5_000);
    await gone;
    clearTimeout(timer);
  };
  try {
    const port = await withTimeout(Promise.race([listening, exited]), 20_000, "workerd start");
    return { origin: `http://127.0.0.1:${port}`, logs, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * `deno run` with a private DENO_DIR, no lock file, no update check, no prompts; `permissions` e.g.
 * ["--allow-net=127.0.0.1:1234", "--allow-read=/tmp/x"].
 */
export async function denoRun(script, args, { cwd, permissions = [], flags = [], timeout = 60_000, denoDir } = {}) {
  return runProcess(denoBinary(), ["run", "--no-lock", "--no-prompt", ...flags, ...permissions, script, ...args], {
    cwd, timeout, env: { DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  });
}

/** A JiraWebhooksError's fields, and every way its text can leave (message, String, stack, JSON, own props). */
export const describeError = (e) => ({
  isError: e instanceof Error, name: e?.name, kind: e?.kind, status: e?.status, operation: e?.operation, attempts: e?.attempts,
  errorMessages: e?.errorMessages,
  text: [e?.message, String(e), String(e?.stack), JSON.stringify(e), JSON.stringify(e, Object.getOwnPropertyNames(e ?? {}))].join("\n"),
});

/** Awaits `promise`, which must reject; returns describeError of the reason. */
export async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return describeError(e);
  }
  assert.fail("expected a rejection");
}
