// Runs the wasm-bindgen tests (tests/wasm.rs) in Node or headless Chromium against two fake Jiras
// (integer dates and Jira's string dates), and fails unless the runner reports at least one test run:
// wasm-pack's browser mode silently skips everything and exits 0 when misconfigured.
//   node scripts/wasm-tests.mjs node|chrome
import { spawn } from "node:child_process";
import { startFakeJira } from "../tests/fake-jira/server.mjs";

const where = process.argv[2];
if (!["node", "chrome"].includes(where)) throw new Error("usage: node scripts/wasm-tests.mjs node|chrome");

const fake = await startFakeJira({ port: 0 });
const stringDates = await startFakeJira({ port: 0, dateFormat: "string" });
const env = { ...process.env, FAKE_JIRA_URL: fake.url, FAKE_JIRA_STRING_DATES_URL: stringDates.url };
const args = ["test", "--release"];
if (where === "chrome") {
  env.WASM_BINDGEN_USE_BROWSER = "1";
  args.push("--headless", "--chrome", "--chromedriver", "/usr/bin/chromedriver");
} else {
  args.push("--node");
}

let output = "";
const child = spawn("wasm-pack", args, { env, stdio: ["ignore", "pipe", "pipe"] });
for (const stream of [child.stdout, child.stderr]) {
  stream.on("data", (chunk) => {
    output += chunk;
    (stream === child.stdout ? process.stdout : process.stderr).write(chunk);
  });
}
const code = await new Promise((resolve) => child.on("close", resolve));
await fake.close();
await stringDates.close();

const results = [...output.matchAll(/test result: (\w+)\. (\d+) passed; (\d+) failed/g)];
const passed = results.reduce((n, m) => n + Number(m[2]), 0);
const failed = results.reduce((n, m) => n + Number(m[3]), 0);
console.log(`wasm-bindgen tests in ${where}: ${passed} passed, ${failed} failed`);
if (code !== 0 || failed > 0) process.exit(code || 1);
if (passed === 0) {
  console.error(`no wasm-bindgen test ran in ${where}: the runner skipped them (see TOOLCHAIN.md)`);
  process.exit(1);
}
