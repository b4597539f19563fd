// A sefs volume: the secure disk under a sefs and its keys, in one RawStore (a host directory or
// memory). Keys (design.md, Storage: "HKDF below the sealing key; never a key next to the data"):
//
//   fsId        32 random bytes, in the plain header device `sefs.hdr` (not secret)
//   disk key    HKDF(sealingKey, salt = fsId, "occlum-ts sefs disk key")       → PfsDisk / SwornDisk root key
//   sb MAC key  HKDF(sealingKey, salt = fsId, "occlum-ts sefs superblock mac") → sefs superblock HMAC
//   check value HMAC(HKDF(sealingKey, fsId, "occlum-ts sefs key check"), "sefs key check v1")
//
// The check value only turns "wrong sealing key" into a clear error before the disk reports an
// integrity failure; it reveals nothing about the keys. Tampering with the header (fsId, kind)
// yields other keys, so the disk then fails its own MAC checks (EIO).
//
// Raw devices in the store: `sefs.hdr` (1 block: magic, version, kind, fsId, key check value,
// and at byte 80 the SwornDisk raw size), `sefs.disk` (+ `sefs.disk_recovery` for PfsDisk).
import { BLOCK_SIZE, type BlockDevice } from '../block-device.js';
import type { RawStore } from '../mem-device.js';
import type { HostCrypto } from '../../host/types.js';
import { PfsDisk } from '../pfs/pfs-disk.js';
import { SefsError } from './errors.js';

export type DiskKind = 'pfs' | 'sworndisk';

export const HEADER_DEVICE = 'sefs.hdr';
export const DISK_DEVICE = 'sefs.disk';
const HDR_MAGIC = 'OCTSVOLH';
const HDR_VERSION = 1;
const KINDS: DiskKind[] = ['pfs', 'sworndisk'];
const te = new TextEncoder();

export interface VolumeOptions {
  sealingKey: Uint8Array;
  crypto: HostCrypto;
  /** PfsDisk node cache (default PfsDisk's 48). */
  pfsCacheSize?: number;
  /** Extra SwornDisk options (memtable, caches...). */
  swornOptions?: Record<string, unknown>;
  /**
   * Where SwornDisk's trusted counter lives (whole-disk rollback detection), one device per
   * volume; it must be kept apart from the volume's store, or a host restoring an old copy of
   * the store rolls the counter back with it.
   */
  counterStore?: RawStore;
}

export interface CreateVolumeOptions extends VolumeOptions {
  disk: DiskKind;
  /** Logical capacity of the disk (the file system's size) in blocks. */
  nblocks: number;
}

export interface Volume {
  kind: DiskKind;
  /** The secure disk: format or mount sefs on it. */
  dev: BlockDevice;
  /** Superblock MAC key for Sefs (option `key`). */
  fsKey: Uint8Array;
  /** Whether the disk's flush is atomic (SwornDisk): sefs option `atomicFlush`. */
  atomicFlush: boolean;
  fsId: Uint8Array;
}

interface SwornModule {
  SwornDisk: {
    create(raw: BlockDevice, key: Uint8Array, crypto: HostCrypto, opts?: Record<string, unknown>): Promise<BlockDevice>;
    open(raw: BlockDevice, key: Uint8Array, crypto: HostCrypto, opts?: Record<string, unknown>): Promise<BlockDevice>;
  };
}
interface SwornLayoutModule { rawBlocksFor(logical: number): number }
interface CounterModule {
  SealedCounter: {
    create(raw: BlockDevice, rootKey: Uint8Array, crypto: HostCrypto): Promise<unknown>;
    open(raw: BlockDevice, rootKey: Uint8Array, crypto: HostCrypto): Promise<unknown>;
  };
}

/** The counter device of volume `fsId` in the counter store. */
export function counterName(fsId: Uint8Array): string {
  return `sefs-${Buffer.from(fsId.subarray(0, 16)).toString('hex')}.counter`;
}

/** SwornDisk's `counter` option for this volume: created with the volume, opened after. */
async function trustedCounter(o: VolumeOptions, fsId: Uint8Array, diskKey: Uint8Array, create: boolean): Promise<Record<string, unknown>> {
  if (!o.counterStore) return {};
  const { SealedCounter } = (await import('../sworndisk/counter.js')) as CounterModule;
  const name = counterName(fsId);
  if (create) return { counter: await SealedCounter.create(await o.counterStore.open(name, 1), diskKey, o.crypto) };
  if (!(await o.counterStore.exists(name))) {
    throw new SefsError('EACCES', `the trusted counter of this volume (${name}) is missing: the volume was copied from elsewhere or its counter deleted`);
  }
  return { counter: await SealedCounter.open(await o.counterStore.open(name), diskKey, o.crypto) };
}

/** SwornDisk, loaded lazily (undefined when this build has none). */
export async function loadSwornDisk(): Promise<{ mod: SwornModule; layout: SwornLayoutModule } | undefined> {
  const spec = '../sworndisk/sworndisk.js';
  const lspec = '../sworndisk/layout.js';
  try {
    const mod = (await import(spec)) as SwornModule;
    const layout = (await import(lspec)) as SwornLayoutModule;
    if (typeof mod.SwornDisk?.create !== 'function' || typeof layout.rawBlocksFor !== 'function') return undefined;
    return { mod, layout };
  } catch {
    return undefined;
  }
}

function keys(o: VolumeOptions, fsId: Uint8Array) {
  if (o.sealingKey.length < 16) throw new SefsError('EINVAL', 'sealing key too short');
  return {
    disk: o.crypto.hkdf(o.sealingKey, fsId, 'occlum-ts sefs disk key', 32),
    sb: o.crypto.hkdf(o.sealingKey, fsId, 'occlum-ts sefs superblock mac', 32),
    check: o.crypto.hmacSha256(o.crypto.hkdf(o.sealingKey, fsId, 'occlum-ts sefs key check', 32), te.encode('sefs key check v1')),
  };
}

/** Creates the header and an empty secure disk in `store` (format sefs on `dev` next). */
export async function createVolume(store: RawStore, o: CreateVolumeOptions): Promise<Volume> {
  if (await store.exists(HEADER_DEVICE)) throw new SefsError('EEXIST', 'a sefs volume already exists in this store');
  const fsId = o.crypto.randomBytes(32);
  const k = keys(o, fsId);
  let dev: BlockDevice;
  let rawBlocks = 0;
  if (o.disk === 'pfs') {
    dev = await PfsDisk.createIn(store, { key: k.disk, crypto: o.crypto, nblocks: o.nblocks, name: DISK_DEVICE, ...(o.pfsCacheSize ? { cacheSize: o.pfsCacheSize } : {}) });
  } else {
    const sw = await loadSwornDisk();
    if (!sw) throw new SefsError('EINVAL', 'SwornDisk is not available in this build');
    const raw = await store.open(DISK_DEVICE, sw.layout.rawBlocksFor(o.nblocks));
    rawBlocks = raw.nblocks;
    dev = await sw.mod.SwornDisk.create(raw, k.disk, o.crypto, { logicalBlocks: o.nblocks, ...o.swornOptions, ...(await trustedCounter(o, fsId, k.disk, true)) });
  }
  const hdr = new Uint8Array(BLOCK_SIZE);
  const v = new DataView(hdr.buffer);
  hdr.set(te.encode(HDR_MAGIC), 0);
  v.setUint32(8, HDR_VERSION, true);
  v.setUint32(12, KINDS.indexOf(o.disk), true);
  hdr.set(fsId, 16);
  hdr.set(k.check, 48);
  // The raw disk's size: a store may keep the disk file shorter until written (HostDirStore lazy).
  v.setFloat64(80, rawBlocks, true);
  const h = await store.open(HEADER_DEVICE, 1);
  await h.write(0, hdr);
  await h.flush();
  await h.close();
  return { kind: o.disk, dev, fsKey: k.sb, atomicFlush: o.disk === 'sworndisk', fsId };
}

/**
 * Opens the volume in `store`. Errors: SefsError EINVAL (no volume / bad header), EACCES (the
 * sealing key is not the one the volume was created with, or the header was changed), and the
 * disk's StorageError EIO (integrity).
 */
export async function openVolume(store: RawStore, o: VolumeOptions): Promise<Volume> {
  if (!(await store.exists(HEADER_DEVICE))) throw new SefsError('EINVAL', 'no sefs volume in this store (missing sefs.hdr)');
  const h = await store.open(HEADER_DEVICE);
  const hdr = new Uint8Array(BLOCK_SIZE);
  try { await h.read(0, hdr); } finally { await h.close(); }
  if (new TextDecoder().decode(hdr.subarray(0, 8)) !== HDR_MAGIC) throw new SefsError('EINVAL', 'sefs.hdr is not a sefs volume header');
  const v = new DataView(hdr.buffer);
  if (v.getUint32(8, true) !== HDR_VERSION) throw new SefsError('EINVAL', `sefs volume version ${v.getUint32(8, true)} is not supported`);
  const kind = KINDS[v.getUint32(12, true)];
  if (!kind) throw new SefsError('EINVAL', 'sefs.hdr names an unknown disk type');
  const fsId = hdr.slice(16, 48);
  const k = keys(o, fsId);
  if (!k.check.every((b, i) => b === hdr[48 + i])) {
    throw new SefsError('EACCES', 'the sealing key does not match this sefs volume (it was created under another sealing key, or its header was modified)');
  }
  let dev: BlockDevice;
  if (kind === 'pfs') {
    dev = await PfsDisk.openIn(store, { key: k.disk, crypto: o.crypto, name: DISK_DEVICE, ...(o.pfsCacheSize ? { cacheSize: o.pfsCacheSize } : {}) });
  } else {
    const sw = await loadSwornDisk();
    if (!sw) throw new SefsError('EINVAL', 'this volume is on a SwornDisk, which this build lacks');
    const rawBlocks = v.getFloat64(80, true);
    const raw = await store.open(DISK_DEVICE, Number.isSafeInteger(rawBlocks) && rawBlocks > 0 ? rawBlocks : undefined);
    dev = await sw.mod.SwornDisk.open(raw, k.disk, o.crypto, { ...o.swornOptions, ...(await trustedCounter(o, fsId, k.disk, false)) });
  }
  return { kind, dev, fsKey: k.sb, atomicFlush: kind === 'sworndisk', fsId };
}

