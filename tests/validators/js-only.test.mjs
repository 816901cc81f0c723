// The generated validators on values only JavaScript has: the caller's input is an object, not JSON.stringify's
// text, so functions, undefined, NaN, BigInt and holes reach them. (tests/validators.rs runs this file; the
// rest of their behaviour is checked against the Rust validator there.)
import { test } from "node:test";
import assert from "node:assert/strict";
import * as v from "../../src/js/validators.js";

const unknown = (name) => ["", 2, v.SHAPES.indexOf(name), 0];

test("a function is fine where the schema takes anything", () => {
  assert.equal(v.checkJiraWebhooksConfig({ auth: { type: "none" }, transport: async () => new Response() }), undefined);
  assert.equal(v.checkBearerAuth({ type: "bearer", getToken: () => "t" }), undefined);
  assert.equal(v.checkConnectVerify({ baseUrl: "https://app.example", sharedSecret: (key) => key }), undefined);
});

test("a function anywhere else is of the wrong type, or a member the closed schema lacks", () => {
  assert.deepEqual(v.checkJiraWebhooksConfig({ baseUrl: () => "https://a", auth: { type: "none" } }), ["baseUrl", 0, 1, 0]);
  assert.deepEqual(v.checkJiraWebhooksConfig({ auth: { type: "none" }, transprot: () => {} }), unknown("JiraWebhooksConfig"));
  assert.deepEqual(v.checkJiraWebhooksConfig({ auth: () => ({ type: "none" }) }), ["auth", 0, 5, 0]);
});

test("undefined is absent, as JSON.stringify leaves it out", () => {
  const config = { baseUrl: "https://a", cloudId: undefined, auth: { type: "basic", email: "e", apiToken: "t" } };
  assert.equal(v.checkJiraWebhooksConfig({ ...config, retry: undefined, typo: undefined }), undefined);
  assert.deepEqual(v.checkJiraWebhooksConfig({ ...config, auth: undefined }), ["auth", 1, 0, 0]);
  assert.equal(v.checkErrorCollection({ errors: { a: "b", c: undefined } }), undefined);
  assert.deepEqual(v.checkErrorCollection({ errors: { a: "b", c: null } }), ["errors", 0, 6, 0]);
  assert.deepEqual(v.checkWebhookRegistrationDetails({ url: "https://a", webhooks: undefined }), ["webhooks", 1, 0, 0]);
});

test("NaN is not a number, a BigInt not an integer, a hole not an id", () => {
  assert.deepEqual(v.checkRetryPolicy({ minDelayMs: NaN }), ["minDelayMs", 0, 2, 0]);
  assert.equal(v.checkRetryPolicy({ minDelayMs: Infinity, maxDelayMs: -0 }), undefined);
  assert.deepEqual(v.checkRetryPolicy({ retries: 1n }), ["retries", 0, 3, 0]);
  assert.deepEqual(v.checkContainerForWebhookIDs({ webhookIds: [1, , 3] }), ["webhookIds[1]", 0, 3, 0]);
  assert.deepEqual(v.checkContainerForWebhookIDs({ webhookIds: [1, 2 ** 53] }), ["webhookIds[1]", 3, 0, 0]);
  assert.deepEqual(v.checkGetDynamicWebhooksForAppParams({ maxResults: 100.5 }), ["maxResults", 0, 3, 0]);
});

test("objects that JSON.stringify would turn into strings are not strings", () => {
  const webhooks = [{ events: ["jira:issue_created"], jqlFilter: "project = A" }];
  assert.deepEqual(v.checkWebhookRegistrationDetails({ url: new URL("https://a"), webhooks }), ["url", 0, 1, 0]);
  assert.equal(v.checkWebhookRegistrationDetails({ url: "https://a", webhooks }), undefined);
});

test("dates become milliseconds in place, and only on success of that member", () => {
  const page = { values: [{ id: 1, events: [], jqlFilter: "", expirationDate: "2019-06-01T12:42:30.000+0000" }] };
  assert.equal(v.checkPageBeanWebhook(page), undefined);
  assert.equal(page.values[0].expirationDate, 1559392950000);
  const failed = { maxResults: 1, values: [{ id: "x", url: "u", failureTime: "2019-06-01T09:42:30.000-0300" }] };
  assert.equal(v.checkFailedWebhooks(failed), undefined);
  assert.equal(failed.values[0].failureTime, 1559392950000);
  assert.deepEqual(v.checkWebhooksExpirationDate({ expirationDate: "soon" }), ["expirationDate", 5, 0, 0]);
});

test("a fault deep inside names the whole path", () => {
  const desired = { url: "https://a", webhooks: [{ events: ["a"], jqlFilter: "x" }, { events: ["a", "  "], jqlFilter: "x" }] };
  assert.deepEqual(v.checkDesiredWebhooks(desired), ["webhooks[1].events[1]", 6, 0, 0]);
  assert.deepEqual(v.checkVerifyOptions({ hmac: { secret: [] } }), ["hmac.secret", 8, 1, 0]);
  assert.deepEqual(v.checkVerifyOptions({ oauth: { clientSecret: ["a", 1] } }), ["oauth.clientSecret[1]", 0, 1, 0]);
  assert.deepEqual(v.checkJiraWebhooksConfig({ auth: { type: "none" }, retry: { retries: -0.5 } }), ["retry.retries", 0, 3, 0]);
});
