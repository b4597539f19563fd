// Programs that trap end with the signal Linux would deliver (wait status "signaled"), a busy
// process can be killed from outside within 100 ms, and the kernel keeps running programs after.
// covers: kill exit_group
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { compileProgram, LibOS, type Running } from './helpers/libos.js';

const SIGILL = 4, SIGABRT = 6, SIGFPE = 8, SIGKILL = 9, SIGSEGV = 11, SIGTERM = 15;

let libos: LibOS;

before(async () => {
  libos = await LibOS.boot({ programs: { traps: await compileProgram('traps') } });
});

after(async () => {
  await libos.shutdown();
});

for (const [what, sig] of [['oob', SIGSEGV], ['trap', SIGILL], ['abort', SIGABRT], ['div0', SIGFPE], ['recurse', SIGSEGV]] as const) {
  test(`${what} ends the process with signal ${sig}`, async () => {
    const r = await libos.run('traps', [what], { timeoutMs: 20_000 });
    assert.equal(r.timedOut, false);
    assert.equal(r.signal, sig, `status ${r.status}`);
    assert.equal(r.exitCode, null);
    assert.equal(r.status & 0x7f, sig);
    assert.equal(r.stdout, `${what}: start\n`, 'ran up to the fault and no further');
  });
}

async function started(run: Running): Promise<void> {
  const t0 = Date.now();
  while (!run.stdio.stdout.includes('spinning\n')) {
    if (Date.now() - t0 > 10_000) throw new Error('spin did not start');
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 20)); // let it get deep into its loop
}

for (const sig of [SIGKILL, SIGTERM]) {
  test(`signal ${sig} ends a process in a compute loop within 100 ms`, async (t) => {
    const run = await libos.spawn('traps', ['spin'], { timeoutMs: 20_000 });
    await started(run);
    assert.ok(run.proc.alive);
    const t0 = performance.now();
    await libos.kernel.signal(run.proc, sig);
    const status = await run.proc.exited;
    const ms = performance.now() - t0;
    t.diagnostic(`signal ${sig} to exit: ${ms.toFixed(1)} ms`);
    assert.ok(ms < 100, `took ${ms.toFixed(1)} ms`);
    assert.equal(status & 0x7f, sig);
    const r = await run.result;
    assert.equal(r.signal, sig);
    assert.equal(r.timedOut, false);
  });
}

test('the kernel still runs a normal program after the traps and kills', async () => {
  const r = await libos.run('traps', ['hello']);
  assert.equal(r.exitCode, 0);
  assert.equal(r.stdout, 'hello: start\nhello from traps\n');
  assert.deepEqual(libos.kernelBugs(), []);
  assert.deepEqual(libos.leaks(), []);
});
