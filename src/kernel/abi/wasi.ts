// wasi_snapshot_preview1, all 46 functions, as thin adapters over the kernel's Linux handlers.
// Layouts follow the witx definitions (wasm32, little endian).
import { fail } from '../errno.js';
import type { Thread } from '../process/process.js';
import { guarded, type AbiFn, type AbiFunction } from './adapter.js';
import * as W from './wasi-types.js';
import * as F from '../syscall/sys_file.js';
import * as P from '../syscall/sys_fs.js';
import * as T from '../syscall/sys_time.js';
import * as M from '../syscall/sys_misc.js';
import * as Proc from '../syscall/sys_process.js';
import * as Sig from '../syscall/sys_signal.js';
import * as Net from '../syscall/sys_net.js';
import { pollWait, POLLIN, POLLOUT, POLLHUP, POLLERR, POLLNVAL, type PollRequest } from '../syscall/sys_poll.js';
import type { Stat } from '../fs/inode.js';
import {
  O_APPEND, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_RDWR, O_SYNC, O_TRUNC, O_WRONLY, AT_REMOVEDIR,
  AT_SYMLINK_NOFOLLOW, AT_SYMLINK_FOLLOW,
} from '../fs/flags.js';

const enc = new TextEncoder();
/** Byte 17 of a filestat: "bytes 18-19 hold st_mode" (the padding after the filetype). */
const FILESTAT_MODE_MARK = 0x4f;
const RIGHT_FD_SEEK = 1 << 2, RIGHT_FD_TELL = 1 << 5;
const u = (x: number) => x >>> 0;

function writeFilestat(t: Thread, ptr: number, st: Stat): void {
  const m = t.mem;
  m.bytes(ptr, 64);
  m.setU64(ptr, st.dev);
  m.setU64(ptr + 8, st.ino);
  m.setU8(ptr + 16, W.wasiFiletype(fileKind(st.mode)));
  // Beyond WASI (docs/linux-abi.md): Linux's st_mode in the padding, for the SDK's stat().
  m.setU8(ptr + 17, FILESTAT_MODE_MARK);
  m.setU16(ptr + 18, st.mode & 0xffff);
  m.setU64(ptr + 24, st.nlink);
  m.setU64(ptr + 32, st.size);
  m.setU64(ptr + 40, st.atimeNs);
  m.setU64(ptr + 48, st.mtimeNs);
  m.setU64(ptr + 56, st.ctimeNs);
}

function fileKind(mode: number): 'file' | 'dir' | 'symlink' | 'chardev' | 'blockdev' | 'fifo' | 'socket' {
  switch (mode & 0o170000) {
    case 0o040000: return 'dir';
    case 0o120000: return 'symlink';
    case 0o020000: return 'chardev';
    case 0o060000: return 'blockdev';
    case 0o010000: return 'fifo';
    case 0o140000: return 'socket';
    default: return 'file';
  }
}

function fdflagsToLinux(fl: number): number {
  let f = 0;
  if (fl & W.FDFLAG_APPEND) f |= O_APPEND;
  if (fl & W.FDFLAG_NONBLOCK) f |= O_NONBLOCK;
  if (fl & (W.FDFLAG_DSYNC | W.FDFLAG_RSYNC | W.FDFLAG_SYNC)) f |= O_SYNC;
  return f;
}

function linuxToFdflags(f: number): number {
  let fl = 0;
  if (f & O_APPEND) fl |= W.FDFLAG_APPEND;
  if (f & O_NONBLOCK) fl |= W.FDFLAG_NONBLOCK;
  if ((f & O_SYNC) === O_SYNC) fl |= W.FDFLAG_SYNC;
  return fl;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A WASI path argument. A NUL byte cannot be part of a Linux path (EINVAL, before it reaches a
 * file system: ramfs would store it, node:fs would refuse it); a path that is not UTF-8 is
 * EILSEQ (as wasmtime does) instead of being mangled to U+FFFD, which made different names collide.
 */
function path(t: Thread, ptr: number, len: number): string {
  const b = t.mem.bytes(u(ptr), u(len));
  if (b.includes(0)) fail('EINVAL', 'a path with a NUL byte');
  try {
    return strictUtf8.decode(b.slice());
  } catch {
    return fail('EILSEQ', 'a path that is not valid UTF-8');
  }
}

/** A WASI timestamp pair from fst_flags, as utimensat's TimeSpec pair. */
function fstTimes(atim: bigint, mtim: bigint, fst: number): [P.TimeSpec, P.TimeSpec] {
  if ((fst & W.FST_ATIM && fst & W.FST_ATIM_NOW) || (fst & W.FST_MTIM && fst & W.FST_MTIM_NOW)) fail('EINVAL');
  if (fst & ~15) fail('EINVAL');
  const one = (v: bigint, set: number, now: number): P.TimeSpec =>
    fst & now ? { sec: 0, nsec: P.UTIME_NOW } : fst & set ? { sec: Number(BigInt.asUintN(64, v) / 1000000000n), nsec: Number(BigInt.asUintN(64, v) % 1000000000n) } : { sec: 0, nsec: P.UTIME_OMIT };
  return [one(atim, W.FST_ATIM, W.FST_ATIM_NOW), one(mtim, W.FST_MTIM, W.FST_MTIM_NOW)];
}

function stringList(t: Thread, list: string[], ptrs: number, buf: number): number {
  let p = u(buf);
  list.forEach((s, i) => {
    const b = enc.encode(s + '\0');
    t.mem.write(p, b);
    t.mem.setU32(u(ptrs) + i * 4, p);
    p += b.length;
  });
  return 0;
}

function stringSizes(t: Thread, list: string[], countPtr: number, sizePtr: number): number {
  t.mem.setU32(u(countPtr), list.length);
  t.mem.setU32(u(sizePtr), list.reduce((a, s) => a + enc.encode(s).length + 1, 0));
  return 0;
}

const wasiFns: Record<string, { syscalls: string[]; fn: AbiFn }> = {
  args_get: { syscalls: [], fn: (t, a) => stringList(t, t.process.argv, a[0]!, a[1]!) },
  args_sizes_get: { syscalls: [], fn: (t, a) => stringSizes(t, t.process.argv, a[0]!, a[1]!) },
  environ_get: { syscalls: [], fn: (t, a) => stringList(t, t.process.env, a[0]!, a[1]!) },
  environ_sizes_get: { syscalls: [], fn: (t, a) => stringSizes(t, t.process.env, a[0]!, a[1]!) },

  clock_res_get: { syscalls: ['clock_getres'], fn: (t, a) => { t.mem.setU64(u(a[1]!), T.sysClockGetres(t, a[0]!)); return 0; } },
  clock_time_get: { syscalls: ['clock_gettime'], fn: (t, a) => { t.mem.setU64(u(a[2]!), T.sysClockGettime(t, a[0]!)); return 0; } },

  fd_advise: { syscalls: ['fadvise64'], fn: (t, a) => F.sysFadvise64(t, a[0]!, a[1]!, a[2]!, a[3]!) },
  fd_allocate: { syscalls: ['fallocate'], fn: (t, a) => F.sysFallocate(t, a[0]!, 0, a[1]!, a[2]!) },
  fd_close: { syscalls: ['close'], fn: (t, a) => F.sysClose(t, a[0]!) },
  fd_datasync: { syscalls: ['fdatasync'], fn: (t, a) => F.sysFdatasync(t, a[0]!) },
  fd_sync: { syscalls: ['fsync'], fn: (t, a) => F.sysFsync(t, a[0]!) },

  fd_fdstat_get: {
    syscalls: ['fcntl'],
    fn: (t, a) => {
      const f = t.process.fds.get(a[0]!);
      const p = u(a[1]!);
      t.mem.bytes(p, 24);
      // stdio is a character device only when it is a terminal (fd_filestat_get says S_IFIFO
      // otherwise), and fds that cannot seek lack FD_SEEK/FD_TELL: wasi-libc's isatty() is
      // exactly "a character device without those rights", for programs built without the SDK.
      const kind = f.kind === 'stdio' && !f.isatty() ? 'pipe' : f.kind;
      const seekable = !['stdio', 'pipe', 'fifo', 'socket', 'eventfd'].includes(kind);
      const rights = seekable ? W.RIGHTS_ALL : W.RIGHTS_ALL & ~(RIGHT_FD_SEEK | RIGHT_FD_TELL);
      t.mem.setU8(p, W.wasiFiletype(kind));
      t.mem.setU16(p + 2, linuxToFdflags(f.flags));
      t.mem.setU64(p + 8, rights);
      t.mem.setU64(p + 16, rights);
      return 0;
    },
  },
  fd_fdstat_set_flags: {
    syscalls: ['fcntl'],
    fn: (t, a) => F.sysFcntl(t, a[0]!, F.F_SETFL, fdflagsToLinux(a[1]!)),
  },
  fd_fdstat_set_rights: {
    syscalls: [],
    // Rights are not a Linux concept: accept any request on a valid fd (dropping rights is allowed).
    fn: (t, a) => { t.process.fds.get(a[0]!); return 0; },
  },
  fd_filestat_get: {
    syscalls: ['fstat'],
    fn: async (t, a) => { writeFilestat(t, u(a[1]!), await F.sysFstat(t, a[0]!)); return 0; },
  },
  fd_filestat_set_size: { syscalls: ['ftruncate'], fn: (t, a) => F.sysFtruncate(t, a[0]!, a[1]!) },
  fd_filestat_set_times: {
    syscalls: ['utimensat'],
    fn: (t, a) => P.sysUtimensat(t, a[0]!, null, fstTimes(t.channel.exactArg(1), t.channel.exactArg(2), a[3]!), 0),
  },

  fd_pread: {
    syscalls: ['preadv'],
    fn: async (t, a) => { t.mem.setU32(u(a[4]!), await F.sysPreadv(t, a[0]!, t.mem.iovecs(u(a[1]!), u(a[2]!)), a[3]!)); return 0; },
  },
  fd_pwrite: {
    syscalls: ['pwritev'],
    fn: async (t, a) => { t.mem.setU32(u(a[4]!), await F.sysPwritev(t, a[0]!, t.mem.iovecs(u(a[1]!), u(a[2]!)), a[3]!)); return 0; },
  },
  fd_read: {
    syscalls: ['readv'],
    fn: async (t, a) => { const iovs = t.mem.iovecs(u(a[1]!), u(a[2]!)); t.mem.bytes(u(a[3]!), 4); t.mem.setU32(u(a[3]!), await F.sysReadv(t, a[0]!, iovs)); return 0; },
  },
  fd_write: {
    syscalls: ['writev'],
    fn: async (t, a) => { const iovs = t.mem.iovecs(u(a[1]!), u(a[2]!)); t.mem.bytes(u(a[3]!), 4); t.mem.setU32(u(a[3]!), await F.sysWritev(t, a[0]!, iovs)); return 0; },
  },

  fd_prestat_get: {
    syscalls: [],
    fn: (t, a) => {
      const name = t.process.preopens.get(a[0]!);
      if (name === undefined) fail('EBADF');
      t.mem.bytes(u(a[1]!), 8);
      t.mem.setU32(u(a[1]!), 0);
      t.mem.setU32(u(a[1]!) + 4, enc.encode(name).length);
      return 0;
    },
  },
  fd_prestat_dir_name: {
    syscalls: [],
    fn: (t, a) => {
      const name = t.process.preopens.get(a[0]!);
      if (name === undefined) fail('EBADF');
      const b = enc.encode(name);
      if (u(a[2]!) < b.length) fail('ENAMETOOLONG');
      t.mem.write(u(a[1]!), b);
      return 0;
    },
  },

  fd_readdir: {
    syscalls: ['getdents64'],
    fn: async (t, a) => {
      const [fd, buf, len, usedPtr] = [a[0]!, u(a[1]!), u(a[2]!), u(a[4]!)];
      // The cookie is a u64 that arrives as a signed i64: >= 2^63 is negative here, i.e. past the end.
      const cookie = a[3]! < 0 ? Number.MAX_SAFE_INTEGER : a[3]!;
      const f = t.process.fds.get(fd);
      t.mem.bytes(buf, len);
      t.mem.bytes(usedPtr, 4);
      if (cookie === 0) f.dirCursor = 0; // rewinddir / first read: take a fresh snapshot
      const all = await f.readdir();
      let used = 0;
      for (let i = cookie; i < all.length && used < len; i++) {
        const e = all[i]!;
        const name = enc.encode(e.name);
        const rec = new Uint8Array(24 + name.length);
        const dv = new DataView(rec.buffer);
        dv.setBigUint64(0, BigInt(i + 1), true);
        dv.setBigUint64(8, BigInt(e.ino), true);
        dv.setUint32(16, name.length, true);
        dv.setUint8(20, W.wasiFiletype(e.type));
        rec.set(name, 24);
        const n = Math.min(rec.length, len - used); // the last entry may be cut: WASI's contract
        t.mem.write(buf + used, rec.subarray(0, n));
        used += n;
      }
      t.mem.setU32(usedPtr, used);
      return 0;
    },
  },
  fd_renumber: {
    syscalls: ['dup2', 'close'],
    fn: async (t, a) => {
      const [from, to] = [a[0]!, a[1]!];
      await t.process.fds.renumber(from, to);
      const pre = t.process.preopens.get(from);
      t.process.preopens.delete(to);
      if (pre !== undefined && from !== to) { t.process.preopens.delete(from); t.process.preopens.set(to, pre); }
      return 0;
    },
  },
  fd_seek: {
    syscalls: ['lseek'],
    fn: async (t, a) => {
      if (a[2]! > 2) fail('EINVAL');
      t.mem.bytes(u(a[3]!), 8);
      t.mem.setU64(u(a[3]!), await F.sysLseek(t, a[0]!, a[1]!, a[2]!));
      return 0;
    },
  },
  fd_tell: {
    syscalls: ['lseek'],
    fn: async (t, a) => { t.mem.bytes(u(a[1]!), 8); t.mem.setU64(u(a[1]!), await F.sysLseek(t, a[0]!, 0, 1)); return 0; },
  },

  path_create_directory: { syscalls: ['mkdirat'], fn: (t, a) => P.sysMkdirat(t, a[0]!, path(t, a[1]!, a[2]!), 0o777) },
  path_filestat_get: {
    syscalls: ['newfstatat'],
    fn: async (t, a) => {
      const st = await P.sysNewfstatat(t, a[0]!, path(t, a[2]!, a[3]!), a[1]! & W.LOOKUP_SYMLINK_FOLLOW ? 0 : AT_SYMLINK_NOFOLLOW);
      writeFilestat(t, u(a[4]!), st);
      return 0;
    },
  },
  path_filestat_set_times: {
    syscalls: ['utimensat'],
    fn: (t, a) => P.sysUtimensat(t, a[0]!, path(t, a[2]!, a[3]!), fstTimes(t.channel.exactArg(4), t.channel.exactArg(5), a[6]!), a[1]! & W.LOOKUP_SYMLINK_FOLLOW ? 0 : AT_SYMLINK_NOFOLLOW),
  },
  path_link: {
    syscalls: ['linkat'],
    fn: (t, a) => P.sysLinkat(t, a[0]!, path(t, a[2]!, a[3]!), a[4]!, path(t, a[5]!, a[6]!), a[1]! & W.LOOKUP_SYMLINK_FOLLOW ? AT_SYMLINK_FOLLOW : 0),
  },
  path_open: {
    syscalls: ['openat'],
    fn: async (t, a) => {
      const [dirfd, dirflags, p, oflags, rights, fdflags, fdPtr] = [a[0]!, a[1]!, path(t, a[2]!, a[3]!), a[4]!, BigInt(a[5]!), a[7]!, u(a[8]!)];
      if (oflags & ~15) fail('EINVAL');
      t.mem.bytes(fdPtr, 4);
      const r = (rights & W.RIGHT_FD_READ) !== 0n, w = (rights & W.RIGHT_FD_WRITE) !== 0n;
      let flags = w ? (r ? O_RDWR : O_WRONLY) : O_RDONLY;
      if (oflags & W.OFLAG_CREAT) flags |= O_CREAT;
      if (oflags & W.OFLAG_DIRECTORY) flags |= O_DIRECTORY;
      if (oflags & W.OFLAG_EXCL) flags |= O_EXCL;
      if (oflags & W.OFLAG_TRUNC) flags |= O_TRUNC;
      if (!(dirflags & W.LOOKUP_SYMLINK_FOLLOW)) flags |= O_NOFOLLOW;
      flags |= fdflagsToLinux(fdflags);
      if (fdflags & W.FDFLAG_SDK_CLOEXEC) flags |= O_CLOEXEC; // the SDK's O_CLOEXEC (docs/linux-abi.md)
      // WASI rights are an upper bound, not an access mode: OFLAG_DIRECTORY opens read-only whatever
      // rights were asked for (as wasmtime does; programs often ask for all rights). Without it,
      // write rights on a directory keep Linux's EISDIR (wasi-libc's open(dir, O_RDWR)).
      if (oflags & W.OFLAG_DIRECTORY) flags &= ~(O_WRONLY | O_RDWR);
      const fd = await P.sysOpenat(t, dirfd, p, flags, 0o666);
      t.mem.setU32(fdPtr, fd);
      return 0;
    },
  },
  path_readlink: {
    syscalls: ['readlinkat'],
    fn: async (t, a) => {
      const target = enc.encode(await P.sysReadlinkat(t, a[0]!, path(t, a[1]!, a[2]!)));
      const n = Math.min(target.length, u(a[4]!));
      t.mem.write(u(a[3]!), target.subarray(0, n));
      t.mem.setU32(u(a[5]!), n);
      return 0;
    },
  },
  path_remove_directory: { syscalls: ['unlinkat'], fn: (t, a) => P.sysUnlinkat(t, a[0]!, path(t, a[1]!, a[2]!), AT_REMOVEDIR) },
  path_rename: { syscalls: ['renameat'], fn: (t, a) => P.sysRenameat(t, a[0]!, path(t, a[1]!, a[2]!), a[3]!, path(t, a[4]!, a[5]!)) },
  path_symlink: { syscalls: ['symlinkat'], fn: (t, a) => P.sysSymlinkat(t, path(t, a[0]!, a[1]!), a[2]!, path(t, a[3]!, a[4]!)) },
  path_unlink_file: { syscalls: ['unlinkat'], fn: (t, a) => P.sysUnlinkat(t, a[0]!, path(t, a[1]!, a[2]!), 0) },

  poll_oneoff: { syscalls: ['ppoll', 'clock_nanosleep'], fn: (t, a) => pollOneoff(t, u(a[0]!), u(a[1]!), u(a[2]!), u(a[3]!)) },

  proc_exit: { syscalls: ['exit_group'], fn: (t, a) => Proc.sysExitGroup(t, a[0]!) },
  proc_raise: { syscalls: ['kill'], fn: (t, a) => Sig.sysKill(t, t.process.pid, W.wasiSignalToLinux(a[0]!)) },
  sched_yield: { syscalls: ['sched_yield'], fn: (t) => M.sysSchedYield(t) },
  random_get: { syscalls: ['getrandom'], fn: (t, a) => { M.sysGetrandom(t, t.mem.bytes(u(a[0]!), u(a[1]!)), 0); return 0; } },

  sock_accept: {
    syscalls: ['accept4'],
    fn: (t, a) => { t.mem.bytes(u(a[2]!), 4); t.mem.setU32(u(a[2]!), Net.sysAccept4(t, a[0]!, a[1]!)); return 0; },
  },
  sock_recv: {
    syscalls: ['recvmsg'],
    fn: (t, a) => {
      const n = Net.sysRecvmsg(t, a[0]!, t.mem.iovecs(u(a[1]!), u(a[2]!)), a[3]!);
      t.mem.setU32(u(a[4]!), n);
      t.mem.setU16(u(a[5]!), 0);
      return 0;
    },
  },
  sock_send: {
    syscalls: ['sendmsg'],
    fn: (t, a) => { t.mem.setU32(u(a[4]!), Net.sysSendmsg(t, a[0]!, t.mem.iovecs(u(a[1]!), u(a[2]!)), a[3]!)); return 0; },
  },
  sock_shutdown: { syscalls: ['shutdown'], fn: (t, a) => Net.sysShutdown(t, a[0]!, a[1]! === 1 ? 0 : a[1]! === 2 ? 1 : a[1]! === 3 ? 2 : -1) },
};

/** poll_oneoff: clock subscriptions become the timeout, fd subscriptions a poll set. */
async function pollOneoff(t: Thread, inPtr: number, outPtr: number, nsubs: number, neventsPtr: number): Promise<number> {
  if (nsubs === 0) fail('EINVAL');
  if (nsubs > 4096) fail('EINVAL');
  const m = t.mem;
  m.bytes(inPtr, nsubs * 48);
  m.bytes(outPtr, nsubs * 32);
  m.bytes(neventsPtr, 4);
  interface Sub { userdata: bigint; tag: number; fd: number; deadline: bigint }
  const subs: Sub[] = [];
  const now = (id: number) => T.sysClockGettime(t, id);
  let timeout: bigint | undefined;
  const reqs: PollRequest[] = [];
  for (let i = 0; i < nsubs; i++) {
    const p = inPtr + i * 48;
    const userdata = m.u64(p);
    const tag = m.u8(p + 8);
    if (tag === W.EVENTTYPE_CLOCK) {
      const id = m.u32(p + 16);
      const value = m.u64(p + 24);
      const flags = m.u16(p + 40);
      const base = now(id); // validates the clock id
      const wait = flags & W.SUBCLOCKFLAG_ABSTIME ? value - base : value;
      const w = wait < 0n ? 0n : wait;
      subs.push({ userdata, tag, fd: -1, deadline: t.kernel.host.clock.monotonicNs() + w });
      if (timeout === undefined || w < timeout) timeout = w;
    } else if (tag === W.EVENTTYPE_FD_READ || tag === W.EVENTTYPE_FD_WRITE) {
      const fd = m.u32(p + 16);
      subs.push({ userdata, tag, fd, deadline: 0n });
      reqs.push({ fd, events: tag === W.EVENTTYPE_FD_READ ? POLLIN : POLLOUT });
    } else {
      fail('EINVAL', `subscription tag ${tag}`);
    }
  }
  let revents: number[] = [];
  if (reqs.length) revents = await pollWait(t, reqs, timeout);
  else if (timeout !== undefined && timeout > 0n) await t.kernel.sleep(t, timeout, true);
  let n = 0, r = 0;
  const mono = t.kernel.host.clock.monotonicNs();
  // If nothing became ready, the earliest clock fired (timers may round to the millisecond).
  const anyFd = revents.some((x) => x !== 0);
  const earliest = anyFd ? -1n : subs.reduce((min, s) => (s.tag === W.EVENTTYPE_CLOCK && (min < 0n || s.deadline < min) ? s.deadline : min), -1n);
  for (const s of subs) {
    let error = 0, hit = false, hangup = false;
    if (s.tag === W.EVENTTYPE_CLOCK) hit = mono >= s.deadline || s.deadline === earliest;
    else {
      const ev = revents[r++] ?? 0;
      hit = ev !== 0;
      if (ev & POLLNVAL) error = W.WasiErrno.EBADF;
      else if (ev & POLLERR) error = W.WasiErrno.EIO;
      hangup = (ev & POLLHUP) !== 0;
    }
    if (!hit) continue;
    const p = outPtr + n * 32;
    m.setU64(p, s.userdata);
    m.setU16(p + 8, error);
    m.setU8(p + 10, s.tag);
    m.setU64(p + 16, 0);
    m.setU16(p + 24, hangup ? W.EVENT_FD_READWRITE_HANGUP : 0);
    n++;
  }
  m.setU32(neventsPtr, n);
  return 0;
}

export const WASI_MODULE = 'wasi_snapshot_preview1';

export const wasiFunctions: AbiFunction[] = Object.entries(wasiFns).map(([name, d]) => ({
  module: WASI_MODULE,
  name,
  syscalls: d.syscalls,
  restartable: name !== 'poll_oneoff',
  fn: guarded(name, W.toWasiErrno, d.fn),
}));
