// Short names for what wasm-bindgen's glue and its wasm call each other: the modules of the wasm's imports, the
// functions the glue hands the wasm (`__wbg_get_..._4f1baf9a00be3c74`, hashed names that gzip cannot compress) and
// the wasm's exports (`callhandle_on_error_body`, ...) are renamed `a`, `b`, ... in both files, consistently.
// `memory` keeps its name (the tests read it), and so do the functions the wasm imports straight from a snippet
// module (`kind`, `member`). Every name is checked to be found where it is used, or the build fails.

const GLUE_MODULE = "./jira_webhooks_bg.js";
const KEEP_EXPORTS = new Set(["memory"]);

/** `a`, `b`, …, `Z`, `aa`, `ab`, …: valid JavaScript identifiers, never `memory`. */
function shortName(i) {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let name = "";
  do {
    name = letters[i % letters.length] + name;
    i = Math.floor(i / letters.length) - 1;
  } while (i >= 0);
  return name;
}

function readU32(bytes, pos) {
  let result = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [result, pos];
}

function u32(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

function readName(bytes, pos) {
  let length;
  [length, pos] = readU32(bytes, pos);
  return [new TextDecoder().decode(bytes.subarray(pos, pos + length)), pos + length];
}

const nameBytes = (name) => {
  const utf8 = new TextEncoder().encode(name);
  return [...u32(utf8.length), ...utf8];
};

/** Where an import's description ends (function, table, memory, global or tag). */
function skipImportDesc(bytes, pos) {
  const kind = bytes[pos++];
  const limits = (p) => {
    const flags = bytes[p++];
    [, p] = readU32(bytes, p);
    if (flags & 1) [, p] = readU32(bytes, p);
    return p;
  };
  if (kind === 0) return readU32(bytes, pos)[1];
  if (kind === 1) return limits(pos + 1);
  if (kind === 2) return limits(pos);
  if (kind === 3) return pos + 2;
  if (kind === 4) return readU32(bytes, pos + 1)[1];
  throw new Error(`wasm-names: an import of unknown kind ${kind}`);
}

/**
 * Renames the glue module's imports and the exports of `wasm` (bytes) and, to match, in `glue` (wasm-bindgen's
 * unminified JavaScript). Returns `{ wasm, glue, names }`, `names` mapping each short name back (for the bench).
 */
export function shortenNames(wasm, glue) {
  const bytes = new Uint8Array(wasm);
  const imports = new Map();
  const exports = new Map();
  const modules = new Map();
  const parts = [bytes.subarray(0, 8)];
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos];
    const [size, start] = readU32(bytes, pos + 1);
    const end = start + size;
    if (id === 2 || id === 7) {
      let [count, p] = readU32(bytes, start);
      const body = [...u32(count)];
      for (let i = 0; i < count; i++) {
        if (id === 2) {
          let module, field;
          [module, p] = readName(bytes, p);
          [field, p] = readName(bytes, p);
          const descEnd = skipImportDesc(bytes, p);
          if (module === GLUE_MODULE && !imports.has(field)) imports.set(field, shortName(imports.size));
          if (!modules.has(module)) modules.set(module, shortName(modules.size));
          body.push(...nameBytes(modules.get(module)), ...nameBytes(module === GLUE_MODULE ? imports.get(field) : field), ...bytes.subarray(p, descEnd));
          p = descEnd;
        } else {
          let field;
          [field, p] = readName(bytes, p);
          const descEnd = readU32(bytes, p + 1)[1];
          if (!KEEP_EXPORTS.has(field)) exports.set(field, shortName(exports.size));
          body.push(...nameBytes(exports.get(field) ?? field), ...bytes.subarray(p, descEnd));
          p = descEnd;
        }
      }
      if (p !== end) throw new Error(`wasm-names: section ${id} did not parse to its end`);
      parts.push(Uint8Array.from([id, ...u32(body.length), ...body]));
    } else {
      parts.push(bytes.subarray(pos, end));
    }
    pos = end;
  }

  // The glue: the import object's keys (inside `const import0 = { … };`), and every `wasm.<export>`.
  const open = glue.indexOf("const import0 = {");
  const close = glue.indexOf("\n    };", open);
  if (open < 0 || close < 0) throw new Error("wasm-names: the glue's import object (import0) was not found");
  let object = glue.slice(open, close);
  for (const [old, short] of imports) {
    const key = new RegExp(`^(\\s+)${old.replace(/\$/g, "\\$")}: `, "m");
    if (!key.test(object)) throw new Error(`wasm-names: the glue does not define the import ${old}`);
    object = object.replace(key, `$1${short}: `);
  }
  // The import object's module keys (`"./jira_webhooks_bg.js": import0, "./snippets/…/values.js": import1, …`).
  let withModules = glue.slice(0, open) + object + glue.slice(close);
  for (const [module, short] of modules) {
    const key = `        ${JSON.stringify(module)}: import`;
    if (!withModules.includes(key)) throw new Error(`wasm-names: the glue does not give the module ${module}`);
    withModules = withModules.split(key).join(`        ${JSON.stringify(short)}: import`);
  }
  const used = new Set();
  const renamed = withModules.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (all, name) => {
    if (!exports.has(name)) return all;
    used.add(name);
    return `wasm.${exports.get(name)}`;
  });
  if (!used.has("__wbindgen_start")) throw new Error("wasm-names: the glue does not call wasm.__wbindgen_start");
  const wasmOut = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  parts.reduce((at, part) => (wasmOut.set(part, at), at + part.length), 0);
  const back = (map) => Object.fromEntries([...map].map(([old, short]) => [short, old]));
  return { wasm: wasmOut, glue: renamed, names: { imports: back(imports), exports: back(exports) } };
}
