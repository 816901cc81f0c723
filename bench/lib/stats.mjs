// Small statistics and formatting helpers.
export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function min(xs) {
  return xs.length ? Math.min(...xs) : null;
}

export function max(xs) {
  return xs.length ? Math.max(...xs) : null;
}

/** Bytes as KB (1 KB = 1024 B) with one decimal. */
export const kb = (n) => (n == null ? "n/a" : (n / 1024).toFixed(1));
export const fixed = (n, d = 1) => (n == null || !Number.isFinite(n) ? "n/a" : n.toFixed(d));
export const int = (n) => (n == null || !Number.isFinite(n) ? "n/a" : Math.round(n).toLocaleString("en-US"));

/** A plain-text table: rows of cells, first row the header. */
export function textTable(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? "").length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ");
  return [line(rows[0]), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

/** A Markdown table: rows of cells, first row the header. */
export function mdTable(rows) {
  const esc = (c) => String(c ?? "").replace(/\|/g, "\\|");
  return [
    `| ${rows[0].map(esc).join(" | ")} |`,
    `| ${rows[0].map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`,
    ...rows.slice(1).map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}
