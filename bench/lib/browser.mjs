// Cold module load in headless Chromium. A loopback static server serves the package snapshot (and the jira.js
// bundle); every sample is a fresh browser context (empty HTTP and code caches), one page, and
// performance.now() around the dynamic import(). The page also times WebAssembly.compile of the wasm bytes alone.
import http from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { median } from "./stats.mjs";

const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
const ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic",
];

/** Serves `mounts` ({ "/pkg/": dir, ... }) and a blank page at "/". */
function staticServer(mounts) {
  const server = http.createServer(async (req, res) => {
    const path = decodeURIComponent(req.url.split("?")[0]);
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html" });
      return res.end("<!doctype html><title>bench</title>");
    }
    for (const [prefix, dir] of Object.entries(mounts)) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, path.slice(prefix.length)));
      if (!file.startsWith(dir)) break;
      try {
        const body = await readFile(file);
        res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
        return res.end(body);
      } catch {
        break;
      }
    }
    res.writeHead(404);
    res.end();
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/**
 * Returns { pkg: { importMs, compileMs, samples }, jirajs: { importMs, samples } } (medians in ms).
 * `pkgDir` holds browser.js, jira_webhooks.js and the wasm; `jirajsBundle` is an ESM file (or null).
 */
export async function browserColdStart({ pkgDir, jirajsBundleDir, samples = 7, log = () => {} }) {
  const { chromium } = await import("playwright-core");
  const server = await staticServer({ "/pkg/": pkgDir, ...(jirajsBundleDir ? { "/jirajs/": jirajsBundleDir } : {}) });
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
  const out = { pkg: [], compile: [], jirajs: [], version: browser.version() };
  try {
    const once = async (fn, arg) => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(origin + "/");
        return await page.evaluate(fn, arg);
      } finally {
        await context.close();
      }
    };
    for (let i = 0; i < samples; i++) {
      out.pkg.push(
        await once(async (url) => {
          const t0 = performance.now();
          const m = await import(url);
          const t1 = performance.now();
          if (typeof m.JiraWebhooks !== "function") throw new Error("no JiraWebhooks export");
          const wasm = performance.getEntriesByType("resource").find((e) => e.name.endsWith(".wasm"));
          return { importMs: t1 - t0, wasmFetchMs: wasm ? wasm.responseEnd - wasm.startTime : null, memory: m.wasmMemoryBytes() };
        }, `${origin}/pkg/browser.js`),
      );
      out.compile.push(
        await once(async (url) => {
          const bytes = await (await fetch(url)).arrayBuffer();
          const t0 = performance.now();
          await WebAssembly.compile(bytes);
          return performance.now() - t0;
        }, `${origin}/pkg/jira_webhooks_bg.wasm`),
      );
      if (jirajsBundleDir) {
        out.jirajs.push(
          await once(async (url) => {
            const t0 = performance.now();
            const m = await import(url);
            const t1 = performance.now();
            if (typeof m.run !== "function") throw new Error("bundle has no run export");
            return { importMs: t1 - t0 };
          }, `${origin}/jirajs/entry.js`),
        );
      }
      log(`  chromium load ${i + 1}/${samples}`);
    }
  } finally {
    await browser.close();
    server.close();
  }
  return {
    chromium: out.version,
    samples,
    pkg: {
      importMs: median(out.pkg.map((s) => s.importMs)),
      wasmFetchMs: median(out.pkg.map((s) => s.wasmFetchMs).filter((x) => x != null)),
      compileOnlyMs: median(out.compile),
      wasmMemoryBytes: out.pkg[0]?.memory ?? null,
      raw: out.pkg,
      rawCompile: out.compile,
    },
    jirajs: jirajsBundleDir ? { importMs: median(out.jirajs.map((s) => s.importMs)), raw: out.jirajs } : null,
  };
}
