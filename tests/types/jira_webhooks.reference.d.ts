/* tslint:disable */
/* eslint-disable */

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

/** A Jira event that triggers a webhook. Unknown future names are passed through as strings. */
export type WebhookEvent = "jira:issue_created" | "jira:issue_updated" | "jira:issue_deleted" | "comment_created" | "comment_updated" | "comment_deleted" | "issue_property_set" | "issue_property_deleted" | "sprint_created" | "sprint_updated" | "sprint_closed" | "sprint_deleted" | "sprint_started" | "jira:version_released" | "jira:version_unreleased" | "jira:version_created" | "jira:version_moved" | "jira:version_updated" | "jira:version_merged" | "jira:version_deleted" | (string & {});


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
     * Every webhook of the app, page after page: `for await (const webhook of client.webhooks())`. Calls of
     * `next()` made at once are answered in order; after a page failed, the next call asks for it again.
     */
    webhooks(params?: GetDynamicWebhooksForAppParams, options?: CallOptions): WebhookIterator;
}

/**
 * Every event name this version knows, in the spec's order (v2 events, then the 2026 v3 additions).
 */
export function webhookEvents(): WebhookEvent[];
