// devfs (/dev): null, zero, random, urandom, tty, the std* and fd links into /proc/self, and the
// ramfs on /dev/shm, as a C program in the LibOS sees them; device numbers from the kernel's stat.
// covers: openat read write newfstatat getdents64 unlinkat
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { compileProgram, LibOS, type RunResult } from './helpers/libos.js';
import { makedev } from '../src/kernel/fs/devfs.js';
import { S_IFCHR, S_IFMT } from '../src/kernel/fs/inode.js';

let libos: LibOS;

before(async () => {
  libos = await LibOS.boot({ programs: { devfs: await compileProgram('fs/devfs') } });
});

after(async () => { await libos.shutdown(); });

async function run(args: string[], opts: { stdin?: string; tty?: boolean } = {}): Promise<RunResult> {
  const r = await libos.run('devfs', args, { timeoutMs: 60_000, ...opts });
  assert.equal(r.timedOut, false);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(libos.kernelBugs(), []);
  return r;
}

let devices: Promise<RunResult> | undefined;
const devicesRun = () => (devices ??= run([], { stdin: 'typed in\n' }));
const lines = async () => (await devicesRun()).stdout.split('\n');

test('/dev holds character devices, links into /proc/self and the shm directory', async () => {
  const l = await lines();
  for (const d of ['null', 'zero', 'random', 'urandom', 'tty']) assert.ok(l.includes(`lstat /dev/${d}: chr`), d);
  for (const d of ['stdin', 'stdout', 'stderr', 'fd']) assert.ok(l.includes(`lstat /dev/${d}: lnk`), d);
  assert.ok(l.includes('lstat /dev/shm: dir'));
});

test('character devices have Linux device numbers', async () => {
  const vfs = libos.kernel.vfs;
  for (const [name, major, minor] of [['null', 1, 3], ['zero', 1, 5], ['random', 1, 8], ['urandom', 1, 9], ['tty', 5, 0]] as const) {
    const st = await vfs.stat(vfs.rootStack, `/dev/${name}`, true);
    assert.equal(st.mode & S_IFMT, S_IFCHR, name);
    assert.equal(st.rdev, makedev(major, minor), name);
  }
  assert.equal(makedev(1, 3), 0x103);
  assert.equal(await vfs.readlink(vfs.rootStack, '/dev/stdout'), '/proc/self/fd/1');
  assert.equal(await vfs.readlink(vfs.rootStack, '/dev/fd'), '/proc/self/fd');
});

test('/dev/null swallows writes and reads end of file; /dev/zero reads zeros', async () => {
  const l = await lines();
  assert.ok(l.includes('null write: 9'));
  assert.ok(l.includes('null read: 0'));
  assert.ok(l.includes('zero read: 4096 bytes, 4096 zeros'));
});

test('/dev/urandom and /dev/random give different bytes on each read', async () => {
  const l = await lines();
  assert.ok(l.includes('/dev/urandom: 32+32 bytes, reads differ: yes'));
  assert.ok(l.includes('/dev/random: 32+32 bytes, reads differ: yes'));
});

test('/dev/stdout, /dev/stderr and /dev/stdin reach the process stdio; /dev/fd lists its fds', async () => {
  const r = await devicesRun();
  const l = r.stdout.split('\n');
  assert.ok(l.includes('open /dev/stdout: ok'));
  assert.ok(l.includes('via /dev/stdout'), 'a write to /dev/stdout reaches stdout');
  assert.equal(r.stderr, 'via /dev/stderr\n');
  assert.ok(l.includes('via /dev/stdin: typed in'));
  // 0-2 stdio, 3 the preopened root, 4 the directory being listed
  assert.ok(l.includes('/dev/fd: 0 1 2 3 4'), r.stdout);
});

test('/dev/tty: ENXIO without a terminal; with one it reads and writes the terminal', async () => {
  assert.ok((await lines()).includes('open /dev/tty: ENXIO'));
  const r = await run(['tty'], { stdin: 'typed in\n', tty: true });
  assert.equal(r.stdout, 'open /dev/tty: ok, isatty: 1\nto the terminal\nfrom the terminal: 9 [typed in\n]\n');
});

test('/dev/shm is a writable ramfs; /dev itself refuses new names and removals', async () => {
  const l = await lines();
  assert.ok(l.includes('/dev/shm file: shared'));
  const shm = libos.kernel.vfs.mountList().find((m) => m.target === '/dev/shm');
  assert.equal(shm?.fs.type, 'ramfs');
  assert.ok(l.includes('create /dev/newfile: EACCES'));
  assert.ok(l.includes('unlink /dev/null: EPERM'));
});
