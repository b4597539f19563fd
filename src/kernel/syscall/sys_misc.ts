// Misc syscalls: getrandom, uname, sched_yield.
import { fail } from '../errno.js';
import type { Thread } from '../process/process.js';

export const GRND_NONBLOCK = 1, GRND_RANDOM = 2, GRND_INSECURE = 4;

export function sysGetrandom(t: Thread, buf: Uint8Array, flags: number): number {
  if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) fail('EINVAL');
  t.kernel.host.randomFill(buf);
  return buf.length;
}

export function sysSchedYield(_t: Thread): number { return 0; }

export interface Utsname { sysname: string; nodename: string; release: string; version: string; machine: string; domainname: string }

export function sysUname(t: Thread): Utsname {
  return { sysname: 'Linux', nodename: t.kernel.hostname, release: '5.15.0-occlum-ts', version: '#1 SMP occlum-ts', machine: 'wasm32', domainname: '(none)' };
}

export interface SysinfoResult { uptime: number; totalram: number; freeram: number; procs: number }

export function sysSysinfo(t: Thread): SysinfoResult {
  const k = t.kernel;
  const uptime = Number((k.host.clock.monotonicNs() - k.bootNs) / 1000000000n);
  let used = 0, procs = 0;
  for (const p of k.processes.values()) if (p.alive) { procs++; used += p.mem.size; }
  const total = k.userSpaceBytes;
  return { uptime, totalram: total, freeram: Math.max(0, total - used), procs };
}

export function sysUmask(t: Thread, mask: number): number {
  const old = t.process.umask;
  t.process.umask = mask & 0o777;
  return old;
}

export const RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4, RLIMIT_RSS = 5,
  RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_MEMLOCK = 8, RLIMIT_AS = 9, RLIM_NLIMITS = 16;
const INF = (1n << 64n) - 1n;

function defaultLimit(t: Thread, resource: number): { cur: bigint; max: bigint } {
  switch (resource) {
    case RLIMIT_NOFILE: return { cur: BigInt(t.process.fds.limit), max: 4096n };
    case RLIMIT_STACK: return { cur: 4n << 20n, max: INF };
    case RLIMIT_CORE: return { cur: 0n, max: INF };
    case RLIMIT_NPROC: return { cur: 4096n, max: 4096n };
    default: return { cur: INF, max: INF };
  }
}

/** prlimit64 on ourselves (pid 0 or our pid) or another process. */
export function sysPrlimit64(t: Thread, pid: number, resource: number, next: { cur: bigint; max: bigint } | undefined): { cur: bigint; max: bigint } {
  if (resource < 0 || resource >= RLIM_NLIMITS) fail('EINVAL');
  const p = pid === 0 ? t.process : t.kernel.processes.get(pid);
  if (!p || !p.alive) fail('ESRCH');
  const old = p.rlimits.get(resource) ?? defaultLimit(t, resource);
  if (next) {
    if (next.cur > next.max) fail('EINVAL');
    if (next.max > old.max) fail('EPERM', 'raising a hard limit');
    if (resource === RLIMIT_NOFILE) {
      if (next.cur > 65536n) fail('EPERM');
      p.fds.limit = Number(next.cur);
    }
    p.rlimits.set(resource, { ...next });
  }
  return old;
}
