// A Jira Connect app on Cloudflare Workers that keeps its dynamic webhooks registered and alive on every site it is
// installed on, and receives every site's deliveries. No long-lived process:
//   POST /installed, /uninstalled   Connect lifecycle (RS256-signed by Atlassian): store or retire the tenant in D1
//   cron                            one sync message per installed tenant on the sync queue
//   sync queue consumer             syncWebhooks per tenant, one at a time per tenant (a lease in D1), paced under
//                                   Jira's rate limits (a 429 waits as long as Jira asked; near the limit, slower);
//                                   each Jira call is one JSON log line; the outcome goes to D1
//   POST /webhook                   verify (the tenant's sharedSecret), dedupe (D1), enqueue, answer 204 at once
//   delivery queue consumer         the app's work, once per delivery
import { JiraWebhooks, createWebhookHandler } from "jira-webhooks/lifecycle";
import { InstallAuthError, verifyInstallJwt } from "./connect-install.js";
import { afterSyncs, beforeSync, observer } from "./pacing.js";
import { deliveryStore, loadTenants, saveSyncOutcomes, takeSyncLease, tenantSecret } from "./store.js";
import { WEBHOOKS } from "./webhooks.js";

// The queues' names, as in wrangler.jsonc (one worker consumes both).
const SYNC_QUEUE = "jira-webhook-sync";
const DELIVERY_QUEUE = "jira-deliveries";
const QUEUE_MESSAGE_LIMIT = 120_000; // bytes: a queue message holds 128 KB
const MAX_DELAY_S = 86_400; // the longest delay a queue message may get (24 hours)

export default {
  async fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    const route = `${request.method} ${pathname.slice(new URL(env.APP_BASE_URL).pathname.replace(/\/$/, "").length)}`;
    switch (route) {
      case "POST /webhook":
        return receiver(env)(request);
      case "POST /installed":
      case "POST /uninstalled":
        return lifecycle(request, env, route.slice("POST /".length));
      case "GET /atlassian-connect.json":
        return Response.json(descriptor(env));
      case "GET /":
        return new Response("ok\n");
      default:
        return new Response("not found\n", { status: 404 });
    }
  },

  /** The cron trigger: a sync round over every installed tenant. */
  async scheduled(controller, env, ctx) {
    await enqueueSyncRound(env);
    await env.DB.prepare("DELETE FROM delivery_claims WHERE until < ?").bind(Date.now()).run();
  },

  async queue(batch, env, ctx) {
    if (batch.queue === SYNC_QUEUE) return consumeSyncs(batch, env);
    if (batch.queue === DELIVERY_QUEUE) return consumeDeliveries(batch, env);
    throw new Error(`no consumer for queue ${batch.queue}`);
  },
};

// ------------------------------------------------------------------------------------------------ lifecycle

async function lifecycle(request, env, eventType) {
  let body;
  try {
    body = JSON.parse(await request.text());
  } catch {
    return Response.json({ error: "the body is not JSON" }, { status: 400 });
  }
  try {
    await verifyInstallJwt(request, body, { appBaseUrl: env.APP_BASE_URL, keysUrl: env.CONNECT_INSTALL_KEYS_URL });
  } catch (e) {
    if (e instanceof InstallAuthError) return Response.json({ error: `unauthorized: ${e.message}` }, { status: 401 });
    throw e;
  }
  if (body.key !== env.APP_KEY || body.eventType !== eventType) return Response.json({ error: "not this app's lifecycle event" }, { status: 400 });
  const now = Date.now();
  if (eventType === "uninstalled") {
    // Forget the secret: the tenant's deliveries no longer verify, and the next rounds skip it.
    await env.DB.prepare(`UPDATE tenants SET installed = 0, shared_secret = NULL, uninstalled_at = ?, sync_status = NULL WHERE client_key = ?`)
      .bind(now, body.clientKey).run();
    return new Response(null, { status: 204 });
  }
  if (typeof body.sharedSecret !== "string" || !body.sharedSecret || !URL.canParse(body.baseUrl ?? "")) {
    return Response.json({ error: "clientKey, sharedSecret and baseUrl are required" }, { status: 400 });
  }
  await env.DB.prepare(
    `INSERT INTO tenants (client_key, shared_secret, base_url, display_url, cloud_id, installed, installed_at, sync_status, sync_at)
     VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, 'queued', ?6)
     ON CONFLICT (client_key) DO UPDATE SET shared_secret = ?2, base_url = ?3, display_url = ?4, cloud_id = ?5, installed = 1,
       installed_at = ?6, uninstalled_at = NULL, sync_status = 'queued', sync_at = ?6`,
  ).bind(body.clientKey, body.sharedSecret, body.baseUrl, body.displayUrl ?? null, body.cloudId ?? null, now).run();
  // Register the site's webhooks now rather than at the next round (after a short delay: Jira completes the
  // installation once this answer has reached it).
  await env.SYNC_QUEUE.send({ clientKey: body.clientKey }, { delaySeconds: Number(env.SYNC_ON_INSTALL_DELAY_SECONDS) || 0 });
  return new Response(null, { status: 204 });
}

/** The Connect descriptor Jira installs the app from. */
const descriptor = (env) => ({
  key: env.APP_KEY,
  name: "Webhooks on every site (example)",
  baseUrl: env.APP_BASE_URL,
  authentication: { type: "jwt" },
  apiMigrations: { "signed-install": true },
  lifecycle: { installed: "/installed", uninstalled: "/uninstalled" },
  scopes: ["READ"],
});

// ------------------------------------------------------------------------------------------------ syncing

/**
 * One message per installed tenant, 100 per sendBatch, paged through D1 by clientKey. With SYNC_SPREAD_SECONDS
 * the messages are delayed evenly over that window, so a round paces itself instead of arriving all at once.
 */
async function enqueueSyncRound(env) {
  const spread = Math.min(Number(env.SYNC_SPREAD_SECONDS) || 0, MAX_DELAY_S);
  const { total } = await env.DB.prepare("SELECT COUNT(*) AS total FROM tenants WHERE installed = 1").first();
  const now = Date.now();
  let after = "";
  let index = 0;
  for (;;) {
    const { results } = await env.DB.prepare("SELECT client_key FROM tenants WHERE installed = 1 AND client_key > ? ORDER BY client_key LIMIT 1000")
      .bind(after).all();
    if (!results.length) break;
    const last = results.at(-1).client_key;
    // Marked first, so that a consumer that runs before this loop ends never has its outcome overwritten.
    await env.DB.prepare("UPDATE tenants SET sync_status = 'queued', sync_at = ? WHERE installed = 1 AND client_key > ? AND client_key <= ?")
      .bind(now, after, last).run();
    for (let i = 0; i < results.length; i += 100, index += 100) {
      await env.SYNC_QUEUE.sendBatch(results.slice(i, i + 100).map((r, k) => ({
        body: { clientKey: r.client_key },
        delaySeconds: Math.floor(((index + k) * spread) / total),
      })));
    }
    after = last;
  }
}

/**
 * The sync queue's consumer: syncWebhooks for each tenant of the batch, SYNC_CONCURRENCY at a time, each once its
 * tenant's lease is taken and pacing lets it start. A message that must wait for either is sent again with a delay
 * (that costs none of its retries).
 */
async function consumeSyncs(batch, env) {
  const tenants = await loadTenants(env.DB, batch.messages.map((m) => m.body.clientKey));
  const maxAttempts = Number(env.SYNC_MAX_ATTEMPTS) || 20;
  const maxBackoff = Number(env.SYNC_MAX_BACKOFF_SECONDS) || 900;
  const perMinute = Number(env.NEAR_LIMIT_SYNCS_PER_MINUTE) || 30;
  const outcomes = [];
  const seen = [];
  const deferred = [];
  const defer = (message, waitMs, reason, slotAt) => {
    console.log(JSON.stringify({ event: "sync-deferred", reason, waitMs: Math.round(waitMs), clientKey: message.body.clientKey }));
    message.ack();
    deferred.push({ body: { clientKey: message.body.clientKey, ...(slotAt && { slotAt }) }, delaySeconds: Math.min(MAX_DELAY_S, Math.ceil(waitMs / 1000)) });
  };
  const outcome = (message, status, detail) => outcomes.push({ clientKey: message.body.clientKey, status, detail, attempts: message.attempts });
  // Again later, unless this was the last attempt: then the outcome says why, and the next round tries again.
  const retry = (message, seconds, detail) => {
    if (message.attempts >= maxAttempts) {
      message.ack();
      return outcome(message, "failed", `gave up after ${message.attempts} attempts: ${detail}`);
    }
    message.retry({ delaySeconds: Math.min(MAX_DELAY_S, Math.ceil(seconds)) });
    outcome(message, "retrying", detail);
  };
  // A 429 says the app is over Jira's limit (per app, across sites): the rest of the batch waits as well.
  let rateLimitedUntil = 0;
  await eachConcurrently(batch.messages, Number(env.SYNC_CONCURRENCY) || 5, async (message) => {
    const tenant = tenants.get(message.body.clientKey);
    if (!tenant?.installed) return message.ack(); // uninstalled since it was queued
    const waitMs = rateLimitedUntil - Date.now();
    if (waitMs > 0) return retry(message, afterRateLimit(waitMs, message.attempts, maxBackoff), "rate-limited: another sync of its batch got 429");
    const pace = await beforeSync(env.DB, perMinute, message.body.slotAt);
    // Paused after another consumer's 429: as after its own, with the jitter that grows with each attempt.
    if (pace.reason === "paused") return retry(message, afterRateLimit(pace.waitMs, message.attempts, maxBackoff), "rate-limited: paused after a 429");
    if (pace.waitMs > 0) return defer(message, pace.waitMs, pace.reason, pace.slotAt);
    const lease = await takeSyncLease(env.DB, tenant.client_key);
    // Another sync of this tenant runs (a second cron instance, an overlapping deploy): this one comes after it.
    if (!lease) return defer(message, 1000 * (Number(env.SYNC_BACKOFF_SECONDS) || 30) * (1 + Math.random()), "lease");
    const watch = observer();
    try {
      const result = await syncTenant(env, tenant, watch);
      message.ack();
      outcome(message, result.failed.length ? "partial" : "ok", describeSync(result));
    } catch (err) {
      const detail = describeError(err);
      if (err?.kind === "http" && err.status === 429 && err.retryAfterMs !== undefined) {
        rateLimitedUntil = Math.max(rateLimitedUntil, Date.now() + err.retryAfterMs);
        return retry(message, afterRateLimit(err.retryAfterMs, message.attempts, maxBackoff), detail);
      }
      if (!isTransient(err)) {
        message.ack();
        return outcome(message, "failed", detail);
      }
      const backoff = Math.min(maxBackoff, (Number(env.SYNC_BACKOFF_SECONDS) || 30) * 2 ** (message.attempts - 1));
      retry(message, backoff / 2 + Math.random() * (backoff / 2), detail);
    } finally {
      await lease.release().catch(() => {}); // else it ends by itself
      seen.push(watch.seen);
      // Near the limit, or told to wait: the other consumers (and this batch's next syncs) must know now.
      if (watch.seen.rateLimit?.nearLimit === "true" || watch.seen.retryAfterMs) await afterSyncs(env.DB, [watch.seen]);
    }
  });
  for (let i = 0; i < deferred.length; i += 100) await env.SYNC_QUEUE.sendBatch(deferred.slice(i, i + 100));
  await afterSyncs(env.DB, seen);
  await saveSyncOutcomes(env.DB, outcomes);
}

/**
 * Seconds to wait after a 429: at least what Jira asked for, plus jitter so that the messages of a batch do not all
 * come back in the same second. The jitter's window doubles with each attempt (up to SYNC_MAX_BACKOFF_SECONDS), so a
 * crowd of retried messages thins out until it fits the limit.
 */
const afterRateLimit = (waitMs, attempts, maxSeconds) => waitMs / 1000 + Math.random() * Math.min(maxSeconds, (waitMs / 1000) * 2 ** (attempts - 1));

async function syncTenant(env, tenant, watch) {
  const client = new JiraWebhooks({
    baseUrl: tenant.base_url,
    auth: { type: "connect", appKey: env.APP_KEY, sharedSecret: tenant.shared_secret },
    retry: false, // the queue retries, after the wait Jira asked for
    timeoutMs: Number(env.JIRA_TIMEOUT_MS) || 20_000,
    hooks: {
      response: (event) => {
        logCall(event, tenant.client_key);
        watch.response(event);
      },
    },
  });
  try {
    return await client.syncWebhooks({ url: `${env.APP_BASE_URL.replace(/\/$/, "")}/webhook`, webhooks: WEBHOOKS });
  } finally {
    client.free();
  }
}

/**
 * One structured log line per Jira call attempt: the operation, its answer, the attempt, how long it took and
 * Jira's rate-limit headers. The hook's event never holds a header value or a credential.
 * @param {import("jira-webhooks/lifecycle").ResponseEvent} event
 */
function logCall({ operation, status, attempt, durationMs, retryAfter, rateLimit }, clientKey) {
  console.log(JSON.stringify({ operation, clientKey, status, attempt, durationMs, ...(retryAfter && { retryAfter }), rateLimit }));
}

/** Worth another try: no answer, a timeout, Jira busy or failing. 4xx (bad credentials, refused input) is not. */
const isTransient = (err) =>
  err?.name !== "JiraWebhooksError" || ["network", "timeout", "decode"].includes(err.kind) ||
  (err.kind === "http" && (err.status === 408 || err.status === 429 || err.status >= 500));

const describeSync = (r) =>
  [`created ${r.created.length}`, `deleted ${r.deleted.length}`, `refreshed ${r.refreshed.length}`, `kept ${r.plan.keep.length}`,
    ...r.failed.map((f) => `refused: ${JSON.stringify(f)}`)].join(", ").slice(0, 1000);

const describeError = (err) =>
  (err?.name === "JiraWebhooksError" ? `${err.kind}${err.status ? ` ${err.status}` : ""}: ${err.message}` : String(err?.stack ?? err)).slice(0, 1000);

/** Runs `fn` over `items`, at most `limit` at once. */
async function eachConcurrently(items, limit, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

// ------------------------------------------------------------------------------------------------ deliveries

const receivers = new WeakMap();
/** The webhook endpoint, made once per isolate: verify with the tenant's secret, dedupe in D1, enqueue. */
function receiver(env) {
  let handler = receivers.get(env);
  if (!handler) {
    handler = createWebhookHandler({
      connect: { baseUrl: env.APP_BASE_URL, sharedSecret: (clientKey) => tenantSecret(env.DB, clientKey) },
      dedupe: deliveryStore(env.DB),
      on: {
        // Answer Jira at once; the work happens in the delivery queue's consumer.
        "*": async (payload, delivery) => {
          const message = {
            clientKey: delivery.clientKey, id: delivery.id, event: delivery.event, retry: delivery.retry,
            matchedWebhookIds: delivery.matchedWebhookIds ?? [], issueKey: payload.issue?.key ?? null, receivedAt: Date.now(), payload,
          };
          // Too big for a queue message: queue it without the body (the consumer can fetch the issue by key).
          if (JSON.stringify(message).length > QUEUE_MESSAGE_LIMIT) message.payload = null;
          await env.DELIVERY_QUEUE.send(message, { contentType: "json" });
        },
      },
    });
    receivers.set(env, handler);
  }
  return handler;
}

/**
 * The delivery queue's consumer: the app's work. Here it records each delivery in D1, in one transaction per batch;
 * a delivery that is already there (queued twice, or retried after its work was done) is skipped by the same
 * statement. A failure throws, and the Queue retries the batch.
 */
async function consumeDeliveries(batch, env) {
  const now = Date.now();
  await env.DB.batch(batch.messages.map(({ body: d, attempts }) => env.DB.prepare(
    `INSERT INTO processed_deliveries (client_key, delivery_id, event, issue_key, webhook_ids, received_at, processed_at, attempts)
     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8
     WHERE NOT EXISTS (SELECT 1 FROM processed_deliveries WHERE client_key = ?1 AND delivery_id = ?2)`,
  ).bind(d.clientKey, d.id, d.event, d.issueKey, JSON.stringify(d.matchedWebhookIds), d.receivedAt, now, attempts)));
}
