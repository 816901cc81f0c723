// Assembles pkg/, the one npm package `jira-webhooks`, from wasm-pack's output and pkg-template/: everything
// `npm run build` does after the Rust step, so it runs without a Rust toolchain on an existing wasm-pack output:
//   node scripts/assemble.mjs [--from target] [--out pkg]
// Two builds of the crate go in: target/wasm-web (the client: `--no-default-features`) becomes the package's root,
// target/wasm-lifecycle (with the `lifecycle` feature) its lifecycle/ folder. Both folders get the same entries
// (node.mjs, browser.js, workerd.js), each importing the glue beside it, so `jira-webhooks/lifecycle` resolves
// exactly like `jira-webhooks` and only those who import it ship the lifecycle's code.
//   wasm-opt (npm `binaryen`, WASM_OPT_FLAGS) -> glue (minified by esbuild) and its .d.ts -> pkg-template/ -> CommonJS twins (esbuild) and their .d.cts
//   -> package.json (version from Cargo.toml), README, CHANGELOG; then checks that the exports map follows the pattern.
//
// The pattern of the exports map (pkg-template/package.json), for every JS subpath:
//   "./x": { "types": { "require": "./x.d.cts", "default": "./x.d.ts" }, <runtime conditions>, "require": "./x.cjs", "default": "./x.js" }
// - `types` comes first; `require` picks the CommonJS declarations, everything else the ES module ones.
// - Each entry is written once, as an ES module (x.js or x.mjs) with its x.d.ts, in pkg-template/. This script
//   generates its CommonJS twin x.cjs (esbuild, the glue bundled in; `import.meta.url` becomes the file's URL) and
//   x.d.cts (the same declarations; relative `.js` imports become `.cjs`), for every `.cjs` / `.d.cts` the map names.
// - A CommonJS twin has what its ES module has, `default` included: esbuild marks it `__esModule`, so the
//   `export default` of the .d.cts is its `exports.default`, as TypeScript reads it.
// - `require` stands before `browser`/`worker`/`default`: a `require` outside Node (Jest with jsdom, Electron)
//   gets the CommonJS build, the only one `require` can load (browser.js needs top-level await).
// - An entry that uses another entry imports it by the package's own name ("jira-webhooks"), left external, so
//   the ES module and CommonJS builds each share one wasm instance with the entry they use.
// - An entry may import a package of the workspace (testing.js imports `jira-webhooks-fake/core`, the fake Jira's
//   runtime-neutral core): its ES module is then bundled by esbuild (platform neutral, not minified, the package's
//   own name external) instead of copied, so that the package keeps zero dependencies.
// A new entry (say `jira-webhooks/node` for the lifecycle adapter): add pkg-template/<name>.js and <name>.d.ts, the
// subpath above and the four files to `files`; this script and tests/package/checkers.test.mjs do the rest.
import { spawnSync } from "node:child_process";
import { shortenNames } from "./wasm-names.mjs";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const template = join(root, "pkg-template");

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed with exit code ${r.status ?? r.signal}`);
}

/** Every file path (`./x`) in an exports value, however deeply nested in conditions. */
export const exportTargets = (value) =>
  typeof value === "string" ? [value] : value && typeof value === "object" ? Object.values(value).flatMap(exportTargets) : [];

/** Throws unless every JS subpath of `manifest.exports` follows the pattern described at the top of this file. */
export function checkExportsPattern(manifest) {
  const problems = [];
  for (const [subpath, value] of Object.entries(manifest.exports)) {
    if (typeof value === "string") {
      if (/\.[cm]?js$/.test(value)) problems.push(`${subpath}: a JS entry needs conditions, not one file`);
      continue;
    }
    const keys = Object.keys(value);
    const { types } = value;
    if (keys[0] !== "types") problems.push(`${subpath}: "types" must come first`);
    if (typeof types !== "object" || Object.keys(types).join() !== "require,default" ||
        !types.require.endsWith(".d.cts") || !types.default.endsWith(".d.ts"))
      problems.push(`${subpath}: "types" must be { "require": "./x.d.cts", "default": "./x.d.ts" }`);
    if (!value.require?.endsWith?.(".cjs")) problems.push(`${subpath}: a "require" condition naming a .cjs file is missing`);
    if (keys.at(-1) !== "default") problems.push(`${subpath}: "default" must come last`);
    if (keys.indexOf("require") > keys.findIndex((k) => ["browser", "worker", "default"].includes(k)))
      problems.push(`${subpath}: "require" must come before "browser", "worker" and "default"`);
  }
  if (problems.length) throw new Error(`pkg-template/package.json's exports map breaks the pattern:\n  ${problems.join("\n  ")}`);
}

/** Whether a module imports a package other than the package itself (`jira-webhooks`, `jira-webhooks/…`). */
export const importsPackages = (source) =>
  [...source.matchAll(/\b(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']/g)]
    .map((m) => m[1] ?? m[2]).some((s) => !/^(\.|\/|node:|jira-webhooks(\/|$))/.test(s));

/** The ES module a generated CommonJS file is built from: x.cjs <- x.mjs or x.js. */
function esmSourceOf(out, cjs) {
  const stem = cjs.replace(/\.cjs$/, "");
  const found = [`${stem}.mjs`, `${stem}.js`].filter((f) => existsSync(join(out, f)));
  if (found.length !== 1) throw new Error(`${cjs}: expected exactly one ES module source ${stem}.mjs or ${stem}.js, found ${found.length}`);
  return found[0];
}

/** The path of an edge file (`src/js/<file>`) in a wasm-pack output's snippets folder, relative to `dir`. */
function snippet(dir, file) {
  const found = readdirSync(join(dir, "snippets"), { recursive: true }).map(String).filter((f) => f.endsWith(join("src", "js", file)));
  if (found.length !== 1) throw new Error(`${dir}: expected one snippet src/js/${file}, found ${found.length}`);
  return `snippets/${found[0].split("\\").join("/")}`;
}

/**
 * The public part of wasm-bindgen's declarations: everything but the initialisers (`initSync`, the default
 * `init` and their types, which the entries call themselves), and the names it exports.
 */
export function publicDeclarations(text) {
  const cut = text.indexOf("export type InitInput");
  const dts = (cut < 0 ? text : text.slice(0, cut)).trimEnd().replace(/^( +)free\(\): void;\n\1\[Symbol\.dispose\]\(\): void;$/gm,
    (_, pad) => `${pad}/**\n${pad} * Releases the client's WebAssembly memory now. Optional: a client nobody refers to any more is released by\n` +
      `${pad} * the garbage collector. Do not use the client afterwards.\n${pad} */\n${pad}free(): void;\n` +
      `${pad}/** The same as \`free()\`, for \`using client = new JiraWebhooks(…)\`. */\n${pad}[Symbol.dispose](): void;`) + "\n";
  const names = [...dts.matchAll(/^export (?:class|function) (\w+)/gm)].map((m) => m[1]);
  const classes = [...dts.matchAll(/^export class (\w+)/gm)].map((m) => m[1]);
  return { names, classes, dts };
}

/**
 * wasm-opt's flags (npm `binaryen`): -Os, which compresses better than -Oz (larger raw, smaller gzip), with the
 * first kilobyte of memory known unused (Rust's stack starts at 1 MiB) and no producers or target-features
 * sections (metadata for linkers); then the feature flags rustc emits for wasm32-unknown-unknown.
 */
export const WASM_OPT_FLAGS = [
  "-Os", "--low-memory-unused", "--strip-producers", "--strip-target-features",
  "--enable-bulk-memory", "--enable-bulk-memory-opt", "--enable-nontrapping-float-to-int",
  "--enable-reference-types", "--enable-sign-ext", "--enable-mutable-globals", "--enable-multivalue",
];

/** The two builds of the crate: the client (the package's root) and the client with the lifecycle. */
export const VARIANTS = [
  { dir: "", wasmPack: "wasm-web", features: ["--no-default-features"] },
  { dir: "lifecycle", wasmPack: "wasm-lifecycle", features: [] },
];
/** The entries each variant has: the same files, each next to its own glue and wasm. */
const ENTRIES = ["node.mjs", "browser.js", "workerd.js"];

/**
 * @param {{ from?: string, out?: string }} [options] from: the folder holding each variant's wasm-pack output
 *   (target/), out: the package folder to (re)create
 * @returns {{ out: string, version: string }}
 */
export function assemble({ from = join(root, "target"), out = join(root, "pkg") } = {}) {
  for (const { wasmPack } of VARIANTS)
    for (const f of ["jira_webhooks.js", "jira_webhooks.d.ts", "jira_webhooks_bg.wasm"])
      if (!existsSync(join(from, wasmPack, f))) throw new Error(`${join(from, wasmPack, f)} is missing: run wasm-pack first (npm run build)`);

  const manifest = JSON.parse(readFileSync(join(template, "package.json"), "utf8"));
  checkExportsPattern(manifest);

  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  for (const { dir, wasmPack } of VARIANTS) {
    const src = join(from, wasmPack);
    const dst = join(out, dir);
    mkdirSync(dst, { recursive: true });
    // wasm-pack's own wasm-opt step downloads binaryen, which is not reachable here: run the npm package's.
    run(bin("wasm-opt"), [join(src, "jira_webhooks_bg.wasm"), "-o", join(dst, "jira_webhooks_bg.wasm"), ...WASM_OPT_FLAGS]);
    // Short names between the glue and the wasm (scripts/wasm-names.mjs): the glue used below is the renamed copy.
    const short = shortenNames(readFileSync(join(dst, "jira_webhooks_bg.wasm")), readFileSync(join(src, "jira_webhooks.js"), "utf8"));
    writeFileSync(join(dst, "jira_webhooks_bg.wasm"), short.wasm);
    writeFileSync(join(src, "jira_webhooks.short.js"), short.glue);
    writeFileSync(join(src, "wasm-names.json"), JSON.stringify(short.names, null, 1));
    // The glue and the edge's .js files (wasm-bindgen's snippets) as one module, minified: whitespace, syntax
    // and local names (property names, which the glue and the wasm share, stay). The public classes keep their
    // names (`JiraWebhooks.name`, what consoles print). It exports the public names only, those its declarations
    // name, plus the error class and the two initialisers the entries call.
    const { names, classes, dts } = publicDeclarations(readFileSync(join(src, "jira_webhooks.d.ts"), "utf8"));
    const errors = snippet(src, "errors.js");
    const facade = join(src, "facade.js");
    writeFileSync(facade, `import { ${names.join(", ")} } from "./jira_webhooks.short.js";\n` +
      `import { JiraWebhooksError, isJiraWebhooksError } from "./${errors}";\n` +
      `for (const [c, name] of [${[...classes, "JiraWebhooksError"].map((c) => `[${c}, "${c}"]`).join(", ")}])\n` +
      `  Object.defineProperty(c, "name", { value: name });\n` +
      `export { ${[...names, "JiraWebhooksError", "isJiraWebhooksError"].join(", ")} };\n` +
      `export { initSync as __initSync, default as __init } from "./jira_webhooks.short.js";\n`);
    run(bin("esbuild"), [
      facade, "--bundle", "--minify", "--format=esm", "--log-level=warning", "--legal-comments=none",
      // wasm-bindgen imports a snippet both for its glue and directly (as a namespace, twice): harmless.
      "--log-override:duplicate-object-key=silent",
      `--outfile=${join(dst, "jira_webhooks.js")}`,
    ]);
    writeFileSync(join(dst, "jira_webhooks.d.ts"), dts);
    // The entries export the public names only: not the initialisers they call themselves.
    const exported = `export { ${[...names, "JiraWebhooksError", "isJiraWebhooksError"].sort().join(", ")} } from "./jira_webhooks.js";`;
    for (const file of ENTRIES) {
      const text = readFileSync(join(template, file), "utf8");
      if (!text.includes('export * from "./jira_webhooks.js";')) throw new Error(`pkg-template/${file} must end with export * from "./jira_webhooks.js"`);
      writeFileSync(join(dst, file), text.replace('export * from "./jira_webhooks.js";', exported));
    }
  }
  for (const file of readdirSync(template)) {
    if (file === "package.json" || ENTRIES.includes(file)) continue;
    if (!/\.m?js$/.test(file) || !importsPackages(readFileSync(join(template, file), "utf8"))) copyFileSync(join(template, file), join(out, file));
    else {
      // Inside `root`, so that its file comments name workspace paths, never a build machine's.
      run(bin("esbuild"), [
        join("pkg-template", file), "--bundle", "--format=esm", "--platform=neutral", "--external:jira-webhooks", "--external:jira-webhooks/*",
        "--log-level=warning", `--banner:js=// Generated from pkg-template/${file} by esbuild, with the workspace packages it imports bundled in.`,
        `--outfile=${join(out, file)}`,
      ]);
      // What esbuild keeps of the sources' JSDoc may still name their files (`@param {import("./events.mjs").X}`):
      // the type's name alone, so that nothing in the bundle points at a file the package does not ship.
      const bundled = readFileSync(join(out, file), "utf8").replace(/\bimport\((["'])\.{1,2}\/[^"']*\1\)\./g, "");
      if (/\bfrom\s*["']\.|\bimport\s*\(\s*["']\./.test(bundled)) throw new Error(`${file}: a relative import is left in its bundle`);
      writeFileSync(join(out, file), bundled);
    }
  }
  for (const file of ["README.md", "CHANGELOG.md"]) copyFileSync(join(root, file), join(out, file));

  const targets = [...new Set(exportTargets(manifest.exports))];
  // CommonJS twins. esbuild runs inside `out`, so its file comments name package files, never a build path.
  for (const cjs of targets.filter((t) => t.endsWith(".cjs")).map((t) => t.slice(2))) {
    const esm = esmSourceOf(out, cjs);
    run(bin("esbuild"), [
      esm, "--bundle", "--format=cjs", "--platform=node", "--external:jira-webhooks", "--log-level=warning",
      "--define:import.meta.url=__import_meta_url",
      `--banner:js="use strict";\n// Generated from ${esm} by esbuild: the same module for require().\n` +
        `const __import_meta_url = require("node:url").pathToFileURL(__filename).href;`,
      `--outfile=${cjs}`,
    ], { cwd: out });
    const code = readFileSync(join(out, cjs), "utf8");
    if (code.split("__import_meta_url").length === 2) writeFileSync(join(out, cjs), code.replace(/^const __import_meta_url = .*\n/m, ""));
  }
  // CommonJS declarations: the same text, read by TypeScript as CommonJS; relative imports go to the .cjs twins.
  for (const dcts of targets.filter((t) => t.endsWith(".d.cts")).map((t) => t.slice(2))) {
    const dts = dcts.replace(/\.d\.cts$/, ".d.ts");
    const text = readFileSync(join(out, dts), "utf8").replace(
      /(\bfrom\s*|\bimport\s*\(\s*)(["'])(\.\.?\/[^"']*?)\.m?js\2/g, (_, lead, q, path) => `${lead}${q}${path}.cjs${q}`);
    writeFileSync(join(out, dcts), `// Generated from ${dts}: the same declarations, for require().\n${text}`);
  }

  const cargoVersion = /^version = "([^"]+)"/m.exec(readFileSync(join(root, "Cargo.toml"), "utf8"))[1];
  manifest.version = cargoVersion;
  writeFileSync(join(out, "package.json"), JSON.stringify(manifest, null, 2) + "\n");

  const missing = [...targets, manifest.main, manifest.module, manifest.types].map((t) => t.replace(/^\.\//, ""))
    .filter((f) => !existsSync(join(out, f)));
  if (missing.length) throw new Error(`package.json names files that were not built: ${missing.join(", ")}`);
  const kb = (f) => (statSync(join(out, f)).size / 1024).toFixed(1);
  console.log(`[assemble] ${basename(out)}/ ready: jira-webhooks@${cargoVersion}, wasm ${kb("jira_webhooks_bg.wasm")} KB, glue ${kb("jira_webhooks.js")} KB; ` +
    `lifecycle/: wasm ${kb("lifecycle/jira_webhooks_bg.wasm")} KB, glue ${kb("lifecycle/jira_webhooks.js")} KB`);
  return { out, version: cargoVersion };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { from: { type: "string" }, out: { type: "string" } } });
  assemble({ from: values.from && resolve(values.from), out: values.out && resolve(values.out) });
}
