// Takes the README's screenshot of the demo page: node tests/e2e/screenshot.mjs  ->  www/screenshot.png
// (1280 px wide, the whole page, against the seeded fake Jira): the sync panel applied (it registers the demo's
// receiver), then an event fired, delivered and sent again, so the deliveries panel shows a verified delivery
// and a dropped duplicate. The fake keeps a points budget (65,000 an hour, Atlassian's tier-1 figure), so the
// Last calls panel shows the rate-limit headers Jira sends with each answer.
import { join } from "node:path";
import { startDemo } from "../../scripts/start.mjs";
import { launchChromium } from "../support/browser.mjs";
import { ROOT, openPage } from "./harness.mjs";

const demo = await startDemo({ port: 0, fakeOptions: { pointsPerHour: 65_000 } });
const browser = await launchChromium();
try {
  const { page, context, problems } = await openPage(browser, demo.pageUrl, { width: 1280, height: 900 });
  await page.waitForFunction(() => document.querySelectorAll("#webhooks-body tr").length && document.querySelectorAll("#failed-body tr").length &&
    document.querySelector("#deliveries-live").textContent === "Listening");
  await page.click("#sync-apply");
  await page.getByRole("button", { name: /^Apply and delete/ }).click();
  await page.waitForFunction(() => document.querySelector("#sync-outcome").dataset.applied === "true");
  await page.click("#fire");
  await page.waitForFunction(() => document.querySelector("#deliveries-body tr")?.dataset.outcome === "verified");
  await page.click("#resend");
  await page.waitForFunction(() => document.querySelectorAll("#deliveries-body tr").length === 2);
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
