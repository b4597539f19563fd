// The ABI a program can import: every function, its call index on the SyscallChannel, and the
// Linux syscalls it is built on.
import type { AbiFunction } from './adapter.js';
import { wasiFunctions } from './wasi.js';
import { linuxFunctions } from './linux.js';

export const abiFunctions: readonly AbiFunction[] = [...wasiFunctions, ...linuxFunctions];

/** "module.name" -> index, as the worker needs it. */
export const abiCallIndex: Record<string, number> = Object.fromEntries(abiFunctions.map((f, i) => [`${f.module}.${f.name}`, i]));

/** True if the LibOS provides this import (memory imports are always provided). */
export function providesImport(module: string, name: string, kind: 'function' | 'memory' | 'table' | 'global' | 'tag'): boolean {
  if (kind === 'memory') return true;
  return kind === 'function' && `${module}.${name}` in abiCallIndex;
}
