// Verifies the `installed` / `uninstalled` lifecycle callbacks of a Connect app ("signed install"): Atlassian
// signs them with an asymmetric JWT (RS256) whose public key is fetched by the header's `kid` from Atlassian's
// key service, and the claims bind the token to this app (`aud`), the tenant (`iss`) and this request (`qsh`).
// https://developer.atlassian.com/cloud/jira/platform/understanding-jwt-for-connect-apps/
// https://developer.atlassian.com/cloud/jira/platform/security-for-connect-apps/

import { queryStringHash } from "jira-webhooks/lifecycle";

const LEEWAY_S = 60; // clock skew allowed on exp / nbf
const KID = /^[A-Za-z0-9._-]{1,128}$/; // the kid becomes a URL path segment: nothing that could leave it
const keys = new Map(); // kid -> Promise<CryptoKey>: a kid names one key forever, so it is fetched once per isolate

export class InstallAuthError extends Error {}

/**
 * Checks the request's `Authorization: JWT …` and returns its claims, or throws InstallAuthError.
 * @param {Request} request the lifecycle POST
 * @param {{ clientKey: string }} body its parsed payload
 * @param {{ appBaseUrl: string, keysUrl: string, now?: number }} options keysUrl: Atlassian's key service
 *   (https://connect-install-keys.atlassian.com), or a fake of it in tests
 */
export async function verifyInstallJwt(request, body, { appBaseUrl, keysUrl, now = Date.now() }) {
  const token = /^JWT (\S+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
  if (!token) throw new InstallAuthError("no JWT");
  const parts = token.split(".");
  if (parts.length !== 3) throw new InstallAuthError("malformed JWT");
  const [header, claims] = parts.slice(0, 2).map((p) => {
    try {
      return JSON.parse(new TextDecoder().decode(base64url(p)));
    } catch {
      throw new InstallAuthError("malformed JWT");
    }
  });
  if (header.alg !== "RS256") throw new InstallAuthError(`alg ${header.alg} (the lifecycle JWT must be RS256)`);
  if (typeof header.kid !== "string" || !KID.test(header.kid)) throw new InstallAuthError("no usable kid");

  const key = await publicKey(header.kid, keysUrl);
  const signed = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
  const ok = await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, base64url(parts[2]), signed);
  if (!ok) throw new InstallAuthError("signature");

  const t = Math.floor(now / 1000);
  if (typeof claims.exp !== "number" || claims.exp + LEEWAY_S < t) throw new InstallAuthError("expired");
  if (typeof claims.nbf === "number" && claims.nbf - LEEWAY_S > t) throw new InstallAuthError("not yet valid");
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.some((a) => typeof a === "string" && trimSlash(a) === trimSlash(appBaseUrl))) throw new InstallAuthError("aud");
  if (!body || claims.iss !== body.clientKey) throw new InstallAuthError("iss is not the payload's clientKey");
  // The package's own canonical request (the one its Connect JWTs and delivery checks use).
  let qsh;
  try {
    qsh = queryStringHash(request.method, request.url, appBaseUrl);
  } catch {
    throw new InstallAuthError("qsh: the request is not under the app's base URL");
  }
  if (claims.qsh !== qsh) throw new InstallAuthError("qsh");
  return claims;
}

function publicKey(kid, keysUrl) {
  let key = keys.get(kid);
  if (!key) {
    key = (async () => {
      const res = await fetch(`${trimSlash(keysUrl)}/${kid}`);
      if (!res.ok) throw new InstallAuthError(`unknown kid (key service answered ${res.status})`);
      const pem = await res.text();
      const der = base64(pem.replace(/-----(BEGIN|END) PUBLIC KEY-----|\s+/g, ""));
      return crypto.subtle.importKey("spki", der, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
    })();
    keys.set(kid, key);
    key.catch(() => keys.delete(kid)); // a failed fetch is tried again next time
    if (keys.size > 100) keys.delete(keys.keys().next().value);
  }
  return key;
}

const trimSlash = (s) => s.replace(/\/+$/, "");
const base64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const base64url = (s) => base64(s.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (s.length % 4)) % 4));
