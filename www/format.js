// Pure helpers of the admin page: dates, lists and the plain-words description of a JiraWebhooksError.
// No DOM here, so Node can test them (tests/e2e/format.test.mjs).

export const DAY_MS = 86_400_000;
/** Webhooks expiring sooner than this are highlighted and refreshed by "Refresh all expiring". */
export const EXPIRING_MS = 7 * DAY_MS;

const relative = new Intl.RelativeTimeFormat("en", { numeric: "always" });
const dateTime = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" });
const timeOnly = new Intl.DateTimeFormat("en", { timeStyle: "medium" });

/** "Dec 9, 2026, 4:46 PM" */
export const formatDate = (ms) => dateTime.format(new Date(ms));
/** "4:46:12 PM" */
export const formatTime = (ms) => timeOnly.format(new Date(ms));

/**
 * How far `ms` is from `now`, in the unit that reads best: "in 5 days", "in 12 hours", "2 hours ago".
 * Days are rounded; below a day and a half the answer is in hours, below an hour and a half in minutes.
 */
export function fromNow(ms, now = Date.now()) {
  const diff = ms - now;
  const abs = Math.abs(diff);
  if (abs >= 1.5 * DAY_MS) return relative.format(Math.round(diff / DAY_MS), "day");
  if (abs >= 1.5 * 3_600_000) return relative.format(Math.round(diff / 3_600_000), "hour");
  return relative.format(Math.round(diff / 60_000), "minute");
}

/** The expiry of a webhook: { text: "in 5 days", soon, expired }. */
export function expiry(ms, now = Date.now()) {
  if (typeof ms !== "number") return { text: "unknown", soon: false, expired: false };
  const left = ms - now;
  return { text: left <= 0 ? "expired" : fromNow(ms, now), soon: left < EXPIRING_MS, expired: left <= 0 };
}

/** "summary, customfield_10029" or "summary customfield_10029" -> ["summary", "customfield_10029"] */
export const splitList = (text) => text.split(/[\s,]+/).filter(Boolean);

/** "12 seconds", "1 minute 30 seconds", "2 hours" */
export function formatWait(ms) {
  const s = Math.max(1, Math.ceil(ms / 1000));
  const plural = (n, unit) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (s < 60) return plural(s, "second");
  if (s < 3600) return [plural(Math.floor(s / 60), "minute"), s % 60 ? plural(s % 60, "second") : ""].filter(Boolean).join(" ");
  return plural(Math.round(s / 3600), "hour");
}

/**
 * How long Jira asked us to wait, in ms, or undefined when it did not say. Uses the library's `retryAfterMs`
 * (Retry-After, else X-RateLimit-Reset) when present; falls back to `rateLimit.reset` for builds without it.
 */
export function retryAfterMs(err, now = Date.now()) {
  if (typeof err?.retryAfterMs === "number" && err.retryAfterMs > 0) return err.retryAfterMs;
  const reset = Date.parse(err?.rateLimit?.reset ?? "");
  return Number.isFinite(reset) && reset > now ? reset - now : undefined;
}

/** How long a call took: "840 ms", "1.25 s", "12.3 s". */
export function formatDuration(ms) {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/**
 * What Jira's rate-limit headers of an answer say (the hooks' `rateLimit`, plus `retryAfter`: seconds or an HTTP
 * date): { left: "0 of 100 left", near: true, retry: "retry after 30 seconds", reason }, each only when sent.
 */
export function describeRateLimit(r = {}, now = Date.now()) {
  const out = { near: String(r.nearLimit).toLowerCase() === "true" };
  if (r.remaining !== undefined) out.left = `${r.remaining}${r.limit !== undefined ? ` of ${r.limit}` : ""} left`;
  if (r.retryAfter !== undefined) {
    const text = String(r.retryAfter).trim();
    const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
    out.retry = !Number.isFinite(ms) ? `Retry-After: ${text}` : ms <= 0 ? "retry now" : `retry after ${formatWait(ms)}`;
  }
  if (r.reason !== undefined) out.reason = r.reason;
  return out;
}

const STATUS_TITLES = {
  400: "Jira refused the request as invalid",
  401: "Jira did not accept the credentials",
  403: "Jira does not allow this caller to do that",
  404: "Jira has no such resource",
  415: "Jira could not read the request",
  429: "Jira is rate limiting this app",
};
const STATUS_ADVICE = {
  401: "Check the email and API token, or the OAuth access token (it may have expired).",
  403: "Only Connect and OAuth 2.0 apps may manage dynamic webhooks; only Connect apps may read failed deliveries.",
  404: "Check the site URL or cloud ID.",
};

/**
 * A JiraWebhooksError (or anything thrown) in plain words, for the error banner.
 * @returns {{ title: string, messages: string[], details: string[], retryAt?: number, rateLimited?: boolean } | null}
 *   null for an abort (the page cancelled the call itself: nothing to report).
 */
export function describeError(err, now = Date.now()) {
  if (err?.name !== "JiraWebhooksError") {
    return { title: "Something went wrong in this page", messages: [String(err?.message ?? err)], details: [] };
  }
  const details = [];
  if (err.operation) details.push(`Operation: ${err.operation}`);
  if (err.status) details.push(`HTTP status: ${err.status}`);
  if (err.attempts > 1) details.push(`Attempts: ${err.attempts}`);
  if (err.requestId) details.push(`Request id: ${err.requestId} (quote it to Atlassian support)`);
  const jira = [...(err.errorMessages ?? []), ...Object.entries(err.errors ?? {}).map(([field, text]) => `${field}: ${text}`)];

  switch (err.kind) {
    case "aborted":
      return null;
    case "http": {
      // The demo's own proxy (proxy mode) refusing a call, e.g. without this run's key: not Jira's answer.
      const proxy = (err.errorMessages ?? []).filter((m) => m.startsWith("The demo proxy"));
      if (proxy.length && [403, 404, 405].includes(err.status)) return { title: "The demo proxy refused the call", messages: proxy, details };
      if (err.status === 429) {
        const wait = retryAfterMs(err, now);
        const when = wait === undefined
          ? "Rate limited: try again later."
          : `Rate limited: try again in ${formatWait(wait)} (after ${formatTime(now + wait)}).`;
        return { title: STATUS_TITLES[429], messages: [when, ...jira], details, rateLimited: true, retryAt: wait === undefined ? undefined : now + wait };
      }
      const title = STATUS_TITLES[err.status] ?? (err.status >= 500 ? `Jira had a problem (HTTP ${err.status})` : `Jira refused the request (HTTP ${err.status})`);
      const advice = STATUS_ADVICE[err.status] ?? (err.status >= 500 ? "This is on Jira's side (or a proxy in front of it): try again in a moment." : undefined);
      return { title, messages: [...(jira.length ? jira : [err.message]), ...(advice ? [advice] : [])], details };
    }
    case "network":
      return {
        title: "Could not reach Jira",
        messages: [
          "No answer came back. The site may be down, the URL wrong or the network offline, or the site does not accept calls from this page (Jira Cloud does not: use the demo's proxy mode).",
        ],
        details: [...details, err.message],
      };
    case "timeout":
      return { title: "Jira did not answer in time", messages: ["The call was given up. Try again; if it keeps happening, Jira may be slow or unreachable."], details: [...details, err.message] };
    case "decode":
      return { title: "Jira's answer could not be read", messages: [err.message], details };
    case "invalid-input":
      return { title: "Check the form", messages: [err.message], details };
    case "config":
      return { title: "These connection settings cannot work", messages: [err.message], details };
    default:
      return { title: "The call failed", messages: [err.message], details };
  }
}

/** A failed delivery's body, for its summary line: "jira:issue_created · DEMO-1", or null when it is not JSON. */
export function bodySummary(body) {
  try {
    const v = JSON.parse(body);
    return [v.webhookEvent, v.issue?.key ?? v.comment?.id ?? v.sprint?.name ?? v.version?.name].filter(Boolean).join(" · ") || null;
  } catch {
    return null;
  }
}

/** Pretty-prints a JSON body; other text is returned unchanged. */
export function prettyBody(body) {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** Event names grouped for the register form's checkboxes, in the library's order. */
export function groupEvents(events) {
  const groups = [
    ["Issue", (e) => e.startsWith("jira:issue_")],
    ["Comment", (e) => e.startsWith("comment_")],
    ["Issue property", (e) => e.startsWith("issue_property_")],
    ["Sprint", (e) => e.startsWith("sprint_")],
    ["Version", (e) => e.startsWith("jira:version_")],
  ];
  const out = groups.map(([label]) => ({ label, events: [] }));
  const other = { label: "Other", events: [] };
  for (const e of events) (out[groups.findIndex(([, test]) => test(e))] ?? other).events.push(e);
  return [...out, other].filter((g) => g.events.length);
}

/**
 * Whether a registration failed in a way that may have registered the webhooks anyway: the answer was lost
 * (connection dropped, timeout) or a gateway answered 502/503/504 — the library says so with `mayHaveApplied`.
 * Trying it again blindly may register them twice; the list says what exists.
 */
export const mayHaveRegistered = (err) =>
  err?.name === "JiraWebhooksError" &&
  (err.mayHaveApplied === true || (err.operation === "registerDynamicWebhooks" && [502, 503, 504].includes(err.status)));

/** JQL compared loosely: runs of whitespace as one space, none around ( ) , = and the keywords in upper case (quoted text kept as is). */
export function normalizeJql(jql) {
  return String(jql ?? "")
    .split(/("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/)
    .map((part, i) => (i % 2 ? part : part.replace(/\s+/g, " ").replace(/\s*(!=|=|\(|\)|,)\s*/g, "$1").replace(/\b(and|or|not|in)\b/gi, (k) => k.toUpperCase())))
    .join("")
    .trim();
}

const sortedSet = (items) => [...new Set(items ?? [])].sort();
/** What makes two webhooks the same: events and filters as sets, and the JQL (normalized). */
export const webhookIdentity = (w) =>
  JSON.stringify([sortedSet(w.events), normalizeJql(w.jqlFilter), sortedSet(w.fieldIdsFilter), sortedSet(w.issuePropertyKeysFilter)]);

/**
 * For each requested webhook, the id of a listed webhook that is it (same identity, and the same url where the
 * list says one), the newest first, each listed webhook counted once; null when there is none.
 */
export function findRegistered(requested, listed, url) {
  const pool = listed.filter((w) => w.url === undefined || w.url === url).toSorted((a, b) => b.id - a.id);
  const used = new Set();
  return requested.map((r) => {
    const identity = webhookIdentity(r);
    const hit = pool.find((w) => !used.has(w.id) && webhookIdentity(w) === identity);
    if (!hit) return null;
    used.add(hit.id);
    return hit.id;
  });
}

/** How each outcome of a delivery to the demo's receiver reads, and its tone. */
export const DELIVERY_OUTCOMES = {
  verified: { label: "Verified", tone: "ok" },
  duplicate: { label: "Duplicate dropped", tone: "muted" },
  refused: { label: "Refused (401)", tone: "error" },
  failed: { label: "Handler failed", tone: "warn" },
  invalid: { label: "Not JSON (400)", tone: "error" },
  replayed: { label: "Replayed", tone: "accent" },
  "replay-skipped": { label: "Replay skipped", tone: "muted" },
  "no-body": { label: "No body to replay", tone: "muted" },
  "replay-failed": { label: "Replay failed", tone: "error" },
};
/** Where a delivery came from, when not straight from Jira. */
export const DELIVERY_SOURCES = {
  resent: "Sent again by the demo, as Jira does when it got no answer.",
  forged: "Forged by the demo: signed with another secret.",
  replay: "Replayed from getFailedWebhooks with handler.replay.",
};
