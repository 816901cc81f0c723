// A TypeScript consumer of the installed package, type-checked by types.test.mjs with `tsc --strict --noEmit`
// (module nodenext) as an ES module (.mts, jira_webhooks.d.ts) and as CommonJS (.cts, jira_webhooks.d.cts).
// Correct calls must compile; each `@ts-expect-error` line must be rejected. No top-level await (CJS).
import {
  JiraWebhooks,
  JiraWebhooksError,
  isJiraWebhooksError,
  webhookEvents,
  type CallOptions,
  type ContainerForRegisteredWebhooks,
  type FailedWebhooks,
  type JiraWebhooksErrorKind,
  type PageBeanWebhook,
  type Transport,
  type TransportRequest,
  type Webhook,
  type WebhookEvent,
  type WebhookRegistrationDetails,
  type WebhooksExpirationDate,
} from "jira-webhooks";
import { bridgeTransport, forgeTransport, type ForgeRequester } from "jira-webhooks/forge";

type Config = ConstructorParameters<typeof JiraWebhooks>[0];

const baseUrl = "https://your-domain.atlassian.net";
const basic: Config = { baseUrl, auth: { type: "basic", email: "me@example.com", apiToken: "token" } };
const oauth: Config = {
  cloudId: "11223344-a1b2-3b33-c444-def123456789",
  gatewayUrl: "https://api.atlassian.com",
  auth: { type: "bearer", token: "access-token" },
  apiVersion: 3,
  timeoutMs: 10_000,
  userAgent: "my-app/1.0",
  retry: { retries: 5, minDelayMs: 100, maxDelayMs: 10_000 },
};
const noRetry: Config = { ...basic, retry: false };
const connect: Config = { baseUrl, auth: { type: "connect", appKey: "com.example.app", sharedSecret: "shared-secret" } };
const refreshing: Config = { cloudId: "11223344-a1b2-3b33-c444-def123456789", auth: { type: "bearer", getToken: async () => "token" } };
// A custom transport: a fetch Response satisfies ResponseLike.
const viaFetch: Transport = (r: TransportRequest) => fetch(r.url, { method: r.method, headers: r.headers, body: r.body, signal: r.signal });
const proxied: Config = { auth: { type: "none" }, transport: viaFetch };
declare const requester: ForgeRequester;
const forge: Config = { auth: { type: "none" }, transport: forgeTransport(requester, (path) => path) };
const bridge: Config = {
  auth: { type: "none" },
  transport: bridgeTransport(async () => ({ status: 200, headers: { get: () => null }, text: async () => "{}" })),
};
export const clients = [connect, refreshing, proxied, forge, bridge].map((c) => new JiraWebhooks(c));
const client = new JiraWebhooks(basic);
const details: WebhookRegistrationDetails = {
  url: "https://my-app.example.com/webhook",
  webhooks: [
    { events: ["jira:issue_created", "jira:issue_updated"], jqlFilter: "project = PROJ", fieldIdsFilter: ["summary"] },
    { events: ["issue_property_set"], jqlFilter: "project = PROJ", issuePropertyKeysFilter: ["my-key"] },
    // (string & {}): event names this version does not know yet are accepted.
    { events: ["sprint_started", "some_future:event"], jqlFilter: "project = PROJ" },
  ],
};

export async function correctCalls(signal: AbortSignal): Promise<number[]> {
  const events: WebhookEvent[] = webhookEvents();
  const options: CallOptions = { signal, timeoutMs: 5_000 };

  const registered: ContainerForRegisteredWebhooks = await client.registerDynamicWebhooks(details, options);
  await client.registerDynamicWebhooks(details, { throwOnPartialFailure: true, signal });
  const ids: number[] = [];
  for (const r of registered.webhookRegistrationResult ?? []) {
    if (r.createdWebhookId !== undefined) ids.push(r.createdWebhookId);
    else console.log(r.errors?.join("; "));
  }

  const page: PageBeanWebhook = await client.getDynamicWebhooksForApp({ startAt: 0, maxResults: 50 });
  await client.getDynamicWebhooksForApp();
  await client.getDynamicWebhooksForApp({}, { timeoutMs: 1_000 });
  const first: Webhook | undefined = page.values?.[0];
  if (first) {
    const id: number = first.id;
    const expires: number | undefined = first.expirationDate;
    const firstEvents: WebhookEvent[] = first.events;
    console.log(id, expires, firstEvents, first.jqlFilter, first.url);
  }
  if (!page.isLast && page.startAt !== undefined) await client.getDynamicWebhooksForApp({ startAt: page.startAt + 50 });

  // The pagination helpers are async iterables.
  for await (const webhook of client.webhooks({ maxResults: 100 })) {
    const id: number = webhook.id;
    console.log(id);
  }
  for await (const failure of new JiraWebhooks(noRetry).failedWebhooks({ after: 0 }, { signal })) {
    const at: number = failure.failureTime;
    console.log(at);
  }
  const step = await client.webhooks().next();
  if (!step.done) console.log(step.value.jqlFilter);

  const failed: FailedWebhooks = await client.getFailedWebhooks({ maxResults: 10 });
  const last = failed.values.at(-1);
  if (last) await client.getFailedWebhooks({ maxResults: 10, after: last.failureTime });
  const failureId: string | undefined = last?.id;

  const refreshed: WebhooksExpirationDate = await client.refreshWebhooks({ webhookIds: ids }, options);
  const expiration: number = refreshed.expirationDate;
  const deleted: void = await client.deleteWebhookById({ webhookIds: ids });

  // A second client, for an OAuth 2.0 app.
  const other = await new JiraWebhooks(oauth).registerDynamicWebhooks(details);
  await new JiraWebhooks(oauth).getDynamicWebhooksForApp({ maxResults: 10 }, { signal });
  console.log(events, failureId, expiration, deleted, other.webhookRegistrationResult?.length);
  client.free();
  return ids;
}

export function describeFailure(e: unknown): string {
  // `instanceof` narrows `unknown` under --strict (a class, not an interface), and so does the guard.
  if (!(e instanceof JiraWebhooksError)) return isJiraWebhooksError(e) ? "never" : String(e);
  const err: JiraWebhooksError = e;
  const kind: JiraWebhooksErrorKind = err.kind;
  const status: number = err.status;
  const messages: string[] = err.errorMessages;
  const byField: Record<string, string> = err.errors;
  const where: string | undefined = err.path ?? err.operation ?? err.requestId;
  const attempts: number = err.attempts;
  const wait: number | undefined = err.retryAfterMs;
  const reason: string | undefined = err.rateLimit?.reason;
  switch (kind) {
    case "http": return `${status} ${messages.join(", ")} ${Object.keys(byField)} ${attempts} ${wait} ${reason}`;
    case "partial-failure": return `created ${err.result?.webhookRegistrationResult?.map((r) => r.createdWebhookId)}`;
    case "network": case "timeout": case "aborted": return `retry: ${err.message}`;
    case "decode": case "invalid-input": case "config": return `bug at ${where}`;
    case "unauthorized": return `not from Jira: ${where}`;
    case "reauthorize": return "ask the user to connect again";
    case "token": return `no access token: ${err.message}`;
    default: {
      const none: never = kind; // the kinds are a closed set
      return none;
    }
  }
}

export async function wrongCalls(page: PageBeanWebhook, refreshed: WebhooksExpirationDate): Promise<void> {
  // @ts-expect-error webhookIds is required
  await client.refreshWebhooks({});
  // @ts-expect-error webhookIds is required
  await client.deleteWebhookById();
  // @ts-expect-error webhook ids are numbers
  await client.deleteWebhookById({ webhookIds: ["10000"] });
  // @ts-expect-error an event is a string, not a number
  await client.registerDynamicWebhooks({ url: "https://x.example.com", webhooks: [{ events: [42], jqlFilter: "project = X" }] });
  // @ts-expect-error jqlFilter is required
  await client.registerDynamicWebhooks({ url: "https://x.example.com", webhooks: [{ events: ["jira:issue_created"] }] });
  // @ts-expect-error url is required
  await client.registerDynamicWebhooks({ webhooks: [] });
  // @ts-expect-error startAt is a number
  await client.getDynamicWebhooksForApp({ startAt: "0" });
  // @ts-expect-error no such parameter
  await client.getDynamicWebhooksForApp({ start: 0 });
  // @ts-expect-error after is a time in milliseconds
  await client.getFailedWebhooks({ after: "2024-01-01" });
  // @ts-expect-error signal must be an AbortSignal
  await client.getFailedWebhooks({}, { signal: "stop" });
  // @ts-expect-error timeoutMs is a number
  await client.getFailedWebhooks({}, { timeoutMs: "5s" });
  // @ts-expect-error the operations are methods of a client, not free functions
  await JiraWebhooks.registerDynamicWebhooks(details);
  // @ts-expect-error the error's constructor is the package's own
  new JiraWebhooksError("x", {});
  // @ts-expect-error apiVersion is 2 or 3
  new JiraWebhooks({ ...basic, apiVersion: 4 });
  // @ts-expect-error auth is required
  new JiraWebhooks({ baseUrl });
  // @ts-expect-error no such auth type
  new JiraWebhooks({ baseUrl, auth: { type: "oauth1", token: "x" } });
  // @ts-expect-error basic auth takes apiToken, not token
  new JiraWebhooks({ baseUrl, auth: { type: "basic", email: "me@example.com", token: "x" } });
  // @ts-expect-error bearer auth takes token
  new JiraWebhooks({ baseUrl, auth: { type: "bearer", apiToken: "x" } });
  // @ts-expect-error timeoutMs is a number
  new JiraWebhooks({ ...basic, timeoutMs: "10s" });
  // @ts-expect-error retry is a policy or false
  new JiraWebhooks({ ...basic, retry: true });
  // @ts-expect-error retries is a number
  new JiraWebhooks({ ...basic, retry: { retries: "3" } });
  // @ts-expect-error throwOnPartialFailure is an option of registerDynamicWebhooks only
  await client.refreshWebhooks({ webhookIds: [1] }, { throwOnPartialFailure: true });
  // @ts-expect-error startAt is a number
  client.webhooks({ startAt: "0" });
  // @ts-expect-error the iterator may be done: its value may be undefined
  const next: Webhook = (await client.webhooks().next()).value;
  // @ts-expect-error a Connect app needs its shared secret
  new JiraWebhooks({ baseUrl, auth: { type: "connect", appKey: "com.example.app" } });
  // @ts-expect-error getToken resolves to a string
  new JiraWebhooks({ baseUrl, auth: { type: "bearer", getToken: async () => 42 } });
  // @ts-expect-error a transport resolves to a response, not a string
  new JiraWebhooks({ auth: { type: "none" }, transport: async () => "{}" });
  // @ts-expect-error the config is required
  new JiraWebhooks();
  // @ts-expect-error a webhook id is a number
  const id: string = page.values![0].id;
  // @ts-expect-error expirationDate is a number of milliseconds, never a string
  const date: string = refreshed.expirationDate;
  // @ts-expect-error deleteWebhookById resolves to nothing
  (await client.deleteWebhookById({ webhookIds: [1] })).length;
  // @ts-expect-error the error kinds are a closed set
  const kind: JiraWebhooksErrorKind = "fatal";
  // @ts-expect-error an event must be a string
  const event: WebhookEvent = 1;
  console.log(id, date, kind, event, next);
}
