// SwornDisk on-disk layout, superblock and key hierarchy.
//
// One raw (untrusted) device, in blocks of 4 KiB:
//
//   0                 superblock: geometry + random disk id, HMAC-SHA256 under K_sb (read-only)
//   1 .. 2C           checkpoint slots A and B (C blocks each), written alternately (checkpoint.ts)
//   journal           the secure journal: a ring of chained AES-GCM blocks (journal.ts)
//   index             immutable index tables (LSM levels), one AES-GCM node per block (table.ts)
//   data              the data log: AES-128-GCM blocks under fresh random keys (sworndisk.ts)
//
// The metadata part (superblock .. index) takes 1/16 of the device as in MlsDisk (more on small
// devices, so that the index can always hold several copies of a full index); the data area is the
// rest. The logical capacity (`logicalBlocks`) is smaller than the data area: the slack holds the
// write buffer's next segment, data superseded since the last sync (kept for atomicity) and stale
// versions that compaction has not yet dropped. Default: 7/8 of the data area, with at least one
// segment plus 64 blocks of slack (but never less than half the data area as capacity).
//
// Keys (none is ever written to the raw device; data-block keys are random and live only inside
// encrypted index records, table-node keys inside their encrypted parents or the checkpoint):
//   rootKey (32 B, from the caller)
//   K_sb      = HKDF(rootKey, salt = "",     "sworndisk/v1 superblock")     HMAC of the superblock
//   K_journal = HKDF(rootKey, salt = diskId, "sworndisk/v1 journal")        AES-128-GCM, journal blocks
//   genesis   = HKDF(rootKey, salt = diskId, "sworndisk/v1 journal genesis") prevMac of journal block 0
//               (a chain anchor, not a key: it is public, in that block's footer)
//   K_ckpt    = HKDF(rootKey, salt = diskId, "sworndisk/v1 checkpoint")     AES-128-GCM, checkpoint packs
//   K_index   = HKDF(rootKey, salt = diskId, "sworndisk/v1 index nodes")    HMAC key deriving node keys
// The disk id (random, in the authenticated superblock) makes every key per-instance, so blocks of
// two disks created with the same root key do not verify in each other (journal splice, #10).
import type { HostCrypto } from '../../host/types.js';
import { BLOCK_SIZE, StorageError } from '../block-device.js';
import { ascii, bytesEqual, ByteCursor } from './codec.js';

/** Blocks per data segment: the write buffer size (4 MiB). */
export const SEGMENT_BLOCKS = 1024;
export const CKPT_SLOT_BLOCKS = 4;
export const MIN_JOURNAL_BLOCKS = 96;
/** Index records per leaf node (see table.ts); used here only for sizing. */
const RECORDS_PER_LEAF = 85;

export interface Layout {
  rawBlocks: number;
  logicalBlocks: number;
  ckptStart: number;
  ckptBlocks: number;
  journalStart: number;
  journalBlocks: number;
  indexStart: number;
  indexBlocks: number;
  dataStart: number;
  dataBlocks: number;
}

export interface LayoutOptions {
  /** Logical capacity in blocks (default 7/8 of the data area). */
  logicalBlocks?: number;
  /** Journal ring size in blocks (default a third of the metadata part). */
  journalBlocks?: number;
}

/** The layout SwornDisk.create() uses for a raw device of `rawBlocks` blocks. */
export function computeLayout(rawBlocks: number, opts: LayoutOptions = {}): Layout {
  if (!Number.isInteger(rawBlocks) || rawBlocks < 512) {
    throw new StorageError('EINVAL', `SwornDisk needs a raw device of at least 512 blocks (got ${rawBlocks})`);
  }
  const fixed = 1 + 2 * CKPT_SLOT_BLOCKS;
  // The index must hold a few full copies of the index of the whole data area (levels + a merge).
  const minIndex = 3 * Math.ceil(rawBlocks / RECORDS_PER_LEAF) + 64;
  let journal = opts.journalBlocks ?? 0;
  let meta = Math.ceil(rawBlocks / 16);
  if (!journal) journal = Math.max(MIN_JOURNAL_BLOCKS, Math.floor((meta - fixed) / 3));
  if (journal < MIN_JOURNAL_BLOCKS) throw new StorageError('EINVAL', `journal must have at least ${MIN_JOURNAL_BLOCKS} blocks`);
  meta = Math.max(meta, fixed + journal + minIndex);
  const dataBlocks = rawBlocks - meta;
  const logical = opts.logicalBlocks
    ?? Math.max(Math.floor(dataBlocks / 2), Math.min(Math.floor((dataBlocks * 7) / 8), dataBlocks - SEGMENT_BLOCKS - 64));
  if (!Number.isInteger(logical) || logical < 1 || logical > dataBlocks - 64) {
    throw new StorageError('EINVAL', `logical size ${logical} does not fit a data area of ${dataBlocks} blocks (raw ${rawBlocks})`);
  }
  return {
    rawBlocks,
    logicalBlocks: logical,
    ckptStart: 1,
    ckptBlocks: CKPT_SLOT_BLOCKS,
    journalStart: fixed,
    journalBlocks: journal,
    indexStart: fixed + journal,
    indexBlocks: meta - fixed - journal,
    dataStart: meta,
    dataBlocks,
  };
}

/** The smallest raw device size whose default layout offers `logicalBlocks` blocks. */
export function rawBlocksFor(logicalBlocks: number): number {
  let raw = Math.max(512, Math.ceil(((logicalBlocks * 8) / 7) * (16 / 15)) + 16);
  for (;;) {
    try {
      if (computeLayout(raw).logicalBlocks >= logicalBlocks) return raw;
    } catch { /* too small yet */ }
    raw += Math.max(16, Math.ceil(raw / 256));
  }
}

export interface Keys {
  journal: Uint8Array;
  genesis: Uint8Array;
  ckpt: Uint8Array;
  index: Uint8Array;
}

const EMPTY = new Uint8Array(0);

export function superblockKey(crypto: HostCrypto, rootKey: Uint8Array): Uint8Array {
  return crypto.hkdf(rootKey, EMPTY, 'sworndisk/v1 superblock', 32);
}

export function deriveKeys(crypto: HostCrypto, rootKey: Uint8Array, diskId: Uint8Array): Keys {
  return {
    journal: crypto.hkdf(rootKey, diskId, 'sworndisk/v1 journal', 16),
    genesis: crypto.hkdf(rootKey, diskId, 'sworndisk/v1 journal genesis', 16),
    ckpt: crypto.hkdf(rootKey, diskId, 'sworndisk/v1 checkpoint', 16),
    index: crypto.hkdf(rootKey, diskId, 'sworndisk/v1 index nodes', 32),
  };
}

// ---- superblock (block 0) ----
// magic "SWORNDSK" 8 | version u32 | diskId 32 | 10 × u64 geometry | HMAC-SHA256(K_sb, all before) 32
const SB_MAGIC = ascii('SWORNDSK');
const SB_VERSION = 1;

export interface Superblock { layout: Layout; diskId: Uint8Array }

const GEOMETRY: (keyof Layout)[] = [
  'rawBlocks', 'logicalBlocks', 'ckptStart', 'ckptBlocks', 'journalStart', 'journalBlocks',
  'indexStart', 'indexBlocks', 'dataStart', 'dataBlocks',
];

export function encodeSuperblock(crypto: HostCrypto, rootKey: Uint8Array, sb: Superblock): Uint8Array {
  const block = new Uint8Array(BLOCK_SIZE);
  const c = new ByteCursor(block);
  c.bytes(8, SB_MAGIC);
  c.u32(SB_VERSION);
  c.bytes(32, sb.diskId);
  for (const f of GEOMETRY) c.u64(sb.layout[f]);
  const body = block.subarray(0, c.pos);
  c.bytes(32, crypto.hmacSha256(superblockKey(crypto, rootKey), body));
  return block;
}

/** Verifies and parses block 0. Errors: EIO (not a SwornDisk, tampered, or the wrong root key). */
export function decodeSuperblock(crypto: HostCrypto, rootKey: Uint8Array, block: Uint8Array, rawBlocks: number): Superblock {
  const c = new ByteCursor(block);
  if (!bytesEqual(c.bytes(8), SB_MAGIC)) throw new StorageError('EIO', 'superblock: bad magic (not a SwornDisk image)');
  const version = c.u32();
  const diskId = c.bytes(32);
  const geo: number[] = [];
  // Geometry fields are u64; a tampered one may be out of range, which also fails the MAC below.
  for (let i = 0; i < GEOMETRY.length; i++) {
    try { geo.push(c.u64()); } catch { geo.push(-1); }
  }
  const body = block.subarray(0, c.pos);
  const mac = c.bytes(32);
  if (!bytesEqual(mac, crypto.hmacSha256(superblockKey(crypto, rootKey), body))) {
    throw new StorageError('EIO', 'superblock MAC mismatch (tampered superblock or wrong root key)');
  }
  if (version !== SB_VERSION) throw new StorageError('EIO', `superblock: unsupported format version ${version}`);
  const layout = {} as Layout;
  GEOMETRY.forEach((f, i) => { layout[f] = geo[i]; });
  const ok = layout.ckptStart === 1 && layout.journalStart === 1 + 2 * layout.ckptBlocks
    && layout.indexStart === layout.journalStart + layout.journalBlocks
    && layout.dataStart === layout.indexStart + layout.indexBlocks
    && layout.dataStart + layout.dataBlocks === layout.rawBlocks
    && layout.logicalBlocks <= layout.dataBlocks && layout.journalBlocks >= MIN_JOURNAL_BLOCKS;
  if (!ok) throw new StorageError('EIO', 'superblock: inconsistent geometry');
  if (layout.rawBlocks > rawBlocks) {
    throw new StorageError('EIO', `superblock: image has ${layout.rawBlocks} blocks but the raw device only ${rawBlocks}`);
  }
  return { layout, diskId };
}
