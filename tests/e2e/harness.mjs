// Shared by the demo page's end-to-end tests: a page per test with every console error and page error collected,
// a screenshot per test under test-output/e2e/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { pageProblems } from "../support/browser.mjs";
import { ROOT, waitForPkg } from "../support/pack.mjs";

export { ROOT };
export const OUT = join(ROOT, "test-output", "e2e");

/**
 * Opens `url` in a fresh context and waits for the page to be ready (html[data-app=ready]).
 * Returns { page, context, problems } where problems collects console errors and page errors.
 * pkg/ may be rebuilt by someone else meanwhile: each load waits until it is whole and settled, and a load that
 * failed because pkg/ was being rebuilt (a 404 under /pkg/) is tried again, in a fresh context.
 */
export async function openPage(browser, url, { width = 1280, height = 900 } = {}) {
  for (let attempt = 1; ; attempt++) {
    await waitForPkg(180_000);
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    const problems = pageProblems(page, ["error"]);
    const pkgMissing = [];
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
