// sefs: a block file system over any BlockDevice (occlum-ts's writable layer; design.md, Storage).
// The device below (PfsDisk, SwornDisk) gives confidentiality, integrity and freshness, so sefs
// stores plain structures on it; its keys come from the platform sealing key (volume.ts). The
// kernel-facing adapter is src/kernel/fs/sefs.ts.
//
// # On-disk layout (4 KiB blocks; layout.ts has the codecs)
//
//   [0 superblock][inode bitmap][inode table][block bitmap][journal: header + log][data blocks ...]
//
// - Superblock: magic "OCTSSEFS", version, geometry, root inode, orphan-list head, fs id, commit
//   sequence, HMAC-SHA256 under a key derived from the sealing key (a plain checksum without one).
// - Inode table: 128-byte inodes (32 per block): type, mode, nlink, uid, gid, size, a/m/ctime in
//   ns, blocks owned, next orphan, 12 direct + single/double/triple indirect u32 block pointers
//   (4 TiB files), parent (directories), generation. Inode 0 is never used; the root is 1.
// - Bitmaps: one bit per inode / per device block (metadata blocks are marked used at format).
// - Directories are files of fixed 264-byte entries (ino u32, type u8, name length u8, name up to
//   255 bytes), 15 per block; slot ino 0 = empty. '.' and '..' are not stored (the VFS makes them).
// - Symlinks: targets of <= 60 bytes in the inode's pointer area, longer ones in one block.
// - Holes: a zero pointer; reads as zeros. Bytes past EOF inside the last block are zeroed
//   before EOF moves over them (a crash may leave newer bytes there: see zeroTail).
// - Hard links: nlink; an inode with nlink 0 that is still open stays allocated and is put on the
//   orphan list (superblock head, chained through the inodes) so that mount frees it after a crash.
//
// # In memory
// All mutations happen in memory: inodes (MemInode), the two bitmaps, and a BlockCache of plain
// blocks where directory, indirect and symlink blocks are META-dirty (pinned until the next
// commit) and file contents are DATA-dirty (written back on eviction, or at the commit). Whole
// aligned blocks of large writes go straight to the device; large reads come straight from it.
// Every public operation runs under one lock (operations never interleave), and a commit runs
// only between operations (or between chunks of one long write/truncate, whose intermediate
// states are consistent too), so a commit always captures a consistent file system.
//
// # Crash consistency (commit = sync)
// 1. dirty inodes are encoded into their inode-table blocks, the orphan list is linked, the
//    superblock gets the next commit sequence;
// 2. dirty file data is written to its home blocks (ordered mode, like ext4 data=ordered);
// 3. the dirty metadata blocks go through the redo journal (journal.ts), or straight home when
//    the disk's flush is atomic (`atomicFlush`, SwornDisk);
// 4. dev.flush().
// Frees are deferred until the commit that makes them durable (bitmap.ts), so data written early
// never lands in a block that the last committed state still owns. Commits run on fsync/fdatasync,
// sync(), unmount, every `commitIntervalMs`, and when dirty metadata reaches half the journal or
// unflushed data reaches `dirtyLimitBlocks`. A crash therefore leaves the state of the last commit
// (atomic-flush disks) or of the last commit whose journal header was written (prefix disks).
//
// # Errors
// User errors throw SefsError with an errno name. The disk's integrity failures (StorageError EIO)
// propagate; one raised inside a mutating operation or a commit "breaks" the mounted instance
// (later mutations and syncs fail with EIO; the image recovers at the next mount), so a half-done
// in-memory change can never be committed.
import { BLOCK_SIZE, type BlockDevice } from '../block-device.js';
import type { HostCrypto } from '../../host/types.js';
import { Bitmap } from './bitmap.js';
import { BlockCache, DATA, META, runs, type CacheStats } from './cache.js';
import { SefsError, fsFail } from './errors.js';
import { Journal } from './journal.js';
import {
  DIND_START, DIRENTS_PER_BLOCK, IND_START, INLINE_SYMLINK_MAX, INODES_PER_BLOCK, INODE_SIZE, IType,
  MAX_FILE_SIZE, NAME_MAX, NDIRECT, PTRS, ROOT_INO, SYMLINK_MAX, TIND_START,
  computeGeometry, decodeDirent, decodeInode, decodeSuperblock, emptyInode, encodeDirent, encodeInode, encodeSuperblock,
  type DiskInode, type GeometryOptions, type Superblock,
} from './layout.js';

export type NodeType = 'file' | 'dir' | 'symlink' | 'fifo';

const typeName: Record<number, NodeType> = { [IType.File]: 'file', [IType.Dir]: 'dir', [IType.Symlink]: 'symlink', [IType.Fifo]: 'fifo' };
const typeCode: Record<NodeType, IType> = { file: IType.File, dir: IType.Dir, symlink: IType.Symlink, fifo: IType.Fifo };

export interface SefsOptions {
  crypto: HostCrypto;
  /** Superblock MAC key (volume.ts derives it from the sealing key). Default: a fixed key (a checksum). */
  key?: Uint8Array;
  /** Wall clock in ns (default Date.now()). */
  clock?: () => bigint;
  /** Clean + data-dirty blocks kept in the cache (default 4096 = 16 MiB). */
  cacheBlocks?: number;
  readonly?: boolean;
  /** The device's flush() is atomic (SwornDisk): metadata skips the journal. Default false. */
  atomicFlush?: boolean;
  /** Flush the device between journal steps (hosts that reorder writes). Default false. */
  barriers?: boolean;
  /** Commit every this many ms if anything is dirty (default 5000; 0 = off). */
  commitIntervalMs?: number;
  /** Commit when this many data blocks were written since the last flush (default 8192 = 32 MiB). */
  dirtyLimitBlocks?: number;
  /** Blocks read ahead for small sequential reads (default 32 = 128 KiB). */
  readAheadBlocks?: number;
  /** Log lines (mount recovery, integrity errors, broken state). */
  log?: (line: string) => void;
}

export interface FormatOptions extends SefsOptions, GeometryOptions {}

export interface NodeAttr {
  ino: number;
  type: NodeType;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  /** 512-byte units, as in struct stat. */
  blocks512: number;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

export interface SetNodeAttr { size?: number; mode?: number; uid?: number; gid?: number; atimeNs?: bigint; mtimeNs?: bigint }

export interface SefsStats extends CacheStats {
  commits: number;
  journalBlocks: number;
  freeBlocks: number;
  freeInodes: number;
}

interface DirSlot { ino: number; type: IType; slot: number }
interface DirIndex { names: Map<string, DirSlot>; free: number[]; nslots: number }

/**
 * One inode in memory. The Sefs owns it; adapters hold it as an opaque handle. A freed inode is
 * marked dead (its number may be reused by a new SefsNode).
 */
export class SefsNode {
  dead = false;
  dirty = false;
  opens = 0;
  dir: DirIndex | undefined;
  /** Read-ahead state: next file block of a sequential read, and how far read-ahead went. */
  nextFb = 0;
  raEnd = 0;
  /** Allocation goal: the device block after the last one allocated for this inode. */
  goal = 0;
  constructor(readonly ino: number, public d: DiskInode, public parent: number) {}
  get type(): NodeType { return typeName[this.d.type] ?? 'file'; }
}

const DEFAULT_KEY_TEXT = 'occlum-ts sefs: no key (checksum only)';
const CHUNK_BLOCKS = 256;
const DAY_NS = 86_400_000_000_000n;
const te = new TextEncoder();
const td = new TextDecoder();

function nameBytes(name: string): Uint8Array {
  const b = te.encode(name);
  if (b.length === 0) fsFail('ENOENT');
  if (b.length > NAME_MAX) fsFail('ENAMETOOLONG');
  return b;
}

export class Sefs {
  readonly cache: BlockCache;
  readonly readonly: boolean;
  private readonly crypto: HostCrypto;
  private readonly macKey: Uint8Array;
  private readonly clock: () => bigint;
  private readonly journal: Journal;
  private readonly atomicFlush: boolean;
  private readonly dirtyLimit: number;
  private readonly readAhead: number;
  private readonly log: (line: string) => void;
  private readonly nodes = new Map<number, SefsNode>();
  private readonly dirtyNodes = new Set<SefsNode>();
  private readonly orphans = new Set<SefsNode>();
  private ibm!: Bitmap;
  private bbm!: Bitmap;
  private tail: Promise<unknown> = Promise.resolve();
  private broken: Error | undefined;
  private closed = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Blocks written to the device since its last flush (direct writes and write-backs). */
  private unflushed = 0;
  private devDirty = false;
  private commits = 0;

  private constructor(readonly dev: BlockDevice, public sb: Superblock, o: SefsOptions) {
    this.crypto = o.crypto;
    this.macKey = o.key ?? o.crypto.sha256(te.encode(DEFAULT_KEY_TEXT));
    this.clock = o.clock ?? (() => BigInt(Date.now()) * 1_000_000n);
    this.readonly = o.readonly ?? false;
    this.atomicFlush = o.atomicFlush ?? false;
    this.dirtyLimit = o.dirtyLimitBlocks ?? 8192;
    this.readAhead = o.readAheadBlocks ?? 32;
    this.log = o.log ?? (() => {});
    this.cache = new BlockCache(dev, Math.max(16, o.cacheBlocks ?? 4096));
    this.journal = new Journal(this.cache, dev, o.crypto, sb.journalStart, sb.journalBlocks, o.barriers ?? false);
    const interval = o.commitIntervalMs ?? 5000;
    if (interval > 0 && !this.readonly) {
      this.timer = setInterval(() => { void this.periodicCommit(); }, interval);
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  // ---- format / mount / unmount ----

  /** Makes an empty file system on `dev` and mounts it. Errors: EINVAL (device too small, bad options). */
  static async format(dev: BlockDevice, o: FormatOptions): Promise<Sefs> {
    const g = computeGeometry(dev.nblocks, o);
    const now = (o.clock ?? (() => BigInt(Date.now()) * 1_000_000n))();
    const sb: Superblock = { ...g, rootIno: ROOT_INO, orphanHead: 0, fsId: o.crypto.randomBytes(16), commitSeq: 1, createdNs: now };
    const macKey = o.key ?? o.crypto.sha256(te.encode(DEFAULT_KEY_TEXT));
    // inode table: trimmed (reads as zeros: every inode free)
    await dev.trim(g.inodeTableStart, g.inodeTableBlocks);
    const ibm = new Bitmap(g.ninodes, g.inodeBitmapBlocks);
    ibm.set(0);
    ibm.set(ROOT_INO);
    const bbm = new Bitmap(g.nblocks, g.blockBitmapBlocks);
    for (let b = 0; b < g.dataStart; b++) bbm.set(b);
    await dev.write(g.inodeBitmapStart, ibm.disk);
    await dev.write(g.blockBitmapStart, bbm.disk);
    const root = emptyInode();
    Object.assign(root, { type: IType.Dir, mode: 0o755, nlink: 2, atimeNs: now, mtimeNs: now, ctimeNs: now, generation: 1 });
    const itb = new Uint8Array(BLOCK_SIZE);
    encodeInode(root, itb, (ROOT_INO % INODES_PER_BLOCK) * INODE_SIZE);
    new DataView(itb.buffer).setUint32((ROOT_INO % INODES_PER_BLOCK) * INODE_SIZE + 120, ROOT_INO, true);
    await dev.write(g.inodeTableStart + Math.floor(ROOT_INO / INODES_PER_BLOCK), itb);
    await dev.write(g.journalStart, new Uint8Array(BLOCK_SIZE)); // no transaction
    await dev.write(0, encodeSuperblock(o.crypto, macKey, sb));
    await dev.flush();
    return Sefs.mount(dev, o);
  }

  /**
   * Mounts the file system on `dev`: replays a committed journal transaction, loads the bitmaps,
   * frees orphans. Errors: EINVAL (not sefs), EIO (bad MAC: wrong key or modified; or the disk's
   * integrity errors).
   */
  static async mount(dev: BlockDevice, o: SefsOptions): Promise<Sefs> {
    const macKey = o.key ?? o.crypto.sha256(te.encode(DEFAULT_KEY_TEXT));
    const b0 = new Uint8Array(BLOCK_SIZE);
    await dev.read(0, b0);
    let sb = decodeSuperblock(o.crypto, macKey, b0, dev.nblocks);
    const fs = new Sefs(dev, sb, o);
    try {
      const r = await Journal.replay(dev, fs.cache, o.crypto, sb.journalStart, sb.journalBlocks);
      if (r.installed > 0) {
        fs.log(`sefs: mount: replayed journal transaction ${r.seq} (${r.installed} blocks)`);
        await dev.read(0, b0);
        sb = decodeSuperblock(o.crypto, macKey, b0, dev.nblocks);
        fs.sb = sb;
      }
      const ib = new Uint8Array(sb.inodeBitmapBlocks * BLOCK_SIZE);
      await fs.cache.devRead(sb.inodeBitmapStart, ib);
      fs.ibm = new Bitmap(sb.ninodes, sb.inodeBitmapBlocks, ib);
      const bb = new Uint8Array(sb.blockBitmapBlocks * BLOCK_SIZE);
      await fs.cache.devRead(sb.blockBitmapStart, bb);
      fs.bbm = new Bitmap(sb.nblocks, sb.blockBitmapBlocks, bb);
      if (!fs.ibm.isSet(ROOT_INO)) throw new SefsError('EIO', 'sefs: the root inode is not allocated');
      fs.rootN = await fs.iget(ROOT_INO);
      if (fs.rootN.d.type !== IType.Dir) throw new SefsError('EIO', 'sefs: the root inode is not a directory');
      if (sb.orphanHead !== 0 && !fs.readonly) await fs.run(() => fs.reclaimOrphansLocked(), true);
    } catch (e) {
      fs.stopTimer();
      throw e;
    }
    return fs;
  }

  /** Commits, flushes and (by default) closes the device. Open handles die with the mount. */
  async unmount(closeDevice = true): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.readonly && !this.broken) {
        await this.run(async () => {
          for (const n of [...this.orphans]) if (n.opens > 0) { n.opens = 0; await this.releaseLocked(n); }
          await this.commitLocked();
        }, true);
      }
    } finally {
      this.closed = true;
      this.stopTimer();
      this.cache.clear();
      if (closeDevice) await this.dev.close();
    }
  }

  /** Commits and flushes (sync(2) / syncfs(2)). */
  sync(): Promise<void> {
    return this.run(() => this.commitLocked(), true);
  }

  /** The root directory. */
  get root(): SefsNode { return this.rootN; }
  private rootN!: SefsNode;

  stats(): SefsStats {
    return { ...this.cache.stats, commits: this.commits, journalBlocks: this.sb.journalBlocks, freeBlocks: this.bbm.free, freeInodes: this.ibm.free };
  }

  get isBroken(): boolean { return this.broken !== undefined; }

  // ---- the lock ----

  /**
   * Runs `fn` under the file system's lock. `mutating`: a failure other than a clean user error
   * breaks the instance (see the header); a broken or read-only instance refuses to run it.
   */
  private run<T>(fn: () => Promise<T>, mutating: boolean): Promise<T> {
    const p = this.tail.then(async () => {
      if (this.closed) fsFail('EIO', 'sefs: the file system is unmounted');
      if (mutating) {
        if (this.broken) fsFail('EIO', `sefs: the file system is broken since an earlier error (${this.broken.message}); remount it`);
        if (this.readonly) fsFail('EROFS');
      }
      try {
        return await fn();
      } catch (e) {
        if (mutating && !(e instanceof SefsError && e.code !== 'EIO')) this.breakOn(e);
        throw e;
      }
    });
    this.tail = p.catch(() => {});
    return p;
  }

  private breakOn(e: unknown): void {
    if (this.broken) return;
    this.broken = e instanceof Error ? e : new Error(String(e));
    this.log(`sefs: error during an update, the mounted file system is now read-only until remount: ${this.broken.message}`);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async periodicCommit(): Promise<void> {
    if (this.closed || this.broken || !this.hasDirty()) return;
    try { await this.run(() => this.commitLocked(), true); } catch { /* logged by breakOn */ }
  }

  private hasDirty(): boolean {
    return this.dirtyNodes.size > 0 || this.cache.metaDirtyCount > 0 || this.cache.dataDirtyCount > 0 || this.ibm.dirtyCount > 0
      || this.bbm.dirtyCount > 0 || this.devDirty;
  }

  // ---- public operations (each under the lock) ----

  // Contract shared by the operations below (Linux semantics, as ramfs): names are single
  // components (the VFS resolved the path). Errors common to all: ENOENT (the node was removed),
  // EIO (the disk's integrity error, or an instance broken by an earlier one), and for mutations
  // EROFS (read-only mount) and ENOSPC (no free block or inode).

  /** Attributes. */
  stat(n: SefsNode): Promise<NodeAttr> {
    return this.run(async () => this.attr(this.live(n)), false);
  }

  /** chmod/chown/utimens/truncate; ctime becomes now. Errors: EISDIR/EINVAL (size of a non-file), EFBIG. */
  setattr(n: SefsNode, a: SetNodeAttr): Promise<void> {
    return this.run(async () => {
      this.live(n);
      const now = this.clock();
      if (a.size !== undefined) {
        if (n.d.type === IType.Dir) fsFail('EISDIR');
        if (n.d.type !== IType.File) fsFail('EINVAL');
        if (a.size < 0 || !Number.isSafeInteger(a.size)) fsFail('EINVAL');
        if (a.size > MAX_FILE_SIZE) fsFail('EFBIG');
        if (a.size !== n.d.size) await this.truncateLocked(n, a.size);
        n.d.mtimeNs = now;
      }
      if (a.mode !== undefined) n.d.mode = a.mode & 0o7777;
      if (a.uid !== undefined) n.d.uid = a.uid;
      if (a.gid !== undefined) n.d.gid = a.gid;
      if (a.atimeNs !== undefined) n.d.atimeNs = a.atimeNs;
      if (a.mtimeNs !== undefined) n.d.mtimeNs = a.mtimeNs;
      n.d.ctimeNs = now;
      this.markDirty(n);
      await this.maybeCommitLocked();
    }, true);
  }

  /** Errors: ENOTDIR, ENOENT. */
  lookup(dir: SefsNode, name: string): Promise<SefsNode> {
    return this.run(async () => {
      const idx = await this.dirIndex(dir);
      const e = idx.names.get(name) ?? fsFail('ENOENT');
      return this.iget(e.ino, dir.ino);
    }, false);
  }

  /** A new file, directory or fifo. Errors: ENOTDIR, EEXIST, ENAMETOOLONG (> 255 bytes), ENOENT (dir removed). */
  create(dir: SefsNode, name: string, type: 'file' | 'dir' | 'fifo', mode: number, uid = 0, gid = 0): Promise<SefsNode> {
    return this.run(async () => {
      const nb = nameBytes(name);
      const idx = await this.dirIndex(dir);
      if (idx.names.has(name)) fsFail('EEXIST');
      await this.ensureSpace(4);
      const child = this.ialloc(typeCode[type], mode, dir.ino, uid, gid);
      await this.addEntry(dir, name, nb, child);
      if (type === 'dir') { dir.d.nlink++; this.markDirty(dir); }
      await this.maybeCommitLocked();
      return child;
    }, true);
  }

  /** Errors: as create; ENAMETOOLONG for a target over 4095 bytes; ENOENT for an empty target. */
  symlink(dir: SefsNode, name: string, target: string): Promise<SefsNode> {
    return this.run(async () => {
      const nb = nameBytes(name);
      const tb = te.encode(target);
      if (tb.length === 0) fsFail('ENOENT');
      if (tb.length > SYMLINK_MAX) fsFail('ENAMETOOLONG');
      const idx = await this.dirIndex(dir);
      if (idx.names.has(name)) fsFail('EEXIST');
      await this.ensureSpace(5);
      const child = this.ialloc(IType.Symlink, 0o777, dir.ino, 0, 0);
      child.d.size = tb.length;
      if (tb.length <= INLINE_SYMLINK_MAX) {
        child.d.inline = tb;
      } else {
        const lba = await this.bmapAlloc(child, 0);
        const blk = new Uint8Array(BLOCK_SIZE);
        blk.set(tb);
        await this.cache.put(lba, blk, META);
      }
      await this.addEntry(dir, name, nb, child);
      await this.maybeCommitLocked();
      return child;
    }, true);
  }

  /** A hard link. Errors: EPERM (a directory), EEXIST, EMLINK, ENOENT (target unlinked). */
  link(dir: SefsNode, name: string, target: SefsNode): Promise<void> {
    return this.run(async () => {
      this.live(target);
      if (target.d.type === IType.Dir) fsFail('EPERM');
      if (target.d.nlink === 0) fsFail('ENOENT');
      if (target.d.nlink >= 0xffff) fsFail('EMLINK');
      const nb = nameBytes(name);
      const idx = await this.dirIndex(dir);
      if (idx.names.has(name)) fsFail('EEXIST');
      await this.ensureSpace(4);
      await this.addEntry(dir, name, nb, target);
      target.d.nlink++;
      target.d.ctimeNs = this.clock();
      this.markDirty(target);
      await this.maybeCommitLocked();
    }, true);
  }

  /** Removes a non-directory entry; the inode lives while open. Errors: ENOENT, EISDIR. */
  unlink(dir: SefsNode, name: string): Promise<void> {
    return this.run(async () => {
      const idx = await this.dirIndex(dir);
      const e = idx.names.get(name) ?? fsFail('ENOENT');
      const child = await this.iget(e.ino, dir.ino);
      if (child.d.type === IType.Dir) fsFail('EISDIR');
      await this.removeEntry(dir, name);
      await this.dropLink(child);
      await this.maybeCommitLocked();
    }, true);
  }

  /** Errors: ENOENT, ENOTDIR, ENOTEMPTY. */
  rmdir(dir: SefsNode, name: string): Promise<void> {
    return this.run(async () => {
      const idx = await this.dirIndex(dir);
      const e = idx.names.get(name) ?? fsFail('ENOENT');
      const child = await this.iget(e.ino, dir.ino);
      if (child.d.type !== IType.Dir) fsFail('ENOTDIR');
      if ((await this.dirIndex(child)).names.size > 0) fsFail('ENOTEMPTY');
      await this.removeEntry(dir, name);
      dir.d.nlink--;
      this.markDirty(dir);
      await this.dropDir(child);
      await this.maybeCommitLocked();
    }, true);
  }

  /**
   * rename(2) within this file system: replaces a compatible target (ramfs rules); renaming onto
   * another link of the same inode does nothing. Errors: ENOENT, EINVAL (a directory into itself),
   * ENOTDIR/EISDIR (directory onto non-directory and back), ENOTEMPTY.
   */
  rename(from: SefsNode, oldName: string, to: SefsNode, newName: string): Promise<void> {
    return this.run(async () => {
      const src = await this.dirIndex(from);
      const dst = await this.dirIndex(to);
      const e = src.names.get(oldName) ?? fsFail('ENOENT');
      const nb = nameBytes(newName);
      const child = await this.iget(e.ino, from.ino);
      const v = dst.names.get(newName);
      if (v && v.ino === child.ino) return; // same inode: nothing to do (POSIX)
      const isDir = child.d.type === IType.Dir;
      if (isDir && await this.isWithin(to, child)) fsFail('EINVAL', 'cannot move a directory into itself');
      let victim: SefsNode | undefined;
      if (v) {
        victim = await this.iget(v.ino, to.ino);
        const vDir = victim.d.type === IType.Dir;
        if (isDir && !vDir) fsFail('ENOTDIR');
        if (!isDir && vDir) fsFail('EISDIR');
        if (vDir && (await this.dirIndex(victim)).names.size > 0) fsFail('ENOTEMPTY');
      } else {
        await this.ensureSpace(4);
      }
      const now = this.clock();
      if (victim) {
        await this.setEntry(to, v!.slot, { ino: child.ino, type: child.d.type, name: nb });
        dst.names.set(newName, { ino: child.ino, type: child.d.type, slot: v!.slot });
      } else {
        await this.addEntry(to, newName, nb, child);
      }
      await this.removeEntry(from, oldName);
      if (isDir && from !== to) {
        from.d.nlink--;
        to.d.nlink++;
        child.parent = to.ino;
      }
      child.d.ctimeNs = now;
      this.markDirty(child);
      for (const d of [from, to]) { d.d.mtimeNs = d.d.ctimeNs = now; this.markDirty(d); }
      if (victim) {
        if (victim.d.type === IType.Dir) {
          to.d.nlink--;
          await this.dropDir(victim);
        } else {
          await this.dropLink(victim);
        }
      }
      await this.maybeCommitLocked();
    }, true);
  }

  /** Entries without '.' and '..'. Errors: ENOTDIR. */
  readdir(dir: SefsNode): Promise<{ name: string; ino: number; type: NodeType }[]> {
    return this.run(async () => {
      if (dir.d.type === IType.Dir && dir.d.nlink === 0 && !dir.dead) return []; // removed but open: empty, as on Linux
      const idx = await this.dirIndex(dir);
      return [...idx.names].map(([name, e]) => ({ name, ino: e.ino, type: typeName[e.type] ?? 'file' }));
    }, false);
  }

  /** Errors: EINVAL (not a symlink). */
  readlink(n: SefsNode): Promise<string> {
    return this.run(async () => {
      this.live(n);
      if (n.d.type !== IType.Symlink) fsFail('EINVAL', 'not a symlink');
      if (n.d.inline) return td.decode(n.d.inline);
      const lba = await this.bmap(n, 0);
      if (!lba) fsFail('EIO', `sefs: symlink inode ${n.ino} has no target block`);
      return td.decode((await this.cache.get(lba)).subarray(0, n.d.size));
    }, false);
  }

  /** Counts an open handle (an unlinked inode lives until the last one closes). */
  open(n: SefsNode): Promise<void> {
    return this.run(async () => { this.live(n); n.opens++; }, false);
  }

  close(n: SefsNode): Promise<void> {
    return this.run(async () => {
      if (n.opens > 0) n.opens--;
      if (n.opens === 0 && this.orphans.has(n) && !this.readonly && !this.broken) {
        // the last close of an unlinked inode frees it (a mutation inside a non-mutating call)
        try {
          await this.releaseLocked(n);
          await this.maybeCommitLocked();
        } catch (e) {
          this.breakOn(e);
          throw e;
        }
      }
    }, false);
  }

  /** Positioned read; 0 at EOF, holes read as zeros. Errors: EISDIR, EINVAL (not a file, bad offset). */
  read(n: SefsNode, offset: number, buf: Uint8Array): Promise<number> {
    return this.run(async () => this.readLocked(n, offset, buf), false);
  }

  /** Positioned write; may be short when the disk fills up. Errors: EISDIR, EINVAL, EFBIG, ENOSPC (nothing written). */
  write(n: SefsNode, offset: number, data: Uint8Array): Promise<number> {
    return this.run(async () => this.writeLocked(n, offset, data), true);
  }

  // ---- inodes ----

  private live(n: SefsNode): SefsNode {
    if (n.dead) fsFail('ENOENT', `sefs: inode ${n.ino} was removed`);
    return n;
  }

  private attr(n: SefsNode): NodeAttr {
    const d = n.d;
    return {
      ino: n.ino, type: n.type, mode: d.mode, nlink: d.nlink, uid: d.uid, gid: d.gid,
      size: d.type === IType.Dir ? Math.max(BLOCK_SIZE, d.size) : d.size,
      blocks512: d.blocks * (BLOCK_SIZE / 512), atimeNs: d.atimeNs, mtimeNs: d.mtimeNs, ctimeNs: d.ctimeNs,
    };
  }

  private itableBlock(ino: number): number { return this.sb.inodeTableStart + Math.floor(ino / INODES_PER_BLOCK); }

  /** Loads inode `ino` (which a directory entry or the superblock names). */
  private async iget(ino: number, parentHint = 0): Promise<SefsNode> {
    const have = this.nodes.get(ino);
    if (have) return have;
    if (ino <= 0 || ino >= this.sb.ninodes || !this.ibm.isSet(ino)) {
      throw new SefsError('EIO', `sefs: reference to unallocated inode ${ino} (corrupted file system)`);
    }
    const blk = await this.cache.get(this.itableBlock(ino));
    const off = (ino % INODES_PER_BLOCK) * INODE_SIZE;
    const d = decodeInode(blk, off);
    if (d.type === IType.Free || !typeName[d.type]) throw new SefsError('EIO', `sefs: inode ${ino} is allocated but has type ${d.type}`);
    const parent = new DataView(blk.buffer, blk.byteOffset).getUint32(off + 120, true) || parentHint;
    const n = new SefsNode(ino, d, parent);
    this.nodes.set(ino, n);
    return n;
  }

  private markDirty(n: SefsNode): void {
    n.dirty = true;
    this.dirtyNodes.add(n);
  }

  private ialloc(type: IType, mode: number, parent: number, uid: number, gid: number): SefsNode {
    const r = this.ibm.allocRun(-1, 1);
    if (!r) fsFail('ENOSPC', 'sefs: no free inodes');
    const now = this.clock();
    const d = emptyInode();
    Object.assign(d, { type, mode: mode & 0o7777, nlink: type === IType.Dir ? 2 : 1, uid, gid, atimeNs: now, mtimeNs: now, ctimeNs: now });
    const old = this.nodes.get(r.start);
    if (old) { old.dead = true; this.nodes.delete(r.start); }
    d.generation = ((old?.d.generation ?? 0) + 1) >>> 0;
    const n = new SefsNode(r.start, d, parent);
    this.nodes.set(r.start, n);
    this.markDirty(n);
    return n;
  }

  /** One directory entry fewer for a non-directory. */
  private async dropLink(n: SefsNode): Promise<void> {
    n.d.nlink--;
    n.d.ctimeNs = this.clock();
    this.markDirty(n);
    if (n.d.nlink === 0) {
      if (n.opens > 0) this.orphans.add(n);
      else await this.releaseLocked(n);
    }
  }

  private async dropDir(n: SefsNode): Promise<void> {
    n.d.nlink = 0;
    n.d.ctimeNs = this.clock();
    this.markDirty(n);
    if (n.opens > 0) this.orphans.add(n);
    else await this.releaseLocked(n);
  }

  /** Frees an inode with nlink 0: its blocks (in chunks; it is an orphan meanwhile), then the inode. */
  private async releaseLocked(n: SefsNode): Promise<void> {
    this.orphans.add(n);
    if (n.d.type !== IType.Fifo) await this.freeFrom(n, 0, 0);
    n.d.size = 0;
    n.d.inline = null;
    this.ibm.clear(n.ino);
    n.d.type = IType.Free;
    n.dead = true;
    n.dir = undefined;
    this.orphans.delete(n);
    this.nodes.delete(n.ino);
    this.markDirty(n); // written back as a free slot
  }

  private async reclaimOrphansLocked(): Promise<void> {
    const seen = new Set<number>();
    for (let ino = this.sb.orphanHead; ino !== 0; ) {
      if (seen.has(ino) || seen.size > this.sb.ninodes) throw new SefsError('EIO', 'sefs: the orphan list has a cycle');
      seen.add(ino);
      const n = await this.iget(ino);
      const next = n.d.nextOrphan;
      if (n.d.nlink !== 0) throw new SefsError('EIO', `sefs: orphan inode ${ino} has nlink ${n.d.nlink}`);
      n.d.nextOrphan = 0;
      this.orphans.add(n);
      ino = next;
    }
    for (const n of [...this.orphans]) await this.releaseLocked(n);
    this.log(`sefs: mount: freed ${seen.size} orphan inode(s)`);
    await this.commitLocked();
  }

  /** True if `d` is `anc` or below it (walks parent links up to the root). */
  private async isWithin(d: SefsNode, anc: SefsNode): Promise<boolean> {
    let cur: SefsNode = d;
    for (let guard = 0; guard <= this.sb.ninodes; guard++) {
      if (cur.ino === anc.ino) return true;
      if (cur.ino === ROOT_INO || cur.parent === 0) return false;
      cur = await this.iget(cur.parent);
    }
    throw new SefsError('EIO', 'sefs: directory parent links form a cycle');
  }

  // ---- block mapping ----

  /** The device block of file block `fb`, or 0 for a hole. */
  private async bmap(n: SefsNode, fb: number): Promise<number> {
    const p = n.d.ptrs;
    if (fb < NDIRECT) return p[fb]!;
    let top: number, rel: number, levels: number;
    if (fb < DIND_START) { top = p[NDIRECT]!; rel = fb - IND_START; levels = 1; }
    else if (fb < TIND_START) { top = p[NDIRECT + 1]!; rel = fb - DIND_START; levels = 2; }
    else { top = p[NDIRECT + 2]!; rel = fb - TIND_START; levels = 3; }
    let lba = top;
    for (let l = levels; l >= 1 && lba !== 0; l--) {
      const span = PTRS ** (l - 1);
      const idx = Math.floor(rel / span);
      rel %= span;
      lba = this.ptr(await this.cache.get(lba), idx);
    }
    return lba;
  }

  private ptr(blk: Uint8Array, idx: number): number {
    const o = idx * 4;
    return (blk[o]! | (blk[o + 1]! << 8) | (blk[o + 2]! << 16) | (blk[o + 3]! << 24)) >>> 0;
  }

  private async setPtr(lba: number, idx: number, value: number): Promise<void> {
    const blk = await this.cache.get(lba);
    const o = idx * 4;
    blk[o] = value; blk[o + 1] = value >>> 8; blk[o + 2] = value >>> 16; blk[o + 3] = value >>> 24;
    this.cache.markDirty(lba, META);
  }

  /** Allocates one data-area block near `goal`; the caller checked space (ensureSpace). */
  private allocBlock(n: SefsNode): number {
    const r = this.bbm.allocRun(n.goal > 0 ? n.goal : this.sb.dataStart, 1);
    if (!r) fsFail('ENOSPC');
    n.goal = r.start + 1;
    n.d.blocks++;
    this.markDirty(n);
    this.devDirty = true;
    return r.start;
  }

  private async newPtrBlock(n: SefsNode): Promise<number> {
    const lba = this.allocBlock(n);
    await this.cache.put(lba, new Uint8Array(BLOCK_SIZE), META);
    return lba;
  }

  /**
   * The device block of file block `fb`, allocating it (and indirect blocks) if it is a hole.
   * A newly allocated data block is *not* initialized here: the caller fills it.
   */
  private async bmapAlloc(n: SefsNode, fb: number): Promise<number> {
    const p = n.d.ptrs;
    if (fb < NDIRECT) {
      if (!p[fb]) { p[fb] = this.allocBlock(n); this.markDirty(n); this.fresh = true; } else this.fresh = false;
      return p[fb]!;
    }
    let slot: number, rel: number, levels: number;
    if (fb < DIND_START) { slot = NDIRECT; rel = fb - IND_START; levels = 1; }
    else if (fb < TIND_START) { slot = NDIRECT + 1; rel = fb - DIND_START; levels = 2; }
    else { slot = NDIRECT + 2; rel = fb - TIND_START; levels = 3; }
    if (!p[slot]) { p[slot] = await this.newPtrBlock(n); this.markDirty(n); }
    let lba = p[slot]!;
    for (let l = levels; l >= 1; l--) {
      const span = PTRS ** (l - 1);
      const idx = Math.floor(rel / span);
      rel %= span;
      let next = this.ptr(await this.cache.get(lba), idx);
      if (!next) {
        next = l === 1 ? this.allocBlock(n) : await this.newPtrBlock(n);
        await this.setPtr(lba, idx, next);
        if (l === 1) { this.fresh = true; return next; }
      } else if (l === 1) {
        this.fresh = false;
      }
      lba = next;
    }
    return lba;
  }
  /** Set by bmapAlloc: whether the returned block was just allocated. */
  private fresh = false;

  /**
   * Frees every block of `n` at file block >= fromFb (and indirect blocks left empty), from the
   * end down, checkpointing every CHUNK_BLOCKS frees with the size lowered to what is still
   * mapped (so every intermediate state is consistent). `newSize` is the final size.
   */
  private async freeFrom(n: SefsNode, fromFb: number, newSize: number): Promise<void> {
    const p = n.d.ptrs;
    let sinceCheck = 0;
    const freeOne = (lba: number) => {
      this.bbm.clear(lba);
      this.cache.drop(lba);
      n.d.blocks--;
      this.markDirty(n);
      sinceCheck++;
    };
    const checkpoint = async (lowFb: number) => {
      if (sinceCheck < CHUNK_BLOCKS) return;
      sinceCheck = 0;
      n.d.size = Math.min(n.d.size, Math.max(newSize, lowFb * BLOCK_SIZE));
      await this.maybeCommitLocked();
    };
    // returns true if the subtree is now entirely free
    const walk = async (lba: number, level: number, base: number): Promise<boolean> => {
      const span = PTRS ** (level - 1);
      for (let idx = PTRS - 1; idx >= 0; idx--) {
        const eb = base + idx * span;
        if (eb + span <= fromFb) return false;
        const c = this.ptr(await this.cache.get(lba), idx);
        if (!c) continue;
        if (level === 1) {
          freeOne(c);
        } else {
          if (!(await walk(c, level - 1, eb))) return false;
          freeOne(c);
        }
        await this.setPtr(lba, idx, 0);
        await checkpoint(eb);
      }
      return base >= fromFb;
    };
    const tops: [number, number, number][] = [[NDIRECT + 2, 3, TIND_START], [NDIRECT + 1, 2, DIND_START], [NDIRECT, 1, IND_START]];
    for (const [slot, level, base] of tops) {
      if (!p[slot]) continue;
      if (base + PTRS ** level <= fromFb) continue;
      if (await walk(p[slot]!, level, base)) { freeOne(p[slot]!); p[slot] = 0; this.markDirty(n); }
    }
    for (let fb = NDIRECT - 1; fb >= fromFb; fb--) {
      if (!p[fb]) continue;
      freeOne(p[fb]!);
      p[fb] = 0;
      this.markDirty(n);
      await checkpoint(fb);
    }
  }

  /** Checks that `blocks` data blocks can be allocated (committing first to recycle deferred frees). */
  private async ensureSpace(blocks: number): Promise<void> {
    if (this.bbm.free >= blocks) return;
    if (this.bbm.pendingCount > 0) await this.commitLocked();
    if (this.bbm.free < blocks) fsFail('ENOSPC');
  }

  // ---- directories ----

  private async dirIndex(dir: SefsNode): Promise<DirIndex> {
    this.live(dir);
    if (dir.d.type !== IType.Dir) fsFail('ENOTDIR');
    if (dir.d.nlink === 0) fsFail('ENOENT', 'the directory was removed');
    if (dir.dir) return dir.dir;
    const nblk = Math.ceil(dir.d.size / BLOCK_SIZE);
    const idx: DirIndex = { names: new Map(), free: [], nslots: nblk * DIRENTS_PER_BLOCK };
    const lbas: number[] = [];
    for (let fb = 0; fb < nblk; fb++) lbas.push(await this.bmap(dir, fb));
    await this.cache.prefetch(lbas.filter((l) => l !== 0));
    for (let fb = nblk - 1; fb >= 0; fb--) {
      const lba = lbas[fb]!;
      const blk = lba ? await this.cache.get(lba) : undefined;
      for (let s = DIRENTS_PER_BLOCK - 1; s >= 0; s--) {
        const slot = fb * DIRENTS_PER_BLOCK + s;
        const e = blk ? decodeDirent(blk, s) : null;
        if (!e) { idx.free.push(slot); continue; }
        idx.names.set(td.decode(e.name), { ino: e.ino, type: e.type, slot });
      }
    }
    dir.dir = idx;
    return idx;
  }

  private async setEntry(dir: SefsNode, slot: number, e: { ino: number; type: IType; name: Uint8Array } | null): Promise<void> {
    const fb = Math.floor(slot / DIRENTS_PER_BLOCK);
    const lba = await this.bmapAlloc(dir, fb);
    if (this.fresh) await this.cache.put(lba, new Uint8Array(BLOCK_SIZE), META);
    const blk = await this.cache.get(lba);
    encodeDirent(blk, slot % DIRENTS_PER_BLOCK, e);
    this.cache.markDirty(lba, META);
  }

  private async addEntry(dir: SefsNode, name: string, nb: Uint8Array, child: SefsNode): Promise<void> {
    const idx = await this.dirIndex(dir);
    let slot = idx.free.pop();
    if (slot === undefined) {
      slot = idx.nslots;
      idx.nslots += DIRENTS_PER_BLOCK;
      for (let s = idx.nslots - 1; s > slot; s--) idx.free.push(s);
      dir.d.size = idx.nslots / DIRENTS_PER_BLOCK * BLOCK_SIZE;
    }
    await this.setEntry(dir, slot, { ino: child.ino, type: child.d.type, name: nb });
    idx.names.set(name, { ino: child.ino, type: child.d.type, slot });
    const now = this.clock();
    dir.d.mtimeNs = dir.d.ctimeNs = now;
    this.markDirty(dir);
  }

  private async removeEntry(dir: SefsNode, name: string): Promise<void> {
    const idx = await this.dirIndex(dir);
    const e = idx.names.get(name) ?? fsFail('ENOENT');
    await this.setEntry(dir, e.slot, null);
    idx.names.delete(name);
    idx.free.push(e.slot);
    const now = this.clock();
    dir.d.mtimeNs = dir.d.ctimeNs = now;
    this.markDirty(dir);
  }

  // ---- file data ----

  private async readLocked(n: SefsNode, offset: number, buf: Uint8Array): Promise<number> {
    this.live(n);
    if (n.d.type === IType.Dir) fsFail('EISDIR');
    if (n.d.type !== IType.File) fsFail('EINVAL');
    if (offset < 0 || !Number.isSafeInteger(offset)) fsFail('EINVAL');
    const size = n.d.size;
    if (offset >= size || buf.length === 0) return 0;
    const len = Math.min(buf.length, size - offset);
    const fb0 = Math.floor(offset / BLOCK_SIZE);
    const fb1 = Math.floor((offset + len - 1) / BLOCK_SIZE);
    const nfb = fb1 - fb0 + 1;
    const lbas: number[] = new Array(nfb);
    for (let i = 0; i < nfb; i++) lbas[i] = await this.bmap(n, fb0 + i);
    if (fb0 !== n.nextFb) n.raEnd = 0;
    // Small sequential reads: read ahead into the cache, one device call per contiguous run.
    if (this.readAhead > 0 && nfb < this.readAhead && fb0 === n.nextFb && fb1 + 1 >= n.raEnd - this.readAhead / 2) {
      const last = Math.min(fb1 + this.readAhead, Math.ceil(size / BLOCK_SIZE) - 1);
      const ra: number[] = lbas.filter((l) => l !== 0);
      for (let fb = Math.max(fb1 + 1, n.raEnd); fb <= last; fb++) { const l = await this.bmap(n, fb); if (l) ra.push(l); }
      await this.cache.prefetch(ra);
      n.raEnd = last + 1;
    }
    n.nextFb = fb1 + 1;
    // Copy block by block; runs of whole uncached blocks are read straight into `buf`.
    let i = 0;
    while (i < nfb) {
      const fb = fb0 + i;
      const bStart = fb * BLOCK_SIZE;
      const lo = Math.max(offset, bStart), hi = Math.min(offset + len, bStart + BLOCK_SIZE);
      const dst = lo - offset;
      const lba = lbas[i]!;
      if (lba === 0) { buf.fill(0, dst, dst + hi - lo); i++; continue; }
      const cached = this.cache.peek(lba);
      if (cached) { buf.set(cached.subarray(lo - bStart, hi - bStart), dst); i++; continue; }
      if (hi - lo < BLOCK_SIZE) {
        const blk = await this.cache.get(lba);
        buf.set(blk.subarray(lo - bStart, hi - bStart), dst);
        i++;
        continue;
      }
      let j = i + 1;
      while (j < nfb && lbas[j] === lba + (j - i) && !this.cache.has(lbas[j]!)
        && Math.min(offset + len, (fb0 + j + 1) * BLOCK_SIZE) - (fb0 + j) * BLOCK_SIZE === BLOCK_SIZE) j++;
      await this.cache.devRead(lba, buf.subarray(dst, dst + (j - i) * BLOCK_SIZE));
      i = j;
    }
    this.touchAtime(n);
    return len;
  }

  /** relatime (Linux's default): atime moves when it is older than mtime/ctime or a day old. */
  private touchAtime(n: SefsNode): void {
    if (this.readonly || this.broken) return;
    const d = n.d;
    const now = this.clock();
    if (d.atimeNs <= d.mtimeNs || d.atimeNs <= d.ctimeNs || now - d.atimeNs >= DAY_NS) {
      d.atimeNs = now;
      this.markDirty(n);
    }
  }

  private async writeLocked(n: SefsNode, offset: number, data: Uint8Array): Promise<number> {
    this.live(n);
    if (n.d.type === IType.Dir) fsFail('EISDIR');
    if (n.d.type !== IType.File) fsFail('EINVAL');
    if (offset < 0 || !Number.isSafeInteger(offset)) fsFail('EINVAL');
    if (data.length === 0) return 0;
    if (offset + data.length > MAX_FILE_SIZE) fsFail('EFBIG');
    if (offset > n.d.size) await this.zeroTail(n);
    let done = 0;
    while (done < data.length) {
      const cOff = offset + done;
      const fb0 = Math.floor(cOff / BLOCK_SIZE);
      let fbEnd = Math.min(Math.floor((offset + data.length - 1) / BLOCK_SIZE) + 1, fb0 + CHUNK_BLOCKS);
      const need = fbEnd - fb0 + 4 + Math.ceil((fbEnd - fb0) / PTRS);
      if (this.bbm.free < need) {
        if (this.bbm.pendingCount > 0) await this.commitLocked();
        const avail = this.bbm.free - 4 - Math.ceil(this.bbm.free / PTRS);
        if (avail < fbEnd - fb0) {
          if (avail <= 0) { if (done > 0) break; fsFail('ENOSPC'); }
          fbEnd = fb0 + avail;
        }
      }
      const cEnd = Math.min(offset + data.length, fbEnd * BLOCK_SIZE);
      await this.writeChunk(n, cOff, data.subarray(done, done + (cEnd - cOff)));
      done += cEnd - cOff;
      if (cEnd > n.d.size) n.d.size = cEnd;
      const now = this.clock();
      n.d.mtimeNs = n.d.ctimeNs = now;
      this.markDirty(n);
      await this.maybeCommitLocked();
    }
    return done;
  }

  /** Writes `data` at `off`, within one chunk (space already checked). */
  private async writeChunk(n: SefsNode, off: number, data: Uint8Array): Promise<void> {
    const fb0 = Math.floor(off / BLOCK_SIZE);
    const fb1 = Math.floor((off + data.length - 1) / BLOCK_SIZE);
    // whole blocks for the device, collected as (lba, source offset) runs
    let runLba = -1, runSrc = 0, runLen = 0;
    const flushRun = async () => {
      if (runLen === 0) return;
      const src = data.subarray(runSrc, runSrc + runLen * BLOCK_SIZE);
      if (runLen >= 8) {
        await this.cache.devWrite(runLba, src);
        for (let k = 0; k < runLen; k++) this.cache.refresh(runLba + k, src.subarray(k * BLOCK_SIZE, (k + 1) * BLOCK_SIZE));
        this.unflushed += runLen;
        this.devDirty = true;
      } else {
        for (let k = 0; k < runLen; k++) await this.cache.put(runLba + k, src.slice(k * BLOCK_SIZE, (k + 1) * BLOCK_SIZE), DATA);
      }
      runLen = 0;
    };
    for (let fb = fb0; fb <= fb1; fb++) {
      const bStart = fb * BLOCK_SIZE;
      const lo = Math.max(off, bStart), hi = Math.min(off + data.length, bStart + BLOCK_SIZE);
      const lba = await this.bmapAlloc(n, fb);
      const fresh = this.fresh;
      if (hi - lo === BLOCK_SIZE) {
        if (runLen > 0 && lba === runLba + runLen) { runLen++; continue; }
        await flushRun();
        runLba = lba; runSrc = lo - off; runLen = 1;
        continue;
      }
      await flushRun();
      let blk: Uint8Array;
      if (fresh) { blk = new Uint8Array(BLOCK_SIZE); await this.cache.put(lba, blk, DATA); }
      else blk = await this.cache.get(lba);
      blk.set(data.subarray(lo - off, hi - off), lo - bStart);
      this.cache.markDirty(lba, DATA);
    }
    await flushRun();
  }

  /**
   * Zeroes the bytes past EOF in the last block before EOF moves forward over them (write past
   * the end, truncate up). They are zero in every state sefs commits, but an ordered-mode write-back
   * of that block after the last commit may have left newer bytes there when a crash came.
   */
  private async zeroTail(n: SefsNode): Promise<void> {
    const r = n.d.size % BLOCK_SIZE;
    if (r === 0) return;
    const lba = await this.bmap(n, Math.floor(n.d.size / BLOCK_SIZE));
    if (!lba) return;
    const blk = await this.cache.get(lba);
    if (blk.subarray(r).every((b) => b === 0)) return;
    blk.fill(0, r);
    this.cache.markDirty(lba, DATA);
  }

  private async truncateLocked(n: SefsNode, size: number): Promise<void> {
    if (size > n.d.size) await this.zeroTail(n);
    if (size < n.d.size) {
      const keep = Math.ceil(size / BLOCK_SIZE);
      if (size % BLOCK_SIZE !== 0) {
        // zero the tail of the new last block, so that a later extension reads zeros
        const lba = await this.bmap(n, keep - 1);
        if (lba) {
          const blk = await this.cache.get(lba);
          blk.fill(0, size % BLOCK_SIZE);
          this.cache.markDirty(lba, DATA);
        }
      }
      await this.freeFrom(n, keep, size);
    }
    n.d.size = size;
    this.markDirty(n);
  }

  // ---- commit ----

  private metaLimit(): number { return Math.floor(this.journal.capacity / 2); }

  /** Commits when dirty metadata or unflushed data crossed its limit. Call only at consistent points. */
  private async maybeCommitLocked(): Promise<void> {
    const meta = this.cache.metaDirtyCount + this.ibm.dirtyCount + this.bbm.dirtyCount + this.dirtyNodes.size + 1;
    if (meta >= this.metaLimit() || this.cache.dataDirtyCount + this.unflushed >= this.dirtyLimit) await this.commitLocked();
  }

  private async commitLocked(): Promise<void> {
    if (this.readonly) return;
    if (!this.hasDirty()) return;
    // 1. orphan list, inodes, bitmaps, superblock into metadata blocks
    const orphans = [...this.orphans].sort((a, b) => a.ino - b.ino);
    for (let i = 0; i < orphans.length; i++) {
      const next = orphans[i + 1]?.ino ?? 0;
      if (orphans[i]!.d.nextOrphan !== next) { orphans[i]!.d.nextOrphan = next; this.markDirty(orphans[i]!); }
    }
    const head = orphans[0]?.ino ?? 0;
    if (head !== this.sb.orphanHead) { this.sb.orphanHead = head; }
    for (const n of this.dirtyNodes) {
      const owner = this.nodes.get(n.ino);
      if (n.dead && owner && owner !== n) continue; // freed, and the number already reused
      const lba = this.itableBlock(n.ino);
      const blk = await this.cache.get(lba);
      const off = (n.ino % INODES_PER_BLOCK) * INODE_SIZE;
      if (n.dead && n.d.type === IType.Free) {
        blk.fill(0, off, off + INODE_SIZE);
      } else {
        encodeInode(n.d, blk, off);
        new DataView(blk.buffer, blk.byteOffset).setUint32(off + 120, n.d.type === IType.Dir ? n.parent : 0, true);
      }
      this.cache.markDirty(lba, META);
      n.dirty = false;
    }
    this.dirtyNodes.clear();
    // 2. ordered mode: file data first
    await this.cache.writeBackData();
    // 3. metadata
    const meta = this.cache.dirtyMetaBlocks();
    for (const b of this.ibm.takeDirty()) meta.push({ lba: this.sb.inodeBitmapStart + b.index, data: b.data });
    for (const b of this.bbm.takeDirty()) meta.push({ lba: this.sb.blockBitmapStart + b.index, data: b.data });
    this.sb.commitSeq++;
    meta.push({ lba: 0, data: encodeSuperblock(this.crypto, this.macKey, this.sb) });
    meta.sort((a, b) => a.lba - b.lba);
    if (this.atomicFlush) {
      const lbas = meta.map((m) => m.lba);
      const tasks: { start: number; count: number; from: number }[] = [];
      runs(lbas, (start, count, from) => tasks.push({ start, count, from }));
      for (const t of tasks) {
        const buf = new Uint8Array(t.count * BLOCK_SIZE);
        for (let k = 0; k < t.count; k++) buf.set(meta[t.from + k]!.data, k * BLOCK_SIZE);
        await this.cache.devWrite(t.start, buf);
      }
    } else {
      await this.journal.commit(this.sb.commitSeq, meta);
    }
    // 4. durable
    await this.dev.flush();
    this.cache.cleanMeta();
    this.ibm.releasePending();
    this.bbm.releasePending();
    this.unflushed = 0;
    this.devDirty = false;
    this.commits++;
  }

  // ---- checker access (fsck.ts) ----

  /** @internal Read-only views of the state for fsck.ts; run it through check(). */
  internals() {
    return {
      sb: this.sb, ibm: this.ibm, bbm: this.bbm, cache: this.cache, nodes: this.nodes, orphans: this.orphans,
      loadDisk: async (ino: number): Promise<{ d: DiskInode; parent: number }> => {
        const live = this.nodes.get(ino);
        if (live) return { d: live.d, parent: live.parent };
        const blk = await this.cache.get(this.itableBlock(ino));
        const off = (ino % INODES_PER_BLOCK) * INODE_SIZE;
        return { d: decodeInode(blk, off), parent: new DataView(blk.buffer, blk.byteOffset).getUint32(off + 120, true) };
      },
    };
  }

  /** Runs `fn` under the lock, without mutating (for fsck.ts). */
  withLock<T>(fn: () => Promise<T>): Promise<T> { return this.run(fn, false); }
}

