// jira-webhooks/testing: an app's own tests, offline, in every runtime (Node, Deno, workerd, browsers).
import type { JiraWebhooksConfig, TransportRequest, WebhookEvent } from "jira-webhooks";

/** The site the kit's URLs name by default: `https://your-domain.atlassian.net`. */
export declare const SITE_URL: string;

/** The parts of a Jira webhook body the kit fills in for what you leave out; any other member is sent as given. */
export interface EventParts {
  /** The issue (issue, comment and property events): given fields are kept, the others get defaults (DEMO-1, …). */
  issue?: { key?: string; id?: string; self?: string; fields?: Record<string, unknown>; properties?: Record<string, unknown>; [k: string]: unknown };
  /** `jira:issue_updated`: the changelog (default: a summary change). */
  changelog?: { id?: string; items: { field: string; fieldId?: string; [k: string]: unknown }[] };
  comment?: Record<string, unknown>;
  /** Who did it (default: an admin account); `null` for none. */
  user?: Record<string, unknown> | null;
  /** `issue_property_set` / `issue_property_deleted`. */
  property?: { key: string; value?: unknown };
  sprint?: Record<string, unknown>;
  version?: Record<string, unknown>;
  /** ms since the epoch (default: now). */
  timestamp?: number;
}

export interface SignedDeliveryOptions {
  /** Where Jira sends the webhook: the URL the app registered. */
  url: string;
  /** The event, e.g. `"jira:issue_created"`. A name the kit does not know gets an issue-shaped body. */
  event: WebhookEvent;
  /** The body's parts ({@link EventParts}) and any member to send as given. */
  payload?: EventParts & Record<string, unknown>;
  /** The exact body to send and sign instead of a built one (then `event`, `payload`, `matchedWebhookIds` are unused). */
  body?: string;
  /** `X-Atlassian-Webhook-Identifier` (default: a random UUID). The same id on a retry. */
  id?: string;
  /** `X-Atlassian-Webhook-Retry`, sent when > 0 (default 0: the first attempt). */
  retry?: number;
  /** `X-Atlassian-Webhook-Flow` (default `"Primary"`). */
  flow?: "Primary" | "Secondary";
  /** The Jira site's base URL, for the body's `self` links and the OAuth 2.0 JWT's `iss` (default {@link SITE_URL}). */
  site?: string;
  /** The ids of the webhooks that matched (default `[10000]`, the first id the kit's fake gives). */
  matchedWebhookIds?: number[];
  /** The JWT's `iat` and the body's times, ms (default: `Date.now()`). */
  now?: number;
  /** An OAuth 2.0 app: `Authorization: Bearer <JWT>`, HS256 with the client secret; iss (the site), sub (`user`), iat, exp and, with `cloudId`, `context.cloudId`. */
  oauth?: { clientSecret: string; cloudId?: string; user?: string };
  /** A Connect app: `Authorization: JWT <JWT>`, HS256 with the tenant's shared secret; iss = clientKey, iat, exp, and the `qsh` of this POST relative to the app's `baseUrl`. */
  connect?: { clientKey: string; sharedSecret: string; baseUrl: string };
  /** A webhook with a secret: `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body's bytes>`. */
  hmac?: { secret: string };
}

/**
 * A webhook delivery exactly as Jira sends it: a POST `Request` with a JSON body shaped like Jira's for the event,
 * the `X-Atlassian-Webhook-*` headers and one signature (give exactly one of `oauth`, `connect`, `hmac`). WebCrypto
 * only. Throws a TypeError naming a wrong option.
 */
export declare function signedDelivery(options: SignedDeliveryOptions): Promise<Request>;

/** Who the fake's transport acts for when a request has no `Authorization`, and that identity's details. */
export type FakeJiraAuth =
  | "connect"
  | "oauth"
  | { type: "connect"; appKey?: string; sharedSecret?: string }
  | { type: "oauth"; clientId?: string; clientSecret?: string; cloudId?: string; user?: string; accessToken?: string };

export interface FakeJiraOptions {
  /** Default `"connect"`: the transport signs requests as the Connect app; `"oauth"`: it sends them through the gateway with the OAuth 2.0 app's token. */
  auth?: FakeJiraAuth;
  /** How many webhooks an app may hold: a Connect app per site (Jira: 100), an OAuth 2.0 app per user (Jira: 5). */
  limit?: number | { connect?: number; oauth?: number };
  /** The fake's clock, ms (default `Date.now`); `advance(ms)` moves it on. Webhooks expire 30 days after registration or refresh. */
  now?: () => number;
  /** The site's origin (default {@link SITE_URL}): written into `self` links and site URLs. */
  url?: string;
  /** The Connect app's base URL, for the `qsh` of deliveries (default: the origin of the registered URL). */
  appBaseUrl?: string;
  /** Retries of a delivery that got 408, 409, 425, 429, 5xx or no answer (default 5, as Jira). */
  retries?: number;
  /** Wait before retry n, ms; the last one repeats (default `[10, 20, 40, 80, 160]`; Jira waits minutes). */
  retryDelaysMs?: number[];
  /** How long the handler may take per attempt before it counts as no answer (default 2000). */
  deliveryTimeoutMs?: number;
  /** How `expirationDate` is answered: `"number"` (the spec) or `"string"` (what Jira sends). */
  dateFormat?: "number" | "string";
  /** Atlassian's points-based quota per app per hour; answers then carry the X-RateLimit-* headers. */
  pointsPerHour?: number | null;
  /** A per-second limit per app (`429` with `Retry-After`, `RateLimit-Reason: jira-burst-based`). */
  rateLimit?: { requestsPerSecond: number; burst?: number } | null;
  /** What an OAuth 2.0 user lists: all of the app's webhooks on the site (`"app"`, default) or their own. */
  oauthListScope?: "app" | "user";
}

/** A fault for the next matching request(s): `{ type: "rate-limit", retryAfter: 2 }`, `{ type: "status", status: 503 }`, `{ type: "reset", operation: "registerDynamicWebhooks", apply: true }` (applied, answer lost), `{ type: "reset", operation: "getDynamicWebhooksForApp" }` (dropped). */
export interface FakeFault {
  type: "status" | "rate-limit" | "html" | "malformed-json" | "wrong-content-type" | "delay" | "reset" | "large";
  /** Only this operation (operationId); default: any of the five. */
  operation?: "registerDynamicWebhooks" | "getDynamicWebhooksForApp" | "getFailedWebhooks" | "refreshWebhooks" | "deleteWebhookById" | "oauthToken" | "accessibleResources";
  site?: string;
  probability?: number;
  /** How many requests it hits (default 1). */
  times?: number;
  /** Whether the real change happens (default: only when the fault answers 2xx). */
  apply?: boolean;
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  contentType?: string;
  retryAfter?: number;
  reason?: string;
  limit?: number;
  ms?: number;
  bytes?: number;
}

/** A webhook Jira holds. */
export interface FakeWebhook {
  id: number;
  /** The app that registered it (its key, or the OAuth 2.0 client id) and the user (OAuth 2.0; else the caller's, or null). */
  app: string;
  user: string | null;
  url: string;
  events: string[];
  jqlFilter: string;
  fieldIdsFilter?: string[];
  issuePropertyKeysFilter?: string[];
  /** ms, on the fake's clock. */
  expirationDate: number;
  createdAt: number;
}

/** An event to emit: its name, the body's parts, and where. */
export type FakeEvent = WebhookEvent | (EventParts & { event: WebhookEvent; site?: string; flow?: "Primary" | "Secondary"; issueEventTypeName?: string });

/** One delivery of an emitted event: to one app, every attempt. */
export interface FakeDelivery {
  id: string;
  app: string;
  url: string;
  matchedWebhookIds: number[];
  attempts: ({ attempt: number; status: number } | { attempt: number; error: string })[];
  /** `delivered`: a 2xx; `refused`: a final answer Jira does not retry (3xx, 4xx but 408/409/425/429); `failed`: every attempt failed, and it is listed by getFailedWebhooks. */
  outcome: "delivered" | "refused" | "failed";
}

/** A fake request as the fake logged it (Authorization redacted). */
export interface FakeRequest {
  id: string;
  time: number;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: unknown;
  site: string | null;
  app: string | null;
  user: string | null;
  operation: string | null;
  status: number | null;
  fault?: FakeFault;
}

/** A site's details: where it is, and the Connect app's tenant there. */
export interface FakeSite {
  name: string;
  baseUrl: string;
  clientKey: string;
  cloudId: string;
  sharedSecret: string;
}

export interface FakeJira {
  /** Plug into `new JiraWebhooks({ auth: { type: "none" }, transport })` (it adds `auth`'s credentials), or into any config (its credentials are checked). */
  transport: (request: TransportRequest) => Promise<Response>;
  /** The same, shaped as `fetch` (relative URLs are the site's). */
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** The core's Fetch handler itself: no credentials added. */
  handle(request: Request): Promise<Response>;
  /** The site's origin. */
  readonly url: string;
  /** The transport's identity. */
  readonly auth: "connect" | "oauth";
  /** The Connect app and its tenant on the default site. */
  readonly connect: { appKey: string; sharedSecret: string; clientKey: string; baseUrl: string };
  /** The OAuth 2.0 app, its user and a token that never expires. */
  readonly oauth: { clientId: string; clientSecret: string; cloudId: string; user: string; accessToken: string };
  /** An API token acting for the Connect app. */
  readonly basic: { email: string; apiToken: string };
  /** A site by name (created on first use; default: the default site), for tests of many tenants. */
  site(name?: string): FakeSite;
  /**
   * A client config on this fake: `"none"` (default: the transport authenticates as `auth`), `"connect"` (Connect
   * JWTs), `"oauth"` (bearer token, `cloudId`), `"basic"`; on the default site or another one.
   */
  config(kind?: "none" | "connect" | "oauth" | "basic", site?: string): JiraWebhooksConfig;
  /** The webhooks Jira holds now (expired ones are gone), by id. */
  webhooks(site?: string): FakeWebhook[];
  /** Deliveries that failed after every retry, as getFailedWebhooks lists them (for 72 hours). */
  failed(site?: string): { app: string; id: string; url: string; body?: string; failureTime: number }[];
  /** Every request to the REST API, in order. */
  readonly requests: readonly FakeRequest[];
  /** Every change made: `{ operation, app, user, ids, time, requestId, site? }`. */
  readonly applied: readonly { operation: string; app: string; user: string | null; ids: number[]; time: number; requestId: string; site?: string }[];
  /** Every delivery attempt: `{ id, site, app, url, attempt, time, flow, status | error }`. */
  readonly deliveries: readonly { id: string; site: string; app: string; url: string; attempt: number; time: number; flow: string; status?: number; error?: string }[];
  /** The fake's clock, ms. */
  now(): number;
  /** Moves the fake's clock on; returns the new time. The JWTs of deliveries stay on the real clock. */
  advance(ms: number): number;
  /** Injects a fault; returns its id. */
  injectFault(fault: FakeFault): number;
  clearFaults(): void;
  /** Adds failed deliveries (default: the Connect app's, default site). */
  seedFailed(failures: { id: string; url: string; body?: string; failureTime?: number; failedMinutesAgo?: number }[], where?: { app?: string; site?: string }): void;
  /**
   * Jira emits an event: each app with a live webhook it matches (events, JQL, field and property filters) gets
   * one delivery, signed for the app, sent to `handler` and retried the way Jira retries. Resolves when every
   * delivery of this event has finished; no matching webhook: no delivery.
   */
  emit(event: FakeEvent, handler: ((request: Request) => Response | Promise<Response>) | { fetch(request: Request): Response | Promise<Response> }): Promise<FakeDelivery[]>;
  setPointsPerHour(perHour: number | null): void;
  setRateLimit(limit: { requestsPerSecond: number; burst?: number } | null): void;
  /** Counts per site and in total: requests by operation, rate-limited requests, live webhooks, duplicates, deliveries. */
  stats(): Record<string, unknown>;
  /** Back to the start: no webhooks, no requests, no faults, clock offset 0. */
  reset(): void;
  /** The fake Jira's core (`jira-webhooks-fake/core`), for what this interface does not name. */
  readonly core: unknown;
}

/**
 * An in-memory Jira Cloud site for an app's tests: the five dynamic-webhook operations (light checks of requests and
 * of the JQL subset), webhooks that expire, limits, rate limits, faults, and deliveries to a Fetch handler. No
 * network, no port. Throws a TypeError naming a wrong option.
 */
export declare function createFakeJira(options?: FakeJiraOptions): FakeJira;

/** What the kit's fake checks with, for comparison with the full fake (`jira-webhooks-fake`). */
export declare const lightChecks: {
  /** The errors Jira would give a registration with this JQL filter; empty when it is accepted. */
  checkJql(jql: string): string[];
  /** Whether an issue matches a filter checkJql accepts (throws otherwise). */
  matchJql(jql: string, issue: { key?: string; id?: string; fields?: Record<string, unknown>; properties?: Record<string, unknown> }): boolean;
  /** `METHOD /webhook…` -> [operationId, integer query parameters (31: int32, 63: int64), body kind, granular scopes]. */
  routes: Readonly<Record<string, readonly [string, Record<string, number>, "registration" | "ids" | null, string[]]>>;
  /** The JSON Schema of a request body. */
  requestSchema(kind: "registration" | "ids", version: 2 | 3): object;
};
