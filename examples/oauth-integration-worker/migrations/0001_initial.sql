-- Connections: one row per user of the app who connected Jira (one OAuth 2.0 grant). The tokens are not here: they
-- live in the connection's Durable Object, the only place that refreshes them.
CREATE TABLE connections (
  user          TEXT PRIMARY KEY,             -- the app's own user id (the Durable Object's name)
  status        TEXT NOT NULL,                -- 'active' | 'reauthorize' (the user revoked access or the grant ended)
  generation    INTEGER NOT NULL,             -- counts the user's connects: a late 'reauthorize' of an older grant is ignored
  connected_at  INTEGER NOT NULL,             -- ms since the epoch
  status_at     INTEGER NOT NULL
);
CREATE INDEX connections_status ON connections (status, user);

-- The sites a connection reaches (accessible resources) and what its last sync did there.
CREATE TABLE connection_sites (
  user           TEXT NOT NULL,
  cloud_id       TEXT NOT NULL,
  site_url       TEXT NOT NULL,
  sync_status    TEXT,                        -- queued | retrying | ok | partial | failed | reauthorize
  sync_detail    TEXT,
  sync_attempts  INTEGER,
  sync_at        INTEGER,
  PRIMARY KEY (user, cloud_id)
);

-- Which connection registered each webhook: Jira's webhook ids are unique per site only, so the key is the pair.
-- The connection's Durable Object writes its rows after each sync (its own copy is the truth); the receiver reads
-- them to find the connections a delivery is for.
CREATE TABLE owned_webhooks (
  cloud_id    TEXT NOT NULL,
  webhook_id  INTEGER NOT NULL,
  user        TEXT NOT NULL,
  PRIMARY KEY (cloud_id, webhook_id)
);
CREATE INDEX owned_webhooks_user ON owned_webhooks (user, cloud_id);

-- One sync at a time per site, across all connections and processes: a lease taken before a sync and released
-- after it (one atomic statement takes it, or takes over one that has ended). Jira may list every user's webhooks
-- of the app on a site, and after a registration whose answer was lost a sync counts as its own what appeared
-- since it first listed: another connection registering on that site at that moment must not be counted.
CREATE TABLE sync_leases (
  cloud_id  TEXT PRIMARY KEY,
  owner     TEXT NOT NULL,     -- the sync holding it
  until     INTEGER NOT NULL   -- ms since the epoch: it ends then even if its holder died
);

-- The receiver's DeliveryStore as a claim (jira-webhooks' createWebhookHandler): a delivery is claimed before its
-- handler runs, in one atomic statement, so that two attempts of one delivery at once never both run it.
-- key: "<site length>:<site>/<X-Atlassian-Webhook-Identifier>", as the package makes it (unique across sites).
CREATE TABLE delivery_claims (
  key    TEXT PRIMARY KEY,
  owner  TEXT,                 -- the attempt holding the lease; NULL once processed
  state  TEXT NOT NULL,        -- 'claimed' (a lease) | 'done' (processed)
  until  INTEGER NOT NULL      -- ms since the epoch: when the lease ends, or when the processed key is forgotten
);
CREATE INDEX delivery_claims_until ON delivery_claims (until);

-- What became of each (delivery, connection): processed by the work consumer, or recorded without work because the
-- connection must be authorized again, or no connection owns the webhooks it matched. No unique constraint on
-- purpose: the consumer's own check keeps it to one row per (cloud_id, delivery_id, user), and this table shows
-- if it did not.
CREATE TABLE deliveries (
  cloud_id      TEXT NOT NULL,
  delivery_id   TEXT NOT NULL,
  user          TEXT,                         -- NULL when no connection owns the matched webhooks
  outcome       TEXT NOT NULL,                -- 'processed' | 'reauthorize' | 'unowned'
  event         TEXT NOT NULL,
  issue_key     TEXT,
  received_at   INTEGER NOT NULL,
  recorded_at   INTEGER NOT NULL,
  attempts      INTEGER NOT NULL             -- the work message's attempts (0: recorded by the receiver)
);
CREATE INDEX deliveries_id ON deliveries (cloud_id, delivery_id, user);

-- Pacing shared by every consumer (one row): what Jira's rate-limit headers said last, and the next start slot
-- while they say less than 20 % of the points budget is left.
CREATE TABLE pacing (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  near_limit      INTEGER NOT NULL DEFAULT 0, -- 1 while the last answers carried X-RateLimit-NearLimit
  remaining       INTEGER,                    -- X-RateLimit-Remaining of the last answer seen
  budget          INTEGER,                    -- X-RateLimit-Limit of the last answer seen
  paused_until    INTEGER NOT NULL DEFAULT 0, -- ms since the epoch: no sync starts before (a 429's Retry-After)
  next_slot       INTEGER NOT NULL DEFAULT 0, -- ms since the epoch: the next start while near the limit
  observed_at     INTEGER
);
INSERT INTO pacing (id) VALUES (1);
