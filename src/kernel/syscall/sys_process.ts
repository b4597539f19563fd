// Process syscalls available before multi-process lands: exit_group, getpid/getppid, kill/tgkill (self).
import { fail } from '../errno.js';
import type { Thread } from '../process/process.js';
import { NSIG } from '../process/signals.js';

export async function sysExitGroup(t: Thread, code: number): Promise<number> {
  await t.process.exit(code);
  return 0;
}

export function sysGetpid(t: Thread): number { return t.process.pid; }
export function sysGetppid(t: Thread): number { return t.process.ppid; }
export function sysGettid(t: Thread): number { return t.tid; }

export async function sysKill(t: Thread, pid: number, sig: number): Promise<number> {
  if (sig < 0 || sig > NSIG) fail('EINVAL');
  const target = t.kernel.processes.get(pid);
  if (!target || !target.alive) fail('ESRCH');
  if (sig !== 0) await t.kernel.signal(target, sig);
  return 0;
}
