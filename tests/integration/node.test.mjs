// The packed, installed package in Node: ESM `import` and CJS `require`, no init call, against the fake Jira.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { CONNECT_APP } from "jira-webhooks-fake/helpers";
import { useFake } from "../support/fake.mjs";
import { installPackage, EXPECTED_FILES, PKG } from "../support/pack.mjs";
import { refusedUrl } from "../support/static.mjs";
import { scenario, authScenario, envFor, checkScenario, checkAuthScenario, FAILURES } from "./scenario.mjs";

const run = promisify(execFile);
const NAMES = ["JiraWebhooks", "JiraWebhooksError", "isJiraWebhooksError", "webhookEvents"];
const USER_AGENT = "jira-webhooks-integration-test/1.0";

/** The consumer scripts: the scenario's source pasted after a plain import / require. */
const SCRIPTS = {
  esm: {
    file: "run.mjs",
    source: `import { ${NAMES.join(", ")} } from "jira-webhooks";
const scenario = ${scenario};
const lib = { ${NAMES.join(", ")} };
const out = await scenario(lib, JSON.parse(process.argv[2]));
out.resolved = import.meta.resolve("jira-webhooks");
process.stdout.write(JSON.stringify(out));
`,
  },
  auth: {
    file: "auth.mjs",
    source: `import * as lib from "jira-webhooks";
import * as forge from "jira-webhooks/forge";
const authScenario = ${authScenario};
process.stdout.write(JSON.stringify(await authScenario(lib, forge, JSON.parse(process.argv[2]))));
`,
  },
  cjs: {
    file: "run.cjs",
    source: `"use strict";
const lib = require("jira-webhooks");
const scenario = ${scenario};
scenario(lib, JSON.parse(process.argv[2])).then((out) => {
  out.resolved = require.resolve("jira-webhooks");
  process.stdout.write(JSON.stringify(out));
});
`,
  },
};

let project, closedUrl;
const fakes = { number: useFake({ dateFormat: "number" }), string: useFake({ dateFormat: "string" }) };
/** What each scenario run returned, for the checks that look across runs. */
const outputs = [];

before(async () => {
  project = await installPackage();
  for (const { file, source } of Object.values(SCRIPTS)) writeFileSync(join(project.dir, file), source);
  closedUrl = await refusedUrl();
});

// Each entry runs the scenario once. The options that only the shared core sees, the API version (paths, v3's `url`
// field) and Jira's date format (numbers, or strings parsed into numbers), are covered here in Node, each value
// once, and not again in every runtime.
for (const [flavour, apiVersion, dateFormat] of [["esm", 3, "string"], ["cjs", 2, "number"]]) {
  test(`${flavour}: all five operations and every failure kind (/rest/api/${apiVersion}, ${dateFormat} dates)`, async () => {
    const fake = fakes[dateFormat];
    fake.seedFailed(CONNECT_APP, FAILURES);
    const env = envFor(fake, closedUrl, apiVersion, USER_AGENT);
    const { stdout, stderr } = await run(process.execPath, [SCRIPTS[flavour].file, JSON.stringify(env)], { cwd: project.dir, timeout: 60_000 });
    assert.equal(stderr, "");
    const out = JSON.parse(stdout);
    assert.ok(out.resolved.replace(/^file:\/\//, "").endsWith(`node_modules/jira-webhooks/${flavour === "esm" ? "node.mjs" : "node.cjs"}`), out.resolved);
    checkScenario(out, fake, env);
    outputs.push(out);
  });
}

// /rest/api/3: the runtime suites use the default, 2.
test("esm: Connect JWT, bearer getToken, a custom transport and the Forge adapters (/rest/api/3)", async () => {
  const fake = fakes.number;
  fake.seedFailed(CONNECT_APP, FAILURES);
  const env = envFor(fake, closedUrl, 3);
  const { stdout, stderr } = await run(process.execPath, [SCRIPTS.auth.file, JSON.stringify(env)], { cwd: project.dir, timeout: 60_000 });
  assert.equal(stderr, "");
  checkAuthScenario(JSON.parse(stdout), fake, env);
});

test("err.attempts counts the requests that were actually sent", () => {
  assert.ok(outputs.length > 0, "runs after the scenarios");
  for (const { errors } of outputs) {
    assert.equal(errors.preAborted.error.attempts, 0, "pre-aborted: never sent");
    assert.equal(errors.partial.error.attempts, 1, "partial failure: sent once");
  }
});

test("unknown fields are rejected with invalid-input before anything is sent, naming where but never quoting the caller's key (README, \"Errors\")", async () => {
  const fake = fakes.number;
  writeFileSync(join(project.dir, "unknown.mjs"), `import { JiraWebhooks } from "jira-webhooks";
const client = new JiraWebhooks(JSON.parse(process.argv[2]));
const kind = (p) => p.then(() => "resolved", (e) => e.kind + ": " + e.path + " " + e.message);
const url = "https://app.example.com/hook";
console.log(JSON.stringify([
  await kind(client.registerDynamicWebhooks({ url, webhooks: [{ events: ["jira:issue_updated"], jqlFilter: "project = A", fieldIdFilter: ["summary"] }] })),
  await kind(client.registerDynamicWebhooks({ url, webhooks: [{ events: ["jira:issue_created"], jqlFilter: "project = A" }], extra: true })),
  await kind(client.refreshWebhooks({ webhookIds: [10000], extra: true })),
  await kind(client.getDynamicWebhooksForApp({ start: 5 })),
]));
`);
  const config = { baseUrl: fake.url, auth: { type: "basic", email: "admin@example.com", apiToken: "basic-api-token" } };
  const { stdout } = await run(process.execPath, ["unknown.mjs", JSON.stringify(config)], { cwd: project.dir });
  const outcomes = JSON.parse(stdout);
  [["webhooks[0]", "fieldIdFilter"], ["argument", "extra"], ["argument", "extra"], ["argument", "start"]].forEach(([path, key], i) => {
    assert.match(outcomes[i], new RegExp(`^invalid-input: ${path.replace(/[[\]]/g, "\\$&")} .*has a member that is none of`));
    assert.ok(!outcomes[i].includes("`" + key + "`"), "the unknown key may be a secret pasted into the wrong field");
  });
  assert.deepEqual(fake.requests, []);
});

test("the tarball holds exactly the expected files, with a usable package.json", async () => {
  const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--offline", PKG]);
  const [packed] = JSON.parse(stdout);
  assert.equal(packed.name, "jira-webhooks");
  assert.deepEqual(packed.files.map((f) => f.path).sort(), [...EXPECTED_FILES].sort());
  assert.ok(packed.files.every((f) => f.size > 0), "no empty file");

  const installed = join(project.dir, "node_modules", "jira-webhooks");
  const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
  assert.equal(manifest.name, "jira-webhooks");
  assert.match(manifest.version, /^\d+\.\d+\.\d+/);
  assert.equal(manifest.types, "./jira_webhooks.d.ts");
  assert.equal(manifest.license, "MIT");
  assert.equal(manifest.dependencies, undefined, "zero dependencies");
  const root = manifest.exports["."];
  assert.deepEqual(root.node, { require: "./node.cjs", default: "./node.mjs" });
  assert.deepEqual(root.types, { require: "./jira_webhooks.d.cts", default: "./jira_webhooks.d.ts" });
  for (const c of ["browser", "deno", "worker", "default"]) assert.equal(root[c], "./browser.js", c);
  assert.equal(root.workerd, "./workerd.js");
  for (const [subpath, conditions] of Object.entries(manifest.exports))
    if (typeof conditions === "object") assert.equal(Object.keys(conditions)[0], "types", `${subpath}: \`types\` must come first`);
  // Every file the manifest points at is in the tarball.
  const targets = (function leaves(v) { return typeof v === "string" ? [v.slice(2)] : Object.values(v).flatMap(leaves); })(manifest.exports);
  for (const f of [...targets, manifest.main.slice(2), manifest.module.slice(2), manifest.types.slice(2)])
    assert.ok(EXPECTED_FILES.includes(f), `${f} is referenced but not packed`);
  assert.match(readFileSync(join(installed, "README.md"), "utf8"), /jira-webhooks/);
  assert.match(readFileSync(join(installed, "LICENSE"), "utf8"), /MIT License|Permission is hereby granted/);
});
