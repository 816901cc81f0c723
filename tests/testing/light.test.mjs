// What the kit's fake checks with, compared with the full fake (jira-webhooks-fake): its small JQL parser against
// Atlassian's grammar (the same filters accepted, the same unsupported clauses named, the same issues matched), and
// its route table and request schemas against Atlassian's OpenAPI documents.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { checkJql, matchJql } from "jira-webhooks-fake";
import { loadKit } from "./common.mjs";

let light;
before(async () => ({ kit: { lightChecks: light } } = await loadKit()), { timeout: 60_000 });

const ACCEPTED = [
  "project = PROJ", "project IN (PROJ, EXP) AND status = done", "issueKey = DEMO-1", 'issuekey != "DEMO-2"',
  "issuetype = Bug OR issuetype = 'Sub-task'", "status NOT IN (Done, \"Won't Do\")",
  'assignee = "5b10ac8d82e05b22cc7d4ef5" AND reporter != alice', "issue.property[myKey] = 1",
  "issue.property[myKey].nested.path IN (a, b)", 'cf[10014] = "Epic label"',
  '(project = A OR project = B) AND (status = Open OR status = "In Progress")', "PROJECT = a and STATUS not in (x) or Assignee = EMPTY",
  "project = A && status = B || issuetype = C", "((project = A))", 'issue.property["dotted.key"] IN (X, y)', "assignee IN (alice, EMPTY)",
  "project=A AND status!=B", "reporter = null",
];
const UNSUPPORTED = {
  "watchCount > 3": ["The clause watchCount is unsupported"],
  "priority = High": ["The clause priority is unsupported"],
  "key = DEMO-1": ["The clause key is unsupported"],
  "summary ~ foo": ["The clause summary is unsupported"],
  "project ~ foo": ["The clause project is unsupported"],
  "status WAS Done": ["The clause status is unsupported"],
  "status CHANGED": ["The clause status is unsupported"],
  "status CHANGED FROM Open TO Done BY alice": ["The clause status is unsupported"],
  "assignee IS EMPTY": ["The clause assignee is unsupported"],
  "assignee IS NOT EMPTY AND project = A": ["The clause assignee is unsupported"],
  "created >= -1d": ["The clause created is unsupported"],
  "issue.property = x": ["The clause issue.property is unsupported"],
  '"Epic Link" = DEMO-1': ['The clause "Epic Link" is unsupported'],
  "project = A AND votes > 1 OR labels IN (x)": ["The clause votes is unsupported", "The clause labels is unsupported"],
  "assignee = currentUser()": ["The function currentUser is unsupported"],
  'reporter IN membersOf("jira-users")': ["The function membersOf is unsupported"],
  "NOT project = A": ["The operator NOT is unsupported"],
  "project = A ORDER BY created": ["The clause ORDER BY is unsupported"],
  "project = A ORDER BY created DESC, key ASC": ["The clause ORDER BY is unsupported"],
};
const SYNTAX = ["project = ", "(project = A", "project = A B", "project IN A", "project = (A, B)", "AND", 'project = "unterminated', "project", "= A", "project = A AND", "()"];

test("checkJql: the same filters accepted, the same unsupported clauses named, syntax errors in Jira's form", () => {
  for (const q of ACCEPTED) {
    assert.deepEqual(checkJql(q), [], `the full fake accepts ${q}`);
    assert.deepEqual(light.checkJql(q), [], q);
  }
  for (const [q, errors] of Object.entries(UNSUPPORTED)) {
    assert.deepEqual(checkJql(q), errors, `the full fake: ${q}`);
    assert.deepEqual(light.checkJql(q), errors, q);
  }
  for (const q of SYNTAX) {
    assert.equal(checkJql(q).length, 1, `the full fake refuses ${q}`);
    const errors = light.checkJql(q);
    assert.equal(errors.length, 1, `${q}: ${errors}`);
    assert.match(errors[0], /^Error in the JQL Query: .+ \(line 1, character \d+\)$/, q);
  }
  assert.deepEqual(light.checkJql("  "), ["The JQL filter is empty."]);
});

test("matchJql: the same decision as the full fake's on every filter and issue of a generated matrix", () => {
  const issues = [
    { key: "DEMO-7", id: "10042", fields: {
      project: { key: "DEMO", id: "10000", name: "Demo project" }, issuetype: { id: "10001", name: "Bug" }, status: { id: "3", name: "In Progress" },
      assignee: null, reporter: { accountId: "5b10ac8d82e05b22cc7d4ef5" }, customfield_10014: "Epic label", customfield_10020: [{ value: "red" }, { value: "blue" }],
    }, properties: { myKey: { nested: { path: 5 } }, "dotted.key": "x" } },
    { key: "OPS-1", id: "20001", fields: {
      project: { key: "OPS", id: "10100", name: "Operations" }, issuetype: { id: "10002", name: "Task" }, status: { id: "10000", name: "To Do" },
      assignee: { accountId: "alice" }, reporter: { accountId: "bob" },
    }, properties: {} },
    { key: "X-1", fields: {} },
  ];
  const clauses = [
    "project = demo", "project = 10000", 'project = "demo project"', "project != OPS", "project IN (OPS, DEMO)", "project NOT IN (OPS)",
    "issueKey = demo-7", "issuekey IN (DEMO-1, 10042)", "issuetype = BUG", "status = 'in progress'", "status != Done",
    "assignee = EMPTY", "assignee != EMPTY", "assignee != alice", "assignee NOT IN (alice)", "assignee IN (alice, EMPTY)",
    "reporter = 5B10AC8D82E05B22CC7D4EF5", "reporter NOT IN (alice, bob)", 'cf[10014] = "epic LABEL"', "cf[10020] = blue",
    "cf[10020] NOT IN (green)", "cf[10020] != red", "cf[99] = x", "issue.property[myKey].nested.path = 5", 'issue.property["dotted.key"] IN (X, y)',
    "issue.property[missing] != x",
  ];
  const filters = [...clauses];
  for (let i = 0; i < clauses.length; i += 3) {
    const [a, b, c] = [clauses[i], clauses[(i + 7) % clauses.length], clauses[(i + 13) % clauses.length]];
    filters.push(`${a} AND ${b}`, `${a} OR ${b} AND ${c}`, `(${a} OR ${b}) AND ${c}`, `${a} AND (${b} OR ${c})`);
  }
  let compared = 0, matched = 0;
  for (const q of filters) {
    assert.deepEqual(light.checkJql(q), [], q);
    for (const issue of issues) {
      const expected = matchJql(q, issue);
      assert.equal(light.matchJql(q, issue), expected, `${q} on ${issue.key}`);
      compared++;
      matched += expected;
    }
  }
  assert.ok(compared > 150 && matched > 20 && matched < compared - 20, `${compared} comparisons, ${matched} matches: both outcomes are exercised`);
  assert.throws(() => light.matchJql("priority = High", issues[0]), /unsupported/);
});

const require = createRequire(import.meta.url);
const spec = (v) => JSON.parse(readFileSync(require.resolve(`jira-webhooks-fake/package.json`).replace(/package\.json$/, `openapi/${v === 2 ? "webhooks-v2.openapi.json" : "webhooks-v3-2026.openapi.json"}`), "utf8"));
/** A schema of the spec with $refs resolved and descriptions dropped. */
function resolve(doc, schema) {
  if (Array.isArray(schema)) return schema.map((s) => resolve(doc, s));
  if (!schema || typeof schema !== "object") return schema;
  if (schema.$ref) return resolve(doc, doc.components.schemas[schema.$ref.split("/").at(-1)]);
  return Object.fromEntries(Object.entries(schema).filter(([k]) => !["description", "format", "example"].includes(k)).map(([k, v]) => [k, resolve(doc, v)]));
}
/** A schema with its members in a canonical order, for comparison. */
const canonical = (s) => (Array.isArray(s) ? s.map(canonical) : s && typeof s === "object" ? Object.fromEntries(Object.keys(s).sort().map((k) => [k, canonical(s[k])])) : s);

test("the route table and the request schemas are the spec's (v2 and v3): operations, integer parameters, bodies, scope sets", () => {
  for (const version of [2, 3]) {
    const doc = spec(version);
    const seen = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const route = `${method.toUpperCase()} ${path.replace(/^\/rest\/api\/[23]/, "")}`;
        const [operationId, params, body, granular] = light.routes[route] ?? [];
        seen.push(route);
        assert.equal(operationId, op.operationId, `v${version} ${route}`);
        assert.deepEqual(params, Object.fromEntries((op.parameters ?? []).filter((p) => p.in === "query").map((p) => [p.name, p.schema.format === "int32" ? 31 : 63])), route);
        assert.deepEqual(op["x-atlassian-oauth2-scopes"].map((s) => s.scopes), [["read:jira-work", "manage:jira-webhook"], granular], route);
        const specBody = op.requestBody?.content["application/json"].schema;
        assert.equal(body !== null, specBody !== undefined, route);
        if (specBody) assert.deepEqual(canonical(light.requestSchema(body, version)), canonical(resolve(doc, specBody)), `v${version} ${route} body`);
      }
    }
    assert.deepEqual(seen.sort(), Object.keys(light.routes).sort(), `v${version}: every route of the table is in the spec`);
  }
});
