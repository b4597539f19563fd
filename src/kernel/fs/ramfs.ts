// ramfs: an in-memory file system (Occlum mounts one at /dev/shm; the boot root is one too
// until the protected image lands). Files may be backed lazily by a loader (image files).
import { fail } from '../errno.js';
import {
  InodeBase, allocDev, nullHandle, typeBits,
  type DirEntry, type FileSystem, type FileType, type Inode, type InodeHandle, type SetAttr, type Stat,
} from './inode.js';

export type Clock = () => bigint;

/**
 * Largest file a RamFs holds (Linux's s_maxbytes): writes and truncates beyond it fail with
 * EFBIG. Each file is one typed array, so without a limit a program could make the kernel
 * allocate up to the engine's maximum (or fail with a RangeError) with one ftruncate.
 */
export const RAMFS_MAX_FILE_SIZE = 1024 * 1024 * 1024;

export class RamFs implements FileSystem {
  readonly type = 'ramfs';
  readonly dev = allocDev();
  readonly root: RamInode;
  private nextIno = 1;

  constructor(readonly clock: Clock, readonly readonly = false, readonly maxFileSize = RAMFS_MAX_FILE_SIZE) {
    this.root = new RamInode(this, 'dir', 0o755);
  }

  allocIno(): number { return this.nextIno++; }
}

export class RamInode extends InodeBase {
  readonly ino: number;
  mode: number;
  uid = 0;
  gid = 0;
  nlink: number;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  /** file contents (valid bytes: [0, size)) */
  private data: Uint8Array = new Uint8Array(0);
  private size = 0;
  private loader: (() => Uint8Array) | undefined;
  readonly children = new Map<string, RamInode>();
  target = '';

  constructor(readonly fs: RamFs, readonly type: FileType, mode: number) {
    super();
    this.ino = fs.allocIno();
    this.mode = mode & 0o7777;
    this.nlink = type === 'dir' ? 2 : 1;
    this.atimeNs = this.mtimeNs = this.ctimeNs = fs.clock();
  }

  /** Backs this file with lazily loaded contents of known size (image files). */
  setLoader(size: number, load: () => Uint8Array): void {
    this.size = size;
    this.loader = load;
  }

  private materialize(): void {
    if (!this.loader) return;
    const bytes = this.loader();
    this.loader = undefined;
    this.data = bytes;
    this.size = bytes.length;
  }

  async stat(): Promise<Stat> {
    return {
      dev: this.fs.dev, ino: this.ino, mode: typeBits[this.type] | this.mode, nlink: this.nlink,
      uid: this.uid, gid: this.gid, rdev: 0,
      size: this.type === 'dir' ? 4096 : this.type === 'symlink' ? this.target.length : this.size,
      blksize: 4096, blocks: Math.ceil(this.size / 512),
      atimeNs: this.atimeNs, mtimeNs: this.mtimeNs, ctimeNs: this.ctimeNs,
    };
  }

  override async setattr(a: SetAttr): Promise<void> {
    const now = this.fs.clock();
    if (a.size !== undefined) { this.resize(a.size); this.mtimeNs = now; }
    if (a.mode !== undefined) this.mode = a.mode & 0o7777;
    if (a.uid !== undefined) this.uid = a.uid;
    if (a.gid !== undefined) this.gid = a.gid;
    if (a.atimeNs !== undefined) this.atimeNs = a.atimeNs;
    if (a.mtimeNs !== undefined) this.mtimeNs = a.mtimeNs;
    this.ctimeNs = now;
  }

  private resize(size: number): void {
    if (this.type === 'dir') fail('EISDIR');
    if (size > this.fs.maxFileSize) fail('EFBIG', `size ${size} exceeds the ramfs file size limit`);
    this.materialize();
    if (size > this.data.length) this.grow(size);
    else if (size < this.size) this.data.fill(0, size, this.size);
    this.size = size;
  }

  private grow(min: number): void {
    const cap = Math.max(min, Math.min(this.data.length * 2, this.data.length + (64 << 20)), 4096);
    const next = new Uint8Array(cap);
    next.set(this.data.subarray(0, this.size));
    this.data = next;
  }

  private dir(): Map<string, RamInode> {
    if (this.type !== 'dir') fail('ENOTDIR');
    return this.children;
  }

  private touch(): void { this.mtimeNs = this.ctimeNs = this.fs.clock(); }

  override async lookup(name: string): Promise<Inode> {
    return this.dir().get(name) ?? fail('ENOENT');
  }

  /** Adds a child (also used to populate an image). */
  add(name: string, child: RamInode): void {
    const d = this.dir();
    if (d.has(name)) fail('EEXIST');
    d.set(name, child);
    if (child.type === 'dir') this.nlink++;
    this.touch();
  }

  override async create(name: string, type: 'file' | 'dir' | 'fifo', mode: number): Promise<Inode> {
    this.ro();
    const child = new RamInode(this.fs, type, mode);
    this.add(name, child);
    return child;
  }

  override async symlink(name: string, target: string): Promise<Inode> {
    this.ro();
    const child = new RamInode(this.fs, 'symlink', 0o777);
    child.target = target;
    this.add(name, child);
    return child;
  }

  override async link(name: string, target: Inode): Promise<void> {
    this.ro();
    if (!(target instanceof RamInode) || target.fs !== this.fs) fail('EXDEV');
    if (target.type === 'dir') fail('EPERM');
    this.add(name, target);
    target.nlink++;
    target.ctimeNs = this.fs.clock();
  }

  override async unlink(name: string): Promise<void> {
    this.ro();
    const d = this.dir();
    const child = d.get(name) ?? fail('ENOENT');
    if (child.type === 'dir') fail('EISDIR');
    d.delete(name);
    child.nlink--;
    child.ctimeNs = this.fs.clock();
    this.touch();
  }

  override async rmdir(name: string): Promise<void> {
    this.ro();
    const d = this.dir();
    const child = d.get(name) ?? fail('ENOENT');
    if (child.type !== 'dir') fail('ENOTDIR');
    if (child.children.size > 0) fail('ENOTEMPTY');
    d.delete(name);
    child.nlink = 0;
    this.nlink--;
    this.touch();
  }

  override async rename(oldName: string, newDir: Inode, newName: string): Promise<void> {
    this.ro();
    if (!(newDir instanceof RamInode) || newDir.fs !== this.fs) fail('EXDEV');
    const src = this.dir();
    const dst = newDir.dir();
    const child = src.get(oldName) ?? fail('ENOENT');
    const victim = dst.get(newName);
    if (victim === child) return;
    if (child.type === 'dir' && newDir.isWithin(child)) fail('EINVAL', 'cannot move a directory into itself');
    if (victim) {
      if (child.type === 'dir' && victim.type !== 'dir') fail('ENOTDIR');
      if (child.type !== 'dir' && victim.type === 'dir') fail('EISDIR');
      if (victim.type === 'dir' && victim.children.size > 0) fail('ENOTEMPTY');
      dst.delete(newName);
      victim.nlink = victim.type === 'dir' ? 0 : victim.nlink - 1;
      if (victim.type === 'dir') newDir.nlink--;
    }
    src.delete(oldName);
    dst.set(newName, child);
    if (child.type === 'dir') { this.nlink--; newDir.nlink++; }
    child.ctimeNs = this.fs.clock();
    this.touch();
    newDir.touch();
  }

  /** True if this directory is `dir` or below it. */
  private isWithin(dir: RamInode): boolean {
    const seen = new Set<RamInode>();
    const walk = (d: RamInode): boolean => {
      if (d === this) return true;
      if (seen.has(d)) return false;
      seen.add(d);
      for (const c of d.children.values()) if (c.type === 'dir' && walk(c)) return true;
      return false;
    };
    return walk(dir);
  }

  override async readdir(): Promise<DirEntry[]> {
    return [...this.dir()].map(([name, c]) => ({ name, ino: c.ino, type: c.type }));
  }

  override async readlink(): Promise<string> {
    if (this.type !== 'symlink') fail('EINVAL');
    return this.target;
  }

  override async open(_flags: number): Promise<InodeHandle> {
    if (this.type === 'dir') return nullHandle('EISDIR');
    if (this.type !== 'file') fail('ENXIO');
    return {
      read: async (offset, buf) => {
        this.materialize();
        if (offset >= this.size) return 0;
        const n = Math.min(buf.length, this.size - offset);
        buf.set(this.data.subarray(offset, offset + n));
        this.atimeNs = this.fs.clock();
        return n;
      },
      write: async (offset, data) => {
        this.ro();
        this.materialize();
        const end = offset + data.length;
        if (end > this.fs.maxFileSize) fail('EFBIG', `offset ${offset} exceeds the ramfs file size limit`);
        if (end > this.data.length) this.grow(end);
        if (offset > this.size) this.data.fill(0, this.size, offset);
        this.data.set(data, offset);
        if (end > this.size) this.size = end;
        this.touch();
        return data.length;
      },
      sync: async () => { /* memory: nothing to sync */ },
      close: async () => { /* nothing held */ },
    };
  }

  private ro(): void { if (this.fs.readonly) fail('EROFS'); }
}
