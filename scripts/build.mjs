// Builds pkg/: the one npm package `jira-webhooks`.
//   wasm-pack (release, web target) into target/wasm-web/ -> scripts/assemble.mjs (wasm-opt, entries, CommonJS
//   twins, package.json; the exports map's pattern is described there).
// `node scripts/build.mjs --no-wasm-pack` (or `node scripts/assemble.mjs`) skips the Rust step and assembles pkg/
// from the wasm-pack output already in target/wasm-web/.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { assemble } from "./assemble.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "target", "wasm-web");

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed with exit code ${r.status}`);
}

if (!process.argv.includes("--no-wasm-pack")) {
  if (process.env.SKIP_SETUP !== "1") run("bash", ["scripts/setup.sh"], { env: { ...process.env, SETUP_SKIP_BROWSER: "1" } });
  run("wasm-pack", ["build", "--target", "web", "--release", "--out-dir", out, "--no-pack"]);
}

assemble({ from: out, out: join(root, "pkg") });
