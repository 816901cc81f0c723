// Request and response validation against Atlassian's official OpenAPI documents
// (copies in ./openapi/), using openapi-backend (routing + ajv validation).
import { readFileSync } from "node:fs";
import { OpenAPIBackend } from "openapi-backend";
import addFormats from "ajv-formats";

const DIR = new URL("./openapi/", import.meta.url);
export const SPEC_FILES = { 2: "webhooks-v2.openapi.json", 3: "webhooks-v3-2026.openapi.json" };

/** Jira's own date form, e.g. "2019-06-01T12:42:30.000+0000" (the spec's examples). */
export const JIRA_DATE_PATTERN = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}[+-]\\d{4}$";

/** @param {string|number} version */
export const loadDefinition = (version) => JSON.parse(readFileSync(new URL(SPEC_FILES[version], DIR), "utf8"));

const clone = (x) => structuredClone(x);

/**
 * @param {object} definition
 * @param {boolean} original true: check the document itself and fail hard if it is not valid OpenAPI;
 *   false (patched copies of an already checked document): quick start, validators compiled on first use
 */
async function backend(definition, original = false) {
  const api = new OpenAPIBackend({
    definition,
    strict: original,
    quick: !original,
    ajvOpts: { allErrors: true },
    customizeAjv: (ajv) => (addFormats(ajv), ajv),
  });
  await api.init();
  return api;
}

/** One API version: strict request validator + response validators (number / relaxed string dates). */
export class Spec {
  /** @param {2|3} version @param {object} definition @param {object} v3Definition */
  static async create(version, definition, v3Definition) {
    const s = new Spec();
    s.version = version;
    s.definition = definition;
    s.requests = await backend(definition, true);
    // Deviation 1 (documented): webhooks registered through /3 may carry v3-only events; when they are
    // listed through /2 the fake returns them as stored, so v2 responses are checked with the v3 enum.
    const responseDef = clone(definition);
    const v3Events = v3Definition.components.schemas.Webhook.properties.events;
    responseDef.components.schemas.Webhook.properties.events = clone(v3Events);
    s.responses = await backend(responseDef);
    // Deviation 2 (documented): with dateFormat "string" expirationDate is sent the way Jira really does.
    const relaxed = clone(responseDef);
    for (const name of ["Webhook", "WebhooksExpirationDate"]) {
      const props = relaxed.components.schemas[name].properties;
      props.expirationDate = { anyOf: [props.expirationDate, { type: "string", pattern: JIRA_DATE_PATTERN }] };
    }
    s.relaxed = await backend(relaxed);
    return s;
  }

  /** @returns {object|undefined} the openapi-backend operation for method + path (path without /ex/jira prefix) */
  match(method, path) {
    return this.requests.router.matchOperation({ method: method.toLowerCase(), path, headers: {} });
  }

  /**
   * Validates a request (query + JSON body) against the operation.
   * @returns {string[]} human-readable problems; empty when valid
   */
  validateRequest(op, { method, path, query, headers, body }) {
    const problems = strictIntegers(op, query);
    const req = { method: method.toLowerCase(), path, query, headers, body };
    const { errors } = this.requests.validator.validateRequest(req, op);
    const flagged = (e) => problems.some((p) => e.instancePath.startsWith("/query/") && p.includes(`'${e.instancePath.slice(7)}'`));
    return [...problems, ...(errors ?? []).filter((e) => !flagged(e)).map(describe)];
  }

  /**
   * Validates a response body the fake is about to send.
   * Statuses the operation does not declare (401, 404, 415, 429, 5xx) are checked against the
   * ErrorCollection schema that the spec uses for every declared error.
   * @returns {string[]} problems; empty when valid
   */
  validateResponse(op, status, body, { stringDates = false } = {}) {
    const api = stringDates ? this.relaxed : this.responses;
    op ??= api.router.getOperation("getDynamicWebhooksForApp");
    const declared = op.responses?.[status];
    if (declared && !declared.content) return body == null ? [] : [`status ${status} must have no body`];
    const { errors } = api.validator.validateResponse(body, op, declared ? status : 400);
    return (errors ?? []).map(describe);
  }
}

let cached;
/** Loads and compiles both specs once per process. @returns {Promise<{2: Spec, 3: Spec}>} */
export function getSpecs() {
  cached ??= (async () => {
    const v3 = loadDefinition(3);
    return { 2: await Spec.create(2, loadDefinition(2), v3), 3: await Spec.create(3, v3, v3) };
  })();
  return cached;
}

/**
 * Jira (Java) parses integer query parameters strictly, where ajv's coercion would accept "1e3" or " 7".
 * Only the digits form within the declared int32/int64 range is let through to the validator.
 */
function strictIntegers(op, query) {
  const problems = [];
  for (const p of op.parameters ?? []) {
    const v = query[p.name];
    if (p.in !== "query" || p.schema?.type !== "integer" || typeof v !== "string") continue;
    const bits = p.schema.format === "int32" ? 31n : 63n;
    if (!/^-?\d+$/.test(v) || BigInt(v) >= 2n ** bits || BigInt(v) < -(2n ** bits))
      problems.push(`query parameter '${p.name}' must be an ${p.schema.format ?? "integer"} integer, got '${v}'`);
  }
  return problems;
}

/** Turns an ajv error into a message naming the field, like Jira's ErrorCollection messages. */
function describe(e) {
  const where = e.instancePath
    .replace(/^\/query\/(.*)/, "query parameter '$1'")
    .replace(/^\/requestBody$/, "request body")
    .replace(/^\/requestBody\//, "")
    .replace(/\/(\d+)/g, "[$1]")
    .replace(/\//g, ".") || "request";
  switch (e.keyword) {
    case "required":
      return e.params.missingProperty === "requestBody"
        ? "The request body is missing."
        : `${where}: missing required field '${e.params.missingProperty}'`;
    case "additionalProperties":
      return `${where}: unrecognized field '${e.params.additionalProperty}' (not in the schema)`;
    case "enum":
      return `${where}: ${e.message}: ${e.params.allowedValues.join(", ")}`;
    default:
      return `${where}: ${e.message}`;
  }
}
