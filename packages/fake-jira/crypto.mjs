// The fake's cryptography, runtime-neutral: JWTs (HS256 sign and verify, RS256 sign) and the RSA key pair of the
// Connect lifecycle through WebCrypto (globalThis.crypto.subtle), and a small synchronous SHA-256 / HMAC-SHA256 for
// the identifiers derived from a site's name (fake.site(name) is synchronous, WebCrypto is not; those ids need no
// secrecy). The qsh of Connect JWTs is not here: its canonical request comes from atlassian-jwt, injected by the Node
// entry (see core.mjs).

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** @param {Uint8Array} bytes */
export function base64url(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** @returns {Uint8Array} @throws on text that is not base64url */
function fromBase64url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError("not base64url");
  const s = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

const json64 = (value) => base64url(encoder.encode(JSON.stringify(value)));

const hmacKey = (secret, usage) =>
  crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);

/** An HS256 JWT (header `{"typ":"JWT","alg":"HS256"}`, as atlassian-jwt writes it). */
export async function signHS256(claims, secret) {
  const input = `${json64({ typ: "JWT", alg: "HS256" })}.${json64(claims)}`;
  const sig = await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), encoder.encode(input));
  return `${input}.${base64url(new Uint8Array(sig))}`;
}

/**
 * The header and claims of a JWT, not verified. @returns {{ header: object, claims: object, input: string, signature: Uint8Array }}
 * @throws TypeError when it is not three base64url parts of JSON objects
 */
export function decodeJwt(token) {
  const parts = String(token).split(".");
  if (parts.length !== 3) throw new TypeError("not a JWT (three dot-separated parts)");
  const [header, claims] = parts.slice(0, 2).map((p) => {
    let value;
    try {
      value = JSON.parse(decoder.decode(fromBase64url(p)));
    } catch {
      throw new TypeError("a JWT part is not base64url JSON");
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) throw new TypeError("a JWT part is not a JSON object");
    return value;
  });
  return { header, claims, input: `${parts[0]}.${parts[1]}`, signature: fromBase64url(parts[2]) };
}

/**
 * Verifies an HS256 JWT's signature with `secret` and returns its claims.
 * @throws TypeError naming what is wrong (never the secret or the token)
 */
export async function verifyHS256(token, secret) {
  const { header, claims, input, signature } = decodeJwt(token);
  if (header.alg !== "HS256") throw new TypeError(`algorithm ${header.alg} instead of HS256`);
  const ok = await crypto.subtle.verify("HMAC", await hmacKey(secret, "verify"), signature, encoder.encode(input));
  if (!ok) throw new TypeError("signature verification failed");
  return claims;
}

/**
 * A fresh RSA key pair for RS256 JWTs: `{ kid, publicKey (SPKI PEM), sign(claims) }`.
 * @returns {Promise<{ kid: string, publicKey: string, sign: (claims: object) => Promise<string> }>}
 */
export async function rs256KeyPair() {
  const algorithm = { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
  const { privateKey, publicKey } = await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const spki = base64url(new Uint8Array(await crypto.subtle.exportKey("spki", publicKey))).replace(/-/g, "+").replace(/_/g, "/");
  const padded = spki + "=".repeat((4 - (spki.length % 4)) % 4);
  const pem = `-----BEGIN PUBLIC KEY-----\n${padded.match(/.{1,64}/g).join("\n")}\n-----END PUBLIC KEY-----\n`;
  const kid = crypto.randomUUID();
  return {
    kid,
    publicKey: pem,
    async sign(claims) {
      const input = `${json64({ kid, typ: "JWT", alg: "RS256" })}.${json64(claims)}`;
      const sig = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", privateKey, encoder.encode(input));
      return `${input}.${base64url(new Uint8Array(sig))}`;
    },
  };
}

// ---------------------------------------------------------------- synchronous SHA-256 (FIPS 180-4), for derived ids

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** SHA-256 of bytes (or of a string's UTF-8), synchronously. @returns {Uint8Array} 32 bytes */
export function sha256(data) {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  const length = bytes.length;
  const padded = new Uint8Array(Math.ceil((length + 9) / 64) * 64);
  padded.set(bytes);
  padded[length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(length / 0x20000000));
  view.setUint32(padded.length - 4, (length * 8) >>> 0);
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4);
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
      const t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      [hh, g, f, e, d, c, b, a] = [g, f, e, (d + t1) >>> 0, c, b, a, (t1 + t2) >>> 0];
    }
    for (const [i, v] of [a, b, c, d, e, f, g, hh].entries()) h[i] = (h[i] + v) >>> 0;
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  h.forEach((v, i) => outView.setUint32(i * 4, v));
  return out;
}

/** HMAC-SHA256 (RFC 2104), synchronously. @returns {Uint8Array} */
export function hmacSha256(key, message) {
  let k = typeof key === "string" ? encoder.encode(key) : key;
  if (k.length > 64) k = sha256(k);
  const block = new Uint8Array(64);
  block.set(k);
  const pad = (x) => block.map((b) => b ^ x);
  const msg = typeof message === "string" ? encoder.encode(message) : message;
  const inner = sha256(concat(pad(0x36), msg));
  return sha256(concat(pad(0x5c), inner));
}

/** Lower-case hex of bytes. */
export const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
