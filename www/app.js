// The demo admin page: every call goes through the `jira-webhooks` package, its lifecycle build (mapped to
// /pkg/lifecycle/browser.js by the import map in index.html: the five operations plus syncWebhooks). Credentials
// live in this module's memory only. The deliveries panel talks to the demo server (scripts/start.mjs), not Jira.
import { JiraWebhooks, webhookEvents } from "jira-webhooks/lifecycle";
import {
  DELIVERY_OUTCOMES, DELIVERY_SOURCES, EXPIRING_MS, bodySummary, describeError, expiry, findRegistered,
  formatDate, formatTime, fromNow, groupEvents, mayHaveRegistered, prettyBody, splitList,
} from "./format.js";

const $ = (id) => document.getElementById(id);

/** Makes an element: h("li", { class: "x", onclick: f }, "text", child). Falsy attributes and children are skipped. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (typeof v !== "string" && k in el) el[k] = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  el.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
const clampSize = (v) => Math.min(100, Math.max(1, Math.trunc(Number(v)) || 5));
const PAGE_MAX = 100;

const state = {
  /** @type {JiraWebhooks | null} */
  client: null,
  /** aborts every call of the previous connection when the user connects again */
  abort: new AbortController(),
  /** /config.json: { mode: "fake", accounts, ... } or { mode: "proxy", site, auth }, or null */
  config: null,
  busy: { webhooks: 0, register: 0, failed: 0, connection: 0, sync: 0, deliveries: 0 },
  page: { startAt: 0, size: 5, all: false, values: [], total: undefined, isLast: true, loaded: false },
  selected: new Set(),
  failed: { values: [], loaded: false, unavailable: "" },
  /** register form items: { key, li, result, created?: number } */
  hooks: [],
  /** a registration whose answer was lost, until the list shows all of it: { url, items, webhooks, error } */
  unsettled: null,
  /** the deliveries panel: entries by seq, whether the receiver fails, whether it is available at all */
  deliveries: { entries: new Map(), available: false, source: null, fromJira: false },
};

// ------------------------------------------------------------------------------------------- errors and status
let retryTimer;
/** Shows the error banner for a JiraWebhooksError (or a ready description); `retry` re-runs what failed. */
function showError(errOrDescription, retry, { tone, retryLabel = "Try again" } = {}) {
  const d = errOrDescription?.title ? errOrDescription : describeError(errOrDescription);
  if (!d) return; // an abort: nothing to say
  clearTimeout(retryTimer);
  const again = retry && h("button", { type: "button", class: "button", onclick: () => { clearBanner(); retry(); } }, retryLabel);
  if (again && d.retryAt > Date.now()) {
    again.disabled = true;
    retryTimer = setTimeout(() => (again.disabled = false), d.retryAt - Date.now());
  }
  const [first, ...rest] = d.messages;
  $("banner").replaceChildren(
    h("div", { class: `banner${d.rateLimited || tone === "warn" ? " warn" : ""}` },
      h("div", { class: "banner-body" },
        h("p", { class: "banner-title" }, d.title),
        first && h("p", { class: "banner-lead" }, first),
        rest.length > 0 && h("ul", { class: "banner-list" }, rest.map((m) => h("li", {}, m))),
        d.details?.length > 0 && h("details", { class: "banner-details" }, h("summary", {}, "Details"), h("ul", {}, d.details.map((m) => h("li", {}, m)))),
      ),
      h("div", { class: "banner-actions" },
        again,
        h("button", { type: "button", class: "button ghost", "aria-label": "Dismiss the error", onclick: clearBanner }, "Dismiss"),
      ),
    ),
  );
}
function clearBanner() {
  clearTimeout(retryTimer);
  $("banner").replaceChildren();
}
function setStatus(section, text, tone = "") {
  const el = $(`${section}-status`);
  el.textContent = text;
  el.dataset.tone = tone;
}

/** "invalid input at `url`: must be …" -> "Must be …" */
const fieldMessage = (message) => {
  const m = message.replace(/^invalid (?:config|input)(?: at)? `[^`]*`: ?/, "");
  return m.charAt(0).toUpperCase() + m.slice(1);
};
function setFieldError(inputId, message) {
  const input = $(inputId);
  input?.setAttribute("aria-invalid", "true");
  const out = $(`${inputId}-error`);
  if (out) out.textContent = message;
}
function clearFieldErrors(root) {
  for (const el of root.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const el of root.querySelectorAll(".field-error")) el.textContent = "";
}

// ------------------------------------------------------------------------------------------- busy states
/**
 * Runs one call for a section: aria-busy on the section, its buttons disabled meanwhile (focus comes back to the
 * button afterwards), failures to the banner unless `handle(err)` deals with them. Returns { ok, value | error }.
 */
async function task(section, fn, { button, retry, handle } = {}) {
  if (!state.client) {
    showError({ title: "Not connected", messages: ["Fill in the connection and press Connect first."], details: [] });
    return { ok: false };
  }
  const focused = document.activeElement;
  const { signal } = state.abort;
  state.busy[section]++;
  button?.classList.add("is-busy");
  refreshControls();
  try {
    return { ok: true, value: await fn(signal) };
  } catch (error) {
    if (!signal.aborted && !handle?.(error)) showError(error, retry);
    return { ok: false, error };
  } finally {
    state.busy[section]--;
    button?.classList.remove("is-busy");
    refreshControls();
    if (focused instanceof HTMLElement && focused.isConnected && (document.activeElement === document.body || !document.activeElement)) {
      if (!focused.disabled) focused.focus();
    }
  }
}

/** Enables and labels every control from the state. */
function refreshControls() {
  const connected = !!state.client;
  const { page, busy, failed } = state;
  const wb = connected && busy.webhooks === 0;
  for (const id of ["webhooks", "register", "failed", "sync", "deliveries"]) $(id).setAttribute("aria-busy", String(busy[id] > 0));
  $("connection").setAttribute("aria-busy", String(busy.connection > 0));
  const n = state.selected.size;
  $("refresh-selected").textContent = n ? `Refresh selected (${n})` : "Refresh selected";
  $("delete-selected").textContent = n ? `Delete selected (${n})` : "Delete selected";
  $("refresh-selected").disabled = !wb || !n;
  $("delete-selected").disabled = !wb || !n;
  $("refresh-expiring").disabled = !wb;
  $("reload").disabled = !wb;
  $("prev-page").disabled = !wb || page.all || page.startAt === 0;
  $("next-page").disabled = !wb || page.all || page.isLast;
  $("load-all").disabled = !wb || (!page.all && page.isLast && page.startAt === 0);
  $("load-all").textContent = page.all ? "Show pages" : "Load all";
  $("page-size").disabled = !wb;
  $("select-page").disabled = !wb || page.values.length === 0;
  for (const box of $("webhooks-body").querySelectorAll("input[type=checkbox]")) box.disabled = !wb;
  $("register-submit").disabled = busy.register > 0;
  $("failed-newer").disabled = !connected || busy.failed > 0 || !failed.loaded || !!failed.unavailable;
  $("failed-reload").disabled = !connected || busy.failed > 0;
  $("connect").disabled = busy.connection > 0;
  $("sync-preview").disabled = !connected || busy.sync > 0;
  $("sync-apply").disabled = !connected || busy.sync > 0;
  const d = state.deliveries;
  for (const id of ["fire", "forge", "replay", "receiver-failing"]) $(id).disabled = !d.available || busy.deliveries > 0;
  $("resend").disabled = !d.available || busy.deliveries > 0 || !d.fromJira;
}

// ------------------------------------------------------------------------------------------- connection
const CONFIG_FIELDS = {
  baseUrl: "baseUrl", cloudId: "cloudId", gatewayUrl: "gatewayUrl", apiVersion: "apiVersion",
  "auth.email": "email", "auth.apiToken": "apiToken", "auth.token": "token",
};
const radio = (name) => document.querySelector(`input[name=${name}]:checked`).value;
function setRadio(name, value) {
  for (const r of document.querySelectorAll(`input[name=${name}]`)) r.checked = r.value === value;
  syncConditionalFields();
}
/** Shows the fields that belong to the chosen target and auth type (hidden ones are disabled, so never sent). */
function syncConditionalFields() {
  for (const el of document.querySelectorAll("[data-when]")) {
    const [name, value] = el.dataset.when.split("=");
    const on = radio(name) === value;
    el.hidden = !on;
    for (const input of el.querySelectorAll("input")) input.disabled = !on;
  }
}

function readConnection() {
  const config = { apiVersion: Number($("apiVersion").value) };
  if (radio("target") === "site") config.baseUrl = $("baseUrl").value.trim();
  else {
    config.cloudId = $("cloudId").value.trim();
    const gateway = $("gatewayUrl").value.trim();
    if (gateway) config.gatewayUrl = gateway;
  }
  config.auth = radio("authType") === "basic"
    ? { type: "basic", email: $("email").value.trim(), apiToken: $("apiToken").value }
    : { type: "bearer", token: $("token").value };
  // Off: an admin page shows a rate limit at once instead of waiting behind a spinner. On: the library's policy.
  config.retry = $("retry").checked ? { retries: 3, maxDelayMs: 30_000 } : false;
  return config;
}

/** Fills the connection form from a /config.json account (fake mode) or the proxy settings. */
function fillConnection(c) {
  setRadio("target", c.cloudId ? "cloud" : "site");
  $("baseUrl").value = c.baseUrl ?? "";
  $("cloudId").value = c.cloudId ?? "";
  $("gatewayUrl").value = c.gatewayUrl ?? "";
  setRadio("authType", c.auth.type);
  $("email").value = c.auth.email ?? "";
  $("apiToken").value = c.auth.apiToken ?? "";
  $("token").value = c.auth.token ?? "";
  if (c.webhookUrl) $("hook-url").value = c.webhookUrl;
}

function setConnectionStatus(text, tone) {
  const el = $("connection-status");
  el.textContent = text;
  el.dataset.tone = tone;
}

function describeTarget(config) {
  const where = config.baseUrl ? new URL(config.baseUrl).host : `cloud ${config.cloudId.slice(0, 8)}…`;
  return `${where} · API v${config.apiVersion}`;
}

async function connect(event) {
  event?.preventDefault();
  clearBanner();
  clearFieldErrors($("connect-form"));
  const config = readConnection();
  let client;
  try {
    client = new JiraWebhooks(config);
  } catch (e) {
    if (CONFIG_FIELDS[e.path]) setFieldError(CONFIG_FIELDS[e.path], fieldMessage(e.message));
    showError(e);
    setConnectionStatus("Not connected", "off");
    $(CONFIG_FIELDS[e.path] ?? "baseUrl")?.focus();
    return;
  }
  state.abort.abort();
  state.abort = new AbortController();
  state.client = client;
  state.page = { ...state.page, startAt: 0, all: false, values: [], total: undefined, isLast: true, loaded: false };
  state.selected.clear();
  state.failed = { values: [], loaded: false, unavailable: "" };
  state.unsettled = null;
  for (const s of ["webhooks", "failed", "sync"]) setStatus(s, "");
  $("sync-outcome").hidden = true;
  setConnectionStatus("Connecting…", "busy");
  state.busy.connection++;
  refreshControls();
  const [ok] = await Promise.all([loadWebhooks(), loadFailed({ fromStart: true })]);
  state.busy.connection--;
  if (state.client === client) setConnectionStatus(ok ? `Connected · ${describeTarget(config)}` : "Connection failed", ok ? "ok" : "error");
  refreshControls();
}

// ------------------------------------------------------------------------------------------- webhooks list
const isLastPage = (page, startAt, count, max) =>
  page.isLast ?? (typeof page.total === "number" ? startAt + count >= page.total : count < max);

/** Every page, PAGE_MAX at a time. */
async function fetchAllWebhooks(signal) {
  const values = [];
  for (let startAt = 0, pages = 0; pages < 1000; pages++) {
    const page = await state.client.getDynamicWebhooksForApp({ startAt, maxResults: PAGE_MAX }, { signal });
    const got = page.values ?? [];
    values.push(...got);
    if (!got.length || isLastPage(page, startAt, got.length, PAGE_MAX)) break;
    startAt += got.length;
  }
  return { values, total: values.length, isLast: true };
}

async function loadWebhooks(button) {
  const p = state.page;
  const r = await task("webhooks", (signal) =>
    p.all ? fetchAllWebhooks(signal) : state.client.getDynamicWebhooksForApp({ startAt: p.startAt, maxResults: p.size }, { signal }),
  { button, retry: () => loadWebhooks() });
  if (!r.ok) return false;
  const page = r.value;
  const values = page.values ?? [];
  if (!p.all && !values.length && p.startAt > 0) {
    // The page emptied (e.g. after deletes): step back to the last one that has webhooks.
    p.startAt = typeof page.total === "number" && page.total > 0 ? Math.floor((page.total - 1) / p.size) * p.size : 0;
    return loadWebhooks(button);
  }
  Object.assign(p, { values, total: page.total, isLast: p.all || isLastPage(page, p.startAt, values.length, p.size), loaded: true });
  renderWebhooks();
  return true;
}

function renderWebhooks() {
  const { values, startAt, all, total } = state.page;
  const now = Date.now();
  $("webhooks-body").replaceChildren(...values.map((w) => webhookRow(w, now)));
  $("webhooks-empty").hidden = values.length > 0;
  $("webhooks-empty").textContent = "This app has no webhooks registered.";
  $("webhooks-table").hidden = values.length === 0;
  const totalText = typeof total === "number" ? ` of ${total}` : "";
  $("page-info").textContent = !values.length ? "" : all ? `All ${plural(values.length, "webhook")}` : `${startAt + 1}–${startAt + values.length}${totalText}`;
  const urls = [...new Set(values.map((w) => w.url).filter(Boolean))];
  $("webhooks-url").replaceChildren(...(urls.length ? ["Delivered to ", ...urls.flatMap((u, i) => [i ? ", " : "", h("code", {}, u)])] : []));
  if (urls.length && !$("hook-url").value) $("hook-url").value = urls[0];
  syncSelectPage();
  refreshControls();
}

function webhookRow(w, now) {
  const ex = expiry(w.expirationDate, now);
  const select = h("input", {
    type: "checkbox", "aria-label": `Select webhook ${w.id}`, checked: state.selected.has(w.id),
    onchange: (e) => {
      e.target.checked ? state.selected.add(w.id) : state.selected.delete(w.id);
      syncSelectPage();
      refreshControls();
    },
  });
  const chips = (items) => h("ul", { class: "chips" }, items.map((x) => h("li", {}, h("code", {}, x))));
  const filters = [
    w.fieldIdsFilter?.length && h("div", { class: "filter" }, h("span", { class: "filter-label" }, "Fields"), chips(w.fieldIdsFilter)),
    w.issuePropertyKeysFilter?.length && h("div", { class: "filter" }, h("span", { class: "filter-label" }, "Properties"), chips(w.issuePropertyKeysFilter)),
  ].filter(Boolean);
  const cell = (label, cls, ...content) => h("td", { role: "cell", "data-label": label, class: cls }, h("div", { class: "cell" }, ...content));
  return h("tr", { role: "row", class: ex.soon ? "expiring" : "", "data-id": String(w.id) },
    cell("Select", "col-select", select),
    cell("ID", "col-id", h("span", { class: "id" }, String(w.id))),
    cell("Events", "", chips(w.events)),
    cell("JQL filter", "", h("code", { class: "jql" }, w.jqlFilter)),
    cell("Filters", "", filters.length ? filters : h("span", { class: "muted" }, "None")),
    cell("Expires", "col-expiry",
      h("span", { class: `expiry${ex.soon ? " soon" : ""}${ex.expired ? " expired" : ""}` },
        ex.soon && h("span", { class: "expiry-icon", "aria-hidden": "true" }, "⚠"),
        ex.soon && h("span", { class: "visually-hidden" }, "Expiring soon: "),
        ex.text),
      typeof w.expirationDate === "number" && h("time", { class: "expiry-date", datetime: new Date(w.expirationDate).toISOString() }, formatDate(w.expirationDate)),
    ),
  );
}

function syncSelectPage() {
  const ids = state.page.values.map((w) => w.id);
  const chosen = ids.filter((id) => state.selected.has(id)).length;
  const all = $("select-page");
  all.checked = ids.length > 0 && chosen === ids.length;
  all.indeterminate = chosen > 0 && chosen < ids.length;
}

/** refreshWebhooks in batches of PAGE_MAX; resolves to the last expirationDate. */
async function refreshIds(ids, signal) {
  let result;
  for (let i = 0; i < ids.length; i += PAGE_MAX) result = await state.client.refreshWebhooks({ webhookIds: ids.slice(i, i + PAGE_MAX) }, { signal });
  return result;
}
const idList = (ids) => ids.join(", ");

async function refreshSelected(button) {
  clearBanner();
  const ids = [...state.selected].sort((a, b) => a - b);
  const r = await task("webhooks", (signal) => refreshIds(ids, signal), { button, retry: () => refreshSelected() });
  if (!r.ok) return;
  state.selected.clear();
  setStatus("webhooks", `Refreshed ${plural(ids.length, "webhook")} (${idList(ids)}): ${ids.length === 1 ? "it expires" : "they expire"} ${formatDate(r.value.expirationDate)}.`, "ok");
  await loadWebhooks();
}

async function refreshExpiring(button) {
  clearBanner();
  const r = await task("webhooks", async (signal) => {
    const { values } = await fetchAllWebhooks(signal);
    const ids = values.filter((w) => typeof w.expirationDate === "number" && w.expirationDate - Date.now() < EXPIRING_MS).map((w) => w.id);
    return { ids, result: ids.length ? await refreshIds(ids, signal) : null };
  }, { button, retry: () => refreshExpiring() });
  if (!r.ok) return;
  const { ids, result } = r.value;
  if (!ids.length) return setStatus("webhooks", "No webhook expires within 7 days: nothing to refresh.", "");
  setStatus("webhooks", `Refreshed ${plural(ids.length, "webhook")} expiring within 7 days (${idList(ids)}): ${ids.length === 1 ? "it expires" : "they expire"} ${formatDate(result.expirationDate)}.`, "ok");
  await loadWebhooks();
}

/** The in-page confirmation: resolves true when the user confirms. `known` describes the ids. */
function confirmDialog({ title, text, ok, ids, known }) {
  const dialog = $("confirm-dialog");
  $("confirm-title").textContent = title;
  $("confirm-ok").textContent = ok;
  $("confirm-text").textContent = text;
  $("confirm-list").replaceChildren(...ids.map((id) => h("li", {},
    h("strong", {}, String(id)),
    known.get(id) && h("span", { class: "muted" }, ` ${known.get(id).events.join(", ")} · `, h("code", {}, known.get(id).jqlFilter)))));
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true }));
}
const confirmDelete = (ids) => confirmDialog({
  title: `Delete ${plural(ids.length, "webhook")}?`,
  ok: `Delete ${plural(ids.length, "webhook")}`,
  text: `Jira stops sending ${ids.length === 1 ? "it" : "them"} at once. This cannot be undone.`,
  ids,
  known: new Map(state.page.values.map((w) => [w.id, w])),
});

async function deleteSelected(button) {
  clearBanner();
  const ids = [...state.selected].sort((a, b) => a - b);
  if (!ids.length) return;
  if (!(await confirmDelete(ids))) {
    setStatus("webhooks", "Nothing deleted.", "");
    button.focus();
    return;
  }
  const r = await task("webhooks", (signal) => state.client.deleteWebhookById({ webhookIds: ids }, { signal }), { button, retry: () => deleteSelected(button) });
  if (!r.ok) return button.focus();
  for (const id of ids) state.selected.delete(id);
  setStatus("webhooks", `Deleted ${plural(ids.length, "webhook")} (${idList(ids)}).`, "ok");
  await loadWebhooks();
  $("webhooks-title").focus();
}

// ------------------------------------------------------------------------------------------- register form
let hookSeq = 0;
const JQL_HINT = [
  "Supported: fields ", ["issueKey", "project", "issuetype", "status", "assignee", "reporter", "issue.property[…]", "cf[id]"],
  "; operators ", ["=", "!=", "IN", "NOT IN"], "; AND, OR and parentheses.",
];
const codeList = (items) => items.flatMap((x, i) => [i ? ", " : "", h("code", {}, x)]);

function addHook({ focus = false } = {}) {
  const key = `hook-${++hookSeq}`;
  const groups = groupEvents(webhookEvents()).map((g, i) =>
    h("div", { class: "event-group", role: "group", "aria-labelledby": `${key}-g${i}` },
      h("p", { class: "event-group-title", id: `${key}-g${i}` }, g.label),
      h("div", { class: "event-grid" }, g.events.map((e) =>
        h("label", { class: "check" }, h("input", { type: "checkbox", name: `${key}-events`, value: e }), h("code", {}, e)))),
    ));
  const result = h("div", { class: "hook-result", id: `${key}-result`, tabindex: "-1", hidden: true });
  const item = { key, result, created: undefined };
  const li = h("li", { class: "hook", id: key },
    h("fieldset", { class: "hook-fieldset", "aria-describedby": `${key}-result` },
      h("legend", { class: "hook-legend" }, "Webhook"),
      result,
      h("fieldset", { class: "events", id: `${key}-events`, "aria-describedby": `${key}-events-error` },
        h("legend", {}, "Events"),
        h("p", { class: "field-error", id: `${key}-events-error` }),
        groups),
      h("div", { class: "field" },
        h("label", { for: `${key}-jql` }, "JQL filter"),
        h("textarea", { id: `${key}-jql`, rows: "2", spellcheck: "false", placeholder: "project = DEMO AND issuetype IN (Bug, Task)", "aria-describedby": `${key}-jql-hint ${key}-jql-error` }),
        h("p", { class: "hint", id: `${key}-jql-hint` }, JQL_HINT.map((part) => (Array.isArray(part) ? codeList(part) : part))),
        h("p", { class: "field-error", id: `${key}-jql-error` })),
      h("div", { class: "field-row" },
        h("div", { class: "field" },
          h("label", { for: `${key}-fields` }, "Field IDs filter ", h("span", { class: "optional" }, "(optional)")),
          h("input", { id: `${key}-fields`, spellcheck: "false", autocomplete: "off", placeholder: "e.g. summary, customfield_10010", "aria-describedby": `${key}-fields-hint ${key}-fields-error` }),
          h("p", { class: "hint", id: `${key}-fields-hint` }, "Comma-separated; for ", h("code", {}, "jira:issue_updated"), "."),
          h("p", { class: "field-error", id: `${key}-fields-error` })),
        h("div", { class: "field" },
          h("label", { for: `${key}-props` }, "Issue property keys filter ", h("span", { class: "optional" }, "(optional)")),
          h("input", { id: `${key}-props`, spellcheck: "false", autocomplete: "off", placeholder: "e.g. my-property-key", "aria-describedby": `${key}-props-hint ${key}-props-error` }),
          h("p", { class: "hint", id: `${key}-props-hint` }, "Comma-separated; for ", h("code", {}, "issue_property_*"), "."),
          h("p", { class: "field-error", id: `${key}-props-error` }))),
      h("div", { class: "hook-actions" },
        h("button", { type: "button", class: "button ghost small remove-hook", onclick: () => removeHook(item) }, "Remove from form")),
    ));
  item.li = li;
  state.hooks.push(item);
  $("hook-list").append(li);
  renumberHooks();
  if (focus) li.querySelector("input[type=checkbox]").focus();
}

function removeHook(item) {
  const i = state.hooks.indexOf(item);
  state.hooks.splice(i, 1);
  item.li.remove();
  renumberHooks();
  (state.hooks[i] ?? state.hooks[i - 1])?.li.querySelector("input, textarea")?.focus();
}

function renumberHooks() {
  state.hooks.forEach((item, i) => {
    item.li.querySelector(".hook-legend").textContent = `Webhook ${i + 1}`;
    item.li.querySelector(".remove-hook").setAttribute("aria-label", `Remove from form: webhook ${i + 1}`);
    item.li.querySelector(".remove-hook").hidden = state.hooks.length === 1;
  });
}

function readHook(item) {
  const k = item.key;
  const w = {
    events: [...item.li.querySelectorAll(`input[name="${k}-events"]:checked`)].map((x) => x.value),
    jqlFilter: $(`${k}-jql`).value.trim(),
  };
  const fields = splitList($(`${k}-fields`).value);
  const props = splitList($(`${k}-props`).value);
  if (fields.length) w.fieldIdsFilter = fields;
  if (props.length) w.issuePropertyKeysFilter = props;
  return w;
}

function showHookResult(item, result, { found = false } = {}) {
  const box = item.result;
  box.hidden = false;
  if (result?.createdWebhookId !== undefined) {
    item.created = result.createdWebhookId;
    box.className = "hook-result ok";
    box.replaceChildren(...(found
      ? [h("strong", {}, "Present"), ` as webhook ${result.createdWebhookId}: found in the list after Jira's answer was lost.`]
      : [h("strong", {}, "Registered"), ` as webhook ${result.createdWebhookId}.`]));
    // The form part collapses to a one-line summary; it is no longer sent.
    const w = readHook(item);
    box.after(h("p", { class: "hook-summary" }, w.events.join(", "), " · ", h("code", {}, w.jqlFilter)));
    item.li.classList.add("is-created");
    for (const input of item.li.querySelectorAll("input, textarea")) input.disabled = true;
  } else {
    const errors = result?.errors?.length ? result.errors : ["Jira gave no result for this webhook."];
    box.className = "hook-result error";
    box.replaceChildren(h("strong", {}, "Not registered:"), h("ul", {}, errors.map((e) => h("li", {}, e))));
    if (errors.some((e) => /clause|jql|field|operator|value/i.test(e))) $(`${item.key}-jql`).setAttribute("aria-invalid", "true");
  }
}

/** Maps an invalid-input path (`webhooks[1].jqlFilter`, `url`) to the form field it belongs to. */
function fieldForPath(path, pending) {
  if (path === "url") return "hook-url";
  const m = /^webhooks\[(\d+)\]\.(\w+)/.exec(path ?? "");
  const item = m && pending[Number(m[1])];
  if (!item) return null;
  return { events: `${item.key}-events`, jqlFilter: `${item.key}-jql`, fieldIdsFilter: `${item.key}-fields`, issuePropertyKeysFilter: `${item.key}-props` }[m[2]] ?? `${item.key}-events`;
}

async function register(event) {
  event.preventDefault();
  clearBanner();
  clearFieldErrors($("register-form"));
  setStatus("register", "");
  // After a lost answer, every Register reads the list first: what Jira applied meanwhile is never sent again.
  if (state.unsettled && !(await settleRegistration({ beforeSending: true }))) return;
  const pending = state.hooks.filter((x) => !x.created);
  if (!pending.length) return setStatus("register", "Every webhook in this form is registered. Add another webhook, or clear the form.", "");
  const url = $("hook-url").value.trim();
  // The library checks that the URL is there; whether it is an absolute http(s) URL is checked here.
  let urlOk = true;
  try {
    urlOk = /^https?:$/.test(new URL(url).protocol);
  } catch {
    urlOk = url === ""; // empty: let the library say so, with its path
  }
  if (!urlOk) {
    setFieldError("hook-url", "Enter an absolute URL, e.g. https://your-app.example.com/webhook-received.");
    return $("hook-url").focus();
  }
  for (const item of pending) {
    item.result.hidden = true;
    item.result.replaceChildren();
  }
  const details = { url, webhooks: pending.map(readHook) };
  let lost = null;
  const r = await task("register", (signal) => state.client.registerDynamicWebhooks(details, { signal }), {
    button: $("register-submit"),
    retry: () => $("register-form").requestSubmit(),
    handle: (e) => {
      // The answer was lost (or a gateway gave up): Jira may have registered them. No "Try again" here.
      if (mayHaveRegistered(e)) return (lost = e), true;
      const field = e?.kind === "invalid-input" && fieldForPath(e.path, pending);
      if (!field) return false;
      setFieldError(field, fieldMessage(e.message));
      setStatus("register", "Nothing was sent: fix the highlighted field.", "error");
      ($(field).matches("fieldset") ? $(field).querySelector("input") : $(field)).focus();
      return true;
    },
  });
  if (lost) {
    state.unsettled = { url, items: pending, webhooks: details.webhooks, error: lost };
    return settleRegistration();
  }
  state.unsettled = null; // a definite answer
  if (!r.ok) return;
  const results = r.value.webhookRegistrationResult ?? [];
  pending.forEach((item, i) => showHookResult(item, results[i]));
  const created = pending.filter((x) => x.created !== undefined);
  const failed = pending.filter((x) => x.created === undefined);
  setStatus("register",
    failed.length
      ? `${created.length} of ${plural(pending.length, "webhook")} registered; ${failed.length} not: see the error next to ${failed.length === 1 ? "it" : "each"}.`
      : `Registered ${plural(created.length, "webhook")} (${idList(created.map((x) => x.created))}).`,
    failed.length ? "error" : "ok");
  if (failed.length) failed[0].result.focus();
  if (created.length) await loadWebhooks();
}

/**
 * A registration's answer was lost (state.unsettled): reads the whole list and marks the requested webhooks it has
 * as present, so they are never sent again. Right after the failure it says what exists in the banner, which
 * offers no "Try again"; as long as some are missing (a request that timed out may still be applied), the next
 * Register calls it again first (`beforeSending`) and sends only what is still missing. Resolves to whether the
 * list was read and something is left to send.
 */
async function settleRegistration({ beforeSending = false } = {}) {
  const u = state.unsettled;
  const cause = describeError(u.error);
  const lead = "Jira may have registered the webhooks before the answer was lost, so the page did not send them again: it read the list instead.";
  setStatus("register", "Reading the list to see what Jira has…", "");
  const r = await task("register", (signal) => fetchAllWebhooks(signal), {
    button: $("register-submit"),
    handle: (e) => {
      const d = describeError(e);
      if (!d) return true;
      showError({ title: `${cause.title}, and the list could not be read`, messages: [lead.replace("it read the list instead", "it reads the list first"), `Reading the list failed: ${d.title}. Nothing is registered until it has been read.`], details: [...cause.details, ...d.details] },
        () => settleRegistration(), { tone: "warn", retryLabel: "Read the list again" });
      setStatus("register", "The list could not be read, so nothing was sent again.", "error");
      return true;
    },
  });
  if (!r.ok) return false;
  const ids = findRegistered(u.webhooks, r.value.values, u.url);
  const name = (i) => u.items[i].li.querySelector(".hook-legend").textContent.toLowerCase();
  const present = [];
  const missing = [];
  u.items.forEach((item, i) => {
    if (!item.li.isConnected || (item.created !== undefined && ids[i] === null)) return; // removed, or settled before
    if (ids[i] !== null) {
      if (item.created === undefined) showHookResult(item, { createdWebhookId: ids[i] }, { found: true });
      present.push(`${name(i)} as ${ids[i]}`);
      return;
    }
    missing.push(name(i));
    item.result.hidden = false;
    item.result.className = "hook-result warn";
    item.result.replaceChildren(h("strong", {}, "Not in the list:"), " Register reads the list again first and sends it only if it is still missing.");
  });
  if (!missing.length) state.unsettled = null;
  const n = present.length + missing.length;
  if (beforeSending) {
    // Sent now (the list was read a moment ago): what is still missing, and whatever else the form holds.
    if (missing.length || state.hooks.some((x) => x.created === undefined)) return true;
    setStatus("register", `Read the list first: ${n === 1 ? "the webhook is" : `all ${n} webhooks are`} there now (${present.join(", ")}). Nothing was sent.`, "ok");
    await loadWebhooks();
    return false;
  }
  const summary = !missing.length
    ? `${n === 1 ? "The requested webhook is" : `All ${n} requested webhooks are`} there: ${present.join(", ")}.`
    : !present.length
      ? `${n === 1 ? "The requested webhook is not there" : `None of the ${n} requested webhooks is there`} yet. Register reads the list again first, then sends only what is still missing.`
      : `There: ${present.join(", ")}. Not there yet: ${missing.join(", ")}; Register reads the list again first, then sends only what is still missing.`;
  const said = [...(u.error.errorMessages ?? []), ...Object.values(u.error.errors ?? {})]; // Jira's (or a gateway's) words
  showError({ title: `${cause.title}: the list shows what exists`, messages: [lead, summary], details: [...said, ...cause.details] }, undefined, { tone: "warn" });
  setStatus("register", summary, missing.length ? "error" : "ok");
  await loadWebhooks();
  u.items.find((item) => item.li.isConnected)?.result.focus();
  return missing.length > 0;
}

function clearRegisterForm() {
  for (const item of state.hooks) item.li.remove();
  state.hooks = [];
  clearFieldErrors($("register-form"));
  setStatus("register", "");
  addHook({ focus: true });
}

// ------------------------------------------------------------------------------------------- sync
/** The example desired set, delivered to `url`: one webhook per line, so it reads like the list above. */
const syncExample = (url) => `{
  "url": ${JSON.stringify(url)},
  "webhooks": [
    { "events": ["jira:issue_created", "jira:issue_updated"], "jqlFilter": "project = DEMO" },
    { "events": ["comment_created"], "jqlFilter": "project IN (DEMO, OPS)" }
  ],
  "refreshWithinDays": 7
}`;
/** Where the example sends the webhooks: this demo's receiver (fake mode), else a placeholder for the app's URL. */
const exampleUrl = () => state.config?.receiverUrl ?? "https://your-app.example.com/webhook-received";

/** The textarea's desired set, or null (the error is shown next to it). The library checks the rest. */
function readDesired() {
  clearFieldErrors($("sync-form"));
  const fail = (message) => {
    setFieldError("sync-desired", message);
    setStatus("sync", "Nothing was sent: fix the desired set.", "error");
    $("sync-desired").focus();
    return null;
  };
  let desired;
  try {
    desired = JSON.parse($("sync-desired").value);
  } catch (e) {
    return fail(`Not valid JSON: ${e.message}.`);
  }
  if (!desired || typeof desired !== "object" || Array.isArray(desired)) return fail('Expected an object: { "url": …, "webhooks": [ … ] }.');
  return desired;
}

/** The library refused the desired set before sending anything: say where, next to the textarea. */
function syncInputError(e) {
  if (e?.kind !== "invalid-input") return false;
  setFieldError("sync-desired", `${e.path ? `At ${e.path}: ` : ""}${fieldMessage(e.message)}`);
  setStatus("sync", "Nothing was sent: fix the desired set.", "error");
  $("sync-desired").focus();
  return true;
}

/** A dry run, and every webhook listed (to describe the plan's ids). */
async function planSync(desired, signal) {
  const result = await state.client.syncWebhooks({ ...desired, dryRun: true }, { signal });
  const { values } = await fetchAllWebhooks(signal);
  return { result, known: new Map(values.map((w) => [w.id, w])) };
}

const planWords = (p) => `register ${p.register.length}, delete ${p.delete.length}, refresh ${p.refresh.length}, keep ${p.keep.length}`;
const changes = (p) => p.register.length + p.delete.length + p.refresh.length > 0;

async function previewSync(button) {
  clearBanner();
  setStatus("sync", "");
  const desired = readDesired();
  if (!desired) return;
  const r = await task("sync", (signal) => planSync(desired, signal), { button, retry: () => previewSync(), handle: syncInputError });
  if (!r.ok) return;
  const { plan } = r.value.result;
  renderSync(r.value.result, r.value.known);
  setStatus("sync", changes(plan)
    ? `Dry run, nothing was changed. Apply would ${planWords(plan)}.`
    : `Dry run: nothing to change, Jira has exactly these webhooks (${plural(plan.keep.length, "webhook")} kept).`, "");
}

/**
 * Apply: a dry run first, so that what it deletes is confirmed (like any delete on this page), then the sync
 * itself. The sync plans again from the list; a webhook registered meanwhile by someone else would be deleted too.
 */
async function applySync(button) {
  clearBanner();
  setStatus("sync", "");
  const desired = readDesired();
  if (!desired) return;
  const pre = await task("sync", (signal) => planSync(desired, signal), { button, retry: () => applySync(button), handle: syncInputError });
  if (!pre.ok) return;
  const { result: dry, known } = pre.value;
  const doomed = dry.plan.delete;
  if (doomed.length) {
    const confirmed = await confirmDialog({
      title: `Apply the sync: delete ${plural(doomed.length, "webhook")}?`,
      ok: `Apply and delete ${doomed.length}`,
      text: `${doomed.length === 1 ? "It is" : "They are"} not in the desired set; Jira stops sending ${doomed.length === 1 ? "it" : "them"} at once. The sync also registers ${dry.plan.register.length} and refreshes ${dry.plan.refresh.length}.`,
      ids: doomed,
      known,
    });
    if (!confirmed) {
      setStatus("sync", "Nothing applied.", "");
      button.focus();
      return;
    }
  }
  const r = await task("sync", (signal) => state.client.syncWebhooks({ ...desired, dryRun: false }, { signal }), { button, retry: () => applySync(button), handle: syncInputError });
  if (!r.ok) return;
  const result = r.value;
  renderSync(result, known);
  const ids = (list) => (list.length ? ` (${idList(list)})` : "");
  const created = result.created.map((c) => c.id);
  const refused = result.failed.length ? ` Jira refused ${plural(result.failed.length, "webhook")}: see why below.` : "";
  setStatus("sync",
    !created.length && !result.deleted.length && !result.refreshed.length && !result.failed.length
      ? `Nothing to change: Jira already has exactly these webhooks (${plural(result.plan.keep.length, "webhook")} kept).`
      : `Applied: registered ${created.length}${ids(created)}, deleted ${result.deleted.length}${ids(result.deleted)}, refreshed ${result.refreshed.length}${ids(result.refreshed)}${result.expirationDate ? ` until ${formatDate(result.expirationDate)}` : ""}; kept ${result.plan.keep.length}.${refused}`,
    result.failed.length ? "error" : "ok");
  await loadWebhooks();
  // Like the register form: the focus goes to what Jira refused.
  if (result.failed.length) $("sync-outcome").querySelector(".plan-refused").focus();
}

/** The plan (dry run) or what was done, in four groups, plus Jira's refusals. */
function renderSync(result, known) {
  const p = result.plan;
  const webhook = (w) => h("span", { class: "plan-webhook" }, (w.events ?? []).join(", "), " · ", h("code", {}, w.jqlFilter));
  const byId = (id) => h("li", {}, h("strong", {}, String(id)), " ", known.get(id) ? webhook(known.get(id)) : h("span", { class: "muted" }, "(no longer listed)"));
  const group = (key, title, items) =>
    h("section", { class: "plan-group", "data-group": key, "aria-label": `${title}: ${items.length}` },
      h("h3", {}, title, h("span", { class: "count" }, String(items.length))),
      items.length ? h("ul", {}, items) : h("p", { class: "muted" }, "None"));
  const groups = result.applied
    ? [
      group("created", "Registered", result.created.map((c) => h("li", {}, h("strong", {}, String(c.id)), " ", webhook(c.webhook)))),
      group("deleted", "Deleted", result.deleted.map(byId)),
      group("refreshed", "Refreshed", result.refreshed.map(byId)),
      group("keep", "Kept", p.keep.map(byId)),
    ]
    : [
      group("register", "Register", p.register.map((w) => h("li", {}, webhook(w)))),
      group("delete", "Delete", p.delete.map(byId)),
      group("refresh", "Refresh", p.refresh.map(byId)),
      group("keep", "Keep", p.keep.map(byId)),
    ];
  const refused = result.failed.length > 0 && h("section", { class: "plan-refused", "data-group": "failed", tabindex: "-1" },
    h("h3", {}, "Refused by Jira"),
    h("ul", {}, result.failed.map((f) => h("li", {}, webhook(f.webhook), h("ul", { class: "reasons" }, f.errors.map((e) => h("li", {}, e)))))));
  const box = $("sync-outcome");
  box.replaceChildren(
    h("p", { class: "sync-outcome-title" }, result.applied ? "Applied" : "Plan", h("span", { class: "muted" }, result.applied ? " · what the sync did" : " · dry run, nothing was changed")),
    h("div", { class: "plan" }, groups),
    ...(refused ? [refused] : []),
  );
  box.dataset.applied = String(result.applied);
  box.hidden = false;
}

// ------------------------------------------------------------------------------------------- deliveries
const DELIVERIES_MAX = 200;

/** Fake mode: follows the demo receiver's log (Server-Sent Events). Elsewhere the panel says why it is inert. */
function startDeliveries(config) {
  const d = state.deliveries;
  if (config?.mode !== "fake" || !config.receiverUrl) {
    d.available = false;
    setLive("Not available", "off");
    $("deliveries-unavailable").textContent = config?.mode === "proxy"
      ? `Deliveries need a public URL. Jira Cloud sends webhooks over the internet, and this server listens on ${location.host} only: run createWebhookHandler (jira-webhooks/lifecycle) at your app's public HTTPS address and put that URL in the sync panel.`
      : "Deliveries need the demo server (npm start): it runs the receiver the fake Jira delivers to.";
    $("deliveries-unavailable").hidden = false;
    $("deliveries-empty").hidden = true;
    refreshControls();
    return;
  }
  d.available = true;
  $("deliveries-sub").replaceChildren("The fake Jira delivers to ", h("code", {}, config.receiverUrl),
    " once the sync panel has registered it. ", h("code", {}, "createWebhookHandler"),
    " verifies each delivery's Connect JWT and drops the ones it has already processed.");
  $("deliveries-controls").hidden = false;
  const source = new EventSource("/_demo/deliveries");
  d.source = source;
  source.addEventListener("open", () => setLive("Listening", "ok"));
  source.addEventListener("error", () => setLive(source.readyState === EventSource.CLOSED ? "Stopped" : "Reconnecting…", "busy"));
  source.addEventListener("reset", (e) => {
    const data = JSON.parse(e.data);
    d.entries.clear();
    d.fromJira = false;
    $("receiver-failing").checked = data.failing;
    $("deliveries-body").replaceChildren();
    renderDeliveriesState();
  });
  source.addEventListener("state", (e) => ($("receiver-failing").checked = JSON.parse(e.data).failing));
  source.addEventListener("delivery", (e) => {
    const entry = JSON.parse(e.data);
    if (d.entries.has(entry.seq)) return;
    d.entries.set(entry.seq, entry);
    if (entry.source === "jira") d.fromJira = true;
    const body = $("deliveries-body");
    body.prepend(deliveryRow(entry));
    while (body.rows.length > DELIVERIES_MAX) body.lastElementChild.remove();
    $("deliveries-announce").textContent = `${outcomeLabel(entry)}: ${entry.event ?? "delivery"} ${entry.id ?? ""}`.trim();
    renderDeliveriesState();
  });
  refreshControls();
}

function setLive(text, tone) {
  $("deliveries-live").textContent = text;
  $("deliveries-live").dataset.tone = tone;
}

function renderDeliveriesState() {
  const any = $("deliveries-body").rows.length > 0;
  $("deliveries-table").hidden = !any;
  $("deliveries-empty").hidden = any;
  refreshControls();
}

function outcomeLabel(e) {
  const label = DELIVERY_OUTCOMES[e.outcome]?.label ?? e.outcome;
  return e.outcome === "failed" && e.status ? `${label} (${e.status})` : label;
}

function deliveryRow(e) {
  const cell = (label, cls, ...content) => h("td", { role: "cell", "data-label": label, class: cls }, h("div", { class: "cell" }, ...content));
  const none = () => h("span", { class: "muted" }, "—");
  const reason = e.reason && e.reason.charAt(0).toUpperCase() + e.reason.slice(1);
  const note = [DELIVERY_SOURCES[e.source], reason].filter(Boolean).join(" ");
  return h("tr", { role: "row", "data-seq": String(e.seq), "data-outcome": e.outcome, "data-source": e.source },
    cell("Received", "col-time", h("time", { datetime: new Date(e.time).toISOString() }, formatTime(e.time))),
    cell("Outcome", "col-outcome", h("span", { class: "badge", "data-tone": DELIVERY_OUTCOMES[e.outcome]?.tone ?? "muted" }, outcomeLabel(e))),
    cell("Delivery", "col-delivery", e.id ? h("code", { class: "uuid" }, e.id) : none()),
    cell("Event", "", e.event ? [h("code", {}, e.event), e.issueKey && h("span", { class: "muted" }, ` · ${e.issueKey}`)] : none()),
    cell("Retry", "col-retry", e.retry === undefined ? none() : String(e.retry)),
    cell("Matched", "", e.matchedWebhookIds?.length ? e.matchedWebhookIds.join(", ") : none()),
    cell("Note", "col-note", note || none()),
  );
}

/** A POST to the demo server (not Jira): JSON in and out, failures to the banner; null when it failed. */
async function demoCall(path, body, button) {
  const focused = document.activeElement;
  state.busy.deliveries++;
  button?.classList.add("is-busy");
  refreshControls();
  try {
    const res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body ?? {}) });
    const value = await res.json().catch(() => ({}));
    if (!res.ok) {
      showError({ title: "The demo server could not do that", messages: [value.error ?? `HTTP ${res.status}`], details: [`${path}: HTTP ${res.status}`] });
      return null;
    }
    return value;
  } catch (e) {
    showError({ title: "Could not reach the demo server", messages: ["Is npm start still running?"], details: [String(e?.message ?? e)] });
    return null;
  } finally {
    state.busy.deliveries--;
    button?.classList.remove("is-busy");
    refreshControls();
    if (focused instanceof HTMLElement && focused.isConnected && !focused.disabled && (document.activeElement === document.body || !document.activeElement)) focused.focus();
  }
}

async function fireEvent(event) {
  event.preventDefault();
  clearBanner();
  const name = $("fire-event").value;
  const r = await demoCall("/_demo/fire", { event: name, project: $("fire-project").value }, $("fire"));
  if (!r) return;
  if (!r.deliveries.length) {
    return setStatus("deliveries", `Jira emitted ${name} on ${r.issueKey}; no webhook matched it, so nothing was delivered. Apply the sync panel first: it registers this receiver.`, "");
  }
  const elsewhere = r.deliveries.filter((d) => d.url !== r.receiverUrl);
  const parts = r.deliveries.map((d) => `delivery ${d.id} to ${d.url === r.receiverUrl ? "this receiver" : d.url} (webhook${d.matchedWebhookIds.length === 1 ? "" : "s"} ${d.matchedWebhookIds.join(", ")})`);
  setStatus("deliveries",
    `Jira emitted ${name} on ${r.issueKey}: ${parts.join("; ")}.` +
      (elsewhere.length ? " Jira delivers to the URL of the app's latest registration; that is not this receiver, so it fails there and, after the retries, joins the failed deliveries. Apply the sync panel to register the receiver." : ""),
    elsewhere.length ? "error" : "ok");
}

async function toggleFailing(e) {
  clearBanner();
  const on = e.currentTarget.checked;
  const r = await demoCall("/_demo/receiver", { failing: on }, null);
  if (!r) return void ($("receiver-failing").checked = !on);
  setStatus("deliveries", r.failing
    ? "The handler now throws: the receiver answers 500 and Jira retries. Untick it before the last retry to see the delivery go through."
    : "The handler succeeds again.", r.failing ? "error" : "");
}

async function resendLast(button) {
  clearBanner();
  const r = await demoCall("/_demo/resend", {}, button);
  if (r) setStatus("deliveries", `Sent the last delivery from Jira again, identifier and all; the receiver answered ${r.status}.`, "");
}

async function forgeDelivery(button) {
  clearBanner();
  const r = await demoCall("/_demo/forge", {}, button);
  if (r) setStatus("deliveries", `Sent a delivery signed with another secret; the receiver answered ${r.status}.`, "");
}

async function replayFailed(button) {
  clearBanner();
  const r = await demoCall("/_demo/replay", {}, button);
  if (!r) return;
  const total = r.replayed + r.skipped + r.noBody + r.failed;
  setStatus("deliveries", !total
    ? "Jira lists no failed deliveries: nothing to replay."
    : `Replayed ${total === 1 ? "the failed delivery" : `the ${total} failed deliveries`} Jira lists: ${r.replayed} handled, ${r.skipped} already processed (skipped), ${r.noBody} without a body${r.failed ? `, ${r.failed} failed (the handler threw)` : ""}.`,
  r.failed ? "error" : "ok");
}

// ------------------------------------------------------------------------------------------- failed deliveries
async function loadFailed({ fromStart, button } = {}) {
  const f = state.failed;
  const after = fromStart ? undefined : f.values.at(-1)?.failureTime;
  const params = { maxResults: clampSize($("failed-size").value), ...(after !== undefined && { after }) };
  const r = await task("failed", (signal) => state.client.getFailedWebhooks(params, { signal }), {
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
  const { values, unavailable } = state.failed;
  const now = Date.now();
  $("failed-body").replaceChildren(...values.map((f) => failedRow(f, now)));
  $("failed-table").hidden = values.length === 0;
  $("failed-empty").hidden = values.length > 0;
  $("failed-empty").textContent = unavailable
    ? `Not available for this caller: ${unavailable}`
    : "No failed deliveries in the last 72 hours.";
  $("failed-info").textContent = values.length ? `${plural(values.length, "failure")} shown, oldest first` : "";
  refreshControls();
}

function failedRow(f, now) {
  const cell = (label, cls, ...content) => h("td", { role: "cell", "data-label": label, class: cls }, h("div", { class: "cell" }, ...content));
  const summary = f.body === undefined ? null : bodySummary(f.body);
  return h("tr", { role: "row" },
    cell("Failed", "col-time",
      h("time", { datetime: new Date(f.failureTime).toISOString() }, formatDate(f.failureTime)),
      h("span", { class: "muted ago" }, fromNow(f.failureTime, now))),
    cell("ID", "", h("code", { class: "uuid" }, f.id)),
    cell("URL", "", h("code", { class: "url" }, f.url)),
    cell("Body", "col-body", f.body === undefined
      ? h("span", { class: "muted" }, "No body")
      : h("details", { class: "body" },
        h("summary", {}, summary ?? "Show the body"),
        h("pre", {}, h("code", {}, prettyBody(f.body))))),
  );
}

// ------------------------------------------------------------------------------------------- wiring
function wire() {
  $("connect-form").addEventListener("submit", connect);
  for (const r of document.querySelectorAll("input[name=target], input[name=authType]")) r.addEventListener("change", syncConditionalFields);
  $("account").addEventListener("change", () => {
    const account = state.config?.accounts?.find((a) => a.id === $("account").value);
    if (account) fillConnection(account);
  });

  $("reload").addEventListener("click", (e) => (clearBanner(), setStatus("webhooks", ""), loadWebhooks(e.currentTarget)));
  $("refresh-selected").addEventListener("click", (e) => refreshSelected(e.currentTarget));
  $("refresh-expiring").addEventListener("click", (e) => refreshExpiring(e.currentTarget));
  $("delete-selected").addEventListener("click", (e) => deleteSelected(e.currentTarget));
  $("prev-page").addEventListener("click", (e) => {
    state.page.startAt = Math.max(0, state.page.startAt - state.page.size);
    loadWebhooks(e.currentTarget);
  });
  $("next-page").addEventListener("click", (e) => {
    state.page.startAt += state.page.size;
    loadWebhooks(e.currentTarget);
  });
  $("load-all").addEventListener("click", (e) => {
    state.page.all = !state.page.all;
    state.page.startAt = 0;
    loadWebhooks(e.currentTarget);
  });
  $("page-size").addEventListener("change", (e) => {
    state.page.size = clampSize(e.target.value);
    e.target.value = String(state.page.size);
    Object.assign(state.page, { startAt: 0, all: false });
    if (state.client) loadWebhooks();
  });
  $("select-page").addEventListener("change", (e) => {
    for (const w of state.page.values) e.target.checked ? state.selected.add(w.id) : state.selected.delete(w.id);
    for (const box of $("webhooks-body").querySelectorAll("input[type=checkbox]")) box.checked = e.target.checked;
    syncSelectPage();
    refreshControls();
  });

  $("register-form").addEventListener("submit", register);
  $("add-hook").addEventListener("click", () => addHook({ focus: true }));
  $("clear-form").addEventListener("click", clearRegisterForm);

  $("sync-form").addEventListener("submit", (e) => (e.preventDefault(), previewSync($("sync-preview"))));
  $("sync-apply").addEventListener("click", (e) => applySync(e.currentTarget));
  $("sync-example").addEventListener("click", () => {
    $("sync-desired").value = syncExample(exampleUrl());
    clearFieldErrors($("sync-form"));
    setStatus("sync", "");
    $("sync-desired").focus();
  });

  $("fire-form").addEventListener("submit", fireEvent);
  $("receiver-failing").addEventListener("change", toggleFailing);
  $("resend").addEventListener("click", (e) => resendLast(e.currentTarget));
  $("forge").addEventListener("click", (e) => forgeDelivery(e.currentTarget));
  $("replay").addEventListener("click", (e) => replayFailed(e.currentTarget));

  $("failed-newer").addEventListener("click", (e) => (clearBanner(), loadFailed({ button: e.currentTarget })));
  $("failed-reload").addEventListener("click", (e) => (clearBanner(), loadFailed({ fromStart: true, button: e.currentTarget })));
  $("failed-size").addEventListener("change", (e) => (e.target.value = String(clampSize(e.target.value))));
}

async function start() {
  wire();
  syncConditionalFields();
  addHook();
  refreshControls();
  let config = null;
  try {
    const res = await fetch("/config.json", { cache: "no-store" });
    if (res.ok) config = await res.json();
  } catch {
    // served without the demo server: start with an empty form
  }
  state.config = config;
  if (config?.apiVersion) $("apiVersion").value = String(config.apiVersion);
  $("sync-desired").value = syncExample(exampleUrl());
  startDeliveries(config);
  if (config?.mode === "fake" && config.accounts?.length) {
    $("account").replaceChildren(...config.accounts.map((a) => h("option", { value: a.id }, a.label)));
    $("account-field").hidden = false;
    $("mode").textContent = `Fake Jira · ${new URL(config.jiraUrl).host}`;
    $("mode").hidden = false;
    fillConnection(config.accounts[0]);
    await connect();
  } else if (config?.mode === "proxy") {
    // The page calls this server, which forwards to the real site with the real credentials (scripts/start.mjs);
    // the credentials here are placeholders of the same type, which the proxy replaces.
    fillConnection({ baseUrl: location.origin, auth: config.auth });
    const site = new URL(config.site).host;
    $("mode").textContent = `Proxy → ${site}`;
    $("mode").hidden = false;
    $("proxy-note").textContent = `Proxy mode: this page calls its own server, which forwards the webhook calls to ${config.site} and adds the real credentials there. The credentials below are placeholders.`;
    $("proxy-note").hidden = false;
    if (config.keyed === false) {
      // Opened without this run's key (or the server restarted with a new one): the proxy would answer 403.
      showError({
        title: "This page has no key for the demo proxy",
        messages: ["The proxy serves only pages opened with this run's key: open the address the demo server printed when it started (it ends in /?key=…)."],
        details: [],
      });
      setConnectionStatus("Not connected", "off");
    } else await connect();
  }
  document.documentElement.dataset.app = "ready"; // for the end-to-end tests
}

start();
