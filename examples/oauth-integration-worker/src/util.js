// Small helpers shared by the Worker and the Durable Object.

/** A numeric var, or its default. */
export const num = (value, fallback) => (value !== undefined && value !== "" && Number.isFinite(Number(value)) ? Number(value) : fallback);

/**
 * One structured log line per Jira call attempt, from the client's `hooks.response`: the operation, its answer,
 * the attempt, how long it took and Jira's rate-limit headers. The event never holds a header value or a
 * credential, and nothing else is added but the connection and the site.
 * @param {import("jira-webhooks/lifecycle").ResponseEvent} event
 */
export function logCall(event, context) {
  const { operation, status, attempt, durationMs, retryAfter, rateLimit } = event;
  console.log(JSON.stringify({ operation, ...context, status, attempt, durationMs, ...(retryAfter && { retryAfter }), rateLimit }));
}

/** Worth another try later: no answer, a timeout, Jira or the token endpoint busy or failing. */
export const isTransient = (err) =>
  err?.name !== "JiraWebhooksError" || ["network", "timeout", "decode", "token", "aborted"].includes(err.kind) ||
  (err.kind === "http" && (err.status === 408 || err.status === 429 || err.status >= 500));

export const describeSync = (r) =>
  [`created ${r.created.length}`, `deleted ${r.deleted.length}`, `refreshed ${r.refreshed.length}`, `kept ${r.plan.keep.length}`,
    `foreign ${r.plan.foreign.length}`, ...r.failed.map((f) => `refused: ${JSON.stringify(f)}`)].join(", ").slice(0, 1000);

/** The package's messages never hold a credential; anything else is reduced to its name. */
export const describeError = (err) =>
  (err?.name === "JiraWebhooksError" ? `${err.kind}${err.status ? ` ${err.status}` : ""}: ${err.message}` : `${err?.name ?? "Error"}: ${String(err?.message ?? err)}`).slice(0, 1000);

/** Runs `fn` over `items`, at most `limit` at once. */
export async function eachConcurrently(items, limit, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Base64url of bytes. */
export const base64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
