// What an app's test writes with jira-webhooks/testing: tsc --strict must accept every line, and reject the line
// after each expect-error comment. (No node: import: the consumer project has no @types/node.)
import { JiraWebhooks, createWebhookHandler } from "jira-webhooks/lifecycle";
import { createFakeJira, signedDelivery, lightChecks, SITE_URL } from "jira-webhooks/testing";
import type { FakeDelivery, FakeJira, FakeWebhook, SignedDeliveryOptions } from "jira-webhooks/testing";

export async function appTest(): Promise<string[]> {
  const jira: FakeJira = createFakeJira({ auth: { type: "oauth", user: "bob" }, limit: 2, retryDelaysMs: [1], now: () => Date.now() });
  const client = new JiraWebhooks(jira.config());
  const viaToken = new JiraWebhooks({ ...jira.config("oauth"), hooks: { retry: (e) => e.delayMs } });
  await client.syncWebhooks({ url: "https://app.example.com/hook", webhooks: [{ events: ["jira:issue_created"], jqlFilter: "project = DEMO" }] });
  await viaToken.getDynamicWebhooksForApp();
  const held: FakeWebhook[] = jira.webhooks();
  const expires: number = held[0].expirationDate;
  jira.advance(31 * 86_400_000);
  jira.injectFault({ type: "reset", operation: "registerDynamicWebhooks", apply: true });
  jira.injectFault({ type: "rate-limit", retryAfter: 2 });
  const handler = createWebhookHandler({ oauth: { clientSecret: jira.oauth.clientSecret }, on: { "jira:issue_created": (payload) => payload.issue.key } });
  const sent: FakeDelivery[] = await jira.emit({ event: "jira:issue_created", issue: { key: "DEMO-1" } }, handler);
  const outcome: "delivered" | "refused" | "failed" = sent[0].outcome;
  await jira.emit("comment_created", { fetch: (request: Request) => new Response(null, { status: request.method === "POST" ? 204 : 500 }) });
  const options: SignedDeliveryOptions = { url: "https://app.example.com/hook", event: "jira:issue_updated", retry: 1, hmac: { secret: "s" } };
  const request: Request = await signedDelivery(options);
  const response: Response = await handler(request);
  const errors: string[] = lightChecks.checkJql("project = A");
  // @ts-expect-error an unknown identity
  createFakeJira({ auth: "basic" });
  // @ts-expect-error limit is a number or per kind
  createFakeJira({ limit: "2" });
  // @ts-expect-error a fault type that does not exist
  jira.injectFault({ type: "rate-limt" });
  // @ts-expect-error the url is required
  await signedDelivery({ event: "jira:issue_created", hmac: { secret: "s" } });
  // @ts-expect-error the flow is Primary or Secondary
  await signedDelivery({ ...options, flow: "primary" });
  return [String(expires), outcome, String(response.status), SITE_URL, ...errors];
}
