// The D1 side: tenants, sync outcomes, and the receiver's memory of delivery ids.

/** The tenant's shared secret, or undefined when it is unknown or uninstalled (its deliveries then get 401). */
export async function tenantSecret(db, clientKey) {
  const row = await db.prepare("SELECT shared_secret FROM tenants WHERE client_key = ? AND installed = 1").bind(clientKey).first();
  return row?.shared_secret ?? undefined;
}

/** The tenants of a batch (at most 100 keys: one query, within D1's 100 bound parameters). */
export async function loadTenants(db, clientKeys) {
  const keys = [...new Set(clientKeys)];
  if (!keys.length) return new Map();
  const { results } = await db.prepare(`SELECT * FROM tenants WHERE client_key IN (${keys.map(() => "?").join(",")})`).bind(...keys).all();
  return new Map(results.map((t) => [t.client_key, t]));
}

/** Writes what each sync did (one D1 batch). @param {{clientKey, status, detail, attempts}[]} outcomes */
export async function saveSyncOutcomes(db, outcomes) {
  if (!outcomes.length) return;
  const now = Date.now();
  await db.batch(outcomes.map((o) =>
    db.prepare("UPDATE tenants SET sync_status = ?, sync_detail = ?, sync_attempts = ?, sync_at = ? WHERE client_key = ? AND installed = 1")
      .bind(o.status, o.detail, o.attempts, now, o.clientKey)));
}

/**
 * createWebhookHandler's DeliveryStore in D1. `claim` is one statement, so it is atomic: an insert, or the takeover
 * of an entry whose lease or memory has ended; when neither happened, the entry says whether another attempt holds
 * it (in progress) or it was processed (done). `release` drops only the caller's own lease.
 */
export const deliveryStore = (db) => ({
  async claim(key, owner, leaseMs) {
    const now = Date.now();
    const taken = await db.prepare(
      `INSERT INTO delivery_claims (key, owner, state, until) VALUES (?1, ?2, 'claimed', ?3)
       ON CONFLICT (key) DO UPDATE SET owner = ?2, state = 'claimed', until = ?3 WHERE delivery_claims.until <= ?4
       RETURNING owner`,
    ).bind(key, owner, now + leaseMs, now).first();
    if (taken?.owner === owner) return "claimed";
    const row = await db.prepare("SELECT state FROM delivery_claims WHERE key = ?").bind(key).first();
    return row?.state === "done" ? "done" : "in-progress";
  },
  async complete(key, rememberMs) {
    await db.prepare(
      `INSERT INTO delivery_claims (key, owner, state, until) VALUES (?1, NULL, 'done', ?2)
       ON CONFLICT (key) DO UPDATE SET owner = NULL, state = 'done', until = ?2`,
    ).bind(key, Date.now() + rememberMs).run();
  },
  async release(key, owner) {
    await db.prepare("DELETE FROM delivery_claims WHERE key = ? AND owner = ? AND state = 'claimed'").bind(key, owner).run();
  },
});

/** How long a tenant's sync lease lasts when its holder dies before releasing it. */
const LEASE_MS = 120_000;

/**
 * Takes the tenant's sync lease: one statement inserts it, or takes over a lease that has ended; RETURNING says
 * whether this caller holds it now. Resolves to `{ release }`, or null while another sync of the tenant holds it.
 */
export async function takeSyncLease(db, clientKey) {
  const owner = crypto.randomUUID();
  const now = Date.now();
  const taken = await db.prepare(
    `INSERT INTO sync_leases (client_key, owner, until) VALUES (?1, ?2, ?3)
     ON CONFLICT (client_key) DO UPDATE SET owner = ?2, until = ?3 WHERE sync_leases.until < ?4 RETURNING owner`,
  ).bind(clientKey, owner, now + LEASE_MS, now).first();
  if (taken?.owner !== owner) return null;
  return { release: () => db.prepare("DELETE FROM sync_leases WHERE client_key = ? AND owner = ?").bind(clientKey, owner).run() };
}
