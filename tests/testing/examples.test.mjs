// docs/testing.md's examples (and the README's two) are the files under tests/testing/examples/, byte for byte, and they pass against the
// packed package: the Node ones with `node --test`, the Deno ones with `deno test` (the npm `deno` package's binary),
// each from a folder of the consumer project so that `jira-webhooks/…` resolves as it does for a user (there they are
// named x.test.mjs / x.test.ts; here not, so that `node --test tests/testing/` does not run them outside it). A run in
// which no test ran, or fewer than the files hold, fails.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../support/pack.mjs";
import { denoBinary, runProcess } from "../runtimes/common.mjs";
import { loadKit } from "./common.mjs";

const EXAMPLES = join(ROOT, "tests", "testing", "examples");
const DOC = readFileSync(join(ROOT, "docs", "testing.md"), "utf8");
const files = (runtime) => readdirSync(join(EXAMPLES, runtime)).sort();
/** How many tests a file declares (`test(` / `Deno.test(` at the start of a line). */
const declared = (runtime) => files(runtime).reduce((n, f) => n + (readFileSync(join(EXAMPLES, runtime, f), "utf8").match(/^(?:Deno\.)?test\(/gm) ?? []).length, 0);

let dir, tmp;
before(async () => ({ dir, tmp } = await loadKit()), { timeout: 60_000 });

/** The name a user gives the file: receiver.mjs -> receiver.test.mjs. */
const testName = (f) => f.replace(/\.(m?js|ts)$/, ".test.$1");
/** Copies a runtime's examples into a folder of the consumer project (unique to this run), as test files. */
function stage(runtime) {
  const folder = join(dir, `kit-examples-${runtime}-${process.pid}`);
  mkdirSync(folder, { recursive: true });
  for (const f of files(runtime)) copyFileSync(join(EXAMPLES, runtime, f), join(folder, testName(f)));
  return folder;
}

test("docs/testing.md shows each example file exactly, in a fenced block, and no other test file", () => {
  const blocks = [...DOC.matchAll(/^```(?:js|ts)\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  for (const runtime of ["node", "deno"]) {
    for (const f of files(runtime)) assert.ok(blocks.includes(readFileSync(join(EXAMPLES, runtime, f), "utf8")), `${runtime}/${f} is in docs/testing.md as it is`);
  }
  const examples = blocks.filter((b) => /\b(?:Deno\.)?test\(/.test(b));
  assert.equal(examples.length, files("node").length + files("deno").length, "every test shown in the doc is a file that runs");
});

test("the README's tests are example files too, one for each runner", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/^```(?:js|ts)\n([\s\S]*?)^```$/gm)].map((m) => m[1]).filter((b) => /^(?:Deno\.)?test\(/m.test(b));
  const shown = ["node", "deno"].flatMap((runtime) => files(runtime).filter((f) => blocks.includes(readFileSync(join(EXAMPLES, runtime, f), "utf8"))).map((f) => `${runtime}/${f}`));
  assert.equal(shown.length, blocks.length, "every test the README shows is an example file, byte for byte");
  assert.ok(shown.some((f) => f.startsWith("node/")) && shown.some((f) => f.startsWith("deno/")), `a Node and a Deno test: ${shown}`);
});

test("the Node examples pass with node --test against the installed package", { timeout: 60_000 }, async () => {
  const folder = stage("node");
  const expected = declared("node");
  assert.ok(expected >= 4);
  // A `node --test` of its own, not a child of this run's runner (NODE_TEST_CONTEXT would make it report to us).
  const { NODE_TEST_CONTEXT, ...env } = process.env;
  const { code, stdout, stderr } = await new Promise((resolve, reject) => execFile(process.execPath, ["--test", "--test-reporter=tap", ...files("node").map(testName)],
    { cwd: folder, env, timeout: 50_000 }, (e, stdout, stderr) => (e && e.code === undefined ? reject(e) : resolve({ code: e?.code ?? 0, stdout, stderr }))));
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, "m").exec(stdout)?.[1]);
  assert.deepEqual({ tests: count("tests"), pass: count("pass"), fail: count("fail"), skipped: count("skipped") }, { tests: expected, pass: expected, fail: 0, skipped: 0 }, stdout);
});

test("the Deno examples pass with deno test against the installed package", { timeout: 90_000 }, async () => {
  const folder = stage("deno");
  const expected = declared("deno");
  assert.ok(expected >= 4);
  const pkgDir = join(dir, "node_modules", "jira-webhooks");
  const { code, stdout, stderr } = await runProcess(denoBinary(), [
    "test", "--no-check", "--no-lock", "--node-modules-dir=manual", `--allow-read=${pkgDir}`, ...files("deno").map(testName),
  ], { cwd: folder, env: { DENO_DIR: join(tmp, "deno-dir-testing"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }, timeout: 80_000 });
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  const summary = /^ok \| (\d+) passed \| (\d+) failed/m.exec(stdout);
  assert.ok(summary, stdout);
  assert.deepEqual([Number(summary[1]), Number(summary[2])], [expected, 0], stdout);
  assert.doesNotMatch(stdout, /ignored|filtered out/, "no test left out");
});
