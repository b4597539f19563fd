// Socket syscalls: until networking lands, every fd is "not a socket" (ENOTSOCK) or bad (EBADF).
import { fail } from '../errno.js';
import type { Thread } from '../process/process.js';

function notSocket(t: Thread, fd: number): never {
  const f = t.process.fds.get(fd);
  if (f.kind !== 'socket') fail('ENOTSOCK');
  fail('EOPNOTSUPP');
}

export function sysAccept4(t: Thread, fd: number, _flags: number): number { return notSocket(t, fd); }
export function sysRecvmsg(t: Thread, fd: number, _iovs: Uint8Array[], _flags: number): number { return notSocket(t, fd); }
export function sysSendmsg(t: Thread, fd: number, _iovs: Uint8Array[], _flags: number): number { return notSocket(t, fd); }
export function sysShutdown(t: Thread, fd: number, how: number): number {
  if (how < 0 || how > 2) { t.process.fds.get(fd); fail('EINVAL'); }
  return notSocket(t, fd);
}
