// Performs one call: what the core decides (src/engine/call.rs, through the `CallHandle` of src/js/client.rs), this
// does, one action at a time: `fetch` or the caller's transport, timers, `getToken`, the caller's hooks. It decides
// nothing. Every call into the caller's code is caught: a throwing getter, transport, hook or provider becomes an
// error of the call, never a crash of the host.
import { CHECKS, checkErrorCollection, describe } from "./validators.js";
import { JiraWebhooksError } from "./errors.js";

// What `CallHandle.poll` answers (engine::Action), what `on_head` asks to read, what `on_fail` is told.
const SEND = 0, SLEEP = 1, TOKEN = 2, DONE_REFUSED = 4, SLEEP_MORE = 5;
const READ_NOTHING = -1, READ_ERRORS = -2;
const NETWORK = 0, ABORTED = 1, DEADLINE = 2, UNSUPPORTED = 3, TOKEN_FAILED = 4, REAUTHORIZE = 5, TOKEN_ERROR = 6;
/** What a raced await resolves to when the call was aborted or its deadline passed. */
const FIRED = Symbol("fired");
let never;

/**
 * The caller's AbortSignal and the call's deadline, as one AbortController whose signal also goes to `fetch` and
 * to the transport. `null` when there is neither: the fast path.
 */
function interrupt(user, deadlineMs) {
  if (!user && deadlineMs < 0) return null;
  const controller = new AbortController();
  const abort = () => controller.abort();
  const fired = new Promise((resolve) => controller.signal.addEventListener("abort", () => resolve(FIRED)));
  if (user) {
    if (user.aborted) abort();
    else user.addEventListener("abort", abort);
  }
  const timer = deadlineMs < 0 ? undefined : setTimeout(abort, deadlineMs);
  return {
    signal: controller.signal,
    user,
    race: (promise) => (controller.signal.aborted ? FIRED : Promise.race([promise, fired])),
    dispose() {
      clearTimeout(timer);
      user?.removeEventListener("abort", abort);
    },
  };
}

/**
 * What `work()` (the caller's code) resolves to, unless the call is interrupted first: then `FIRED`. A throw,
 * synchronous or not, reaches the caller's `await` (inside its `try`).
 */
function until(stop, work) {
  if (!stop) return work();
  return stop.signal.aborted ? FIRED : stop.race(work());
}

/** The words of a thrown value, for a network failure (never used for what a token provider threw). */
function causeOf(e) {
  let name, message;
  try {
    name = typeof e?.name === "string" ? e.name : undefined;
    message = typeof e === "string" ? e : typeof e?.message === "string" ? e.message : undefined;
  } catch {}
  return name && message ? `${name}: ${message}` : message || name || "an unknown error";
}

/** The kind of a thrown value (`TypeError`), without its message (it may hold a credential). */
function nameOf(e) {
  try {
    const name = e?.name;
    if (typeof name === "string" && name.length <= 40 && /^\w+$/.test(name)) return name;
  } catch {}
  return "a value";
}

/** Calls a hook with its event, without waiting for it and without letting it fail the call. */
function emit(hook, event) {
  if (typeof hook !== "function") return;
  try {
    const result = hook(event);
    if (result && typeof result.then === "function") result.then(undefined, () => {});
  } catch {}
}

/** A header of a `Response` or of a transport's `ResponseLike`; `undefined` when absent or unreadable. */
function headerOf(response) {
  let headers;
  try {
    headers = response.headers;
  } catch {}
  return (name) => {
    try {
      const value = headers?.get(name);
      return typeof value === "string" ? value : undefined;
    } catch {
      return undefined;
    }
  };
}

const RATE_LIMIT = [["reason", "ratelimit-reason"], ["limit", "x-ratelimit-limit"], ["remaining", "x-ratelimit-remaining"],
  ["nearLimit", "x-ratelimit-nearlimit"], ["reset", "x-ratelimit-reset"]];

/** Jira's rate-limit headers, for the hooks. */
function rateLimitOf(header) {
  const rateLimit = {};
  for (const [key, name] of RATE_LIMIT) {
    const value = header(name);
    if (value !== undefined) rateLimit[key] = value;
  }
  return rateLimit;
}

/** A header value as a line of `on_head`'s text: empty when absent, never a line break. */
const line = (value) => (value === undefined ? "" : value.includes("\n") ? value.replace(/\n/g, " ") : value);

/**
 * Sends the request the core built and reports the answer; resolves to the parsed answer when the core asked
 * for it and it passed the generated validator (Jira's date strings already made milliseconds).
 */
async function send(run) {
  const { call, session, stop } = run;
  // operationId, attempt, method, URL, path, header count, the headers' names and values, then the body.
  const r = call.request().split("\n");
  const end = 6 + 2 * r[5];
  const headers = {};
  for (let i = 6; i < end; i += 2) headers[r[i]] = r[i + 1];
  const body = run.body ?? (r.length > end ? r.slice(end).join("\n") : undefined);
  const request = { method: r[2], url: r[3], path: r[4], headers, body };
  if (stop) request.signal = stop.signal;
  const hooks = session.hooks;
  // What the hooks are told about the attempt under way: never a header, never a credential.
  const event = (run.event = () => ({ operation: r[0], method: r[2], path: r[4], attempt: +r[1] }));
  if (hooks) emit(hooks.request, event());
  const started = Date.now();
  // An attempt that ends without a usable answer is told to the hooks too, as status 0.
  const noAnswer = () => hooks && emit(hooks.response, { ...event(), status: 0, durationMs: Date.now() - started });
  const transport = session.transport;
  let response;
  try {
    response = await until(stop, () => transport ? transport(request) : fetch(request.url, request));
  } catch (e) {
    if (!stop?.signal.aborted) call.on_fail(NETWORK, causeOf(e));
    noAnswer();
    return undefined;
  }
  if (response === FIRED) return void noAnswer();
  let status;
  try {
    status = response?.status;
  } catch {}
  const fetched = !transport;
  if (fetched ? !(response instanceof Response) : !(Number.isInteger(status) && status >= 100 && status < 600)) {
    call.on_fail(NETWORK, fetched ? "fetch resolved to something that is not a Response"
      : "the custom transport resolved to something without a valid `status` (it must be ResponseLike)");
    return void noAnswer();
  }
  const header = headerOf(response);
  const failed = status < 200 || status > 299;
  const rateLimit = failed || hooks?.response ? rateLimitOf(header) : {};
  if (hooks) {
    emit(hooks.response, { ...event(), status, durationMs: Date.now() - started, retryAfter: header("retry-after"), rateLimit });
  }
  let head = line(header("content-type")) + "\n" + line(header("x-arequestid"));
  if (failed) head += "\n" + line(header("retry-after")) + RATE_LIMIT.map(([key]) => "\n" + line(rateLimit[key])).join("");
  const read = call.on_head(status, head);
  if (read === READ_NOTHING) return undefined;
  let text;
  try {
    text = await until(stop, () => response.text());
  } catch (e) {
    if (!stop?.signal.aborted) call.on_fail(NETWORK, `the body could not be read (${causeOf(e)})`);
    return undefined;
  }
  if (text === FIRED) return undefined;
  if (typeof text !== "string") {
    call.on_fail(NETWORK, "`text()` did not resolve to a string");
    return undefined;
  }
  const markup = /^\s*</.test(text);
  const blank = !markup && !text.trim();
  let value, parsed = false;
  if (!markup && !blank) {
    try {
      value = JSON.parse(text);
      parsed = true;
    } catch {}
  }
  if (read === READ_ERRORS) {
    const c = parsed && checkErrorCollection(value) === undefined ? value : undefined;
    // Each text after a NUL (its own NULs made U+FFFD): no array crosses the boundary.
    const texts = (list) => list.map((t) => "\0" + (t.includes("\0") ? t.replace(/\0/g, "\ufffd") : t)).join("");
    const errors = Object.entries(c?.errors ?? {}).flatMap(([k, v]) => [k, v ?? ""]);
    call.on_error_body(markup, c !== undefined, texts(c?.errorMessages ?? []), texts(errors));
    return undefined;
  }
  const fault = parsed ? CHECKS[read](value) : undefined;
  const flags = (markup ? 1 : 0) | (blank ? 2 : 0) | (parsed ? 4 : 0);
  if (fault) call.on_body(flags, fault[0], describe(fault[1], fault[2], fault[3]));
  else call.on_body(flags, undefined, undefined);
  return fault ? undefined : value;
}

/** Asks the token provider, telling it which token Jira refused, if any. */
async function token({ call, session, stop }) {
  const context = { refused: call.refused_token(), signal: stop?.signal ?? (never ??= new AbortController().signal) };
  let value;
  try {
    value = await until(stop, () => session.getToken(context));
  } catch (e) {
    if (stop?.signal.aborted) return;
    // Its own errors (oauth2Tokens: "reauthorize", "token") pass through; of anything else, only the kind is told.
    if (e instanceof JiraWebhooksError) call.on_fail(String(e.kind) === "reauthorize" ? REAUTHORIZE : TOKEN_ERROR, String(e.message));
    else call.on_fail(TOKEN_FAILED, nameOf(e));
    return;
  }
  if (value === FIRED) return;
  if (typeof value === "string") call.on_token(value);
  else call.on_fail(TOKEN_FAILED, "");
}

/**
 * Waits what the core asked, telling the hooks when it is a new wait (`tell`), not the rest of one a timer ended
 * early; an abort or the deadline ends the wait early.
 */
async function sleep({ call, session, stop, event }, tell) {
  const ms = call.sleep_ms();
  if (tell && session.hooks) emit(session.hooks.retry, { ...event?.(), delayMs: ms });
  let timer;
  await until(stop, () => new Promise((resolve) => (timer = setTimeout(resolve, ms))));
  clearTimeout(timer);
}

/**
 * Runs `call` (a `CallHandle`) to its end; resolves to the parsed answer, or `undefined` (no body, or the call
 * failed: the handle holds the outcome, and `call.finish(answer)` returns it or throws it). `body` is the request
 * body when the edge holds it (the caller's, checked), else the request's own.
 */
export async function drive(call, session, signal, body) {
  let stop;
  try {
    stop = interrupt(signal, call.remaining_ms(Date.now()));
  } catch {
    call.on_fail(UNSUPPORTED, "");
    return undefined;
  }
  const run = { call, session, stop, body, event: undefined };
  let answer;
  try {
    for (;;) {
      // JS runs one thing at a time: an abort or the deadline can only have come during the last await.
      if (stop?.signal.aborted) call.on_fail(stop.user?.aborted ? ABORTED : DEADLINE, "");
      const action = call.poll(Date.now(), Math.random());
      if (action === SEND) answer = await send(run);
      else if (action === SLEEP || action === SLEEP_MORE) await sleep(run, action === SLEEP);
      else if (action === TOKEN) await token(run);
      else {
        // A token the caller gave with `getToken` serves until Jira refuses it; then the provider is asked.
        if (action === DONE_REFUSED) session.token = undefined;
        return answer;
      }
    }
  } finally {
    stop?.dispose();
  }
}

/** Runs `call` and settles with its outcome: the answer, or the `JiraWebhooksError`. */
export async function perform(call, session, signal, body) {
  try {
    return call.finish(await drive(call, session, signal, body));
  } finally {
    call.free();
  }
}
