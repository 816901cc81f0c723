// Takes the README's screenshot of the demo page: node tests/e2e/screenshot.mjs  ->  www/screenshot.png
// (1280 px wide, the whole page, against the seeded fake Jira).
import { join } from "node:path";
import { startDemo } from "../../scripts/start.mjs";
import { launchChromium } from "../support/browser.mjs";
import { ROOT, openPage } from "./harness.mjs";

const demo = await startDemo({ port: 0 });
const browser = await launchChromium();
try {
  const { page, context, problems } = await openPage(browser, `${demo.url}/`, { width: 1280, height: 900 });
  await page.waitForFunction(() => document.querySelectorAll("#webhooks-body tr").length && document.querySelectorAll("#failed-body tr").length);
  await page.locator("#failed-body details").first().locator("summary").click();
  await page.locator("#failed-body summary").first().blur();
  await page.mouse.move(0, 0);
  const out = join(ROOT, "www", "screenshot.png");
  await page.screenshot({ path: out, fullPage: true });
  await context.close();
  if (problems.length) throw new Error(`console errors: ${problems.join("; ")}`);
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await demo.close();
}
