// What the page tells the user: the error banner, each section's status line, and errors next to form fields.
import { describeError } from "../format.js";
import { $, h } from "./dom.js";

let retryTimer;

/** Shows the error banner for a JiraWebhooksError (or a ready description); `retry` re-runs what failed. */
export function showError(errOrDescription, retry, { tone, retryLabel = "Try again" } = {}) {
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

export function clearBanner() {
  clearTimeout(retryTimer);
  $("banner").replaceChildren();
}

/** A section's status line (`#<section>-status`), with a tone: "", "ok" or "error". */
export function setStatus(section, text, tone = "") {
  const el = $(`${section}-status`);
  el.textContent = text;
  el.dataset.tone = tone;
}

/** "invalid input at `url`: must be …" -> "Must be …" */
export const fieldMessage = (message) => {
  const m = message.replace(/^invalid (?:config|input)(?: at)? `[^`]*`: ?/, "");
  return m.charAt(0).toUpperCase() + m.slice(1);
};

export function setFieldError(inputId, message) {
  const input = $(inputId);
  input?.setAttribute("aria-invalid", "true");
  const out = $(`${inputId}-error`);
  if (out) out.textContent = message;
}

export function clearFieldErrors(root) {
  for (const el of root.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const el of root.querySelectorAll(".field-error")) el.textContent = "";
}
