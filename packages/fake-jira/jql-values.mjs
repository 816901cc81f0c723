// What a clause of the dynamic-webhook JQL subset compares with: the values an issue (`{ key, id, fields,
// properties }`) has for a field. One table for both parsers of the subset: the full fake's (Atlassian's grammar,
// jql.mjs) and the testing kit's light one. Runtime-neutral.

/** The fields of the subset (lower case: JQL field names are case-insensitive) and their values on an issue. */
export const JQL_FIELDS = {
  issuekey: (i) => [i.key, i.id],
  project: (i) => pick(i.fields?.project, "key", "id", "name"),
  issuetype: (i) => pick(i.fields?.issuetype, "name", "id"),
  status: (i) => pick(i.fields?.status, "name", "id"),
  assignee: (i) => pick(i.fields?.assignee, "accountId"),
  reporter: (i) => pick(i.fields?.reporter, "accountId"),
};

/** The values of `cf[id]`. */
export const customFieldValues = (id) => (i) => flatten(i.fields?.[`customfield_${id}`]);

/** The values of `issue.property[key]` followed by `path` (its `.a.b` parts). */
export const propertyValues = (key, path) => (i) => flatten(path.reduce((v, k) => v?.[k], i.properties?.[key]));

/** A field value as comparable scalars: arrays element by element, objects by their usual identifying keys. */
function flatten(v) {
  if (v == null) return [];
  if (Array.isArray(v)) return v.flatMap(flatten);
  if (typeof v === "object") return pick(v, "value", "key", "name", "id", "accountId");
  return [v];
}

const pick = (o, ...keys) => (o ? keys.map((k) => o[k]) : []);
