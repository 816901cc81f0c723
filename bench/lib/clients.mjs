// The three ways of making the same two calls, each as { list(), register() } resolving to the decoded body:
//   raw     - global fetch + JSON.parse (the floor: no validation, no conversion)
//   pkg     - this package (jira-webhooks), Node entry; Rust/wasm builds the request and decides, the generated
//             validators check the answer in JavaScript
//   jirajs  - jira.js 6.2.0 (createCloudClient(...).webhooks); global fetch + JSON.parse + zod validation
// All three send through Node's global fetch (undici) with its default keep-alive agent.
import { API_TOKEN, BASIC, EMAIL, registrationInput } from "./fixtures.mjs";

export const REGISTER_INPUT = registrationInput(5);
const AUTH = { type: "basic", email: EMAIL, apiToken: API_TOKEN };

export function rawClient(base) {
  const listUrl = `${base}/rest/api/2/webhook?startAt=0&maxResults=100`;
  const postUrl = `${base}/rest/api/2/webhook`;
  const getHeaders = { Accept: "application/json", Authorization: BASIC };
  const postHeaders = { ...getHeaders, "Content-Type": "application/json" };
  const read = async (res) => {
    const text = await res.text();
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${text}`);
    return JSON.parse(text);
  };
  return {
    list: async () => read(await fetch(listUrl, { headers: getHeaders })),
    register: async () =>
      read(await fetch(postUrl, { method: "POST", headers: postHeaders, body: JSON.stringify(REGISTER_INPUT) })),
  };
}

/**
 * Raw fetch with a `Headers` object filled one `set` at a time, `new Request(url, init)`, then `fetch(request)`:
 * what that request shape costs compared with `rawClient`'s `fetch(url, init)`, which the package uses.
 */
export function rawRequestClient(base) {
  const listUrl = `${base}/rest/api/2/webhook?startAt=0&maxResults=100`;
  const postUrl = `${base}/rest/api/2/webhook`;
  const headers = (post) => {
    const h = new Headers();
    h.set("Accept", "application/json");
    h.set("Authorization", BASIC);
    if (post) h.set("Content-Type", "application/json");
    return h;
  };
  const read = async (res) => {
    const text = await res.text();
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${text}`);
    return JSON.parse(text);
  };
  return {
    list: async () => read(await fetch(new Request(listUrl, { method: "GET", headers: headers(false) }))),
    register: async () =>
      read(await fetch(new Request(postUrl, { method: "POST", headers: headers(true), body: JSON.stringify(REGISTER_INPUT) }))),
  };
}

/** The package's custom-transport hook given a plain `fetch(url, init)`, instead of its built-in fetch. */
export const plainFetchTransport = (r) => fetch(r.url, { method: r.method, headers: r.headers, body: r.body, signal: r.signal });

/** `mod` is the imported package (node.mjs); `transport` optional (see plainFetchTransport). */
export function pkgClient(mod, base, transport) {
  const client = new mod.JiraWebhooks({ baseUrl: base, auth: AUTH, retry: false, ...(transport ? { transport } : {}) });
  return {
    client,
    list: () => client.getDynamicWebhooksForApp({ startAt: 0, maxResults: 100 }),
    register: () => client.registerDynamicWebhooks(REGISTER_INPUT),
  };
}

/**
 * `mod` is the imported `jira.js`. Its webhook schema types `expirationDate` as a number, so Jira's date strings
 * fail its validation: `onSchemaMismatch: "silent"` makes it hand back the unvalidated body quietly instead of
 * logging a warning on every call (its default), which is what an app would configure against real Jira.
 */
export function jirajsClient(mod, base) {
  const jira = mod.createCloudClient({ host: base, auth: AUTH, onSchemaMismatch: "silent" });
  return {
    list: () => jira.webhooks.getDynamicWebhooksForApp({ startAt: 0, maxResults: 100 }),
    register: () => jira.webhooks.registerDynamicWebhooks(REGISTER_INPUT),
  };
}

/** Imports and builds one client by kind; `pkgEntry` is the file URL of the package's node.mjs. */
export async function makeClient(kind, base, pkgEntry) {
  if (kind === "raw") return rawClient(base);
  if (kind === "pkg") return pkgClient(await import(pkgEntry), base);
  if (kind === "jirajs") return jirajsClient(await import("jira.js"), base);
  throw new Error(`unknown client kind ${kind}`);
}

/** Checks a list answer looks right (100 webhooks); returns an error message or null. */
export function checkList(page) {
  if (!page || !Array.isArray(page.values) || page.values.length !== 100) return "list did not return 100 webhooks";
  return null;
}

export function checkRegister(r) {
  if (!r || !Array.isArray(r.webhookRegistrationResult) || r.webhookRegistrationResult.length !== 5) {
    return "register did not return 5 results";
  }
  return null;
}
