// Runs the generated validators over the cases tests/validators.rs wrote, one JSON line each:
// {"shape": name, "text": JSON text, "patched": the Rust validator's text with dates as milliseconds, or null}.
// Prints one line per case: `notjson`, `ok <1 if the dates agree with the Rust patches, else 0>`, or
// `fault <path JSON> <code> <a> <b>`.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [modulePath, casesPath] = process.argv.slice(2);
const validators = await import(pathToFileURL(modulePath).href);
const out = [];
for (const line of readFileSync(casesPath, "utf8").split("\n")) {
  if (line === "") continue;
  const { shape, text, patched } = JSON.parse(line);
  const check = validators["check" + shape];
  if (typeof check !== "function") throw new Error(`no check${shape} in ${modulePath}`);
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    out.push("notjson");
    continue;
  }
  const fault = check(value);
  if (fault === undefined) {
    const agree = patched !== null && JSON.stringify(JSON.parse(patched)) === JSON.stringify(value);
    out.push(agree ? "ok 1" : "ok 0");
  } else {
    const [path, code, a, b] = fault;
    out.push(`fault ${JSON.stringify(path)} ${code} ${a} ${b}`);
  }
}
process.stdout.write(out.join("\n") + "\n");
