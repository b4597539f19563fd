// Resource limits of Occlum.json (issue: file systems and measured boot, item 5): the heap cap
// (process.default_heap_size), the shared user space (resource_limits.user_space_size) and the
// thread slots (max_num_of_threads), seen by a program as ENOMEM/EAGAIN, with a log line naming
// the Occlum.json field; and `occlum run` of a program that does not fit.
// covers: spawn
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { compileProgram, LibOS, PROGRAMS_DIR } from './helpers/libos.js';
import type { LimitSettings } from '../src/kernel/process/limits.js';

const MB = 1024 * 1024;
let prog = '';

before(async () => {
  prog = await compileProgram(path.join(PROGRAMS_DIR, 'limits', 'limits.c'));
});

async function run(limits: LimitSettings, args: string[]): Promise<{ stdout: string; log: string[]; libos: LibOS }> {
  const libos = await LibOS.boot({ programs: { limits: prog }, limits, logLevel: 'warn' });
  try {
    const r = await libos.run('limits', args, { timeoutMs: 60_000 });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(libos.leaks(), []);
    return { stdout: r.stdout, log: libos.kernelLog, libos };
  } finally {
    await libos.shutdown();
  }
}

test('process.default_heap_size caps a program\'s memory: malloc returns NULL with ENOMEM', async () => {
  const small = await run({ userSpaceBytes: 300 * MB, heapBytes: 8 * MB, maxThreads: 32 }, ['heap']);
  const m = /heap MiB=(\d+) errno=(\w+)/.exec(small.stdout);
  assert.ok(m, small.stdout);
  assert.equal(m[2], 'ENOMEM');
  assert.ok(Number(m[1]) >= 5 && Number(m[1]) <= 8, `got ${m[1]} MiB under an 8 MB cap`);
  assert.ok(small.log.some((l) => /process\.default_heap_size/.test(l)), small.log.join('\n'));

  const big = await run({ userSpaceBytes: 300 * MB, heapBytes: 40 * MB, maxThreads: 32 }, ['heap']);
  const n = Number(/heap MiB=(\d+)/.exec(big.stdout)?.[1]);
  assert.ok(n >= 37 && n <= 40, `got ${n} MiB under a 40 MB cap`);
});

test('resource_limits.user_space_size: spawns fail with ENOMEM once the pool is reserved, and work again after release', async () => {
  // Each process reserves its initial memory (4 MiB of it is occlum-cc's default stack) + 8 MB of
  // heap, about 12.1 MB: 4 fit into 52 MB (the parent + 3 children), 5 do not.
  const r = await run({ userSpaceBytes: 52 * MB, heapBytes: 8 * MB, maxThreads: 100 }, ['spawns']);
  assert.match(r.stdout, /^children=3 then ENOMEM$/m);
  assert.match(r.stdout, /^after release: spawn ok, exit 7$/m);
  assert.ok(r.log.some((l) => /raise resource_limits\.user_space_size in Occlum\.json/.test(l)), r.log.join('\n'));
});

test('resource_limits.max_num_of_threads: spawns fail with EAGAIN when every slot is taken', async () => {
  const r = await run({ userSpaceBytes: 300 * MB, heapBytes: undefined, maxThreads: 5 }, ['spawns']);
  assert.match(r.stdout, /^children=4 then EAGAIN$/m);
  assert.match(r.stdout, /^after release: spawn ok, exit 7$/m);
  assert.ok(r.log.some((l) => /max_num_of_threads/.test(l)), r.log.join('\n'));
});

test('a root program that does not fit into user_space_size cannot start, and the error names the field', async () => {
  const libos = await LibOS.boot({ programs: { limits: prog }, limits: { userSpaceBytes: 4 * MB, heapBytes: 8 * MB, maxThreads: 32 } });
  try {
    await assert.rejects(libos.run('limits', ['exit']), /user_space_size/);
    assert.equal(libos.kernel.limits.usedBytes, 0);
    assert.equal(libos.kernel.limits.liveThreads, 0);
  } finally {
    await libos.shutdown();
  }
});
