// The untrusted outside world, as the kernel sees it (Occlum's PAL). Only host/ implementations
// touch Node APIs; the kernel gets one Host object at boot.

export interface HostStat {
  dev: number; ino: number; mode: number; nlink: number; uid: number; gid: number;
  size: number; blocks: number; atimeNs: bigint; mtimeNs: bigint; ctimeNs: bigint;
  isFile: boolean; isDirectory: boolean; isSymlink: boolean;
}

/** Host file operations (paths are host paths). Errors are thrown as HostError with a POSIX code name. */
export interface HostFs {
  lstat(path: string): HostStat;
  fstat(fd: number): HostStat;
  /** Opens without following a final symlink. flags: node fs constants. */
  open(path: string, flags: number, mode: number): number;
  close(fd: number): void;
  read(fd: number, buf: Uint8Array, position: number): number;
  write(fd: number, buf: Uint8Array, position: number): number;
  ftruncate(fd: number, size: number): void;
  fsync(fd: number): void;
  fdatasync(fd: number): void;
  readdir(path: string): string[];
  mkdir(path: string, mode: number): void;
  rmdir(path: string): void;
  unlink(path: string): void;
  rename(from: string, to: string): void;
  link(existing: string, newPath: string): void;
  symlink(target: string, path: string): void;
  readlink(path: string): string;
  chmod(path: string, mode: number): void;
  utimes(path: string, atimeS: number, mtimeS: number): void;
  readFile(path: string): Uint8Array;
  /** The host file system's statfs numbers, where the host can tell (optional). */
  statfs?(path: string): HostStatFs;
  /** The canonical absolute path (symlinks resolved), or HostError (optional: mount(2) of hostfs needs it). */
  realpath?(path: string): string;
  constants: { O_RDONLY: number; O_WRONLY: number; O_RDWR: number; O_CREAT: number; O_EXCL: number; O_TRUNC: number; O_APPEND: number; O_NOFOLLOW: number; O_DIRECTORY: number };
}

export interface HostStatFs { type: number; bsize: number; blocks: number; bfree: number; bavail: number; files: number; ffree: number }

export class HostError extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

export interface HostStdio {
  /** Writes all of buf to host fd 1 or 2 (blocking). Returns bytes written or throws HostError. */
  write(fd: 1 | 2, buf: Uint8Array): number;
  /** Reads from host fd 0; resolves 0 at end of file. */
  read(buf: Uint8Array): Promise<number>;
  isatty(fd: 0 | 1 | 2): boolean;
  winsize(fd: 0 | 1 | 2): { rows: number; cols: number } | undefined;
}

export interface HostClock {
  realtimeNs(): bigint;
  monotonicNs(): bigint;
  /** Calls fn after ms; returns a cancel function. */
  setTimer(ms: number, fn: () => void): () => void;
}

export interface Host {
  fs: HostFs;
  stdio: HostStdio;
  clock: HostClock;
  randomFill(buf: Uint8Array): void;
  /** Log sink (stderr of the runtime). */
  log(line: string): void;
}

/** Cryptography from the platform (node:crypto here; WebCrypto in a browser later). */
export interface HostCrypto {
  randomBytes(n: number): Uint8Array;
  /** AES-GCM (key 16 or 32 bytes, iv 12 bytes); returns ciphertext and 16-byte tag. */
  aesGcmEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): { ciphertext: Uint8Array; tag: Uint8Array };
  /** Returns the plaintext, or undefined if the tag does not verify. */
  aesGcmDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array, aad?: Uint8Array): Uint8Array | undefined;
  /** AES-CTR without authentication (for encryption-only baselines). */
  aesCtr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array;
  sha256(...parts: Uint8Array[]): Uint8Array;
  hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array;
  hkdf(ikm: Uint8Array, salt: Uint8Array, info: string, length: number): Uint8Array;
  /**
   * Batched AES-GCM with one key per block and a zero IV (each key must be used once): block i of
   * `plaintext` (`blockSize` bytes) is encrypted under keys[16i, 16i+16) (AES-128) into the same
   * range of `out`, its tag into tags[16i, 16i+16). May run off the calling thread (so that the
   * caller keeps working): the caller must leave all four buffers alone until the promise settles.
   * Optional: callers fall back to aesGcmEncrypt per block.
   */
  aesGcmEncryptBlocks?(keys: Uint8Array, plaintext: Uint8Array, out: Uint8Array, tags: Uint8Array, blockSize: number): Promise<unknown>;
  /**
   * The inverse of aesGcmEncryptBlocks: block i of `ciphertext` is verified against
   * tags[16i, 16i+16) and decrypted under keys[16i, 16i+16) into the same range of `out`.
   * Resolves to the index of a block that fails authentication (the contents of `out`
   * are then unspecified), or -1. Same threading rules as aesGcmEncryptBlocks; optional.
   */
  aesGcmDecryptBlocks?(keys: Uint8Array, ciphertext: Uint8Array, out: Uint8Array, tags: Uint8Array, blockSize: number): Promise<number>;
  /**
   * Works on the parts of the pending aesGcm*Blocks call that returned `call` which no other
   * thread has taken yet, on the calling thread, until none is left: call it before awaiting the
   * call instead of idling. Optional (a no-op where the call ran on the calling thread anyway).
   */
  helpPendingBlocks?(call: Promise<unknown>): void;
  /**
   * Allocates a byte buffer that aesGcmEncryptBlocks can use without copying (shared memory with
   * its worker threads, where it has them). Optional: callers use a plain Uint8Array otherwise.
   */
  allocShared?(n: number): Uint8Array;
}
