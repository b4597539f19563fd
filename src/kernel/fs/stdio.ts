// The host's stdin/stdout/stderr as LibOS files (untrusted, ocall-like; Occlum's fs/stdio).
// stdin is read ahead by one host read at a time into a kernel buffer, so that it can be polled.
import { fail } from '../errno.js';
import { HostError, type HostStdio } from '../../host/types.js';
import { FileDescription, type IoContext, type PollState } from './file.js';
import { O_NONBLOCK, O_RDONLY, O_WRONLY } from './flags.js';
import { S_IFCHR, S_IFIFO, type Stat } from './inode.js';
import { WaitQueue, waitUntil } from '../process/wait-queue.js';

/** Host stdin with a read-ahead buffer; one per kernel (every process shares the stream). */
export class HostInput {
  private chunks: Uint8Array[] = [];
  private eof = false;
  private error: string | undefined;
  private reading = false;
  readonly events = new WaitQueue();

  constructor(private readonly host: HostStdio) {}

  get buffered(): number { return this.chunks.reduce((a, c) => a + c.length, 0); }
  get ready(): boolean { return this.chunks.length > 0 || this.eof || this.error !== undefined; }

  /** Starts one host read if nothing is buffered. */
  fill(): void {
    if (this.reading || this.ready) return;
    this.reading = true;
    const tmp = new Uint8Array(65536);
    this.host.read(tmp).then(
      (n) => { if (n === 0) this.eof = true; else this.chunks.push(tmp.subarray(0, n)); },
      (e: unknown) => { this.error = e instanceof HostError ? e.message : String(e); },
    ).finally(() => { this.reading = false; this.events.notify(); });
  }

  take(buf: Uint8Array): number {
    if (this.error !== undefined && this.chunks.length === 0) fail('EIO', `stdin: ${this.error}`);
    let n = 0;
    while (n < buf.length && this.chunks.length) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, buf.length - n);
      buf.set(c.subarray(0, k), n);
      n += k;
      if (k === c.length) this.chunks.shift(); else this.chunks[0] = c.subarray(k);
    }
    return n;
  }
}

export class StdioFile extends FileDescription {
  readonly kind = 'stdio';
  constructor(private readonly host: HostStdio, readonly hostFd: 0 | 1 | 2, private readonly clock: () => bigint, private readonly input?: HostInput) {
    super(hostFd === 0 ? O_RDONLY : O_WRONLY);
    this.path = `/dev/${hostFd === 0 ? 'stdin' : hostFd === 1 ? 'stdout' : 'stderr'}`;
  }

  async stat(): Promise<Stat> {
    const now = this.clock();
    const tty = this.host.isatty(this.hostFd);
    return {
      dev: 0, ino: this.hostFd + 1, mode: (tty ? S_IFCHR : S_IFIFO) | 0o620, nlink: 1, uid: 0, gid: 0, rdev: 0,
      size: 0, blksize: 4096, blocks: 0, atimeNs: now, mtimeNs: now, ctimeNs: now,
    };
  }

  override async read(buf: Uint8Array, ctx?: IoContext): Promise<number> {
    const input = this.input;
    if (this.hostFd !== 0 || !input) fail('EBADF');
    if (buf.length === 0) return 0;
    if (!input.ready) {
      input.fill();
      if (this.flags & O_NONBLOCK || !ctx) fail('EAGAIN');
      await waitUntil(ctx, [input.events], () => (input.ready ? true : undefined));
    }
    return input.take(buf);
  }

  override async write(data: Uint8Array): Promise<number> {
    if (this.hostFd === 0) fail('EBADF');
    try {
      return this.host.write(this.hostFd, data);
    } catch (e) {
      if (e instanceof HostError) fail(e.code === 'EPIPE' ? 'EPIPE' : 'EIO', `stdout/stderr: ${e.message}`);
      throw e;
    }
  }

  override poll(): PollState {
    if (this.hostFd !== 0 || !this.input) return { readable: false, writable: true, hangup: false, error: false };
    this.input.fill();
    return { readable: this.input.ready, writable: false, hangup: false, error: false };
  }

  override pollQueue(): WaitQueue | undefined { return this.input?.events; }
  override bytesAvailable(): number { return this.input?.buffered ?? 0; }
  override isatty(): boolean { return this.host.isatty(this.hostFd); }
  winsize(): { rows: number; cols: number } | undefined { return this.host.winsize(this.hostFd); }
}
