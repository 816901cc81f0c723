// Where per-call time goes without a network: the same bodies decoded by JSON.parse, by this package (through a
// custom transport that answers at once with the canned text, so the call is request building + Rust decode
// and validation + conversion to JS objects), and by jira.js's zod schemas. Microseconds per operation.
import { registrationResult, webhookPage } from "./fixtures.mjs";
import { REGISTER_INPUT } from "./clients.mjs";
import { median } from "./stats.mjs";

// µs of this process's CPU time (user + system) per operation, over a window of `ms` wall-clock milliseconds:
// CPU time rather than wall time, so that other work on the machine inflates the figures as little as possible.
const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

function syncRate(fn, ms) {
  let n = 0;
  const t0 = performance.now();
  const c0 = cpuNow();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 20; i++) fn();
    n += 20;
  }
  return (cpuNow() - c0) / n;
}

async function asyncRate(fn, ms) {
  let n = 0;
  const t0 = performance.now();
  const c0 = cpuNow();
  while (performance.now() - t0 < ms) {
    await fn();
    n++;
  }
  return (cpuNow() - c0) / n;
}

/** `pkg` is the imported package; `jiraCloud` the imported `jira.js/cloud` (for its zod schemas). */
export async function cpuCosts({ pkg, jiraCloud, rounds = 3, windowMs = 200 }) {
  const bodies = {
    page100: JSON.stringify(webhookPage(100)),
    page100numeric: JSON.stringify(webhookPage(100, { numericDates: true })),
    page0: JSON.stringify(webhookPage(0)),
    register5: JSON.stringify(registrationResult(5)),
  };
  const headers = { get: (name) => (name.toLowerCase() === "content-type" ? "application/json;charset=UTF-8" : null) };
  const answering = (body) => async () => ({ status: 200, headers, text: async () => body });
  const clientFor = (body) =>
    new pkg.JiraWebhooks({ transport: answering(body), auth: { type: "none" }, retry: false });
  const c100 = clientFor(bodies.page100);
  const c100n = clientFor(bodies.page100numeric);
  const c0 = clientFor(bodies.page0);
  const cReg = clientFor(bodies.register5);
  const list = { startAt: 0, maxResults: 100 };
  // The JS floor of the same async shape: call the transport, await text(), JSON.parse.
  const jsFloor = (body) => {
    const t = answering(body);
    return async () => JSON.parse(await (await t()).text());
  };
  const js100 = jsFloor(bodies.page100);
  const zodPage = jiraCloud.PageWebhookSchema;
  const zodReg = jiraCloud.ContainerForRegisteredWebhooksSchema;

  const cases = {
    "JSON.parse, 100-webhook page": { sync: () => JSON.parse(bodies.page100) },
    "JSON.parse, 0-webhook page": { sync: () => JSON.parse(bodies.page0) },
    "JSON.parse, registration result (5)": { sync: () => JSON.parse(bodies.register5) },
    "JSON.stringify, registration input (5)": { sync: () => JSON.stringify(REGISTER_INPUT) },
    "JS async floor (transport + JSON.parse), 100-webhook page": { async: js100 },
    "jira-webhooks call via transport, 100-webhook page (string dates)": { async: () => c100.getDynamicWebhooksForApp(list) },
    "jira-webhooks call via transport, 100-webhook page (numeric dates)": { async: () => c100n.getDynamicWebhooksForApp(list) },
    "jira-webhooks call via transport, 0-webhook page": { async: () => c0.getDynamicWebhooksForApp(list) },
    "jira-webhooks call via transport, register 5": { async: () => cReg.registerDynamicWebhooks(REGISTER_INPUT) },
    "jira.js zod safeParse, 100-webhook page (numeric dates: passes)": {
      sync: () => zodPage.safeParse(JSON.parse(bodies.page100numeric)),
    },
    "jira.js zod safeParse, 100-webhook page (string dates: fails)": {
      sync: () => zodPage.safeParse(JSON.parse(bodies.page100)),
    },
    "jira.js zod safeParse, registration result (5)": { sync: () => zodReg.safeParse(JSON.parse(bodies.register5)) },
  };
  // Sanity: the package decodes what it is given.
  const p = await c100.getDynamicWebhooksForApp(list);
  if (p.values.length !== 100) throw new Error("transport decode returned the wrong page");
  if (!zodPage.safeParse(JSON.parse(bodies.page100numeric)).success) throw new Error("zod rejected the numeric page");

  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const [k, c] of Object.entries(cases)) for (let i = 0; i < 200; i++) await (c.sync ?? c.async)(); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const [k, c] of Object.entries(cases)) {
      samples[k].push(c.sync ? syncRate(c.sync, windowMs) : await asyncRate(c.async, windowMs));
    }
  }
  const us = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  const get = (k) => us[k];
  const derived = {
    pkgPerWebhookUs:
      (get("jira-webhooks call via transport, 100-webhook page (string dates)") -
        get("jira-webhooks call via transport, 0-webhook page")) / 100,
    jsonParsePerWebhookUs: (get("JSON.parse, 100-webhook page") - get("JSON.parse, 0-webhook page")) / 100,
    pkgFixedUs: get("jira-webhooks call via transport, 0-webhook page"),
    pkgOverJsFloor100:
      get("jira-webhooks call via transport, 100-webhook page (string dates)") -
      get("JS async floor (transport + JSON.parse), 100-webhook page"),
    dateStringCostPerWebhookUs:
      (get("jira-webhooks call via transport, 100-webhook page (string dates)") -
        get("jira-webhooks call via transport, 100-webhook page (numeric dates)")) / 100,
  };
  return { bodyBytes: Object.fromEntries(Object.entries(bodies).map(([k, v]) => [k, v.length])), us, derived };
}
