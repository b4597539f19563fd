// Trusted monotonic counters for whole-disk rollback detection (beyond SwornDisk, which leaves
// complete rollback out of scope; MlsDisk has a SyncIdStore hook for this).
//
// SwornDisk increments the counter after each sync is durable, so counter <= the image's sync id;
// open() refuses an image whose sync id is below the counter (StorageError EIO "rollback
// detected"), and catches the counter up when the image is ahead (a crash between the two steps).
//
// SealedCounter is the sim implementation: one block on a raw device kept outside the disk image,
// holding the value and an HMAC under a key derived from the root key, so the host cannot forge or
// edit it. It is only as monotonic as the place that stores it: a host that restores an old copy of
// the counter together with an old image defeats it. A real platform backs TrustedCounter with
// hardware (a TPM NV counter, a TEE monotonic counter, or a counter service reached by attestation).
import type { HostCrypto } from '../../host/types.js';
import { BLOCK_SIZE, StorageError, type BlockDevice } from '../block-device.js';
import { ascii, bytesEqual, getU64, setU64 } from './codec.js';

export interface TrustedCounter {
  read(): Promise<bigint>;
  /** Adds one and returns the new value (durably). */
  increment(): Promise<bigint>;
}

/** A counter in memory (tests; or a process-lifetime counter). */
export class MemCounter implements TrustedCounter {
  constructor(public value = 0n) {}
  async read(): Promise<bigint> { return this.value; }
  async increment(): Promise<bigint> { return ++this.value; }
}

const MAGIC = ascii('SDCOUNT1');

/** The sealed-file counter (block 0 of `raw`): "SDCOUNT1" | value u64 | HMAC-SHA256 32 B. */
export class SealedCounter implements TrustedCounter {
  private constructor(
    private readonly raw: BlockDevice,
    private readonly crypto: HostCrypto,
    private readonly key: Uint8Array,
    private value: bigint,
  ) {}

  private static key(crypto: HostCrypto, rootKey: Uint8Array): Uint8Array {
    return crypto.hkdf(rootKey, new Uint8Array(0), 'sworndisk/v1 trusted counter', 32);
  }

  static async create(raw: BlockDevice, rootKey: Uint8Array, crypto: HostCrypto, initial = 0n): Promise<SealedCounter> {
    const c = new SealedCounter(raw, crypto, SealedCounter.key(crypto, rootKey), initial);
    await c.store();
    return c;
  }

  /** Errors: EIO if the block is not a counter sealed under this root key. */
  static async open(raw: BlockDevice, rootKey: Uint8Array, crypto: HostCrypto): Promise<SealedCounter> {
    const key = SealedCounter.key(crypto, rootKey);
    const b = new Uint8Array(BLOCK_SIZE);
    await raw.read(0, b);
    const mac = crypto.hmacSha256(key, b.subarray(0, 16));
    if (!bytesEqual(b.subarray(0, 8), MAGIC) || !bytesEqual(b.subarray(16, 48), mac)) {
      throw new StorageError('EIO', 'trusted counter: seal does not verify');
    }
    return new SealedCounter(raw, crypto, key, BigInt(getU64(b, 8)));
  }

  private async store(): Promise<void> {
    const b = new Uint8Array(BLOCK_SIZE);
    b.set(MAGIC, 0);
    setU64(b, 8, Number(this.value));
    b.set(this.crypto.hmacSha256(this.key, b.subarray(0, 16)), 16);
    await this.raw.write(0, b);
    await this.raw.flush();
  }

  async read(): Promise<bigint> { return this.value; }

  async increment(): Promise<bigint> {
    this.value++;
    await this.store();
    return this.value;
  }
}
