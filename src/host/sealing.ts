// The sim platform's sealing key (design.md, Trust model: "sealing keys come from a local key
// store"): 32 random bytes in a key file created with mode 0600 on first use, in a per-user
// directory (default ~/.occlum-ts/sealing.key; OCCLUM_TS_SEALING_KEY or `path` override it).
// Like SGX's EGETKEY, it is what every storage key is derived from (HKDF below it), and it never
// sits next to the data it protects: checkKeyPlacement() refuses a key inside a data directory.
// A real-TEE platform adaptor would return a hardware-derived key here instead.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

export const SEALING_KEY_BYTES = 32;

export class SealingKeyError extends Error {}

export interface SealingKeyOptions {
  /** Key file (default: $OCCLUM_TS_SEALING_KEY, else ~/.occlum-ts/sealing.key). */
  path?: string;
  /** Create the key file if it does not exist (default true). */
  create?: boolean;
}

export function defaultSealingKeyPath(): string {
  return process.env['OCCLUM_TS_SEALING_KEY'] || path.join(os.homedir(), '.occlum-ts', 'sealing.key');
}

/**
 * Returns the platform sealing key, creating the key file (0600, in a 0700 directory) on first use.
 * Errors (SealingKeyError, one sentence): unreadable file, wrong size, permissions open to others.
 */
export function loadSealingKey(opts: SealingKeyOptions = {}): Uint8Array {
  const file = path.resolve(opts.path ?? defaultSealingKeyPath());
  if (!fs.existsSync(file)) {
    if (opts.create === false) throw new SealingKeyError(`sealing key ${file} does not exist`);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const key = randomBytes(SEALING_KEY_BYTES);
    try {
      const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
      try { fs.writeSync(fd, key); fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
      return new Uint8Array(key);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new SealingKeyError(`cannot create sealing key ${file}: ${(e as Error).message}`);
      // another process created it first: read theirs
    }
  }
  let st: fs.Stats;
  let key: Buffer;
  try {
    st = fs.statSync(file);
    key = fs.readFileSync(file);
  } catch (e) {
    throw new SealingKeyError(`cannot read sealing key ${file}: ${(e as Error).message}`);
  }
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    throw new SealingKeyError(`sealing key ${file} is accessible to other users (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`);
  }
  if (key.length !== SEALING_KEY_BYTES) throw new SealingKeyError(`sealing key ${file} has ${key.length} bytes, expected ${SEALING_KEY_BYTES}`);
  return new Uint8Array(key);
}

/** Refuses a sealing key file stored inside `dataDir` (the directory of the data it protects). */
export function checkKeyPlacement(keyPath: string, dataDir: string): void {
  const k = path.resolve(keyPath);
  const d = path.resolve(dataDir);
  const rel = path.relative(d, k);
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
    throw new SealingKeyError(`sealing key ${k} is inside the data directory ${d}; keep it elsewhere (default ~/.occlum-ts)`);
  }
}
