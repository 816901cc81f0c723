// The page's last calls, from the client's hooks (request, response, retry): one entry per call however many
// attempts it took, newest first, at most `max`. No DOM here, so Node can test it (tests/e2e/format.test.mjs).
//
// The hooks' events carry no call id: an attempt after the first belongs to the newest call of the same operation,
// method and path that has made one attempt fewer and is not sending; an answer to the one of them that is sending
// that attempt. Two identical calls at once cannot be told apart, and need not be: their rows would be alike.

/**
 * @param {{ max?: number, now?: () => number }} [options]
 * @returns {{ request(e: object): void, response(e: object): void, retry(e: object): void, calls: object[] }}
 *   each call: { seq, operation, method, path, started, attempts, statuses, state: "sending" | "waiting" | "done",
 *   tookMs?, waitedMs, rateLimit?: { reason?, limit?, remaining?, nearLimit?, reset?, retryAfter? } }
 */
export function createCallLog({ max = 20, now = () => Date.now() } = {}) {
  let seq = 0;
  const calls = [];
  const same = (c, e) => c.operation === e.operation && c.method === e.method && c.path === e.path;
  return {
    calls,
    request(e) {
      let c = e.attempt > 1 ? calls.find((x) => same(x, e) && x.attempts === e.attempt - 1 && x.state !== "sending") : undefined;
      if (!c) {
        c = { seq: ++seq, operation: e.operation, method: e.method, path: e.path, started: now(), attempts: 0, statuses: [], waitedMs: 0 };
        calls.unshift(c);
        if (calls.length > max) calls.length = max;
      }
      c.attempts = e.attempt;
      c.state = "sending";
    },
    response(e) {
      const c = calls.find((x) => same(x, e) && x.attempts === e.attempt && x.state === "sending");
      if (!c) return;
      c.statuses.push(e.status);
      c.state = "done";
      c.tookMs = now() - c.started;
      // What Jira last said about the limits in this call (a later answer without those headers changes nothing).
      const said = Object.entries(e.rateLimit ?? {}).filter(([, v]) => v !== undefined);
      if (said.length || e.retryAfter !== undefined) c.rateLimit = { ...Object.fromEntries(said), ...(e.retryAfter !== undefined && { retryAfter: e.retryAfter }) };
    },
    retry(e) {
      const c = calls.find((x) => same(x, e) && x.attempts === e.attempt && x.state === "done");
      if (!c) return;
      c.state = "waiting";
      c.waitedMs += e.delayMs;
    },
  };
}
