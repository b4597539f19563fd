// Wasm binary surgery: make a program's linear memory an imported *shared* memory.
//
// Why: the kernel runs on another thread than the program. With the memory shared, the
// kernel's ABI layer reads and writes user buffers in place (one copy, done once, like
// copy_from_user), and the worker-side stubs stay generic. A module that defines its own
// memory is rewritten so that it imports it instead; one that imports memory gets its
// import marked shared. Non-atomic code runs unchanged on shared memory.

export class WasmFormatError extends Error {}

export interface PreparedModule {
  bytes: Uint8Array;
  memory: { module: string; name: string; initial: number; maximum: number };
}

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
export const WASM_MAX_PAGES = 65536;

export function isWasm(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && MAGIC.every((b, i) => bytes[i] === b);
}

class Reader {
  pos: number;
  constructor(readonly b: Uint8Array, pos = 0) { this.pos = pos; }
  byte(): number {
    if (this.pos >= this.b.length) throw new WasmFormatError('unexpected end of module');
    return this.b[this.pos++]!;
  }
  u32(): number {
    let result = 0, shift = 0, byte: number;
    do {
      byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  }
  name(): string {
    const len = this.u32();
    const s = new TextDecoder().decode(this.b.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

function encName(s: string): number[] {
  const b = new TextEncoder().encode(s);
  return [...leb(b.length), ...b];
}

interface Limits { initial: number; maximum?: number }

function readLimits(r: Reader): Limits {
  const flags = r.byte();
  if (flags & 0x04) throw new WasmFormatError('64-bit memories are not supported');
  const initial = r.u32();
  const maximum = flags & 0x01 ? r.u32() : undefined;
  return { initial, maximum };
}

function sharedLimits(l: Limits, cap: number): { bytes: number[]; initial: number; maximum: number } {
  const maximum = Math.min(l.maximum ?? cap, cap);
  if (l.initial > maximum) throw new WasmFormatError(`initial memory (${l.initial} pages) exceeds the limit of ${maximum} pages`);
  return { bytes: [0x03, ...leb(l.initial), ...leb(maximum)], initial: l.initial, maximum };
}

interface Section { id: number; start: number; end: number } // [start,end) of content

function sections(b: Uint8Array): Section[] {
  if (!isWasm(b)) throw new WasmFormatError('not a WebAssembly module');
  const r = new Reader(b, 8);
  const out: Section[] = [];
  while (r.pos < b.length) {
    const id = r.byte();
    const size = r.u32();
    out.push({ id, start: r.pos, end: r.pos + size });
    r.pos += size;
    if (r.pos > b.length) throw new WasmFormatError('truncated section');
  }
  return out;
}

/** Skips one import description of kind `kind` (after the kind byte). */
function skipImportDesc(r: Reader, kind: number): void {
  switch (kind) {
    case 0: r.u32(); break;                          // func: type index
    case 1: r.byte(); readLimits(r); break;          // table: reftype + limits
    case 2: readLimits(r); break;                    // memory
    case 3: r.byte(); r.byte(); break;               // global: valtype + mut
    case 4: r.byte(); r.u32(); break;                // tag
    default: throw new WasmFormatError(`unknown import kind ${kind}`);
  }
}

function section(id: number, content: number[] | Uint8Array): Uint8Array[] {
  return [Uint8Array.from([id, ...leb(content.length)]), content instanceof Uint8Array ? content : Uint8Array.from(content)];
}

/**
 * Returns the module with its memory turned into a shared import (default name env.memory),
 * capped at `maxPages`.
 */
export function prepareModule(bytes: Uint8Array, maxPages = WASM_MAX_PAGES): PreparedModule {
  const secs = sections(bytes);
  const importSec = secs.find((s) => s.id === 2);
  const memSec = secs.find((s) => s.id === 5);
  const imports: number[][] = [];
  let memory: PreparedModule['memory'] | undefined;

  if (importSec) {
    const r = new Reader(bytes, importSec.start);
    const n = r.u32();
    for (let i = 0; i < n; i++) {
      const begin = r.pos;
      const mod = r.name();
      const name = r.name();
      const kind = r.byte();
      if (kind === 2) {
        if (memory) throw new WasmFormatError('modules with several memories are not supported');
        const lim = sharedLimits(readLimits(r), maxPages);
        memory = { module: mod, name, initial: lim.initial, maximum: lim.maximum };
        imports.push([...encName(mod), ...encName(name), 2, ...lim.bytes]);
      } else {
        skipImportDesc(r, kind);
        imports.push(Array.from(bytes.subarray(begin, r.pos)));
      }
    }
  }
  if (memSec) {
    const r = new Reader(bytes, memSec.start);
    const n = r.u32();
    if (n > 1 || (n === 1 && memory)) throw new WasmFormatError('modules with several memories are not supported');
    if (n === 1) {
      const lim = sharedLimits(readLimits(r), maxPages);
      memory = { module: 'env', name: 'memory', initial: lim.initial, maximum: lim.maximum };
      imports.push([...encName('env'), ...encName('memory'), 2, ...lim.bytes]);
    }
  }
  if (!memory) throw new WasmFormatError('the module has no linear memory');

  const importContent = [...leb(imports.length), ...imports.flat()];
  const out: Uint8Array[] = [bytes.subarray(0, 8)];
  let placed = false;
  const placeImports = () => { if (!placed) { out.push(...section(2, importContent)); placed = true; } };
  for (const s of secs) {
    // Known sections must stay in order; imports go right after the type section (1).
    if (s.id !== 0 && s.id !== 1 && s.id !== 2) placeImports();
    if (s.id === 2) { placeImports(); continue; }
    if (s.id === 5) continue;
    out.push(...section(s.id, bytes.subarray(s.start, s.end)));
  }
  placeImports();
  const total = out.reduce((a, p) => a + p.length, 0);
  const result = new Uint8Array(total);
  let off = 0;
  for (const p of out) { result.set(p, off); off += p.length; }
  return { bytes: result, memory };
}

/** Lists a module's imports and exports without compiling it. */
export function moduleInterface(bytes: Uint8Array): { imports: { module: string; name: string; kind: number }[]; exports: { name: string; kind: number }[] } {
  const secs = sections(bytes);
  const imports: { module: string; name: string; kind: number }[] = [];
  const exports: { name: string; kind: number }[] = [];
  for (const s of secs) {
    const r = new Reader(bytes, s.start);
    if (s.id === 2) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const module = r.name(), name = r.name(), kind = r.byte();
        skipImportDesc(r, kind);
        imports.push({ module, name, kind });
      }
    } else if (s.id === 7) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const name = r.name(), kind = r.byte();
        r.u32();
        exports.push({ name, kind });
      }
    }
  }
  return { imports, exports };
}
