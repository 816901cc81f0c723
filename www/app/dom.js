// Small DOM helpers shared by the page's modules.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** Makes an element: h("li", { class: "x", onclick: f }, "text", child). Falsy attributes and children are skipped. */
export function h(tag, attrs = {}, ...children) {
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

/** A table cell: its label (shown before the value when tables stack on narrow screens), a class, the content. */
export const cell = (label, cls, ...content) => h("td", { role: "cell", "data-label": label, class: cls }, h("div", { class: "cell" }, ...content));

/** The "—" of an empty cell. */
export const none = () => h("span", { class: "muted" }, "—");

/** "1 webhook", "2 webhooks" */
export const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** A per-page size from an input: 1 to 100, 5 when it is not a number. */
export const clampSize = (v) => Math.min(100, Math.max(1, Math.trunc(Number(v)) || 5));

/** "10000, 10003" */
export const idList = (ids) => ids.join(", ");

/** Gives the focus back to `el` after a section's work, unless the user has put it somewhere else meanwhile. */
export function refocus(el) {
  if (el instanceof HTMLElement && el.isConnected && !el.disabled && (document.activeElement === document.body || !document.activeElement)) el.focus();
}
