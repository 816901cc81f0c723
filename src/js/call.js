// Performs one call: what the core decides (src/engine/call.rs, through the `CallHandle` of src/js/client.rs), this
// does, one action at a time: `fetch` or the caller's transport, timers, `getToken`, the caller's hooks. It decides
// nothing. Every call into the caller's code is caught: a throwing getter, transport, hook or provider becomes an
// error of the call, never a crash of the host.
import { CHECKS, checkErrorCollection } from "./validators.js";
import { JiraWebhooksError } from "./errors.js";

// What `CallHandle.poll` answers (engine::Action) and `CallHandle.on_head` asks for (engine::Expect).
const SEND = 0, SLEEP = 1, TOKEN = 2;
const ANSWER = 1, ERROR_COLLECTION = 2;
/** What a raced await resolves to when the call was aborted or its deadline passed. */
const FIRED = Symbol("fired");
let never;

/**
 * The caller's AbortSignal and the call's deadline, as one AbortController whose signal also goes to `fetch` and
 * to the transport. `null` when there is neither: the fast path.
 */
function interrupt(user, deadlineMs) {
  if (!user && deadlineMs === undefined) return null;
  const controller = new AbortController();
  const abort = () => controller.abort();
  const fired = new Promise((resolve) => controller.signal.addEventListener("abort", () => resolve(FIRED)));
  if (user) {
    if (user.aborted) abort();
    else user.addEventListener("abort", abort);
  }
  const timer = deadlineMs === undefined ? undefined : setTimeout(abort, deadlineMs);
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

/** Awaits `work()` unless the call is interrupted first; `FIRED` when it was. */
function until(stop, work) {
  if (stop?.signal.aborted) return FIRED;
  const promise = Promise.resolve().then(work);
  return stop ? stop.race(promise) : promise;
}

/** The words of a thrown value, for a network failure (never used for what a token provider threw). */
function describe(e) {
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

/** Jira's rate-limit headers, for the hooks. */
function rateLimitOf(header) {
  const rateLimit = {};
  for (const [key, name] of [["reason", "ratelimit-reason"], ["limit", "x-ratelimit-limit"], ["remaining", "x-ratelimit-remaining"],
    ["nearLimit", "x-ratelimit-nearlimit"], ["reset", "x-ratelimit-reset"]]) {
    const value = header(name);
    if (value !== undefined) rateLimit[key] = value;
  }
  return rateLimit;
}

/** What the hooks are told about the attempt under way: never a header, never a credential. */
function eventOf(call) {
  return { operation: call.operation(), method: call.method(), path: call.path(), attempt: call.attempts() };
}

/**
 * Sends the request the core built and reports the answer; resolves to the parsed answer when the core asked
 * for it and it passed the generated validator (Jira's date strings already made milliseconds).
 */
async function send(call, session, stop) {
  const headers = {};
  const lines = call.headers().split("\n");
  for (let i = 0; i + 1 < lines.length; i += 2) headers[lines[i]] = lines[i + 1];
  const request = { method: call.method(), url: call.url(), path: call.path(), headers, body: call.body() };
  if (stop) request.signal = stop.signal;
  const hooks = session.hooks;
  if (hooks) emit(hooks.request, eventOf(call));
  const started = Date.now();
  const transport = session.transport;
  let response;
  try {
    response = await until(stop, () => transport ? transport(request) : fetch(request.url, request));
  } catch (e) {
    if (!stop?.signal.aborted) call.on_network_error(describe(e));
    if (hooks) emit(hooks.response, { ...eventOf(call), status: 0, durationMs: Date.now() - started });
    return undefined;
  }
  if (response === FIRED) return undefined;
  let status;
  try {
    status = response?.status;
  } catch {}
  const fetched = !transport;
  if (fetched ? !(response instanceof Response) : !(Number.isInteger(status) && status >= 100 && status < 600)) {
    call.on_network_error(fetched ? "fetch resolved to something that is not a Response"
      : "the custom transport resolved to something without a valid `status` (it must be ResponseLike)");
    return undefined;
  }
  const header = headerOf(response);
  const failed = status < 200 || status > 299;
  const rateLimit = failed || hooks?.response ? rateLimitOf(header) : {};
  if (hooks) {
    emit(hooks.response, { ...eventOf(call), status, durationMs: Date.now() - started, retryAfter: header("retry-after"), rateLimit });
  }
  const expect = call.on_head(status, header("content-type"), header("x-arequestid"), failed ? header("retry-after") : undefined,
    rateLimit.reason, rateLimit.limit, rateLimit.remaining, rateLimit.nearLimit, rateLimit.reset);
  if (expect !== ANSWER && expect !== ERROR_COLLECTION) return undefined;
  let text;
  try {
    text = await until(stop, () => response.text());
  } catch (e) {
    if (!stop?.signal.aborted) call.on_network_error(`the body could not be read (${describe(e)})`);
    return undefined;
  }
  if (text === FIRED) return undefined;
  if (typeof text !== "string") {
    call.on_network_error("`text()` did not resolve to a string");
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
  if (expect === ERROR_COLLECTION) {
    const collection = parsed && checkErrorCollection(value) === undefined ? value : undefined;
    const errors = collection?.errors ?? {};
    call.on_error_body(markup, collection !== undefined, collection?.errorMessages ?? [], Object.keys(errors), Object.values(errors));
    return undefined;
  }
  const fault = parsed ? CHECKS[call.answer_shape()](value) : undefined;
  if (fault) call.on_checked(markup, blank, parsed, fault[0], fault[1], fault[2], fault[3]);
  else call.on_checked(markup, blank, parsed, undefined, 0, 0, 0);
  return fault ? undefined : value;
}

/** Asks the token provider, telling it which token Jira refused, if any. */
async function token(call, session, stop) {
  const context = { refused: call.refused_token(), signal: stop?.signal ?? (never ??= new AbortController().signal) };
  let value;
  try {
    value = await until(stop, () => session.getToken(context));
  } catch (e) {
    if (stop?.signal.aborted) return;
    // Its own errors (oauth2Tokens: "reauthorize", "token") pass through; of anything else, only the kind is told.
    if (e instanceof JiraWebhooksError) call.on_token_error(String(e.kind), String(e.message));
    else call.on_token_failure(nameOf(e));
    return;
  }
  if (value === FIRED) return;
  if (typeof value === "string") call.on_token(value);
  else call.on_token_failure("");
}

/** Waits what the core asked, telling the hooks; an abort or the deadline ends the wait early. */
async function sleep(call, session, stop) {
  const ms = call.sleep_ms();
  if (session.hooks) emit(session.hooks.retry, { ...eventOf(call), delayMs: ms });
  let timer;
  await until(stop, () => new Promise((resolve) => (timer = setTimeout(resolve, ms))));
  clearTimeout(timer);
}

/**
 * Runs `call` (a `CallHandle`) to its end; resolves to the parsed answer, or `undefined` (no body, or the call
 * failed: the handle holds the outcome, and `call.finish(answer)` returns it or throws it).
 */
export async function drive(call, session, signal) {
  let stop;
  try {
    stop = interrupt(signal, call.remaining_ms(Date.now()));
  } catch {
    call.on_unsupported_runtime();
    return undefined;
  }
  let answer;
  try {
    for (;;) {
      // JS runs one thing at a time: an abort or the deadline can only have come during the last await.
      if (stop?.signal.aborted) {
        if (stop.user?.aborted) call.on_abort();
        else call.on_deadline();
      }
      const action = call.poll(Date.now(), Math.random());
      if (action === SEND) answer = await send(call, session, stop);
      else if (action === SLEEP) await sleep(call, session, stop);
      else if (action === TOKEN) await token(call, session, stop);
      else {
        // A token the caller gave with `getToken` serves until Jira refuses it; then the provider is asked.
        if (call.token_refused()) session.token = undefined;
        return answer;
      }
    }
  } finally {
    stop?.dispose();
  }
}

/** Runs `call` and settles with its outcome: the answer, or the `JiraWebhooksError`. */
export async function perform(call, session, signal) {
  try {
    const answer = await drive(call, session, signal);
    return call.finish(answer);
  } finally {
    call.free();
  }
}
