import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkJql } from "./jql.mjs";

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
