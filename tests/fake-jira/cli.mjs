#!/usr/bin/env node
// Standalone fake Jira: node tests/fake-jira/cli.mjs [--port 8081] [--seed tests/fake-jira/seed.json] [--date-format number|string]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startFakeJira } from "./server.mjs";

const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: "8081" },
    seed: { type: "string" },
    "date-format": { type: "string", default: "number" },
    help: { type: "boolean", short: "h" },
  },
});
if (args.help) {
  console.log("usage: node tests/fake-jira/cli.mjs [--port 8081 (0 = any free port)] [--seed FILE.json] [--date-format number|string]");
  process.exit(0);
}

const seed = args.seed ? JSON.parse(readFileSync(args.seed, "utf8")) : undefined;
const fake = await startFakeJira({ port: Number(args.port), seed, dateFormat: args["date-format"] });
console.log(`fake Jira listening on ${fake.url}`);
console.log("TEST-ONLY credentials (fake secrets, valid nowhere else):");
for (const c of fake.credentials) {
  const app = c.app ? fake.state.apps[c.app] : null;
  const who = app ? `${app.type} app ${app.key}` : "plain user, not an app (answers 403)";
  if (c.type === "basic") console.log(`  Basic  ${c.email}:${c.apiToken}  -> ${who}; base ${fake.url}/rest/api/{2|3}`);
  else console.log(`  Bearer ${c.token}  -> ${who}; base ${fake.url}/ex/jira/${app?.cloudId ?? "<cloudId>"}/rest/api/{2|3}`);
}
for (const app of Object.values(fake.state.apps))
  if (app.sharedSecret) console.log(`  Connect JWT: iss=${app.key}, HS256 with sharedSecret "${app.sharedSecret}", with qsh`);
console.log(`control API: ${fake.url}/_fake/{reset,requests,failed,faults,state,applied,clock}`);

const stop = async () => {
  await fake.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
