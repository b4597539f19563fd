// The secure journal: a ring of chained AES-128-GCM blocks (P1 §1.6; MlsDisk's CryptoChain).
//
// Block format (4096 B; block with sequence number `seq` lives at ring position seq mod nblocks):
//   [0, 4032)     payload ciphertext (the first `len` bytes; the rest is zero)
//   4032  u32     magic "SJNL"
//   4036  u32     len
//   4040  u64     seq
//   4048  12 B    IV (random per block)
//   4060  16 B    prevMac: the MAC of block seq-1 (for the first block: the genesis value)
//   4076  16 B    MAC: the GCM tag over the payload, with AAD = bytes [4032, 4076)
// so each MAC covers the payload, its length, the sequence number and the previous MAC: the blocks
// form a chain, and the MAC is kept twice (in the block's footer and inside the next block's AAD).
//
// Payload records (all inside the encryption, so no LBA is visible on the host):
//   DATA  1 | record 48 B              a data block was written: LBA -> (HBA, key, MAC) at an epoch
//   TRIM  2 | lba u48 | count u48 | epoch u32
//   SYNC  3 | syncId u64               commit point: every record before it is durable
//   CKPT  4 | version u64              checkpoint `version` is durable (evidence for recovery)
//
// Writing rules (sworndisk.ts): data blocks and earlier journal blocks are flushed (a raw flush
// barrier) before the block holding a SYNC record is written, so a valid SYNC block proves that
// every block before it was durable. Recovery therefore treats a broken chain followed by a
// self-consistent continuation that contains a SYNC as tampering (EIO), and a broken chain with
// nothing committed after it as the end of the journal (a crash).
import type { HostCrypto } from '../../host/types.js';
import { BLOCK_SIZE, StorageError, type BlockDevice } from '../block-device.js';
import { bytesEqual, getU32, getU48, setU32, setU48, setU64, getU64 } from './codec.js';
import { RECORD_SIZE } from './record.js';

export const JPAYLOAD = 4032;
/** Blocks examined past a break in the chain (see probe()). */
const PROBE_BLOCKS = 256;
const F_MAGIC = 4032, F_LEN = 4036, F_SEQ = 4040, F_IV = 4048, F_PREV = 4060, F_MAC = 4076, F_AAD_END = 4076;
const JMAGIC = 0x4c4e4a53;

export const REC_DATA = 1, REC_TRIM = 2, REC_SYNC = 3, REC_CKPT = 4;
export const DATA_REC_SIZE = 1 + RECORD_SIZE;
const TRIM_REC_SIZE = 17, SYNC_REC_SIZE = 9, CKPT_REC_SIZE = 9;

/** A position in the chain: the next block's sequence number and the MAC it must chain to. */
export interface ChainPos { seq: number; prevMac: Uint8Array }

export type JournalRecord =
  | { type: typeof REC_DATA; payload: Uint8Array; off: number }
  | { type: typeof REC_TRIM; lba: number; count: number; epoch: number }
  | { type: typeof REC_SYNC; syncId: number }
  | { type: typeof REC_CKPT; version: number };

export interface JournalBlock { seq: number; mac: Uint8Array; records: JournalRecord[]; hasSync: boolean }

export class Journal {
  /** The next block to seal. */
  tail: ChainPos;
  /** Where replay starts (from the current checkpoint). */
  head: ChainPos;
  /** The oldest block that must not be overwritten (the previous checkpoint's head). */
  protect: number;
  private cur = new Uint8Array(JPAYLOAD);
  private curLen = 0;
  private pending: { seq: number; block: Uint8Array }[] = [];
  blocksWritten = 0;

  constructor(
    private readonly raw: BlockDevice,
    private readonly crypto: HostCrypto,
    private readonly key: Uint8Array,
    readonly start: number,
    readonly nblocks: number,
    head: ChainPos,
    protect: number,
  ) {
    this.head = head;
    this.tail = head;
    this.protect = protect;
  }

  /** Blocks between the protected start and the tail, including a partly filled block. */
  get used(): number { return this.tail.seq - this.protect + (this.curLen > 0 ? 1 : 0); }
  /** Blocks written since the current head (what replay would read). */
  get sinceHead(): number { return this.tail.seq - this.head.seq + (this.curLen > 0 ? 1 : 0); }
  get hasPartial(): boolean { return this.curLen > 0; }

  /** Whether a record of `n` bytes fits in the current block. */
  fits(n: number): boolean { return this.curLen + n <= JPAYLOAD; }

  private room(n: number): number {
    if (this.curLen + n > JPAYLOAD) this.seal();
    const o = this.curLen;
    this.curLen += n;
    return o;
  }

  appendData(record: Uint8Array, off: number): void {
    const o = this.room(DATA_REC_SIZE);
    this.cur[o] = REC_DATA;
    this.cur.set(record.subarray(off, off + RECORD_SIZE), o + 1);
  }

  appendTrim(lba: number, count: number, epoch: number): void {
    const o = this.room(TRIM_REC_SIZE);
    this.cur[o] = REC_TRIM;
    setU48(this.cur, o + 1, lba);
    setU48(this.cur, o + 7, count);
    setU32(this.cur, o + 13, epoch);
  }

  appendSync(syncId: number): void {
    const o = this.room(SYNC_REC_SIZE);
    this.cur[o] = REC_SYNC;
    setU64(this.cur, o + 1, syncId);
  }

  appendCkpt(version: number): void {
    const o = this.room(CKPT_REC_SIZE);
    this.cur[o] = REC_CKPT;
    setU64(this.cur, o + 1, version);
  }

  /** Encrypts the current block (if it holds anything) and queues it for writing. */
  seal(): void {
    if (this.curLen === 0) return;
    if (this.tail.seq + 1 - this.protect > this.nblocks) {
      throw new StorageError('ENOSPC', 'journal ring is full (no checkpoint could free space)');
    }
    const block = new Uint8Array(BLOCK_SIZE);
    setU32(block, F_MAGIC, JMAGIC);
    setU32(block, F_LEN, this.curLen);
    setU64(block, F_SEQ, this.tail.seq);
    block.set(this.crypto.randomBytes(12), F_IV);
    block.set(this.tail.prevMac, F_PREV);
    const { ciphertext, tag } = this.crypto.aesGcmEncrypt(this.key, block.subarray(F_IV, F_IV + 12),
      this.cur.subarray(0, this.curLen), block.subarray(F_MAGIC, F_AAD_END));
    block.set(ciphertext, 0);
    block.set(tag, F_MAC);
    this.pending.push({ seq: this.tail.seq, block });
    this.tail = { seq: this.tail.seq + 1, prevMac: tag };
    this.curLen = 0;
    this.cur.fill(0);
  }

  /** Writes the sealed blocks: one raw write per contiguous stretch of the ring. */
  async writePending(): Promise<void> {
    const p = this.pending;
    this.pending = [];
    for (let i = 0; i < p.length;) {
      const pos = p[i].seq % this.nblocks;
      let j = i + 1;
      while (j < p.length && p[j].seq % this.nblocks === pos + (j - i)) j++;
      const buf = j - i === 1 ? p[i].block : new Uint8Array((j - i) * BLOCK_SIZE);
      if (j - i > 1) for (let k = i; k < j; k++) buf.set(p[k].block, (k - i) * BLOCK_SIZE);
      await this.raw.write(this.start + pos, buf);
      this.blocksWritten += j - i;
      i = j;
    }
  }

  /** Seals the current block and writes everything pending. */
  async sealAndWrite(): Promise<void> {
    this.seal();
    await this.writePending();
  }

  // ---- recovery ----

  private async readBlocks(seq: number, count: number): Promise<Uint8Array> {
    const pos = seq % this.nblocks;
    const n = Math.min(count, this.nblocks - pos);
    const buf = new Uint8Array(n * BLOCK_SIZE);
    await this.raw.read(this.start + pos, buf);
    return buf;
  }

  /**
   * Verifies one block. `prevMac` undefined: only self-consistency (its own footer's prevMac).
   * Returns the payload, or undefined if the block does not verify.
   */
  private open(block: Uint8Array, seq: number, prevMac: Uint8Array | undefined): Uint8Array | undefined {
    if (getU32(block, F_MAGIC) !== JMAGIC) return undefined;
    const len = getU32(block, F_LEN);
    if (len === 0 || len > JPAYLOAD) return undefined;
    if (getU48(block, F_SEQ) !== seq || block[F_SEQ + 6] !== 0 || block[F_SEQ + 7] !== 0) return undefined;
    if (prevMac && !bytesEqual(block.subarray(F_PREV, F_PREV + 16), prevMac)) return undefined;
    return this.crypto.aesGcmDecrypt(this.key, block.subarray(F_IV, F_IV + 12), block.subarray(0, len),
      block.subarray(F_MAC, F_MAC + 16), block.subarray(F_MAGIC, F_AAD_END));
  }

  /**
   * Reads the chain from `from` until the first block that does not verify or link.
   * Then probes past the break: if blocks after it verify on their own, link to each other and
   * contain a SYNC record, the break cannot be a crash (a SYNC block is only written after a
   * flush barrier), so the journal was tampered with: EIO.
   */
  async walk(from: ChainPos): Promise<{ blocks: JournalBlock[]; end: ChainPos }> {
    const blocks: JournalBlock[] = [];
    let seq = from.seq;
    let prev = from.prevMac;
    const limit = from.seq + this.nblocks;
    let broken = false;
    while (seq < limit && !broken) {
      const buf = await this.readBlocks(seq, Math.min(64, limit - seq));
      for (let i = 0; i < buf.length / BLOCK_SIZE; i++) {
        const block = buf.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE);
        const payload = this.open(block, seq, prev);
        if (!payload) { broken = true; break; }
        prev = block.slice(F_MAC, F_MAC + 16);
        blocks.push(parseBlock(seq, prev, payload));
        seq++;
      }
    }
    if (broken) await this.probe(seq, limit);
    return { blocks, end: { seq, prevMac: prev } };
  }

  /**
   * Looks at the PROBE_BLOCKS blocks after a break for one that verifies on its own (its own
   * footer's prevMac, the right sequence number) and holds a SYNC. Blocks legitimately past a
   * crash point are never such blocks: a SYNC block is only written once everything before it is
   * durable, and stale blocks of older laps or of an earlier incarnation have other sequence
   * numbers or hold no SYNC. (Dropping everything after the break is not caught here: that is
   * truncation, for the trusted counter.)
   */
  private async probe(broken: number, limit: number): Promise<void> {
    const end = Math.min(limit, broken + 1 + PROBE_BLOCKS);
    for (let seq = broken + 1; seq < end;) {
      const buf = await this.readBlocks(seq, Math.min(64, end - seq));
      for (let i = 0; i < buf.length / BLOCK_SIZE; i++, seq++) {
        const block = buf.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE);
        const payload = this.open(block, seq, undefined);
        if (payload && parseBlock(seq, EMPTY, payload).hasSync) {
          throw new StorageError('EIO', `journal block ${broken} fails authentication but committed blocks follow it (tampered journal)`);
        }
      }
    }
  }
}

const EMPTY = new Uint8Array(0);

function parseBlock(seq: number, mac: Uint8Array, p: Uint8Array): JournalBlock {
  const records: JournalRecord[] = [];
  let hasSync = false;
  for (let o = 0; o < p.length;) {
    const t = p[o];
    const need = t === REC_DATA ? DATA_REC_SIZE : t === REC_TRIM ? TRIM_REC_SIZE : t === REC_SYNC ? SYNC_REC_SIZE : t === REC_CKPT ? CKPT_REC_SIZE : 0;
    if (need === 0 || o + need > p.length) throw new StorageError('EIO', `journal block ${seq}: malformed record at ${o}`);
    if (t === REC_DATA) records.push({ type: REC_DATA, payload: p, off: o + 1 });
    else if (t === REC_TRIM) records.push({ type: REC_TRIM, lba: getU48(p, o + 1), count: getU48(p, o + 7), epoch: getU32(p, o + 13) });
    else if (t === REC_SYNC) { records.push({ type: REC_SYNC, syncId: getU64(p, o + 1) }); hasSync = true; }
    else records.push({ type: REC_CKPT, version: getU64(p, o + 1) });
    o += need;
  }
  return { seq, mac, records, hasSync };
}
