// A process's linear memory as the kernel sees it: bounds-checked views, like copy_{from,to}_user.
// Only the ABI layer uses it; below it, handlers get Uint8Arrays and strings.
import { fail } from '../errno.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });
const enc = new TextEncoder();

export class UserMemory {
  private buf: ArrayBufferLike;
  private u8c: Uint8Array;
  private dvc: DataView;

  constructor(readonly memory: WebAssembly.Memory) {
    this.buf = memory.buffer;
    this.u8c = new Uint8Array(this.buf);
    this.dvc = new DataView(this.buf);
  }

  /** Refreshes views if the program grew its memory. */
  private refresh(): void {
    const b = this.memory.buffer;
    if (b.byteLength !== this.buf.byteLength) {
      this.buf = b;
      this.u8c = new Uint8Array(b);
      this.dvc = new DataView(b);
    }
  }

  get size(): number { this.refresh(); return this.buf.byteLength; }

  private check(ptr: number, len: number): void {
    if (!Number.isInteger(ptr) || !Number.isInteger(len) || ptr < 0 || len < 0) fail('EFAULT');
    if (ptr + len > this.buf.byteLength) {
      this.refresh();
      if (ptr + len > this.buf.byteLength) fail('EFAULT', `buffer [${ptr}, +${len}) is outside the process's memory`);
    }
  }

  /** A live view of [ptr, ptr+len) (no copy). */
  bytes(ptr: number, len: number): Uint8Array {
    this.check(ptr, len);
    return this.u8c.subarray(ptr, ptr + len);
  }

  u32(ptr: number): number { this.check(ptr, 4); return this.dvc.getUint32(ptr, true); }
  i32(ptr: number): number { this.check(ptr, 4); return this.dvc.getInt32(ptr, true); }
  u64(ptr: number): bigint { this.check(ptr, 8); return this.dvc.getBigUint64(ptr, true); }
  u16(ptr: number): number { this.check(ptr, 2); return this.dvc.getUint16(ptr, true); }
  u8(ptr: number): number { this.check(ptr, 1); return this.u8c[ptr]!; }
  setU8(ptr: number, v: number): void { this.check(ptr, 1); this.u8c[ptr] = v; }
  setU16(ptr: number, v: number): void { this.check(ptr, 2); this.dvc.setUint16(ptr, v, true); }
  setU32(ptr: number, v: number): void { this.check(ptr, 4); this.dvc.setUint32(ptr, v >>> 0, true); }
  setI32(ptr: number, v: number): void { this.check(ptr, 4); this.dvc.setInt32(ptr, v, true); }
  setU64(ptr: number, v: bigint | number): void {
    this.check(ptr, 8);
    if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER) {
      this.dvc.setUint32(ptr, v >>> 0, true);
      this.dvc.setUint32(ptr + 4, Math.floor(v / 4294967296), true);
    } else {
      this.dvc.setBigUint64(ptr, BigInt.asUintN(64, BigInt(v)), true);
    }
  }
  setI64(ptr: number, v: bigint | number): void { this.check(ptr, 8); this.dvc.setBigInt64(ptr, BigInt.asIntN(64, BigInt(v)), true); }

  /** A string of exactly `len` bytes (WASI passes lengths). */
  string(ptr: number, len: number): string {
    return utf8.decode(this.bytes(ptr, len).slice());
  }

  /** A NUL-terminated string of at most `max` bytes (Linux ABI). ENAMETOOLONG past max. */
  cstring(ptr: number, max = 4096): string {
    this.check(ptr, 0);
    const end = Math.min(this.buf.byteLength, ptr + max);
    const i = this.u8c.subarray(ptr, end).indexOf(0);
    if (i < 0) fail(end === ptr + max ? 'ENAMETOOLONG' : 'EFAULT');
    return utf8.decode(this.u8c.slice(ptr, ptr + i));
  }

  /** Writes bytes at ptr. */
  write(ptr: number, data: Uint8Array): void {
    this.check(ptr, data.length);
    this.u8c.set(data, ptr);
  }

  writeString(ptr: number, s: string, max: number): number {
    const b = enc.encode(s);
    const n = Math.min(b.length, max);
    this.write(ptr, b.subarray(0, n));
    return n;
  }

  /** Gathers an iovec array ({u32 ptr, u32 len} pairs) into views. */
  iovecs(iovPtr: number, count: number): Uint8Array[] {
    if (count < 0 || count > 1024) fail('EINVAL', 'iovcnt');
    this.check(iovPtr, count * 8);
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const p = this.dvc.getUint32(iovPtr + i * 8, true);
      const l = this.dvc.getUint32(iovPtr + i * 8 + 4, true);
      out.push(this.bytes(p, l));
    }
    return out;
  }
}
