// Pipes (Linux's fs/pipe.c): a 64 KiB ring buffer shared by a read end and a write end.
// Writes of at most PIPE_BUF bytes are atomic; a write with no reader left raises SIGPIPE and
// fails with EPIPE; a read with no writer left returns 0 (end of file).
import { fail } from '../errno.js';
import { FileDescription, type IoContext, type PollState } from './file.js';
import { O_NONBLOCK, O_RDONLY, O_WRONLY } from './flags.js';
import { S_IFIFO, type Stat } from './inode.js';
import { WaitQueue, waitUntil } from '../process/wait-queue.js';

export const PIPE_CAPACITY = 65536;
export const PIPE_BUF = 4096;

let nextPipeIno = 1;

export class PipeBuffer {
  private buf = new Uint8Array(PIPE_CAPACITY);
  private head = 0; // read position
  private len = 0;
  readers = 0;
  writers = 0;
  /** Notified on every state change (data, space, an end closing). */
  readonly events = new WaitQueue();
  readonly ino = nextPipeIno++;
  readonly ctimeNs: bigint;

  constructor(now: bigint) { this.ctimeNs = now; }

  get available(): number { return this.len; }
  get space(): number { return PIPE_CAPACITY - this.len; }

  read(into: Uint8Array): number {
    const n = Math.min(into.length, this.len);
    const first = Math.min(n, PIPE_CAPACITY - this.head);
    into.set(this.buf.subarray(this.head, this.head + first));
    if (n > first) into.set(this.buf.subarray(0, n - first), first);
    this.head = (this.head + n) % PIPE_CAPACITY;
    this.len -= n;
    if (n > 0) this.events.notify();
    return n;
  }

  write(data: Uint8Array): number {
    const n = Math.min(data.length, this.space);
    const tail = (this.head + this.len) % PIPE_CAPACITY;
    const first = Math.min(n, PIPE_CAPACITY - tail);
    this.buf.set(data.subarray(0, first), tail);
    if (n > first) this.buf.set(data.subarray(first, n), 0);
    this.len += n;
    if (n > 0) this.events.notify();
    return n;
  }
}

abstract class PipeEnd extends FileDescription {
  readonly kind = 'pipe';
  constructor(readonly pipe: PipeBuffer, flags: number) { super(flags); }
  async stat(): Promise<Stat> {
    return {
      dev: 0, ino: this.pipe.ino, mode: S_IFIFO | 0o600, nlink: 1, uid: 0, gid: 0, rdev: 0,
      size: this.pipe.available, blksize: PIPE_BUF, blocks: 0, atimeNs: this.pipe.ctimeNs, mtimeNs: this.pipe.ctimeNs, ctimeNs: this.pipe.ctimeNs,
    };
  }
  override pollQueue(): WaitQueue { return this.pipe.events; }
  get nonblocking(): boolean { return (this.flags & O_NONBLOCK) !== 0; }
}

export class PipeReadEnd extends PipeEnd {
  constructor(pipe: PipeBuffer, flags: number) { super(pipe, (flags & ~3) | O_RDONLY); pipe.readers++; }

  override async read(buf: Uint8Array, caller?: IoContext): Promise<number> {
    if (buf.length === 0) return 0;
    const p = this.pipe;
    if (p.available === 0) {
      if (p.writers === 0) return 0;
      if (this.nonblocking || !caller) fail('EAGAIN');
      await waitUntil(caller, [p.events], () => (p.available > 0 || p.writers === 0 ? true : undefined));
    }
    return p.read(buf);
  }

  override poll(): PollState {
    return { readable: this.pipe.available > 0 || this.pipe.writers === 0, writable: false, hangup: this.pipe.writers === 0, error: false };
  }

  override bytesAvailable(): number { return this.pipe.available; }

  protected override async release(): Promise<void> { this.pipe.readers--; this.pipe.events.notify(); }
}

export class PipeWriteEnd extends PipeEnd {
  constructor(pipe: PipeBuffer, flags: number) { super(pipe, (flags & ~3) | O_WRONLY); pipe.writers++; }

  override async write(data: Uint8Array, caller?: IoContext): Promise<number> {
    const p = this.pipe;
    let done = 0;
    while (done < data.length || data.length === 0) {
      if (p.readers === 0) { await caller?.sigpipe(); fail('EPIPE'); }
      if (data.length === 0) return 0;
      const rest = data.length - done;
      // Up to PIPE_BUF bytes go in one piece (atomic); larger writes may interleave.
      const need = rest <= PIPE_BUF ? rest : 1;
      if (p.space < need) {
        if (this.nonblocking || !caller) { if (done > 0) return done; fail('EAGAIN'); }
        try {
          await waitUntil(caller, [p.events], () => (p.space >= need || p.readers === 0 ? true : undefined));
        } catch (e) {
          if (done > 0) return done; // interrupted after a partial write: report what went through
          throw e;
        }
        continue;
      }
      done += p.write(data.subarray(done, rest <= PIPE_BUF ? data.length : done + Math.min(rest, p.space)));
    }
    return done;
  }

  override poll(): PollState {
    return { readable: false, writable: this.pipe.space >= PIPE_BUF && this.pipe.readers > 0, hangup: false, error: this.pipe.readers === 0 };
  }

  protected override async release(): Promise<void> { this.pipe.writers--; this.pipe.events.notify(); }
}

export function createPipe(now: bigint, flags: number): [PipeReadEnd, PipeWriteEnd] {
  const p = new PipeBuffer(now);
  return [new PipeReadEnd(p, flags & O_NONBLOCK), new PipeWriteEnd(p, flags & O_NONBLOCK)];
}
