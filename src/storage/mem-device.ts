// MemDevice: an in-memory raw block device (the untrusted side, for tests and scratch runs), and
// RawStore: a set of named raw devices, so that a disk made of several host files (PfsDisk's data
// file plus its `_recovery` file) can be created and reopened through one handle.
//
// Raw devices store bytes verbatim: no crypto, no integrity. A MemDevice's content outlives close()
// (close only marks the handle closed), so a store can hand out the same image again on reopen.
import { BLOCK_SIZE, StorageError, checkRange, type BlockDevice } from './block-device.js';

/**
 * A set of named raw devices (host files in one directory, or memory images).
 * Implementations: MemStore (here), HostDirStore (src/host/block-file.ts),
 * AdversarialStore (adversarial-device.ts), CountingStore (counting-device.ts).
 *
 * TODO(lead): this is generic enough to live in block-device.ts; it is here only because that file
 * is not mine to edit.
 */
export interface RawStore {
  /**
   * Opens raw device `name`. If it does not exist it is created zero-filled with `nblocks` blocks
   * (Errors: EINVAL when `nblocks` is omitted for a missing device). An existing device keeps its
   * content; it grows (zero-filled) to `nblocks` if that is larger, and never shrinks.
   * Each call returns a fresh handle; handles of one name share the same content.
   */
  open(name: string, nblocks?: number): Promise<BlockDevice>;
  exists(name: string): Promise<boolean>;
  /** Deletes the device (no error if it does not exist). */
  remove(name: string): Promise<void>;
}

/**
 * In-memory block device. `image` is the whole device content and may be inspected or replaced by
 * tests. handle() gives another MemDevice over the same content (what a store hands out on reopen):
 * closing one handle does not close the others.
 */
export class MemDevice implements BlockDevice {
  private readonly box: { image: Uint8Array };
  private closed = false;

  constructor(nblocks: number);
  constructor(shared: { image: Uint8Array });
  constructor(arg: number | { image: Uint8Array }) {
    if (typeof arg === 'number') {
      if (!Number.isInteger(arg) || arg < 0) throw new StorageError('EINVAL', `bad device size ${arg}`);
      this.box = { image: new Uint8Array(arg * BLOCK_SIZE) };
    } else {
      this.box = arg;
    }
  }

  get image(): Uint8Array { return this.box.image; }
  set image(img: Uint8Array) {
    if (img.length % BLOCK_SIZE !== 0) throw new StorageError('EINVAL', 'image is not a whole number of blocks');
    this.box.image = img;
  }

  get nblocks(): number { return this.box.image.length / BLOCK_SIZE; }

  /** A new, open handle over the same content. */
  handle(): MemDevice { return new MemDevice(this.box); }

  /** Grows the device to `nblocks` (zero-filled); never shrinks. */
  grow(nblocks: number): void {
    if (nblocks * BLOCK_SIZE <= this.image.length) return;
    const img = new Uint8Array(nblocks * BLOCK_SIZE);
    img.set(this.image);
    this.image = img;
  }

  async read(lba: number, buf: Uint8Array): Promise<void> {
    this.readSync(lba, buf);
  }

  async write(lba: number, data: Uint8Array): Promise<void> {
    this.writeSync(lba, data);
  }

  /** Synchronous forms, for wrappers that need an atomic read-modify step (adversarial-device.ts). */
  readSync(lba: number, buf: Uint8Array): void {
    this.check();
    checkRange(this, lba, buf.length);
    buf.set(this.image.subarray(lba * BLOCK_SIZE, lba * BLOCK_SIZE + buf.length));
  }

  writeSync(lba: number, data: Uint8Array): void {
    this.check();
    checkRange(this, lba, data.length);
    this.image.set(data, lba * BLOCK_SIZE);
  }

  async flush(): Promise<void> { this.check(); }

  async trim(lba: number, count: number): Promise<void> {
    this.check();
    checkRange(this, lba, count * BLOCK_SIZE);
    this.image.fill(0, lba * BLOCK_SIZE, (lba + count) * BLOCK_SIZE);
  }

  async close(): Promise<void> { this.closed = true; }

  private check(): void {
    if (this.closed) throw new StorageError('EIO', 'memory device is closed');
  }
}

/** RawStore over MemDevices, kept in a Map by name. */
export class MemStore implements RawStore {
  readonly devices = new Map<string, MemDevice>();

  async open(name: string, nblocks?: number): Promise<BlockDevice> {
    return this.device(name, nblocks).handle();
  }

  /** The MemDevice behind `name`, created or grown as open() would. */
  device(name: string, nblocks?: number): MemDevice {
    let d = this.devices.get(name);
    if (!d) {
      if (nblocks === undefined) throw new StorageError('EINVAL', `no raw device named '${name}'`);
      d = new MemDevice(nblocks);
      this.devices.set(name, d);
    } else if (nblocks !== undefined) {
      d.grow(nblocks);
    }
    return d;
  }

  async exists(name: string): Promise<boolean> { return this.devices.has(name); }
  async remove(name: string): Promise<void> { this.devices.delete(name); }
}
