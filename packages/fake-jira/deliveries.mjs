// Webhook deliveries the way Jira sends them: one POST per app and event to the app's url, signed for the
// app (Connect JWT or OAuth 2.0 bearer JWT), retried with the same identifier on 408/409/425/429/5xx,
// connection failures and timeouts; after the last retry the delivery joins the app's failed webhooks.
// Runtime-neutral: fetch, WebCrypto (crypto.mjs), and the injected qsh and matchJql (see core.mjs, CoreDeps).
import { buildEvent, triggers } from "./events.mjs";
import { signHS256 } from "./crypto.mjs";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Answers that Jira retries (besides connection failures and timeouts). */
const isRetryable = (status) => [408, 409, 425, 429].includes(status) || status >= 500;

/** Test-fast defaults. Jira retries 5 times over up to about 30 minutes and waits about 20 s per attempt. */
export const DELIVERY_DEFAULTS = Object.freeze({
  retries: 5,
  retryDelaysMs: Object.freeze([10, 20, 40, 80, 160]),
  timeoutMs: 2000,
  concurrency: 50,
  oauthClientSecret: "oauth-client-secret-for-tests",
});
const JWT_LIFETIME_S = 180;

/**
 * @typedef {{ id: string, site: string, app: string, url: string, attempt: number, time: number,
 *   flow: string, status?: number, error?: string }} DeliveryAttempt one line of the delivery log
 * @typedef {{ retries: number, retryDelaysMs: number[], timeoutMs: number, concurrency: number,
 *   oauthClientSecret: string, connectAppBaseUrl?: string }} DeliveryOptions
 */

/**
 * The delivery engine of one fake.
 * @param {DeliveryOptions & { clock: () => number, jwtClock?: () => number, baseUrlOf: (site: import("./sites.mjs").Site) => string,
 *   check: (schema: "emit", value: unknown) => void, matchJql: (jql: string, issue: object) => boolean,
 *   qsh: import("./core.mjs").CoreDeps["qsh"], fetch: typeof fetch }} options fetch: sends each attempt; jwtClock:
 *   the time of the JWTs it signs (default: clock)
 */
export function createDeliveries({ clock, jwtClock = clock, baseUrlOf, retries, retryDelaysMs, timeoutMs, concurrency, oauthClientSecret, connectAppBaseUrl, check, matchJql, qsh, fetch: send }) {
  /** @type {DeliveryAttempt[]} */
  const log = [];
  const inFlight = new Set();
  let generation = 0;
  // At most `concurrency` attempts on the wire; the others wait here (their timeout starts when they are sent).
  let sending = 0;
  const queue = [];
  async function slot() {
    if (sending < concurrency) sending++;
    else await new Promise((resolve) => queue.push(resolve)); // release() hands its place over
  }
  function release() {
    const next = queue.shift();
    if (next) next();
    else sending--;
  }

  /**
   * Emits an event on a site: starts one delivery per app with webhooks it triggers, and returns them
   * at once (the deliveries run in the background; `settled`, not enumerable, resolves when they have finished).
   * @param {import("./sites.mjs").Site} site
   * @param {import("./events.mjs").EmitInput} input
   * @param {{ fetch?: typeof fetch }} [options] fetch: sends these deliveries instead of the engine's `fetch`
   */
  function emit(site, input, { fetch: sendThese } = {}) {
    if (sendThese !== undefined && typeof sendThese !== "function") throw new TypeError("emit's fetch must be a function");
    check("emit", input);
    const now = clock();
    const event = buildEvent(input, { baseUrl: baseUrlOf(site), now });
    const deliveries = [];
    const runs = [];
    for (const app of Object.values(site.state.apps)) {
      const matched = app.installed && app.url ? app.webhooks.filter((w) => w.expirationDate >= now && triggers(w, event, matchJql)) : [];
      if (!matched.length) continue;
      const matchedWebhookIds = matched.map((w) => w.id);
      const d = {
        id: String(site.nextDeliveryId++), site, app, url: app.url, flow: input.flow ?? "Primary",
        body: JSON.stringify({ ...event.body, matchedWebhookIds }), user: matched[0].user, send: sendThese ?? send,
      };
      site.counters.deliveries.attempted++;
      const run = deliver(d, generation).finally(() => inFlight.delete(run));
      inFlight.add(run);
      runs.push(run);
      deliveries.push({ id: d.id, app: app.key, url: d.url, matchedWebhookIds });
    }
    const result = { ok: true, deliveries };
    Object.defineProperty(result, "settled", { value: Promise.all(runs).then(() => undefined) });
    return result;
  }

  /** Attempts until a final answer; counts the outcome. Stops silently after a reset. */
  async function deliver(d, gen) {
    const counts = d.site.counters.deliveries;
    for (let attempt = 1; gen === generation; attempt++) {
      if (!d.app.installed) {
        counts.failed++; // uninstalled meanwhile: Jira stops delivering
        return;
      }
      await slot();
      const outcome = await post(d, attempt).finally(release);
      if (gen !== generation) return;
      const time = clock();
      log.push({ id: d.id, site: d.site.name, app: d.app.key, url: d.url, attempt, time, flow: d.flow, ...outcome });
      counts.attempts++;
      if (outcome.status !== undefined && !isRetryable(outcome.status)) {
        if (outcome.status < 300) counts.succeeded++;
        else counts.failed++; // a non-retryable answer: logged, not listed as failed (see README)
        return;
      }
      if (attempt > retries) {
        counts.failed++;
        d.app.failed.push({ id: d.id, url: d.url, body: d.body, failureTime: time });
        return;
      }
      await sleep(retryDelaysMs[Math.min(attempt, retryDelaysMs.length) - 1] ?? 0);
    }
  }

  /** One attempt: { status } or { error } (a connection failure, a timeout, or a url that cannot be sent to). */
  async function post(d, attempt) {
    try {
      const headers = {
        "Content-Type": "application/json",
        "X-Atlassian-Webhook-Identifier": d.id,
        "X-Atlassian-Webhook-Flow": d.flow,
        ...(attempt > 1 && { "X-Atlassian-Webhook-Retry": String(attempt - 1) }),
        ...(await authorization(d)),
      };
      const res = await d.send(d.url, { method: "POST", headers, body: d.body, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer();
      return { status: res.status };
    } catch (e) {
      return { error: e.name === "TimeoutError" ? `timeout after ${timeoutMs} ms` : e.cause?.code ?? e.message };
    }
  }

  /** Connect: JWT (HS256, the site's sharedSecret, iss = clientKey, qsh of the url relative to the app's baseUrl).
   *  OAuth 2.0: Bearer JWT, HS256 with the app's client secret (its seed clientSecret, else oauthClientSecret). */
  async function authorization({ site, app, url, user }) {
    const iat = Math.floor(jwtClock() / 1000);
    const times = { iat, exp: iat + JWT_LIFETIME_S };
    if (app.type === "connect") {
      if (!app.sharedSecret) return {};
      const appBaseUrl = app.appBaseUrl ?? connectAppBaseUrl ?? new URL(url).origin;
      const hash = await qsh({ method: "POST", url }, appBaseUrl);
      return { Authorization: `JWT ${await signHS256({ iss: site.clientKey, ...times, qsh: hash }, app.sharedSecret)}` };
    }
    const claims = { iss: baseUrlOf(site), sub: user ?? app.key, ...times, context: { cloudId: app.cloudId ?? site.cloudId } };
    return { Authorization: `Bearer ${await signHS256(claims, app.clientSecret ?? oauthClientSecret)}` };
  }

  return {
    log,
    emit,
    /** Resolves when no delivery is in flight (retries included). */
    async settled() {
      while (inFlight.size) await Promise.all([...inFlight]);
    },
    /** Deliveries in flight stop before their next attempt and record nothing more. */
    stop() {
      generation++;
    },
    /** Stops the deliveries in flight and forgets the log. */
    reset() {
      generation++;
      log.length = 0;
    },
  };
}
