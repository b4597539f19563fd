// Worker-side fast paths, like Linux's vDSO: WASI calls that need no kernel state are
// answered inside the process's own worker (args/environ after start, clocks, random,
// sched_yield). Everything else crosses the SyscallChannel.
import { randomFillSync } from 'node:crypto';

const WASI_ESUCCESS = 0, WASI_EFAULT = 21, WASI_EINVAL = 28;

type Fn = (...args: never[]) => number;

export interface VdsoContext {
  memory: WebAssembly.Memory;
  argv: string[];
  env: string[];
  startNs: bigint;
}

export function vdsoFunctions(ctx: VdsoContext): Record<string, Fn> {
  const enc = new TextEncoder();
  const argv = ctx.argv.map((s) => enc.encode(s + '\0'));
  const env = ctx.env.map((s) => enc.encode(s + '\0'));
  // A cached view of the program's memory: reading memory.buffer costs ~60 ns on a shared
  // memory, and only this thread grows it, so refresh only when a pointer falls outside.
  let dv = new DataView(ctx.memory.buffer);
  const view = () => dv;
  const inBounds = (ptr: number, len: number): boolean => {
    if (ptr < 0 || len < 0) return false;
    if (ptr + len <= dv.byteLength) return true;
    dv = new DataView(ctx.memory.buffer);
    return ptr + len <= dv.byteLength;
  };

  const sizes = (list: Uint8Array[]) => (countPtr: number, sizePtr: number): number => {
    if (!inBounds(countPtr, 4) || !inBounds(sizePtr, 4)) return WASI_EFAULT;
    const dv = view();
    dv.setUint32(countPtr, list.length, true);
    dv.setUint32(sizePtr, list.reduce((a, b) => a + b.length, 0), true);
    return WASI_ESUCCESS;
  };
  const get = (list: Uint8Array[]) => (ptrsPtr: number, bufPtr: number): number => {
    const total = list.reduce((a, b) => a + b.length, 0);
    if (!inBounds(ptrsPtr, list.length * 4) || !inBounds(bufPtr, total)) return WASI_EFAULT;
    const dv = view();
    const u8 = new Uint8Array(ctx.memory.buffer);
    let p = bufPtr;
    list.forEach((s, i) => {
      dv.setUint32(ptrsPtr + i * 4, p, true);
      u8.set(s, p);
      p += s.length;
    });
    return WASI_ESUCCESS;
  };

  const now = (id: number): bigint | undefined => {
    switch (id) {
      case 0: return BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000)) * 1000n;  // REALTIME
      case 1: return process.hrtime.bigint();                                             // MONOTONIC
      case 2: case 3: return process.hrtime.bigint() - ctx.startNs;                       // CPU time (approx.)
      default: return undefined;
    }
  };

  return {
    'wasi_snapshot_preview1.args_sizes_get': sizes(argv),
    'wasi_snapshot_preview1.args_get': get(argv),
    'wasi_snapshot_preview1.environ_sizes_get': sizes(env),
    'wasi_snapshot_preview1.environ_get': get(env),
    'wasi_snapshot_preview1.clock_time_get': (id: number, _precision: bigint, out: number): number => {
      const t = now(id);
      if (t === undefined) return WASI_EINVAL;
      if (!inBounds(out, 8)) return WASI_EFAULT;
      view().setBigUint64(out, t, true);
      return WASI_ESUCCESS;
    },
    'wasi_snapshot_preview1.clock_res_get': (id: number, out: number): number => {
      if (id < 0 || id > 3) return WASI_EINVAL;
      if (!inBounds(out, 8)) return WASI_EFAULT;
      view().setBigUint64(out, id === 0 ? 1000n : 1n, true);
      return WASI_ESUCCESS;
    },
    'wasi_snapshot_preview1.random_get': (buf: number, len: number): number => {
      if (!inBounds(buf, len)) return WASI_EFAULT;
      // randomFillSync rejects SharedArrayBuffer-backed views larger than 64 KiB at a time
      const u8 = new Uint8Array(ctx.memory.buffer, buf, len);
      for (let off = 0; off < len; off += 65536) randomFillSync(u8.subarray(off, Math.min(len, off + 65536)));
      return WASI_ESUCCESS;
    },
    'wasi_snapshot_preview1.sched_yield': (): number => WASI_ESUCCESS,
  };
}
