// One Durable Object per connection (one user's OAuth 2.0 grant, named by the app's user id): the only place that
// holds and refreshes its tokens and the only place that syncs its webhooks, so no two processes race on them.
//
// A Durable Object runs one event at a time only between awaits: while it waits on an outbound fetch (the token
// endpoint, Jira), other requests to it run ("Rules of Durable Objects"). So it still needs what a process needs:
// `oauth2Tokens` keeps one refresh in flight however many calls ask at once (an in-memory shared promise), and its
// `save` is a compare-and-swap, here one UPDATE of the object's own SQLite storage. Syncs of one site run one after
// the other: one that is asked for while another runs waits for it, and those asked for meanwhile join it; and
// across connections, one at a time per site (a lease in D1: see migrations/0001_initial.sql, `sync_leases`).
import { DurableObject } from "cloudflare:workers";
import { JiraWebhooks, oauth2Tokens } from "jira-webhooks/lifecycle";
import { WEBHOOKS } from "./webhooks.js";
import { observer, retryAfterMs } from "./pacing.js";
import { describeError, describeSync, isTransient, logCall, num } from "./util.js";

export class Connection extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS connection (
        id INTEGER PRIMARY KEY CHECK (id = 1), user TEXT NOT NULL, status TEXT NOT NULL, generation INTEGER NOT NULL,
        access_token TEXT NOT NULL, refresh_token TEXT NOT NULL, expires_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS sites (cloud_id TEXT PRIMARY KEY, url TEXT NOT NULL, owned TEXT NOT NULL DEFAULT '[]');`);
    /** @type {ReturnType<typeof oauth2Tokens> | null} */
    this.manager = null;
    /** @type {Map<string, { running: Promise<object> | null, queued: Promise<object> | null }>} */
    this.syncs = new Map();
    this.reauthorizeError = null;
  }

  /** The connection's row, or undefined before the first `connect`. */
  row() {
    return this.sql.exec("SELECT * FROM connection WHERE id = 1").toArray()[0];
  }

  /**
   * The user (re)connected (not `connect`: a stub has its own, for sockets): tokens of a fresh code exchange and the sites the grant reaches. Sites no longer
   * granted are forgotten (this connection can no longer manage their webhooks); the others keep their `owned`.
   * @param {string} user  @param {{ accessToken: string, refreshToken: string, expiresAt: number }} tokens
   * @param {{ id: string, url: string }[]} sites
   */
  async connected(user, tokens, sites) {
    const generation = (this.row()?.generation ?? 0) + 1;
    this.sql.exec(
      `INSERT INTO connection (id, user, status, generation, access_token, refresh_token, expires_at) VALUES (1, ?, 'active', ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET user = excluded.user, status = 'active', generation = excluded.generation,
         access_token = excluded.access_token, refresh_token = excluded.refresh_token, expires_at = excluded.expires_at`,
      user, generation, tokens.accessToken, tokens.refreshToken, tokens.expiresAt);
    const ids = sites.map((s) => s.id);
    this.sql.exec(`DELETE FROM sites WHERE cloud_id NOT IN (${ids.map(() => "?").join(",") || "''"})`, ...ids);
    for (const s of sites) {
      this.sql.exec("INSERT INTO sites (cloud_id, url) VALUES (?, ?) ON CONFLICT (cloud_id) DO UPDATE SET url = excluded.url", s.id, s.url);
    }
    this.manager = null; // a fresh token manager: the old one's refresh in flight (if any) loses its swap
    this.reauthorizeError = null;
    const now = Date.now();
    const db = this.env.DB;
    await db.batch([
      db.prepare(
        `INSERT INTO connections (user, status, generation, connected_at, status_at) VALUES (?1, 'active', ?2, ?3, ?3)
         ON CONFLICT (user) DO UPDATE SET status = 'active', generation = ?2, connected_at = ?3, status_at = ?3`,
      ).bind(user, generation, now),
      db.prepare(`DELETE FROM connection_sites WHERE user = ? AND cloud_id NOT IN (${ids.map(() => "?").join(",") || "''"})`).bind(user, ...ids),
      db.prepare(`DELETE FROM owned_webhooks WHERE user = ? AND cloud_id NOT IN (${ids.map(() => "?").join(",") || "''"})`).bind(user, ...ids),
      ...sites.map((s) => db.prepare(
        `INSERT INTO connection_sites (user, cloud_id, site_url, sync_status, sync_at) VALUES (?1, ?2, ?3, 'queued', ?4)
         ON CONFLICT (user, cloud_id) DO UPDATE SET site_url = ?3, sync_status = 'queued', sync_at = ?4`,
      ).bind(user, s.id, s.url, now)),
    ]);
    return { generation };
  }

  /** The token manager of this connection: its store is this object's SQLite row. */
  tokens() {
    return (this.manager ??= oauth2Tokens({
      clientId: this.env.OAUTH_CLIENT_ID,
      clientSecret: this.env.OAUTH_CLIENT_SECRET,
      tokenUrl: this.env.OAUTH_TOKEN_URL,
      load: () => {
        const r = this.row();
        return r && { accessToken: r.access_token, refreshToken: r.refresh_token, expiresAt: r.expires_at };
      },
      // Compare-and-swap in one statement: the new pair is stored only if the spent refresh token is still the one
      // stored (else another refresh, or a new connect, came first, and oauth2Tokens uses what is stored).
      save: (next, previous) => this.sql.exec(
        "UPDATE connection SET access_token = ?, refresh_token = ?, expires_at = ? WHERE id = 1 AND refresh_token = ?",
        next.accessToken, next.refreshToken, next.expiresAt, previous.refreshToken).rowsWritten === 1,
    }));
  }

  /** `getToken` for the client: the manager's, and a `reauthorize` marks the connection (it then costs no call). */
  async token(context) {
    const row = this.row();
    if (!row) throw new Error("not connected");
    if (row.status === "reauthorize" && this.reauthorizeError) throw this.reauthorizeError;
    try {
      return await this.tokens().getToken(context);
    } catch (e) {
      if (e?.kind === "reauthorize") await this.markReauthorize(row.generation, e);
      throw e;
    }
  }

  /** The user revoked access, or the grant ended: only a new authorization helps. Not if they reconnected since. */
  async markReauthorize(generation, error) {
    const changed = this.sql.exec("UPDATE connection SET status = 'reauthorize' WHERE id = 1 AND generation = ? AND status = 'active'", generation).rowsWritten;
    if (this.row()?.generation === generation) this.reauthorizeError = error;
    if (!changed) return;
    const user = this.row().user;
    const now = Date.now();
    await this.env.DB.batch([
      this.env.DB.prepare("UPDATE connections SET status = 'reauthorize', status_at = ? WHERE user = ? AND generation = ?").bind(now, user, generation),
      this.env.DB.prepare("UPDATE connection_sites SET sync_status = 'reauthorize', sync_detail = ?, sync_at = ? WHERE user = ?")
        .bind("the user must authorize the app again", now, user),
    ]);
    console.log(JSON.stringify({ event: "reauthorize", connection: user }));
  }

  /** A client for one site, with this connection's tokens; its hooks log each attempt and feed `watch`. */
  client(cloudId, watch, onLongWait) {
    const user = this.row().user;
    const inlineMax = num(this.env.INLINE_RETRY_MAX_MS, 10_000);
    return new JiraWebhooks({
      cloudId,
      ...(this.env.JIRA_GATEWAY_URL && { gatewayUrl: this.env.JIRA_GATEWAY_URL }),
      auth: { type: "bearer", getToken: (context) => this.token(context) },
      timeoutMs: num(this.env.JIRA_TIMEOUT_MS, 20_000),
      retry: { retries: 3, maxDelayMs: inlineMax },
      hooks: {
        response: (event) => {
          logCall(event, { connection: user, site: cloudId });
          watch.response(event);
          // Longer than a call should wait: stop it, and let the queue message wait as long as Jira asked.
          if (event.status === 429 && onLongWait && (retryAfterMs(event.retryAfter) ?? 0) > inlineMax) onLongWait();
        },
      },
    });
  }

  /**
   * Syncs this connection's webhooks on one site. Serial per site: a sync asked for while one runs starts after it;
   * any asked for meanwhile join that one. Resolves to a plain outcome (never rejects: RPC would lose the error's kind).
   * @returns {Promise<{ status: "ok" | "partial" | "reauthorize" | "rate-limited" | "error" | "busy" | "unknown-site",
   *   detail?: string, transient?: boolean, retryAfterMs?: number, seen: object }>}
   */
  sync(cloudId) {
    let s = this.syncs.get(cloudId);
    if (!s) this.syncs.set(cloudId, (s = { running: null, queued: null }));
    if (s.queued) return s.queued;
    const start = () => (s.running = this.runSync(cloudId).finally(() => (s.running = null)));
    if (!s.running) return start();
    return (s.queued = s.running.then(() => {
      s.queued = null;
      return start();
    }));
  }

  /** Every site of the connection at once (each serial as above): a manual resync. */
  async syncAll() {
    const sites = this.sql.exec("SELECT cloud_id FROM sites ORDER BY cloud_id").toArray();
    const results = await Promise.all(sites.map((s) => this.sync(s.cloud_id)));
    return sites.map((s, i) => ({ cloudId: s.cloud_id, ...results[i] }));
  }

  async runSync(cloudId) {
    const watch = observer();
    const site = this.sql.exec("SELECT owned FROM sites WHERE cloud_id = ?", cloudId).toArray()[0];
    const row = this.row();
    if (!row || !site) return { status: "unknown-site", detail: "not a site of this connection", seen: watch.seen };
    if (row.status === "reauthorize") return { status: "reauthorize", seen: watch.seen };
    const lease = await takeLease(this.env, cloudId, num(this.env.SYNC_LEASE_WAIT_MS, 20_000));
    if (!lease) return { status: "busy", detail: "another connection's sync of this site held it", seen: watch.seen };
    try {
      return await this.syncHolding(cloudId, watch);
    } finally {
      await lease.release().catch(() => {}); // else it ends by itself
    }
  }

  /** The sync itself, under the site's lease. */
  async syncHolding(cloudId, watch) {
    const site = this.sql.exec("SELECT owned FROM sites WHERE cloud_id = ?", cloudId).toArray()[0];
    const owned = JSON.parse(site.owned);
    const controller = new AbortController();
    let stopped = false;
    const client = this.client(cloudId, watch, () => {
      stopped = true;
      controller.abort();
    });
    try {
      const result = await client.syncWebhooks({ url: webhookUrl(this.env), webhooks: WEBHOOKS, owned }, { signal: controller.signal });
      await this.saveOwned(cloudId, ownedAfter(result));
      return { status: result.failed.length ? "partial" : "ok", detail: describeSync(result), seen: watch.seen };
    } catch (e) {
      // What it did before it stopped (the error's `result`) is still the connection's own.
      const done = typeof e?.result === "string" ? JSON.parse(e.result) : e?.result;
      if (done?.plan) await this.saveOwned(cloudId, ownedAfter(done));
      if (e?.kind === "reauthorize") return { status: "reauthorize", seen: watch.seen };
      if (stopped || (e?.kind === "http" && e.status === 429)) {
        return { status: "rate-limited", retryAfterMs: watch.seen.retryAfterMs ?? e?.retryAfterMs, detail: describeError(e), seen: watch.seen };
      }
      return { status: "error", transient: isTransient(e), detail: describeError(e), seen: watch.seen };
    } finally {
      client.free();
    }
  }

  /** The ids this connection owns on a site: its own storage first (the truth), then D1 for the receiver. */
  async saveOwned(cloudId, ids) {
    this.sql.exec("UPDATE sites SET owned = ? WHERE cloud_id = ?", JSON.stringify(ids), cloudId);
    const user = this.row().user;
    const db = this.env.DB;
    const rows = [];
    for (let i = 0; i < ids.length; i += 30) {
      const chunk = ids.slice(i, i + 30);
      rows.push(db.prepare(`INSERT OR REPLACE INTO owned_webhooks (cloud_id, webhook_id, user) VALUES ${chunk.map(() => "(?, ?, ?)").join(", ")}`)
        .bind(...chunk.flatMap((id) => [cloudId, id, user])));
    }
    await db.batch([db.prepare("DELETE FROM owned_webhooks WHERE user = ? AND cloud_id = ?").bind(user, cloudId), ...rows]);
  }

  /**
   * A delivery's work for this connection. The fake Jira this example is tested against serves only the webhook
   * API, so the work here is one call with the connection's token (a page of one webhook); a real app reads the
   * issue, or whatever its work needs, the same way. A revoked grant shows here, as it does for a sync.
   * @returns {Promise<{ outcome: "processed" | "reauthorize" | "error", transient?: boolean, detail?: string, retryAfterMs?: number }>}
   */
  async work(cloudId) {
    const row = this.row();
    if (!row) return { outcome: "error", transient: false, detail: "not connected" };
    if (row.status === "reauthorize") return { outcome: "reauthorize" };
    const watch = observer();
    const client = this.client(cloudId, watch);
    try {
      await client.getDynamicWebhooksForApp({ maxResults: 1 });
      return { outcome: "processed" };
    } catch (e) {
      if (e?.kind === "reauthorize") return { outcome: "reauthorize" };
      return { outcome: "error", transient: isTransient(e), detail: describeError(e), retryAfterMs: e?.retryAfterMs };
    } finally {
      client.free();
    }
  }

  /** For tests and support: the connection without its tokens. */
  describe() {
    const row = this.row();
    if (!row) return null;
    const sites = this.sql.exec("SELECT cloud_id, url, owned FROM sites ORDER BY cloud_id").toArray()
      .map((s) => ({ cloudId: s.cloud_id, url: s.url, owned: JSON.parse(s.owned) }));
    return { user: row.user, status: row.status, generation: row.generation, sites };
  }
}

/** How long a site's sync lease lasts when its holder dies before releasing it. */
const LEASE_MS = 120_000;

/**
 * Takes the site's sync lease (D1, one statement: an insert, or the takeover of a lease that has ended), waiting up
 * to `waitMs` for another sync of the site to end. Resolves to `{ release }`, or null when it stayed busy.
 */
export async function takeLease(env, cloudId, waitMs) {
  const owner = crypto.randomUUID();
  const deadline = Date.now() + waitMs;
  for (let pause = 50; ; pause = Math.min(pause * 2, 1000)) {
    const now = Date.now();
    const taken = await env.DB.prepare(
      `INSERT INTO sync_leases (cloud_id, owner, until) VALUES (?1, ?2, ?3)
       ON CONFLICT (cloud_id) DO UPDATE SET owner = ?2, until = ?3 WHERE sync_leases.until < ?4 RETURNING owner`,
    ).bind(cloudId, owner, now + LEASE_MS, now).first();
    if (taken?.owner === owner) {
      return { release: () => env.DB.prepare("DELETE FROM sync_leases WHERE cloud_id = ? AND owner = ?").bind(cloudId, owner).run() };
    }
    if (Date.now() + pause > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, pause + Math.random() * pause));
  }
}

export const webhookUrl = (env) => `${env.APP_BASE_URL.replace(/\/$/, "")}/webhook`;

/**
 * What the connection owns after a sync: what it kept, what it created, and what it meant to delete but did not
 * (newer versions of jira-webhooks return this as `result.owned`). Owned ids the sync did not find are gone.
 */
export function ownedAfter(result) {
  if (Array.isArray(result.owned)) return result.owned;
  const { plan, deleted, created } = result;
  const ids = new Set([...plan.keep, ...plan.refresh, ...plan.delete.filter((id) => !deleted.includes(id)), ...created.map((c) => c.id)]);
  return [...ids].sort((a, b) => a - b);
}
