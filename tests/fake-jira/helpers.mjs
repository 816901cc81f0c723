// Shared by the fake's tests (and handy for other tests): credentials of the default seed and a fetch wrapper.
import { DEFAULT_SEED } from "./seed.mjs";

export const basic = (email, token) => `Basic ${Buffer.from(`${email}:${token}`).toString("base64")}`;
export const CONNECT_APP = "com.example.connect-app";
export const OAUTH_APP = "oauth-client-id-123";
export const CLOUD_ID = "11111111-2222-3333-4444-555555555555";
export const CONNECT_SECRET = "connect-shared-secret-for-tests";
/** Basic credential of the Connect app, bearer of the OAuth app (use under /ex/jira/{cloudId}), plain user. */
export const AUTH = {
  connect: basic("admin@example.com", "basic-api-token"),
  oauth: "Bearer oauth-access-token",
  plain: basic("plain-user@example.com", "plain-token"),
};
export const OAUTH_PREFIX = `/ex/jira/${CLOUD_ID}`;
export { DEFAULT_SEED };

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
