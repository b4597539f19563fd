// SwornDisk: a log-structured secure block device (sworndisk-reference.md §1; P1 and MlsDisk), a
// BlockDevice over an untrusted raw BlockDevice. Layout and keys: layout.ts.
//
// # Write path
// 1. write() copies blocks into a 4 MiB write buffer (one segment, 1024 blocks; an LBA written twice
//    keeps one slot) and returns.
// 2. A full buffer (or a flush) is written out: HBAs are taken in a batch from the data bitmap
//    (next-fit, so a fresh disk gets one sequential run whatever the LBAs), every block is
//    AES-128-GCM encrypted under a fresh random key with a zero IV, each contiguous HBA run is one
//    raw write, and each block's record LBA -> (HBA, key, MAC) goes to the journal (DATA) and to the
//    mutable memtable, tagged with epoch S+1 (S = committed sync id).
//    Double buffering: the segment's encryption runs in HostCrypto's batched call (worker
//    threads) while the next segment fills; its raw writes, journal records and memtable puts
//    happen when the next segment is handed over, or before any other operation (finishInflight),
//    so everything else sees the disk as if the segment had been written synchronously.
// 3. A full memtable, or a journal that has grown by a third of its ring since the last checkpoint,
//    triggers a checkpointed compaction: freeze the memtable, build an L0 table (plus the major
//    compactions that follow), flush, write a checkpoint pack naming the new tables and the new
//    journal head, flush, then free what the old catalog alone referenced.
//
// # Flush (sync)
// write the buffer out; raw flush (data and journal blocks are durable); append SYNC(S+1) in a
// journal block of its own write; raw flush; S = S+1; drop memtable shadows (their HBAs become free);
// bump the trusted counter. The SYNC block is the commit point: everything before it, all or nothing.
//
// # Read path
// write buffer -> read cache (decrypted blocks, by LBA) -> one range lookup in the index for the
// missing blocks (plus read-ahead when a small request continues the previous one) -> sort by HBA,
// one raw read per contiguous HBA run -> decrypt and verify each block with its own key and MAC.
// Small requests and read-ahead blocks are cached; large requests bypass the cache.
// An unmapped or trimmed LBA reads as zeros.
//
// # Recovery (open)
// 0. raw flush: whatever a crashed instance left in the host's cache becomes durable first.
// 1. superblock: HMAC under K_sb (wrong key or tampering: EIO); derive the per-disk keys.
// 2. checkpoint: the valid pack with the highest version.
// 3. journal: walk the chain from the pack's head; SYNC ids must run headSync+1, +2, …; a CKPT record
//    newer than the pack proves the newer pack was completed, so it was tampered with: EIO.
//    Committed = every block up to the last SYNC block; S = the last SYNC id (never below the pack's).
// 4. trusted counter: S < counter is a rollback: EIO. S > counter: catch the counter up.
// 5. scan every table (verifying every node against the Merkle tree): rebuild the index-area
//    bitmap and the data bitmap from records of epoch <= S.
// 6. strip: tables holding records of epoch > S (uncommitted when the crash came) are rewritten
//    without them, then checkpointed.
// 7. replay the committed journal records into the memtable; new writes get epoch S+1 and the
//    journal continues after the last SYNC block (uncommitted blocks are overwritten).
//
// # Space
// The data area is a per-block bitmap, rebuilt at open from the index alone (every HBA that a table
// or the memtable references). An HBA is freed only when nothing durable can lead to it any more:
// an uncommitted value replaced in the memtable at once; a committed value superseded in the
// memtable when the superseding sync commits; a record dropped by compaction once the checkpoint
// naming the new tables is durable. Stale versions in tables wait for compaction; when free space
// runs low, a full compaction drops them all. Data overwritten since the last flush keeps its
// committed version, so the slack (data area minus logical size) bounds how much can be overwritten
// between two flushes (beyond it: ENOSPC, and the disk stays usable). trim() only writes tombstones
// to the index; a trimmed block's HBA is freed like an overwritten one.
//
// # What the host can do (attack catalogue, sworndisk-reference.md §6)
// Detected (EIO): a changed, swapped or replayed data block, index node, checkpoint pack or
// superblock; a changed, swapped or foreign journal block followed by committed blocks; a damaged
// newest checkpoint pack whose CKPT record the journal holds; any block of another disk made with
// the same root key (all keys but K_sb are salted with the random disk id); the wrong root key.
// Not distinguishable from a crash, hence accepted without a TrustedCounter and detected (EIO
// "rollback detected") with one: dropping or damaging the tail of the journal (it looks like a crash
// before the dropped syncs), restoring a whole older image, or older metadata as a whole.
// Visible to the host: sizes and timing of writes and flushes, which HBAs are written (sequentially,
// independent of the LBAs), the journal block count per sync; never an LBA, a key or plaintext.
//
// Ownership: every public operation runs on one internal queue (they never interleave); all state
// below belongs to that queue. An error in the middle of a mutating operation (other than a clean
// ENOSPC) poisons the disk: later calls fail with that error, and the image recovers on open().
import type { HostCrypto } from '../../host/types.js';
import { BLOCK_SIZE, StorageError, checkRange, type BlockDevice } from '../block-device.js';
import { BlockBitmap, type Run } from './bitmap.js';
import { CheckpointStore, type Checkpoint } from './checkpoint.js';
import { BlockLru, setU32, setU48 } from './codec.js';
import type { TrustedCounter } from './counter.js';
import { DATA_REC_SIZE, JPAYLOAD, Journal, REC_CKPT, REC_DATA, REC_SYNC, REC_TRIM } from './journal.js';
import {
  computeLayout, decodeSuperblock, deriveKeys, encodeSuperblock, SEGMENT_BLOCKS, type Keys, type Layout, type LayoutOptions,
} from './layout.js';
import { LsmIndex, type CompactionResult } from './lsm.js';
import { RECORD_SIZE, recEpoch, recHba, recLba, TOMBSTONE } from './record.js';
import { NodeStore } from './table.js';

export interface SwornDiskOptions extends LayoutOptions {
  /** Trusted monotonic counter for whole-disk rollback detection (checked at open). */
  counter?: TrustedCounter;
  /** Records in the mutable memtable before a minor compaction (default 65536). */
  memtableCapacity?: number;
  /** Decrypted index nodes kept in memory (default 4096 = 16 MiB). */
  nodeCacheBlocks?: number;
  /** Decrypted data blocks kept in memory (default 1024 = 4 MiB). */
  readCacheBlocks?: number;
  /** Blocks read ahead when reads are sequential (default 64 = 256 KiB). */
  readAheadBlocks?: number;
  /** L0 tables before L0 merges into L1 (default 4). */
  l0Limit?: number;
  /** Size ratio between levels (default 10). */
  levelRatio?: number;
}

export interface SwornDiskStats {
  syncId: number;
  checkpointVersion: number;
  logicalBlocks: number;
  dataBlocks: number;
  dataBlocksUsed: number;
  indexBlocks: number;
  indexBlocksUsed: number;
  journalBlocks: number;
  journalBlocksInUse: number;
  memtableRecords: number;
  /** Record counts of the tables, per level (L0 newest first). */
  levels: number[][];
  bufferFlushes: number;
  syncs: number;
  checkpoints: number;
  minorCompactions: number;
  majorCompactions: number;
  fullCompactions: number;
  strips: number;
  readCacheHits: number;
  readCacheMisses: number;
  nodeCacheHits: number;
  nodeCacheMisses: number;
  nodeReads: number;
  nodeWrites: number;
  journalBlocksWritten: number;
  dataBlocksWritten: number;
  dataBlocksRead: number;
}

const ZERO_IV = new Uint8Array(12);

/** A written-out segment between the start of its encryption and its completion (finishInflight). */
interface InflightSegment {
  /** Live blocks, packed at the start of the plaintext buffer; their LBAs. */
  n: number;
  lbas: Float64Array;
  runs: Run[];
  keys: Uint8Array;
  epoch: number;
  /** Index into outBufs/tagBufs. */
  set: number;
  /** Settles when out/tag buffers hold the ciphertexts and tags. */
  sealed: Promise<unknown>;
}
const EMPTY = new Uint8Array(0);
const RESOLVED = Promise.resolve();
const ZERO_KM = new Uint8Array(32);
const MAX_READ_RUN = 256;
/** Runs of at least this many blocks are decrypted in one batch (aesGcmDecryptBlocks). */
const BATCH_OPEN_MIN = 32;
/** Requests of up to this many blocks go through the read cache. */
const CACHE_MAX_REQUEST = 16;
const DEFAULTS = { memtableCapacity: 65536, nodeCacheBlocks: 4096, readCacheBlocks: 1024, readAheadBlocks: 64, l0Limit: 4, levelRatio: 10 };

/** Errors after which the disk stays usable (nothing was modified). */
const benign = new WeakSet<object>();
function benignError(code: 'ENOSPC', msg: string): StorageError {
  const e = new StorageError(code, msg);
  benign.add(e);
  return e;
}

export class SwornDisk implements BlockDevice {
  readonly nblocks: number;
  private readonly opts: typeof DEFAULTS;
  private readonly counter: TrustedCounter | undefined;

  // committed state
  private syncId: number;
  private ckptVersion: number;
  private readonly journal: Journal;
  private readonly ckpts: CheckpointStore;
  private readonly lsm: LsmIndex;
  private readonly dataAlloc: BlockBitmap;

  // write buffer (one segment; the big buffers are allocated on the first write)
  private wbData: Uint8Array = EMPTY;
  private readonly wbLba = new Float64Array(SEGMENT_BLOCKS);
  private readonly wbLive = new Uint8Array(SEGMENT_BLOCKS);
  private readonly wbMap = new Map<number, number>();
  private wbUsed = 0;
  /** The plaintext buffer of the segment being encrypted (it swaps with wbData). */
  private spareData: Uint8Array = EMPTY;
  /** Ciphertext and tag buffers: the in-flight segment uses one pair, the next segment the other. */
  private outBufs: Uint8Array[] = [];
  private tagBufs: Uint8Array[] = [];
  private recBuf = EMPTY;
  /** The segment whose encryption runs while the next one fills (see flushBuffer). */
  private inflight: InflightSegment | undefined;

  private readonly readCache: BlockLru;
  private scratch: { ct: Uint8Array; pt: Uint8Array; keys: Uint8Array; tags: Uint8Array } | undefined;
  private lastReadEnd = -1;
  /** Records appended since the last sync. */
  private dirty = false;
  private writtenSinceFull = 0;

  private queue: Promise<unknown> = Promise.resolve();
  /** Operations on the queue that have not completed (0: write() may take its fast path). */
  private queued = 0;
  private failed: unknown;
  private closed = false;

  private readonly counters = {
    bufferFlushes: 0, syncs: 0, checkpoints: 0, minorCompactions: 0, majorCompactions: 0, fullCompactions: 0, strips: 0,
    dataBlocksWritten: 0, dataBlocksRead: 0,
  };

  private constructor(
    private readonly raw: BlockDevice,
    private readonly crypto: HostCrypto,
    readonly layout: Layout,
    keys: Keys,
    opts: SwornDiskOptions,
    ck: Checkpoint,
  ) {
    this.opts = { ...DEFAULTS };
    for (const k of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
      const v = opts[k];
      if (v !== undefined) {
        if (!Number.isInteger(v) || v < 0 || (k !== 'readCacheBlocks' && k !== 'readAheadBlocks' && k !== 'nodeCacheBlocks' && v < 1)) {
          throw new StorageError('EINVAL', `SwornDisk option ${k} = ${v}`);
        }
        this.opts[k] = v;
      }
    }
    if (this.opts.l0Limit < 2 || this.opts.levelRatio < 2) throw new StorageError('EINVAL', 'l0Limit and levelRatio must be >= 2');
    this.counter = opts.counter;
    this.nblocks = layout.logicalBlocks;
    this.syncId = ck.syncId;
    this.ckptVersion = ck.version;
    this.journal = new Journal(raw, crypto, keys.journal, layout.journalStart, layout.journalBlocks, ck.head, ck.protect);
    this.ckpts = new CheckpointStore(raw, crypto, keys.ckpt, layout.ckptStart, layout.ckptBlocks);
    const indexAlloc = new BlockBitmap(layout.indexBlocks, 'index area');
    const store = new NodeStore(raw, crypto, keys.index, layout.indexStart, this.opts.nodeCacheBlocks);
    this.lsm = new LsmIndex(store, indexAlloc, {
      memtableCapacity: this.opts.memtableCapacity, l0Limit: this.opts.l0Limit, levelRatio: this.opts.levelRatio,
    }, ck.nextTableId);
    this.lsm.loadCatalog(ck.tables);
    this.dataAlloc = new BlockBitmap(layout.dataBlocks, 'data area');
    this.readCache = new BlockLru(this.opts.readCacheBlocks);
  }

  // ---- create / open ----

  /** Formats `raw` as an empty SwornDisk. Errors: EINVAL (device too small, bad options). */
  static async create(raw: BlockDevice, rootKey: Uint8Array, crypto: HostCrypto, opts: SwornDiskOptions = {}): Promise<SwornDisk> {
    checkRootKey(rootKey);
    const layout = computeLayout(raw.nblocks, opts);
    const diskId = crypto.randomBytes(32);
    const keys = deriveKeys(crypto, rootKey, diskId);
    const s0 = opts.counter ? Number(await opts.counter.read()) : 0;
    const ck: Checkpoint = {
      version: 1, syncId: s0, headSync: s0, head: { seq: 0, prevMac: keys.genesis }, protect: 0, nextTableId: 1, tables: [],
    };
    const disk = new SwornDisk(raw, crypto, layout, keys, opts, ck);
    await raw.write(0, encodeSuperblock(crypto, rootKey, { layout, diskId }));
    await disk.ckpts.write(ck);
    await raw.flush();
    return disk;
  }

  /**
   * Opens and recovers a SwornDisk to its last completed flush.
   * Errors: EIO with the reason (wrong key, tampering, rollback detected through the counter).
   */
  static async open(raw: BlockDevice, rootKey: Uint8Array, crypto: HostCrypto, opts: SwornDiskOptions = {}): Promise<SwornDisk> {
    checkRootKey(rootKey);
    if (raw.nblocks < 1) throw new StorageError('EIO', 'raw device is empty');
    // What recovery reads must be what survives the next crash: writes of a crashed instance may
    // still sit unflushed in the host's cache (a crash inside fdatasync), and a state recovered
    // from them, then lost to a power failure, would be a sync the disk reported and then undid.
    await raw.flush();
    const b0 = new Uint8Array(BLOCK_SIZE);
    await raw.read(0, b0);
    const { layout, diskId } = decodeSuperblock(crypto, rootKey, b0, raw.nblocks);
    const keys = deriveKeys(crypto, rootKey, diskId);
    const slots = await new CheckpointStore(raw, crypto, keys.ckpt, layout.ckptStart, layout.ckptBlocks).readSlots();
    let ck: Checkpoint | undefined;
    for (const s of slots) if (s && (!ck || s.version > ck.version)) ck = s;
    if (!ck) throw new StorageError('EIO', 'no valid checkpoint (tampered checkpoint region or wrong root key)');
    const disk = new SwornDisk(raw, crypto, layout, keys, opts, ck);
    await disk.recover(ck);
    return disk;
  }

  private async recover(ck: Checkpoint): Promise<void> {
    // 3. journal
    const { blocks } = await this.journal.walk(ck.head);
    let expect = ck.headSync + 1;
    let lastSync = -1;
    for (let i = 0; i < blocks.length; i++) {
      for (const r of blocks[i].records) {
        if (r.type === REC_SYNC) {
          if (r.syncId !== expect) throw new StorageError('EIO', `journal: sync ${r.syncId} where ${expect} was expected`);
          expect++;
          lastSync = i;
        } else if (r.type === REC_CKPT && r.version > ck.version) {
          throw new StorageError('EIO', `checkpoint ${r.version} was committed but is unreadable (tampered or rolled back checkpoint)`);
        }
      }
    }
    const S = expect - 1;
    if (S < ck.syncId) throw new StorageError('EIO', `journal ends at sync ${S} but the checkpoint records sync ${ck.syncId} (truncated journal)`);
    // 4. trusted counter
    if (this.counter) {
      let c = await this.counter.read();
      if (BigInt(S) < c) throw new StorageError('EIO', `rollback detected: image sync id ${S} < trusted counter ${c}`);
      while (c < BigInt(S)) c = await this.counter.increment();
    }
    this.syncId = S;
    if (lastSync >= 0) this.journal.tail = { seq: blocks[lastSync].seq + 1, prevMac: blocks[lastSync].mac };
    // New blocks overwrite whatever followed the last commit, maybe the CKPT record of this pack:
    // log it again (it goes out with the next journal write).
    this.journal.appendCkpt(ck.version);
    // 5. scan tables: index-area and data bitmaps
    await this.lsm.scanAll((leaf, off) => {
      const h = recHba(leaf, off);
      if (h !== TOMBSTONE && recEpoch(leaf, off) <= S) this.markData(h);
    });
    // 6. strip uncommitted records out of the tables
    if (this.lsm.tables().some((t) => t.meta.maxEpoch > S)) {
      const res = await this.lsm.strip(S);
      this.counters.strips++;
      await this.commitCatalog(res, ck.head, ck.headSync, ck.head.seq);
    }
    // 7. replay committed records
    for (let i = 0; i <= lastSync; i++) {
      for (const r of blocks[i].records) {
        if (r.type === REC_DATA) {
          const off = r.off;
          if (recEpoch(r.payload, off) > S) throw new StorageError('EIO', 'journal: committed record from a future epoch');
          this.lsm.mutable.put(recLba(r.payload, off), recHba(r.payload, off), recEpoch(r.payload, off), r.payload, off + 16, S, () => {});
        } else if (r.type === REC_TRIM) {
          if (r.epoch > S) throw new StorageError('EIO', 'journal: committed trim from a future epoch');
          await this.applyTrim(r.lba, r.count, r.epoch, true);
        }
      }
    }
    this.lsm.forEachMemHba((h) => { if (h !== TOMBSTONE) this.markData(h); });
  }

  private markData(h: number): void {
    if (h >= this.layout.dataBlocks) throw new StorageError('EIO', `index record points outside the data area (${h})`);
    this.dataAlloc.markUsed(h);
  }

  // ---- queue ----

  private run<T>(fn: () => Promise<T>): Promise<T> {
    this.queued++;
    const p = this.queue.then(async () => {
      try {
        if (this.closed) throw new StorageError('EIO', 'SwornDisk is closed');
        if (this.failed) throw this.failed;
        try {
          return await fn();
        } catch (e) {
          if (!(e instanceof Object && benign.has(e))) this.failed = e;
          throw e;
        }
      } finally {
        this.queued--;
      }
    });
    this.queue = p.catch(() => undefined);
    return p;
  }

  // ---- BlockDevice ----

  write(lba: number, data: Uint8Array): Promise<void> {
    let n: number;
    try { n = checkRange(this, lba, data.length); } catch (e) { return Promise.reject(e); }
    // Fast path: nothing queued before it and the blocks fit in the buffer, so the write is only
    // a copy: done now, without a trip through the queue (the common case; 1023 of 1024 blocks).
    if (this.queued === 0 && !this.failed && !this.closed && this.wbUsed + n <= SEGMENT_BLOCKS && this.wbData !== EMPTY) {
      this.bufferBlocks(lba, data, n);
      return RESOLVED;
    }
    return this.run(async () => {
      if (this.wbData === EMPTY) this.allocBuffers();
      for (let i = 0; i < n; i++) {
        if (this.wbUsed === SEGMENT_BLOCKS && !this.wbMap.has(lba + i)) await this.flushBuffer();
        this.bufferBlock(lba + i, data, i);
      }
    });
  }

  /** bufferBlock for blocks 0..n-1; a run of new LBAs (the common case) takes one copy. */
  private bufferBlocks(lba: number, data: Uint8Array, n: number): void {
    let fresh = true;
    for (let i = 0; i < n && fresh; i++) fresh = !this.wbMap.has(lba + i);
    if (!fresh) {
      for (let i = 0; i < n; i++) this.bufferBlock(lba + i, data, i);
      return;
    }
    const s0 = this.wbUsed;
    for (let i = 0; i < n; i++) {
      this.wbMap.set(lba + i, s0 + i);
      this.wbLba[s0 + i] = lba + i;
      this.wbLive[s0 + i] = 1;
    }
    this.wbUsed += n;
    this.wbData.set(data.subarray(0, n * BLOCK_SIZE), s0 * BLOCK_SIZE);
    if (this.readCache.size > 0) for (let i = 0; i < n; i++) this.readCache.delete(lba + i);
  }

  /** Copies block i of `data` into the write buffer as LBA `l` (the buffer has room for it). */
  private bufferBlock(l: number, data: Uint8Array, i: number): void {
    let slot = this.wbMap.get(l);
    if (slot === undefined) {
      slot = this.wbUsed++;
      this.wbMap.set(l, slot);
      this.wbLba[slot] = l;
      this.wbLive[slot] = 1;
    }
    this.wbData.set(data.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE), slot * BLOCK_SIZE);
    this.readCache.delete(l);
  }

  read(lba: number, buf: Uint8Array): Promise<void> {
    let n: number;
    try { n = checkRange(this, lba, buf.length); } catch (e) { return Promise.reject(e); }
    return this.run(async () => {
      await this.finishInflight();
      try {
        await this.readLocked(lba, n, buf);
      } catch (e) {
        // A failed read changes nothing: keep the disk usable.
        if (e instanceof Object) benign.add(e);
        throw e;
      }
    });
  }

  flush(): Promise<void> {
    return this.run(() => this.syncLocked());
  }

  trim(lba: number, count: number): Promise<void> {
    try { checkRange(this, lba, count * BLOCK_SIZE); } catch (e) { return Promise.reject(e); }
    return this.run(async () => {
      if (count === 0) return;
      // The in-flight segment's records must be in the index before the tombstones go in.
      await this.finishInflight();
      const hi = lba + count;
      const kill = (l: number): void => {
        const s = this.wbMap.get(l);
        if (s !== undefined) { this.wbMap.delete(l); this.wbLive[s] = 0; }
      };
      if (count <= this.wbMap.size) for (let l = lba; l < hi; l++) kill(l);
      else for (const l of [...this.wbMap.keys()]) if (l >= lba && l < hi) kill(l);
      if (count <= this.readCache.size) for (let l = lba; l < hi; l++) this.readCache.delete(l);
      else for (const l of [...this.readCache.keys()]) if (l >= lba && l < hi) this.readCache.delete(l);
      await this.applyTrim(lba, count, this.syncId + 1, false);
    });
  }

  /**
   * Flushes, then closes the raw device. On a disk poisoned by an earlier failure, closes the raw
   * device and rejects with that failure (the image recovers on open()).
   */
  close(): Promise<void> {
    if (this.failed && !this.closed) {
      this.closed = true;
      const failure = this.failed;
      return this.queue.then(() => this.raw.close()).then(() => { throw failure; });
    }
    return this.run(async () => {
      await this.syncLocked();
      this.closed = true;
      await this.raw.close();
    });
  }

  /** Sync id of the last completed flush. */
  get committedSyncId(): number { return this.syncId; }

  /**
   * Forces a checkpointed compaction: the memtable becomes an L0 table, followed by the major
   * compactions that triggers (with `full`, everything merges into the bottom level). Normally
   * automatic; for tests and tools. Buffered writes are written out first (not committed).
   */
  compact(full = false): Promise<void> {
    return this.run(async () => {
      await this.drainBuffer();
      await this.checkpointCompaction(full);
    });
  }

  /** For tests and tools: the raw block holding LBA `lba`'s data, or undefined (unmapped, or still buffered). */
  hostBlockOf(lba: number): Promise<number | undefined> {
    try { checkRange(this, lba, BLOCK_SIZE); } catch (e) { return Promise.reject(e); }
    return this.run(async () => {
      await this.finishInflight();
      if (this.wbMap.has(lba)) return undefined;
      const { hba } = await this.lsm.lookupRange(lba, lba + 1, false);
      return hba[0] >= 0 ? this.layout.dataStart + hba[0] : undefined;
    });
  }

  /** For tests and tools: the raw blocks of every index-table node, by table (lookup order). */
  tableBlocks(): { id: number; level: number; blocks: number[] }[] {
    return this.lsm.tables().map((t) => ({
      id: t.meta.id, level: t.meta.level, blocks: (t.positions ?? []).map((p) => this.layout.indexStart + p),
    }));
  }

  stats(): SwornDiskStats {
    const c = this.counters;
    const cache = this.lsm.store.cache;
    return {
      syncId: this.syncId,
      checkpointVersion: this.ckptVersion,
      logicalBlocks: this.layout.logicalBlocks,
      dataBlocks: this.layout.dataBlocks,
      dataBlocksUsed: this.layout.dataBlocks - this.dataAlloc.free,
      indexBlocks: this.layout.indexBlocks,
      indexBlocksUsed: this.layout.indexBlocks - this.lsm.indexAlloc.free,
      journalBlocks: this.layout.journalBlocks,
      journalBlocksInUse: this.journal.used,
      memtableRecords: this.lsm.mutable.records,
      levels: this.lsm.levels.map((l) => l.map((t) => t.meta.count)),
      bufferFlushes: c.bufferFlushes,
      syncs: c.syncs,
      checkpoints: c.checkpoints,
      minorCompactions: c.minorCompactions,
      majorCompactions: c.majorCompactions,
      fullCompactions: c.fullCompactions,
      strips: c.strips,
      readCacheHits: this.readCache.hits,
      readCacheMisses: this.readCache.misses,
      nodeCacheHits: cache.hits,
      nodeCacheMisses: cache.misses,
      nodeReads: this.lsm.store.nodeReads,
      nodeWrites: this.lsm.store.nodeWrites,
      journalBlocksWritten: this.journal.blocksWritten,
      dataBlocksWritten: c.dataBlocksWritten,
      dataBlocksRead: c.dataBlocksRead,
    };
  }

  // ---- write path ----

  private freeData = (h: number): void => {
    if (h !== TOMBSTONE) this.dataAlloc.markFree(h);
  };

  /** Makes room for `n` data blocks and their journal records before anything is modified. */
  private async ensureSpace(dataBlocks: number, journalBytes: number): Promise<void> {
    const jNeed = Math.ceil(journalBytes / JPAYLOAD) + 2;
    if (this.journal.used + jNeed > this.layout.journalBlocks) {
      await this.checkpointCompaction(false);
      if (this.journal.used + jNeed > this.layout.journalBlocks) throw new StorageError('ENOSPC', 'journal ring too small');
    }
    if (this.dataAlloc.free < dataBlocks) {
      if (this.lsm.tables().length || this.lsm.mutable.records) await this.checkpointCompaction(true);
      if (this.dataAlloc.free < dataBlocks) {
        throw benignError('ENOSPC', `SwornDisk: no free data blocks (${this.dataAlloc.free} free, ${dataBlocks} needed; `
          + 'data overwritten since the last flush is kept until the next flush)');
      }
    }
  }

  private allocBuffers(): void {
    const shared = (n: number) => this.crypto.allocShared?.(n) ?? new Uint8Array(n);
    this.wbData = shared(SEGMENT_BLOCKS * BLOCK_SIZE);
    this.spareData = shared(SEGMENT_BLOCKS * BLOCK_SIZE);
    this.outBufs = [shared(SEGMENT_BLOCKS * BLOCK_SIZE), shared(SEGMENT_BLOCKS * BLOCK_SIZE)];
    this.tagBufs = [shared(SEGMENT_BLOCKS * 16), shared(SEGMENT_BLOCKS * 16)];
    this.recBuf = new Uint8Array(SEGMENT_BLOCKS * RECORD_SIZE);
  }

  /**
   * Writes the buffered blocks out, double-buffered: the segment is handed to encryption (off this
   * thread where HostCrypto can) and the call returns while it runs, after completing the segment
   * before it (finishInflight), so that host writes and indexing of one segment overlap the
   * encryption of the next, and the next fills meanwhile.
   * HBAs and journal space are reserved before anything changes (ENOSPC leaves the buffer and the
   * in-flight segment as they were). A compaction may run while a segment is in flight: the
   * segment's HBAs are allocated (so nothing reuses them) but not yet referenced by the index, and
   * its records go to the journal after the new checkpoint's head, so recovery replays them.
   */
  private async flushBuffer(): Promise<void> {
    const prev = this.inflight;
    // Its plaintext buffer becomes the next write buffer.
    if (prev) await this.sealedSeg(prev);
    let n = 0;
    for (let s = 0; s < this.wbUsed; s++) n += this.wbLive[s];
    if (n === 0) {
      this.resetBuffer();
      return;
    }
    await this.ensureSpace(n, (n + (prev?.n ?? 0)) * DATA_REC_SIZE);
    const lbas = new Float64Array(n);
    let j = 0;
    for (let s = 0; s < this.wbUsed; s++) {
      if (!this.wbLive[s]) continue;
      // Pack live blocks to the front (holes come from trim only).
      if (j !== s) this.wbData.copyWithin(j * BLOCK_SIZE, s * BLOCK_SIZE, (s + 1) * BLOCK_SIZE);
      lbas[j++] = this.wbLba[s];
    }
    const runs = this.dataAlloc.allocRuns(n);
    // A fresh random key per block; the IV can be zero because no key is ever used twice.
    const keys = this.crypto.randomBytes(16 * n);
    const pt = this.wbData.subarray(0, n * BLOCK_SIZE);
    const set = prev ? 1 - prev.set : 0;
    const out = this.outBufs[set], tags = this.tagBufs[set];
    const sealed = this.crypto.aesGcmEncryptBlocks
      ? this.crypto.aesGcmEncryptBlocks(keys, pt, out, tags, BLOCK_SIZE)
      : Promise.resolve().then(() => this.sealHere(keys, pt, out, tags, n));
    // Never unhandled: finishInflight awaits it (or the disk is poisoned before).
    sealed.catch(() => undefined);
    const seg: InflightSegment = { n, lbas, runs, keys, epoch: this.syncId + 1, set, sealed };
    [this.wbData, this.spareData] = [this.spareData, this.wbData];
    this.resetBuffer();
    await this.finishInflight();
    this.inflight = seg;
  }

  /** Waits for a segment's encryption, doing what is left of it on this thread meanwhile. */
  private sealedSeg(seg: InflightSegment): Promise<unknown> {
    this.crypto.helpPendingBlocks?.(seg.sealed);
    return seg.sealed;
  }

  /** aesGcmEncryptBlocks on this thread, for a HostCrypto without it. */
  private sealHere(keys: Uint8Array, pt: Uint8Array, out: Uint8Array, tags: Uint8Array, n: number): void {
    for (let j = 0; j < n; j++) {
      const { ciphertext, tag } = this.crypto.aesGcmEncrypt(keys.subarray(16 * j, 16 * j + 16), ZERO_IV, pt.subarray(j * BLOCK_SIZE, (j + 1) * BLOCK_SIZE));
      out.set(ciphertext, j * BLOCK_SIZE);
      tags.set(tag, 16 * j);
    }
  }

  /**
   * Completes the in-flight segment: writes its ciphertext (one raw write per HBA run), logs its
   * records to the journal and puts them into the memtable. Every operation other than write()
   * calls this first, so that it sees the index as if the segment had been written synchronously.
   */
  private async finishInflight(): Promise<void> {
    const seg = this.inflight;
    if (!seg) return;
    this.inflight = undefined;
    await this.sealedSeg(seg);
    const { n, lbas, runs, keys, epoch } = seg;
    const rec = this.recBuf, tags = this.tagBufs[seg.set];
    let ri = 0, rOff = 0;
    for (let j = 0; j < n; j++) {
      while (rOff === runs[ri].len) { ri++; rOff = 0; }
      const o = j * RECORD_SIZE;
      setU48(rec, o, lbas[j]);
      setU48(rec, o + 6, runs[ri].start + rOff++);
      setU32(rec, o + 12, epoch);
      rec.set(keys.subarray(16 * j, 16 * j + 16), o + 16);
      rec.set(tags.subarray(16 * j, 16 * j + 16), o + 32);
    }
    await this.writeRuns(runs, this.outBufs[seg.set]);
    const S = this.syncId;
    for (let k = 0; k < n; k++) {
      const o = k * RECORD_SIZE;
      this.journal.appendData(rec, o);
      this.lsm.mutable.put(recLba(rec, o), recHba(rec, o), epoch, rec, o + 16, S, this.freeData);
    }
    await this.journal.writePending();
    this.dirty = true;
    this.counters.bufferFlushes++;
    this.counters.dataBlocksWritten += n;
    this.writtenSinceFull += n;
    await this.maybeCompact();
  }

  /** Writes the buffer out and completes it: afterwards nothing is buffered or in flight. */
  private async drainBuffer(): Promise<void> {
    await this.flushBuffer();
    await this.finishInflight();
  }

  private async writeRuns(runs: Run[], out: Uint8Array): Promise<void> {
    let off = 0;
    for (const r of runs) {
      await this.raw.write(this.layout.dataStart + r.start, out.subarray(off * BLOCK_SIZE, (off + r.len) * BLOCK_SIZE));
      off += r.len;
    }
  }

  private resetBuffer(): void {
    this.wbMap.clear();
    this.wbLive.fill(0, 0, this.wbUsed);
    this.wbUsed = 0;
  }

  /** Trim: tombstones for the LBAs in range that map to data (index only; nothing is written to data). */
  private async applyTrim(lba: number, count: number, epoch: number, replay: boolean): Promise<void> {
    const { hba } = await this.lsm.lookupRange(lba, lba + count, false);
    let mapped = 0;
    for (let i = 0; i < count; i++) if (hba[i] >= 0) mapped++;
    if (mapped === 0) return;
    if (!replay) {
      await this.ensureSpace(0, 64);
      this.journal.appendTrim(lba, count, epoch);
      this.dirty = true;
    }
    const S = this.syncId;
    const free = replay ? () => {} : this.freeData;
    for (let i = 0; i < count; i++) if (hba[i] >= 0) this.lsm.mutable.put(lba + i, TOMBSTONE, epoch, ZERO_KM, 0, S, free);
    if (!replay) {
      await this.journal.writePending();
      await this.maybeCompact();
    }
  }

  private async maybeCompact(): Promise<void> {
    const memFull = this.lsm.mutable.records >= this.opts.memtableCapacity;
    const journalFull = this.journal.sinceHead >= Math.floor(this.layout.journalBlocks / 3);
    const slack = this.layout.dataBlocks - this.layout.logicalBlocks;
    const reserve = Math.min(2 * SEGMENT_BLOCKS, Math.floor(slack / 2));
    const spaceLow = this.dataAlloc.free < reserve && this.writtenSinceFull >= reserve && this.lsm.tables().length > 0;
    if (memFull || journalFull || spaceLow) await this.checkpointCompaction(spaceLow);
  }

  /**
   * Freezes the memtable, compacts, and commits the new catalog with a checkpoint whose journal
   * head is the first block after the frozen memtable's records.
   */
  private async checkpointCompaction(full: boolean): Promise<void> {
    await this.journal.sealAndWrite();
    const newHead = this.journal.tail;
    const oldHead = this.journal.head;
    this.lsm.freeze();
    const res = await this.lsm.compact(this.syncId, full);
    this.counters.minorCompactions += res.minor;
    this.counters.majorCompactions += res.major;
    if (full) {
      this.counters.fullCompactions++;
      this.writtenSinceFull = 0;
    }
    await this.commitCatalog(res, newHead, this.syncId, oldHead.seq);
  }

  /** Makes a compaction result durable (checkpoint between two flush barriers), then installs it. */
  private async commitCatalog(res: CompactionResult, head: { seq: number; prevMac: Uint8Array }, headSync: number, protect: number): Promise<void> {
    await this.raw.flush();
    const version = this.ckptVersion + 1;
    await this.ckpts.write({
      version, syncId: this.syncId, headSync, head, protect, nextTableId: this.lsm.nextTableId,
      tables: res.levels.flat().map((t) => t.meta),
    });
    await this.raw.flush();
    this.ckptVersion = version;
    this.journal.head = head;
    this.journal.protect = protect;
    this.lsm.install(res);
    for (const h of res.dropped) this.dataAlloc.markFree(h);
    this.journal.appendCkpt(version);
    this.counters.checkpoints++;
  }

  private async syncLocked(): Promise<void> {
    await this.drainBuffer();
    if (!this.dirty) return;
    await this.ensureSpace(0, 2 * JPAYLOAD);
    // The SYNC record must be alone in the one block written after the barrier.
    if (!this.journal.fits(9)) this.journal.seal();
    await this.journal.writePending();
    await this.raw.flush();
    this.journal.appendSync(this.syncId + 1);
    await this.journal.sealAndWrite();
    await this.raw.flush();
    this.syncId++;
    this.dirty = false;
    this.lsm.mutable.sync(this.freeData);
    this.counters.syncs++;
    if (this.counter) await this.counter.increment();
    await this.maybeCompact();
  }

  // ---- read path ----

  private async readLocked(lba: number, n: number, buf: Uint8Array): Promise<void> {
    let first = -1;
    for (let i = 0; i < n; i++) {
      const l = lba + i;
      const s = this.wbMap.get(l);
      if (s !== undefined) {
        buf.set(this.wbData.subarray(s * BLOCK_SIZE, (s + 1) * BLOCK_SIZE), i * BLOCK_SIZE);
        continue;
      }
      if (this.readCache.copyOut(l, buf, i * BLOCK_SIZE)) continue;
      if (first < 0) first = i;
    }
    const sequential = lba === this.lastReadEnd;
    this.lastReadEnd = lba + n;
    if (first < 0) return;
    const lo = lba + first;
    const hi = lba + n;
    // Read ahead (small sequential requests only; a large request is batched already), no more
    // than the cache can keep until the next request.
    const ahead = sequential && n < this.opts.readAheadBlocks
      ? Math.max(0, Math.min(this.opts.readAheadBlocks, this.readCache.capacity >> 1, this.nblocks - hi)) : 0;
    // Large requests bypass the cache (scans would only evict the small, hot blocks).
    const cacheRequested = n <= CACHE_MAX_REQUEST;
    const { hba, km } = await this.lsm.lookupRange(lo, hi + ahead, true);
    // Which positions of [lo, hi + ahead) to fetch.
    const fetch: number[] = [];
    for (let i = 0; i < hi - lo; i++) {
      const l = lo + i;
      if (this.wbMap.has(l) || this.readCache.has(l)) continue;
      if (hba[i] < 0) buf.fill(0, (l - lba) * BLOCK_SIZE, (l - lba + 1) * BLOCK_SIZE);
      else fetch.push(i);
    }
    for (let i = hi - lo; i < hi - lo + ahead; i++) {
      const l = lo + i;
      if (hba[i] >= 0 && !this.wbMap.has(l) && !this.readCache.has(l)) fetch.push(i);
    }
    if (fetch.length === 0) return;
    fetch.sort((a, b) => hba[a] - hba[b]);
    const deliver = (i: number, pt: Uint8Array): void => {
      const l = lo + i;
      if (l < hi) {
        buf.set(pt, (l - lba) * BLOCK_SIZE);
        if (cacheRequested) this.readCache.set(l, pt);
      } else {
        this.readCache.set(l, pt);
      }
    };
    for (let a = 0; a < fetch.length;) {
      const h0 = hba[fetch[a]];
      let b = a + 1;
      while (b < fetch.length && b - a < MAX_READ_RUN && hba[fetch[b]] === h0 + (b - a)) b++;
      const bad = (k: number) => new StorageError('EIO', `data block of LBA ${lo + fetch[k]} (HBA ${h0 + k - a}) failed authentication`);
      this.counters.dataBlocksRead += b - a;
      if (b - a >= BATCH_OPEN_MIN && this.crypto.aesGcmDecryptBlocks) {
        // A long run: verify and decrypt in one batch (in parallel, off this thread).
        const m = b - a, s = this.readScratch();
        const ct = s.ct.subarray(0, m * BLOCK_SIZE), pt = s.pt.subarray(0, m * BLOCK_SIZE);
        await this.raw.read(this.layout.dataStart + h0, ct);
        for (let k = 0; k < m; k++) {
          const o = fetch[a + k] * 32;
          s.keys.set(km!.subarray(o, o + 16), 16 * k);
          s.tags.set(km!.subarray(o + 16, o + 32), 16 * k);
        }
        const opened = this.crypto.aesGcmDecryptBlocks(s.keys, ct, pt, s.tags, BLOCK_SIZE);
        this.crypto.helpPendingBlocks?.(opened);
        const failed = await opened;
        if (failed >= 0) throw bad(a + failed);
        for (let k = 0; k < m; k++) deliver(fetch[a + k], pt.subarray(k * BLOCK_SIZE, (k + 1) * BLOCK_SIZE));
      } else {
        const ct = new Uint8Array((b - a) * BLOCK_SIZE);
        await this.raw.read(this.layout.dataStart + h0, ct);
        for (let k = a; k < b; k++) {
          const i = fetch[k];
          const pt = this.crypto.aesGcmDecrypt(km!.subarray(i * 32, i * 32 + 16), ZERO_IV,
            ct.subarray((k - a) * BLOCK_SIZE, (k - a + 1) * BLOCK_SIZE), km!.subarray(i * 32 + 16, i * 32 + 32));
          if (!pt) throw bad(k);
          deliver(i, pt);
        }
      }
      a = b;
    }
  }

  /** Buffers for batched decryption of one read run (allocated on first use). */
  private readScratch(): { ct: Uint8Array; pt: Uint8Array; keys: Uint8Array; tags: Uint8Array } {
    if (!this.scratch) {
      const shared = (n: number) => this.crypto.allocShared?.(n) ?? new Uint8Array(n);
      this.scratch = {
        ct: shared(MAX_READ_RUN * BLOCK_SIZE), pt: shared(MAX_READ_RUN * BLOCK_SIZE),
        keys: shared(MAX_READ_RUN * 16), tags: shared(MAX_READ_RUN * 16),
      };
    }
    return this.scratch;
  }
}

function checkRootKey(k: Uint8Array): void {
  if (!(k instanceof Uint8Array) || k.length !== 32) throw new StorageError('EINVAL', 'SwornDisk root key must be 32 bytes');
}
