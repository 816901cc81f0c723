// The demo's webhook receiver (fake mode): what an app runs at its webhook URL, built from the package itself —
// `createWebhookHandler` from jira-webhooks/lifecycle behind `toNodeListener` from jira-webhooks/node-adapter —
// plus the log the demo page watches (Server-Sent Events) and the buttons that provoke the cases an app must
// handle: a handler that fails (Jira retries), a delivery sent again (dropped as a duplicate), a forged one
// (refused 401) and failed deliveries replayed from getFailedWebhooks.
//
// Each request to the receiver becomes one log entry:
//   { seq, time, source: "jira" | "resent" | "forged" | "replay",
//     outcome: "verified" | "duplicate" | "refused" | "failed" | "invalid" | "replayed" | "replay-skipped" | "no-body" | "replay-failed",
//     status?, id?, retry?, event?, issueKey?, clientKey?, matchedWebhookIds?, reason? }
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** How many entries the log keeps (and sends to a page that connects). */
const LOG_MAX = 200;
/** Marks the receiver's own simulated requests (ignored by the handler: Connect's qsh covers method, path and query only). */
const SIMULATED = "x-demo-simulated";

/**
 * @param {object} options
 * @param {string} options.pkgDir the built package (pkg/)
 * @param {string} options.origin the demo server's origin; the receiver is `${origin}/webhook`
 * @param {string} options.clientKey the fake's default tenant (the Connect JWT's iss)
 * @param {string} options.sharedSecret that tenant's shared secret (the seed's Connect app)
 * @param {string} options.oauthClientSecret signs the fake's deliveries to OAuth 2.0 apps
 * @param {{ baseUrl: string, appKey?: string, sharedSecret?: string }} options.jira the Connect app, for getFailedWebhooks
 */
export async function createDemoReceiver({ pkgDir, origin, clientKey, sharedSecret, oauthClientSecret, jira }) {
  const lib = await import(pathToFileURL(join(pkgDir, "lifecycle", "node.mjs")).href);
  const { toNodeListener } = await import(pathToFileURL(join(pkgDir, "node-adapter.js")).href);
  const url = `${origin}/webhook`;
  // Only Connect apps may read failed deliveries: without one in the seed, "replay" says so.
  const client = jira.appKey && jira.sharedSecret
    ? new lib.JiraWebhooks({ baseUrl: jira.baseUrl, auth: { type: "connect", appKey: jira.appKey, sharedSecret: jira.sharedSecret } })
    : null;

  const log = [];
  const streams = new Set();
  let seq = 0;
  let failing = false;
  let forgedSeq = 0;
  /** The last request Jira sent (headers and raw body), for "send it again". */
  let lastFromJira = null;
  /** Handler calls per delivery id: a request that answered 204 without one was a duplicate. */
  let calls = new Map();
  let handler, listener;

  function freshHandler() {
    calls = new Map();
    handler = lib.createWebhookHandler({
      connect: { baseUrl: origin, sharedSecret: (key) => (key === clientKey ? sharedSecret : undefined) },
      oauth: { clientSecret: oauthClientSecret },
      on: {
        "*": (payload, delivery) => {
          calls.set(delivery.id, { n: (calls.get(delivery.id)?.n ?? 0) + 1, delivery });
          if (failing) throw new Error("the demo's handler is set to fail");
        },
      },
      onMissingBody: () => {},
    });
    listener = toNodeListener(handler, { baseUrl: origin });
  }
  freshHandler();

  function record(entry) {
    const e = { seq: ++seq, time: Date.now(), ...entry };
    log.push(e);
    if (log.length > LOG_MAX) log.shift();
    broadcast("delivery", e);
    return e;
  }
  function broadcast(event, data) {
    for (const res of streams) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
  const describe = (d) => ({
    id: d.id, retry: d.retry, event: d.event, clientKey: d.clientKey, matchedWebhookIds: d.matchedWebhookIds,
    issueKey: d.payload?.issue?.key,
  });

  /** POST /webhook: the handler answers; the outcome is logged. `body` is the raw body, already read. */
  async function handle(req, res, body) {
    const headers = req.headers;
    const source = { resend: "resent", forged: "forged" }[headers[SIMULATED]] ?? "jira";
    if (source === "jira") lastFromJira = { headers: { ...headers }, body };
    const id = headers["x-atlassian-webhook-identifier"];
    const before = calls.get(id)?.n ?? 0;
    let answer = "";
    const end = res.end.bind(res);
    res.end = (chunk, ...rest) => {
      if (chunk !== undefined && chunk !== null) answer = String(chunk);
      return end(chunk, ...rest);
    };
    await listener(Object.assign(req, { body }), res);
    const status = res.statusCode;
    const called = (calls.get(id)?.n ?? 0) > before;
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch {}
    const fromHeaders = {
      id, retry: Number(headers["x-atlassian-webhook-retry"] ?? 0), event: parsed?.webhookEvent,
      issueKey: parsed?.issue?.key, matchedWebhookIds: parsed?.matchedWebhookIds,
    };
    if (status === 401) return record({ source, outcome: "refused", status, ...fromHeaders, reason: answer });
    if (status === 400) return record({ source, outcome: "invalid", status, ...fromHeaders, reason: answer });
    const info = called ? describe(calls.get(id).delivery) : fromHeaders;
    if (status === 500 && called) return record({ source, outcome: "failed", status, ...info, reason: "The handler threw, so the receiver answered 500: Jira retries." });
    if (status < 300 && called) return record({ source, outcome: "verified", status, ...info });
    if (status < 300) return record({ source, outcome: "duplicate", status, ...info, reason: "Already processed: answered 204, the handler was not called again." });
    return record({ source, outcome: "failed", status, ...info, reason: answer });
  }

  /** GET /_demo/deliveries: Server-Sent Events, the whole log first (after a "reset"), then each new entry. */
  function stream(req, res) {
    res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
    res.write("retry: 1000\n\n");
    res.write(`event: reset\ndata: ${JSON.stringify({ failing, url })}\n\n`);
    for (const e of log) res.write(`event: delivery\ndata: ${JSON.stringify(e)}\n\n`);
    streams.add(res);
    const ping = setInterval(() => res.write(": ping\n\n"), 15_000);
    req.on("close", () => {
      clearInterval(ping);
      streams.delete(res);
    });
  }

  /** Sends the last delivery from Jira again, as Jira does when it did not get the answer. */
  async function resend() {
    if (!lastFromJira) return { ok: false, error: "No delivery from Jira yet: fire an event first." };
    const { host, connection, "content-length": _, ...headers } = lastFromJira.headers;
    const res = await fetch(url, { method: "POST", headers: { ...headers, [SIMULATED]: "resend" }, body: lastFromJira.body });
    await res.arrayBuffer();
    return { ok: true, status: res.status };
  }

  /** A delivery that claims to be from the tenant but is signed with another secret. */
  async function forge() {
    const now = Math.floor(Date.now() / 1000);
    const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const unsigned = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ iss: clientKey, iat: now, exp: now + 180, qsh: "forged" })}`;
    const signature = createHmac("sha256", "not-the-shared-secret").update(unsigned).digest("base64url");
    const id = `forged-${++forgedSeq}`;
    const body = JSON.stringify({ timestamp: Date.now(), webhookEvent: "jira:issue_deleted", matchedWebhookIds: [], issue: { id: "1", key: "DEMO-999", fields: { summary: "Forged" } } });
    const res = await fetch(url, {
      method: "POST", body,
      headers: { "Content-Type": "application/json", Authorization: `JWT ${unsigned}.${signature}`, "X-Atlassian-Webhook-Identifier": id, [SIMULATED]: "forged" },
    });
    await res.arrayBuffer();
    return { ok: true, status: res.status };
  }

  /** Every failed delivery Jira lists (client.failedWebhooks()), fed through the handler with handler.replay. */
  async function replayFailed() {
    if (!client) throw new Error("the seed has no Connect app, and only Connect apps may read failed deliveries");
    const counts = { replayed: 0, skipped: 0, noBody: 0, failed: 0 };
    for await (const failure of client.failedWebhooks()) {
      const before = calls.get(failure.id)?.n ?? 0;
      const base = { source: "replay", id: failure.id };
      try {
        // The tenant it came from: a replay is the same delivery as the one Jira may still retry.
        const delivery = await handler.replay(failure, { site: clientKey });
        if (delivery === undefined) {
          counts.noBody++;
          record({ ...base, outcome: "no-body", reason: "Jira kept no body for this failure: an app would fetch the entity itself." });
        } else if ((calls.get(failure.id)?.n ?? 0) > before) {
          counts.replayed++;
          record({ ...base, ...describe(delivery), outcome: "replayed" });
        } else {
          counts.skipped++;
          record({ ...base, ...describe(delivery), outcome: "replay-skipped", reason: "Already processed: the handler was not called again." });
        }
      } catch (e) {
        counts.failed++;
        record({ ...base, outcome: "replay-failed", reason: e?.message ?? String(e) });
      }
    }
    return { ok: true, ...counts };
  }

  return {
    url,
    log,
    handle,
    stream,
    resend,
    forge,
    replayFailed,
    get failing() { return failing; },
    setFailing(on) {
      failing = !!on;
      broadcast("state", { failing });
      return { ok: true, failing };
    },
    /** Forgets everything (the fake was reset: its delivery ids start again at 1). */
    reset() {
      log.length = 0;
      failing = false;
      lastFromJira = null;
      forgedSeq = 0;
      freshHandler();
      broadcast("reset", { failing, url });
    },
    close() {
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
