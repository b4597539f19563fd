// eventfd (Linux's fs/eventfd.c): a 64-bit counter; read returns and resets it (or decrements by
// one in semaphore mode), write adds; reads block at 0, writes block at overflow.
import { fail } from '../errno.js';
import { FileDescription, type IoContext, type PollState } from './file.js';
import { O_NONBLOCK, O_RDWR } from './flags.js';
import type { Stat } from './inode.js';
import { WaitQueue, waitUntil } from '../process/wait-queue.js';

export const EFD_SEMAPHORE = 1;
const MAX = 0xfffffffffffffffen;

export class EventFd extends FileDescription {
  readonly kind = 'eventfd';
  private count: bigint;
  private readonly events = new WaitQueue();

  constructor(initval: number, flags: number, private readonly semaphore: boolean) {
    super(O_RDWR | (flags & O_NONBLOCK));
    this.count = BigInt(initval >>> 0);
    this.path = 'anon_inode:[eventfd]';
  }

  async stat(): Promise<Stat> {
    return { dev: 0, ino: 0, mode: 0o600, nlink: 1, uid: 0, gid: 0, rdev: 0, size: 0, blksize: 4096, blocks: 0, atimeNs: 0n, mtimeNs: 0n, ctimeNs: 0n };
  }

  override async read(buf: Uint8Array, ctx?: IoContext): Promise<number> {
    if (buf.length < 8) fail('EINVAL');
    if (this.count === 0n) {
      if (this.flags & O_NONBLOCK || !ctx) fail('EAGAIN');
      await waitUntil(ctx, [this.events], () => (this.count > 0n ? true : undefined));
    }
    const v = this.semaphore ? 1n : this.count;
    this.count -= v;
    new DataView(buf.buffer, buf.byteOffset, 8).setBigUint64(0, v, true);
    this.events.notify();
    return 8;
  }

  override async write(data: Uint8Array, ctx?: IoContext): Promise<number> {
    if (data.length < 8) fail('EINVAL');
    const v = new DataView(data.buffer, data.byteOffset, 8).getBigUint64(0, true);
    if (v === 0xffffffffffffffffn) fail('EINVAL');
    if (this.count + v > MAX) {
      if (this.flags & O_NONBLOCK || !ctx) fail('EAGAIN');
      await waitUntil(ctx, [this.events], () => (this.count + v <= MAX ? true : undefined));
    }
    this.count += v;
    this.events.notify();
    return 8;
  }

  override poll(): PollState {
    return { readable: this.count > 0n, writable: this.count < MAX, hangup: false, error: false };
  }
  override pollQueue(): WaitQueue { return this.events; }
}
