// Builds pkg/: the one npm package `jira-webhooks`, from wasm-pack's output and pkg-template/.
//   wasm-pack (release, web target) -> wasm-opt -Oz (npm `binaryen`) -> CommonJS copy of the glue (esbuild)
//   -> entries, package.json, README and LICENSE from pkg-template/.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "target", "wasm-web");
const pkg = join(root, "pkg");
const bin = (name) => join(root, "node_modules", ".bin", name);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed with exit code ${r.status}`);
}

if (process.env.SKIP_SETUP !== "1") run("bash", ["scripts/setup.sh"], { env: { ...process.env, SETUP_SKIP_BROWSER: "1" } });

run("wasm-pack", ["build", "--target", "web", "--release", "--out-dir", out, "--no-pack"]);

rmSync(pkg, { recursive: true, force: true });
mkdirSync(pkg);

// wasm-pack's own wasm-opt step downloads binaryen, which is not reachable here: run the npm package's.
// The feature flags are those rustc emits for wasm32-unknown-unknown.
run(bin("wasm-opt"), [
  join(out, "jira_webhooks_bg.wasm"), "-o", join(pkg, "jira_webhooks_bg.wasm"), "-Oz",
  "--enable-bulk-memory", "--enable-bulk-memory-opt", "--enable-nontrapping-float-to-int",
  "--enable-reference-types", "--enable-sign-ext", "--enable-mutable-globals", "--enable-multivalue",
]);

copyFileSync(join(out, "jira_webhooks.js"), join(pkg, "jira_webhooks.js"));
copyFileSync(join(out, "jira_webhooks.d.ts"), join(pkg, "jira_webhooks.d.ts"));
copyFileSync(join(out, "jira_webhooks.d.ts"), join(pkg, "jira_webhooks.d.cts"));
// CommonJS consumers get the same glue converted by esbuild; only its synchronous initSync path is used,
// so the `import.meta.url` of the async loader (which CommonJS lacks) is never reached.
run(bin("esbuild"), [
  join(out, "jira_webhooks.js"), "--format=cjs", "--platform=neutral", "--log-level=error",
  `--outfile=${join(pkg, "jira_webhooks.cjs")}`,
]);

for (const file of ["node.mjs", "node.cjs", "browser.js", "workerd.js", "forge.js", "forge.d.ts", "LICENSE"]) {
  copyFileSync(join(root, "pkg-template", file), join(pkg, file));
}
copyFileSync(join(root, "README.md"), join(pkg, "README.md"));

const cargoVersion = /^version = "([^"]+)"/m.exec(readFileSync(join(root, "Cargo.toml"), "utf8"))[1];
const manifest = JSON.parse(readFileSync(join(root, "pkg-template", "package.json"), "utf8"));
manifest.version = cargoVersion;
writeFileSync(join(pkg, "package.json"), JSON.stringify(manifest, null, 2) + "\n");

const kb = (f) => (statSync(join(pkg, f)).size / 1024).toFixed(1);
console.log(`[build] pkg/ ready: jira-webhooks@${cargoVersion}, wasm ${kb("jira_webhooks_bg.wasm")} KB, glue ${kb("jira_webhooks.js")} KB`);
