// File-descriptor syscalls: read/write family, lseek, close, sync, fstat, truncate, fcntl, dup.
import { fail } from '../errno.js';
import type { Thread } from '../process/process.js';
import type { Stat } from '../fs/inode.js';
import type { FileDescription } from '../fs/file.js';
import { O_CLOEXEC, SETFL_MASK } from '../fs/flags.js';

/** Reads into each buffer in turn until one comes back short (readv semantics). */
async function gather(iovs: Uint8Array[], io: (b: Uint8Array, done: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (const b of iovs) {
    if (b.length === 0) continue;
    const n = await io(b, total);
    total += n;
    if (n < b.length) break;
  }
  return total;
}

export async function sysReadv(t: Thread, fd: number, iovs: Uint8Array[]): Promise<number> {
  const f = t.process.fds.get(fd);
  const live = iovs.filter((b) => b.length > 0);
  if (live.length <= 1) return f.checkedRead(live[0] ?? new Uint8Array(0), t);
  // One read for the whole vector: a pipe or terminal must not block again after a partial read.
  const tmp = new Uint8Array(live.reduce((a, b) => a + b.length, 0));
  const n = await f.checkedRead(tmp, t);
  let off = 0;
  for (const b of live) {
    if (off >= n) break;
    const k = Math.min(b.length, n - off);
    b.set(tmp.subarray(off, off + k));
    off += k;
  }
  return n;
}

export function sysWritev(t: Thread, fd: number, iovs: Uint8Array[]): Promise<number> {
  const f = t.process.fds.get(fd);
  const live = iovs.filter((b) => b.length > 0);
  // One write for one buffer keeps short writes and pipe atomicity simple.
  if (live.length === 1) return f.checkedWrite(live[0]!, t);
  if (live.length === 0) return f.checkedWrite(new Uint8Array(0), t);
  const all = new Uint8Array(live.reduce((a, b) => a + b.length, 0));
  let off = 0;
  for (const b of live) { all.set(b, off); off += b.length; }
  return f.checkedWrite(all, t);
}

export function sysPreadv(t: Thread, fd: number, iovs: Uint8Array[], offset: number): Promise<number> {
  const f = t.process.fds.get(fd);
  return gather(iovs, (b, done) => f.checkedPread(b, offset + done));
}

export function sysPwritev(t: Thread, fd: number, iovs: Uint8Array[], offset: number): Promise<number> {
  const f = t.process.fds.get(fd);
  return gather(iovs, (b, done) => f.checkedPwrite(b, offset + done));
}

export function sysLseek(t: Thread, fd: number, offset: number, whence: number): Promise<number> {
  return t.process.fds.get(fd).seek(offset, whence);
}

export async function sysClose(t: Thread, fd: number): Promise<number> {
  await t.process.fds.close(fd);
  t.process.preopens.delete(fd);
  return 0;
}

export async function sysFsync(t: Thread, fd: number): Promise<number> {
  await t.process.fds.get(fd).sync(false);
  return 0;
}

export async function sysFdatasync(t: Thread, fd: number): Promise<number> {
  await t.process.fds.get(fd).sync(true);
  return 0;
}

export function sysFstat(t: Thread, fd: number): Promise<Stat> {
  return t.process.fds.get(fd).stat();
}

export async function sysFtruncate(t: Thread, fd: number, length: number): Promise<number> {
  if (length < 0) fail('EINVAL');
  await t.process.fds.get(fd).truncate(length);
  return 0;
}

/** fallocate mode 0: extend the file to offset+len (allocation itself is implicit here). */
export async function sysFallocate(t: Thread, fd: number, mode: number, offset: number, len: number): Promise<number> {
  const f = t.process.fds.get(fd);
  if (offset < 0 || len <= 0) fail('EINVAL');
  if (mode !== 0) fail('EOPNOTSUPP', `fallocate mode ${mode}`);
  if (!f.writable) fail('EBADF');
  if (f.kind !== 'file') fail(f.kind === 'dir' ? 'EISDIR' : 'ENODEV');
  const st = await f.stat();
  if (offset + len > st.size) await f.truncate(offset + len);
  return 0;
}

export function sysFadvise64(t: Thread, fd: number, _offset: number, len: number, advice: number): number {
  const f = t.process.fds.get(fd);
  if (f.kind === 'pipe' || f.kind === 'fifo') fail('ESPIPE');
  if (advice < 0 || advice > 5 || len < 0) fail('EINVAL');
  return 0; // advisory only
}

export const F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030;
export const FD_CLOEXEC = 1;

export function sysFcntl(t: Thread, fd: number, cmd: number, arg: number): number {
  const fds = t.process.fds;
  const f = fds.get(fd);
  switch (cmd) {
    case F_DUPFD: case F_DUPFD_CLOEXEC:
      if (arg < 0 || arg >= fds.limit) fail('EINVAL');
      return fds.alloc(f.ref(), cmd === F_DUPFD_CLOEXEC, arg);
    case F_GETFD: return fds.cloexec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD: fds.setCloexec(fd, (arg & FD_CLOEXEC) !== 0); return 0;
    case F_GETFL: return f.flags;
    case F_SETFL: f.flags = (f.flags & ~SETFL_MASK) | (arg & SETFL_MASK); return 0;
    default: fail('EINVAL', `fcntl cmd ${cmd}`);
  }
}

export function sysDup(t: Thread, fd: number): number {
  const f = t.process.fds.get(fd);
  return t.process.fds.alloc(f.ref());
}

export async function sysDup3(t: Thread, oldfd: number, newfd: number, flags: number): Promise<number> {
  if (oldfd === newfd) fail('EINVAL');
  if (flags & ~O_CLOEXEC) fail('EINVAL');
  const f: FileDescription = t.process.fds.get(oldfd);
  await t.process.fds.install(newfd, f.ref(), (flags & O_CLOEXEC) !== 0);
  return newfd;
}

export async function sysDup2(t: Thread, oldfd: number, newfd: number): Promise<number> {
  t.process.fds.get(oldfd);
  if (oldfd === newfd) return newfd;
  return sysDup3(t, oldfd, newfd, 0);
}
