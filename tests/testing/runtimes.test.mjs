// The kit where apps run: one scenario (a sync through faults, Jira's clock running out the webhooks, an emitted
// event retried into the package's handler, the three kinds of signedDelivery) pasted as source into Node, a Worker in
// workerd (bundled as a Worker project bundles it, with no outbound network at all) and a Chromium page (the package's
// files through an import map, no bundler). Each must give Node's result.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "../support/browser.mjs";
import { startStaticServer } from "../support/static.mjs";
import { bundleWorker, importFromConsumer, runPage, serveWorkerd, workerdConfig } from "../runtimes/common.mjs";
import { loadKit } from "./common.mjs";

/** Self-contained (its source is pasted into a Worker and a page): what the kit does for an app's test, as JSON. */
async function scenario(kit, lib) {
  const HOOK = "https://app.example.com/webhooks/jira";
  const desired = { url: HOOK, webhooks: [{ events: ["jira:issue_created", "comment_created"], jqlFilter: "project = DEMO" }] };
  const jira = kit.createFakeJira({ retryDelaysMs: [1] });
  const client = new lib.JiraWebhooks({ ...jira.config(), retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5 } });
  const out = {};
  jira.injectFault({ type: "rate-limit", retryAfter: 0, operation: "getDynamicWebhooksForApp" });
  jira.injectFault({ type: "reset", operation: "registerDynamicWebhooks", apply: true });
  out.first = (await client.syncWebhooks(desired)).created.map((c) => c.id);
  out.held = jira.webhooks().map((w) => [w.id, w.app, Math.round((w.expirationDate - jira.now()) / 60_000)]);
  out.second = (await client.syncWebhooks(desired)).created.length;
  jira.advance(31 * 86_400_000);
  out.expired = jira.webhooks().length;
  out.third = (await client.syncWebhooks(desired)).created.map((c) => c.id);

  const seen = [];
  let failures = 1;
  const handler = lib.createWebhookHandler({
    connect: { baseUrl: "https://app.example.com", sharedSecret: async (clientKey) => (clientKey === jira.connect.clientKey ? jira.connect.sharedSecret : undefined) },
    oauth: { clientSecret: jira.oauth.clientSecret },
    hmac: { secret: "hmac-secret" },
    onError: (error, context) => void seen.push(["onError", context.code, context.event]),
    on: {
      "*": (payload, delivery) => {
        if (failures-- > 0) throw new Error("the handler fails once");
        seen.push([delivery.event, payload.issue?.key ?? null, delivery.site, delivery.retry]);
      },
    },
  });
  out.emitted = (await jira.emit({ event: "jira:issue_created", issue: { key: "DEMO-3" } }, handler)).map((d) => [d.app, d.outcome, d.attempts.map((a) => a.status ?? a.error)]);
  out.notMatched = (await jira.emit({ event: "jira:issue_created", issue: { key: "OPS-3" } }, handler)).length;
  out.signed = [];
  for (const signature of [
    { connect: { clientKey: jira.connect.clientKey, sharedSecret: jira.connect.sharedSecret, baseUrl: "https://app.example.com" } },
    { oauth: { clientSecret: jira.oauth.clientSecret, cloudId: "cloud-1" } },
    { hmac: { secret: "hmac-secret" } },
    { hmac: { secret: "guessed" } },
  ]) out.signed.push((await handler(await kit.signedDelivery({ url: HOOK, event: "comment_created", id: crypto.randomUUID(), ...signature }))).status);
  out.seen = seen;
  out.requests = jira.requests.map((r) => [r.operation, r.status]);
  out.applied = jira.applied.map((a) => [a.operation, a.ids]);
  return out;
}

const WORKER = `import * as kit from "jira-webhooks/testing";
import * as lib from "jira-webhooks/lifecycle";
const scenario = ${scenario};
export default {
  async fetch(request) {
    try {
      const ok = await scenario(kit, lib);
      // The Worker has no outbound network: a fetch to a server that is listening fails.
      const probe = new URL(request.url).searchParams.get("probe");
      const network = await fetch(probe).then((r) => "reached " + r.status, (e) => "refused: " + e.message);
      return Response.json({ ok, runtime: navigator.userAgent, network });
    } catch (e) {
      return Response.json({ fail: String(e?.stack ?? e) }, { status: 500 });
    }
  },
};
`;


const DIR = "/node_modules/jira-webhooks";
const IMPORT_MAP = { imports: { "jira-webhooks/lifecycle": `${DIR}/lifecycle/browser.js`, "jira-webhooks/testing": `${DIR}/testing.js` } };
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="importmap">${JSON.stringify(IMPORT_MAP)}</script></head><body>
<script type="module">
import * as kit from "jira-webhooks/testing";
import * as lib from "jira-webhooks/lifecycle";
const scenario = ${scenario};
scenario(kit, lib).then((ok) => (window.__result = { ok }), (e) => (window.__result = { fail: String(e?.stack ?? e) }));
</script></body></html>`;

let reference, dir, tmp;
before(async () => {
  ({ dir, tmp } = await loadKit());
  const entry = await importFromConsumer(dir, `kit-scenario-${process.pid}.mjs`,
    `export * as kit from "jira-webhooks/testing";\nexport * as lib from "jira-webhooks/lifecycle";\n`);
  reference = await scenario(entry.kit, entry.lib);
}, { timeout: 60_000 });

test("Node: the scenario does what Jira would", () => {
  const r = reference;
  assert.deepEqual(r.first, [10000], "registered once although the answer was lost");
  assert.equal(r.held.length, 1);
  assert.equal(r.held[0][2], 30 * 24 * 60, "expires 30 days on (minutes)");
  assert.deepEqual([r.second, r.expired, r.third], [0, 0, [10001]]);
  assert.equal(r.emitted.length, 1);
  assert.deepEqual(r.emitted[0].slice(1), ["delivered", [500, 204]]);
  assert.equal(r.notMatched, 0);
  assert.deepEqual(r.signed, [204, 204, 204, 401]);
  assert.deepEqual(r.seen[0], ["onError", "handler-failed", "jira:issue_created"], "the first attempt failed in the handler");
  assert.deepEqual(r.seen.slice(1).map(([event, key, , retry]) => [event, key, retry]), [
    ["jira:issue_created", "DEMO-3", 1], ["comment_created", "DEMO-1", 0], ["comment_created", "DEMO-1", 0], ["comment_created", "DEMO-1", 0],
  ]);
  assert.deepEqual(r.seen.map(([, , site]) => site).slice(3), ["cloud-1", "https://your-domain.atlassian.net"]);
  assert.deepEqual(r.requests.slice(0, 3), [["getDynamicWebhooksForApp", 429], ["getDynamicWebhooksForApp", 200], ["registerDynamicWebhooks", null]]);
  assert.deepEqual(r.applied, [["registerDynamicWebhooks", [10000]], ["registerDynamicWebhooks", [10001]]]);
});

test("workerd: a Worker bundled with the kit and the lifecycle, with no outbound network, gives Node's result", { timeout: 60_000 }, async () => {
  const outdir = join(tmp, `kit-workerd-${process.pid}`);
  const inputs = await bundleWorker(dir, outdir, `kit-worker-${process.pid}.js`, WORKER);
  assert.ok(inputs.some((p) => p.endsWith("jira-webhooks/testing.js")));
  writeFileSync(join(outdir, "config.capnp"), workerdConfig({ allow: [] }));
  const worker = await serveWorkerd(outdir);
  const { logs } = worker;
  try {
    const listening = http.createServer((req, res) => res.end("reached")).listen(0, "127.0.0.1");
    await new Promise((resolve) => listening.once("listening", resolve));
    const probe = `http://127.0.0.1:${listening.address().port}/`;
    assert.equal(await (await fetch(probe)).text(), "reached", "the probe's server answers from Node");
    const res = await fetch(`${worker.origin}/?probe=${encodeURIComponent(probe)}`, { signal: AbortSignal.timeout(30_000) });
    const body = await res.json();
    listening.close();
    assert.equal(res.status, 200, body.fail);
    assert.equal(body.runtime, "Cloudflare-Workers");
    assert.match(body.network, /^refused: /, "no outbound network in the Worker");
    assert.deepEqual(body.ok, reference);
    // workerd reports the refused connection (with its own stack line), and nothing else.
    const report = /^.*connecting to 127\.0\.0\.1:\d+ is not allowed\n(?:stack: .*\n)?/m;
    for (let i = 0; i < 40 && !report.test(logs.join("")); i++) await new Promise((resolve) => setTimeout(resolve, 50)); // its pipe may lag
    assert.match(logs.join(""), report);
    assert.equal(logs.join("").replace(report, ""), "", "workerd logged nothing else");
  } finally {
    await worker.stop();
  }
});

let browser, server;
after(async () => {
  await browser?.close();
  await server?.close();
});

test("Chromium: a page with an import map and no bundler gives Node's result, without a console error", { timeout: 60_000 }, async () => {
  server = await startStaticServer({ pages: { "/kit.html": PAGE }, mounts: { "/node_modules/": join(dir, "node_modules") } });
  browser = await launchChromium();
  const { result, problems } = await runPage(browser, `${server.origin}/kit.html`);
  assert.equal(result.fail, undefined, result.fail);
  assert.deepEqual(result.ok, reference);
  assert.deepEqual(problems, []);
  assert.deepEqual(server.served.filter(([, status]) => status !== 200), []);
  assert.deepEqual(server.served.map(([path]) => path).filter((p) => p !== "/kit.html").sort(),
    [`${DIR}/lifecycle/browser.js`, `${DIR}/lifecycle/jira_webhooks.js`, `${DIR}/lifecycle/jira_webhooks_bg.wasm`, `${DIR}/testing.js`], "nothing but the package's files, and no request to Jira");
});
