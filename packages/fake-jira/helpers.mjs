// Shared by the fake's tests (and handy for other tests): credentials of the default seed, a fetch wrapper
// and a webhook receiver.
import http from "node:http";
import { DEFAULT_SEED } from "./seed.mjs";
import { DEFAULT_SITE, clientKeyOf } from "./sites.mjs";
import { DELIVERY_DEFAULTS } from "./deliveries.mjs";

export const basic = (email, token) => `Basic ${Buffer.from(`${email}:${token}`).toString("base64")}`;
export const CONNECT_APP = "com.example.connect-app";
export const OAUTH_APP = "oauth-client-id-123";
export const CLOUD_ID = "11111111-2222-3333-4444-555555555555";
export const CONNECT_SECRET = "connect-shared-secret-for-tests";
/** The default site's clientKey: `iss` of the Connect JWTs on its deliveries and lifecycle calls. */
export const CONNECT_CLIENT_KEY = clientKeyOf(DEFAULT_SITE);
/** Signs (HS256) the bearer JWT of deliveries to OAuth 2.0 apps, unless startFakeJira gets another oauthClientSecret. */
export const OAUTH_CLIENT_SECRET = DELIVERY_DEFAULTS.oauthClientSecret;
/** Basic credential of the Connect app, bearer of the OAuth app (use under /ex/jira/{cloudId}), plain user. */
export const AUTH = {
  connect: basic("admin@example.com", "basic-api-token"),
  oauth: "Bearer oauth-access-token",
  plain: basic("plain-user@example.com", "plain-token"),
};
export const OAUTH_PREFIX = `/ex/jira/${CLOUD_ID}`;
/** The callback URL the seed registers for its OAuth 2.0 app. */
export const OAUTH_REDIRECT_URI = "https://app.example.com/oauth/callback";
/** Classic scopes that reach the five operations, plus offline_access for a refresh token. */
export const OAUTH_SCOPE = "read:jira-work manage:jira-webhook offline_access";
export { DEFAULT_SEED };

/**
 * The URL of Atlassian's consent step on the fake, with the documented parameters; `user` and `site` are the
 * fake's own (who consents, and to which sites).
 * @param {{url: string}} fake
 * @param {{ clientId?: string, scope?: string, redirectUri?: string, state?: string, user?: string, sites?: string[], extra?: Record<string,string> }} [opts]
 */
export function authorizeUrl(fake, { clientId = OAUTH_APP, scope = OAUTH_SCOPE, redirectUri = OAUTH_REDIRECT_URI, state = "state-1", user, sites = [], extra = {} } = {}) {
  const q = new URLSearchParams({ audience: "api.atlassian.com", client_id: clientId, scope, redirect_uri: redirectUri, state, response_type: "code", prompt: "consent" });
  if (user !== undefined) q.set("user", user);
  for (const s of sites) q.append("site", s);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return `${fake.url}/authorize?${q}`;
}

/**
 * POSTs to the fake's /oauth/token (JSON, or form-encoded with `form: true`).
 * @returns {Promise<{ status: number, headers: Headers, json: any }>}
 */
export async function tokenRequest(fake, params, { form = false } = {}) {
  const res = await fetch(`${fake.url}/oauth/token`, {
    method: "POST",
    headers: { "content-type": form ? "application/x-www-form-urlencoded" : "application/json" },
    body: form ? new URLSearchParams(params).toString() : JSON.stringify(params),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * The whole authorization-code flow: consent (302 to the callback), then the code exchange. Throws unless both
 * succeed. @returns {Promise<{ access_token: string, refresh_token?: string, expires_in: number, scope: string, token_type: string }>}
 */
export async function oauthDance(fake, { clientSecret = OAUTH_CLIENT_SECRET, ...opts } = {}) {
  const consent = await fetch(authorizeUrl(fake, opts), { redirect: "manual" });
  const location = consent.headers.get("location");
  const code = location && new URL(location).searchParams.get("code");
  if (consent.status !== 302 || !code) throw new Error(`consent failed: ${consent.status} ${location ?? (await consent.text())}`);
  const r = await tokenRequest(fake, {
    grant_type: "authorization_code", client_id: opts.clientId ?? OAUTH_APP, client_secret: clientSecret, code,
    redirect_uri: opts.redirectUri ?? OAUTH_REDIRECT_URI,
  });
  if (r.status !== 200) throw new Error(`code exchange failed: ${r.status} ${r.text}`);
  return r.json;
}

/**
 * fetch against the fake; JSON in, { status, headers, text, json } out (json undefined when not JSON).
 * @param {{url: string}} fake
 * @param {string} method
 * @param {string} path
 * @param {{ body?: unknown, raw?: string, auth?: string|null, headers?: Record<string,string> }} [opts]
 */
export async function call(fake, method, path, { body, raw, auth = AUTH.connect, headers = {} } = {}) {
  const h = { ...(auth && { authorization: auth }), ...(body !== undefined && { "content-type": "application/json" }), ...headers };
  const res = await fetch(fake.url + path, { method, headers: h, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, text, json };
}

/** A registration body with n webhooks. */
export const hooks = (n, jqlFilter = "project = DEMO", events = ["jira:issue_created"]) => ({
  url: "https://app.example.com/hook",
  webhooks: Array.from({ length: n }, () => ({ events, jqlFilter })),
});

/**
 * @typedef {{ method: string, url: string, path: string, headers: http.IncomingHttpHeaders, body: string, json: any }} Received
 */

/**
 * A small HTTP server standing in for an app: it records every request and answers each with the
 * status `answer` returns (null: never answers, to test timeouts).
 * @param {(req: Received, n: number) => number|null|Promise<number|null>} [answer] n counts from 1; default 204
 * @returns {Promise<{ url: string, received: Received[], close: () => Promise<void> }>}
 */
export async function startReceiver(answer = () => 204) {
  const received = [];
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString("utf8");
    let json;
    try {
      json = JSON.parse(body);
    } catch {}
    const r = { method: req.method, url: req.url, path: req.url.split("?")[0], headers: req.headers, body, json };
    received.push(r);
    const status = await answer(r, received.length);
    if (status !== null) res.writeHead(status).end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    received,
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
    },
  };
}
