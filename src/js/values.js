// What the caller hands the package, taken once and checked against its schema with the validator generated from
// the Rust models (src/js/validators.js): a getter is read once, so what was checked is what is used.
import { CHECKS } from "./validators.js";

const SIMPLE = new Set(["string", "number", "boolean", "undefined"]);

/**
 * A copy of `value` made of its own enumerable members, plain objects and arrays copied, anything else (functions,
 * an AbortSignal, a Request) kept as it is; or the string `"getter"` / `"deep"` when it cannot be taken.
 */
function snapshot(value, depth) {
  if (value === null || SIMPLE.has(typeof value)) return value;
  if (typeof value !== "object" || depth > 32) return depth > 32 ? DEEP : value;
  const proto = Object.getPrototypeOf(value);
  const array = Array.isArray(value);
  if (!array && proto !== Object.prototype && proto !== null) return value;
  const copy = array ? [] : {};
  for (const key of Object.keys(value)) {
    const member = snapshot(value[key], depth + 1);
    if (member === DEEP) return DEEP;
    copy[key] = member;
  }
  return copy;
}
const DEEP = Symbol("deep");

/**
 * The caller's `value` taken once and checked as `shape` (an index of the registry): `[copy]`, or `[undefined, fault]` with a fault as the
 * generated validators give it (`[path, code, a, b]`), or `[undefined, ["", -1]]` when a getter threw.
 */
export function take(value, shape) {
  let copy;
  try {
    copy = snapshot(value, 0);
  } catch {
    return [undefined, ["", -1, 0, 0]];
  }
  if (copy === DEEP) return [undefined, ["", -2, 0, 0]];
  const fault = CHECKS[shape](copy);
  return fault ? [undefined, fault] : [copy];
}

/**
 * A request body: the caller's `value` as JSON text (what `JSON.stringify` makes of it, `toJSON` included), checked
 * as `shape` in the form it is sent: `[text, parsed]` (the text parsed again, what was checked), or
 * `[undefined, undefined, fault]`.
 */
export function body(value, shape) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch {
    return [undefined, undefined, ["", -3, 0, 0]];
  }
  if (text === undefined) return [undefined, undefined, ["", -4, 0, 0]];
  const parsed = JSON.parse(text);
  const fault = CHECKS[shape](parsed);
  return fault ? [undefined, undefined, fault] : [text, parsed];
}

/** The client's session: what only JavaScript holds, read once from the checked config. */
export function session(config, token) {
  return { transport: config.transport, getToken: config.auth?.getToken, hooks: config.hooks, token, queue: new Map() };
}
