// Bitmap: an allocation bitmap (blocks or inodes) held whole in memory, mirrored to its on-disk
// blocks at each commit. Owned by one Sefs; runs under its lock.
//
// Frees are deferred: a bit freed since the last commit is clear in the on-disk image (`disk`) but
// stays set in `used` (what allocation looks at) until releasePending(), after the commit. So a
// block that the last committed state still owns is never reused before a new state that no
// longer owns it is durable (otherwise an ordered-mode data write into a reused block could show
// up in another file after a crash; Linux ext3/4 avoid the same hazard).
import { BLOCK_SIZE } from '../block-device.js';
import { BITS_PER_BLOCK } from './layout.js';

export class Bitmap {
  /** The image written at the next commit. */
  readonly disk: Uint8Array;
  /** disk | frees not yet committed: what allocation sees. */
  private readonly used: Uint8Array;
  private pending: number[] = [];
  private readonly dirty = new Set<number>();
  private cursor = 0;
  private freeCount = 0;

  constructor(readonly nbits: number, readonly nblocks: number, image?: Uint8Array) {
    this.disk = new Uint8Array(nblocks * BLOCK_SIZE);
    if (image) this.disk.set(image.subarray(0, this.disk.length));
    // bits beyond nbits are permanently "used"
    for (let i = nbits; i < nblocks * BITS_PER_BLOCK; i++) this.disk[i >> 3]! |= 1 << (i & 7);
    this.used = this.disk.slice();
    for (let i = 0; i < nbits; i++) if (!(this.used[i >> 3]! & (1 << (i & 7)))) this.freeCount++;
  }

  get free(): number { return this.freeCount; }

  isSet(i: number): boolean { return (this.disk[i >> 3]! & (1 << (i & 7))) !== 0; }
  isUsed(i: number): boolean { return (this.used[i >> 3]! & (1 << (i & 7))) !== 0; }

  set(i: number): void {
    if (this.isUsed(i)) throw new Error(`sefs bitmap: bit ${i} is already in use`);
    this.disk[i >> 3]! |= 1 << (i & 7);
    this.used[i >> 3]! |= 1 << (i & 7);
    this.dirty.add(Math.floor(i / BITS_PER_BLOCK));
    this.freeCount--;
  }

  /** Clears bit i in the next on-disk image; it becomes allocatable after releasePending(). */
  clear(i: number): void {
    if (!this.isSet(i)) throw new Error(`sefs bitmap: freeing bit ${i} that is not set`);
    this.disk[i >> 3]! &= ~(1 << (i & 7));
    this.dirty.add(Math.floor(i / BITS_PER_BLOCK));
    this.pending.push(i);
  }

  get pendingCount(): number { return this.pending.length; }

  /** After a commit: the frees it made durable become allocatable. */
  releasePending(): void {
    for (const i of this.pending) {
      if (!this.isSet(i)) { this.used[i >> 3]! &= ~(1 << (i & 7)); this.freeCount++; }
    }
    this.pending = [];
  }

  /**
   * Allocates up to `max` consecutive free bits starting at the first free bit at or after `goal`
   * (wrapping once); returns the run start and length, or null when nothing is free.
   */
  allocRun(goal: number, max: number): { start: number; count: number } | null {
    if (this.freeCount === 0) return null;
    const start = this.findFree(goal >= 0 && goal < this.nbits ? goal : this.cursor);
    if (start < 0) return null;
    let count = 1;
    this.set(start);
    while (count < max && start + count < this.nbits && !this.isUsed(start + count)) { this.set(start + count); count++; }
    this.cursor = start + count;
    return { start, count };
  }

  private findFree(from: number): number {
    for (let pass = 0; pass < 2; pass++) {
      let i = pass === 0 ? from : 0;
      const end = pass === 0 ? this.nbits : Math.min(from, this.nbits);
      while (i < end) {
        if ((i & 7) === 0 && this.used[i >> 3] === 0xff) { i += 8; continue; }
        if (!this.isUsed(i)) return i;
        i++;
      }
    }
    return -1;
  }

  /** Indexes of bitmap blocks changed since the last takeDirty(), with their contents. */
  takeDirty(): { index: number; data: Uint8Array }[] {
    const out = [...this.dirty].sort((a, b) => a - b).map((index) => ({
      index, data: this.disk.slice(index * BLOCK_SIZE, (index + 1) * BLOCK_SIZE),
    }));
    this.dirty.clear();
    return out;
  }

  get dirtyCount(): number { return this.dirty.size; }
}
