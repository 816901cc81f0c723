// The JQL subset that dynamic webhooks accept (FACTS.md §4), checked on a parse tree built by
// Atlassian's own JQL grammar (@atlassianlabs/jql-parser, ANTLR).
import jqlParser from "@atlassianlabs/jql-parser";
import antlr from "antlr4ts";

const P = jqlParser;

/** Fields of the subset (lower case; JQL field names are case-insensitive). `cf[id]` is handled apart. */
export const SUPPORTED_FIELDS = ["issuekey", "project", "issuetype", "status", "assignee", "reporter", "issue.property"];

/**
 * Checks a webhook's jqlFilter against the dynamic-webhook JQL subset:
 * fields issueKey, project, issuetype, status, assignee, reporter, issue.property[...], cf[NNNNN];
 * operators =, !=, IN, NOT IN; AND/OR and parentheses; values that are words, quoted strings or lists.
 * @param {string} query
 * @returns {string[]} errors as Jira puts them in `{"errors":[…]}`; empty when the filter is accepted
 */
export function checkJql(query) {
  if (!query.trim()) return ["The JQL filter is empty."];
  const syntax = [];
  const listener = {
    syntaxError: (_r, _sym, line, col, msg) =>
      syntax.push(`Error in the JQL Query: ${msg} (line ${line}, character ${col + 1})`),
  };
  const lexer = new P.JQLLexer(antlr.CharStreams.fromString(query));
  const parser = new P.JQLParser(new antlr.CommonTokenStream(lexer));
  for (const x of [lexer, parser]) (x.removeErrorListeners(), x.addErrorListener(listener));
  const tree = parser.jqlQuery();
  if (syntax.length) return [syntax[0]];
  const errors = new Set();
  walk(tree, errors);
  return [...errors];
}

function walk(node, errors) {
  if (node instanceof P.JqlTerminalClauseContext) return checkClause(node, errors);
  if (node instanceof P.JqlNotClauseContext && (node.NOT() || node.BANG())) errors.add("The operator NOT is unsupported");
  if (node instanceof P.JqlOrderByContext) return errors.add("The clause ORDER BY is unsupported");
  for (let i = 0; i < node.childCount; i++) walk(node.getChild(i), errors);
}

function checkClause(clause, errors) {
  const field = clause.jqlField();
  const rhs = clause.jqlTerminalClauseRhs();
  const name = field.text;
  if (!supportedField(field) || !(rhs instanceof P.JqlEqualsClauseContext || rhs instanceof P.JqlInClauseContext))
    return errors.add(`The clause ${name} is unsupported`);
  const fn = rhs.jqlFunction?.() ?? findFunction(rhs);
  if (fn) errors.add(`The function ${fn.jqlFunctionName().text} is unsupported`);
}

function supportedField(field) {
  if (!(field instanceof P.JqlNonNumberFieldContext)) return false;
  const props = field.jqlFieldProperty();
  if (field.jqlCustomField()) return props.length === 0; // cf[NNNNN]
  const name = unquote(field.jqlString().text).toLowerCase();
  if (name === "issue.property") return props.length > 0; // issue.property[key](.path)
  return props.length === 0 && SUPPORTED_FIELDS.includes(name);
}

function findFunction(node) {
  if (node instanceof P.JqlFunctionContext) return node;
  for (let i = 0; i < node.childCount; i++) {
    const f = findFunction(node.getChild(i));
    if (f) return f;
  }
}

const unquote = (s) => (/^(["']).*\1$/s.test(s) ? s.slice(1, -1) : s);
