-- Tenants: one row per Jira site that installed the app (the Connect "installed" payload), kept after uninstall.
CREATE TABLE tenants (
  client_key        TEXT PRIMARY KEY,           -- the site's Connect clientKey (the JWTs' iss)
  shared_secret     TEXT,                       -- signs our calls and verifies the site's deliveries; NULL once uninstalled
  base_url          TEXT NOT NULL,              -- the site, e.g. https://your-domain.atlassian.net
  display_url       TEXT,
  cloud_id          TEXT,
  installed         INTEGER NOT NULL DEFAULT 1, -- 1 installed, 0 uninstalled
  installed_at      INTEGER,                    -- ms since the epoch
  uninstalled_at    INTEGER,
  sync_status       TEXT,                       -- queued | retrying | ok | partial | failed
  sync_at           INTEGER,                    -- when sync_status was written
  sync_attempts     INTEGER,                    -- the queue message's attempts at that time
  sync_detail       TEXT                        -- what the sync did, or why it failed
);
CREATE INDEX tenants_installed ON tenants (installed, client_key);

-- The receiver's DeliveryStore: delivery ids already handled ("clientKey/X-Atlassian-Webhook-Identifier").
CREATE TABLE deliveries_seen (
  key         TEXT PRIMARY KEY,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX deliveries_seen_expiry ON deliveries_seen (expires_at);

-- What the delivery consumer did: one row per delivery processed. No unique constraint on purpose: the
-- consumer's own check keeps it to one row per (client_key, delivery_id), and this table shows if it did not.
CREATE TABLE processed_deliveries (
  client_key    TEXT NOT NULL,
  delivery_id   TEXT NOT NULL,
  event         TEXT NOT NULL,
  issue_key     TEXT,
  webhook_ids   TEXT,                           -- JSON array of matchedWebhookIds
  received_at   INTEGER NOT NULL,               -- when the receiver queued it
  processed_at  INTEGER NOT NULL,
  attempts      INTEGER NOT NULL                -- the queue message's attempts (1: first try)
);
CREATE INDEX processed_deliveries_id ON processed_deliveries (client_key, delivery_id);
