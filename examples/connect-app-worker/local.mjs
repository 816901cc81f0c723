// Runs this Worker locally in Miniflare 4 (workerd with local D1, Queues, Durable Objects and cron), built the way
// `wrangler deploy` builds it, with the jira-webhooks package of this repository (pkg/, packed and installed like a
// user gets it): esbuild with the "workerd" condition, the .wasm kept as its own CompiledWasm module, the bindings,
// queues, Durable Objects and vars of wrangler.jsonc (vars overridable), the D1 migrations applied.
// Used by fleet.mjs and tests/fleet/ (and, through `startWorker` and the waiting helpers at the end, by
// examples/oauth-integration-worker/).
// Miniflare's queue broker runs one consumer invocation per queue at a time: `max_concurrency` has no local effect.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { build } from "esbuild";
import { Log, LogLevel, Miniflare } from "miniflare";
import { installPackage } from "../../tests/support/pack.mjs";

export const APP_DIR = fileURLToPath(new URL(".", import.meta.url));

/** wrangler.jsonc of `appDir`, comments removed. */
export function wranglerConfig(appDir = APP_DIR) {
  const text = readFileSync(join(appDir, "wrangler.jsonc"), "utf8");
  // Drop // comments outside strings (the only comments the file uses).
  return JSON.parse(text.replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*/g, (m, string) => string ?? ""));
}

/** The D1 migrations' statements of `appDir`, in file order. */
export function migrations(appDir = APP_DIR) {
  const dir = join(appDir, "migrations");
  return readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()
    .flatMap((f) => readFileSync(join(dir, f), "utf8").replace(/--[^\n]*/g, "").split(";"))
    .map((s) => s.trim()).filter(Boolean);
}

/** Bundles the Worker's `main` as Wrangler does; resolves "jira-webhooks" to this repo's packed package. */
async function bundle(appDir, main) {
  const { dir, tmp } = await installPackage();
  const outdir = mkdtempSync(join(tmp, "worker-"));
  const result = await build({
    entryPoints: { worker: join(appDir, main) },
    bundle: true, format: "esm", platform: "neutral", target: "es2022",
    conditions: ["workerd", "worker", "browser"], external: ["cloudflare:*"],
    loader: { ".wasm": "copy" }, assetNames: "[name]",
    outdir, logLevel: "silent",
    plugins: [{
      name: "jira-webhooks-from-pkg",
      setup(b) {
        b.onResolve({ filter: /^jira-webhooks(\/|$)/ }, (args) =>
          args.pluginData?.again ? undefined : b.resolve(args.path, { kind: args.kind, resolveDir: dir, pluginData: { again: true } }));
      },
    }],
  });
  if (result.errors.length || result.warnings.length) throw new Error(JSON.stringify([...result.errors, ...result.warnings]));
  return outdir;
}

/** A free port on 127.0.0.1 (the app's URL must be known before the Worker starts). */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts this Worker in Miniflare.
 * @param {{ vars?: Record<string, string>, consumers?: Record<string, object>, log?: boolean }} [options]
 *   vars: overrides of wrangler.jsonc's vars (APP_BASE_URL defaults to the local URL);
 *   consumers: overrides of a consumer's settings by queue name, in wrangler's names (max_batch_size, …)
 * @returns {Promise<{ url: string, mf: Miniflare, db: D1Database, scheduled: () => Promise<void>, config: object, dispose: () => Promise<void> }>}
 */
export const startApp = (options = {}) => startWorker({ appDir: APP_DIR, ...options });

/**
 * Starts the Worker of `appDir` (its wrangler.jsonc, migrations/ and `main`) in Miniflare.
 * @param {{ appDir: string, vars?: Record<string, string>, consumers?: Record<string, object>, log?: boolean,
 *   port?: number, stdio?: (stdout: import("node:stream").Readable, stderr: import("node:stream").Readable) => void }} options
 *   port: where it listens (default: a free one); stdio: gets workerd's output (the Worker's console) instead of
 *   this process's stdout and stderr
 */
export async function startWorker({ appDir, vars = {}, consumers = {}, log = false, port, stdio } = {}) {
  const config = wranglerConfig(appDir);
  const outdir = await bundle(appDir, config.main);
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  const consumer = (c) => ({ ...c, ...consumers[c.queue] });
  // SQLite-backed Durable Object classes are the ones a migration creates with `new_sqlite_classes`.
  const sqlite = new Set((config.migrations ?? []).flatMap((m) => m.new_sqlite_classes ?? []));
  const durableObjects = Object.fromEntries((config.durable_objects?.bindings ?? []).map((b) =>
    [b.name, { className: b.class_name, useSQLite: sqlite.has(b.class_name) }]));
  const mf = new Miniflare({
    host: "127.0.0.1",
    port,
    modulesRoot: outdir,
    modules: [
      { type: "ESModule", path: join(outdir, "worker.js") },
      { type: "CompiledWasm", path: join(outdir, "jira_webhooks_bg.wasm") },
    ],
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags ?? [],
    bindings: { ...config.vars, APP_BASE_URL: url, ...vars },
    d1Databases: Object.fromEntries(config.d1_databases.map((d) => [d.binding, d.database_id])),
    durableObjects,
    queueProducers: Object.fromEntries(config.queues.producers.map((p) => [p.binding, { queueName: p.queue }])),
    queueConsumers: Object.fromEntries(config.queues.consumers.map(consumer).map((c) => [c.queue, {
      maxBatchSize: c.max_batch_size, maxBatchTimeout: c.max_batch_timeout, maxRetries: c.max_retries,
      retryDelay: c.retry_delay, deadLetterQueue: c.dead_letter_queue,
    }])),
    cf: false, // no download of Cloudflare's request.cf data
    log: new Log(log ? LogLevel.INFO : LogLevel.WARN),
    ...(stdio && { handleRuntimeStdio: stdio }),
  });
  await mf.ready;
  const db = await mf.getD1Database("DB");
  await db.batch(migrations(appDir).map((sql) => db.prepare(sql)));
  const worker = await mf.getWorker();
  return {
    url, mf, db, config,
    /** Fires the cron trigger once. */
    scheduled: async () => {
      const result = await worker.scheduled({ cron: config.triggers.crons[0] });
      if (result.outcome !== "ok") throw new Error(`scheduled: ${result.outcome}`);
    },
    dispose: () => mf.dispose(),
  };
}

/** Polls `check` until it returns true; throws after `timeoutMs`. */
export async function until(what, check, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Resolves when no sync is queued or retrying, by `countsQuery` (rows of `status` and `n`, the syncs per status);
 * logs the counts every 10 s.
 */
export async function syncsSettledBy(db, countsQuery, timeoutMs, log = () => {}) {
  let lastLog = Date.now();
  await until("the syncs", async () => {
    const { results } = await db.prepare(countsQuery).all();
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`  syncs: ${results.map((r) => `${r.status} ${r.n}`).join(", ")}`);
    }
    return results.every((r) => r.status !== "queued" && r.status !== "retrying");
  }, timeoutMs);
}

/** Runs `fn` over `items`, `limit` at a time. */
export async function eachConcurrently(items, limit, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}
