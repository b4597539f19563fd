// Time syscalls: clock_gettime, clock_getres, nanosleep/clock_nanosleep.
import { fail } from '../errno.js';
import type { Thread } from '../process/process.js';

export const CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3,
  CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7;
export const TIMER_ABSTIME = 1;

export function sysClockGettime(t: Thread, clock: number): bigint {
  const c = t.kernel.host.clock;
  switch (clock) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: return c.realtimeNs();
    case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME: return c.monotonicNs();
    case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID: return c.monotonicNs() - t.process.startNs;
    default: fail('EINVAL', `clock ${clock}`);
  }
}

export function sysClockGetres(_t: Thread, clock: number): bigint {
  if (clock < 0 || clock > CLOCK_BOOTTIME) fail('EINVAL');
  return clock === CLOCK_REALTIME_COARSE || clock === CLOCK_MONOTONIC_COARSE ? 4000000n : 1n;
}

/** Sleeps until `deadline` on `clock` (absolute) or for `ns` (relative). */
export async function sysClockNanosleep(t: Thread, clock: number, flags: number, ns: bigint): Promise<number> {
  if (ns < 0n) fail('EINVAL');
  const now = sysClockGettime(t, clock);
  const wait = flags & TIMER_ABSTIME ? ns - now : ns;
  if (wait > 0n) await t.kernel.sleep(t, wait, true);
  return 0;
}
