// LsmIndex: the secure LSM-tree that maps LBAs to (HBA, key, MAC) (P1's dsLSM-tree; MlsDisk's
// TxLsmTree). Write-ahead logging and commit are the caller's (sworndisk.ts): this module holds the
// in-memory state and builds tables.
//
//   mutable MemTable  ->  (freeze) immutable MemTable  ->  (minor compaction) new L0 table
//   L0: up to l0Limit overlapping tables, newest first
//   L1..Ln: one sorted table per level; when L0 is full, L0+L1 merge into L1; when Li holds more
//   than memtableCapacity * l0Limit * levelRatio^(i-1) records, Li+Li+1 merge into Li+1.
//   A full compaction (on data-space pressure) merges everything into the bottom level.
//
// Lookups go mutable -> immutable -> L0 (newest first) -> L1 -> … -> Ln; the first hit wins.
//
// Merge rule, for the records of one LBA taken newest first (S = committed sync id): keep the
// newest; if it is uncommitted, also keep the newest committed one (so that a crash can fall back
// to it); drop the rest. In the bottom level a tombstone with nothing older kept is dropped too.
// Dropped records' HBAs are returned to the caller, to be freed only once the new catalog is durable.
// The rule and the inputs fully determine the output (deterministic compaction).
import { StorageError } from '../block-device.js';
import type { BlockBitmap } from './bitmap.js';
import { getU32, getU48 } from './codec.js';
import type { TableMeta } from './checkpoint.js';
import { MemTable, type FreeFn } from './memtable.js';
import { KEYMAC_OFF, RECORD_SIZE, TOMBSTONE } from './record.js';
import { NodeStore, scanTable, Table, TableBuilder, TableCursor, tableFind } from './table.js';

export interface LsmOptions {
  memtableCapacity: number;
  l0Limit: number;
  levelRatio: number;
}

/** Result of a range lookup: hba[i] is the HBA of lo+i, -1 if unmapped, -2 if trimmed. */
export interface RangeResult { hba: Float64Array; km: Uint8Array | undefined }

export interface CompactionResult {
  levels: Table[][];
  /** HBAs of dropped records: free them once the new catalog is durable. */
  dropped: number[];
  /** Tables no longer referenced: free their blocks once the new catalog is durable. */
  removed: Table[];
  minor: number;
  major: number;
}

export class LsmIndex {
  mutable = new MemTable();
  immutable: MemTable | undefined;
  levels: Table[][] = [[]];

  constructor(
    readonly store: NodeStore,
    readonly indexAlloc: BlockBitmap,
    readonly opts: LsmOptions,
    public nextTableId: number,
  ) {}

  /** Tables in lookup order (as recorded in the checkpoint). */
  tables(): Table[] {
    return this.levels.flat();
  }

  loadCatalog(metas: TableMeta[]): void {
    this.levels = [[]];
    for (const m of metas) {
      while (this.levels.length <= m.level) this.levels.push([]);
      this.levels[m.level].push(new Table(m));
    }
    for (let i = 1; i < this.levels.length; i++) {
      if (this.levels[i].length > 1) throw new StorageError('EIO', `checkpoint: level ${i} has ${this.levels[i].length} tables`);
    }
  }

  levelCapacity(i: number): number {
    return this.opts.memtableCapacity * this.opts.l0Limit * Math.pow(this.opts.levelRatio, i - 1);
  }

  get tableRecords(): number {
    let n = 0;
    for (const t of this.tables()) n += t.meta.count;
    return n;
  }

  // ---- lookups ----

  /** Newest mapping of every LBA in [lo, hi). */
  async lookupRange(lo: number, hi: number, wantKm: boolean): Promise<RangeResult> {
    const n = hi - lo;
    const hba = new Float64Array(n).fill(-1);
    const km = wantKm ? new Uint8Array(n * 32) : undefined;
    let remaining = n;
    for (const mt of [this.mutable, this.immutable]) {
      if (!mt || remaining === 0) continue;
      mt.forEachInRange(lo, hi, (l, slot) => {
        const i = l - lo;
        if (hba[i] !== -1) return;
        const h = mt.slotHba(slot);
        hba[i] = h === TOMBSTONE ? -2 : h;
        if (km) km.set(mt.slotKm(slot), i * 32);
        remaining--;
      });
    }
    if (remaining === 0) return { hba, km };
    for (const t of this.tables()) {
      const m = t.meta;
      if (m.maxLba < lo || m.minLba >= hi) continue;
      if (n === 1) {
        const r = await tableFind(this.store, t, lo);
        if (r) {
          const h = getU48(r.leaf, r.off + 6);
          hba[0] = h === TOMBSTONE ? -2 : h;
          if (km) km.set(r.leaf.subarray(r.off + KEYMAC_OFF, r.off + KEYMAC_OFF + 32), 0);
          return { hba, km };
        }
        continue;
      }
      const c = new TableCursor(this.store, t, 8);
      await c.seek(Math.max(lo, m.minLba));
      while (c.valid) {
        const leaf = c.leaf!;
        const off = c.off;
        const l = getU48(leaf, off);
        if (l >= hi) break;
        const i = l - lo;
        if (hba[i] === -1) {
          const h = getU48(leaf, off + 6);
          hba[i] = h === TOMBSTONE ? -2 : h;
          if (km) km.set(leaf.subarray(off + KEYMAC_OFF, off + KEYMAC_OFF + 32), i * 32);
          if (--remaining === 0) return { hba, km };
        }
        if (!c.stepInLeaf()) await c.nextLeaf();
      }
    }
    return { hba, km };
  }

  // ---- compaction ----

  /** Mutable -> immutable (the caller has just started a new journal block for the new mutable). */
  freeze(): void {
    if (this.immutable) throw new StorageError('EIO', 'internal: immutable memtable still present');
    this.immutable = this.mutable;
    this.mutable = new MemTable();
  }

  private async buildFromMemtable(mt: MemTable, level: number): Promise<Table | undefined> {
    const b = new TableBuilder(this.store, this.indexAlloc, this.nextTableId++, level, mt.records);
    const scratch = new Uint8Array(2 * RECORD_SIZE);
    try {
      for (const lba of mt.sortedLbas()) {
        const k = mt.encode(lba, scratch, 0);
        let drain = b.add(scratch, 0);
        if (k === 2) drain = b.add(scratch, RECORD_SIZE) || drain;
        if (drain) await b.drain();
      }
      return await b.finish();
    } catch (e) {
      b.giveBack(0);
      throw e;
    }
  }

  /**
   * Merges `sources` (newest first) into one table at `level`. With `strip`, records of epoch > S
   * are removed outright (recovery: they were never committed and are not counted as used).
   */
  async merge(sources: Table[], level: number, bottom: boolean, S: number, dropped: number[], strip = false): Promise<Table | undefined> {
    let total = 0;
    for (const t of sources) total += t.meta.count;
    const b = new TableBuilder(this.store, this.indexAlloc, this.nextTableId++, level, total);
    try {
      const cursors: TableCursor[] = [];
      for (const t of sources) {
        const c = new TableCursor(this.store, t, 32);
        await c.seek(0);
        cursors.push(c);
      }
      const keepA = new Uint8Array(RECORD_SIZE);
      const keepB = new Uint8Array(RECORD_SIZE);
      for (;;) {
        let minL = Infinity;
        for (const c of cursors) if (c.valid && c.lba < minL) minL = c.lba;
        if (minL === Infinity) break;
        let haveA = false, haveB = false, done = false;
        for (const c of cursors) {
          while (c.valid) {
            const leaf = c.leaf!;
            const off = c.off;
            if (getU48(leaf, off) !== minL) break;
            const epoch = getU32(leaf, off + 12);
            const hba = getU48(leaf, off + 6);
            if (strip && epoch > S) {
              // never committed: not counted as used, nothing to free
            } else if (!haveA) {
              keepA.set(leaf.subarray(off, off + RECORD_SIZE));
              haveA = true;
              if (epoch <= S) done = true;
            } else if (!done && epoch <= S) {
              keepB.set(leaf.subarray(off, off + RECORD_SIZE));
              haveB = true;
              done = true;
            } else if (hba !== TOMBSTONE) {
              dropped.push(hba);
            }
            if (!c.stepInLeaf()) await c.nextLeaf();
          }
        }
        if (bottom) {
          if (haveB && getU48(keepB, 6) === TOMBSTONE) haveB = false;
          if (haveA && !haveB && getU48(keepA, 6) === TOMBSTONE) haveA = false;
        }
        let drain = false;
        if (haveA) drain = b.add(keepA, 0);
        if (haveB) drain = b.add(keepB, 0) || drain;
        if (drain) await b.drain();
      }
      return await b.finish();
    } catch (e) {
      b.giveBack(0);
      throw e;
    }
  }

  /**
   * Minor compaction of the immutable memtable (if any) into a new L0 table, then the major
   * compactions it triggers (or, with `full`, one merge of everything into the bottom level).
   * Writes the new tables; does not install them (the caller commits the result).
   */
  async compact(S: number, full: boolean): Promise<CompactionResult> {
    const levels = this.levels.map((l) => l.slice());
    const res: CompactionResult = { levels, dropped: [], removed: [], minor: 0, major: 0 };
    const created: Table[] = [];
    try {
      if (this.immutable && this.immutable.records > 0) {
        const t = await this.buildFromMemtable(this.immutable, 0);
        if (t) { levels[0].unshift(t); created.push(t); }
        res.minor++;
      }
      const deepest = (): number => {
        let d = 0;
        for (let i = 0; i < levels.length; i++) if (levels[i].length) d = i;
        return d;
      };
      const mergeInto = async (from: number, to: number): Promise<void> => {
        const sources: Table[] = [];
        for (let i = from; i <= to; i++) sources.push(...(levels[i] ?? []));
        if (sources.length === 0) return;
        while (levels.length <= to) levels.push([]);
        const bottom = to >= deepest();
        const t = await this.merge(sources, to, bottom, S, res.dropped);
        for (let i = from; i <= to; i++) levels[i] = [];
        if (t) { levels[to] = [t]; created.push(t); }
        res.removed.push(...sources.filter((s) => !created.includes(s)));
        // tables created earlier in this compaction and merged again are freed at once below
        for (const s of sources) if (created.includes(s)) { this.freeTable(s); created.splice(created.indexOf(s), 1); }
        res.major++;
      };
      if (full) {
        const d = Math.max(1, deepest());
        // Even a lone bottom table is rewritten: shadows whose newer value has since been
        // committed, and tombstones, can be dropped now.
        if (levels.some((l) => l.length > 0)) await mergeInto(0, d);
      } else {
        if (levels[0].length >= this.opts.l0Limit) await mergeInto(0, 1);
        for (let i = 1; i < levels.length; i++) {
          const t = levels[i][0];
          if (t && t.meta.count > this.levelCapacity(i)) await mergeInto(i, i + 1);
        }
      }
      while (levels.length > 1 && levels[levels.length - 1].length === 0) levels.pop();
      return res;
    } catch (e) {
      for (const t of created) this.freeTable(t);
      throw e;
    }
  }

  /** Rewrites every table holding records of epoch > S without them (recovery after a crash). */
  async strip(S: number): Promise<CompactionResult> {
    const levels = this.levels.map((l) => l.slice());
    const res: CompactionResult = { levels, dropped: [], removed: [], minor: 0, major: 0 };
    const created: Table[] = [];
    try {
      for (let i = 0; i < levels.length; i++) {
        for (let j = 0; j < levels[i].length; j++) {
          const t = levels[i][j];
          if (t.meta.maxEpoch <= S) continue;
          const nt = await this.merge([t], i, false, S, res.dropped, true);
          res.removed.push(t);
          if (nt) { levels[i][j] = nt; created.push(nt); } else { levels[i].splice(j--, 1); }
        }
      }
      return res;
    } catch (e) {
      for (const t of created) this.freeTable(t);
      throw e;
    }
  }

  /** Gives a table's index blocks back and forgets its cached nodes. */
  freeTable(t: Table): void {
    if (!t.positions) throw new StorageError('EIO', `internal: table ${t.meta.id} has no known positions`);
    for (const p of t.positions) {
      this.indexAlloc.markFree(p);
      this.store.cache.delete(p);
    }
    t.positions = undefined;
  }

  /** Installs a committed compaction result. */
  install(res: CompactionResult): void {
    this.levels = res.levels.length ? res.levels : [[]];
    this.immutable = undefined;
    for (const t of res.removed) this.freeTable(t);
  }

  /**
   * Open-time scan of every table: marks each node's index block used, records the positions,
   * and calls onRecord for each record (the caller rebuilds the data-block bitmap from them).
   */
  async scanAll(onRecord: (leaf: Uint8Array, off: number) => void): Promise<void> {
    for (const t of this.tables()) {
      const positions: number[] = [];
      await scanTable(this.store, t, onRecord, (p) => {
        this.indexAlloc.markUsed(p);
        positions.push(p);
      });
      if (positions.length !== t.meta.nodes) throw new StorageError('EIO', `table ${t.meta.id}: node count mismatch`);
      t.positions = positions;
    }
  }

  /** Every HBA referenced by the memtables. */
  forEachMemHba(fn: FreeFn): void {
    this.mutable.forEachHba(fn);
    this.immutable?.forEachHba(fn);
  }
}
