// Readiness waiting: ppoll/poll/select and WASI poll_oneoff. Regular files are always ready
// (as on Linux); pipes, eventfds and stdin report readiness and notify their wait queues.
import { fail } from '../errno.js';
import type { Thread } from '../process/process.js';
import { waitUntil, TIMED_OUT, type WaitQueue } from '../process/wait-queue.js';

export const POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20,
  POLLRDNORM = 0x40, POLLWRNORM = 0x100;

export interface PollRequest { fd: number; events: number }

/** Returns revents for each request (0 = not ready), without waiting. */
export function pollOnce(t: Thread, reqs: readonly PollRequest[]): number[] {
  return reqs.map(({ fd, events }) => {
    if (fd < 0) return 0;
    if (!t.process.fds.has(fd)) return POLLNVAL;
    const s = t.process.fds.get(fd).poll();
    let r = 0;
    if ((events & (POLLIN | POLLRDNORM)) && s.readable) r |= events & (POLLIN | POLLRDNORM);
    if ((events & (POLLOUT | POLLWRNORM)) && s.writable) r |= events & (POLLOUT | POLLWRNORM);
    if (s.hangup) r |= POLLHUP;
    if (s.error) r |= POLLERR;
    return r;
  });
}

/**
 * Waits until some request is ready or `timeoutNs` passes (undefined = forever).
 * Interrupted by signals (EINTR, never restarted: Linux's poll semantics).
 */
export async function pollWait(t: Thread, reqs: readonly PollRequest[], timeoutNs: bigint | undefined): Promise<number[]> {
  if (reqs.length > t.process.fds.limit) fail('EINVAL');
  const queues: WaitQueue[] = [];
  for (const { fd } of reqs) {
    if (fd >= 0 && t.process.fds.has(fd)) {
      const q = t.process.fds.get(fd).pollQueue();
      if (q && !queues.includes(q)) queues.push(q);
    }
  }
  const deadline = timeoutNs === undefined ? undefined : t.kernel.host.clock.monotonicNs() + timeoutNs;
  const ready = () => { const r = pollOnce(t, reqs); return r.some((x) => x !== 0) ? r : undefined; };
  if (timeoutNs === 0n) return pollOnce(t, reqs);
  const r = await waitUntil(t, queues, ready, deadline);
  return r === TIMED_OUT ? reqs.map(() => 0) : r;
}
