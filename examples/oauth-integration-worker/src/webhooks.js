// The webhooks every connection keeps on each of its sites (the app's configuration): Jira sends them to
// `${APP_BASE_URL}/webhook`. An OAuth 2.0 app may hold 5 webhooks per user on a site: one webhook takes several
// events, and `project IN (A, B)` covers several projects. The JQL of a dynamic webhook may use only a subset of JQL:
// https://developer.atlassian.com/cloud/jira/platform/webhooks/#using-jql-filters
export const WEBHOOKS = [
  { events: ["jira:issue_created", "jira:issue_updated"], jqlFilter: "issuetype IN (Bug, Task, Story)" },
  { events: ["comment_created"], jqlFilter: "project != ARCHIVE" },
];
