// AdversarialDevice / AdversarialStore: raw in-memory devices under the control of a test playing
// the untrusted host (sworndisk-reference.md §6). Shared by the PfsDisk and SwornDisk tests.
//
// What the host can do here:
// - image surgery, outside any I/O path: snapshot / restore whole images, flip a bit at a byte
//   offset, swap two blocks, read or overwrite a raw block;
// - drop writes matching a predicate (reported as success, not applied);
// - crash: after k more host writes the devices "die": the next write is lost and it, and every
//   later call on any handle of this instance, throws StorageError('EIO'); or likewise inside the
//   (k+1)-th flush, before it syncs anything. revive() starts a new instance (older handles stay
//   dead, so an abandoned disk object cannot write any more);
// - power loss: un-flushed writes are undone, all of them or a chosen subset (needs trackUnsynced);
// - record every host write (with its data) and flush, in one global order across the devices of a
//   store, so a test can replay the first k writes onto an earlier snapshot (crash at every write).
//
// All devices of one store share one FaultController, so "the k-th host write" counts writes to
// every file of a disk (PfsDisk's data file and its recovery file).
import { BLOCK_SIZE, StorageError, checkRange, type BlockDevice } from './block-device.js';
import { MemDevice, type RawStore } from './mem-device.js';

/** One recorded host operation. Trims are recorded as writes of zeros with trim = true. */
export type HostOp =
  | { kind: 'write'; seq: number; device: string; lba: number; data: Uint8Array; trim: boolean; dropped: boolean }
  | { kind: 'flush'; seq: number; device: string };

export type HostWrite = Extract<HostOp, { kind: 'write' }>;

/** What a drop predicate sees. `index` counts every write the controller has seen (from 0). */
export interface WriteInfo { device: string; lba: number; nblocks: number; data: Uint8Array; trim: boolean; index: number }

interface Undo { lba: number; pre: Uint8Array; post: Uint8Array }

/** Fault state shared by the devices of one store (or owned by a lone AdversarialDevice). */
export class FaultController {
  /** Record every host op, with a copy of written data, into `log` (off by default: it costs memory). */
  record = false;
  readonly log: HostOp[] = [];
  /** Keep undo records for writes since each device's last flush, so powerLoss() can drop them. */
  trackUnsynced = false;
  /** Writes (and trims) seen so far, including dropped ones. */
  writes = 0;
  /** Flushes seen so far. */
  flushes = 0;
  /** Writes for which this returns true are acknowledged but not applied. */
  dropIf: ((w: WriteInfo) => boolean) | undefined;
  dead = false;
  /** Incremented by revive(); handles from an older epoch stay dead. */
  epoch = 0;
  private crashAtWrite: number | undefined;
  private crashAtFlush: number | undefined;
  private seq = 0;
  private readonly unsynced = new Map<string, { dev: MemDevice; undo: Undo[] }>();

  /** The next `k` writes are applied; the one after is lost and the devices die. */
  crashAfter(k: number): void {
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`crashAfter(${k})`);
    this.crashAtWrite = this.writes + k;
  }

  /** The next `k` flushes succeed; the one after dies without syncing anything (a crash inside fdatasync). */
  crashAfterFlushes(k: number): void {
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`crashAfterFlushes(${k})`);
    this.crashAtFlush = this.flushes + k;
  }

  /** Dies now: every later call throws until revive(). */
  crash(): void {
    this.dead = true;
    this.crashAtWrite = undefined;
    this.crashAtFlush = undefined;
  }

  /** A new instance: devices work again (with whatever content survived); old handles stay dead. */
  revive(): void {
    this.dead = false;
    this.crashAtWrite = undefined;
    this.crashAtFlush = undefined;
    this.epoch++;
  }

  /**
   * Power loss: the writes since each device's last flush are undone, except those for which
   * `keep` returns true (re-applied in their original order). Needs trackUnsynced. Also crashes.
   */
  powerLoss(keep: (w: { device: string; lba: number; nblocks: number }) => boolean = () => false): void {
    if (!this.trackUnsynced) throw new Error('powerLoss() needs trackUnsynced = true');
    for (const [device, { dev, undo }] of this.unsynced) {
      for (let i = undo.length - 1; i >= 0; i--) dev.image.set(undo[i].pre, undo[i].lba * BLOCK_SIZE);
      for (const u of undo) {
        if (keep({ device, lba: u.lba, nblocks: u.post.length / BLOCK_SIZE })) dev.image.set(u.post, u.lba * BLOCK_SIZE);
      }
    }
    this.unsynced.clear();
    this.crash();
  }

  /** Number of writes not yet covered by a flush of their device (with trackUnsynced). */
  unsyncedWrites(): number {
    let n = 0;
    for (const u of this.unsynced.values()) n += u.undo.length;
    return n;
  }

  /** Clears the log (and keeps recording as before). */
  clearLog(): void { this.log.length = 0; }

  // ---- called by AdversarialDevice ----

  /** @internal Returns false if the write must be dropped; throws if the device is dead or dies now. */
  beforeWrite(device: string, lba: number, data: Uint8Array, trim: boolean): boolean {
    const index = this.writes;
    if (this.crashAtWrite !== undefined && index >= this.crashAtWrite) {
      this.crash();
      throw new StorageError('EIO', `adversarial: host crashed; write #${index} to ${device}@${lba} lost`);
    }
    this.writes++;
    const dropped = this.dropIf?.({ device, lba, nblocks: data.length / BLOCK_SIZE, data, trim, index }) ?? false;
    if (this.record) this.log.push({ kind: 'write', seq: this.seq++, device, lba, data: data.slice(), trim, dropped });
    return !dropped;
  }

  /** @internal */
  noteUnsynced(device: string, dev: MemDevice, lba: number, pre: Uint8Array, post: Uint8Array): void {
    let u = this.unsynced.get(device);
    if (!u) this.unsynced.set(device, u = { dev, undo: [] });
    u.undo.push({ lba, pre, post });
  }

  /** @internal Throws if the device is dead or dies now; else records the flush. */
  onFlush(device: string): void {
    if (this.crashAtFlush !== undefined && this.flushes >= this.crashAtFlush) {
      this.crash();
      throw new StorageError('EIO', `adversarial: host crashed in flush #${this.flushes} of ${device}`);
    }
    this.flushes++;
    if (this.record) this.log.push({ kind: 'flush', seq: this.seq++, device });
    this.unsynced.delete(device);
  }
}

/** A raw in-memory device whose host is the test. */
export class AdversarialDevice implements BlockDevice {
  readonly controller: FaultController;
  readonly name: string;
  private readonly epoch: number;
  private closed = false;

  /** `mem` holds the content; pass `controller` to share faults with other devices. */
  constructor(readonly mem: MemDevice, opts: { name?: string; controller?: FaultController } = {}) {
    this.controller = opts.controller ?? new FaultController();
    this.name = opts.name ?? 'disk';
    this.epoch = this.controller.epoch;
  }

  /** A lone device of `nblocks` zero blocks with its own controller. */
  static create(nblocks: number, name = 'disk'): AdversarialDevice {
    return new AdversarialDevice(new MemDevice(nblocks), { name });
  }

  get nblocks(): number { return this.mem.nblocks; }

  private check(): void {
    const c = this.controller;
    if (c.dead) throw new StorageError('EIO', `adversarial: ${this.name}: host crashed`);
    if (this.epoch !== c.epoch) throw new StorageError('EIO', `adversarial: ${this.name}: handle from a crashed instance`);
    if (this.closed) throw new StorageError('EIO', `adversarial: ${this.name}: closed`);
  }

  async read(lba: number, buf: Uint8Array): Promise<void> {
    this.check();
    this.mem.readSync(lba, buf);
  }

  async write(lba: number, data: Uint8Array): Promise<void> {
    this.check();
    checkRange(this, lba, data.length);
    this.apply(lba, data, false);
  }

  async trim(lba: number, count: number): Promise<void> {
    this.check();
    checkRange(this, lba, count * BLOCK_SIZE);
    this.apply(lba, new Uint8Array(count * BLOCK_SIZE), true);
  }

  private apply(lba: number, data: Uint8Array, trim: boolean): void {
    const c = this.controller;
    if (!c.beforeWrite(this.name, lba, data, trim)) return;
    if (c.trackUnsynced) {
      const off = lba * BLOCK_SIZE;
      c.noteUnsynced(this.name, this.mem, lba, this.mem.image.slice(off, off + data.length), data.slice());
    }
    this.mem.writeSync(lba, data);
  }

  async flush(): Promise<void> {
    this.check();
    this.controller.onFlush(this.name);
  }

  async close(): Promise<void> { this.closed = true; }

  // ---- image surgery (the host acting outside any I/O path; works while crashed) ----

  snapshot(): Uint8Array { return this.mem.image.slice(); }

  restore(image: Uint8Array): void { this.mem.image = image.slice(); }

  /** Flips bit `bit` (0-7) of the byte at `byteOffset` in the image. */
  flipBit(byteOffset: number, bit = 0): void {
    if (byteOffset < 0 || byteOffset >= this.mem.image.length) throw new RangeError(`flipBit offset ${byteOffset}`);
    this.mem.image[byteOffset] ^= 1 << bit;
  }

  swapBlocks(a: number, b: number): void {
    const x = this.rawBlock(a);
    this.setRawBlock(a, this.rawBlock(b));
    this.setRawBlock(b, x);
  }

  /** A copy of raw block `lba`. */
  rawBlock(lba: number): Uint8Array {
    checkRange(this.mem, lba, BLOCK_SIZE);
    return this.mem.image.slice(lba * BLOCK_SIZE, (lba + 1) * BLOCK_SIZE);
  }

  setRawBlock(lba: number, data: Uint8Array): void {
    checkRange(this.mem, lba, data.length);
    this.mem.image.set(data, lba * BLOCK_SIZE);
  }

  /** Restores `image`, then applies this device's first `k` recorded (not dropped) writes. */
  replay(image: Uint8Array, k: number): void {
    this.restore(image);
    let n = 0;
    for (const op of this.controller.log) {
      if (n >= k) break;
      if (op.kind !== 'write' || op.device !== this.name) continue;
      n++;
      if (!op.dropped) this.mem.image.set(op.data, op.lba * BLOCK_SIZE);
    }
  }
}

/** Whole-store image: device name → content. */
export type StoreSnapshot = Map<string, Uint8Array>;

/** A RawStore of in-memory devices sharing one FaultController. */
export class AdversarialStore implements RawStore {
  readonly controller = new FaultController();
  private readonly mems = new Map<string, MemDevice>();

  async open(name: string, nblocks?: number): Promise<BlockDevice> {
    if (this.controller.dead) throw new StorageError('EIO', `adversarial: open ${name}: host crashed`);
    let m = this.mems.get(name);
    if (!m) {
      if (nblocks === undefined) throw new StorageError('EINVAL', `no raw device named '${name}'`);
      m = new MemDevice(nblocks);
      this.mems.set(name, m);
    } else if (nblocks !== undefined) {
      m.grow(nblocks);
    }
    return new AdversarialDevice(m.handle(), { name, controller: this.controller });
  }

  async exists(name: string): Promise<boolean> { return this.mems.has(name); }
  async remove(name: string): Promise<void> { this.mems.delete(name); }

  names(): string[] { return [...this.mems.keys()]; }

  /** A handle for image surgery on device `name` (I/O through it obeys the controller too). */
  device(name: string): AdversarialDevice {
    const m = this.mems.get(name);
    if (!m) throw new StorageError('EINVAL', `no raw device named '${name}'`);
    return new AdversarialDevice(m.handle(), { name, controller: this.controller });
  }

  /** The current image of device `name` (not a copy). */
  image(name: string): Uint8Array {
    const m = this.mems.get(name);
    if (!m) throw new StorageError('EINVAL', `no raw device named '${name}'`);
    return m.image;
  }

  snapshot(): StoreSnapshot {
    const s: StoreSnapshot = new Map();
    for (const [name, m] of this.mems) s.set(name, m.image.slice());
    return s;
  }

  /** Replaces every image by the snapshot's (devices absent from it are removed). */
  restore(snap: StoreSnapshot): void {
    for (const name of [...this.mems.keys()]) if (!snap.has(name)) this.mems.delete(name);
    for (const [name, img] of snap) {
      const m = this.mems.get(name);
      if (m) m.image = img.slice();
      else this.mems.set(name, new MemDevice({ image: img.slice() }));
    }
  }

  /** Snapshots the store, clears the log and starts recording: replay(snap, k) then rebuilds any prefix. */
  startRecording(): StoreSnapshot {
    this.controller.clearLog();
    this.controller.record = true;
    return this.snapshot();
  }

  /** Recorded writes (not flushes), in order. */
  recordedWrites(): HostWrite[] {
    return this.controller.log.filter((op): op is HostWrite => op.kind === 'write');
  }

  /**
   * Restores `snap`, then applies the first `k` recorded writes (all devices, global order; dropped
   * writes stay dropped). With `only`, applies just the writes among the first k for which it is true.
   */
  replay(snap: StoreSnapshot, k: number, only?: (w: HostWrite, index: number) => boolean): void {
    this.restore(snap);
    let n = 0;
    for (const op of this.controller.log) {
      if (op.kind !== 'write') continue;
      if (n >= k) break;
      const i = n++;
      if (op.dropped || (only && !only(op, i))) continue;
      let m = this.mems.get(op.device);
      // A device created after the snapshot: recreate it, as large as the writes need (open() grows it).
      if (!m) this.mems.set(op.device, m = new MemDevice(0));
      if ((op.lba * BLOCK_SIZE) + op.data.length > m.image.length) m.grow(op.lba + op.data.length / BLOCK_SIZE);
      m.image.set(op.data, op.lba * BLOCK_SIZE);
    }
  }
}
