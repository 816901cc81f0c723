-- One sync at a time per tenant, across processes: two cron instances, or the old and the new version during a
-- deploy, would both plan from the same listing and both register what is missing. A sync takes the tenant's lease
-- (one atomic statement: an insert, or the takeover of a lease that has ended) and releases it when it is done;
-- a sync that finds it taken waits and tries again later.
CREATE TABLE sync_leases (
  client_key  TEXT PRIMARY KEY,
  owner       TEXT NOT NULL,     -- the sync holding it
  until       INTEGER NOT NULL   -- ms since the epoch: it ends then even if its holder died
);

-- Pacing shared by every consumer (one row): what Jira's rate-limit headers said last, and the next start slot
-- while they say less than 20 % of the points budget is left (see src/pacing.js).
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
