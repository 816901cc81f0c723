// Canned, spec-valid bodies the bench server answers with, and the inputs the clients send.
// Shaped like Jira Cloud's own answers: `expirationDate` is a date string such as "2019-06-01T12:42:30.000+0000"
// (the spec says int64 milliseconds; real Jira sends the string). `numericDates` gives the spec's int64 form.

const EVENT_SETS = [
  ["jira:issue_created", "jira:issue_updated"],
  ["jira:issue_deleted"],
  ["comment_created", "comment_updated", "comment_deleted"],
  ["issue_property_set", "issue_property_deleted"],
  ["jira:issue_updated"],
];

export const APP_URL = "https://bench-app.example.com/jira/webhook";

/** One webhook as Jira lists it. */
function webhook(i, numericDates) {
  const w = {
    id: 10000 + i,
    events: EVENT_SETS[i % EVENT_SETS.length],
    jqlFilter: `project = PRJ${i % 17} AND issuetype = Bug AND status != Done`,
    expirationDate: numericDates
      ? Date.UTC(2026, 0, 1 + (i % 28), 12, 42, 30)
      : `2026-01-${String(1 + (i % 28)).padStart(2, "0")}T12:42:30.000+0000`,
    url: APP_URL,
  };
  if (i % 2 === 0) w.fieldIdsFilter = ["summary", "customfield_10029"];
  if (i % 5 === 3) w.issuePropertyKeysFilter = ["my-issue-property-key"];
  return w;
}

/** A PageBeanWebhook of `n` webhooks. */
export function webhookPage(n, { numericDates = false } = {}) {
  return {
    isLast: true,
    maxResults: 100,
    self: "https://your-domain.atlassian.net/rest/api/2/webhook?startAt=0&maxResults=100",
    startAt: 0,
    total: n,
    values: Array.from({ length: n }, (_, i) => webhook(i, numericDates)),
  };
}

/** The body of registerDynamicWebhooks with `n` webhooks. */
export function registrationInput(n = 5) {
  return {
    url: APP_URL,
    webhooks: Array.from({ length: n }, (_, i) => ({
      events: EVENT_SETS[i % EVENT_SETS.length],
      jqlFilter: `project = PRJ${i} AND status = Done`,
      ...(i % 2 === 0 ? { fieldIdsFilter: ["summary"] } : {}),
    })),
  };
}

/** Jira's answer to a registration of `n` webhooks, all created. */
export function registrationResult(n = 5) {
  return { webhookRegistrationResult: Array.from({ length: n }, (_, i) => ({ createdWebhookId: 20000 + i })) };
}

export const EMAIL = "bench@example.com";
export const API_TOKEN = "bench-token-0123456789";
export const BASIC = "Basic " + Buffer.from(`${EMAIL}:${API_TOKEN}`).toString("base64");
