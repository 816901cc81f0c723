// The sync panel: the webhooks the app should have, as JSON; syncWebhooks' dry run (Preview) and the sync itself
// (Apply, after confirming what it deletes).
import { formatDate } from "../format.js";
import { confirmDialog } from "./confirm.js";
import { $, h, idList, plural } from "./dom.js";
import { clearBanner, clearFieldErrors, fieldMessage, setFieldError, setStatus } from "./feedback.js";
import { controls, session, task } from "./session.js";
import { allWebhooks, loadWebhooks } from "./webhooks.js";

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
const exampleUrl = () => session.config?.receiverUrl ?? "https://your-app.example.com/webhook-received";

/** Puts the example in the textarea (once /config.json has said where the receiver is). */
export function fillSyncExample() {
  $("sync-desired").value = syncExample(exampleUrl());
}

/** A new connection: the plan shown was the previous connection's. */
export function resetSync() {
  setStatus("sync", "");
  $("sync-outcome").hidden = true;
}

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
  const result = await session.client.syncWebhooks({ ...desired, owned: session.owned, dryRun: true }, { signal });
  const values = await allWebhooks(signal);
  return { result, known: new Map(values.map((w) => [w.id, w])) };
}

const planWords = (p) => `register ${p.register.length}, delete ${p.delete.length}, refresh ${p.refresh.length}, keep ${p.keep.length}`;
/** What an OAuth 2.0 connection's sync leaves alone: webhooks of the app it did not register. */
const foreignWords = (p) => (p.foreign.length ? ` It leaves alone ${plural(p.foreign.length, "webhook")} of the app that this connection did not register (${idList(p.foreign)}).` : "");
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
    ? `Dry run, nothing was changed. Apply would ${planWords(plan)}.${foreignWords(plan)}`
    : `Dry run: nothing to change, Jira has exactly these webhooks (${plural(plan.keep.length, "webhook")} kept).${foreignWords(plan)}`, "");
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
  const r = await task("sync", (signal) => session.client.syncWebhooks({ ...desired, owned: session.owned, dryRun: false }, { signal }), { button, retry: () => applySync(button), handle: syncInputError });
  if (!r.ok) return;
  const result = r.value;
  session.owned = result.owned;
  renderSync(result, known);
  const ids = (list) => (list.length ? ` (${idList(list)})` : "");
  const created = result.created.map((c) => c.id);
  const refused = result.failed.length ? ` Jira refused ${plural(result.failed.length, "webhook")}: see why below.` : "";
  setStatus("sync",
    !created.length && !result.deleted.length && !result.refreshed.length && !result.failed.length
      ? `Nothing to change: Jira already has exactly these webhooks (${plural(result.plan.keep.length, "webhook")} kept).${foreignWords(result.plan)}`
      : `Applied: registered ${created.length}${ids(created)}, deleted ${result.deleted.length}${ids(result.deleted)}, refreshed ${result.refreshed.length}${ids(result.refreshed)}${result.expirationDate ? ` until ${formatDate(result.expirationDate)}` : ""}; kept ${result.plan.keep.length}.${refused}${foreignWords(result.plan)}`,
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

controls(() => {
  const off = !session.client || session.busy.sync > 0;
  $("sync-preview").disabled = off;
  $("sync-apply").disabled = off;
});

export function wireSync() {
  $("sync-form").addEventListener("submit", (e) => (e.preventDefault(), previewSync($("sync-preview"))));
  $("sync-apply").addEventListener("click", (e) => applySync(e.currentTarget));
  $("sync-example").addEventListener("click", () => {
    fillSyncExample();
    clearFieldErrors($("sync-form"));
    setStatus("sync", "");
    $("sync-desired").focus();
  });
}
