// The package as a user gets it: pkg/ packed with `npm pack` and the tarball installed, offline, into a throw-away
// consumer project. `node --test` runs each test file in a process of its own; the files of one run share one
// install (made by whichever file asks first), and a file run on its own makes a private one.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
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
/** The files without which pkg/ is certainly not built. */
const ESSENTIAL = ["package.json", "node.mjs", "browser.js", "jira_webhooks.js", "jira_webhooks_bg.wasm"];

const npm = (args, cwd) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const stat = (f) => statSync(join(PKG, f), { throwIfNoEntry: false });
const missingFiles = () => ESSENTIAL.filter((f) => !(stat(f)?.size > 0));
/** When a file of pkg/ last changed (ms since the epoch). */
const lastChange = () => Math.max(...readdirSync(PKG).map((f) => stat(f)?.mtimeMs ?? Date.now()));

/** Throws a clear message when pkg/ has not been built. */
export function assertBuilt() {
  const missing = missingFiles();
  if (missing.length) throw new Error(`pkg/ is not built (missing ${missing.join(", ")}): run \`npm run build\` first.`);
}

/**
 * Resolves once pkg/ is built and settled: its essential files there and not empty, and nothing in it changed in the
 * last 500 ms (someone may be rebuilding it at the same moment: the build deletes it and writes it again).
 * @param {number} [timeoutMs] then fails with assertBuilt's message, or with "keeps changing"
 */
export async function waitForPkg(timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing = missingFiles();
    if (!missing.length && Date.now() - lastChange() >= 500) return;
    if (Date.now() > deadline) {
      assertBuilt();
      throw new Error("pkg/ keeps changing: is a build running?");
    }
    await sleep(missing.length ? 1000 : 500);
  }
}

/** Packs pkg/ into `tmp` and installs the tarball into `tmp`/consumer; checks that nothing else was installed. */
function packInto(tmp) {
  const [{ filename }] = JSON.parse(npm(["pack", PKG, "--pack-destination", tmp, "--json", "--offline"], ROOT));
  const dir = join(tmp, "consumer");
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }, null, 2));
  npm(["install", join(tmp, filename), "--no-audit", "--no-fund", "--offline", "--ignore-scripts"], dir);
  // Zero dependencies: the only package installed is ours, from the tarball; nothing came from a registry.
  const installed = readdirSync(join(dir, "node_modules")).filter((n) => !n.startsWith("."));
  if (installed.join() !== "jira-webhooks") throw new Error(`expected only jira-webhooks in node_modules, got ${installed.join(", ")}`);
  const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8"));
  const packages = Object.keys(lock.packages).filter(Boolean);
  if (packages.join() !== "node_modules/jira-webhooks" || !lock.packages[packages[0]].resolved.startsWith("file:"))
    throw new Error(`unexpected lock file: ${JSON.stringify(lock.packages)}`);
  return { dir, tarball: join(tmp, filename), tmp };
}

/** A digest of pkg/'s files: a run's shared install is only reused for the same build. */
function pkgDigest() {
  const hash = createHash("sha256");
  for (const f of readdirSync(PKG, { recursive: true }).sort()) {
    if (stat(f)?.isFile()) hash.update(`${f}\0`).update(readFileSync(join(PKG, f))).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

/** Whether process `pid` exists (EPERM: it does, as another user's). */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

const RUN_DIR = /^jira-webhooks-run-(\d+)-/;
/** The pid written into a lock folder by its holder; 0 while there is none yet (or the lock is gone). */
function ownerOf(lock) {
  try {
    return Number(readFileSync(join(lock, "pid"), "utf8"));
  } catch {
    return 0;
  }
}

/** The install shared by the files of this `node --test` run (the runner is our parent); made under a lock. */
async function sharedInstall() {
  for (const name of readdirSync(tmpdir())) {
    const runner = RUN_DIR.exec(name)?.[1];
    if (runner && !alive(Number(runner))) rmSync(join(tmpdir(), name), { recursive: true, force: true }); // a finished run's
  }
  const tmp = join(tmpdir(), `jira-webhooks-run-${process.ppid}-${pkgDigest()}`);
  const ready = join(tmp, "ready.json");
  const lock = `${tmp}.lock`;
  for (const deadline = Date.now() + 180_000; !existsSync(ready); ) {
    try {
      mkdirSync(lock);
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      const owner = ownerOf(lock);
      if (owner && !alive(owner)) rmSync(lock, { recursive: true, force: true }); // it died while packing
      if (Date.now() > deadline) throw new Error(`${lock}: still held after 3 minutes`);
      await sleep(200);
      continue;
    }
    try {
      writeFileSync(join(lock, "pid"), String(process.pid));
      if (!existsSync(ready)) {
        rmSync(tmp, { recursive: true, force: true });
        mkdirSync(tmp);
        writeFileSync(ready, JSON.stringify(packInto(tmp)));
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return JSON.parse(readFileSync(ready, "utf8"));
}

let packed;

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

let installed;

/**
 * Packs pkg/ and installs the tarball into a consumer project, once: per `node --test` run (shared by its files,
 * left in the temp dir until a later run removes it), or per process when the file runs on its own (removed at
 * exit). Waits up to a minute for pkg/ to be built and settled first.
 * @returns {Promise<{ dir: string, tarball: string, tmp: string }>} dir: the consumer project, with
 *   node_modules/jira-webhooks; tmp: the folder holding it and the tarball, where a test file may make its own
 *   uniquely named folders (it is shared with the run's other files)
 */
export function installPackage() {
  installed ??= (async () => {
    await waitForPkg();
    if (process.env.NODE_TEST_CONTEXT) return sharedInstall();
    const tmp = mkdtempSync(join(tmpdir(), "jira-webhooks-it-"));
    process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
    return packInto(tmp);
  })();
  return installed;
}
