// The packed package as the ecosystem's checkers see it, and what ships in it:
// - publint (strict, every level) on the tarball: no message at all;
// - arethetypeswrong (attw, strict profile) on the tarball: no problem, and every JS entry point of the exports map
//   resolved to types and JavaScript under node10, node16 from CommonJS and from ES modules, and bundler;
// - the `npm pack --dry-run` file list: exactly the files package.json names or they import (nothing missing),
//   nothing that must not ship (sources, tests, maps, tarballs), and no build machine's path inside a file;
// - the CommonJS twins export what their ES modules export, and what the .d.cts declares;
// - CHANGELOG.md's newest version, Cargo.toml's and pkg/package.json's agree.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { DOCUMENTS, PKG, ROOT, assertBuilt, expectedFiles, packPackage } from "../support/pack.mjs";
import { checkExportsPattern, exportTargets } from "../../scripts/assemble.mjs";

const ATTW = join(ROOT, "node_modules", ".bin", "attw");
/** Not JavaScript (each build's .wasm): attw would report them unresolvable as modules, which is right for them. */
const NON_JS_SUBPATHS = ["./jira_webhooks_bg.wasm", "./lifecycle/jira_webhooks_bg.wasm"];
const MODES = ["node10", "node16-cjs", "node16-esm", "bundler"];

let manifest, packed;
before(() => {
  assertBuilt();
  manifest = JSON.parse(readFileSync(join(PKG, "package.json"), "utf8"));
  packed = packPackage();
});

/** The exports map's subpaths whose targets are JavaScript: the entry points a consumer imports or requires. */
const jsSubpaths = () =>
  Object.entries(manifest.exports).filter(([, v]) => exportTargets(v).some((t) => /\.[cm]?js$/.test(t))).map(([k]) => k);

test("publint --strict on the tarball: no error, warning or suggestion", async () => {
  const tarball = readFileSync(packed.tarball);
  const { messages, pkg } = await publint({
    pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
    strict: true,
    level: "suggestion",
  });
  assert.deepEqual(messages.map((m) => `${m.type}: ${formatMessage(m, pkg, { color: false })}`), []);
});

test("attw on the tarball: no problem; every JS entry point resolves to types and JS in every mode", () => {
  const args = [packed.tarball, "--profile", "strict", "--no-definitely-typed", "--no-color", "--exclude-entrypoints", ...NON_JS_SUBPATHS];
  const r = spawnSync(ATTW, [...args, "--format", "json"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  const { analysis } = JSON.parse(r.stdout);
  const table = () => spawnSync(ATTW, [...args, "--format", "ascii"], { encoding: "utf8" }).stdout;
  assert.ok(analysis.types?.kind === "included", "the package ships its own types");
  if (analysis.problems.length || r.status !== 0)
    assert.fail(`attw found problems (exit ${r.status}):\n${table()}\n${JSON.stringify(analysis.problems, null, 2)}`);

  const checked = Object.keys(analysis.entrypoints).sort();
  assert.deepEqual(checked, [...jsSubpaths(), "./package.json"].sort(), "attw checked every JS subpath of the exports map");
  for (const subpath of jsSubpaths()) {
    const { resolutions } = analysis.entrypoints[subpath];
    assert.deepEqual(Object.keys(resolutions).sort(), [...MODES].sort(), subpath);
    for (const mode of MODES) {
      const types = resolutions[mode].resolution?.fileName;
      const js = resolutions[mode].implementationResolution?.fileName;
      assert.ok(types && js, `${subpath} under ${mode}: types ${types}, JS ${js}`);
      if (mode === "node16-cjs") assert.ok(types.endsWith(".d.cts") && js.endsWith(".cjs"), `${subpath} from require: ${types}, ${js}`);
      if (mode === "node16-esm") assert.ok(types.endsWith(".d.ts") && /\.m?js$/.test(js), `${subpath} from import: ${types}, ${js}`);
    }
  }
});

test("the exports map follows the pattern of scripts/assemble.mjs", () => {
  assert.doesNotThrow(() => checkExportsPattern(manifest));
});

test("npm pack --dry-run: every file package.json names or imports, documents, nothing else", () => {
  const [dry] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--offline", PKG], { cwd: ROOT, encoding: "utf8" }));
  const files = dry.files.map((f) => f.path).sort();
  assert.deepEqual(files, packed.files, "the dry run lists what the real pack holds");
  const expected = expectedFiles(PKG);
  const missing = expected.filter((f) => !files.includes(f));
  const extra = files.filter((f) => !expected.includes(f));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] });

  // Belt and braces, whatever the manifest says.
  const named = [...exportTargets(manifest.exports), manifest.main, manifest.module, manifest.types].map((t) => t.replace(/^\.\//, ""));
  for (const f of [...named, ...DOCUMENTS]) assert.ok(files.includes(f), `${f} is named but not packed`);
  const forbidden = files.filter((f) =>
    /\.(map|tgz|rs|toml|lock)$/.test(f) || /(^|\/)\./.test(f) || /^(src|tests?|target|node_modules|bench|www|scripts|pkg-template)\//.test(f));
  assert.deepEqual(forbidden, [], "sources, tests, maps, tarballs or dotfiles are packed");
  assert.ok(dry.files.every((f) => f.size > 0), "no empty file");
  assert.ok(dry.unpackedSize < 2 * 1024 * 1024, `unpacked size ${dry.unpackedSize} bytes`);

  // No file carries a path of the machine that built it (the checkout, the cargo registry), or points at a source map.
  const cargoHome = process.env.CARGO_HOME ?? join(homedir(), ".cargo");
  for (const f of files) {
    const text = readFileSync(join(PKG, f), f.endsWith(".wasm") ? "latin1" : "utf8");
    for (const path of [ROOT.replace(/\/$/, ""), cargoHome, "registry/src/"]) assert.ok(!text.includes(path), `${f} contains the build path ${path}`);
    if (!f.endsWith(".wasm")) assert.doesNotMatch(text, /sourceMappingURL=/, `${f} refers to a source map`);
  }
});

/** Value exports of a declaration file: functions, classes, consts, and `default`. */
const declaredValues = (file) =>
  [...readFileSync(join(PKG, file), "utf8").matchAll(/^export (?:declare )?(?:(default) )?(?:function|class|const|let|var)\s*(\w+)?/gm)]
    .map((m) => m[1] ?? m[2]).sort();

test("each CommonJS twin exports what its ES module exports and its .d.cts declares", async () => {
  const require = createRequire(join(PKG, "package.json"));
  for (const [esm, cjs, dts, dcts] of [
    ["node.mjs", "node.cjs", "jira_webhooks.d.ts", "jira_webhooks.d.cts"],
    ["forge.js", "forge.cjs", "forge.d.ts", "forge.d.cts"],
  ]) {
    const fromImport = await import(pathToFileURL(join(PKG, esm)).href);
    const fromRequire = require(join(PKG, cjs));
    assert.deepEqual(Object.keys(fromRequire).sort(), Object.keys(fromImport).sort(), `${cjs} vs ${esm}`);
    assert.deepEqual(declaredValues(dcts), declaredValues(dts), `${dcts} vs ${dts}`);
    assert.deepEqual(Object.keys(fromRequire).sort(), declaredValues(dcts), `${cjs} vs ${dcts}`);
    // A default export is `exports.default` of an `__esModule` module, the way the .d.cts's `export default` reads.
    if ("default" in fromImport) {
      assert.equal(fromRequire.__esModule, true, `${cjs} marks itself __esModule`);
      assert.equal(typeof fromRequire.default, typeof fromImport.default, `${cjs}: default`);
    }
  }
  const lib = require(join(PKG, "node.cjs"));
  assert.ok(Array.isArray(lib.webhookEvents()), "node.cjs loaded its wasm synchronously");
  assert.ok(!("default" in lib) && !("initSync" in lib) && !("__initSync" in lib), "the entries load their wasm themselves: no initialiser is exported");
});

test("CHANGELOG.md's newest version is Cargo.toml's and the package's", () => {
  const section = /^\[package\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(readFileSync(join(ROOT, "Cargo.toml"), "utf8"))?.[1] ?? "";
  const cargo = /^version\s*=\s*"([^"]+)"/m.exec(section)?.[1];
  const changelog = readFileSync(join(ROOT, "CHANGELOG.md"), "utf8");
  const newest = /^## \[(\d+\.\d+\.\d+[^\]]*)\]/m.exec(changelog)?.[1];
  assert.ok(cargo, "Cargo.toml has a [package] version");
  assert.equal(newest, cargo, "the first versioned `## [x.y.z]` heading of CHANGELOG.md is Cargo.toml's version");
  assert.equal(manifest.version, cargo, "pkg/package.json's version");
  assert.equal(readFileSync(join(PKG, "CHANGELOG.md"), "utf8"), changelog, "pkg/ ships the current CHANGELOG.md");
});
