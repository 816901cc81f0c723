// jira-webhooks/testing as an entry of the packed package: ESM and CommonJS twins with the same exports, declared by
// testing.d.ts / .d.cts (tsc --strict over a consumer's test, as ESM and as CJS); bundled (it imports nothing, no
// Node built-in or global); never loaded by importing or requiring the client or the lifecycle entry.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, posix } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { ROOT } from "../support/pack.mjs";
import { loadKit } from "./common.mjs";

let dir, pkg, manifest;
before(async () => {
  ({ dir } = await loadKit());
  pkg = join(dir, "node_modules", "jira-webhooks");
  manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
}, { timeout: 60_000 });

const declared = (file) => [...readFileSync(join(pkg, file), "utf8").matchAll(/^export (?:declare )?(?:function|class|const)\s+(\w+)/gm)].map((m) => m[1]).sort();

test("the ESM and CommonJS twins export the same names, the ones testing.d.ts and testing.d.cts declare", async () => {
  const esm = await import(pathToFileURL(join(pkg, "testing.js")).href);
  const cjs = createRequire(join(dir, "package.json"))("jira-webhooks/testing");
  assert.deepEqual(Object.keys(esm).sort(), ["SITE_URL", "createFakeJira", "lightChecks", "signedDelivery"]);
  assert.deepEqual(Object.keys(cjs).sort(), Object.keys(esm).sort());
  assert.deepEqual(declared("testing.d.ts"), Object.keys(esm).sort());
  assert.deepEqual(declared("testing.d.cts"), Object.keys(esm).sort());
  // The CommonJS twin works on its own.
  const request = await cjs.signedDelivery({ url: "https://app.example.com/h", event: "jira:issue_created", hmac: { secret: "s" } });
  assert.match(request.headers.get("x-hub-signature"), /^sha256=[0-9a-f]{64}$/);
  assert.deepEqual(manifest.exports["./testing"], { types: { require: "./testing.d.cts", default: "./testing.d.ts" }, require: "./testing.cjs", default: "./testing.js" });
});

test("testing.js is self-contained: no import, no Node built-in or global; its size is its own (not the client's budget)", (t) => {
  const text = readFileSync(join(pkg, "testing.js"), "utf8");
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  assert.doesNotMatch(code, /^\s*import\s|\bimport\s*\(|\brequire\(/m, "every import is bundled in");
  for (const nodeOnly of [/["']node:/, /\bBuffer\b/, /\bprocess\./, /__dirname/, /import\.meta/]) assert.doesNotMatch(code, nodeOnly, String(nodeOnly));
  assert.doesNotMatch(code, new RegExp(ROOT.replace(/\/$/, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")), "no build path");
  t.diagnostic(`testing.js: ${(text.length / 1024).toFixed(1)} KB, ${(gzipSync(text, { level: 9 }).length / 1024).toFixed(1)} KB gzip -9`);
});

/** Relative files a module imports (static or dynamic), as package paths. */
const importsOf = (file) => [...readFileSync(join(pkg, file), "utf8").matchAll(/\b(?:from|import)\s*\(?\s*["'](\.[^"']+)["']/g)]
  .map((m) => posix.normalize(posix.join(posix.dirname(file), m[1])));

test("importing the client never loads the kit: no entry's import graph reaches it, at run time in ESM and CommonJS either", () => {
  const entries = Object.entries(manifest.exports).filter(([k]) => k !== "./testing")
    .flatMap(([, v]) => JSON.stringify(v).match(/"\.\/[^"]+\.(?:m?js|cjs)"/g) ?? []).map((s) => s.slice(3, -1));
  const reached = new Set();
  const queue = [...new Set(entries)];
  while (queue.length) {
    const file = queue.shift();
    if (reached.has(file)) continue;
    reached.add(file);
    queue.push(...importsOf(file));
  }
  assert.ok(reached.has("lifecycle/jira_webhooks.js") && reached.has("workerd.js"), [...reached].join());
  assert.deepEqual([...reached].filter((f) => f.startsWith("testing")), []);

  // ESM: a module.register hook reports every file Node loads.
  writeFileSync(join(dir, "kit-load-hooks.mjs"), `let port;
export function initialize(data) { port = data.port; }
export async function load(url, context, next) { port.postMessage(url); return next(url, context); }
`);
  writeFileSync(join(dir, "kit-load-check.mjs"), `import { register } from "node:module";
import { MessageChannel } from "node:worker_threads";
const { port1, port2 } = new MessageChannel();
const loaded = [];
port1.on("message", (url) => loaded.push(url));
port1.unref();
register("./kit-load-hooks.mjs", import.meta.url, { data: { port: port2 }, transferList: [port2] });
const kit = (u) => u.includes("/node_modules/jira-webhooks/testing");
await import("jira-webhooks");
await import("jira-webhooks/lifecycle");
await new Promise((r) => setTimeout(r, 100));
const before = loaded.filter(kit);
const total = loaded.length;
await import("jira-webhooks/testing");
await new Promise((r) => setTimeout(r, 100));
const cjs = await import("node:module").then(({ createRequire }) => createRequire(import.meta.url));
console.log(JSON.stringify({ before, total, after: loaded.filter(kit) }));
`);
  const esm = JSON.parse(execFileSync(process.execPath, ["kit-load-check.mjs"], { cwd: dir, encoding: "utf8" }));
  assert.deepEqual(esm.before, [], "the client and the lifecycle entry loaded without the kit");
  assert.ok(esm.total >= 4, `the hook saw the client load (${esm.total} files)`);
  assert.equal(esm.after.length, 1, "positive control: importing the kit is seen");

  const cjs = spawnSync(process.execPath, ["-e", `require("jira-webhooks"); require("jira-webhooks/lifecycle");
const kit = () => Object.keys(require.cache).filter((f) => f.includes("testing"));
const before = kit(); require("jira-webhooks/testing");
console.log(JSON.stringify({ before, after: kit() }));`], { cwd: dir, encoding: "utf8" });
  assert.equal(cjs.status, 0, cjs.stderr);
  const { before: b, after: a } = JSON.parse(cjs.stdout);
  assert.deepEqual(b, []);
  assert.equal(a.length, 1);
});

test("testing.d.ts and .d.cts: a consumer's test type-checks with tsc --strict (ESM and CJS); wrong calls are errors", () => {
  for (const ext of ["mts", "cts"]) copyFileSync(new URL("consumer-testing.ts", import.meta.url), join(dir, `consumer-testing.${ext}`));
  writeFileSync(join(dir, "tsconfig.testing.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", skipLibCheck: false, types: [], target: "esnext", lib: ["esnext", "dom"] },
    files: ["consumer-testing.mts", "consumer-testing.cts"],
  }));
  const r = spawnSync(join(ROOT, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.testing.json", "--pretty", "false"], { cwd: dir, encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  // Negative control: the same file without its @ts-expect-error comments fails.
  const text = readFileSync(new URL("consumer-testing.ts", import.meta.url), "utf8").replace(/^\s*\/\/ @ts-expect-error.*$/gm, "");
  writeFileSync(join(dir, "consumer-testing-wrong.mts"), text);
  writeFileSync(join(dir, "tsconfig.testing-wrong.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", types: [], target: "esnext", lib: ["esnext", "dom"] },
    files: ["consumer-testing-wrong.mts"],
  }));
  const wrong = spawnSync(join(ROOT, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.testing-wrong.json", "--pretty", "false"], { cwd: dir, encoding: "utf8" });
  assert.equal((wrong.stdout.match(/error TS\d+/g) ?? []).length, 5, wrong.stdout);
});
