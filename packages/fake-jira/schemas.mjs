// The JSON Schemas of what the fake accepts from tests (seeds, failed deliveries, emitted events, faults), as plain
// data: the Node entry compiles them with ajv and injects the validator (see core.mjs). Runtime-neutral.

/** Every event a dynamic webhook can register for: the v3 spec's WebhookDetails.events enum (a test compares them). */
export const WEBHOOK_EVENTS = Object.freeze([
  "jira:issue_created", "jira:issue_updated", "jira:issue_deleted", "comment_created", "comment_updated", "comment_deleted",
  "issue_property_set", "issue_property_deleted", "sprint_created", "sprint_updated", "sprint_closed", "sprint_deleted",
  "sprint_started", "jira:version_released", "jira:version_unreleased", "jira:version_created", "jira:version_moved",
  "jira:version_updated", "jira:version_merged", "jira:version_deleted",
]);

export const SITE_NAME_PATTERN = "^[a-z0-9-]{1,63}$";
/** The five operations of the Webhooks tag, by operationId. */
export const OPERATIONS = ["registerDynamicWebhooks", "getDynamicWebhooksForApp", "getFailedWebhooks", "refreshWebhooks", "deleteWebhookById"];
/** The OAuth 2.0 endpoints that faults can name as `operation`. */
export const OAUTH_OPERATIONS = ["oauthToken", "accessibleResources"];
export const FAULT_TYPES = ["status", "rate-limit", "html", "malformed-json", "wrong-content-type", "delay", "reset", "large"];

const str = { type: "string" };
const strings = { type: "array", items: str };
const events = { type: "array", items: { type: "string", enum: WEBHOOK_EVENTS } };
const object = { type: "object" };

/** A failed delivery: failureTime (ms since epoch) or failedMinutesAgo (relative to the fake's clock). */
export const FAILURE_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["id", "url"],
  properties: {
    id: str, url: str, body: str,
    failureTime: { type: "integer" },
    failedMinutesAgo: { type: "number" },
  },
};

export const SEED_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    description: str,
    apps: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["key", "type"],
        properties: {
          key: { type: "string", minLength: 1 }, type: { enum: ["connect", "oauth"] }, sharedSecret: str, cloudId: str,
          // OAuth 2.0 apps: the client secret (default: startFakeJira's oauthClientSecret) and the callback URLs
          clientSecret: { type: "string", minLength: 1 }, redirectUris: { type: "array", items: { type: "string", pattern: "^https?://" } },
        },
      },
    },
    credentials: {
      type: "array",
      items: {
        oneOf: [
          { type: "object", additionalProperties: false, required: ["type", "email", "apiToken"],
            properties: { type: { const: "basic" }, email: str, apiToken: str, app: str, user: str } },
          { type: "object", additionalProperties: false, required: ["type", "token"],
            properties: { type: { const: "bearer" }, token: str, app: str, user: str } },
        ],
      },
    },
    webhooks: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["app", "url", "events", "jqlFilter"],
        properties: {
          app: str, url: str, user: str, events, jqlFilter: str, fieldIdsFilter: strings, issuePropertyKeysFilter: strings,
          expiresInDays: { type: "number" },
          expirationDate: { type: "integer" },
        },
      },
    },
    failed: {
      type: "array",
      items: { ...FAILURE_SCHEMA, required: ["app", ...FAILURE_SCHEMA.required], properties: { app: str, ...FAILURE_SCHEMA.properties } },
    },
  },
};

/** What fake.emit accepts (see events.mjs, EmitInput). */
export const EMIT_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["event"],
  properties: {
    event: { enum: WEBHOOK_EVENTS },
    site: { type: "string", pattern: SITE_NAME_PATTERN },
    flow: { enum: ["Primary", "Secondary"] },
    timestamp: { type: "integer" },
    issueEventTypeName: { type: "string", minLength: 1 },
    issue: object,
    changelog: object,
    comment: object,
    user: { type: ["object", "null"] },
    property: { ...object, required: ["key"], properties: { key: { type: "string" } } },
    sprint: object,
    version: object,
  },
};

/** What fake.injectFault accepts (see core.mjs, Fault). */
export const FAULT_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["type"],
  properties: {
    type: { enum: FAULT_TYPES },
    operation: { enum: [...OPERATIONS, ...OAUTH_OPERATIONS] },
    site: { type: "string", pattern: SITE_NAME_PATTERN },
    probability: { type: "number", exclusiveMinimum: 0, maximum: 1 },
    times: { type: "integer", minimum: 1 },
    apply: { type: "boolean" },
    status: { type: "integer", minimum: 200, maximum: 599 },
    headers: { type: "object", additionalProperties: { type: "string" } },
    body: { type: "string" },
    contentType: { type: "string" },
    retryAfter: { type: "integer", minimum: 0 },
    reason: { type: "string" },
    limit: { type: "integer", minimum: 0 },
    ms: { type: "integer", minimum: 0 },
    bytes: { type: "integer", minimum: 0 },
  },
};

/** The schemas an injected validator checks, by name: `validate(name, value)`. */
export const SCHEMAS = { seed: SEED_SCHEMA, failures: { type: "array", items: FAILURE_SCHEMA }, emit: EMIT_SCHEMA, fault: FAULT_SCHEMA };
