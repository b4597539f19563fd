// Kernel-side handle on a process worker: starts a program in a worker thread from the pool,
// reports how it ended, and terminates it on SIGKILL-like events.
import { Worker } from 'node:worker_threads';
import type { StartMessage, WorkerReport } from './protocol.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);

export type RunnerReport = WorkerReport | { type: 'killed' };

/**
 * Idle workers kept warm, so that spawn does not pay thread start-up (~10-30 ms). A finished
 * program's worker goes back to the pool (up to `maxIdle`); refills happen off the spawn path.
 */
export class WorkerPool {
  private readonly idle: Worker[] = [];
  private closed = false;
  private refilling = false;
  constructor(private readonly warm = 2, private readonly maxIdle = 8) {}

  acquire(): Worker {
    const w = this.idle.pop() ?? this.create();
    this.scheduleRefill();
    w.ref();
    return w;
  }

  release(w: Worker): void {
    if (!this.closed && this.idle.length < this.maxIdle) { w.unref(); this.idle.push(w); } else void w.terminate();
  }

  prestart(): void { this.refill(); }

  get idleCount(): number { return this.idle.length; }

  async shutdown(): Promise<void> {
    this.closed = true;
    const ws = this.idle.splice(0);
    await Promise.all(ws.map((w) => w.terminate()));
  }

  private scheduleRefill(): void {
    if (this.refilling || this.closed || this.idle.length >= this.warm) return;
    this.refilling = true;
    setImmediate(() => { this.refilling = false; this.refill(); });
  }

  private refill(): void {
    while (!this.closed && this.idle.length < this.warm) {
      const w = this.create();
      w.unref();
      this.idle.push(w);
    }
  }

  private create(): Worker {
    const w = new Worker(WORKER_URL);
    w.on('error', () => { /* reported through ProcessRunner; idle workers just die */ });
    return w;
  }
}

export class ProcessRunner {
  private worker: Worker | undefined;
  private settle: ((r: RunnerReport) => void) | undefined;
  private readonly done: Promise<RunnerReport>;

  constructor(private readonly pool: WorkerPool) {
    this.done = new Promise((resolve) => { this.settle = resolve; });
  }

  /** Starts the program; the promise resolves once, when the worker reports or is terminated. */
  start(msg: StartMessage): Promise<RunnerReport> {
    const w = (this.worker = this.pool.acquire());
    const onMessage = (r: WorkerReport) => { cleanup(); this.finish(r); this.pool.release(w); };
    const onError = (e: Error) => { cleanup(); this.finish({ type: 'failed', message: e.message }); void w.terminate(); };
    const onExit = () => { cleanup(); this.finish({ type: 'killed' }); };
    const cleanup = () => { w.off('message', onMessage); w.off('error', onError); w.off('exit', onExit); };
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
    w.postMessage(msg);
    return this.done;
  }

  /** Stops the program at once, wherever it is (SIGKILL, or a fatal signal's default action). */
  kill(): void {
    const w = this.worker;
    if (!w) return;
    this.worker = undefined;
    void w.terminate();
  }

  private finish(r: RunnerReport): void {
    this.worker = undefined;
    const s = this.settle;
    this.settle = undefined;
    s?.(r);
  }
}
