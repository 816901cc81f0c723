// Sites (tenants): each has its own state, ids and delivery identifiers, and its own clientKey, cloudId
// and Connect shared secrets. The default site answers the unprefixed URLs; others live under /site/<name>.
// Runtime-neutral.
import { buildState } from "./seed.mjs";
import { SITE_NAME_PATTERN } from "./schemas.mjs";
import { sha256, hmacSha256, hex, base64url } from "./crypto.mjs";

export const DEFAULT_SITE = "default";
export { SITE_NAME_PATTERN };
const SITE_NAME = new RegExp(SITE_NAME_PATTERN);

const uuidFrom = (text) => {
  const h = hex(sha256(text));
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};
/** The site's clientKey (the Connect tenant id): a UUID derived from its name, so runs are reproducible. */
export const clientKeyOf = (site) => uuidFrom(`clientKey:${site}`);
/** The cloudId of a site other than the default one (the default site keeps its OAuth app's cloudId). */
const cloudIdOf = (site) => uuidFrom(`cloudId:${site}`);
/** A Connect app's shared secret on a site other than the default one: derived from its seed secret (or key). */
const sharedSecretOf = (appSecret, site) => base64url(hmacSha256(appSecret, site));

/**
 * @typedef {{ requests: Record<string, number>, rateLimited: number, rateLimitedByReason: Record<string, number>,
 *   deliveries: { attempted: number, attempts: number, succeeded: number, failed: number } }} SiteCounters
 * @typedef {{ name: string, prefix: string, clientKey: string, cloudId: string, state: import("./seed.mjs").State,
 *   nextDeliveryId: number, counters: SiteCounters }} Site
 */

/**
 * Builds a site from a seed. The default site gets the whole seed; another site gets its apps and
 * credentials only (no webhooks, no failures), Connect secrets derived per site and its own cloudId.
 * Every app starts installed.
 * @param {string} name
 * @param {object} seed
 * @param {number} now the fake's clock
 * @param {import("./seed.mjs").SeedDeps} deps
 * @returns {Site}
 */
export function buildSite(name, seed, now, deps) {
  if (typeof name !== "string" || !SITE_NAME.test(name)) throw new TypeError(`invalid site name '${name}': use ${SITE_NAME_PATTERN}`);
  const main = name === DEFAULT_SITE;
  const { state } = buildState(main ? seed : { apps: seed.apps, credentials: seed.credentials }, now, deps);
  const apps = Object.values(state.apps);
  const cloudId = main ? apps.find((a) => a.cloudId)?.cloudId ?? cloudIdOf(name) : cloudIdOf(name);
  for (const a of apps) {
    a.installed = true;
    if (!main && a.type === "connect") a.sharedSecret = sharedSecretOf(a.sharedSecret ?? a.key, name);
    if (!main && a.cloudId) a.cloudId = cloudId;
  }
  return {
    name,
    prefix: main ? "" : `/site/${name}`,
    clientKey: clientKeyOf(name),
    cloudId,
    state,
    nextDeliveryId: 1,
    counters: { requests: {}, rateLimited: 0, rateLimitedByReason: {}, deliveries: { attempted: 0, attempts: 0, succeeded: 0, failed: 0 } },
  };
}

/**
 * Counts of one site: requests by operation, rate-limited requests, live webhooks, duplicates (live
 * webhooks of one app with the same events, JQL and filters as an earlier one) and deliveries.
 * @param {Site} site @param {number} now
 */
export function siteStats(site, now) {
  const sorted = (a) => (a ? [...a].sort() : null);
  let webhooks = 0;
  let duplicates = 0;
  for (const app of Object.values(site.state.apps)) {
    const seen = new Set();
    for (const w of app.webhooks) {
      if (w.expirationDate < now) continue;
      webhooks++;
      const key = JSON.stringify([sorted(w.events), w.jqlFilter, sorted(w.fieldIdsFilter), sorted(w.issuePropertyKeysFilter)]);
      if (seen.has(key)) duplicates++;
      else seen.add(key);
    }
  }
  const { requests, rateLimited, rateLimitedByReason, deliveries } = site.counters;
  return { requests: { ...requests }, rateLimited, rateLimitedByReason: { ...rateLimitedByReason }, webhooks, duplicates, deliveries: { ...deliveries } };
}

/** Adds one site's stats into a running total (same shape). */
export function addStats(total, s) {
  for (const [op, n] of Object.entries(s.requests)) total.requests[op] = (total.requests[op] ?? 0) + n;
  for (const [why, n] of Object.entries(s.rateLimitedByReason)) total.rateLimitedByReason[why] = (total.rateLimitedByReason[why] ?? 0) + n;
  for (const k of ["rateLimited", "webhooks", "duplicates"]) total[k] += s[k];
  for (const k of Object.keys(s.deliveries)) total.deliveries[k] += s.deliveries[k];
  return total;
}
