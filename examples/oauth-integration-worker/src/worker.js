// An integration that users connect to their Jira with OAuth 2.0 (3LO), on Cloudflare Workers: it keeps a few
// dynamic webhooks registered for each connection on each of its sites, and receives what they send.
//   GET  /connect?user=…   the consent redirect to Atlassian, with a state bound to the user and this browser
//   GET  /callback         checks the state, exchanges the code, finds the sites, stores the connection in its
//                          Durable Object, queues the first sync of each site
//   cron                   one sync message per active (connection, site), spread over SYNC_SPREAD_SECONDS
//   sync queue consumer    the connection's Durable Object syncs; paced under Jira's points budget (pacing.js)
//   POST /webhook          verifies the Bearer JWT (the client secret; two while rotating), claims the delivery (D1),
//                          finds the connections that own the matched webhooks, queues their work, answers 204
//   work queue consumer    the app's work for each (delivery, connection), once
//   POST /resync           (ADMIN_TOKEN) syncs one connection's sites now
import { accessibleResources, createWebhookHandler, exchangeCode } from "jira-webhooks/lifecycle";
import { afterSyncs, beforeSync } from "./pacing.js";
import { checkState, clearCookie, newState } from "./state.js";
import { deliveryStore, ownersOf, recordDelivery, saveSyncOutcomes } from "./store.js";
import { describeError, eachConcurrently, num } from "./util.js";

export { Connection } from "./connection.js";

const SYNC_QUEUE = "jira-oauth-sync";
const WORK_QUEUE = "jira-oauth-work";
const MAX_DELAY_S = 86_400; // the longest delay a queue message may get (24 hours)
/** Classic scopes for the webhook API, and a refresh token. */
const SCOPES = "read:jira-work manage:jira-webhook offline_access";
const USER = /^[A-Za-z0-9._@:-]{1,128}$/;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const route = `${request.method} ${url.pathname.slice(new URL(env.APP_BASE_URL).pathname.replace(/\/$/, "").length)}`;
    switch (route) {
      case "GET /connect":
        return connect(url, env);
      case "GET /callback":
        return callback(request, url, env);
      case "POST /webhook":
        return receiver(env)(request);
      case "POST /resync":
        return resync(request, env);
      case "GET /":
        return new Response("ok\n");
      default:
        return new Response("not found\n", { status: 404 });
    }
  },

  /** The cron trigger: a sync round over every active connection and site; old claims and records go. */
  async scheduled(controller, env) {
    await enqueueSyncRound(env);
    await env.DB.batch([
      env.DB.prepare("DELETE FROM delivery_claims WHERE until < ?").bind(Date.now()),
      env.DB.prepare("DELETE FROM deliveries WHERE recorded_at < ?").bind(Date.now() - num(env.KEEP_DELIVERIES_DAYS, 30) * 86_400_000),
    ]);
  },

  async queue(batch, env) {
    if (batch.queue === SYNC_QUEUE) return consumeSyncs(batch, env);
    if (batch.queue === WORK_QUEUE) return consumeWork(batch, env);
    throw new Error(`no consumer for queue ${batch.queue}`);
  },
};

const stub = (env, user) => env.CONNECTION.get(env.CONNECTION.idFromName(user));
const redirectUri = (env) => `${env.APP_BASE_URL.replace(/\/$/, "")}/callback`;
const page = (status, text, headers = {}) => new Response(`${text}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });

// ------------------------------------------------------------------------------------------------ connecting

/**
 * Sends the user to Atlassian's consent page. This example takes the app's user id from `?user=`; a real app takes
 * it from its own session (and must: whoever names the user here connects their Jira to that user).
 */
async function connect(url, env) {
  const user = url.searchParams.get("user") ?? "";
  if (!USER.test(user)) return page(400, "?user= must be the app's user id");
  const { state, cookie } = await newState(env.STATE_SECRET, user);
  const authorize = new URL(env.OAUTH_AUTHORIZE_URL);
  for (const [k, v] of Object.entries({
    audience: "api.atlassian.com", client_id: env.OAUTH_CLIENT_ID, scope: SCOPES, redirect_uri: redirectUri(env), state,
    response_type: "code", prompt: "consent",
  })) authorize.searchParams.set(k, v);
  return new Response(null, { status: 302, headers: { location: authorize.href, "set-cookie": cookie } });
}

/** Atlassian's redirect back: check the state, exchange the code, find the sites, store, queue the first syncs. */
async function callback(request, url, env) {
  const user = await checkState(env.STATE_SECRET, url.searchParams.get("state"), request.headers.get("cookie"));
  if (!user) return page(400, "This authorization did not start here, or it expired: connect again.");
  if (url.searchParams.get("error")) return page(400, "Jira was not connected: the authorization was refused.", { "set-cookie": clearCookie });
  const code = url.searchParams.get("code");
  if (!code) return page(400, "The redirect has no code.");
  let tokens, sites;
  try {
    tokens = await exchangeCode({
      clientId: env.OAUTH_CLIENT_ID, clientSecret: env.OAUTH_CLIENT_SECRET, code, redirectUri: redirectUri(env), tokenUrl: env.OAUTH_TOKEN_URL,
    });
    sites = await accessibleResources(tokens.accessToken, env.JIRA_GATEWAY_URL ? { gatewayUrl: env.JIRA_GATEWAY_URL } : undefined);
  } catch (e) {
    // `reauthorize`: the code was spent or refused (connect again); anything else: Atlassian did not answer well.
    const status = e?.kind === "reauthorize" ? 400 : 502;
    console.log(JSON.stringify({ event: "callback-failed", user, error: describeError(e) }));
    return page(status, status === 400 ? "The authorization code was refused: connect again." : "Atlassian could not be reached: try again.");
  }
  // Only the sites where the grant can manage webhooks.
  const usable = sites.filter((s) => s.scopes.includes("manage:jira-webhook")).map((s) => ({ id: s.id, url: s.url }));
  await stub(env, user).connected(user, tokens, usable);
  for (let i = 0; i < usable.length; i += 100) {
    await env.SYNC_QUEUE.sendBatch(usable.slice(i, i + 100).map((s) => ({ body: { user, cloudId: s.id } })));
  }
  return page(200, `Connected ${usable.length} Jira site${usable.length === 1 ? "" : "s"}.`, { "set-cookie": clearCookie });
}

/** Syncs one connection's sites now (an admin or the user asking), through its Durable Object. */
async function resync(request, env) {
  const expected = `Bearer ${env.ADMIN_TOKEN ?? ""}`;
  const given = request.headers.get("authorization") ?? "";
  if (!env.ADMIN_TOKEN || !sameText(given, expected)) return page(401, "unauthorized");
  const { user } = await request.json().catch(() => ({}));
  if (!USER.test(user ?? "")) return page(400, "{ user } is required");
  const results = await stub(env, user).syncAll();
  await saveSyncOutcomes(env.DB, results.filter((r) => r.status !== "unknown-site").map((r) => ({
    user, cloudId: r.cloudId, status: ["error", "rate-limited", "busy"].includes(r.status) ? "failed" : r.status, detail: r.detail, attempts: 1,
  })));
  return Response.json(results.map(({ cloudId, status, detail }) => ({ cloudId, status, detail })));
}

/** Compares two strings in time that depends on their lengths only. */
function sameText(a, b) {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  return x.length === y.length && crypto.subtle.timingSafeEqual(x, y);
}

// ------------------------------------------------------------------------------------------------ syncing

/**
 * One message per active (connection, site), 100 per sendBatch, paged through D1 by (user, cloud_id), delayed evenly
 * over the spread. Two queries per 1,000 pairs: within D1's 1,000 queries per invocation up to 500,000 pairs.
 */
async function enqueueSyncRound(env) {
  const spread = Math.min(num(env.SYNC_SPREAD_SECONDS, 0), MAX_DELAY_S);
  const { total } = await env.DB.prepare(
    "SELECT COUNT(*) AS total FROM connection_sites s JOIN connections c ON c.user = s.user WHERE c.status = 'active'").first();
  const now = Date.now();
  let after = ["", ""];
  let index = 0;
  for (;;) {
    const { results } = await env.DB.prepare(
      `SELECT s.user, s.cloud_id FROM connection_sites s JOIN connections c ON c.user = s.user
       WHERE c.status = 'active' AND (s.user, s.cloud_id) > (?, ?) ORDER BY s.user, s.cloud_id LIMIT 1000`,
    ).bind(...after).all();
    if (!results.length) break;
    const last = [results.at(-1).user, results.at(-1).cloud_id];
    // Marked first, so that a consumer that runs before this loop ends never has its outcome overwritten.
    await env.DB.prepare(
      `UPDATE connection_sites SET sync_status = 'queued', sync_at = ?1
       WHERE (user, cloud_id) > (?2, ?3) AND (user, cloud_id) <= (?4, ?5) AND user IN (SELECT user FROM connections WHERE status = 'active')`,
    ).bind(now, ...after, ...last).run();
    for (let i = 0; i < results.length; i += 100, index += 100) {
      await env.SYNC_QUEUE.sendBatch(results.slice(i, i + 100).map((r, k) => ({
        body: { user: r.user, cloudId: r.cloud_id },
        delaySeconds: Math.floor(((index + k) * spread) / total),
      })));
    }
    after = last;
  }
}

/**
 * The sync queue's consumer: each (connection, site) synced by the connection's Durable Object, SYNC_CONCURRENCY at
 * a time, each started when pacing allows. A message that must wait for pacing is sent again with a delay (that
 * costs none of its retries); one that failed is retried with a backoff, or after the Retry-After of a 429.
 */
async function consumeSyncs(batch, env) {
  const perMinute = num(env.NEAR_LIMIT_SYNCS_PER_MINUTE, 30);
  const maxAttempts = num(env.SYNC_MAX_ATTEMPTS, 20);
  const maxBackoff = num(env.SYNC_MAX_BACKOFF_SECONDS, 900);
  const outcomes = [];
  const seen = [];
  const deferred = [];
  let pausedUntil = 0; // a 429 in this batch: the syncs that have not started wait as well
  const outcome = (message, status, detail) => outcomes.push({ ...message.body, status, detail, attempts: message.attempts });
  const retry = (message, seconds, detail) => {
    if (message.attempts >= maxAttempts) {
      message.ack();
      return outcome(message, "failed", `gave up after ${message.attempts} attempts: ${detail}`);
    }
    message.retry({ delaySeconds: Math.min(MAX_DELAY_S, Math.ceil(seconds)) });
    outcome(message, "retrying", detail);
  };
  const defer = (message, waitMs, slotAt, reason) => {
    console.log(JSON.stringify({ event: "sync-deferred", reason, waitMs: Math.round(waitMs), connection: message.body.user, site: message.body.cloudId }));
    message.ack();
    deferred.push({ body: { user: message.body.user, cloudId: message.body.cloudId, ...(slotAt && { slotAt }) }, delaySeconds: Math.min(MAX_DELAY_S, Math.ceil(waitMs / 1000)) });
  };

  await eachConcurrently(batch.messages, num(env.SYNC_CONCURRENCY, 5), async (message) => {
    const { user, cloudId, slotAt } = message.body;
    if (pausedUntil > Date.now()) return defer(message, pausedUntil - Date.now() + jitter(pausedUntil - Date.now()), undefined, "paused");
    const pace = await beforeSync(env.DB, perMinute, slotAt);
    if (pace.waitMs > 0) return defer(message, pace.reason === "paused" ? pace.waitMs + jitter(pace.waitMs) : pace.waitMs, pace.slotAt, pace.reason);
    // The object itself may fail (reset, overloaded, a deploy): like a network error, a transient one.
    const r = await stub(env, user).sync(cloudId)
      .catch((e) => ({ status: "error", transient: true, detail: `the connection's object failed: ${describeError(e)}`, seen: {} }));
    seen.push(r.seen);
    // Near the limit, or told to wait: the other consumers (and this batch's next syncs) must know now.
    if (r.seen.rateLimit?.nearLimit === "true" || r.seen.retryAfterMs) await afterSyncs(env.DB, [r.seen]);
    switch (r.status) {
      case "ok":
      case "partial":
      case "reauthorize":
        message.ack();
        return outcome(message, r.status, r.status === "reauthorize" ? "the user must authorize the app again" : r.detail);
      case "unknown-site":
        message.ack(); // the user disconnected that site since the message was queued
        return;
      case "busy": // other connections' syncs of the site held the lease all along: later, without costing a retry
        return defer(message, 1000 * num(env.SYNC_BACKOFF_SECONDS, 30) * (1 + Math.random()), undefined, "site-busy");
      case "rate-limited": {
        const waitMs = r.retryAfterMs ?? 1000 * num(env.SYNC_BACKOFF_SECONDS, 30);
        pausedUntil = Math.max(pausedUntil, Date.now() + waitMs);
        return retry(message, (waitMs + jitter(waitMs)) / 1000, r.detail);
      }
      default: {
        if (!r.transient) {
          message.ack();
          return outcome(message, "failed", r.detail);
        }
        const backoff = Math.min(maxBackoff, num(env.SYNC_BACKOFF_SECONDS, 30) * 2 ** (message.attempts - 1));
        return retry(message, backoff / 2 + Math.random() * (backoff / 2), r.detail);
      }
    }
  });
  for (let i = 0; i < deferred.length; i += 100) await env.SYNC_QUEUE.sendBatch(deferred.slice(i, i + 100));
  await afterSyncs(env.DB, seen);
  await saveSyncOutcomes(env.DB, outcomes);
}

/** Up to a quarter of the wait (at most 30 s) more, so that the messages of a paused round do not all come back at once. */
const jitter = (waitMs) => Math.random() * Math.min(waitMs / 4, 30_000);

// ------------------------------------------------------------------------------------------------ deliveries

const receivers = new WeakMap();
/**
 * The webhook endpoint, made once per isolate. A delivery to an OAuth 2.0 app carries a JWT signed with the client
 * secret; its `site` is the cloud id. Jira sends one delivery per event with every webhook of the app it matched,
 * whichever user registered them: each connection owning one of them gets its work queued; a connection that
 * must be authorized again gets the delivery recorded, not processed.
 */
function receiver(env) {
  let handler = receivers.get(env);
  if (!handler) {
    handler = createWebhookHandler({
      oauth: { clientSecret: [env.OAUTH_CLIENT_SECRET, env.OAUTH_CLIENT_SECRET_OLD].filter(Boolean) },
      dedupe: deliveryStore(env.DB),
      on: {
        "*": async (payload, delivery) => {
          const base = {
            cloudId: delivery.site, id: delivery.id, event: delivery.event, issueKey: payload.issue?.key ?? null, receivedAt: Date.now(),
          };
          const owners = await ownersOf(env.DB, delivery.site, delivery.matchedWebhookIds ?? []);
          const active = owners.filter((o) => o.status === "active");
          const recorded = owners.filter((o) => o.status !== "active").map((o) => ({ ...base, user: o.user, outcome: "reauthorize", attempts: 0 }));
          if (!owners.length) recorded.push({ ...base, user: null, outcome: "unowned", attempts: 0 });
          if (recorded.length) await env.DB.batch(recorded.map((d) => recordDelivery(env.DB, d)));
          for (let i = 0; i < active.length; i += 100) {
            await env.WORK_QUEUE.sendBatch(active.slice(i, i + 100).map((o) => ({ body: { ...base, user: o.user }, contentType: "json" })));
          }
        },
      },
    });
    receivers.set(env, handler);
  }
  return handler;
}

/**
 * The work queue's consumer: each (delivery, connection) through the connection's Durable Object, then recorded
 * in one D1 batch (a row already there is skipped by the same statement). A transient failure retries the message.
 */
async function consumeWork(batch, env) {
  const rows = [];
  const done = [];
  await eachConcurrently(batch.messages, 6, async (message) => {
    const d = message.body;
    const r = await stub(env, d.user).work(d.cloudId)
      .catch((e) => ({ outcome: "error", transient: true, detail: describeError(e) }));
    if (r.outcome === "error" && r.transient) {
      const backoff = r.retryAfterMs ? r.retryAfterMs / 1000 : Math.min(300, 5 * 2 ** (message.attempts - 1));
      return message.retry({ delaySeconds: Math.ceil(backoff) });
    }
    rows.push(recordDelivery(env.DB, { ...d, outcome: r.outcome === "error" ? "failed" : r.outcome, attempts: message.attempts }));
    done.push(message);
  });
  if (rows.length) await env.DB.batch(rows); // a failure throws: the messages not acknowledged come back
  for (const m of done) m.ack();
}
