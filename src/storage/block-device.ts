// BlockDevice: the one interface every disk implements (host file, memory, PfsDisk, SwornDisk),
// so that the secure disks are compared by one benchmark over one interface (design.md, Storage).
//
// Contract:
// - blocks are BLOCK_SIZE (4 KiB); `lba` counts blocks; buffers are whole blocks (length % 4096 == 0)
//   and must not exceed the device: lba + buf.length/4096 <= nblocks, else StorageError('EINVAL').
// - read() of a never-written (or trimmed) block returns zeros.
// - write() may be buffered; flush() makes every write before it durable and atomic as a group
//   for the secure disks (see each disk's doc). After a crash, a disk reopens to exactly the
//   state of some flush (SwornDisk: the last completed one).
// - Integrity violations surface as StorageError('EIO', reason); never as wrong data.
// - Callers must not use the buffer passed to write() after the call returns a promise until it
//   resolves; implementations copy what they keep.

export const BLOCK_SIZE = 4096;

export type StorageErrno = 'EIO' | 'EINVAL' | 'ENOSPC' | 'EACCES' | 'EROFS';

export class StorageError extends Error {
  constructor(readonly code: StorageErrno, message: string) { super(message); }
}

export interface BlockDevice {
  readonly nblocks: number;
  read(lba: number, buf: Uint8Array): Promise<void>;
  write(lba: number, data: Uint8Array): Promise<void>;
  flush(): Promise<void>;
  /** Discards blocks: they read as zeros afterwards (a hint for space reuse). */
  trim(lba: number, count: number): Promise<void>;
  close(): Promise<void>;
}

/** Validates an I/O request against the device size; returns the block count. */
export function checkRange(dev: { nblocks: number }, lba: number, bytes: number): number {
  if (!Number.isInteger(lba) || lba < 0 || bytes % BLOCK_SIZE !== 0) {
    throw new StorageError('EINVAL', `bad block request: lba ${lba}, ${bytes} bytes`);
  }
  const n = bytes / BLOCK_SIZE;
  if (lba + n > dev.nblocks) throw new StorageError('EINVAL', `request [${lba}, ${lba + n}) beyond device end ${dev.nblocks}`);
  return n;
}
