-- The receiver's DeliveryStore as a claim (jira-webhooks' createWebhookHandler): a delivery is claimed before its
-- handler runs, in one atomic statement, so that two attempts of one delivery at once never both run it.
-- key: "<site length>:<site>/<X-Atlassian-Webhook-Identifier>", as the package makes it (unique across sites).
DROP TABLE IF EXISTS deliveries_seen;
CREATE TABLE delivery_claims (
  key    TEXT PRIMARY KEY,
  owner  TEXT,                 -- the attempt holding the lease; NULL once processed
  state  TEXT NOT NULL,        -- 'claimed' (a lease) | 'done' (processed)
  until  INTEGER NOT NULL      -- ms since the epoch: when the lease ends, or when the processed key is forgotten
);
CREATE INDEX delivery_claims_until ON delivery_claims (until);
