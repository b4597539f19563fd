// Path-based syscalls: openat, mkdirat, unlinkat, renameat, linkat, symlinkat, readlinkat,
// newfstatat, getdents64, utimensat, faccessat, chdir/fchdir/getcwd, fchmodat, statfs/fstatfs.
import { fail, SysError, Errno } from '../errno.js';
import type { Thread } from '../process/process.js';
import type { DirEntry, Stat } from '../fs/inode.js';
import { InodeFile } from '../fs/file.js';
import { pathString, type PathStack } from '../fs/vfs.js';
import { statfsOf, type StatFs } from '../fs/statfs.js';
import { AT_EMPTY_PATH, AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW, O_CLOEXEC } from '../fs/flags.js';

/** Where a *at() path starts: the root for absolute paths, cwd for AT_FDCWD, else the directory fd. */
export function startOf(t: Thread, dirfd: number, path: string): PathStack {
  if (path.startsWith('/')) return t.kernel.vfs.rootStack;
  if (dirfd === AT_FDCWD) return t.process.cwd;
  const f = t.process.fds.get(dirfd);
  if (!(f instanceof InodeFile) || f.kind !== 'dir') fail('ENOTDIR');
  return f.location;
}

export async function sysOpenat(t: Thread, dirfd: number, path: string, flags: number, mode: number): Promise<number> {
  const vfs = t.kernel.vfs;
  const file = await vfs.open(startOf(t, dirfd, path), path, flags, mode & ~t.process.umask & 0o7777, t.process);
  return t.process.fds.alloc(file, (flags & O_CLOEXEC) !== 0);
}

export async function sysMkdirat(t: Thread, dirfd: number, path: string, mode: number): Promise<number> {
  await t.kernel.vfs.mkdir(startOf(t, dirfd, path), path, mode & ~t.process.umask & 0o7777, t.process);
  return 0;
}

export async function sysUnlinkat(t: Thread, dirfd: number, path: string, flags: number): Promise<number> {
  if (flags & ~AT_REMOVEDIR) fail('EINVAL');
  const start = startOf(t, dirfd, path);
  if (flags & AT_REMOVEDIR) await t.kernel.vfs.rmdir(start, path, t.process);
  else await t.kernel.vfs.unlink(start, path, t.process);
  return 0;
}

export async function sysRenameat(t: Thread, olddirfd: number, oldpath: string, newdirfd: number, newpath: string): Promise<number> {
  await t.kernel.vfs.rename(startOf(t, olddirfd, oldpath), oldpath, startOf(t, newdirfd, newpath), newpath, t.process);
  return 0;
}

export async function sysLinkat(t: Thread, olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags: number): Promise<number> {
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) fail('EINVAL');
  await t.kernel.vfs.link(startOf(t, olddirfd, oldpath), oldpath, startOf(t, newdirfd, newpath), newpath, (flags & AT_SYMLINK_FOLLOW) !== 0, t.process);
  return 0;
}

export async function sysSymlinkat(t: Thread, target: string, newdirfd: number, linkpath: string): Promise<number> {
  await t.kernel.vfs.symlink(startOf(t, newdirfd, linkpath), target, linkpath, t.process);
  return 0;
}

export async function sysReadlinkat(t: Thread, dirfd: number, path: string): Promise<string> {
  return t.kernel.vfs.readlink(startOf(t, dirfd, path), path, t.process);
}

export async function sysNewfstatat(t: Thread, dirfd: number, path: string, flags: number): Promise<Stat> {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) fail('EINVAL');
  if (path === '' && (flags & AT_EMPTY_PATH)) {
    return dirfd === AT_FDCWD ? t.process.cwd[t.process.cwd.length - 1]!.inode.stat() : t.process.fds.get(dirfd).stat();
  }
  return t.kernel.vfs.stat(startOf(t, dirfd, path), path, !(flags & AT_SYMLINK_NOFOLLOW), t.process);
}

/** Returns the entries from the directory cursor on; the caller advances the cursor by how many it used. */
export async function sysGetdents64(t: Thread, fd: number): Promise<{ entries: DirEntry[]; cursor: number; advance: (n: number) => void }> {
  const f = t.process.fds.get(fd);
  const all = await f.readdir();
  const cursor = f.dirCursor;
  return { entries: all.slice(cursor), cursor, advance: (n) => { f.dirCursor = cursor + n; } };
}

export const UTIME_NOW = (1 << 30) - 1, UTIME_OMIT = (1 << 30) - 2;
export interface TimeSpec { sec: number; nsec: number }

function timeArg(t: Thread, ts: TimeSpec | null): bigint | undefined {
  if (ts === null || ts.nsec === UTIME_NOW) return t.kernel.host.clock.realtimeNs();
  if (ts.nsec === UTIME_OMIT) return undefined;
  if (ts.nsec < 0 || ts.nsec > 999999999) fail('EINVAL');
  return BigInt(ts.sec) * 1000000000n + BigInt(ts.nsec);
}

/** utimensat; times === null means both "now". path === null means the fd itself (futimens). */
export async function sysUtimensat(t: Thread, dirfd: number, path: string | null, times: [TimeSpec, TimeSpec] | null, flags: number): Promise<number> {
  if (flags & ~AT_SYMLINK_NOFOLLOW) fail('EINVAL');
  const inode = path === null
    ? (t.process.fds.get(dirfd).inode() ?? fail('EINVAL'))
    : await t.kernel.vfs.lookup(startOf(t, dirfd, path), path, !(flags & AT_SYMLINK_NOFOLLOW), t.process);
  if (inode.fs.readonly) fail('EROFS');
  await inode.setattr({ atimeNs: timeArg(t, times ? times[0] : null), mtimeNs: timeArg(t, times ? times[1] : null) });
  return 0;
}

export const F_OK = 0, X_OK = 1, W_OK = 2, R_OK = 4;

/** Everyone is root here (as in Occlum); access() checks existence, read-only mounts and x bits. */
export async function sysFaccessat(t: Thread, dirfd: number, path: string, mode: number, flags: number): Promise<number> {
  if (mode & ~7) fail('EINVAL');
  const inode = await t.kernel.vfs.lookup(startOf(t, dirfd, path), path, !(flags & AT_SYMLINK_NOFOLLOW), t.process);
  if ((mode & W_OK) && inode.fs.readonly) fail('EROFS');
  if (mode & X_OK) {
    const st = await inode.stat();
    if (inode.type !== 'dir' && (st.mode & 0o111) === 0) fail('EACCES');
  }
  return 0;
}

export async function sysFchmodat(t: Thread, dirfd: number, path: string, mode: number): Promise<number> {
  const inode = await t.kernel.vfs.lookup(startOf(t, dirfd, path), path, true, t.process);
  if (inode.fs.readonly) fail('EROFS');
  await inode.setattr({ mode: mode & 0o7777 });
  return 0;
}

export async function sysFchmod(t: Thread, fd: number, mode: number): Promise<number> {
  const inode = t.process.fds.get(fd).inode() ?? fail('EINVAL');
  if (inode.fs.readonly) fail('EROFS');
  await inode.setattr({ mode: mode & 0o7777 });
  return 0;
}

export async function sysChdir(t: Thread, path: string): Promise<number> {
  const stack = await t.kernel.vfs.walk(t.process.cwd, path, true, t.process);
  if (stack[stack.length - 1]!.inode.type !== 'dir') fail('ENOTDIR');
  t.process.cwd = stack;
  return 0;
}

export function sysFchdir(t: Thread, fd: number): number {
  const f = t.process.fds.get(fd);
  if (!(f instanceof InodeFile) || f.kind !== 'dir') fail('ENOTDIR');
  t.process.cwd = f.location;
  return 0;
}

export function sysGetcwd(t: Thread): string {
  return pathString(t.process.cwd);
}

/** statfs: the numbers of the file system `path` is on. */
export async function sysStatfs(t: Thread, path: string): Promise<StatFs> {
  const inode = await t.kernel.vfs.lookup(startOf(t, AT_FDCWD, path), path, true);
  return statfsOf(inode.fs);
}

/** Linux's magics for files that live on no mounted file system. */
const PIPEFS_MAGIC = 0x50495045, ANON_INODE_FS_MAGIC = 0x09041934, DEVPTS_SUPER_MAGIC = 0x1cd1;

export async function sysFstatfs(t: Thread, fd: number): Promise<StatFs> {
  const f = t.process.fds.get(fd);
  const inode = f.inode();
  if (inode) return statfsOf(inode.fs);
  const type = f.kind === 'pipe' ? PIPEFS_MAGIC : f.kind === 'stdio' ? DEVPTS_SUPER_MAGIC : ANON_INODE_FS_MAGIC;
  return { ...(await statfsOf(t.kernel.vfs.rootFs)), type, blocks: 0, bfree: 0, bavail: 0, files: 0, ffree: 0, flags: 0 };
}
