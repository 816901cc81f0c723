// The register form: several webhooks in one request, Jira's answer for each next to it, and a registration
// whose answer was lost settled by reading the list (never sent again blindly).
import { webhookEvents } from "jira-webhooks/lifecycle";
import { describeError, findRegistered, groupEvents, mayHaveRegistered, splitList } from "../format.js";
import { $, h, idList, plural } from "./dom.js";
import { clearBanner, clearFieldErrors, fieldMessage, setFieldError, setStatus, showError } from "./feedback.js";
import { controls, session, task } from "./session.js";
import { allWebhooks, loadWebhooks } from "./webhooks.js";

/** The form's webhooks: { key, li, result, created?: number } */
let hooks = [];
/** A registration whose answer was lost, until the list shows all of it: { url, items, webhooks, error } */
let unsettled = null;
let hookSeq = 0;

/** A new connection: a lost answer of the previous one is no longer this connection's concern. */
export function resetRegister() {
  unsettled = null;
}

const JQL_HINT = [
  "Supported: fields ", ["issueKey", "project", "issuetype", "status", "assignee", "reporter", "issue.property[…]", "cf[id]"],
  "; operators ", ["=", "!=", "IN", "NOT IN"], "; AND, OR and parentheses.",
];
const codeList = (items) => items.flatMap((x, i) => [i ? ", " : "", h("code", {}, x)]);

export function addHook({ focus = false } = {}) {
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
  hooks.push(item);
  $("hook-list").append(li);
  renumberHooks();
  if (focus) li.querySelector("input[type=checkbox]").focus();
}

function removeHook(item) {
  const i = hooks.indexOf(item);
  hooks.splice(i, 1);
  item.li.remove();
  renumberHooks();
  (hooks[i] ?? hooks[i - 1])?.li.querySelector("input, textarea")?.focus();
}

function renumberHooks() {
  hooks.forEach((item, i) => {
    item.li.querySelector(".hook-legend").textContent = `Webhook ${i + 1}`;
    item.li.querySelector(".remove-hook").setAttribute("aria-label", `Remove from form: webhook ${i + 1}`);
    item.li.querySelector(".remove-hook").hidden = hooks.length === 1;
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
  if (unsettled && !(await settleRegistration({ beforeSending: true }))) return;
  const pending = hooks.filter((x) => !x.created);
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
  const r = await task("register", (signal) => session.client.registerDynamicWebhooks(details, { signal }), {
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
    unsettled = { url, items: pending, webhooks: details.webhooks, error: lost };
    return settleRegistration();
  }
  unsettled = null; // a definite answer
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
 * A registration's answer was lost (`unsettled`): reads the whole list and marks the requested webhooks it has
 * as present, so they are never sent again. Right after the failure it says what exists in the banner, which
 * offers no "Try again"; as long as some are missing (a request that timed out may still be applied), the next
 * Register calls it again first (`beforeSending`) and sends only what is still missing. Resolves to whether the
 * list was read and something is left to send.
 */
async function settleRegistration({ beforeSending = false } = {}) {
  const u = unsettled;
  const cause = describeError(u.error);
  const lead = "Jira may have registered the webhooks before the answer was lost, so the page did not send them again: it read the list instead.";
  setStatus("register", "Reading the list to see what Jira has…", "");
  const r = await task("register", (signal) => allWebhooks(signal), {
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
  const ids = findRegistered(u.webhooks, r.value, u.url);
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
  if (!missing.length) unsettled = null;
  const n = present.length + missing.length;
  if (beforeSending) {
    // Sent now (the list was read a moment ago): what is still missing, and whatever else the form holds.
    if (missing.length || hooks.some((x) => x.created === undefined)) return true;
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
  for (const item of hooks) item.li.remove();
  hooks = [];
  clearFieldErrors($("register-form"));
  setStatus("register", "");
  addHook({ focus: true });
}

controls(() => {
  $("register-submit").disabled = session.busy.register > 0;
});

export function wireRegister() {
  $("register-form").addEventListener("submit", register);
  $("add-hook").addEventListener("click", () => addHook({ focus: true }));
  $("clear-form").addEventListener("click", clearRegisterForm);
}
