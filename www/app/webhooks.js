// The registered webhooks: one page at a time (or all of them), expiry highlighted, selection, refresh and delete.
import { EXPIRING_MS, expiry, formatDate } from "../format.js";
import { confirmDialog } from "./confirm.js";
import { $, cell, clampSize, h, idList, plural } from "./dom.js";
import { clearBanner, setStatus } from "./feedback.js";
import { controls, refreshControls, session, task } from "./session.js";

/** The most Jira lists per page, and the most webhooks one refresh takes. */
const PAGE_MAX = 100;

const page = { startAt: 0, size: 5, all: false, values: [], total: undefined, isLast: true };
const selected = new Set();

/** A new connection: back to its first page, nothing selected. */
export function resetWebhooks() {
  Object.assign(page, { startAt: 0, all: false, values: [], total: undefined, isLast: true });
  selected.clear();
  setStatus("webhooks", "");
}

/** Every webhook of the app: the package's iterator walks the pages, PAGE_MAX at a time. */
export async function allWebhooks(signal) {
  const values = [];
  for await (const webhook of session.client.webhooks({ maxResults: PAGE_MAX }, { signal })) values.push(webhook);
  return values;
}

/** Whether the page shown is the last one, for the pager's Next button. */
const isLastPage = (answer, startAt, count, max) =>
  answer.isLast ?? (typeof answer.total === "number" ? startAt + count >= answer.total : count < max);

/** Loads the page shown (or every webhook when "Load all" is on) and renders it; resolves to whether it worked. */
export async function loadWebhooks(button) {
  const p = page;
  const r = await task("webhooks", async (signal) => {
    if (!p.all) return session.client.getDynamicWebhooksForApp({ startAt: p.startAt, maxResults: p.size }, { signal });
    const values = await allWebhooks(signal);
    return { values, total: values.length, isLast: true };
  }, { button, retry: () => loadWebhooks() });
  if (!r.ok) return false;
  const answer = r.value;
  const values = answer.values ?? [];
  if (!p.all && !values.length && p.startAt > 0) {
    // The page emptied (e.g. after deletes): step back to the last one that has webhooks.
    p.startAt = typeof answer.total === "number" && answer.total > 0 ? Math.floor((answer.total - 1) / p.size) * p.size : 0;
    return loadWebhooks(button);
  }
  Object.assign(p, { values, total: answer.total, isLast: p.all || isLastPage(answer, p.startAt, values.length, p.size) });
  renderWebhooks();
  return true;
}

function renderWebhooks() {
  const { values, startAt, all, total } = page;
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
    type: "checkbox", "aria-label": `Select webhook ${w.id}`, checked: selected.has(w.id),
    onchange: (e) => {
      e.target.checked ? selected.add(w.id) : selected.delete(w.id);
      syncSelectPage();
      refreshControls();
    },
  });
  const chips = (items) => h("ul", { class: "chips" }, items.map((x) => h("li", {}, h("code", {}, x))));
  const filters = [
    w.fieldIdsFilter?.length && h("div", { class: "filter" }, h("span", { class: "filter-label" }, "Fields"), chips(w.fieldIdsFilter)),
    w.issuePropertyKeysFilter?.length && h("div", { class: "filter" }, h("span", { class: "filter-label" }, "Properties"), chips(w.issuePropertyKeysFilter)),
  ].filter(Boolean);
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
  const ids = page.values.map((w) => w.id);
  const chosen = ids.filter((id) => selected.has(id)).length;
  const all = $("select-page");
  all.checked = ids.length > 0 && chosen === ids.length;
  all.indeterminate = chosen > 0 && chosen < ids.length;
}

/** refreshWebhooks in batches of PAGE_MAX; resolves to the last expirationDate. */
async function refreshIds(ids, signal) {
  let result;
  for (let i = 0; i < ids.length; i += PAGE_MAX) result = await session.client.refreshWebhooks({ webhookIds: ids.slice(i, i + PAGE_MAX) }, { signal });
  return result;
}

async function refreshSelected(button) {
  clearBanner();
  const ids = [...selected].sort((a, b) => a - b);
  const r = await task("webhooks", (signal) => refreshIds(ids, signal), { button, retry: () => refreshSelected() });
  if (!r.ok) return;
  selected.clear();
  setStatus("webhooks", `Refreshed ${plural(ids.length, "webhook")} (${idList(ids)}): ${ids.length === 1 ? "it expires" : "they expire"} ${formatDate(r.value.expirationDate)}.`, "ok");
  await loadWebhooks();
}

async function refreshExpiring(button) {
  clearBanner();
  const r = await task("webhooks", async (signal) => {
    const values = await allWebhooks(signal);
    const ids = values.filter((w) => typeof w.expirationDate === "number" && w.expirationDate - Date.now() < EXPIRING_MS).map((w) => w.id);
    return { ids, result: ids.length ? await refreshIds(ids, signal) : null };
  }, { button, retry: () => refreshExpiring() });
  if (!r.ok) return;
  const { ids, result } = r.value;
  if (!ids.length) return setStatus("webhooks", "No webhook expires within 7 days: nothing to refresh.", "");
  setStatus("webhooks", `Refreshed ${plural(ids.length, "webhook")} expiring within 7 days (${idList(ids)}): ${ids.length === 1 ? "it expires" : "they expire"} ${formatDate(result.expirationDate)}.`, "ok");
  await loadWebhooks();
}

async function deleteSelected(button) {
  clearBanner();
  const ids = [...selected].sort((a, b) => a - b);
  if (!ids.length) return;
  // A new question: the status of the last one ("Nothing deleted.", "Refreshed …") no longer applies.
  setStatus("webhooks", "");
  const confirmed = await confirmDialog({
    title: `Delete ${plural(ids.length, "webhook")}?`,
    ok: `Delete ${plural(ids.length, "webhook")}`,
    text: `Jira stops sending ${ids.length === 1 ? "it" : "them"} at once. This cannot be undone.`,
    ids,
    known: new Map(page.values.map((w) => [w.id, w])),
  });
  if (!confirmed) {
    setStatus("webhooks", "Nothing deleted.", "");
    button.focus();
    return;
  }
  const r = await task("webhooks", (signal) => session.client.deleteWebhookById({ webhookIds: ids }, { signal }), { button, retry: () => deleteSelected(button) });
  if (!r.ok) return button.focus();
  for (const id of ids) selected.delete(id);
  setStatus("webhooks", `Deleted ${plural(ids.length, "webhook")} (${idList(ids)}).`, "ok");
  await loadWebhooks();
  $("webhooks-title").focus();
}

controls(() => {
  const wb = !!session.client && session.busy.webhooks === 0;
  const n = selected.size;
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
});

export function wireWebhooks() {
  $("reload").addEventListener("click", (e) => (clearBanner(), setStatus("webhooks", ""), loadWebhooks(e.currentTarget)));
  $("refresh-selected").addEventListener("click", (e) => refreshSelected(e.currentTarget));
  $("refresh-expiring").addEventListener("click", (e) => refreshExpiring(e.currentTarget));
  $("delete-selected").addEventListener("click", (e) => deleteSelected(e.currentTarget));
  $("prev-page").addEventListener("click", (e) => {
    page.startAt = Math.max(0, page.startAt - page.size);
    loadWebhooks(e.currentTarget);
  });
  $("next-page").addEventListener("click", (e) => {
    page.startAt += page.size;
    loadWebhooks(e.currentTarget);
  });
  $("load-all").addEventListener("click", (e) => {
    page.all = !page.all;
    page.startAt = 0;
    loadWebhooks(e.currentTarget);
  });
  $("page-size").addEventListener("change", (e) => {
    page.size = clampSize(e.target.value);
    e.target.value = String(page.size);
    Object.assign(page, { startAt: 0, all: false });
    if (session.client) loadWebhooks();
  });
  $("select-page").addEventListener("change", (e) => {
    for (const w of page.values) e.target.checked ? selected.add(w.id) : selected.delete(w.id);
    for (const box of $("webhooks-body").querySelectorAll("input[type=checkbox]")) box.checked = e.target.checked;
    syncSelectPage();
    refreshControls();
  });
}
