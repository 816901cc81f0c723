// The Last calls panel's log (www/app/call-log.js) in Node: the hooks' events of each attempt folded into one
// entry per call, newest first, bounded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createCallLog } from "../../www/app/call-log.js";

const LIST = { operation: "getDynamicWebhooksForApp", method: "GET", path: "/rest/api/3/webhook?startAt=0&maxResults=5" };
const FAILED = { operation: "getFailedWebhooks", method: "GET", path: "/rest/api/3/webhook/failed?maxResults=5" };
const LIMITED = { reason: "jira-quota-based", limit: "100", remaining: "0", nearLimit: "true", reset: "2026-12-06T12:53Z" };

/** A log on a clock the test moves. */
function clocked(options) {
  let t = 1_000;
  const log = createCallLog({ ...options, now: () => t });
  return { log, tick: (ms) => (t += ms) };
}
const view = (c) => ({ operation: c.operation, attempts: c.attempts, statuses: c.statuses, state: c.state, tookMs: c.tookMs, waitedMs: c.waitedMs, rateLimit: c.rateLimit });

test("one attempt: sending, then done with its status and time", () => {
  const { log, tick } = clocked();
  log.request({ ...LIST, attempt: 1 });
  assert.deepEqual(view(log.calls[0]), { operation: LIST.operation, attempts: 1, statuses: [], state: "sending", tookMs: undefined, waitedMs: 0, rateLimit: undefined });
  tick(42);
  log.response({ ...LIST, attempt: 1, status: 200, durationMs: 42, rateLimit: {} });
  assert.deepEqual(view(log.calls[0]), { operation: LIST.operation, attempts: 1, statuses: [200], state: "done", tookMs: 42, waitedMs: 0, rateLimit: undefined });
});

test("a 429, the wait and the attempt after it are one call; the 429's limits stay until an answer says otherwise", () => {
  const { log, tick } = clocked();
  log.request({ ...LIST, attempt: 1 });
  tick(10);
  log.response({ ...LIST, attempt: 1, status: 429, durationMs: 10, retryAfter: "1", rateLimit: LIMITED });
  log.retry({ ...LIST, attempt: 1, delayMs: 1000 });
  assert.equal(log.calls[0].state, "waiting");
  tick(1000);
  log.request({ ...LIST, attempt: 2 });
  tick(15);
  log.response({ ...LIST, attempt: 2, status: 200, durationMs: 15, rateLimit: {} });
  assert.equal(log.calls.length, 1);
  assert.deepEqual(view(log.calls[0]), {
    operation: LIST.operation, attempts: 2, statuses: [429, 200], state: "done", tookMs: 1025, waitedMs: 1000,
    rateLimit: { ...LIMITED, retryAfter: "1" },
  });

  // The same again, with a budget Jira reports on the 200: that replaces the 429's.
  log.request({ ...LIST, attempt: 1 });
  log.response({ ...LIST, attempt: 1, status: 429, durationMs: 1, retryAfter: "1", rateLimit: LIMITED });
  log.retry({ ...LIST, attempt: 1, delayMs: 1000 });
  log.request({ ...LIST, attempt: 2 });
  log.response({ ...LIST, attempt: 2, status: 200, durationMs: 1, rateLimit: { limit: "1000", remaining: "990", reset: "2026-12-06T13:00Z" } });
  assert.equal(log.calls.length, 2);
  assert.deepEqual(log.calls[0].rateLimit, { limit: "1000", remaining: "990", reset: "2026-12-06T13:00Z" });
});

test("a second attempt without a retry event (a refused token asked again) joins its call; no answer is status 0", () => {
  const { log } = clocked();
  log.request({ ...LIST, attempt: 1 });
  log.response({ ...LIST, attempt: 1, status: 401, durationMs: 5, rateLimit: {} });
  log.request({ ...LIST, attempt: 2 });
  log.response({ ...LIST, attempt: 2, status: 0, durationMs: 5 });
  assert.deepEqual(log.calls.map((c) => [c.attempts, c.statuses, c.state]), [[2, [401, 0], "done"]]);
});

test("calls at once keep apart: other operations, and a new call of the same one while another is done", () => {
  const { log } = clocked();
  log.request({ ...LIST, attempt: 1 });
  log.request({ ...FAILED, attempt: 1 });
  log.response({ ...LIST, attempt: 1, status: 200, durationMs: 1, rateLimit: {} });
  log.request({ ...LIST, attempt: 1 }); // a new call, not a second attempt of the first
  log.response({ ...FAILED, attempt: 1, status: 403, durationMs: 1, rateLimit: {} });
  assert.deepEqual(log.calls.map((c) => [c.seq, c.operation, c.statuses, c.state]), [
    [3, LIST.operation, [], "sending"],
    [2, FAILED.operation, [403], "done"],
    [1, LIST.operation, [200], "done"],
  ]);
  // An event that matches no call (its call already left the log) changes nothing.
  log.response({ ...FAILED, attempt: 2, status: 200, durationMs: 1, rateLimit: {} });
  log.retry({ ...FAILED, attempt: 5, delayMs: 10 });
  assert.deepEqual(log.calls.map((c) => c.statuses), [[], [403], [200]]);
});

test("newest first, at most `max`", () => {
  const { log } = clocked({ max: 3 });
  for (let i = 0; i < 5; i++) {
    log.request({ ...LIST, attempt: 1 });
    log.response({ ...LIST, attempt: 1, status: 200, durationMs: 1, rateLimit: {} });
  }
  assert.deepEqual(log.calls.map((c) => c.seq), [5, 4, 3]);
});
