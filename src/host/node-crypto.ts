// HostCrypto on node:crypto (AES-NI backed OpenSSL).
//
// Batched per-block AES-GCM (aesGcmEncryptBlocks) runs in a small pool of worker threads: node:crypto
// costs ~6 µs of JS/C++ binding work per block (createCipheriv with a fresh key, update, final,
// getAuthTag), several times the cipher itself, and SwornDisk needs one fresh key per 4 KiB block.
// In workers that cost overlaps with the caller's own work. Buffers in shared memory (allocShared)
// are handed over without copying; other buffers fall back to the calling thread.
import * as crypto from 'node:crypto';
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { HostCrypto } from './types.js';

const gcmName = (key: Uint8Array) => (key.length === 32 ? 'aes-256-gcm' : 'aes-128-gcm');
const ZERO_IV = new Uint8Array(12);

/**
 * The worker's body (CommonJS, eval'd): the loops of sealBlocksHere / openBlocksHere. It answers
 * each request with -1 (done), the index of the first block that failed authentication, or an
 * error message.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const iv = Buffer.alloc(12);
parentPort.on('message', (m) => {
  try {
    const { open, keys, src, dst, tags, bs, from, to } = m;
    for (let i = from; i < to; i++) {
      const key = keys.subarray(16 * i, 16 * i + 16), blk = src.subarray(i * bs, (i + 1) * bs);
      if (open) {
        const d = crypto.createDecipheriv('aes-128-gcm', key, iv);
        d.setAuthTag(tags.subarray(16 * i, 16 * i + 16));
        const p = d.update(blk);
        try { d.final(); } catch { parentPort.postMessage(i); return; }
        dst.set(p, i * bs);
      } else {
        const c = crypto.createCipheriv('aes-128-gcm', key, iv);
        dst.set(c.update(blk), i * bs);
        c.final();
        tags.set(c.getAuthTag(), 16 * i);
      }
    }
    parentPort.postMessage(-1);
  } catch (e) {
    parentPort.postMessage(String((e && e.message) || e));
  }
});
`;

/** Blocks below which a batch is done on the calling thread (a round trip costs ~50-100 µs). */
const MIN_OFFLOAD_BLOCKS = 32;
/** Worker threads (the machine's cores, at most 2: the caller needs one too). */
const POOL_SIZE = Number(process.env.SEAL_POOL ?? 0) || Math.max(1, Math.min(2, os.availableParallelism()));

function sealBlocksHere(keys: Uint8Array, pt: Uint8Array, out: Uint8Array, tags: Uint8Array, bs: number, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const c = crypto.createCipheriv('aes-128-gcm', keys.subarray(16 * i, 16 * i + 16), ZERO_IV);
    out.set(c.update(pt.subarray(i * bs, (i + 1) * bs)), i * bs);
    c.final();
    tags.set(c.getAuthTag(), 16 * i);
  }
}

/** Returns the index of the first block that fails authentication, or -1. */
function openBlocksHere(keys: Uint8Array, ct: Uint8Array, out: Uint8Array, tags: Uint8Array, bs: number, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const d = crypto.createDecipheriv('aes-128-gcm', keys.subarray(16 * i, 16 * i + 16), ZERO_IV);
    d.setAuthTag(tags.subarray(16 * i, 16 * i + 16));
    const p = d.update(ct.subarray(i * bs, (i + 1) * bs));
    try { d.final(); } catch { return i; }
    out.set(p, i * bs);
  }
  return -1;
}

const isShared = (a: Uint8Array) => a.buffer instanceof SharedArrayBuffer;

interface SealWorker {
  worker: Worker;
  /** Settlers of the requests posted to this worker, oldest first (it answers in order). */
  pending: { resolve(bad: number): void; reject(e: Error): void }[];
}

/**
 * Worker threads for aesGcmEncryptBlocks. Workers are started on first use and unref'd while idle,
 * so that they never keep the process alive; a worker that dies fails its requests and is replaced
 * on the next call.
 */
class SealPool {
  private readonly workers: (SealWorker | undefined)[] = new Array(POOL_SIZE).fill(undefined);

  private get(i: number): SealWorker {
    let w = this.workers[i];
    if (w) return w;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    const sw: SealWorker = { worker, pending: [] };
    const fail = (e: Error) => {
      if (this.workers[i] === sw) this.workers[i] = undefined;
      for (const p of sw.pending.splice(0)) p.reject(e);
    };
    worker.on('message', (msg: string | number) => {
      const p = sw.pending.shift();
      if (sw.pending.length === 0) worker.unref();
      if (!p) return;
      if (typeof msg === 'number') p.resolve(msg); else p.reject(new Error(`AES-GCM worker: ${msg}`));
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`AES-GCM worker exited (${code})`)));
    worker.unref();
    this.workers[i] = w = sw;
    return w;
  }

  /** Splits the n blocks over the workers; resolves to the first failing block (open) or -1. */
  run(open: boolean, keys: Uint8Array, src: Uint8Array, dst: Uint8Array, tags: Uint8Array, bs: number, n: number): Promise<number> {
    const parts = Math.min(POOL_SIZE, Math.ceil(n / MIN_OFFLOAD_BLOCKS));
    const jobs: Promise<number>[] = [];
    for (let k = 0; k < parts; k++) {
      const from = Math.floor((n * k) / parts), to = Math.floor((n * (k + 1)) / parts);
      const w = this.get(k);
      jobs.push(new Promise<number>((resolve, reject) => {
        w.pending.push({ resolve, reject });
        w.worker.ref();
        w.worker.postMessage({ open, keys, src, dst, tags, bs, from, to });
      }));
    }
    return Promise.all(jobs).then((bad) => bad.find((b) => b >= 0) ?? -1);
  }
}

let pool: SealPool | undefined;

function allocShared(n: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(n));
}

/** `a` itself if it is in shared memory, else a shared copy (keys and tags are small). */
function sharedCopy(a: Uint8Array): Uint8Array {
  if (isShared(a)) return a;
  const c = allocShared(a.length);
  c.set(a);
  return c;
}

/** Validates a batched call's buffers; returns the block count. */
function blockCount(what: string, keys: Uint8Array, src: Uint8Array, out: Uint8Array, tags: Uint8Array, bs: number): number {
  if (bs <= 0 || src.length % bs !== 0) throw new RangeError(`${what}: ${src.length} bytes is not a multiple of ${bs}`);
  const n = src.length / bs;
  if (keys.length < 16 * n || out.length < n * bs || tags.length < 16 * n) throw new RangeError(`${what}: keys, out or tags too short`);
  return n;
}

export const nodeCrypto: HostCrypto = {
  randomBytes: (n) => new Uint8Array(crypto.randomBytes(n)),
  aesGcmEncrypt(key, iv, plaintext, aad) {
    const c = crypto.createCipheriv(gcmName(key), key, iv);
    if (aad) c.setAAD(aad);
    const a = c.update(plaintext);
    const b = c.final();
    const ciphertext = b.length ? new Uint8Array(Buffer.concat([a, b])) : new Uint8Array(a.buffer, a.byteOffset, a.length);
    return { ciphertext, tag: new Uint8Array(c.getAuthTag()) };
  },
  aesGcmDecrypt(key, iv, ciphertext, tag, aad) {
    try {
      const d = crypto.createDecipheriv(gcmName(key), key, iv);
      if (aad) d.setAAD(aad);
      d.setAuthTag(tag);
      const a = d.update(ciphertext);
      const b = d.final();
      return b.length ? new Uint8Array(Buffer.concat([a, b])) : new Uint8Array(a.buffer, a.byteOffset, a.length);
    } catch {
      return undefined;
    }
  },
  aesCtr(key, iv, data) {
    const c = crypto.createCipheriv(key.length === 32 ? 'aes-256-ctr' : 'aes-128-ctr', key, iv.length === 16 ? iv : Buffer.concat([iv, Buffer.alloc(16 - iv.length)]));
    return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
  },
  sha256(...parts) {
    const h = crypto.createHash('sha256');
    for (const p of parts) h.update(p);
    return new Uint8Array(h.digest());
  },
  hmacSha256(key, ...parts) {
    const h = crypto.createHmac('sha256', key);
    for (const p of parts) h.update(p);
    return new Uint8Array(h.digest());
  },
  hkdf: (ikm, salt, info, length) => new Uint8Array(crypto.hkdfSync('sha256', ikm, salt, info, length)),
  async aesGcmEncryptBlocks(keys, plaintext, out, tags, bs) {
    const n = blockCount('aesGcmEncryptBlocks', keys, plaintext, out, tags, bs);
    if (n < MIN_OFFLOAD_BLOCKS || !isShared(plaintext) || !isShared(out) || !isShared(tags)) {
      sealBlocksHere(keys, plaintext, out, tags, bs, 0, n);
      return;
    }
    await (pool ??= new SealPool()).run(false, sharedCopy(keys), plaintext, out, tags, bs, n);
  },
  async aesGcmDecryptBlocks(keys, ciphertext, out, tags, bs) {
    const n = blockCount('aesGcmDecryptBlocks', keys, ciphertext, out, tags, bs);
    if (n < MIN_OFFLOAD_BLOCKS || !isShared(ciphertext) || !isShared(out)) return openBlocksHere(keys, ciphertext, out, tags, bs, 0, n);
    return (pool ??= new SealPool()).run(true, sharedCopy(keys), ciphertext, out, sharedCopy(tags), bs, n);
  },
  allocShared,
};
