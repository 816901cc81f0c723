// The demo admin page's server (`npm start` runs setup and the build, then this).
//
//   node scripts/start.mjs            fake mode: starts the fake Jira seeded with the fake's seed.json on its own
//                                     port (CORS) and serves www/ and pkg/ on http://127.0.0.1:8080 (PORT overrides;
//                                     FAKE_JIRA_PORT fixes the fake's port, default: any free one).
//   JIRA_BASE_URL=https://your-domain.atlassian.net JIRA_EMAIL=… JIRA_API_TOKEN=… node scripts/start.mjs
//   JIRA_BASE_URL=https://api.atlassian.com/ex/jira/<cloudId> JIRA_BEARER_TOKEN=… node scripts/start.mjs
//                                     proxy mode: no fake; the same server forwards /rest/api/{2,3}/webhook* to that
//                                     site, adding the Authorization header itself.
//
// Fake mode also runs a webhook receiver at /webhook (scripts/demo-receiver.mjs: the package's createWebhookHandler
// behind toNodeListener, verifying the fake's Connect JWTs): the fake delivers there once the page's sync panel
// registered that URL. The page watches each delivery on /_demo/deliveries (Server-Sent Events) and drives the
// receiver and the fake through /_demo/fire, /_demo/receiver, /_demo/resend, /_demo/forge and /_demo/replay.
//
// Why a proxy: Jira Cloud sends no CORS headers to arbitrary origins, so a browser page cannot call it directly.
// In proxy mode the page talks to this server's own origin (baseUrl = location.origin) with a placeholder
// credential of the real one's type: the client library insists on one, and its type matters (with an OAuth 2.0
// token, sync touches only the connection's own webhooks; with the app's, all of them). The proxy drops whatever
// Authorization the page sent and puts the real one, built here from the environment, on the upstream request.
// The real credentials never leave this process: they are not in /config.json, and answers are passed back with an
// allow-list of headers.
// The proxy serves only whoever holds this run's key: a random secret made at start and printed with the URL
// (`/?key=…`). Opening that URL moves the key into an HttpOnly, SameSite=Strict cookie (a redirect drops it from
// the address bar); every proxied request must carry the cookie (else 403), and each of the five paths forwards
// only the methods its operations use (else 405).
//
// `startDemo(options)` is exported for tests: it returns { url, close, mode, fake?, receiver?, key?, pageUrl } and
// takes port 0.
import http from "node:http";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { readFile, realpath } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { dirname, extname, join, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startFakeJira, clientKeyOf, DELIVERY_DEFAULTS, SEED_PATH } from "jira-webhooks-fake";
import { createDemoReceiver } from "./demo-receiver.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const WWW = join(ROOT, "www");
const PKG = join(ROOT, "pkg");
const DEFAULT_SEED = SEED_PATH;

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
/** The only upstream paths the proxy forwards, the five webhook operations, and the methods each path needs. */
const PROXY_PATH = /^\/rest\/api\/[23]\/webhook(?:\/(failed|refresh))?$/;
const PROXY_METHODS = { "": ["GET", "POST", "DELETE"], failed: ["GET"], refresh: ["PUT"] };
/** Headers passed back from Jira to the page (nothing else: no cookies, no upstream auth challenges). */
const PASS_BACK = [
  "content-type", "x-arequestid", "retry-after", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
  "x-ratelimit-nearlimit", "ratelimit-reason",
];
/** The credential the page is given in proxy mode: a placeholder the proxy throws away. */
export const PROXY_PLACEHOLDER_TOKEN = "replaced-by-the-demo-proxy";
/** The page's placeholder credential in proxy mode: the same type as the real one (see above), nothing of it. */
export const proxyPlaceholderAuth = (type) => type === "basic"
  ? { type: "basic", email: "placeholder@demo-proxy.invalid", apiToken: PROXY_PLACEHOLDER_TOKEN }
  : { type: "bearer", token: PROXY_PLACEHOLDER_TOKEN };
const UPSTREAM_TIMEOUT_MS = 30_000;
/**
 * The fake's deliveries in the demo: slower than the tests' defaults, so a person sees a failed attempt and its
 * retry (1 s, 3 s and 7 s after the first) before the delivery joins the failed ones.
 */
const DEMO_DELIVERIES = { deliveryRetries: 3, deliveryRetryDelaysMs: [1000, 2000, 4000] };
/** Events the page's "Fire event" may ask for, and the projects. */
const FIRE_EVENTS = ["jira:issue_created", "jira:issue_updated", "comment_created"];
const FIRE_PROJECT = /^[A-Z][A-Z0-9]{1,9}$/;

/**
 * Starts the demo server.
 * @param {object} [options]
 * @param {number} [options.port=8080] 0 for any free port
 * @param {string} [options.host="127.0.0.1"]
 * @param {object|string} [options.seed] fake mode: the seed (object or path), default the fake's seed.json (packages/fake-jira/seed.json)
 * @param {number} [options.fakePort=0] fake mode: the fake Jira's port
 * @param {object} [options.fakeOptions] fake mode: more options of startFakeJira (default: the demo's slower
 *   delivery retries)
 * @param {number} [options.upstreamTimeoutMs=30000] proxy mode: how long the proxy waits for the site (then 504)
 * @param {{ baseUrl: string, auth: {type:"basic", email:string, apiToken:string} | {type:"bearer", token:string} }} [options.proxy]
 *   proxy mode: the real site and its credentials (kept in this process)
 * @returns {Promise<{ url: string, pageUrl: string, mode: "fake"|"proxy", fake?: object, receiver?: object,
 *   key?: string, site?: string, close: () => Promise<void> }>} pageUrl: the address to open (proxy mode: with
 *   the key); receiver: the webhook receiver (fake mode)
 */
export async function startDemo({ port = 8080, host = "127.0.0.1", seed, fakePort = 0, fakeOptions, proxy, upstreamTimeoutMs = UPSTREAM_TIMEOUT_MS } = {}) {
  let fake = null;
  let receiver = null;
  let upstream = null;
  let authorization = null;
  let key = null;
  let cookieName = "";
  let pageConfig;
  let seedObject;
  if (proxy) {
    upstream = checkSiteUrl(proxy.baseUrl);
    authorization = authorizationHeader(proxy.auth);
    key = randomBytes(24).toString("base64url");
    // Nothing secret in here: the page learns which site it is talking to and gets the placeholder credential.
    pageConfig = { mode: "proxy", site: upstream.origin + upstream.pathname.replace(/\/$/, ""), apiVersion: 3, auth: proxyPlaceholderAuth(proxy.auth.type) };
  } else {
    seedObject = typeof seed === "object" && seed ? seed : JSON.parse(readFileSync(seed ?? DEFAULT_SEED, "utf8"));
    fake = await startFakeJira({ ...DEMO_DELIVERIES, ...fakeOptions, port: fakePort, seed: seedObject });
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
    if (url.pathname === "/webhook" || url.pathname.startsWith("/_demo/")) {
      if (!receiver) return sendText(res, 404, "Deliveries need a public URL: this server receives webhooks only in fake mode.");
      return demoRoute(req, res, url);
    }
    if (req.method !== "GET" && req.method !== "HEAD") return sendText(res, 405, "Method Not Allowed", { Allow: "GET, HEAD" });
    if (key && url.searchParams.has("key")) return takeKey(req, res, url);
    if (url.pathname === "/config.json") {
      const config = key ? { ...pageConfig, keyed: hasKey(req) } : pageConfig;
      return send(res, 200, JSON.stringify(config, null, 2), { "Content-Type": MIME[".json"], "Cache-Control": "no-store" });
    }
    return serveStatic(req, res, url.pathname);
  }

  /** Proxy mode: `/…?key=…` with this run's key sets the cookie and redirects to the same address without it. */
  function takeKey(req, res, url) {
    if (!sameSecret(url.searchParams.get("key"), key)) {
      return sendText(res, 403, "This is not this run's key: open the address the demo server printed when it started.");
    }
    url.searchParams.delete("key");
    return send(res, 303, undefined, {
      Location: url.pathname + url.search,
      "Set-Cookie": `${cookieName}=${key}; Path=/; HttpOnly; SameSite=Strict`,
      "Cache-Control": "no-store",
    });
  }
  /** Whether a request carries this run's key in its cookie. */
  function hasKey(req) {
    const pair = (req.headers.cookie ?? "").split(";").map((c) => c.trim()).find((c) => c.startsWith(`${cookieName}=`));
    return !!pair && sameSecret(pair.slice(cookieName.length + 1), key);
  }

  /** A loopback Host (no DNS rebinding) and no foreign Origin (no other site's page): both are refused with 403. */
  function localCaller(req) {
    const hostName = (req.headers.host ?? "").replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
    if (!["127.0.0.1", "localhost", "::1"].includes(hostName)) return "answers only on a loopback host name";
    if (req.headers.origin !== undefined && req.headers.origin !== `http://${req.headers.host}`) return "answers only its own page";
    return null;
  }

  /** Fake mode: the receiver at /webhook, and what the page's deliveries panel drives. */
  async function demoRoute(req, res, url) {
    const route = `${req.method} ${url.pathname}`;
    if (route === "POST /webhook") return receiver.handle(req, res, (await readBody(req)).toString("utf8"));
    if (url.pathname === "/webhook") return sendText(res, 405, "Method Not Allowed", { Allow: "POST" });
    const refused = localCaller(req);
    if (refused) return sendJson(res, 403, { error: `The demo server ${refused}.` });
    if (route === "GET /_demo/deliveries") return receiver.stream(req, res);
    if (req.method !== "POST") return sendJson(res, 405, { error: "Method Not Allowed" }, { Allow: "POST" });
    // A JSON body: a form on another site cannot send one without a preflight, which this server never answers.
    if (!/^application\/json\b/.test(req.headers["content-type"] ?? "")) return sendJson(res, 415, { error: "Send JSON." });
    let body;
    try {
      body = JSON.parse((await readBody(req)).toString("utf8") || "{}");
    } catch {
      return sendJson(res, 400, { error: "The body is not JSON." });
    }
    switch (url.pathname) {
      case "/_demo/fire": {
        const event = body.event ?? "jira:issue_created";
        const project = body.project ?? "DEMO";
        if (!FIRE_EVENTS.includes(event)) return sendJson(res, 400, { error: `event must be one of ${FIRE_EVENTS.join(", ")}` });
        if (!FIRE_PROJECT.test(project)) return sendJson(res, 400, { error: "project must be a project key such as DEMO" });
        const issueKey = `${project}-${++issueSeq}`;
        const input = { event, issue: { id: String(20000 + issueSeq), key: issueKey, fields: { project: { key: project }, summary: `Demo issue ${issueKey}` } } };
        if (event === "comment_created") input.comment = { id: String(30000 + issueSeq), body: `A comment on ${issueKey}` };
        const result = fake.emit(input);
        return sendJson(res, 200, { ...result, issueKey, receiverUrl: receiver.url });
      }
      case "/_demo/receiver":
        return sendJson(res, 200, receiver.setFailing(body.failing === true));
      case "/_demo/resend": {
        const result = await receiver.resend();
        return sendJson(res, result.ok ? 200 : 409, result);
      }
      case "/_demo/forge":
        return sendJson(res, 200, await receiver.forge());
      case "/_demo/replay":
        try {
          return sendJson(res, 200, await receiver.replayFailed());
        } catch (e) {
          return sendJson(res, 502, { error: `Could not read the failed deliveries: ${e?.message ?? e}` });
        }
      default:
        return sendJson(res, 404, { error: "Not Found" });
    }
  }
  let issueSeq = 0;

  /** Proxy mode: the webhook operations to the real site, with the server-side Authorization header. */
  async function forward(req, res, url) {
    // The proxy holds real credentials: only this page may use it. A request from another site carries its own
    // Origin; a DNS-rebinding attack arrives with a foreign Host; another local process has no key. All are refused.
    const refused = localCaller(req);
    if (refused) return sendError(res, 403, `The demo proxy ${refused}.`);
    if (!hasKey(req)) return sendError(res, 403, "The demo proxy needs this run's key: open the address the demo server printed when it started (…/?key=…).");
    const path = PROXY_PATH.exec(url.pathname);
    if (!path) return sendError(res, 404, `The demo proxy forwards only the webhook operations, not ${url.pathname}.`);
    const allowed = PROXY_METHODS[path[1] ?? ""];
    if (!allowed.includes(req.method)) {
      res.setHeader("Allow", allowed.join(", "));
      return sendError(res, 405, `The demo proxy forwards only ${allowed.join(", ")} on ${url.pathname}.`);
    }

    const body = await readBody(req);
    const target = new URL(upstream.pathname.replace(/\/$/, "") + url.pathname + url.search, upstream.origin);
    const headers = { Authorization: authorization, Accept: "application/json", "User-Agent": "jira-webhooks-demo-proxy" };
    if (req.headers["content-type"]) headers["Content-Type"] = req.headers["content-type"];
    let answer;
    try {
      answer = await fetch(target, {
        method: req.method, headers, body: body.length ? body : undefined, redirect: "manual",
        signal: AbortSignal.timeout(upstreamTimeoutMs),
      });
    } catch (e) {
      const timedOut = e?.name === "TimeoutError";
      const reason = timedOut ? `no answer within ${upstreamTimeoutMs / 1000} s` : (e?.cause?.code ?? e?.message ?? "unknown error");
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
  // Cookies are not kept apart by port: the name is, so two demos on one host do not share a key.
  cookieName = `jira_webhooks_demo_key_${address.port}`;
  if (fake) {
    try {
      const connectApp = (seedObject.apps ?? []).find((a) => a.type === "connect");
      receiver = await createDemoReceiver({
        pkgDir: PKG, origin: url, clientKey: clientKeyOf("default"), sharedSecret: connectApp?.sharedSecret,
        oauthClientSecret: fakeOptions?.oauthClientSecret ?? DELIVERY_DEFAULTS.oauthClientSecret,
        jira: { baseUrl: fake.url, appKey: connectApp?.key, sharedSecret: connectApp?.sharedSecret },
      });
    } catch (e) {
      server.close();
      await fake.close();
      throw new Error(`the webhook receiver needs the built package (pkg/lifecycle, pkg/node-adapter.js): ${e.message}`);
    }
    pageConfig.receiverUrl = receiver.url;
    // The fake's delivery ids start again at 1 after a reset (its control API or fake.reset()): the receiver
    // forgets what it processed at the same moment, or the next deliveries would look like duplicates.
    const resetFake = fake.reset;
    fake.reset = (...args) => {
      resetFake.apply(fake, args);
      issueSeq = 0;
      receiver.reset();
    };
  }
  let closing;
  return {
    url,
    pageUrl: key ? `${url}/?key=${key}` : `${url}/`,
    mode: proxy ? "proxy" : "fake",
    fake: fake ?? undefined,
    receiver: receiver ?? undefined,
    key: key ?? undefined,
    site: proxy ? pageConfig.site : undefined,
    close() {
      closing ??= (async () => {
        receiver?.close();
        const closed = new Promise((resolve) => server.close(resolve));
        server.closeAllConnections();
        await closed;
        await fake?.close();
      })();
      return closing;
    },
  };
}

/** Compares two secrets in constant time. */
function sameSecret(given, expected) {
  const a = Buffer.from(String(given ?? ""));
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
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
const sendJson = (res, status, value, headers = {}) =>
  send(res, status, JSON.stringify(value), { "Content-Type": MIME[".json"], "Cache-Control": "no-store", ...headers });
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
    if (demo.mode === "proxy") {
      console.log(`[demo] proxy mode: /rest/api/{2,3}/webhook* -> ${demo.site} (credentials stay in this process)`);
      console.log("[demo] the proxy answers only pages opened with this run's key: use the address below as it is");
    } else {
      console.log(`[demo] fake Jira (seed: packages/fake-jira/seed.json) on ${demo.fake.url}; control API ${demo.fake.url}/_fake/`);
      console.log(`[demo] webhook receiver: ${demo.receiver.url} (register it with the page's sync panel)`);
    }
    console.log(`[demo] open ${demo.pageUrl}`);
    const stop = () => demo.close().then(() => process.exit(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  } catch (e) {
    console.error(`[demo] ${e.message}`);
    process.exit(1);
  }
}
