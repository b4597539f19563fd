// VFS semantics as Linux (issue #5 item 1): the C programs in test/programs/vfs run in the LibOS
// and natively (gcc) and must print the same; what cannot run natively (mounts, read-only file
// systems, statfs magic numbers) is checked in the LibOS against Linux's documented values.
// covers: openat newfstatat readlinkat symlinkat linkat renameat unlinkat mkdirat ftruncate fallocate utimensat fsync fdatasync getdents64 statfs fstatfs flock fcntl mount umount2 faccessat access fchmodat chmod fchmod
import { test } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { PROGRAMS_DIR, compileProgram, runInLibOS, tempDir, HAVE_GCC } from './helpers/libos.js';
import { assertSameAsNative } from './helpers/differential.js';
import type { Host } from '../src/host/types.js';
import { nodeCrypto } from '../src/host/node-crypto.js';
import { defaultMountFactory } from '../src/kernel/fs/mount-factory.js';
import { sefsMountFactory } from '../src/instance/sefs-mount.js';
import { FileLocks } from '../src/kernel/fs/file-lock.js';
import type { Inode } from '../src/kernel/fs/inode.js';

const VFS_DIR = path.join(PROGRAMS_DIR, 'vfs');
/** Programs compared with native Linux (the others are LibOS-only helpers). */
const DIFFERENTIAL = ['paths', 'links', 'fileops', 'locks'];

for (const name of DIFFERENTIAL) {
  test(`vfs/${name}: same output and status in the LibOS as natively`, { skip: HAVE_GCC ? false : 'gcc not found', timeout: 120_000 }, async () => {
    const src = path.join(VFS_DIR, `${name}.c`);
    await assertSameAsNative(src, { wasm: await compileProgram(src) });
  });
}


/** What mounts.c prints on Linux semantics; `hostType` is the host's statfs magic for the hostfs directory. */
function expectedMounts(hostType: number): string {
  return `statfs /: type 0x858458f6
statfs /tmp: type 0x858458f6
mkdir /mnt: 0
mkdir /mnt/r: 0
mount ramfs: 0
statfs /mnt/r: type 0x858458f6
rename across mounts: -1 EXDEV
link across mounts: -1 EXDEV
rename within the mount: 0
rmdir a mountpoint: -1 EBUSY
rename a mountpoint: -1 EBUSY
stat /mnt/r/.. is /mnt: 1
fallocate PUNCH_HOLE: -1 EOPNOTSUPP
chdir into the mount: 0
umount (cwd inside): -1 EBUSY
chdir /: 0
umount (file open inside): -1 EBUSY
umount2 MNT_DETACH: 0
the open file still reads: 1
gone from the namespace: -1 ENOENT
umount again (not a mountpoint): -1 EINVAL
umount /: -1 EBUSY
mount over /: -1 EBUSY
umount missing: -1 ENOENT
umount bad flags: -1 EINVAL
mount unknown type: -1 ENODEV
mount on a missing dir: -1 ENOENT
mount on a file: -1 ENOTDIR
mount MS_BIND: -1 EINVAL
hostfs without dir=: -1 EINVAL
hostfs relative dir=: -1 EINVAL
hostfs missing dir=: -1 ENOENT
mkdir /mnt/h: 0
mount hostfs: 0
statfs /mnt/h: type ${'0x' + hostType.toString(16)}
umount hostfs: 0
the file left with it: -1 ENOENT
mount hostfs read-only: 0
ro: creat: -1 EROFS
ro: open O_WRONLY: -1 EROFS
ro: open O_RDWR: -1 EROFS
ro: open O_RDONLY|O_TRUNC: -1 EROFS
ro: open O_RDONLY: 0
ro: mkdir: -1 EROFS
ro: symlink: -1 EROFS
ro: link: -1 EROFS
ro: rename: -1 EROFS
ro: unlink: -1 EROFS
ro: truncate: -1 EROFS
ro: chmod: -1 EROFS
ro: utimensat: -1 EROFS
ro: access W_OK: -1 EROFS
ro: access R_OK: 0
ro: ST_RDONLY 1
umount2 MNT_FORCE: 0
mount ramfs read-only: 0
ro: creat on an empty read-only ramfs: -1 EROFS
umount: 0
mount ramfs 1: 0
mount ramfs 2 on top: 0
top hides the first: -1 ENOENT
umount top: 0
first is back: 0
umount first: 0
`;
}

test('vfs/mounts: mount/umount2 at run time, read-only mounts, EXDEV, statfs magic numbers (LibOS only)', { timeout: 120_000 }, async () => {
  const host = tempDir('occlum-ts-vfs-host-');
  try {
    const r = await runInLibOS(await compileProgram(path.join(VFS_DIR, 'mounts.c')), [host], { cwd: '/tmp' });
    assert.deepEqual(r.kernelLog.filter((l) => /kernel bug/i.test(l)), []);
    assert.equal(r.stdout, expectedMounts(fs.statfsSync(host).type));
    assert.equal(r.status, 0, r.stderr);
    // The hostfs mount wrote through to the host directory.
    assert.equal(fs.readFileSync(path.join(host, 'from-libos'), 'utf8'), 'written in the LibOS');
  } finally {
    fs.rmSync(host, { recursive: true, force: true });
  }
});

test('vfs/sefs_mount: mount(2) of an encrypted sefs in a host directory, kept across mounts and kernels', { timeout: 120_000 }, async () => {
  const host = tempDir('occlum-ts-vfs-sefs-');
  const sealingKey = new Uint8Array(32).fill(7);
  const factory = (key: Uint8Array) => (h: Host) => sefsMountFactory(defaultMountFactory(h), { host: h, crypto: nodeCrypto, sealingKey: key });
  try {
    const wasm = await compileProgram(path.join(VFS_DIR, 'sefs_mount.c'));
    const created = await runInLibOS(wasm, ['create', host], { mountFactory: factory(sealingKey) });
    assert.equal(created.stdout, 'mount sefs: 0\ntype 0x53454653\nwrite: 18\nfsync: 0\numount: 0\ngone: -1 ENOENT\n', created.stderr);
    // Encrypted at rest: the plaintext is nowhere in the host files.
    for (const f of fs.readdirSync(host)) assert.ok(!fs.readFileSync(path.join(host, f)).includes('kept across mounts'), f);
    const reopened = await runInLibOS(wasm, ['reopen', host], { mountFactory: factory(sealingKey) });
    assert.equal(reopened.stdout, 'mount sefs: 0\ntype 0x53454653\nread: 18\ndata: kept across mounts\numount: 0\ngone: -1 ENOENT\n', reopened.stderr);
    const wrongKey = await runInLibOS(wasm, ['reopen', host], { mountFactory: factory(new Uint8Array(32).fill(8)) });
    assert.match(wrongKey.stdout, /^mount sefs: -1 EACCES\n/);
  } finally {
    fs.rmSync(host, { recursive: true, force: true });
  }
});

test('FileLocks: POSIX ranges split and merge per owner; flock conflicts between open files', async () => {
  const locks = new FileLocks();
  const inode = { fs: { dev: 9 }, ino: 1 } as unknown as Inode;
  const a = {}, b = {};
  await locks.setlk(inode, a, 10, 'write', 0, 100, undefined);
  locks.unlock(inode, a, 40, 60); // split: [0,40) and [60,100)
  assert.equal(locks.test(inode, b, 'write', 45, 50), undefined);
  assert.deepEqual([locks.test(inode, b, 'read', 0, 1)?.end, locks.test(inode, b, 'read', 99, 200)?.start], [40, 60]);
  await locks.setlk(inode, a, 10, 'write', 40, 60, undefined); // merges back into one lock
  assert.deepEqual({ ...locks.test(inode, b, 'write', 50, 51) }, { owner: a, pid: 10, type: 'write', start: 0, end: 100 });
  await locks.setlk(inode, a, 10, 'read', 50, Infinity, undefined); // converts the tail, extends to EOF
  assert.equal(locks.test(inode, b, 'read', 200, 300), undefined, 'read locks share');
  assert.equal(locks.test(inode, b, 'write', 200, 300)?.type, 'read');
  await assert.rejects(locks.setlk(inode, b, 11, 'write', 0, 1, undefined), /EAGAIN/);
  await locks.setlk(inode, b, 11, 'read', 60, 70, undefined);
  locks.releaseOwner(inode, a);
  assert.equal(locks.test(inode, b, 'write', 0, 50), undefined);
  assert.equal(locks.test(inode, a, 'write', 0, 100)?.owner, b);
  locks.releaseOwner(inode, b);
  // flock: owned by open file descriptions
  const f1 = {}, f2 = {};
  await locks.flock(inode, f1, 'read', undefined);
  await locks.flock(inode, f2, 'read', undefined);
  await assert.rejects(locks.flock(inode, f1, 'write', undefined), /EAGAIN/);
  locks.funlock(inode, f2);
  await locks.flock(inode, f1, 'write', undefined);
  await assert.rejects(locks.flock(inode, f2, 'read', undefined), /EAGAIN/);
});
