// sefs journal: a redo log for the metadata blocks of one commit, xv6 log.c style (one
// transaction at a time, written whole at commit), so that the file system is consistent after a
// crash even on disks whose persisted state is *some prefix* of the writes since the last flush
// (PfsDisk's eviction flushes, a raw device that dies mid-commit).
//
// Region: block `start` is the header, blocks start+1 .. start+blocks-1 hold logged blocks.
// Header: magic "SEFSJRNL" | seq u64 | count u32 | u32 0 | SHA-256(header[0..24) ‖ lbas ‖ log data) | …pad to 64 | lbas u32[count]
//
// Commit (Journal.commit):
//  1. write the logged blocks (one contiguous write);      [barrier]
//  2. write the header with count > 0: the commit point;   [barrier]
//  3. write each block to its home location;               [barrier]
//  4. write the header with count = 0 (installed), so a later replay cannot overwrite blocks that
//     were reused after this commit.
// The caller then flushes the device. Barriers (a device flush) are only needed on hosts that
// reorder writes; the secure disks do not.
// Mount (Journal.replay): a header with count > 0 and a matching checksum is replayed (idempotent),
// then cleared; a checksum mismatch means the commit never reached step 2 and is ignored.
import { BLOCK_SIZE, type BlockDevice } from '../block-device.js';
import type { HostCrypto } from '../../host/types.js';
import { runs, type BlockCache } from './cache.js';
import { JOURNAL_HDR_FIXED, JOURNAL_MAGIC, JOURNAL_MAX_LOG } from './layout.js';
import { SefsError } from './errors.js';

const te = new TextEncoder();

export interface LoggedBlock { lba: number; data: Uint8Array }

function header(crypto: HostCrypto, seq: number, blocks: LoggedBlock[], log: Uint8Array): Uint8Array {
  const h = new Uint8Array(BLOCK_SIZE);
  const v = new DataView(h.buffer);
  h.set(te.encode(JOURNAL_MAGIC), 0);
  v.setBigUint64(8, BigInt(seq), true);
  v.setUint32(16, blocks.length, true);
  blocks.forEach((b, i) => v.setUint32(JOURNAL_HDR_FIXED + 4 * i, b.lba, true));
  const lbas = h.subarray(JOURNAL_HDR_FIXED, JOURNAL_HDR_FIXED + 4 * blocks.length);
  h.set(crypto.sha256(h.subarray(0, 24), lbas, log), 24);
  return h;
}

export class Journal {
  readonly capacity: number;

  constructor(
    private readonly cache: BlockCache,
    private readonly dev: BlockDevice,
    private readonly crypto: HostCrypto,
    readonly start: number,
    blocks: number,
    private readonly barriers: boolean,
  ) {
    this.capacity = Math.min(blocks - 1, JOURNAL_MAX_LOG);
  }

  /** Writes `blocks` (sorted by lba, distinct) atomically with respect to a crash. */
  async commit(seq: number, blocks: LoggedBlock[]): Promise<void> {
    if (blocks.length === 0) return;
    if (blocks.length > this.capacity) throw new SefsError('EIO', `sefs: commit of ${blocks.length} metadata blocks exceeds the journal (${this.capacity})`);
    const log = new Uint8Array(blocks.length * BLOCK_SIZE);
    blocks.forEach((b, i) => log.set(b.data, i * BLOCK_SIZE));
    await this.cache.devWrite(this.start + 1, log);
    if (this.barriers) await this.dev.flush();
    await this.cache.devWrite(this.start, header(this.crypto, seq, blocks, log));
    if (this.barriers) await this.dev.flush();
    await installHome(this.cache, blocks, log);
    if (this.barriers) await this.dev.flush();
    await this.cache.devWrite(this.start, header(this.crypto, seq, [], new Uint8Array(0)));
  }

  /**
   * Replays a committed, not yet installed transaction found on `dev`. Returns the number of blocks
   * installed (0 if none) and the transaction's sequence number.
   */
  static async replay(dev: BlockDevice, cache: BlockCache, crypto: HostCrypto, start: number, blocks: number): Promise<{ installed: number; seq: number }> {
    const h = new Uint8Array(BLOCK_SIZE);
    await cache.devRead(start, h);
    if (new TextDecoder().decode(h.subarray(0, 8)) !== JOURNAL_MAGIC) return { installed: 0, seq: 0 };
    const v = new DataView(h.buffer);
    const seq = Number(v.getBigUint64(8, true));
    const count = v.getUint32(16, true);
    if (count === 0) return { installed: 0, seq };
    if (count > Math.min(blocks - 1, JOURNAL_MAX_LOG)) return { installed: 0, seq };
    const log = new Uint8Array(count * BLOCK_SIZE);
    await cache.devRead(start + 1, log);
    const lbas = h.subarray(JOURNAL_HDR_FIXED, JOURNAL_HDR_FIXED + 4 * count);
    const sum = crypto.sha256(h.subarray(0, 24), lbas, log);
    if (!sum.every((x, i) => x === h[24 + i])) return { installed: 0, seq }; // torn commit: never reached its commit point
    const list: LoggedBlock[] = [];
    for (let i = 0; i < count; i++) list.push({ lba: v.getUint32(JOURNAL_HDR_FIXED + 4 * i, true), data: log.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE) });
    await installHome(cache, list, log);
    await cache.devWrite(start, header(crypto, seq, [], new Uint8Array(0)));
    await dev.flush();
    return { installed: count, seq };
  }
}

/** Writes logged blocks to their homes, contiguous homes in one call (`log` holds them in order). */
async function installHome(cache: BlockCache, blocks: LoggedBlock[], log: Uint8Array): Promise<void> {
  const lbas = blocks.map((b) => b.lba);
  const sorted = lbas.every((l, i) => i === 0 || l > lbas[i - 1]!);
  if (!sorted) {
    for (const b of blocks) await cache.devWrite(b.lba, b.data);
    return;
  }
  const tasks: { start: number; count: number; from: number }[] = [];
  runs(lbas, (start, count, from) => tasks.push({ start, count, from }));
  for (const t of tasks) await cache.devWrite(t.start, log.subarray(t.from * BLOCK_SIZE, (t.from + t.count) * BLOCK_SIZE));
}
