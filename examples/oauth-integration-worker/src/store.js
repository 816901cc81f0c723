// The D1 side: the connections' sync outcomes, who owns which webhook, what became of each delivery, and the
// receiver's DeliveryStore.

/** Writes what each sync did (one D1 batch). @param {{ user, cloudId, status, detail?, attempts }[]} outcomes */
export async function saveSyncOutcomes(db, outcomes) {
  if (!outcomes.length) return;
  const now = Date.now();
  await db.batch(outcomes.map((o) =>
    db.prepare("UPDATE connection_sites SET sync_status = ?, sync_detail = ?, sync_attempts = ?, sync_at = ? WHERE user = ? AND cloud_id = ?")
      .bind(o.status, o.detail ?? null, o.attempts, now, o.user, o.cloudId)));
}

/**
 * The connections a delivery is for: the owners of the webhooks it matched on its site (webhook ids repeat
 * across sites, so the pair is the key), with their status. At most 90 ids per query (D1 binds 100 parameters).
 * @returns {Promise<{ user: string, status: string }[]>}
 */
export async function ownersOf(db, cloudId, webhookIds) {
  const owners = new Map();
  for (let i = 0; i < webhookIds.length; i += 90) {
    const ids = webhookIds.slice(i, i + 90);
    const { results } = await db.prepare(
      `SELECT DISTINCT o.user, c.status FROM owned_webhooks o JOIN connections c ON c.user = o.user
       WHERE o.cloud_id = ? AND o.webhook_id IN (${ids.map(() => "?").join(",")})`,
    ).bind(cloudId, ...ids).all();
    for (const r of results) owners.set(r.user, r.status);
  }
  return [...owners].map(([user, status]) => ({ user, status }));
}

/**
 * Records what became of a delivery for a connection, once: the statement skips a row that is already there
 * (a work message delivered twice, a batch retried after its work was done).
 * @param {{ cloudId, id, user, outcome, event, issueKey, receivedAt, attempts }} d
 */
export const recordDelivery = (db, d) => db.prepare(
  `INSERT INTO deliveries (cloud_id, delivery_id, user, outcome, event, issue_key, received_at, recorded_at, attempts)
   SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9
   WHERE NOT EXISTS (SELECT 1 FROM deliveries WHERE cloud_id = ?1 AND delivery_id = ?2 AND user IS ?3)`,
).bind(d.cloudId, d.id, d.user, d.outcome, d.event, d.issueKey, d.receivedAt, Date.now(), d.attempts);

/**
 * createWebhookHandler's DeliveryStore in D1 (the Connect example's, as is). `claim` is one statement, so it is
 * atomic: an insert, or the takeover of an entry whose lease or memory has ended; when neither happened, the entry
 * says whether another attempt holds it (in progress) or it was processed (done). `release` drops only the
 * caller's own lease.
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
