// The file system passes the same file tests as the foundation's VFS when mounted on each disk:
// test/programs/files.c in the LibOS with a sefs mounted at /sefs (on PfsDisk and on SwornDisk,
// over host block files in a temp dir; and on a plain memory device), against the same source
// compiled natively with gcc (as test/files.test.ts does for ramfs and hostfs).
// covers: openat readv writev preadv pwritev lseek newfstatat fstat getdents64 mkdirat renameat unlinkat symlinkat readlinkat linkat ftruncate close
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileProgram, runInLibOS, runNative, tempDir, PROGRAMS_DIR, type RunResult } from '../helpers/libos.js';
import { HostDirStore } from '../../src/host/block-file.js';
import { nodeCrypto } from '../../src/host/node-crypto.js';
import { MemDevice } from '../../src/storage/mem-device.js';
import { SefsFileSystem } from '../../src/kernel/fs/sefs.js';
import { fsck } from '../../src/storage/sefs/fsck.js';
import { createVolume, openVolume, loadSwornDisk, type DiskKind } from '../../src/storage/sefs/volume.js';

const SOURCE = path.join(PROGRAMS_DIR, 'files.c');
const ENV = { FILES_TEST_VAR: 'hello there' };
const EXTRA = ['a b', 'ünï'];
const SEALING = nodeCrypto.randomBytes(32);
const NBLOCKS = 8192; // 32 MiB

let wasm = '';
let nat: RunResult;
const cleanup: string[] = [];

before(async () => {
  wasm = await compileProgram('files');
  const dir = tempDir('occlum-ts-sefs-native-');
  cleanup.push(dir);
  nat = await runNative(SOURCE, [dir, '0', ...EXTRA], { env: ENV, cwd: dir });
  assert.equal(nat.stderr, '');
  assert.equal(nat.exitCode, 0);
  assert.match(nat.stdout, /many entries \(with \. and \.\.\): 42/);
});

after(() => {
  for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
});

async function runOn(sefs: SefsFileSystem, log: string[]): Promise<void> {
  const r = await runInLibOS(wasm, ['/sefs', '0', ...EXTRA], { env: ENV, mounts: [{ target: '/sefs', fs: sefs }] });
  assert.equal(r.stderr, '');
  assert.equal(r.timedOut, false);
  assert.deepEqual(r.kernelLog.filter((l) => /kernel bug/i.test(l)), []);
  assert.equal(r.stdout, nat.stdout);
  assert.equal(r.exitCode, 0);
  assert.equal(r.status, nat.status);
  assert.deepEqual(await sefs.root.readdir(), [], 'files.c cleans up after itself');
  await sefs.sync();
  assert.deepEqual((await fsck(sefs.sefs)).problems, []);
  assert.deepEqual(log.filter((l) => /error|EIO/.test(l)), []);
}

for (const kind of ['pfs', 'sworndisk'] as DiskKind[]) {
  test(`files.c on sefs over ${kind} (host block files) matches native`, async (t) => {
    if (kind === 'sworndisk' && !(await loadSwornDisk())) { t.skip('src/storage/sworndisk does not export SwornDisk yet'); return; }
    const dir = tempDir(`occlum-ts-sefs-${kind}-`);
    cleanup.push(dir);
    const store = new HostDirStore(dir);
    const log: string[] = [];
    const vol = await createVolume(store, { disk: kind, nblocks: NBLOCKS, sealingKey: SEALING, crypto: nodeCrypto });
    const sefs = await SefsFileSystem.format(vol.dev, { crypto: nodeCrypto, key: vol.fsKey, atomicFlush: vol.atomicFlush, log: (l) => log.push(l) });
    await runOn(sefs, log);
    await sefs.unmount();
    // and it mounts again, clean and empty
    const vol2 = await openVolume(store, { sealingKey: SEALING, crypto: nodeCrypto });
    const again = await SefsFileSystem.mount(vol2.dev, { crypto: nodeCrypto, key: vol2.fsKey, atomicFlush: vol2.atomicFlush });
    assert.deepEqual(await again.root.readdir(), []);
    assert.deepEqual((await fsck(again.sefs)).problems, []);
    await again.unmount();
  });
}

test('files.c on sefs over a plain memory device matches native', async () => {
  const log: string[] = [];
  const sefs = await SefsFileSystem.format(new MemDevice(NBLOCKS), { crypto: nodeCrypto, log: (l) => log.push(l) });
  await runOn(sefs, log);
  await sefs.unmount();
});
