// A LibOS process: identity, family, file table, cwd, signals, memory, and its thread(s).
// All fields are owned by the kernel thread; the worker running the program never sees them.
import { SyscallChannel } from '../../runtime/channel.js';
import type { ProcessRunner } from '../../runtime/process-runner.js';
import type { UserMemory } from '../abi/memory.js';
import type { FdTable } from '../fs/fd-table.js';
import type { PathStack } from '../fs/vfs.js';
import type { Kernel } from '../kernel.js';
import { waitStatus } from './signals.js';
import { WaitQueue } from './wait-queue.js';
import type { IoContext } from '../fs/file.js';
import { sendSignal } from './signal-delivery.js';
import { SIGPIPE } from './signals.js';
import { SignalActions, bit, lowestSignal, SA_RESTART, type SigInfo } from './signal-state.js';

export type ProcessState = 'running' | 'stopped' | 'zombie';

export interface Rlimit { cur: bigint; max: bigint }
export const RLIM_INFINITY = (1n << 64n) - 1n;

export class Process {
  state: ProcessState = 'running';
  /** Linux wait status, set when the process ends. */
  status = 0;
  /** How it ended, for the log and `occlum run`'s message. */
  endReason = '';
  umask = 0o022;
  startNs = 0n;
  pgid: number;
  sid: number;
  parent: Process | undefined;
  readonly children = new Set<Process>();
  /** Notified when a child changes state (wait4 parks here). */
  readonly childEvents = new WaitQueue();
  /** Stop/continue reports not yet collected by wait4 (WUNTRACED / WCONTINUED). */
  stopReport: number | undefined;
  continueReport = false;
  /** Notified on SIGCONT while stopped. */
  readonly continued = new WaitQueue();
  signalActions = new SignalActions();
  /** Process-directed pending signals and their latest info. */
  pending = 0n;
  readonly pendingInfo = new Map<number, SigInfo>();
  readonly rlimits = new Map<number, Rlimit>();
  /** ITIMER_REAL: cancel function and schedule. */
  realTimer: { cancel: () => void; deadlineNs: bigint; intervalNs: bigint } | undefined;
  /** fd -> preopened directory name announced through WASI fd_prestat_get. */
  readonly preopens = new Map<number, string>();
  mainThread: Thread;
  private readonly onExit: (() => void)[] = [];
  readonly exited: Promise<number>;

  constructor(
    readonly kernel: Kernel,
    readonly pid: number,
    parent: Process | undefined,
    public argv: string[],
    public env: string[],
    public exe: string,
    public fds: FdTable,
    public cwd: PathStack,
    mem: UserMemory,
    runner: ProcessRunner,
  ) {
    this.parent = parent;
    this.pgid = parent?.pgid ?? pid;
    this.sid = parent?.sid ?? pid;
    this.mainThread = new Thread(this, pid, new SyscallChannel(), mem, runner);
    this.exited = new Promise((resolve) => this.onExit.push(() => resolve(this.status)));
  }

  get ppid(): number { return this.parent?.pid ?? 0; }
  get alive(): boolean { return this.state !== 'zombie'; }
  get mem(): UserMemory { return this.mainThread.mem; }
  get runner(): ProcessRunner { return this.mainThread.runner; }
  get threads(): Thread[] { return [this.mainThread]; }

  /** Ends the process (once): records the status, releases files, tells the parent. */
  async terminate(status: number, reason: string): Promise<void> {
    if (this.state === 'zombie') return;
    this.state = 'zombie';
    this.status = status;
    this.endReason = reason;
    this.realTimer?.cancel();
    this.realTimer = undefined;
    for (const t of this.threads) t.die();
    await this.fds.closeAll();
    this.kernel.onProcessExit(this);
    for (const f of this.onExit.splice(0)) f();
  }

  exit(code: number): Promise<void> { return this.terminate(waitStatus.exited(code), `exited with ${code & 0xff}`); }
}

/** A thread of a process: the unit that makes syscalls and receives signals. */
export class Thread implements IoContext {
  alive = true;
  /** Blocked signals. */
  mask = 0n;
  /** Thread-directed pending signals. */
  pending = 0n;
  /** Masks to restore on sigreturn (one per handler being run). */
  readonly savedMasks: bigint[] = [];
  /** Set by sigsuspend: the mask to restore once a handler has run. */
  suspendRestore: bigint | undefined;
  readonly interrupts = new WaitQueue();
  /** Set when a wait of the current call ended with EINTR because of a signal. */
  private interrupted = false;

  constructor(
    readonly process: Process,
    readonly tid: number,
    public channel: SyscallChannel,
    public mem: UserMemory,
    public runner: ProcessRunner,
  ) {}

  get kernel(): Kernel { return this.process.kernel; }

  /** Signals that are pending for this thread and not blocked. */
  deliverable(): bigint { return (this.pending | this.process.pending) & ~this.mask; }

  interruption(): 'signal' | 'dead' | undefined {
    if (!this.alive || !this.process.alive) return 'dead';
    return this.deliverable() !== 0n ? 'signal' : undefined;
  }

  /** Re-evaluates the channel's signal hint and wakes an interruptible wait. */
  signalsChanged(): void {
    const any = this.deliverable() !== 0n;
    this.channel.setSignalPending(any);
    if (any) this.interrupts.notify();
  }

  noteInterrupted(): void { this.interrupted = true; }

  sigpipe(): Promise<void> {
    return sendSignal(this.process, SIGPIPE, { signo: SIGPIPE, code: 0x80, pid: 0, uid: 0, status: 0, errno: 0, value: 0 });
  }

  /** After an EINTR from a signal: should the call be restarted (the handler has SA_RESTART)? Resets the note. */
  interruptedForRestart(): boolean {
    if (!this.interrupted) return false;
    this.interrupted = false;
    const sig = lowestSignal(this.deliverable());
    return sig !== 0 && (this.process.signalActions.get(sig).flags & SA_RESTART) !== 0;
  }

  isBlocked(sig: number): boolean { return (this.mask & bit(sig)) !== 0n; }

  setTimer(ms: number, fn: () => void): () => void { return this.kernel.host.clock.setTimer(ms, fn); }
  monotonicNs(): bigint { return this.kernel.host.clock.monotonicNs(); }

  die(): void {
    this.alive = false;
    this.channel.wakeKernel();
    this.interrupts.notify();
  }
}
