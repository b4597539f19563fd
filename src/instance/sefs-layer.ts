// A persistent encrypted sefs in a host directory of the instance: the root's writable layer
// (run/mount/__ROOT) and Occlum.json's non-temporary `sefs` mounts.
//
// Keys follow Occlum's auto-key: the platform sealing key (src/host/sealing.ts) under the
// signer's identity (MRSIGNER policy), so that a build re-signed with another key cannot read
// what the original signer's builds wrote:
//     layer key = HKDF(sealing key, salt = mrsigner, "occlum-ts sefs auto-key/mrsigner")
// and the volume derives its disk and superblock keys below that (storage/sefs/volume.ts).
// Whole-layer rollback (the host restoring an old copy of the directory) is caught through
// SwornDisk's trusted counter, kept in the per-user platform directory, not in the instance.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostCrypto } from '../host/types.js';
import { HostDirStore } from '../host/block-file.js';
import { defaultSealingKeyPath, loadSealingKey, SealingKeyError } from '../host/sealing.js';
import { StorageError } from '../storage/block-device.js';
import { SefsError } from '../storage/sefs/errors.js';
import { counterName, createVolume, openVolume, loadSwornDisk, HEADER_DEVICE, type DiskKind } from '../storage/sefs/volume.js';
import { SefsFileSystem } from '../kernel/fs/sefs.js';
import { SysError } from '../kernel/errno.js';
import { CliError } from './instance.js';

/** Logical size of a layer: sparse on the host; SwornDisk only writes what is used. */
export const LAYER_BLOCKS = 1 << 20; // 4 GiB

export interface SefsLayerOptions {
  crypto: HostCrypto;
  /** The volume key: autoKey() of the build's signer. */
  key: Uint8Array;
  /** How the user names the directory in messages, e.g. "run/mount/__ROOT". */
  shown: string;
  disk?: DiskKind;
  /** Mount read-only and never create (inspection: `occlum mount`). */
  readonly?: boolean;
  log: (line: string) => void;
}

/** True if `dir` holds a sefs volume. */
export function hasSefs(dir: string): boolean {
  return fs.existsSync(path.join(dir, HEADER_DEVICE));
}

/** Per-user directory of trusted counters (next to the sealing key). */
export function counterDir(): string {
  return path.join(path.dirname(path.resolve(defaultSealingKeyPath())), 'counters');
}

export interface SefsVolumeSpec {
  crypto: HostCrypto;
  /** The key the volume derives its keys from (layerKey(), or a caller's). */
  key: Uint8Array;
  /** Logical size of a new volume, in blocks. */
  nblocks: number;
  disk?: DiskKind;
  readonly?: boolean;
  clock?: () => bigint;
  log: (line: string) => void;
}

/**
 * Mounts the sefs in host directory `dir`, creating (and formatting) an empty one if there is
 * none. The disk file grows as it is written; a SwornDisk's trusted counter lives in counterDir().
 * Errors: the storage layer's (SefsError, StorageError) and the kernel adapter's SysError.
 */
export async function openOrCreateSefs(dir: string, o: SefsVolumeSpec): Promise<{ fs: SefsFileSystem; created: boolean }> {
  const store = new HostDirStore(dir, { lazy: true });
  const vopts = { sealingKey: o.key, crypto: o.crypto, counterStore: new HostDirStore(counterDir()) };
  const fsOpts = { crypto: o.crypto, log: o.log, ...(o.clock ? { clock: o.clock } : {}) };
  if (await store.exists(HEADER_DEVICE)) {
    const vol = await openVolume(store, vopts);
    return { fs: await SefsFileSystem.mount(vol.dev, { ...fsOpts, key: vol.fsKey, atomicFlush: vol.atomicFlush, readonly: o.readonly === true }), created: false };
  }
  if (o.readonly) throw new SefsError('EINVAL', `${dir} holds no sefs volume to mount read-only`);
  const vol = await createVolume(store, { ...vopts, disk: o.disk ?? ((await loadSwornDisk()) ? 'sworndisk' : 'pfs'), nblocks: o.nblocks });
  return { fs: await SefsFileSystem.format(vol.dev, { ...fsOpts, key: vol.fsKey, atomicFlush: vol.atomicFlush }), created: true };
}

/** The MRSIGNER-policy auto-key of this machine for builds signed by `mrsigner` (hex). Throws CliError. */
export function autoKey(crypto: HostCrypto, mrsigner: string): Uint8Array {
  let sealing: Uint8Array;
  try {
    sealing = loadSealingKey();
  } catch (e) {
    if (e instanceof SealingKeyError) throw new CliError(`${e.message}; fix it or point OCCLUM_TS_SEALING_KEY at the right key file`);
    throw e;
  }
  return crypto.hkdf(sealing, new Uint8Array(Buffer.from(mrsigner, 'hex')), 'occlum-ts sefs auto-key/mrsigner', 32);
}

/** Mounts the persistent sefs in host directory `dir` (created empty on first use). Throws CliError. */
export async function openSefsLayer(dir: string, o: SefsLayerOptions): Promise<SefsFileSystem> {
  try {
    const { fs: sefs, created } = await openOrCreateSefs(dir, {
      crypto: o.crypto, key: o.key, nblocks: LAYER_BLOCKS, log: o.log, readonly: o.readonly === true, ...(o.disk ? { disk: o.disk } : {}),
    });
    if (created) o.log(`boot: created an empty encrypted sefs in ${o.shown}`);
    return sefs;
  } catch (e) {
    throw layerError(e, o.shown);
  }
}

/**
 * Removes every sefs below `dir` (run/ at `occlum build`) and the trusted counters of those on
 * SwornDisk, so that counters do not pile up in the per-user directory.
 */
export function wipeLayers(dir: string): void {
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name === HEADER_DEVICE) {
        const name = counterNameOfHeader(path.join(d, e.name));
        if (name) fs.rmSync(path.join(counterDir(), name), { force: true });
      }
    }
  };
  walk(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

function counterNameOfHeader(file: string): string | undefined {
  try {
    const hdr = fs.readFileSync(file);
    return hdr.length >= 48 ? counterName(new Uint8Array(hdr.subarray(16, 48))) : undefined;
  } catch {
    return undefined;
  }
}

function layerError(e: unknown, shown: string): unknown {
  if (!(e instanceof SefsError || e instanceof StorageError || e instanceof SysError)) return e;
  const reason = e.message.replace(/^E[A-Z]+: /, '');
  if (e instanceof SefsError && e.code === 'EACCES') {
    return new CliError(`${shown} cannot be opened: ${reason}; run with the signing key and on the machine that wrote it, or delete ${shown} to start with an empty layer (its files are then lost)`);
  }
  return new CliError(`${shown} failed its integrity check (${reason}): it was modified or rolled back outside occlum; restore it, or delete it to start with an empty layer (its files are then lost)`);
}
