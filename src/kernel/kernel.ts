// The kernel: process table, VFS, and the dispatcher that serves each thread's SyscallChannel
// on the main thread's event loop.
//
// Syscall flow:
//  1. the worker stub writes (call index, args) into the channel and rings;
//  2. serve() wakes (Atomics.waitAsync, or its post-reply spin), looks up the ABI adapter;
//  3. the adapter decodes arguments from the process's shared memory and calls a handler;
//  4. the handler returns a value or a Promise (it may await host I/O); errors are SysErrors;
//  5. the reply is written and the worker woken; serve() spins briefly for the next call.
import type { Host } from '../host/types.js';
import { fail, SysError } from './errno.js';
import { Log } from './log.js';
import { Vfs, type PathStack } from './fs/vfs.js';
import { FdTable } from './fs/fd-table.js';
import { StdioFile } from './fs/stdio.js';
import { UserMemory } from './abi/memory.js';
import { abiCallIndex, abiFunctions } from './abi/index.js';
import { Process, type Thread } from './process/process.js';
import { defaultAction, signalName, waitStatus } from './process/signals.js';
import type { FileSystem } from './fs/inode.js';
import type { FileDescription } from './fs/file.js';
import { ModuleCache, type CompiledProgram } from '../runtime/module-cache.js';
import { ProcessRunner, WorkerPool, type RunnerReport } from '../runtime/process-runner.js';
import { isWasm, WasmFormatError } from '../runtime/wasm-module.js';

/** Polls a channel this many times after a reply before going back to the event loop. */
const KERNEL_SPIN = 2000;
/** Consecutive calls served for one thread before yielding to other work. */
const SERVE_BUDGET = 256;

export interface KernelOptions {
  host: Host;
  rootFs: FileSystem;
  log?: Log;
  hostname?: string;
  /** Idle workers kept warm. */
  warmWorkers?: number;
}

export interface SpawnOptions {
  argv: string[];
  env: string[];
  ppid?: number;
  cwd?: string;
  /** Files for fds 0, 1, 2 (default: the host's stdio). */
  stdio?: [FileDescription, FileDescription, FileDescription];
}

/** Why a program could not start: maps to `occlum run`'s exit 127 with this message. */
export class SpawnError extends Error {
  constructor(readonly errno: SysError | undefined, message: string) { super(message); }
}

export class Kernel {
  readonly host: Host;
  readonly vfs: Vfs;
  readonly log: Log;
  readonly hostname: string;
  readonly processes = new Map<number, Process>();
  readonly modules = new ModuleCache();
  readonly pool: WorkerPool;
  private nextPid = 1;

  constructor(opts: KernelOptions) {
    this.host = opts.host;
    this.vfs = new Vfs(opts.rootFs);
    this.log = opts.log ?? new Log('off', opts.host.log);
    this.hostname = opts.hostname ?? 'occlum-node';
    this.pool = new WorkerPool(opts.warmWorkers ?? 1);
  }

  hostStdio(): [FileDescription, FileDescription, FileDescription] {
    const clock = () => this.host.clock.realtimeNs();
    return [new StdioFile(this.host.stdio, 0, clock), new StdioFile(this.host.stdio, 1, clock), new StdioFile(this.host.stdio, 2, clock)];
  }

  /** Loads `path` from the VFS and starts it as a new process. Throws SpawnError. */
  async spawn(path: string, opts: SpawnOptions): Promise<Process> {
    const cwd = opts.cwd ? await this.vfs.walk(this.vfs.rootStack, opts.cwd, true) : this.vfs.rootStack;
    let prog;
    try {
      prog = await this.loadProgram(path, cwd);
    } catch (e) {
      if (e instanceof WasmFormatError) throw new SpawnError(undefined, `${path}: invalid WebAssembly program: ${e.message}`);
      if (e instanceof WebAssembly.CompileError) throw new SpawnError(undefined, `${path}: invalid WebAssembly program: ${e.message}`);
      throw e;
    }
    const memory = new WebAssembly.Memory({ initial: prog.memory.initial, maximum: prog.memory.maximum, shared: true });
    const fds = new FdTable();
    const stdio = opts.stdio ?? this.hostStdio();
    for (let i = 0; i < 3; i++) await fds.install(i, stdio[i]!);
    const pid = this.nextPid++;
    const runner = new ProcessRunner(this.pool);
    const proc = new Process(this, pid, opts.ppid ?? 0, opts.argv, opts.env, path, fds, cwd, new UserMemory(memory), runner);
    proc.startNs = this.host.clock.monotonicNs();
    // Preopen "/" at fd 3: wasi-libc resolves every path against a preopened directory.
    const root = await this.vfs.open(this.vfs.rootStack, '/', 0o200000 /* O_DIRECTORY */, 0);
    proc.preopens.set(fds.alloc(root, false, 3), '/');
    this.processes.set(pid, proc);
    this.log.info(`[pid ${pid}] spawn ${path} ${JSON.stringify(opts.argv.slice(1))}`);
    const report = runner.start({
      type: 'start', module: prog.module, memory, channel: proc.mainThread.channel.sab,
      calls: abiCallIndex, argv: opts.argv, env: opts.env,
    });
    void report.then((r) => this.onWorkerReport(proc, r));
    void this.serve(proc.mainThread);
    return proc;
  }

  /** Reads and compiles the program at `path` (cached per file version: dev, ino, mtime, size). */
  private async loadProgram(path: string, cwd: PathStack): Promise<CompiledProgram> {
    let file: FileDescription;
    try {
      const inode = await this.vfs.lookup(cwd, path, true);
      if (inode.type === 'dir') fail('EISDIR');
      if (inode.type !== 'file') fail('EACCES');
      file = await this.vfs.open(cwd, path, 0, 0);
    } catch (e) {
      if (e instanceof SysError) throw new SpawnError(e, `${path}: ${describe(e)}`);
      throw e;
    }
    try {
      const st = await file.stat();
      const key = `${st.dev}:${st.ino}:${st.mtimeNs}:${st.size}`;
      const hit = this.modules.peek(key);
      if (hit) return hit;
      const size = st.size;
      const bytes = new Uint8Array(size);
      let off = 0;
      while (off < size) {
        const n = await file.pread(bytes.subarray(off), off);
        if (n === 0) break;
        off += n;
      }
      if (!isWasm(bytes)) {
        const elf = bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
        throw new SpawnError(undefined, elf
          ? `${path}: a native ELF binary cannot run in occlum-ts; compile it to WebAssembly with occlum-cc`
          : `${path}: not a WebAssembly program (exec format error)`);
      }
      return await this.modules.get(bytes.subarray(0, off), key);
    } finally {
      await file.unref();
    }
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
      case 'killed': await proc.terminate(waitStatus.signaled(9), 'killed'); break;
    }
  }

  /** Serves one thread's syscalls until its process ends. */
  private async serve(t: Thread): Promise<void> {
    const ch = t.channel;
    const proc = t.process;
    const args = new Float64Array(ch.sab, 40, 10);
    const trace = this.log.enabled('trace');
    while (proc.alive) {
      await ch.waitRequest();
      let budget = SERVE_BUDGET;
      while (proc.alive && ch.hasRequest()) {
        const idx = ch.callIndex();
        const f = abiFunctions[idx];
        let r: number | Promise<number>;
        if (!f) r = -38;
        else r = f.fn(t, args);
        if (typeof r !== 'number') r = await r;
        if (trace && f) this.log.trace(`[pid ${proc.pid}] ${f.name}(${Array.from(args.subarray(0, 4)).join(', ')}) = ${r}`);
        if (!proc.alive) return;
        ch.reply(r);
        if (--budget === 0) { await new Promise((res) => setImmediate(res)); budget = SERVE_BUDGET; }
        if (!ch.spinForRequest(KERNEL_SPIN)) break;
      }
    }
  }

  /** Sends `sig` to `proc`. Until handlers land, every signal takes its default action. */
  async signal(proc: Process, sig: number): Promise<void> {
    if (!proc.alive) return;
    const action = defaultAction(sig);
    this.log.info(`[pid ${proc.pid}] ${signalName(sig)} (default action: ${action})`);
    if (sig === 9 || action === 'terminate' || action === 'core') {
      proc.runner.kill();
      await proc.terminate(waitStatus.signaled(sig, action === 'core'), `killed by ${signalName(sig)}`);
    }
  }

  /** Sleeps `ns`, waking early (return) if the thread's process dies. */
  sleep(t: Thread, ns: bigint): Promise<void> {
    const ms = Number(ns / 1000000n) + (ns % 1000000n > 0n ? 1 : 0);
    return new Promise((resolve) => {
      const cancel = this.host.clock.setTimer(ms, resolve);
      void t.process.exited.then(() => { cancel(); resolve(); });
    });
  }

  async shutdown(): Promise<void> {
    for (const p of this.processes.values()) if (p.alive) await this.signal(p, 9);
    await this.pool.shutdown();
  }
}

export function describe(e: SysError): string {
  switch (e.errno) {
    case 2: return 'no such file or directory';
    case 13: return 'permission denied';
    case 20: return 'a path component is not a directory';
    case 21: return 'is a directory';
    case 40: return 'too many levels of symbolic links';
    default: return e.message;
  }
}
