// The VFS programs of test/vfs.test.ts (paths, links, file operations, locks), compared with
// native Linux, on every kind of file system a program can work in (issue: file systems and
// measured boot): the union root (image below, sefs above), sefs on SwornDisk and on PfsDisk over
// host block files, and hostfs. (ramfs: test/vfs.test.ts runs them in /tmp.)
// covers: openat renameat linkat symlinkat unlinkat ftruncate fallocate utimensat flock fcntl getdents64
import { test, after } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileProgram, PROGRAMS_DIR, tempDir, HAVE_GCC } from './helpers/libos.js';
import { assertSameAsNative } from './helpers/differential.js';
import { nodeCrypto } from '../src/host/node-crypto.js';
import { HostDirStore } from '../src/host/block-file.js';
import { SefsFileSystem } from '../src/kernel/fs/sefs.js';
import { UnionFs } from '../src/kernel/fs/unionfs/union-fs.js';
import { createVolume, type DiskKind } from '../src/storage/sefs/volume.js';

const VFS_DIR = path.join(PROGRAMS_DIR, 'vfs');
const PROGRAMS = ['paths', 'links', 'fileops', 'locks'];
const SEALING = new Uint8Array(32).fill(0x5a);
const cleanup: string[] = [];
after(() => { for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true }); });

async function sefsOn(kind: DiskKind): Promise<SefsFileSystem> {
  const dir = tempDir(`occlum-ts-matrix-${kind}-`);
  cleanup.push(dir);
  const vol = await createVolume(new HostDirStore(dir, { lazy: true }), { disk: kind, nblocks: 16384, sealingKey: SEALING, crypto: nodeCrypto });
  return SefsFileSystem.format(vol.dev, { crypto: nodeCrypto, key: vol.fsKey, atomicFlush: vol.atomicFlush });
}

interface Place {
  name: string;
  cwd: string;
  /** Boot options putting the file system in place, and how to release it after the run. */
  boot: () => Promise<{ opts: Parameters<typeof assertSameAsNative>[1]['boot']; close: () => Promise<void> }>;
}

const PLACES: Place[] = [
  {
    name: 'the union root (read-only image + sefs on SwornDisk)', cwd: '/work',
    boot: async () => {
      const upper = await sefsOn('sworndisk');
      let union: UnionFs | undefined;
      return {
        opts: { dirs: ['/work'], rootFs: (image) => (union = new UnionFs(upper, [image])) },
        close: async () => { await (union ?? upper).unmount(); },
      };
    },
  },
  ...(['sworndisk', 'pfs'] as DiskKind[]).map((kind): Place => ({
    name: `sefs on ${kind}`, cwd: '/mnt/sefs',
    boot: async () => {
      const sefs = await sefsOn(kind);
      return { opts: { mounts: [{ target: '/mnt/sefs', fs: sefs }] }, close: () => sefs.unmount() };
    },
  })),
  {
    name: 'hostfs', cwd: '/host',
    boot: async () => {
      const dir = tempDir('occlum-ts-matrix-host-');
      cleanup.push(dir);
      return { opts: { hostDir: dir }, close: async () => {} };
    },
  },
];

for (const place of PLACES) {
  for (const name of PROGRAMS) {
    test(`vfs/${name} on ${place.name}: same output and status as natively`, { skip: HAVE_GCC ? false : 'gcc not found', timeout: 120_000 }, async () => {
      const src = path.join(VFS_DIR, `${name}.c`);
      const { opts, close } = await place.boot();
      try {
        await assertSameAsNative(src, { wasm: await compileProgram(src), cwd: place.cwd, ...(opts ? { boot: opts } : {}) });
      } finally {
        await close();
      }
    });
  }
}
