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

/** createWebhookHandler's DeliveryStore: keys are "clientKey/deliveryId", kept for the ttl the handler asks. */
export const deliveryStore = (db) => ({
  async has(key) {
    return (await db.prepare("SELECT 1 AS seen FROM deliveries_seen WHERE key = ? AND expires_at > ?").bind(key, Date.now()).first()) !== null;
  },
  async add(key, ttlMs) {
    await db.prepare("INSERT INTO deliveries_seen (key, expires_at) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET expires_at = ?2")
      .bind(key, Date.now() + ttlMs).run();
  },
});
