// Packs pkg/ with `npm pack` and installs the tarball, offline, into a throw-away consumer project, the way a
// user gets the package. One install per process (each `node --test` file runs in its own process).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const PKG = join(ROOT, "pkg");
/** Shipped for people, not named by the manifest: npm packs the first three whatever `files` says. */
export const DOCUMENTS = ["package.json", "README.md", "LICENSE", "CHANGELOG.md"];

/** The file paths (package-relative, `a/b.js`) an exports / main / module / types value names. */
const manifestTargets = (v) =>
  typeof v === "string" ? [posix.normalize(v)] : v && typeof v === "object" ? Object.values(v).flatMap(manifestTargets) : [];

/** Declaration file TypeScript reads for a relative JS specifier in a declaration file: x.js -> x.d.ts, x.cjs -> x.d.cts. */
const declarationOf = (spec) => spec.replace(/\.(m|c)?js$/, (_, k) => `.d.${k ?? ""}ts`);

/** Relative files one shipped file refers to: imports, require(), new URL(…, import.meta.url), @ts-self-types, references. */
function referencedBy(file, text) {
  const all = (re) => [...text.matchAll(re)].map((m) => m[2]);
  // Module specifiers count when relative; URLs and the other paths are relative to the file unless they have a scheme.
  const modules = [...all(/\b(?:from|import)\s*\(?\s*(["'])([^"']+)\1/g), ...all(/\brequire\(\s*(["'])([^"']+)\1\s*\)/g)]
    .filter((s) => /^\.\.?\//.test(s));
  const paths = [...all(/\bnew URL\(\s*(["'])([^"']+)\1\s*,/g), ...all(/@ts-self-types=(["'])([^"']+)\1/g),
    ...all(/\/\/\/\s*<reference\s+path=(["'])([^"']+)\1/g)].filter((s) => !/^[a-z][a-z0-9+.-]*:/i.test(s));
  const isDeclaration = /\.d\.[cm]?ts$/.test(file);
  return [...modules.map((s) => (isDeclaration ? declarationOf(s) : s)), ...paths].map((s) => posix.join(posix.dirname(file), s));
}

/**
 * What the tarball of `pkgDir` must hold, exactly, derived from its package.json: every file the exports map,
 * `main`, `module` and `types` name, every file those refer to (followed through imports), and DOCUMENTS.
 */
export function expectedFiles(pkgDir = PKG) {
  const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const queue = [manifest.exports, manifest.main, manifest.module, manifest.types].flatMap(manifestTargets);
  const found = new Set(DOCUMENTS);
  while (queue.length) {
    const file = queue.shift();
    if (found.has(file) || file.startsWith("../")) continue;
    found.add(file);
    const path = join(pkgDir, file);
    if (/\.([cm]?js|[cm]?ts)$/.test(file) && existsSync(path)) queue.push(...referencedBy(file, readFileSync(path, "utf8")));
  }
  return [...found].sort();
}

/** What the tarball must hold, exactly (expectedFiles() of pkg/ when this module loaded; empty when pkg/ is not built). */
export const EXPECTED_FILES = existsSync(join(PKG, "package.json")) ? expectedFiles() : [];

const npm = (args, cwd) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/** Throws a clear message when pkg/ has not been built. */
export function assertBuilt() {
  const missing = ["package.json", "jira_webhooks_bg.wasm", "node.mjs", "browser.js"].filter((f) => !existsSync(join(PKG, f)));
  if (missing.length) throw new Error(`pkg/ is not built (missing ${missing.join(", ")}): run \`npm run build\` first.`);
}

let cached, packed;

/**
 * Packs pkg/ with `npm pack` into a temp folder (removed when the process exits), once per process.
 * @returns {{ tarball: string, tmp: string, files: string[] }} files: the tarball's paths, as npm listed them
 */
export function packPackage() {
  if (packed) return packed;
  assertBuilt();
  const tmp = mkdtempSync(join(tmpdir(), "jira-webhooks-it-"));
  process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
  const [{ filename, files }] = JSON.parse(npm(["pack", PKG, "--pack-destination", tmp, "--json", "--offline"], ROOT));
  packed = { tarball: join(tmp, filename), tmp, files: files.map((f) => f.path).sort() };
  return packed;
}

/**
 * Packs pkg/ and installs the tarball into a temp project (removed when the process exits).
 * @returns {{ dir: string, tarball: string, tmp: string }} dir: the consumer project, with node_modules/jira-webhooks
 */
export function installPackage() {
  if (cached) return cached;
  const { tarball, tmp } = packPackage();
  const dir = join(tmp, "consumer");
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }, null, 2));
  npm(["install", tarball, "--no-audit", "--no-fund", "--offline", "--ignore-scripts"], dir);
  // Zero dependencies: the only package installed is ours, from the tarball; nothing came from a registry.
  const installed = readdirSync(join(dir, "node_modules")).filter((n) => !n.startsWith("."));
  if (installed.join() !== "jira-webhooks") throw new Error(`expected only jira-webhooks in node_modules, got ${installed.join(", ")}`);
  const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8"));
  const packages = Object.keys(lock.packages).filter(Boolean);
  if (packages.join() !== "node_modules/jira-webhooks" || !lock.packages[packages[0]].resolved.startsWith("file:"))
    throw new Error(`unexpected lock file: ${JSON.stringify(lock.packages)}`);
  cached = { dir, tarball, tmp };
  return cached;
}
