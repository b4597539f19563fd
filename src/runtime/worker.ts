// The body of a process worker: instantiates one Wasm program on a shared memory and runs it.
// Every import is a stub that forwards its arguments over the SyscallChannel, except the
// vDSO fast paths. The worker stays alive after the program ends so that it can be reused.
import { parentPort } from 'node:worker_threads';
import { SyscallChannel } from './channel.js';
import { vdsoFunctions } from './vdso.js';
import type { StartMessage, WorkerReport } from './protocol.js';

/** Thrown by the proc_exit stub to unwind the program's stack. */
class ProcessExit {
  constructor(readonly code: number) {}
}

const SIGILL = 4, SIGFPE = 8, SIGSEGV = 11;

function classifyTrap(e: unknown): { signal: number; message: string } {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof RangeError && /call stack/i.test(message)) return { signal: SIGSEGV, message: 'stack overflow' };
  if (e instanceof WebAssembly.RuntimeError) {
    if (/unreachable/i.test(message)) return { signal: SIGILL, message: 'unreachable executed (abort or trap)' };
    if (/divide by zero|remainder by zero|integer overflow|unrepresentable|float/i.test(message)) return { signal: SIGFPE, message };
    return { signal: SIGSEGV, message };
  }
  return { signal: SIGSEGV, message: `runtime error: ${message}` };
}

function run(msg: StartMessage): WorkerReport {
  const channel = new SyscallChannel(msg.channel);
  const fast = vdsoFunctions({ memory: msg.memory, argv: msg.argv, env: msg.env, startNs: process.hrtime.bigint() });
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  const exitIndex = msg.calls['wasi_snapshot_preview1.proc_exit'];
  // Signal handlers run inside the program through the SDK's exported trampoline; set after instantiation.
  let signalEntry: (() => void) | undefined;
  let delivering = false;
  const runHandlers = () => {
    if (!signalEntry || delivering) return;
    delivering = true;
    try { signalEntry(); } finally { delivering = false; }
  };

  for (const imp of WebAssembly.Module.imports(msg.module)) {
    const ns = (imports[imp.module] ??= {});
    const key = `${imp.module}.${imp.name}`;
    if (imp.kind === 'memory') { ns[imp.name] = msg.memory; continue; }
    if (imp.kind !== 'function') return { type: 'failed', message: `unsupported import ${key} (${imp.kind})` };
    const f = fast[key];
    if (f) { ns[imp.name] = f as (...args: unknown[]) => number; continue; }
    const index = msg.calls[key];
    if (index === undefined) return { type: 'failed', message: `the LibOS does not provide ${key}` };
    if (index === exitIndex) {
      ns[imp.name] = (code: number) => { channel.call(index, [code]); throw new ProcessExit(code); };
      continue;
    }
    ns[imp.name] = (...args: (number | bigint)[]) => {
      for (let i = 0; i < args.length; i++) {
        const v = args[i];
        if (typeof v === 'bigint') { channel.setExact(i, v); args[i] = Number(v); }
      }
      for (;;) {
        const r = channel.call(index, args as number[]);
        if (!channel.signalPending() || !signalEntry || delivering) return r;
        const restart = channel.restartRequested(); // read before the handlers' own calls overwrite it
        runHandlers();
        if (!restart) return r;
      }
    };
  }

  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(msg.module, imports);
  } catch (e) {
    return { type: 'failed', message: `cannot instantiate: ${e instanceof Error ? e.message : String(e)}` };
  }
  const entry = instance.exports['__occlum_signal_entry'];
  if (typeof entry === 'function') signalEntry = entry as () => void;
  const start = instance.exports['_start'];
  if (typeof start !== 'function') return { type: 'failed', message: 'the program has no _start export (is it a WASI command?)' };
  try {
    (start as () => void)();
  } catch (e) {
    if (e instanceof ProcessExit) return { type: 'exited', code: e.code };
    const trap = classifyTrap(e);
    // The SDK records why it trapped on purpose (abort() -> SIGABRT, as on Linux).
    const why = instance.exports['__occlum_trap_signal'];
    if (typeof why === 'function') {
      try {
        const sig = (why as () => number)();
        if (sig > 0 && sig < 65) return { type: 'trapped', signal: sig, message: sig === 6 ? 'aborted' : trap.message };
      } catch { /* the program's state is unusable: keep the trap's own classification */ }
    }
    return { type: 'trapped', ...trap };
  }
  // _start returned without proc_exit: exit(0), told to the kernel like any exit.
  if (exitIndex !== undefined) channel.call(exitIndex, [0]);
  return { type: 'exited', code: 0 };
}

parentPort!.on('message', (msg: StartMessage) => {
  parentPort!.postMessage(run(msg));
});
