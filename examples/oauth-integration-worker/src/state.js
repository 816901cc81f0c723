// The OAuth 2.0 `state`, bound to the user who started the connection (RFC 6749 §10.12): an HMAC-signed
// `{ user, nonce, exp }`, and the nonce also in an HttpOnly cookie of the browser that started it. The callback
// accepts a state only with a valid signature, before its expiry, from that same browser: a code that an attacker
// got for their own Jira cannot be slipped into someone else's session, and a state cannot be forged or reused
// in another browser.
import { base64url } from "./util.js";

const COOKIE = "jira_oauth_nonce";
const LIFETIME_MS = 10 * 60_000;
const encoder = new TextEncoder();

const key = (secret) => crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
const fromBase64url = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

/** A new state for `user`, and the Set-Cookie that binds it to this browser. */
export async function newState(secret, user) {
  const nonce = base64url(crypto.getRandomValues(new Uint8Array(18)));
  const payload = base64url(encoder.encode(JSON.stringify({ user, nonce, exp: Date.now() + LIFETIME_MS })));
  const signature = base64url(await crypto.subtle.sign("HMAC", await key(secret), encoder.encode(payload)));
  return {
    state: `${payload}.${signature}`,
    cookie: `${COOKIE}=${nonce}; Max-Age=${LIFETIME_MS / 1000}; Path=/; HttpOnly; Secure; SameSite=Lax`,
  };
}

/** The user a state was made for, or null when it is forged, expired, or not from this browser. */
export async function checkState(secret, state, cookieHeader) {
  const [payload, signature, extra] = String(state ?? "").split(".");
  if (!payload || !signature || extra !== undefined) return null;
  let ok = false;
  try {
    ok = await crypto.subtle.verify("HMAC", await key(secret), fromBase64url(signature), encoder.encode(payload)); // constant time
  } catch {
    return null;
  }
  if (!ok) return null;
  const claims = JSON.parse(new TextDecoder().decode(fromBase64url(payload)));
  if (!(claims.exp > Date.now())) return null;
  const nonce = (cookieHeader ?? "").split(/;\s*/).find((c) => c.startsWith(`${COOKIE}=`))?.slice(COOKIE.length + 1);
  if (!nonce || nonce !== claims.nonce) return null;
  return claims.user;
}

/** Clears the nonce cookie once the callback used it. */
export const clearCookie = `${COOKIE}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax`;
