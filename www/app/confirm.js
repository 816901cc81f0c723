// The in-page confirmation (a <dialog>, never window.confirm) before anything is deleted.
import { $, h } from "./dom.js";

/**
 * Asks in the dialog; resolves true when the user confirms, false when they cancel (the button or Escape).
 * `ids` are listed, described by `known` (id -> webhook) where it has them.
 */
export function confirmDialog({ title, text, ok, ids, known }) {
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
