// Signal generation and delivery (Linux's kernel/signal.c, reduced to what a LibOS needs):
// generation checks the disposition; default actions are carried out by the kernel; caught
// signals are left pending for the thread, which runs the handler inside the program at its
// next syscall exit (the worker calls the SDK's trampoline, which calls sigdeliver/sigreturn).
import type { Process, Thread } from './process.js';
import { defaultAction, signalName, waitStatus, SIGCHLD, SIGCONT, SIGKILL, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU } from './signals.js';
import {
  SIG_DFL, SIG_IGN, SA_NODEFER, SA_RESETHAND, SA_NOCLDSTOP, SI_KERNEL, SI_USER, CLD_STOPPED, CLD_CONTINUED,
  UNBLOCKABLE, bit, lowestSignal, type SigAction, type SigInfo,
} from './signal-state.js';

export function userInfo(sig: number, sender?: Process): SigInfo {
  return { signo: sig, code: sender ? SI_USER : SI_KERNEL, pid: sender?.pid ?? 0, uid: 0, status: 0, errno: 0, value: 0 };
}

/** Is `sig` ignored at generation time (SIG_IGN, or SIG_DFL whose default is to ignore)? */
function ignored(p: Process, sig: number): boolean {
  const a = p.signalActions.get(sig);
  if (a.handler === SIG_IGN) return true;
  return a.handler === SIG_DFL && defaultAction(sig) === 'ignore';
}

/** Sends `sig` to process `p` (kill(2) semantics; the caller checked permissions and sig range). */
export async function sendSignal(p: Process, sig: number, info: SigInfo): Promise<void> {
  if (!p.alive || sig === 0) return;
  const k = p.kernel;
  k.log.debug(`[pid ${p.pid}] signal ${signalName(sig)} from pid ${info.pid}`);
  if (sig === SIGKILL) { await killProcess(p, sig, false); return; }
  if (sig === SIGCONT) continueProcess(p);
  if (sig === SIGSTOP || sig === SIGTSTP || sig === SIGTTIN || sig === SIGTTOU) p.pending &= ~bit(SIGCONT);
  if (ignored(p, sig)) return;
  p.pending |= bit(sig);
  p.pendingInfo.set(sig, info);
  await recheckSignals(p);
}

/** Acts on pending signals after a change (new signal, mask change): default actions now, hints for handlers. */
export async function recheckSignals(p: Process): Promise<void> {
  for (const t of p.threads) {
    const ready = t.deliverable();
    if (ready === 0n) { t.channel.setSignalPending(false); continue; }
    // Default actions are the kernel's to carry out, whatever the thread is doing.
    for (let s = lowestSignal(ready), rest = ready; s !== 0; rest &= ~bit(s), s = lowestSignal(rest)) {
      const a = p.signalActions.get(s);
      if (a.handler !== SIG_DFL) continue;
      const act = defaultAction(s);
      consume(t, s);
      if (act === 'terminate' || act === 'core') { await killProcess(p, s, act === 'core'); return; }
      if (act === 'stop') stopProcess(p, s);
    }
    t.signalsChanged();
  }
}

function consume(t: Thread, sig: number): SigInfo {
  const p = t.process;
  const b = bit(sig);
  let info: SigInfo | undefined;
  if (t.pending & b) t.pending &= ~b;
  else { p.pending &= ~b; info = p.pendingInfo.get(sig); p.pendingInfo.delete(sig); }
  return info ?? userInfo(sig);
}

/** Dequeues the lowest deliverable signal in `allowed` (sigtimedwait, or delivery). */
export function dequeueSignal(t: Thread, allowed: bigint): { sig: number; info: SigInfo } | undefined {
  const set = (t.pending | t.process.pending) & allowed;
  const sig = lowestSignal(set);
  if (sig === 0) return undefined;
  const info = consume(t, sig);
  t.signalsChanged();
  return { sig, info };
}

/**
 * Picks the next caught signal for the handler trampoline: blocks the handler's mask (and the
 * signal itself unless SA_NODEFER), applies SA_RESETHAND, and saves the mask for sigreturn.
 */
export function beginDelivery(t: Thread): { sig: number; info: SigInfo; action: SigAction } | undefined {
  const p = t.process;
  for (;;) {
    const ready = t.deliverable();
    const sig = lowestSignal(ready);
    if (sig === 0) { t.signalsChanged(); return undefined; }
    const action = { ...p.signalActions.get(sig) };
    const info = consume(t, sig);
    if (action.handler === SIG_DFL || action.handler === SIG_IGN) continue; // changed meanwhile
    t.savedMasks.push(t.suspendRestore ?? t.mask);
    t.suspendRestore = undefined;
    t.mask |= (action.mask | (action.flags & SA_NODEFER ? 0n : bit(sig))) & ~UNBLOCKABLE;
    if (action.flags & SA_RESETHAND) p.signalActions.set(sig, { handler: SIG_DFL, flags: 0, mask: 0n });
    t.signalsChanged();
    return { sig, info, action };
  }
}

/** sigreturn: the handler finished; restore the mask saved at delivery. */
export async function endDelivery(t: Thread): Promise<void> {
  const m = t.savedMasks.pop();
  if (m !== undefined) t.mask = m;
  await recheckSignals(t.process);
}

/** Ends the process as if killed by `sig` (default action, or SIGKILL). */
export async function killProcess(p: Process, sig: number, core: boolean): Promise<void> {
  if (!p.alive) return;
  p.kernel.log.info(`[pid ${p.pid}] killed by ${signalName(sig)}`);
  for (const t of p.threads) t.runner.kill();
  await p.terminate(waitStatus.signaled(sig, core), `killed by ${signalName(sig)}`);
}

function stopProcess(p: Process, sig: number): void {
  if (p.state !== 'running') return;
  p.state = 'stopped';
  p.stopReport = sig;
  p.continueReport = false;
  notifyParent(p, CLD_STOPPED, sig);
}

function continueProcess(p: Process): void {
  if (p.state !== 'stopped') return;
  p.state = 'running';
  p.stopReport = undefined;
  p.continueReport = true;
  p.continued.notify();
  notifyParent(p, CLD_CONTINUED, SIGCONT);
}

/** SIGCHLD + wake wait4 for a stop/continue (exit is reported by the kernel's exit path). */
function notifyParent(p: Process, code: number, status: number): void {
  const parent = p.parent;
  if (!parent || !parent.alive) return;
  parent.childEvents.notify();
  if (parent.signalActions.get(SIGCHLD).flags & SA_NOCLDSTOP) return;
  void sendSignal(parent, SIGCHLD, { signo: SIGCHLD, code, pid: p.pid, uid: 0, status, errno: 0, value: 0 });
}
