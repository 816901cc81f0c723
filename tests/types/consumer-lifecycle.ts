// What a Connect or OAuth 2.0 app writes with jira-webhooks/lifecycle: tsc --strict must accept every line, and
// reject each @ts-expect-error one.
import { JiraWebhooks, createWebhookHandler, verifyDelivery } from "jira-webhooks/lifecycle";
import type { Delivery, DeliveryStore, DesiredWebhooks, SyncResult, WebhookPayload, KeepAliveResult } from "jira-webhooks/lifecycle";
import { toNodeListener } from "jira-webhooks/node-adapter";

export async function app(sharedSecrets: Map<string, string>, kv: Map<string, number>) {
  const client = new JiraWebhooks({ baseUrl: "https://acme.atlassian.net", auth: { type: "connect", appKey: "com.example.app", sharedSecret: "s" } });
  const desired: DesiredWebhooks = {
    url: "https://app.example.com/webhook",
    webhooks: [{ events: ["jira:issue_created"], jqlFilter: "project = DEMO" }],
    refreshWithinDays: 7,
  };
  const result: SyncResult = await client.syncWebhooks(desired, { timeoutMs: 10_000 });
  const ids: number[] = [...result.created.map((c) => c.id), ...result.deleted, ...result.refreshed, ...result.plan.keep];
  const refused: string[] = result.failed.flatMap((f) => f.errors);
  const until: number | undefined = result.expirationDate;
  const kept: KeepAliveResult = await client.keepAlive({ withinDays: 3 });

  const store: DeliveryStore = { has: async (id) => kv.has(id), add: (id, ttlMs) => kv.set(id, Date.now() + ttlMs) };
  const handler = createWebhookHandler({
    connect: { baseUrl: "https://app.example.com", sharedSecret: async (clientKey) => sharedSecrets.get(clientKey) },
    oauth: { clientSecret: ["new-secret", "old-secret"] },
    dedupe: store,
    on: {
      "jira:issue_updated": (payload, delivery) => {
        const key: string = payload.issue.key;
        const changed = payload.changelog?.items.map((i) => i.field);
        return `${key} ${changed} ${delivery.clientKey} ${delivery.retry}`;
      },
      comment_created: (payload) => payload.comment.id,
      "*": async (payload: WebhookPayload) => payload.webhookEvent,
    },
    onMissingBody: (failure) => failure.id,
  });
  const response: Response = await handler(new Request("https://app.example.com/webhook", { method: "POST", body: "{}" }));
  for await (const failure of client.failedWebhooks()) {
    const replayed: Delivery | undefined = await handler.replay(failure);
    if (replayed?.replayed) console.log(replayed.event);
  }
  const delivery: Delivery = await verifyDelivery(
    { url: "https://app.example.com/webhook", headers: { authorization: "JWT x" }, body: "{}" },
    { hmac: { secret: "It's a Secret to Everybody" }, clockSkewSeconds: 30 },
  );
  const listener = toNodeListener(handler, { baseUrl: "https://app.example.com" });

  // @ts-expect-error a desired set needs the url
  await client.syncWebhooks({ webhooks: [] });
  // @ts-expect-error refreshWithinDays is a number of days
  await client.syncWebhooks({ ...desired, refreshWithinDays: "7" });
  // @ts-expect-error the handlers are functions
  createWebhookHandler({ hmac: { secret: "s" }, on: { "*": "log" } });
  // @ts-expect-error a comment event's payload has no changelog
  createWebhookHandler({ hmac: { secret: "s" }, on: { comment_created: (payload) => payload.changelog } });
  // @ts-expect-error sharedSecret is looked up by clientKey
  createWebhookHandler({ connect: { baseUrl: "https://a", sharedSecret: "s" }, on: {} });
  // @ts-expect-error a store has `has` and `add`
  createWebhookHandler({ hmac: { secret: "s" }, on: {}, dedupe: { get: () => true } });
  // @ts-expect-error keepAlive resolves to what it refreshed, not a sync result
  const wrong: SyncResult = await client.keepAlive();
  return [ids, refused, until, kept, response, delivery, listener, wrong];
}
