// Memory of one client over many calls: `node --expose-gc memory.mjs KIND BASE PKG_ENTRY CALLS WARMUP`.
// Calls alternate list (100-webhook page) and register (5 webhooks), one at a time. After a full GC it samples
// the JS heap (process.memoryUsage().heapUsed) and, for the package, its wasm linear memory (wasmMemoryBytes()):
// before any call, after WARMUP calls, every 1,000 calls, and after CALLS calls. Prints one JSON line.
import { checkList, checkRegister, makeClient } from "./clients.mjs";

const [kind, base, pkgEntry, callsArg, warmupArg] = process.argv.slice(2);
const calls = Number(callsArg);
const warmup = Number(warmupArg);
if (typeof global.gc !== "function") throw new Error("run with --expose-gc");

const client = await makeClient(kind, base, pkgEntry);
const wasmBytes = kind === "pkg" ? await wasmMemoryOf(pkgEntry) : () => null;

/** The linear memory of the glue the entry at `entry` loaded: initialising it again answers its wasm exports. */
async function wasmMemoryOf(entry) {
  const glue = await import(new URL("jira_webhooks.js", entry).href);
  const { readFileSync } = await import("node:fs");
  const wasm = glue.__initSync({ module: readFileSync(new URL("jira_webhooks_bg.wasm", entry)) });
  return () => wasm.memory.buffer.byteLength;
}

async function sample(at) {
  // Two passes: FinalizationRegistry callbacks (wasm-bindgen frees Rust objects through them) run after a GC.
  global.gc();
  await new Promise((r) => setImmediate(r));
  global.gc();
  const m = process.memoryUsage();
  return { calls: at, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, wasm: wasmBytes() };
}

const samples = [await sample(0)];
let error = null;
const started = performance.now();
for (let i = 1; i <= calls; i++) {
  const r = i % 2 ? await client.list() : await client.register();
  if (i <= 2) error ??= i % 2 ? checkList(r) : checkRegister(r);
  if (i === warmup || i % 1000 === 0 || i === calls) samples.push(await sample(i));
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(JSON.stringify({ kind, calls, warmup, seconds, samples, error }) + "\n");
process.exit(0);
