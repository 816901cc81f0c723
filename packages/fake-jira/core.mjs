// The fake Jira's core: a stateful, in-memory fake of Jira Cloud's dynamic webhooks REST API (the five `Webhooks`
// operations), Atlassian's OAuth 2.0 (3LO) server, webhook deliveries, sites, the Connect install lifecycle, rate
// limits, scriptable faults and the /_fake/ control API, as one Fetch-API function: `fake.handle(request) -> Response`.
//
// Runtime-neutral: this module and everything it imports use only what Node 20, Deno, workerd and browsers share
// (fetch, Request/Response, URL, WebCrypto, TextEncoder, structuredClone, setTimeout). What needs a heavy package is
// injected (CoreDeps): the OpenAPI routing and validation, the JQL grammar, the schema validator and the qsh of Connect
// JWTs. server.mjs is the Node entry that supplies them and serves `handle` over node:http.
import { authenticate } from "./auth.mjs";
import { DEFAULT_SEED, DAY_MS, addFailures } from "./seed.mjs";
import { DEFAULT_SITE, buildSite, siteStats, addStats } from "./sites.mjs";
import { DELIVERY_DEFAULTS, createDeliveries } from "./deliveries.mjs";
import { lifecycleKeys, lifecyclePayload, sendLifecycle } from "./lifecycle.mjs";
import { createRateLimiter } from "./ratelimit.mjs";
import { createOAuth } from "./oauth.mjs";
import { createPointsBudget } from "./points.mjs";
import { OPERATIONS } from "./schemas.mjs";

export { DEFAULT_SEED, FIRST_WEBHOOK_ID } from "./seed.mjs";
export { authenticate } from "./auth.mjs";
export { DELIVERY_DEFAULTS } from "./deliveries.mjs";
export { DEFAULT_SITE, clientKeyOf } from "./sites.mjs";
export { OAUTH_LIFETIMES, DEFAULT_OAUTH_USER, OAUTH_AUDIENCE } from "./oauth.mjs";
export { OPERATIONS, OAUTH_OPERATIONS, FAULT_TYPES, WEBHOOK_EVENTS, SCHEMAS } from "./schemas.mjs";
/** For hosts that sign deliveries themselves (jira-webhooks/testing): Jira-shaped event bodies and HS256 JWTs. */
export { buildEvent } from "./events.mjs";
export { JQL_FIELDS, customFieldValues, propertyValues } from "./jql-values.mjs";
export { signHS256 } from "./crypto.mjs";

export const WEBHOOK_LIFETIME_MS = 30 * DAY_MS;
export const FAILED_RETENTION_MS = 72 * 3_600_000;
export const MAX_PAGE = 100;
/** Connect: per app per tenant; OAuth 2.0: per app per user. */
export const LIMITS = Object.freeze({ connect: 100, oauth: 5 });
/** The error of a registration over the limit (`limits`: the fake's, by default Jira's). */
const limitMessages = (limits) => ({
  connect: `Reached the limit of ${limits.connect} webhooks per app`,
  oauth: `Reached the limit of ${limits.oauth} webhooks per user for this app`,
});
export const LIMIT_MESSAGES = Object.freeze(limitMessages(LIMITS));
/** A request body over this many bytes gets 413. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

const JSON_TYPE = "application/json;charset=UTF-8";
const CORS_HEADERS = {
  "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
  "Access-Control-Allow-Headers": "authorization, content-type, x-atlassian-token, user-agent",
  "Access-Control-Expose-Headers":
    "retry-after, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, x-ratelimit-nearlimit, ratelimit-reason, x-arequestid",
  "Access-Control-Max-Age": "600",
};
const DEFAULT_FAULT_STATUS = { status: 500, html: 502, "rate-limit": 429 };

/** @param {...string} messages */
const errorCollection = (...messages) => ({ errorMessages: messages, errors: {} });
/** Jira's own date form: "2019-06-01T12:42:30.000+0000". */
export const jiraDate = (ms) => new Date(ms).toISOString().replace("Z", "+0000");

/**
 * @typedef {object} Fault
 * @property {string} type one of FAULT_TYPES
 * @property {string} [operation] only requests for this operationId (default: any of the five), or for an OAuth
 *   2.0 endpoint: "oauthToken" (POST /oauth/token), "accessibleResources" (GET /oauth/token/accessible-resources)
 * @property {string} [site] only requests to this site (default: any site)
 * @property {number} [probability] hits a matching request with this probability (seeded RNG, see faultSeed)
 * @property {number} [times] how many requests it hits (default 1; unlimited when probability is given)
 * @property {boolean} [apply] whether the real state change happens; default true when the fault answers 2xx
 *   (malformed-json, wrong-content-type, large, delay, status/html with a 2xx status), false otherwise (and for reset)
 * @property {number} [status] status (status: 500, html: 502, rate-limit: 429, malformed-json: 200, others: the real one)
 * @property {Record<string,string>} [headers] extra headers
 * @property {string} [body] status: the body to send as is
 * @property {string} [contentType] status: its Content-Type; wrong-content-type: the one to send (default text/plain)
 * @property {number} [retryAfter] rate-limit: Retry-After seconds (header sent only when given)
 * @property {string} [reason] rate-limit: RateLimit-Reason (default jira-quota-based)
 * @property {number} [limit] rate-limit: X-RateLimit-Limit (default 100)
 * @property {number} [ms] delay: milliseconds before answering (default 1000)
 * @property {number} [bytes] large: body size (default 5 MiB; valid JSON padded with spaces)
 */

/**
 * @typedef {object} FakeOptions
 * @property {string} [url="http://fake-jira.invalid"] the fake's origin, for the URLs it writes (self links, site base
 *   URLs, realms); the Node entry sets it to where it listens
 * @property {object} [seed] apps, credentials, webhooks and failures of the default site (DEFAULT_SEED)
 * @property {"number"|"string"} [dateFormat="number"] how expirationDate is sent
 * @property {() => number} [now=Date.now] the fake's clock (ms)
 * @property {() => number} [jwtNow] the clock of the JWTs' times (ms): the `iat`/`exp` of the deliveries' and
 *   lifecycle calls' JWTs, and the `exp` checked on Connect JWTs of requests (default: the fake's clock). A host
 *   whose apps check tokens against the real time while the fake's clock is moved on sets it to `Date.now`.
 * @property {{ connect?: number, oauth?: number }} [webhookLimits=LIMITS] how many webhooks an app may hold:
 *   a Connect app per site, an OAuth 2.0 app per user and site (Jira: 100 and 5)
 * @property {number} [deliveryRetries=5] retries of a failing delivery (Jira: 5)
 * @property {number[]} [deliveryRetryDelaysMs=[10,20,40,80,160]] wait before retry n (the last one repeats)
 * @property {number} [deliveryTimeoutMs=2000] per delivery attempt and lifecycle call (Jira: about 20 s)
 * @property {number} [deliveryConcurrency=50] delivery attempts on the wire at once (the others queue)
 * @property {string} [connectAppBaseUrl] the Connect app's baseUrl for delivery qsh, unless an install gave
 *   one (default: the origin of the registered url)
 * @property {string} [oauthClientSecret="oauth-client-secret-for-tests"] the client secret of OAuth 2.0 apps whose
 *   seed entry has no clientSecret: the token endpoint checks it, deliveries are signed with it
 * @property {"app"|"user"} [oauthListScope="app"] what getDynamicWebhooksForApp lists to an OAuth 2.0 app: all of
 *   the app's webhooks on the site, or only those the calling user registered (Jira documents neither)
 * @property {boolean} [oauthReuseRevokesGrant=false] a spent refresh token presented again also invalidates every
 *   refresh token of that user's grant (Auth0's reuse detection, announced by Atlassian in 2022)
 * @property {import("./ratelimit.mjs").RateLimit|null} [rateLimit=null] per app, across all sites
 * @property {number|null} [pointsPerHour=null] the points budget per app per hour across all sites (null: none)
 * @property {number} [faultSeed=1] seed of the RNG of probabilistic faults
 * @property {typeof fetch} [fetch=globalThis.fetch] what sends the deliveries and the lifecycle callbacks to apps
 *   (an in-memory host can hand them to a Fetch-API handler instead of the network)
 */

/**
 * What the core needs from its host, each a function that may return a promise:
 * @typedef {object} CoreDeps
 * @property {{ 2: SpecApi, 3: SpecApi }} specs routing and validation of the five operations per REST API version
 *   (Node: openapi-backend + ajv against Atlassian's OpenAPI documents, spec.mjs)
 * @property {{ checkJql: (jql: string) => string[], matchJql: (jql: string, issue: object) => boolean }} jql the
 *   dynamic-webhook JQL subset: checkJql returns the `errors` of a registration, matchJql decides deliveries
 *   (Node: Atlassian's JQL grammar, jql.mjs)
 * @property {(schema: "seed"|"failures"|"emit"|"fault", value: unknown) => string|null} [validate] checks test input
 *   against SCHEMAS (schemas.mjs); null when valid, else the problem (Node: ajv). Without it input is trusted.
 * @property {(request: { method: string, url?: string, pathname?: string, query?: Record<string, string|string[]> },
 *   baseUrl: string) => string|Promise<string>} [qsh] the query-string hash of Atlassian's Connect JWTs: the hex SHA-256
 *   of the canonical request of `url` (or `pathname` + `query`) relative to `baseUrl` (Node: atlassian-jwt). Without
 *   it, Connect JWTs are refused and deliveries to Connect apps cannot be signed.
 *
 * @typedef {object} SpecApi
 * @property {(method: string, path: string) => SpecOperation|undefined} match the operation of a site-relative path
 * @property {(op: SpecOperation, request: { method: string, path: string, query: object, headers: object, body: unknown }) => string[]} validateRequest
 *   problems of a request (empty when valid)
 * @property {(op: SpecOperation|null, status: number, body: unknown, opts: { stringDates: boolean }) => string[]} validateResponse
 *   problems of an answer the fake is about to send (op null: an error answer outside any operation)
 * @typedef {{ operationId: string, requestBody?: object, "x-atlassian-oauth2-scopes"?: { scopes: string[] }[] }} SpecOperation
 */

/**
 * Creates a fake. Nothing listens: `fake.handle(request)` answers a Fetch-API Request.
 * @param {FakeOptions} [options]
 * @param {CoreDeps} deps
 */
export function createFakeJira({
  url = "http://fake-jira.invalid", seed, dateFormat = "number", now = Date.now,
  deliveryRetries = DELIVERY_DEFAULTS.retries, deliveryRetryDelaysMs = DELIVERY_DEFAULTS.retryDelaysMs,
  deliveryTimeoutMs = DELIVERY_DEFAULTS.timeoutMs, deliveryConcurrency = DELIVERY_DEFAULTS.concurrency, connectAppBaseUrl, oauthClientSecret = DELIVERY_DEFAULTS.oauthClientSecret,
  oauthListScope = "app", oauthReuseRevokesGrant = false, rateLimit = null, pointsPerHour = null, faultSeed = 1,
  fetch: send = (...args) => globalThis.fetch(...args), jwtNow, webhookLimits,
} = {}, deps) {
  if (!["app", "user"].includes(oauthListScope)) throw new TypeError(`oauthListScope must be "app" or "user", not ${oauthListScope}`);
  if (!["number", "string"].includes(dateFormat)) throw new TypeError(`dateFormat must be "number" or "string", not ${dateFormat}`);
  if (!Number.isInteger(deliveryRetries) || deliveryRetries < 0) throw new TypeError("deliveryRetries must be an integer >= 0");
  if (!Array.isArray(deliveryRetryDelaysMs) || !deliveryRetryDelaysMs.every((d) => d >= 0)) throw new TypeError("deliveryRetryDelaysMs must be an array of ms >= 0");
  if (!(deliveryTimeoutMs > 0)) throw new TypeError("deliveryTimeoutMs must be > 0");
  if (!Number.isInteger(deliveryConcurrency) || deliveryConcurrency < 1) throw new TypeError("deliveryConcurrency must be an integer >= 1");
  if (jwtNow !== undefined && typeof jwtNow !== "function") throw new TypeError("jwtNow must be a function returning ms");
  const limits = { ...LIMITS, ...webhookLimits };
  if (!Object.values(limits).every((n) => Number.isInteger(n) && n >= 0) || Object.keys(limits).length !== 2)
    throw new TypeError("webhookLimits must be { connect?, oauth? }, integers >= 0");
  const messages = limitMessages(limits);
  if (!deps?.specs?.[2] || !deps.specs[3] || typeof deps.jql?.checkJql !== "function" || typeof deps.jql.matchJql !== "function")
    throw new TypeError("createFakeJira needs deps { specs: {2, 3}, jql: { checkJql, matchJql }, validate?, qsh? } (see CoreDeps)");
  const { specs, jql } = deps;
  const qsh = deps.qsh ?? (() => Promise.reject(new Error("this fake has no qsh implementation (CoreDeps.qsh)")));
  /** Throws a TypeError naming what is wrong with test input (see CoreDeps.validate). */
  const check = (schema, value) => {
    const problem = deps.validate?.(schema, value);
    if (problem) throw new TypeError(`invalid ${schema === "emit" ? "event" : schema}: ${problem}`);
  };
  const seedDeps = { check, checkJql: jql.checkJql };
  const initialSeed = structuredClone(seed ?? DEFAULT_SEED);
  let offset = 0;
  const clock = () => now() + offset;
  const jwtClock = jwtNow ?? clock;
  let currentSeed = initialSeed;
  /** @type {Map<string, import("./sites.mjs").Site>} */
  let sites = new Map([[DEFAULT_SITE, buildSite(DEFAULT_SITE, initialSeed, clock(), seedDeps)]]);
  let credentials = structuredClone(initialSeed.credentials ?? []);
  /** @type {(Fault & {id: number, times?: number})[]} */
  let faults = [];
  let faultSeq = 0;
  let random = seededRandom(faultSeed);
  let limiter = rateLimit && createRateLimiter(rateLimit);
  let points = pointsPerHour == null ? null : createPointsBudget(pointsPerHour, clock);
  const requests = [];
  /** POST /oauth/token and GET /oauth/token/accessible-resources, without their secrets */
  const oauthRequests = [];
  const applied = [];
  const selfCheckFailures = [];
  const formatDate = (ms) => (dateFormat === "string" ? jiraDate(ms) : ms);
  const baseUrlOf = (site) => fake.url + site.prefix;
  const deliveries = createDeliveries({
    clock, jwtClock, baseUrlOf, retries: deliveryRetries, retryDelaysMs: [...deliveryRetryDelaysMs], timeoutMs: deliveryTimeoutMs,
    concurrency: deliveryConcurrency, connectAppBaseUrl, oauthClientSecret, check, matchJql: jql.matchJql, qsh, fetch: send,
  });
  const keys = lifecycleKeys();
  /** The OAuth 2.0 apps of the current seed, by client id. */
  const oauthClients = (seed) => new Map((seed.apps ?? []).filter((a) => a.type === "oauth").map((a) => [a.key, {
    clientId: a.key, clientSecret: a.clientSecret ?? oauthClientSecret, redirectUris: a.redirectUris ?? [],
  }]));
  let clients = oauthClients(initialSeed);
  const oauth = createOAuth({
    clock,
    clients: () => clients,
    sites: { names: () => [...sites.keys()], describe: (name) => { const s = site(name); return { name: s.name, cloudId: s.cloudId, url: baseUrlOf(s) }; } },
    reuseRevokesGrant: oauthReuseRevokesGrant,
  });

  /** The site of that name, created (from the current seed, apps installed) on first use. */
  function site(name = DEFAULT_SITE) {
    let s = sites.get(name);
    if (!s) sites.set(name, (s = buildSite(name, currentSeed, clock(), seedDeps)));
    return s;
  }

  /** Runs the installed/uninstalled lifecycle of a Connect app on a site. */
  async function lifecycle(eventType, { site: name, appBaseUrl, appKey }) {
    if (typeof appBaseUrl !== "string" || !/^https?:\/\//.test(appBaseUrl)) throw new TypeError("appBaseUrl must be an absolute http(s) URL");
    const s = site(name);
    const app = s.state.apps[appKey ?? Object.values(s.state.apps).find((a) => a.type === "connect")?.key];
    if (app?.type !== "connect") throw new TypeError(`no Connect app '${appKey}' in the seed`);
    const payload = lifecyclePayload(eventType, { appKey: app.key, site: s, baseUrl: baseUrlOf(s), sharedSecret: app.sharedSecret });
    const uninstall = () => Object.assign(app, { installed: false, webhooks: [] });
    if (eventType === "uninstalled") uninstall(); // whatever the app answers
    let status;
    try {
      status = await sendLifecycle(await keys(), appBaseUrl, payload, { now: jwtClock(), timeoutMs: deliveryTimeoutMs, qsh, fetch: send });
    } catch (e) {
      if (eventType === "installed") uninstall();
      throw new Error(`${eventType} callback to ${appBaseUrl} failed: ${e.cause?.code ?? e.message}`);
    }
    if (eventType === "installed") {
      if (status >= 200 && status < 300) Object.assign(app, { installed: true, appBaseUrl });
      else uninstall();
    }
    return status;
  }

  const fake = {
    /** the fake's origin, written into its answers (the Node entry sets it to where it listens) */
    url,
    /** @type {(request: Request) => Promise<Response>} answers one request (set below) */
    handle: null,
    dateFormat,
    /** every request received (control API excluded) */
    requests,
    /** every state change made: { operation, app, user, ids, time, requestId, site? (only for other sites than the default) } */
    applied,
    /** responses the fake produced that did not match the spec (answered 500 instead); should stay empty */
    selfCheckFailures,
    /** live state of the default site: { nextId, apps: { [key]: { key, type, url, installed, webhooks: [...], failed: [...] } } } */
    get state() { return site().state; },
    get credentials() { return credentials; },
    get faults() { return faults; },
    /** every delivery attempt: { id, site, app, url, attempt, time, flow, status | error } */
    get deliveries() { return deliveries.log; },
    /** names of the sites that exist */
    get sites() { return [...sites.keys()]; },
    /** the current rate limit ({ requestsPerSecond, burst }) or null */
    get rateLimit() { return limiter?.limit ?? null; },
    /** the current points budget per app per hour, or null */
    get pointsPerHour() { return points?.pointsPerHour ?? null; },
    /** Atlassian's OAuth 2.0 (3LO) server of this fake (see the README) */
    oauth: {
      /** every request to /oauth/token and /oauth/token/accessible-resources: { id, time, method, path, grantType?, clientId?, status, fault? } (no secrets) */
      requests: oauthRequests,
      /**
       * The user revokes an app (every app without clientId): its refresh tokens answer invalid_grant, its access
       * tokens 401. @param {string} user @param {string} [clientId] @returns {number} grants revoked
       */
      revoke: (user, clientId) => oauth.revoke(user, clientId),
      /**
       * Consent + code exchange in one step, for many users: the token answer { access_token, refresh_token?,
       * expires_in, scope, token_type }. @param {{ clientId?: string, user?: string, scope?: string, sites?: string[] }} [input]
       */
      grant: (input = {}) => oauth.grant({ clientId: input.clientId ?? clients.keys().next().value, ...omitUndefined(input) }),
      /** live grants: [{ clientId, user, sites, scopes }] */
      grants: () => oauth.grants(),
      /** the OAuth 2.0 apps: [{ clientId, redirectUris }] */
      clients: () => [...clients.values()].map(({ clientId, redirectUris }) => ({ clientId, redirectUris: [...redirectUris] })),
      stats: () => oauth.stats(),
    },
    now: clock,
    site,
    /** Back to a seed (default: the one given at start); also clears requests, applied, faults, deliveries,
     *  other sites, stats, the clock offset and the rate limit (back to the start option). */
    reset(newSeed = initialSeed) {
      const fresh = buildSite(DEFAULT_SITE, newSeed, now(), seedDeps);
      currentSeed = structuredClone(newSeed);
      sites = new Map([[DEFAULT_SITE, fresh]]);
      credentials = structuredClone(newSeed.credentials ?? []);
      offset = 0;
      faults = [];
      random = seededRandom(faultSeed);
      limiter = rateLimit && createRateLimiter(rateLimit);
      points = pointsPerHour == null ? null : createPointsBudget(pointsPerHour, clock);
      clients = oauthClients(currentSeed);
      oauth.reset();
      oauthRequests.length = 0;
      requests.length = 0;
      applied.length = 0;
      deliveries.reset();
    },
    /**
     * @param {string} appKey @param {{id: string, url: string, body?: string, failureTime?: number, failedMinutesAgo?: number}[]} failures
     * @param {string} [siteName] default: the default site
     */
    seedFailed(appKey, failures, siteName) {
      addFailures(site(siteName).state, appKey, failures, clock(), check);
    },
    /** @param {Fault} fault @returns {number} its id */
    injectFault(fault) {
      check("fault", fault);
      const f = { ...(fault.probability === undefined && { times: 1 }), ...structuredClone(fault), id: ++faultSeq };
      faults.push(f);
      return f.id;
    },
    clearFaults() { faults = []; },
    clearRequests() { requests.length = 0; },
    /** Moves the fake's clock forward (e.g. to expire webhooks); returns the new now. */
    advanceTime(ms) { offset += ms; return clock(); },
    /**
     * Makes Jira emit an event on a site (input.site, default the default site) and deliver it to every app
     * with webhooks it triggers. Answers at once; the deliveries run in the background.
     * @param {import("./events.mjs").EmitInput} input
     * @param {{ fetch?: typeof fetch }} [options] fetch: sends this event's deliveries (every attempt) instead of
     *   the fake's `fetch` option, e.g. to one Fetch-API handler
     * @returns {{ ok: true, deliveries: { id: string, app: string, url: string, matchedWebhookIds: number[] }[] }}
     *   and, not enumerable (JSON leaves it out), `settled`: a promise that resolves when these deliveries have
     *   finished, retries included
     */
    emit(input, options) {
      return deliveries.emit(site(input?.site), input, options);
    },
    /** Resolves when every delivery in flight has finished, retries included. */
    deliveriesSettled: () => deliveries.settled(),
    /**
     * Installs a Connect app on a site (created if needed): POSTs the `installed` lifecycle payload to
     * `${appBaseUrl}/installed` with an RS256 JWT. A 2xx installs it (deliveries' qsh then use appBaseUrl);
     * any other answer leaves it uninstalled. Rejects when the callback cannot be delivered.
     * @param {{ site?: string, appBaseUrl: string, appKey?: string }} install appKey: default the seed's Connect app
     * @returns {Promise<number>} the app's HTTP status
     */
    installApp: (install) => lifecycle("installed", install),
    /**
     * Uninstalls a Connect app from a site: its webhooks there are removed, its deliveries stop, its JWTs
     * are refused; then POSTs the `uninstalled` payload to `${appBaseUrl}/uninstalled`.
     * @param {{ site?: string, appBaseUrl: string, appKey?: string }} uninstall
     * @returns {Promise<number>} the app's HTTP status
     */
    uninstallApp: (uninstall) => lifecycle("uninstalled", uninstall),
    /** The PEM public key of a lifecycle JWT's kid, or null. */
    async connectPublicKey(kid) {
      const k = await keys();
      return k.kid === kid ? k.publicKey : null;
    },
    /** @param {import("./ratelimit.mjs").RateLimit|null} limit a new per-app limit (fresh buckets), or null for none */
    setRateLimit(limit) {
      limiter = limit && createRateLimiter(limit);
    },
    /** @param {number|null} perHour a new points budget per app per hour (fresh counts), or null for none */
    setPointsPerHour(perHour) {
      points = perHour == null ? null : createPointsBudget(perHour, clock);
    },
    /**
     * Per site and in total: requests by operation, requests refused by the app's limits (rateLimited), every
     * 429 by its RateLimit-Reason (rateLimitedByReason: the limits and injected rate-limit faults), live webhooks,
     * duplicates (live webhooks of one app on one site with the same events, JQL and filters as another) and
     * deliveries ({ attempted, attempts, succeeded, failed }). Besides: `oauth` (the OAuth 2.0 server's counts)
     * and `points` (the current hour's budget use per app, or null when there is no budget).
     */
    stats() {
      const t = clock();
      const total = { requests: {}, rateLimited: 0, rateLimitedByReason: {}, webhooks: 0, duplicates: 0, deliveries: { attempted: 0, attempts: 0, succeeded: 0, failed: 0 } };
      const bySite = {};
      for (const [name, s] of sites) addStats(total, (bySite[name] = siteStats(s, t)));
      return { total, sites: bySite, oauth: oauth.stats(), points: points?.stats() ?? null };
    },
    /** Stops the deliveries in flight (they record nothing more). */
    stop() {
      deliveries.stop();
    },
  };

  // ---------------------------------------------------------------- the five operations
  /** Each gets { st, app, user, query, body, base, version, log, now } and returns { status, body? }. */
  const handlers = {
    registerDynamicWebhooks({ st, app, user, body, log, now }) {
      const results = [];
      const created = [];
      for (const d of body.webhooks) {
        const errors = jql.checkJql(d.jqlFilter);
        const mine = app.type === "connect" ? app.webhooks : app.webhooks.filter((w) => w.user === user);
        if (!errors.length && mine.length >= limits[app.type]) errors.push(messages[app.type]);
        if (errors.length) {
          results.push({ errors });
          continue;
        }
        const w = { id: st.nextId++, user, url: body.url, events: [...d.events], jqlFilter: d.jqlFilter };
        if (d.fieldIdsFilter) w.fieldIdsFilter = [...d.fieldIdsFilter];
        if (d.issuePropertyKeysFilter) w.issuePropertyKeysFilter = [...d.issuePropertyKeysFilter];
        Object.assign(w, { expirationDate: now + WEBHOOK_LIFETIME_MS, createdAt: now });
        app.webhooks.push(w);
        created.push(w.id);
        results.push({ createdWebhookId: w.id });
      }
      if (created.length) app.url = body.url;
      log(created);
      return { status: 200, body: { webhookRegistrationResult: results } };
    },

    getDynamicWebhooksForApp({ app, user, query, base, version }) {
      const startAt = int(query.startAt, 0);
      const maxResults = Math.min(int(query.maxResults, MAX_PAGE), MAX_PAGE);
      if (startAt < 0 || maxResults < 0) return badRequest("startAt and maxResults must not be negative.");
      const visible = app.type === "oauth" && oauthListScope === "user" ? app.webhooks.filter((w) => w.user === user) : app.webhooks;
      const all = [...visible].sort((a, b) => a.id - b.id);
      const values = all.slice(startAt, startAt + maxResults).map((w) => toWebhook(w, version));
      const isLast = startAt + values.length >= all.length;
      const page = (s) => `${base}/webhook?maxResults=${maxResults}&startAt=${s}`;
      const next = isLast ? {} : { nextPage: page(startAt + maxResults) };
      return { status: 200, body: { self: page(startAt), ...next, maxResults, startAt, total: all.length, isLast, values } };
    },

    getFailedWebhooks({ app, query, base, now }) {
      const maxResults = int(query.maxResults, MAX_PAGE);
      const after = query.after === undefined ? -Infinity : Number(query.after);
      if (maxResults < 0) return badRequest("maxResults must not be negative.");
      const list = app.failed
        .filter((f) => f.failureTime >= now - FAILED_RETENTION_MS && f.failureTime > after)
        .sort((a, b) => a.failureTime - b.failureTime);
      let n = Math.min(maxResults, list.length);
      while (n > 0 && n < list.length && list[n].failureTime === list[n - 1].failureTime) n++; // never split equal times
      const values = list.slice(0, n).map(({ id, body, url, failureTime }) => ({ id, ...(body !== undefined && { body }), url, failureTime }));
      const next = values.length ? { next: `${base}/webhook/failed?failedAfter=${values.at(-1).failureTime}&maxResults=${maxResults}` } : {};
      return { status: 200, body: { values, maxResults, ...next } };
    },

    refreshWebhooks({ app, body, log, now }) {
      const ids = new Set(body.webhookIds);
      const expirationDate = now + WEBHOOK_LIFETIME_MS;
      const refreshed = app.webhooks.filter((w) => ids.has(w.id));
      for (const w of refreshed) w.expirationDate = expirationDate;
      log(refreshed.map((w) => w.id));
      return { status: 200, body: { expirationDate: formatDate(expirationDate) } };
    },

    deleteWebhookById({ app, body, log }) {
      const ids = new Set(body.webhookIds);
      log(app.webhooks.filter((w) => ids.has(w.id)).map((w) => w.id));
      app.webhooks = app.webhooks.filter((w) => !ids.has(w.id));
      return { status: 202 };
    },
  };

  /** The Webhook schema; `url` only under /3 (the v2 Webhook has additionalProperties:false and no url). */
  function toWebhook(w, version) {
    const out = { id: w.id, jqlFilter: w.jqlFilter, events: [...w.events] };
    if (w.fieldIdsFilter) out.fieldIdsFilter = [...w.fieldIdsFilter];
    if (w.issuePropertyKeysFilter) out.issuePropertyKeysFilter = [...w.issuePropertyKeysFilter];
    out.expirationDate = formatDate(w.expirationDate);
    if (version === "3") out.url = w.url;
    return out;
  }

  // ---------------------------------------------------------------- request pipeline
  /**
   * Maps a path to { spec, op, version, site, cloudId, restPath, prefix } or null. The site comes from a
   * /site/<name> prefix, or from the cloudId of /ex/jira/{cloudId} (the default site when no site has it).
   */
  function route(method, pathname) {
    const m = /^(?:\/site\/([a-z0-9-]{1,63})|\/ex\/jira\/([^/]+))?(\/rest\/api\/([23])(?:\/.*)?)$/.exec(pathname);
    const op = m && specs[m[4]].match(method, m[3]);
    if (!op) return null;
    const cloudId = m[2] === undefined ? null : decodeURIComponent(m[2]);
    const s = cloudId === null ? site(m[1]) : [...sites.values()].find((x) => x.cloudId === cloudId) ?? site();
    const prefix = m[1] ? `/site/${m[1]}` : m[2] ? `/ex/jira/${m[2]}` : "";
    const scopes = (op["x-atlassian-oauth2-scopes"] ?? []).map((s) => s.scopes); // the operation's scope sets, classic and granular
    return { spec: specs[m[4]], op, version: m[4], site: s, cloudId, restPath: m[3], prefix: `${prefix}/rest/api/${m[4]}`, scopes };
  }

  /**
   * Authenticates, validates and runs one operation against `st` (the real state, or a throw-away copy
   * when a fault says the change must not happen). Order as in Jira: 401/404 auth, 415/400 body and
   * parameters, 403 caller type, then the operation.
   */
  async function execute(r, { method, query, headers, raw }, st, entry, logApplied) {
    const auth = await authenticate(
      { method, path: r.restPath, query, authorization: headers.authorization, cloudId: r.cloudId, site: r.site, scopes: r.scopes },
      { apps: st.apps, credentials, now: jwtClock, oauth, qsh: deps.qsh },
    );
    if (!auth.ok) {
      const realm = { "WWW-Authenticate": `OAuth realm="${encodeURIComponent(fake.url)}"` };
      return { status: auth.status, body: errorCollection(auth.message), headers: auth.status === 401 ? realm : {} };
    }
    entry.app = auth.app?.key ?? null;
    entry.user = auth.user;
    const budget = auth.app && points;
    const taken = budget ? budget.take(auth.app.key) : { ok: true };
    if (!taken.ok) {
      r.site.counters.rateLimited++;
      return { status: 429, body: errorCollection("Rate limit exceeded."), headers: taken.headers };
    }
    const waitMs = auth.app && limiter ? limiter.take(auth.app.key) : 0;
    if (waitMs > 0) {
      r.site.counters.rateLimited++;
      const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
      const headers = rateLimitHeaders({ limit: limiter.limit.burst, retryAfter, reason: "jira-burst-based", now: clock() });
      return { status: 429, body: errorCollection("Rate limit exceeded."), headers: { "Retry-After": String(retryAfter), ...headers } };
    }
    /** The answer with the points budget's headers, after charging 1 point per object it returns. */
    const paced = (result) => {
      if (!budget) return result;
      budget.charge(auth.app.key, Array.isArray(result.body?.values) ? result.body.values.length : 0);
      return { ...result, headers: { ...result.headers, ...budget.headers(auth.app.key) } };
    };

    let body;
    if (raw.length && r.op.requestBody) {
      const type = headers["content-type"] ?? "";
      if (!/^application\/json\s*(;|$)/i.test(type))
        return { status: 415, body: errorCollection(`Unsupported Media Type: send the body as application/json (got ${type ? `'${type}'` : "no Content-Type"}).`) };
      try {
        body = JSON.parse(raw);
      } catch (e) {
        return badRequest(`The request body is not valid JSON: ${e.message}`);
      }
    }
    const q = { ...query };
    const req = { method, path: r.restPath, headers, body };
    const problems = [];
    if (r.op.operationId === "getFailedWebhooks" && "failedAfter" in q) {
      // The spec's parameter is `after`; its prose and `next` links use `failedAfter`: both are accepted.
      const { failedAfter } = q;
      delete q.failedAfter;
      problems.push(...r.spec.validateRequest(r.op, { ...req, query: { after: failedAfter } }).map((p) => p.replace("'after'", "'failedAfter'")));
      problems.unshift(...r.spec.validateRequest(r.op, { ...req, query: q }));
      q.after ??= failedAfter;
    } else problems.push(...r.spec.validateRequest(r.op, { ...req, query: q }));
    if (problems.length) return paced(badRequest(...new Set(problems)));

    if (!auth.app) return forbidden(r.op.operationId === "getFailedWebhooks" ? notConnect : notApp);
    if (r.op.operationId === "getFailedWebhooks" && auth.app.type !== "connect") return paced(forbidden(notConnect));

    const t = clock();
    for (const a of Object.values(st.apps)) a.webhooks = a.webhooks.filter((w) => w.expirationDate >= t); // expired ones are gone
    return paced(handlers[r.op.operationId]({
      st, app: st.apps[auth.app.key], user: auth.user, query: q, body, version: r.version, now: t,
      base: fake.url + r.prefix,
      log: (ids) => logApplied({
        operation: r.op.operationId, app: auth.app.key, user: auth.user, ids, time: t, requestId: entry.id,
        ...(r.site.name !== DEFAULT_SITE && { site: r.site.name }),
      }),
    }));
  }
  const notApp = "The caller isn't an app: only Connect and OAuth 2.0 apps can use this operation.";
  const notConnect = "The caller is not a Connect app: only Connect apps can use this operation.";
  const forbidden = (m) => ({ status: 403, body: errorCollection(m) });

  /** One request to the Jira REST API: { method, headers } with lower-case header names. */
  async function handleApi(req, url, raw, entry) {
    if (req.method === "OPTIONS") return answer(entry, { status: 204 });
    const r = route(req.method, url.pathname);
    if (!r) {
      const result = { status: 404, body: errorCollection(`No REST resource matches ${req.method} ${url.pathname}.`) };
      return answer(entry, selfCheck(specs[3], null, result, entry));
    }
    entry.operation = r.op.operationId;
    entry.site = r.site.name;
    const counts = r.site.counters.requests;
    counts[entry.operation] = (counts[entry.operation] ?? 0) + 1;
    const fault = takeFault(r.op.operationId, r.site.name);
    if (fault) entry.fault = fault;
    if (fault?.type === "delay") await sleep(fault.ms ?? 1000);
    const apply = !fault || fault.type === "delay" || (fault.apply ?? defaultApply(fault));
    if (fault?.type === "reset" && !apply) return dropConnection(entry);

    const pending = [];
    const input = { method: req.method, query: entry.query, headers: req.headers, raw };
    const { state } = r.site;
    let result = await execute(r, input, apply ? state : structuredClone(state), entry, (a) => pending.push(a));
    if (apply) applied.push(...pending);
    result = selfCheck(r.spec, r.op, result, entry);
    if (fault?.type === "reset") return dropConnection(entry);
    if (fault && fault.type !== "delay") result = faultResponse(fault, result);
    const reason = result.status === 429 && result.headers?.["RateLimit-Reason"];
    if (reason) r.site.counters.rateLimitedByReason[reason] = (r.site.counters.rateLimitedByReason[reason] ?? 0) + 1;
    return answer(entry, result);
  }

  // ---------------------------------------------------------------- OAuth 2.0 (3LO)
  /** The OAuth 2.0 route of a path, or null: /authorize, /oauth/token, /oauth/token/accessible-resources. */
  function oauthRoute(pathname) {
    const path = pathname.replace(/\/+$/, "");
    return { "/authorize": "authorize", "/oauth/token": "oauthToken", "/oauth/token/accessible-resources": "accessibleResources" }[path] ?? null;
  }

  async function handleOAuth(req, url, raw, operation, id) {
    if (req.method === "OPTIONS") return { status: 204 };
    const method = { authorize: "GET", oauthToken: "POST", accessibleResources: "GET" }[operation];
    if (req.method !== method) return { status: 405, headers: { Allow: method }, body: { error: "invalid_request", error_description: `Use ${method}.` } };
    if (operation === "authorize") return oauth.authorize(url.searchParams);

    const entry = { id, time: clock(), method: req.method, path: url.pathname, status: null };
    oauthRequests.push(entry);
    const { params = {}, problem } = operation === "oauthToken" ? tokenParams(req.headers["content-type"], raw) : {};
    if (params.grant_type !== undefined) entry.grantType = String(params.grant_type);
    if (params.client_id !== undefined) entry.clientId = String(params.client_id);
    const fault = takeFault(operation, null);
    if (fault) (entry.fault = fault), oauth.countFault();
    if (fault?.type === "delay") await sleep(fault.ms ?? 1000);
    const apply = !fault || fault.type === "delay" || (fault.apply ?? defaultApply(fault));
    if (fault?.type === "reset" && !apply) return dropConnection(entry);
    let result = { status: 500 }; // replaced below unless a fault answers instead of the real endpoint
    if (apply && operation === "oauthToken") {
      result = problem ? { status: 400, body: { error: "invalid_request", error_description: problem } } : oauth.token(params);
    } else if (apply) result = accessibleResources(req.headers.authorization);
    if (fault?.type === "reset") return dropConnection(entry);
    if (fault && fault.type !== "delay") result = faultResponse(fault, result, oauthErrorBody);
    return answer(entry, result);
  }

  /** GET /oauth/token/accessible-resources: the sites of the token's grant (a seed bearer credential: every site). */
  function accessibleResources(authorization = "") {
    const [scheme, value = ""] = authorization.trim().split(/\s+/, 2);
    const unauthorized = { status: 401, body: { code: 401, message: "Unauthorized" } };
    if (scheme?.toLowerCase() !== "bearer" || !value) return unauthorized;
    const t = oauth.lookup(value);
    if (t) return t.ok ? { status: 200, body: oauth.resources(t.sites, t.scopes) } : unauthorized;
    const c = credentials.find((c) => c.type === "bearer" && c.token === value);
    if (!c || site().state.apps[c.app]?.type !== "oauth") return unauthorized;
    return { status: 200, body: oauth.resources(sites.keys(), SEED_TOKEN_SCOPES) };
  }

  /** The fake checks its own answers against the spec; a mismatch is a bug in the fake: 500 + loud log. */
  function selfCheck(spec, op, result, entry) {
    const problems = spec.validateResponse(op, result.status, result.body, { stringDates: dateFormat === "string" });
    if (!problems.length) return result;
    const message = `fake Jira self-check failed: its ${result.status} answer to ${entry.method} ${entry.path} does not match the spec: ${problems.join("; ")}`;
    console.error(`\n${"!".repeat(100)}\n${message}\n${JSON.stringify(result.body)}\n${"!".repeat(100)}\n`);
    selfCheckFailures.push({ requestId: entry.id, operation: entry.operation, status: result.status, problems, body: result.body });
    return { status: 500, body: errorCollection(message) };
  }

  // ---------------------------------------------------------------- faults
  /** A fault without `operation` hits the five webhook operations only, not the OAuth 2.0 endpoints. */
  function takeFault(operation, siteName) {
    const f = faults.find((f) => (f.operation ? f.operation === operation : OPERATIONS.includes(operation)) && (!f.site || f.site === siteName) &&
      (f.probability === undefined || random() < f.probability));
    if (!f) return null;
    if (f.times !== undefined && --f.times <= 0) faults = faults.filter((x) => x !== f);
    const { times, ...rest } = f;
    return rest;
  }

  function defaultApply(f) {
    return f.type !== "reset" && f.type !== "rate-limit" && (f.status ?? DEFAULT_FAULT_STATUS[f.type] ?? 200) < 300;
  }

  /** The answer a fault sends instead of (or built from) the real `result`; errorBody(message, status) builds error bodies. */
  function faultResponse(f, result, errorBody = (message) => errorCollection(message)) {
    const realText = result.body === undefined ? "{}" : JSON.stringify(result.body);
    switch (f.type) {
      case "status": {
        const text = f.body ?? JSON.stringify(errorBody(`Injected fault: HTTP ${f.status ?? 500}`, f.status ?? 500));
        const type = f.contentType ?? (f.body === undefined || /^\s*[[{]/.test(f.body) ? JSON_TYPE : "text/plain;charset=UTF-8");
        return { status: f.status ?? 500, text, type, headers: f.headers };
      }
      case "rate-limit": {
        const headers = {
          ...(f.retryAfter !== undefined && { "Retry-After": String(f.retryAfter) }),
          ...rateLimitHeaders({ limit: f.limit ?? 100, retryAfter: f.retryAfter ?? 60, reason: f.reason ?? "jira-quota-based", now: clock() }),
          ...f.headers,
        };
        return { status: f.status ?? 429, body: errorBody("Rate limit exceeded.", f.status ?? 429), headers };
      }
      case "html": {
        const status = f.status ?? 502;
        const text = `<!DOCTYPE html>\n<html><head><title>${status} ${STATUS_TEXT[status] ?? ""}</title></head>` +
          `<body><h1>Something went wrong</h1><p>Atlassian Cloud could not complete your request (${status}).</p></body></html>\n`;
        return { status, text, type: "text/html;charset=UTF-8", headers: f.headers };
      }
      case "malformed-json":
        return { status: f.status ?? 200, text: realText.slice(0, Math.max(1, Math.floor(realText.length / 2))), type: JSON_TYPE, headers: f.headers };
      case "wrong-content-type":
        return { status: f.status ?? result.status, text: realText, type: f.contentType ?? "text/plain;charset=UTF-8", headers: f.headers };
      case "large":
        return { status: f.status ?? result.status, text: realText + " ".repeat(Math.max(0, (f.bytes ?? 5 * 1024 * 1024) - new TextEncoder().encode(realText).length)), type: JSON_TYPE, headers: f.headers };
    }
    throw new Error(`unknown fault type ${f.type}`);
  }

  /** A `reset` fault: the connection drops without an answer (Response.error(); the Node entry destroys the socket). */
  function dropConnection(entry) {
    entry.status = null;
    return DROP;
  }

  // ---------------------------------------------------------------- control API
  async function handleControl(req, url, raw) {
    const reply = (status, body) => ({ status, body });
    if (req.method === "OPTIONS") return reply(204);
    const path = url.pathname.replace(/\/+$/, "");
    let body;
    try {
      body = raw.length ? JSON.parse(raw) : undefined;
      const kid = /^\/_fake\/connect-keys\/([^/]+)$/.exec(path)?.[1];
      if (req.method === "GET" && kid) {
        const pem = await fake.connectPublicKey(decodeURIComponent(kid));
        return pem ? { status: 200, text: pem, type: "application/x-pem-file" } : { status: 404, body: { error: `no key ${kid}` } };
      }
      switch (`${req.method} ${path}`) {
        case "POST /_fake/reset":
          fake.reset(body);
          return reply(200, { ok: true });
        case "GET /_fake/requests":
          return reply(200, requests);
        case "DELETE /_fake/requests":
          fake.clearRequests();
          return reply(200, { ok: true });
        case "POST /_fake/failed":
          fake.seedFailed(body?.app, body?.failures ?? [], body?.site);
          return reply(200, { ok: true });
        case "GET /_fake/faults":
          return reply(200, faults);
        case "POST /_fake/faults":
          return reply(200, { ok: true, ids: [body].flat().map((f) => fake.injectFault(f)) });
        case "DELETE /_fake/faults":
          fake.clearFaults();
          return reply(200, { ok: true });
        case "GET /_fake/state":
          return reply(200, site(url.searchParams.get("site") ?? undefined).state);
        case "GET /_fake/sites":
          return reply(200, [...sites.values()].map((s) => describeSite(s)));
        case "POST /_fake/events":
          return reply(200, fake.emit(body));
        case "GET /_fake/deliveries":
          if (url.searchParams.get("settled") === "true") await fake.deliveriesSettled();
          return reply(200, deliveries.log);
        case "POST /_fake/install":
          return reply(200, { ok: true, status: await fake.installApp(body ?? {}) });
        case "POST /_fake/uninstall":
          return reply(200, { ok: true, status: await fake.uninstallApp(body ?? {}) });
        case "GET /_fake/rate-limit":
          return reply(200, fake.rateLimit);
        case "POST /_fake/rate-limit":
          fake.setRateLimit(body ?? null);
          return reply(200, { ok: true });
        case "GET /_fake/points":
          return reply(200, { pointsPerHour: fake.pointsPerHour });
        case "POST /_fake/points":
          fake.setPointsPerHour(body?.pointsPerHour ?? null);
          return reply(200, { ok: true });
        case "GET /_fake/oauth":
          return reply(200, { clients: fake.oauth.clients(), grants: fake.oauth.grants(), stats: fake.oauth.stats() });
        case "GET /_fake/oauth/requests":
          return reply(200, oauthRequests);
        case "POST /_fake/oauth/revoke":
          if (typeof body?.user !== "string") throw new TypeError("revoke needs { user, clientId? }");
          return reply(200, { ok: true, revoked: fake.oauth.revoke(body.user, body.clientId) });
        case "POST /_fake/oauth/grant":
          return reply(200, fake.oauth.grant(body ?? {}));
        case "GET /_fake/stats":
          return reply(200, fake.stats());
        case "GET /_fake/applied":
          return reply(200, applied);
        case "POST /_fake/clock":
          return reply(200, { now: fake.advanceTime(body?.advanceMs ?? 0) });
        default:
          return reply(404, { error: `no control route ${req.method} ${url.pathname}` });
      }
    } catch (e) {
      return reply(400, { error: e.message });
    }
  }

  /** What a client of a site needs: base URL, clientKey, cloudId and each app's secret and install state. */
  function describeSite(s) {
    const apps = Object.fromEntries(Object.values(s.state.apps).map((a) => [a.key, {
      type: a.type, installed: a.installed, ...(a.sharedSecret && { sharedSecret: a.sharedSecret }),
      ...(a.appBaseUrl && { appBaseUrl: a.appBaseUrl }), webhooks: a.webhooks.length,
    }]));
    return { name: s.name, baseUrl: baseUrlOf(s), clientKey: s.clientKey, cloudId: s.cloudId, apps };
  }

  // ---------------------------------------------------------------- Fetch API
  /** Records a result's status on its log entry. */
  function answer(entry, result) {
    entry.status = result.status;
    return result;
  }

  /** Routes one request: the control API, the OAuth 2.0 endpoints, else the Jira REST API (logged in `requests`). */
  async function dispatch(request, url, id) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.length > MAX_REQUEST_BYTES) return { status: 413, body: errorCollection("Request body too large.") };
    const raw = new TextDecoder().decode(bytes);
    const req = { method: request.method, headers: Object.fromEntries(request.headers) };
    if (/^\/_fake(\/|$)/.test(url.pathname)) return handleControl(req, url, raw);
    const oauthOperation = oauthRoute(url.pathname);
    if (oauthOperation) return handleOAuth(req, url, raw, oauthOperation, id);
    const entry = {
      id, time: clock(), method: req.method, path: url.pathname, query: queryObject(url.searchParams),
      headers: { ...req.headers, ...(req.headers.authorization !== undefined && { authorization: "<redacted>" }) },
      body: parseOrNull(raw), site: null, app: null, user: null, operation: null, status: null,
    };
    requests.push(entry);
    return handleApi(req, url, raw, entry);
  }

  /**
   * Answers one Fetch-API Request: the whole fake (REST API, OAuth 2.0, control API) as a function. A `reset`
   * fault answers Response.error(), a network error. Never rejects: an internal error is a 500.
   * @param {Request} request its URL's origin does not matter; the fake writes `fake.url` into its answers
   * @returns {Promise<Response>}
   */
  async function handle(request) {
    const url = new URL(request.url);
    const origin = request.headers.get("origin");
    const headers = { "Access-Control-Allow-Origin": origin ?? "*", ...(origin && { Vary: "Origin" }), ...CORS_HEADERS, "X-AREQUESTID": crypto.randomUUID() };
    let result;
    try {
      result = await dispatch(request, url, headers["X-AREQUESTID"]);
    } catch (e) {
      console.error("fake Jira internal error:", e);
      result = { status: 500, body: errorCollection(`fake Jira internal error: ${e.message}`) };
    }
    if (result === DROP) return Response.error();
    let { status, body, text, type } = result;
    if (text === undefined && body !== undefined) (text = JSON.stringify(body)), (type = JSON_TYPE);
    const nullBody = status === 204 || status === 205 || status === 304;
    return new Response(nullBody ? null : text ?? null, { status, headers: { ...headers, ...(type && !nullBody && { "Content-Type": type }), ...result.headers } });
  }

  fake.handle = handle;
  return fake;
}

/** What a `reset` fault answers instead of a result. */
const DROP = Symbol("drop the connection");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Reason phrases of the statuses an `html` fault usually carries. */
const STATUS_TEXT = {
  200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 408: "Request Timeout",
  409: "Conflict", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** Jira's 429 headers; X-RateLimit-Reset is now + Retry-After, as yyyy-MM-ddTHH:mmZ. */
function rateLimitHeaders({ limit, retryAfter, reason, now }) {
  return {
    "X-RateLimit-Limit": String(limit),
    "X-RateLimit-Remaining": "0",
    "X-RateLimit-Reset": new Date(now + retryAfter * 1000).toISOString().slice(0, 16) + "Z",
    "X-RateLimit-NearLimit": "true",
    "RateLimit-Reason": reason,
  };
}

/** A small seeded PRNG (mulberry32), so probabilistic faults repeat from run to run. */
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The scopes of the seed's fixed bearer credentials (they pass every scope check). */
const SEED_TOKEN_SCOPES = ["read:jira-work", "manage:jira-webhook"];

/** An OAuth 2.0 error body (RFC 6749 §5.2) for a fault on an OAuth endpoint. */
const oauthErrorBody = (message, status) => ({ error: status === 429 ? "rate_limited" : status === 503 ? "temporarily_unavailable" : "server_error", error_description: message });

/**
 * The token endpoint's parameters: a JSON object (what Atlassian documents) or a form-encoded body (what RFC 6749
 * prescribes). @returns {{ params: Record<string, unknown> } | { problem: string }}
 */
function tokenParams(contentType = "", raw) {
  if (/^application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType)) return { params: Object.fromEntries(new URLSearchParams(raw)) };
  if (!/^application\/json\s*(;|$)/i.test(contentType)) return { problem: "Send the parameters as application/json (or application/x-www-form-urlencoded)." };
  try {
    const body = JSON.parse(raw);
    return body && typeof body === "object" && !Array.isArray(body) ? { params: body } : { problem: "The body must be a JSON object." };
  } catch {
    return { problem: "The body is not valid JSON." };
  }
}

const omitUndefined = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

function badRequest(...messages) {
  return { status: 400, body: errorCollection(...messages) };
}

const int = (v, dflt) => (v === undefined ? dflt : Number(v));

/** Query string to an object; a repeated name gives an array (the validator rejects those). */
function queryObject(params) {
  const q = {};
  for (const [k, v] of params) q[k] = k in q ? [q[k], v].flat() : v;
  return q;
}

function parseOrNull(raw) {
  try {
    return raw.length ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}
