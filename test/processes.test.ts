// Multi-process robustness (issue: multi-process): concurrent spawns all reaped, SIGKILL of a busy
// child, a 10k-signal storm with SIGCHLD-driven reaping, SIGPIPE/EPIPE, a child killed mid-write,
// and 1000 spawn/exit cycles leaving no worker or memory behind. Each scenario also runs natively
// (gcc) and must print the same result lines.
// covers: spawn wait4 kill rt_sigaction pipe2 dup2 clock_nanosleep exit_group
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { compileProgram, compileNative, LibOS, PROGRAMS_DIR } from './helpers/libos.js';
import { execFileSync } from 'node:child_process';

let robust = '', child = '', natRobust = '', natChild = '';

before(async () => {
  robust = await compileProgram(path.join(PROGRAMS_DIR, 'robust', 'robust.c'), ['-O2']);
  child = await compileProgram(path.join(PROGRAMS_DIR, 'robust', 'child.c'), ['-O2']);
  natRobust = await compileNative(path.join(PROGRAMS_DIR, 'robust', 'robust.c'));
  natChild = await compileNative(path.join(PROGRAMS_DIR, 'robust', 'child.c'));
});

function native(args: string[]): string {
  return execFileSync(natRobust, args, { env: { ROBUST_CHILD: natChild }, encoding: 'utf8', timeout: 60_000 });
}

async function inLibOS(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number | null; libos: LibOS }> {
  const libos = await LibOS.boot({ programs: { robust, child } });
  try {
    const r = await libos.run('robust', args, { timeoutMs: 60_000 });
    assert.equal(r.timedOut, false, `timed out: ${r.stdout} ${r.stderr}`);
    assert.deepEqual(libos.kernelLog.filter((l) => /kernel bug/i.test(l)), []);
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, libos };
  } finally {
    await libos.shutdown();
  }
}

test('100 processes spawned concurrently are all reaped with the right statuses', async () => {
  const r = await inLibOS(['concurrent', '100']);
  assert.equal(r.stdout, 'spawned 100 reaped_ok 100 leftover_wait -1 errno_echild 1\n');
  assert.equal(r.stdout, native(['concurrent', '100']));
  assert.equal(r.exitCode, 0);
});

test('SIGKILL ends a child in a compute loop within 100 ms; the parent sees signal 9 (shell status 137)', async () => {
  const r = await inLibOS(['killbusy']);
  assert.equal(r.stdout, 'signaled 1 termsig 9 shell_status 137 fast 1\n', r.stderr);
  assert.equal(r.stdout, native(['killbusy']));
});

test('a storm of 10k signals loses no SIGCHLD-driven reaping and crashes nothing', async () => {
  const r = await inLibOS(['storm', '50']);
  assert.equal(r.stdout, 'children 50 reaped 50 usr1_seen 1\n', r.stderr);
  assert.equal(r.stdout, native(['storm', '50']));
  assert.equal(r.exitCode, 0);
});

test('writing to a pipe with no reader: EPIPE when SIGPIPE is ignored, death by SIGPIPE by default', async () => {
  const r = await inLibOS(['epipe']);
  assert.equal(r.stdout, 'write -1 epipe 1\nchild signaled 1 sigpipe 1\n');
  assert.equal(r.stdout, native(['epipe']));
});

test('a child killed in the middle of a blocked write leaves its peers working', async () => {
  const r = await inLibOS(['midwrite']);
  assert.equal(r.stdout, 'victim killed 1 peer said: still alive\npeer exit 0\n', r.stderr);
  assert.equal(r.stdout, native(['midwrite']));
});

test('1000 spawn/exit cycles leave no process, worker or memory behind (measured)', async () => {
  const libos = await LibOS.boot({ programs: { robust, child } });
  try {
    const k = libos.kernel;
    const warm = await libos.run('robust', ['cycles', '100'], { timeoutMs: 120_000 });
    assert.equal(warm.stdout, 'cycles 100 ok 100\n');
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const rss0 = process.memoryUsage().rss;
    const r = await libos.run('robust', ['cycles', '1000'], { timeoutMs: 300_000 });
    assert.equal(r.stdout, 'cycles 1000 ok 1000\n', r.stderr);
    await new Promise((res) => setTimeout(res, 200));
    gc?.();
    const rss1 = process.memoryUsage().rss;
    const grownMiB = (rss1 - rss0) / 2 ** 20;
    // Every process has left the table; idle workers are capped by the pool, not by the cycle count.
    assert.equal([...k.processes.values()].filter((p) => p.alive).length, 0);
    assert.equal(k.processes.size, 0);
    assert.ok(k.pool.idleCount <= 8, `idle workers: ${k.pool.idleCount}`);
    console.log(`# 1000 spawn/exit cycles: RSS ${(rss0 / 2 ** 20).toFixed(1)} -> ${(rss1 / 2 ** 20).toFixed(1)} MiB (${grownMiB >= 0 ? '+' : ''}${grownMiB.toFixed(1)} MiB), idle workers ${k.pool.idleCount}`);
    // A leak of one worker or one 4 MiB-stack memory per cycle would be gigabytes; allow noise.
    assert.ok(grownMiB < 64, `RSS grew by ${grownMiB.toFixed(1)} MiB over 1000 cycles`);
  } finally {
    await libos.shutdown();
  }
});
