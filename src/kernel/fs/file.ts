// Open file descriptions (Linux's struct file): what an fd points to. Generic checks (access
// mode, seekability) are done once here; subclasses implement only what differs.
import { fail } from '../errno.js';
import { O_ACCMODE, O_APPEND, O_RDONLY, O_WRONLY, O_RDWR, SEEK_CUR, SEEK_END, SEEK_SET } from './flags.js';
import type { DirEntry, FileType, Inode, InodeHandle, Stat } from './inode.js';
import type { PathStack } from './vfs.js';
import type { Interruptible, WaitQueue } from '../process/wait-queue.js';
import type { FileLocks } from './file-lock.js';

/** What a blocking file operation needs from the calling thread. */
export interface IoContext extends Interruptible {
  /** Raises SIGPIPE on the caller's process (a write found no reader). */
  sigpipe(): Promise<void>;
}

export interface PollState { readable: boolean; writable: boolean; hangup: boolean; error: boolean }

export abstract class FileDescription {
  /** access mode and status flags (O_APPEND, O_NONBLOCK...) */
  flags: number;
  private refs = 1;

  constructor(flags: number) { this.flags = flags; }

  get readable(): boolean { const a = this.flags & O_ACCMODE; return a === O_RDONLY || a === O_RDWR; }
  get writable(): boolean { const a = this.flags & O_ACCMODE; return a === O_WRONLY || a === O_RDWR; }

  /** The LibOS path this was opened by (for /proc/<pid>/fd and dirfd-relative lookups). */
  path = '';
  abstract readonly kind: FileType | 'stdio' | 'pipe' | 'socket' | 'eventfd';

  abstract stat(): Promise<Stat>;
  async read(_buf: Uint8Array, _ctx?: IoContext): Promise<number> { fail('EINVAL'); }
  async write(_data: Uint8Array, _ctx?: IoContext): Promise<number> { fail('EINVAL'); }
  async pread(_buf: Uint8Array, _offset: number): Promise<number> { fail('ESPIPE'); }
  async pwrite(_data: Uint8Array, _offset: number): Promise<number> { fail('ESPIPE'); }
  async seek(_offset: number, _whence: number): Promise<number> { fail('ESPIPE'); }
  async truncate(_size: number): Promise<void> { fail('EINVAL'); }
  /** fsync/fdatasync: Linux's EINVAL for files that cannot be synced (pipes, sockets, terminals). */
  async sync(_dataOnly: boolean): Promise<void> { fail('EINVAL', 'this file cannot be synced'); }
  async readdir(): Promise<DirEntry[]> { fail('ENOTDIR'); }
  /** Resets the directory stream (seek to 0 on a directory). */
  get dirCursor(): number { return 0; }
  set dirCursor(_c: number) { fail('ENOTDIR'); }
  isatty(): boolean { return false; }
  poll(): PollState { return { readable: true, writable: true, hangup: false, error: false }; }
  /** Queue notified when poll() may have changed; undefined for always-ready files. */
  pollQueue(): WaitQueue | undefined { return undefined; }
  /** Bytes readable without blocking (FIONREAD). */
  bytesAvailable(): number | Promise<number> { return 0; }
  inode(): Inode | undefined { return undefined; }
  protected async release(): Promise<void> { /* nothing held */ }
  /** An fd of this description was closed by the fd table `owner` (POSIX record locks die with it). */
  closedBy(_owner: object): void { /* no locks */ }

  ref(): this { this.refs++; return this; }
  async unref(): Promise<void> {
    if (--this.refs === 0) await this.release();
  }

  // Checked entry points used by syscall handlers.
  checkedRead(buf: Uint8Array, ctx?: IoContext): Promise<number> { if (!this.readable) fail('EBADF', 'not open for reading'); return this.read(buf, ctx); }
  checkedWrite(data: Uint8Array, ctx?: IoContext): Promise<number> { if (!this.writable) fail('EBADF', 'not open for writing'); return this.write(data, ctx); }
  checkedPread(buf: Uint8Array, off: number): Promise<number> { if (!this.readable) fail('EBADF'); if (off < 0) fail('EINVAL'); return this.pread(buf, off); }
  checkedPwrite(data: Uint8Array, off: number): Promise<number> { if (!this.writable) fail('EBADF'); if (off < 0) fail('EINVAL'); return this.pwrite(data, off); }
}

/** A file description over an inode: regular files, directories and symlinks (O_PATH). */
export class InodeFile extends FileDescription {
  offset = 0;
  private entries: DirEntry[] | undefined;
  private cursor = 0;

  constructor(private readonly node: Inode, private readonly handle: InodeHandle, flags: number, readonly location: PathStack, path: string, private readonly locks?: FileLocks) {
    super(flags);
    this.path = path;
  }

  private get parentIno(): number { return (this.location[this.location.length - 2] ?? this.location[0]!).inode.ino; }

  get kind(): FileType { return this.node.type; }
  override inode(): Inode { return this.node; }
  stat(): Promise<Stat> { return this.node.stat(); }

  override async read(buf: Uint8Array): Promise<number> {
    if (this.node.type === 'dir') fail('EISDIR');
    const n = await this.handle.read(this.offset, buf);
    this.offset += n;
    return n;
  }

  override async write(data: Uint8Array): Promise<number> {
    if (this.flags & O_APPEND) this.offset = (await this.node.stat()).size;
    const n = await this.handle.write(this.offset, data);
    this.offset += n;
    return n;
  }

  override pread(buf: Uint8Array, off: number): Promise<number> {
    if (this.node.type === 'dir') fail('EISDIR');
    return this.handle.read(off, buf);
  }

  override pwrite(data: Uint8Array, off: number): Promise<number> {
    // Linux quirk kept: with O_APPEND, pwrite appends.
    return (async () => this.handle.write(this.flags & O_APPEND ? (await this.node.stat()).size : off, data))();
  }

  override async seek(offset: number, whence: number): Promise<number> {
    if (this.node.type === 'dir') {
      if (whence !== SEEK_SET || offset < 0) fail('EINVAL');
      this.dirCursor = offset;
      return offset;
    }
    let base: number;
    switch (whence) {
      case SEEK_SET: base = 0; break;
      case SEEK_CUR: base = this.offset; break;
      case SEEK_END: base = (await this.node.stat()).size; break;
      default: fail('EINVAL', 'bad whence');
    }
    const pos = base + offset;
    if (pos < 0 || !Number.isSafeInteger(pos)) fail('EINVAL', 'resulting offset is negative');
    this.offset = pos;
    return pos;
  }

  override async truncate(size: number): Promise<void> {
    if (this.node.type !== 'file') fail('EINVAL');
    if (!this.writable) fail('EINVAL', 'not open for writing');
    await this.node.setattr({ size });
  }

  override sync(dataOnly: boolean): Promise<void> { return this.handle.sync(dataOnly); }

  /** Directory entries including '.' and '..', snapshotted at the first read after a rewind. */
  override async readdir(): Promise<DirEntry[]> {
    if (this.node.type !== 'dir') fail('ENOTDIR');
    if (!this.entries) {
      const list = await this.node.readdir();
      this.entries = [{ name: '.', ino: this.node.ino, type: 'dir' }, { name: '..', ino: this.parentIno, type: 'dir' }, ...list];
    }
    return this.entries;
  }

  override get dirCursor(): number { return this.cursor; }
  override set dirCursor(c: number) {
    if (this.node.type !== 'dir') fail('ENOTDIR');
    if (c === 0) this.entries = undefined;
    this.cursor = c;
  }

  override async bytesAvailable(): Promise<number> {
    if (this.node.type !== 'file') return 0;
    return Math.max(0, (await this.node.stat()).size - this.offset);
  }

  override closedBy(owner: object): void { this.locks?.releaseOwner(this.node, owner); }

  protected override release(): Promise<void> {
    this.locks?.funlock(this.node, this);
    return this.handle.close();
  }
}
