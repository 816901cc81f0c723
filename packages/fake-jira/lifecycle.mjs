// The Connect install lifecycle: `installed` / `uninstalled` callbacks signed with an asymmetric (RS256) JWT,
// verifiable with the public key the fake serves by key id (standing in for Atlassian's install-keys CDN).
// Runtime-neutral: WebCrypto keys and signatures (crypto.mjs), the injected qsh (see core.mjs, CoreDeps).
import { rs256KeyPair } from "./crypto.mjs";

const JWT_LIFETIME_S = 180;

/**
 * The fake's RSA key pair for lifecycle JWTs, made on first use.
 * @returns {() => Promise<{ kid: string, publicKey: string, sign: (claims: object) => Promise<string> }>}
 */
export function lifecycleKeys() {
  let keys;
  return () => (keys ??= rs256KeyPair());
}

/**
 * The payload Atlassian POSTs to the app's `installed` / `uninstalled` lifecycle URL.
 * @param {"installed"|"uninstalled"} eventType
 * @param {{ appKey: string, site: import("./sites.mjs").Site, baseUrl: string, sharedSecret: string }} p
 */
export function lifecyclePayload(eventType, { appKey, site, baseUrl, sharedSecret }) {
  return {
    key: appKey,
    clientKey: site.clientKey,
    sharedSecret,
    serverVersion: "100290",
    pluginsVersion: "1001.0.0-SNAPSHOT",
    baseUrl,
    displayUrl: baseUrl,
    productType: "jira",
    description: `Atlassian JIRA at ${baseUrl}`,
    eventType,
    cloudId: site.cloudId,
  };
}

/**
 * POSTs a lifecycle payload to `${appBaseUrl}/${eventType}` with `Authorization: JWT` signed RS256
 * (header kid; claims iss = clientKey, aud = the app's baseUrl, iat, exp, qsh of POST /<eventType>).
 * @param {{ kid: string, sign: (claims: object) => Promise<string> }} keys
 * @param {string} appBaseUrl
 * @param {ReturnType<typeof lifecyclePayload>} payload
 * @param {{ now: number, timeoutMs: number, qsh: import("./core.mjs").CoreDeps["qsh"], fetch: typeof fetch }} opts
 * @returns {Promise<number>} the app's HTTP status (rejects on a connection failure or timeout)
 */
export async function sendLifecycle(keys, appBaseUrl, payload, { now, timeoutMs, qsh, fetch: send }) {
  const url = `${appBaseUrl.replace(/\/+$/, "")}/${payload.eventType}`;
  const iat = Math.floor(now / 1000);
  const claims = { iss: payload.clientKey, aud: appBaseUrl, iat, exp: iat + JWT_LIFETIME_S, qsh: await qsh({ method: "POST", url }, appBaseUrl) };
  const token = await keys.sign(claims);
  const res = await send(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `JWT ${token}` },
    body: JSON.stringify(payload),
    redirect: "manual",
    signal: AbortSignal.timeout(timeoutMs),
  });
  await res.arrayBuffer();
  return res.status;
}
