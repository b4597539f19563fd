// CryptDisk: the encryption-only baseline (the "CryptDisk" of the SwornDisk paper: dm-crypt on
// Linux, a custom block device in Occlum). It is the performance ceiling for the secure disks: one
// host block per user block, written in place, and nothing else.
//
// Cipher: AES-128-CTR (or AES-256 with a 32-byte key) under K = HKDF(sealing key, salt = '',
// info = 'occlum-ts cryptdisk: ' + name). Block b uses counter blocks b·256 … b·256+255 (a 4 KiB
// block is 256 AES blocks), so a run of contiguous blocks is one CTR stream and one cipher call.
// An all-zero host block reads as a zero block (never written or trimmed; a real ciphertext is all
// zeros with probability 2^-32768), so unwritten blocks read as zeros as the BlockDevice contract
// requires; trim writes zeros to the host.
//
// What it protects: the confidentiality of data against a host that sees ONE image.
// What it does not: integrity (a flipped ciphertext bit flips the same plaintext bit, silently),
// freshness (old blocks can be replayed, blocks swapped), crash atomicity (flush is just an
// fdatasync), and confidentiality across several snapshots: the keystream of a block is the same
// for every write to it, so two versions of a block leak their XOR (dm-crypt's XTS leaks less:
// only whether 16-byte units changed). Also visible: which blocks were ever written (non-zero)
// and the access pattern.
import { BLOCK_SIZE, StorageError, checkRange, type BlockDevice } from './block-device.js';
import type { HostCrypto } from '../host/types.js';

export interface CryptDiskOptions {
  /** Sealing key (16 or 32 bytes). */
  key: Uint8Array;
  crypto: HostCrypto;
  /** Separates the keys of disks that share a sealing key. Default 'cryptdisk'. */
  name?: string;
}

/** Blocks per cipher call and host I/O, bounding the scratch buffer (1 MiB). */
const CHUNK = 256;

/** True if the 4 KiB block at `off` is all zeros (word-wise when aligned). */
function isZeroBlock(buf: Uint8Array, off: number): boolean {
  const start = buf.byteOffset + off;
  if (start % 4 === 0) {
    const w = new Uint32Array(buf.buffer, start, BLOCK_SIZE / 4);
    for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
    return true;
  }
  for (let i = off; i < off + BLOCK_SIZE; i++) if (buf[i] !== 0) return false;
  return true;
}

export class CryptDisk implements BlockDevice {
  private readonly k: Uint8Array;
  private readonly crypto: HostCrypto;
  private readonly iv = new Uint8Array(16);
  private readonly ivView = new DataView(this.iv.buffer);

  constructor(private readonly dev: BlockDevice, o: CryptDiskOptions) {
    if (o.key.length !== 16 && o.key.length !== 32) throw new StorageError('EINVAL', 'cryptdisk: the sealing key must be 16 or 32 bytes');
    this.crypto = o.crypto;
    this.k = o.crypto.hkdf(o.key, new Uint8Array(0), `occlum-ts cryptdisk: ${o.name ?? 'cryptdisk'}`, o.key.length);
  }

  get nblocks(): number { return this.dev.nblocks; }

  /** CTR over blocks [lba, lba + data.length / 4096). */
  private ctr(lba: number, data: Uint8Array): Uint8Array {
    // 128-bit big-endian counter = lba · 256 < 2^61: bytes 0-7 stay zero.
    this.ivView.setUint32(8, Math.floor(lba / 2 ** 24) >>> 0);
    this.ivView.setUint32(12, ((lba % 2 ** 24) * 256) >>> 0);
    return this.crypto.aesCtr(this.k, this.iv, data);
  }

  async read(lba: number, buf: Uint8Array): Promise<void> {
    const n = checkRange(this, lba, buf.length);
    for (let i = 0; i < n; i += CHUNK) {
      const m = Math.min(CHUNK, n - i);
      const out = buf.subarray(i * BLOCK_SIZE, (i + m) * BLOCK_SIZE);
      await this.dev.read(lba + i, out);
      const zero: number[] = [];
      for (let b = 0; b < m; b++) {
        if (isZeroBlock(out, b * BLOCK_SIZE)) zero.push(b);
      }
      if (zero.length === m) continue;
      out.set(this.ctr(lba + i, out));
      for (const b of zero) out.fill(0, b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE);
    }
  }

  async write(lba: number, data: Uint8Array): Promise<void> {
    const n = checkRange(this, lba, data.length);
    for (let i = 0; i < n; i += CHUNK) {
      const m = Math.min(CHUNK, n - i);
      await this.dev.write(lba + i, this.ctr(lba + i, data.subarray(i * BLOCK_SIZE, (i + m) * BLOCK_SIZE)));
    }
  }

  flush(): Promise<void> { return this.dev.flush(); }

  async trim(lba: number, count: number): Promise<void> {
    checkRange(this, lba, count * BLOCK_SIZE);
    await this.dev.trim(lba, count);
  }

  close(): Promise<void> { return this.dev.close(); }
}
