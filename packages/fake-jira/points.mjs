// Jira Cloud's points-based rate limit (enforced since March 2026): each app has one hourly budget of points shared
// by all its sites; a request costs 1 point plus 1 per object it returns (writes cost only the base point).
// https://developer.atlassian.com/cloud/jira/platform/rate-limiting/ . Runtime-neutral.

const HOUR = 3_600_000;
/** Below this share of the budget left, answers carry `X-RateLimit-NearLimit: true` (Atlassian: "less than 20%"). */
const NEAR_LIMIT = 0.2;

/**
 * A points budget per app. The hour is a fixed window of the fake's clock (aligned to the UTC hour): Atlassian
 * does not document whether its window is fixed or sliding.
 * @param {number} pointsPerHour
 * @param {() => number} clock the fake's clock (advanceTime moves to the next window)
 */
export function createPointsBudget(pointsPerHour, clock) {
  if (!Number.isInteger(pointsPerHour) || pointsPerHour < 1) throw new TypeError("pointsPerHour must be an integer >= 1");
  /** @type {Map<string, { window: number, used: number }>} */
  const apps = new Map();
  const windowOf = (t) => Math.floor(t / HOUR) * HOUR;
  function entry(app) {
    const window = windowOf(clock());
    let e = apps.get(app);
    if (!e || e.window !== window) apps.set(app, (e = { window, used: 0 }));
    return e;
  }
  const resetHeader = (window) => new Date(window + HOUR).toISOString().slice(0, 16) + "Z";

  return {
    pointsPerHour,
    /**
     * Takes the base point of a request, or refuses it when the budget is spent.
     * @returns {{ ok: true } | { ok: false, retryAfter: number, headers: Record<string, string> }} retryAfter in
     *   whole seconds (at least 1), until the next window
     */
    take(app) {
      const e = entry(app);
      if (e.used >= pointsPerHour) {
        const retryAfter = Math.max(1, Math.ceil((e.window + HOUR - clock()) / 1000));
        return { ok: false, retryAfter, headers: { "Retry-After": String(retryAfter), ...this.headers(app), "RateLimit-Reason": "jira-quota-based" } };
      }
      e.used += 1;
      return { ok: true };
    },
    /** Charges the objects an answer returned. */
    charge(app, points) {
      entry(app).used += points;
    },
    /** X-RateLimit-Limit, -Remaining, -Reset (the window's end, yyyy-MM-ddTHH:mmZ) and -NearLimit under 20 % left. */
    headers(app) {
      const e = entry(app);
      const remaining = Math.max(0, pointsPerHour - e.used);
      return {
        "X-RateLimit-Limit": String(pointsPerHour),
        "X-RateLimit-Remaining": String(remaining),
        "X-RateLimit-Reset": resetHeader(e.window),
        ...(remaining < pointsPerHour * NEAR_LIMIT && { "X-RateLimit-NearLimit": "true" }),
      };
    },
    /** { pointsPerHour, windowStart, windowEnd, apps: { [app]: { used, remaining } } } for the current window. */
    stats() {
      const window = windowOf(clock());
      const out = {};
      for (const [app, e] of apps) if (e.window === window) out[app] = { used: e.used, remaining: Math.max(0, pointsPerHour - e.used) };
      return { pointsPerHour, windowStart: window, windowEnd: window + HOUR, apps: out };
    },
  };
}
