// Signal syscalls: kill/tgkill, rt_sigaction, rt_sigprocmask, rt_sigpending, rt_sigsuspend,
// rt_sigtimedwait, alarm, setitimer/getitimer, and the delivery pair used by the SDK trampoline.
import { fail } from '../errno.js';
import type { Process, Thread } from '../process/process.js';
import { NSIG, SIGALRM, SIGKILL, SIGSTOP } from '../process/signals.js';
import {
  SIG_BLOCK, SIG_SETMASK, SIG_UNBLOCK, SI_TIMER, UNBLOCKABLE, ALL_SIGNALS, SIG_IGN, SIG_DFL, bit,
  type SigAction, type SigInfo,
} from '../process/signal-state.js';
import { beginDelivery, dequeueSignal, endDelivery, recheckSignals, userInfo } from '../process/signal-delivery.js';
import { waitUntil, TIMED_OUT } from '../process/wait-queue.js';

function checkSig(sig: number): void {
  if (!Number.isInteger(sig) || sig < 0 || sig > NSIG) fail('EINVAL', `signal ${sig}`);
}

/** kill(2): pid > 0 one process; 0 our group; -1 everyone but init and us; < -1 group -pid. */
export async function sysKill(t: Thread, pid: number, sig: number): Promise<number> {
  checkSig(sig);
  const k = t.kernel;
  const info = userInfo(sig, t.process);
  if (pid > 0) {
    const p = k.processes.get(pid);
    if (!p || !p.alive) fail('ESRCH');
    await k.signal(p, sig, info);
    return 0;
  }
  const targets: Process[] = [];
  for (const p of k.processes.values()) {
    if (!p.alive) continue;
    if (pid === 0 && p.pgid === t.process.pgid) targets.push(p);
    else if (pid === -1 && p.pid !== 1 && p !== t.process) targets.push(p);
    else if (pid < -1 && p.pgid === -pid) targets.push(p);
  }
  if (targets.length === 0) fail('ESRCH');
  for (const p of targets) await k.signal(p, sig, info);
  return 0;
}

export async function sysTgkill(t: Thread, tgid: number, tid: number, sig: number): Promise<number> {
  if (tgid <= 0 || tid <= 0) fail('EINVAL');
  const p = t.kernel.processes.get(tgid);
  if (!p || !p.alive || !p.threads.some((x) => x.tid === tid)) fail('ESRCH');
  return sysKill(t, tgid, sig);
}

export async function sysRtSigaction(t: Thread, sig: number, act: SigAction | undefined): Promise<SigAction> {
  checkSig(sig);
  if (sig === 0) fail('EINVAL');
  const p = t.process;
  const old = { ...p.signalActions.get(sig) };
  if (act) {
    if (sig === SIGKILL || sig === SIGSTOP) fail('EINVAL', 'SIGKILL and SIGSTOP cannot be caught or ignored');
    p.signalActions.set(sig, { handler: act.handler, flags: act.flags, mask: act.mask & ~UNBLOCKABLE & ALL_SIGNALS });
    // Setting SIG_IGN (or SIG_DFL for an ignore-by-default signal) discards it if pending (POSIX).
    if (act.handler === SIG_IGN || act.handler === SIG_DFL) await recheckSignals(p);
    if (act.handler === SIG_IGN) { p.pending &= ~bit(sig); for (const th of p.threads) { th.pending &= ~bit(sig); th.signalsChanged(); } }
  }
  return old;
}

export async function sysRtSigprocmask(t: Thread, how: number, set: bigint | undefined): Promise<bigint> {
  const old = t.mask;
  if (set !== undefined) {
    switch (how) {
      case SIG_BLOCK: t.mask |= set; break;
      case SIG_UNBLOCK: t.mask &= ~set; break;
      case SIG_SETMASK: t.mask = set; break;
      default: fail('EINVAL', `how ${how}`);
    }
    t.mask &= ~UNBLOCKABLE & ALL_SIGNALS;
    await recheckSignals(t.process);
  }
  return old;
}

export function sysRtSigpending(t: Thread): bigint {
  return (t.pending | t.process.pending) & t.mask;
}

/** Replaces the mask and waits for a signal whose handler then runs; always returns EINTR. */
export async function sysRtSigsuspend(t: Thread, mask: bigint): Promise<number> {
  const old = t.mask;
  t.mask = mask & ~UNBLOCKABLE & ALL_SIGNALS;
  t.suspendRestore = old;
  await recheckSignals(t.process);
  try {
    await waitUntil(t, [], () => undefined);
  } finally {
    // No handler ran (the process died, or only default actions happened): restore now.
    if (t.suspendRestore !== undefined && t.deliverable() === 0n) { t.mask = old; t.suspendRestore = undefined; }
  }
  return fail('EINTR');
}

/** Waits for one of `set` (normally blocked) and dequeues it without running a handler. */
export async function sysRtSigtimedwait(t: Thread, set: bigint, timeoutNs: bigint | undefined): Promise<SigInfo> {
  const want = set & ~UNBLOCKABLE;
  const take = () => dequeueSignal(t, want);
  const now = t.kernel.host.clock.monotonicNs();
  const r = timeoutNs === 0n ? take() ?? TIMED_OUT : await waitUntil(t, [t.interrupts], take, timeoutNs === undefined ? undefined : now + timeoutNs);
  if (r === TIMED_OUT || r === undefined) fail('EAGAIN');
  return r.info;
}

/** Called by the SDK trampoline: the next caught signal to run, or undefined. */
export function sysSigdeliver(t: Thread): { sig: number; info: SigInfo; action: SigAction } | undefined {
  return beginDelivery(t);
}

export async function sysSigreturn(t: Thread): Promise<number> {
  await endDelivery(t);
  return 0;
}

// ---- timers ----

export const ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2;
export interface ItimerVal { intervalNs: bigint; valueNs: bigint }

function armReal(p: Process, valueNs: bigint, intervalNs: bigint): void {
  p.realTimer?.cancel();
  p.realTimer = undefined;
  if (valueNs <= 0n) return;
  const k = p.kernel;
  const deadlineNs = k.host.clock.monotonicNs() + valueNs;
  const cancel = k.host.clock.setTimer(Math.max(1, Number((valueNs + 999999n) / 1000000n)), () => {
    p.realTimer = undefined;
    void k.signal(p, SIGALRM, { signo: SIGALRM, code: SI_TIMER, pid: 0, uid: 0, status: 0, errno: 0, value: 0 });
    if (intervalNs > 0n && p.alive) armReal(p, intervalNs, intervalNs);
  });
  p.realTimer = { cancel, deadlineNs, intervalNs };
}

export function sysGetitimer(t: Thread, which: number): ItimerVal {
  if (which !== ITIMER_REAL) fail('EINVAL', 'only ITIMER_REAL is supported');
  const r = t.process.realTimer;
  if (!r) return { intervalNs: 0n, valueNs: 0n };
  const left = r.deadlineNs - t.kernel.host.clock.monotonicNs();
  return { intervalNs: r.intervalNs, valueNs: left > 0n ? left : 1000n };
}

export function sysSetitimer(t: Thread, which: number, v: ItimerVal): ItimerVal {
  const old = sysGetitimer(t, which);
  if (v.valueNs < 0n || v.intervalNs < 0n) fail('EINVAL');
  armReal(t.process, v.valueNs, v.intervalNs);
  return old;
}

export function sysAlarm(t: Thread, seconds: number): number {
  const old = sysGetitimer(t, ITIMER_REAL);
  armReal(t.process, BigInt(seconds >>> 0) * 1000000000n, 0n);
  // Linux rounds the remaining time to the nearest second, and reports at least 1 if any is left.
  if (old.valueNs === 0n) return 0;
  return Math.max(1, Number((old.valueNs + 500000000n) / 1000000000n));
}
