// The README's examples run. Every ```js / ```ts block of README.md is preceded by a marker this file reads, and a
// js/ts block without one fails, so that no example is added unchecked:
//
//   <!-- example: run -->               run in Node against the fake Jira (seed.json), as an ES module in its own
//                                       process, in the consumer project where the packed package is installed
//   <!-- example: run, continues -->    the same, appended to the block before it (it uses that block's variables)
//   <!-- example: typecheck (why) -->   type-checked by tsc --strict (checkJs) against the installed declarations, with
//                                       AMBIENT declaring the foreign names (Forge, Connect's AP) it uses
//   <!-- example: shape (why) -->       a TypeScript interface: its members must be those of the interface of the
//                                       same name in the package's declarations, both ways, and the types the same
//   <!-- example: skip (why) -->        not checked
//
// What a run block needs and the README leaves to the reader is added by a small prelude: GIVENS defines the free
// names it uses (`jira`, `tenants`, `kv`, …), SUBSTITUTIONS swaps the README's placeholders (the site, the port) for
// the fake's, ENV sets the environment. EXPECT says what each run block must do against the fake. The ```html block's
// import map must name files the package ships. Other blocks (```sh, plain text) are not examples of use.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLOUD_ID, CONNECT_APP, CONNECT_CLIENT_KEY, CONNECT_SECRET, OAUTH_APP, OAUTH_CLIENT_SECRET } from "jira-webhooks-fake/helpers";
import { SEED_PATH } from "jira-webhooks-fake";
import { useFake } from "../support/fake.mjs";
import { installPackage, PKG, ROOT } from "../support/pack.mjs";

const README = readFileSync(join(ROOT, "README.md"), "utf8");
const SEED = JSON.parse(readFileSync(SEED_PATH, "utf8"));
const TSC = join(ROOT, "node_modules", ".bin", "tsc");
/** The fake's Basic account that acts for the Connect app (Jira lets only apps use the webhooks API). */
const EMAIL = "admin@example.com";
const API_TOKEN = "basic-api-token";

// ------------------------------------------------------------------------------------------------ the README

const MARKER = /^<!-- example: (run|typecheck|shape|skip)(, continues)?(?: \((.+)\))? -->$/;

/**
 * The fenced blocks of a Markdown text, each with the heading it sits under and the marker on the line before it.
 * @returns {{ lang: string, code: string, line: number, heading: string, marker?: { kind: string, continues: boolean, why?: string } }[]}
 *   line: the opening fence's, 1-based; code: the lines between the fences
 */
export function fencedBlocks(text) {
  const lines = text.split("\n");
  const blocks = [];
  let heading = "";
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)/.exec(lines[i]);
    if (!open) {
      heading = /^#{1,6}\s+(.*?)\s*#*$/.exec(lines[i])?.[1] ?? heading;
      continue;
    }
    const close = new RegExp(`^ {0,3}${open[1][0]}{${open[1].length},}\\s*$`);
    const end = lines.findIndex((l, j) => j > i && close.test(l));
    if (end < 0) throw new Error(`README.md:${i + 1}: the fence is never closed`);
    const before = i > 0 ? lines[i - 1] : "";
    let marker;
    if (before.startsWith("<!-- example")) {
      const m = MARKER.exec(before);
      if (!m) throw new Error(`README.md:${i}: a malformed marker: ${before} (see the top of tests/readme/examples.test.mjs)`);
      marker = { kind: m[1], continues: Boolean(m[2]), why: m[3] };
    }
    blocks.push({ lang: open[2].toLowerCase(), code: lines.slice(i + 1, end).join("\n"), line: i + 1, heading, marker });
    i = end;
  }
  return blocks;
}

const BLOCKS = fencedBlocks(README);
const isScript = (b) => ["js", "javascript", "mjs", "ts", "typescript"].includes(b.lang);
const where = (b) => `README.md:${b.line} (${b.heading})`;

// ------------------------------------------------------------------------------------------------ what run blocks get

/** What the code added to a run block may depend on: `fakeUrl`, the fake Jira's URL. @typedef {{ fakeUrl: string }} Context */

/**
 * Placeholders of the README replaced in run blocks, in order. Each must be used by some block (or it is stale).
 * @type {{ find: string, replace: (c: Context) => string, why: string }[]}
 */
const SUBSTITUTIONS = [
  { find: '"https://your-domain.atlassian.net"', replace: (c) => JSON.stringify(c.fakeUrl), why: "the site is the fake" },
  { find: '"me@example.com"', replace: () => JSON.stringify(EMAIL), why: "the fake's account that acts for the Connect app" },
  {
    find: 'cloudId: "11223344-a1b2-3b33-c444-def123456789",',
    replace: (c) => `cloudId: ${JSON.stringify(CLOUD_ID)}, gatewayUrl: ${JSON.stringify(c.fakeUrl)},`,
    why: "the fake's OAuth app's site, with the fake as the gateway",
  },
  { find: "https://auth.atlassian.com/authorize?", replace: (c) => `${c.fakeUrl}/authorize?`, why: "the fake's consent page" },
  {
    find: "exchangeCode({ ...app, code, redirectUri })",
    replace: (c) => `exchangeCode({ ...app, code, redirectUri, tokenUrl: ${JSON.stringify(`${c.fakeUrl}/oauth/token`)} })`,
    why: "the fake's token endpoint",
  },
  {
    find: "accessibleResources(tokens.accessToken)",
    replace: (c) => `accessibleResources(tokens.accessToken, { gatewayUrl: ${JSON.stringify(c.fakeUrl)} })`,
    why: "the fake as the gateway",
  },
  {
    find: "    ...app,\n",
    replace: (c) => `    ...app, tokenUrl: ${JSON.stringify(`${c.fakeUrl}/oauth/token`)},\n`,
    why: "oauth2Tokens refreshes at the fake's token endpoint",
  },
  {
    find: "new JiraWebhooks({ cloudId, auth:",
    replace: (c) => `new JiraWebhooks({ cloudId, gatewayUrl: ${JSON.stringify(c.fakeUrl)}, auth:`,
    why: "the fake as the gateway",
  },
  {
    find: 'url: "https://app.example.com/webhook",',
    replace: () => "url: globalThis.webhookUrl,",
    why: "the integration's receiver: the server the block starts, where the fake delivers (EXPECT sets it)",
  },
  {
    find: ".listen(3000)",
    replace: () => '.listen(0, "127.0.0.1", function () { listening(this); })',
    why: "any free port, and the server handed to the check (EXPECT), which closes it",
  },
];

/** The environment of run blocks, besides the test's own. */
const ENV = { JIRA_API_TOKEN: API_TOKEN, ATLASSIAN_CLIENT_ID: OAUTH_APP, ATLASSIAN_CLIENT_SECRET: OAUTH_CLIENT_SECRET };

/**
 * The free names of the README's examples, defined before a run block that uses one without defining it (found in
 * the block, the blocks it continues and its EXPECT check, outside strings, comments, member names and object keys).
 * Each must be used by some block (or it is stale).
 * @type {Record<string, { code: (c: Context) => string, why: string }>}
 */
const GIVENS = {
  JiraWebhooks: { code: () => 'import { JiraWebhooks } from "jira-webhooks";', why: "blocks that show a config, not the import" },
  jira: {
    code: (c) => `import { JiraWebhooks as GivenClient } from "jira-webhooks";
const jira = new GivenClient({ baseUrl: ${JSON.stringify(c.fakeUrl)}, auth: { type: "basic", email: "${EMAIL}", apiToken: "${API_TOKEN}" } });`,
    why: "the client of the install example",
  },
  details: {
    code: () => `const details = { url: "https://your-app.example.com/webhook", webhooks: [
  { events: ["jira:issue_created"], jqlFilter: "project = PROJ" },
  { events: ["jira:issue_updated"], jqlFilter: "watchCount = 1" },
] };`,
    why: "a registration Jira refuses in part, as the example's comment shows",
  },
  lastSeenFailureTime: { code: () => "const lastSeenFailureTime = 0;", why: "every failure the fake keeps" },
  lastReplayed: { code: () => "const lastReplayed = 0;", why: "replay every failure the fake keeps" },
  db: {
    code: () => `const db = {
  users: new Map(), owners: new Map(),
  async saveConnection(user, c) { this.users.set(user, structuredClone(c)); },
  async connection(user) { return structuredClone(this.users.get(user)); },
  async tokens(user) { return structuredClone(this.users.get(user)?.tokens ?? null); },
  async swapTokens(user, previous, next) {
    const c = this.users.get(user);
    if (c?.tokens.refreshToken !== previous) return false;
    c.tokens = structuredClone(next);
    return true;
  },
  async owned(user, site) { return this.owners.get(user + " " + site) ?? []; },
  async saveOwned(user, site, ids) { this.owners.set(user + " " + site, ids); },
  async ownerOf(site, id) {
    for (const [key, ids] of this.owners) if (key.endsWith(" " + site) && ids.includes(id)) return key.split(" ")[0];
  },
  deliveries: {
    entries: new Map(),
    claim(key, owner, leaseMs) {
      const e = this.entries.get(key), now = Date.now();
      if (e && e.until > now) return e.done ? "done" : "in-progress";
      this.entries.set(key, { owner, until: now + leaseMs });
      return "claimed";
    },
    complete(key, rememberMs) { this.entries.set(key, { done: true, until: Date.now() + rememberMs }); },
    release(key, owner) { if (this.entries.get(key)?.owner === owner) this.entries.delete(key); },
  },
};`,
    why: "the integration's database, in memory: connections with a compare-and-swap on the tokens, owned ids, and a DeliveryStore",
  },
  tokens: { code: () => 'const tokens = { getToken: async () => "oauth-access-token" };', why: "the fake's fixed OAuth access token" },
  pacer: { code: () => "const pacer = { slowed: 0, slowDown() { this.slowed++; } };", why: "what slows the app's rounds" },
  clientInfo: {
    code: (c) => `const clientInfo = { baseUrl: ${JSON.stringify(c.fakeUrl)}, clientKey: "${CONNECT_CLIENT_KEY}", sharedSecret: "${CONNECT_SECRET}" };`,
    why: "what the fake's default site sends the Connect app on install",
  },
  appKey: { code: () => `const appKey = "${CONNECT_APP}";`, why: "the fake's Connect app" },
  tenants: {
    code: () => `const tenants = new Map([["${CONNECT_CLIENT_KEY}", { sharedSecret: "${CONNECT_SECRET}" }]]);`,
    why: "the app's installations by clientKey: the fake's default site",
  },
  queue: { code: () => "const queue = { sent: [], async send(message) { this.sent.push(message); } };", why: "a work queue, in memory" },
  listening: {
    code: () => "let listening;\nconst listened = new Promise((resolve) => (listening = resolve));",
    why: "`listened` resolves to the server a substituted listen() started",
  },
  assert: { code: () => 'import assert from "node:assert/strict";', why: "for the checks of EXPECT" },
};

/** The consent and the callback of the OAuth example, as a user's browser would go through them. */
const CONNECT_ALICE = `const consent = await fetch(connectUrl("state-1"), { redirect: "manual" });
assert.equal(consent.status, 302);
const code = new URL(consent.headers.get("location")).searchParams.get("code");
await onCallback(code, "alice");`;

/** A fake event on the default site; resolves to the fake's deliveries of it, once they have settled. */
const FIRE = (c, event) => `const fired = await (await fetch(${JSON.stringify(c.fakeUrl)} + "/_fake/events", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(${JSON.stringify(event)}) })).json();
const settled = await (await fetch(${JSON.stringify(c.fakeUrl)} + "/_fake/deliveries?settled=true")).json();`;

/**
 * What each run block must do, by the heading it sits under (one entry per run block, in order). `operations`: the
 * operations the fake must have answered, all with 2xx, in this order (default: at least one); `stderr`: what the
 * block writes there (default: nothing); `check`: code run after the block, in the same module.
 * @type {Record<string, { operations?: string[], stderr?: RegExp, check?: (c: Context) => string }[]>}
 */
const EXPECT = {
  Install: [{
    operations: ["registerDynamicWebhooks", "getDynamicWebhooksForApp", "refreshWebhooks", "getFailedWebhooks", "deleteWebhookById"],
  }],
  "An OAuth 2.0 integration, end to end": [
    {
      check: () => `${CONNECT_ALICE}
assert.deepEqual((await db.connection("alice")).sites, ["${CLOUD_ID}"], "the granted site");
assert.equal(typeof (await db.tokens("alice")).refreshToken, "string");`,
      operations: [],
    },
    {
      // Ten calls at once on a connection whose access token has expired: one refresh, and the rotated pair stored.
      check: (c) => `${CONNECT_ALICE}
const before = await db.tokens("alice");
await db.saveConnection("alice", { ...(await db.connection("alice")), tokens: { ...before, expiresAt: 0 } });
const jira = clientFor("alice", "${CLOUD_ID}");
await Promise.all(Array.from({ length: 10 }, () => jira.getDynamicWebhooksForApp()));
const refreshes = (await (await fetch(${JSON.stringify(c.fakeUrl)} + "/_fake/oauth/requests")).json()).filter((r) => r.grantType === "refresh_token");
assert.equal(refreshes.length, 1, "one refresh for ten calls");
assert.notEqual((await db.tokens("alice")).refreshToken, before.refreshToken, "the rotated refresh token is stored");`,
      operations: Array(10).fill("getDynamicWebhooksForApp"),
    },
    {
      check: () => `globalThis.webhookUrl = "https://app.example.com/webhook";
${CONNECT_ALICE}
const first = await syncConnection("alice", "${CLOUD_ID}");
assert.equal(first.created.length, 1);
assert.equal(first.plan.foreign.length, ${SEED.webhooks.filter((w) => w.app === OAUTH_APP).length}, "the seed's webhooks of the app are not this connection's");
assert.deepEqual(first.deleted, []);
assert.deepEqual(await db.owned("alice", "${CLOUD_ID}"), [first.created[0].id]);
const second = await syncConnection("alice", "${CLOUD_ID}");
assert.deepEqual([second.created, second.deleted, second.plan.keep], [[], [], [first.created[0].id]], "nothing to do");`,
      operations: ["getDynamicWebhooksForApp", "registerDynamicWebhooks", "getDynamicWebhooksForApp"],
    },
    {
      // The fake delivers an issue creation to the server the block started, signed with the client secret.
      check: (c) => `const server = await listened;
globalThis.webhookUrl = \`http://127.0.0.1:\${server.address().port}/webhook\`;
${CONNECT_ALICE}
await syncConnection("alice", "${CLOUD_ID}");
${FIRE(c, { event: "jira:issue_created", issue: { key: "PROJ-7" } })}
assert.equal(fired.deliveries.length, 1);
assert.deepEqual(settled.map((d) => d.status), [204], "verified and handled at once");
assert.deepEqual(queue.sent, [{ user: "alice", site: "${CLOUD_ID}", issue: "PROJ-7", id: fired.deliveries[0].id }]);
await new Promise((resolve) => server.close(resolve));`,
      operations: ["getDynamicWebhooksForApp", "registerDynamicWebhooks"],
    },
  ],
  "A Connect app": [{
    // The seed's failures: DEMO-2 was an issue update (to the queue), one kept no body (to onMissingBody).
    check: () => `assert.equal(result.applied, true);
assert.equal(result.created.length, 2);
assert.equal(result.deleted.length, ${SEED.webhooks.filter((w) => w.app === CONNECT_APP).length}, "the app's webhooks of the seed are not declared");
assert.deepEqual(queue.sent, [{ key: "DEMO-2", id: "${SEED.failed[1].id}" }, { resync: "${SEED.failed[2].id}" }]);
const unsigned = await handler(new Request("https://your-app.example.com/webhook", { method: "POST", body: "{}" }));
assert.equal(unsigned.status, 401);`,
    operations: ["getDynamicWebhooksForApp", "deleteWebhookById", "registerDynamicWebhooks", "getFailedWebhooks"],
  }],
  "The client": [
    {
      operations: ["registerDynamicWebhooks"],
      // What the README's comment says err.errors holds.
      stderr: /^\{\s*'webhooks\[1\]': 'webhook #1 \(watchCount = 1\): The clause watchCount is unsupported'\s*\}\s*$/,
    },
    { operations: ["getDynamicWebhooksForApp", "getFailedWebhooks"] },
  ],
  Errors: [{ operations: [], stderr: /^refreshWebhooks \(invalid-input\): invalid input at `webhookIds`: .+\n$/ }],
  "Hooks: logs, metrics, pacing": [{ operations: ["getDynamicWebhooksForApp"], check: () => "assert.equal(pacer.slowed, 0);" }],
};

/** `code` without its comments, strings and template literals (names inside `${}` are not seen: define them outside). */
const codeOnly = (code) => code.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`/g, " ");

/** Whether `code` uses `name` without defining it: not after a dot, not as an object key, not declared or imported. */
function usesFreely(code, name) {
  const text = codeOnly(code);
  const used = new RegExp(`(?<![\\w$.])${name}(?![\\w$])(?!\\s*:(?!:))`).test(text);
  const declared = new RegExp(`\\b(?:const|let|var|class|function\\*?)\\s+${name}\\b|\\bimport\\b[^;]*?[{,\\s]${name}\\s*[,}][^;]*?\\bfrom\\b`).test(text);
  return used && !declared;
}

/** The module a run block becomes: the givens it needs, the blocks it continues and itself (substituted), its check. */
function runProgram(block, context, used) {
  const chain = [];
  for (let i = BLOCKS.indexOf(block); ; ) {
    chain.unshift(BLOCKS[i]);
    if (!BLOCKS[i].marker.continues) break;
    i = BLOCKS.findLastIndex((b, j) => j < i && isScript(b));
    if (i < 0 || BLOCKS[i].marker.kind !== "run") throw new Error(`${where(block)}: "continues" follows no run block`);
  }
  let code = chain.map((b) => b.code).join("\n");
  for (const s of SUBSTITUTIONS) {
    if (!code.includes(s.find)) continue;
    used.add(s.find);
    code = code.replaceAll(s.find, s.replace(context));
  }
  const check = expectationFor(block).check?.(context) ?? "";
  const body = `${code}\n// ---- check (tests/readme/examples.test.mjs)\n${check}\n`;
  const givens = Object.keys(GIVENS).filter((name) => usesFreely(body, name));
  givens.forEach((name) => used.add(name));
  const prelude = givens.map((name) => GIVENS[name].code(context)).join("\n");
  const substituted = SUBSTITUTIONS.filter((s) => chain.some((b) => b.code.includes(s.find))).map((s) => s.find);
  return { source: `// ---- prelude (tests/readme/examples.test.mjs)\n${prelude}\n// ---- ${where(block)}\n${body}`, givens, substituted };
}

/** The EXPECT entry of a run block. */
function expectationFor(block) {
  const runs = BLOCKS.filter((b) => b.marker?.kind === "run" && b.heading === block.heading);
  const entry = EXPECT[block.heading]?.[runs.indexOf(block)];
  if (!entry) throw new Error(`${where(block)}: no EXPECT entry for this run block (say what it must do against the fake)`);
  return entry;
}

/** Runs `file` with Node in `cwd`; never rejects. */
const runNode = (file, cwd) =>
  new Promise((resolve) => {
    execFile(process.execPath, ["--unhandled-rejections=strict", file], { cwd, env: { ...process.env, ...ENV }, timeout: 20_000 },
      (error, stdout, stderr) => resolve({ code: error ? (error.code ?? error.signal) : 0, stdout, stderr }));
  });

// ------------------------------------------------------------------------------------------------ what typecheck blocks get

/**
 * The foreign names typecheck blocks use, declared as narrowly as the real APIs (not `any`): Forge's @forge/api and
 * @forge/bridge, Connect's all.js, Cloudflare's D1. A declaration file, checked too (skipLibCheck is off).
 */
const AMBIENT = `// The foreign APIs of the README's typecheck examples (tests/readme/examples.test.mjs).
declare module "@forge/api" {
  export interface Route { readonly value: string }
  export interface APIResponse { ok: boolean; status: number; headers: Headers; text(): Promise<string>; json(): Promise<unknown> }
  export interface Requester {
    requestJira(route: Route, init?: { method?: string; headers?: Record<string, string>; body?: string }): Promise<APIResponse>;
  }
  export function assumeTrustedRoute(route: string): Route;
  export function route(template: TemplateStringsArray, ...values: unknown[]): Route;
  const api: { asApp(): Requester; asUser(): Requester };
  export default api;
}
declare module "@forge/bridge" {
  export function requestJira(path: string, init?: RequestInit): Promise<Response>;
}
interface D1Result<T> { results: T[] }
interface D1PreparedStatement {
  bind(...values: unknown[]): D1PreparedStatement;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  run(): Promise<D1Result<unknown>>;
}
interface D1Database { prepare(query: string): D1PreparedStatement }
interface APXhr { status: number; responseText: string; getResponseHeader(name: string): string | null }
declare const AP: {
  request(options: { url: string; type?: string; data?: string; headers?: Record<string, string>; contentType?: string }): Promise<{ body: string; xhr: APXhr }>;
};
`;

/** tsc --strict, checking JavaScript; a catch binding is `any` as in JavaScript (it cannot be annotated there). */
const TS_OPTIONS = {
  strict: true, noEmit: true, allowJs: true, checkJs: true, target: "esnext", module: "nodenext", moduleResolution: "nodenext",
  types: [], skipLibCheck: false, useUnknownInCatchVariables: false,
};

/** tsc's diagnostics for one file of the consumer project, as `README.md:line: message` when they are in a block. */
function diagnosticsOf(output, file, firstLine, preludeLines) {
  return output.split("\n").filter((l) => l.startsWith(`${file}(`)).map((l) => {
    const m = /^[^(]+\((\d+),(\d+)\): (.*)$/.exec(l);
    const line = Number(m[1]) - preludeLines;
    return line >= 1 ? `README.md:${firstLine + line}:${m[2]}: ${m[3]}` : `${file}(${m[1]},${m[2]}): ${m[3]}`;
  });
}

// ------------------------------------------------------------------------------------------------ the tests

const fake = useFake({ seed: SEED });
let dir, work, typecheck;
/** A wrong call, in a file checked with the blocks: its error proves that tsc ran and checks JavaScript against the package. */
const CONTROL = {
  file: "readme-control.mjs",
  code: 'import { JiraWebhooks } from "jira-webhooks";\nnew JiraWebhooks({ baseUrl: "https://a.example.com", auth: { type: "basic", email: "e" } });\n',
  error: /^readme-control\.mjs\(2,\d+\): error TS\d+: .*\n\s+Property 'apiToken' is missing/m,
};
const TYPECHECKED = BLOCKS.filter((b) => b.marker?.kind === "typecheck" || b.marker?.kind === "shape");
const fileOf = (b) => `readme-${b.line}.${b.marker.kind === "shape" || /^t/.test(b.lang) ? "mts" : "mjs"}`;
/** The interface a shape block declares. */
const shapeName = (b) => /\binterface\s+(\w+)/.exec(b.code)?.[1];
/** Before a shape block: the package's interface of that name, and the names the block's types use. */
const SHAPE_PRELUDE = (b) => `import type { ${shapeName(b)} as Declared, TransportRequest, ResponseLike, CallHooks, TokenContext } from "jira-webhooks";\n`;
/** After a shape block: each of the two interfaces is assignable to the other. */
const SHAPE_CHECK = (b) => `\ntype Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const same: Same<${shapeName(b)}, Declared> = true;\n`;
/** The givens a typecheck block may get: imports only (the others are values of the fake). */
const TYPECHECK_GIVENS = ["JiraWebhooks"];
const TYPECHECK_PRELUDE = (b) => TYPECHECK_GIVENS.filter((n) => usesFreely(b.code, n)).map((n) => GIVENS[n].code()).join("\n");

before(async () => {
  ({ dir } = await installPackage());
  work = mkdtempSync(join(dir, "readme-"));
  const files = ["readme-ambient.d.ts"];
  writeFileSync(join(work, "readme-ambient.d.ts"), AMBIENT);
  for (const b of TYPECHECKED) {
    const prelude = b.marker.kind === "shape" ? SHAPE_PRELUDE(b) : `${TYPECHECK_PRELUDE(b)}\n`;
    const check = b.marker.kind === "shape" ? SHAPE_CHECK(b) : "";
    writeFileSync(join(work, fileOf(b)), `${prelude}${b.code}\n${check}`);
    files.push(fileOf(b));
  }
  writeFileSync(join(work, CONTROL.file), CONTROL.code);
  files.push(CONTROL.file);
  writeFileSync(join(work, "tsconfig.json"), JSON.stringify({ compilerOptions: TS_OPTIONS, files }, null, 2));
  // Async: the fake runs in this process. Once for every typecheck and shape block.
  typecheck = new Promise((resolve) => {
    execFile(TSC, ["-p", "tsconfig.json", "--pretty", "false"], { cwd: work }, (error, stdout, stderr) => resolve({ status: error ? error.code : 0, output: `${stdout}${stderr}` }));
  });
});

test("every js/ts block of README.md has a marker, and every marker says why unless it runs", (t) => {
  const scripts = BLOCKS.filter(isScript);
  assert.ok(scripts.length >= 10, `only ${scripts.length} js/ts blocks found: is the parser broken?`);
  assert.deepEqual(scripts.filter((b) => !b.marker).map(where), [], "add <!-- example: run --> (or typecheck / shape / skip, with why) before these");
  assert.deepEqual(BLOCKS.filter((b) => b.marker && !isScript(b)).map(where), [], "markers are for js/ts blocks");
  assert.deepEqual(scripts.filter((b) => b.marker.kind !== "run" && !b.marker.why).map(where), [], "say why it does not run");
  for (const b of BLOCKS) t.diagnostic(`${where(b)} ${b.lang || "text"}: ${b.marker ? `${b.marker.kind}${b.marker.continues ? ", continues" : ""}${b.marker.why ? ` (${b.marker.why})` : ""}` : isScript(b) ? "NO MARKER" : b.lang === "html" ? "import map checked" : "not an example of use"}`);
});

for (const block of BLOCKS.filter((b) => b.marker?.kind === "run")) {
  test(`run ${where(block)}`, async (t) => {
    const context = { fakeUrl: fake.url };
    const { source, givens, substituted } = runProgram(block, context, new Set());
    t.diagnostic(`given: ${givens.join(", ") || "nothing"}; substituted: ${substituted.join(", ") || "nothing"}`);
    const file = join(work, `readme-${block.line}.run.mjs`);
    writeFileSync(file, source);
    const r = await runNode(file, work);
    const expected = expectationFor(block);
    const tell = `\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}\n--- the module (${file})\n${source}`;
    assert.equal(r.code, 0, `the block failed${tell}`);
    if (expected.stderr) assert.match(r.stderr, expected.stderr, `stderr${tell}`);
    else assert.equal(r.stderr, "", `the block wrote to stderr${tell}`);
    const answered = fake.requests.map((q) => `${q.operation ?? `${q.method} ${q.path}`} ${q.status}`);
    assert.ok(fake.requests.every((q) => q.status >= 200 && q.status < 300), `every answer of the fake is 2xx: ${answered.join(", ")}`);
    const operations = fake.requests.map((q) => q.operation);
    if (expected.operations) assert.deepEqual(operations, expected.operations, "what the block asked of the fake");
    else assert.ok(operations.length > 0, "the block reached the fake");
  });
}

test("every substitution and given is used, every EXPECT entry has its run block", () => {
  const used = new Set();
  const runs = BLOCKS.filter((b) => b.marker?.kind === "run");
  for (const b of runs) runProgram(b, { fakeUrl: "http://127.0.0.1:1" }, used);
  for (const b of TYPECHECKED) if (TYPECHECK_PRELUDE(b)) used.add("JiraWebhooks");
  assert.deepEqual(SUBSTITUTIONS.map((s) => s.find).filter((f) => !used.has(f)), [], "stale substitutions");
  assert.deepEqual(Object.keys(GIVENS).filter((n) => !used.has(n)), [], "stale givens");
  const entries = Object.entries(EXPECT).flatMap(([heading, list]) => list.map((_, i) => `${heading} #${i + 1}`));
  const wanted = runs.map((b) => `${b.heading} #${runs.filter((r) => r.heading === b.heading).indexOf(b) + 1}`);
  assert.deepEqual(entries.filter((e) => !wanted.includes(e)), [], "EXPECT entries with no run block");
});

for (const block of TYPECHECKED) {
  test(`${block.marker.kind === "shape" ? "shape" : "typecheck"} ${where(block)}`, async () => {
    const { status, output } = await typecheck;
    const preludeLines = block.marker.kind === "shape" ? 1 : TYPECHECK_PRELUDE(block).split("\n").length;
    const mine = diagnosticsOf(output, fileOf(block), block.line, preludeLines);
    assert.deepEqual(mine, [], `tsc --strict on ${where(block)}`);
    assert.match(output, CONTROL.error, "tsc did not check the files (the control's error is missing)");
    const elsewhere = output.split("\n").filter((l) => /error TS/.test(l) && !/^readme-(\d+\.m[jt]s|control\.mjs)\(/.test(l));
    assert.deepEqual(elsewhere, [], "errors outside the blocks (the ambient declarations, the package's)");
    assert.notEqual(status, 0);
  });
}

for (const block of BLOCKS.filter((b) => b.marker?.kind === "shape")) {
  test(`shape ${where(block)}: the members of ${shapeName(block)} in pkg/jira_webhooks.d.ts, no more, no fewer`, () => {
    const members = (body, indent) =>
      [...body.matchAll(new RegExp(`^ {${indent}}(\\w+)(\\??):`, "gm"))].map((m) => `${m[1]}${m[2]}`).sort();
    const name = shapeName(block);
    const declared = new RegExp(`^export interface ${name} \\{\\n([\\s\\S]*?)^\\}`, "m").exec(readFileSync(join(PKG, "jira_webhooks.d.ts"), "utf8"));
    assert.ok(declared, `pkg/jira_webhooks.d.ts declares no interface ${name}`);
    assert.deepEqual(members(block.code, 2), members(declared[1], 4), "README (+) and declared (-) members, `?` when optional");
  });
}

test("html: the import map names files the package ships, and maps every bare import of the page", () => {
  const html = BLOCKS.filter((b) => b.lang === "html");
  assert.ok(html.length > 0);
  for (const block of html) {
    const map = /<script type="importmap">([\s\S]*?)<\/script>/.exec(block.code);
    assert.ok(map, `${where(block)}: no import map`);
    const { imports } = JSON.parse(map[1]);
    for (const [name, path] of Object.entries(imports)) {
      assert.match(path, /^\/node_modules\/jira-webhooks\//, `${name}: served from the installed package`);
      assert.ok(existsSync(join(dir, path)), `${where(block)}: ${path} is not in the installed package`);
    }
    const bare = [...block.code.matchAll(/\bfrom\s+"([^"./][^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual(bare.filter((s) => !(s in imports)), [], "bare imports the map does not name");
  }
});
