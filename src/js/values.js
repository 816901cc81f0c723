// What the caller hands the package, taken once and checked against its schema with the validator generated from
// the Rust models (src/js/validators.js): a getter is read once, so what was checked is what is used.
import { CHECKS, describe } from "./validators.js";

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

/** A validator's fault `[path, code, a, b]` as the Rust side takes it: `[path, words]`. */
const words = (fault) => [fault[0], describe(fault[1], fault[2], fault[3])];

/**
 * The caller's `value` taken once and checked as `shape` (an index of the registry): `[copy]`, or
 * `[undefined, [path, words]]` (the fault's place and its problem in words).
 */
export function take(value, shape) {
  let copy;
  try {
    copy = snapshot(value, 0);
  } catch {
    return [undefined, ["", "could not be read (a getter threw)"]];
  }
  if (copy === DEEP) return [undefined, ["", "nests too deeply"]];
  const fault = CHECKS[shape](copy);
  return fault ? [undefined, words(fault)] : [copy];
}

/**
 * A request body: the caller's `value` as JSON text (what `JSON.stringify` makes of it, `toJSON` included), checked
 * as `shape` in the form it is sent: `[text, parsed]` (the text parsed again, what was checked), or
 * `[undefined, undefined, [path, words]]`.
 */
export function body(value, shape) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch {
    return [undefined, undefined, ["", "cannot be written as JSON (a BigInt, a cycle, or a getter or toJSON that throws?)"]];
  }
  if (text === undefined) return [undefined, undefined, ["", "is missing"]];
  const parsed = JSON.parse(text);
  const fault = CHECKS[shape](parsed);
  return fault ? [undefined, undefined, words(fault)] : [text, parsed];
}

/** What `value` is, for the Rust side's reading: 0 null or undefined, 1 boolean, 2 number, 3 string, 4 array. */
export function kind(value) {
  if (value == null) return 0;
  const type = typeof value;
  return type === "boolean" ? 1 : type === "number" ? 2 : type === "string" ? 3 : Array.isArray(value) ? 4 : 5;
}

/** A member of an object; `undefined` for anything but an object, or when a getter throws. */
export function member(value, name) {
  if (value === null || typeof value !== "object") return undefined;
  try {
    return value[name];
  } catch {
    return undefined;
  }
}

/** The client's session: what only JavaScript holds, read once from the checked config. */
export function session(config, token) {
  return { transport: config.transport, getToken: config.auth?.getToken, hooks: config.hooks, token, queue: new Map() };
}
