// Program loading: path -> compiled Wasm module (cached per file version), with the errors
// `occlum run`, posix_spawn and execve report.
import { fail, SysError } from '../errno.js';
import type { Vfs, PathStack } from '../fs/vfs.js';
import type { FileDescription } from '../fs/file.js';
import type { ModuleCache, CompiledProgram } from '../../runtime/module-cache.js';
import { isWasm, WasmFormatError } from '../../runtime/wasm-module.js';

/** Why a program could not start: errno for the syscall, message for `occlum run` (exit 127). */
export class SpawnError extends Error {
  constructor(readonly errno: SysError, message: string) { super(message); }
}

export function describe(e: SysError): string {
  switch (e.errno) {
    case 2: return 'no such file or directory';
    case 13: return 'permission denied';
    case 20: return 'a path component is not a directory';
    case 21: return 'is a directory';
    case 40: return 'too many levels of symbolic links';
    default: return e.message;
  }
}

/** Reads and compiles the program at `path` (cache key: dev, ino, mtime, size). Throws SpawnError. */
export async function loadProgram(vfs: Vfs, modules: ModuleCache, cwd: PathStack, path: string): Promise<CompiledProgram> {
  let file: FileDescription;
  try {
    const inode = await vfs.lookup(cwd, path, true);
    if (inode.type === 'dir') throw new SpawnError(new SysError('EACCES'), `${path}: is a directory`);
    if (inode.type !== 'file') throw new SpawnError(new SysError('EACCES'), `${path}: not a regular file`);
    file = await vfs.open(cwd, path, 0, 0);
  } catch (e) {
    if (e instanceof SpawnError) throw e;
    if (e instanceof SysError) throw new SpawnError(e, `${path}: ${describe(e)}`);
    throw e;
  }
  try {
    const st = await file.stat();
    const key = `${st.dev}:${st.ino}:${st.mtimeNs}:${st.size}`;
    const hit = modules.peek(key);
    if (hit) return hit;
    const bytes = new Uint8Array(st.size);
    let off = 0;
    while (off < st.size) {
      const n = await file.pread(bytes.subarray(off), off);
      if (n === 0) break;
      off += n;
    }
    if (!isWasm(bytes)) {
      const elf = bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
      throw new SpawnError(new SysError('ENOEXEC'), elf
        ? `${path}: a native ELF binary cannot run in occlum-ts; compile it to WebAssembly with occlum-cc`
        : `${path}: not a WebAssembly program (exec format error)`);
    }
    try {
      return await modules.get(bytes.subarray(0, off), key);
    } catch (e) {
      if (e instanceof WasmFormatError || e instanceof WebAssembly.CompileError) {
        throw new SpawnError(new SysError('ENOEXEC'), `${path}: invalid WebAssembly program: ${e.message}`);
      }
      throw e;
    }
  } finally {
    await file.unref();
  }
}
