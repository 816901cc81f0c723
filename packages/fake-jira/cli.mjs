#!/usr/bin/env node
// Standalone fake Jira: npx fake-jira [--port 8081] [--seed FILE.json | --example-seed] [--date-format number|string]
//   [--rate-limit RPS[:BURST]] [--connect-app-base-url URL] [--emit EVENT_JSON]...
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startFakeJira, DELIVERY_DEFAULTS, SEED_PATH } from "./server.mjs";

const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: "8081" },
    seed: { type: "string" },
    "example-seed": { type: "boolean" },
    "date-format": { type: "string", default: "number" },
    "rate-limit": { type: "string" },
    "connect-app-base-url": { type: "string" },
    emit: { type: "string", multiple: true, default: [] },
    help: { type: "boolean", short: "h" },
  },
});
if (args.help) {
  console.log(`usage: fake-jira [--port 8081 (0 = any free port)] [--seed FILE.json | --example-seed] [--date-format number|string]
  [--example-seed]                 the bundled seed.json: 6 webhooks and 4 failed deliveries on top of the default accounts
  [--rate-limit RPS[:BURST]]       per-app limit across all sites (429 over it)
  [--connect-app-base-url URL]     the Connect app's baseUrl for delivery qsh (default: the webhook url's origin)
  [--emit '{"event":"jira:issue_created","issue":{"key":"DEMO-1"}}']...  emit events once started (repeatable)`);
  process.exit(0);
}

const seedFile = args.seed ?? (args["example-seed"] ? SEED_PATH : undefined);
const seed = seedFile ? JSON.parse(readFileSync(seedFile, "utf8")) : undefined;
const [requestsPerSecond, burst] = (args["rate-limit"] ?? "").split(":").map(Number);
const fake = await startFakeJira({
  port: Number(args.port), seed, dateFormat: args["date-format"], connectAppBaseUrl: args["connect-app-base-url"],
  rateLimit: args["rate-limit"] ? { requestsPerSecond, ...(burst && { burst }) } : null,
});
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
console.log(`deliveries: Connect JWT iss=${fake.site().clientKey} (the site's clientKey), OAuth 2.0 Bearer JWT HS256 with "${DELIVERY_DEFAULTS.oauthClientSecret}"`);
console.log(`other sites: ${fake.url}/site/<name>/rest/api/{2|3} (secrets: GET ${fake.url}/_fake/sites)`);
if (fake.rateLimit) console.log(`rate limit per app: ${JSON.stringify(fake.rateLimit)}`);
console.log(`control API: ${fake.url}/_fake/{reset,requests,failed,faults,state,applied,clock,events,deliveries,install,uninstall,sites,stats,rate-limit,connect-keys/<kid>}`);
for (const event of args.emit) {
  const { deliveries } = fake.emit(JSON.parse(event));
  console.log(`emitted ${JSON.parse(event).event}: ${deliveries.length} deliveries ${JSON.stringify(deliveries)}`);
}

const stop = async () => {
  await fake.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
