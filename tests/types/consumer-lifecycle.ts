// What a Connect or OAuth 2.0 app writes with jira-webhooks/lifecycle: tsc --strict must accept every line, and
// reject each @ts-expect-error one.
import { JiraWebhooks, createWebhookHandler, verifyDelivery } from "jira-webhooks/lifecycle";
import type { Delivery, DeliveryStore, DesiredWebhooks, SyncResult, WebhookPayload, KeepAliveResult } from "jira-webhooks/lifecycle";
import { toNodeListener } from "jira-webhooks/node-adapter";

export async function app(sharedSecrets: Map<string, string>, kv: Map<string, { owner?: string; until: number }>) {
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

  const store: DeliveryStore = {
    claim: async (key, owner, leaseMs) => {
      const entry = kv.get(key);
      if (entry && entry.until > Date.now()) return entry.owner ? "in-progress" : "done";
      kv.set(key, { owner, until: Date.now() + leaseMs });
      return "claimed";
    },
    complete: (key, rememberMs) => kv.set(key, { until: Date.now() + rememberMs }),
    release: (key, owner) => kv.get(key)?.owner === owner && kv.delete(key),
  };
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
    onOther: { board_created: (payload, delivery) => `${payload.webhookEvent} ${delivery.site}` },
    onError: (error, context) => console.error(context.code, context.id, context.site, error),
    onMissingBody: (failure) => failure.id,
  });
  const response: Response = await handler(new Request("https://app.example.com/webhook", { method: "POST", body: "{}" }));
  for await (const failure of client.failedWebhooks()) {
    const replayed: Delivery | undefined = await handler.replay(failure, { site: "tenant-client-key" });
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
  // @ts-expect-error a store claims, completes and releases
  createWebhookHandler({ hmac: { secret: "s" }, on: {}, dedupe: { has: () => true, add: () => {} } });
  // @ts-expect-error a misspelled event is a compile error, not a handler that never fires
  createWebhookHandler({ hmac: { secret: "s" }, on: { "jira:issue_udpated": () => {} } });
  // @ts-expect-error a misspelled option is a compile error (and a config error at run time)
  createWebhookHandler({ hmac: { secret: "s" }, on: {}, dedup: false });
  // @ts-expect-error keepAlive resolves to what it refreshed, not a sync result
  const wrong: SyncResult = await client.keepAlive();
  return [ids, refused, until, kept, response, delivery, listener, wrong];
}
