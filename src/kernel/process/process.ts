// A LibOS process: its identity, file table, cwd, memory and the worker that runs it.
// Owned by the kernel thread; the worker never touches these fields.
import { SyscallChannel } from '../../runtime/channel.js';
import type { ProcessRunner } from '../../runtime/process-runner.js';
import type { UserMemory } from '../abi/memory.js';
import type { FdTable } from '../fs/fd-table.js';
import type { PathStack } from '../fs/vfs.js';
import type { Kernel } from '../kernel.js';
import { waitStatus } from './signals.js';

export type ProcessState = 'running' | 'zombie';

export class Process {
  state: ProcessState = 'running';
  /** Linux wait status, set when the process ends. */
  status = 0;
  /** How it ended, for the log and `occlum run`'s message. */
  endReason = '';
  umask = 0o022;
  startNs = 0n;
  /** fd -> preopened directory name announced through WASI fd_prestat_get. */
  readonly preopens = new Map<number, string>();
  readonly mainThread: Thread;
  private onExit: (() => void)[] = [];
  readonly exited: Promise<number>;

  constructor(
    readonly kernel: Kernel,
    readonly pid: number,
    public ppid: number,
    public argv: string[],
    public env: string[],
    public exe: string,
    public fds: FdTable,
    public cwd: PathStack,
    readonly mem: UserMemory,
    readonly runner: ProcessRunner,
  ) {
    this.mainThread = new Thread(this, pid, new SyscallChannel());
    this.exited = new Promise((resolve) => this.onExit.push(() => resolve(this.status)));
  }

  get alive(): boolean { return this.state === 'running'; }

  /** Ends the process (once): records the status, releases files, wakes waiters. */
  async terminate(status: number, reason: string): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'zombie';
    this.status = status;
    this.endReason = reason;
    this.mainThread.channel.wakeKernel();
    await this.fds.closeAll();
    for (const f of this.onExit.splice(0)) f();
  }

  exit(code: number): Promise<void> { return this.terminate(waitStatus.exited(code), `exited with ${code & 0xff}`); }
}

/** A thread of a process: the unit that makes syscalls (one per process until wasi-threads). */
export class Thread {
  constructor(readonly process: Process, readonly tid: number, readonly channel: SyscallChannel) {}
  get mem(): UserMemory { return this.process.mem; }
  get kernel(): Kernel { return this.process.kernel; }
}
