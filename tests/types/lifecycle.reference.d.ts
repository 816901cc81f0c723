/* tslint:disable */
/* eslint-disable */

/** A delivery's request when it is not a `Request`: the raw body as bytes (or as the text it was sent as). */
export interface DeliveryRequestLike {
    method?: string;
    /** The full URL it was sent to (Connect's `qsh` covers its path and query). */
    url: string;
    headers: Headers | Record<string, string | string[] | undefined>;
    body: Uint8Array | ArrayBuffer | string;
}

/**
 * Where deliveries are claimed, so that each runs its handler once across processes. `claim` must be atomic: an
 * insert-if-absent with an expiry (D1 `INSERT … ON CONFLICT DO NOTHING`, Redis `SET key owner NX PX lease`, a
 * Postgres unique key), taking over an entry whose lease has ended. See the README, "Exactly once".
 */
export interface DeliveryStore {
    /** Claims `key` for `owner` for `leaseMs`: "claimed", "in-progress" (another holds an unexpired lease) or "done". */
    claim(key: string, owner: string, leaseMs: number): "claimed" | "in-progress" | "done" | Promise<"claimed" | "in-progress" | "done">;
    /** Records `key` as processed for `rememberMs`. */
    complete(key: string, rememberMs: number): unknown;
    /** Drops `key`'s lease if `owner` still holds it (never a processed key). */
    release(key: string, owner: string): unknown;
}

/** A webhook endpoint for Workers, Deno, Vercel Edge, Bun and any Request/Response server. */
export type WebhookHandler = ((request: Request | DeliveryRequestLike) => Promise<Response>) & {
    /**
     * Feeds a failed delivery (from `client.failedWebhooks()`) through the handlers, once: `site` is the tenant it
     * came from (a Connect app's clientKey), so that it is the same delivery as the one Jira may still retry.
     */
    replay(failure: FailedWebhook, options?: { site?: string }): Promise<Delivery | undefined>;
};



/** Credentials: one of these, by `type`. */
export type JiraWebhooksAuth = BasicAuth | BearerAuth | ConnectAuth | NoAuth;

/** What a custom transport receives. `path` is the API path and query, without any gateway prefix. */
export interface TransportRequest {
    method: "GET" | "POST" | "PUT" | "DELETE";
    /** Absolute URL (just the path when the config has no `baseUrl`). */
    url: string;
    /** e.g. `/rest/api/2/webhook?startAt=0`; segments and query values are already percent-encoded. */
    path: string;
    headers: Record<string, string>;
    body?: string;
    /** Aborted when the caller's signal fires or the call's deadline passes. */
    signal?: AbortSignal;
}

/** What a custom transport resolves to: a `fetch` Response satisfies it. */
export interface ResponseLike {
    status: number;
    headers: { get(name: string): string | null | undefined };
    text(): Promise<string>;
}

/** Sends requests where `fetch` is special: Forge, Custom UI, Connect iframes, your own proxy. */
export type Transport = (request: TransportRequest) => Promise<ResponseLike>;

/** What every hook event says: the call and the attempt, never a header or a credential. */
export interface CallEvent {
    /** Jira's operationId, e.g. `getDynamicWebhooksForApp`. */
    operation: string;
    method: "GET" | "POST" | "PUT" | "DELETE";
    /** The API path and query, e.g. `/rest/api/2/webhook?startAt=0`. */
    path: string;
    /** 1 for the first time the request is sent. */
    attempt: number;
}
/** Before an attempt is sent. */
export interface RequestEvent extends CallEvent {}
/** After an attempt: the status (0 when no answer came), how long it took, and Jira's rate-limit headers. */
export interface ResponseEvent extends CallEvent {
    status: number;
    durationMs: number;
    retryAfter?: string;
    rateLimit?: { reason?: string; limit?: string; remaining?: string; nearLimit?: string; reset?: string };
}
/** Before the client waits to send again. */
export interface RetryEvent extends CallEvent {
    delayMs: number;
}

export interface WebhookIterator extends AsyncIterableIterator<Webhook, undefined> {}
export interface FailedWebhookIterator extends AsyncIterableIterator<FailedWebhook, undefined> {}



/** One connection's tokens: `getToken` for the client's `auth: { type: "bearer", getToken }`. */
export interface OAuth2Tokens {
    /**
     * An access token that is not about to expire, refreshed first when needed: once per connection and process however
     * many calls ask at once, saved before it is used. `refused` is a token Jira just answered 401 to. Rejects with kind
     * `reauthorize` when the user must authorize the app again, `token` when the token endpoint or the store failed.
     */
    getToken(context?: { refused?: string; signal?: AbortSignal }): Promise<string>;
}



/** What a delivery carries, by `webhookEvent`: an event this version knows, or `UnknownPayload`. */
export type WebhookPayload = IssuePayload | CommentPayload | IssuePropertyPayload | SprintPayload | VersionPayload | UnknownPayload;

/**
 * A handler per event this version knows, typed by it: a misspelled event is a compile error (and a config error at
 * run time). `"*"` gets every event that has no handler of its own; handlers of events newer than this version go
 * in `onOther`.
 */
export type WebhookHandlers = { [E in keyof WebhookPayloads]?: (payload: WebhookPayloads[E], delivery: Delivery) => unknown } & {
    "*"?: (payload: WebhookPayload, delivery: Delivery) => unknown;
};


/**
 * A Connect app: each request is signed with a fresh HS256 JWT (iss, iat, exp, qsh).
 */
export interface ConnectAuth {
    /**
     * `"connect"`.
     */
    type: "connect";
    /**
     * The app's key (the JWT's `iss`).
     */
    appKey: string;
    /**
     * The shared secret Jira gave the app for this site at installation.
     */
    sharedSecret: string;
}

/**
 * A Jira user as payloads show them.
 */
export interface JiraUser {
    /**
     * The account id.
     */
    accountId?: string;
    /**
     * The name shown.
     */
    displayName?: string;
    /**
     * The REST URL of the user.
     */
    self?: string;
}

/**
 * A connection's tokens as the app stores them.
 */
export interface StoredTokens {
    /**
     * The access token (an hour's life).
     */
    accessToken: string;
    /**
     * The refresh token: single use, each refresh returns the next one.
     */
    refreshToken: string;
    /**
     * When the access token expires, in milliseconds since the epoch.
     */
    expiresAt: number;
}

/**
 * A delivery, verified: what every handler gets with the payload.
 */
export interface Delivery {
    /**
     * Jira's `X-Atlassian-Webhook-Identifier`: the same on every retry; unique per site only.
     */
    id: string;
    /**
     * The site it comes from: a Connect tenant's clientKey, an OAuth 2.0 site's cloud id or origin.
     */
    site: string;
    /**
     * `X-Atlassian-Webhook-Retry`: 0 for the first attempt.
     */
    retry: number;
    /**
     * `X-Atlassian-Webhook-Flow`: the dependent events of a delete come as `Secondary`, later.
     */
    flow?: "Primary" | "Secondary";
    /**
     * The event (`webhookEvent`).
     */
    event: WebhookEvent;
    /**
     * A Connect tenant's clientKey.
     */
    clientKey?: string;
    /**
     * The ids of the app's webhooks that matched (REST-registered webhooks).
     */
    matchedWebhookIds?: number[];
    /**
     * `true` when it came from `replay`, not from Jira.
     */
    replayed?: boolean;
    /**
     * The payload as Jira sent it.
     */
    payload: WebhookPayload;
}

/**
 * A list of webhooks.
 */
export interface WebhookDetails {
    /**
     * The Jira events that trigger the webhook.
     */
    events: WebhookEvent[];
    /**
     * A list of field IDs. When the issue changelog contains any of the fields, the webhook
     * `jira:issue_updated` is sent. If this parameter is not present, the app is notified about all field updates.
     */
    fieldIdsFilter?: string[];
    /**
     * A list of issue property keys. A change of those issue properties triggers the `issue_property_set` or
     * `issue_property_deleted` webhooks. If this parameter is not present, the app is notified about all issue
     * property updates.
     */
    issuePropertyKeysFilter?: string[];
    /**
     * The JQL filter that specifies which issues the webhook is sent for. Only a subset of JQL can be used.
     * Fields: `issueKey`, `project`, `issuetype`, `status`, `assignee`, `reporter`, `issue.property` and
     * `cf[id]` (only the epic label custom field); operators: `=`, `!=`, `IN` and `NOT IN`.
     */
    jqlFilter: string;
}

/**
 * A page of failed webhooks.
 */
export interface FailedWebhooks {
    /**
     * The maximum number of items on the page. If the list of values is shorter than this number, then there
     * are no more pages.
     */
    maxResults: number;
    /**
     * The URL to the next page of results. Present only if the request returned at least one result. The next
     * page may be empty at the time of receiving the response, but new failed webhooks may appear in time.
     */
    next?: string;
    /**
     * The list of webhooks.
     */
    values: FailedWebhook[];
}

/**
 * A page of items.
 */
export interface PageBeanWebhook {
    /**
     * Whether this is the last page.
     */
    isLast?: boolean;
    /**
     * The maximum number of items that could be returned.
     */
    maxResults?: number;
    /**
     * If there is another page of results, the URL of the next page.
     */
    nextPage?: string;
    /**
     * The URL of the page.
     */
    self?: string;
    /**
     * The index of the first item returned.
     */
    startAt?: number;
    /**
     * The number of items returned.
     */
    total?: number;
    /**
     * The list of items (optional in the spec; Jira always sends it, and the client requires it).
     */
    values: Webhook[];
}

/**
 * A site the user granted the app: what `accessibleResources` lists.
 */
export interface AccessibleResource {
    /**
     * The site's cloud id: `cloudId` in the client's config.
     */
    id: string;
    /**
     * The site, e.g. `https://your-domain.atlassian.net`.
     */
    url: string;
    /**
     * The site's name.
     */
    name: string;
    /**
     * The scopes granted on it.
     */
    scopes: string[];
    /**
     * The site's avatar.
     */
    avatarUrl?: string;
}

/**
 * A webhook Jira refused inside its 200, with Jira's reasons.
 */
export interface FailedRegistration {
    /**
     * What was asked for.
     */
    webhook: WebhookDetails;
    /**
     * Jira's reasons.
     */
    errors: string[];
}

/**
 * A webhook a sync registered.
 */
export interface CreatedWebhook {
    /**
     * Its id.
     */
    id: number;
    /**
     * What was registered.
     */
    webhook: WebhookDetails;
}

/**
 * A webhook.
 */
export interface Webhook {
    /**
     * The ID of the webhook.
     */
    id: number;
    /**
     * The Jira events that trigger the webhook.
     */
    events: WebhookEvent[];
    /**
     * The JQL filter that specifies which issues the webhook is sent for.
     */
    jqlFilter: string;
    /**
     * A list of field IDs. When the issue changelog contains any of the fields, the webhook
     * `jira:issue_updated` is sent. If this parameter is not present, the app is notified about all field updates.
     */
    fieldIdsFilter?: string[];
    /**
     * A list of issue property keys. A change of those issue properties triggers the `issue_property_set` or
     * `issue_property_deleted` webhooks. If this parameter is not present, the app is notified about all issue
     * property updates.
     */
    issuePropertyKeysFilter?: string[];
    /**
     * The date after which the webhook is no longer sent, in milliseconds since the Unix epoch (Jira's date
     * strings are converted). Use `refreshWebhooks` to extend it.
     */
    expirationDate?: number;
    /**
     * The URL that specifies where the webhooks are sent (sent by newer Jira versions).
     */
    url?: string;
}

/**
 * Admin webhooks with a secret: `X-Hub-Signature: sha256=<hex HMAC of the raw body>`.
 */
export interface HmacVerify {
    /**
     * The webhook's secret, or several while rotating.
     */
    secret: string | string[];
}

/**
 * An Atlassian account's email and API token (scripts, admin tools acting for an app).
 */
export interface BasicAuth {
    /**
     * `"basic"`.
     */
    type: "basic";
    /**
     * The account's email address.
     */
    email: string;
    /**
     * An API token of that account.
     */
    apiToken: string;
}

/**
 * An OAuth 2.0 (3LO) access token, or a `getToken` that supplies one: asked on the first call, again when
 * the token it gave expires, and once more after a 401 (then the request is sent again once). With both,
 * `token` is used until Jira refuses it. `oauth2Tokens(…).getToken` is a `getToken` that refreshes
 * Atlassian's rotating refresh tokens safely.
 */
export interface BearerAuth {
    /**
     * `"bearer"`.
     */
    type: "bearer";
    /**
     * The access token.
     */
    token?: string;
    /**
     * Supplies an access token. `refused` is the token Jira just answered 401 to, if any: give another.
     */
    getToken?: (context: TokenContext) => string | Promise<string>;
}

/**
 * An event this version does not know: passed through untyped.
 */
export interface UnknownPayload {
    /**
     * The event.
     */
    webhookEvent: string & {};
    /**
     * When it happened, in milliseconds since the epoch.
     */
    timestamp?: number;
}

/**
 * An issue as payloads show it: its fields are Jira's (system and custom), typed where documented.
 */
export interface JiraIssue {
    /**
     * The issue id.
     */
    id: string;
    /**
     * The issue key, e.g. `PROJ-1`.
     */
    key: string;
    /**
     * The REST URL of the issue.
     */
    self?: string;
    /**
     * The issue's fields.
     */
    fields: { summary?: string; project?: { id?: string; key?: string; name?: string }; issuetype?: { id?: string; name?: string }; status?: { id?: string; name?: string }; assignee?: JiraUser | null; reporter?: JiraUser | null; [field: string]: unknown };
}

/**
 * Connect apps: deliveries carry `Authorization: JWT <token>` (or `?jwt=`) signed with the tenant's shared
 * secret, with `qsh` bound to the delivery's own request.
 */
export interface ConnectVerify {
    /**
     * The app's base URL (the descriptor's `baseUrl`): `qsh` is computed on the path relative to it.
     */
    baseUrl: string;
    /**
     * The tenant's shared secret, by its clientKey (the JWT's `iss`); `undefined` for an unknown tenant.
     */
    sharedSecret: (clientKey: string) => string | undefined | null | Promise<string | undefined | null>;
}

/**
 * Container for a list of registered webhooks. Webhook details are returned in the same order as the request.
 */
export interface ContainerForRegisteredWebhooks {
    /**
     * A list of registered webhooks (optional in the spec; Jira always sends it, and the client requires it).
     */
    webhookRegistrationResult: RegisteredWebhook[];
}

/**
 * Container for a list of webhook IDs.
 */
export interface ContainerForWebhookIDs {
    /**
     * A list of webhook IDs.
     */
    webhookIds: number[];
}

/**
 * Cursor paging for getFailedWebhooks.
 */
export interface GetFailedWebhooksParams {
    /**
     * The maximum number of webhooks to return per page, 1 to 100. Records with the same failure time are
     * never split across pages, so a page may hold more.
     */
    maxResults?: number;
    /**
     * Only failures after this time, in milliseconds since the Unix epoch: pass the `failureTime` of the
     * last webhook of the previous page.
     */
    after?: number;
}

/**
 * Details about a failed webhook.
 */
export interface FailedWebhook {
    /**
     * The webhook body.
     */
    body?: string;
    /**
     * The time the webhook was added to the list of failed webhooks (that is, the time of the last failed
     * retry), in milliseconds since the Unix epoch.
     */
    failureTime: number;
    /**
     * The webhook ID, as sent in the `X-Atlassian-Webhook-Identifier` header with the webhook.
     */
    id: string;
    /**
     * The original webhook destination.
     */
    url: string;
}

/**
 * Details of webhooks to register.
 */
export interface WebhookRegistrationDetails {
    /**
     * The URL that specifies where to send the webhooks. This URL must use the same base URL as the Connect
     * app. Only a single URL per app is allowed to be registered.
     */
    url: string;
    /**
     * A list of webhooks (at most 100: the most a Connect app may hold on a site).
     */
    webhooks: WebhookDetails[];
}

/**
 * Error messages from an operation.
 */
export interface ErrorCollection {
    /**
     * The list of error messages produced by this operation.
     */
    errorMessages?: string[];
    /**
     * The list of errors by parameter returned by the operation.
     */
    errors?: Record<string, string>;
    /**
     * The HTTP status, when Jira includes it.
     */
    status?: number;
}

/**
 * Every failure rejects with this (`err instanceof JiraWebhooksError`, also for errors of another copy of
 * the package, such as the lifecycle entry's). It never contains a credential.
 */
export declare class JiraWebhooksError extends Error {
    private constructor();
    name: "JiraWebhooksError";
    /** What went wrong. */
    kind: JiraWebhooksErrorKind;
    /** A sentence a person can act on. */
    message: string;
    /** The HTTP status, 0 when there was no response. */
    status: number;
    /** Jira's `errorMessages`, when the response had an ErrorCollection. */
    errorMessages: string[];
    /** Jira's `errors` by field, when the response had an ErrorCollection. */
    errors: Record<string, string>;
    /** The operationId of the failed call, e.g. `refreshWebhooks`. */
    operation?: string;
    /** The input, config or JSON path at fault (invalid-input, config, decode), or the check that failed (unauthorized). */
    path?: string;
    /** Jira's request id (`X-AREQUESTID`), for Atlassian support. */
    requestId?: string;
    /** How long Jira asked to wait before trying again (429, some 503), in milliseconds. */
    retryAfterMs?: number;
    /** Jira's rate-limit headers, when the error response had them. */
    rateLimit?: { reason?: string; limit?: string; remaining?: string; nearLimit?: string; reset?: string };
    /** How many times the request was sent (0: never, e.g. invalid input). */
    attempts: number;
    /** `true` when Jira may have applied a registration whose answer was lost: list the webhooks before trying again. */
    mayHaveApplied?: true;
    /** For "partial-failure": the whole registration answer, with the ids that were created. */
    result?: ContainerForRegisteredWebhooks;
}

/** Whether `value` is a `JiraWebhooksError` (the same as `value instanceof JiraWebhooksError`). */
export declare function isJiraWebhooksError(value: unknown): value is JiraWebhooksError;


/**
 * Functions that see what each call did, for logs, metrics and pacing. They get plain data, never a
 * credential; a hook that throws or never settles changes nothing about the call.
 */
export interface CallHooks {
    /**
     * Before each attempt is sent.
     */
    request?: (event: RequestEvent) => unknown;
    /**
     * When an answer came back (any status), or the attempt failed without one (`status` 0).
     */
    response?: (event: ResponseEvent) => unknown;
    /**
     * When the client waits before sending again.
     */
    retry?: (event: RetryEvent) => unknown;
}

/**
 * How deliveries are verified (`verifyDelivery`): give the one (or several) your app uses.
 */
export interface VerifyOptions {
    /**
     * OAuth 2.0 (3LO) apps.
     */
    oauth?: OAuthVerify;
    /**
     * Connect apps.
     */
    connect?: ConnectVerify;
    /**
     * Admin webhooks with a secret.
     */
    hmac?: HmacVerify;
    /**
     * Leeway for `exp`, `nbf` and `iat`, in seconds (0 to 600). Default 60.
     */
    clockSkewSeconds?: number;
    /**
     * The largest body accepted, in bytes (a larger one is answered 413). Default 32 MiB, above the 25 MB
     * Jira sends at most.
     */
    maxBodyBytes?: number;
    /**
     * The site a delivery comes from, when the app knows better than the package (see the README, "Sites").
     */
    siteOf?: (delivery: Delivery) => string | undefined | Promise<string | undefined>;
}

/**
 * How failed calls are retried (`retry` in the config; `false` turns retries off).
 */
export interface RetryPolicy {
    /**
     * How many times a call may be sent again (at most 10). Default 3.
     */
    retries?: number;
    /**
     * The first backoff step, in milliseconds. Default 500.
     */
    minDelayMs?: number;
    /**
     * The longest wait between two attempts, in milliseconds. Default 30000.
     */
    maxDelayMs?: number;
}

/**
 * How to reach Jira and who is calling. Give `baseUrl` (your site, for Connect apps and API tokens) or
 * `cloudId` (OAuth 2.0 apps, routed through `https://api.atlassian.com/ex/jira/{cloudId}`), not both.
 */
export interface JiraWebhooksConfig {
    /**
     * The site, e.g. `https://your-domain.atlassian.net`. Plain `http://` is allowed only for loopback.
     */
    baseUrl?: string;
    /**
     * The site's cloud id, for OAuth 2.0 (3LO) apps.
     */
    cloudId?: string;
    /**
     * The OAuth 2.0 gateway used with `cloudId`; defaults to `https://api.atlassian.com`.
     */
    gatewayUrl?: string;
    /**
     * The credentials.
     */
    auth: JiraWebhooksAuth;
    /**
     * `2` (default) or `3`: which `/rest/api/{version}` to call. The webhook operations are the same in both.
     */
    apiVersion?: 2 | 3;
    /**
     * Gives up on a call after this many milliseconds (kind `timeout`), across its retries; a call's own
     * `timeoutMs` wins.
     */
    timeoutMs?: number;
    /**
     * How failed calls are retried; `false` turns retries off. Default: 3 retries, 500 ms to 30 s apart.
     */
    retry?: RetryPolicy | false;
    /**
     * Sent as `User-Agent` where the runtime allows it (browsers ignore it).
     */
    userAgent?: string;
    /**
     * Sends the requests instead of the global `fetch` (Forge, Connect iframes, a proxy); then `baseUrl` may
     * be left out.
     */
    transport?: Transport;
    /**
     * Sees every call: each request, response and retry, with Jira's rate-limit headers (never a credential).
     */
    hooks?: CallHooks;
}

/**
 * ID of a registered webhook or error messages explaining why a webhook wasn't registered.
 */
export interface RegisteredWebhook {
    /**
     * The ID of the webhook. Returned if the webhook is created.
     */
    createdWebhookId?: number;
    /**
     * Error messages specifying why the webhook creation failed.
     */
    errors?: string[];
}

/**
 * No credentials: the `transport` authenticates (Forge `requestJira`, Connect `AP.request`, your proxy).
 */
export interface NoAuth {
    /**
     * `"none"`.
     */
    type: "none";
}

/**
 * OAuth 2.0 apps: deliveries carry `Authorization: Bearer <JWT>` signed with the app's client secret.
 */
export interface OAuthVerify {
    /**
     * The app's client secret, or several while rotating.
     */
    clientSecret: string | string[];
}

/**
 * Offset paging for getDynamicWebhooksForApp.
 */
export interface GetDynamicWebhooksForAppParams {
    /**
     * The index of the first item to return in a page of results (page offset). Default 0.
     */
    startAt?: number;
    /**
     * The maximum number of items to return per page, 1 to 100. Default 100.
     */
    maxResults?: number;
}

/**
 * Options of `registerDynamicWebhooks`.
 */
export interface RegisterOptions {
    /**
     * Aborts the call (rejects with kind "aborted").
     */
    signal?: AbortSignal;
    /**
     * Gives up after this many milliseconds, across retries (rejects with kind "timeout"); overrides the
     * config's `timeoutMs`.
     */
    timeoutMs?: number;
    /**
     * Reject with kind "partial-failure" when Jira refused any webhook (the error's `result` keeps the created
     * ids).
     */
    throwOnPartialFailure?: boolean;
}

/**
 * Per-call options, the last argument of every operation.
 */
export interface CallOptions {
    /**
     * Aborts the call (rejects with kind "aborted").
     */
    signal?: AbortSignal;
    /**
     * Gives up after this many milliseconds, across retries (rejects with kind "timeout"); overrides the
     * config's `timeoutMs`.
     */
    timeoutMs?: number;
}

/**
 * The date the refreshed webhooks expire.
 */
export interface WebhooksExpirationDate {
    /**
     * The expiration date of all the refreshed webhooks, in milliseconds since the Unix epoch.
     */
    expirationDate: number;
}

/**
 * The webhooks an app wants on a site: `syncWebhooks`' first argument.
 */
export interface DesiredWebhooks {
    /**
     * Where Jira sends them (one URL per app).
     */
    url: string;
    /**
     * Every webhook the app wants; any other webhook of the app is deleted. Empty: delete them all.
     */
    webhooks: WebhookDetails[];
    /**
     * Refresh the kept webhooks that expire within this many days (0 to 30). Default 7.
     */
    refreshWithinDays?: number;
    /**
     * Plan only: list, decide, send nothing else.
     */
    dryRun?: boolean;
    /**
     * OAuth 2.0 apps: the ids of the webhooks this connection registered (the `created` ids of its earlier
     * syncs, kept by the app). Jira may list every user's webhooks of the app, so only these are ever deleted,
     * and only these are matched; without them a sync deletes nothing it finds (see the README, "Sync").
     */
    owned?: number[];
    /**
     * OAuth 2.0 apps: also delete the app's webhooks this connection cannot tell are its own (every user's).
     * Default `false`.
     */
    deleteUnowned?: boolean;
}

/**
 * What `getToken` is told.
 */
export interface TokenContext {
    /**
     * The token Jira just refused with a 401, if that is why a token is asked for.
     */
    refused?: string;
    /**
     * Aborted when the call is aborted or its deadline passes.
     */
    signal: AbortSignal;
}

/**
 * What `keepAlive` did.
 */
export interface KeepAliveResult {
    /**
     * The webhooks it refreshed.
     */
    refreshed: number[];
    /**
     * Their new expiry, in milliseconds since the epoch, when it refreshed any.
     */
    expirationDate?: number;
}

/**
 * What `onError` is told besides the error: which delivery, never its token.
 */
export interface DeliveryProblem {
    /**
     * A stable name: `handler-failed`, `handler-timed-out`, `claim-failed`, `complete-failed`, …
     */
    code: string;
    /**
     * A sentence a person can act on.
     */
    message: string;
    /**
     * The delivery's id.
     */
    id: string;
    /**
     * Its site.
     */
    site: string;
    /**
     * Its event.
     */
    event: string;
}

/**
 * What `syncWebhooks` did.
 */
export interface SyncResult {
    /**
     * What it decided.
     */
    plan: SyncPlan;
    /**
     * What it registered (found again by listing, when an answer was lost).
     */
    created: CreatedWebhook[];
    /**
     * What it deleted.
     */
    deleted: number[];
    /**
     * What it refreshed.
     */
    refreshed: number[];
    /**
     * The new expiry of the refreshed webhooks, in milliseconds since the epoch, when it refreshed.
     */
    expirationDate?: number;
    /**
     * Webhooks Jira refused, with its reasons.
     */
    failed: FailedRegistration[];
    /**
     * `false` for a dry run: the plan only.
     */
    applied: boolean;
    /**
     * The ids of the caller's webhooks as the sync leaves them (kept, created, and planned deletes not made):
     * an OAuth 2.0 connection stores them as its next sync's `owned`.
     */
    owned: number[];
}

/**
 * What a sync decided: the ids are those of the listed webhooks.
 */
export interface SyncPlan {
    /**
     * Desired webhooks that are missing (or expired): registered.
     */
    register: WebhookDetails[];
    /**
     * Webhooks of the app that are not desired, second copies of one, and expired ones: deleted.
     */
    delete: number[];
    /**
     * Kept webhooks that expire soon, or whose expiry Jira did not say: refreshed.
     */
    refresh: number[];
    /**
     * Webhooks that are desired and present.
     */
    keep: number[];
    /**
     * Webhooks of the app this connection cannot tell are its own (OAuth 2.0: another user's, or registered
     * before it kept `owned`): left alone.
     */
    foreign: number[];
    /**
     * Event names in the desired set that this version does not know (a typo, or an event newer than it):
     * sent as they are; Jira refuses an event it does not know.
     */
    unknownEvents: string[];
}

/**
 * What an update changed.
 */
export interface Changelog {
    /**
     * The changelog id.
     */
    id?: string;
    /**
     * One entry per changed field.
     */
    items: { field: string; fieldId?: string; fieldtype?: string; from: string | null; fromString: string | null; to: string | null; toString: string | null }[];
}

/**
 * `accessibleResources`' options.
 */
export interface AccessibleResourcesOptions {
    /**
     * The gateway; default `https://api.atlassian.com`.
     */
    gatewayUrl?: string;
    /**
     * Gives up after this many milliseconds. Default 30000.
     */
    timeoutMs?: number;
}

/**
 * `comment_created`, `comment_updated`, `comment_deleted`.
 */
export interface CommentPayload {
    /**
     * The event.
     */
    webhookEvent: "comment_created" | "comment_updated" | "comment_deleted";
    /**
     * When it happened, in milliseconds since the epoch.
     */
    timestamp: number;
    /**
     * The ids of the app's webhooks that matched.
     */
    matchedWebhookIds?: number[];
    /**
     * The comment.
     */
    comment: { id: string; body?: unknown; author?: JiraUser; updateAuthor?: JiraUser; created?: string; updated?: string; [key: string]: unknown };
    /**
     * The issue commented on.
     */
    issue?: JiraIssue;
}

/**
 * `createWebhookHandler`'s options: how deliveries are verified, who handles them, and where they are claimed.
 */
export interface WebhookHandlerOptions {
    /**
     * OAuth 2.0 (3LO) apps.
     */
    oauth?: OAuthVerify;
    /**
     * Connect apps.
     */
    connect?: ConnectVerify;
    /**
     * Admin webhooks with a secret.
     */
    hmac?: HmacVerify;
    /**
     * Leeway for `exp`, `nbf` and `iat`, in seconds (0 to 600). Default 60.
     */
    clockSkewSeconds?: number;
    /**
     * The largest body accepted, in bytes (a larger one is answered 413). Default 32 MiB, above the 25 MB
     * Jira sends at most.
     */
    maxBodyBytes?: number;
    /**
     * The site a delivery comes from, when the app knows better than the package (see the README, "Sites").
     */
    siteOf?: (delivery: Delivery) => string | undefined | Promise<string | undefined>;
    /**
     * The handler of each event this version knows, or `"*"` for the others; each may be async. A throw makes
     * the endpoint answer 500, so that Jira retries.
     */
    on: WebhookHandlers;
    /**
     * Handlers of events newer than this version, by their name.
     */
    onOther?: Record<string, (payload: UnknownPayload, delivery: Delivery) => unknown>;
    /**
     * Where deliveries are claimed and remembered (see the README, "Exactly once"); default: in memory, in
     * this process. `false`: every attempt runs its handler.
     */
    dedupe?: DeliveryStore | false;
    /**
     * How long a handler may take before the endpoint answers 503 (Jira retries; the claim keeps the retry
     * out until the handler settles). Default 15000, under Jira's timeout of about 20 s.
     */
    handlerTimeoutMs?: number;
    /**
     * Told about a handler that threw or timed out (`error`: what it threw) and about a store that failed
     * (what the store threw is the error's `cause`; its message is never in the package's words, nor a token);
     * default: one line on `console.error`.
     */
    onError?: (error: unknown, context: DeliveryProblem) => unknown;
    /**
     * Gets a replayed failure that has no body, so the app can fetch the entity itself.
     */
    onMissingBody?: (failure: FailedWebhook) => unknown;
}

/**
 * `exchangeCode`'s options: the code of the authorization redirect, for the first pair of tokens.
 */
export interface ExchangeCodeOptions {
    /**
     * The app's client id.
     */
    clientId: string;
    /**
     * The app's client secret.
     */
    clientSecret: string;
    /**
     * The `code` query parameter of the redirect.
     */
    code: string;
    /**
     * The redirect URI the authorization used (it must match).
     */
    redirectUri: string;
    /**
     * The token endpoint; default `https://auth.atlassian.com/oauth/token`.
     */
    tokenUrl?: string;
    /**
     * Gives up after this many milliseconds. Default 30000.
     */
    timeoutMs?: number;
}

/**
 * `issue_property_set`, `issue_property_deleted`.
 */
export interface IssuePropertyPayload {
    /**
     * The event.
     */
    webhookEvent: "issue_property_set" | "issue_property_deleted";
    /**
     * When it happened, in milliseconds since the epoch.
     */
    timestamp: number;
    /**
     * The ids of the app's webhooks that matched.
     */
    matchedWebhookIds?: number[];
    /**
     * The property.
     */
    property: { key: string; value?: unknown };
    /**
     * The issue it belongs to.
     */
    issue?: JiraIssue;
}

/**
 * `jira:issue_created`, `jira:issue_updated`, `jira:issue_deleted`.
 */
export interface IssuePayload {
    /**
     * The event.
     */
    webhookEvent: "jira:issue_created" | "jira:issue_updated" | "jira:issue_deleted";
    /**
     * When it happened, in milliseconds since the epoch.
     */
    timestamp: number;
    /**
     * The ids of the app's webhooks that matched (REST-registered webhooks).
     */
    matchedWebhookIds?: number[];
    /**
     * e.g. `issue_created`, `issue_updated`, `issue_generic`.
     */
    issue_event_type_name?: string;
    /**
     * Who did it.
     */
    user?: JiraUser;
    /**
     * The issue.
     */
    issue: JiraIssue;
    /**
     * What changed (updates).
     */
    changelog?: Changelog;
}

/**
 * `jira:version_*`; a merge comes as `jira:version_deleted` with `mergedTo`.
 */
export interface VersionPayload {
    /**
     * The event.
     */
    webhookEvent: "jira:version_released" | "jira:version_unreleased" | "jira:version_created" | "jira:version_moved" | "jira:version_updated" | "jira:version_merged" | "jira:version_deleted";
    /**
     * When it happened, in milliseconds since the epoch.
     */
    timestamp: number;
    /**
     * The ids of the app's webhooks that matched.
     */
    matchedWebhookIds?: number[];
    /**
     * The version.
     */
    version: { id: string; name?: string; projectId?: number; released?: boolean; [key: string]: unknown };
    /**
     * Where a merged version went.
     */
    mergedTo?: { id: string; name?: string; [key: string]: unknown };
}

/**
 * `keepAlive`'s options.
 */
export interface KeepAliveOptions {
    /**
     * Refresh every webhook of the app that expires within this many days (0 to 30). Default 7.
     */
    withinDays?: number;
}

/**
 * `oauth2Tokens`' options: one connection's tokens (one user's grant), kept in the app's store.
 */
export interface OAuth2TokensOptions {
    /**
     * The app's client id.
     */
    clientId: string;
    /**
     * The app's client secret; it never appears in an error.
     */
    clientSecret: string;
    /**
     * Reads the connection's stored tokens (`null` when there are none). It must read the store's latest
     * write: an eventually consistent store can hand back a refresh token that was already spent.
     */
    load: () => StoredTokens | null | undefined | Promise<StoredTokens | null | undefined>;
    /**
     * Compare-and-swap: stores `next` only if the stored refresh token is still `previous.refreshToken`, and says
     * whether it did (false: another process rotated first; its tokens are used).
     */
    save: (next: StoredTokens, previous: { refreshToken: string }) => boolean | Promise<boolean>;
    /**
     * The token endpoint; default `https://auth.atlassian.com/oauth/token`.
     */
    tokenUrl?: string;
    /**
     * Refresh this long before the access token expires. Default 300000 (5 minutes).
     */
    refreshAheadMs?: number;
    /**
     * How long one refresh may take, retries of the token endpoint included. Default 30000.
     */
    timeoutMs?: number;
}

/**
 * `sprint_created`, `sprint_updated`, `sprint_closed`, `sprint_deleted`, `sprint_started`.
 */
export interface SprintPayload {
    /**
     * The event.
     */
    webhookEvent: "sprint_created" | "sprint_updated" | "sprint_closed" | "sprint_deleted" | "sprint_started";
    /**
     * When it happened, in milliseconds since the epoch.
     */
    timestamp: number;
    /**
     * The ids of the app's webhooks that matched.
     */
    matchedWebhookIds?: number[];
    /**
     * The sprint.
     */
    sprint: { id: number; name?: string; state?: string; originBoardId?: number; [key: string]: unknown };
}

/** A Jira event that triggers a webhook. Unknown future names are passed through as strings. */
export type WebhookEvent = "jira:issue_created" | "jira:issue_updated" | "jira:issue_deleted" | "comment_created" | "comment_updated" | "comment_deleted" | "issue_property_set" | "issue_property_deleted" | "sprint_created" | "sprint_updated" | "sprint_closed" | "sprint_deleted" | "sprint_started" | "jira:version_released" | "jira:version_unreleased" | "jira:version_created" | "jira:version_moved" | "jira:version_updated" | "jira:version_merged" | "jira:version_deleted" | (string & {});


/** The payload of each event this version knows. */
export interface WebhookPayloads {
    "jira:issue_created": IssuePayload;
    "jira:issue_updated": IssuePayload;
    "jira:issue_deleted": IssuePayload;
    "comment_created": CommentPayload;
    "comment_updated": CommentPayload;
    "comment_deleted": CommentPayload;
    "issue_property_set": IssuePropertyPayload;
    "issue_property_deleted": IssuePropertyPayload;
    "sprint_created": SprintPayload;
    "sprint_updated": SprintPayload;
    "sprint_closed": SprintPayload;
    "sprint_deleted": SprintPayload;
    "sprint_started": SprintPayload;
    "jira:version_released": VersionPayload;
    "jira:version_unreleased": VersionPayload;
    "jira:version_created": VersionPayload;
    "jira:version_moved": VersionPayload;
    "jira:version_updated": VersionPayload;
    "jira:version_merged": VersionPayload;
    "jira:version_deleted": VersionPayload;
}


/** What went wrong: see the README's "Errors" section. */
export type JiraWebhooksErrorKind = never | "http" | "network" | "timeout" | "aborted" | "decode" | "invalid-input" | "config" | "partial-failure" | "unauthorized" | "reauthorize" | "token";



/**
 * A client for one Jira site and one set of credentials.
 */
export class JiraWebhooks {
    /**
     * Releases the client's WebAssembly memory now. Optional: a client nobody refers to any more is released by
     * the garbage collector. Do not use the client afterwards.
     */
    free(): void;
    /** The same as `free()`, for `using client = new JiraWebhooks(…)`. */
    [Symbol.dispose](): void;
    /**
     * Deletes the listed webhooks (DELETE); resolves to `undefined` on Jira's 202.
     */
    deleteWebhookById(ids: ContainerForWebhookIDs, options?: CallOptions): Promise<void>;
    /**
     * Every failed delivery from `after` on, oldest first, following Jira's cursor:
     * `for await (const failure of client.failedWebhooks())`.
     */
    failedWebhooks(params?: GetFailedWebhooksParams, options?: CallOptions): FailedWebhookIterator;
    /**
     * Returns one page of the app's webhooks (GET, offset paging).
     */
    getDynamicWebhooksForApp(params?: GetDynamicWebhooksForAppParams, options?: CallOptions): Promise<PageBeanWebhook>;
    /**
     * Returns one page of failed deliveries (GET, cursor paging; Connect apps only).
     */
    getFailedWebhooks(params?: GetFailedWebhooksParams, options?: CallOptions): Promise<FailedWebhooks>;
    /**
     * Refreshes every webhook of the app that expires within `withinDays` (default 7), in one call; for apps that
     * register imperatively. Run it daily (a cron trigger, a timer).
     */
    keepAlive(params?: KeepAliveOptions, options?: CallOptions): Promise<KeepAliveResult>;
    /**
     * Checks `config`; throws a `JiraWebhooksError` of kind `config` if it cannot work.
     */
    constructor(config: JiraWebhooksConfig);
    /**
     * Extends the listed webhooks by 30 days (PUT).
     */
    refreshWebhooks(ids: ContainerForWebhookIDs, options?: CallOptions): Promise<WebhooksExpirationDate>;
    /**
     * Registers webhooks (POST). Per-webhook failures come back inside the result, in request order, unless
     * `throwOnPartialFailure` turns them into a `partial-failure` error (its `result` keeps the created ids).
     */
    registerDynamicWebhooks(details: WebhookRegistrationDetails, options?: RegisterOptions): Promise<ContainerForRegisteredWebhooks>;
    /**
     * Makes the app's webhooks on the site exactly `desired`: lists them all, deletes what is not desired (and
     * second copies), registers what is missing, refreshes what expires within `refreshWithinDays`. A registration
     * whose answer was lost is never repeated blindly: the list is read again and only what is still missing is
     * registered. Runs of one client and URL are serialized (a second waits for the first). `timeoutMs` applies
     * to each call.
     */
    syncWebhooks(desired: DesiredWebhooks, options?: CallOptions): Promise<SyncResult>;
    /**
     * Every webhook of the app, page after page: `for await (const webhook of client.webhooks())`. Calls of
     * `next()` made at once are answered in order; after a page failed, the next call asks for it again.
     */
    webhooks(params?: GetDynamicWebhooksForAppParams, options?: CallOptions): WebhookIterator;
}

/**
 * The sites the user granted the app, with their cloud ids (`GET /oauth/token/accessible-resources`).
 */
export function accessibleResources(access_token: string, options?: AccessibleResourcesOptions): Promise<AccessibleResource[]>;

/**
 * A webhook endpoint: `(request) => Promise<Response>`, with `replay(failure, { site })`. It answers 401 to a
 * delivery that does not verify, 400 to a body that is not a JSON object, 413 to one larger than `maxBodyBytes`,
 * 204 once the handler of the event (or `"*"`) succeeded and to a delivery already processed, 409 while another
 * attempt of the same delivery runs, 500 when the handler threw and 503 when it passed `handlerTimeoutMs` (Jira
 * retries both).
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler;

/**
 * Exchanges the code of the authorization redirect for the connection's first tokens (store them, then give
 * `oauth2Tokens` a `load` that reads them).
 */
export function exchangeCode(options: ExchangeCodeOptions): Promise<StoredTokens>;

/**
 * Tokens that cannot be lost: Atlassian's refresh tokens rotate (each refresh spends the one sent), so the refresh
 * is single-flight per connection in this process, saved compare-and-swap across processes, and an `invalid_grant`
 * is read again from the store before it is believed (another process may have rotated first). See the README,
 * "OAuth 2.0 integrations".
 */
export function oauth2Tokens(options: OAuth2TokensOptions): OAuth2Tokens;

/**
 * The query string hash (`qsh`) of a request to the app: its method, and its URL's path (relative to the app's
 * `baseUrl`) and query, by Atlassian's canonical-request rules: the claim a Connect JWT binds to its request, as
 * `createWebhookHandler` checks it. For the app's own checks, such as the signed install callbacks.
 */
export function queryStringHash(method: string, url: string, baseUrl: string): string;

/**
 * Verifies that `request` comes from Jira (an OAuth 2.0 app's Bearer JWT, a Connect JWT with `qsh`, or an
 * `X-Hub-Signature` over the raw body) and resolves to the delivery; rejects with kind `unauthorized` naming the
 * check that failed. It does not claim: use `createWebhookHandler` to process each delivery once.
 */
export function verifyDelivery(request: Request | DeliveryRequestLike, options: VerifyOptions): Promise<Delivery>;

/**
 * Every event name this version knows, in the spec's order (v2 events, then the 2026 v3 additions).
 */
export function webhookEvents(): WebhookEvent[];
