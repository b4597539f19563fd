// Multi-process benchmarks: `spawn` (posix_spawn + exit + waitpid of a tiny program) and `pipe`
// (bytes through a pipe between two processes, 64 KiB writes), LibOS vs native, same run.
import * as path from 'node:path';
import {
  BenchError, System, PROGRAMS_DIR, compileWasm, compileNative, runLibOS, runNative, expectSuccess, parseLines, numberOf,
  type Benchmark, type BenchRow,
} from './harness.js';

const src = (name: string) => path.join(PROGRAMS_DIR, name);

export const spawnBench: Benchmark = {
  name: 'spawn',
  description: 'posix_spawn + exit + waitpid of a tiny program, per iteration (targets: p50 <= 1 ms)',
  systems: [System.native],
  async run({ quick, progress }) {
    const n = quick ? 200 : 2000;
    progress('spawn: compiling');
    const wasm = await compileWasm(src('spawn.c'), ['-O2'], false);
    const child = await compileWasm(src('true.c'), ['-O2'], false);
    const native = compileNative(src('spawn.c'), ['-O2']);
    if (!native) throw new BenchError('gcc not found');
    progress('spawn: occlum-ts');
    const l = parseLines(expectSuccess(await runLibOS(wasm, ['/true.wasm', String(n)], [], { 'true.wasm': child }), 'spawn in the LibOS').stdout);
    progress('spawn: native');
    const nat = parseLines(expectSuccess(await runNative(native, ['/bin/true', String(n)]), 'native spawn').stdout);
    const row = (c: string, key: string, target?: number): BenchRow => {
      const v = numberOf(l, key, 'spawn') / 1e3;
      return {
        bench: 'spawn', case: c, unit: 'us', value: v, compare: { [System.native]: numberOf(nat, key, 'native spawn') / 1e3 },
        ...(target !== undefined ? { target: { text: `<= ${target}`, met: v <= target } } : {}),
      };
    };
    return [row('p50', 'p50_ns', 1000), row('p99', 'p99_ns'), row('mean', 'mean_ns')];
  },
};

export const pipeBench: Benchmark = {
  name: 'pipe',
  description: 'throughput of bytes through a pipe between two processes, 64 KiB writes (targets: >= 1000 MB/s, >= 0.3x native)',
  systems: [System.native],
  async run({ quick, progress }) {
    const mib = quick ? 256 : 1024;
    progress('pipe: compiling');
    const wasm = await compileWasm(src('pipe.c'), ['-O2'], false);
    const native = compileNative(src('pipe.c'), ['-O2']);
    if (!native) throw new BenchError('gcc not found');
    const best = { libos: 0, native: 0 };
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      progress(`pipe: occlum-ts (run ${i + 1})`);
      const l = parseLines(expectSuccess(await runLibOS(wasm, ['/prog.wasm', String(mib)]), 'pipe in the LibOS').stdout);
      progress(`pipe: native (run ${i + 1})`);
      const n = parseLines(expectSuccess(await runNative(native, [native, String(mib)]), 'native pipe').stdout);
      const mbps = (m: Map<string, string>, w: string) => numberOf(m, 'bytes', w) / (numberOf(m, 'ns', w) / 1e9) / 1e6;
      best.libos = Math.max(best.libos, mbps(l, 'pipe'));
      best.native = Math.max(best.native, mbps(n, 'native pipe'));
    }
    const ratio = best.libos / best.native;
    return [{
      bench: 'pipe', case: `${mib} MiB, 64 KiB writes`, unit: 'MB/s', value: best.libos, compare: { [System.native]: best.native },
      target: { text: `>= 1000, >= 0.3x native (${ratio.toFixed(2)}x)`, met: best.libos >= 1000 && ratio >= 0.3 },
    }];
  },
};
