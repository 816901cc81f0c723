// A sync test with Deno's test runner: `deno test`.
import assert from "node:assert/strict";
import { JiraWebhooks, createWebhookHandler } from "jira-webhooks/lifecycle";
import { createFakeJira } from "jira-webhooks/testing";

const APP = "https://app.example.com";
const desired = {
  url: `${APP}/webhooks/jira`,
  webhooks: [{ events: ["jira:issue_created", "jira:issue_updated"], jqlFilter: "project = DEMO" }],
};

Deno.test("sync registers once, re-registers what expired, and deliveries reach the handler", async () => {
  const jira = createFakeJira();
  const client = new JiraWebhooks(jira.config()); // { baseUrl, auth: { type: "none" }, transport }
  assert.equal((await client.syncWebhooks(desired)).created.length, 1);
  assert.equal((await client.syncWebhooks(desired)).created.length, 0);
  assert.equal(jira.webhooks().length, 1);

  jira.advance(31 * 24 * 3_600_000); // Jira drops a webhook 30 days after its last refresh
  assert.equal(jira.webhooks().length, 0);
  assert.equal((await client.syncWebhooks(desired)).created.length, 1);

  const seen: string[] = [];
  const handler = createWebhookHandler({
    connect: { baseUrl: APP, sharedSecret: async () => jira.connect.sharedSecret },
    on: { "jira:issue_created": (payload) => void seen.push(payload.issue.key) },
  });
  await jira.emit({ event: "jira:issue_created", issue: { key: "DEMO-7" } }, handler);
  await jira.emit({ event: "jira:issue_created", issue: { key: "OTHER-1" } }, handler); // not matched by the JQL
  assert.deepEqual(seen, ["DEMO-7"]);
});

Deno.test("a registration whose answer was lost is not made twice", async () => {
  const jira = createFakeJira();
  jira.injectFault({ type: "reset", operation: "registerDynamicWebhooks", apply: true });
  const client = new JiraWebhooks(jira.config());
  const result = await client.syncWebhooks(desired);
  assert.equal(result.created.length, 1);
  assert.equal(jira.webhooks().length, 1);
});
