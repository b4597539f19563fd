// The VFS: mount table, path walk and the path-based operations syscalls use.
//
// Path walk (like Linux's link_path_walk): components are looked up one at a time from the
// root or a starting directory; the walk keeps the stack of directories it went through, so
// '..' is the *physical* parent (after symlinks) and crosses mounts back to the mountpoint's
// parent; a directory that is a mountpoint is replaced by the mounted file system's root;
// symlinks are expanded by the VFS (never by a file system), at most MAX_SYMLINKS per walk;
// a magic link (Inode.follow, procfs) is a jump to a location rather than a text to walk.
// Every operation takes the caller (FsCaller) last: procfs's /proc/self names it.
import { fail, SysError } from '../errno.js';
import { InodeFile, type FileDescription } from './file.js';
import { FileLocks } from './file-lock.js';
import type { FileSystem, FsCaller, Inode, Stat } from './inode.js';
import {
  O_ACCMODE, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH, O_RDONLY, O_TRUNC, O_TMPFILE,
} from './flags.js';

const MAX_SYMLINKS = 40;
const NAME_MAX = 255;
const PATH_MAX = 4096;

/** One step of a resolved path: the inode and the name it was reached by. */
export interface PathEntry { inode: Inode; name: string }
/** A resolved location: entries from the root ([0] is the root, name ''). */
export type PathStack = readonly PathEntry[];

export function pathString(stack: PathStack): string {
  return stack.length <= 1 ? '/' : stack.slice(1).map((e) => e.name).join('/').replace(/^/, '/');
}

export interface Mount {
  target: string;
  fs: FileSystem;
  mountpoint: PathStack;
  /** What mount(2) was given (for the mount table); boot mounts leave them empty. */
  source?: string;
}

export class Vfs {
  private readonly mounts = new Map<string, Mount>(); // key: dev:ino of the covered directory
  readonly rootStack: PathStack;
  /** flock and POSIX record locks of every file. */
  readonly locks = new FileLocks();
  /** File systems mount(2) created: the kernel unmounts them (at umount2, or at shutdown if still in use). */
  private readonly owned = new Set<FileSystem>();

  constructor(readonly rootFs: FileSystem) {
    this.rootStack = [{ inode: rootFs.root, name: '' }];
  }

  private key(i: Inode): string { return `${i.fs.dev}:${i.ino}`; }

  /** Mounts `fs` on the directory at `target` (created in the parent fs if missing and writable); boot's mounts. */
  async mount(target: string, fs: FileSystem): Promise<void> {
    let stack: PathStack;
    try {
      stack = await this.walk(this.rootStack, target, true);
    } catch (e) {
      if (!(e instanceof SysError) || e.errno !== 2) throw e;
      await this.mkdirp(target);
      stack = await this.walk(this.rootStack, target, true);
    }
    this.mountAt(stack, fs);
  }

  /**
   * Mounts `fs` on the resolved directory `stack` (mount(2)). A directory that already is a
   * mount's root gets the new mount stacked on top, as on Linux. Errors: ENOTDIR, EBUSY for '/'.
   */
  mountAt(stack: PathStack, fs: FileSystem, source?: string): Mount {
    const top = stack[stack.length - 1]!;
    if (top.inode.type !== 'dir') fail('ENOTDIR', `mount target ${pathString(stack)} is not a directory`);
    if (stack.length === 1) fail('EBUSY', 'cannot mount over /');
    if (top.inode === fs.root) fail('EBUSY', 'already mounted here');
    const m: Mount = { target: pathString(stack), fs, mountpoint: stack, ...(source !== undefined ? { source } : {}) };
    this.mounts.set(this.key(top.inode), m);
    return m;
  }

  /** The mount whose root is the last entry of `stack` (the topmost one there), if any. */
  mountRootedAt(stack: PathStack): Mount | undefined {
    const top = stack[stack.length - 1]!.inode;
    for (const m of this.mounts.values()) if (m.fs.root === top) return m;
    return undefined;
  }

  /** Removes `m` from the mount table (the caller decides about busy checks and unmounting the fs). */
  detach(m: Mount): void {
    for (const [k, x] of this.mounts) if (x === m) this.mounts.delete(k);
  }

  async umount(target: string): Promise<void> {
    const stack = await this.walk(this.rootStack, target, true);
    if (stack.length === 1) fail('EBUSY', 'cannot unmount /');
    const m = this.mountRootedAt(stack) ?? fail('EINVAL', `${target} is not a mountpoint`);
    this.detach(m);
    await m.fs.unmount?.();
  }

  mountList(): Mount[] { return [...this.mounts.values()]; }

  /** Marks `fs` as the kernel's (mount(2), or boot's root and mounts): releaseOwned() unmounts it. */
  adopt(fs: FileSystem): void { this.owned.add(fs); }

  /** Unmounts an adopted file system now (umount2 of an unused mount). */
  async release(fs: FileSystem): Promise<void> {
    this.owned.delete(fs);
    await fs.unmount?.();
  }

  /** Kernel shutdown: unmounts what was adopted and is still mounted or lazily detached, latest first. */
  async releaseOwned(): Promise<void> {
    for (const fs of [...this.owned].reverse()) await this.release(fs);
  }

  /** Syncs every mounted file system (kernel shutdown); whoever created a file system unmounts it. */
  async syncAll(): Promise<void> {
    for (const m of [...this.mounts.values()].reverse()) await m.fs.sync?.();
    await this.rootFs.sync?.();
  }

  private async mkdirp(path: string): Promise<void> {
    let stack = this.rootStack;
    for (const comp of path.split('/').filter((c) => c && c !== '.')) {
      const dir = stack[stack.length - 1]!.inode;
      let child: Inode;
      try { child = await dir.lookup(comp); } catch { child = await dir.create(comp, 'dir', 0o755); }
      stack = [...stack, { inode: this.covered(child), name: comp }];
    }
  }

  /** The root of what is mounted on `i` (the topmost of stacked mounts), or `i` itself. */
  private covered(i: Inode): Inode {
    if (i.type !== 'dir' || this.mounts.size === 0) return i;
    for (let m = this.mounts.get(this.key(i)); m; m = this.mounts.get(this.key(i))) i = m.fs.root;
    return i;
  }

  /**
   * Resolves `path` relative to `start` (ignored for absolute paths).
   * followFinal: expand a symlink in the last component.
   */
  async walk(start: PathStack, path: string, followFinal: boolean, caller?: FsCaller, budget = { links: MAX_SYMLINKS }): Promise<PathStack> {
    if (path.length >= PATH_MAX) fail('ENAMETOOLONG');
    if (path === '') fail('ENOENT');
    let stack: PathEntry[] = path.startsWith('/') ? [...this.rootStack] : [...start];
    const comps = path.split('/').filter((c) => c !== '');
    const mustBeDir = path.endsWith('/');
    for (let i = 0; i < comps.length; i++) {
      const comp = comps[i]!;
      const last = i === comps.length - 1;
      if (comp === '.') continue;
      if (comp === '..') { if (stack.length > 1) stack.pop(); continue; }
      if (comp.length > NAME_MAX) fail('ENAMETOOLONG');
      const dir = stack[stack.length - 1]!.inode;
      if (dir.type !== 'dir') fail('ENOTDIR');
      const child = this.covered(await dir.lookup(comp));
      if (child.type === 'symlink' && (!last || followFinal || mustBeDir)) {
        if (--budget.links < 0) fail('ELOOP');
        if (child.follow) { stack = [...(await child.follow(caller))]; continue; }
        const target = await child.readlink(caller);
        stack = [...(await this.walk(stack, target, true, caller, budget))];
        continue;
      }
      stack.push({ inode: child, name: comp });
    }
    if (mustBeDir && stack[stack.length - 1]!.inode.type !== 'dir') fail('ENOTDIR');
    return stack;
  }

  /**
   * Resolves the parent directory of `path` and returns it with the final name.
   * Fails with EEXIST-like errors for '/', '.', '..' as final names (like Linux's LOOKUP_PARENT users).
   */
  async walkParent(start: PathStack, path: string, caller?: FsCaller): Promise<{ parent: PathStack; name: string; trailingSlash: boolean }> {
    if (path === '') fail('ENOENT');
    const trimmed = path.replace(/\/+$/, '');
    const trailingSlash = trimmed.length !== path.length;
    if (trimmed === '') return { parent: this.rootStack, name: '/', trailingSlash };
    const idx = trimmed.lastIndexOf('/');
    const dirPath = idx < 0 ? '.' : idx === 0 ? '/' : trimmed.slice(0, idx);
    const name = trimmed.slice(idx + 1);
    if (name.length > NAME_MAX) fail('ENAMETOOLONG');
    const parent = await this.walk(start, dirPath, true, caller);
    if (parent[parent.length - 1]!.inode.type !== 'dir') fail('ENOTDIR');
    return { parent, name, trailingSlash };
  }

  private checkWritable(i: Inode): void { if (i.fs.readonly) fail('EROFS'); }

  // ---- path operations ----

  async open(start: PathStack, path: string, flags: number, mode: number, caller?: FsCaller): Promise<FileDescription> {
    if ((flags & O_TMPFILE) === O_TMPFILE) fail('EOPNOTSUPP', 'O_TMPFILE');
    let stack: PathStack;
    if (flags & O_CREAT) {
      if (flags & O_DIRECTORY) fail('EINVAL');
      const { parent, name, trailingSlash } = await this.walkParent(start, path, caller);
      if (name === '/' || name === '.' || name === '..' || trailingSlash) fail('EISDIR');
      const dir = parent[parent.length - 1]!.inode;
      let child: Inode | undefined;
      try { child = this.covered(await dir.lookup(name)); } catch (e) { if (!(e instanceof SysError) || e.errno !== 2) throw e; }
      if (child && (flags & O_EXCL)) fail('EEXIST');
      if (child && child.type === 'symlink') {
        if (flags & O_NOFOLLOW) fail('ELOOP');
        try {
          stack = await this.walk(parent, name, true, caller);
        } catch (e) {
          // dangling symlink: create its target, as Linux does
          if (!(e instanceof SysError) || e.errno !== 2) throw e;
          const target = await child.readlink(caller);
          return this.open(parent, target, flags, mode, caller);
        }
      } else if (child) {
        stack = [...parent, { inode: child, name }];
      } else {
        this.checkWritable(dir);
        const created = await dir.create(name, 'file', mode);
        stack = [...parent, { inode: created, name }];
        return this.openStack(stack, flags & ~O_TRUNC, caller);
      }
    } else {
      stack = await this.walk(start, path, !(flags & O_NOFOLLOW), caller);
    }
    return this.openStack(stack, flags, caller);
  }

  private async openStack(stack: PathStack, flags: number, caller: FsCaller | undefined): Promise<FileDescription> {
    const inode = stack[stack.length - 1]!.inode;
    const acc = flags & O_ACCMODE;
    if (inode.type === 'symlink' && !(flags & O_PATH)) fail('ELOOP');
    if ((flags & O_DIRECTORY) && inode.type !== 'dir') fail('ENOTDIR');
    if (inode.type === 'dir' && acc !== O_RDONLY) fail('EISDIR');
    if (acc !== O_RDONLY || (flags & O_TRUNC)) this.checkWritable(inode);
    if ((flags & O_TRUNC) && inode.type === 'file' && acc !== O_RDONLY) await inode.setattr({ size: 0 });
    if (inode.openFile && !(flags & O_PATH)) return inode.openFile(flags, caller);
    const handle = flags & O_PATH ? { read: async () => fail('EBADF'), write: async () => fail('EBADF'), sync: async () => {}, close: async () => {} } : await inode.open(flags);
    return new InodeFile(inode, handle, flags, stack, pathString(stack), this.locks);
  }

  async stat(start: PathStack, path: string, follow: boolean, caller?: FsCaller): Promise<Stat> {
    const s = await this.walk(start, path, follow, caller);
    return s[s.length - 1]!.inode.stat();
  }

  async lookup(start: PathStack, path: string, follow: boolean, caller?: FsCaller): Promise<Inode> {
    const s = await this.walk(start, path, follow, caller);
    return s[s.length - 1]!.inode;
  }

  async mkdir(start: PathStack, path: string, mode: number, caller?: FsCaller): Promise<void> {
    const { parent, name } = await this.walkParent(start, path, caller);
    if (name === '/' || name === '.' || name === '..') fail('EEXIST');
    const dir = parent[parent.length - 1]!.inode;
    this.checkWritable(dir);
    await dir.create(name, 'dir', mode);
  }

  async mkfifo(start: PathStack, path: string, mode: number, caller?: FsCaller): Promise<void> {
    const { parent, name } = await this.walkParent(start, path, caller);
    if (name === '/' || name === '.' || name === '..') fail('EEXIST');
    const dir = parent[parent.length - 1]!.inode;
    this.checkWritable(dir);
    await dir.create(name, 'fifo', mode);
  }

  async unlink(start: PathStack, path: string, caller?: FsCaller): Promise<void> {
    const { parent, name, trailingSlash } = await this.walkParent(start, path, caller);
    if (name === '/' || name === '.' || name === '..') fail('EISDIR');
    const dir = parent[parent.length - 1]!.inode;
    const victim = await dir.lookup(name);
    if (victim.type === 'dir') fail('EISDIR');
    if (trailingSlash) fail('ENOTDIR');
    this.checkWritable(dir);
    await dir.unlink(name);
  }

  async rmdir(start: PathStack, path: string, caller?: FsCaller): Promise<void> {
    const { parent, name } = await this.walkParent(start, path, caller);
    if (name === '/') fail('EBUSY');
    if (name === '.') fail('EINVAL');
    if (name === '..') fail('ENOTEMPTY');
    const dir = parent[parent.length - 1]!.inode;
    const victim = await dir.lookup(name);
    if (victim.type !== 'dir') fail('ENOTDIR');
    if (this.covered(victim) !== victim) fail('EBUSY');
    this.checkWritable(dir);
    await dir.rmdir(name);
  }

  async symlink(start: PathStack, target: string, path: string, caller?: FsCaller): Promise<void> {
    if (target === '') fail('ENOENT');
    const { parent, name, trailingSlash } = await this.walkParent(start, path, caller);
    if (name === '/' || name === '.' || name === '..' || trailingSlash) fail('EEXIST');
    const dir = parent[parent.length - 1]!.inode;
    this.checkWritable(dir);
    await dir.symlink(name, target);
  }

  async readlink(start: PathStack, path: string, caller?: FsCaller): Promise<string> {
    const s = await this.walk(start, path, false, caller);
    return s[s.length - 1]!.inode.readlink(caller);
  }

  async link(oldStart: PathStack, oldPath: string, newStart: PathStack, newPath: string, follow: boolean, caller?: FsCaller): Promise<void> {
    const target = await this.lookup(oldStart, oldPath, follow, caller);
    if (target.type === 'dir') fail('EPERM');
    const { parent, name } = await this.walkParent(newStart, newPath, caller);
    if (name === '/' || name === '.' || name === '..') fail('EEXIST');
    const dir = parent[parent.length - 1]!.inode;
    if (dir.fs !== target.fs) fail('EXDEV');
    this.checkWritable(dir);
    await dir.link(name, target);
  }

  async rename(oldStart: PathStack, oldPath: string, newStart: PathStack, newPath: string, caller?: FsCaller): Promise<void> {
    const a = await this.walkParent(oldStart, oldPath, caller);
    const b = await this.walkParent(newStart, newPath, caller);
    // Linux's do_renameat2: a last component that is not a name ('/', '.', '..') is EBUSY.
    for (const n of [a.name, b.name]) if (n === '/' || n === '.' || n === '..') fail('EBUSY');
    const from = a.parent[a.parent.length - 1]!.inode;
    const to = b.parent[b.parent.length - 1]!.inode;
    const src = await from.lookup(a.name);
    if ((a.trailingSlash || b.trailingSlash) && src.type !== 'dir') fail('ENOTDIR');
    if (this.covered(src) !== src) fail('EBUSY');
    if (from.fs !== to.fs) fail('EXDEV');
    if (src.type === 'dir' && b.parent.some((e) => e.inode === src)) fail('EINVAL', 'cannot move a directory into itself');
    this.checkWritable(from);
    await from.rename(a.name, to, b.name);
  }
}
