// Targeted tests of the trickier wasi_snapshot_preview1 functions (src/kernel/abi/wasi.ts), from
// test/programs/wasi_abi.c, which calls them directly (not through wasi-libc). Errnos are WASI's.
// Path checks run over the ramfs root (/tmp) and a hostfs mount (/host). One kernel serves all.
// covers: getdents64 ppoll clock_nanosleep fcntl dup2 utimensat fallocate kill fstat newfstatat ftruncate preadv pwritev readv writev openat mkdirat unlinkat close clock_gettime
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { compileProgram, LibOS, tempDir, type RunResult } from './helpers/libos.js';

const WASI_EINVAL = 28, WASI_EBADF = 8, WASI_ENOENT = 44, WASI_EILSEQ = 25, WASI_EFBIG = 22;
const FT_UNKNOWN = 0, FT_CHAR = 2, FT_DIR = 3, FT_REG = 4;

let libos: LibOS;
let hostDir = '';

before(async () => {
  const wasm = await compileProgram('wasi_abi');
  hostDir = tempDir('occlum-ts-wasi-abi-');
  libos = await LibOS.boot({ programs: { wasi_abi: wasm }, hostDir });
});

after(async () => {
  const bugs = libos.kernelBugs();
  const leaks = libos.leaks();
  await libos.shutdown();
  const left = fs.readdirSync(hostDir);
  fs.rmSync(hostDir, { recursive: true, force: true });
  assert.deepEqual(bugs, [], 'kernel bug lines in the kernel log');
  assert.deepEqual(leaks, [], 'processes or fds left over');
  assert.deepEqual(left, [], 'the checks clean up the hostfs directory');
});

async function run(args: string[], stdin?: Uint8Array): Promise<RunResult> {
  const r = await libos.run('wasi_abi', args, stdin ? { stdin } : {});
  assert.equal(r.timedOut, false);
  return r;
}

async function ok(args: string[]): Promise<string[]> {
  const r = await run(args);
  assert.equal(r.stderr, '');
  assert.equal(r.exitCode, 0, `${args.join(' ')} failed:\n${r.stdout}`);
  const lines = r.stdout.split('\n');
  assert.equal(lines.at(-2), 'done');
  return lines;
}

/** "key=value key2=value2" fields of the line starting with `prefix`. */
function fields(lines: string[], prefix: string): Record<string, string> {
  const line = lines.find((l) => l.startsWith(prefix));
  assert.ok(line !== undefined, `no line starting with ${prefix}`);
  const out: Record<string, string> = {};
  for (const m of line.slice(prefix.length).matchAll(/(\w+)=(\[[^\]]*\]|\S+)/g)) out[m[1]!] = m[2]!;
  return out;
}

const num = (f: Record<string, string>, k: string): number => {
  assert.ok(k in f, `field ${k} missing`);
  return Number(f[k]);
};

/** The names wasi_abi.c creates in its readdir check. */
function expectedNames(): string[] {
  const names = ['.', '..'];
  for (let i = 0; i < 20; i++) {
    const len = 1 + (i % 12);
    let s = '';
    for (let k = 0; k < len; k++) s += String.fromCharCode(97 + ((i + k) % 26));
    names.push(s + String(i).padStart(2, '0'));
  }
  return names.sort();
}

for (const dir of ['tmp', 'host']) {
  test(`fd_readdir lists every entry with small buffers that cut entries (${dir})`, async () => {
    const lines = await ok(['readdir', dir]);
    const want = expectedNames().join(',');
    const listings = lines.filter((l) => l.startsWith('bufsize='));
    assert.equal(listings.length, 3);
    for (const l of listings) {
      const f = fields([l], '');
      assert.equal(f['names'], want, l);
      assert.equal(num(f, 'entries'), 22);
    }
    const big = fields(lines, 'bufsize=4096');
    assert.equal(num(big, 'calls'), 1);
    assert.equal(num(big, 'cut'), 0);
    const small = fields(lines, 'bufsize=48');
    assert.ok(num(small, 'calls') > 10, 'a 48-byte buffer needs many calls');
    assert.ok(num(small, 'cut') > 0, 'entries were cut at the end of full buffers');
    const tiny = fields(lines, 'bufsize=30');
    assert.ok(num(tiny, 'grew') >= 1, 'an entry longer than the buffer forces the caller to grow it');
    assert.deepEqual(fields(lines, 'tiny'), { errno: '0', used: '8' });
    assert.deepEqual(fields(lines, 'past-end'), { errno: '0', used: '0' });
    assert.deepEqual(fields(lines, 'rmdir'), { errno: '0' });
  });
}

test('poll_oneoff with a clock subscription sleeps at least the timeout', async () => {
  const lines = await ok(['sleep']);
  for (const [what, minUs] of [['relative', 50_000], ['absolute', 29_000], ['zero', 0]] as const) {
    const f = fields(lines, `${what}:`);
    assert.equal(num(f, 'errno'), 0);
    assert.equal(num(f, 'nevents'), 1);
    assert.equal(num(f, 'type'), 0, 'event type clock');
    assert.equal(num(f, 'userdata_ok'), 1);
    assert.equal(num(f, 'event_error'), 0);
    const us = num(f, 'elapsed_us');
    assert.ok(us >= minUs, `${what}: slept ${us} us, wanted >= ${minUs}`);
    assert.ok(us < minUs + 2_000_000, `${what}: slept ${us} us`);
  }
});

test('fd_fdstat_get and fd_fdstat_set_flags', async () => {
  const lines = await ok(['fdstat', 'tmp']);
  // stdout is a pipe here: not a character device, not seekable, so not a tty for wasi-libc
  for (const fd of ['stdin:', 'stdout:']) {
    const f = fields(lines, fd);
    assert.equal(num(f, 'filetype'), FT_UNKNOWN, fd);
    assert.equal(num(f, 'can_seek'), 0, fd);
    assert.equal(num(f, 'wasi_isatty'), 0, fd);
  }
  assert.equal(num(fields(lines, 'stdout:'), 'can_write'), 1);
  const pre = fields(lines, 'preopen:');
  assert.equal(num(pre, 'filetype'), FT_DIR);
  assert.equal(num(pre, 'can_seek'), 1);
  assert.deepEqual(fields(lines, 'append file:'), {
    filetype: String(FT_REG), flags: '1', can_read: '1', can_write: '1', can_seek: '1', wasi_isatty: '0',
  });
  assert.equal(num(fields(lines, 'set_flags'), 'errno'), 0);
  assert.equal(num(fields(lines, 'after set_flags:'), 'flags'), 0);
  assert.equal(num(fields(lines, 'closed:'), 'errno'), WASI_EBADF);
  assert.equal(num(fields(lines, 'fd 999:'), 'errno'), WASI_EBADF);
});

for (const dir of ['tmp', 'host']) {
  test(`fd_renumber moves a descriptor and closes the target (${dir})`, async () => {
    const lines = await ok(['renumber', dir]);
    for (const l of [
      'distinct fds: 1', 'renumber a->b errno=0', 'read b: [contents of A]', `read a: errno=${WASI_EBADF}`,
      `renumber b->a(closed) errno=${WASI_EBADF}`, `renumber 999->b errno=${WASI_EBADF}`, 'renumber b->b errno=0',
      'read b again: [contents of A]', 'close b errno=0', `close a errno=${WASI_EBADF}`,
    ]) assert.ok(lines.includes(l), `missing: ${l}`);
  });

  test(`path_filestat_set_times / fd_filestat_set_times, then stat (${dir})`, async () => {
    const lines = await ok(['times', dir]);
    // Timestamps are u64 ns; the syscall channel carries arguments as f64, and hostfs sets host
    // times in float seconds: allow 1 us.
    const near = (got: string | undefined, want: bigint, what: string) => {
      assert.ok(got !== undefined, what);
      const d = BigInt(got) - want;
      assert.ok(d <= 1000n && d >= -1000n, `${what}: ${got} vs ${want}`);
    };
    const both = fields(lines, 'after set both:');
    near(both['atim'], 1600000000123456789n, 'atim');
    near(both['mtim'], 1700000000987654321n, 'mtim');
    const m = fields(lines, 'after set mtim:');
    near(m['atim'], 1600000000123456789n, 'atim kept');
    near(m['mtim'], 1500000000000000000n, 'mtim set');
    const a = fields(lines, 'after fd set atim:');
    near(a['atim'], 1400000000000000000n, 'atim via fd');
    near(a['mtim'], 1500000000000000000n, 'mtim kept');
    assert.equal(num(fields(lines, 'conflicting flags'), 'errno'), WASI_EINVAL);
    assert.equal(num(fields(lines, 'missing file'), 'errno'), WASI_ENOENT);
    const nowS = BigInt(num(fields(lines.filter((l) => l.startsWith('now_s=')), ''), 'now_s'));
    const n = fields(lines, 'after set now:');
    for (const k of ['atim', 'mtim']) {
      const s = BigInt(n[k]!) / 1000000000n;
      assert.ok(s >= nowS - 1n && s <= nowS + 5n, `${k} now: ${n[k]} vs ${nowS}`);
    }
  });

  test(`fd_allocate extends the file with zeros and never shrinks it (${dir})`, async () => {
    const lines = await ok(['allocate', dir]);
    assert.deepEqual(lines.filter((l) => l.startsWith('size=')), ['size=10', 'size=10', 'size=150']);
    assert.equal(num(fields(lines, 'allocate inside'), 'errno'), 0);
    assert.equal(num(fields(lines, 'allocate beyond'), 'errno'), 0);
    assert.deepEqual(fields(lines, 'pread'), { errno: '0', n: '150', head: '[0123456789]', zeros: '140' });
    assert.equal(num(fields(lines, 'allocate len 0'), 'errno'), WASI_EINVAL);
    assert.equal(num(fields(lines, 'allocate bad fd'), 'errno'), WASI_EBADF);
  });
}

for (const dir of ['tmp', 'host']) {
  test(`edge cases found by fuzzing: bad path bytes, huge cookies and offsets (${dir})`, async () => {
    const lines = await ok(['edge', dir]);
    for (const l of [
      `open with NUL errno=${WASI_EINVAL}`, `mkdir not UTF-8 errno=${WASI_EILSEQ}`, 'mkdir UTF-8 errno=0', 'rmdir UTF-8 errno=0',
      'readdir cookie 2^64-1 errno=0 used=0', 'readdir cookie 2^63 errno=0 used=0',
      `set_size 2^62 errno=${WASI_EFBIG}`, `pwrite at 2^62 errno=${WASI_EFBIG}`, 'pread at 2^62 errno=0 n=0', 'size=4',
    ]) assert.ok(lines.includes(l), `missing: ${l}\n${lines.join('\n')}`);
  });
}

test('fd_fdstat_get: a terminal is a character device without seek rights (wasi-libc isatty)', async () => {
  const r = await libos.run('wasi_abi', ['fdstat', 'tmp'], { tty: true });
  assert.equal(r.exitCode, 0);
  const lines = r.stdout.split('\n');
  for (const fd of ['stdin:', 'stdout:']) {
    const f = fields(lines, fd);
    assert.equal(num(f, 'filetype'), FT_CHAR, fd);
    assert.equal(num(f, 'can_seek'), 0, fd);
    assert.equal(num(f, 'wasi_isatty'), 1, fd);
  }
});

test('proc_raise(SIGTERM) ends the process with signal 15', async () => {
  const r = await run(['raise']);
  assert.equal(r.signal, 15);
  assert.equal(r.exitCode, null);
  assert.equal(r.status & 0x7f, 15);
  assert.equal(r.stdout, 'raising SIGTERM\n');
});

test('fd_prestat_get / fd_prestat_dir_name: fd 3 is "/", nothing else is preopened', async () => {
  const lines = await ok(['prestat']);
  assert.deepEqual(fields(lines, 'fd3:'), { errno: '0', tag: '0', name_len: '1' });
  assert.deepEqual(fields(lines, 'fd3 name:'), { errno: '0', name: '[/]' });
  assert.equal(num(fields(lines, 'fd4:'), 'errno'), WASI_EBADF);
  assert.equal(num(fields(lines, 'fd0:'), 'errno'), WASI_EBADF);
});

test('stdin is read to EOF and echoed', async () => {
  const data = Buffer.alloc(200_000);
  for (let i = 0; i < data.length; i++) data[i] = 32 + ((i * 7) % 95); // printable, so the utf8 capture is exact
  const r = await run(['echo'], data);
  assert.equal(r.exitCode, 0);
  assert.equal(r.stdout, data.toString('latin1') + 'done\n');
  assert.match(r.stderr, /^total=200000 reads=\d+\n$/);
  const empty = await run(['echo'], new Uint8Array(0));
  assert.equal(empty.stdout, 'done\n');
  assert.equal(empty.stderr, 'total=0 reads=1\n');
});
