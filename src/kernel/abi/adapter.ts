// What every ABI function looks like to the dispatcher, and the one place where kernel errors
// become the ABI's error numbers.
import { SysError, errnoName, Errno } from '../errno.js';
import type { Thread } from '../process/process.js';

/** An ABI adapter: decodes raw call arguments (from the SyscallChannel) and calls handlers. */
export type AbiFn = (t: Thread, a: Float64Array) => number | Promise<number>;

export interface AbiFunction {
  module: string;
  name: string;
  fn: AbiFn;
  syscalls: string[];
  /** May be transparently restarted after an SA_RESTART handler (Linux: not poll, sleeps, sigsuspend...). */
  restartable: boolean;
}

/** Wraps an adapter so that SysError -> encode(errno) and anything else -> EIO plus an error log line. */
export function guarded(name: string, encode: (linuxErrno: number) => number, f: AbiFn): AbiFn {
  const onError = (t: Thread, e: unknown): number => {
    if (e instanceof SysError) {
      if (t.kernel.log.enabled('debug')) t.kernel.log.debug(`[pid ${t.process.pid}][${name}] ${errnoName(e.errno)}: ${e.message}`);
      return encode(e.errno);
    }
    t.kernel.log.error(`[pid ${t.process.pid}][${name}] kernel bug: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    return encode(Errno.EIO);
  };
  return (t, a) => {
    try {
      const r = f(t, a);
      return typeof r === 'number' ? r : r.catch((e: unknown) => onError(t, e));
    } catch (e) {
      return onError(t, e);
    }
  };
}
