// Misc syscalls: getrandom, uname, sched_yield.
import { fail } from '../errno.js';
import type { Thread } from '../process/process.js';

export const GRND_NONBLOCK = 1, GRND_RANDOM = 2, GRND_INSECURE = 4;

export function sysGetrandom(t: Thread, buf: Uint8Array, flags: number): number {
  if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) fail('EINVAL');
  t.kernel.host.randomFill(buf);
  return buf.length;
}

export function sysSchedYield(_t: Thread): number { return 0; }

export interface Utsname { sysname: string; nodename: string; release: string; version: string; machine: string; domainname: string }

export function sysUname(t: Thread): Utsname {
  return { sysname: 'Linux', nodename: t.kernel.hostname, release: '5.15.0-occlum-ts', version: '#1 SMP occlum-ts', machine: 'wasm32', domainname: '(none)' };
}
