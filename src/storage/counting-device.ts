// CountingDevice: a raw-device decorator that counts host I/O (bytes and calls read and written,
// trims, flushes = fdatasyncs), so that write amplification is a deterministic, machine-independent
// metric: WAF = host bytes written / user bytes written (sworndisk-reference.md §5).
// CountingStore does the same for every device of a RawStore, into one shared IoStats (PfsDisk's
// recovery file counts towards its WAF).
import { BLOCK_SIZE, type BlockDevice } from './block-device.js';
import type { RawStore } from './mem-device.js';

export interface IoStats {
  readOps: number;
  readBytes: number;
  writeOps: number;
  writeBytes: number;
  /** trim calls and the bytes they cover (not counted in writeBytes). */
  trimOps: number;
  trimBytes: number;
  /** flush() calls on the raw device: fdatasyncs for a HostBlockFile. */
  flushes: number;
}

export function newIoStats(): IoStats {
  return { readOps: 0, readBytes: 0, writeOps: 0, writeBytes: 0, trimOps: 0, trimBytes: 0, flushes: 0 };
}

/** a - b, field by field (for "stats of this phase"). */
export function diffIoStats(a: IoStats, b: IoStats): IoStats {
  return {
    readOps: a.readOps - b.readOps, readBytes: a.readBytes - b.readBytes,
    writeOps: a.writeOps - b.writeOps, writeBytes: a.writeBytes - b.writeBytes,
    trimOps: a.trimOps - b.trimOps, trimBytes: a.trimBytes - b.trimBytes,
    flushes: a.flushes - b.flushes,
  };
}

export class CountingDevice implements BlockDevice {
  /** Counters; shared with sibling devices when passed in. Failed calls are not counted. */
  constructor(readonly inner: BlockDevice, readonly stats: IoStats = newIoStats()) {}

  get nblocks(): number { return this.inner.nblocks; }

  async read(lba: number, buf: Uint8Array): Promise<void> {
    await this.inner.read(lba, buf);
    this.stats.readOps++;
    this.stats.readBytes += buf.length;
  }

  async write(lba: number, data: Uint8Array): Promise<void> {
    await this.inner.write(lba, data);
    this.stats.writeOps++;
    this.stats.writeBytes += data.length;
  }

  async flush(): Promise<void> {
    await this.inner.flush();
    this.stats.flushes++;
  }

  async trim(lba: number, count: number): Promise<void> {
    await this.inner.trim(lba, count);
    this.stats.trimOps++;
    this.stats.trimBytes += count * BLOCK_SIZE;
  }

  close(): Promise<void> { return this.inner.close(); }

  snapshot(): IoStats { return { ...this.stats }; }

  reset(): void { Object.assign(this.stats, newIoStats()); }
}

/** Wraps every device opened through `inner` in a CountingDevice sharing `stats`. */
export class CountingStore implements RawStore {
  constructor(readonly inner: RawStore, readonly stats: IoStats = newIoStats()) {}

  async open(name: string, nblocks?: number): Promise<BlockDevice> {
    return new CountingDevice(await this.inner.open(name, nblocks), this.stats);
  }

  exists(name: string): Promise<boolean> { return this.inner.exists(name); }
  remove(name: string): Promise<void> { return this.inner.remove(name); }

  snapshot(): IoStats { return { ...this.stats }; }
  reset(): void { Object.assign(this.stats, newIoStats()); }
}
