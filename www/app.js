// The demo admin page: every call goes through the `jira-webhooks` package (mapped to /pkg/browser.js by the
// import map in index.html). Credentials live in this module's memory only.
import { JiraWebhooks, webhookEvents } from "jira-webhooks";
import {
  EXPIRING_MS, bodySummary, describeError, expiry, formatDate, fromNow, groupEvents, prettyBody, splitList,
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
  busy: { webhooks: 0, register: 0, failed: 0, connection: 0 },
  page: { startAt: 0, size: 5, all: false, values: [], total: undefined, isLast: true, loaded: false },
  selected: new Set(),
  failed: { values: [], loaded: false, unavailable: "" },
  /** register form items: { key, li, result, created?: number } */
  hooks: [],
};

// ------------------------------------------------------------------------------------------- errors and status
let retryTimer;
/** Shows the error banner for a JiraWebhooksError (or a ready description); `retry` re-runs what failed. */
function showError(errOrDescription, retry) {
  const d = errOrDescription?.title ? errOrDescription : describeError(errOrDescription);
  if (!d) return; // an abort: nothing to say
  clearTimeout(retryTimer);
  const again = retry && h("button", { type: "button", class: "button", onclick: () => { clearBanner(); retry(); } }, "Try again");
  if (again && d.retryAt > Date.now()) {
    again.disabled = true;
    retryTimer = setTimeout(() => (again.disabled = false), d.retryAt - Date.now());
  }
  const [first, ...rest] = d.messages;
  $("banner").replaceChildren(
    h("div", { class: `banner${d.rateLimited ? " warn" : ""}` },
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
  for (const id of ["webhooks", "register", "failed"]) $(id).setAttribute("aria-busy", String(busy[id] > 0));
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
  for (const s of ["webhooks", "failed"]) setStatus(s, "");
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

/** The in-page confirmation: resolves true when the user confirms. */
function confirmDelete(ids) {
  const dialog = $("confirm-dialog");
  const known = new Map(state.page.values.map((w) => [w.id, w]));
  $("confirm-title").textContent = `Delete ${plural(ids.length, "webhook")}?`;
  $("confirm-ok").textContent = `Delete ${plural(ids.length, "webhook")}`;
  $("confirm-text").textContent = `Jira stops sending ${ids.length === 1 ? "it" : "them"} at once. This cannot be undone.`;
  $("confirm-list").replaceChildren(...ids.map((id) => h("li", {},
    h("strong", {}, String(id)),
    known.get(id) && h("span", { class: "muted" }, ` ${known.get(id).events.join(", ")} · `, h("code", {}, known.get(id).jqlFilter)))));
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true }));
}

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

function showHookResult(item, result) {
  const box = item.result;
  box.hidden = false;
  if (result?.createdWebhookId !== undefined) {
    item.created = result.createdWebhookId;
    box.className = "hook-result ok";
    box.replaceChildren(h("strong", {}, "Registered"), ` as webhook ${result.createdWebhookId}.`);
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
  const r = await task("register", (signal) => state.client.registerDynamicWebhooks(details, { signal }), {
    button: $("register-submit"),
    retry: () => $("register-form").requestSubmit(),
    handle: (e) => {
      const field = e?.kind === "invalid-input" && fieldForPath(e.path, pending);
      if (!field) return false;
      setFieldError(field, fieldMessage(e.message));
      setStatus("register", "Nothing was sent: fix the highlighted field.", "error");
      ($(field).matches("fieldset") ? $(field).querySelector("input") : $(field)).focus();
      return true;
    },
  });
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

function clearRegisterForm() {
  for (const item of state.hooks) item.li.remove();
  state.hooks = [];
  clearFieldErrors($("register-form"));
  setStatus("register", "");
  addHook({ focus: true });
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
  if (config?.mode === "fake" && config.accounts?.length) {
    $("account").replaceChildren(...config.accounts.map((a) => h("option", { value: a.id }, a.label)));
    $("account-field").hidden = false;
    $("mode").textContent = `Fake Jira · ${new URL(config.jiraUrl).host}`;
    $("mode").hidden = false;
    fillConnection(config.accounts[0]);
    await connect();
  } else if (config?.mode === "proxy") {
    // The page calls this server, which forwards to the real site with the real credentials (scripts/start.mjs);
    // the bearer token here is only a placeholder that the proxy replaces.
    fillConnection({ baseUrl: location.origin, auth: config.auth });
    const site = new URL(config.site).host;
    $("mode").textContent = `Proxy → ${site}`;
    $("mode").hidden = false;
    $("proxy-note").textContent = `Proxy mode: this page calls its own server, which forwards the webhook calls to ${config.site} and adds the real credentials there. The token below is a placeholder.`;
    $("proxy-note").hidden = false;
    await connect();
  }
  document.documentElement.dataset.app = "ready"; // for the end-to-end tests
}

start();
