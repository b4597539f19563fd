// statfs(2) for a mounted file system: Linux's struct statfs in numbers. f_type is the magic
// Linux reports for the same kind of file system (linux/magic.h), so programs that test it
// (e.g. "am I on tmpfs/proc?") behave the same; hostfs passes the host's numbers through.
import type { FileSystem } from './inode.js';

export interface StatFs {
  type: number; bsize: number; blocks: number; bfree: number; bavail: number;
  files: number; ffree: number; fsid: number; namelen: number; frsize: number; flags: number;
}

/** Linux's magic numbers by occlum-ts file-system type. */
export const FS_MAGIC: Readonly<Record<string, number>> = {
  ramfs: 0x858458f6,
  tmpfs: 0x01021994,
  procfs: 0x9fa0,
  devfs: 0x1373, // Linux's DEVFS_SUPER_MAGIC
  unionfs: 0x794c7630, // overlayfs: the same role (a writable layer over read-only ones)
  // No Linux counterpart: a fixed magic, "SEFS" in ASCII.
  sefs: 0x53454653,
  hostfs: 0x00c0ffee, // only when the host cannot tell its own (see statfsOf)
};

/** ST_RDONLY (f_flags), as statvfs reports for a read-only mount. */
export const ST_RDONLY = 1;
const NAME_MAX = 255;
const BLOCK = 4096;

/** The file system may report its own usage (hostfs: the host's statfs). */
export interface StatFsSource { statfs(): Promise<Partial<StatFs>> }

function hasStatfs(fs: FileSystem): fs is FileSystem & StatFsSource {
  return typeof (fs as Partial<StatFsSource>).statfs === 'function';
}

/** statfs of a file system: its own numbers where it has them, else a memory-like file system's. */
export async function statfsOf(fs: FileSystem): Promise<StatFs> {
  const own = hasStatfs(fs) ? await fs.statfs() : {};
  return {
    type: FS_MAGIC[fs.type] ?? 0, bsize: BLOCK, blocks: 0, bfree: 0, bavail: 0, files: 0, ffree: 0,
    fsid: fs.dev, namelen: NAME_MAX, frsize: BLOCK,
    ...own,
    flags: (own.flags ?? 0) | (fs.readonly ? ST_RDONLY : 0),
  };
}
