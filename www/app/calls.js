// The "Last calls" panel: what the client's hooks report about each call to Jira (operation, status, attempts,
// time taken, Jira's rate-limit headers), newest first, the last CALLS_MAX. The hooks get plain data about each
// attempt, never a header or a credential, so neither can end up here.
import { describeRateLimit, formatDuration, formatTime, formatWait } from "../format.js";
import { createCallLog } from "./call-log.js";
import { $, cell, h, none, plural } from "./dom.js";

const CALLS_MAX = 20;
const log = createCallLog({ max: CALLS_MAX });

const render = () => {
  $("calls-body").replaceChildren(...log.calls.map(callRow));
  $("calls-table").hidden = log.calls.length === 0;
  $("calls-empty").hidden = log.calls.length > 0;
  $("calls-info").textContent = log.calls.length ? `${plural(log.calls.length, "call")}, newest first` : "";
};

/** The client's `hooks`: each event updates the log and the panel. */
export const callHooks = {
  request: (e) => (log.request(e), render()),
  response: (e) => (log.response(e), render()),
  retry: (e) => (log.retry(e), render()),
};

const statusTone = (s) => (s >= 200 && s < 300 ? "ok" : s === 429 ? "warn" : "error");

function callRow(c) {
  const statuses = c.statuses.map((s, i) => [i ? " → " : "", h("span", { class: "badge", "data-tone": statusTone(s) }, s === 0 ? "No answer" : String(s))]);
  const pending = c.state === "sending" ? "sending…" : c.state === "waiting" ? `waiting ${formatWait(c.waitedMs)}` : "";
  const limits = c.rateLimit && describeRateLimit(c.rateLimit);
  const rate = limits && [
    limits.left && h("span", { class: "rate-left" }, limits.left),
    limits.near && h("span", { class: "badge", "data-tone": "warn" }, "near limit"),
    limits.retry && h("span", { class: "rate-retry" }, limits.retry),
  ].filter(Boolean);
  return h("tr", { role: "row", "data-seq": String(c.seq), "data-operation": c.operation, "data-state": c.state, "data-statuses": c.statuses.join(" ") },
    cell("Started", "col-started", h("time", { datetime: new Date(c.started).toISOString() }, formatTime(c.started))),
    cell("Operation", "col-operation", h("code", {}, c.operation), h("span", { class: "call-path" }, `${c.method} ${c.path}`)),
    cell("Status", "col-status", statuses, pending && h("span", { class: "muted" }, `${statuses.length ? " " : ""}${pending}`)),
    cell("Attempts", "col-attempts", String(c.attempts), c.waitedMs > 0 && h("span", { class: "muted" }, ` (waited ${formatWait(c.waitedMs)})`)),
    cell("Took", "col-took", c.tookMs === undefined ? none() : formatDuration(c.tookMs)),
    cell("Rate limit", "col-rate", rate?.length ? h("span", { class: "rate", title: limits.reason ? `RateLimit-Reason: ${limits.reason}` : undefined }, rate) : none()),
  );
}
