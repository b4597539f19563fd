// MemTable: the in-memory, sync-aware part of the LSM index (MlsDisk's MemTable).
//
// Each LBA holds at most one committed value and one uncommitted value (MlsDisk: "at most one synced
// and one unsynced"): `newest` is what reads see; `shadow` keeps the last committed value while the
// newest one is uncommitted, so that a table built from the memtable still lets recovery fall back
// to it. A value is committed iff its epoch <= the committed sync id S (records written now get
// epoch S+1).
//
// Data-block space: the HBA of a value that disappears from the memtable is handed to `free`:
// an uncommitted value overwritten by a newer one at once (it was never durable), a shadow when the
// sync that supersedes it commits (sync()). Values that leave through a table build are not freed:
// they live on in the table, and compaction frees them when it drops them.
//
// Records are kept in typed-array slabs (no object per record). Owned by the SwornDisk's single
// operation queue; never shared.
import { RECORD_SIZE } from './record.js';
import { setU32, setU48 } from './codec.js';

export type FreeFn = (hba: number) => void;

export class MemTable {
  private readonly newest = new Map<number, number>();
  private readonly shadow = new Map<number, number>();
  private hba = new Float64Array(1024);
  private epoch = new Uint32Array(1024);
  private km = new Uint8Array(1024 * 32);
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;
  /** LBAs whose newest value was written since the last sync (may repeat). */
  private dirty: number[] = [];

  /** Records a table built from this memtable would hold. */
  get records(): number { return this.newest.size + this.shadow.size; }
  get keys(): number { return this.newest.size; }

  private alloc(): number {
    const s = this.freeSlots.pop();
    if (s !== undefined) return s;
    if (this.nextSlot === this.hba.length) {
      const n = this.hba.length * 2;
      const h = new Float64Array(n); h.set(this.hba); this.hba = h;
      const e = new Uint32Array(n); e.set(this.epoch); this.epoch = e;
      const k = new Uint8Array(n * 32); k.set(this.km); this.km = k;
    }
    return this.nextSlot++;
  }

  private fill(slot: number, hba: number, epoch: number, km: Uint8Array, kmOff: number): void {
    this.hba[slot] = hba;
    this.epoch[slot] = epoch;
    this.km.set(km.subarray(kmOff, kmOff + 32), slot * 32);
  }

  /**
   * Inserts LBA -> value at `epoch`, with `S` the committed sync id. At run time epoch = S + 1;
   * during journal replay every record is committed (epoch <= S) and simply replaces the older one.
   */
  put(lba: number, hba: number, epoch: number, km: Uint8Array, kmOff: number, S: number, free: FreeFn): void {
    const old = this.newest.get(lba);
    if (old === undefined) {
      const slot = this.alloc();
      this.fill(slot, hba, epoch, km, kmOff);
      this.newest.set(lba, slot);
      if (epoch > S) this.dirty.push(lba);
      return;
    }
    if (this.epoch[old] <= S && epoch > S) {
      // The committed value becomes the shadow until the next sync commits the new one.
      this.shadow.set(lba, old);
      const slot = this.alloc();
      this.fill(slot, hba, epoch, km, kmOff);
      this.newest.set(lba, slot);
      this.dirty.push(lba);
      return;
    }
    // Replacing an uncommitted value (never durable), or a committed one during replay.
    free(this.hba[old]);
    this.fill(old, hba, epoch, km, kmOff);
  }

  /** The slot of the newest value of `lba`, if any. */
  get(lba: number): number | undefined { return this.newest.get(lba); }

  slotHba(slot: number): number { return this.hba[slot]; }
  slotEpoch(slot: number): number { return this.epoch[slot]; }
  slotKm(slot: number): Uint8Array { return this.km.subarray(slot * 32, slot * 32 + 32); }

  /** The sync that makes every current value committed has completed: drop the shadows. */
  sync(free: FreeFn): void {
    for (const lba of this.dirty) {
      const sh = this.shadow.get(lba);
      if (sh === undefined) continue;
      free(this.hba[sh]);
      this.shadow.delete(lba);
      this.freeSlots.push(sh);
    }
    this.dirty = [];
  }

  /** Newest values in [lo, hi): calls fn(lba, slot). Chooses map iteration or probing by size. */
  forEachInRange(lo: number, hi: number, fn: (lba: number, slot: number) => void): void {
    if (this.newest.size === 0) return;
    if (hi - lo <= this.newest.size) {
      for (let l = lo; l < hi; l++) {
        const s = this.newest.get(l);
        if (s !== undefined) fn(l, s);
      }
    } else {
      for (const [l, s] of this.newest) if (l >= lo && l < hi) fn(l, s);
    }
  }

  /** Every HBA referenced (newest and shadow values). */
  forEachHba(fn: (hba: number) => void): void {
    for (const s of this.newest.values()) fn(this.hba[s]);
    for (const s of this.shadow.values()) fn(this.hba[s]);
  }

  /** Sorted LBAs (for building a table). */
  sortedLbas(): Float64Array {
    const a = new Float64Array(this.newest.size);
    let i = 0;
    for (const l of this.newest.keys()) a[i++] = l;
    return a.sort();
  }

  /** Encodes the records of `lba` (newest, then shadow) into `out` at `off`; returns how many (1 or 2). */
  encode(lba: number, out: Uint8Array, off: number): number {
    const s = this.newest.get(lba);
    if (s === undefined) return 0;
    this.encodeSlot(lba, s, out, off);
    const sh = this.shadow.get(lba);
    if (sh === undefined) return 1;
    this.encodeSlot(lba, sh, out, off + RECORD_SIZE);
    return 2;
  }

  private encodeSlot(lba: number, slot: number, out: Uint8Array, off: number): void {
    setU48(out, off, lba);
    setU48(out, off + 6, this.hba[slot]);
    setU32(out, off + 12, this.epoch[slot]);
    out.set(this.km.subarray(slot * 32, slot * 32 + 32), off + 16);
  }
}

