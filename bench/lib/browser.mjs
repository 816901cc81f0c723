// Cold module load in headless Chromium. A loopback static server serves the package snapshot (and the jira.js
// bundle); every sample is a fresh browser context (empty HTTP and code caches), one page, and
// performance.now() around the dynamic import(). The page also times WebAssembly.compile of the wasm bytes alone.
import { launchChromium } from "../../tests/support/browser.mjs";
import { startStaticServer } from "../../tests/support/static.mjs";
import { median } from "./stats.mjs";

/**
 * Returns { pkg: { importMs, compileMs, samples }, jirajs: { importMs, samples } } (medians in ms).
 * `pkgDir` holds browser.js, jira_webhooks.js and the wasm; `jirajsBundle` is an ESM file (or null).
 */
export async function browserColdStart({ pkgDir, jirajsBundleDir, samples = 7, log = () => {} }) {
  const server = await startStaticServer({
    pages: { "/": "<!doctype html><title>bench</title>" },
    mounts: { "/pkg/": pkgDir, ...(jirajsBundleDir ? { "/jirajs/": jirajsBundleDir } : {}) },
  });
  const { origin } = server;
  const browser = await launchChromium();
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
          // The glue's init answers the wasm exports it already has (the entry initialised it).
          const exports = await (await import(url.replace(/browser\.js$/, "jira_webhooks.js"))).__init();
          return { importMs: t1 - t0, wasmFetchMs: wasm ? wasm.responseEnd - wasm.startTime : null, memory: exports.memory.buffer.byteLength };
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
    await server.close();
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
