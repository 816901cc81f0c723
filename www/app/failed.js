// Failed deliveries (Connect apps only): one page at a time, oldest first, and "Load newer" from the last one's
// failure time. Each press asks Jira for one page, so this calls getFailedWebhooks itself; walking every page (the
// receiver's replay, scripts/demo-receiver.mjs) is the package's `failedWebhooks()` iterator.
import { bodySummary, formatDate, fromNow, prettyBody } from "../format.js";
import { $, cell, clampSize, h, plural } from "./dom.js";
import { clearBanner, setStatus } from "./feedback.js";
import { controls, refreshControls, session, task } from "./session.js";

const f = { values: [], loaded: false, unavailable: "" };

/** A new connection: nothing loaded yet. */
export function resetFailed() {
  Object.assign(f, { values: [], loaded: false, unavailable: "" });
  setStatus("failed", "");
}

/** Loads the oldest page (`fromStart`) or the page after the last failure shown; resolves to whether it worked. */
export async function loadFailed({ fromStart, button } = {}) {
  const after = fromStart ? undefined : f.values.at(-1)?.failureTime;
  const params = { maxResults: clampSize($("failed-size").value), ...(after !== undefined && { after }) };
  const r = await task("failed", (signal) => session.client.getFailedWebhooks(params, { signal }), {
    button,
    retry: () => loadFailed({ fromStart }),
    handle: (e) => {
      if (e?.kind !== "http" || e.status !== 403) return false;
      // OAuth 2.0 apps (and plain users) cannot read failed deliveries: say so here, not as an alarm.
      f.unavailable = e.errorMessages?.[0] ?? "Only Connect apps can read failed deliveries.";
      Object.assign(f, { values: [], loaded: true });
      renderFailed();
      return true;
    },
  });
  if (!r.ok) return false;
  const values = r.value.values ?? [];
  f.values = fromStart ? values : [...f.values, ...values];
  f.loaded = true;
  f.unavailable = "";
  if (!fromStart) setStatus("failed", values.length ? `Loaded ${plural(values.length, "newer failure")}.` : "No newer failures yet. Jira adds them as deliveries fail: try again later.", values.length ? "ok" : "");
  else setStatus("failed", "");
  renderFailed();
  return true;
}

function renderFailed() {
  const { values, unavailable } = f;
  const now = Date.now();
  $("failed-body").replaceChildren(...values.map((x) => failedRow(x, now)));
  $("failed-table").hidden = values.length === 0;
  $("failed-empty").hidden = values.length > 0;
  $("failed-empty").textContent = unavailable
    ? `Not available for this caller: ${unavailable}`
    : "No failed deliveries in the last 72 hours.";
  $("failed-info").textContent = values.length ? `${plural(values.length, "failure")} shown, oldest first` : "";
  refreshControls();
}

function failedRow(x, now) {
  const summary = x.body === undefined ? null : bodySummary(x.body);
  return h("tr", { role: "row" },
    cell("Failed", "col-time",
      h("time", { datetime: new Date(x.failureTime).toISOString() }, formatDate(x.failureTime)),
      h("span", { class: "muted ago" }, fromNow(x.failureTime, now))),
    cell("ID", "", h("code", { class: "uuid" }, x.id)),
    cell("URL", "", h("code", { class: "url" }, x.url)),
    cell("Body", "col-body", x.body === undefined
      ? h("span", { class: "muted" }, "No body")
      : h("details", { class: "body" },
        h("summary", {}, summary ?? "Show the body"),
        h("pre", {}, h("code", {}, prettyBody(x.body))))),
  );
}

controls(() => {
  const connected = !!session.client;
  const busy = session.busy.failed > 0;
  $("failed-newer").disabled = !connected || busy || !f.loaded || !!f.unavailable;
  $("failed-reload").disabled = !connected || busy;
});

export function wireFailed() {
  $("failed-newer").addEventListener("click", (e) => (clearBanner(), loadFailed({ button: e.currentTarget })));
  $("failed-reload").addEventListener("click", (e) => (clearBanner(), loadFailed({ fromStart: true, button: e.currentTarget })));
  $("failed-size").addEventListener("change", (e) => (e.target.value = String(clampSize(e.target.value))));
}
