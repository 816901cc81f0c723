// The connection form: which Jira, which credentials, automatic retries; Connect makes the client every other
// section uses. Credentials live in this page's memory only.
import { JiraWebhooks } from "jira-webhooks/lifecycle";
import { callHooks } from "./calls.js";
import { $ } from "./dom.js";
import { clearBanner, clearFieldErrors, fieldMessage, setFieldError, showError } from "./feedback.js";
import { loadFailed, resetFailed } from "./failed.js";
import { resetRegister } from "./register.js";
import { controls, refreshControls, session } from "./session.js";
import { resetSync } from "./sync.js";
import { loadWebhooks, resetWebhooks } from "./webhooks.js";

/** The config paths the library names in a config error -> the form field they come from. */
const CONFIG_FIELDS = {
  baseUrl: "baseUrl", cloudId: "cloudId", gatewayUrl: "gatewayUrl", apiVersion: "apiVersion",
  "auth.email": "email", "auth.apiToken": "apiToken", "auth.token": "token",
};
const radio = (name) => document.querySelector(`input[name=${name}]:checked`).value;
function setRadio(name, value) {
  for (const r of document.querySelectorAll(`input[name=${name}]`)) r.checked = r.value === value;
  syncConditionalFields();
}
/** Shows the fields that belong to the chosen target and auth type (hidden ones are disabled, so never sent). */
export function syncConditionalFields() {
  for (const el of document.querySelectorAll("[data-when]")) {
    const [name, value] = el.dataset.when.split("=");
    const on = radio(name) === value;
    el.hidden = !on;
    for (const input of el.querySelectorAll("input")) input.disabled = !on;
  }
}

function readConnection() {
  const config = { apiVersion: Number($("apiVersion").value) };
  if (radio("target") === "site") config.baseUrl = $("baseUrl").value.trim();
  else {
    config.cloudId = $("cloudId").value.trim();
    const gateway = $("gatewayUrl").value.trim();
    if (gateway) config.gatewayUrl = gateway;
  }
  config.auth = radio("authType") === "basic"
    ? { type: "basic", email: $("email").value.trim(), apiToken: $("apiToken").value }
    : { type: "bearer", token: $("token").value };
  // Off: an admin page shows a rate limit at once instead of waiting behind a spinner. On: the library's policy.
  config.retry = $("retry").checked ? { retries: 3, maxDelayMs: 30_000 } : false;
  return config;
}

/** Fills the connection form from a /config.json account (fake mode) or the proxy settings. */
export function fillConnection(c) {
  setRadio("target", c.cloudId ? "cloud" : "site");
  $("baseUrl").value = c.baseUrl ?? "";
  $("cloudId").value = c.cloudId ?? "";
  $("gatewayUrl").value = c.gatewayUrl ?? "";
  setRadio("authType", c.auth.type);
  $("email").value = c.auth.email ?? "";
  $("apiToken").value = c.auth.apiToken ?? "";
  $("token").value = c.auth.token ?? "";
  if (c.webhookUrl) $("hook-url").value = c.webhookUrl;
}

export function setConnectionStatus(text, tone) {
  const el = $("connection-status");
  el.textContent = text;
  el.dataset.tone = tone;
}

function describeTarget(config) {
  const where = config.baseUrl ? new URL(config.baseUrl).host : `cloud ${config.cloudId.slice(0, 8)}…`;
  return `${where} · API v${config.apiVersion}`;
}

/** Makes a client from the form (a config error goes next to its field) and loads the webhooks and failures. */
export async function connect(event) {
  event?.preventDefault();
  clearBanner();
  clearFieldErrors($("connect-form"));
  const config = readConnection();
  let client;
  try {
    client = new JiraWebhooks({ ...config, hooks: callHooks });
  } catch (e) {
    if (CONFIG_FIELDS[e.path]) setFieldError(CONFIG_FIELDS[e.path], fieldMessage(e.message));
    showError(e);
    setConnectionStatus("Not connected", "off");
    $(CONFIG_FIELDS[e.path] ?? "baseUrl")?.focus();
    return;
  }
  session.abort.abort();
  session.abort = new AbortController();
  session.client = client;
  session.owned = [];
  resetWebhooks();
  resetFailed();
  resetRegister();
  resetSync();
  setConnectionStatus("Connecting…", "busy");
  session.busy.connection++;
  refreshControls();
  const [ok] = await Promise.all([loadWebhooks(), loadFailed({ fromStart: true })]);
  session.busy.connection--;
  if (session.client === client) setConnectionStatus(ok ? `Connected · ${describeTarget(config)}` : "Connection failed", ok ? "ok" : "error");
  refreshControls();
}

controls(() => {
  $("connect").disabled = session.busy.connection > 0;
});

export function wireConnection() {
  $("connect-form").addEventListener("submit", connect);
  for (const r of document.querySelectorAll("input[name=target], input[name=authType]")) r.addEventListener("change", syncConditionalFields);
  $("account").addEventListener("change", () => {
    const account = session.config?.accounts?.find((a) => a.id === $("account").value);
    if (account) fillConnection(account);
  });
}
