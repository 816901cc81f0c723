// Builds pkg/: the one npm package `jira-webhooks`.
//   wasm-pack (release, web target) twice: the client into target/wasm-web/, the client with the lifecycle into
//   target/wasm-lifecycle/ -> scripts/assemble.mjs (wasm-opt, entries, CommonJS twins, package.json; the exports
//   map's pattern and the two builds are described there).
// `node scripts/build.mjs --no-wasm-pack` (or `node scripts/assemble.mjs`) skips the Rust step and assembles pkg/
// from the wasm-pack outputs already in target/.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { assemble, VARIANTS } from "./assemble.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed with exit code ${r.status}`);
}

if (!process.argv.includes("--no-wasm-pack")) {
  if (process.env.SKIP_SETUP !== "1") run("bash", ["scripts/setup.sh"], { env: { ...process.env, SETUP_SKIP_BROWSER: "1" } });
  for (const { wasmPack, features } of VARIANTS) {
    // A fresh output folder: wasm-pack leaves the snippets of earlier builds (another crate version) beside new ones.
    rmSync(join(root, "target", wasmPack), { recursive: true, force: true });
    // --weak-refs: objects handed to JavaScript are released by the garbage collector (FinalizationRegistry).
    run("wasm-pack", ["build", "--target", "web", "--release", "--weak-refs", "--out-dir", join(root, "target", wasmPack), "--no-pack", "--", ...features]);
  }
}

assemble({ from: join(root, "target"), out: join(root, "pkg") });
