// Jira Cloud's per-app rate limit as a token bucket per app, shared by all the sites of the app.

/**
 * @typedef {{ requestsPerSecond: number, burst?: number }} RateLimit burst (the bucket size) defaults to requestsPerSecond
 */

/**
 * @param {RateLimit} limit
 * @param {() => number} [now] a monotonic clock in ms (wall time, not the fake's adjustable clock)
 * @returns {{ limit: Required<RateLimit>, take: (key: string) => number }} take: 0 when a request may pass
 *   (it uses a token), else the milliseconds until the next token
 */
export function createRateLimiter({ requestsPerSecond, burst = Math.max(1, requestsPerSecond) }, now = () => performance.now()) {
  if (!(requestsPerSecond > 0) || !(burst >= 1)) throw new TypeError("rateLimit needs requestsPerSecond > 0 and burst >= 1");
  const buckets = new Map();
  return {
    limit: { requestsPerSecond, burst },
    take(key) {
      const t = now();
      const b = buckets.get(key) ?? { tokens: burst, t };
      b.tokens = Math.min(burst, b.tokens + ((t - b.t) * requestsPerSecond) / 1000);
      b.t = t;
      buckets.set(key, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return ((1 - b.tokens) * 1000) / requestsPerSecond;
    },
  };
}
