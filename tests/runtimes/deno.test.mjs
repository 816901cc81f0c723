// Deno 2 (the npm `deno` package's binary) runs scripts that import the installed package and drive the five
// operations against the fake, with only the permissions they need: the fake's address, and reading the
// package's folder (browser.js fetches the wasm through a file: URL).
//   - by path: `import … from "file:///…/node_modules/jira-webhooks/browser.js"`, no config;
//   - by name: `import … from "jira-webhooks"` from the consumer project, resolved through its package.json
//     and node_modules (Deno 2's default "manual" node_modules mode), which takes the `deno` condition.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { useFake } from "../support/fake.mjs";
import { AUTHS, INPUT, checkDrive, denoRun, drive, installPackage, prepareFake } from "./common.mjs";

const script = (specifier) => `import { JiraWebhooks } from ${JSON.stringify(specifier)};
const drive = ${drive};
const env = JSON.parse(Deno.args[0]);
const out = await drive({ JiraWebhooks }, { baseUrl: env.fakeUrl, auth: env.auth }, env.input);
console.log(JSON.stringify({ out, resolved: import.meta.resolve(${JSON.stringify(specifier)}), deno: Deno.version.deno }));
`;

const fake = useFake();
let dir, tmp, pkgDir, denoDir;

before(async () => {
  ({ dir, tmp } = await installPackage());
  pkgDir = join(dir, "node_modules", "jira-webhooks");
  denoDir = join(tmp, "deno-dir");
  mkdirSync(join(tmp, "deno-path"), { recursive: true });
  mkdirSync(denoDir, { recursive: true });
  writeFileSync(join(tmp, "deno-path", "run.mjs"), script(pathToFileURL(join(pkgDir, "browser.js")).href));
  writeFileSync(join(dir, "deno-run.mjs"), script("jira-webhooks"));
}, { timeout: 60_000 });

/** Runs a script with `deno run` and the least permissions; returns what it printed. */
async function run(file, auth, flags) {
  await prepareFake(fake);
  const env = { fakeUrl: fake.url, auth, input: INPUT };
  const { code, stdout, stderr } = await denoRun(file, [JSON.stringify(env)], {
    cwd: join(file, ".."), denoDir, flags, permissions: [`--allow-net=127.0.0.1:${fake.port}`, `--allow-read=${pkgDir}`],
  });
  assert.equal(code, 0, `deno failed:\n${stdout}\n${stderr}`);
  assert.equal(stderr, "", "deno printed warnings");
  return JSON.parse(stdout);
}

test("Deno 2, browser.js imported by path: the five operations", { timeout: 60_000 }, async () => {
  const result = await run(join(tmp, "deno-path", "run.mjs"), AUTHS.basic, ["--no-config"]);
  assert.match(result.deno, /^2\./);
  assert.equal(result.resolved, pathToFileURL(join(pkgDir, "browser.js")).href);
  checkDrive(result.out, fake);
});

test("Deno 2, `jira-webhooks` by name through node_modules (deno condition -> browser.js): the five operations (Connect JWT)", { timeout: 60_000 }, async () => {
  const result = await run(join(dir, "deno-run.mjs"), AUTHS.connect, ["--node-modules-dir=manual"]);
  assert.equal(result.resolved, pathToFileURL(join(pkgDir, "browser.js")).href);
  checkDrive(result.out, fake, { user: null });
  // Deno's fetch: no Origin, no preflight, its own User-Agent.
  assert.ok(fake.requests.every((r) => r.method !== "OPTIONS" && r.headers.origin === undefined));
  assert.match(fake.requests[0].headers["user-agent"], /^Deno\/2\./);
});
