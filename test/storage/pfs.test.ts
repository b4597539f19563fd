// PfsDisk functional tests: layout, reads and writes against a model, reopen, sequential writes
// across MHT levels, cache sizes, zeros for unwritten blocks, the host I/O it costs, and the
// randomized model test (test/storage/model.ts) with crashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCK_SIZE, StorageError } from '../../src/storage/block-device.js';
import { MemDevice, MemStore, type RawStore } from '../../src/storage/mem-device.js';
import { CountingStore } from '../../src/storage/counting-device.js';
import { PfsDisk } from '../../src/storage/pfs/pfs-disk.js';
import * as L from '../../src/storage/pfs/layout.js';
import { nodeCrypto } from '../../src/host/node-crypto.js';
import { HostDirStore } from '../../src/host/block-file.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { prng, runModel, type ModelTarget } from './model.js';

const KEY = new Uint8Array(16).fill(0x42);
const opts = <T extends object>(o: T) => ({ key: KEY, crypto: nodeCrypto, ...o });
const code = (e: unknown) => (e instanceof StorageError ? e.code : String(e));

function pattern(lba: number, version: number): Uint8Array {
  const b = new Uint8Array(BLOCK_SIZE);
  const v = new DataView(b.buffer);
  for (let i = 0; i < BLOCK_SIZE; i += 8) {
    v.setUint32(i, lba);
    v.setUint32(i + 4, version);
  }
  return b;
}

async function readBlock(d: PfsDisk, lba: number): Promise<Uint8Array> {
  const b = new Uint8Array(BLOCK_SIZE);
  await d.read(lba, b);
  return b;
}

test('layout: SGX-PFS node numbering', () => {
  assert.equal(L.dataPhys(0), 2);
  assert.equal(L.dataPhys(95), 97);
  assert.equal(L.mhtPhys(1), 98);
  assert.equal(L.dataPhys(96), 99);
  assert.equal(L.dataPhys(191), 194);
  assert.equal(L.mhtPhys(2), 195);
  assert.equal(L.mhtParent(1), 0);
  assert.equal(L.mhtParent(32), 0);
  assert.equal(L.mhtParent(33), 1);
  assert.equal(L.mhtDepth(0), 0);
  assert.equal(L.mhtDepth(32), 1);
  assert.equal(L.mhtDepth(33), 2);
  assert.equal(L.mhtDepth(1056), 2);
  assert.equal(L.mhtDepth(1057), 3);
  assert.equal(L.physNodes(96), 98);
  assert.equal(L.physNodes(97), 100);
  assert.equal(L.ENC_PART_SIZE, 3392);
  assert.ok(L.META_ENC + L.ENC_PART_SIZE <= L.NODE_SIZE);
  assert.equal(L.mhtEntryOffset(1), 96 * 32);
  assert.equal(L.mhtEntryOffset(32) + 32, 4096);
  // A 1 GiB disk (262,144 blocks) has 2,731 MHT nodes in 4 levels (sworndisk-reference.md §2).
  assert.equal(Math.ceil(262144 / 96), 2731);
  assert.equal(L.maxMhtDepth(262144), 3);
});

test('PfsDisk: random writes and reads match a model, across reopen; cache 48 and 1024', async () => {
  for (const cacheSize of [48, 1024]) {
    const store = new MemStore();
    const n = 700;
    let d = await PfsDisk.createIn(store, opts({ nblocks: n, cacheSize }));
    const model = new Map<number, Uint8Array>();
    const rnd = prng(cacheSize);
    let version = 0;
    for (let i = 0; i < 1500; i++) {
      const lba = Math.floor(rnd() * n);
      if (rnd() < 0.6) {
        const len = 1 + Math.floor(rnd() * Math.min(8, n - lba));
        const buf = new Uint8Array(len * BLOCK_SIZE);
        for (let j = 0; j < len; j++) {
          const p = pattern(lba + j, ++version);
          buf.set(p, j * BLOCK_SIZE);
          model.set(lba + j, p);
        }
        await d.write(lba, buf);
      } else {
        assert.deepEqual(await readBlock(d, lba), model.get(lba) ?? new Uint8Array(BLOCK_SIZE), `block ${lba} (cache ${cacheSize})`);
      }
      if (i % 500 === 499) {
        if (cacheSize === 48) assert.ok(d.stats.evictionFlushes > 0, 'a 48-node cache must flush on eviction');
        await d.close();
        d = await PfsDisk.openIn(store, opts({ cacheSize }));
      }
    }
    const all = new Uint8Array(n * BLOCK_SIZE);
    await d.read(0, all);
    for (let lba = 0; lba < n; lba++) {
      assert.deepEqual(all.subarray(lba * BLOCK_SIZE, (lba + 1) * BLOCK_SIZE), model.get(lba) ?? new Uint8Array(BLOCK_SIZE));
    }
    await d.close();
  }
});

test('PfsDisk: large sequential write across three MHT levels, then reopen and read back', async () => {
  const n = 96 * 34; // data nodes under MHT 33, the first node at depth 2
  const stats = new CountingStore(new MemStore());
  const d = await PfsDisk.createIn(stats, opts({ nblocks: n }));
  const chunk = 64;
  const buf = new Uint8Array(chunk * BLOCK_SIZE);
  for (let lba = 0; lba < n; lba += chunk) {
    const len = Math.min(chunk, n - lba);
    for (let j = 0; j < len; j++) buf.set(pattern(lba + j, 1), j * BLOCK_SIZE);
    await d.write(lba, buf.subarray(0, len * BLOCK_SIZE));
  }
  await d.flush();
  const waf = stats.stats.writeBytes / (n * BLOCK_SIZE);
  assert.ok(waf > 1 && waf < 1.3, `sequential-write WAF ${waf.toFixed(3)} (appends skip the recovery copy)`);
  await d.close();
  const e = await PfsDisk.openIn(stats, opts({}));
  assert.equal(e.nblocks, n);
  const before = stats.stats.readOps;
  const r = new Uint8Array(chunk * BLOCK_SIZE);
  for (let lba = 0; lba < n; lba += chunk) {
    const len = Math.min(chunk, n - lba);
    await e.read(lba, r.subarray(0, len * BLOCK_SIZE));
    for (let j = 0; j < len; j++) assert.deepEqual(r.subarray(j * BLOCK_SIZE, (j + 1) * BLOCK_SIZE), pattern(lba + j, 1));
  }
  // Reads of a run of data nodes under one MHT node are coalesced into one host read.
  assert.ok(stats.stats.readOps - before < n / 8, `${stats.stats.readOps - before} host reads for ${n} blocks`);
  await e.close();
});

test('PfsDisk: unwritten blocks read as zeros, inside and beyond the file size', async () => {
  const store = new MemStore();
  const d = await PfsDisk.createIn(store, opts({ nblocks: 500 }));
  const zero = new Uint8Array(BLOCK_SIZE);
  assert.deepEqual(await readBlock(d, 0), zero);
  assert.deepEqual(await readBlock(d, 499), zero);
  await d.write(300, pattern(300, 1));
  await d.flush();
  for (const lba of [0, 5, 96, 200, 299, 301, 499]) assert.deepEqual(await readBlock(d, lba), zero, `block ${lba}`);
  assert.deepEqual(await readBlock(d, 300), pattern(300, 1));
  await d.close();
  const e = await PfsDisk.openIn(store, opts({}));
  for (const lba of [0, 5, 96, 200, 299, 301, 499]) assert.deepEqual(await readBlock(e, lba), zero, `block ${lba} after reopen`);
  // trim writes zeros (PFS has no discard)
  await e.trim(300, 1);
  assert.deepEqual(await readBlock(e, 300), zero);
  await e.close();
});

test('PfsDisk: random overwrites cost about 2·(H+1) node writes each (recovery copies)', async () => {
  const n = 96 * 40; // MHT depth 2: H = 3
  const cs = new CountingStore(new MemStore());
  const d = await PfsDisk.createIn(cs, opts({ nblocks: n }));
  const buf = new Uint8Array(96 * BLOCK_SIZE);
  for (let lba = 0; lba < n; lba += 96) await d.write(lba, buf);
  await d.flush();
  cs.reset();
  const rnd = prng(7);
  const writes = 600;
  for (let i = 0; i < writes; i++) await d.write(Math.floor(rnd() * n), pattern(i, i));
  await d.flush();
  const waf = cs.stats.writeBytes / (writes * BLOCK_SIZE);
  assert.ok(waf > 3 && waf < 9, `random-overwrite WAF ${waf.toFixed(2)}`);
  assert.ok(d.stats.recoveryNodeWrites > writes, 'overwrites copy old nodes to the recovery file');
  await d.close();
});

test('PfsDisk on host files (HostDirStore): <name> and <name>_recovery, reopen', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'occlum-ts-pfs-'));
  try {
    const store = new HostDirStore(dir);
    const d = await PfsDisk.createIn(store, opts({ nblocks: 256, cacheSize: 8, name: 'data.pfs' }));
    for (let lba = 0; lba < 256; lba += 5) await d.write(lba, pattern(lba, 3));
    await d.close();
    assert.deepEqual(fs.readdirSync(dir).sort(), ['data.pfs', 'data.pfs_recovery']);
    assert.equal(fs.statSync(path.join(dir, 'data.pfs')).size, PfsDisk.hostBlocks(256) * BLOCK_SIZE);
    const e = await PfsDisk.openIn(store, opts({ cacheSize: 8, name: 'data.pfs' }));
    for (let lba = 0; lba < 256; lba++) {
      assert.deepEqual(await readBlock(e, lba), lba % 5 === 0 ? pattern(lba, 3) : new Uint8Array(BLOCK_SIZE));
    }
    await e.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('PfsDisk: argument and size checks', async () => {
  const s = new MemStore();
  await assert.rejects(PfsDisk.createIn(s, opts({ nblocks: 100, cacheSize: 1 })), (e) => code(e) === 'EINVAL');
  await assert.rejects(PfsDisk.createIn(s, opts({ nblocks: 0 })), (e) => code(e) === 'EINVAL');
  await assert.rejects(PfsDisk.createIn(s, { key: new Uint8Array(5), crypto: nodeCrypto, nblocks: 10 }), (e) => code(e) === 'EINVAL');
  await assert.rejects(PfsDisk.create(new MemDevice(10), new MemDevice(100), opts({ nblocks: 10 })), (e) => code(e) === 'EINVAL');
  await assert.rejects(PfsDisk.create(new MemDevice(20), new MemDevice(2), opts({ nblocks: 10 })), (e) => code(e) === 'EINVAL');
  const d = await PfsDisk.create(new MemDevice(PfsDisk.hostBlocks(10)), new MemDevice(PfsDisk.recoveryBlocks(10)), opts({ nblocks: 10 }));
  await assert.rejects(d.write(9, new Uint8Array(2 * BLOCK_SIZE)), (e) => code(e) === 'EINVAL');
  await assert.rejects(d.read(0, new Uint8Array(10)), (e) => code(e) === 'EINVAL');
  await d.close();
  await assert.rejects(d.read(0, new Uint8Array(BLOCK_SIZE)), (e) => code(e) === 'EIO');
});

test('PfsDisk: concurrent requests are serialized', async () => {
  const d = await PfsDisk.createIn(new MemStore(), opts({ nblocks: 300, cacheSize: 8 }));
  const ps: Promise<void>[] = [];
  for (let i = 0; i < 200; i++) ps.push(d.write(i, pattern(i, 1)));
  ps.push(d.flush());
  await Promise.all(ps);
  const reads = await Promise.all(Array.from({ length: 200 }, (_, i) => readBlock(d, i)));
  reads.forEach((b, i) => assert.deepEqual(b, pattern(i, 1)));
  await d.close();
});

// ---- the randomized model test ----

function pfsTarget(nblocks: number, cacheSize: number, barriers = false, crashState: ModelTarget['crashState'] = 'prefix'): ModelTarget {
  const o = opts({ cacheSize, barriers });
  return {
    name: `pfs n=${nblocks} cache=${cacheSize}${barriers ? ' barriers' : ''}`,
    nblocks,
    create: (store: RawStore) => PfsDisk.createIn(store, { ...o, nblocks }),
    open: (store: RawStore) => PfsDisk.openIn(store, o),
    crashState,
    survivesReordering: barriers,
  };
}

test('PfsDisk model test: random ops with crashes, several seeds, cache 8 and 48', async () => {
  let intermediate = 0;
  let crashes = 0;
  for (const [seed, cache] of [[1, 8], [2, 8], [3, 48], [4, 48], [5, 8]]) {
    const r = await runModel(pfsTarget(400, cache), { seed, steps: 2000 });
    intermediate += r.intermediateStates;
    crashes += r.crashes.abandon + r.crashes.midOp;
  }
  assert.ok(crashes > 100, `${crashes} crashes`);
  // PFS has no flush atomicity: after some crashes the disk holds some, not all, unflushed writes.
  assert.ok(intermediate > 0, 'expected eviction states to survive some crashes');
});

test('PfsDisk model test: deeper tree (3 MHT levels), larger requests', async () => {
  await runModel(pfsTarget(96 * 34, 16), { seed: 11, steps: 800, maxRun: 32, hot: 0.5, mix: { crash: 2 } });
});

test('PfsDisk model test: with barriers it also survives power loss (reordered host writes)', async () => {
  for (const seed of [21, 22]) {
    const r = await runModel(pfsTarget(300, 8, true), { seed, steps: 1500, mix: { crash: 5 } });
    assert.ok(r.crashes.powerLoss > 10);
  }
});

test('PfsDisk model test: a cache that holds the whole disk never evicts, so flushes are atomic', async () => {
  // 300 blocks + 4 MHT nodes < 1024 cached nodes: only flush() writes, and a crash always lands on
  // exactly the last flush (the 'last-flush' promise SwornDisk makes for any cache size).
  const r = await runModel(pfsTarget(300, 1024, false, 'last-flush'), { seed: 31, steps: 1500 });
  assert.ok(r.crashes.abandon + r.crashes.midOp > 20);
});
