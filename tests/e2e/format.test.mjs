// The demo page's pure helpers (www/format.js) in Node: relative times, expiry, and errors in plain words.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  bodySummary, describeError, describeRateLimit, expiry, findRegistered, formatDuration, fromNow, formatWait, groupEvents, mayHaveRegistered,
  normalizeJql, retryAfterMs, splitList, webhookIdentity,
} from "../../www/format.js";

const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);
const H = 3_600_000;
const D = 24 * H;
const jiraError = (fields) => Object.assign(new Error(fields.message ?? "failed"), { name: "JiraWebhooksError", errorMessages: [], errors: {}, attempts: 1, ...fields });

test("relative times and expiry", () => {
  assert.equal(fromNow(NOW + 12 * H, NOW), "in 12 hours");
  assert.equal(fromNow(NOW + 5 * D - 2000, NOW), "in 5 days");
  assert.equal(fromNow(NOW - 26 * H, NOW), "26 hours ago");
  assert.equal(fromNow(NOW - 30 * 60_000, NOW), "30 minutes ago");
  assert.deepEqual(expiry(NOW + 6.9 * D, NOW), { text: "in 7 days", soon: true, expired: false });
  assert.deepEqual(expiry(NOW + 7 * D, NOW), { text: "in 7 days", soon: false, expired: false });
  assert.deepEqual(expiry(NOW - 1, NOW), { text: "expired", soon: true, expired: true });
  assert.deepEqual(expiry(undefined, NOW), { text: "unknown", soon: false, expired: false });
});

test("lists, waits, bodies and event groups", () => {
  assert.deepEqual(splitList(" summary, customfield_10029  ,,status "), ["summary", "customfield_10029", "status"]);
  assert.deepEqual(splitList(""), []);
  assert.equal(formatWait(30_000), "30 seconds");
  assert.equal(formatWait(1), "1 second");
  assert.equal(formatWait(90_000), "1 minute 30 seconds");
  assert.equal(formatWait(7_200_000), "2 hours");
  assert.equal(bodySummary('{"webhookEvent":"jira:issue_created","issue":{"key":"DEMO-1"}}'), "jira:issue_created · DEMO-1");
  assert.equal(bodySummary("not json"), null);
  const groups = groupEvents(["jira:issue_created", "comment_created", "sprint_started", "jira:version_released", "brand_new_event"]);
  assert.deepEqual(groups.map((g) => g.label), ["Issue", "Comment", "Sprint", "Version", "Other"]);
});

test("a 429 says when to try again: Retry-After, else X-RateLimit-Reset, else later", () => {
  let d = describeError(jiraError({ kind: "http", status: 429, retryAfterMs: 30_000, errorMessages: ["Rate limit exceeded."] }), NOW);
  assert.equal(d.title, "Jira is rate limiting this app");
  assert.match(d.messages[0], /^Rate limited: try again in 30 seconds \(after /);
  assert.equal(d.messages[1], "Rate limit exceeded.");
  assert.equal(d.retryAt, NOW + 30_000);
  assert.equal(d.rateLimited, true);

  const reset = new Date(NOW + 120_000).toISOString();
  assert.equal(retryAfterMs(jiraError({ kind: "http", status: 429, rateLimit: { reset } }), NOW), 120_000);
  d = describeError(jiraError({ kind: "http", status: 429 }), NOW);
  assert.equal(d.messages[0], "Rate limited: try again later.");
  assert.equal(d.retryAt, undefined);
});

test("other errors in plain words", () => {
  let d = describeError(jiraError({ kind: "http", status: 500, operation: "refreshWebhooks", requestId: "abc", errorMessages: ["Injected fault: HTTP 500"] }));
  assert.equal(d.title, "Jira had a problem (HTTP 500)");
  assert.deepEqual(d.messages, ["Injected fault: HTTP 500", "This is on Jira's side (or a proxy in front of it): try again in a moment."]);
  assert.deepEqual(d.details, ["Operation: refreshWebhooks", "HTTP status: 500", "Request id: abc (quote it to Atlassian support)"]);

  d = describeError(jiraError({ kind: "http", status: 400, errors: { jqlFilter: "bad" } }));
  assert.deepEqual(d.messages, ["jqlFilter: bad"]);
  d = describeError(jiraError({ kind: "http", status: 401, errorMessages: ["You are not authenticated."] }));
  assert.equal(d.title, "Jira did not accept the credentials");
  d = describeError(jiraError({ kind: "network", status: 0, message: "could not reach Jira at https://x" }));
  assert.equal(d.title, "Could not reach Jira");
  assert.match(d.messages[0], /^No answer came back/);
  assert.equal(describeError(jiraError({ kind: "aborted" })), null);
  assert.equal(describeError(jiraError({ kind: "timeout" })).title, "Jira did not answer in time");
  assert.equal(describeError(new TypeError("boom")).title, "Something went wrong in this page");
});

test("the demo proxy's refusals are its own, not Jira's", () => {
  const d = describeError(jiraError({ kind: "http", status: 403, errorMessages: ["The demo proxy needs this run's key: open the address …"] }));
  assert.equal(d.title, "The demo proxy refused the call");
  assert.deepEqual(d.messages, ["The demo proxy needs this run's key: open the address …"]);
  assert.equal(describeError(jiraError({ kind: "http", status: 403, errorMessages: ["Only apps."] })).title, "Jira does not allow this caller to do that");
  assert.equal(describeError(jiraError({ kind: "http", status: 504, errorMessages: ["The demo proxy could not reach x: no answer within 30 s."] })).title, "Jira had a problem (HTTP 504)");
});

test("a registration may have been applied when its answer was lost or a gateway gave up, not after a clear refusal", () => {
  assert.equal(mayHaveRegistered(jiraError({ kind: "network", status: 0, mayHaveApplied: true, operation: "registerDynamicWebhooks" })), true);
  assert.equal(mayHaveRegistered(jiraError({ kind: "timeout", status: 0, mayHaveApplied: true, operation: "registerDynamicWebhooks" })), true);
  for (const status of [502, 503, 504]) assert.equal(mayHaveRegistered(jiraError({ kind: "http", status, operation: "registerDynamicWebhooks" })), true, `${status}`);
  for (const status of [400, 401, 403, 429, 500]) assert.equal(mayHaveRegistered(jiraError({ kind: "http", status, operation: "registerDynamicWebhooks" })), false, `${status}`);
  assert.equal(mayHaveRegistered(jiraError({ kind: "invalid-input", status: 0, attempts: 0 })), false);
  assert.equal(mayHaveRegistered(jiraError({ kind: "http", status: 504, operation: "getDynamicWebhooksForApp" })), false);
  assert.equal(mayHaveRegistered(new TypeError("x")), false);
});

test("the requested webhooks are found in the list by events, filters and JQL, newest first, each once", () => {
  assert.equal(normalizeJql("  project  in ( DEMO ,OPS )  and status != Done "), "project IN(DEMO,OPS)AND status!=Done");
  assert.equal(normalizeJql('summary = "a  and  b"'), 'summary="a  and  b"', "quoted text is kept");
  assert.equal(webhookIdentity({ events: ["b", "a", "a"], jqlFilter: "project = X" }), webhookIdentity({ events: ["a", "b"], jqlFilter: "project=X", fieldIdsFilter: [] }));
  assert.notEqual(webhookIdentity({ events: ["a"], jqlFilter: "project = X" }), webhookIdentity({ events: ["a"], jqlFilter: "project = X", fieldIdsFilter: ["summary"] }));
  const url = "https://app.example.com/hook";
  const listed = [
    { id: 10000, url, events: ["jira:issue_created"], jqlFilter: "project = DEMO" },
    { id: 10006, url, events: ["jira:issue_created"], jqlFilter: "project  =  DEMO" },
    { id: 10007, url: "https://elsewhere.example.com", events: ["comment_created"], jqlFilter: "project = DEMO" },
    { id: 10008, events: ["comment_created"], jqlFilter: "project = DEMO" },
  ];
  const requested = [
    { events: ["jira:issue_created"], jqlFilter: "project = DEMO" },
    { events: ["jira:issue_created"], jqlFilter: "project = DEMO" },
    { events: ["jira:issue_created"], jqlFilter: "project = DEMO" },
    { events: ["comment_created"], jqlFilter: "project = DEMO" },
    { events: ["jira:issue_deleted"], jqlFilter: "project = DEMO" },
  ];
  assert.deepEqual(findRegistered(requested, listed, url), [10006, 10000, null, 10008, null]);
});

test("a call's time and Jira's rate-limit headers in words", () => {
  assert.deepEqual([0, 12.4, 999, 1000, 1040, 9999, 12_345].map(formatDuration), ["0 ms", "12 ms", "999 ms", "1.00 s", "1.04 s", "10.00 s", "12.3 s"]);
  assert.deepEqual(describeRateLimit({ limit: "100", remaining: "0", nearLimit: "true", reason: "jira-quota-based", retryAfter: "30" }, NOW),
    { near: true, left: "0 of 100 left", retry: "retry after 30 seconds", reason: "jira-quota-based" });
  assert.deepEqual(describeRateLimit({ limit: "1000", remaining: "990" }, NOW), { near: false, left: "990 of 1000 left" });
  assert.deepEqual(describeRateLimit({ remaining: "7", nearLimit: "TRUE" }, NOW), { near: true, left: "7 left" });
  // Retry-After as an HTTP date, one in the past, and one that is neither.
  assert.equal(describeRateLimit({ retryAfter: new Date(NOW + 90_000).toUTCString() }, NOW).retry, "retry after 1 minute 30 seconds");
  assert.equal(describeRateLimit({ retryAfter: new Date(NOW - 5_000).toUTCString() }, NOW).retry, "retry now");
  assert.equal(describeRateLimit({ retryAfter: "soon" }, NOW).retry, "Retry-After: soon");
  assert.deepEqual(describeRateLimit({}, NOW), { near: false });
});
