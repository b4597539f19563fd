// The host's stdin/stdout/stderr as LibOS files (untrusted, ocall-like; Occlum's fs/stdio).
import { fail } from '../errno.js';
import type { HostStdio } from '../../host/types.js';
import { FileDescription } from './file.js';
import { O_RDONLY, O_WRONLY } from './flags.js';
import { S_IFCHR, S_IFIFO, type Stat } from './inode.js';
import { HostError } from '../../host/types.js';

export class StdioFile extends FileDescription {
  readonly kind = 'stdio';
  constructor(private readonly host: HostStdio, readonly hostFd: 0 | 1 | 2, private readonly clock: () => bigint) {
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

  override async read(buf: Uint8Array): Promise<number> {
    if (this.hostFd !== 0) fail('EBADF');
    if (buf.length === 0) return 0;
    try {
      // Read into a private buffer: the host must never hold a view of process memory across an await.
      const tmp = new Uint8Array(Math.min(buf.length, 65536));
      const n = await this.host.read(tmp);
      buf.set(tmp.subarray(0, n));
      return n;
    } catch (e) {
      if (e instanceof HostError) fail('EIO', `stdin: ${e.message}`);
      throw e;
    }
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

  override isatty(): boolean { return this.host.isatty(this.hostFd); }
}
