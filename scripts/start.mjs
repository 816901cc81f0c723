// The demo admin page's server (`npm start` runs setup and the build, then this).
//
//   node scripts/start.mjs            fake mode: starts the fake Jira seeded with tests/fake-jira/seed.json on its own
//                                     port (CORS) and serves www/ and pkg/ on http://127.0.0.1:8080 (PORT overrides;
//                                     FAKE_JIRA_PORT fixes the fake's port, default: any free one).
//   JIRA_BASE_URL=https://your-domain.atlassian.net JIRA_EMAIL=… JIRA_API_TOKEN=… node scripts/start.mjs
//   JIRA_BASE_URL=https://api.atlassian.com/ex/jira/<cloudId> JIRA_BEARER_TOKEN=… node scripts/start.mjs
//                                     proxy mode: no fake; the same server forwards /rest/api/{2,3}/webhook* to that
//                                     site, adding the Authorization header itself.
//
// Why a proxy: Jira Cloud sends no CORS headers to arbitrary origins, so a browser page cannot call it directly.
// In proxy mode the page talks to this server's own origin (baseUrl = location.origin) with a dummy bearer
// credential, because the client library insists on one; the proxy drops whatever Authorization the page sent and
// puts the real one, built here from the environment, on the upstream request. The real credentials never leave
// this process: they are not in /config.json, and answers are passed back with an allow-list of headers.
//
// `startDemo(options)` is exported for tests: it returns { url, close, mode, fake? } and takes port 0.
import http from "node:http";
import { createHash } from "node:crypto";
import { readFile, realpath } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { dirname, extname, join, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startFakeJira } from "../tests/fake-jira/server.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const WWW = join(ROOT, "www");
const PKG = join(ROOT, "pkg");
const DEFAULT_SEED = join(ROOT, "tests", "fake-jira", "seed.json");

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ts": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
};
/** The only upstream paths the proxy forwards: the five webhook operations. */
const PROXY_PATH = /^\/rest\/api\/[23]\/webhook(?:\/(?:failed|refresh))?$/;
/** Headers passed back from Jira to the page (nothing else: no cookies, no upstream auth challenges). */
const PASS_BACK = [
  "content-type", "x-arequestid", "retry-after", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
  "x-ratelimit-nearlimit", "ratelimit-reason",
];
/** The credential the page is given in proxy mode: a placeholder the proxy throws away. */
export const PROXY_PLACEHOLDER_TOKEN = "replaced-by-the-demo-proxy";
const UPSTREAM_TIMEOUT_MS = 30_000;

/**
 * Starts the demo server.
 * @param {object} [options]
 * @param {number} [options.port=8080] 0 for any free port
 * @param {string} [options.host="127.0.0.1"]
 * @param {object|string} [options.seed] fake mode: the seed (object or path), default tests/fake-jira/seed.json
 * @param {number} [options.fakePort=0] fake mode: the fake Jira's port
 * @param {{ baseUrl: string, auth: {type:"basic", email:string, apiToken:string} | {type:"bearer", token:string} }} [options.proxy]
 *   proxy mode: the real site and its credentials (kept in this process)
 * @returns {Promise<{ url: string, mode: "fake"|"proxy", fake?: object, site?: string, close: () => Promise<void> }>}
 */
export async function startDemo({ port = 8080, host = "127.0.0.1", seed, fakePort = 0, proxy } = {}) {
  let fake = null;
  let upstream = null;
  let authorization = null;
  let pageConfig;
  if (proxy) {
    upstream = checkSiteUrl(proxy.baseUrl);
    authorization = authorizationHeader(proxy.auth);
    // Nothing secret in here: the page learns which site it is talking to and gets the placeholder credential.
    pageConfig = { mode: "proxy", site: upstream.origin + upstream.pathname.replace(/\/$/, ""), apiVersion: 3, auth: { type: "bearer", token: PROXY_PLACEHOLDER_TOKEN } };
  } else {
    const seedObject = typeof seed === "object" && seed ? seed : JSON.parse(readFileSync(seed ?? DEFAULT_SEED, "utf8"));
    fake = await startFakeJira({ port: fakePort, seed: seedObject });
    pageConfig = { mode: "fake", jiraUrl: fake.url, apiVersion: 3, accounts: testAccounts(seedObject, fake.url) };
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      console.error("[demo] internal error:", e);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("internal error");
    });
  });

  async function handle(req, res) {
    const url = new URL(req.url, "http://localhost");
    if (url.pathname.startsWith("/rest/") || url.pathname.startsWith("/ex/")) {
      if (!upstream) return sendError(res, 404, "This server proxies Jira only in proxy mode (JIRA_BASE_URL); in fake mode the page calls the fake Jira directly.");
      return forward(req, res, url);
    }
    if (req.method !== "GET" && req.method !== "HEAD") return sendText(res, 405, "Method Not Allowed", { Allow: "GET, HEAD" });
    if (url.pathname === "/config.json") {
      return send(res, 200, JSON.stringify(pageConfig, null, 2), { "Content-Type": MIME[".json"], "Cache-Control": "no-store" });
    }
    return serveStatic(req, res, url.pathname);
  }

  /** Proxy mode: the webhook operations to the real site, with the server-side Authorization header. */
  async function forward(req, res, url) {
    // The proxy holds real credentials: only this page may use it. A request from another site carries its own
    // Origin; a DNS-rebinding attack arrives with a foreign Host. Both are refused.
    const hostName = (req.headers.host ?? "").replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
    if (!["127.0.0.1", "localhost", "::1"].includes(hostName)) return sendError(res, 403, "The demo proxy answers only on a loopback host name.");
    if (req.headers.origin !== undefined && req.headers.origin !== `http://${req.headers.host}`) return sendError(res, 403, "The demo proxy answers only its own page.");
    if (!PROXY_PATH.test(url.pathname)) return sendError(res, 404, `The demo proxy forwards only the webhook operations, not ${url.pathname}.`);
    if (req.method === "OPTIONS") return send(res, 204, undefined, { Allow: "GET, POST, PUT, DELETE" });

    const body = await readBody(req);
    const target = new URL(upstream.pathname.replace(/\/$/, "") + url.pathname + url.search, upstream.origin);
    const headers = { Authorization: authorization, Accept: "application/json", "User-Agent": "jira-webhooks-demo-proxy" };
    if (req.headers["content-type"]) headers["Content-Type"] = req.headers["content-type"];
    let answer;
    try {
      answer = await fetch(target, {
        method: req.method, headers, body: body.length ? body : undefined, redirect: "manual",
        signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
      });
    } catch (e) {
      const timedOut = e?.name === "TimeoutError";
      const reason = timedOut ? `no answer within ${UPSTREAM_TIMEOUT_MS / 1000} s` : (e?.cause?.code ?? e?.message ?? "unknown error");
      return sendError(res, timedOut ? 504 : 502, `The demo proxy could not reach ${upstream.origin}: ${reason}.`);
    }
    const out = {};
    for (const name of PASS_BACK) {
      const v = answer.headers.get(name);
      if (v !== null) out[name] = v;
    }
    const text = Buffer.from(await answer.arrayBuffer());
    if (answer.status >= 300 && answer.status < 400) {
      // A redirect (e.g. to a login page) must not be followed by the browser: report it as an error instead.
      return sendError(res, 502, `${upstream.origin} answered ${answer.status} with a redirect; check JIRA_BASE_URL.`);
    }
    return send(res, answer.status, text.length ? text : undefined, { ...out, "Cache-Control": "no-store" });
  }

  async function serveStatic(req, res, pathname) {
    let path;
    try {
      path = decodeURIComponent(pathname);
    } catch {
      return sendText(res, 400, "Bad Request");
    }
    let base = WWW;
    if (path === "/") path = "/index.html";
    if (path.startsWith("/pkg/")) (base = PKG), (path = path.slice("/pkg".length));
    if (path.includes("\0") || path.split("/").some((s) => s.startsWith("."))) return sendText(res, 404, "Not Found");
    let file;
    try {
      file = await realpath(join(base, path));
      if (!file.startsWith((await realpath(base)) + sep)) return sendText(res, 404, "Not Found");
    } catch {
      return sendText(res, 404, "Not Found");
    }
    const type = MIME[extname(file)];
    if (!type) return sendText(res, 404, "Not Found");
    let data;
    try {
      data = await readFile(file);
    } catch {
      return sendText(res, 404, "Not Found");
    }
    const headers = { "Content-Type": type, "Cache-Control": "no-store" };
    if (extname(file) === ".html") headers["Content-Security-Policy"] = contentSecurityPolicy(data.toString("utf8"));
    return send(res, 200, req.method === "HEAD" ? undefined : data, headers, data.length);
  }

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
  let closing;
  return {
    url,
    mode: proxy ? "proxy" : "fake",
    fake: fake ?? undefined,
    site: proxy ? pageConfig.site : undefined,
    close() {
      closing ??= (async () => {
        const closed = new Promise((resolve) => server.close(resolve));
        server.closeAllConnections();
        await closed;
        await fake?.close();
      })();
      return closing;
    },
  };
}

/**
 * A strict policy: scripts only from this origin plus the inline import map (by hash), wasm compilation allowed,
 * and fetch to this origin, loopback (the fake Jira) and https sites.
 */
function contentSecurityPolicy(html) {
  const hashes = [...html.matchAll(/<script type="importmap">([\s\S]*?)<\/script>/g)].map(
    (m) => `'sha256-${createHash("sha256").update(m[1]).digest("base64")}'`,
  );
  return [
    "default-src 'none'",
    `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(" ")}`.trim(),
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self' http://127.0.0.1:* http://localhost:* https:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The seed's credentials as ready-made connections for the page's "Test account" menu (fake mode only). */
function testAccounts(seed, jiraUrl) {
  const apps = Object.fromEntries((seed.apps ?? []).map((a) => [a.key, a]));
  return (seed.credentials ?? []).flatMap((c, i) => {
    const app = apps[c.app];
    const webhookUrl = (seed.webhooks ?? []).find((w) => w.app === c.app)?.url;
    const who = app ? `${app.type === "connect" ? "Connect app" : "OAuth 2.0 app"} ${app.key}` : `${c.user ?? "user"}, not an app`;
    if (c.type === "basic") {
      return [{ id: `account-${i}`, label: `${who} (basic: ${c.email})`, baseUrl: jiraUrl, auth: { type: "basic", email: c.email, apiToken: c.apiToken }, webhookUrl }];
    }
    if (c.type === "bearer") {
      const target = app?.cloudId ? { cloudId: app.cloudId, gatewayUrl: jiraUrl } : { baseUrl: jiraUrl };
      return [{ id: `account-${i}`, label: `${who} (bearer${app?.cloudId ? ", cloud ID" : ""})`, ...target, auth: { type: "bearer", token: c.token }, webhookUrl }];
    }
    return []; // JWT-only accounts cannot be typed into a form
  });
}

function checkSiteUrl(raw) {
  let u;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`JIRA_BASE_URL is not a URL: ${raw}`);
  }
  if (u.username || u.password) throw new Error("JIRA_BASE_URL must not contain credentials: use JIRA_EMAIL and JIRA_API_TOKEN, or JIRA_BEARER_TOKEN.");
  if (u.search || u.hash) throw new Error("JIRA_BASE_URL must not have a query or fragment.");
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
  if (u.protocol !== "https:" && !(u.protocol === "http:" && loopback)) {
    throw new Error("JIRA_BASE_URL must use https:// (plain http would send the credentials unencrypted).");
  }
  return u;
}

function authorizationHeader(auth) {
  if (auth?.type === "basic" && auth.email && auth.apiToken) return `Basic ${Buffer.from(`${auth.email}:${auth.apiToken}`).toString("base64")}`;
  if (auth?.type === "bearer" && auth.token) return `Bearer ${auth.token}`;
  throw new Error("proxy mode needs credentials: JIRA_EMAIL and JIRA_API_TOKEN, or JIRA_BEARER_TOKEN.");
}

function send(res, status, body, headers = {}, length) {
  res.writeHead(status, {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    ...(length !== undefined && { "Content-Length": length }),
    ...headers,
  });
  res.end(body);
}
const sendText = (res, status, text, headers = {}) => send(res, status, text, { "Content-Type": "text/plain; charset=utf-8", ...headers });
/** Errors on the Jira paths are ErrorCollections, like Jira's own, so the client library reads them the same way. */
const sendError = (res, status, message) =>
  send(res, status, JSON.stringify({ errorMessages: [message], errors: {} }), { "Content-Type": "application/json;charset=UTF-8" });

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > 10 * 1024 * 1024) throw new Error("request body too large");
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** Proxy settings from the environment, or undefined for fake mode. */
export function proxyFromEnv(env = process.env) {
  if (!env.JIRA_BASE_URL) return undefined;
  if (env.JIRA_BEARER_TOKEN) return { baseUrl: env.JIRA_BASE_URL, auth: { type: "bearer", token: env.JIRA_BEARER_TOKEN } };
  if (env.JIRA_EMAIL && env.JIRA_API_TOKEN) return { baseUrl: env.JIRA_BASE_URL, auth: { type: "basic", email: env.JIRA_EMAIL, apiToken: env.JIRA_API_TOKEN } };
  throw new Error("JIRA_BASE_URL is set: also set JIRA_EMAIL and JIRA_API_TOKEN, or JIRA_BEARER_TOKEN.");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    if (!existsSync(join(PKG, "browser.js"))) console.warn("[demo] pkg/ is not built: run `npm run build` (or `npm start`, which builds it).");
    const demo = await startDemo({
      port: process.env.PORT === undefined ? 8080 : Number(process.env.PORT),
      fakePort: process.env.FAKE_JIRA_PORT === undefined ? 0 : Number(process.env.FAKE_JIRA_PORT),
      proxy: proxyFromEnv(),
    });
    if (demo.mode === "proxy") console.log(`[demo] proxy mode: /rest/api/{2,3}/webhook* -> ${demo.site} (credentials stay in this process)`);
    else console.log(`[demo] fake Jira (seed: tests/fake-jira/seed.json) on ${demo.fake.url}; control API ${demo.fake.url}/_fake/`);
    console.log(`[demo] open ${demo.url}/`);
    const stop = () => demo.close().then(() => process.exit(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  } catch (e) {
    console.error(`[demo] ${e.message}`);
    process.exit(1);
  }
}
