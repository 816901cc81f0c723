#!/usr/bin/env node
// Standalone fake Jira: npx fake-jira [--port 8081] [--seed FILE.json | --example-seed] [--date-format number|string]
//   [--rate-limit RPS[:BURST]] [--points-per-hour N] [--oauth-list-scope app|user] [--connect-app-base-url URL]
//   [--emit EVENT_JSON]...
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
    "points-per-hour": { type: "string" },
    "oauth-list-scope": { type: "string", default: "app" },
    "connect-app-base-url": { type: "string" },
    emit: { type: "string", multiple: true, default: [] },
    help: { type: "boolean", short: "h" },
  },
});
if (args.help) {
  console.log(`usage: fake-jira [--port 8081 (0 = any free port)] [--seed FILE.json | --example-seed] [--date-format number|string]
  [--example-seed]                 the bundled seed.json: 6 webhooks and 4 failed deliveries on top of the default accounts
  [--rate-limit RPS[:BURST]]       per-app limit across all sites (429 over it)
  [--points-per-hour N]            points budget per app per hour across all sites (429 jira-quota-based over it)
  [--oauth-list-scope app|user]    what an OAuth 2.0 user lists: all of the app's webhooks (default) or their own
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
  pointsPerHour: args["points-per-hour"] ? Number(args["points-per-hour"]) : null, oauthListScope: args["oauth-list-scope"],
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
for (const app of Object.values(fake.state.apps)) {
  if (app.type !== "oauth") continue;
  const secret = app.clientSecret ?? DELIVERY_DEFAULTS.oauthClientSecret;
  console.log(`  OAuth 2.0 (3LO) app: client_id "${app.key}", client_secret "${secret}", callback URLs ${JSON.stringify(app.redirectUris ?? [])}`);
}
console.log(`OAuth 2.0: authorize ${fake.url}/authorize (fake-only: user=<who consents>, site=<name>), token ${fake.url}/oauth/token, ` +
  `sites ${fake.url}/oauth/token/accessible-resources; gateway ${fake.url}/ex/jira/<cloudId>/rest/api/{2|3}`);
console.log(`deliveries: Connect JWT iss=${fake.site().clientKey} (the site's clientKey), OAuth 2.0 Bearer JWT HS256 with the app's client secret`);
console.log(`other sites: ${fake.url}/site/<name>/rest/api/{2|3} (secrets: GET ${fake.url}/_fake/sites)`);
if (fake.rateLimit) console.log(`rate limit per app: ${JSON.stringify(fake.rateLimit)}`);
if (fake.pointsPerHour) console.log(`points budget per app: ${fake.pointsPerHour} per hour`);
console.log(`control API: ${fake.url}/_fake/{reset,requests,failed,faults,state,applied,clock,events,deliveries,install,uninstall,sites,stats,rate-limit,points,oauth,oauth/requests,oauth/revoke,oauth/grant,connect-keys/<kid>}`);
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
