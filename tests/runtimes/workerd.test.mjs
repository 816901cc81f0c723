// workerd, Cloudflare's Workers runtime (npm `workerd`), with a Worker bundled the way a Worker project is:
// esbuild with `--conditions=workerd,worker,browser` picks the package's workerd.js, and `--loader:.wasm=copy`
// keeps its `import wasm from "./jira_webhooks_bg.wasm"` as an import of a separate module, which the capnp
// config declares as a `wasm` module (a compiled WebAssembly.Module, as Wrangler uploads it: production
// Workers refuse to compile wasm from bytes at run time). Outbound fetch goes through a network service that
// allows only loopback. HTTP requests to the Worker make it drive the five operations against the fake.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { build } from "esbuild";
import { useFake } from "../support/fake.mjs";
import { AUTHS, INPUT, SECRETS, apiRequests, checkDrive, drive, installPackage, prepareFake, serveWorkerd, workerdConfig } from "./common.mjs";

const WORKER = `import { JiraWebhooks, webhookEvents } from "jira-webhooks";
const drive = ${drive};
let runs = 0;
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/info") {
      return Response.json({ events: webhookEvents(), runs });
    }
    if (request.method !== "POST") return new Response("not found", { status: 404 });
    const env = await request.json();
    runs++;
    try {
      if (url.pathname === "/drive") return Response.json(await drive({ JiraWebhooks }, { baseUrl: env.fakeUrl, auth: env.auth }, env.input));
      if (url.pathname === "/wrong-secret") {
        const client = new JiraWebhooks({ baseUrl: env.fakeUrl, auth: { ...env.auth, sharedSecret: env.wrongSecret }, retry: false });
        try {
          await client.getDynamicWebhooksForApp();
          return Response.json({ fail: "no error" }, { status: 500 });
        } catch (e) {
          return Response.json({ name: e.name, isError: e instanceof Error, kind: e.kind, status: e.status, operation: e.operation,
            text: [e.message, String(e), String(e.stack), JSON.stringify(e, Object.getOwnPropertyNames(e))].join("\\n") });
        }
      }
      return new Response("not found", { status: 404 });
    } catch (e) {
      return Response.json({ fail: String(e?.stack ?? e) }, { status: 500 });
    }
  },
};
`;


const fake = useFake();
let dir, tmp, outdir, worker, origin, bundle;
let logs = [];

before(async () => {
  ({ dir, tmp } = await installPackage());
  writeFileSync(join(dir, "worker.js"), WORKER);
  outdir = join(tmp, "workerd-app");
  const result = await build({
    entryPoints: [join(dir, "worker.js")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    loader: { ".wasm": "copy" },
    assetNames: "[name]",
    outdir,
    metafile: true,
    logLevel: "silent",
  });
  assert.deepEqual([...result.errors, ...result.warnings], []);
  bundle = {
    inputs: Object.keys(result.metafile.inputs).map((p) => relative(dir, join(process.cwd(), p))).sort(),
    files: readdirSync(outdir).sort(),
    code: readFileSync(join(outdir, "worker.js"), "utf8"),
  };
  writeFileSync(join(outdir, "config.capnp"), workerdConfig({ allow: ["local"] }));
  worker = await serveWorkerd(outdir);
  ({ origin, logs } = worker);
}, { timeout: 60_000 });

after(async () => {
  await worker?.stop();
});

/** Sends a request to the Worker (time-bounded). */
async function call(path, body) {
  const response = await fetch(origin + path, { method: body ? "POST" : "GET", body: body && JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text) };
}

test("esbuild for workerd: workerd.js with the wasm as a separate module", () => {
  assert.deepEqual(bundle.inputs, ["node_modules/jira-webhooks/jira_webhooks.js", "node_modules/jira-webhooks/jira_webhooks_bg.wasm",
    "node_modules/jira-webhooks/workerd.js", "worker.js"]);
  assert.deepEqual(bundle.files, ["jira_webhooks_bg.wasm", "worker.js"]);
  assert.ok(readFileSync(join(outdir, "jira_webhooks_bg.wasm")).equals(readFileSync(join(dir, "node_modules/jira-webhooks/jira_webhooks_bg.wasm"))));
  assert.match(bundle.code, /^import \w+ from "\.\/jira_webhooks_bg\.wasm";$/m);
  assert.doesNotMatch(bundle.code, /import\.meta\.url/);
});

test("workerd: the Worker loads the package (compiled wasm module) and answers", { timeout: 30_000 }, async () => {
  const info = await call("/info");
  assert.equal(info.status, 200, JSON.stringify(info.json));
  assert.ok(info.json.events.includes("jira:issue_created") && info.json.events.includes("sprint_started"));
  assert.equal(info.json.runs, 0);
});

test("workerd: requests to the Worker drive the five operations against the fake (Connect JWT)", { timeout: 60_000 }, async () => {
  await prepareFake(fake);
  const { status, json } = await call("/drive", { fakeUrl: fake.url, auth: AUTHS.connect, input: INPUT });
  assert.equal(status, 200, JSON.stringify(json));
  checkDrive(json, fake, { user: null });
  // Requests come from workerd's fetch, not a browser: no Origin, no preflight.
  assert.ok(fake.requests.every((r) => r.method !== "OPTIONS" && r.headers.origin === undefined));
});

test("workerd: a wrong Connect secret is a JiraWebhooksError (http 401) without the secret; the isolate keeps working", { timeout: 60_000 }, async () => {
  await prepareFake(fake);
  const wrongSecret = "wrong-shared-secret-9876";
  const { status, json } = await call("/wrong-secret", { fakeUrl: fake.url, auth: AUTHS.connect, wrongSecret });
  assert.equal(status, 200, JSON.stringify(json));
  assert.deepEqual({ ...json, text: undefined }, { name: "JiraWebhooksError", isError: true, kind: "http", status: 401, operation: "getDynamicWebhooksForApp", text: undefined });
  for (const secret of [wrongSecret, ...SECRETS]) assert.ok(!json.text.includes(secret), `secret in the error: ${json.text}`);
  assert.deepEqual(apiRequests(fake).map((r) => [r.method, r.path, r.status]), [["GET", "/rest/api/2/webhook", 401]]);
  // Same isolate as before: a second drive still works.
  await prepareFake(fake);
  const again = await call("/drive", { fakeUrl: fake.url, auth: AUTHS.connect, input: INPUT });
  assert.equal(again.status, 200, JSON.stringify(again.json));
  checkDrive(again.json, fake, { user: null });
  assert.equal((await call("/info")).json.runs, 3);
});

test("workerd: nothing was logged (no uncaught errors, no warnings)", () => {
  assert.equal(logs.join(""), "");
});
