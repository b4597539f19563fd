// Wait queues (Linux's wait_queue_head_t / Occlum's WaiterQueue): a blocked syscall parks on
// one or more queues and re-checks its condition whenever any of them is notified.
import { fail } from '../errno.js';

export class WaitQueue {
  private readonly waiters = new Set<() => void>();

  /** Wakes every waiter; each re-checks its own condition. */
  notify(): void {
    if (this.waiters.size === 0) return;
    for (const w of [...this.waiters]) w();
  }

  add(w: () => void): void { this.waiters.add(w); }
  remove(w: () => void): void { this.waiters.delete(w); }
  get size(): number { return this.waiters.size; }
}

/** What can interrupt a wait: a signal for the thread, the thread's end, a deadline. */
export interface Interruptible {
  /** Queue notified when a signal becomes deliverable to the thread, or the thread dies. */
  readonly interrupts: WaitQueue;
  /** Non-undefined when the wait must stop: 'signal' (EINTR) or 'dead'. */
  interruption(): 'signal' | 'dead' | undefined;
  /** Told when a wait ends with EINTR because of a signal (for SA_RESTART). */
  noteInterrupted(): void;
  setTimer(ms: number, fn: () => void): () => void;
  monotonicNs(): bigint;
}

export const TIMED_OUT = Symbol('timed out');

/**
 * Waits until `cond()` returns a value other than undefined, re-checking when any queue is
 * notified. Throws SysError EINTR when interrupted by a signal (the caller decides about
 * restarts), resolves TIMED_OUT at `deadlineNs` (monotonic). A dead thread gets EINTR too:
 * nobody will see the result.
 */
export async function waitUntil<T>(
  t: Interruptible, queues: readonly WaitQueue[], cond: () => T | undefined, deadlineNs?: bigint, interruptible = true,
): Promise<T | typeof TIMED_OUT> {
  for (;;) {
    const v = cond();
    if (v !== undefined) return v;
    const why = t.interruption();
    if (why === 'dead') fail('EINTR', 'thread ended');
    if (why === 'signal' && interruptible) { t.noteInterrupted(); fail('EINTR', 'interrupted by a signal'); }
    let timedOut = false;
    const all = [...queues, t.interrupts];
    let wake: () => void = () => {};
    let cancelTimer: (() => void) | undefined;
    await new Promise<void>((resolve) => {
      wake = resolve;
      for (const q of all) q.add(wake);
      if (deadlineNs !== undefined) {
        const ms = Number((deadlineNs - t.monotonicNs()) / 1000000n);
        cancelTimer = t.setTimer(Math.max(0, ms) + 1, () => { timedOut = true; resolve(); });
      }
    });
    for (const q of all) q.remove(wake);
    cancelTimer?.();
    if (timedOut || (deadlineNs !== undefined && t.monotonicNs() >= deadlineNs)) {
      const v2 = cond();
      return v2 !== undefined ? v2 : TIMED_OUT;
    }
  }
}
