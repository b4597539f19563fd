// PfsDisk: a BlockDevice over one Intel SGX-PFS-style protected file (the baseline SwornDisk is
// compared with; sworndisk-reference.md §2, §5). Follows intel/linux-sgx
// sdk/protected_fs/sgx_tprotected_fs (file_init.cpp, file_flush.cpp, file_read_write.cpp,
// file_other.cpp) and nicexlab/AtomicDisk's PfsDisk. Layout: ./layout.ts.
//
// # How a request flows
// 1. read/write of block i = data node i (file offset i·4096 + 3 KiB). get_data_node: the node comes
//    from the LRU cache, or is read from the data file and verified with the {key, gmac} entry in its
//    parent MHT node, whose own ancestors are loaded (and verified) first, up to the root, whose
//    entry is in the metadata node. Verified nodes are trusted while cached.
// 2. The MHT ancestors are bumped ahead of the data node in the LRU; then, while the cache holds
//    more than `cacheSize` nodes, the LRU tail is dropped if clean, and if it is dirty
//    internal_flush() writes *everything* dirty (SGX behaviour: this is what exposes transient
//    states to the host, CVE-2022-27499).
// 3. A write overwrites the node's plaintext and marks it and all its ancestors dirty. Existing
//    nodes are read and verified even when fully overwritten (their old ciphertext is what the
//    recovery file needs).
// 4. internal_flush: (1) write `<name>_recovery` with the old ciphertext of every dirty node that
//    exists on disk, the old root and the old metadata node; (2) write the metadata node with
//    update_flag = 1; (3) encrypt dirty data nodes, then dirty MHT nodes bottom-up, then the root
//    (each with a fresh random key, zero IV; key and GMAC into the parent) and write them in place;
//    (4) write the new metadata node (fresh key id → fresh metadata key), which clears the flag.
// 5. flush() = internal_flush + fdatasync of the data file (and of the recovery file if it was
//    written since its last sync). Opening a file whose update_flag is 1 first copies the recovery
//    records back (metadata last), which rolls back to the state of the previous internal_flush.
//
// # Deviations from SGX-PFS, on purpose
// - Node keys are random bytes from HostCrypto, not SGX's CMAC-KDF of a session master key (the
//   reference calls that "in effect a fresh random key per node write"). The metadata key is
//   HKDF(sealing key, salt = fresh 32-B key id, 'occlum-ts pfs: metadata key'): in SGX the sealing
//   key comes from EGETKEY with that key id.
// - Sparse file: an MHT entry of all zeros (key and GMAC) is a node never written; it reads as
//   zeros without I/O and is written as a new node (no read, no recovery copy). SGX files cannot
//   have holes (they are extended by writing zeros), so a PfsDisk benchmark that wants SGX's
//   overwrite costs must prefill the disk first. Entries live inside authenticated parents, so
//   the host cannot forge a hole.
// - trim(): PFS has no discard; it writes zero blocks through the normal write path (same cost).
// - I/O coalescing: dirty nodes are written sorted by physical number, contiguous runs in one host
//   write, and a request's run of uncached existing data nodes under one MHT node is read in one
//   host read (then verified node by node). SGX issues one OCALL per node; bytes are the same.
// - The recovery file is block-granular (header blocks + one node per block, see layout.ts).
// - `barriers` (off by default, as in SGX and Occlum) adds fdatasyncs between the protocol steps so
//   that it also survives hosts that reorder writes; without it, the protocol assumes host writes
//   reach the disk in order.
// - The file name check (SGX clean_filename) uses the `name` option.
//
// # What it does not protect (faithful to PFS)
// Rollback of the whole file (data file + metadata) to any earlier consistent image is accepted:
// there is no monotonic counter. update_flag is not authenticated: a host that sets it makes the
// disk roll back to the state saved in the last recovery file (the same weakness). Physical node
// numbers are a fixed function of the block number, so access patterns are visible.
import { BLOCK_SIZE, StorageError, checkRange, type BlockDevice } from '../block-device.js';
import type { HostCrypto } from '../../host/types.js';
import type { RawStore } from '../mem-device.js';
import * as L from './layout.js';

export interface PfsOptions {
  /** Sealing key (16 or 32 bytes); the metadata key is derived from it. */
  key: Uint8Array;
  crypto: HostCrypto;
  /** Node cache size (SGX MAX_PAGES_IN_CACHE). Default 48. */
  cacheSize?: number;
  /** The protected file's name (SGX clean_filename), checked on open. Default 'pfsdisk'. */
  name?: string;
  /** fdatasync between the internal_flush steps (not in SGX). Default false. */
  barriers?: boolean;
}

export interface PfsCreateOptions extends PfsOptions {
  /** Capacity in blocks. */
  nblocks: number;
}

export interface PfsStats {
  /** Nodes read from the data file (including the root at open). */
  nodeReads: number;
  /** Node writes to the data file, including metadata writes. */
  nodeWrites: number;
  /** Node images written to the recovery file. */
  recoveryNodeWrites: number;
  internalFlushes: number;
  /** internal_flushes caused by evicting a dirty node. */
  evictionFlushes: number;
  /** Rollbacks from the recovery file done at open. */
  recoveries: number;
}

interface Node {
  readonly mht: boolean;
  /** Data node number, or MHT node number. */
  readonly num: number;
  readonly phys: number;
  plain: Uint8Array;
  /** The node's ciphertext as it is on disk; null for a node never written (a new node). */
  enc: Uint8Array | null;
  dirty: boolean;
  /** The parent MHT node; null for the root. Parents stay cached while a child is (LRU order). */
  readonly parent: Node | null;
  /** LRU list links (NodeCache). */
  prev: Node | null;
  next: Node | null;
}

const DEFAULT_CACHE = 48;
const ZERO_IV = new Uint8Array(12);
const ZERO_CHUNK_BLOCKS = 256;

function isZero(buf: Uint8Array, off: number, len: number): boolean {
  for (let i = off; i < off + len; i++) if (buf[i] !== 0) return false;
  return true;
}

function eio(msg: string): StorageError {
  return new StorageError('EIO', `pfs: ${msg}`);
}

function newNode(mht: boolean, num: number, phys: number, parent: Node | null): Node {
  return { mht, num, phys, plain: new Uint8Array(L.NODE_SIZE), enc: null, dirty: false, parent, prev: null, next: null };
}

/**
 * SGX's lru_cache: nodes by physical number, plus an intrusive doubly linked list from least to
 * most recently used, so that lookup, bump, insert and evict are O(1). get() does not bump
 * (SGX `find`); bump() is SGX `get`.
 */
class NodeCache {
  private readonly map = new Map<number, Node>();
  private head: Node | null = null;
  private tail: Node | null = null;

  get size(): number { return this.map.size; }
  get(phys: number): Node | undefined { return this.map.get(phys); }
  has(phys: number): boolean { return this.map.has(phys); }
  /** The least recently used node. */
  lru(): Node | null { return this.head; }

  add(n: Node): void {
    this.map.set(n.phys, n);
    this.link(n);
  }

  bump(n: Node): void {
    if (this.tail === n) return;
    this.unlink(n);
    this.link(n);
  }

  remove(n: Node): void {
    this.map.delete(n.phys);
    this.unlink(n);
  }

  clear(): void {
    this.map.clear();
    this.head = this.tail = null;
  }

  /** Nodes from least to most recently used. */
  *values(): IterableIterator<Node> {
    for (let n = this.head; n; n = n.next) yield n;
  }

  private link(n: Node): void {
    n.prev = this.tail;
    n.next = null;
    if (this.tail) this.tail.next = n;
    else this.head = n;
    this.tail = n;
  }

  private unlink(n: Node): void {
    if (n.prev) n.prev.next = n.next;
    else this.head = n.next;
    if (n.next) n.next.prev = n.prev;
    else this.tail = n.prev;
    n.prev = n.next = null;
  }
}

export class PfsDisk implements BlockDevice {
  static readonly DEFAULT_CACHE = DEFAULT_CACHE;

  readonly stats: PfsStats = { nodeReads: 0, nodeWrites: 0, recoveryNodeWrites: 0, internalFlushes: 0, evictionFlushes: 0, recoveries: 0 };
  readonly cacheSize: number;
  /** LRU of data and non-root MHT nodes (the root is kept apart, as in SGX). */
  private readonly cache = new NodeCache();
  private readonly crypto: HostCrypto;
  private readonly sealKey: Uint8Array;
  private readonly barriers: boolean;
  /** Plaintext of the metadata node's encrypted part (name, size, capacity, root key/gmac). */
  private readonly encPart: Uint8Array;
  private readonly encView: DataView;
  /** The metadata node as last written (update_flag 0): what the recovery file saves. */
  private metaImage: Uint8Array;
  private readonly root: Node;
  /** Data nodes inside the file size. */
  private sizeNodes: number;
  private needWriting = false;
  private recoveryUnsynced = false;
  private broken: Error | undefined;
  private closed = false;
  private tail: Promise<unknown> = Promise.resolve();
  private keyPool: Uint8Array = new Uint8Array(0);
  private keyPos = 0;
  /** End (exclusive) of the data nodes of the request in progress, for read coalescing. */
  private reqEnd = 0;
  private readonly prefetched = new Map<number, Uint8Array>();

  private constructor(
    private readonly main: BlockDevice,
    private readonly recovery: BlockDevice,
    o: PfsOptions,
    readonly nblocks: number,
    sizeNodes: number,
    root: Node,
    encPart: Uint8Array,
    metaImage: Uint8Array,
  ) {
    this.crypto = o.crypto;
    this.sealKey = o.key;
    this.cacheSize = o.cacheSize ?? DEFAULT_CACHE;
    this.barriers = o.barriers ?? false;
    this.sizeNodes = sizeNodes;
    this.root = root;
    this.encPart = encPart;
    this.encView = new DataView(encPart.buffer, encPart.byteOffset, encPart.byteLength);
    this.metaImage = metaImage;
  }

  // ---- construction ----

  /** Host blocks the data file needs for a disk of `nblocks` blocks. */
  static hostBlocks(nblocks: number): number { return L.physNodes(nblocks); }

  /** Host blocks the recovery file needs. */
  static recoveryBlocks(nblocks: number, cacheSize = DEFAULT_CACHE): number { return L.recoveryBlocks(cacheSize, nblocks); }

  /** Creates an empty disk: `main` (≥ hostBlocks) and `recovery` (≥ recoveryBlocks) raw devices. */
  static async create(main: BlockDevice, recovery: BlockDevice, o: PfsCreateOptions): Promise<PfsDisk> {
    const nblocks = o.nblocks;
    if (!Number.isInteger(nblocks) || nblocks <= 0) throw new StorageError('EINVAL', `pfs: bad capacity ${nblocks}`);
    PfsDisk.checkOptions(o, nblocks, main, recovery);
    const encPart = new Uint8Array(L.ENC_PART_SIZE);
    encPart.set(PfsDisk.nameBytes(o.name), L.ENC_FILENAME);
    new DataView(encPart.buffer).setBigUint64(L.ENC_CAPACITY, BigInt(nblocks), true);
    const disk = new PfsDisk(main, recovery, o, nblocks, 0, newNode(true, 0, L.mhtPhys(0), null), encPart, new Uint8Array(L.NODE_SIZE));
    disk.needWriting = true;
    await disk.internalFlush();
    await main.flush();
    return disk;
  }

  /** Opens an existing disk, rolling back an interrupted internal_flush first. */
  static async open(main: BlockDevice, recovery: BlockDevice, o: PfsOptions): Promise<PfsDisk> {
    const stats = { recoveries: 0, nodeReads: 0 };
    let meta = new Uint8Array(L.NODE_SIZE);
    await main.read(0, meta);
    PfsDisk.checkPlain(meta);
    if (meta[L.META_UPDATE_FLAG] !== 0) {
      await PfsDisk.recover(main, recovery);
      stats.recoveries++;
      meta = new Uint8Array(L.NODE_SIZE);
      await main.read(0, meta);
      PfsDisk.checkPlain(meta);
      if (meta[L.META_UPDATE_FLAG] !== 0) throw eio('update_flag still set after recovery');
    }
    const keyId = meta.subarray(L.META_KEY_ID, L.META_KEY_ID + 32);
    const metaKey = o.crypto.hkdf(o.key, keyId, L.META_KEY_INFO, 16);
    const encPart = o.crypto.aesGcmDecrypt(metaKey, ZERO_IV, meta.subarray(L.META_ENC, L.META_ENC + L.ENC_PART_SIZE),
      meta.subarray(L.META_GMAC, L.META_GMAC + L.GMAC_SIZE));
    if (!encPart) throw eio('metadata node failed GMAC verification (wrong key, or tampered metadata)');
    const name = PfsDisk.nameBytes(o.name);
    if (!isZero(encPart, L.ENC_FILENAME + name.length, L.FILENAME_MAX - name.length)
      || encPart.subarray(L.ENC_FILENAME, L.ENC_FILENAME + name.length).some((b, i) => b !== name[i])) {
      throw eio(`file name mismatch: the image is not '${o.name ?? 'pfsdisk'}'`);
    }
    const view = new DataView(encPart.buffer, encPart.byteOffset, encPart.byteLength);
    const nblocks = Number(view.getBigUint64(L.ENC_CAPACITY, true));
    const size = Number(view.getBigInt64(L.ENC_SIZE, true));
    const sizeNodes = size === 0 ? 0 : (size - L.MD_USER_DATA_SIZE) / L.NODE_SIZE;
    if (!Number.isInteger(sizeNodes) || sizeNodes < 0 || sizeNodes > nblocks || nblocks <= 0) {
      throw eio(`metadata has an impossible size ${size} for capacity ${nblocks}`);
    }
    PfsDisk.checkOptions(o, nblocks, main, recovery);
    const root = newNode(true, 0, L.mhtPhys(0), null);
    if (!isZero(encPart, L.ENC_MHT_KEY, L.KEY_SIZE + L.GMAC_SIZE)) {
      const enc = new Uint8Array(L.NODE_SIZE);
      await main.read(root.phys, enc);
      stats.nodeReads++;
      const plain = o.crypto.aesGcmDecrypt(encPart.subarray(L.ENC_MHT_KEY, L.ENC_MHT_KEY + 16), ZERO_IV, enc,
        encPart.subarray(L.ENC_MHT_GMAC, L.ENC_MHT_GMAC + 16));
      if (!plain) throw eio(`root MHT node (physical ${root.phys}) failed GMAC verification`);
      root.plain = plain;
      root.enc = enc;
    }
    meta[L.META_UPDATE_FLAG] = 0;
    const disk = new PfsDisk(main, recovery, o, nblocks, sizeNodes, root, encPart, meta);
    Object.assign(disk.stats, stats);
    return disk;
  }

  /** create() on `<name>` and `<name>_recovery` of a RawStore. */
  static async createIn(store: RawStore, o: PfsCreateOptions): Promise<PfsDisk> {
    const name = o.name ?? 'pfsdisk';
    const main = await store.open(name, L.physNodes(o.nblocks));
    const rec = await store.open(`${name}_recovery`, L.recoveryBlocks(o.cacheSize ?? DEFAULT_CACHE, o.nblocks));
    return PfsDisk.create(main, rec, o);
  }

  /** open() on `<name>` and `<name>_recovery` of a RawStore (the recovery file is created or grown as needed). */
  static async openIn(store: RawStore, o: PfsOptions): Promise<PfsDisk> {
    const name = o.name ?? 'pfsdisk';
    const main = await store.open(name);
    const rec = await store.open(`${name}_recovery`, L.recoveryBlocks(o.cacheSize ?? DEFAULT_CACHE, main.nblocks));
    return PfsDisk.open(main, rec, o);
  }

  private static nameBytes(name = 'pfsdisk'): Uint8Array {
    const b = new TextEncoder().encode(name);
    if (b.length === 0 || b.length >= L.FILENAME_MAX || b.includes(0)) throw new StorageError('EINVAL', `pfs: bad file name '${name}'`);
    return b;
  }

  private static checkOptions(o: PfsOptions, nblocks: number, main: BlockDevice, recovery: BlockDevice): void {
    if (o.key.length !== 16 && o.key.length !== 32) throw new StorageError('EINVAL', 'pfs: the sealing key must be 16 or 32 bytes');
    const cache = o.cacheSize ?? DEFAULT_CACHE;
    const minCache = L.maxMhtDepth(nblocks) + 2;
    if (!Number.isInteger(cache) || cache < minCache) throw new StorageError('EINVAL', `pfs: cache size ${cache} < ${minCache} (tree depth + 2)`);
    if (main.nblocks < L.physNodes(nblocks)) throw new StorageError('EINVAL', `pfs: data file of ${main.nblocks} blocks is too small for ${nblocks} blocks (needs ${L.physNodes(nblocks)})`);
    if (recovery.nblocks < L.recoveryBlocks(cache, nblocks)) throw new StorageError('EINVAL', `pfs: recovery file of ${recovery.nblocks} blocks is too small (needs ${L.recoveryBlocks(cache, nblocks)})`);
  }

  private static checkPlain(meta: Uint8Array): void {
    const v = new DataView(meta.buffer, meta.byteOffset, meta.byteLength);
    if (v.getBigUint64(L.META_FILE_ID, true) !== L.SGX_FILE_ID || meta[L.META_MAJOR] !== 1) {
      throw eio('not a protected file (bad file id or version in the metadata node)');
    }
  }

  /** SGX do_file_recovery (untrusted side): copy each recorded node back, in record order (metadata last). */
  private static async recover(main: BlockDevice, recovery: BlockDevice): Promise<void> {
    const bad = (why: string) => eio(`update_flag is set but the recovery file is unusable: ${why}`);
    const first = new Uint8Array(L.NODE_SIZE);
    await recovery.read(0, first);
    if (!L.RECOVERY_MAGIC.every((b, i) => first[i] === b)) throw bad('bad magic');
    const count = new DataView(first.buffer).getUint32(8, true);
    const h = L.recoveryHeaderBlocks(count);
    if (count === 0 || h + count > recovery.nblocks) throw bad(`bad record count ${count}`);
    const all = new Uint8Array((h + count) * L.NODE_SIZE);
    await recovery.read(0, all);
    const v = new DataView(all.buffer);
    for (let i = 0; i < count; i++) {
      const phys = Number(v.getBigUint64(L.RECOVERY_HEADER + 8 * i, true));
      if (phys >= main.nblocks) throw bad(`record ${i} names node ${phys} beyond the data file`);
      await main.write(phys, all.subarray((h + i) * L.NODE_SIZE, (h + i + 1) * L.NODE_SIZE));
    }
    await main.flush();
  }

  // ---- BlockDevice ----

  async read(lba: number, buf: Uint8Array): Promise<void> {
    const n = checkRange(this, lba, buf.length);
    return this.run(async () => {
      this.reqEnd = lba + n;
      try {
        for (let i = 0; i < n; i++) {
          const d = lba + i;
          const out = buf.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE);
          const node = d < this.sizeNodes ? await this.getDataNode(d, false) : null;
          if (node) out.set(node.plain);
          else out.fill(0);
        }
      } finally {
        this.prefetched.clear();
      }
    });
  }

  async write(lba: number, data: Uint8Array): Promise<void> {
    const n = checkRange(this, lba, data.length);
    return this.run(() => this.writeLocked(lba, n, data));
  }

  /** PFS has no discard: writes zero blocks (same cost and semantics as a write of zeros). */
  async trim(lba: number, count: number): Promise<void> {
    checkRange(this, lba, count * BLOCK_SIZE);
    return this.run(async () => {
      const zeros = new Uint8Array(Math.min(count, ZERO_CHUNK_BLOCKS) * BLOCK_SIZE);
      for (let b = lba; b < lba + count; b += ZERO_CHUNK_BLOCKS) {
        const n = Math.min(ZERO_CHUNK_BLOCKS, lba + count - b);
        await this.writeLocked(b, n, zeros.subarray(0, n * BLOCK_SIZE));
      }
    });
  }

  flush(): Promise<void> {
    return this.run(() => this.flushLocked());
  }

  /** Flushes (as sgx_fclose does, plus the fdatasyncs) and closes both files. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const p = this.tail.then(async () => {
      try {
        if (!this.broken) await this.flushLocked();
      } finally {
        this.closed = true;
        this.cache.clear();
        await Promise.allSettled([this.main.close(), this.recovery.close()]);
      }
    });
    this.tail = p.then(() => undefined, () => undefined);
    return p;
  }

  // ---- internals (all run under the request queue) ----

  /** Serializes requests: a PFS handle is one sequential stream of node operations. */
  private run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.tail.then(() => {
      if (this.closed) throw new StorageError('EIO', 'pfs: disk is closed');
      if (this.broken) throw eio(`disk unusable after a failed flush (${this.broken.message}); reopen it`);
      return fn();
    });
    this.tail = p.then(() => undefined, () => undefined);
    return p;
  }

  private async writeLocked(lba: number, n: number, data: Uint8Array): Promise<void> {
    this.reqEnd = lba + n;
    try {
      for (let i = 0; i < n; i++) {
        const d = lba + i;
        const node = (await this.getDataNode(d, true))!;
        node.plain.set(data.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE));
        this.markDirty(node);
        if (d >= this.sizeNodes) this.sizeNodes = d + 1;
      }
    } finally {
      this.prefetched.clear();
    }
  }

  private async flushLocked(): Promise<void> {
    await this.internalFlush();
    await this.guard(async () => {
      await this.main.flush();
      if (this.recoveryUnsynced) {
        await this.recovery.flush();
        this.recoveryUnsynced = false;
      }
    });
  }

  /** Runs host I/O that leaves the disk unusable if it fails midway (SGX file_status errors). */
  private async guard(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      this.broken = e instanceof Error ? e : new Error(String(e));
      throw e;
    }
  }

  /** SGX get_data_node. Returns null for a hole when !create. The node is left MRU. */
  private async getDataNode(d: number, create: boolean): Promise<Node | null> {
    const phys = L.dataPhys(d);
    let node = this.cache.get(phys) ?? null;
    let parent: Node;
    if (node) {
      this.cache.bump(node);
      parent = node.parent!;
    } else {
      parent = await this.getMht(L.mhtOfData(d));
      const off = L.dataEntryOffset(d);
      if (isZero(parent.plain, off, L.ENTRY_SIZE)) {
        if (create) {
          node = newNode(false, d, phys, parent);
          this.cache.add(node);
        }
      } else {
        if (!this.prefetched.has(phys)) await this.prefetch(d, parent);
        node = await this.loadNode(false, d, phys, parent, off);
        this.cache.add(node);
      }
    }
    // Bump the MHT ancestors to reside before the data node in the LRU, so children always leave
    // the cache before their parents.
    for (let p = parent; p.parent; p = p.parent) this.cache.bump(p);
    await this.evict();
    return node;
  }

  /** SGX read_mht_node (a cache hit does not change the LRU order). */
  private async getMht(k: number): Promise<Node> {
    if (k === 0) return this.root;
    const phys = L.mhtPhys(k);
    const hit = this.cache.get(phys);
    if (hit) return hit;
    const parent = await this.getMht(L.mhtParent(k));
    const off = L.mhtEntryOffset(k);
    const node = isZero(parent.plain, off, L.ENTRY_SIZE) ? newNode(true, k, phys, parent) : await this.loadNode(true, k, phys, parent, off);
    this.cache.add(node);
    return node;
  }

  /** Reads (or takes from the prefetch buffer) and verifies a node against its parent's entry. */
  private async loadNode(mht: boolean, num: number, phys: number, parent: Node, off: number): Promise<Node> {
    let enc = this.prefetched.get(phys);
    if (enc) {
      this.prefetched.delete(phys);
    } else {
      enc = new Uint8Array(L.NODE_SIZE);
      await this.main.read(phys, enc);
      this.stats.nodeReads++;
    }
    const e = parent.plain;
    const plain = this.crypto.aesGcmDecrypt(e.subarray(off, off + L.KEY_SIZE), ZERO_IV, enc, e.subarray(off + L.KEY_SIZE, off + L.ENTRY_SIZE));
    if (!plain) throw eio(`${mht ? 'MHT' : 'data'} node ${num} (physical ${phys}) failed GMAC verification`);
    return { mht, num, phys, plain, enc, dirty: false, parent, prev: null, next: null };
  }

  /**
   * Reads, in one host read, the run of existing, uncached data nodes that starts at d and that the
   * current request will need next (they are contiguous on disk while they share an MHT node).
   * Verification still happens node by node in loadNode.
   */
  private async prefetch(d: number, parent: Node): Promise<void> {
    const end = Math.min(this.reqEnd, this.sizeNodes, (L.mhtOfData(d) + 1) * L.ATTACHED_DATA_NODES);
    let j = d + 1;
    while (j < end && !this.cache.has(L.dataPhys(j)) && !isZero(parent.plain, L.dataEntryOffset(j), L.ENTRY_SIZE)) j++;
    if (j - d < 2) return;
    const buf = new Uint8Array((j - d) * L.NODE_SIZE);
    await this.main.read(L.dataPhys(d), buf);
    this.stats.nodeReads += j - d;
    for (let i = 0; i < j - d; i++) this.prefetched.set(L.dataPhys(d + i), buf.subarray(i * L.NODE_SIZE, (i + 1) * L.NODE_SIZE));
  }

  /** Shrinks the cache to cacheSize: drop clean LRU nodes; a dirty victim flushes everything. */
  private async evict(): Promise<void> {
    while (this.cache.size > this.cacheSize) {
      const victim = this.cache.lru()!;
      if (!victim.dirty) {
        this.cache.remove(victim);
        continue;
      }
      this.stats.evictionFlushes++;
      await this.internalFlush();
      if (victim.dirty) throw new StorageError('EIO', 'pfs: eviction flush left the victim dirty (internal error)');
    }
  }

  private markDirty(node: Node): void {
    if (node.dirty) return;
    // A dirty node's ancestors are dirty: stop at the first one that already is.
    for (let n: Node | null = node; n && !n.dirty; n = n.parent) n.dirty = true;
    this.needWriting = true;
  }

  private nextKey(): Uint8Array {
    if (this.keyPos + L.KEY_SIZE > this.keyPool.length) {
      this.keyPool = this.crypto.randomBytes(4096);
      this.keyPos = 0;
    }
    const k = this.keyPool.subarray(this.keyPos, this.keyPos + L.KEY_SIZE);
    this.keyPos += L.KEY_SIZE;
    return k;
  }

  /** Encrypts `n` with a fresh key; its {key, gmac} go to `dst` at `off`. */
  private seal(n: Node, dst: Uint8Array, off: number): void {
    const key = this.nextKey();
    const { ciphertext, tag } = this.crypto.aesGcmEncrypt(key, ZERO_IV, n.plain);
    dst.set(key, off);
    dst.set(tag, off + L.KEY_SIZE);
    n.enc = ciphertext;
  }

  /** SGX internal_flush (see the file header, step 4). */
  private async internalFlush(): Promise<void> {
    if (!this.needWriting) return;
    this.stats.internalFlushes++;
    await this.guard(async () => {
      const dirty: Node[] = [];
      for (const n of this.cache.values()) if (n.dirty) dirty.push(n);
      const nodes = this.sizeNodes > 0 && this.root.dirty;
      if (nodes) {
        await this.writeRecovery(dirty);
        await this.setUpdateFlag();
        this.encryptNodes(dirty);
      }
      const meta = this.encryptMeta();
      if (nodes) {
        await this.writeNodes(dirty);
        if (this.barriers) await this.main.flush();
      }
      // No barrier needed after the metadata write: if it is lost, the on-disk flag is still 1 and
      // the next internal_flush rewrites (and syncs) the recovery file before touching anything else.
      await this.main.write(0, meta);
      this.stats.nodeWrites++;
      this.metaImage = meta;
      for (const n of dirty) n.dirty = false;
      this.root.dirty = false;
      this.needWriting = false;
    });
  }

  /** Step 1: old ciphertext of every dirty node that exists on disk, then the root and the metadata. */
  private async writeRecovery(dirty: Node[]): Promise<void> {
    const recs: Array<[number, Uint8Array]> = [];
    for (const n of dirty) if (n.enc) recs.push([n.phys, n.enc]);
    if (this.root.enc) recs.push([this.root.phys, this.root.enc]);
    recs.push([0, this.metaImage]);
    const h = L.recoveryHeaderBlocks(recs.length);
    if (h + recs.length > this.recovery.nblocks) {
      throw new StorageError('EIO', `pfs: recovery file too small for ${recs.length} records (internal error)`);
    }
    const buf = new Uint8Array((h + recs.length) * L.NODE_SIZE);
    const v = new DataView(buf.buffer);
    buf.set(L.RECOVERY_MAGIC, 0);
    v.setUint32(8, recs.length, true);
    recs.forEach(([phys, enc], i) => {
      v.setBigUint64(L.RECOVERY_HEADER + 8 * i, BigInt(phys), true);
      buf.set(enc, (h + i) * L.NODE_SIZE);
    });
    await this.recovery.write(0, buf);
    this.stats.recoveryNodeWrites += recs.length;
    this.recoveryUnsynced = true;
    if (this.barriers) {
      await this.recovery.flush();
      this.recoveryUnsynced = false;
    }
  }

  /** Step 2: the on-disk metadata node, unchanged but for update_flag = 1. */
  private async setUpdateFlag(): Promise<void> {
    const m = this.metaImage.slice();
    m[L.META_UPDATE_FLAG] = 1;
    await this.main.write(0, m);
    this.stats.nodeWrites++;
    if (this.barriers) await this.main.flush();
  }

  /** Step 3a (SGX update_all_data_and_mht_nodes): data nodes, then MHT nodes bottom-up, then the root. */
  private encryptNodes(dirty: Node[]): void {
    const mhts: Node[] = [];
    for (const n of dirty) {
      if (n.mht) mhts.push(n);
      else this.seal(n, n.parent!.plain, L.dataEntryOffset(n.num));
    }
    // A child MHT node's number is larger than its parent's: descending order is bottom-up.
    mhts.sort((a, b) => b.num - a.num);
    for (const n of mhts) this.seal(n, n.parent!.plain, L.mhtEntryOffset(n.num));
    this.seal(this.root, this.encPart, L.ENC_MHT_KEY);
  }

  /** Step 3b: write dirty nodes and the root in place, sorted, contiguous runs coalesced. */
  private async writeNodes(dirty: Node[]): Promise<void> {
    const list = [...dirty, this.root].sort((a, b) => a.phys - b.phys);
    for (let i = 0; i < list.length;) {
      let j = i + 1;
      while (j < list.length && list[j].phys === list[j - 1].phys + 1) j++;
      if (j - i === 1) {
        await this.main.write(list[i].phys, list[i].enc!);
      } else {
        const buf = new Uint8Array((j - i) * L.NODE_SIZE);
        for (let k = i; k < j; k++) buf.set(list[k].enc!, (k - i) * L.NODE_SIZE);
        await this.main.write(list[i].phys, buf);
      }
      i = j;
    }
    this.stats.nodeWrites += list.length;
  }

  /** SGX update_meta_data_node: new key id → new metadata key, encrypt the encrypted part. */
  private encryptMeta(): Uint8Array {
    const size = this.sizeNodes === 0 ? 0 : L.MD_USER_DATA_SIZE + this.sizeNodes * L.NODE_SIZE;
    this.encView.setBigInt64(L.ENC_SIZE, BigInt(size), true);
    const keyId = this.crypto.randomBytes(32);
    const metaKey = this.crypto.hkdf(this.sealKey, keyId, L.META_KEY_INFO, 16);
    const { ciphertext, tag } = this.crypto.aesGcmEncrypt(metaKey, ZERO_IV, this.encPart);
    const m = new Uint8Array(L.NODE_SIZE);
    const v = new DataView(m.buffer);
    v.setBigUint64(L.META_FILE_ID, L.SGX_FILE_ID, true);
    m[L.META_MAJOR] = 1;
    m[L.META_MINOR] = 0;
    m.set(keyId, L.META_KEY_ID);
    m[L.META_USE_USER_KDK] = 1;
    m.set(tag, L.META_GMAC);
    m[L.META_UPDATE_FLAG] = 0;
    m.set(ciphertext, L.META_ENC);
    return m;
  }
}
