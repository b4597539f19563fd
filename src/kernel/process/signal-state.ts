// Signal dispositions, masks and pending sets (Linux semantics for standard signals: one
// pending instance per signal, the latest siginfo kept).
import { NSIG, SIGKILL, SIGSTOP } from './signals.js';

/**
 * Handler values. In wasm32 a function pointer is a table index and index 1 is a real function,
 * so SIG_IGN cannot be Linux's 1: the ABI (and the SDK's signal.h) use (void (*)(int))-2.
 */
export const SIG_DFL = 0, SIG_IGN = -2;
export const SA_NOCLDSTOP = 0x1, SA_NOCLDWAIT = 0x2, SA_SIGINFO = 0x4, SA_ONSTACK = 0x08000000,
  SA_RESTART = 0x10000000, SA_NODEFER = 0x40000000, SA_RESETHAND = 0x80000000;
export const SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;

// siginfo si_code values
export const SI_USER = 0, SI_KERNEL = 0x80, SI_TIMER = -2;
export const CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_STOPPED = 5, CLD_CONTINUED = 6;

export interface SigAction { handler: number; flags: number; mask: bigint }
export interface SigInfo { signo: number; code: number; pid: number; uid: number; status: number; errno: number; value: number }

export const bit = (sig: number): bigint => 1n << BigInt(sig - 1);
/** SIGKILL and SIGSTOP can be neither caught, blocked nor ignored. */
export const UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP);
export const ALL_SIGNALS = (1n << BigInt(NSIG)) - 1n;

export function lowestSignal(set: bigint): number {
  if (set === 0n) return 0;
  for (let s = 1; s <= NSIG; s++) if (set & bit(s)) return s;
  return 0;
}

/** Per-process dispositions (shared by its threads; inherited across spawn as Linux does across fork+exec). */
export class SignalActions {
  readonly actions: SigAction[] = Array.from({ length: NSIG + 1 }, () => ({ handler: SIG_DFL, flags: 0, mask: 0n }));

  get(sig: number): SigAction { return this.actions[sig]!; }
  set(sig: number, a: SigAction): void { this.actions[sig] = { ...a }; }

  /** After execve (and for a spawned child): caught signals go back to default; ignored stay ignored. */
  resetCaught(): SignalActions {
    const n = new SignalActions();
    this.actions.forEach((a, i) => { if (a.handler === SIG_IGN) n.actions[i] = { handler: SIG_IGN, flags: 0, mask: 0n }; });
    return n;
  }
}
