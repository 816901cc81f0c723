// Shared by the demo page's end-to-end tests: Chromium (Debian's, through playwright-core), a page per test with
// every console error and page error collected, a screenshot per test under test-output/e2e/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { chromium } from "playwright-core";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const OUT = join(ROOT, "test-output", "e2e");
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];
const PKG_FILES = ["browser.js", "jira_webhooks.js", "jira_webhooks_bg.wasm"].map((f) => join(ROOT, "pkg", f));

/** pkg/ may be rebuilt by someone else meanwhile (it is deleted and written again): wait until it is whole. */
export async function waitForPkg(timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sizes = PKG_FILES.map((f) => (existsSync(f) ? statSync(f).size : 0));
    if (sizes.every((s) => s > 0)) {
      await sleep(500);
      const again = PKG_FILES.map((f) => (existsSync(f) ? statSync(f).size : 0));
      if (again.every((s, i) => s === sizes[i])) return;
    }
    if (Date.now() > deadline) throw new Error("pkg/ is not built: run `SKIP_SETUP=1 node scripts/build.mjs` first");
    await sleep(1000);
  }
}

export const launch = () => chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });

/**
 * Opens `url` in a fresh context and waits for the page to be ready (html[data-app=ready]).
 * Returns { page, context, problems } where problems collects console errors and page errors.
 * A load that failed because pkg/ was being rebuilt (a 404 under /pkg/) is tried again, in a fresh context.
 */
export async function openPage(browser, url, { width = 1280, height = 900 } = {}) {
  for (let attempt = 1; ; attempt++) {
    await waitForPkg();
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    const problems = [];
    const pkgMissing = [];
    page.on("console", (m) => m.type() === "error" && problems.push(`console.error: ${m.text()}`));
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("response", (r) => r.status() === 404 && new URL(r.url()).pathname.startsWith("/pkg/") && pkgMissing.push(r.url()));
    // A native window.confirm/alert/prompt would be a bug: the page uses its own <dialog>.
    page.on("dialog", (d) => {
      problems.push(`native ${d.type()} dialog: ${d.message()}`);
      d.dismiss().catch(() => {});
    });
    try {
      await page.goto(url);
      await page.waitForSelector("html[data-app=ready]", { timeout: 20_000 });
      return { page, context, problems };
    } catch (e) {
      await context.close();
      if (attempt < 3 && pkgMissing.length) continue;
      throw e;
    }
  }
}

const slug = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 80);

/**
 * A test with a page: `fn({ page, problems, ... })`. Afterwards a full-page screenshot goes to test-output/e2e/,
 * and the test fails on any console error or page error except those matching `allow` (the browser's own
 * "Failed to load resource" lines for statuses a test provokes on purpose).
 */
export function e2e(name, { open, allow = [], width, height } = {}, fn) {
  test(name, async () => {
    mkdirSync(OUT, { recursive: true });
    const session = await open({ width, height });
    try {
      await fn(session);
    } finally {
      await session.page.screenshot({ path: join(OUT, `${slug(name)}.png`), fullPage: true }).catch(() => {});
      await session.context.close();
    }
    const unexpected = session.problems.filter((p) => !allow.some((re) => re.test(p)));
    assert.deepEqual(unexpected, [], "console errors or page errors");
  });
}

/** The line Chromium logs for a fetch answered with `status`. */
export const failedLoad = (status) => new RegExp(`^console\\.error: Failed to load resource: the server responded with a status of ${status}\\b`);

/** Waits until `fn` (run in the page) returns something truthy. */
export const until = (page, fn, arg, timeout = 10_000) => page.waitForFunction(fn, arg, { timeout });
