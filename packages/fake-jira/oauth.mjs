// Atlassian's OAuth 2.0 (3LO) authorization server, as documented: the consent redirect (/authorize), the token
// endpoint (/oauth/token: authorization_code and rotating refresh_token grants), the accessible-resources list,
// and the access tokens the API gateway (/ex/jira/{cloudId}/…) accepts. Runtime-neutral: no Node built-in, no
// package; randomness from WebCrypto's getRandomValues.
//
// Model (https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/): one grant per app and user
// ("Only one grant exists per app for a given Atlassian account"); consenting again adds sites and scopes to it,
// and every token of the grant reaches all of them. A refresh token belongs to a chain that starts at a code
// exchange: each refresh spends the token presented and issues the next one of the chain.

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Lifetimes on the fake's clock: access token 1 h; refresh token 90 days unused, 365 days after its chain began. */
export const OAUTH_LIFETIMES = Object.freeze({
  accessTokenMs: 60 * MINUTE,
  refreshInactivityMs: 90 * DAY,
  refreshAbsoluteMs: 365 * DAY,
  /** Not documented by Atlassian; RFC 6749 §4.1.2 recommends at most 10 minutes. */
  codeMs: 10 * MINUTE,
});
/** The consenting user when /authorize gets no `user` parameter (the user of the seed's fixed bearer token). */
export const DEFAULT_OAUTH_USER = "alice";
/** The only audience of Jira's 3LO apps. */
export const OAUTH_AUDIENCE = "api.atlassian.com";
const USER_PATTERN = /^[A-Za-z0-9:._@-]{1,128}$/;
const INVALID_REFRESH = "Unknown or invalid refresh token.";

/**
 * @typedef {{ clientId: string, clientSecret: string, redirectUris: string[] }} OAuthClient
 * @typedef {{ clientId: string, user: string, sites: Set<string>, scopes: Set<string>, revoked: boolean }} Grant
 * @typedef {{ grant: Grant, startedAt: number, refreshRevoked: boolean }} Chain refresh tokens descending from one code exchange
 * @typedef {{ status: number, body?: unknown, headers?: Record<string, string> }} Result
 * @typedef {{ name: string, cloudId: string, url: string }} SiteView
 */

/**
 * The authorization server of one fake.
 * @param {{
 *   clock: () => number,
 *   clients: () => Map<string, OAuthClient>,
 *   sites: { names: () => string[], describe: (name: string) => SiteView },
 *   reuseRevokesGrant?: boolean,
 * }} options
 *   `sites.describe` creates a site on first use. `reuseRevokesGrant`: presenting a spent refresh token also
 *   invalidates every refresh token of the grant (Auth0's reuse detection, which Atlassian announced in 2022).
 */
export function createOAuth({ clock, clients, sites, reuseRevokesGrant = false }) {
  /** @type {Map<string, Grant>} live grants by `${clientId}\n${user}` (a revoked one is replaced on the next consent) */
  let grants = new Map();
  /** @type {Map<string, { grant: Grant, clientId: string, redirectUri: string, scopes: string[], expiresAt: number }>} */
  let codes = new Map();
  /** @type {Map<string, { grant: Grant, expiresAt: number }>} */
  let accessTokens = new Map();
  /** @type {Map<string, { chain: Chain, issuedAt: number, spent: boolean }>} */
  let refreshTokens = new Map();
  let stats = freshStats();

  /** @returns {Result} */
  const oauthError = (status, error, description) => ({
    status, body: { error, error_description: description }, headers: { "Cache-Control": "no-store", Pragma: "no-cache" },
  });

  function grantFor(clientId, user) {
    const key = `${clientId}\n${user}`;
    let g = grants.get(key);
    if (!g || g.revoked) grants.set(key, (g = { clientId, user, sites: new Set(), scopes: new Set(), revoked: false }));
    return g;
  }

  /** Adds sites (all existing ones when none is named) and scopes to the user's grant for the app. */
  function consent({ clientId, user, scopes, siteNames }) {
    const g = grantFor(clientId, user);
    for (const name of siteNames.length ? siteNames : sites.names()) g.sites.add(sites.describe(name).name);
    for (const s of scopes) g.scopes.add(s);
    return g;
  }

  /** A new access token (and, with offline_access, a refresh token of `chain` or of a new chain). */
  function issue(grant, chain) {
    const now = clock();
    const access = token("at");
    accessTokens.set(access, { grant, expiresAt: now + OAUTH_LIFETIMES.accessTokenMs });
    const body = {
      access_token: access,
      expires_in: OAUTH_LIFETIMES.accessTokenMs / 1000,
      token_type: "Bearer",
      scope: [...grant.scopes].join(" "),
    };
    if (grant.scopes.has("offline_access")) {
      chain ??= { grant, startedAt: now, refreshRevoked: false };
      const refresh = token("rt");
      refreshTokens.set(refresh, { chain, issuedAt: now, spent: false });
      body.refresh_token = refresh;
    }
    stats.tokensIssued++;
    return { status: 200, body, headers: { "Cache-Control": "no-store", Pragma: "no-cache" } };
  }

  /** Checks client_id + client_secret (body parameters, as Atlassian documents). */
  function client(params) {
    const c = typeof params.client_id === "string" ? clients().get(params.client_id) : undefined;
    if (!c || typeof params.client_secret !== "string" || !sameText(params.client_secret, c.clientSecret)) return null;
    return c;
  }

  function exchangeCode(params, c) {
    if (typeof params.code !== "string" || !params.code) return oauthError(400, "invalid_request", "Missing required parameter: code");
    const code = codes.get(params.code);
    codes.delete(params.code); // single use, whatever happens
    if (!code || code.clientId !== c.clientId || code.expiresAt < clock() || code.grant.revoked)
      return oauthError(403, "invalid_grant", "Invalid authorization code");
    if (params.redirect_uri !== code.redirectUri) return oauthError(403, "invalid_grant", "Invalid redirect_uri: it must be the one of the authorization request");
    return issue(code.grant);
  }

  function refresh(params, c) {
    if (typeof params.refresh_token !== "string" || !params.refresh_token) return oauthError(400, "invalid_request", "Missing required parameter: refresh_token");
    const rt = refreshTokens.get(params.refresh_token);
    const now = clock();
    const invalid = () => oauthError(403, "invalid_grant", INVALID_REFRESH);
    if (!rt || rt.chain.grant.clientId !== c.clientId) return invalid();
    const { chain } = rt;
    if (rt.spent) {
      stats.refreshTokenReuse++;
      if (reuseRevokesGrant) for (const r of refreshTokens.values()) if (r.chain.grant === chain.grant) r.chain.refreshRevoked = true;
      return invalid();
    }
    if (chain.grant.revoked || chain.refreshRevoked) return invalid();
    if (now > rt.issuedAt + OAUTH_LIFETIMES.refreshInactivityMs || now > chain.startedAt + OAUTH_LIFETIMES.refreshAbsoluteMs) return invalid();
    rt.spent = true; // no await between the checks and this line: of two refreshes at once, exactly one wins
    return issue(chain.grant, chain);
  }

  const api = {
    /**
     * GET /authorize: Atlassian's consent screen, consented at once. 302 to `redirect_uri?code=…&state=…`; 400
     * (JSON `{error, error_description}`, not a redirect) for an unknown client_id or a redirect_uri the app has
     * not registered; other problems redirect with `error` (RFC 6749 §4.1.2.1).
     * Fake-only parameters: `user` (default DEFAULT_OAUTH_USER), `site` (repeatable or comma-separated site names;
     * default every existing site), `deny=true` (the user refuses: error=access_denied).
     * @param {URLSearchParams} q
     * @returns {Result}
     */
    authorize(q) {
      const clientId = q.get("client_id") ?? "";
      const c = clients().get(clientId);
      if (!c) return oauthError(400, "invalid_request", `Unknown client_id '${clientId}'.`);
      const redirectUri = q.get("redirect_uri") ?? "";
      if (!c.redirectUris.includes(redirectUri))
        return oauthError(400, "invalid_request", "The redirect_uri is not a callback URL registered for this app.");
      const back = (params) => {
        const url = new URL(redirectUri);
        for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
        if (q.has("state")) url.searchParams.set("state", q.get("state"));
        return { status: 302, headers: { Location: url.href, "Cache-Control": "no-store" } };
      };
      const fail = (error, description) => back({ error, error_description: description });
      if (q.get("response_type") !== "code") return fail("unsupported_response_type", "response_type must be 'code'.");
      if (q.get("audience") !== OAUTH_AUDIENCE) return fail("invalid_request", `audience must be '${OAUTH_AUDIENCE}'.`);
      const scopes = (q.get("scope") ?? "").split(/\s+/).filter(Boolean);
      if (!scopes.length) return fail("invalid_scope", "No scope requested.");
      const user = q.get("user") ?? DEFAULT_OAUTH_USER;
      if (!USER_PATTERN.test(user)) return fail("invalid_request", "user must be 1 to 128 of A-Z a-z 0-9 : . _ @ -.");
      if (q.get("deny") === "true") return fail("access_denied", "The user did not grant access.");
      const siteNames = q.getAll("site").flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
      let grant;
      try {
        grant = consent({ clientId, user, scopes, siteNames });
      } catch (e) {
        return fail("invalid_request", e.message);
      }
      const code = token("code");
      codes.set(code, { grant, clientId, redirectUri, scopes, expiresAt: clock() + OAUTH_LIFETIMES.codeMs });
      stats.consents++;
      return back({ code });
    },

    /**
     * POST /oauth/token with the parameters of a JSON or form body.
     * @param {Record<string, unknown>} params
     * @returns {Result}
     */
    token(params) {
      const grantType = params.grant_type;
      if (grantType === "authorization_code" || grantType === "refresh_token") stats.tokenRequests[grantType]++;
      else stats.tokenRequests.other++;
      const result = (() => {
        if (typeof grantType !== "string") return oauthError(400, "invalid_request", "Missing required parameter: grant_type");
        if (grantType !== "authorization_code" && grantType !== "refresh_token")
          return oauthError(400, "unsupported_grant_type", `Unsupported grant type: ${grantType}`);
        const c = client(params);
        if (!c) return oauthError(401, "invalid_client", "Client authentication failed: unknown client_id or wrong client_secret.");
        return grantType === "authorization_code" ? exchangeCode(params, c) : refresh(params, c);
      })();
      if (result.body?.error === "invalid_grant") stats.invalidGrant++;
      if (result.body?.error === "invalid_client") stats.invalidClient++;
      return result;
    },

    /**
     * Who an issued access token is. `null` when the token was never issued here (it may be a seed credential).
     * @param {string} accessToken
     * @returns {null | { ok: true, app: string, user: string, sites: Set<string>, scopes: Set<string> } | { ok: false, why: string }}
     */
    lookup(accessToken) {
      const t = accessTokens.get(accessToken);
      if (!t) return null;
      if (t.grant.revoked) return { ok: false, why: "the user revoked the app's access" };
      if (t.expiresAt < clock()) return { ok: false, why: "the access token expired" };
      return { ok: true, app: t.grant.clientId, user: t.grant.user, sites: t.grant.sites, scopes: t.grant.scopes };
    },

    /**
     * The user revokes the app (or, without clientId, every app): its refresh tokens then answer invalid_grant
     * and its access tokens 401. A later consent starts a new grant.
     * @returns {number} grants revoked
     */
    revoke(user, clientId) {
      let n = 0;
      for (const [key, g] of grants) {
        if (g.user !== user || (clientId !== undefined && g.clientId !== clientId)) continue;
        g.revoked = true;
        grants.delete(key);
        n++;
      }
      stats.revocations += n;
      return n;
    },

    /**
     * Consents and exchanges at once, without the redirect: what a fleet needs for many users.
     * @param {{ clientId: string, user?: string, scope?: string, sites?: string[] }} input
     * @returns {object} the token endpoint's answer body
     */
    grant({ clientId, user = DEFAULT_OAUTH_USER, scope = "read:jira-work manage:jira-webhook offline_access", sites: siteNames = [] }) {
      if (!clients().has(clientId)) throw new TypeError(`no OAuth 2.0 app '${clientId}' in the seed`);
      if (typeof user !== "string" || !USER_PATTERN.test(user)) throw new TypeError("user must be 1 to 128 of A-Z a-z 0-9 : . _ @ -");
      const g = consent({ clientId, user, scopes: String(scope).split(/\s+/).filter(Boolean), siteNames });
      stats.consents++;
      return issue(g).body;
    },

    /** The sites of a grant as `GET /oauth/token/accessible-resources` lists them. */
    resources(siteNames, scopes) {
      return [...siteNames].map((name) => {
        const s = sites.describe(name);
        return { id: s.cloudId, url: s.url, name: s.name, scopes: [...scopes], avatarUrl: `${s.url}/images/site-avatar.png` };
      });
    },

    /** Live grants (no tokens): who consented to which app, sites and scopes. */
    grants() {
      return [...grants.values()].map((g) => ({ clientId: g.clientId, user: g.user, sites: [...g.sites], scopes: [...g.scopes] }));
    },

    stats: () => structuredClone(stats),
    /** Counts a fault answered on an OAuth endpoint. */
    countFault() {
      stats.faults++;
    },
    reset() {
      grants = new Map();
      codes = new Map();
      accessTokens = new Map();
      refreshTokens = new Map();
      stats = freshStats();
    },
  };
  return api;
}

function freshStats() {
  return {
    tokenRequests: { authorization_code: 0, refresh_token: 0, other: 0 },
    tokensIssued: 0,
    consents: 0,
    refreshTokenReuse: 0,
    invalidGrant: 0,
    invalidClient: 0,
    revocations: 0,
    faults: 0,
  };
}

/** An opaque token: a prefix and 32 random bytes in base64url. */
function token(prefix) {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `${prefix}-${btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

/** Compares two strings in time that depends on their lengths only. */
function sameText(a, b) {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}
