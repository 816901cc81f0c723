// How a call of the package spends its time at the JS<->wasm boundary: `node crossings.mjs PKG_ENTRY`.
// Wraps every import the wasm module calls (before the glue instantiates it) to count calls and time each one's
// own JS work (nested imports subtracted), then makes calls through a custom transport that answers at once with
// the canned body (no network). Prints one JSON line: per call, total µs, crossings, and µs per import.
import { registrationResult, webhookPage } from "./fixtures.mjs";
import { REGISTER_INPUT } from "./clients.mjs";

const [pkgEntry] = process.argv.slice(2);
const stats = new Map();
const stack = [];
let counting = false;

// The build gives the wasm's imports short names (scripts/wasm-names.mjs) and keeps the originals beside its output.
const NAMES = await import("node:fs").then(({ readFileSync }) => JSON.parse(readFileSync(new URL("../../target/wasm-web/wasm-names.json", import.meta.url), "utf8")).imports, () => ({}));

function wrap(name, fn) {
  const short = (NAMES[name] ?? name).replace(/^__wbg_/, "").replace(/_[0-9a-f]{16}$/, "");
  return function (...args) {
    if (!counting) return fn.apply(this, args);
    const frame = { child: 0 };
    stack.push(frame);
    const t0 = performance.now();
    try {
      return fn.apply(this, args);
    } finally {
      const spent = performance.now() - t0;
      stack.pop();
      if (stack.length) stack[stack.length - 1].child += spent;
      const s = stats.get(short) ?? { calls: 0, selfMs: 0 };
      s.calls++;
      s.selfMs += spent - frame.child;
      stats.set(short, s);
    }
  };
}

const Instance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  // A namespace can be a module's (wasm-bindgen imports some edge functions directly): wrap into a copy.
  for (const [key, ns] of Object.entries(imports)) {
    const copy = {};
    for (const [name, fn] of Object.entries(ns)) copy[name] = typeof fn === "function" ? wrap(name, fn) : fn;
    imports[key] = copy;
  }
  return new Instance(module, imports);
};
const pkg = await import(pkgEntry);
WebAssembly.Instance = Instance;

const headers = { get: (n) => (n.toLowerCase() === "content-type" ? "application/json;charset=UTF-8" : null) };
const clientFor = (body) =>
  new pkg.JiraWebhooks({
    transport: async () => ({ status: 200, headers, text: async () => body }),
    auth: { type: "none" },
    retry: false,
  });
const list = { startAt: 0, maxResults: 100 };
const cases = {
  list100: [clientFor(JSON.stringify(webhookPage(100))), (c) => c.getDynamicWebhooksForApp(list)],
  list0: [clientFor(JSON.stringify(webhookPage(0))), (c) => c.getDynamicWebhooksForApp(list)],
  register5: [clientFor(JSON.stringify(registrationResult(5))), (c) => c.registerDynamicWebhooks(REGISTER_INPUT)],
};

const N = 300;
const out = {};
for (const [name, [client, call]] of Object.entries(cases)) {
  for (let i = 0; i < 300; i++) await call(client); // warm-up, uncounted
  stats.clear();
  counting = true;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await call(client);
  const totalUs = ((performance.now() - t0) * 1000) / N;
  counting = false;
  const imports = [...stats.entries()]
    .map(([k, s]) => ({ import: k, callsPerCall: s.calls / N, selfUsPerCall: (s.selfMs * 1000) / N }))
    .sort((a, b) => b.selfUsPerCall - a.selfUsPerCall);
  out[name] = {
    totalUsPerCall: totalUs,
    crossingsPerCall: imports.reduce((a, s) => a + s.callsPerCall, 0),
    importSelfUsPerCall: imports.reduce((a, s) => a + s.selfUsPerCall, 0),
    imports: imports.slice(0, 12),
  };
}
process.stdout.write(JSON.stringify(out) + "\n");
process.exit(0);
