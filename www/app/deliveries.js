// The deliveries panel (fake mode): follows the demo receiver's log (Server-Sent Events) and drives the receiver
// and the fake through the demo server (scripts/start.mjs), not Jira.
import { DELIVERY_OUTCOMES, DELIVERY_SOURCES, formatTime } from "../format.js";
import { $, cell, h, none, refocus } from "./dom.js";
import { clearBanner, setStatus, showError } from "./feedback.js";
import { controls, refreshControls, session } from "./session.js";

const DELIVERIES_MAX = 200;

/** entries by seq, whether the receiver fails, whether the panel is available at all */
const d = { entries: new Map(), available: false, source: null, fromJira: false };

/** Fake mode: follows the demo receiver's log. Elsewhere the panel says why it is inert. */
export function startDeliveries(config) {
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
  session.busy.deliveries++;
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
    session.busy.deliveries--;
    button?.classList.remove("is-busy");
    refreshControls();
    refocus(focused);
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
  const elsewhere = r.deliveries.filter((x) => x.url !== r.receiverUrl);
  const parts = r.deliveries.map((x) => `delivery ${x.id} to ${x.url === r.receiverUrl ? "this receiver" : x.url} (webhook${x.matchedWebhookIds.length === 1 ? "" : "s"} ${x.matchedWebhookIds.join(", ")})`);
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

controls(() => {
  const off = !d.available || session.busy.deliveries > 0;
  for (const id of ["fire", "forge", "replay", "receiver-failing"]) $(id).disabled = off;
  $("resend").disabled = off || !d.fromJira;
});

export function wireDeliveries() {
  $("fire-form").addEventListener("submit", fireEvent);
  $("receiver-failing").addEventListener("change", toggleFailing);
  $("resend").addEventListener("click", (e) => resendLast(e.currentTarget));
  $("forge").addEventListener("click", (e) => forgeDelivery(e.currentTarget));
  $("replay").addEventListener("click", (e) => replayFailed(e.currentTarget));
}
