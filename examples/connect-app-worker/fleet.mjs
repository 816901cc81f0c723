// The whole app against a fleet of Jira sites, on this machine: the Worker in Miniflare (local D1, Queues, cron)
// and the repository's fake Jira serving N sites, with its per-app rate limiter (429 + Retry-After) and, with
// --faults, connections dropped after Jira applied a registration and failing list calls.
//   npm run fleet -- --tenants N [--faults] [--rate-limit RPS:BURST] [--max-backoff SECONDS] [--verbose]
// (`npm run fleet -- --oauth …` runs examples/oauth-integration-worker/fleet.mjs instead)
// (--max-backoff: the worker's SYNC_MAX_BACKOFF_SECONDS, 60 by default here; --verbose: Miniflare's request log)
// Installs N tenants (each a signed `installed` callback, which queues its first sync: all at once), waits until
// every sync ended, fires the cron (a second round, paced under the limit: it must find nothing to write), fires two
// events on every site, waits until every delivery was processed, and prints a summary whose last line is JSON.
// Exits 1 if a webhook is missing or duplicated, a tenant did not sync, a delivery was lost or processed twice.
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { eachConcurrently, startApp, syncsSettledBy, until } from "./local.mjs";
import { WEBHOOKS } from "./src/webhooks.js";
import { startFakeJira } from "jira-webhooks-fake";
import { CONNECT_APP } from "jira-webhooks-fake/helpers";

/** Local settings: backoffs of seconds, no wait before the first sync, rounds spread over `spreadSeconds`. */
export const localVars = (fake, { maxBackoffSeconds = 60, spreadSeconds = 0 } = {}) => ({
  CONNECT_INSTALL_KEYS_URL: `${fake.url}/_fake/connect-keys`,
  SYNC_SPREAD_SECONDS: String(spreadSeconds),
  SYNC_BACKOFF_SECONDS: "1",
  SYNC_MAX_BACKOFF_SECONDS: String(maxBackoffSeconds),
  SYNC_ON_INSTALL_DELAY_SECONDS: "0",
  JIRA_TIMEOUT_MS: "10000",
});
/** Miniflare runs one consumer invocation at a time: a short batch timeout; failed delivery batches back after 1 s. */
export const LOCAL_CONSUMERS = {
  "jira-webhook-sync": { max_batch_timeout: 1 },
  "jira-deliveries": { max_batch_timeout: 1, retry_delay: 1 },
};
export const FAULTS = [
  { type: "reset", operation: "registerDynamicWebhooks", apply: true, probability: 0.3 },
  { type: "reset", operation: "getDynamicWebhooksForApp", probability: 0.03 },
  { type: "status", status: 503, operation: "getDynamicWebhooksForApp", probability: 0.03 },
];
/** Fired on every site (the fake's default issue DEMO-1, a Task, matches both webhooks' JQL). */
export const EVENTS = [{ event: "jira:issue_created" }, { event: "comment_created" }];

export { until };

/** Resolves when no installed tenant has a sync queued or retrying; logs the counts every 10 s. */
export const syncsSettled = (db, timeoutMs, log) =>
  syncsSettledBy(db, "SELECT sync_status AS status, COUNT(*) AS n FROM tenants WHERE installed = 1 GROUP BY sync_status", timeoutMs, log);

/**
 * The Worker's console (workerd's stdout and stderr, from startWorker's `stdio`): every line that is JSON is
 * checked, and each Jira call (a line with `operation`) counted. A line that matches `secret`, or a call line with
 * another key than `keys`, is a defect. Other lines are passed on when `verbose` (errors always).
 * @param {{ secret: RegExp, keys: string[], verbose?: boolean, keep?: boolean }} options  keep: also keep every
 *   parsed line in `entries`
 */
export function workerLog({ secret, keys, verbose = false, keep = false }) {
  const stats = { calls: 0, lines: 0, malformed: 0, secrets: 0, byStatus: {}, nearLimit: 0, events: {} };
  const entries = [];
  const read = (stream, other) => createInterface({ input: stream }).on("line", (line) => {
    if (secret.test(line)) stats.secrets++;
    if (!line.startsWith("{")) {
      if (verbose || /error/i.test(line)) other.write(`${line}\n`);
      return;
    }
    stats.lines++;
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      stats.malformed++;
      return;
    }
    if (keep) entries.push(entry);
    if (entry.operation) {
      stats.calls++;
      stats.byStatus[entry.status] = (stats.byStatus[entry.status] ?? 0) + 1;
      if (Object.keys(entry).some((k) => !keys.includes(k))) stats.malformed++;
      if (entry.rateLimit?.nearLimit === "true" && entry.status < 300) stats.nearLimit++;
    }
    if (entry.event) {
      const name = entry.reason ? `${entry.event} ${entry.reason}` : entry.event;
      stats.events[name] = (stats.events[name] ?? 0) + 1;
    }
  });
  return { stats, entries, stdio: (stdout, stderr) => { read(stdout, process.stdout); read(stderr, process.stderr); } };
}

/** Per site: the desired webhooks missing, and the extra copies of desired webhooks. */
export function checkWebhooks(fake, sites, url) {
  const key = (w) => JSON.stringify([[...w.events].sort(), w.jqlFilter, [...(w.fieldIdsFilter ?? [])].sort()]);
  let missing = 0;
  let duplicated = 0;
  const now = fake.now();
  for (const site of sites) {
    const live = fake.site(site).state.apps[CONNECT_APP].webhooks.filter((w) => w.expirationDate >= now && w.url === url);
    for (const desired of WEBHOOKS) {
      const n = live.filter((w) => key(w) === key(desired)).length;
      if (n === 0) missing++;
      if (n > 1) duplicated += n - 1;
    }
  }
  return { missing, duplicated };
}

/**
 * @param {{ tenants: number, faults?: boolean, rateLimit?: { requestsPerSecond: number, burst: number },
 *   log?: (line: string) => void, logWorker?: boolean }} options
 */
export async function runFleet({ tenants, faults = false, rateLimit = { requestsPerSecond: 50, burst: 50 }, maxBackoffSeconds = 60, log = console.log, logWorker = false }) {
  const fake = await startFakeJira({ port: 0, rateLimit, faultSeed: 7 });
  // The cron round is paced to about 80 % of the limit (one call per tenant); the installs are not: they all come at once.
  const spreadSeconds = Math.ceil(tenants / (0.8 * rateLimit.requestsPerSecond));
  // Shared secrets are base64url HMACs (43 characters); a Connect JWT starts with eyJ.
  const calls = workerLog({ secret: /\bJWT\s|eyJ[\w-]{10,}\.|connect-shared-secret-for-tests/, keys: ["operation", "clientKey", "status", "attempt", "durationMs", "retryAfter", "rateLimit"], verbose: logWorker });
  const app = await startApp({ vars: localVars(fake, { maxBackoffSeconds, spreadSeconds }), consumers: LOCAL_CONSUMERS, log: logWorker, stdio: calls.stdio });
  const { db } = app;
  try {
    const sites = Array.from({ length: tenants }, (_, i) => `tenant-${String(i + 1).padStart(5, "0")}`);
    const settleMs = 60_000 + tenants * 500;
    if (faults) FAULTS.forEach((f) => fake.injectFault(f));
    log(`fake Jira ${fake.url}: ${tenants} sites, rate limit ${rateLimit.requestsPerSecond}/s (burst ${rateLimit.burst})${faults ? `, faults ${JSON.stringify(FAULTS)}` : ""}`);
    log(`worker ${app.url} in Miniflare; a cron round is spread over ${spreadSeconds} s`);
    const started = Date.now();

    // 1. Installs: each a signed `installed` callback, which stores the tenant and queues its first sync.
    const statuses = {};
    await eachConcurrently(sites, 10, async (site) => {
      const status = await fake.installApp({ site, appBaseUrl: app.url });
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
    log(`installed: ${JSON.stringify(statuses)} in ${Date.now() - started} ms`);
    await syncsSettled(db, settleMs, log);
    const firstRound = fake.stats().total;
    log(`first syncs done in ${Date.now() - started} ms: ${JSON.stringify(firstRound.requests)}, ${firstRound.rateLimited} rate-limited`);

    // 2. The cron: a round over every tenant, which must find everything in place.
    const beforeCron = Date.now();
    await app.scheduled();
    await syncsSettled(db, settleMs, log);
    const afterCron = fake.stats().total;
    const cronCalls = Object.values(afterCron.requests).reduce((a, b) => a + b, 0) - Object.values(firstRound.requests).reduce((a, b) => a + b, 0);
    const cronWrites = (afterCron.requests.registerDynamicWebhooks ?? 0) - (firstRound.requests.registerDynamicWebhooks ?? 0) +
      (afterCron.requests.deleteWebhookById ?? 0) - (firstRound.requests.deleteWebhookById ?? 0);
    log(`cron round done in ${Date.now() - beforeCron} ms: ${cronCalls} calls, ${afterCron.rateLimited - firstRound.rateLimited} rate-limited, ${cronWrites} writes`);
    fake.clearFaults();

    // 3. Events on every site; each delivery is verified, deduplicated, queued and processed.
    const beforeEvents = Date.now();
    for (const site of sites) for (const e of EVENTS) fake.emit({ ...e, site });
    await fake.deliveriesSettled();
    const answered = new Set(fake.deliveries.filter((d) => d.status >= 200 && d.status < 300).map((d) => `${d.site}/${d.id}`));
    const processed = async () => (await db.prepare("SELECT COUNT(*) AS n FROM (SELECT DISTINCT client_key, delivery_id FROM processed_deliveries)").first()).n;
    await until("the deliveries", async () => (await processed()) >= answered.size, settleMs);
    await sleep(1500); // anything queued twice would be processed by now
    log(`deliveries done in ${Date.now() - beforeEvents} ms: ${answered.size} answered 2xx by the worker, ${fake.deliveries.length} attempts`);

    const wallMs = Date.now() - started;
    const stats = fake.stats().total;
    const { missing, duplicated } = checkWebhooks(fake, sites, `${app.url}/webhook`);
    const synced = (await db.prepare("SELECT COUNT(*) AS n FROM tenants WHERE installed = 1 AND sync_status = 'ok'").first()).n;
    const twice = (await db.prepare("SELECT COUNT(*) AS n FROM (SELECT 1 FROM processed_deliveries GROUP BY client_key, delivery_id HAVING COUNT(*) > 1)").first()).n;
    const notOk = (await db.prepare("SELECT client_key, sync_status, sync_detail FROM tenants WHERE sync_status <> 'ok' LIMIT 5").all()).results;
    if (notOk.length) log(`not synced: ${JSON.stringify(notOk)}`);
    const attempts = (await db.prepare("SELECT MAX(sync_attempts) AS max FROM tenants").first()).max;
    const faultsHit = {};
    for (const r of fake.requests) {
      if (!r.fault) continue;
      const name = `${r.fault.type}${r.fault.status ? ` ${r.fault.status}` : ""}${r.fault.apply ? " after Jira acted on" : ""} ${r.operation}`;
      faultsHit[name] = (faultsHit[name] ?? 0) + 1;
    }
    log(`jira calls by operation: ${JSON.stringify(stats.requests)}; faults hit: ${JSON.stringify(faultsHit)}`);
    log(`fake's duplicate count ${stats.duplicates}; most attempts of a sync message ${attempts}`);
    log(`worker log: ${calls.stats.calls} call lines (the fake saw ${fake.requests.length} requests), ${calls.stats.malformed} malformed, ` +
      `${calls.stats.secrets} with a secret; by status ${JSON.stringify(calls.stats.byStatus)}; ${JSON.stringify(calls.stats.events)}`);
    const summary = {
      tenants, synced, webhooksMissing: missing, webhooksDuplicated: Math.max(duplicated, stats.duplicates),
      jiraCalls: Object.values(stats.requests).reduce((a, b) => a + b, 0), rateLimited: stats.rateLimited,
      deliveries: await processed(), processedTwice: twice, wallMs,
    };
    const ok = synced === tenants && missing === 0 && summary.webhooksDuplicated === 0 && twice === 0 &&
      summary.deliveries === tenants * EVENTS.length && answered.size === summary.deliveries && cronWrites === 0 &&
      fake.selfCheckFailures.length === 0 && calls.stats.calls === fake.requests.length && calls.stats.malformed === 0 && calls.stats.secrets === 0;
    log(ok ? "OK" : "FAILED");
    log(JSON.stringify(summary));
    return { ok, summary };
  } finally {
    await app.dispose();
    await fake.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href && process.argv.includes("--oauth")) {
  // `npm run fleet -- --oauth …`: the OAuth 2.0 integration instead (examples/oauth-integration-worker/).
  const { main } = await import("../oauth-integration-worker/fleet.mjs");
  process.exit(await main(process.argv.slice(2)));
} else if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { tenants: { type: "string", default: "20" }, faults: { type: "boolean", default: false },
      "rate-limit": { type: "string", default: "50:50" }, "max-backoff": { type: "string", default: "60" },
      verbose: { type: "boolean", default: false } },
  });
  const tenants = Number(values.tenants);
  const [requestsPerSecond, burst = requestsPerSecond] = values["rate-limit"].split(":").map(Number);
  const maxBackoffSeconds = Number(values["max-backoff"]);
  if (!Number.isInteger(tenants) || tenants < 1 || !(requestsPerSecond > 0) || !(maxBackoffSeconds > 0)) {
    console.error("usage: fleet.mjs --tenants N [--faults] [--rate-limit RPS:BURST] [--max-backoff SECONDS] [--verbose]");
    process.exit(2);
  }
  const { ok } = await runFleet({ tenants, faults: values.faults, rateLimit: { requestsPerSecond, burst }, maxBackoffSeconds, logWorker: values.verbose });
  process.exit(ok ? 0 : 1);
}
