// What a wasm module is made of: bytes per section, per function (with names when the module has a name
// section), per crate, and what its data segments hold. A small reader of the binary format, no dependencies.
import { gzipSync } from "node:zlib";

const SECTION_NAMES = {
  0: "custom", 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory", 6: "global", 7: "export",
  8: "start", 9: "element", 10: "code", 11: "data", 12: "datacount",
};

class Reader {
  constructor(bytes, pos = 0) {
    this.b = bytes;
    this.pos = pos;
  }
  u8() {
    return this.b[this.pos++];
  }
  u32() {
    let result = 0, shift = 0, byte;
    do {
      byte = this.b[this.pos++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  }
  name() {
    const len = this.u32();
    const s = Buffer.from(this.b.subarray(this.pos, this.pos + len)).toString("utf8");
    this.pos += len;
    return s;
  }
  skipInitExpr() {
    // Constant expressions in data segments: i32.const N end (or global.get); skip to the `end` opcode.
    for (;;) {
      const op = this.u8();
      if (op === 0x0b) return;
      if (op === 0x41 || op === 0x23) this.u32(); // i32.const (sleb fits the skip) / global.get
      else if (op === 0x42) this.u32();
    }
  }
}

/** Parses `bytes` into sections, function bodies (with names) and data segments. */
export function parseWasm(bytes) {
  const r = new Reader(bytes, 8);
  const sections = [];
  let importedFuncs = 0;
  const bodies = [];
  const names = new Map();
  const data = [];
  while (r.pos < bytes.length) {
    const id = r.u8();
    const size = r.u32();
    const start = r.pos;
    const end = start + size;
    let label = SECTION_NAMES[id] ?? `id${id}`;
    if (id === 0) {
      const sub = new Reader(bytes, start);
      label = `custom:${sub.name()}`;
      if (label === "custom:name") {
        while (sub.pos < end) {
          const kind = sub.u8();
          const len = sub.u32();
          const next = sub.pos + len;
          if (kind === 1) {
            const count = sub.u32();
            for (let i = 0; i < count; i++) names.set(sub.u32(), sub.name());
          }
          sub.pos = next;
        }
      }
    } else if (id === 2) {
      const sub = new Reader(bytes, start);
      const count = sub.u32();
      for (let i = 0; i < count; i++) {
        sub.name();
        sub.name();
        const kind = sub.u8();
        if (kind === 0) {
          sub.u32();
          importedFuncs++;
        } else if (kind === 1) {
          sub.u8();
          const flags = sub.u8();
          sub.u32();
          if (flags & 1) sub.u32();
        } else if (kind === 2) {
          const flags = sub.u8();
          sub.u32();
          if (flags & 1) sub.u32();
        } else if (kind === 3) {
          sub.u8();
          sub.u8();
        } else if (kind === 4) {
          sub.u8();
          sub.u32();
        }
      }
    } else if (id === 10) {
      const sub = new Reader(bytes, start);
      const count = sub.u32();
      for (let i = 0; i < count; i++) {
        const len = sub.u32();
        bodies.push({ index: importedFuncs + i, size: len, offset: sub.pos });
        sub.pos += len;
      }
    } else if (id === 11) {
      const sub = new Reader(bytes, start);
      const count = sub.u32();
      for (let i = 0; i < count; i++) {
        const flags = sub.u32();
        if (flags === 2) sub.u32();
        if (flags !== 1) sub.skipInitExpr();
        const len = sub.u32();
        data.push(bytes.subarray(sub.pos, sub.pos + len));
        sub.pos += len;
      }
    }
    sections.push({ id, name: label, size });
    r.pos = end;
  }
  for (const b of bodies) b.name = names.get(b.index) ?? null;
  return { sections, importedFuncs, bodies, hasNames: names.size > 0, data };
}

/** The crate a (demangled) Rust symbol belongs to: the first path segment; `<A as B>::f` counts as A's crate,
 * or B's when A is a primitive or a generic parameter; inherent methods of primitives (`<char>::f`) as core's. */
export function crateOf(name) {
  if (!name || name === "null") return "(unnamed)";
  if (/ shim$|^__wbg|^__wbindgen|^__externref/.test(name)) return "wasm-bindgen (generated)";
  const s = name.replace(/\[[0-9a-f]{16}\]/g, "").replace(/^(<|&|mut |dyn |impl |\(|\[)+/, "");
  if (/^__rustc::|^__rdl_|^__rust_/.test(s)) return "std (allocator glue)";
  const asTrait = /^([^<>:]+?) as ([A-Za-z_][A-Za-z0-9_]*)::/.exec(s);
  if (asTrait) return asTrait[2];
  if (/^(char|str|bool|u8|u16|u32|u64|u128|usize|i8|i16|i32|i64|i128|isize|f32|f64|\[T\]|T)>/.test(s)) return "core";
  const m = /^([A-Za-z_][A-Za-z0-9_]*)::/.exec(s);
  return m ? m[1] : "(exports and other)";
}

/** Section table, top functions, bytes per crate and a look at the data segments. */
export function anatomy(bytes, { top = 15 } = {}) {
  const w = parseWasm(bytes);
  const gz = (buf) => gzipSync(buf, { level: 9 }).length;
  const sections = w.sections.map((s) => ({ name: s.name, bytes: s.size }));
  const codeBytes = w.bodies.reduce((a, b) => a + b.size, 0);
  const byCrate = new Map();
  for (const b of w.bodies) {
    const c = crateOf(b.name);
    const e = byCrate.get(c) ?? { crate: c, bytes: 0, functions: 0, parts: [] };
    e.bytes += b.size;
    e.functions++;
    e.parts.push(bytes.subarray(b.offset, b.offset + b.size));
    byCrate.set(c, e);
  }
  const crates = [...byCrate.values()]
    .map(({ parts, ...e }) => ({ ...e, gzipAlone: gz(Buffer.concat(parts)), share: e.bytes / codeBytes }))
    .sort((a, b) => b.bytes - a.bytes);
  const functions = [...w.bodies]
    .sort((a, b) => b.size - a.size)
    .slice(0, top)
    .map((b) => ({ name: b.name ?? `func[${b.index}]`, bytes: b.size }));
  // Data: the strings it holds. Panic and error messages, serde field names, Rust source paths (panic locations).
  const dataBuf = Buffer.concat(w.data.map((d) => Buffer.from(d)));
  const strings = dataBuf.toString("latin1").match(/[\x20-\x7e]{6,}/g) ?? [];
  const stringBytes = strings.reduce((a, s) => a + s.length, 0);
  const pathStrings = strings.filter((s) => /\.rs\b/.test(s));
  return {
    totalBytes: bytes.length,
    gzipBytes: gz(bytes),
    sections,
    functions: w.bodies.length,
    importedFunctions: w.importedFuncs,
    hasNames: w.hasNames,
    codeBytes,
    codeGzipAlone: gz(Buffer.concat(w.bodies.map((b) => bytes.subarray(b.offset, b.offset + b.size)))),
    dataBytes: dataBuf.length,
    dataGzipAlone: gz(dataBuf),
    dataPrintableStringBytes: stringBytes,
    dataRustPathStringBytes: pathStrings.reduce((a, s) => a + s.length, 0),
    dataSampleStrings: strings.sort((a, b) => b.length - a.length).slice(0, 8).map((s) => s.slice(0, 120)),
    topFunctions: functions,
    crates,
  };
}
