// Receives deliveries: the core (lifecycle::deliveries::Receipt, through the `DeliveryHandle` of
// src/js/receiver.rs) decides every step of a delivery's way; this reads the request's bytes, calls the app's
// functions (the tenant's secret, siteOf, the store, the handler, onError) and answers. Nothing is decided here,
// and every call into the app's code is caught.
import { JiraWebhooksError, newError } from "./errors.js";

const DONE = 0, SECRET = 1, READ = 2, PARSE = 3, SITE = 4, VERIFIED = 5, CLAIM = 6, RUN = 7, COMPLETE = 8,
  RELEASE = 9, REPORT = 10, ANSWER = 11, REFUSE = 12, WAIT = 13;
/** The most bytes of a body handed to the core at once, to hash: its memory never holds the body whole. */
const SLICE = 64 * 1024;

/** A name for this attempt, so that only it releases its own claim. */
function ownerId() {
  try {
    return crypto.randomUUID();
  } catch {
    return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  }
}

/** The kind of a thrown value (`TypeError`), never its message: it may hold a secret. */
function nameOf(e) {
  try {
    const name = e?.name;
    if (typeof name === "string" && name.length <= 40 && /^\w+$/.test(name)) return name;
  } catch {}
  return "a value";
}

/** What a store's throw is called in the package's words: its kind only (its message may hold a credential). */
const threw = (what, e) => `${what} threw ${nameOf(e)} (its message is not shown; onError gets it as the error's cause)`;

/** Calls an app function; resolves to what it resolved to, or rejects with what it threw. */
function call(fn, ...args) {
  return Promise.resolve().then(() => fn(...args));
}

/** A header of a `Headers` object or of a plain record (any case; an array value is joined). */
function headerReader(headers) {
  if (typeof headers?.get === "function") {
    return (name) => {
      try {
        return headers.get(name) ?? undefined;
      } catch {
        return undefined;
      }
    };
  }
  const lower = {};
  if (headers && typeof headers === "object") {
    for (const key of Object.keys(headers)) {
      const value = headers[key];
      lower[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : typeof value === "string" ? value : undefined;
    }
  }
  return (name) => lower[name];
}

/** The request's head and a reader of its body, for a `Request` or a request-like object. */
function headOf(request) {
  if (typeof Request !== "undefined" && request instanceof Request) {
    return { method: request.method, url: request.url, header: headerReader(request.headers), body: request.body, request };
  }
  if (!request || typeof request !== "object" || typeof request.url !== "string") return undefined;
  return { method: typeof request.method === "string" ? request.method : "POST", url: request.url, header: headerReader(request.headers), body: request.body };
}

/**
 * Reads the body as bytes, at most `limit` of them; hands each slice to `hash` when given. Resolves to
 * `[0, chunks]` (read), `[1]` (too large) or `[2]` (unreadable).
 */
async function readBody(head, limit, hash) {
  const declared = Number(head.header("content-length"));
  if (declared > limit) return [1];
  const chunks = [];
  let total = 0;
  const take = (chunk) => {
    total += chunk.byteLength;
    if (total > limit) return false;
    chunks.push(chunk);
    if (hash) for (let at = 0; at < chunk.byteLength; at += SLICE) hash(chunk.subarray(at, at + SLICE));
    return true;
  };
  try {
    const body = head.body;
    if (body === null || body === undefined) return [0, chunks];
    if (typeof body === "string") return take(new TextEncoder().encode(body)) ? [0, chunks] : [1];
    if (body instanceof ArrayBuffer) return take(new Uint8Array(body)) ? [0, chunks] : [1];
    if (ArrayBuffer.isView(body)) return take(new Uint8Array(body.buffer, body.byteOffset, body.byteLength)) ? [0, chunks] : [1];
    if (typeof body.getReader !== "function") return [2];
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return [0, chunks];
      if (!(value instanceof Uint8Array) || !take(value)) {
        reader.cancel().catch(() => {});
        return value instanceof Uint8Array ? [1] : [2];
      }
    }
  } catch {
    return [2];
  }
}

/** The body's JSON: decoded as strict UTF-8 slice by slice (never joined as bytes), then parsed once. */
function parse(chunks) {
  try {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    let text = "";
    for (const chunk of chunks) text += decoder.decode(chunk, { stream: true });
    text += decoder.decode();
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The delivery the app's functions get: the core's fields and the payload. */
function deliveryOf(d, payload) {
  const delivery = JSON.parse(d.delivery());
  delivery.payload = payload;
  return delivery;
}

/** Tells the app (its `onError`, else one line on `console.error`), never failing the delivery. */
function report(options, error, context) {
  try {
    if (typeof options.onError === "function") {
      const result = options.onError(error, context);
      if (result && typeof result.then === "function") result.then(undefined, () => {});
    } else {
      console.error(`jira-webhooks: ${context.message} (delivery ${context.id}, event ${context.event}, site ${context.site})`);
    }
  } catch {}
}

/**
 * Walks one delivery through the core. Resolves `answer` with the Response as soon as the core decides it; goes on
 * after that while a late handler settles. For `verifyDelivery`, resolves to the delivery or rejects.
 */
async function walk(d, options, head, payload, answer) {
  const respond = (status, text) => answer(new Response(status === 204 ? null : text ?? null, { status }));
  let chunks = [];
  let handlerError;
  let storeError; // what the app's store last threw: the cause of the error onError gets
  let running; // the handler's settling, once started
  let step = d.poll(Date.now());
  for (;;) {
    switch (step) {
      case SECRET: {
        try {
          const secret = await call(options.connect.sharedSecret, d.key());
          step = d.on_secret(typeof secret === "string" ? secret : undefined, Date.now());
        } catch (e) {
          step = d.on_secret_failed(nameOf(e), Date.now());
        }
        continue;
      }
      case READ: {
        const [end, read] = await readBody(head, d.number(), d.flag() ? (slice) => d.on_body_chunk(slice) : undefined);
        chunks = read ?? [];
        step = d.on_body_end(end, Date.now());
        continue;
      }
      case PARSE: {
        payload = payload === undefined ? parse(chunks) : payload;
        chunks = [];
        step = d.on_payload(payload, Date.now());
        continue;
      }
      case SITE: {
        let site;
        try {
          site = await call(options.siteOf, deliveryOf(d, payload));
        } catch {}
        step = d.on_site(typeof site === "string" ? site : undefined, Date.now());
        continue;
      }
      case VERIFIED:
        return deliveryOf(d, payload);
      case REFUSE: {
        if (!answer) throw d.refusal();
        respond(d.number(), d.text());
        return undefined;
      }
      case CLAIM: {
        try {
          const claimed = await call((k, o, l) => options.dedupe.claim(k, o, l), d.key(), d.owner(), d.number());
          d.on_claim(typeof claimed === "string" ? claimed : String(claimed), undefined);
        } catch (e) {
          storeError = e;
          d.on_claim(undefined, threw("store.claim", e));
        }
        break;
      }
      case COMPLETE: {
        try {
          await call((k, r) => options.dedupe.complete(k, r), d.key(), d.number());
          d.on_complete(undefined);
        } catch (e) {
          storeError = e;
          d.on_complete(threw("store.complete", e));
        }
        break;
      }
      case RELEASE: {
        try {
          await call((k, o) => options.dedupe.release(k, o), d.key(), d.owner());
          d.on_release(undefined);
        } catch (e) {
          storeError = e;
          d.on_release(threw("store.release", e));
        }
        break;
      }
      case RUN: {
        const handlers = d.flag() ? options.on : options.onOther;
        const event = d.key();
        const handler = event && handlers && Object.hasOwn(handlers, event) ? handlers[event] : undefined;
        const delivery = deliveryOf(d, payload);
        running = call(() => (typeof handler === "function" ? handler(delivery.payload, delivery) : undefined)).then(
          () => 0,
          (e) => {
            handlerError = e;
            return 1;
          },
        );
        let timer;
        const deadline = new Promise((resolve) => (timer = setTimeout(() => resolve(2), d.number())));
        const outcome = await Promise.race([running, deadline]);
        clearTimeout(timer);
        d.on_handler(outcome);
        if (outcome === 2) running.then((late) => d.on_handler(late));
        break;
      }
      case WAIT: {
        if (!running) return undefined;
        const late = await running;
        running = undefined;
        d.on_handler(late);
        break;
      }
      case REPORT: {
        const delivery = JSON.parse(d.delivery());
        const context = { code: d.key(), message: d.text(), id: delivery.id, site: delivery.site, event: delivery.event };
        let error = handlerError;
        if (context.code !== "handler-failed") {
          error = newError(context.message, JSON.stringify({ kind: "http", status: 0 }));
          if (storeError !== undefined && /^(claim|complete|release)-failed$/.test(context.code)) error.cause = storeError;
        }
        report(options, error, context);
        break;
      }
      case ANSWER:
        respond(d.number());
        break;
      case DONE:
      default:
        return undefined;
    }
    step = d.poll(Date.now());
  }
}

/** The endpoint of `receiver`: `(request) => Promise<Response>`, with `replay(failure, { site })`. */
export function webhookHandler(receiver, options) {
  const handler = (request) =>
    new Promise((resolve) => {
      let answered = false;
      const answer = (response) => {
        if (!answered) resolve(response);
        answered = true;
      };
      const head = headOf(request);
      if (!head) return answer(new Response("the request must be a Request or { method, url, headers, body }", { status: 400 }));
      let d;
      try {
        const h = head.header;
        d = receiver.begin(head.method, head.url, h("authorization"), h("x-hub-signature"), h("x-atlassian-webhook-identifier"),
          h("x-atlassian-webhook-retry"), h("x-atlassian-webhook-flow"), ownerId(), Date.now(), false);
      } catch {
        return answer(new Response(null, { status: 500 }));
      }
      walk(d, options, head, undefined, answer)
        .catch(() => answer(new Response(null, { status: 500 })))
        .finally(() => {
          answer(new Response(null, { status: 500 }));
          d.free();
        });
    });
  handler.replay = async (failure, replayOptions) => {
    let site;
    try {
      site = replayOptions?.site;
    } catch {}
    const d = receiver.replay(failure, typeof site === "string" ? site : undefined, ownerId(), Date.now());
    try {
      if (typeof failure.body !== "string") {
        if (typeof options.onMissingBody !== "function") {
          throw newError("replay: the failed delivery has no body (Jira keeps it only sometimes): give `onMissingBody` to fetch the entity",
            JSON.stringify({ kind: "decode", status: 0, path: "body", operation: "replay" }));
        }
        await call(options.onMissingBody, failure);
        return undefined;
      }
      let payload;
      try {
        payload = JSON.parse(failure.body);
      } catch {}
      let status;
      await walk(d, options, undefined, payload ?? null, (response) => (status = response.status));
      if (status === 500 || status === 503) {
        const kind = status === 500 ? "the handler failed" : "the handler passed its deadline";
        throw newError(`replay: ${kind}; the failure can be replayed again`, JSON.stringify({ kind: "http", status, operation: "replay" }));
      }
      const delivery = deliveryOf(d, payload);
      if (status === 400) {
        throw newError("replay: the failed delivery's body is not a JSON object", JSON.stringify({ kind: "decode", status: 400, path: "body", operation: "replay" }));
      }
      return delivery;
    } finally {
      d.free();
    }
  };
  return handler;
}

/** Verifies one request; resolves to its delivery, or rejects with why it is not verified. */
export async function verifyRequest(receiver, options, request) {
  const head = headOf(request);
  if (!head) {
    throw newError("verifyDelivery: the request must be a Request or { method, url, headers, body }",
      JSON.stringify({ kind: "invalid-input", status: 0, path: "request", operation: "verifyDelivery" }));
  }
  const h = head.header;
  const d = receiver.begin(head.method, head.url, h("authorization"), h("x-hub-signature"), h("x-atlassian-webhook-identifier"),
    h("x-atlassian-webhook-retry"), h("x-atlassian-webhook-flow"), ownerId(), Date.now(), true);
  try {
    return await walk(d, options, head, undefined, undefined);
  } finally {
    d.free();
    receiver.free();
  }
}

export { JiraWebhooksError };
