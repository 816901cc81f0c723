// The package's one error class. Its fields are declared once, in src/error.rs, which also writes its TypeScript
// declaration. Every copy of the package loaded at once (the ES module and the CommonJS build, the client and the
// lifecycle entry) makes errors that pass `instanceof JiraWebhooksError`: the check is a brand, not the class.

const BRAND = Symbol.for("jira-webhooks.JiraWebhooksError");

export class JiraWebhooksError extends Error {
  /** @param {string} message @param {object} fields what src/error.rs wrote (kind, status, …) */
  constructor(message, fields) {
    super(message);
    Object.assign(this, fields);
  }

  static [Symbol.hasInstance](value) {
    return typeof value === "object" && value !== null && value[BRAND] === true;
  }
}
Object.defineProperty(JiraWebhooksError.prototype, BRAND, { value: true });
Object.defineProperty(JiraWebhooksError.prototype, "name", { value: "JiraWebhooksError", writable: true, configurable: true });

/** Whether `value` is an error of this package (of any copy of it). */
export function isJiraWebhooksError(value) {
  return value instanceof JiraWebhooksError;
}

/** The error Rust describes: its message and the JSON of its fields. */
export function newError(message, fields) {
  return new JiraWebhooksError(message, JSON.parse(fields));
}
