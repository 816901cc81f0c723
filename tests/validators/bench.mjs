// How long the generated validator takes on a page of 100 webhooks, next to JSON.parse alone:
// `node tests/validators/bench.mjs`. The page is shaped like bench/lib/fixtures.mjs's: date strings as Jira
// sends them, or the spec's numeric milliseconds. Not a test: it prints µs per page (median of 15 rounds).
import { checkPageBeanWebhook } from "../../src/js/validators.js";

const EVENT_SETS = [
  ["jira:issue_created", "jira:issue_updated"],
  ["jira:issue_deleted"],
  ["comment_created", "comment_updated", "comment_deleted"],
  ["issue_property_set", "issue_property_deleted"],
  ["jira:issue_updated"],
];

function page(n, numericDates) {
  return {
    isLast: true,
    maxResults: 100,
    self: "https://your-domain.atlassian.net/rest/api/2/webhook?startAt=0&maxResults=100",
    startAt: 0,
    total: n,
    values: Array.from({ length: n }, (_, i) => ({
      id: 10000 + i,
      events: EVENT_SETS[i % EVENT_SETS.length],
      jqlFilter: `project = PRJ${i % 17} AND issuetype = Bug AND status != Done`,
      expirationDate: numericDates
        ? Date.UTC(2026, 0, 1 + (i % 28), 12, 42, 30)
        : `2026-01-${String(1 + (i % 28)).padStart(2, "0")}T12:42:30.000+0000`,
      url: "https://bench-app.example.com/jira/webhook",
      ...(i % 2 === 0 ? { fieldIdsFilter: ["summary", "customfield_10029"] } : {}),
      ...(i % 5 === 3 ? { issuePropertyKeysFilter: ["my-issue-property-key"] } : {}),
    })),
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** µs per call of `run(i)`, median over rounds of `n` calls. */
function time(run, n = 2000, rounds = 15) {
  for (let i = 0; i < n; i++) run(i);
  const results = [];
  for (let r = 0; r < rounds; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) run(i);
    results.push(Number(process.hrtime.bigint() - t) / 1000 / n);
  }
  return median(results);
}

let sink = 0;
for (const numeric of [false, true]) {
  const text = JSON.stringify(page(100, numeric));
  const expected = JSON.parse(text);
  if (checkPageBeanWebhook(expected) !== undefined) throw new Error("the page does not check");
  const parse = time(() => (sink += JSON.parse(text).values.length));
  const both = time(() => {
    const value = JSON.parse(text);
    if (checkPageBeanWebhook(value) !== undefined) throw new Error("fault");
    sink += value.values.length;
  });
  // A page checked before: its dates are numbers now, and it is in the cache.
  const parsed = JSON.parse(text);
  checkPageBeanWebhook(parsed);
  const again = time(() => (sink += checkPageBeanWebhook(parsed) === undefined ? 1 : 0), 20000);
  const form = numeric ? "numeric dates" : "string dates ";
  console.log(
    `${form} ${text.length} B: JSON.parse ${parse.toFixed(1)} µs, JSON.parse + check ${both.toFixed(1)} µs ` +
      `(the check: ${(both - parse).toFixed(1)} µs); checking the parsed page again ${again.toFixed(2)} µs`,
  );
}
if (sink === 0) console.log(sink);
