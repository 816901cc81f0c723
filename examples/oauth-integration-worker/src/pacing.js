// Pacing under Jira's rate limits, shared by every consumer invocation through one D1 row (`pacing`).
// - A 429 pauses every sync until its Retry-After has passed (the call itself waits only short ones).
// - While Jira's answers carry `X-RateLimit-NearLimit: true` (less than 20 % of the points budget left), syncs start
//   one slot at a time, NEAR_LIMIT_SYNCS_PER_MINUTE across all consumers: the round slows down and leaves the rest
//   of the budget to the app's other work, until an answer says the budget is back (a new window).
// See Atlassian's "Rate limiting" page: https://developer.atlassian.com/cloud/jira/platform/rate-limiting/

/** What the Jira calls of one sync said about the limits: fed by the client's `hooks.response`. */
export function observer() {
  const seen = { rateLimit: undefined, observedAt: 0, retryAfterMs: undefined };
  return {
    seen,
    /** @param {import("jira-webhooks/lifecycle").ResponseEvent} event */
    response(event) {
      if (event.status === 429) {
        const ms = retryAfterMs(event.retryAfter);
        if (ms !== undefined) seen.retryAfterMs = Math.max(seen.retryAfterMs ?? 0, ms);
      } else if (event.status >= 200 && event.status < 300) {
        seen.rateLimit = event.rateLimit ?? {};
        seen.observedAt = Date.now();
      }
    },
  };
}

/** `Retry-After` in milliseconds (delay-seconds or an HTTP-date), or undefined. */
export function retryAfterMs(value) {
  if (typeof value !== "string" || !value.trim()) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * When a sync may start: `{ waitMs: 0 }` now, or how long to wait. While near the limit, one UPDATE takes the next
 * start slot atomically, but only a slot within the next ten intervals: a deferred message that holds one
 * (`slotAt`) starts then without taking another; the others come back within that horizon and try again, so that
 * the round goes back to full speed soon after the limit is lifted (a new window).
 * @param {D1Database} db  @param {number} perMinute  @param {number} [slotAt]
 * @returns {Promise<{ waitMs: number, slotAt?: number, reason?: "paused" | "near-limit" }>}
 */
export async function beforeSync(db, perMinute, slotAt) {
  const now = Date.now();
  const row = await db.prepare("SELECT paused_until, near_limit, next_slot FROM pacing WHERE id = 1").first();
  if (row && row.paused_until > now) return { waitMs: row.paused_until - now, reason: "paused" };
  if (!row?.near_limit || (slotAt && slotAt <= now + 500)) return { waitMs: 0 };
  const interval = Math.ceil(60_000 / Math.max(perMinute, 0.001));
  const horizon = 10 * interval;
  const taken = await db.prepare(
    `UPDATE pacing SET next_slot = MAX(next_slot, ?1) + ?2 WHERE id = 1 AND near_limit = 1 AND next_slot <= ?1 + ?3
     RETURNING MAX(next_slot - ?2, ?1) AS slot`,
  ).bind(now, interval, horizon).first();
  if (taken) return taken.slot <= now + 500 ? { waitMs: 0 } : { waitMs: taken.slot - now, slotAt: taken.slot, reason: "near-limit" };
  // Every slot of the horizon is taken: come back then (or start now if the limit was lifted meanwhile).
  return { waitMs: Math.max(1000, Math.min(horizon, row.next_slot - now)), reason: "near-limit" };
}

/**
 * Records what a batch of syncs saw: the latest answer's rate-limit headers (NearLimit on or off) and the longest
 * Retry-After of a 429 (everyone pauses until then). One statement.
 * @param {D1Database} db  @param {{ rateLimit?: object, observedAt: number, retryAfterMs?: number }[]} seen
 */
export async function afterSyncs(db, seen) {
  const latest = seen.filter((s) => s.rateLimit).sort((a, b) => b.observedAt - a.observedAt)[0];
  const pause = Math.max(0, ...seen.map((s) => s.retryAfterMs ?? 0));
  if (!latest && !pause) return;
  const now = Date.now();
  const int = (v) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);
  const near = latest ? (latest.rateLimit.nearLimit === "true" ? 1 : 0) : null;
  await db.prepare(
    `UPDATE pacing SET
       near_limit = COALESCE(?1, near_limit), remaining = COALESCE(?2, remaining), budget = COALESCE(?3, budget),
       observed_at = COALESCE(?4, observed_at), paused_until = MAX(paused_until, ?5)
     WHERE id = 1`,
  ).bind(near, int(latest?.rateLimit.remaining), int(latest?.rateLimit.limit), latest ? now : null, pause ? now + pause : 0).run();
}
