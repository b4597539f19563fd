// Synthetic file-system nodes, the building blocks of procfs and devfs: directories whose entries
// the kernel computes, read-only files generated on read (Linux's seq_file single_open; gVisor's
// DynamicBytesFile), symlinks (plain and magic) and device-like nodes. Nothing here stores data.
//
// Writes fail per node with Linux's errnos rather than EROFS (procfs is mounted rw on Linux):
// creating a name fails with the file system's `createErrno` (procfs: ENOENT, because its lookup
// fails for absent names before any create op is reached), removing or renaming EPERM
// (vfs_unlink/vfs_rename without the op), opening a 0444 file for writing EACCES.
import { fail } from '../errno.js';
import {
  InodeBase, allocDev, typeBits,
  type DirEntry, type FileSystem, type FileType, type FsCaller, type Inode, type InodeHandle, type Stat,
} from './inode.js';
import { O_ACCMODE, O_RDONLY, O_TRUNC } from './flags.js';
import type { PathStack } from './vfs.js';

export class SyntheticFs implements FileSystem {
  readonly dev = allocDev();
  readonly readonly = false;
  /** Timestamps of every node: the mount time (Linux's procfs shows the inode's creation). */
  readonly bornNs: bigint;
  readonly root: Inode;
  private nextIno = 1;

  constructor(readonly type: string, clock: () => bigint, makeRoot: (fs: SyntheticFs) => Inode, readonly createErrno: 'ENOENT' | 'EACCES' = 'EACCES') {
    this.bornNs = clock();
    this.root = makeRoot(this);
  }

  allocIno(): number { return this.nextIno++; }
}

/** Common stat for synthetic nodes: owned by root, size 0 (Linux's procfs files report 0 too). */
export abstract class SyntheticNode extends InodeBase {
  constructor(readonly fs: SyntheticFs, readonly ino: number, readonly type: FileType, readonly mode: number, readonly rdev = 0) {
    super();
  }

  async stat(): Promise<Stat> {
    const t = this.fs.bornNs;
    return {
      dev: this.fs.dev, ino: this.ino, mode: typeBits[this.type] | this.mode, nlink: this.type === 'dir' ? 2 : 1,
      uid: 0, gid: 0, rdev: this.rdev, size: 0, blksize: 1024, blocks: 0, atimeNs: t, mtimeNs: t, ctimeNs: t,
    };
  }
}

/** A directory whose entries are computed on each lookup/readdir. */
export abstract class SyntheticDir extends SyntheticNode {
  constructor(fs: SyntheticFs, ino: number, mode = 0o555) { super(fs, ino, 'dir', mode); }

  /** The current entries, in listing order. */
  protected abstract children(): Promise<[string, Inode][]>;

  override async lookup(name: string): Promise<Inode> {
    for (const [n, i] of await this.children()) if (n === name) return i;
    return fail('ENOENT');
  }

  override async readdir(): Promise<DirEntry[]> {
    return (await this.children()).map(([name, i]) => ({ name, ino: i.ino, type: i.type }));
  }

  override async create(): Promise<Inode> { return fail(this.fs.createErrno, `${this.fs.type}: cannot create names here`); }
  override async symlink(): Promise<Inode> { return fail(this.fs.createErrno, `${this.fs.type}: cannot create names here`); }
  override async link(): Promise<void> { fail(this.fs.createErrno, `${this.fs.type}: cannot create names here`); }
  override async unlink(): Promise<void> { fail('EPERM'); }
  override async rmdir(): Promise<void> { fail('EPERM'); }
  override async rename(): Promise<void> { fail('EPERM'); }
}

/** A directory with a fixed list of entries. */
export class FixedDir extends SyntheticDir {
  constructor(fs: SyntheticFs, private readonly entries: [string, Inode][], mode = 0o755) { super(fs, fs.allocIno(), mode); }
  protected async children(): Promise<[string, Inode][]> { return this.entries; }
}

/**
 * A read-only file whose contents are generated when read from offset 0 and kept for the reads
 * that follow (so a reader in small chunks sees one consistent snapshot, as with seq_file).
 */
export class GeneratedFile extends SyntheticNode {
  constructor(fs: SyntheticFs, ino: number, private readonly generate: () => Promise<string | Uint8Array> | string | Uint8Array, mode = 0o444) {
    super(fs, ino, 'file', mode);
  }

  override async open(flags: number): Promise<InodeHandle> {
    if ((flags & O_ACCMODE) !== O_RDONLY || flags & O_TRUNC) fail('EACCES', `${this.fs.type} files are read-only`);
    let snapshot: Uint8Array | undefined;
    return {
      read: async (offset, buf) => {
        if (offset === 0 || !snapshot) {
          const v = await this.generate();
          snapshot = typeof v === 'string' ? new TextEncoder().encode(v) : v;
        }
        if (offset >= snapshot.length) return 0;
        const n = Math.min(buf.length, snapshot.length - offset);
        buf.set(snapshot.subarray(offset, offset + n));
        return n;
      },
      write: async () => fail('EBADF'),
      sync: async () => { /* nothing buffered */ },
      close: async () => { /* nothing held */ },
    };
  }
}

/** A symlink whose target is computed (it may depend on the caller: /proc/self). */
export class SyntheticLink extends SyntheticNode {
  constructor(fs: SyntheticFs, ino: number, private readonly target: (caller?: FsCaller) => string | Promise<string>) {
    super(fs, ino, 'symlink', 0o777);
  }
  override async readlink(caller?: FsCaller): Promise<string> { return this.target(caller); }
}

/** A magic link (Inode.follow): readlink shows a text, a walk jumps to `location`. */
export class MagicLink extends SyntheticLink {
  constructor(fs: SyntheticFs, ino: number, target: (caller?: FsCaller) => string | Promise<string>, private readonly location: (caller?: FsCaller) => Promise<PathStack>) {
    super(fs, ino, target);
  }
  follow(caller?: FsCaller): Promise<PathStack> { return this.location(caller); }
}
