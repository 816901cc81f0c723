// OAuth 2.0 (3LO): performs what the core decides (auth::oauth's TokenManager and TokenRun, through the handles of
// src/js/oauth.rs): the requests to Atlassian's token endpoint, and the app's `load` and `save`. Nothing is decided
// here; no token, code or secret ever goes into an error or a log line.
import * as validators from "./validators.js";
import { JiraWebhooksError } from "./errors.js";

const READY = 0, JOIN = 1;
const LOAD = 0, REFRESH = 1, SAVE = 2, SLEEP = 3;

/** The kind of a thrown value (`TypeError`), never its message: it may hold a secret. */
function nameOf(e) {
  try {
    const name = e?.name;
    if (typeof name === "string" && name.length <= 40 && /^\w+$/.test(name)) return name;
  } catch {}
  return "a value";
}

/** Calls an app function; resolves to what it resolved to, or rejects with what it threw. */
function call(fn, ...args) {
  return Promise.resolve().then(() => fn(...args));
}

/** POSTs or GETs `url` within `ms`; resolves to `[status, json, retryAfter]`, status 0 when no answer came. */
async function request(url, init, ms) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    const response = await fetch(url, { ...init, signal: controller.signal });
    const text = await response.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {}
    return [response.status, json, response.headers.get("retry-after") ?? undefined];
  } catch {
    return [0, undefined, undefined];
  } finally {
    clearTimeout(timer);
  }
}

const JSON_HEADERS = { "Content-Type": "application/json", Accept: "application/json" };

/** Drives one refresh run to its end. */
async function drive(run, options) {
  for (;;) {
    switch (run.poll(Date.now(), Math.random())) {
      case LOAD: {
        try {
          const loaded = await call(options.load);
          if (loaded === null || loaded === undefined) run.on_load(null, undefined);
          else if (validators.checkStoredTokens(loaded) === undefined) run.on_load(loaded, undefined);
          else run.on_load(undefined, "load resolved to something that is not { accessToken, refreshToken, expiresAt }");
        } catch (e) {
          run.on_load(undefined, `load threw ${nameOf(e)}`);
        }
        break;
      }
      case REFRESH: {
        const [status, json, retryAfter] = await request(run.url(), { method: "POST", headers: JSON_HEADERS, body: run.request_body() },
          Math.max(1, Math.min(run.remaining_ms(Date.now()), run.timeout_ms())));
        if (status === 200 && validators.checkTokenAnswer(json) === undefined) {
          run.on_issued(json.access_token, json.refresh_token, json.expires_in);
        } else {
          run.on_refused(status === 200 ? 502 : status, typeof json?.error === "string" ? json.error : undefined, retryAfter);
        }
        break;
      }
      case SAVE: {
        try {
          const saved = await call(options.save, run.next_tokens(), run.previous());
          run.on_save(saved === true, undefined);
        } catch (e) {
          run.on_save(false, `save threw ${nameOf(e)}`);
        }
        break;
      }
      case SLEEP:
        await new Promise((resolve) => setTimeout(resolve, run.sleep_ms()));
        break;
      default:
        return;
    }
  }
}

/** `oauth2Tokens(…)`: `getToken` asks the core; a refresh in flight is shared by every caller. */
export function tokenManager(session, options) {
  let inflight;
  async function getToken(context) {
    let refused;
    try {
      refused = typeof context?.refused === "string" ? context.refused : undefined;
    } catch {}
    const begun = session.begin(Date.now(), refused);
    if (begun === READY) return session.ready_token();
    if (begun === JOIN) return inflight;
    const run = session.run();
    inflight = (async () => {
      try {
        await drive(run, options);
        return session.finish(run);
      } finally {
        run.free();
      }
    })();
    return inflight;
  }
  return { getToken };
}

/** `exchangeCode`: the authorization code for the first pair. */
export async function exchange(handle, url, body) {
  try {
    const [status, json] = await request(url, { method: "POST", headers: JSON_HEADERS, body }, handle.timeout_ms());
    if (status === 200 && validators.checkTokenAnswer(json) === undefined && typeof json.refresh_token === "string") {
      return { accessToken: json.access_token, refreshToken: json.refresh_token, expiresAt: Date.now() + json.expires_in * 1000 };
    }
    throw handle.failure("exchangeCode", status, typeof json?.error === "string" ? json.error : undefined,
      typeof json?.error_description === "string" ? json.error_description : undefined);
  } finally {
    handle.free();
  }
}

/** `accessibleResources`: the sites of a grant. */
export async function resources(handle, url, authorization) {
  try {
    const [status, json] = await request(url, { headers: { Accept: "application/json", Authorization: authorization } }, handle.timeout_ms());
    if (status === 200 && validators.checkAccessibleResources({ resources: json }) === undefined) return json;
    throw handle.failure("accessibleResources", status, typeof json?.error === "string" ? json.error : undefined, undefined);
  } finally {
    handle.free();
  }
}

export { JiraWebhooksError };
