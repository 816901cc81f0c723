#!/usr/bin/env node
// The benchmark of jira-webhooks against jira.js 6.2.0 and a raw fetch floor: size, per-call throughput, cold
// start, memory, plus evidence of what dominates size and per-call cost. One run (about 2 minutes on 2 cores)
// writes bench/report/report.md and report.json and prints a summary. A benchmark, not a test: targets are
// reported, never asserted; the exit code is 0 unless a phase crashed. See bench/README.md.
//
//   node bench/run.mjs [--quick]        (--quick: fewer rounds and samples, for trying the script out)
import { execFileSync, fork, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { brotliCompressSync, constants as zc, gzipSync } from "node:zlib";
import { checkList, checkRegister, jirajsClient, pkgClient, plainFetchTransport, rawClient, rawRequestClient } from "./lib/clients.mjs";
import { fixed, int, kb, max, mdTable, median, min, textTable } from "./lib/stats.mjs";

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, "..");
const REPORT = join(BENCH, "report");
const WORK = join(REPORT, ".work");
const SNAP = join(WORK, "pkg");
const QUICK = process.argv.includes("--quick");

const CONFIG = {
  throughput: { rounds: QUICK ? 3 : 7, windowMs: QUICK ? 150 : 200, concurrency: [1, 8], warmupCalls: 200 },
  cold: { samples: QUICK ? 3 : 9 },
  browser: { samples: QUICK ? 3 : 7 },
  memory: { calls: 10_000, warmup: 500 },
  cpu: { rounds: QUICK ? 2 : 3, windowMs: QUICK ? 120 : 200 },
};
// Issue #16: each entry as shipped (its JS and its wasm, gzip -9), the list page against raw fetch with either
// form of dates, and ahead of jira.js on every throughput measure.
const TARGETS = { gzipBytes: 40 * 1024, lifecycleGzipBytes: 64 * 1024, listRatio: 0.9 };

const t0 = performance.now();
const log = (msg) => process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");
const errors = [];

async function phase(name, fn) {
  log(`${name} ...`);
  const started = performance.now();
  try {
    const result = await fn();
    log(`${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return result;
  } catch (e) {
    log(`${name} FAILED: ${e?.stack ?? e}`);
    errors.push({ phase: name, error: String(e?.stack ?? e) });
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Snapshot of pkg/: someone may rebuild it while the bench runs, so everything below uses a private copy, taken
// when all files are present and checked by loading it (the glue and the wasm must come from the same build).
const PKG_FILES = ["package.json", "node.mjs", "browser.js", "jira_webhooks.js", "jira_webhooks_bg.wasm",
  "lifecycle/browser.js", "lifecycle/jira_webhooks.js", "lifecycle/jira_webhooks_bg.wasm"];

async function snapshotPkg() {
  const src = join(ROOT, "pkg");
  for (let attempt = 1; attempt <= 40; attempt++) {
    try {
      rmSync(SNAP, { recursive: true, force: true });
      mkdirSync(join(SNAP, "lifecycle"), { recursive: true });
      for (const f of PKG_FILES) copyFileSync(join(src, f), join(SNAP, f));
      const unopt = join(ROOT, "target", "wasm-web", "jira_webhooks_bg.wasm");
      if (existsSync(unopt)) copyFileSync(unopt, join(WORK, "unoptimized.wasm"));
      else rmSync(join(WORK, "unoptimized.wasm"), { force: true });
      execFileSync(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(pathToFileURL(join(SNAP, "node.mjs")).href)})`], { stdio: "pipe" });
      const wasm = readFileSync(join(SNAP, "jira_webhooks_bg.wasm"));
      const manifest = JSON.parse(readFileSync(join(SNAP, "package.json"), "utf8"));
      return {
        version: manifest.version,
        builtAt: statSync(join(src, "jira_webhooks_bg.wasm")).mtime.toISOString(),
        wasmSha256: sha256(wasm),
        attempt,
      };
    } catch (e) {
      if (attempt === 1) log(`pkg/ not ready (${String(e.message).split("\n")[0]}); waiting for the build to settle`);
      await sleep(3000);
    }
  }
  throw new Error("pkg/ could not be read consistently for 2 minutes: run `SKIP_SETUP=1 node scripts/build.mjs`");
}

function gitInfo() {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src", "Cargo.toml", "pkg-template"], { cwd: ROOT, encoding: "utf8" }).trim();
    return { head, sourceDirty: dirty.length > 0 };
  } catch {
    return { head: null, sourceDirty: null };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Size: what a browser app ships.
function compressed(buf) {
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, {
      params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_SIZE_HINT]: buf.length },
    }).length,
  };
}
const sum = (a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli });

const ENTRIES = {
  pkg: `import { JiraWebhooks } from "../../pkg/browser.js";
const client = new JiraWebhooks({ baseUrl: location.origin, auth: { type: "basic", email: "a@example.com", apiToken: "t" } });
export const run = () => Promise.all([
  client.getDynamicWebhooksForApp({ startAt: 0, maxResults: 100 }),
  client.registerDynamicWebhooks({ url: "https://app.example.com/hook", webhooks: [{ events: ["jira:issue_created"], jqlFilter: "project = A" }] }),
  client.deleteWebhookById({ webhookIds: [1] }),
  client.refreshWebhooks({ webhookIds: [1] }),
]);
`,
  // jira.js 6 has no Version2Client: createCloudClient is its client (one object holding every API group).
  jirajs: `import { createCloudClient } from "jira.js";
const client = createCloudClient({ host: location.origin, auth: { type: "basic", email: "a@example.com", apiToken: "t" } });
export const run = () => Promise.all([
  client.webhooks.getDynamicWebhooksForApp({ startAt: 0, maxResults: 100 }),
  client.webhooks.registerDynamicWebhooks({ url: "https://app.example.com/hook", webhooks: [{ events: ["jira:issue_created"], jqlFilter: "project = A" }] }),
  client.webhooks.deleteWebhookById({ webhookIds: [1] }),
  client.webhooks.refreshWebhooks({ webhookIds: [1] }),
]);
`,
  // The lifecycle entry with everything it exports (sync, keep-alive, the receiver, OAuth 2.0): its whole size.
  pkgLifecycle: `export * from "../../pkg/lifecycle/browser.js";
`,
  // The tree-shakable way jira.js documents for a smaller bundle: the low-level client and the flat functions.
  jirajsFlat: `import { createClient } from "jira.js/core";
import { getDynamicWebhooksForApp, registerDynamicWebhooks, deleteWebhookById, refreshWebhooks } from "jira.js/cloud";
const client = createClient({ host: location.origin, auth: { type: "basic", email: "a@example.com", apiToken: "t" } });
export const run = () => Promise.all([
  getDynamicWebhooksForApp(client, { startAt: 0, maxResults: 100 }),
  registerDynamicWebhooks(client, { url: "https://app.example.com/hook", webhooks: [{ events: ["jira:issue_created"], jqlFilter: "project = A" }] }),
  deleteWebhookById(client, { webhookIds: [1] }),
  refreshWebhooks(client, { webhookIds: [1] }),
]);
`,
};

async function sizes() {
  const esbuild = await import("esbuild");
  const out = {};
  for (const [name, source] of Object.entries(ENTRIES)) {
    const dir = join(WORK, "bundles", name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "entry.src.js"), source);
    const result = await esbuild.build({
      entryPoints: [join(dir, "entry.src.js")],
      outfile: join(dir, "entry.js"),
      bundle: true,
      minify: true,
      platform: "browser",
      format: "esm",
      metafile: true,
      logLevel: "silent",
      absWorkingDir: ROOT,
    });
    const js = readFileSync(join(dir, "entry.js"));
    const byPackage = {};
    for (const [file, info] of Object.entries(result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
      const key = m ? m[1] : file.includes(".work/pkg/") ? "jira-webhooks glue" : "entry";
      byPackage[key] = (byPackage[key] ?? 0) + info.bytesInOutput;
    }
    out[name] = { js: compressed(js), byPackage };
  }
  const wasm = readFileSync(join(SNAP, "jira_webhooks_bg.wasm"));
  out.pkg.wasm = compressed(wasm);
  out.pkg.total = sum(out.pkg.js, out.pkg.wasm);
  out.pkgLifecycle.wasm = compressed(readFileSync(join(SNAP, "lifecycle", "jira_webhooks_bg.wasm")));
  out.pkgLifecycle.total = sum(out.pkgLifecycle.js, out.pkgLifecycle.wasm);
  out.pkg.glueUnminified = readFileSync(join(SNAP, "jira_webhooks.js")).length + readFileSync(join(SNAP, "browser.js")).length;
  out.jirajs.total = out.jirajs.js;
  out.jirajsFlat.total = out.jirajsFlat.js;
  // The Chromium phase imports the package from the snapshot; the wasm next to the pkg bundle makes it loadable too.
  copyFileSync(join(SNAP, "jira_webhooks_bg.wasm"), join(WORK, "bundles", "pkg", "jira_webhooks_bg.wasm"));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The canned server (a child process: its own core, so it never shares the clients' event loop).
async function startServer() {
  const child = fork(join(BENCH, "lib", "server.mjs"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const ports = await new Promise((resolve, reject) => {
    child.once("message", (m) => resolve(m.ports));
    child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return {
    child,
    base: `http://127.0.0.1:${ports.string}`,
    baseNumeric: `http://127.0.0.1:${ports.numeric}`,
    stats: async (base) => (await (await fetch(`${base}/__stats`)).json()),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Per-call throughput: the clients in this process, rounds interleaved, windows of fixed time.
// Returns calls/s (wall clock) and the bench process's own CPU time per call (user + system, all its threads):
// the second hardly depends on what else the machine runs, the first does.
async function windowRate(fn, ms, concurrency) {
  let n = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + ms;
  const worker = async () => {
    while (performance.now() < end) {
      await fn();
      n++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { rate: n / wall, cpuUs: (cpu.user + cpu.system) / n };
}

async function throughput(server, pkgMod, jiraMod) {
  const clients = {
    raw: rawClient(server.base),
    // Raw fetch with a Headers object and new Request(url, init): what that request shape costs against
    // fetch(url, init), which the package uses.
    rawRequest: rawRequestClient(server.base),
    pkg: pkgClient(pkgMod, server.base),
    // The package on the spec's numeric dates (nothing to convert): the other half of the list target, against
    // raw fetch of the same body.
    pkgNumeric: pkgClient(pkgMod, server.baseNumeric),
    rawNumeric: rawClient(server.baseNumeric),
    // The package given a plain fetch(url, init) as its custom transport: its own path with the caller's fetch.
    pkgPlainFetch: pkgClient(pkgMod, server.base, plainFetchTransport),
    jirajs: jirajsClient(jiraMod, server.base),
    // jira.js on the spec's numeric dates: its zod validation passes (its happy path), for reference.
    jirajsNumeric: jirajsClient(jiraMod, server.baseNumeric),
  };
  const ops = {
    list: ["raw", "pkg", "jirajs", "rawNumeric", "pkgNumeric", "jirajsNumeric", "rawRequest", "pkgPlainFetch"],
    register: ["raw", "pkg", "jirajs", "rawRequest", "pkgPlainFetch"],
  };
  const checks = {};
  for (const [name, c] of Object.entries(clients)) {
    checks[name] = {
      list: checkList(await c.list()),
      register: ops.register.includes(name) ? checkRegister(await c.register()) : null,
    };
  }
  const before = { string: await server.stats(server.base), numeric: await server.stats(server.baseNumeric) };
  for (const op of Object.keys(ops)) {
    for (const name of ops[op]) {
      for (let i = 0; i < CONFIG.throughput.warmupCalls; i++) await clients[name][op]();
      await windowRate(() => clients[name][op](), 100, 8);
    }
  }
  const samples = {};
  const { rounds, windowMs, concurrency } = CONFIG.throughput;
  for (let r = 0; r < rounds; r++) {
    for (const op of Object.keys(ops)) {
      for (const c of concurrency) {
        const order = ops[op].map((_, i) => ops[op][(i + r) % ops[op].length]); // rotate who goes first
        for (const name of order) {
          const key = `${op}|c${c}|${name}`;
          (samples[key] ??= []).push(await windowRate(() => clients[name][op](), windowMs, c));
        }
      }
    }
    log(`  throughput round ${r + 1}/${rounds}`);
  }
  const after = { string: await server.stats(server.base), numeric: await server.stats(server.baseNumeric) };
  const results = {};
  for (const op of Object.keys(ops)) {
    for (const c of concurrency) {
      const row = {};
      const rates = (name) => samples[`${op}|c${c}|${name}`].map((x) => x.rate);
      const cpus = (name) => samples[`${op}|c${c}|${name}`].map((x) => x.cpuUs);
      for (const name of ops[op]) {
        // The numeric-dates clients are compared with raw fetch of the numeric body.
        const ref = /Numeric$/.test(name) ? "rawNumeric" : "raw";
        const s = rates(name);
        const m = median(s);
        const cpuUs = median(cpus(name));
        row[name] = {
          callsPerSec: m, usPerCall: 1e6 / m, ratioToRaw: m / median(rates(ref)), min: min(s), max: max(s),
          cpuUsPerCall: cpuUs, cpuRatioToRaw: median(cpus(ref)) / cpuUs, samples: s, cpuSamples: cpus(name),
        };
      }
      results[`${op}|c${c}`] = row;
    }
  }
  const conn = (k) => ({
    requests: after[k].requests - before[k].requests,
    newConnections: after[k].connections - before[k].connections,
  });
  return { checks, results, keepAlive: { string: conn("string"), numeric: conn("numeric") } };
}

// ---------------------------------------------------------------------------------------------------------------
// 3a. Cold start in Node: a fresh `node` per sample, kinds interleaved.
function runChild(args, { timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: BENCH, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`node ${args.join(" ")} exited ${code}: ${stderr.slice(0, 2000)}`));
      try {
        resolve({ ...JSON.parse(stdout.trim().split("\n").pop()), wallMs });
      } catch {
        reject(new Error(`unreadable output of node ${args.join(" ")}: ${stdout.slice(0, 500)} ${stderr.slice(0, 500)}`));
      }
    });
  });
}

async function coldStart(server) {
  const kinds = ["raw", "pkg", "jirajs"];
  const pkgEntry = pathToFileURL(join(SNAP, "node.mjs")).href;
  const raw = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let i = 0; i < CONFIG.cold.samples; i++) {
    for (let j = 0; j < kinds.length; j++) {
      const kind = kinds[(i + j) % kinds.length];
      raw[kind].push(await runChild([join(BENCH, "lib", "cold.mjs"), kind, server.base, pkgEntry]));
    }
  }
  const summary = {};
  for (const k of kinds) {
    const s = raw[k];
    summary[k] = {
      firstCallMs: median(s.map((x) => x.done)), // since process start (performance.now() origin)
      nodeBootMs: median(s.map((x) => x.start)),
      importAndConstructMs: median(s.map((x) => x.ready - x.helpers)),
      firstCallOnlyMs: median(s.map((x) => x.done - x.ready)),
      wallToExitMs: median(s.map((x) => x.wallMs)),
      errors: s.map((x) => x.error).filter(Boolean),
      samples: s,
    };
  }
  return summary;
}

// 3b. Cold module load in Chromium.
async function browser() {
  const { browserColdStart } = await import("./lib/browser.mjs");
  return browserColdStart({
    pkgDir: SNAP,
    jirajsBundleDir: existsSync(join(WORK, "bundles", "jirajsFlat", "entry.js")) ? join(WORK, "bundles", "jirajsFlat") : null,
    samples: CONFIG.browser.samples,
    log,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// 4. Memory: one fresh `node --expose-gc` per client, 10,000 calls each.
async function memory(server) {
  const pkgEntry = pathToFileURL(join(SNAP, "node.mjs")).href;
  const out = {};
  for (const kind of ["pkg", "jirajs", "raw"]) {
    const r = await runChild(
      ["--expose-gc", join(BENCH, "lib", "memory.mjs"), kind, server.base, pkgEntry, String(CONFIG.memory.calls), String(CONFIG.memory.warmup)],
      { timeoutMs: 120_000 },
    );
    const at = (n) => r.samples.find((s) => s.calls === n);
    const first = r.samples[0];
    const warm = at(CONFIG.memory.warmup);
    const last = r.samples[r.samples.length - 1];
    out[kind] = {
      calls: r.calls,
      callsPerSec: r.calls / r.seconds,
      before: first,
      afterWarmup: warm,
      after: last,
      heapGrowthAfterWarmup: last.heapUsed - warm.heapUsed,
      wasmGrowthAfterWarmup: kind === "pkg" ? last.wasm - warm.wasm : null,
      wasmSeries: kind === "pkg" ? r.samples.map((s) => [s.calls, s.wasm]) : null,
      heapSeries: r.samples.map((s) => [s.calls, s.heapUsed]),
      error: r.error,
    };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// 5. Evidence: where per-call time goes (no network), and what the wasm is made of.
async function cpu(pkgMod) {
  const { cpuCosts } = await import("./lib/cpu.mjs");
  const jiraCloud = await import("jira.js/cloud");
  const costs = await cpuCosts({ pkg: pkgMod, jiraCloud, ...CONFIG.cpu });
  const boundary = await runChild([join(BENCH, "lib", "crossings.mjs"), pathToFileURL(join(SNAP, "node.mjs")).href]);
  delete boundary.wallMs;
  return { ...costs, boundary };
}

async function wasmAnatomy() {
  const { anatomy } = await import("./lib/wasm-anatomy.mjs");
  const shipped = readFileSync(join(SNAP, "jira_webhooks_bg.wasm"));
  const result = { shipped: anatomy(shipped), named: null, namedNote: null };
  delete result.shipped.crates; // no names in the shipped module
  const unopt = join(WORK, "unoptimized.wasm");
  if (!existsSync(unopt)) {
    result.namedNote = "target/wasm-web/jira_webhooks_bg.wasm not found: no per-function names (build first)";
    return result;
  }
  // The same wasm-opt pass as scripts/assemble.mjs, keeping the name section (-g); cached by input and flags.
  const { WASM_OPT_FLAGS } = await import("../scripts/assemble.mjs");
  const input = readFileSync(unopt);
  const cache = join(REPORT, ".cache", `named-${sha256(Buffer.concat([input, Buffer.from(WASM_OPT_FLAGS.join(" "))])).slice(0, 16)}.wasm`);
  if (!existsSync(cache)) {
    mkdirSync(dirname(cache), { recursive: true });
    log("  wasm-opt -g (names for the size breakdown; cached for later runs) ...");
    execFileSync(join(ROOT, "node_modules", ".bin", "wasm-opt"), [unopt, "-o", cache, ...WASM_OPT_FLAGS, "-g"], { stdio: "pipe" });
  }
  const named = anatomy(readFileSync(cache), { top: 20 });
  const codeSize = (a) => a.sections.find((s) => s.name === "code")?.bytes;
  result.named = named;
  result.namedMatchesShipped = codeSize(named) === codeSize(result.shipped);
  result.namedNote = result.namedMatchesShipped
    ? "names from wasm-opt -g of target/wasm-web (the build's flags): its code section is byte-for-byte the size of the shipped one"
    : "names from wasm-opt -g of target/wasm-web (the build's flags), whose code section differs in size from pkg/ (a rebuild in between?): approximate";
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Report.
function verdicts(r) {
  const out = [];
  const budget = (target, gz, limit) => out.push({
    target,
    value: `${kb(gz)} KB gzip`,
    pass: gz <= limit,
    gap: gz <= limit ? `${kb(limit - gz)} KB to spare` : `${kb(gz - limit)} KB over (${fixed(gz / limit, 2)}x the budget)`,
  });
  if (r.sizes?.pkg) budget("client entry (minified JS glue + wasm) <= 40 KB gzip", r.sizes.pkg.total.gzip, TARGETS.gzipBytes);
  if (r.sizes?.pkgLifecycle) {
    budget("lifecycle entry (minified JS glue + wasm) <= 64 KB gzip", r.sizes.pkgLifecycle.total.gzip, TARGETS.lifecycleGzipBytes);
  }
  const ahead = (target, mine, theirs) => {
    const x = mine.callsPerSec / theirs.callsPerSec;
    out.push({
      target,
      value: `${fixed(x, 2)}x jira.js (by client CPU: ${fixed(theirs.cpuUsPerCall / mine.cpuUsPerCall, 2)}x)`,
      pass: x > 1,
      gap: x > 1 ? `${fixed((x - 1) * 100, 0)}% ahead` : `${fixed((1 / x - 1) * 100, 0)}% behind`,
    });
  };
  const list = r.throughput?.results["list|c1"];
  if (list) {
    for (const [dates, mine, theirs] of [["date strings", list.pkg, list.jirajs], ["numeric dates", list.pkgNumeric, list.jirajsNumeric]]) {
      const ratio = mine.ratioToRaw;
      out.push({
        target: `list page (100 webhooks, ${dates}, sequential) >= 0.90x raw fetch`,
        value: `${fixed(ratio, 2)}x raw (by client CPU per call: ${fixed(mine.cpuRatioToRaw, 2)}x)`,
        pass: ratio >= TARGETS.listRatio,
        gap: ratio >= TARGETS.listRatio ? "met" : `needs +${fixed((TARGETS.listRatio / ratio - 1) * 100, 0)}% calls/s (${fixed(1e6 / mine.callsPerSec - ratio * 1e6 / (TARGETS.listRatio * mine.callsPerSec), 0)} µs/call too slow)`,
      });
      ahead(`list page (100 webhooks, ${dates}, sequential) ahead of jira.js`, mine, theirs);
    }
  }
  const register = r.throughput?.results["register|c1"];
  if (register) ahead("register 5 webhooks (sequential) ahead of jira.js", register.pkg, register.jirajs);
  const cold = r.cold;
  if (cold) {
    const a = cold.pkg.firstCallMs;
    const b = cold.jirajs.firstCallMs;
    out.push({
      target: "Node cold start to first resolved call no slower than jira.js",
      value: `${fixed(a, 0)} ms vs ${fixed(b, 0)} ms`,
      pass: a <= b,
      gap: a <= b ? `${fixed(b - a, 0)} ms faster` : `${fixed(a - b, 0)} ms slower`,
    });
  }
  const mem = r.memory?.pkg;
  if (mem) {
    out.push({
      target: "no wasm memory growth after warm-up (10,000 calls)",
      value: `${kb(mem.afterWarmup.wasm)} KB -> ${kb(mem.after.wasm)} KB`,
      pass: mem.wasmGrowthAfterWarmup === 0,
      gap: mem.wasmGrowthAfterWarmup === 0 ? "no growth" : `grew ${kb(mem.wasmGrowthAfterWarmup)} KB`,
    });
  }
  return out;
}

function summaryRows(r) {
  const rows = [["measure", "jira-webhooks", "jira.js 6.2.0", "raw fetch"]];
  const s = r.sizes;
  if (s) {
    const three = (x) => `${kb(x.raw)} / ${kb(x.gzip)} / ${kb(x.brotli)}`;
    rows.push(["browser ship, min JS (KB raw / gzip / br)", three(s.pkg.js), three(s.jirajsFlat.js), "-"]);
    rows.push(["browser ship, wasm (KB raw / gzip / br)", three(s.pkg.wasm), "-", "-"]);
    rows.push(["browser ship, total (KB raw / gzip / br)", three(s.pkg.total), three(s.jirajsFlat.total), "-"]);
    rows.push(["  lifecycle entry, JS + wasm (KB raw / gzip / br)", `${three(s.pkgLifecycle.js)} + ${three(s.pkgLifecycle.wasm)} = ${kb(s.pkgLifecycle.total.gzip)} gz`, "", "-"]);
    rows.push(["  jira.js via createCloudClient (whole API)", "", three(s.jirajs.total), "-"]);
  }
  const t = r.throughput?.results;
  if (t) {
    const cell = (x) => (x ? `${int(x.callsPerSec)} (${fixed(x.ratioToRaw, 2)}x)` : "-");
    for (const [key, label] of [
      ["list|c1", "list 100 webhooks, calls/s, 1 in flight"],
      ["list|c8", "list 100 webhooks, calls/s, 8 in flight"],
      ["register|c1", "register 5 webhooks, calls/s, 1 in flight"],
      ["register|c8", "register 5 webhooks, calls/s, 8 in flight"],
    ]) {
      rows.push([label, cell(t[key].pkg), cell(t[key].jirajs), cell(t[key].raw)]);
    }
    const cpuCell = (x) => (x ? `${fixed(x.cpuUsPerCall, 0)} (${fixed(x.cpuRatioToRaw, 2)}x)` : "-");
    rows.push(["client CPU µs per list call, 1 in flight (x raw)", cpuCell(t["list|c1"].pkg), cpuCell(t["list|c1"].jirajs), cpuCell(t["list|c1"].raw)]);
    rows.push(["client CPU µs per register call, 1 in flight (x raw)", cpuCell(t["register|c1"].pkg), cpuCell(t["register|c1"].jirajs), cpuCell(t["register|c1"].raw)]);
    rows.push(["list, numeric dates (the spec's form), c1 / c8", `${cell(t["list|c1"].pkgNumeric)} / ${cell(t["list|c8"].pkgNumeric)}`, `${cell(t["list|c1"].jirajsNumeric)} / ${cell(t["list|c8"].jirajsNumeric)}`, `${cell(t["list|c1"].rawNumeric)} / ${cell(t["list|c8"].rawNumeric)}`]);
    rows.push(["  jira-webhooks with a plain-fetch transport, list c1 / register c1", `${cell(t["list|c1"].pkgPlainFetch)} / ${cell(t["register|c1"].pkgPlainFetch)}`, "", ""]);
    rows.push(["  raw fetch via Headers + new Request, list c1 / register c1", "", "", `${cell(t["list|c1"].rawRequest)} / ${cell(t["register|c1"].rawRequest)}`]);
  }
  const c = r.cold;
  if (c) {
    rows.push(["Node cold start: first call resolved (ms since start)", fixed(c.pkg.firstCallMs, 0), fixed(c.jirajs.firstCallMs, 0), fixed(c.raw.firstCallMs, 0)]);
    rows.push(["  of which import + construct (ms)", fixed(c.pkg.importAndConstructMs, 1), fixed(c.jirajs.importAndConstructMs, 1), fixed(c.raw.importAndConstructMs, 1)]);
    rows.push(["  of which first call (ms)", fixed(c.pkg.firstCallOnlyMs, 1), fixed(c.jirajs.firstCallOnlyMs, 1), fixed(c.raw.firstCallOnlyMs, 1)]);
  }
  const b = r.browser;
  if (b) {
    rows.push(["Chromium: import() to ready (ms, cold context)", fixed(b.pkg.importMs, 1), b.jirajs ? fixed(b.jirajs.importMs, 1) : "-", "-"]);
    rows.push(["  WebAssembly.compile alone (ms)", fixed(b.pkg.compileOnlyMs, 1), "-", "-"]);
  }
  const m = r.memory;
  if (m) {
    rows.push(["wasm memory KB: start / warm / after 10k", `${kb(m.pkg.before.wasm)} / ${kb(m.pkg.afterWarmup.wasm)} / ${kb(m.pkg.after.wasm)}`, "-", "-"]);
    const heap = (x) => `${kb(x.before.heapUsed)} / ${kb(x.afterWarmup.heapUsed)} / ${kb(x.after.heapUsed)}`;
    rows.push(["JS heap KB after GC: start / warm / after 10k", heap(m.pkg), heap(m.jirajs), heap(m.raw)]);
  }
  return rows;
}

function markdown(r) {
  const L = [];
  const s = r.sizes;
  L.push(`# jira-webhooks benchmark`, "");
  L.push(`jira-webhooks ${r.meta.pkg?.version ?? "?"} (wasm sha256 ${r.meta.pkg?.wasmSha256?.slice(0, 12) ?? "?"}, built ${r.meta.pkg?.builtAt ?? "?"}, git ${r.meta.git.head}${r.meta.git.sourceDirty ? " + uncommitted source changes" : ""}) vs jira.js ${r.meta.jirajsVersion} vs raw fetch.`);
  L.push(`${r.meta.node}, ${r.meta.cpus} x ${r.meta.cpuModel}; run ${r.meta.date}, ${fixed(r.meta.seconds, 0)} s${r.meta.quick ? " (--quick)" : ""}; 1-minute load average ${fixed(r.meta.loadAvgAtStart[0], 2)} at start, ${fixed(r.meta.loadAvgAtEnd[0], 2)} at end. 1 KB = 1024 bytes.`, "");
  if (r.meta.loadAvgAtStart[0] > 1) {
    L.push(`> **The machine was not idle when this run started** (1-minute load average ${fixed(r.meta.loadAvgAtStart[0], 2)}; the bench itself keeps about 2 cores busy, which the load at the end includes): timings are inflated and noisy; sizes and memory are not affected.`, "");
  }
  if (errors.length) {
    L.push("## Phases that failed", "");
    for (const e of errors) L.push(`- **${e.phase}**: \`${e.error.split("\n")[0]}\``);
    L.push("");
  }
  L.push("## Targets", "");
  L.push(mdTable([["target", "measured", "result", "gap"], ...r.verdicts.map((v) => [v.target, v.value, v.pass ? "PASS" : "MISS", v.gap])]), "");
  L.push("## Summary", "");
  L.push("Throughput cells: median calls/s (ratio to raw fetch).", "");
  L.push(mdTable(summaryRows(r)), "");
  if (s) {
    L.push("## 1. Size", "");
    L.push(`Entry files bundled with esbuild \`--bundle --minify --platform=browser --format=esm\`; gzip level 9 and brotli quality 11 (Node zlib). The package's JS is its wasm-bindgen glue + browser.js (unminified ${kb(s.pkg.glueUnminified)} KB); the wasm is fetched beside it.`, "");
    const row = (name, x) => [name, kb(x.raw), kb(x.gzip), kb(x.brotli)];
    L.push(mdTable([
      ["what", "raw KB", "gzip KB", "brotli KB"],
      row("jira-webhooks JS (glue + browser.js, minified)", s.pkg.js),
      row("jira-webhooks wasm", s.pkg.wasm),
      row("**jira-webhooks total**", s.pkg.total),
      row("jira-webhooks/lifecycle JS (everything it exports, minified)", s.pkgLifecycle.js),
      row("jira-webhooks/lifecycle wasm", s.pkgLifecycle.wasm),
      row("**jira-webhooks/lifecycle total**", s.pkgLifecycle.total),
      row("**jira.js createClient + its 4 flat webhook functions**", s.jirajsFlat.total),
      row("jira.js createCloudClient (the client object) + 4 webhook calls", s.jirajs.total),
    ]), "");
    const pk = (o) => Object.entries(o).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${kb(v)} KB`).join(", ");
    L.push(`Minified bytes by package: jira.js client bundle: ${pk(s.jirajs.byPackage)}; flat: ${pk(s.jirajsFlat.byPackage)}.`, "");
  }
  const a = r.anatomy;
  if (a) {
    L.push("### What the wasm is made of", "");
    L.push(mdTable([["section", "bytes"], ...a.shipped.sections.map((x) => [x.name, int(x.bytes)])]), "");
    L.push(`Code ${kb(a.shipped.codeBytes)} KB in ${a.shipped.functions} functions (${kb(a.shipped.codeGzipAlone)} KB gzip alone); data ${kb(a.shipped.dataBytes)} KB (${kb(a.shipped.dataGzipAlone)} KB gzip alone), of which ${kb(a.shipped.dataPrintableStringBytes)} KB printable strings (messages, field names) and ${kb(a.shipped.dataRustPathStringBytes)} KB strings naming Rust source files (panic locations).`, "");
    if (a.named) {
      L.push(`By crate (${a.namedNote}). Inlined code counts where it was inlined: most of the client's work shows under jira_webhooks and under the exports' shims (wasm-bindgen (generated)).`, "");
      L.push(mdTable([["crate", "code bytes", "share", "functions", "gzip alone"], ...a.named.crates.slice(0, 16).map((c) => [c.crate, int(c.bytes), `${fixed(c.share * 100, 1)}%`, c.functions, int(c.gzipAlone)])]), "");
      L.push("Largest functions:", "");
      L.push(mdTable([["function", "bytes"], ...a.named.topFunctions.map((f) => [`\`${f.name.slice(0, 110)}\``, int(f.bytes)])]), "");
    } else if (a.namedNote) L.push(a.namedNote, "");
  }
  const t = r.throughput;
  if (t) {
    L.push("## 2. Per-call throughput (Node, loopback)", "");
    L.push(`The three clients in one process, against one canned \`node:http\` server in a child process (its own core). ${CONFIG.throughput.rounds} rounds; each round runs every client for ${CONFIG.throughput.windowMs} ms per operation and concurrency, interleaved with the starting client rotated; medians (min-max). "Client CPU µs/call" is the bench process's own CPU time (process.cpuUsage, all its threads) per call: unlike calls/s it hardly moves when other work shares the machine, and "x raw by CPU" is raw's CPU per call over the client's. All three use Node's global fetch (undici) with its default keep-alive pool: jira.js 6.2.0 uses fetch, not axios. Keep-alive check: ${int(t.keepAlive.string.requests)} requests over ${t.keepAlive.string.newConnections} new connections.`, "");
    const names = { raw: "raw fetch + JSON.parse", rawNumeric: "raw fetch + JSON.parse (numeric dates)", rawRequest: "raw fetch via Headers + new Request", pkg: "jira-webhooks", pkgNumeric: "jira-webhooks (numeric dates)", pkgPlainFetch: "jira-webhooks, custom transport = fetch(url, init)", jirajs: "jira.js (string dates; zod fails, silent)", jirajsNumeric: "jira.js (numeric dates; zod passes)" };
    const rows = [["operation", "client", "calls/s", "µs/call", "x raw", "min-max calls/s", "client CPU µs/call", "x raw by CPU"]];
    for (const [key, row] of Object.entries(t.results)) {
      const label = (name) => (key.startsWith("register") && name === "jirajs" ? "jira.js" : names[name]);
      for (const [name, x] of Object.entries(row)) rows.push([key.replace("|c", ", in flight "), label(name), int(x.callsPerSec), fixed(x.usPerCall, 0), fixed(x.ratioToRaw, 2), `${int(x.min)}-${int(x.max)}`, fixed(x.cpuUsPerCall, 0), fixed(x.cpuRatioToRaw, 2)]);
    }
    L.push(mdTable(rows), "");
    const bad = Object.entries(t.checks).flatMap(([k, v]) => Object.values(v).filter(Boolean).map((e) => `${k}: ${e}`));
    if (bad.length) L.push(`Answer checks failed: ${bad.join("; ")}`, "");
  }
  const cp = r.cpu;
  if (cp) {
    L.push("### Where the per-call time goes (no network)", "");
    L.push(`Same bodies (100-webhook page ${int(cp.bodyBytes.page100)} bytes), µs of CPU time per operation, median of ${CONFIG.cpu.rounds} windows. The package is called through a custom transport that answers at once, so its figure is its whole call minus the network.`, "");
    L.push(mdTable([["operation", "µs"], ...Object.entries(cp.us).map(([k, v]) => [k, fixed(v, 1)])]), "");
    const d = cp.derived;
    L.push(`Per webhook: jira-webhooks ${fixed(d.pkgPerWebhookUs, 2)} µs vs JSON.parse ${fixed(d.jsonParsePerWebhookUs, 2)} µs (string minus numeric dates: ${fixed(d.dateStringCostPerWebhookUs, 2)} µs per webhook, noise-level when near zero); fixed cost of a call ${fixed(d.pkgFixedUs, 1)} µs; over the JS async floor on a 100-webhook page: ${fixed(d.pkgOverJsFloor100, 0)} µs.`, "");
    const tl = r.throughput?.results["list|c1"];
    const tr = r.throughput?.results["register|c1"];
    if (tl && tr) {
      const gap = (t) => t.pkg.cpuUsPerCall - t.raw.cpuUsPerCall;
      const decodeExtraList = d.pkgOverJsFloor100;
      const decodeExtraReg = cp.us["jira-webhooks call via transport, register 5"] - cp.us["JSON.parse, registration result (5)"] - cp.us["JSON.stringify, registration input (5)"];
      L.push(`Putting it together, in client CPU time with 1 call in flight: a list call costs ${fixed(gap(tl), 0)} µs more than raw fetch. About ${fixed(decodeExtraList, 0)} µs of that is the package's own work without a network (above); the remaining ${fixed(gap(tl) - decodeExtraList, 0)} µs is the rest of its send and receive path as the network sees it (its objects outlive the wait for the answer, so more of them reach the old generation; the code is colder between calls). A register call costs ${fixed(gap(tr), 0)} µs more: ${fixed(decodeExtraReg, 0)} µs own work, ${fixed(gap(tr) - decodeExtraReg, 0)} µs the rest. For comparison, raw fetch with a Headers object and new Request(url, init) costs ${fixed(tl.rawRequest.cpuUsPerCall - tl.raw.cpuUsPerCall, 0)} µs (list) and ${fixed(tr.rawRequest.cpuUsPerCall - tr.raw.cpuUsPerCall, 0)} µs (register) more than \`fetch(url, init)\`; the package through a custom transport that reads the body as text costs ${fixed(tl.pkgPlainFetch.cpuUsPerCall - tl.raw.cpuUsPerCall, 0)} µs (list) and ${fixed(tr.pkgPlainFetch.cpuUsPerCall - tr.raw.cpuUsPerCall, 0)} µs (register) more than raw fetch. These are medians from different windows, so treat the split as approximate; GC and JIT threads are in the CPU figures.`, "");
    }
    const bd = cp.boundary;
    if (bd?.list100) {
      L.push("JS<->wasm boundary, per call (every wasm import wrapped and timed; self time, nested imports excluded):", "");
      const rows = [["case", "total µs", "crossings", "µs in JS imports", "µs elsewhere (wasm + glue)", "top imports (µs)"]];
      for (const [k, v] of Object.entries(bd)) {
        rows.push([k, fixed(v.totalUsPerCall, 0), fixed(v.crossingsPerCall, 0), fixed(v.importSelfUsPerCall, 0), fixed(v.totalUsPerCall - v.importSelfUsPerCall, 0), v.imports.slice(0, 3).map((i) => `${i.import} x${fixed(i.callsPerCall, 0)}: ${fixed(i.selfUsPerCall, 0)}`).join("; ")]);
      }
      L.push(mdTable(rows), "");
      L.push("`perform` is call.js running a call up to its first wait (request, transport); `take` and `body` take the caller's arguments and check them with the generated validators; `member` and `kind` read a taken value for the Rust side. The answer's body never enters the wasm: it is parsed and checked in JavaScript, and the Rust side gets the verdict.", "");
    }
  }
  const c = r.cold;
  if (c) {
    L.push("## 3. Cold start", "");
    L.push(`Node: a fresh \`node\` per sample (${CONFIG.cold.samples} per client, interleaved), timestamps from performance.now() (origin: process start). The first call lists the 100-webhook page. Medians, ms.`, "");
    L.push(mdTable([["client", "node boot", "import + construct", "first call", "first call resolved (since start)", "spawn to exit (wall)"],
      ...Object.entries(c).map(([k, v]) => [k, fixed(v.nodeBootMs, 1), fixed(v.importAndConstructMs, 1), fixed(v.firstCallOnlyMs, 1), fixed(v.firstCallMs, 1), fixed(v.wallToExitMs, 0)])]), "");
  }
  const b = r.browser;
  if (b) {
    L.push(`Chromium ${b.chromium}, headless, loopback: a fresh browser context per sample (${b.samples}), performance.now() around \`await import("/pkg/browser.js")\` (fetch of the glue and the wasm, streaming compile, instantiate). Medians: import ${fixed(b.pkg.importMs, 1)} ms (wasm fetch ${fixed(b.pkg.wasmFetchMs, 1)} ms of it); WebAssembly.compile of the bytes alone ${fixed(b.pkg.compileOnlyMs, 1)} ms; jira.js bundle (createClient + the 4 flat functions, as in the size table) import ${b.jirajs ? fixed(b.jirajs.importMs, 1) : "n/a"} ms.`, "");
  }
  const m = r.memory;
  if (m) {
    L.push("## 4. Memory", "");
    L.push(`A fresh \`node --expose-gc\` per client; ${int(CONFIG.memory.calls)} calls alternating list and register, one at a time; samples after a full GC. Warm-up = ${CONFIG.memory.warmup} calls.`, "");
    L.push(mdTable([["client", "calls/s", "heap start KB", "heap warm KB", "heap after KB", "heap growth after warm-up KB", "wasm start KB", "wasm warm KB", "wasm after KB"],
      ...Object.entries(m).map(([k, v]) => [k, int(v.callsPerSec), kb(v.before.heapUsed), kb(v.afterWarmup.heapUsed), kb(v.after.heapUsed), kb(v.heapGrowthAfterWarmup), v.before.wasm == null ? "-" : kb(v.before.wasm), v.afterWarmup.wasm == null ? "-" : kb(v.afterWarmup.wasm), v.after.wasm == null ? "-" : kb(v.after.wasm)])]), "");
    if (m.pkg.wasmSeries) L.push(`wasm memory by calls: ${m.pkg.wasmSeries.map(([n, w]) => `${n}: ${kb(w)}`).join(", ")} (KB).`, "");
    for (const [k, v] of Object.entries(m)) L.push(`JS heap by calls, ${k}: ${v.heapSeries.map(([n, h]) => `${n}: ${kb(h)}`).join(", ")} (KB).`, "");
    L.push("The JS heap after warm-up moves by about a megabyte between samples for every client (JIT code, inline caches, undici's pools); a leak shows as steady growth across the series, not one higher sample.", "");
  }
  L.push("## Caveats", "");
  L.push("- Loopback with a canned server: real Jira adds tens to hundreds of ms per call, which hides most client-side differences; these figures isolate client cost.");
  L.push("- jira.js types `expirationDate` as a number; real Jira sends a date string, so its zod validation fails on every listed webhook. It is configured with `onSchemaMismatch: \"silent\"` (default \"warn\" logs each call) and then returns the unvalidated body; the numeric-dates row shows its passing path.");
  L.push("- jira-webhooks validates more (strict request and response shapes) and converts dates to numbers; raw fetch does neither.");
  L.push("- Two cores shared by the clients, the server and the OS: run-to-run variation of a few percent is normal; compare ratios from the same run.");
  return L.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------------------------
async function main() {
  mkdirSync(WORK, { recursive: true });
  const os = await import("node:os");
  const r = {
    meta: {
      date: new Date().toISOString(),
      node: `Node ${process.version}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "?",
      quick: QUICK,
      loadAvgAtStart: os.loadavg(),
      config: CONFIG,
      git: gitInfo(),
      jirajsVersion: JSON.parse(readFileSync(join(ROOT, "node_modules", "jira.js", "package.json"), "utf8")).version,
    },
  };
  r.meta.pkg = await phase("snapshot pkg/", snapshotPkg);
  if (!r.meta.pkg) throw new Error("no usable pkg/");
  r.sizes = await phase("1. size", sizes);
  r.anatomy = await phase("wasm anatomy", wasmAnatomy);
  const server = await startServer();
  try {
    const pkgMod = await import(pathToFileURL(join(SNAP, "node.mjs")).href);
    const jiraMod = await import("jira.js");
    r.throughput = await phase("2. throughput", () => throughput(server, pkgMod, jiraMod));
    r.cpu = await phase("per-call cost breakdown", () => cpu(pkgMod));
    r.cold = await phase("3a. cold start (Node)", () => coldStart(server));
    r.memory = await phase("4. memory", () => memory(server));
  } finally {
    server.child.kill();
  }
  r.browser = await phase("3b. cold start (Chromium)", browser);
  r.meta.seconds = (performance.now() - t0) / 1000;
  r.meta.loadAvgAtEnd = os.loadavg();
  r.verdicts = verdicts(r);
  r.errors = errors;
  writeFileSync(join(REPORT, "report.json"), JSON.stringify(r, null, 2) + "\n");
  writeFileSync(join(REPORT, "report.md"), markdown(r));
  const rows = summaryRows(r);
  console.log("\n" + textTable(rows) + "\n");
  console.log(textTable([["target", "measured", "result", "gap"], ...r.verdicts.map((v) => [v.target, v.value, v.pass ? "PASS" : "MISS", v.gap])]));
  const load = r.meta.loadAvgAtStart[0];
  if (load > 1) console.log(`\nNOTE: load average ${fixed(load, 2)} on ${r.meta.cpus} cores when the run started: other work was running, timings are noisy.`);
  console.log(`\nreport: ${join(REPORT, "report.md")} (and report.json), ${fixed(r.meta.seconds, 0)} s${errors.length ? `; ${errors.length} phase(s) failed` : ""}`);
  return errors.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e?.stack ?? e);
    process.exit(1);
  },
);
