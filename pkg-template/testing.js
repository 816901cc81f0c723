// jira-webhooks/testing: the app's own tests, offline, in every runtime (Node, Deno, workerd, browsers).
//   signedDelivery(options) -> a Fetch `Request` exactly as Jira sends a webhook: headers, a signed JWT (OAuth 2.0 or
//     Connect) or an X-Hub-Signature, and a Jira-shaped body.
//   createFakeJira(options) -> an in-memory Jira: `.transport` for the client, its state, a clock, faults, and
//     `.emit(event, handler)` that delivers to a Fetch handler the way Jira does, retries included.
// The fake is the runtime-neutral core of `jira-webhooks-fake` (bundled in by scripts/assemble.mjs), with light
// stand-ins for what the full fake checks with heavy packages: a route table and simple request checks instead of the
// OpenAPI validation, a small parser of the dynamic-webhook JQL subset instead of Atlassian's grammar. WebCrypto only;
// nothing here touches the network, a port or the file system. It imports nothing from the client: importing
// `jira-webhooks` never loads it, and its signatures are made independently of the code that verifies them.
import {
  createFakeJira as createCore, buildEvent, signHS256, DEFAULT_SITE, FIRST_WEBHOOK_ID, LIMITS, SCHEMAS, WEBHOOK_EVENTS,
  JQL_FIELDS, customFieldValues, propertyValues,
} from "jira-webhooks-fake/core";

const encoder = new TextEncoder();
const utf8 = (text) => encoder.encode(text);
const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const fail = (message) => {
  throw new TypeError(message);
};
/** Throws a TypeError naming the first member of `value` that is not one of `known`. */
function onlyKnown(value, known, what) {
  for (const key of Object.keys(value)) if (!known.includes(key)) fail(`${what}: unknown option '${key}' (known: ${known.join(", ")})`);
}

/** The site every default URL of the kit names: your Jira Cloud site, in the tests. */
export const SITE_URL = "https://your-domain.atlassian.net";
/** How long the JWTs of deliveries are valid (Jira: a few minutes). */
const JWT_LIFETIME_S = 180;
/** The account that "did" what an event reports, unless the payload says otherwise (the fake's default user). */
const DEFAULT_ACCOUNT = "5b10a2844c20165700ede21g";

// ---------------------------------------------------------------- query string hash (Connect JWTs)

/** RFC 3986 percent-encoding of the UTF-8 bytes: everything but A-Z a-z 0-9 - . _ ~ (as Atlassian's libraries do). */
function percentEncode(text) {
  let out = "";
  for (const b of utf8(text)) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** A query component decoded: `+` is a space, `%XX` a byte, bytes read as UTF-8 (invalid ones as U+FFFD). */
function percentDecode(text) {
  const bytes = [];
  for (let i = 0; i < text.length; ) {
    if (text[i] === "%" && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 3;
    } else if (text[i] === "+") {
      bytes.push(32);
      i += 1;
    } else {
      const ch = String.fromCodePoint(text.codePointAt(i));
      bytes.push(...utf8(ch));
      i += ch.length;
    }
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

/** Orders strings by their UTF-8 bytes (what Atlassian's libraries and the package's core compare). */
function byBytes(a, b) {
  const x = utf8(a), y = utf8(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/**
 * The canonical request of Atlassian's query string hash: `METHOD&path&query`, the path without a trailing slash
 * and with `&` as `%26`, the query's names sorted (decoded), each name's values sorted and joined with `,`, names and
 * values percent-encoded, `jwt` left out. `params`: [name, value] pairs, decoded.
 * https://developer.atlassian.com/cloud/jira/platform/understanding-jwt-for-connect-apps/
 */
function canonicalRequest(method, path, params) {
  let p = path.replace(/\/+$/, "").replace(/&/g, "%26");
  if (!p.startsWith("/")) p = `/${p}`;
  const byName = new Map();
  for (const [name, value] of params) {
    if (name === "jwt") continue;
    if (!byName.has(name)) byName.set(name, []);
    byName.get(name).push(value);
  }
  const query = [...byName.keys()].sort(byBytes)
    .map((name) => `${percentEncode(name)}=${byName.get(name).sort(byBytes).map(percentEncode).join(",")}`).join("&");
  return `${method.toUpperCase()}&${p}&${query}`;
}

/** The [name, value] pairs of a raw query string, decoded. */
const queryPairs = (search) =>
  search.replace(/^\?/, "").split("&").filter(Boolean).map((pair) => {
    const at = pair.indexOf("=");
    return at < 0 ? [percentDecode(pair), ""] : [percentDecode(pair.slice(0, at)), percentDecode(pair.slice(at + 1))];
  });

const sha256Hex = async (text) => hex(await crypto.subtle.digest("SHA-256", utf8(text)));

/**
 * The `qsh` claim of a request to `url`, relative to `baseUrl` (the path of `url` must lie under baseUrl's path).
 * @returns {Promise<string>} hex SHA-256 of the canonical request
 */
async function queryStringHash(method, url, baseUrl) {
  const target = new URL(url, "http://relative.invalid");
  const base = new URL(baseUrl || "/", "http://relative.invalid").pathname.replace(/\/+$/, "");
  const raw = /^[a-z][a-z0-9+.-]*:/i.test(url) ? target.pathname : url.split(/[?#]/)[0];
  if (!(raw === base || raw.startsWith(`${base}/`) || base === "")) fail(`${url} is not under the base URL ${baseUrl}`);
  return sha256Hex(canonicalRequest(method, raw.slice(base.length), queryPairs(target.search)));
}

// ---------------------------------------------------------------- signedDelivery

/** Members of a payload that shape the built event (events.mjs); any other member is sent as given. */
const EVENT_PARTS = ["issue", "changelog", "comment", "user", "property", "sprint", "version", "timestamp"];
const DELIVERY_OPTIONS = ["url", "event", "payload", "body", "id", "retry", "flow", "site", "matchedWebhookIds", "now", "oauth", "connect", "hmac"];

/**
 * A webhook delivery exactly as Jira sends it, as a Fetch `Request` (POST, JSON body, the `X-Atlassian-Webhook-*`
 * headers, and one signature: an OAuth 2.0 bearer JWT, a Connect JWT bound to this request by its qsh, or an
 * `X-Hub-Signature` HMAC of the body).
 * @param {import("./testing.d.ts").SignedDeliveryOptions} options
 * @returns {Promise<Request>}
 */
export async function signedDelivery(options) {
  if (!isObject(options)) fail("signedDelivery(options): options must be an object");
  onlyKnown(options, DELIVERY_OPTIONS, "signedDelivery");
  const { url, event, payload = {}, body: given, id = crypto.randomUUID(), retry = 0, flow = "Primary", site = SITE_URL,
    matchedWebhookIds = [FIRST_WEBHOOK_ID], now = Date.now(), oauth, connect, hmac } = options;
  if (typeof url !== "string" || !/^https?:\/\//.test(url)) fail("signedDelivery: url must be an absolute http(s) URL (where Jira sends the webhook)");
  if (given === undefined && (typeof event !== "string" || !event)) fail("signedDelivery: event must be an event name, e.g. \"jira:issue_created\"");
  if (given !== undefined && typeof given !== "string") fail("signedDelivery: body must be a string (the exact bytes to send)");
  if (!isObject(payload)) fail("signedDelivery: payload must be an object");
  if (typeof id !== "string" || !id) fail("signedDelivery: id must be a non-empty string");
  if (!Number.isInteger(retry) || retry < 0) fail("signedDelivery: retry must be an integer >= 0");
  if (flow !== "Primary" && flow !== "Secondary") fail("signedDelivery: flow must be \"Primary\" or \"Secondary\"");
  if (typeof site !== "string" || !/^https?:\/\//.test(site)) fail("signedDelivery: site must be the site's absolute base URL");
  if (!Array.isArray(matchedWebhookIds) || !matchedWebhookIds.every(Number.isInteger)) fail("signedDelivery: matchedWebhookIds must be an array of integers");
  if (!Number.isFinite(now)) fail("signedDelivery: now must be a time in ms");
  const kinds = [oauth && "oauth", connect && "connect", hmac && "hmac"].filter(Boolean);
  if (kinds.length !== 1) fail("signedDelivery: give exactly one of oauth: { clientSecret }, connect: { clientKey, sharedSecret, baseUrl }, hmac: { secret }");

  let body = given;
  if (body === undefined) {
    const parts = Object.fromEntries(Object.entries(payload).filter(([k]) => EVENT_PARTS.includes(k)));
    const rest = Object.fromEntries(Object.entries(payload).filter(([k]) => !EVENT_PARTS.includes(k)));
    const built = buildEvent({ event, ...parts }, { baseUrl: site.replace(/\/+$/, ""), now });
    body = JSON.stringify({ ...built.body, ...rest, matchedWebhookIds });
  }
  const headers = {
    "Content-Type": "application/json",
    "X-Atlassian-Webhook-Identifier": id,
    "X-Atlassian-Webhook-Flow": flow,
    ...(retry > 0 && { "X-Atlassian-Webhook-Retry": String(retry) }),
  };
  const iat = Math.floor(now / 1000);
  if (oauth) {
    onlyKnown(oauth, ["clientSecret", "cloudId", "user"], "signedDelivery oauth");
    const { clientSecret, cloudId, user = DEFAULT_ACCOUNT } = oauth;
    if (typeof clientSecret !== "string" || !clientSecret) fail("signedDelivery: oauth.clientSecret must be the app's client secret");
    if (cloudId !== undefined && (typeof cloudId !== "string" || !cloudId)) fail("signedDelivery: oauth.cloudId must be a string");
    const claims = { iss: site.replace(/\/+$/, ""), sub: String(user), iat, exp: iat + JWT_LIFETIME_S, ...(cloudId && { context: { cloudId } }) };
    headers.Authorization = `Bearer ${await signHS256(claims, clientSecret)}`;
  } else if (connect) {
    onlyKnown(connect, ["clientKey", "sharedSecret", "baseUrl"], "signedDelivery connect");
    const { clientKey, sharedSecret, baseUrl } = connect;
    if (typeof clientKey !== "string" || !clientKey) fail("signedDelivery: connect.clientKey must be the tenant's clientKey");
    if (typeof sharedSecret !== "string" || !sharedSecret) fail("signedDelivery: connect.sharedSecret must be the tenant's shared secret");
    if (typeof baseUrl !== "string" || !/^https?:\/\//.test(baseUrl)) fail("signedDelivery: connect.baseUrl must be the app's absolute base URL");
    const qsh = await queryStringHash("POST", url, baseUrl);
    headers.Authorization = `JWT ${await signHS256({ iss: clientKey, iat, exp: iat + JWT_LIFETIME_S, qsh }, sharedSecret)}`;
  } else {
    onlyKnown(hmac, ["secret"], "signedDelivery hmac");
    if (typeof hmac.secret !== "string" || !hmac.secret) fail("signedDelivery: hmac.secret must be the webhook's secret");
    const key = await crypto.subtle.importKey("raw", utf8(hmac.secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    headers["X-Hub-Signature"] = `sha256=${hex(await crypto.subtle.sign("HMAC", key, utf8(body)))}`;
  }
  return new Request(url, { method: "POST", headers, body });
}

// ---------------------------------------------------------------- light checks: a small JSON Schema subset

/**
 * Problems of `value` against a JSON Schema using only: type, enum, const, required, properties,
 * additionalProperties, items, pattern, minLength, minimum, maximum, exclusiveMinimum, oneOf.
 * @returns {string[]}
 */
function problemsOf(schema, value, where) {
  const types = [schema.type ?? []].flat();
  const typeOf = (v) => (v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v);
  if (types.length && !types.some((t) => t === typeOf(value) || (t === "number" && typeof value === "number" && Number.isFinite(value))))
    return [`${where} must be ${types.join(" or ")}`];
  if (schema.enum && !schema.enum.includes(value)) return [`${where} must be one of: ${schema.enum.join(", ")}`];
  if ("const" in schema && value !== schema.const) return [`${where} must be ${JSON.stringify(schema.const)}`];
  if (schema.oneOf) {
    const fits = schema.oneOf.filter((s) => problemsOf(s, value, where).length === 0).length;
    return fits === 1 ? [] : [`${where} must match exactly one of its forms`];
  }
  const problems = [];
  if (typeof value === "string") {
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) problems.push(`${where} must match ${schema.pattern}`);
    if (schema.minLength !== undefined && value.length < schema.minLength) problems.push(`${where} must not be shorter than ${schema.minLength}`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${where} must be >= ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${where} must be <= ${schema.maximum}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) problems.push(`${where} must be > ${schema.exclusiveMinimum}`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => problems.push(...problemsOf(schema.items, v, `${where}[${i}]`)));
  if (isObject(value)) {
    for (const key of schema.required ?? []) if (!(key in value)) problems.push(`${where}: missing required field '${key}'`);
    for (const [key, v] of Object.entries(value)) {
      const own = schema.properties?.[key];
      if (own) problems.push(...problemsOf(own, v, `${where}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${where}: unrecognized field '${key}' (not in the schema)`);
      else if (isObject(schema.additionalProperties)) problems.push(...problemsOf(schema.additionalProperties, v, `${where}.${key}`));
    }
  }
  return problems;
}

/** What the kit checks test input with (the full fake uses ajv on the same schemas). */
const validate = (name, value) => {
  const problems = problemsOf(SCHEMAS[name], value, { seed: "seed", failures: "failures", emit: "event", fault: "fault" }[name] ?? name);
  return problems.length ? problems.join("; ") : null;
};

// ---------------------------------------------------------------- light checks: the five operations

/** The events a version's registration accepts: v2's spec lists the issue, comment and property events only. */
const EVENTS = { 2: WEBHOOK_EVENTS.slice(0, 8), 3: WEBHOOK_EVENTS };
const strings = { type: "array", items: { type: "string" } };
/** The request bodies of the spec (WebhookRegistrationDetails, WebhookDetails, ContainerForWebhookIDs). */
const REQUEST_SCHEMAS = Object.freeze({
  registration: (version) => ({
    type: "object", additionalProperties: false, required: ["url", "webhooks"],
    properties: {
      url: { type: "string" },
      webhooks: {
        type: "array",
        items: {
          type: "object", additionalProperties: false, required: ["events", "jqlFilter"],
          properties: { events: { type: "array", items: { type: "string", enum: EVENTS[version] } }, fieldIdsFilter: strings, issuePropertyKeysFilter: strings, jqlFilter: { type: "string" } },
        },
      },
    },
  }),
  ids: () => ({ type: "object", additionalProperties: false, required: ["webhookIds"], properties: { webhookIds: { type: "array", items: { type: "integer" } } } }),
});
/** Each operation's scope sets, from the spec's `x-atlassian-oauth2-scopes` (classic, then granular). */
const CLASSIC = ["read:jira-work", "manage:jira-webhook"];
/** The route table: `METHOD path` (under /rest/api/{2,3}) -> [operationId, query parameters (int32 or int64), body, granular scopes]. */
const ROUTES = Object.freeze({
  "POST /webhook": ["registerDynamicWebhooks", {}, "registration", ["read:field:jira", "read:project:jira", "write:webhook:jira"]],
  "GET /webhook": ["getDynamicWebhooksForApp", { startAt: 63, maxResults: 31 }, null, ["read:webhook:jira", "read:jql:jira"]],
  "DELETE /webhook": ["deleteWebhookById", {}, "ids", ["delete:webhook:jira"]],
  "GET /webhook/failed": ["getFailedWebhooks", { maxResults: 31, after: 63 }, null,
    ["read:issue-details:jira", "read:webhook:jira", "read:comment.property:jira", "read:group:jira", "read:issue-type:jira", "read:project-role:jira", "read:epic:jira-software"]],
  "PUT /webhook/refresh": ["refreshWebhooks", {}, "ids", ["write:webhook:jira", "read:webhook:jira"]],
});

/** The light stand-in of the OpenAPI validation, for one REST API version (CoreDeps.specs). */
function lightSpec(version) {
  const ops = new Map(Object.entries(ROUTES).map(([route, [operationId, params, body, granular]]) => [route, {
    operationId, params, body, ...(body && { requestBody: {} }),
    "x-atlassian-oauth2-scopes": [{ scopes: CLASSIC }, { scopes: granular }],
  }]));
  return {
    match(method, path) {
      const m = /^\/rest\/api\/[23](\/webhook(?:\/failed|\/refresh)?)$/.exec(path);
      return m ? ops.get(`${method.toUpperCase()} ${m[1]}`) : undefined;
    },
    validateRequest(op, { query, body }) {
      const problems = [];
      for (const [name, value] of Object.entries(query)) {
        const bits = op.params[name === "failedAfter" ? "after" : name];
        if (bits === undefined) problems.push(`query parameter '${name}' is not a parameter of ${op.operationId}`);
        else if (typeof value !== "string") problems.push(`query parameter '${name}' must be given once`);
        else if (!/^-?\d+$/.test(value) || BigInt(value) >= 2n ** BigInt(bits) || BigInt(value) < -(2n ** BigInt(bits)))
          problems.push(`query parameter '${name}' must be an ${bits === 31 ? "int32" : "int64"} integer, got '${value}'`);
      }
      if (op.body && body === undefined) problems.push("The request body is missing.");
      else if (op.body) problems.push(...problemsOf(REQUEST_SCHEMAS[op.body](version), body, "request body"));
      return problems;
    },
    validateResponse: () => [],
  };
}

// ---------------------------------------------------------------- light checks: the dynamic-webhook JQL subset

const KEYWORDS = new Set(["and", "or", "not", "in", "is", "was", "changed", "order", "by", "empty", "null"]);
const EMPTY = Symbol("EMPTY");

/** JQL tokens: { t: kind, v: text, at: index }; kinds: ( ) , op word str and or not in kw end. */
function tokenize(query) {
  const tokens = [];
  let i = 0;
  const at = (n) => `(line 1, character ${n + 1})`;
  while (i < query.length) {
    const c = query[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    const two = query.slice(i, i + 2);
    if ("(),".includes(c)) tokens.push({ t: c, v: c, at: i++ });
    else if (two === "&&" || two === "||") tokens.push({ t: two === "&&" ? "and" : "or", v: two, at: (i += 2) - 2 });
    else if (c === "&" || c === "|") tokens.push({ t: c === "&" ? "and" : "or", v: c, at: i++ });
    else if (["!=", "!~", ">=", "<="].includes(two)) tokens.push({ t: "op", v: two, at: (i += 2) - 2 });
    else if ("=~<>".includes(c)) tokens.push({ t: "op", v: c, at: i++ });
    else if (c === "!") tokens.push({ t: "not", v: c, at: i++ });
    else if (c === '"' || c === "'") {
      let text = "";
      for (i++; i < query.length && query[i] !== c; i++) text += query[i] === "\\" ? query[++i] ?? "" : query[i];
      if (i >= query.length) return { error: `Error in the JQL Query: the quoted text that starts at character ${start + 1} is not closed ${at(start)}` };
      i++;
      tokens.push({ t: "str", v: text, raw: query.slice(start, i), at: start });
    } else {
      while (i < query.length && !/[\s(),=!~<>"'&|]/.test(query[i])) {
        if (query[i] === "[") {
          const close = query.indexOf("]", i);
          if (close < 0) return { error: `Error in the JQL Query: '[' without ']' ${at(i)}` };
          i = close;
        }
        i++;
      }
      const word = query.slice(start, i);
      const kw = word.toLowerCase();
      tokens.push({ t: ["and", "or", "not", "in"].includes(kw) ? kw : KEYWORDS.has(kw) ? "kw" : "word", v: word, at: start });
    }
  }
  tokens.push({ t: "end", v: "<EOF>", at: query.length });
  return { tokens };
}

/** A parsed filter: `{ test(issue) }`, or `{ errors }` (the first syntax error, or every unsupported part). */
function parseJql(query) {
  if (typeof query !== "string" || !query.trim()) return { errors: ["The JQL filter is empty."] };
  const lexed = tokenize(query);
  if (lexed.error) return { errors: [lexed.error] };
  const { tokens } = lexed;
  const unsupported = new Set();
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];
  const syntax = (token, expected) => {
    const e = new SyntaxError(`Error in the JQL Query: expecting ${expected} but got '${token.v}' (line 1, character ${token.at + 1})`);
    e.jql = true;
    throw e;
  };
  const expect = (kind, what) => (peek().t === kind ? next() : syntax(peek(), what));
  const isValue = (tok) => tok.t === "word" || tok.t === "str" || (tok.t === "kw" && ["empty", "null"].includes(tok.v.toLowerCase()));

  /** An operand: a value, EMPTY, a function call or (when `lists`) a list; returns { values, fn? }. */
  function operand(lists) {
    const tok = peek();
    if (tok.t === "(" && lists) return list();
    if (!isValue(tok)) syntax(tok, "a value");
    next();
    if (tok.t === "kw") return { values: [EMPTY] };
    if (tok.t === "word" && peek().t === "(") {
      next();
      if (peek().t !== ")") {
        operand(true);
        while (peek().t === ",") (next(), operand(true));
      }
      expect(")", "')'");
      return { values: [], fn: tok.v };
    }
    return { values: [tok.v.toLowerCase()] };
  }
  function list() {
    expect("(", "'('");
    const parts = [operand(false)];
    while (peek().t === ",") (next(), parts.push(operand(false)));
    expect(")", "')' or ','");
    return { values: parts.flatMap((p) => p.values), fn: parts.find((p) => p.fn)?.fn, list: true };
  }
  /** Skips an unsupported operator's right-hand side (WAS … BY …, CHANGED FROM … TO …, IS NOT EMPTY, ~ text). */
  function skipRest() {
    let depth = 0;
    for (;;) {
      const t = peek().t;
      if (t === "end" || (depth === 0 && (t === "and" || t === "or" || t === ")" || (t === "kw" && peek().v.toLowerCase() === "order")))) return;
      if (t === "(") depth++;
      if (t === ")") depth--;
      next();
    }
  }
  function field() {
    const tok = peek();
    if (tok.t !== "word" && tok.t !== "str") syntax(tok, "a field");
    next();
    if (tok.t === "str") return { name: tok.raw, values: null };
    const word = tok.v;
    const cf = /^cf\[(\d+)\]$/i.exec(word);
    if (cf) return { name: word, values: customFieldValues(cf[1]) };
    const prop = /^issue\.property\[\s*(?:"([^"]*)"|'([^']*)'|([^\]]*?))\s*\]((?:\.[^.]+)*)$/i.exec(word);
    if (prop) {
      const key = prop[1] ?? prop[2] ?? prop[3];
      const path = prop[4].split(".").filter(Boolean);
      return { name: word, values: propertyValues(key, path) };
    }
    return { name: word, values: JQL_FIELDS[word.toLowerCase()] ?? null };
  }
  function clause() {
    const f = field();
    const tok = next();
    let negated = false, rhs;
    if (tok.t === "op" && (tok.v === "=" || tok.v === "!=")) {
      negated = tok.v === "!=";
      rhs = operand(false);
    } else if (tok.t === "in" || (tok.t === "not" && tok.v.toLowerCase() === "not" && peek().t === "in")) {
      if (tok.t === "not") (next(), (negated = true));
      rhs = peek().t === "word" && tokens[pos + 1].t === "(" ? operand(false) : list(); // a function, or a list
    } else if (tok.t === "op" || (tok.t === "kw" && ["is", "was", "changed"].includes(tok.v.toLowerCase()))) {
      skipRest();
      unsupported.add(`The clause ${f.name} is unsupported`);
      return () => false;
    } else syntax(tok, "an operator");
    if (!f.values) {
      unsupported.add(`The clause ${f.name} is unsupported`);
      return () => false;
    }
    if (rhs.fn) unsupported.add(`The function ${rhs.fn} is unsupported`);
    const wanted = rhs.values;
    return (issue) => {
      const actual = f.values(issue).filter((v) => v != null).map((v) => String(v).toLowerCase());
      const hit = wanted.some((w) => (w === EMPTY ? actual.length === 0 : actual.includes(w)));
      return negated ? !hit && actual.length > 0 : hit;
    };
  }
  function notClause() {
    if (peek().t === "not") {
      next();
      unsupported.add("The operator NOT is unsupported");
      const inner = notClause();
      return (issue) => !inner(issue);
    }
    if (peek().t === "(") {
      next();
      const inner = orClause();
      expect(")", "')'");
      return inner;
    }
    return clause();
  }
  function andClause() {
    const parts = [notClause()];
    while (peek().t === "and") (next(), parts.push(notClause()));
    return (issue) => parts.every((p) => p(issue));
  }
  function orClause() {
    const parts = [andClause()];
    while (peek().t === "or") (next(), parts.push(andClause()));
    return (issue) => parts.some((p) => p(issue));
  }
  try {
    const test = orClause();
    if (peek().t === "kw" && peek().v.toLowerCase() === "order") {
      next();
      if (!(peek().t === "kw" && peek().v.toLowerCase() === "by")) syntax(peek(), "'by'");
      next();
      for (;;) {
        field();
        if (peek().t === "word" && /^(asc|desc)$/i.test(peek().v)) next();
        if (peek().t !== ",") break;
        next();
      }
      unsupported.add("The clause ORDER BY is unsupported");
    }
    if (peek().t !== "end") syntax(peek(), "AND, OR or the end");
    return unsupported.size ? { errors: [...unsupported] } : { test };
  } catch (e) {
    if (e.jql) return { errors: [e.message] };
    throw e;
  }
}

const compiledJql = new Map();
/** The errors Jira would put in a registration's result for this filter; empty when it is accepted. */
const checkJql = (query) => parseJql(query).errors ?? [];
/** Whether an issue (`{ key, id, fields, properties }`) matches a filter that checkJql accepts. */
function matchJql(query, issue) {
  let parsed = compiledJql.get(query);
  if (!parsed) compiledJql.set(query, (parsed = parseJql(query)));
  if (parsed.errors) throw new TypeError(`cannot evaluate JQL '${query}': ${parsed.errors.join("; ")}`);
  return parsed.test(issue);
}

/**
 * What the kit's fake checks with, for comparison with the full fake: the JQL subset (`checkJql`: the errors Jira
 * would give a filter; `matchJql`: whether an issue matches an accepted one), the route table (`routes`: `METHOD
 * /webhook…` -> [operationId, integer query parameters (31: int32, 63: int64), body, granular scopes]) and the request
 * bodies' schemas (`requestSchema("registration" | "ids", 2 | 3)`).
 */
export const lightChecks = Object.freeze({ checkJql, matchJql, routes: ROUTES, requestSchema: (kind, version) => REQUEST_SCHEMAS[kind](version) });

/** The core's dependencies, light: no OpenAPI validator, no JQL grammar, no atlassian-jwt. */
const LIGHT_DEPS = Object.freeze({
  specs: { 2: lightSpec(2), 3: lightSpec(3) },
  jql: { checkJql, matchJql },
  validate,
  qsh: ({ method, url, pathname, query }, baseUrl) => url !== undefined ? queryStringHash(method, url, baseUrl)
    : sha256Hex(canonicalRequest(method, pathname, Object.entries(query ?? {}).flatMap(([k, v]) => [v].flat().map((x) => [k, String(x)])))),
});

// ---------------------------------------------------------------- createFakeJira

const FAKE_OPTIONS = ["auth", "limit", "now", "url", "appBaseUrl", "retries", "retryDelaysMs", "deliveryTimeoutMs", "dateFormat", "pointsPerHour", "rateLimit", "oauthListScope"];
const IDENTITIES = {
  connect: { appKey: "com.example.connect-app", sharedSecret: "connect-shared-secret-for-tests" },
  oauth: {
    clientId: "oauth-client-id-123", clientSecret: "oauth-client-secret-for-tests", cloudId: "11111111-2222-3333-4444-555555555555",
    user: "alice", accessToken: "oauth-access-token",
  },
};
/** A Connect app's basic-auth credential (an admin acting for the app), as in the full fake. */
const BASIC = { email: "admin@example.com", apiToken: "basic-api-token", user: "admin" };
/** Answers that Jira retries a delivery on (besides failures to answer). */
const retryable = (status) => [408, 409, 425, 429].includes(status) || status >= 500;

/** `auth` as { type, connect, oauth }: which identity the transport uses, and both identities' details. */
function identities(auth) {
  const spec = typeof auth === "string" ? { type: auth } : auth;
  if (!isObject(spec) || !["connect", "oauth"].includes(spec.type)) fail('createFakeJira: auth must be "connect", "oauth", { type: "connect", appKey?, sharedSecret? } or { type: "oauth", clientId?, clientSecret?, cloudId?, user?, accessToken? }');
  const { type, ...given } = spec;
  const own = IDENTITIES[type];
  onlyKnown(given, Object.keys(own), `createFakeJira auth (${type})`);
  for (const [k, v] of Object.entries(given)) if (typeof v !== "string" || !v || /\s/.test(v)) fail(`createFakeJira: auth.${k} must be a non-empty string without spaces`);
  return { type, connect: { ...IDENTITIES.connect }, oauth: { ...IDENTITIES.oauth }, [type]: { ...own, ...given } };
}

/**
 * An in-memory Jira Cloud site for the app's tests: the five dynamic-webhook operations, webhooks that expire,
 * limits, faults and deliveries, behind a transport. No network, no port.
 * @param {import("./testing.d.ts").FakeJiraOptions} [options]
 * @returns {import("./testing.d.ts").FakeJira}
 */
export function createFakeJira(options = {}) {
  if (!isObject(options)) fail("createFakeJira(options): options must be an object");
  onlyKnown(options, FAKE_OPTIONS, "createFakeJira");
  const { auth = "connect", limit, now, url = SITE_URL, appBaseUrl, retries, retryDelaysMs, deliveryTimeoutMs, dateFormat, pointsPerHour, rateLimit, oauthListScope } = options;
  const id = identities(auth);
  if (typeof url !== "string" || !/^https?:\/\/[^/?#]+$/.test(url.replace(/\/+$/, ""))) fail("createFakeJira: url must be the site's origin, e.g. https://your-domain.atlassian.net");
  if (now !== undefined && typeof now !== "function") fail("createFakeJira: now must be a function returning ms (the fake's clock)");
  const limits = typeof limit === "number" ? { connect: limit, oauth: limit } : limit;
  if (limits !== undefined && (!isObject(limits) || !Object.entries(limits).every(([k, n]) => k in LIMITS && Number.isInteger(n) && n >= 0)))
    fail("createFakeJira: limit must be an integer >= 0 or { connect?, oauth? }");
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0)) fail("createFakeJira: retries must be an integer >= 0");
  if (retryDelaysMs !== undefined && !(Array.isArray(retryDelaysMs) && retryDelaysMs.every((d) => Number.isFinite(d) && d >= 0)))
    fail("createFakeJira: retryDelaysMs must be an array of ms >= 0");
  if (deliveryTimeoutMs !== undefined && !(Number.isFinite(deliveryTimeoutMs) && deliveryTimeoutMs > 0)) fail("createFakeJira: deliveryTimeoutMs must be a number of ms > 0");

  const seed = {
    apps: [
      { key: id.connect.appKey, type: "connect", sharedSecret: id.connect.sharedSecret },
      { key: id.oauth.clientId, type: "oauth", cloudId: id.oauth.cloudId, clientSecret: id.oauth.clientSecret, redirectUris: [] },
    ],
    credentials: [
      { type: "basic", email: BASIC.email, apiToken: BASIC.apiToken, app: id.connect.appKey, user: BASIC.user },
      { type: "bearer", token: id.oauth.accessToken, app: id.oauth.clientId, user: id.oauth.user },
    ],
    webhooks: [],
    failed: [],
  };
  const nowhere = () => Promise.reject(new TypeError("jira-webhooks/testing delivers only to the handler given to fake.emit(event, handler)"));
  const core = createCore({
    url: url.replace(/\/+$/, ""), seed, dateFormat, rateLimit, pointsPerHour, oauthListScope,
    ...(now && { now }),
    // The app checks a JWT's times against its own clock: they stay real while the fake's clock moves on.
    jwtNow: () => Date.now(),
    ...(limits && { webhookLimits: limits }),
    ...(appBaseUrl !== undefined && { connectAppBaseUrl: appBaseUrl }),
    ...(retries !== undefined && { deliveryRetries: retries }),
    ...(retryDelaysMs !== undefined && { deliveryRetryDelaysMs: retryDelaysMs }),
    ...(deliveryTimeoutMs !== undefined && { deliveryTimeoutMs }),
    fetch: nowhere,
  }, LIGHT_DEPS);
  const siteUrl = core.url;

  /** The site of a path (`/site/<name>/…`), the path below it, and the rest (the REST path) for qsh. */
  const siteOf = (pathname) => {
    const m = /^\/site\/([a-z0-9-]{1,63})(\/.*)?$/.exec(pathname);
    return m ? { name: m[1], rest: m[2] ?? "/" } : { name: DEFAULT_SITE, rest: pathname };
  };

  /** The fake's answer to a request; the default identity's credentials added when it has none. */
  async function answer(request, signal) {
    const target = new URL(request.url, siteUrl);
    let path = target.pathname;
    const headers = new Headers(request.headers);
    if (!headers.has("authorization") && !/^\/(_fake|oauth|authorize)(\/|$)/.test(path)) {
      if (id.type === "oauth") {
        if (!path.startsWith("/ex/jira/")) {
          const { name, rest } = siteOf(path);
          path = `/ex/jira/${core.site(name).cloudId}${rest}`;
        }
        headers.set("authorization", `Bearer ${id.oauth.accessToken}`);
      } else {
        const { name, rest } = siteOf(path);
        const sharedSecret = core.site(name).state.apps[id.connect.appKey]?.sharedSecret ?? id.connect.sharedSecret;
        const qsh = await sha256Hex(canonicalRequest(request.method, rest, queryPairs(target.search)));
        const iat = Math.floor(Date.now() / 1000);
        headers.set("authorization", `JWT ${await signHS256({ iss: id.connect.appKey, iat, exp: iat + JWT_LIFETIME_S, qsh }, sharedSecret)}`);
      }
    }
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.text();
    const inner = new Request(new URL(path + target.search, siteUrl), { method: request.method, headers, ...(body && { body }) });
    let response;
    if (!signal) response = await core.handle(inner);
    else {
      signal.throwIfAborted();
      let stop;
      const aborted = new Promise((_, reject) => signal.addEventListener("abort", (stop = () => reject(signal.reason)), { once: true }));
      try {
        response = await Promise.race([core.handle(inner), aborted]);
      } finally {
        signal.removeEventListener("abort", stop);
      }
    }
    if (response.type === "error") throw new TypeError("fetch failed: the connection was dropped (an injected `reset` fault)");
    return response;
  }

  /** The transport of `new JiraWebhooks({ auth: { type: "none" }, transport })`, or of any config. */
  const transport = (request) => answer({ method: request.method, url: request.url, headers: request.headers ?? {}, text: async () => request.body ?? "" }, request.signal);
  /** The same, shaped as `fetch`. */
  const fetchLike = async (input, init) => {
    const request = input instanceof Request ? (init ? new Request(input, init) : input) : new Request(new URL(String(input), siteUrl), init);
    return answer(request, init?.signal ?? (input instanceof Request ? input.signal : undefined));
  };

  /** A Fetch handler (a function or an object with `fetch`) as what the core sends each delivery attempt with. */
  const deliverTo = (handler) => {
    const call = typeof handler === "function" ? handler : typeof handler?.fetch === "function" ? (r) => handler.fetch(r) : fail("fake.emit(event, handler): handler must be a function (Request) => Response, or an object with fetch(request)");
    return async (target, init) => {
      const { signal } = init;
      const request = new Request(target, init);
      let stop;
      const timedOut = new Promise((_, reject) => signal.addEventListener("abort", (stop = () => reject(signal.reason)), { once: true }));
      try {
        const response = await Promise.race([Promise.resolve().then(() => call(request)), timedOut]);
        if (!(response instanceof Response)) throw new TypeError("the handler did not answer a Response");
        return response;
      } finally {
        signal.removeEventListener("abort", stop);
      }
    };
  };

  const siteInfo = (name = DEFAULT_SITE) => {
    const s = core.site(name);
    return { name: s.name, baseUrl: siteUrl + s.prefix, clientKey: s.clientKey, cloudId: s.cloudId, sharedSecret: s.state.apps[id.connect.appKey].sharedSecret };
  };

  return {
    transport,
    fetch: fetchLike,
    handle: (request) => core.handle(request),
    url: siteUrl,
    auth: id.type,
    connect: { appKey: id.connect.appKey, sharedSecret: id.connect.sharedSecret, clientKey: core.site().clientKey, baseUrl: siteUrl },
    oauth: { ...id.oauth },
    basic: { email: BASIC.email, apiToken: BASIC.apiToken },
    site: siteInfo,
    config(kind = "none", site = DEFAULT_SITE) {
      const s = siteInfo(site);
      switch (kind) {
        case "none":
          return { baseUrl: s.baseUrl, auth: { type: "none" }, transport };
        case "connect":
          return { baseUrl: s.baseUrl, auth: { type: "connect", appKey: id.connect.appKey, sharedSecret: s.sharedSecret }, transport };
        case "oauth":
          return { cloudId: s.cloudId, auth: { type: "bearer", token: id.oauth.accessToken }, transport };
        case "basic":
          return { baseUrl: s.baseUrl, auth: { type: "basic", email: BASIC.email, apiToken: BASIC.apiToken }, transport };
      }
      return fail(`fake.config(kind): kind must be "none", "connect", "oauth" or "basic", not ${kind}`);
    },
    webhooks(site = DEFAULT_SITE) {
      const t = core.now();
      return Object.values(core.site(site).state.apps)
        .flatMap((app) => app.webhooks.filter((w) => w.expirationDate >= t).map((w) => ({ ...structuredClone(w), app: app.key })))
        .sort((a, b) => a.id - b.id);
    },
    failed(site = DEFAULT_SITE) {
      return Object.values(core.site(site).state.apps).flatMap((app) => app.failed.map((f) => ({ ...structuredClone(f), app: app.key })));
    },
    get requests() { return core.requests; },
    get applied() { return core.applied; },
    get deliveries() { return core.deliveries; },
    now: () => core.now(),
    advance: (ms) => {
      if (!Number.isFinite(ms) || ms < 0) fail("fake.advance(ms): ms must be a number >= 0");
      return core.advanceTime(ms);
    },
    injectFault: (fault) => core.injectFault(fault),
    clearFaults: () => core.clearFaults(),
    seedFailed: (failures, { app = id.connect.appKey, site } = {}) => core.seedFailed(app, failures, site),
    async emit(event, handler) {
      const input = typeof event === "string" ? { event } : event;
      const send = deliverTo(handler);
      const result = core.emit(input, { fetch: send });
      await result.settled;
      const site = input.site ?? DEFAULT_SITE;
      return result.deliveries.map((d) => {
        const attempts = core.deliveries.filter((a) => a.id === d.id && a.site === site)
          .map(({ attempt, status, error }) => (status === undefined ? { attempt, error } : { attempt, status }));
        const last = attempts.at(-1);
        const outcome = last?.status >= 200 && last.status < 300 ? "delivered" : last?.status !== undefined && !retryable(last.status) ? "refused" : "failed";
        return { ...d, attempts, outcome };
      });
    },
    setPointsPerHour: (n) => core.setPointsPerHour(n),
    setRateLimit: (l) => core.setRateLimit(l),
    stats: () => core.stats(),
    reset: () => core.reset(),
    core,
  };
}
