// Robustness: test/programs/fuzz_wasi.c calls all 46 WASI functions with random arguments (bad
// pointers, fds, lengths, flags, paths) while a well-behaved program runs next to it in the same
// kernel. Every result must be a WASI errno, the other program's result must match a native run,
// the kernel must keep working, and nothing outside the hostfs directory may change on the host.
//
// Seed: OCCLUM_FUZZ_SEED (default fixed, so a failure reproduces); calls: OCCLUM_FUZZ_CALLS.
// covers: close fstat lseek readv writev sched_yield dup2 sendmsg recvmsg shutdown kill fcntl fsync fdatasync ftruncate getdents64 fadvise64 clock_gettime clock_getres clock_nanosleep openat mkdirat newfstatat unlinkat renameat linkat symlinkat readlinkat ppoll utimensat fallocate accept4 preadv pwritev getrandom
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileProgram, LibOS, runNative, tempDir, PROGRAMS_DIR } from './helpers/libos.js';

const SEED = process.env['OCCLUM_FUZZ_SEED'] ?? '20260601';
const CALLS = Number(process.env['OCCLUM_FUZZ_CALLS'] ?? 120_000);
const CHECKER_ROUNDS = '1500';

/** Every entry below `dir` (except `skip`): type, size, mode, mtime and content hash. */
function snapshot(dir: string, skip: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (p === skip) { out.push(`${p} (hostfs root, not compared)`); continue; }
      const st = fs.lstatSync(p);
      let what = `${p} mode=${st.mode.toString(8)} size=${st.size} mtime=${st.mtimeMs}`;
      if (st.isSymbolicLink()) what += ` -> ${fs.readlinkSync(p)}`;
      if (st.isFile()) what += ` sha256=${createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`;
      out.push(what);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

test(`fuzz_wasi: >= 100000 random WASI calls next to a well-behaved program (seed ${SEED})`, { timeout: 180_000 }, async (t) => {
  const [fuzz, checker, hello] = await Promise.all([compileProgram('fuzz_wasi'), compileProgram('checker'), compileProgram('hello')]);

  // The host side: <outer>/host is mounted at /host; everything else in <outer> must stay as it is.
  const outer = tempDir('occlum-ts-fuzz-');
  t.after(() => fs.rmSync(outer, { recursive: true, force: true }));
  const hostDir = path.join(outer, 'host');
  fs.mkdirSync(path.join(hostDir, 'fz'), { recursive: true });
  fs.writeFileSync(path.join(outer, 'sentinel.txt'), 'do not touch\n');
  fs.mkdirSync(path.join(outer, 'sentinel-dir'));
  fs.writeFileSync(path.join(outer, 'sentinel-dir', 'inner.txt'), 'inner\n');
  // Host symlinks that point out of the mount: the LibOS must resolve them in its own namespace.
  fs.symlinkSync('../sentinel-dir', path.join(hostDir, 'escape'));
  fs.symlinkSync('../../sentinel-dir', path.join(hostDir, 'fz', 'escape'));
  fs.symlinkSync(path.join(outer, 'sentinel-dir'), path.join(hostDir, 'fz', 'abs'));
  const before = snapshot(outer, hostDir);

  /** Host fds of this Node process open on files below `outer` (hostfs keeps one per open file). */
  const outerReal = fs.realpathSync(outer);
  const hostFdsUnder = () => fs.readdirSync('/proc/self/fd').flatMap((fd) => {
    try { const target = fs.readlinkSync(`/proc/self/fd/${fd}`); return target.startsWith(outerReal) ? [`${fd} -> ${target}`] : []; } catch { return []; }
  });
  const libos = await LibOS.boot({ programs: { fuzz_wasi: fuzz, checker, hello }, hostDir, dirs: ['/data'] });
  try {
    const t0 = performance.now();
    const fuzzer = await libos.spawn('fuzz_wasi', [SEED, String(CALLS)], { timeoutMs: 150_000 });
    const good = await libos.spawn('checker', ['/data/chk', '/host/chk', CHECKER_ROUNDS], { timeoutMs: 150_000 });
    const [fr, gr] = await Promise.all([fuzzer.result, good.result]);
    const ms = performance.now() - t0;

    // The fuzzer ran to its end, and every call returned a WASI errno.
    assert.equal(fr.timedOut, false, 'the fuzzer was killed by the harness timeout');
    assert.equal(fr.exitCode, 0, `fuzzer status ${fr.status} (${fuzzer.proc.endReason})\n${fr.stdout.slice(-2000)}`);
    const lines = fr.stdout.trimEnd().split('\n');
    const summary = /^calls=(\d+) bad_errno=(\d+)$/.exec(lines.at(-1) ?? '');
    assert.ok(summary, `no summary line:\n${fr.stdout.slice(-2000)}`);
    const calls = Number(summary[1]), bad = Number(summary[2]);
    t.diagnostic(`seed ${SEED}: ${calls} calls in ${(fr.ms / 1000).toFixed(1)} s (${(fr.ms * 1000 / calls).toFixed(1)} us/call); checker ${(gr.ms / 1000).toFixed(1)} s`);
    t.diagnostic(lines.find((l) => l.startsWith('errnos:')) ?? '');
    assert.equal(bad, 0, lines.filter((l) => l.startsWith('bad ')).join('\n'));
    assert.ok(calls >= 100_000, `only ${calls} calls`);
    const perFn = lines.filter((l) => l.startsWith('fn '));
    assert.equal(perFn.length, 46, 'one line per WASI function');
    for (const l of perFn) assert.match(l, /calls=[1-9]\d*/, `never called: ${l}`);
    assert.ok(ms < 60_000, `took ${(ms / 1000).toFixed(1)} s`);

    // The well-behaved program computed what it computes natively.
    const native = await runNative(path.join(PROGRAMS_DIR, 'checker.c'), ['d1', 'd2', CHECKER_ROUNDS]);
    assert.match(native.stdout, /^rounds=1500 checksum=[0-9a-f]{16} errors=0\n$/);
    assert.equal(gr.stderr, '');
    assert.equal(gr.stdout, native.stdout);
    assert.equal(gr.exitCode, 0);

    // The kernel still works and logged no internal errors.
    const h = await libos.run('hello', ['after', 'fuzz']);
    assert.equal(h.exitCode, 0);
    assert.equal(h.stdout, 'hello, world\narg 1: after\narg 2: fuzz\n');
    assert.deepEqual(libos.kernelBugs(), []);
    assert.deepEqual(libos.leaks(), []);
    assert.deepEqual(hostFdsUnder(), [], 'host fds still open after every process ended');
  } finally {
    await libos.shutdown();
  }
  // No host fd leaked, and nothing outside the hostfs directory changed on the host.
  assert.deepEqual(hostFdsUnder(), [], 'host fds left open by hostfs');
  const after = snapshot(outer, hostDir);
  assert.deepEqual(after, before);
});
