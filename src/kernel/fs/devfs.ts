// devfs: the /dev Occlum populates (its fs/dev_fs), with Linux's device numbers: null (1,3),
// zero (1,5), random (1,8), urandom (1,9), tty (5,0); stdin/stdout/stderr and fd as symlinks into
// /proc/self; an empty shm directory (the boot mounts a ramfs on it).
import { fail } from '../errno.js';
import type { Kernel } from '../kernel.js';
import type { Process } from '../process/process.js';
import type { WaitQueue } from '../process/wait-queue.js';
import { FileDescription, type IoContext, type PollState } from './file.js';
import { O_ACCMODE, O_NONBLOCK } from './flags.js';
import type { FsCaller, InodeHandle, Stat } from './inode.js';
import { StdioFile } from './stdio.js';
import { FixedDir, SyntheticFs, SyntheticLink, SyntheticNode } from './synthetic.js';

/** Linux's new_encode_dev for minors below 256. */
export const makedev = (major: number, minor: number): number => (major << 8) | minor;

/** What a character device does with a read or a write (no offsets: streams). */
interface DeviceIo { read(buf: Uint8Array): number; write(data: Uint8Array): number }

class CharDevice extends SyntheticNode {
  constructor(fs: SyntheticFs, major: number, minor: number, private readonly io: DeviceIo) {
    super(fs, fs.allocIno(), 'chardev', 0o666, makedev(major, minor));
  }

  override async open(): Promise<InodeHandle> {
    const io = this.io;
    return {
      read: async (_offset, buf) => io.read(buf),
      write: async (_offset, data) => io.write(data),
      sync: async () => { /* nothing buffered */ },
      close: async () => { /* nothing held */ },
    };
  }
}

const swallow = (data: Uint8Array) => data.length;

export class DevFs extends SyntheticFs {
  constructor(kernel: Kernel) {
    super('devtmpfs', () => kernel.host.clock.realtimeNs(), (fs) => {
      const random: DeviceIo = { read: (buf) => { kernel.host.randomFill(buf); return buf.length; }, write: swallow };
      const link = (target: string) => new SyntheticLink(fs, fs.allocIno(), () => target);
      return new FixedDir(fs, [
        ['fd', link('/proc/self/fd')],
        ['null', new CharDevice(fs, 1, 3, { read: () => 0, write: swallow })],
        ['random', new CharDevice(fs, 1, 8, random)],
        ['shm', new FixedDir(fs, [], 0o1777)],
        ['stderr', link('/proc/self/fd/2')],
        ['stdin', link('/proc/self/fd/0')],
        ['stdout', link('/proc/self/fd/1')],
        ['tty', new TtyDevice(fs, kernel)],
        ['urandom', new CharDevice(fs, 1, 9, random)],
        ['zero', new CharDevice(fs, 1, 5, { read: (buf) => { buf.fill(0); return buf.length; }, write: swallow })],
      ]);
    });
  }
}

/**
 * /dev/tty: the caller's controlling terminal. The LibOS has one terminal, the host's stdio when
 * it is a tty; a session has it when its leader (or the caller) got it as stdio. Without one,
 * open fails with ENXIO, as Linux does for a process without a controlling terminal.
 */
class TtyDevice extends SyntheticNode {
  constructor(fs: SyntheticFs, private readonly kernel: Kernel) {
    super(fs, fs.allocIno(), 'chardev', 0o666, makedev(5, 0));
  }

  async openFile(flags: number, caller?: FsCaller): Promise<FileDescription> {
    const k = this.kernel;
    const proc = caller && k.processes.get(caller.pid);
    const leader = proc && k.processes.get(proc.sid);
    for (const p of [leader, proc]) {
      const term = p && terminalOf(p);
      if (term) return new TtyFile(term.input?.ref(), term.output?.ref(), flags);
    }
    return fail('ENXIO', 'no controlling terminal');
  }
}

/** The terminal ends among `p`'s stdio (fds 0-2), if any of them is the host's terminal. */
function terminalOf(p: Process): { input?: StdioFile; output?: StdioFile } | undefined {
  let input: StdioFile | undefined, output: StdioFile | undefined;
  for (let fd = 0; fd < 3; fd++) {
    const f = p.fds.has(fd) ? p.fds.get(fd) : undefined;
    if (!(f instanceof StdioFile) || !f.isatty()) continue;
    if (f.hostFd === 0) input ??= f; else output ??= f;
  }
  return input || output ? { input, output } : undefined;
}

/** An open /dev/tty: reads from the terminal's input, writes to its output. */
class TtyFile extends FileDescription {
  readonly kind = 'chardev';
  constructor(private readonly input: StdioFile | undefined, private readonly output: StdioFile | undefined, flags: number) {
    super(flags & (O_ACCMODE | O_NONBLOCK));
    this.path = '/dev/tty';
  }

  async stat(): Promise<Stat> {
    const st = await (this.output ?? this.input)!.stat();
    return { ...st, rdev: makedev(5, 0) };
  }

  override read(buf: Uint8Array, ctx?: IoContext): Promise<number> {
    return this.input ? this.input.read(buf, ctx) : fail('EIO', 'the terminal has no input side here');
  }

  override write(data: Uint8Array): Promise<number> {
    return this.output ? this.output.write(data) : fail('EIO', 'the terminal has no output side here');
  }

  override isatty(): boolean { return true; }
  override poll(): PollState {
    const i = this.input?.poll();
    return { readable: i?.readable ?? false, writable: this.output !== undefined, hangup: false, error: false };
  }
  override pollQueue(): WaitQueue | undefined { return this.input?.pollQueue(); }
  override bytesAvailable(): number { return this.input?.bytesAvailable() ?? 0; }

  protected override async release(): Promise<void> {
    await this.input?.unref();
    await this.output?.unref();
  }
}
