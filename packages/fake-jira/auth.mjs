// Who is calling: Basic (email:apiToken), Bearer (OAuth 2.0 access token) or Connect JWT (HS256 + qsh).
// Runtime-neutral: WebCrypto verifies the JWT (crypto.mjs); its qsh comes from the injected `qsh` (see core.mjs).
import { decodeJwt, verifyHS256 } from "./crypto.mjs";

/**
 * @typedef {{ key: string, type: "connect"|"oauth", sharedSecret?: string, cloudId?: string, installed?: boolean }} App
 * @typedef {{ type: "basic", email: string, apiToken: string, app?: string, user?: string }
 *         | { type: "bearer", token: string, app?: string, user?: string }} Credential
 * @typedef {{ ok: true, app: App|null, user: string|null, scheme: "basic"|"bearer"|"jwt" }
 *         | { ok: false, status: 401|404, message: string }} AuthResult
 */

const UNAUTHENTICATED = "You are not authenticated. Authentication required to perform this operation.";

/**
 * Authenticates one request. Site routes (/rest/api/…) accept Basic and Connect JWT; OAuth 2.0 routes
 * (/ex/jira/{cloudId}/rest/api/…) accept only a Bearer token: a seed credential whose app has that cloudId, or an
 * access token issued by the fake's OAuth 2.0 server whose grant covers the site (else 404) and whose scopes
 * hold one of the operation's scope sets (else 401).
 * @param {{ method: string, path: string, query: Record<string, string|string[]>, authorization?: string,
 *   cloudId?: string|null, site?: { name: string, cloudId: string }, scopes?: string[][] }} req
 *        path is the site-relative path (without the /ex/jira/{cloudId} prefix); site: the site the route
 *        reached; scopes: the operation's OAuth 2.0 scope sets (any one of them suffices)
 * @param {{ apps: Record<string, App>, credentials: Credential[], now: () => number,
 *   oauth?: { lookup: (token: string) => null | { ok: false, why: string }
 *     | { ok: true, app: string, user: string, sites: Set<string>, scopes: Set<string> } },
 *   qsh?: import("./core.mjs").CoreDeps["qsh"] }} ctx oauth: the fake's OAuth 2.0 server; qsh: needed for Connect JWTs
 * @returns {Promise<AuthResult>}
 */
export async function authenticate(req, { apps, credentials, now, oauth, qsh }) {
  const [scheme = "", value = ""] = (req.authorization ?? "").trim().split(/\s+/, 2);
  let found;
  switch (scheme.toLowerCase()) {
    case "basic": {
      const [email, ...rest] = fromBase64(value).split(":");
      const token = rest.join(":");
      const c = credentials.find((c) => c.type === "basic" && c.email === email && c.apiToken === token);
      if (c) found = { scheme: "basic", app: c.app ?? null, user: c.user ?? c.email };
      break;
    }
    case "bearer": {
      const c = credentials.find((c) => c.type === "bearer" && c.token === value);
      if (c) found = { scheme: "bearer", app: c.app ?? null, user: c.user ?? null };
      else if (value && oauth) {
        const t = oauth.lookup(value);
        if (t && !t.ok) return { ok: false, status: 401, message: `${UNAUTHENTICATED} (${t.why})` };
        if (t) found = { scheme: "bearer", app: t.app, user: t.user, grant: t };
      }
      break;
    }
    case "jwt": {
      const r = await verifyConnectJwt(value, req, apps, now, qsh);
      if (!r.ok) return r;
      found = r;
      break;
    }
  }
  if (!found) return { ok: false, status: 401, message: UNAUTHENTICATED };
  const app = found.app && apps[found.app]?.installed !== false ? apps[found.app] ?? null : null; // uninstalled: a plain user
  if (req.cloudId != null) {
    const reachable = found.grant
      ? req.site?.cloudId === req.cloudId && found.grant.sites.has(req.site.name) && app?.type === "oauth"
      : found.scheme === "bearer" && app?.cloudId === req.cloudId;
    if (!reachable) return { ok: false, status: 404, message: `No Jira site with cloudId ${req.cloudId} is accessible with these credentials.` };
    if (found.grant && req.scopes?.length && !req.scopes.some((set) => set.every((s) => found.grant.scopes.has(s))))
      return { ok: false, status: 401, message: "Unauthorized; scope does not match" };
  } else if (found.scheme === "bearer") {
    return { ok: false, status: 401, message: `${UNAUTHENTICATED} OAuth 2.0 access tokens are accepted only on /ex/jira/{cloudId}/rest/api/….` };
  }
  return { ok: true, app, user: found.user, scheme: found.scheme };
}

/**
 * Connect JWT: iss = app key, HS256 signed with the app's sharedSecret, exp in the future,
 * qsh = hex sha256 of `METHOD&path&canonical-query` (atlassian-jwt computes it).
 */
async function verifyConnectJwt(token, req, apps, now, qsh) {
  const fail = (why) => ({ ok: false, status: 401, message: `${UNAUTHENTICATED} (JWT: ${why})` });
  let claims;
  try {
    claims = decodeJwt(token).claims;
  } catch (e) {
    return fail(`cannot decode: ${e.message}`);
  }
  const app = apps[claims.iss];
  if (!app || app.type !== "connect" || !app.sharedSecret) return fail(`unknown issuer '${claims.iss}'`);
  if (app.installed === false) return fail(`the app '${app.key}' is not installed on this site`);
  try {
    claims = await verifyHS256(token, app.sharedSecret);
  } catch (e) {
    return fail(`signature: ${e.message}`);
  }
  const seconds = now() / 1000;
  if (typeof claims.exp !== "number" || claims.exp < seconds) return fail("token expired or without exp");
  if (!qsh) return fail("this fake has no qsh implementation (CoreDeps.qsh)");
  const expected = await qsh({ method: req.method, pathname: req.path, query: req.query }, "");
  if (claims.qsh !== expected) return fail(`qsh mismatch (expected ${expected})`);
  return { ok: true, scheme: "jwt", app: app.key, user: claims.sub ?? null };
}

/** Base64 (lenient: like Node's decoder, it ignores what is not base64) to UTF-8 text. */
function fromBase64(value) {
  const clean = value.replace(/[^A-Za-z0-9+/]/g, "");
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(clean + "=".repeat((4 - (clean.length % 4)) % 4)), (c) => c.charCodeAt(0)));
  } catch {
    return ""; // a length no base64 text has: no credential matches
  }
}
