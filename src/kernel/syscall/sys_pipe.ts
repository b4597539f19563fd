// pipe2 and eventfd2: in-kernel IPC objects.
import { fail } from '../errno.js';
import type { Thread } from '../process/process.js';
import { createPipe } from '../fs/pipe.js';
import { EventFd, EFD_SEMAPHORE } from '../fs/eventfd.js';
import { O_CLOEXEC, O_NONBLOCK } from '../fs/flags.js';

export function sysPipe2(t: Thread, flags: number): [number, number] {
  if (flags & ~(O_CLOEXEC | O_NONBLOCK)) fail('EINVAL');
  const [r, w] = createPipe(t.kernel.host.clock.realtimeNs(), flags);
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const fds = t.process.fds;
  const rfd = fds.alloc(r, cloexec);
  let wfd: number;
  try {
    wfd = fds.alloc(w, cloexec);
  } catch (e) {
    void fds.close(rfd);
    throw e;
  }
  return [rfd, wfd];
}

export function sysEventfd2(t: Thread, initval: number, flags: number): number {
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE)) fail('EINVAL');
  const f = new EventFd(initval, flags, (flags & EFD_SEMAPHORE) !== 0);
  return t.process.fds.alloc(f, (flags & O_CLOEXEC) !== 0);
}
