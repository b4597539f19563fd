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
  fallocate: 'mode 0 and FALLOC_FL_KEEP_SIZE; punch hole, collapse, zero range... return EOPNOTSUPP',
  fcntl: 'F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD/SETFD, F_GETFL/SETFL, F_GETLK/SETLK/SETLKW; no F_OFD_* locks, owners or leases',
  mount: 'ramfs, hostfs (dir=<absolute host dir>), sefs when the instance provides it; no remount, bind or move',
  umount2: 'MNT_FORCE accepted; MNT_DETACH releases a busy mount at shutdown; MNT_EXPIRE always EAGAIN',
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
