// The JQL subset that dynamic webhooks accept, checked on a parse tree built by Atlassian's own JQL
// grammar (@atlassianlabs/jql-parser, ANTLR), and evaluated on an issue to decide which webhooks fire.
import jqlParser from "@atlassianlabs/jql-parser";
import antlr from "antlr4ts";
import { JQL_FIELDS as FIELDS, customFieldValues, propertyValues } from "./jql-values.mjs";

const P = jqlParser;


/** Fields of the subset (lower case). `cf[id]` is handled apart. */
export const SUPPORTED_FIELDS = [...Object.keys(FIELDS), "issue.property"];

/**
 * Checks a webhook's jqlFilter against the dynamic-webhook JQL subset:
 * fields issueKey, project, issuetype, status, assignee, reporter, issue.property[...], cf[NNNNN];
 * operators =, !=, IN, NOT IN; AND/OR and parentheses; values that are words, quoted strings or lists.
 * @param {string} query
 * @returns {string[]} errors as Jira puts them in `{"errors":[…]}`; empty when the filter is accepted
 */
export function checkJql(query) {
  return parse(query).errors;
}

/** @returns {{ tree: object, errors: string[] }} */
function parse(query) {
  if (!query.trim()) return { errors: ["The JQL filter is empty."] };
  const syntax = [];
  const listener = {
    syntaxError: (_r, _sym, line, col, msg) =>
      syntax.push(`Error in the JQL Query: ${msg} (line ${line}, character ${col + 1})`),
  };
  const lexer = new P.JQLLexer(antlr.CharStreams.fromString(query));
  const parser = new P.JQLParser(new antlr.CommonTokenStream(lexer));
  for (const x of [lexer, parser]) (x.removeErrorListeners(), x.addErrorListener(listener));
  const tree = parser.jqlQuery();
  if (syntax.length) return { tree, errors: [syntax[0]] };
  const errors = new Set();
  walk(tree, errors);
  return { tree, errors: [...errors] };
}

/**
 * @typedef {{ key?: string, id?: string, fields?: Record<string, any>, properties?: Record<string, any> }} IssueView
 *   an issue as in a webhook body, plus its issue properties by key
 */

const compiled = new Map();

/**
 * Whether an issue matches a jqlFilter of the subset. Values compare case-insensitively (as Jira does for
 * names and keys); `project` matches the key, id or name, `issuetype`/`status` the name or id, `assignee`/
 * `reporter` the accountId, `cf[N]` the field `customfield_N`, `issue.property[k].path` that property.
 * `!=` and `NOT IN` never match an empty field (Jira's rule); `= EMPTY` matches only an empty one.
 * @param {string} query a filter that checkJql accepts (throws otherwise)
 * @param {IssueView} issue
 * @returns {boolean}
 */
export function matchJql(query, issue) {
  let test = compiled.get(query);
  if (!test) {
    const { tree, errors } = parse(query);
    if (errors.length) throw new TypeError(`cannot evaluate JQL '${query}': ${errors.join("; ")}`);
    test = compile(tree.jqlWhere());
    compiled.set(query, test);
  }
  return test(issue);
}

const EMPTY = Symbol("EMPTY");

/** Turns a parse tree of the subset into a predicate over an IssueView. */
function compile(node) {
  if (node instanceof P.JqlWhereContext) return compile(node.jqlOrClause());
  if (node instanceof P.JqlOrClauseContext) {
    const parts = node.jqlAndClause().map(compile);
    return (issue) => parts.some((p) => p(issue));
  }
  if (node instanceof P.JqlAndClauseContext) {
    const parts = node.jqlNotClause().map(compile);
    return (issue) => parts.every((p) => p(issue));
  }
  if (node instanceof P.JqlNotClauseContext) return compile(node.jqlSubClause() ?? node.jqlTerminalClause());
  if (node instanceof P.JqlSubClauseContext) return compile(node.jqlOrClause());
  const values = fieldValues(node.jqlField());
  const rhs = node.jqlTerminalClauseRhs();
  const equals = rhs instanceof P.JqlEqualsClauseContext;
  const negated = Boolean(equals ? rhs.jqlEqualsOperator().NOT_EQUALS() : rhs.jqlInOperator().NOT());
  const wanted = equals ? operands(rhs) : rhs.jqlList().jqlOperand().flatMap(operands);
  return (issue) => {
    const actual = values(issue).filter((v) => v != null).map((v) => String(v).toLowerCase());
    const hit = wanted.some((w) => (w === EMPTY ? actual.length === 0 : actual.includes(w)));
    return negated ? !hit && actual.length > 0 : hit;
  };
}

/** The values of an operand (EMPTY, a word, a quoted string, a number or a list), lower case. */
function operands(node) {
  if (node.jqlEmpty()) return [EMPTY];
  if (node.jqlList?.()) return node.jqlList().jqlOperand().flatMap(operands);
  return [unquote(node.jqlValue().text).toLowerCase()];
}

/** @returns {(issue: IssueView) => unknown[]} */
function fieldValues(field) {
  const cf = field.jqlCustomField();
  if (cf) return customFieldValues(cf.POSNUMBER().text);
  const name = unquote(field.jqlString().text).toLowerCase();
  if (name !== "issue.property") return FIELDS[name];
  const [prop] = field.jqlFieldProperty();
  const key = unquote(prop.jqlArgument().text);
  const path = prop.jqlPropertyArgument().map((a) => unquote(a.text)).join("").split(".").filter(Boolean);
  return propertyValues(key, path);
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
  return props.length === 0 && Object.hasOwn(FIELDS, name);
}

function findFunction(node) {
  if (node instanceof P.JqlFunctionContext) return node;
  for (let i = 0; i < node.childCount; i++) {
    const f = findFunction(node.getChild(i));
    if (f) return f;
  }
}

/** A JQL word or quoted string as its text (backslash escapes resolved). */
const unquote = (s) => (/^(["']).*\1$/s.test(s) ? s.slice(1, -1).replace(/\\(.)/gs, "$1") : s);
