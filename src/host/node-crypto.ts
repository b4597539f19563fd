// HostCrypto on node:crypto (AES-NI backed OpenSSL).
//
// Batched per-block AES-GCM (aesGcmEncryptBlocks / aesGcmDecryptBlocks) runs in a small pool of
// worker threads: node:crypto costs ~6 µs of JS/C++ binding work per block (createCipheriv with a
// fresh key, update, final, getAuthTag), several times the cipher itself, and SwornDisk needs one
// fresh key per 4 KiB block. In workers that cost overlaps with the caller's own work, and the
// caller joins in (helpPendingBlocks) instead of idling when it has to wait. Buffers in shared
// memory (allocShared) are handed over without copying; other buffers stay on the calling thread.
import * as crypto from 'node:crypto';
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { HostCrypto } from './types.js';

const gcmName = (key: Uint8Array) => (key.length === 32 ? 'aes-256-gcm' : 'aes-128-gcm');
const ZERO_IV = new Uint8Array(12);

/** Blocks per unit of work that a thread claims (~100 µs). */
const CHUNK_BLOCKS = 16;
/** Blocks below which a batch is done on the calling thread (a round trip costs ~50-100 µs). */
const MIN_OFFLOAD_BLOCKS = 32;
/** Worker threads (the machine's cores, at most 2: the caller needs one too). */
const POOL_SIZE = Math.max(1, Math.min(2, os.availableParallelism()));

/**
 * A batched call in progress. Its blocks are cut into chunks of CHUNK_BLOCKS; every participant
 * (the workers, and the calling thread in helpPendingBlocks) claims chunks with an atomic counter,
 * so the calling thread never idles while work is left, and a descheduled worker (a loaded
 * machine) cannot hold the batch up. ctl (shared Int32Array): [0] next chunk to claim, [1] chunks
 * finished, [2] 1 + index of a block that failed authentication (0: none).
 */
interface Batch {
  open: boolean;
  keys: Uint8Array;
  src: Uint8Array;
  dst: Uint8Array;
  tags: Uint8Array;
  bs: number;
  n: number;
  ctl: Int32Array;
  chunks: number;
  settled: boolean;
  resolve(bad: number): void;
  reject(e: Error): void;
}

/** Blocks [from, to) of a batch; returns the first block failing authentication, or -1. */
function cryptBlocks(open: boolean, keys: Uint8Array, src: Uint8Array, dst: Uint8Array, tags: Uint8Array, bs: number, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const key = keys.subarray(16 * i, 16 * i + 16), blk = src.subarray(i * bs, (i + 1) * bs);
    if (open) {
      const d = crypto.createDecipheriv('aes-128-gcm', key, ZERO_IV);
      d.setAuthTag(tags.subarray(16 * i, 16 * i + 16));
      const p = d.update(blk);
      try { d.final(); } catch { return i; }
      dst.set(p, i * bs);
    } else {
      const c = crypto.createCipheriv('aes-128-gcm', key, ZERO_IV);
      dst.set(c.update(blk), i * bs);
      c.final();
      tags.set(c.getAuthTag(), 16 * i);
    }
  }
  return -1;
}

/** Claims chunks of a batch until none is left (the worker runs the same function). */
function claimChunks(b: Pick<Batch, 'open' | 'keys' | 'src' | 'dst' | 'tags' | 'bs' | 'n' | 'ctl' | 'chunks'>): void {
  for (let c; (c = Atomics.add(b.ctl, 0, 1)) < b.chunks;) {
    const bad = cryptBlocks(b.open, b.keys, b.src, b.dst, b.tags, b.bs, c * CHUNK_BLOCKS, Math.min(b.n, (c + 1) * CHUNK_BLOCKS));
    if (bad >= 0) Atomics.compareExchange(b.ctl, 2, 0, bad + 1);
    Atomics.add(b.ctl, 1, 1);
  }
}

/** The worker's body (CommonJS, eval'd): the two functions above, then -1 or an error message per batch. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const ZERO_IV = new Uint8Array(12);
const CHUNK_BLOCKS = ${CHUNK_BLOCKS};
${cryptBlocks.toString()}
${claimChunks.toString()}
parentPort.on('message', (b) => {
  try {
    claimChunks(b);
    parentPort.postMessage(-1);
  } catch (e) {
    parentPort.postMessage(String((e && e.message) || e));
  }
});
`;

const isShared = (a: Uint8Array) => a.buffer instanceof SharedArrayBuffer;

interface SealWorker {
  worker: Worker;
  /** Batches posted to this worker, oldest first (it answers in order). */
  pending: Batch[];
}

/**
 * Worker threads for the batched calls. Workers are started on first use and unref'd while idle,
 * so that they never keep the process alive; a worker that dies fails its batches and is replaced
 * on the next call.
 */
class SealPool {
  private readonly workers: (SealWorker | undefined)[] = new Array(POOL_SIZE).fill(undefined);
  /** Unsettled batches by the promise their call returned (help() works on one). */
  private readonly active = new WeakMap<Promise<number>, Batch>();

  private get(i: number): SealWorker {
    let w = this.workers[i];
    if (w) return w;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    const sw: SealWorker = { worker, pending: [] };
    const fail = (e: Error) => {
      if (this.workers[i] === sw) this.workers[i] = undefined;
      for (const b of sw.pending.splice(0)) this.settle(b, e);
    };
    worker.on('message', (msg: string | number) => {
      const b = sw.pending.shift();
      if (sw.pending.length === 0) worker.unref();
      if (b) this.settle(b, typeof msg === 'number' ? undefined : new Error(`AES-GCM worker: ${msg}`));
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`AES-GCM worker exited (${code})`)));
    worker.unref();
    this.workers[i] = w = sw;
    return w;
  }

  /** Settles `b` on an error, or once every chunk is finished (called on each progress event). */
  private settle(b: Batch, err?: Error): void {
    if (b.settled) return;
    if (err) {
      b.settled = true;
      b.reject(err);
    } else if (Atomics.load(b.ctl, 1) === b.chunks) {
      b.settled = true;
      b.resolve(Atomics.load(b.ctl, 2) - 1);
    }
  }

  /** Posts a batch to the workers; resolves to a block that failed authentication (decryption) or -1. */
  run(open: boolean, keys: Uint8Array, src: Uint8Array, dst: Uint8Array, tags: Uint8Array, bs: number, n: number): Promise<number> {
    let b: Batch | undefined;
    const p = new Promise<number>((resolve, reject) => {
      const chunks = Math.ceil(n / CHUNK_BLOCKS);
      const ctl = new Int32Array(new SharedArrayBuffer(12));
      b = { open, keys, src, dst, tags, bs, n, ctl, chunks, settled: false, resolve, reject };
    });
    const batch = b!;
    this.active.set(p, batch);
    const helpers = Math.min(POOL_SIZE, Math.ceil(n / MIN_OFFLOAD_BLOCKS));
    for (let k = 0; k < helpers; k++) {
      const w = this.get(k);
      w.pending.push(batch);
      w.worker.ref();
      w.worker.postMessage({ open, keys, src, dst, tags, bs, n, ctl: batch.ctl, chunks: batch.chunks });
    }
    return p;
  }

  /** Runs the unclaimed chunks of the batch whose call returned `call` on this thread. */
  help(call: Promise<unknown>): void {
    const b = this.active.get(call as Promise<number>);
    if (!b || b.settled) return;
    claimChunks(b);
    this.settle(b);
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
  // Not async: the promise returned is the pool's own, by which helpPendingBlocks finds the batch.
  aesGcmEncryptBlocks(keys, plaintext, out, tags, bs) {
    try {
      const n = blockCount('aesGcmEncryptBlocks', keys, plaintext, out, tags, bs);
      if (n < MIN_OFFLOAD_BLOCKS || !isShared(plaintext) || !isShared(out) || !isShared(tags)) {
        cryptBlocks(false, keys, plaintext, out, tags, bs, 0, n);
        return Promise.resolve();
      }
      // Resolves to -1 (no block can fail): the value is not part of the contract.
      return (pool ??= new SealPool()).run(false, sharedCopy(keys), plaintext, out, tags, bs, n);
    } catch (e) {
      return Promise.reject(e);
    }
  },
  aesGcmDecryptBlocks(keys, ciphertext, out, tags, bs) {
    try {
      const n = blockCount('aesGcmDecryptBlocks', keys, ciphertext, out, tags, bs);
      if (n < MIN_OFFLOAD_BLOCKS || !isShared(ciphertext) || !isShared(out)) return Promise.resolve(cryptBlocks(true, keys, ciphertext, out, tags, bs, 0, n));
      return (pool ??= new SealPool()).run(true, sharedCopy(keys), ciphertext, out, sharedCopy(tags), bs, n);
    } catch (e) {
      return Promise.reject(e);
    }
  },
  helpPendingBlocks(call) {
    pool?.help(call);
  },
  allocShared,
};
