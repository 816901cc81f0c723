// The package's TypeScript declarations, as a consumer sees them after installing the tarball:
// consumer.ts must type-check (`tsc --strict`, module nodenext, as ESM and as CJS), its @ts-expect-error
// lines must be errors, the declared exports must exist at runtime, and the .d.ts must match the reference.
// After an intended change of the declarations: UPDATE_REFERENCE=1 node --test tests/types/
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { installPackage, assertBuilt, PKG, ROOT } from "../support/pack.mjs";

const HERE = new URL(".", import.meta.url);
const TSC = join(ROOT, "node_modules", ".bin", "tsc");
const STRICT = { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", skipLibCheck: false, types: [] };
let dir;

/** Runs tsc on `files` of the consumer project with `options`; { status, output }. */
function tsc(name, files, options) {
  writeFileSync(join(dir, name), JSON.stringify({ compilerOptions: options, files }, null, 2));
  const r = spawnSync(TSC, ["-p", name, "--pretty", "false"], { cwd: dir, encoding: "utf8" });
  if (r.error) throw r.error;
  return { status: r.status, output: (r.stdout + r.stderr).trim() };
}

/** tsc's diagnostics grouped by where they are: in the package's declarations or in the consumer's files. */
function diagnostics(output) {
  const lines = output.split("\n").filter((l) => /error TS\d+/.test(l));
  return { inPackage: lines.filter((l) => l.startsWith("node_modules/")), inConsumer: lines.filter((l) => !l.startsWith("node_modules/")) };
}

const CONSUMERS = ["consumer.mts", "consumer.cts", "consumer-lifecycle.mts", "consumer-lifecycle.cts"];
let strict;
before(async () => {
  ({ dir } = await installPackage());
  for (const name of ["consumer", "consumer-lifecycle"]) {
    const consumer = new URL(`${name}.ts`, HERE);
    copyFileSync(consumer, join(dir, `${name}.mts`)); // ES module: resolves `types.default`, jira_webhooks.d.ts
    copyFileSync(consumer, join(dir, `${name}.cts`)); // CommonJS: resolves `types.require`, jira_webhooks.d.cts
  }
  // The node-adapter is typed against node:http's own types, which an app of it has (@types/node 20): the lifecycle
  // consumer uses it; the client's consumer compiles without Node's types, as in a browser project.
  const types = join(dir, "node_modules", "@types");
  if (!existsSync(types)) symlinkSync(join(ROOT, "node_modules", "@types"), types, "dir");
  const client = tsc("tsconfig.json", CONSUMERS.filter((c) => !c.includes("lifecycle")), { ...STRICT, target: "esnext" });
  const lifecycle = tsc("tsconfig.lifecycle.json", CONSUMERS.filter((c) => c.includes("lifecycle")), { ...STRICT, target: "esnext", types: ["node"] });
  strict = { status: client.status || lifecycle.status, output: `${client.output}\n${lifecycle.output}`.trim() };
});

test("the README's Node and Express receiver lines type-check with Node's and Express's own types (tsc --strict)", () => {
  // The types of node:http and Express, as an app has them (@types/node 20, @types/express 5).
  const lines = readFileSync(new URL("consumer-node.ts", HERE), "utf8").split("\n").filter((l) => /toNodeListener\(handler\)\)?[.;]/.test(l) && !l.includes("@ts-expect-error"));
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  assert.equal(lines.length, 2, "the Node line and the Express line");
  for (const line of lines) assert.ok(readme.includes(line.replace(/;$/, "")), `the README shows it as checked here: ${line}`);
  copyFileSync(new URL("consumer-node.ts", HERE), join(dir, "consumer-node.mts"));
  const r = tsc("tsconfig.node.json", ["consumer-node.mts"], { ...STRICT, target: "esnext", types: ["node"] });
  assert.deepEqual(diagnostics(r.output).inConsumer, []);
  assert.equal(r.status, 0, r.output);
});

test("the declarations compile on their own (tsc with skipLibCheck: false)", () => {
  assert.deepEqual(diagnostics(strict.output).inPackage, []);
});

test("consumer.ts and consumer-lifecycle.ts: correct calls compile and every @ts-expect-error line is rejected (ESM and CJS)", () => {
  assert.deepEqual(diagnostics(strict.output).inConsumer, []);
  assert.equal(strict.status, 0, strict.output);
});

test("consumer.ts with an older lib (es2022 + dom) and skipLibCheck", () => {
  const r = tsc("tsconfig.es2022.json", CONSUMERS, { ...STRICT, target: "es2022", lib: ["es2022", "dom"], skipLibCheck: true, types: ["node"] });
  assert.equal(r.status, 0, r.output);
});

test("negative control: a wrong call without @ts-expect-error fails tsc", () => {
  writeFileSync(join(dir, "wrong.mts"), `import { JiraWebhooks } from "jira-webhooks";
const client = new JiraWebhooks({ baseUrl: "https://a.example.com", auth: { type: "bearer", token: "t" } });
export const p = client.refreshWebhooks({ webhookIds: ["10000"] });
`);
  const r = tsc("tsconfig.wrong.json", ["wrong.mts"], { ...STRICT, target: "esnext" });
  assert.notEqual(r.status, 0);
  assert.match(r.output, /^wrong\.mts\(3,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/m);
});

/** Value exports of a declaration file: functions, classes, consts, and `default`. */
const declaredValues = (file) =>
  [...readFileSync(file, "utf8").matchAll(/^export (?:declare )?(?:(default) )?(?:function|class|const|let|var)\s*(\w+)?/gm)]
    .map((m) => m[1] ?? m[2]).sort();

test("what the .d.cts declares exists on require(\"jira-webhooks\")", () => {
  const pkg = join(dir, "node_modules", "jira-webhooks");
  const lib = createRequire(join(dir, "index.cjs"))("jira-webhooks");
  assert.deepEqual(declaredValues(join(pkg, "jira_webhooks.d.cts")).filter((n) => !(n in lib)), []);
  assert.deepEqual(Object.keys(lib).filter((n) => typeof lib[n] === "function").sort(), declaredValues(join(pkg, "jira_webhooks.d.cts")));
});

test("what the .d.ts declares exists on import(\"jira-webhooks\") in Node", async () => {
  const entry = join(dir, "node_modules", "jira-webhooks", "node.mjs");
  const lib = await import(pathToFileURL(entry).href);
  assert.deepEqual(declaredValues(join(dir, "node_modules", "jira-webhooks", "jira_webhooks.d.ts")).filter((n) => !(n in lib)), []);
});

test("what forge.d.ts declares is what forge.js exports", async () => {
  const pkg = join(dir, "node_modules", "jira-webhooks");
  const forge = await import(pathToFileURL(join(pkg, "forge.js")).href);
  assert.deepEqual(Object.keys(forge).sort(), declaredValues(join(pkg, "forge.d.ts")));
});

for (const [built, reference] of [["jira_webhooks.d.ts", "jira_webhooks.reference.d.ts"], ["lifecycle/jira_webhooks.d.ts", "lifecycle.reference.d.ts"]]) {
  test(`pkg/${built} matches tests/types/${reference}`, () => {
    assertBuilt();
    const path = join(PKG, built);
    const expectedFile = new URL(reference, HERE);
    const actual = readFileSync(path, "utf8");
    if (process.env.UPDATE_REFERENCE === "1") writeFileSync(expectedFile, actual);
    const expected = readFileSync(expectedFile, "utf8");
    if (actual === expected) return;
    const diff = spawnSync("diff", ["-u", "--label", "reference", "--label", "built", expectedFile.pathname, path], { encoding: "utf8" }).stdout;
    assert.fail(`The public declarations changed (- reference, + built):\n${diff || "(no diff tool; compare the files)"}\n` +
      "If the change is intended, review it and run: UPDATE_REFERENCE=1 node --test tests/types/");
  });
}
