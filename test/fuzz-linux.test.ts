// Robustness of the `linux` import module: a program calls its functions with random arguments
// (test/programs/fuzz_linux.c); every call must return a value or a Linux -errno, the kernel must
// log no bug (an exception other than an errno), and it must go on serving a well-behaved program.
// covers: wait4 setpgid getgroups rt_sigprocmask pipe2 dup dup3 fcntl flock fallocate getdents64 statfs fstatfs mount umount2 faccessat fchmodat mkdirat eventfd2 ioctl getcwd chdir fchdir prlimit64
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileProgram, LibOS } from './helpers/libos.js';

const SEED = process.env['FUZZ_SEED'] ?? '20261124';
const CALLS = Number(process.env['FUZZ_CALLS'] ?? 30000);

test(`fuzz_linux: ${CALLS} random calls of the linux module (seed ${SEED})`, { timeout: 180_000 }, async (t) => {
  const [fuzz, hello] = await Promise.all([compileProgram('fuzz_linux'), compileProgram('hello')]);
  const libos = await LibOS.boot({ programs: { fuzz_linux: fuzz, hello } });
  try {
    const r = await libos.run('fuzz_linux', [SEED, String(CALLS)], { timeoutMs: 150_000 });
    assert.equal(r.timedOut, false, 'the fuzzer hung');
    assert.equal(r.exitCode, 0, `status ${r.status}: ${r.stdout.slice(-2000)}${r.stderr}`);
    const summary = /^calls=(\d+) bad=(\d+)$/m.exec(r.stdout);
    assert.ok(summary, r.stdout.slice(-2000));
    assert.equal(Number(summary[1]), CALLS);
    assert.equal(Number(summary[2]), 0, r.stdout.split('\n').filter((l) => l.startsWith('bad ')).join('\n'));
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('fn '));
    assert.ok(lines.every((l) => !/calls=0 /.test(l)), 'every function was called');
    t.diagnostic(`${lines.filter((l) => !/ ok=0$/.test(l)).length} of ${lines.length} functions succeeded at least once`);
    assert.deepEqual(libos.kernelBugs(), []);
    const h = await libos.run('hello', ['after']);
    assert.equal(h.exitCode, 0);
    assert.match(h.stdout, /after/);
  } finally {
    await libos.shutdown();
  }
});
