// An edge-style handler (`export default { async fetch(request) }`) that imports the installed package,
// bundled with esbuild for a neutral platform, then run as a plain module: the handler drives the five
// operations against the fake when it gets a `Request`.
//
// 1. Self-contained: `--conditions=workerd,worker,browser --loader:.wasm=binary --target=es2022`. The
//    workerd condition picks workerd.js, which *imports* the wasm, so esbuild inlines it and workerd.js's
//    initSync compiles the bytes: one file, no file system, no fetch of the wasm. (`--target` keeps esbuild's
//    base64 decoder off `Uint8Array.fromBase64`, which Node 20 lacks.) Run in Node.
// 2. `--conditions=worker,browser --loader:.wasm=file`: this picks browser.js, which finds the wasm with
//    `new URL("./jira_webhooks_bg.wasm", import.meta.url)`. esbuild does not follow that pattern, so it emits
//    no wasm (the loader is never used) and the bundle needs the package's wasm copied next to it. Node's
//    fetch cannot read file: URLs, so this bundle is run in Deno (whose fetch can, with --allow-read).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { useFake } from "../support/fake.mjs";
import { AUTHS, INPUT, checkDrive, denoRun, drive, installPackage, prepareFake } from "./common.mjs";

const HANDLER = `import { JiraWebhooks, webhookEvents } from "jira-webhooks";
const drive = ${drive};
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/events") return Response.json(webhookEvents());
    if (request.method !== "POST" || url.pathname !== "/drive") return new Response("not found", { status: 404 });
    const env = await request.json();
    try {
      return Response.json(await drive({ JiraWebhooks }, { baseUrl: env.fakeUrl, auth: env.auth }, env.input));
    } catch (e) {
      return Response.json({ fail: String(e?.stack ?? e) }, { status: 500 });
    }
  },
};
`;
const DENO_RUNNER = `const { default: handler } = await import(Deno.args[0]);
const response = await handler.fetch(new Request("http://edge.test/drive", { method: "POST", body: Deno.args[1] }));
console.log(JSON.stringify({ status: response.status, body: await response.json() }));
`;

const fake = useFake();
let dir, tmp;
const bundles = {};

/** Bundles the handler; returns the metafile's package inputs and the output files. */
async function bundle(name, options) {
  const outdir = join(tmp, name);
  const result = await build({
    entryPoints: [join(dir, "edge-handler.js")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    outdir,
    metafile: true,
    logLevel: "silent",
    ...options,
  });
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.warnings, []);
  const inputs = Object.keys(result.metafile.inputs).map((p) => relative(dir, join(process.cwd(), p)).replace(/^node_modules\/jira-webhooks\//, "pkg:")).filter((p) => p.startsWith("pkg:")).sort();
  return { outdir, inputs, files: readdirSync(outdir).sort(), code: readFileSync(join(outdir, "edge-handler.js"), "utf8") };
}

before(async () => {
  ({ dir, tmp } = await installPackage());
  writeFileSync(join(dir, "edge-handler.js"), HANDLER);
  bundles.selfContained = await bundle("edge-self-contained", {
    conditions: ["workerd", "worker", "browser"], loader: { ".wasm": "binary" }, target: "es2022",
  });
  bundles.browser = await bundle("edge-browser", { conditions: ["worker", "browser"], loader: { ".wasm": "file" } });
}, { timeout: 60_000 });

test("esbuild, workerd condition + binary loader: one self-contained file", () => {
  const b = bundles.selfContained;
  assert.deepEqual(b.inputs, ["pkg:jira_webhooks.js", "pkg:jira_webhooks_bg.wasm", "pkg:workerd.js"]);
  assert.deepEqual(b.files, ["edge-handler.js"]);
  assert.doesNotMatch(b.code, /^\s*import\b|\bimport\(|\brequire\(/m, "nothing left to load at run time");
  assert.doesNotMatch(b.code, /import\.meta\.url/, "no wasm to find next to the bundle");
  assert.match(b.code, /export\s*\{[^}]*as default/);
});

test("esbuild self-contained edge handler, run in Node: .fetch(Request) drives the five operations", { timeout: 60_000 }, async () => {
  const { default: handler } = await import(pathToFileURL(join(bundles.selfContained.outdir, "edge-handler.js")).href);
  assert.equal(typeof handler.fetch, "function");
  const events = await handler.fetch(new Request("http://edge.test/events"));
  assert.equal(events.status, 200);
  assert.ok((await events.json()).includes("jira:issue_created"));
  assert.equal((await handler.fetch(new Request("http://edge.test/nope"))).status, 404);

  await prepareFake(fake);
  const env = { fakeUrl: fake.url, auth: AUTHS.basic, input: INPUT };
  const response = await handler.fetch(new Request("http://edge.test/drive", { method: "POST", body: JSON.stringify(env) }));
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  checkDrive(body, fake);
});

test("esbuild with worker,browser conditions: browser.js's wasm URL is left to the user (no wasm emitted)", () => {
  const b = bundles.browser;
  assert.deepEqual(b.inputs, ["pkg:browser.js", "pkg:jira_webhooks.js"]);
  assert.deepEqual(b.files, ["edge-handler.js"], "esbuild does not emit assets referenced by new URL(…, import.meta.url)");
  // The glue is minified: its init function's name is not wasm-bindgen's.
  assert.match(b.code, /await [\w$]+\(\{ module_or_path: new URL\("\.\/jira_webhooks_bg\.wasm", import\.meta\.url\) \}\)/);
});

test("esbuild worker,browser bundle + the package's wasm copied beside it, run in Deno", { timeout: 60_000 }, async () => {
  const b = bundles.browser;
  copyFileSync(join(dir, "node_modules/jira-webhooks/jira_webhooks_bg.wasm"), join(b.outdir, "jira_webhooks_bg.wasm"));
  writeFileSync(join(b.outdir, "run.mjs"), DENO_RUNNER);
  mkdirSync(join(tmp, "deno-dir"), { recursive: true });
  await prepareFake(fake);
  const env = { fakeUrl: fake.url, auth: AUTHS.connect, input: INPUT };
  const { code, stdout, stderr } = await denoRun(join(b.outdir, "run.mjs"), [pathToFileURL(join(b.outdir, "edge-handler.js")).href, JSON.stringify(env)], {
    cwd: b.outdir, denoDir: join(tmp, "deno-dir"), flags: ["--no-config"],
    permissions: [`--allow-net=127.0.0.1:${fake.port}`, `--allow-read=${b.outdir}`],
  });
  assert.equal(code, 0, `deno failed:\n${stdout}\n${stderr}`);
  const { status, body } = JSON.parse(stdout);
  assert.equal(status, 200, JSON.stringify(body));
  checkDrive(body, fake, { user: null });
});
