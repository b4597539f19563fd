// BlockBitmap: a per-block validity bitmap with run allocation (MlsDisk's AllocTable), used for the
// data area (HBAs of live data blocks) and for the index area (table nodes).
//
// Allocation is next-fit from a cursor: a fresh disk hands out one long sequential run, which is
// what turns random LBAs into sequential HBAs (anonymity, sworndisk-reference.md §1.4). Freed
// blocks are reused once the cursor wraps around; batches take whatever free runs come next.
//
// Double allocation or double free means the index and the bitmap disagree, which cannot happen
// unless authenticated metadata lies or the code has a bug: both throw StorageError('EIO').
import { StorageError } from '../block-device.js';

export interface Run { start: number; len: number }

export class BlockBitmap {
  private readonly words: Uint32Array;
  private cursor = 0;
  free: number;

  constructor(readonly nblocks: number, readonly what: string) {
    this.words = new Uint32Array(Math.ceil(nblocks / 32));
    this.free = nblocks;
  }

  isUsed(i: number): boolean {
    return (this.words[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  markUsed(i: number): void {
    if (!(i >= 0 && i < this.nblocks)) throw new StorageError('EIO', `${this.what}: block ${i} outside the area`);
    const w = i >>> 5, m = 1 << (i & 31);
    if (this.words[w] & m) throw new StorageError('EIO', `${this.what}: block ${i} referenced twice`);
    this.words[w] |= m;
    this.free--;
  }

  markFree(i: number): void {
    const w = i >>> 5, m = 1 << (i & 31);
    if (!(i >= 0 && i < this.nblocks) || !(this.words[w] & m)) {
      throw new StorageError('EIO', `${this.what}: freeing block ${i} that is not in use`);
    }
    this.words[w] &= ~m;
    this.free++;
  }

  markRunUsed(start: number, len: number): void {
    for (let i = start; i < start + len; i++) this.markUsed(i);
  }

  freeRun(start: number, len: number): void {
    for (let i = start; i < start + len; i++) this.markFree(i);
  }

  /** Index of the first free block at or after `i` (wrapping never), or nblocks. */
  private nextFree(i: number): number {
    const n = this.nblocks;
    while (i < n) {
      const w = this.words[i >>> 5];
      if (w === 0xffffffff) { i = (i | 31) + 1; continue; }
      if ((w & (1 << (i & 31))) === 0) return i;
      i++;
    }
    return n;
  }

  private nextUsed(i: number): number {
    const n = this.nblocks;
    while (i < n) {
      const w = this.words[i >>> 5];
      if (w === 0) { i = (i | 31) + 1; continue; }
      if ((w & (1 << (i & 31))) !== 0) return i;
      i++;
    }
    return n;
  }

  /**
   * Allocates `count` blocks as the free runs that follow the cursor (next-fit, wrapping once).
   * Throws ENOSPC (allocating nothing) if fewer than `count` blocks are free.
   */
  allocRuns(count: number): Run[] {
    if (count > this.free) throw new StorageError('ENOSPC', `${this.what}: ${count} blocks wanted, ${this.free} free`);
    const runs: Run[] = [];
    let need = count;
    let i = this.cursor;
    let wrapped = false;
    while (need > 0) {
      const s = this.nextFree(i);
      if (s >= this.nblocks) {
        if (wrapped) throw new StorageError('EIO', `${this.what}: free count is wrong`);
        wrapped = true;
        i = 0;
        continue;
      }
      const e = Math.min(this.nextUsed(s), s + need);
      runs.push({ start: s, len: e - s });
      need -= e - s;
      i = e;
    }
    for (const r of runs) this.markRunUsed(r.start, r.len);
    this.cursor = i >= this.nblocks ? 0 : i;
    return runs;
  }

  /** First-fit contiguous run of `count` blocks, or the free runs that cover it if none is long enough. */
  allocContig(count: number): Run[] {
    if (count > this.free) throw new StorageError('ENOSPC', `${this.what}: ${count} blocks wanted, ${this.free} free`);
    for (let s = this.nextFree(0); s < this.nblocks;) {
      const e = this.nextUsed(s);
      if (e - s >= count) {
        this.markRunUsed(s, count);
        return [{ start: s, len: count }];
      }
      s = this.nextFree(e);
    }
    const saved = this.cursor;
    this.cursor = 0;
    try {
      return this.allocRuns(count);
    } finally {
      this.cursor = saved;
    }
  }
}
