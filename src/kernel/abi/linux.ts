// The `linux` import module: one import per Linux syscall that WASI lacks, named after it,
// with wasm32 argument layouts. Returns the result, or -errno (Linux numbering).
import { guarded, type AbiFn, type AbiFunction } from './adapter.js';
import * as Proc from '../syscall/sys_process.js';

export const LINUX_MODULE = 'linux';

const linuxFns: Record<string, AbiFn> = {
  getpid: (t) => Proc.sysGetpid(t),
  getppid: (t) => Proc.sysGetppid(t),
  gettid: (t) => Proc.sysGettid(t),
};

export const linuxFunctions: AbiFunction[] = Object.entries(linuxFns).map(([name, fn]) => ({
  module: LINUX_MODULE,
  name,
  syscalls: [name],
  fn: guarded(name, (e) => -e, fn),
}));
