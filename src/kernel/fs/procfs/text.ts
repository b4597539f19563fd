// The texts of procfs files, in Linux's formats (man 5 proc; fs/proc/array.c, meminfo.c,
// stat.c, uptime.c, proc_namespace.c). Values the LibOS does not track are 0, as Linux prints
// for a kernel without the feature: CPU times (no accounting yet, like getrusage), page faults.
import type { Kernel } from '../../kernel.js';
import type { Process } from '../../process/process.js';
import { SIG_DFL, SIG_IGN } from '../../process/signal-state.js';
import { HostFsMount } from '../hostfs.js';
import type { FileSystem } from '../inode.js';

/** USER_HZ: the unit of times in /proc (clock ticks). */
export const CLOCK_TICKS = 100;
const NS_PER_TICK = 1_000_000_000n / BigInt(CLOCK_TICKS);
const PAGE = 4096;
const SIGCHLD = 17;
/** The real-time signal range ends at 64: masks are 64-bit. */
const NSIG = 64;

/** comm: the executable's base name, at most 15 bytes (TASK_COMM_LEN - 1). */
export function comm(p: Process): string {
  return (p.exe.slice(p.exe.lastIndexOf('/') + 1) || p.exe).slice(0, 15);
}

/**
 * Linux's task state letter: R running, S sleeping (parked in an interruptible wait), T stopped,
 * Z zombie. A thread is sleeping when it waits on a queue (waitUntil registers on `interrupts`);
 * a reader of its own stat is in a call that does not wait, so it shows R, as on Linux.
 */
export function stateOf(p: Process): 'R' | 'S' | 'T' | 'Z' {
  if (p.state === 'zombie') return 'Z';
  if (p.state === 'stopped') return 'T';
  return p.threads.some((t) => t.interrupts.size > 0) ? 'S' : 'R';
}

const STATE_NAMES = { R: 'R (running)', S: 'S (sleeping)', T: 'T (stopped)', Z: 'Z (zombie)' } as const;

function memBytes(p: Process): number { return p.alive ? p.mem.size : 0; }

/** Signals ignored and caught (SigIgn/SigCgt, stat fields 33-34). */
function dispositions(p: Process): { ignored: bigint; caught: bigint } {
  let ignored = 0n, caught = 0n;
  for (let sig = 1; sig <= NSIG; sig++) {
    const h = p.signalActions.get(sig).handler;
    if (h === SIG_IGN) ignored |= 1n << BigInt(sig - 1);
    else if (h !== SIG_DFL) caught |= 1n << BigInt(sig - 1);
  }
  return { ignored, caught };
}

/** /proc/<pid>/stat: one line of 52 fields (proc_pid_stat in fs/proc/array.c). */
export function pidStat(k: Kernel, p: Process): string {
  const start = (p.startNs - k.bootNs) / NS_PER_TICK;
  const mem = memBytes(p);
  const { ignored, caught } = dispositions(p);
  const exitCode = p.state === 'zombie' ? p.status : 0;
  const fields: (string | number | bigint)[] = [
    p.pid, `(${comm(p)})`, stateOf(p), p.ppid, p.pgid, p.sid,
    0, -1, // tty_nr, tpgid: no controlling terminal is tracked
    0, // flags (PF_*): none tracked
    0, 0, 0, 0, // minflt cminflt majflt cmajflt
    0, 0, 0, 0, // utime stime cutime cstime (not accounted)
    20, 0, p.threads.length, 0, // priority nice num_threads itrealvalue
    start, mem, Math.ceil(mem / PAGE), '18446744073709551615', // starttime vsize rss rsslim
    0, 0, 0, 0, 0, // startcode endcode startstack kstkesp kstkeip
    p.pending | p.mainThread.pending, p.mainThread.mask, ignored, caught,
    0, 0, 0, SIGCHLD, 0, 0, 0, 0, 0, 0, // wchan nswap cnswap exit_signal processor rt_priority policy blkio guest cguest
    0, 0, 0, 0, 0, 0, 0, // start_data end_data start_brk arg_start arg_end env_start env_end
    exitCode,
  ];
  return `${fields.join(' ')}\n`;
}

const hex16 = (v: bigint) => v.toString(16).padStart(16, '0');
const kB = (label: string, bytes: number) => `${label}:\t${String(Math.ceil(bytes / 1024)).padStart(8)} kB\n`;

/** /proc/<pid>/status (proc_pid_status): the lines of man 5 proc that the LibOS has values for. */
export function pidStatus(p: Process): string {
  const mem = memBytes(p);
  const { ignored, caught } = dispositions(p);
  return `Name:\t${comm(p)}\n`
    + `Umask:\t${p.umask.toString(8).padStart(4, '0')}\n`
    + `State:\t${STATE_NAMES[stateOf(p)]}\n`
    + `Tgid:\t${p.pid}\nNgid:\t0\nPid:\t${p.pid}\nPPid:\t${p.ppid}\nTracerPid:\t0\n`
    + 'Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n'
    + `FDSize:\t${p.fds.limit}\nGroups:\t\n`
    + kB('VmPeak', mem) + kB('VmSize', mem) + kB('VmLck', 0) + kB('VmPin', 0)
    + kB('VmHWM', mem) + kB('VmRSS', mem) + kB('RssAnon', mem) + kB('RssFile', 0) + kB('RssShmem', 0)
    + kB('VmData', mem) + kB('VmStk', 0) + kB('VmExe', 0) + kB('VmLib', 0) + kB('VmPTE', 0) + kB('VmSwap', 0)
    + `Threads:\t${p.threads.length}\n`
    + `SigQ:\t${p.pendingInfo.size}/4096\n` // queued / RLIMIT_SIGPENDING
    + `SigPnd:\t${hex16(p.mainThread.pending)}\nShdPnd:\t${hex16(p.pending)}\n`
    + `SigBlk:\t${hex16(p.mainThread.mask)}\nSigIgn:\t${hex16(ignored)}\nSigCgt:\t${hex16(caught)}\n`;
}

/** /proc/<pid>/cmdline: argv, each NUL-terminated; empty for a zombie (its memory is gone). */
export function cmdline(p: Process): Uint8Array {
  return p.alive ? new TextEncoder().encode(p.argv.map((a) => `${a}\0`).join('')) : new Uint8Array(0);
}

/** What `mount` shows as the source: the host directory of a hostfs, else the type (as for proc, tmpfs). */
function source(fs: FileSystem): string {
  return fs instanceof HostFsMount ? fs.rootPath : fs.type;
}

interface MountRow { id: number; parent: number; fs: FileSystem; target: string }

/** The root, then every mount in mount order, with Linux-style ids and parent ids. */
function mountRows(k: Kernel): MountRow[] {
  const rows: MountRow[] = [{ id: 1, parent: 1, fs: k.vfs.rootFs, target: '/' }];
  for (const m of k.vfs.mountList()) {
    // The parent is the latest mount containing the target (mounts are listed in mount order).
    const parent = [...rows].reverse().find((r) => r.target === '/' || m.target.startsWith(`${r.target}/`))!;
    rows.push({ id: rows.length + 1, parent: parent.id, fs: m.fs, target: m.target });
  }
  return rows;
}

const escapeMount = (s: string) => s.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
const options = (fs: FileSystem) => `${fs.readonly ? 'ro' : 'rw'},relatime`;

/** /proc/mounts (= /proc/self/mounts): `source target type options 0 0`. */
export function mounts(k: Kernel): string {
  return mountRows(k).map((r) => `${escapeMount(source(r.fs))} ${escapeMount(r.target)} ${r.fs.type} ${options(r.fs)} 0 0\n`).join('');
}

/** /proc/self/mountinfo: `id parent major:minor root target options - type source superoptions`. */
export function mountinfo(k: Kernel): string {
  return mountRows(k).map((r) => `${r.id} ${r.parent} 0:${r.fs.dev} / ${escapeMount(r.target)} ${options(r.fs)} - ${r.fs.type} ${escapeMount(source(r.fs))} ${r.fs.readonly ? 'ro' : 'rw'}\n`).join('');
}

/** Bytes of Wasm memory all live processes hold (what sysinfo's freeram subtracts). */
function usedBytes(k: Kernel): number {
  let used = 0;
  for (const p of k.processes.values()) used += memBytes(p);
  return used;
}

/** /proc/meminfo: totals from resource_limits.user_space_size, use from the processes' memories. */
export function meminfo(k: Kernel): string {
  const total = k.userSpaceBytes;
  const free = Math.max(0, total - usedBytes(k));
  const line = (label: string, bytes: number) => `${`${label}:`.padEnd(16)}${String(Math.floor(bytes / 1024)).padStart(8)} kB\n`;
  return line('MemTotal', total) + line('MemFree', free) + line('MemAvailable', free)
    + line('Buffers', 0) + line('Cached', 0) + line('SwapCached', 0) + line('Active', total - free) + line('Inactive', 0)
    + line('SwapTotal', 0) + line('SwapFree', 0) + line('Dirty', 0) + line('AnonPages', total - free)
    + line('Mapped', 0) + line('Shmem', 0);
}

function uptimeNs(k: Kernel): bigint { return k.host.clock.monotonicNs() - k.bootNs; }

/** /proc/uptime: seconds since boot and idle seconds (not accounted: 0), two decimals. */
export function uptime(k: Kernel): string {
  return `${(Number(uptimeNs(k) / 10_000_000n) / 100).toFixed(2)} 0.00\n`;
}

/** The LibOS shows one CPU (sysconf(_SC_NPROCESSORS_ONLN) is 1 until wasi-threads). */
export function cpuinfo(): string {
  return 'processor\t: 0\nvendor_id\t: occlum-ts\ncpu family\t: 0\nmodel\t\t: 0\n'
    + 'model name\t: WebAssembly virtual CPU (wasm32)\nstepping\t: 0\nphysical id\t: 0\nsiblings\t: 1\n'
    + 'core id\t\t: 0\ncpu cores\t: 1\nflags\t\t: wasm32 simd128 bulk-memory atomics\nbogomips\t: 0.00\n\n';
}

/** /proc/stat: CPU times (not accounted), boot time, and process counts. */
export function kernelStat(k: Kernel): string {
  const bootS = (k.host.clock.realtimeNs() - uptimeNs(k)) / 1_000_000_000n;
  const procs = [...k.processes.values()];
  const cpu = (name: string) => `${name} 0 0 0 0 0 0 0 0 0 0\n`;
  return cpu('cpu ') + cpu('cpu0') + 'intr 0\nctxt 0\n'
    + `btime ${bootS}\n`
    // forks since boot: the highest pid handed out is the best lower bound the table gives
    + `processes ${Math.max(0, ...procs.map((p) => p.pid))}\n`
    + `procs_running ${procs.filter((p) => stateOf(p) === 'R').length}\nprocs_blocked 0\n`
    + 'softirq 0 0 0 0 0 0 0 0 0 0 0\n';
}
