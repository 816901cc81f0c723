// The webhooks every tenant gets (the app's configuration): Jira sends them to `${APP_BASE_URL}/webhook`.
// The JQL of a dynamic webhook may use only a subset of JQL: see
// https://developer.atlassian.com/cloud/jira/platform/webhooks/#using-jql-filters
export const WEBHOOKS = [
  { events: ["jira:issue_created", "jira:issue_updated"], jqlFilter: "issuetype IN (Bug, Task, Story)" },
  { events: ["comment_created"], jqlFilter: "project != ARCHIVE" },
];
