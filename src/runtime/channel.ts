// SyscallChannel: the per-thread shared-memory doorbell between a process worker and the kernel.
//
// Layout of the SharedArrayBuffer (owned jointly; each word has exactly one writer):
//   i32[REQ]    request sequence number        written by the worker
//   i32[REP]    reply sequence number          written by the kernel
//   i32[KWAIT]  1 while the kernel sleeps      written by the kernel
//   i32[WWAIT]  1 while the worker sleeps      written by the worker
//   i32[SIG]    pending-signal hint            written by the kernel (read at syscall exit)
//   i32[RESTART] 1: run signal handlers, then re-issue the call (SA_RESTART)   written by the kernel
//   f64[CALL]   ABI function index             written by the worker
//   f64[ARG0..] up to MAX_ARGS arguments       written by the worker
//   f64[RESULT] return value                   written by the kernel
//   i64[EXACT0..] exact copies of 64-bit integer arguments (f64 loses bits above 2^53)  worker
//
// Both sides spin briefly before sleeping: a sleeping hand-off costs ~65 µs on these VMs,
// a spinning one ~0.4 µs (docs/toolchains.md). The sleep flags let the other side skip
// Atomics.notify when nobody sleeps.

const REQ = 0, REP = 1, KWAIT = 2, WWAIT = 3, SIG = 4, RESTART = 5;
const F64_BASE = 4; // f64 index 4 == byte 32
const CALL = F64_BASE, ARG0 = F64_BASE + 1;
export const MAX_ARGS = 10;
const RESULT = ARG0 + MAX_ARGS;
const EXACT0 = RESULT + 1;
const BYTES = (EXACT0 + MAX_ARGS) * 8;

/**
 * How long a worker polls for its reply before Atomics.wait. It must outlast a wake-up of the
 * other side (30-80 µs here): shorter windows let both sides fall asleep in turn and lock a busy
 * program into the ~50 µs-per-call slow mode under load (measured: bench/README.md, syscall).
 */
const WORKER_SPIN_NS = 150_000;
const now = () => performance.now() * 1e6;

export class SyscallChannel {
  readonly sab: SharedArrayBuffer;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly i64: BigInt64Array;
  private seq = 0;

  constructor(sab?: SharedArrayBuffer) {
    this.sab = sab ?? new SharedArrayBuffer(BYTES);
    this.i32 = new Int32Array(this.sab);
    this.f64 = new Float64Array(this.sab);
    this.i64 = new BigInt64Array(this.sab);
  }

  /** Records the exact value of 64-bit argument `i` (the f64 slot holds it rounded). */
  setExact(i: number, v: bigint): void { this.i64[EXACT0 + i] = v; }

  /** Kernel side: the exact value of a 64-bit argument the worker passed as a BigInt. */
  exactArg(i: number): bigint { return this.i64[EXACT0 + i]!; }

  // ---- worker side ----

  /** Sends call `index` with `args` and blocks until the kernel replies. */
  call(index: number, args: ArrayLike<number>): number {
    const f64 = this.f64, i32 = this.i32;
    f64[CALL] = index;
    for (let i = 0; i < args.length; i++) f64[ARG0 + i] = args[i]!;
    const seq = (this.seq = (this.seq + 1) | 0);
    Atomics.store(i32, REQ, seq);
    if (Atomics.load(i32, KWAIT) !== 0) Atomics.notify(i32, REQ);
    for (let i = 0; i < 256; i++) if (Atomics.load(i32, REP) === seq) return f64[RESULT]!;
    const until = now() + WORKER_SPIN_NS;
    do {
      for (let i = 0; i < 64; i++) if (Atomics.load(i32, REP) === seq) return f64[RESULT]!;
    } while (now() < until);
    Atomics.store(i32, WWAIT, 1);
    while (Atomics.load(i32, REP) !== seq) Atomics.wait(i32, REP, (seq - 1) | 0);
    Atomics.store(i32, WWAIT, 0);
    return f64[RESULT]!;
  }

  /** True if the last reply asked for a restart after signal handlers ran. */
  restartRequested(): boolean {
    return this.i32[RESTART] !== 0;
  }

  /** Signal hint set by the kernel; the worker checks it after each call. */
  signalPending(): boolean {
    return Atomics.load(this.i32, SIG) !== 0;
  }

  // ---- kernel side ----

  private handled = 0;

  /** True if the worker has posted a request that has not been replied to. */
  hasRequest(): boolean {
    return Atomics.load(this.i32, REQ) !== this.handled;
  }

  /**
   * Polls for a new request for up to `ns` nanoseconds (call right after replying); gives up
   * early when `elsewhere()` says another channel needs the kernel.
   */
  spinForRequest(ns: number, elsewhere?: () => boolean): boolean {
    const i32 = this.i32, h = this.handled;
    for (let i = 0; i < 256; i++) if (Atomics.load(i32, REQ) !== h) return true;
    const until = now() + ns;
    do {
      for (let i = 0; i < 64; i++) if (Atomics.load(i32, REQ) !== h) return true;
      if (elsewhere?.()) return false;
    } while (now() < until);
    return false;
  }

  /** Resolves when a request is pending. */
  async waitRequest(): Promise<void> {
    const i32 = this.i32;
    while (Atomics.load(i32, REQ) === this.handled) {
      Atomics.store(i32, KWAIT, 1);
      const w = Atomics.waitAsync(i32, REQ, this.handled);
      if (w.async) await w.value;
      Atomics.store(i32, KWAIT, 0);
    }
  }

  /** Wakes a kernel-side waitRequest() without a request (used on kill). */
  wakeKernel(): void {
    Atomics.notify(this.i32, REQ);
  }

  callIndex(): number { return this.f64[CALL]!; }
  /** Kernel side: a live view of the argument slots (valid for the request being served). */
  argsView(): Float64Array { return this.f64.subarray(ARG0, ARG0 + MAX_ARGS); }

  reply(result: number, restart = false): void {
    const i32 = this.i32;
    this.f64[RESULT] = result;
    i32[RESTART] = restart ? 1 : 0;
    this.handled = Atomics.load(i32, REQ);
    Atomics.store(i32, REP, this.handled);
    if (Atomics.load(i32, WWAIT) !== 0) Atomics.notify(i32, REP);
  }

  setSignalPending(on: boolean): void {
    Atomics.store(this.i32, SIG, on ? 1 : 0);
  }
}
