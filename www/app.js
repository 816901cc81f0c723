// The demo admin page: every call goes through the `jira-webhooks` package, its lifecycle build (mapped to
// /pkg/lifecycle/browser.js by the import map in index.html: the five operations, the page iterators and
// syncWebhooks). No bundler: each section of the page is an ES module under app/, this one starts them.
//
//   app/connection.js   the connection form; Connect makes the client (with the hooks of Last calls)
//   app/webhooks.js     the registered webhooks: pages, "Load all", refresh, delete
//   app/register.js     the register form, and a registration whose answer was lost
//   app/sync.js         syncWebhooks: dry run and apply
//   app/deliveries.js   deliveries to the demo's receiver (the demo server, not Jira)
//   app/failed.js       failed deliveries, by cursor
//   app/calls.js        the Last calls panel (app/call-log.js: its log, without DOM)
//   app/confirm.js, app/feedback.js, app/session.js, app/dom.js: the dialog, banner and statuses, the shared
//                       client and busy states, DOM helpers; format.js: the pure helpers (tested in Node)
import { $, h } from "./app/dom.js";
import { connect, fillConnection, setConnectionStatus, syncConditionalFields, wireConnection } from "./app/connection.js";
import { startDeliveries, wireDeliveries } from "./app/deliveries.js";
import { showError } from "./app/feedback.js";
import { wireFailed } from "./app/failed.js";
import { addHook, wireRegister } from "./app/register.js";
import { refreshControls, session } from "./app/session.js";
import { fillSyncExample, wireSync } from "./app/sync.js";
import { wireWebhooks } from "./app/webhooks.js";

async function start() {
  wireConnection();
  wireWebhooks();
  wireRegister();
  wireSync();
  wireDeliveries();
  wireFailed();
  syncConditionalFields();
  addHook();
  refreshControls();
  let config = null;
  try {
    const res = await fetch("/config.json", { cache: "no-store" });
    if (res.ok) config = await res.json();
  } catch {
    // served without the demo server: start with an empty form
  }
  session.config = config;
  if (config?.apiVersion) $("apiVersion").value = String(config.apiVersion);
  fillSyncExample();
  startDeliveries(config);
  if (config?.mode === "fake" && config.accounts?.length) {
    $("account").replaceChildren(...config.accounts.map((a) => h("option", { value: a.id }, a.label)));
    $("account-field").hidden = false;
    $("mode").textContent = `Fake Jira · ${new URL(config.jiraUrl).host}`;
    $("mode").hidden = false;
    fillConnection(config.accounts[0]);
    await connect();
  } else if (config?.mode === "proxy") {
    // The page calls this server, which forwards to the real site with the real credentials (scripts/start.mjs);
    // the credentials here are placeholders of the same type, which the proxy replaces.
    fillConnection({ baseUrl: location.origin, auth: config.auth });
    const site = new URL(config.site).host;
    $("mode").textContent = `Proxy → ${site}`;
    $("mode").hidden = false;
    $("proxy-note").textContent = `Proxy mode: this page calls its own server, which forwards the webhook calls to ${config.site} and adds the real credentials there. The credentials below are placeholders.`;
    $("proxy-note").hidden = false;
    if (config.keyed === false) {
      // Opened without this run's key (or the server restarted with a new one): the proxy would answer 403.
      showError({
        title: "This page has no key for the demo proxy",
        messages: ["The proxy serves only pages opened with this run's key: open the address the demo server printed when it started (it ends in /?key=…)."],
        details: [],
      });
      setConnectionStatus("Not connected", "off");
    } else await connect();
  }
  document.documentElement.dataset.app = "ready"; // for the end-to-end tests
}

start();
