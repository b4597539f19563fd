// Readiness waiting (poll family). Files, directories and stdout are always ready, like Linux's
// regular files; pollable objects report readiness through FileDescription.poll().
import type { Thread } from '../process/process.js';

export const POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;

export interface PollRequest { fd: number; events: number }

/** Returns revents for each request (0 = not ready), without waiting. */
export function pollOnce(t: Thread, reqs: PollRequest[]): number[] {
  return reqs.map(({ fd, events }) => {
    if (fd < 0) return 0;
    if (!t.process.fds.has(fd)) return POLLNVAL;
    const s = t.process.fds.get(fd).poll();
    let r = 0;
    if ((events & POLLIN) && s.readable) r |= POLLIN;
    if ((events & POLLOUT) && s.writable) r |= POLLOUT;
    if (s.hangup) r |= POLLHUP;
    if (s.error) r |= POLLERR;
    return r;
  });
}

/** Waits until some request is ready or `timeoutNs` passes (undefined = forever). */
export async function pollWait(t: Thread, reqs: PollRequest[], timeoutNs: bigint | undefined): Promise<number[]> {
  const deadline = timeoutNs === undefined ? undefined : t.kernel.host.clock.monotonicNs() + timeoutNs;
  for (;;) {
    const r = pollOnce(t, reqs);
    if (r.some((x) => x !== 0)) return r;
    const now = t.kernel.host.clock.monotonicNs();
    if (deadline !== undefined && now >= deadline) return r;
    // Nothing pollable blocks yet (pipes and sockets come later): sleep to the deadline in slices.
    const slice = deadline === undefined ? 10_000_000n : deadline - now < 10_000_000n ? deadline - now : 10_000_000n;
    await t.kernel.sleep(t, slice);
    if (!t.process.alive) return r;
  }
}
