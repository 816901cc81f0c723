import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkJql, matchJql } from "../jql.mjs";

describe("checkJql: the dynamic-webhook JQL subset", () => {
  it("accepts the supported fields, operators, connectives, quoting and lists", () => {
    for (const q of [
      "project = PROJ",
      "project IN (PROJ, EXP) AND status = done", // the spec's own example
      "issueKey = DEMO-1",
      "issuekey != \"DEMO-2\"",
      "issuetype = Bug OR issuetype = 'Sub-task'",
      "status NOT IN (Done, \"Won't Do\")",
      "assignee = \"5b10ac8d82e05b22cc7d4ef5\" AND reporter != alice",
      "issue.property[myKey] = 1",
      "issue.property[myKey].nested.path IN (a, b)",
      "cf[10014] = \"Epic label\"",
      "(project = A OR project = B) AND (status = Open OR status = \"In Progress\")",
      "PROJECT = a and STATUS not in (x) or Assignee = EMPTY",
    ])
      assert.deepEqual(checkJql(q), [], q);
  });

  it("names each unsupported clause (field or operator) like Jira", () => {
    const cases = {
      "watchCount > 3": ["The clause watchCount is unsupported"],
      "priority = High": ["The clause priority is unsupported"],
      "key = DEMO-1": ["The clause key is unsupported"],
      "summary ~ foo": ["The clause summary is unsupported"],
      "project ~ foo": ["The clause project is unsupported"],
      "status WAS Done": ["The clause status is unsupported"],
      "status CHANGED": ["The clause status is unsupported"],
      "assignee IS EMPTY": ["The clause assignee is unsupported"],
      "created >= -1d": ["The clause created is unsupported"],
      "issue.property = x": ["The clause issue.property is unsupported"],
      "\"Epic Link\" = DEMO-1": ["The clause \"Epic Link\" is unsupported"],
      "project = A AND votes > 1 OR labels IN (x)": ["The clause votes is unsupported", "The clause labels is unsupported"],
      "assignee = currentUser()": ["The function currentUser is unsupported"],
      "reporter IN membersOf(\"jira-users\")": ["The function membersOf is unsupported"],
      "NOT project = A": ["The operator NOT is unsupported"],
      "project = A ORDER BY created": ["The clause ORDER BY is unsupported"],
    };
    for (const [q, errors] of Object.entries(cases)) assert.deepEqual(checkJql(q), errors, q);
  });

  it("reports syntax errors with their position", () => {
    for (const q of ["project = ", "(project = A", "project = A B", "project IN A", "project = (A, B)", "AND", "project = \"unterminated"]) {
      const errors = checkJql(q);
      assert.equal(errors.length, 1, q);
      assert.match(errors[0], /^Error in the JQL Query: .+ \(line 1, character \d+\)$/, q);
    }
    assert.deepEqual(checkJql("   "), ["The JQL filter is empty."]);
  });
});

describe("matchJql: evaluating the subset on an issue", () => {
  const issue = {
    key: "DEMO-7", id: "10042",
    fields: {
      project: { key: "DEMO", id: "10000", name: "Demo project" }, issuetype: { id: "10001", name: "Bug" },
      status: { id: "3", name: "In Progress" }, assignee: null, reporter: { accountId: "5b10ac8d82e05b22cc7d4ef5" },
      customfield_10014: "Epic label", customfield_10020: [{ value: "red" }, { value: "blue" }],
    },
    properties: { myKey: { nested: { path: 5 } }, "dotted.key": "x" },
  };

  it("compares keys, ids and names case-insensitively, with AND/OR and parentheses", () => {
    for (const [q, expected] of [
      ["project = demo", true], ["project = 10000", true], ["project = \"demo project\"", true], ["project = OPS", false],
      ["issueKey = demo-7", true], ["issuekey IN (DEMO-1, 10042)", true], ["issuetype = BUG AND status = 'in progress'", true],
      ["status = Done OR issuetype = Task", false], ["(status = Done OR issuetype = Bug) AND project IN (OPS, DEMO)", true],
      ["project = OPS OR project = DEMO AND status = Done", false], ["reporter = 5B10AC8D82E05B22CC7D4EF5", true],
      ["cf[10014] = \"epic LABEL\"", true], ["cf[10020] = blue", true], ["cf[10020] IN (green)", false], ["cf[99] = x", false],
      ["issue.property[myKey].nested.path = 5", true], ["issue.property[\"dotted.key\"] IN (X, y)", true], ["issue.property[other] = 1", false],
    ])
      assert.equal(matchJql(q, issue), expected, q);
  });

  it("follows Jira's rule for empty fields: != and NOT IN never match them, = EMPTY does", () => {
    for (const [q, expected] of [
      ["assignee = EMPTY", true], ["assignee != EMPTY", false], ["assignee != alice", false], ["assignee NOT IN (alice)", false],
      ["assignee IN (alice, EMPTY)", true], ["reporter != alice", true], ["reporter NOT IN (alice, bob)", true],
      ["cf[10020] != red", false], ["cf[10020] NOT IN (green)", true], ["issue.property[missing] != x", false],
    ])
      assert.equal(matchJql(q, issue), expected, q);
  });

  it("refuses a filter outside the subset", () => {
    assert.throws(() => matchJql("priority = High", issue), /unsupported/);
  });
});
