// File-descriptor syscalls: read/write family, lseek, close, sync, fstat, truncate, fallocate,
// fcntl (with record locks), flock, dup.
import { fail } from '../errno.js';
import type { Thread } from '../process/process.js';
import type { Inode, Stat } from '../fs/inode.js';
import type { FileDescription } from '../fs/file.js';
import { O_CLOEXEC, SEEK_CUR, SEEK_END, SEEK_SET, SETFL_MASK } from '../fs/flags.js';

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

export const FALLOC_FL_KEEP_SIZE = 1;

/**
 * fallocate: mode 0 extends the file to offset+len, FALLOC_FL_KEEP_SIZE leaves its size alone
 * (no file system here preallocates, so both only have to make the range writable); the other
 * modes (punch hole, collapse, zero range...) are EOPNOTSUPP, as on a file system without them.
 */
export async function sysFallocate(t: Thread, fd: number, mode: number, offset: number, len: number): Promise<number> {
  const f = t.process.fds.get(fd);
  if (offset < 0 || len <= 0) fail('EINVAL');
  if (!f.writable) fail('EBADF');
  if (f.kind === 'pipe' || f.kind === 'fifo') fail('ESPIPE');
  if (f.kind !== 'file') fail(f.kind === 'dir' ? 'EISDIR' : 'ENODEV');
  if (mode & ~FALLOC_FL_KEEP_SIZE) fail('EOPNOTSUPP', `fallocate mode ${mode}`);
  if (!Number.isSafeInteger(offset + len)) fail('EFBIG');
  const st = await f.stat();
  if (!(mode & FALLOC_FL_KEEP_SIZE) && offset + len > st.size) await f.truncate(offset + len);
  return 0;
}

export function sysFadvise64(t: Thread, fd: number, _offset: number, len: number, advice: number): number {
  const f = t.process.fds.get(fd);
  if (f.kind === 'pipe' || f.kind === 'fifo') fail('ESPIPE');
  if (advice < 0 || advice > 5 || len < 0) fail('EINVAL');
  return 0; // advisory only
}

export const F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7, F_DUPFD_CLOEXEC = 1030;
export const F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;
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
    case F_GETLK: case F_SETLK: case F_SETLKW: fail('EFAULT', 'record lock commands take a struct flock (sysFcntlLock)');
    default: fail('EINVAL', `fcntl cmd ${cmd}`);
  }
}

/** struct flock in numbers (Linux's l_type, l_whence, l_start, l_len, l_pid). */
export interface Flock { type: number; whence: number; start: number; len: number; pid: number }

/** The inode and [start, end) a struct flock designates on `f` (Linux's flock_to_posix_lock). */
async function lockRange(f: FileDescription, l: Flock): Promise<{ inode: Inode; start: number; end: number }> {
  const inode = f.inode() ?? fail('EINVAL', 'record locks need a file');
  let base: number;
  switch (l.whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = await f.seek(0, SEEK_CUR); break;
    case SEEK_END: base = (await f.stat()).size; break;
    default: fail('EINVAL', 'bad l_whence');
  }
  let start = base + l.start;
  let end = l.len === 0 ? Infinity : start + l.len;
  if (l.len < 0) { end = start; start += l.len; }
  if (start < 0) fail('EINVAL', 'lock range starts before the file');
  return { inode, start, end };
}

/** fcntl F_GETLK / F_SETLK / F_SETLKW: POSIX record locks, owned by the process's fd table. Returns the struct for F_GETLK. */
export async function sysFcntlLock(t: Thread, fd: number, cmd: number, l: Flock): Promise<Flock> {
  const f = t.process.fds.get(fd);
  const owner = t.process.fds;
  const locks = t.kernel.vfs.locks;
  if (l.type !== F_RDLCK && l.type !== F_WRLCK && l.type !== F_UNLCK) fail('EINVAL', 'bad l_type');
  const { inode, start, end } = await lockRange(f, l);
  const type = l.type === F_WRLCK ? 'write' : 'read';
  if (cmd === F_GETLK) {
    if (l.type === F_UNLCK) fail('EINVAL');
    const c = locks.test(inode, owner, type, start, end);
    if (!c) return { ...l, type: F_UNLCK };
    return { type: c.type === 'write' ? F_WRLCK : F_RDLCK, whence: SEEK_SET, start: c.start, len: c.end === Infinity ? 0 : c.end - c.start, pid: c.pid };
  }
  if (l.type === F_UNLCK) { locks.unlock(inode, owner, start, end); return l; }
  if (type === 'read' ? !f.readable : !f.writable) fail('EBADF', `a ${type} lock needs the fd open for ${type === 'read' ? 'reading' : 'writing'}`);
  await locks.setlk(inode, owner, t.process.pid, type, start, end, cmd === F_SETLKW ? t : undefined);
  return l;
}

export const LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;

/** flock: advisory whole-file locks owned by the open file description. */
export async function sysFlock(t: Thread, fd: number, op: number): Promise<number> {
  const f = t.process.fds.get(fd);
  const inode = f.inode() ?? fail('EINVAL', 'flock needs a file');
  const locks = t.kernel.vfs.locks;
  switch (op & ~LOCK_NB) {
    case LOCK_UN: locks.funlock(inode, f); return 0;
    case LOCK_SH: case LOCK_EX:
      await locks.flock(inode, f, (op & ~LOCK_NB) === LOCK_EX ? 'write' : 'read', op & LOCK_NB ? undefined : t);
      return 0;
    default: fail('EINVAL', `flock operation ${op}`);
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
