// Index tables: immutable, sorted runs of index records, each a B+tree fused with a Merkle tree
// (P1's BIT). Every node is one 4 KiB block, AES-128-GCM encrypted with its own key and a zero IV;
// the node's key and MAC are stored in its parent, the root's in the checkpoint catalog.
//
// Node plaintext (4096 B):
//   0  u16 magic 0x4e53 | u8 type (1 leaf, 2 internal) | u8 height | u16 count | u16 0
//   8  u48 table id | u16 0
//   16 entries: leaf     85 × 48 B records (record.ts), sorted by LBA, for one LBA newest first
//               internal 92 × 44 B { first LBA u48, position u48, key 16 B, MAC 16 B }
//
// Node keys are derived from the content, key = HMAC-SHA256(K_index, plaintext)[0..16) (a
// synthetic-IV construction): the zero IV is safe because a key only ever encrypts one plaintext,
// and compaction is deterministic: rebuilding a table from the same input (same table id, same
// index-area allocation) reproduces byte-identical nodes, so no second version of a node exists.
//
// Nodes are laid out leaves first, then each internal level, root last, in index-area blocks taken
// from one contiguous run when possible, and written in large sequential raw writes.
import type { HostCrypto } from '../../host/types.js';
import { BLOCK_SIZE, StorageError, type BlockDevice } from '../block-device.js';
import { getU16, getU48, Lru, setU16, setU48 } from './codec.js';
import type { BlockBitmap } from './bitmap.js';
import type { TableMeta } from './checkpoint.js';
import { RECORD_SIZE, recEpoch, recLba } from './record.js';

export const NODE_HDR = 16;
export const LEAF_CAP = Math.floor((BLOCK_SIZE - NODE_HDR) / RECORD_SIZE); // 85
export const ENTRY_SIZE = 44;
export const INT_CAP = Math.floor((BLOCK_SIZE - NODE_HDR) / ENTRY_SIZE); // 92
const NODE_MAGIC = 0x4e53;
const T_LEAF = 1, T_INT = 2;
const ZERO_IV = new Uint8Array(12);

export const entryLba = (node: Uint8Array, i: number): number => getU48(node, NODE_HDR + i * ENTRY_SIZE);
export const leafLba = (node: Uint8Array, i: number): number => getU48(node, NODE_HDR + i * RECORD_SIZE);

/** Upper bound of nodes for a table of `records` records. */
export function nodesFor(records: number): number {
  let n = Math.max(1, Math.ceil(records / LEAF_CAP));
  let total = n;
  while (n > 1) {
    n = Math.ceil(n / INT_CAP);
    total += n;
  }
  return total;
}

/** Decrypts, verifies and caches table nodes; seals new ones. Shared by every table of a disk. */
export class NodeStore {
  readonly cache: Lru<number, Uint8Array>;
  nodeReads = 0;
  nodeWrites = 0;

  constructor(
    private readonly raw: BlockDevice,
    private readonly crypto: HostCrypto,
    private readonly key: Uint8Array,
    readonly indexStart: number,
    cacheBlocks: number,
  ) {
    this.cache = new Lru(cacheBlocks);
  }

  seal(pt: Uint8Array): { ct: Uint8Array; key: Uint8Array; mac: Uint8Array } {
    const key = this.crypto.hmacSha256(this.key, pt).subarray(0, 16);
    const { ciphertext, tag } = this.crypto.aesGcmEncrypt(key, ZERO_IV, pt);
    return { ct: ciphertext, key, mac: tag };
  }

  private open(ct: Uint8Array, key: Uint8Array, mac: Uint8Array, tableId: number, pos: number): Uint8Array {
    const pt = this.crypto.aesGcmDecrypt(key, ZERO_IV, ct, mac);
    if (!pt || pt.length !== BLOCK_SIZE || getU16(pt, 0) !== NODE_MAGIC || getU48(pt, 8) !== tableId) {
      throw new StorageError('EIO', `index node at index block ${pos} (table ${tableId}) failed authentication`);
    }
    return pt;
  }

  /** The node at `pos`, verified against the key and MAC from its parent (or the catalog). */
  async load(pos: number, key: Uint8Array, mac: Uint8Array, tableId: number): Promise<Uint8Array> {
    const hit = this.cache.get(pos);
    if (hit) return hit;
    const ct = new Uint8Array(BLOCK_SIZE);
    await this.raw.read(this.indexStart + pos, ct);
    this.nodeReads++;
    const pt = this.open(ct, key, mac, tableId, pos);
    this.cache.set(pos, pt);
    return pt;
  }

  /**
   * Children [from, from + count) of internal node `parent`, verified; the uncached ones are read
   * with one raw read per run of consecutive positions (and cached).
   */
  async loadChildren(parent: Uint8Array, from: number, count: number, tableId: number): Promise<Uint8Array[]> {
    const end = Math.min(getU16(parent, 4), from + count);
    const out: Uint8Array[] = new Array(end - from);
    const want: number[] = [];
    for (let i = from; i < end; i++) {
      const hit = this.cache.get(getU48(parent, NODE_HDR + i * ENTRY_SIZE + 6));
      if (hit) out[i - from] = hit;
      else want.push(i);
    }
    for (let a = 0; a < want.length;) {
      const p0 = getU48(parent, NODE_HDR + want[a] * ENTRY_SIZE + 6);
      let b = a + 1;
      while (b < want.length && want[b] === want[b - 1] + 1 && getU48(parent, NODE_HDR + want[b] * ENTRY_SIZE + 6) === p0 + (b - a)) b++;
      const buf = new Uint8Array((b - a) * BLOCK_SIZE);
      await this.raw.read(this.indexStart + p0, buf);
      this.nodeReads += b - a;
      for (let k = a; k < b; k++) {
        const e = NODE_HDR + want[k] * ENTRY_SIZE;
        const pt = this.open(buf.subarray((k - a) * BLOCK_SIZE, (k - a + 1) * BLOCK_SIZE), parent.subarray(e + 12, e + 28),
          parent.subarray(e + 28, e + 44), tableId, p0 + k - a);
        this.cache.set(p0 + k - a, pt);
        out[want[k] - from] = pt;
      }
      a = b;
    }
    return out;
  }

  /** Child `i` of `parent` (through the cache). */
  child(parent: Uint8Array, i: number, tableId: number): Promise<Uint8Array> {
    const e = NODE_HDR + i * ENTRY_SIZE;
    return this.load(getU48(parent, e + 6), parent.subarray(e + 12, e + 28), parent.subarray(e + 28, e + 44), tableId);
  }

  async writeRun(pos: number, data: Uint8Array): Promise<void> {
    await this.raw.write(this.indexStart + pos, data);
    this.nodeWrites += data.length / BLOCK_SIZE;
  }
}

/** An immutable table: its catalog entry, and (once known) the index blocks its nodes occupy. */
export class Table {
  /** Index-area blocks of every node (filled by the builder or by the open-time scan). */
  positions: number[] | undefined;
  constructor(readonly meta: TableMeta) {}
  root(store: NodeStore): Promise<Uint8Array> {
    return store.load(this.meta.rootPos, this.meta.rootKey, this.meta.rootMac, this.meta.id);
  }
}

/** Iterates a table's records in (LBA, newest first) order. */
export class TableCursor {
  private stack: { node: Uint8Array; idx: number }[] = [];
  leaf: Uint8Array | undefined;
  private li = 0;
  private n = 0;

  constructor(private readonly store: NodeStore, readonly table: Table, private readonly prefetch = 1) {}

  get valid(): boolean { return this.leaf !== undefined; }
  /** Offset of the current record inside `leaf`. */
  get off(): number { return NODE_HDR + this.li * RECORD_SIZE; }
  get lba(): number { return getU48(this.leaf!, NODE_HDR + this.li * RECORD_SIZE); }

  private batch: { parent: Uint8Array; from: number; nodes: Uint8Array[] } | undefined;

  private async childOf(node: Uint8Array, idx: number): Promise<Uint8Array> {
    const id = this.table.meta.id;
    if (this.prefetch > 1 && node[3] === 1) {
      const b = this.batch;
      if (b && b.parent === node && idx >= b.from && idx < b.from + b.nodes.length) return b.nodes[idx - b.from];
      const nodes = await this.store.loadChildren(node, idx, this.prefetch, id);
      this.batch = { parent: node, from: idx, nodes };
      return nodes[0];
    }
    return this.store.child(node, idx, id);
  }

  /**
   * Positions at the first record with LBA >= lba (invalid if none). With `exact`, stops (invalid)
   * instead when no record has LBA == lba, without loading a leaf it can rule out.
   */
  async seek(lba: number, exact = false): Promise<void> {
    this.stack = [];
    let node = await this.table.root(this.store);
    while (node[2] === T_INT) {
      // The last child starting below lba: records of one LBA (newest, then its shadow) may
      // straddle a leaf boundary, so a child starting at lba may not hold the first of them.
      const idx = Math.max(0, lastLt(node, getU16(node, 4), lba));
      this.stack.push({ node, idx });
      node = await this.childOf(node, idx);
    }
    this.setLeaf(node);
    this.li = firstGe(node, this.n, lba);
    if (this.li < this.n) return;
    if (exact) {
      // The next leaf starts with the first entry after ours at the lowest level that has one.
      for (let k = this.stack.length - 1; k >= 0; k--) {
        const { node: p, idx } = this.stack[k];
        if (idx + 1 < getU16(p, 4)) {
          if (entryLba(p, idx + 1) !== lba) this.leaf = undefined;
          break;
        }
      }
      if (!this.leaf) return;
    }
    await this.nextLeaf();
  }

  private setLeaf(node: Uint8Array): void {
    if (node[2] !== T_LEAF) throw new StorageError('EIO', `table ${this.table.meta.id}: malformed node`);
    this.leaf = node;
    this.n = getU16(node, 4);
  }

  /** Moves to the next record inside the current leaf; false if the leaf is exhausted (call nextLeaf). */
  stepInLeaf(): boolean {
    return ++this.li < this.n;
  }

  async nextLeaf(): Promise<void> {
    while (this.stack.length) {
      const top = this.stack[this.stack.length - 1];
      if (top.idx + 1 < getU16(top.node, 4)) {
        top.idx++;
        let node = await this.childOf(top.node, top.idx);
        while (node[2] === T_INT) {
          this.stack.push({ node, idx: 0 });
          node = await this.childOf(node, 0);
        }
        this.setLeaf(node);
        this.li = 0;
        if (this.n > 0) return;
        continue;
      }
      this.stack.pop();
    }
    this.leaf = undefined;
  }

  async next(): Promise<void> {
    if (!this.stepInLeaf()) await this.nextLeaf();
  }
}

/** The record for `lba` in `table` (its newest), or undefined. Returns the leaf and offset. */
export async function tableFind(store: NodeStore, table: Table, lba: number): Promise<{ leaf: Uint8Array; off: number } | undefined> {
  const m = table.meta;
  if (lba < m.minLba || lba > m.maxLba) return undefined;
  const c = new TableCursor(store, table, 1);
  await c.seek(lba, true);
  if (c.valid && c.lba === lba) return { leaf: c.leaf!, off: c.off };
  return undefined;
}

/** Index of the last internal entry whose first LBA < lba, or -1. */
function lastLt(node: Uint8Array, n: number, lba: number): number {
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entryLba(node, mid) < lba) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Index of the first leaf record whose LBA >= lba (n if none). */
function firstGe(node: Uint8Array, n: number, lba: number): number {
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (leafLba(node, mid) < lba) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Builds one table from records added in order. Index blocks for the worst case are taken up
 * front (deterministically, first fit) and the unused tail is given back by finish().
 * add() is synchronous; call drain() whenever it returns true to write the sealed nodes.
 */
export class TableBuilder {
  private readonly positions: number[] = [];
  private used = 0;
  private leaf = new Uint8Array(BLOCK_SIZE);
  private leafN = 0;
  private entries: Uint8Array;
  private nEntries = 0;
  private pending: { pos: number; ct: Uint8Array; pt: Uint8Array }[] = [];
  private count = 0;
  private minLba = 0;
  private maxLba = 0;
  private maxEpoch = 0;

  constructor(
    private readonly store: NodeStore,
    private readonly alloc: BlockBitmap,
    readonly id: number,
    readonly level: number,
    maxRecords: number,
  ) {
    for (const r of alloc.allocContig(nodesFor(maxRecords))) for (let i = 0; i < r.len; i++) this.positions.push(r.start + i);
    this.entries = new Uint8Array(Math.max(1, Math.ceil(maxRecords / LEAF_CAP)) * ENTRY_SIZE);
  }

  /** Appends a record (48 B at src[off]); records must come in (LBA, newest first) order. */
  add(src: Uint8Array, off: number): boolean {
    const lba = recLba(src, off);
    if (this.count === 0) this.minLba = lba;
    this.maxLba = lba;
    const e = recEpoch(src, off);
    if (e > this.maxEpoch) this.maxEpoch = e;
    this.count++;
    this.leaf.set(src.subarray(off, off + RECORD_SIZE), NODE_HDR + this.leafN * RECORD_SIZE);
    if (++this.leafN === LEAF_CAP) this.sealLeaf();
    return this.pending.length >= 64;
  }

  private header(node: Uint8Array, type: number, height: number, count: number): void {
    setU16(node, 0, NODE_MAGIC);
    node[2] = type;
    node[3] = height;
    setU16(node, 4, count);
    setU48(node, 8, this.id);
  }

  /** Seals a node into the next position; returns its entry fields. */
  private sealNode(pt: Uint8Array): { pos: number; key: Uint8Array; mac: Uint8Array } {
    if (this.used >= this.positions.length) throw new StorageError('EIO', `table ${this.id}: node estimate exceeded`);
    const pos = this.positions[this.used++];
    const { ct, key, mac } = this.store.seal(pt);
    this.pending.push({ pos, ct, pt });
    return { pos, key, mac };
  }

  private sealLeaf(): void {
    if (this.leafN === 0) return;
    this.header(this.leaf, T_LEAF, 0, this.leafN);
    const first = leafLba(this.leaf, 0);
    const { pos, key, mac } = this.sealNode(this.leaf);
    const o = this.nEntries++ * ENTRY_SIZE;
    setU48(this.entries, o, first);
    setU48(this.entries, o + 6, pos);
    this.entries.set(key, o + 12);
    this.entries.set(mac, o + 28);
    this.leaf = new Uint8Array(BLOCK_SIZE);
    this.leafN = 0;
  }

  /** Writes the sealed nodes, one raw write per run of consecutive positions. */
  async drain(): Promise<void> {
    const p = this.pending;
    this.pending = [];
    const cacheIt = this.store.cache.capacity >= 2 * this.positions.length;
    for (let i = 0; i < p.length;) {
      let j = i + 1;
      while (j < p.length && p[j].pos === p[i].pos + (j - i)) j++;
      const buf = new Uint8Array((j - i) * BLOCK_SIZE);
      for (let k = i; k < j; k++) {
        buf.set(p[k].ct, (k - i) * BLOCK_SIZE);
        if (cacheIt || p[k].pt[2] === T_INT) this.store.cache.set(p[k].pos, p[k].pt);
      }
      await this.store.writeRun(p[i].pos, buf);
      i = j;
    }
  }

  /** Seals the remaining nodes and writes them; returns the table, or undefined if it is empty. */
  async finish(): Promise<Table | undefined> {
    this.sealLeaf();
    if (this.count === 0) {
      this.giveBack(0);
      return undefined;
    }
    let height = 0;
    let entries = this.entries.subarray(0, this.nEntries * ENTRY_SIZE);
    let n = this.nEntries;
    let root: { pos: number; key: Uint8Array; mac: Uint8Array } = { pos: getU48(entries, 6), key: entries.slice(12, 28), mac: entries.slice(28, 44) };
    while (n > 1) {
      height++;
      const up = new Uint8Array(Math.ceil(n / INT_CAP) * ENTRY_SIZE);
      let un = 0;
      for (let i = 0; i < n; i += INT_CAP) {
        const k = Math.min(INT_CAP, n - i);
        const node = new Uint8Array(BLOCK_SIZE);
        this.header(node, T_INT, height, k);
        node.set(entries.subarray(i * ENTRY_SIZE, (i + k) * ENTRY_SIZE), NODE_HDR);
        const s = this.sealNode(node);
        const o = un++ * ENTRY_SIZE;
        setU48(up, o, getU48(entries, i * ENTRY_SIZE));
        setU48(up, o + 6, s.pos);
        up.set(s.key, o + 12);
        up.set(s.mac, o + 28);
        root = s;
      }
      entries = up;
      n = un;
    }
    await this.drain();
    const positions = this.positions.slice(0, this.used);
    this.giveBack(this.used);
    const t = new Table({
      id: this.id, level: this.level, height, count: this.count, nodes: positions.length,
      minLba: this.minLba, maxLba: this.maxLba, maxEpoch: this.maxEpoch,
      rootPos: root.pos, rootKey: root.key.slice(), rootMac: root.mac.slice(),
    });
    t.positions = positions;
    return t;
  }

  /** Returns the unused preallocated blocks (all of them on abort). */
  giveBack(from: number): void {
    for (let i = from; i < this.positions.length; i++) {
      this.alloc.markFree(this.positions[i]);
      this.store.cache.delete(this.positions[i]); // drain() may have cached it: cached nodes are trusted
    }
    this.positions.length = Math.min(this.positions.length, from);
  }
}

/**
 * Calls fn(leaf, offset) for every record of `table` in order, reading nodes level by level in
 * large batches, and onNode(position) for every node.
 */
export async function scanTable(store: NodeStore, table: Table, fn: (leaf: Uint8Array, off: number) => void,
  onNode?: (pos: number) => void): Promise<void> {
  const m = table.meta;
  onNode?.(m.rootPos);
  let level: Uint8Array[] = [await table.root(store)];
  while (level[0][2] === T_INT) {
    const next: Uint8Array[] = [];
    for (const node of level) {
      const n = getU16(node, 4);
      for (let i = 0; i < n; i += 64) {
        const kids = await store.loadChildren(node, i, 64, m.id);
        for (let k = 0; k < kids.length; k++) {
          onNode?.(getU48(node, NODE_HDR + (i + k) * ENTRY_SIZE + 6));
          if (kids[k][3] !== node[3] - 1) throw new StorageError('EIO', `table ${m.id}: malformed tree`);
          next.push(kids[k]);
        }
      }
      if (node[3] === 1) {
        // Children are leaves: consume them now rather than holding the whole level.
        for (const leaf of next) {
          if (leaf[2] !== T_LEAF) throw new StorageError('EIO', `table ${m.id}: malformed leaf`);
          const c = getU16(leaf, 4);
          for (let r = 0; r < c; r++) fn(leaf, NODE_HDR + r * RECORD_SIZE);
        }
        next.length = 0;
      }
    }
    if (next.length === 0) return;
    level = next;
  }
  const leaf = level[0];
  const c = getU16(leaf, 4);
  for (let r = 0; r < c; r++) fn(leaf, NODE_HDR + r * RECORD_SIZE);
}
