// Vite 7 production build (the JS API, `build.target: "esnext"` for the package's top-level await) of a tiny
// app that does `import { JiraWebhooks } from "jira-webhooks"` from the installed package; the output is
// served statically and loaded in Chromium, which drives the five operations against the fake (Connect JWT).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build, createLogger } from "vite";
import { launchChromium } from "../support/browser.mjs";
import { useFake } from "../support/fake.mjs";
import { startStaticServer } from "../support/static.mjs";
import { AUTHS, INPUT, checkDrive, drive, installPackage, prepareFake, runPage } from "./common.mjs";

const MAIN = `import { JiraWebhooks } from "jira-webhooks";
const drive = ${drive};
const env = JSON.parse(decodeURIComponent(location.hash.slice(1)));
window.__result = drive({ JiraWebhooks }, { baseUrl: env.fakeUrl, auth: env.auth }, env.input).then(
  (ok) => ({ ok }),
  (e) => ({ fail: String(e?.stack ?? e) }),
);
`;
const INDEX = `<!doctype html>
<html><head><meta charset="utf-8"><title>vite app</title><link rel="icon" href="data:,"></head><body>
<script type="module" src="./main.js"></script>
</body></html>`;

const fake = useFake();
let server, browser, dist, dir;
const warnings = [];

before(async () => {
  ({ dir } = await installPackage());
  const root = join(dir, "vite-app");
  dist = join(root, "dist");
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, "index.html"), INDEX);
  writeFileSync(join(root, "main.js"), MAIN);
  const logger = createLogger("warn", { allowClearScreen: false });
  const warn = logger.warn;
  logger.warn = (msg, options) => {
    warnings.push(msg);
    warn(msg, options);
  };
  await build({
    root,
    configFile: false,
    envFile: false,
    logLevel: "warn",
    customLogger: logger,
    build: { target: "esnext", outDir: dist, emptyOutDir: true, reportCompressedSize: false },
  });
  server = await startStaticServer({ mounts: { "/": dist } });
  browser = await launchChromium();
}, { timeout: 90_000 });

after(async () => {
  await browser?.close();
  await server?.close();
});

test("Vite production build: the output has the wasm as an asset, one chunk with top-level await", () => {
  assert.deepEqual(warnings, []);
  const assets = readdirSync(join(dist, "assets")).sort();
  const wasm = assets.filter((f) => f.endsWith(".wasm"));
  const js = assets.filter((f) => f.endsWith(".js"));
  assert.equal(wasm.length, 1, `one wasm asset: ${assets}`);
  assert.match(wasm[0], /^jira_webhooks_bg-[\w-]+\.wasm$/);
  assert.ok(readFileSync(join(dist, "assets", wasm[0])).equals(readFileSync(join(dir, "node_modules/jira-webhooks/jira_webhooks_bg.wasm"))),
    "the emitted wasm is the package's");
  assert.equal(js.length, 1, `one JS chunk: ${assets}`);
  const chunk = readFileSync(join(dist, "assets", js[0]), "utf8");
  // browser.js's top-level await survives (target esnext), now pointing at the hashed asset.
  const escaped = wasm[0].replace(/[.-]/g, "\\$&");
  assert.match(chunk, new RegExp(`\\bawait [\\w$]+\\(\\{module_or_path:new URL\\("/assets/${escaped}",import\\.meta\\.url\\)\\}\\)`));
  assert.match(readFileSync(join(dist, "index.html"), "utf8"), new RegExp(`<script type="module" crossorigin src="/assets/${js[0]}">`));
});

test("Vite production build in Chromium: the five operations (Connect JWT)", { timeout: 60_000 }, async () => {
  await prepareFake(fake);
  const env = { fakeUrl: fake.url, auth: AUTHS.connect, input: INPUT };
  const { result, problems } = await runPage(browser, `${server.origin}/index.html#${encodeURIComponent(JSON.stringify(env))}`);
  assert.equal(result.fail, undefined, result.fail);
  checkDrive(result.ok, fake, { user: null }); // a Connect JWT without `sub`: the app itself
  assert.deepEqual(problems, []);
  const wasmRequests = server.served.filter(([p]) => p.endsWith(".wasm"));
  assert.equal(wasmRequests.length, 1);
  assert.deepEqual(server.served.filter(([, status]) => status !== 200), []);
});
