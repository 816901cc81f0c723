// What every section shares: the connected client, the busy counts, running one call for a section (`task`),
// and enabling the controls from the state (each section registers its own part with `controls`).
import { $, refocus } from "./dom.js";
import { showError } from "./feedback.js";

export const session = {
  /** @type {import("jira-webhooks/lifecycle").JiraWebhooks | null} */
  client: null,
  /** aborts every call of the previous connection when the user connects again */
  abort: new AbortController(),
  /** /config.json: { mode: "fake", accounts, ... } or { mode: "proxy", site, auth }, or null */
  config: null,
  /**
   * The webhooks this connection's syncs registered or kept (`syncWebhooks`' `owned`): an OAuth 2.0 connection
   * matches and deletes only these, and leaves the app's other webhooks (other users') alone.
   */
  owned: [],
  /** calls under way per section (the section's id): aria-busy while > 0 */
  busy: { connection: 0, webhooks: 0, register: 0, sync: 0, deliveries: 0, failed: 0 },
};

const refreshers = [];
/** Registers how a section enables and labels its controls from the state; run by every `refreshControls()`. */
export const controls = (fn) => void refreshers.push(fn);

/** Enables and labels every control from the state. */
export function refreshControls() {
  for (const [id, n] of Object.entries(session.busy)) $(id).setAttribute("aria-busy", String(n > 0));
  for (const fn of refreshers) fn();
}

/**
 * Runs one call for a section: aria-busy on the section, its buttons disabled meanwhile (focus comes back to the
 * button afterwards), failures to the banner unless `handle(err)` deals with them. Returns { ok, value | error }.
 */
export async function task(section, fn, { button, retry, handle } = {}) {
  if (!session.client) {
    showError({ title: "Not connected", messages: ["Fill in the connection and press Connect first."], details: [] });
    return { ok: false };
  }
  const focused = document.activeElement;
  const { signal } = session.abort;
  session.busy[section]++;
  button?.classList.add("is-busy");
  refreshControls();
  try {
    return { ok: true, value: await fn(signal) };
  } catch (error) {
    if (!signal.aborted && !handle?.(error)) showError(error, retry);
    return { ok: false, error };
  } finally {
    session.busy[section]--;
    button?.classList.remove("is-busy");
    refreshControls();
    refocus(focused);
  }
}
