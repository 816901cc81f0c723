// The lifecycle loop in workerd, Cloudflare's Workers runtime: a Worker bundled with jira-webhooks/lifecycle (the
// workerd condition: the wasm as a compiled module) syncs a Connect app's webhooks on the fake, receives the fake's
// deliveries at /webhook (Connect JWT verified in the isolate), gets a 500 retried once, and replays what failed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { installPackage } from "../support/pack.mjs";
import { startFakeJira } from "jira-webhooks-fake";
import { CONNECT_APP, CONNECT_SECRET, CONNECT_CLIENT_KEY } from "jira-webhooks-fake/helpers";
import { serveWorkerd, workerdConfig } from "../runtimes/common.mjs";

const WORKER = `import { JiraWebhooks, createWebhookHandler } from "jira-webhooks/lifecycle";
const handled = [];
const reports = [];
let failing = 0;
let settings;
let handler;
const client = () => new JiraWebhooks({ baseUrl: settings.fakeUrl, auth: { type: "connect", appKey: settings.appKey, sharedSecret: settings.secret } });
export default {
  async fetch(request) {
    const url = new URL(request.url);
    try {
      switch (url.pathname) {
        case "/webhook": return await handler(request);
        case "/setup":
          settings = await request.json();
          handler = createWebhookHandler({
            connect: { baseUrl: url.origin, sharedSecret: async (clientKey) => (clientKey === settings.clientKey ? settings.secret : undefined) },
            on: { "*": async (payload, delivery) => {
              handled.push({ id: delivery.id, retry: delivery.retry, event: delivery.event, clientKey: delivery.clientKey, replayed: !!delivery.replayed });
              if (failing-- > 0) throw new Error("failing on purpose");
            } },
            // Told of each failure (the error and which delivery, never a token) instead of the default log line.
            onError: (error, context) => reports.push({ code: context.code, id: context.id, event: context.event, message: String(error?.message) }),
          });
          handled.length = 0;
          return Response.json({ ok: true });
        case "/fail": failing = (await request.json()).times; return Response.json({ ok: true });
        case "/sync": return Response.json(await client().syncWebhooks(await request.json()));
        case "/handled": return Response.json(handled);
        case "/reports": return Response.json(reports);
        case "/replay": {
          const replayed = [];
          for await (const failure of client().failedWebhooks()) replayed.push(await handler.replay(failure, { site: settings.clientKey }));
          return Response.json(replayed.map((d) => d.id));
        }
      }
      return new Response("not found", { status: 404 });
    } catch (e) {
      return Response.json({ fail: String(e?.stack ?? e), kind: e?.kind }, { status: 500 });
    }
  },
};
`;


let fake, worker, origin;

before(async () => {
  const { dir, tmp } = await installPackage();
  writeFileSync(join(dir, "lifecycle-worker.js"), WORKER);
  const outdir = join(tmp, "workerd-lifecycle");
  const result = await build({
    entryPoints: [join(dir, "lifecycle-worker.js")], bundle: true, format: "esm", platform: "neutral",
    conditions: ["workerd", "worker", "browser"], loader: { ".wasm": "copy" }, assetNames: "[name]",
    outdir, entryNames: "worker", logLevel: "silent",
  });
  assert.deepEqual([...result.errors, ...result.warnings], []);
  writeFileSync(join(outdir, "config.capnp"), workerdConfig({ allow: ["local"] }));
  worker = await serveWorkerd(outdir);
  origin = worker.origin;
  fake = await startFakeJira({ port: 0, deliveryRetries: 2, deliveryRetryDelaysMs: [5] });
}, { timeout: 60_000 });

after(async () => {
  await fake?.close();
  await worker?.stop();
});

async function call(path, body) {
  const response = await fetch(origin + path, { method: body ? "POST" : "GET", body: body && JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  const json = await response.json();
  assert.equal(response.status, 200, JSON.stringify(json));
  return json;
}

test("workerd: sync once, a verified delivery retried after a 500 processed once, failures replayed once", { timeout: 60_000 }, async () => {
  await call("/setup", { fakeUrl: fake.url, appKey: CONNECT_APP, secret: CONNECT_SECRET, clientKey: CONNECT_CLIENT_KEY });
  const desired = { url: `${origin}/webhook`, webhooks: [{ events: ["jira:issue_created"], jqlFilter: "project = DEMO" }, { events: ["comment_created"], jqlFilter: "project = DEMO" }] };
  assert.equal((await call("/sync", desired)).created.length, 2);
  assert.equal((await call("/sync", desired)).created.length, 0, "no write the second time");
  assert.deepEqual(fake.applied.map((a) => a.operation), ["registerDynamicWebhooks"]);

  await call("/fail", { times: 1 });
  const [issue] = fake.emit({ event: "jira:issue_created", issue: { key: "DEMO-1", fields: { project: { key: "DEMO" } } } }).deliveries;
  await fake.deliveriesSettled();
  assert.deepEqual(fake.deliveries.map((d) => d.status), [500, 204]);
  assert.deepEqual(await call("/handled"), [
    { id: issue.id, retry: 0, event: "jira:issue_created", clientKey: CONNECT_CLIENT_KEY, replayed: false },
    { id: issue.id, retry: 1, event: "jira:issue_created", clientKey: CONNECT_CLIENT_KEY, replayed: false },
  ]);

  await call("/fail", { times: 3 });
  const [comment] = fake.emit({ event: "comment_created", issue: { key: "DEMO-2", fields: { project: { key: "DEMO" } } }, comment: { id: "7" } }).deliveries;
  await fake.deliveriesSettled();
  assert.deepEqual(await call("/replay", {}), [comment.id], "the failure, replayed");
  assert.deepEqual(await call("/replay", {}), [comment.id], "listed again by Jira");
  const handled = await call("/handled");
  assert.deepEqual(handled.filter((d) => d.replayed).map((d) => d.id), [comment.id], "but processed once");
  assert.deepEqual(await call("/reports"), [
    { code: "handler-failed", id: issue.id, event: "jira:issue_created", message: "failing on purpose" },
    ...[1, 2, 3].map(() => ({ code: "handler-failed", id: comment.id, event: "comment_created", message: "failing on purpose" })),
  ]);

  const forged = await fetch(`${origin}/webhook`, { method: "POST", headers: { authorization: "JWT a.b.c" }, body: "{}" });
  assert.equal(forged.status, 401);
  assert.equal(worker.logs.join(""), "", "nothing logged by workerd");
});
