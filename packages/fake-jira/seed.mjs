// Seeds: the built-in default, the shape of seed.json (checked with ajv), and building state from one.
import Ajv from "ajv";
import { loadDefinition } from "./spec.mjs";
import { checkJql } from "./jql.mjs";

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

const str = { type: "string" };
const strings = { type: "array", items: str };
const events = loadDefinition(3).components.schemas.WebhookDetails.properties.events;

/** A failed delivery: failureTime (ms since epoch) or failedMinutesAgo (relative to the fake's clock). */
export const FAILURE_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["id", "url"],
  properties: {
    id: str, url: str, body: str,
    failureTime: { type: "integer" },
    failedMinutesAgo: { type: "number" },
  },
};

export const SEED_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    description: str,
    apps: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["key", "type"],
        properties: {
          key: { type: "string", minLength: 1 }, type: { enum: ["connect", "oauth"] }, sharedSecret: str, cloudId: str,
          // OAuth 2.0 apps: the client secret (default: startFakeJira's oauthClientSecret) and the callback URLs
          clientSecret: { type: "string", minLength: 1 }, redirectUris: { type: "array", items: { type: "string", pattern: "^https?://" } },
        },
      },
    },
    credentials: {
      type: "array",
      items: {
        oneOf: [
          { type: "object", additionalProperties: false, required: ["type", "email", "apiToken"],
            properties: { type: { const: "basic" }, email: str, apiToken: str, app: str, user: str } },
          { type: "object", additionalProperties: false, required: ["type", "token"],
            properties: { type: { const: "bearer" }, token: str, app: str, user: str } },
        ],
      },
    },
    webhooks: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["app", "url", "events", "jqlFilter"],
        properties: {
          app: str, url: str, user: str, events, jqlFilter: str, fieldIdsFilter: strings, issuePropertyKeysFilter: strings,
          expiresInDays: { type: "number" },
          expirationDate: { type: "integer" },
        },
      },
    },
    failed: {
      type: "array",
      items: { ...FAILURE_SCHEMA, required: ["app", ...FAILURE_SCHEMA.required], properties: { app: str, ...FAILURE_SCHEMA.properties } },
    },
  },
};

const ajv = new Ajv({ allErrors: true });
const validateSeed = ajv.compile(SEED_SCHEMA);
const validateFailures = ajv.compile({ type: "array", items: FAILURE_SCHEMA });

/** Throws a readable error unless `ok`. */
function check(ok, validate, name) {
  if (!ok) throw new TypeError(`invalid ${name}: ${ajv.errorsText(validate.errors, { dataVar: name })}`);
}

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
 * Builds fresh state and credentials from a seed.
 * @param {object} seed same shape as seed.json
 * @param {number} now the fake's clock
 * @returns {{ state: State, credentials: object[] }}
 */
export function buildState(seed, now) {
  seed = structuredClone(seed);
  check(validateSeed(seed), validateSeed, "seed");
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
  for (const { app, ...f } of seed.failed ?? []) addFailures(state, app, [f], now);
  return { state, credentials: seed.credentials ?? [] };
}

/**
 * Adds failed deliveries to an app (getFailedWebhooks answers them, oldest first).
 * @param {State} state @param {string} appKey
 * @param {{ id: string, url: string, body?: string, failureTime?: number, failedMinutesAgo?: number }[]} failures
 * @param {number} now
 */
export function addFailures(state, appKey, failures, now) {
  check(validateFailures(failures), validateFailures, "failures");
  const app = state.apps[appKey] ?? fail(`unknown app '${appKey}'`);
  for (const { failedMinutesAgo, failureTime, ...f } of failures)
    app.failed.push({ ...f, failureTime: failureTime ?? Math.round(now - (failedMinutesAgo ?? 0) * 60_000) });
}

function fail(message) {
  throw new TypeError(message);
}
