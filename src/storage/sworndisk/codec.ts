// Little-endian integer codecs, byte helpers and a bounded LRU map for SwornDisk's on-disk formats.
// Integers are JS numbers: u48 covers 2^48 blocks (1 EiB of 4 KiB blocks); u64 fields are written
// as u64 but must stay below 2^53 (checked).
import { StorageError } from '../block-device.js';

export function getU16(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}

export function setU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
}

export function getU32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
}

export function setU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

export function getU48(b: Uint8Array, o: number): number {
  return getU32(b, o) + (b[o + 4] | (b[o + 5] << 8)) * 0x100000000;
}

export function setU48(b: Uint8Array, o: number, v: number): void {
  setU32(b, o, v >>> 0);
  setU16(b, o + 4, Math.floor(v / 0x100000000));
}

export function getU64(b: Uint8Array, o: number): number {
  const hi = getU32(b, o + 4);
  if (hi >= 0x200000) throw new StorageError('EIO', 'u64 field out of range');
  return getU32(b, o) + hi * 0x100000000;
}

export function setU64(b: Uint8Array, o: number, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`u64 value ${v}`);
  setU32(b, o, v >>> 0);
  setU32(b, o + 4, Math.floor(v / 0x100000000));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

const enc = new TextEncoder();
export const ascii = (s: string): Uint8Array => enc.encode(s);

/** A sequential writer/reader over a byte buffer (checkpoint and superblock payloads). */
export class ByteCursor {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new StorageError('EIO', 'record runs past the end of its buffer');
  }
  u8(v?: number): number {
    this.need(1);
    if (v !== undefined) this.buf[this.pos] = v;
    return this.buf[this.pos++];
  }
  u32(v?: number): number {
    this.need(4);
    if (v !== undefined) setU32(this.buf, this.pos, v);
    const r = getU32(this.buf, this.pos);
    this.pos += 4;
    return r;
  }
  u64(v?: number): number {
    this.need(8);
    if (v !== undefined) setU64(this.buf, this.pos, v);
    const r = getU64(this.buf, this.pos);
    this.pos += 8;
    return r;
  }
  bytes(n: number, v?: Uint8Array): Uint8Array {
    this.need(n);
    if (v !== undefined) {
      if (v.length !== n) throw new RangeError(`bytes(${n}) given ${v.length}`);
      this.buf.set(v, this.pos);
    }
    const r = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return r;
  }
}

/**
 * Recency order over `capacity` slots: an intrusive doubly linked list in typed arrays, so that
 * touching and evicting are O(1). (Evicting through a Map's first entry is not: V8 keeps deleted
 * entries as holes that every iteration from the start has to skip.)
 */
class SlotList {
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  /** Most recently used slot, or -1. */
  private head = -1;
  /** Least recently used slot, or -1. */
  tail = -1;

  constructor(capacity: number) {
    this.prev = new Int32Array(capacity);
    this.next = new Int32Array(capacity);
  }

  unlink(s: number): void {
    const p = this.prev[s], n = this.next[s];
    if (p >= 0) this.next[p] = n; else this.head = n;
    if (n >= 0) this.prev[n] = p; else this.tail = p;
  }

  pushFront(s: number): void {
    this.prev[s] = -1;
    this.next[s] = this.head;
    if (this.head >= 0) this.prev[this.head] = s; else this.tail = s;
    this.head = s;
  }

  touch(s: number): void {
    if (this.head === s) return;
    this.unlink(s);
    this.pushFront(s);
  }
}

/**
 * The bookkeeping both LRU caches share: which of `capacity` slots holds which key, in recency
 * order, with hit/miss counts. Subclasses keep the values in their own storage, by slot.
 */
abstract class LruSlots<K> {
  private readonly map = new Map<K, number>();
  private readonly keyOf: K[] = [];
  private readonly order: SlotList;
  private readonly free: number[] = [];
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {
    this.order = new SlotList(Math.max(0, capacity));
    for (let i = capacity - 1; i >= 0; i--) this.free.push(i);
  }

  get size(): number { return this.map.size; }

  has(k: K): boolean { return this.map.has(k); }

  keys(): IterableIterator<K> { return this.map.keys(); }

  /** The slot of `k`, made most recent (a hit), or -1 (a miss). */
  protected find(k: K): number {
    const s = this.map.get(k);
    if (s === undefined) {
      this.misses++;
      return -1;
    }
    this.hits++;
    this.order.touch(s);
    return s;
  }

  /** The slot for `k`, most recent: its own, a free one, or the least recent one's (evicted). */
  protected claim(k: K): number {
    let s = this.map.get(k);
    if (s !== undefined) {
      this.order.touch(s);
      return s;
    }
    s = this.free.pop();
    if (s === undefined) {
      s = this.order.tail;
      this.order.unlink(s);
      this.map.delete(this.keyOf[s]!);
    }
    this.map.set(k, s);
    this.keyOf[s] = k;
    this.order.pushFront(s);
    return s;
  }

  /** Frees the slot of `k`; returns it, or -1 if `k` is not cached. */
  protected remove(k: K): number {
    const s = this.map.get(k);
    if (s === undefined) return -1;
    this.map.delete(k);
    this.order.unlink(s);
    this.free.push(s);
    return s;
  }
}

/** A map that keeps at most `capacity` entries and drops the least recently used one. */
export class Lru<K, V> extends LruSlots<K> {
  private readonly vals: (V | undefined)[] = [];

  get(k: K): V | undefined {
    const s = this.find(k);
    return s < 0 ? undefined : this.vals[s];
  }

  set(k: K, v: V): void {
    if (this.capacity <= 0) return;
    this.vals[this.claim(k)] = v;
  }

  delete(k: K): void {
    const s = this.remove(k);
    if (s >= 0) this.vals[s] = undefined;
  }
}

/**
 * An LRU cache of 4 KiB blocks in one preallocated slab: entries are copied in and out, so caching
 * allocates nothing (cached blocks would otherwise all be promoted to the old GC generation).
 */
export class BlockLru extends LruSlots<number> {
  private readonly slab: Uint8Array;

  constructor(capacity: number, readonly blockSize = 4096) {
    super(capacity);
    this.slab = new Uint8Array(capacity * blockSize);
  }

  /** Copies the cached block into out[off..]; false on a miss. */
  copyOut(k: number, out: Uint8Array, off: number): boolean {
    const s = this.find(k);
    if (s < 0) return false;
    out.set(this.slab.subarray(s * this.blockSize, (s + 1) * this.blockSize), off);
    return true;
  }

  set(k: number, data: Uint8Array): void {
    if (this.capacity <= 0) return;
    this.slab.set(data.subarray(0, this.blockSize), this.claim(k) * this.blockSize);
  }

  delete(k: number): void { this.remove(k); }
}
