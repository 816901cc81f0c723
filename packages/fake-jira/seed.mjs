// Seeds: the built-in default and building state from one (their shape: SEED_SCHEMA in schemas.mjs). Runtime-neutral:
// the schema validator and the JQL check are passed in (see core.mjs, CoreDeps).

export const DAY_MS = 86_400_000;
export const FIRST_WEBHOOK_ID = 10000;

/** Used when startFakeJira() gets no seed: the seed.json apps and credentials, no webhooks. Test-only secrets. */
export const DEFAULT_SEED = Object.freeze({
  apps: [
    { key: "com.example.connect-app", type: "connect", sharedSecret: "connect-shared-secret-for-tests" },
    { key: "oauth-client-id-123", type: "oauth", cloudId: "11111111-2222-3333-4444-555555555555", redirectUris: ["https://app.example.com/oauth/callback"] },
  ],
  credentials: [
    { type: "basic", email: "admin@example.com", apiToken: "basic-api-token", app: "com.example.connect-app", user: "admin" },
    { type: "bearer", token: "oauth-access-token", app: "oauth-client-id-123", user: "alice" },
    { type: "basic", email: "plain-user@example.com", apiToken: "plain-token", user: "plain" },
  ],
  webhooks: [],
  failed: [],
});

/**
 * @typedef {{ id: number, user: string|null, url: string, events: string[], jqlFilter: string,
 *   fieldIdsFilter?: string[], issuePropertyKeysFilter?: string[], expirationDate: number, createdAt: number }} StoredWebhook
 * @typedef {{ id: string, url: string, body?: string, failureTime: number }} StoredFailure
 * @typedef {{ key: string, type: "connect"|"oauth", sharedSecret?: string, cloudId?: string,
 *   clientSecret?: string, redirectUris?: string[], url: string|null, webhooks: StoredWebhook[], failed: StoredFailure[],
 *   installed?: boolean, appBaseUrl?: string }} AppState installed/appBaseUrl: set per site (sites.mjs, installApp)
 * @typedef {{ nextId: number, apps: Record<string, AppState> }} State
 */

/**
 * @typedef {{ check: (schema: "seed"|"failures", value: unknown) => void, checkJql: (jql: string) => string[] }} SeedDeps
 *   check throws a TypeError naming what is wrong
 */

/**
 * Builds fresh state and credentials from a seed.
 * @param {object} seed same shape as seed.json
 * @param {number} now the fake's clock
 * @param {SeedDeps} deps
 * @returns {{ state: State, credentials: object[] }}
 */
export function buildState(seed, now, { check, checkJql }) {
  seed = structuredClone(seed);
  check("seed", seed);
  /** @type {State} */
  const state = { nextId: FIRST_WEBHOOK_ID, apps: {} };
  for (const a of seed.apps ?? []) state.apps[a.key] = { ...a, url: null, webhooks: [], failed: [] };
  const appOf = (key, what) => state.apps[key] ?? fail(`${what} names unknown app '${key}'`);
  for (const c of seed.credentials ?? []) if (c.app) appOf(c.app, "a credential");
  for (const { app, expiresInDays = 30, expirationDate, ...w } of seed.webhooks ?? []) {
    const errors = checkJql(w.jqlFilter);
    if (errors.length) fail(`seed webhook with jqlFilter '${w.jqlFilter}': ${errors.join("; ")}`);
    const a = appOf(app, "a seed webhook");
    a.webhooks.push({ id: state.nextId++, user: w.user ?? null, ...w, expirationDate: expirationDate ?? Math.round(now + expiresInDays * DAY_MS), createdAt: now });
    a.url = w.url;
  }
  for (const { app, ...f } of seed.failed ?? []) addFailures(state, app, [f], now, check);
  return { state, credentials: seed.credentials ?? [] };
}

/**
 * Adds failed deliveries to an app (getFailedWebhooks answers them, oldest first).
 * @param {State} state @param {string} appKey
 * @param {{ id: string, url: string, body?: string, failureTime?: number, failedMinutesAgo?: number }[]} failures
 * @param {number} now
 * @param {SeedDeps["check"]} check
 */
export function addFailures(state, appKey, failures, now, check) {
  check("failures", failures);
  const app = state.apps[appKey] ?? fail(`unknown app '${appKey}'`);
  for (const { failedMinutesAgo, failureTime, ...f } of failures)
    app.failed.push({ ...f, failureTime: failureTime ?? Math.round(now - (failedMinutesAgo ?? 0) * 60_000) });
}

function fail(message) {
  throw new TypeError(message);
}
