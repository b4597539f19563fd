// compute: CPU-bound kernels (bench/programs/compute.c), each timed inside the program.
//
// The same .wasm runs in the LibOS, under node:wasi, and under node:wasi after the LibOS's module
// rewrite (memory turned into an imported shared memory: tells shared memory's cost apart from the
// LibOS's), and under node:wasi --no-liftoff (every function compiled by TurboFan up front: V8
// has no on-stack replacement for Wasm, so a long loop entered once keeps running the baseline
// Liftoff code; this column shows what optimized code would give); gcc -O2 builds the native
// baseline. Systems are interleaved (A B C D, A B C D, ...) so
// that machine noise hits all alike, and the best (minimum) time per kernel is kept. Every run's
// checksums must agree with every other's.
import * as path from 'node:path';
import {
  System, BenchError, compileNative, compileWasm, expectSuccess, geomean, PROGRAMS_DIR, runLibOS, runNative, runNodeWasi,
  type Benchmark, type BenchOptions, type BenchRow, type RunOutput,
} from './harness.js';

const SOURCE = path.join(PROGRAMS_DIR, 'compute.c');

/** Targets from the issue: LibOS/native and LibOS/node:wasi ratios. */
const TARGET_VS_NATIVE = 1.3;
const TARGET_VS_WASI = 1.05;

interface KernelResult { ns: number; check: string }

function parse(out: RunOutput, system: string): Map<string, KernelResult> {
  const m = new Map<string, KernelResult>();
  let done = -1;
  for (const line of out.stdout.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts[0] === 'done') { done = Number(parts[1]); continue; }
    if (parts.length < 3) continue;
    const ns = Number(parts[1]);
    if (!Number.isFinite(ns)) throw new BenchError(`compute on ${system}: bad line "${line}"`);
    m.set(parts[0]!, { ns, check: parts.slice(2).join(' ') });
  }
  if (done !== m.size || done <= 0) throw new BenchError(`compute on ${system}: incomplete output (${m.size} kernels, done ${done})`);
  return m;
}

export const computeBench: Benchmark = {
  name: 'compute',
  description: 'CPU-bound C kernels (sha256, quicksort, n-body, matmul, sieve): ms per kernel vs node:wasi and native',
  systems: [System.nodeWasi, System.nodeWasiShared, System.nodeWasiTurbofan, System.native],
  ratioSystems: [System.nodeWasi, System.nodeWasiShared, System.native],

  async run(opts: BenchOptions): Promise<BenchRow[]> {
    const reps = opts.quick ? 1 : 3;
    opts.progress('compute: compiling');
    const wasm = await compileWasm(SOURCE, ['-O2']);
    const exe = compileNative(SOURCE, ['-O2'], ['-lm']);

    const runners: Array<[string, () => Promise<RunOutput>]> = [
      [System.libos, () => runLibOS(wasm, [])],
      [System.nodeWasi, () => runNodeWasi(wasm, [])],
      [System.nodeWasiShared, () => runNodeWasi(wasm, [], { shared: true })],
      [System.nodeWasiTurbofan, () => runNodeWasi(wasm, [], { nodeFlags: ['--no-liftoff'] })],
    ];
    if (exe !== null) runners.push([System.native, () => runNative(exe, [])]);
    else opts.progress('compute: gcc not found, no native comparison');

    // best[system][kernel] = min ns; checks[kernel] = the checksum every run must print.
    const best = new Map<string, Map<string, number>>();
    const checks = new Map<string, { check: string; from: string }>();
    const kernels: string[] = [];
    for (let rep = 0; rep < reps; rep++) {
      for (const [system, run] of runners) {
        opts.progress(`compute: ${system} (run ${rep + 1}/${reps})`);
        const res = parse(expectSuccess(await run(), `compute on ${system}`), system);
        const b = best.get(system) ?? new Map<string, number>();
        best.set(system, b);
        for (const [k, r] of res) {
          if (!kernels.includes(k)) kernels.push(k);
          const prev = checks.get(k);
          if (prev === undefined) checks.set(k, { check: r.check, from: system });
          else if (prev.check !== r.check) {
            throw new BenchError(`compute: checksum of ${k} differs: ${prev.from} printed ${prev.check}, ${system} printed ${r.check}`);
          }
          b.set(k, Math.min(b.get(k) ?? Infinity, r.ns));
        }
      }
    }

    const ms = (system: string, k: string): number | undefined => {
      const ns = best.get(system)?.get(k);
      return ns === undefined ? undefined : ns / 1e6;
    };
    const target = (value: number, compare: Record<string, number>) => {
      const n = compare[System.native], w = compare[System.nodeWasi];
      const met = (n === undefined || value / n <= TARGET_VS_NATIVE) && (w === undefined || value / w <= TARGET_VS_WASI);
      return { text: `nat<=${TARGET_VS_NATIVE}x wasi<=${TARGET_VS_WASI}x`, met };
    };
    const rows: BenchRow[] = [];
    for (const k of kernels) {
      const compare: Record<string, number> = {};
      for (const sys of this.systems) {
        const v = ms(sys, k);
        if (v !== undefined) compare[sys] = v;
      }
      const value = ms(System.libos, k)!;
      rows.push({ bench: 'compute', case: k, unit: 'ms', value, compare, target: target(value, compare) });
    }
    // Geometric mean of the per-kernel times: its ratio column is the geometric mean of the ratios.
    const gcompare: Record<string, number> = {};
    for (const sys of this.systems) {
      if (rows.every((r) => r.compare[sys] !== undefined)) gcompare[sys] = geomean(rows.map((r) => r.compare[sys]!));
    }
    const gvalue = geomean(rows.map((r) => r.value));
    rows.push({ bench: 'compute', case: 'geomean', unit: 'ms', value: gvalue, compare: gcompare, target: target(gvalue, gcompare) });
    return rows;
  },
};
