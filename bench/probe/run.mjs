#!/usr/bin/env node
// Optional probe, not part of bench/run.mjs: where the wasm spends its time on a 100-webhook page.
// Builds bench/probe (a cdylib over the jira-webhooks crate, with the package's release profile) for
// wasm32-unknown-unknown in bench/report/.cache (about 2 minutes the first time), instantiates it with stub imports
// (the probe exports never call into JS), copies the page into its memory once and times each step.
//   node bench/probe/run.mjs
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { webhookPage } from "../lib/fixtures.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
const CACHE = join(HERE, "..", "report", ".cache");
const SRC = join(CACHE, "probe-src"); // built from a copy, so Cargo.lock lands in the ignored folder
mkdirSync(SRC, { recursive: true });
cpSync(join(HERE, "src"), join(SRC, "src"), { recursive: true });
writeFileSync(
  join(SRC, "Cargo.toml"),
  readFileSync(join(HERE, "Cargo.toml"), "utf8").replace('path = "../.."', `path = ${JSON.stringify(ROOT)}`),
);
console.error("[probe] cargo build --release --target wasm32-unknown-unknown ...");
execFileSync("cargo", ["build", "--release", "--target", "wasm32-unknown-unknown", "--quiet"], {
  cwd: SRC,
  stdio: "inherit",
  env: { ...process.env, CARGO_TARGET_DIR: join(CACHE, "probe-target") },
});
const wasmPath = join(CACHE, "probe-target", "wasm32-unknown-unknown", "release", "jira_webhooks_decode_probe.wasm");
const mod = new WebAssembly.Module(readFileSync(wasmPath));
const imports = {};
for (const i of WebAssembly.Module.imports(mod)) {
  if (i.kind !== "function") throw new Error(`unexpected ${i.kind} import ${i.module}.${i.name}`);
  (imports[i.module] ??= {})[i.name] = () => {
    throw new Error(`probe called ${i.module}.${i.name}`);
  };
}
const { exports: e } = new WebAssembly.Instance(mod, imports);
const put = (text) => {
  const b = Buffer.from(text);
  const p = e.probe_alloc(b.length);
  new Uint8Array(e.memory.buffer, p, b.length).set(b);
  return [p, b.length];
};
const text = JSON.stringify(webhookPage(100));
const [p, n] = put(text);
const [pn, nn] = put(JSON.stringify(webhookPage(100, { numericDates: true })));

function time(name, f) {
  for (let i = 0; i < 1500; i++) f(); // past V8's tier-up from Liftoff to TurboFan
  const r = [];
  for (let k = 0; k < 9; k++) {
    const t = performance.now();
    for (let i = 0; i < 300; i++) f();
    r.push(((performance.now() - t) * 1000) / 300);
  }
  r.sort((a, b) => a - b);
  return [name, r[4]];
}
const rows = [
  time("JSON.parse in JS (reference)", () => JSON.parse(text)),
  time("serde_json -> serde_json::Value (untyped)", () => e.probe_value(p, n)),
  time("serde_json -> PageBeanWebhook", () => e.probe_plain(p, n)),
  time("serde_path_to_error + serde_json -> PageBeanWebhook (the package)", () => e.probe_tracked(p, n)),
  time("  same, numeric dates", () => e.probe_tracked(pn, nn)),
];
e.probe_tracked(p, n);
rows.push(time("serde_json::to_string(PageBeanWebhook) (the package's to_js)", () => e.probe_serialize()));
console.log(`100-webhook page, ${n} bytes; median µs per operation`);
for (const [name, us] of rows) console.log(`${name.padEnd(72)} ${us.toFixed(1).padStart(8)}`);
