// BlockCache: an LRU (CLOCK approximation) of plaintext blocks of the device under sefs (what the disk decrypted and
// verified), with write-back. Owned by one Sefs; all calls run under the Sefs lock.
//
// Two kinds of dirty block, because they may reach the device at different times (sefs.ts,
// "Crash consistency"):
// - Data (file contents): may be written back at any time (eviction, commit); ordered-mode.
// - Meta (inode table, bitmaps, directories, indirect blocks, symlink blocks): pinned in memory
//   until the next commit writes them through the journal. Pinned blocks do not count against
//   eviction (the commit policy bounds how many there are).
import { BLOCK_SIZE, type BlockDevice } from '../block-device.js';

export const CLEAN = 0, DATA = 1, META = 2;
export type Dirty = typeof CLEAN | typeof DATA | typeof META;

/** `ref`: used since the eviction scan last passed it (CLOCK's reference bit). */
interface Entry { data: Uint8Array; dirty: Dirty; ref: boolean }

export interface CacheStats {
  hits: number;
  misses: number;
  devReads: number;
  devReadBlocks: number;
  devWrites: number;
  devWriteBlocks: number;
  writebacks: number;
}

/** Calls fn(start, count) for each run of consecutive numbers in sorted `lbas`. */
export function runs(lbas: number[], fn: (start: number, count: number, from: number) => void, maxRun = 256): void {
  let i = 0;
  while (i < lbas.length) {
    let j = i + 1;
    while (j < lbas.length && lbas[j] === lbas[j - 1]! + 1 && j - i < maxRun) j++;
    fn(lbas[i]!, j - i, i);
    i = j;
  }
}

export class BlockCache {
  private readonly map = new Map<number, Entry>();
  private readonly metaDirty = new Set<number>();
  private dataDirty = 0;
  readonly stats: CacheStats = { hits: 0, misses: 0, devReads: 0, devReadBlocks: 0, devWrites: 0, devWriteBlocks: 0, writebacks: 0 };

  constructor(private readonly dev: BlockDevice, readonly capacity: number) {}

  get size(): number { return this.map.size; }
  get metaDirtyCount(): number { return this.metaDirty.size; }
  get dataDirtyCount(): number { return this.dataDirty; }

  has(lba: number): boolean { return this.map.has(lba); }

  /**
   * The cached block, or undefined. A hit only sets the reference bit: reordering the Map on every
   * hit (a true LRU) cost more than the rest of a cached 4 KiB read; eviction gives referenced
   * blocks a second chance instead (CLOCK).
   */
  peek(lba: number): Uint8Array | undefined {
    const e = this.map.get(lba);
    if (!e) return undefined;
    e.ref = true;
    this.stats.hits++;
    return e.data;
  }

  /** The block, read from the device on a miss. The returned array is the cached copy: mark it dirty after changing it. */
  async get(lba: number): Promise<Uint8Array> {
    const hit = this.peek(lba);
    if (hit) return hit;
    this.stats.misses++;
    const data = new Uint8Array(BLOCK_SIZE);
    await this.devRead(lba, data);
    // another caller cannot have inserted it meanwhile: the Sefs lock serializes callers
    this.map.set(lba, { data, dirty: CLEAN, ref: false });
    await this.shrink(lba);
    return data;
  }

  /** Inserts (or replaces) a block; takes ownership of `data`. */
  async put(lba: number, data: Uint8Array, dirty: Dirty): Promise<void> {
    const old = this.map.get(lba);
    if (old) { this.unmarkDirty(lba, old); this.map.delete(lba); }
    this.map.set(lba, { data, dirty: CLEAN, ref: false });
    if (dirty !== CLEAN) this.markDirty(lba, dirty);
    await this.shrink(lba);
  }

  /** Marks a cached block dirty; META wins over DATA. */
  markDirty(lba: number, kind: typeof DATA | typeof META): void {
    const e = this.map.get(lba);
    if (!e) throw new Error(`sefs cache: markDirty(${lba}) of a block not in the cache`);
    if (e.dirty === META || e.dirty === kind) return;
    if (e.dirty === DATA) this.dataDirty--;
    e.dirty = kind;
    if (kind === META) this.metaDirty.add(lba); else this.dataDirty++;
  }

  /** Forgets a block (freed): a dirty copy is discarded, never written. */
  drop(lba: number): void {
    const e = this.map.get(lba);
    if (!e) return;
    this.unmarkDirty(lba, e);
    this.map.delete(lba);
  }

  /** Updates a cached copy after the caller wrote `data` to the device itself; the block is clean. */
  refresh(lba: number, data: Uint8Array): void {
    const e = this.map.get(lba);
    if (!e) return;
    e.data.set(data);
    this.unmarkDirty(lba, e);
    e.dirty = CLEAN;
  }

  private unmarkDirty(lba: number, e: Entry): void {
    if (e.dirty === META) this.metaDirty.delete(lba);
    else if (e.dirty === DATA) this.dataDirty--;
  }

  /** Reads the uncached blocks among `lbas` into the cache, one device call per contiguous run. */
  async prefetch(lbas: number[]): Promise<void> {
    const missing = lbas.filter((l) => !this.map.has(l)).sort((a, b) => a - b);
    if (missing.length === 0) return;
    const tasks: { start: number; count: number }[] = [];
    runs(missing, (start, count) => tasks.push({ start, count }));
    for (const { start, count } of tasks) {
      const buf = new Uint8Array(count * BLOCK_SIZE);
      await this.devRead(start, buf);
      for (let k = 0; k < count; k++) {
        if (!this.map.has(start + k)) this.map.set(start + k, { data: buf.slice(k * BLOCK_SIZE, (k + 1) * BLOCK_SIZE), dirty: CLEAN, ref: false });
      }
    }
    await this.shrink();
  }

  /** Sorted numbers of the META-dirty blocks, and their contents. */
  dirtyMetaBlocks(): { lba: number; data: Uint8Array }[] {
    return [...this.metaDirty].sort((a, b) => a - b).map((lba) => ({ lba, data: this.map.get(lba)!.data }));
  }

  /** Marks every META-dirty block clean (after the commit wrote them home). */
  cleanMeta(): void {
    for (const lba of this.metaDirty) this.map.get(lba)!.dirty = CLEAN;
    this.metaDirty.clear();
  }

  /** Writes every DATA-dirty block to the device, sorted, contiguous runs in one call. */
  async writeBackData(): Promise<void> {
    if (this.dataDirty === 0) return;
    const lbas: number[] = [];
    for (const [lba, e] of this.map) if (e.dirty === DATA) lbas.push(lba);
    await this.writeBlocks(lbas.sort((a, b) => a - b));
  }

  private async writeBlocks(sorted: number[]): Promise<void> {
    const tasks: { start: number; count: number }[] = [];
    runs(sorted, (start, count) => tasks.push({ start, count }));
    for (const { start, count } of tasks) {
      const buf = count === 1 ? this.map.get(start)!.data : new Uint8Array(count * BLOCK_SIZE);
      if (count > 1) for (let k = 0; k < count; k++) buf.set(this.map.get(start + k)!.data, k * BLOCK_SIZE);
      await this.devWrite(start, buf);
      for (let k = 0; k < count; k++) {
        const e = this.map.get(start + k)!;
        if (e.dirty === DATA) { e.dirty = CLEAN; this.dataDirty--; }
      }
    }
  }

  /**
   * Evicts blocks beyond capacity, oldest first, skipping (and moving to the young end) those
   * referenced since the last scan; DATA-dirty victims are written back first, META stays.
   * `keep` (the block the caller just inserted and is about to use) is never evicted.
   */
  private async shrink(keep = -1): Promise<void> {
    let excess = this.map.size - this.metaDirty.size - this.capacity;
    if (excess <= 0) return;
    const victims: number[] = [];
    const dirtyVictims: number[] = [];
    for (const [lba, e] of this.map) {
      if (excess <= 0) break;
      if (e.dirty === META || lba === keep) continue;
      if (e.ref) { e.ref = false; this.map.delete(lba); this.map.set(lba, e); continue; } // second chance
      victims.push(lba);
      if (e.dirty === DATA) dirtyVictims.push(lba);
      excess--;
    }
    if (dirtyVictims.length > 0) {
      // Write back a whole neighbourhood at once: the dirty blocks around each victim tend to be
      // the rest of the same sequential write.
      const set = new Set(dirtyVictims);
      for (const l of dirtyVictims) {
        for (let n = l + 1; this.map.get(n)?.dirty === DATA && !set.has(n); n++) set.add(n);
      }
      this.stats.writebacks++;
      await this.writeBlocks([...set].sort((a, b) => a - b));
    }
    for (const lba of victims) {
      const e = this.map.get(lba);
      if (e && e.dirty === CLEAN) this.map.delete(lba);
    }
  }

  async devRead(lba: number, buf: Uint8Array): Promise<void> {
    this.stats.devReads++;
    this.stats.devReadBlocks += buf.length / BLOCK_SIZE;
    await this.dev.read(lba, buf);
  }

  async devWrite(lba: number, data: Uint8Array): Promise<void> {
    this.stats.devWrites++;
    this.stats.devWriteBlocks += data.length / BLOCK_SIZE;
    await this.dev.write(lba, data);
  }

  /** Drops everything (after a failure, or at unmount). */
  clear(): void {
    this.map.clear();
    this.metaDirty.clear();
    this.dataDirty = 0;
  }
}
