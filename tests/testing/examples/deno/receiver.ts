// A receiver test with Deno's test runner: `deno test`.
import assert from "node:assert/strict";
import { createWebhookHandler } from "jira-webhooks/lifecycle";
import { signedDelivery } from "jira-webhooks/testing";

const APP = "https://app.example.com";
const secrets: Record<string, string> = { "tenant-1": "tenant-1-shared-secret" }; // what your app stored at installation
const seen: string[][] = [];
// Your app's handler, built the way the app builds it.
const handler = createWebhookHandler({
  connect: { baseUrl: APP, sharedSecret: async (clientKey) => secrets[clientKey] },
  on: { "jira:issue_created": (payload, delivery) => void seen.push([delivery.site, payload.issue.key]) },
});
const delivery = (overrides = {}) => signedDelivery({
  url: `${APP}/webhooks/jira`,
  event: "jira:issue_created",
  payload: { issue: { key: "DEMO-42" } },
  id: "delivery-1",
  connect: { clientKey: "tenant-1", sharedSecret: secrets["tenant-1"], baseUrl: APP },
  ...overrides,
});

Deno.test("a delivery is handled once, however often Jira retries it", async () => {
  assert.equal((await handler(await delivery())).status, 204);
  assert.equal((await handler(await delivery({ retry: 1 }))).status, 204);
  assert.deepEqual(seen, [["tenant-1", "DEMO-42"]]);
});

Deno.test("a delivery signed with another secret is refused", async () => {
  const forged = await delivery({ id: "delivery-2", connect: { clientKey: "tenant-1", sharedSecret: "guessed", baseUrl: APP } });
  assert.equal((await handler(forged)).status, 401);
});
