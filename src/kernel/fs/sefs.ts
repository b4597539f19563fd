// sefs mounted in the kernel: adapts the block file system of src/storage/sefs (which knows no
// kernel types) to FileSystem / Inode / InodeHandle. Errors: the file system's errno names become
// SysError; the disk's integrity failures (StorageError 'EIO': tampered or rolled-back host data)
// become EIO for the program plus one log line, never wrong data.
//
// Inode identity: the VFS compares Inode objects (mount points, rename loops), so each SefsNode
// has exactly one SefsInode (a WeakMap from node to wrapper; a removed inode's number may be
// reused by a new node, which gets a new wrapper).
import { SysError, fail } from '../errno.js';
import {
  InodeBase, allocDev, nullHandle, typeBits,
  type DirEntry, type FileSystem, type FileType, type Inode, type InodeHandle, type SetAttr, type Stat,
} from './inode.js';
import { StorageError, type BlockDevice } from '../../storage/block-device.js';
import { SefsError } from '../../storage/sefs/errors.js';
import { Sefs, type FormatOptions, type SefsNode, type SefsOptions } from '../../storage/sefs/sefs.js';

export interface SefsMountOptions extends SefsOptions {
  /** Kernel log (defaults to SefsOptions.log). */
  log?: (line: string) => void;
}

export class SefsFileSystem implements FileSystem {
  readonly type = 'sefs';
  readonly dev = allocDev();
  readonly root: SefsInode;
  private readonly wrappers = new WeakMap<SefsNode, SefsInode>();

  private constructor(readonly sefs: Sefs, private readonly log: (line: string) => void) {
    this.root = this.inode(sefs.root);
  }

  get readonly(): boolean { return this.sefs.readonly; }

  /** Makes an empty sefs on `dev` and mounts it. */
  static async format(dev: BlockDevice, opts: FormatOptions): Promise<SefsFileSystem> {
    const log = opts.log ?? (() => {});
    return new SefsFileSystem(await SefsFileSystem.guard(log, 'format', () => Sefs.format(dev, { ...opts, log })), log);
  }

  /** Mounts the sefs on `dev` (replaying its journal and freeing orphans if a crash left any). */
  static async mount(dev: BlockDevice, opts: SefsMountOptions): Promise<SefsFileSystem> {
    const log = opts.log ?? (() => {});
    return new SefsFileSystem(await SefsFileSystem.guard(log, 'mount', () => Sefs.mount(dev, { ...opts, log })), log);
  }

  /** Commits and flushes everything (sync(2)). */
  sync(): Promise<void> { return this.call('sync', () => this.sefs.sync()); }

  private unmounted = false;

  /** Commits, flushes and closes the device (once: the kernel unmounts at shutdown, and so may its owner). */
  unmount(): Promise<void> {
    if (this.unmounted) return Promise.resolve();
    this.unmounted = true;
    return this.call('unmount', () => this.sefs.unmount());
  }

  inode(n: SefsNode): SefsInode {
    let w = this.wrappers.get(n);
    if (!w) { w = new SefsInode(this, n); this.wrappers.set(n, w); }
    return w;
  }

  /** Runs a file-system call, turning its errors into SysError (see the header). */
  call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return SefsFileSystem.guard(this.log, what, fn);
  }

  private static async guard<T>(log: (line: string) => void, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof SefsError) {
        if (e.code === 'EIO') log(`sefs: ${what}: ${e.message}`);
        throw new SysError(e.code, e.message);
      }
      if (e instanceof StorageError) {
        log(`sefs: ${what}: disk error ${e.code}: ${e.message}`);
        throw new SysError(e.code, `disk: ${e.message}`);
      }
      throw e;
    }
  }
}

export class SefsInode extends InodeBase {
  readonly ino: number;

  constructor(readonly fs: SefsFileSystem, readonly node: SefsNode) {
    super();
    this.ino = node.ino;
  }

  /** The type at creation (an inode's type never changes). */
  get type(): FileType { return this.node.type; }

  private get sefs(): Sefs { return this.fs.sefs; }

  private other(i: Inode): SefsNode {
    if (!(i instanceof SefsInode) || i.fs !== this.fs) fail('EXDEV');
    return i.node;
  }

  async stat(): Promise<Stat> {
    const a = await this.fs.call('stat', () => this.sefs.stat(this.node));
    return {
      dev: this.fs.dev, ino: a.ino, mode: typeBits[a.type] | a.mode, nlink: a.nlink, uid: a.uid, gid: a.gid, rdev: 0,
      size: a.size, blksize: 4096, blocks: a.blocks512, atimeNs: a.atimeNs, mtimeNs: a.mtimeNs, ctimeNs: a.ctimeNs,
    };
  }

  override async setattr(a: SetAttr): Promise<void> {
    await this.fs.call('setattr', () => this.sefs.setattr(this.node, a));
  }

  override async lookup(name: string): Promise<Inode> {
    return this.fs.inode(await this.fs.call('lookup', () => this.sefs.lookup(this.node, name)));
  }

  override async create(name: string, type: 'file' | 'dir' | 'fifo', mode: number): Promise<Inode> {
    return this.fs.inode(await this.fs.call('create', () => this.sefs.create(this.node, name, type, mode)));
  }

  override async symlink(name: string, target: string): Promise<Inode> {
    return this.fs.inode(await this.fs.call('symlink', () => this.sefs.symlink(this.node, name, target)));
  }

  override async link(name: string, target: Inode): Promise<void> {
    const t = this.other(target);
    await this.fs.call('link', () => this.sefs.link(this.node, name, t));
  }

  override async unlink(name: string): Promise<void> {
    await this.fs.call('unlink', () => this.sefs.unlink(this.node, name));
  }

  override async rmdir(name: string): Promise<void> {
    await this.fs.call('rmdir', () => this.sefs.rmdir(this.node, name));
  }

  override async rename(oldName: string, newDir: Inode, newName: string): Promise<void> {
    const to = this.other(newDir);
    await this.fs.call('rename', () => this.sefs.rename(this.node, oldName, to, newName));
  }

  override async readdir(): Promise<DirEntry[]> {
    return this.fs.call('readdir', () => this.sefs.readdir(this.node));
  }

  override async readlink(): Promise<string> {
    return this.fs.call('readlink', () => this.sefs.readlink(this.node));
  }

  override async open(_flags: number): Promise<InodeHandle> {
    const t = this.node.type;
    if (t === 'dir') {
      // counted, so that a removed directory that is still open stays allocated until closed
      await this.fs.call('open', () => this.sefs.open(this.node));
      const h = nullHandle('EISDIR');
      let closed = false;
      return {
        ...h,
        sync: () => this.fs.call('fsync', () => this.sefs.sync()), // fsync(dirfd) makes entries durable
        close: async () => { if (!closed) { closed = true; await this.fs.call('close', () => this.sefs.close(this.node)); } },
      };
    }
    if (t !== 'file') fail('ENXIO');
    await this.fs.call('open', () => this.sefs.open(this.node));
    let closed = false;
    const node = this.node;
    const fs = this.fs;
    return {
      read: (offset, buf) => fs.call('read', () => fs.sefs.read(node, offset, buf)),
      write: (offset, data) => fs.call('write', () => fs.sefs.write(node, offset, data)),
      // fsync and fdatasync both commit: a commit is what makes data reachable after a crash
      sync: () => fs.call('fsync', () => fs.sefs.sync()),
      close: async () => {
        if (closed) return;
        closed = true;
        await fs.call('close', () => fs.sefs.close(node));
      },
    };
  }
}

