// Jira events as webhook bodies: an emitted event (with plausible defaults for what it leaves out) and
// the rules that decide which of an app's webhooks it triggers. Runtime-neutral: the input is checked against
// EMIT_SCHEMA (schemas.mjs) by the caller, and JQL is matched by the injected matchJql.
/**
 * @typedef {{ event: string, site?: string, flow?: "Primary"|"Secondary", timestamp?: number,
 *   issueEventTypeName?: string, issue?: object, changelog?: object, comment?: object, user?: object|null,
 *   property?: { key: string, value?: unknown }, sprint?: object, version?: object }} EmitInput
 *   `issue.properties` ({ key: value }) are the issue's properties, for `issue.property[…]` clauses only
 * @typedef {{ name: string, body: object, issue: { key?: string, id?: string, fields?: object, properties?: object }|null, changedFields: string[],
 *   propertyKey?: string }} JiraEvent
 */

/**
 * Builds the webhook body of an emitted event (everything but `matchedWebhookIds`). Parts left out get
 * defaults (an issue DEMO-1 in project DEMO, an admin user, …); parts given are used as they are.
 * @param {EmitInput} input
 * @param {{ baseUrl: string, now: number }} site the site's base URL and the fake's clock
 * @returns {JiraEvent}
 */
export function buildEvent(input, { baseUrl, now }) {
  const name = input.event;
  const [group, action] = name.replace(/^jira:/, "").split(/_(?=[a-z]+$)/);
  const created = new Date(now).toISOString().replace("Z", "+0000");
  const user = input.user === undefined ? defaultUser(baseUrl) : input.user;
  const head = { timestamp: input.timestamp ?? now, webhookEvent: name };
  if (group === "sprint") {
    const sprint = input.sprint ?? {
      id: 1, self: `${baseUrl}/rest/agile/1.0/sprint/1`, state: { started: "active", closed: "closed" }[action] ?? "future",
      name: "DEMO Sprint 1", startDate: created, endDate: created, originBoardId: 1, goal: "",
    };
    return { name, body: { ...head, sprint }, issue: null, changedFields: [] };
  }
  if (group === "version") {
    const version = input.version ?? {
      self: `${baseUrl}/rest/api/2/version/10000`, id: "10000", description: "", name: "1.0", archived: false,
      released: action === "released", projectId: 10000,
    };
    return { name, body: { ...head, version }, issue: null, changedFields: [] };
  }

  const { properties = {}, ...issue } = input.issue ?? {};
  const fields = issue.fields ?? {};
  const projectKey = fields.project?.key ?? issue.key?.split("-")[0] ?? "DEMO";
  issue.id ??= "10001";
  issue.key ??= `${projectKey}-1`;
  issue.self ??= `${baseUrl}/rest/api/2/issue/${issue.id}`;
  issue.fields = {
    summary: `Issue ${issue.key}`,
    issuetype: { id: "10001", name: "Task", subtask: false },
    project: { self: `${baseUrl}/rest/api/2/project/10000`, id: "10000", key: projectKey, name: `Project ${projectKey}`, projectTypeKey: "software" },
    status: { id: "10000", name: "To Do", statusCategory: { id: 2, key: "new", name: "To Do" } },
    assignee: null,
    reporter: user,
    created,
    updated: created,
    labels: [],
    ...fields,
  };
  const view = { key: issue.key, id: issue.id, fields: issue.fields, properties };

  if (group === "issue_property") {
    const property = input.property ?? { key: "property-key", value: {} };
    const props = action === "set" ? { ...properties, [property.key]: property.value } : omit(properties, property.key);
    return { name, body: { ...head, property, issue }, issue: { ...view, properties: props }, changedFields: [], propertyKey: property.key };
  }
  if (group === "comment") {
    const comment = input.comment ?? {
      self: `${issue.self}/comment/10000`, id: "10000", author: user, body: "A comment.", updateAuthor: user,
      created, updated: created, jsdPublic: true,
    };
    return { name, body: { ...head, comment, issue }, issue: view, changedFields: [] };
  }
  const changelog = input.changelog ?? (action === "updated"
    ? { id: "10100", items: [{ field: "summary", fieldtype: "jira", fieldId: "summary", from: null, fromString: "Old summary", to: null, toString: issue.fields.summary }] }
    : undefined);
  const body = {
    ...head,
    issue_event_type_name: action === "updated" ? input.issueEventTypeName ?? "issue_updated" : `issue_${action}`,
    user,
    issue,
    ...(changelog && { changelog }),
  };
  const changedFields = (changelog?.items ?? []).map((i) => i.fieldId ?? i.field);
  return { name, body, issue: view, changedFields };
}

/**
 * Whether an event triggers a webhook: the event is one of its events; `fieldIdsFilter` (jira:issue_updated
 * only) names a field of the changelog; `issuePropertyKeysFilter` (issue_property_* only) names the property;
 * and the jqlFilter matches the issue. Sprint and version events have no issue: their JQL is not evaluated.
 * Expiry is the caller's business.
 * @param {{ events: string[], jqlFilter: string, fieldIdsFilter?: string[], issuePropertyKeysFilter?: string[] }} webhook
 * @param {JiraEvent} event
 * @param {(jql: string, issue: object) => boolean} matchJql
 */
export function triggers(webhook, event, matchJql) {
  if (!webhook.events.includes(event.name)) return false;
  if (event.name === "jira:issue_updated" && webhook.fieldIdsFilter?.length && !webhook.fieldIdsFilter.some((f) => event.changedFields.includes(f)))
    return false;
  if (event.propertyKey !== undefined && webhook.issuePropertyKeysFilter?.length && !webhook.issuePropertyKeysFilter.includes(event.propertyKey))
    return false;
  return !event.issue || matchJql(webhook.jqlFilter, event.issue);
}

const defaultUser = (baseUrl) => ({
  self: `${baseUrl}/rest/api/2/user?accountId=5b10a2844c20165700ede21g`,
  accountId: "5b10a2844c20165700ede21g",
  displayName: "Admin",
  active: true,
  timeZone: "Europe/London",
  accountType: "atlassian",
});

const omit = (o, key) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
