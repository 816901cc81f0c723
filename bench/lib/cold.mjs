// One cold start: `node cold.mjs KIND BASE PKG_ENTRY` prints, as JSON, milliseconds since this process started
// (performance.now()'s origin) at: script start, library imported and client built, first call resolved.
// KIND: raw | pkg | jirajs. The first call is getDynamicWebhooksForApp of a 100-webhook page.
const start = performance.now();
const [kind, base, pkgEntry] = process.argv.slice(2);
const { makeClient, checkList } = await import("./clients.mjs");
const helpers = performance.now();
const client = await makeClient(kind, base, pkgEntry);
const ready = performance.now();
const page = await client.list();
const done = performance.now();
process.stdout.write(JSON.stringify({ kind, start, helpers, ready, done, error: checkList(page) }) + "\n");
process.exit(0);
