// The kernel: process table, VFS, and the dispatcher that serves each thread's SyscallChannel
// on the main thread's event loop.
//
// Syscall flow:
//  1. the worker stub writes (call index, args) into the channel and rings;
//  2. serve() wakes (Atomics.waitAsync, or its post-reply spin), looks up the ABI adapter;
//  3. the adapter decodes arguments from the process's shared memory and calls a handler;
//  4. the handler returns a value or a Promise (it may await host I/O); errors are SysErrors;
//  5. the reply is written and the worker woken; serve() spins briefly for the next call.
//     A call interrupted by a caught SA_RESTART signal is replied with the restart flag: the
//     worker runs the handler and issues the call again.
import type { Host } from '../host/types.js';
import { Log } from './log.js';
import { Vfs, type PathStack } from './fs/vfs.js';
import { FdTable } from './fs/fd-table.js';
import { StdioFile, HostInput } from './fs/stdio.js';
import { UserMemory } from './abi/memory.js';
import { abiCallIndex, abiFunctions } from './abi/index.js';
import { Process, Thread } from './process/process.js';
import { SyscallChannel } from '../runtime/channel.js';
import { signalName, waitStatus, SIGCHLD, SIGKILL } from './process/signals.js';
import { SIG_IGN, SA_NOCLDWAIT, CLD_EXITED, CLD_KILLED, CLD_DUMPED, type SigInfo } from './process/signal-state.js';
import { sendSignal, killProcess, userInfo } from './process/signal-delivery.js';
import { loadProgram } from './process/loader.js';
import type { FileSystem } from './fs/inode.js';
import { defaultMountFactory, type MountFactory } from './fs/mount-factory.js';
import type { FileDescription } from './fs/file.js';
import { O_DIRECTORY } from './fs/flags.js';
import { ModuleCache, type CompiledProgram } from '../runtime/module-cache.js';
import { ProcessRunner, WorkerPool, type RunnerReport } from '../runtime/process-runner.js';
import { waitUntil } from './process/wait-queue.js';
import { ResourceLimits, UNLIMITED, type LimitSettings, type Reservation } from './process/limits.js';

export { SpawnError } from './process/loader.js';

/**
 * How long the kernel polls a channel after a reply before going back to the event loop (ns).
 * Long enough that a program making back-to-back calls never finds the kernel asleep, short
 * enough not to starve other processes (a waiting kernel wakes in 30-80 µs).
 */
const KERNEL_SPIN_NS = 50_000;
/** Serving one thread continuously for this long yields to the event loop (other processes, I/O). */
const SERVE_SLICE_MS = 2;

export interface KernelOptions {
  host: Host;
  rootFs: FileSystem;
  log?: Log;
  hostname?: string;
  /** Idle workers kept warm. */
  warmWorkers?: number;
  /** Occlum.json's resource limits (default: a 300 MB user space, no per-process or thread cap). */
  limits?: LimitSettings;
  /** What mount(2) can mount (default: ramfs and hostfs, see fs/mount-factory.ts). */
  mountFactory?: MountFactory;
}

export interface SpawnOptions {
  argv: string[];
  env: string[];
  parent?: Process;
  cwd?: string;
  /** A resolved working directory (posix_spawn's chdir actions); wins over `cwd`. */
  cwdStack?: PathStack;
  /** Files for fds 0, 1, 2 of a root process (default: the host's stdio). */
  stdio?: [FileDescription, FileDescription, FileDescription];
  /** A prepared fd table for a child (posix_spawn); replaces stdio. */
  fds?: FdTable;
  /** Applied to the new process before it runs (posix_spawn attributes). */
  setup?: (p: Process) => void;
}

export class Kernel {
  readonly host: Host;
  readonly vfs: Vfs;
  readonly log: Log;
  readonly hostname: string;
  readonly processes = new Map<number, Process>();
  readonly modules = new ModuleCache();
  readonly pool: WorkerPool;
  readonly bootNs: bigint;
  /** Occlum.json's resource limits: memory reservations and thread slots. */
  readonly limits: ResourceLimits;
  /** What each live process holds of the limits (released when it ends). */
  private readonly held = new Map<Process, { memory: Reservation; thread: () => void }>();
  /** Creates the file systems mount(2) asks for. */
  readonly mountFactory: MountFactory;
  private nextPid = 1;

  constructor(opts: KernelOptions) {
    this.host = opts.host;
    this.vfs = new Vfs(opts.rootFs);
    this.log = opts.log ?? new Log('off', opts.host.log);
    this.hostname = opts.hostname ?? 'occlum-node';
    this.pool = new WorkerPool(opts.warmWorkers ?? 2);
    this.bootNs = opts.host.clock.monotonicNs();
    this.limits = new ResourceLimits(opts.limits ?? UNLIMITED, this.log);
    this.mountFactory = opts.mountFactory ?? defaultMountFactory(opts.host);
  }

  /** resource_limits.user_space_size: the memory all processes share (reported by sysinfo). */
  get userSpaceBytes(): number { return this.limits.userSpaceBytes; }

  private input: HostInput | undefined;

  /** Files for the host's stdin, stdout and stderr (stdin's read-ahead buffer is shared). */
  hostStdio(): [FileDescription, FileDescription, FileDescription] {
    const clock = () => this.host.clock.realtimeNs();
    this.input ??= new HostInput(this.host.stdio);
    return [new StdioFile(this.host.stdio, 0, clock, this.input), new StdioFile(this.host.stdio, 1, clock), new StdioFile(this.host.stdio, 2, clock)];
  }

  /** The process reparented orphans go to (pid 1 while it lives). */
  get init(): Process | undefined {
    const p = this.processes.get(1);
    return p?.alive ? p : undefined;
  }

  /** Loads `path` from the VFS and starts it as a new process. Throws SpawnError. */
  async spawn(path: string, opts: SpawnOptions): Promise<Process> {
    const parent = opts.parent;
    const cwd: PathStack = opts.cwdStack ?? (opts.cwd ? await this.vfs.walk(this.vfs.rootStack, opts.cwd, true) : parent?.cwd ?? this.vfs.rootStack);
    const prog = await loadProgram(this.vfs, this.modules, cwd, path);
    let fds = opts.fds;
    if (!fds) {
      fds = new FdTable();
      const stdio = opts.stdio ?? this.hostStdio();
      for (let i = 0; i < 3; i++) await fds.install(i, stdio[i]!);
    }
    const releaseThread = this.limits.reserveThread(path);
    let reservation: Reservation;
    try {
      reservation = this.limits.reserveMemory(path, prog.memory.initial, prog.memory.maximum);
    } catch (e) {
      releaseThread();
      throw e;
    }
    const pid = this.nextPid++;
    const runner = new ProcessRunner(this.pool);
    const memory = this.newMemory(prog, reservation);
    const proc = new Process(this, pid, parent, opts.argv, opts.env, path, fds, cwd, new UserMemory(memory), runner);
    proc.startNs = this.host.clock.monotonicNs();
    if (parent) {
      parent.children.add(proc);
      proc.umask = parent.umask;
      proc.signalActions = parent.signalActions.resetCaught();
      proc.mainThread.mask = parent.mainThread.mask;
      for (const [k, v] of parent.rlimits) proc.rlimits.set(k, { ...v });
    }
    await this.preopenRoot(proc);
    opts.setup?.(proc);
    this.held.set(proc, { memory: reservation, thread: releaseThread });
    this.processes.set(pid, proc);
    this.log.info(`[pid ${pid}] spawn ${path} ${JSON.stringify(opts.argv.slice(1))}`);
    this.startThread(proc.mainThread, prog, memory);
    return proc;
  }

  /** execve: replaces the program of `t`'s process (same pid, fds without CLOEXEC kept). Throws SpawnError. */
  async execve(t: Thread, path: string, argv: string[], env: string[]): Promise<void> {
    const proc = t.process;
    const prog = await loadProgram(this.vfs, this.modules, proc.cwd, path);
    const held = this.held.get(proc);
    const reservation = this.limits.reserveMemory(path, prog.memory.initial, prog.memory.maximum, held?.memory);
    if (held) held.memory = reservation;
    await proc.fds.closeOnExec();
    for (const fd of [...proc.preopens.keys()]) { if (!proc.fds.has(fd)) proc.preopens.delete(fd); }
    proc.signalActions = proc.signalActions.resetCaught();
    proc.argv = argv;
    proc.env = env;
    proc.exe = path;
    // The old worker is parked in the execve call; it is discarded, never replied to.
    const old = t.runner;
    const memory = this.newMemory(prog, reservation);
    const thread = new Thread(proc, t.tid, new SyscallChannel(), new UserMemory(memory), new ProcessRunner(this.pool));
    thread.mask = t.mask;
    thread.pending = t.pending;
    t.alive = false;
    t.channel.wakeKernel();
    old.kill();
    proc.mainThread = thread;
    if (!proc.preopens.size) await this.preopenRoot(proc);
    this.log.info(`[pid ${proc.pid}] execve ${path} ${JSON.stringify(argv.slice(1))}`);
    this.startThread(thread, prog, memory);
  }

  private newMemory(prog: CompiledProgram, r: Reservation): WebAssembly.Memory {
    return new WebAssembly.Memory({ initial: prog.memory.initial, maximum: r.maximumPages, shared: true });
  }

  /** Preopens "/" at the lowest fd >= 3: wasi-libc resolves every path against a preopened directory. */
  private async preopenRoot(proc: Process): Promise<void> {
    const root = await this.vfs.open(this.vfs.rootStack, '/', O_DIRECTORY, 0);
    proc.preopens.set(proc.fds.alloc(root, true, 3), '/');
  }

  private startThread(t: Thread, prog: CompiledProgram, memory: WebAssembly.Memory): void {
    const proc = t.process;
    const report = t.runner.start({
      type: 'start', module: prog.module, memory, channel: t.channel.sab,
      calls: abiCallIndex, argv: proc.argv, env: proc.env,
    });
    void report.then((r) => { if (t.alive) void this.onWorkerReport(proc, r); });
    void this.serve(t);
  }

  private async onWorkerReport(proc: Process, r: RunnerReport): Promise<void> {
    if (!proc.alive) return;
    switch (r.type) {
      case 'exited': await proc.exit(r.code); break;
      case 'trapped':
        this.log.warn(`[pid ${proc.pid}] ${signalName(r.signal)}: ${r.message}`);
        await proc.terminate(waitStatus.signaled(r.signal, true), `${signalName(r.signal)}: ${r.message}`);
        break;
      case 'failed':
        this.log.error(`[pid ${proc.pid}] cannot start ${proc.exe}: ${r.message}`);
        await proc.terminate(waitStatus.exited(127), `cannot start: ${r.message}`);
        break;
      case 'killed': await proc.terminate(waitStatus.signaled(SIGKILL), 'killed'); break;
    }
  }

  /** Serves one thread's syscalls until it ends. */
  private async serve(t: Thread): Promise<void> {
    const ch = t.channel;
    const proc = t.process;
    const args = ch.argsView();
    const trace = this.log.enabled('trace');
    while (t.alive) {
      await ch.waitRequest();
      let slice = performance.now() + SERVE_SLICE_MS;
      while (t.alive && ch.hasRequest()) {
        if (proc.state === 'stopped') {
          await waitUntil(t, [proc.continued], () => (proc.state !== 'stopped' ? true : undefined), undefined, false).catch(() => undefined);
          if (!t.alive) return;
        }
        const idx = ch.callIndex();
        const f = abiFunctions[idx];
        let r: number | Promise<number> = f ? f.fn(t, args) : -38;
        if (typeof r !== 'number') r = await r;
        if (trace && f) this.log.trace(`[pid ${proc.pid}] ${f.name}(${Array.from(args.subarray(0, 4)).join(', ')}) = ${r}`);
        // Reply even if the thread just ended: after proc_exit the worker unwinds the program and
        // goes back to the pool; a killed or exec'd worker is already gone and never reads it.
        ch.reply(r, t.alive && f !== undefined && f.restartable && t.interruptedForRestart());
        if (!t.alive) return;
        if (performance.now() > slice) { await new Promise((res) => setImmediate(res)); slice = performance.now() + SERVE_SLICE_MS; }
        if (!ch.spinForRequest(KERNEL_SPIN_NS, () => this.otherRequestPending(t))) break;
      }
    }
  }

  /** True if a thread other than `t` has a request waiting (the spinning kernel then yields to it). */
  private otherRequestPending(t: Thread): boolean {
    for (const p of this.processes.values()) {
      for (const th of p.threads) if (th !== t && th.alive && th.channel.hasRequest()) return true;
    }
    return false;
  }

  /** kill(2) on one process. */
  signal(proc: Process, sig: number, info?: SigInfo): Promise<void> {
    return sendSignal(proc, sig, info ?? userInfo(sig));
  }

  /** kill(-pgid): every process of the group. */
  async signalGroup(pgid: number, sig: number, info?: SigInfo): Promise<number> {
    let n = 0;
    for (const p of [...this.processes.values()]) {
      if (p.alive && p.pgid === pgid) { n++; await this.signal(p, sig, info); }
    }
    return n;
  }

  /** Called once by Process.terminate: reparent children, report to the parent (SIGCHLD, wait4). */
  onProcessExit(p: Process): void {
    const held = this.held.get(p);
    if (held) { held.memory.release(); held.thread(); this.held.delete(p); }
    if (p.mem.size >= (held?.memory.maximumPages ?? Infinity) * 65536 && this.limits.settings.heapBytes !== undefined) {
      this.log.warn(`[pid ${p.pid}] ${p.exe} ended with its memory at the cap of process.default_heap_size; if it failed to allocate, raise process.default_heap_size in Occlum.json`);
    }
    const init = this.init;
    for (const c of p.children) {
      c.parent = init && init !== p ? init : undefined;
      if (c.parent) c.parent.children.add(c);
      else if (!c.alive) this.processes.delete(c.pid); // nobody left to reap it
    }
    p.children.clear();
    if (init && init !== p) init.childEvents.notify();
    const parent = p.parent;
    if (!parent) { this.processes.delete(p.pid); return; } // a root process: its spawner holds it
    const sigchld = parent.signalActions.get(SIGCHLD);
    const code = (p.status & 0x7f) === 0 ? CLD_EXITED : p.status & 0x80 ? CLD_DUMPED : CLD_KILLED;
    const status = code === CLD_EXITED ? (p.status >> 8) & 0xff : p.status & 0x7f;
    if (sigchld.handler === SIG_IGN || sigchld.flags & SA_NOCLDWAIT) this.reap(p); // auto-reap, as Linux
    parent.childEvents.notify();
    void sendSignal(parent, SIGCHLD, { signo: SIGCHLD, code, pid: p.pid, uid: 0, status, errno: 0, value: 0 });
  }

  /** Removes a zombie from the tables (wait4 collected it). */
  reap(p: Process): void {
    p.parent?.children.delete(p);
    this.processes.delete(p.pid);
  }

  /** Sleeps `ns`; interruptible by signals (throws EINTR) unless `interruptible` is false. */
  async sleep(t: Thread, ns: bigint, interruptible = false): Promise<void> {
    const deadline = this.host.clock.monotonicNs() + ns;
    await waitUntil(t, [], () => undefined, deadline, interruptible);
  }

  async shutdown(): Promise<void> {
    for (const p of [...this.processes.values()]) if (p.alive) await killProcess(p, SIGKILL, false);
    await this.pool.shutdown();
    await this.vfs.syncAll();
    await this.vfs.releaseOwned();
  }
}

