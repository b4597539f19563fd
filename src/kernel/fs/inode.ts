// The file-system interface: every file system (ramfs, hostfs, and later sefs, unionfs, procfs,
// devfs) implements Inode. Analogous to Linux's struct inode_operations + file_operations.
// Methods throw SysError; the defaults below return Linux's errno for an unsupported op.
import { fail } from '../errno.js';
import type { FileDescription } from './file.js';
import type { PathStack } from './vfs.js';

export const S_IFMT = 0o170000, S_IFSOCK = 0o140000, S_IFLNK = 0o120000, S_IFREG = 0o100000,
  S_IFBLK = 0o060000, S_IFDIR = 0o040000, S_IFCHR = 0o020000, S_IFIFO = 0o010000;

export type FileType = 'file' | 'dir' | 'symlink' | 'chardev' | 'blockdev' | 'fifo' | 'socket';

export const typeBits: Record<FileType, number> = {
  file: S_IFREG, dir: S_IFDIR, symlink: S_IFLNK, chardev: S_IFCHR, blockdev: S_IFBLK, fifo: S_IFIFO, socket: S_IFSOCK,
};

/** Linux's struct stat, in numbers (times in ns). */
export interface Stat {
  dev: number; ino: number; mode: number; nlink: number; uid: number; gid: number; rdev: number;
  size: number; blksize: number; blocks: number;
  atimeNs: bigint; mtimeNs: bigint; ctimeNs: bigint;
}

export function fileTypeOf(mode: number): FileType {
  switch (mode & S_IFMT) {
    case S_IFDIR: return 'dir';
    case S_IFLNK: return 'symlink';
    case S_IFCHR: return 'chardev';
    case S_IFBLK: return 'blockdev';
    case S_IFIFO: return 'fifo';
    case S_IFSOCK: return 'socket';
    default: return 'file';
  }
}

export interface DirEntry { name: string; ino: number; type: FileType }

/**
 * On whose behalf a path is resolved or a file opened (Linux's `current`). Passed explicitly by
 * the syscall layer through the VFS: the kernel serves many threads concurrently on one event
 * loop, so a global "current process" would be wrong after the first await, and async context
 * tracking (AsyncLocalStorage) costs every promise in the kernel (~90 ns each on Node 20).
 * Only procfs (/proc/self) and devfs (/dev/tty) look at it; undefined means the kernel itself.
 */
export interface FsCaller { readonly pid: number }

export interface SetAttr { size?: number; mode?: number; uid?: number; gid?: number; atimeNs?: bigint; mtimeNs?: bigint }

export interface FileSystem {
  readonly type: string;
  readonly dev: number;
  readonly root: Inode;
  readonly readonly: boolean;
  /** Makes everything written so far durable (sync(2); kernel shutdown). */
  sync?(): Promise<void>;
  /** Called once when the file system is unmounted (umount2, kernel shutdown): flush and release. */
  unmount?(): Promise<void>;
}

/**
 * Identity rule: a file system returns the same Inode object for the same file while any
 * reference to it is live (the VFS compares Inode objects: mountpoints, rename loops).
 */

/**
 * One file-system object. Contract for directory methods: `name` is a single component
 * (no '/', not '.' or '..'); the VFS resolved the path and checked read-only mounts.
 * Errors: ENOENT (no such name), EEXIST (create on existing), ENOTDIR (not a directory),
 * EISDIR, ENOTEMPTY (rmdir / rename over non-empty dir), EXDEV (rename across file systems).
 */
export interface Inode {
  readonly fs: FileSystem;
  readonly ino: number;
  readonly type: FileType;

  stat(): Promise<Stat>;
  setattr(attr: SetAttr): Promise<void>;

  // directories
  lookup(name: string): Promise<Inode>;
  create(name: string, type: 'file' | 'dir' | 'fifo', mode: number): Promise<Inode>;
  symlink(name: string, target: string): Promise<Inode>;
  link(name: string, target: Inode): Promise<void>;
  unlink(name: string): Promise<void>;
  rmdir(name: string): Promise<void>;
  rename(oldName: string, newDir: Inode, newName: string): Promise<void>;
  readdir(): Promise<DirEntry[]>;

  // symlinks
  readlink(caller?: FsCaller): Promise<string>;
  /**
   * Magic links (procfs's /proc/<pid>/{cwd,exe,root,fd/N}, Linux's proc_get_link): the location
   * the link stands for, which the walk jumps to instead of walking readlink's text (that text
   * may name no path at all: `pipe:[5]`). Optional; plain symlinks do not define it.
   */
  follow?(caller?: FsCaller): Promise<PathStack>;

  // regular files; `open` returns per-open state for file systems that need it (e.g. a host fd)
  open(flags: number): Promise<InodeHandle>;
  /**
   * Devices and magic-link targets that bring their own file description (Linux's chrdev_open
   * replacing f_op): /dev/tty, or the pipe behind /proc/self/fd/0. Optional; when defined the
   * VFS calls it instead of open() after its generic checks.
   */
  openFile?(flags: number, caller?: FsCaller): Promise<FileDescription>;
}

/** Per-open I/O on an inode (positioned; the file description keeps the offset). */
export interface InodeHandle {
  read(offset: number, buf: Uint8Array): Promise<number>;
  write(offset: number, data: Uint8Array): Promise<number>;
  sync(dataOnly: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Defaults: the errno Linux gives when an operation does not apply to this kind of inode. */
export abstract class InodeBase implements Inode {
  abstract readonly fs: FileSystem;
  abstract readonly ino: number;
  abstract readonly type: FileType;
  abstract stat(): Promise<Stat>;

  async setattr(_attr: SetAttr): Promise<void> { fail('EPERM'); }
  async lookup(_name: string): Promise<Inode> { return this.notDir(); }
  async create(_name: string, _type: 'file' | 'dir' | 'fifo', _mode: number): Promise<Inode> { return this.notDir(); }
  async symlink(_name: string, _target: string): Promise<Inode> { return this.notDir(); }
  async link(_name: string, _target: Inode): Promise<void> { this.notDir(); }
  async unlink(_name: string): Promise<void> { this.notDir(); }
  async rmdir(_name: string): Promise<void> { this.notDir(); }
  async rename(_o: string, _d: Inode, _n: string): Promise<void> { this.notDir(); }
  async readdir(): Promise<DirEntry[]> { return this.notDir(); }
  async readlink(_caller?: FsCaller): Promise<string> { fail('EINVAL', 'not a symlink'); }
  async open(_flags: number): Promise<InodeHandle> {
    if (this.type === 'dir') return nullHandle('EISDIR');
    fail('ENXIO');
  }
  protected notDir(): never { fail('ENOTDIR'); }
}

/** A handle whose data operations all fail with `errno` (directories: EISDIR). */
export function nullHandle(errno: 'EISDIR' | 'EINVAL'): InodeHandle {
  return {
    async read() { fail(errno); },
    async write() { fail(errno); },
    async sync() { /* nothing to sync */ },
    async close() { /* nothing held */ },
  };
}

let nextDev = 1;
export function allocDev(): number { return nextDev++; }
