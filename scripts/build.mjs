// Builds pkg/: the one npm package `jira-webhooks`.
//   wasm-pack (release, web target) twice: the client into target/wasm-web/, the client with the lifecycle into
//   target/wasm-lifecycle/ -> scripts/assemble.mjs (wasm-opt, entries, CommonJS twins, package.json; the exports
//   map's pattern and the two builds are described there).
// `node scripts/build.mjs --no-wasm-pack` (or `node scripts/assemble.mjs`) skips the Rust step and assembles pkg/
// from the wasm-pack outputs already in target/.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { assemble, VARIANTS } from "./assemble.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed with exit code ${r.status}`);
}

/**
 * The wasm keeps the source paths of its panic messages: the dependencies' in the cargo registry are remapped to
 * `<crate>-<version>/src/…`, so that no path of the machine that built it ships in the package (`--remap-path-prefix`
 * added to .cargo/config.toml's flags for the target, which cargo joins with this variable).
 */
function wasmRustflags() {
  const registry = join(process.env.CARGO_HOME ?? join(homedir(), ".cargo"), "registry", "src");
  const remaps = existsSync(registry) ? readdirSync(registry).map((index) => `--remap-path-prefix=${join(registry, index)}/=`) : [];
  return [process.env.CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS, ...remaps].filter(Boolean).join(" ");
}

if (!process.argv.includes("--no-wasm-pack")) {
  if (process.env.SKIP_SETUP !== "1") run("bash", ["scripts/setup.sh"], { env: { ...process.env, SETUP_SKIP_BROWSER: "1" } });
  for (const { wasmPack, features } of VARIANTS) {
    // A fresh output folder: wasm-pack leaves the snippets of earlier builds (another crate version) beside new ones.
    rmSync(join(root, "target", wasmPack), { recursive: true, force: true });
    // --weak-refs: objects handed to JavaScript are released by the garbage collector (FinalizationRegistry).
    run("wasm-pack", ["build", "--target", "web", "--release", "--weak-refs", "--out-dir", join(root, "target", wasmPack), "--no-pack", "--", ...features],
      { env: { ...process.env, CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS: wasmRustflags() } });
  }
}

assemble({ from: join(root, "target"), out: join(root, "pkg") });
