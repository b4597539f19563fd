// Checkpoint packs: two slots written alternately (version v goes to slot v mod 2), each one
// AES-128-GCM blob under K_ckpt with a random IV (MlsDisk's CryptoBlob snapshots; P1's checkpoint
// region). A pack holds what recovery needs besides the journal: the committed sync id, where
// journal replay starts (head) and what must stay intact (protect), and the table catalog: every
// index table's root (position, key, MAC), so the whole index is a Merkle tree anchored here.
//
// Slot format (CKPT_SLOT_BLOCKS blocks):
//   0   "SDCKPT01" | version u64 | len u32 | slot u32      (AAD: bytes [0, 24))
//   24  IV 12 B | tag 16 B | zero pad
//   64  ciphertext of the payload (len bytes)
// Recovery picks the valid pack with the highest version; a torn newest pack falls back to the
// other one (whose replay then passes the newer pack's CKPT journal record if it was completed:
// see sworndisk.ts, that case is tampering and fails with EIO).
import type { HostCrypto } from '../../host/types.js';
import { BLOCK_SIZE, StorageError, type BlockDevice } from '../block-device.js';
import { ascii, bytesEqual, ByteCursor, getU32, getU64, setU32, setU64 } from './codec.js';
import type { ChainPos } from './journal.js';

export interface TableMeta {
  id: number;
  level: number;
  /** 0: the root is a leaf. */
  height: number;
  /** Records in the table. */
  count: number;
  /** Nodes (blocks) in the table. */
  nodes: number;
  minLba: number;
  maxLba: number;
  maxEpoch: number;
  rootPos: number;
  rootKey: Uint8Array;
  rootMac: Uint8Array;
}

export interface Checkpoint {
  version: number;
  /** Committed sync id when the pack was written. */
  syncId: number;
  /** Sync id committed at the journal head: replay's first SYNC must be headSync + 1. */
  headSync: number;
  head: ChainPos;
  protect: number;
  nextTableId: number;
  /** In lookup order: L0 newest first, then L1, L2, … */
  tables: TableMeta[];
}

const MAGIC = ascii('SDCKPT01');
const HDR = 64;

export class CheckpointStore {
  constructor(
    private readonly raw: BlockDevice,
    private readonly crypto: HostCrypto,
    private readonly key: Uint8Array,
    readonly start: number,
    readonly slotBlocks: number,
  ) {}

  async write(ck: Checkpoint): Promise<void> {
    const slot = ck.version % 2;
    const payload = encodePayload(ck);
    const buf = new Uint8Array(this.slotBlocks * BLOCK_SIZE);
    if (HDR + payload.length > buf.length) throw new StorageError('ENOSPC', `checkpoint of ${payload.length} bytes does not fit its slot`);
    buf.set(MAGIC, 0);
    setU64(buf, 8, ck.version);
    setU32(buf, 16, payload.length);
    setU32(buf, 20, slot);
    const iv = this.crypto.randomBytes(12);
    buf.set(iv, 24);
    const { ciphertext, tag } = this.crypto.aesGcmEncrypt(this.key, iv, payload, buf.subarray(0, 24));
    buf.set(tag, 36);
    buf.set(ciphertext, HDR);
    await this.raw.write(this.start + slot * this.slotBlocks, buf);
  }

  /** Both slots, decoded if valid. Never throws on bad content (returns undefined for that slot). */
  async readSlots(): Promise<(Checkpoint | undefined)[]> {
    const buf = new Uint8Array(2 * this.slotBlocks * BLOCK_SIZE);
    await this.raw.read(this.start, buf);
    const out: (Checkpoint | undefined)[] = [];
    for (let slot = 0; slot < 2; slot++) {
      const b = buf.subarray(slot * this.slotBlocks * BLOCK_SIZE, (slot + 1) * this.slotBlocks * BLOCK_SIZE);
      out.push(this.decode(b, slot));
    }
    return out;
  }

  private decode(b: Uint8Array, slot: number): Checkpoint | undefined {
    if (!bytesEqual(b.subarray(0, 8), MAGIC)) return undefined;
    const len = getU32(b, 16);
    if (getU32(b, 20) !== slot || len > b.length - HDR) return undefined;
    let version: number;
    try { version = getU64(b, 8); } catch { return undefined; }
    if (version % 2 !== slot) return undefined;
    const pt = this.crypto.aesGcmDecrypt(this.key, b.subarray(24, 36), b.subarray(HDR, HDR + len), b.subarray(36, 52), b.subarray(0, 24));
    if (!pt) return undefined;
    return decodePayload(version, pt);
  }
}

function encodePayload(ck: Checkpoint): Uint8Array {
  const buf = new Uint8Array(64 + ck.tables.length * 112);
  const c = new ByteCursor(buf);
  c.u64(ck.syncId);
  c.u64(ck.headSync);
  c.u64(ck.head.seq);
  c.bytes(16, ck.head.prevMac);
  c.u64(ck.protect);
  c.u64(ck.nextTableId);
  c.u32(ck.tables.length);
  for (const t of ck.tables) {
    c.u64(t.id);
    c.u8(t.level);
    c.u8(t.height);
    c.u64(t.count);
    c.u32(t.nodes);
    c.u64(t.minLba);
    c.u64(t.maxLba);
    c.u32(t.maxEpoch);
    c.u64(t.rootPos);
    c.bytes(16, t.rootKey);
    c.bytes(16, t.rootMac);
  }
  return buf.subarray(0, c.pos);
}

function decodePayload(version: number, pt: Uint8Array): Checkpoint {
  // The payload is authenticated, so a parse error is a format bug, reported as EIO.
  const c = new ByteCursor(pt);
  const syncId = c.u64();
  const headSync = c.u64();
  const head = { seq: c.u64(), prevMac: c.bytes(16) };
  const protect = c.u64();
  const nextTableId = c.u64();
  const n = c.u32();
  const tables: TableMeta[] = [];
  for (let i = 0; i < n; i++) {
    tables.push({
      id: c.u64(), level: c.u8(), height: c.u8(), count: c.u64(), nodes: c.u32(), minLba: c.u64(), maxLba: c.u64(),
      maxEpoch: c.u32(), rootPos: c.u64(), rootKey: c.bytes(16), rootMac: c.bytes(16),
    });
  }
  return { version, syncId, headSync, head, protect, nextTableId, tables };
}
