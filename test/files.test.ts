// files.c in the LibOS (over the ramfs root and over a hostfs mount) against the same source
// compiled natively with gcc: identical output and exit code (style.md practice 9).
// covers: openat readv writev preadv pwritev lseek newfstatat fstat getdents64 mkdirat renameat unlinkat symlinkat readlinkat linkat ftruncate close clock_gettime getrandom exit_group
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileProgram, runInLibOS, runNative, tempDir, PROGRAMS_DIR, type RunResult } from './helpers/libos.js';

const SOURCE = path.join(PROGRAMS_DIR, 'files.c');
const ENV = { FILES_TEST_VAR: 'hello there' };
const EXTRA = ['a b', 'ünï'];

let wasm = '';
const cleanup: string[] = [];

before(async () => {
  wasm = await compileProgram('files');
});

after(() => {
  for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
});

async function native(code: number): Promise<RunResult> {
  const dir = tempDir('occlum-ts-files-native-');
  cleanup.push(dir);
  const r = await runNative(SOURCE, [dir, String(code), ...EXTRA], { env: ENV, cwd: dir });
  assert.equal(r.stderr, '', 'native stderr');
  assert.deepEqual(fs.readdirSync(dir), [], 'the native run cleans up after itself');
  return r;
}

/** Lines that must be there, so that two empty or truncated outputs cannot pass. */
function assertKeyLines(out: string, code: number): void {
  const lines = new Set(out.split('\n'));
  for (const l of [
    'argc=5', 'argv[3]=[a b]', 'argv[4]=[ünï]',
    'FILES_TEST_VAR=[hello there]', 'FILES_TEST_UNSET is unset',
    'monotonic increases: yes', 'monotonic step >= 2ms: yes', 'realtime after 2020: yes', 'two draws differ: yes',
    'mkdir w again: EEXIST', 'open nofile: ENOENT', 'open f/x (file as dir): ENOTDIR', 'open d O_WRONLY: EISDIR',
    'close again: EBADF', 'data=[llo ]', 'hole zeros=10 first=[XYllo world', 'cat a: [one\\x0atwo\\x0a] (8 bytes)',
    'cat a: [three\\x0a] (6 bytes)', 'readlink l: [f]', 'lstat l: type=lnk size=1', 'open l O_NOFOLLOW: ELOOP',
    'stat f after link: type=reg size=8 nlink=2', 'open loop1: ELOOP',
    'ls d: ..:d .:d a:f dangling:l f:f l:l loop1:l loop2:l sub:d sublink:l',
    'rename empty -> full (non-empty): ENOTEMPTY', 'rename h -> full (file onto dir): EISDIR',
    'rename full -> h (dir onto file): ENOTDIR', 'rmdir non-empty: ENOTEMPTY', 'unlink dir: EISDIR',
    'many entries (with . and ..): 42', 'rmdir w: OK', `exit ${code}`,
  ]) assert.ok(lines.has(l), `missing line: ${l}`);
  assert.doesNotMatch(out, /errno\(/, 'an errno outside the name table');
}

function assertSame(libos: RunResult & { kernelLog: string[] }, nat: RunResult, code: number): void {
  assert.equal(libos.stderr, '');
  assert.equal(libos.timedOut, false);
  assert.deepEqual(libos.kernelLog.filter((l) => /kernel bug/i.test(l)), []);
  assertKeyLines(nat.stdout, code);
  assert.equal(libos.stdout, nat.stdout);
  assert.equal(nat.exitCode, code);
  assert.equal(libos.exitCode, code);
  assert.equal(libos.signal, null);
  assert.equal(libos.status, nat.status);
}

test('files.c on the ramfs root matches native', async () => {
  const nat = await native(42);
  const r = await runInLibOS(wasm, ['/tmp', '42', ...EXTRA], { env: ENV });
  assertSame(r, nat, 42);
});

test('files.c on a hostfs mount matches native', async () => {
  const host = tempDir('occlum-ts-files-hostfs-');
  cleanup.push(host);
  const nat = await native(0);
  const r = await runInLibOS(wasm, ['/host', '0', ...EXTRA], { env: ENV, hostDir: host });
  assertSame(r, nat, 0);
  assert.deepEqual(fs.readdirSync(host), [], 'the LibOS run cleans up after itself on the host too');
});

test('files.c in a hostfs subdirectory, exit code 255', async () => {
  const host = tempDir('occlum-ts-files-hostfs-');
  cleanup.push(host);
  fs.mkdirSync(path.join(host, 'work'));
  const nat = await native(255);
  const r = await runInLibOS(wasm, ['/host/work', '255', ...EXTRA], { env: ENV, hostDir: host });
  assertSame(r, nat, 255);
  assert.deepEqual(fs.readdirSync(path.join(host, 'work')), []);
});
