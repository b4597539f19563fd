// Compiled programs, cached per image file: compile once, share the WebAssembly.Module with
// every worker that runs it (structured clone shares compiled code between threads).
import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { prepareModule, type PreparedModule } from './wasm-module.js';

// Compile every function with V8's optimizing compiler up front. With the default baseline
// compiler (Liftoff) plus tier-up, a hot loop entered once (a main loop, a matrix multiply)
// keeps running baseline code to the end: measured 1.63x native vs 1.02x with TurboFan
// (bench/README.md, compute). Costs compile time once per program version (cached below).
setFlagsFromString('--no-liftoff');

export interface CompiledProgram {
  module: WebAssembly.Module;
  memory: PreparedModule['memory'];
}

export class ModuleCache {
  private readonly byKey = new Map<string, CompiledProgram>();
  private readonly byHash = new Map<string, CompiledProgram>();

  /**
   * Returns the compiled program for `bytes`. `key` identifies the file version cheaply
   * (e.g. inode + mtime + size); on a miss the content hash is checked before compiling.
   */
  /** The cached program for a file version, without reading the file. */
  peek(key: string): CompiledProgram | undefined { return this.byKey.get(key); }

  async get(bytes: Uint8Array, key?: string): Promise<CompiledProgram> {
    if (key) {
      const hit = this.byKey.get(key);
      if (hit) return hit;
    }
    const hash = createHash('sha256').update(bytes).digest('hex');
    let prog = this.byHash.get(hash);
    if (!prog) {
      const prepared = prepareModule(bytes);
      const module = await WebAssembly.compile(prepared.bytes);
      prog = { module, memory: prepared.memory };
      this.byHash.set(hash, prog);
    }
    if (key) this.byKey.set(key, prog);
    return prog;
  }
}
