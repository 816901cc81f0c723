// Packs pkg/ with `npm pack` and installs the tarball, offline, into a throw-away consumer project, the way a
// user gets the package. One install per process (each `node --test` file runs in its own process).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const PKG = join(ROOT, "pkg");
/** What the tarball must hold, exactly. */
export const EXPECTED_FILES = [
  "LICENSE", "README.md", "browser.js", "forge.d.ts", "forge.js", "jira_webhooks.cjs", "jira_webhooks.d.cts", "jira_webhooks.d.ts",
  "jira_webhooks.js", "jira_webhooks_bg.wasm", "node.cjs", "node.mjs", "package.json", "workerd.js",
];

const npm = (args, cwd) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/** Throws a clear message when pkg/ has not been built. */
export function assertBuilt() {
  const missing = ["package.json", "jira_webhooks_bg.wasm", "node.mjs", "browser.js"].filter((f) => !existsSync(join(PKG, f)));
  if (missing.length) throw new Error(`pkg/ is not built (missing ${missing.join(", ")}): run \`npm run build\` first.`);
}

let cached;

/**
 * Packs pkg/ and installs the tarball into a temp project (removed when the process exits).
 * @returns {{ dir: string, tarball: string, tmp: string }} dir: the consumer project, with node_modules/jira-webhooks
 */
export function installPackage() {
  if (cached) return cached;
  assertBuilt();
  const tmp = mkdtempSync(join(tmpdir(), "jira-webhooks-it-"));
  process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
  const [{ filename }] = JSON.parse(npm(["pack", PKG, "--pack-destination", tmp, "--json", "--offline"], ROOT));
  const tarball = join(tmp, filename);
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
