// Chromium for the tests and the bench: the system's /usr/bin/chromium (Debian's package, installed by
// scripts/setup.sh) driven by playwright-core, always with the same flags.
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** No sandbox (the tests run as root), no GPU, no background traffic of its own (updates, sync), no QUIC. */
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

/**
 * Launches headless Chromium (failing after 30 s); close it with `browser.close()`, once per test file.
 * @returns {Promise<import("playwright-core").Browser>}
 */
export async function launchChromium() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/**
 * Collects what a page reports that a test should fail on, as lines: "pageerror: <stack>" for an uncaught error
 * and "console.<type>: <text>" for a console message of one of `types`.
 * @param {import("playwright-core").Page} page
 * @param {string[]} [types] console message types to collect
 * @returns {string[]} filled while the page runs
 */
export function pageProblems(page, types = ["error", "warning"]) {
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.stack ?? e}`));
  page.on("console", (m) => types.includes(m.type()) && problems.push(`console.${m.type()}: ${m.text()}`));
  return problems;
}
