// The `linux` import module (docs/linux-abi.md): one import per Linux syscall WASI lacks, with
// wasm32 layouts. Each adapter decodes arguments and calls the handler; results are >= 0 or
// -errno (Linux numbering).
import { fail } from '../errno.js';
import type { Thread } from '../process/process.js';
import { guarded, type AbiFn, type AbiFunction } from './adapter.js';
import type { UserMemory } from './memory.js';
import * as Proc from '../syscall/sys_process.js';
import * as Sig from '../syscall/sys_signal.js';
import * as F from '../syscall/sys_file.js';
import * as P from '../syscall/sys_fs.js';
import * as Pipe from '../syscall/sys_pipe.js';
import * as Mnt from '../syscall/sys_mount.js';
import type { StatFs } from '../fs/statfs.js';
import type { FileType } from '../fs/inode.js';
import * as Io from '../syscall/sys_ioctl.js';
import * as M from '../syscall/sys_misc.js';
import * as T from '../syscall/sys_time.js';
import { pollWait, type PollRequest } from '../syscall/sys_poll.js';
import { SIG_IGN, type SigAction, type SigInfo } from '../process/signal-state.js';

export const LINUX_MODULE = 'linux';

const u = (x: number) => x >>> 0;
const enc = new TextEncoder();

/** A NULL-terminated array of string pointers (argv, envp). */
function stringArray(m: UserMemory, ptr: number, max = 65536): string[] {
  const out: string[] = [];
  if (ptr === 0) return out;
  for (let i = 0; ; i++) {
    if (i >= max) fail('E2BIG');
    const p = m.u32(ptr + i * 4);
    if (p === 0) return out;
    out.push(m.cstring(p, 131072));
  }
}

function readSigset(m: UserMemory, ptr: number): bigint { return m.u64(u(ptr)); }

function readTimespecNs(m: UserMemory, ptr: number): bigint {
  const sec = m.u64(ptr), nsec = m.u64(ptr + 8);
  const s = BigInt.asIntN(64, sec), n = BigInt.asIntN(64, nsec);
  if (s < 0n || n < 0n || n > 999999999n) fail('EINVAL', 'bad timespec');
  return s * 1000000000n + n;
}

function writeTimespec(m: UserMemory, ptr: number, ns: bigint): void {
  m.setI64(ptr, ns / 1000000000n);
  m.setI64(ptr + 8, ns % 1000000000n);
}

function readSigaction(m: UserMemory, ptr: number): SigAction {
  m.bytes(ptr, 24);
  return { handler: handlerFromAbi(m.u32(ptr)), flags: m.u32(ptr + 4), mask: m.u64(ptr + 16) };
}

// k_sigaction.handler on the wire: 0 = SIG_DFL, 1 = SIG_IGN (Linux's values), 0xffffffff = the
// function at table index 1 (which Linux's SIG_IGN value would otherwise hide), else a table index.
const ABI_SIG_IGN = 1, ABI_HANDLER_AT_1 = 0xffffffff;

function handlerFromAbi(h: number): number {
  if (h === ABI_SIG_IGN) return SIG_IGN;
  if (h === ABI_HANDLER_AT_1) return 1;
  return h;
}

function handlerToAbi(h: number): number {
  if (h === SIG_IGN) return ABI_SIG_IGN;
  if (h === 1) return ABI_HANDLER_AT_1;
  return h;
}

function writeSigaction(m: UserMemory, ptr: number, a: SigAction): void {
  m.bytes(ptr, 24);
  m.setU32(ptr, handlerToAbi(a.handler));
  m.setU32(ptr + 4, a.flags);
  m.setU32(ptr + 8, 0);
  m.setU32(ptr + 12, 0);
  m.setU64(ptr + 16, a.mask);
}

function writeSiginfo(m: UserMemory, ptr: number, i: SigInfo): void {
  m.bytes(ptr, 28);
  [i.signo, i.errno, i.code, i.pid, i.uid, i.status, i.value].forEach((v, k) => m.setI32(ptr + k * 4, v));
}

function readTimeval(m: UserMemory, ptr: number): bigint {
  const s = BigInt.asIntN(64, m.u64(ptr)), us = BigInt.asIntN(64, m.u64(ptr + 8));
  if (s < 0n || us < 0n || us > 999999n) fail('EINVAL');
  return s * 1000000000n + us * 1000n;
}

function writeItimer(m: UserMemory, ptr: number, v: Sig.ItimerVal): void {
  m.bytes(ptr, 32);
  m.setI64(ptr, v.intervalNs / 1000000000n);
  m.setI64(ptr + 8, (v.intervalNs % 1000000000n) / 1000n);
  m.setI64(ptr + 16, v.valueNs / 1000000000n);
  m.setI64(ptr + 24, (v.valueNs % 1000000000n) / 1000n);
}

function readSpawnActions(m: UserMemory, ptr: number, n: number): Proc.SpawnAction[] {
  if (n < 0 || n > 1024) fail('EINVAL');
  const out: Proc.SpawnAction[] = [];
  for (let i = 0; i < n; i++) {
    const p = ptr + i * 24;
    const kind = m.u32(p), fd = m.i32(p + 4);
    if (kind === 0) out.push({ kind: 'close', fd });
    else if (kind === 1) out.push({ kind: 'dup2', fd, newfd: m.i32(p + 8) });
    else if (kind === 2) out.push({ kind: 'open', fd, path: m.cstring(m.u32(p + 12)), oflag: m.u32(p + 16), mode: m.u32(p + 20) });
    else if (kind === 3) out.push({ kind: 'chdir', path: m.cstring(m.u32(p + 12)) });
    else if (kind === 4) out.push({ kind: 'fchdir', fd });
    else fail('EINVAL', `spawn action ${kind}`);
  }
  return out;
}

function readSpawnAttr(m: UserMemory, ptr: number): Proc.SpawnAttr | undefined {
  if (ptr === 0) return undefined;
  m.bytes(ptr, 24);
  return { flags: m.u32(ptr), pgroup: m.i32(ptr + 4), sigmask: m.u64(ptr + 8), sigdefault: m.u64(ptr + 16) };
}

function utsField(s: string): Uint8Array {
  const b = new Uint8Array(65);
  b.set(enc.encode(s).subarray(0, 64));
  return b;
}

/** k_flock: wasm32 struct flock (i16 type, i16 whence, pad, i64 start, i64 len, i32 pid, pad) — 32 bytes. */
function readFlock(m: UserMemory, p: number): F.Flock {
  m.bytes(p, 32);
  return { type: (m.u16(p) << 16) >> 16, whence: (m.u16(p + 2) << 16) >> 16, start: Number(BigInt.asIntN(64, m.u64(p + 8))), len: Number(BigInt.asIntN(64, m.u64(p + 16))), pid: m.i32(p + 24) };
}

function writeFlock(m: UserMemory, p: number, l: F.Flock): void {
  m.setU16(p, l.type);
  m.setU16(p + 2, l.whence);
  m.setI64(p + 8, BigInt(l.start));
  m.setI64(p + 16, BigInt(l.len));
  m.setI32(p + 24, l.pid);
}

/** k_statfs: Linux's struct statfs with 64-bit fields (see docs/linux-abi.md) — 120 bytes. */
function writeStatfs(m: UserMemory, p: number, s: StatFs): void {
  m.write(p, new Uint8Array(120));
  [s.type, s.bsize, s.blocks, s.bfree, s.bavail, s.files, s.ffree].forEach((v, i) => m.setU64(p + i * 8, BigInt(v)));
  m.setI32(p + 56, s.fsid);
  [s.namelen, s.frsize, s.flags].forEach((v, i) => m.setU64(p + 64 + i * 8, BigInt(v)));
}

const DT: Record<FileType, number> = { fifo: 1, chardev: 2, dir: 4, blockdev: 6, file: 8, symlink: 10, socket: 12 };

/** getdents64 into Linux's linux_dirent64 records; EINVAL if not even the next entry fits. */
async function getdents64(t: Thread, fd: number, buf: number, len: number): Promise<number> {
  t.mem.bytes(buf, len);
  const d = await P.sysGetdents64(t, fd);
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  let used = 0, n = 0;
  for (const e of d.entries) {
    const name = enc.encode(e.name);
    const reclen = (19 + name.length + 1 + 7) & ~7;
    if (used + reclen > len) break;
    dv.setBigUint64(used, BigInt(e.ino), true);
    dv.setBigInt64(used + 8, BigInt(d.cursor + n + 1), true); // d_off: where the next entry starts (lseek)
    dv.setUint16(used + 16, reclen, true);
    dv.setUint8(used + 18, DT[e.type]);
    out.set(name, used + 19);
    used += reclen;
    n++;
  }
  if (n === 0 && d.entries.length > 0) fail('EINVAL', 'buffer too small for the next entry');
  t.mem.write(buf, out.subarray(0, used));
  d.advance(n);
  return used;
}

type Def = { fn: AbiFn; restartable?: boolean; syscalls?: string[] };

const linuxFns: Record<string, Def> = {
  // processes
  spawn: {
    syscalls: ['spawn'],
    fn: async (t, a) => {
      const m = t.mem;
      m.bytes(u(a[6]!), 4);
      const pid = await Proc.sysSpawn(t, m.cstring(u(a[0]!)), stringArray(m, u(a[1]!)), stringArray(m, u(a[2]!)), readSpawnActions(m, u(a[3]!), a[4]!), readSpawnAttr(m, u(a[5]!)));
      m.setI32(u(a[6]!), pid);
      return 0;
    },
  },
  execve: { fn: (t, a) => Proc.sysExecve(t, t.mem.cstring(u(a[0]!)), stringArray(t.mem, u(a[1]!)), stringArray(t.mem, u(a[2]!))) },
  wait4: {
    fn: async (t, a) => {
      if (a[1]) t.mem.bytes(u(a[1]), 4);
      const r = await Proc.sysWait4(t, a[0]!, a[2]!);
      if (a[1] && r.pid > 0) t.mem.setI32(u(a[1]), r.status);
      if (a[3]) t.mem.write(u(a[3]), new Uint8Array(72)); // rusage: zeros (not accounted)
      return r.pid;
    },
  },
  getpid: { fn: (t) => Proc.sysGetpid(t) },
  getppid: { fn: (t) => Proc.sysGetppid(t) },
  gettid: { fn: (t) => Proc.sysGettid(t) },
  getpgid: { fn: (t, a) => Proc.sysGetpgid(t, a[0]!) },
  setpgid: { fn: (t, a) => Proc.sysSetpgid(t, a[0]!, a[1]!) },
  getsid: { fn: (t, a) => Proc.sysGetsid(t, a[0]!) },
  setsid: { fn: (t) => Proc.sysSetsid(t) },
  getuid: { fn: (t) => Proc.sysGetuid(t) },
  geteuid: { fn: (t) => Proc.sysGetuid(t) },
  getgid: { fn: (t) => Proc.sysGetuid(t) },
  getegid: { fn: (t) => Proc.sysGetuid(t) },
  getgroups: {
    fn: (t, a) => {
      if (a[0]! < 0) fail('EINVAL');
      if (a[0]! === 0) return 1;
      t.mem.setU32(u(a[1]!), 0);
      return 1;
    },
  },

  // signals
  kill: { fn: (t, a) => Sig.sysKill(t, a[0]!, a[1]!) },
  tgkill: { fn: (t, a) => Sig.sysTgkill(t, a[0]!, a[1]!, a[2]!) },
  rt_sigaction: {
    fn: async (t, a) => {
      const act = a[1] ? readSigaction(t.mem, u(a[1])) : undefined;
      if (a[2]) t.mem.bytes(u(a[2]), 24);
      const old = await Sig.sysRtSigaction(t, a[0]!, act);
      if (a[2]) writeSigaction(t.mem, u(a[2]), old);
      return 0;
    },
  },
  rt_sigprocmask: {
    fn: async (t, a) => {
      const set = a[1] ? readSigset(t.mem, a[1]) : undefined;
      if (a[2]) t.mem.bytes(u(a[2]), 8);
      const old = await Sig.sysRtSigprocmask(t, a[0]!, set);
      if (a[2]) t.mem.setU64(u(a[2]), old);
      return 0;
    },
  },
  rt_sigpending: { fn: (t, a) => { t.mem.setU64(u(a[0]!), Sig.sysRtSigpending(t)); return 0; } },
  rt_sigsuspend: { restartable: false, fn: (t, a) => Sig.sysRtSigsuspend(t, readSigset(t.mem, a[0]!)) },
  rt_sigtimedwait: {
    restartable: false,
    fn: async (t, a) => {
      const set = readSigset(t.mem, a[0]!);
      if (a[1]) t.mem.bytes(u(a[1]), 28);
      const timeout = a[2] ? readTimespecNs(t.mem, u(a[2])) : undefined;
      const info = await Sig.sysRtSigtimedwait(t, set, timeout);
      if (a[1]) writeSiginfo(t.mem, u(a[1]), info);
      return info.signo;
    },
  },
  sigdeliver: {
    syscalls: [],
    fn: (t, a) => {
      const [infoPtr, actPtr] = [u(a[0]!), u(a[1]!)];
      t.mem.bytes(infoPtr, 28);
      t.mem.bytes(actPtr, 24);
      const d = Sig.sysSigdeliver(t);
      if (!d) return 0;
      writeSiginfo(t.mem, infoPtr, d.info);
      writeSigaction(t.mem, actPtr, d.action);
      return d.sig;
    },
  },
  sigreturn: { syscalls: ['rt_sigreturn'], fn: (t) => Sig.sysSigreturn(t) },
  alarm: { fn: (t, a) => Sig.sysAlarm(t, a[0]!) },
  setitimer: {
    fn: (t, a) => {
      const m = t.mem;
      const p = u(a[1]!);
      const v = { intervalNs: readTimeval(m, p), valueNs: readTimeval(m, p + 16) };
      if (a[2]) m.bytes(u(a[2]), 32);
      const old = Sig.sysSetitimer(t, a[0]!, v);
      if (a[2]) writeItimer(m, u(a[2]), old);
      return 0;
    },
  },
  getitimer: { fn: (t, a) => { t.mem.bytes(u(a[1]!), 32); writeItimer(t.mem, u(a[1]!), Sig.sysGetitimer(t, a[0]!)); return 0; } },

  // files
  pipe2: {
    fn: (t, a) => {
      t.mem.bytes(u(a[0]!), 8);
      const [r, w] = Pipe.sysPipe2(t, a[1]!);
      t.mem.setI32(u(a[0]!), r);
      t.mem.setI32(u(a[0]!) + 4, w);
      return 0;
    },
  },
  dup: { fn: (t, a) => F.sysDup(t, a[0]!) },
  dup3: { fn: (t, a) => F.sysDup3(t, a[0]!, a[1]!, a[2]!) },
  dup2: { fn: (t, a) => F.sysDup2(t, a[0]!, a[1]!) },
  fcntl: {
    fn: async (t, a) => {
      const [fd, cmd, arg] = [a[0]!, a[1]!, u(a[2]!)];
      if (cmd !== F.F_GETLK && cmd !== F.F_SETLK && cmd !== F.F_SETLKW) return F.sysFcntl(t, fd, cmd, a[2]!);
      const l = await F.sysFcntlLock(t, fd, cmd, readFlock(t.mem, arg));
      if (cmd === F.F_GETLK) writeFlock(t.mem, arg, l);
      return 0;
    },
  },
  flock: { fn: (t, a) => F.sysFlock(t, a[0]!, a[1]!) },
  fallocate: { fn: (t, a) => F.sysFallocate(t, a[0]!, a[1]!, a[2]!, a[3]!) },
  getdents64: { fn: (t, a) => getdents64(t, a[0]!, u(a[1]!), u(a[2]!)) },
  statfs: { fn: async (t, a) => { t.mem.bytes(u(a[1]!), 120); writeStatfs(t.mem, u(a[1]!), await P.sysStatfs(t, t.mem.cstring(u(a[0]!)))); return 0; } },
  fstatfs: { fn: async (t, a) => { t.mem.bytes(u(a[1]!), 120); writeStatfs(t.mem, u(a[1]!), await P.sysFstatfs(t, a[0]!)); return 0; } },
  mount: {
    fn: (t, a) => {
      const m = t.mem;
      const str = (p: number) => (p === 0 ? '' : m.cstring(u(p)));
      return Mnt.sysMount(t, str(a[0]!), m.cstring(u(a[1]!)), str(a[2]!), u(a[3]!), str(a[4]!));
    },
  },
  umount2: { fn: (t, a) => Mnt.sysUmount2(t, t.mem.cstring(u(a[0]!)), a[1]!) },
  faccessat: { syscalls: ['faccessat', 'access'], fn: (t, a) => P.sysFaccessat(t, a[0]!, t.mem.cstring(u(a[1]!)), a[2]!, a[3]!) },
  fchmodat: { syscalls: ['fchmodat', 'chmod'], fn: (t, a) => P.sysFchmodat(t, a[0]!, t.mem.cstring(u(a[1]!)), u(a[2]!)) },
  fchmod: { fn: (t, a) => P.sysFchmod(t, a[0]!, u(a[1]!)) },
  mkdirat: { syscalls: ['mkdirat', 'mkdir'], fn: (t, a) => P.sysMkdirat(t, a[0]!, t.mem.cstring(u(a[1]!)), u(a[2]!)) },
  eventfd2: { fn: (t, a) => Pipe.sysEventfd2(t, a[0]!, a[1]!) },
  ppoll: {
    restartable: false,
    syscalls: ['ppoll', 'poll'],
    fn: async (t, a) => {
      const m = t.mem;
      const [ptr, n] = [u(a[0]!), a[1]!];
      if (n < 0 || n > t.process.fds.limit) fail('EINVAL');
      m.bytes(ptr, n * 8);
      const reqs: PollRequest[] = [];
      for (let i = 0; i < n; i++) reqs.push({ fd: m.i32(ptr + i * 8), events: m.u16(ptr + i * 8 + 4) });
      const timeout = a[2] ? readTimespecNs(m, u(a[2])) : undefined;
      let restoreMask: bigint | undefined;
      if (a[3]) restoreMask = await Sig.sysRtSigprocmask(t, 2, readSigset(m, a[3]));
      let revents: number[];
      try {
        revents = await pollWait(t, reqs, timeout);
      } finally {
        if (restoreMask !== undefined && t.deliverable() === 0n) await Sig.sysRtSigprocmask(t, 2, restoreMask);
        else if (restoreMask !== undefined) t.suspendRestore = restoreMask;
      }
      revents.forEach((r, i) => m.setU16(ptr + i * 8 + 6, r));
      return revents.filter((r) => r !== 0).length;
    },
  },
  ioctl: {
    fn: async (t, a) => {
      const [fd, req, argPtr] = [a[0]!, u(a[1]!), u(a[2]!)];
      const argIn = argPtr !== 0 && (req === Io.FIONBIO) ? t.mem.bytes(argPtr, 4) : undefined;
      const r = await Io.sysIoctl(t, fd, req, argIn, argPtr);
      if (r.out) t.mem.write(argPtr, r.out);
      return r.value;
    },
  },

  // process world
  umask: { fn: (t, a) => M.sysUmask(t, a[0]!) },
  getcwd: {
    fn: (t, a) => {
      const b = enc.encode(P.sysGetcwd(t) + '\0');
      if (u(a[1]!) < b.length) fail('ERANGE');
      t.mem.write(u(a[0]!), b);
      return b.length;
    },
  },
  chdir: { fn: (t, a) => P.sysChdir(t, t.mem.cstring(u(a[0]!))) },
  fchdir: { fn: (t, a) => P.sysFchdir(t, a[0]!) },
  prlimit64: {
    syscalls: ['prlimit64', 'getrlimit', 'setrlimit'],
    fn: (t, a) => {
      const m = t.mem;
      const next = a[2] ? { cur: m.u64(u(a[2])), max: m.u64(u(a[2]) + 8) } : undefined;
      if (a[3]) m.bytes(u(a[3]), 16);
      const old = M.sysPrlimit64(t, a[0]!, a[1]!, next);
      if (a[3]) { m.setU64(u(a[3]), old.cur); m.setU64(u(a[3]) + 8, old.max); }
      return 0;
    },
  },
  uname: {
    fn: (t, a) => {
      const n = M.sysUname(t);
      const p = u(a[0]!);
      t.mem.bytes(p, 390);
      [n.sysname, n.nodename, n.release, n.version, n.machine, n.domainname].forEach((s, i) => t.mem.write(p + i * 65, utsField(s)));
      return 0;
    },
  },
  sysinfo: {
    fn: (t, a) => {
      const p = u(a[0]!);
      const m = t.mem;
      const i = M.sysSysinfo(t);
      m.write(p, new Uint8Array(64));
      m.setI32(p, i.uptime);
      const unit = 4096;
      m.setU32(p + 16, Math.floor(i.totalram / unit));
      m.setU32(p + 20, Math.floor(i.freeram / unit));
      m.setU16(p + 40, Math.min(i.procs, 65535));
      m.setU32(p + 52, unit);
      return 0;
    },
  },
  clock_nanosleep: {
    restartable: false,
    syscalls: ['clock_nanosleep', 'nanosleep'],
    fn: async (t, a) => {
      const [clock, flags, req, rem] = [a[0]!, a[1]!, u(a[2]!), u(a[3]!)];
      const ns = readTimespecNs(t.mem, req);
      const start = t.kernel.host.clock.monotonicNs();
      try {
        await T.sysClockNanosleep(t, clock, flags, ns);
      } catch (e) {
        if (rem && !(flags & T.TIMER_ABSTIME)) {
          const left = ns - (t.kernel.host.clock.monotonicNs() - start);
          writeTimespec(t.mem, rem, left > 0n ? left : 0n);
        }
        throw e;
      }
      return 0;
    },
  },
};

export const linuxFunctions: AbiFunction[] = Object.entries(linuxFns).map(([name, d]) => ({
  module: LINUX_MODULE,
  name,
  syscalls: d.syscalls ?? [name],
  restartable: d.restartable ?? true,
  fn: guarded(name, (e) => -e, d.fn),
}));
