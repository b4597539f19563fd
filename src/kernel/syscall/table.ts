// The syscall table: every Linux syscall by name, with its support level. A syscall is
// implemented when some ABI function (WASI or `linux`) reaches its handler; notes say where
// support is partial (gVisor's linux64.go / Occlum's syscall table, as data).
import { linuxSyscalls } from './linux-syscalls.js';
import { abiFunctions } from '../abi/index.js';

export type SyscallStatus = 'implemented' | 'partial' | 'enosys';

export interface SyscallRow {
  nr: number;
  name: string;
  status: SyscallStatus;
  note?: string;
  /** ABI functions that reach this syscall ("module.name"). */
  via: string[];
}

/** Where support is deliberately partial, and why. */
const partial: Record<string, string> = {
  fallocate: 'mode 0 only (extends the file); FALLOC_FL_* modes return EOPNOTSUPP',
  fcntl: 'F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD/SETFD, F_GETFL/SETFL; record locks come with the VFS issue',
  setitimer: 'ITIMER_REAL only (ITIMER_VIRTUAL/PROF: EINVAL)',
  getitimer: 'ITIMER_REAL only',
  ioctl: 'FIONREAD, FIONBIO, FIOCLEX/FIONCLEX, TIOCGWINSZ, TCGETS/TCSETS*, TIOCGPGRP/TIOCSPGRP, TIOCGSID',
  accept4: 'every fd is ENOTSOCK until networking lands',
  recvmsg: 'every fd is ENOTSOCK until networking lands',
  sendmsg: 'every fd is ENOTSOCK until networking lands',
  shutdown: 'every fd is ENOTSOCK until networking lands',
};

export function syscallTable(): SyscallRow[] {
  const via = new Map<string, string[]>();
  for (const f of abiFunctions) {
    for (const s of f.syscalls) {
      const list = via.get(s) ?? [];
      list.push(`${f.module}.${f.name}`);
      via.set(s, list);
    }
  }
  return linuxSyscalls.map(([nr, name]) => {
    const v = via.get(name) ?? [];
    const status: SyscallStatus = v.length === 0 ? 'enosys' : partial[name] ? 'partial' : 'implemented';
    const row: SyscallRow = { nr, name, status, via: v };
    if (status === 'partial') row.note = partial[name]!;
    return row;
  });
}
