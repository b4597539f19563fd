// SwornDisk functional tests: reads and writes against a model, reopen, trim, space reuse when the
// disk is overwritten many times its size, compaction, unwritten reads, options and errors, the
// sealed trusted counter, and the randomized model test (test/storage/model.ts) with crashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCK_SIZE, StorageError } from '../../src/storage/block-device.js';
import { MemDevice } from '../../src/storage/mem-device.js';
import { CountingDevice } from '../../src/storage/counting-device.js';
import { SwornDisk, type SwornDiskOptions } from '../../src/storage/sworndisk/sworndisk.js';
import { computeLayout, rawBlocksFor } from '../../src/storage/sworndisk/layout.js';
import { MemCounter, SealedCounter } from '../../src/storage/sworndisk/counter.js';
import { nodeCrypto } from '../../src/host/node-crypto.js';
import { prng, runModel, type ModelTarget } from './model.js';

const KEY = new Uint8Array(32).fill(0x5a);

/** A block whose content names its LBA and version. */
function block(lba: number, version: number): Uint8Array {
  const b = new Uint8Array(BLOCK_SIZE);
  const v = new DataView(b.buffer);
  for (let o = 0; o < BLOCK_SIZE; o += 16) {
    v.setUint32(o, 0x53574f52);
    v.setUint32(o + 4, lba);
    v.setUint32(o + 8, version);
    v.setUint32(o + 12, o);
  }
  return b;
}

const ZERO = new Uint8Array(BLOCK_SIZE);

async function readBlock(d: SwornDisk, lba: number): Promise<Uint8Array> {
  const b = new Uint8Array(BLOCK_SIZE);
  await d.read(lba, b);
  return b;
}

/** Checks every block of `d` against `model` (lba -> version; absent = zeros). */
async function checkAll(d: SwornDisk, model: Map<number, number>, what: string): Promise<void> {
  const chunk = 64;
  const buf = new Uint8Array(chunk * BLOCK_SIZE);
  for (let lba = 0; lba < d.nblocks; lba += chunk) {
    const n = Math.min(chunk, d.nblocks - lba);
    const view = buf.subarray(0, n * BLOCK_SIZE);
    await d.read(lba, view);
    for (let i = 0; i < n; i++) {
      const v = model.get(lba + i);
      const got = view.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE);
      if (Buffer.compare(got, v === undefined ? ZERO : block(lba + i, v)) !== 0) {
        const dv = new DataView(got.buffer, got.byteOffset, 16);
        assert.fail(`${what}: block ${lba + i} is {lba ${dv.getUint32(4)}, v${dv.getUint32(8)}}, expected ${v === undefined ? 'zeros' : `v${v}`}`);
      }
    }
  }
}

const small: SwornDiskOptions = { memtableCapacity: 256, nodeCacheBlocks: 64, readCacheBlocks: 64 };

test('layout: 15/16 data split on large devices, rawBlocksFor inverts it', () => {
  const l = computeLayout(rawBlocksFor(524288)); // 2 GiB logical
  assert.ok(l.logicalBlocks >= 524288);
  assert.ok(l.dataStart <= Math.ceil(l.rawBlocks / 16), 'metadata part is 1/16');
  assert.equal(l.dataStart + l.dataBlocks, l.rawBlocks);
  assert.throws(() => computeLayout(100), StorageError);
  assert.throws(() => computeLayout(4096, { logicalBlocks: 4096 }), StorageError);
});

test('#19 a new disk reads zeros everywhere; unwritten and trimmed blocks read zeros', async () => {
  const raw = new MemDevice(4096);
  const d = await SwornDisk.create(raw, KEY, nodeCrypto, small);
  const buf = new Uint8Array(16 * BLOCK_SIZE).fill(1);
  await d.read(100, buf);
  assert.ok(buf.every((x) => x === 0));
  await d.write(10, block(10, 1));
  await d.flush();
  assert.deepEqual(await readBlock(d, 11), ZERO);
  await d.trim(10, 1);
  assert.deepEqual(await readBlock(d, 10), ZERO);
  await d.trim(0, d.nblocks); // a trim over nothing mapped changes nothing
  await d.flush();
  await d.close();
  const d2 = await SwornDisk.open(raw.handle(), KEY, nodeCrypto, small);
  assert.deepEqual(await readBlock(d2, 10), ZERO);
  assert.deepEqual(await readBlock(d2, d2.nblocks - 1), ZERO);
});

test('random writes, reads and trims match a model, across flushes and reopens', async () => {
  const raw = new MemDevice(4096);
  let d = await SwornDisk.create(raw, KEY, nodeCrypto, small);
  const n = d.nblocks;
  const rnd = prng(11);
  const model = new Map<number, number>();
  let version = 0;
  for (let step = 0; step < 3000; step++) {
    const r = rnd();
    const lba = Math.floor(rnd() * n);
    const len = Math.min(n - lba, 1 + Math.floor(rnd() * 8));
    if (r < 0.55) {
      const buf = new Uint8Array(len * BLOCK_SIZE);
      for (let i = 0; i < len; i++) {
        buf.set(block(lba + i, ++version), i * BLOCK_SIZE);
        model.set(lba + i, version);
      }
      await d.write(lba, buf);
    } else if (r < 0.6) {
      await d.trim(lba, len);
      for (let i = 0; i < len; i++) model.delete(lba + i);
    } else if (r < 0.95) {
      const buf = new Uint8Array(len * BLOCK_SIZE);
      await d.read(lba, buf);
      for (let i = 0; i < len; i++) {
        const v = model.get(lba + i);
        assert.deepEqual(buf.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE), v === undefined ? ZERO : block(lba + i, v), `step ${step} lba ${lba + i}`);
      }
    } else if (r < 0.99) {
      await d.flush();
    } else {
      await d.close();
      d = await SwornDisk.open(raw.handle(), KEY, nodeCrypto, small);
    }
  }
  await checkAll(d, model, 'before close');
  const s = d.stats();
  assert.ok(s.checkpoints > 0, 'checkpoints were taken');
  await d.close();
  d = await SwornDisk.open(raw.handle(), KEY, nodeCrypto, small);
  await checkAll(d, model, 'after reopen');
});

test('space reuse: overwriting the disk 6x its size, with compaction and trims', async () => {
  const mem = new MemDevice(4096);
  const raw = new CountingDevice(mem.handle());
  const d = await SwornDisk.create(raw, KEY, nodeCrypto, { ...small, l0Limit: 2 });
  const n = d.nblocks;
  const rnd = prng(5);
  const model = new Map<number, number>();
  let version = 0;
  let written = 0;
  let flushes = 0;
  while (written < 8 * n) {
    const lba = Math.floor(rnd() * (n - 16));
    const len = 1 + Math.floor(rnd() * 16);
    const buf = new Uint8Array(len * BLOCK_SIZE);
    for (let i = 0; i < len; i++) {
      buf.set(block(lba + i, ++version), i * BLOCK_SIZE);
      model.set(lba + i, version);
    }
    await d.write(lba, buf);
    written += len;
    if (rnd() < 0.02) {
      const t = Math.floor(rnd() * (n - 64));
      await d.trim(t, 64);
      for (let i = 0; i < 64; i++) model.delete(t + i);
    }
    if (rnd() < 0.05) { await d.flush(); flushes++; }
  }
  await d.flush();
  const s = d.stats();
  assert.ok(s.dataBlocksWritten >= 6 * n && s.dataBlocksWritten >= 4 * s.dataBlocks, `wrote ${s.dataBlocksWritten} blocks to a data area of ${s.dataBlocks}`);
  assert.ok(s.minorCompactions > 5 && s.majorCompactions > 0, `compactions: ${s.minorCompactions} minor, ${s.majorCompactions} major`);
  assert.ok(s.dataBlocksUsed <= s.dataBlocks);
  // Host writes stay close to the user writes (data + 48-byte records + compaction).
  const waf = raw.stats.writeBytes / (written * BLOCK_SIZE);
  assert.ok(waf < 1.5, `WAF ${waf.toFixed(3)} after ${flushes} flushes`);
  await checkAll(d, model, 'after overwriting');
  await d.close();
  const d2 = await SwornDisk.open(mem.handle(), KEY, nodeCrypto, small);
  await checkAll(d2, model, 'after reopen');
  // Live data bounded by the logical size: the bitmap was rebuilt from the index alone.
  assert.ok(d2.stats().dataBlocksUsed <= n + 2 * 256, `used ${d2.stats().dataBlocksUsed} of ${n} logical`);
});

test('compaction: memtable -> L0 -> L1 -> L2, lookups see the newest value at every level', async () => {
  const raw = new MemDevice(8192);
  const d = await SwornDisk.create(raw, KEY, nodeCrypto, { memtableCapacity: 100, l0Limit: 2, levelRatio: 2, nodeCacheBlocks: 16, readCacheBlocks: 0 });
  const model = new Map<number, number>();
  let v = 0;
  const rnd = prng(3);
  for (let round = 0; round < 40; round++) {
    for (let i = 0; i < 60; i++) {
      const lba = Math.floor(rnd() * 3000);
      await d.write(lba, block(lba, ++v));
      model.set(lba, v);
    }
    await d.flush();
  }
  const s = d.stats();
  assert.ok(s.levels.length >= 3, `levels: ${JSON.stringify(s.levels)}`);
  assert.ok(s.majorCompactions >= 3);
  await checkAll(d, model, 'with several levels');
  await d.compact(true);
  const after = d.stats().levels.filter((l) => l.length > 0);
  assert.equal(after.length, 1, 'a full compaction leaves one level');
  assert.equal(after[0].length, 1);
  await checkAll(d, model, 'after a full compaction');
  await d.close();
  await checkAll(await SwornDisk.open(raw.handle(), KEY, nodeCrypto, {}), model, 'after reopen');
});

test('unflushed overwrites beyond the slack fail with ENOSPC, and the disk stays usable', async () => {
  const raw = new MemDevice(4096);
  const d = await SwornDisk.create(raw, KEY, nodeCrypto, small);
  const n = d.nblocks;
  const all = new Uint8Array(64 * BLOCK_SIZE).fill(3);
  for (let lba = 0; lba + 64 <= n; lba += 64) await d.write(lba, all);
  await d.flush();
  // Overwriting everything again without a flush needs space for both versions.
  let err: unknown;
  try {
    for (let lba = 0; lba + 64 <= n; lba += 64) await d.write(lba, all.fill(4));
    await d.flush();
  } catch (e) { err = e; }
  assert.ok(err instanceof StorageError && err.code === 'ENOSPC', `got ${String(err)}`);
  // Reads still work, and what was flushed is intact after reopen.
  await d.read(0, new Uint8Array(BLOCK_SIZE));
  const d2 = await SwornDisk.open(raw.handle(), KEY, nodeCrypto, small);
  const b = await readBlock(d2, 0);
  assert.ok(b.every((x) => x === 3));
});

test('sequential reads use read-ahead and the read cache; random-LBA data reads coalesce by HBA', async () => {
  const mem = new MemDevice(rawBlocksFor(8192));
  const d = await SwornDisk.create(mem.handle(), KEY, nodeCrypto, { logicalBlocks: 8192, readAheadBlocks: 64, readCacheBlocks: 256 });
  const buf = new Uint8Array(256 * BLOCK_SIZE);
  for (let lba = 0; lba < 4096; lba += 256) await d.write(lba, buf.fill(lba & 255));
  await d.flush();
  await d.close();
  const raw = new CountingDevice(mem.handle());
  const r = await SwornDisk.open(raw, KEY, nodeCrypto, { readAheadBlocks: 64, readCacheBlocks: 256 });
  const before = raw.snapshot();
  const b = new Uint8Array(8 * BLOCK_SIZE);
  for (let lba = 0; lba < 4096; lba += 8) {
    await r.read(lba, b);
    assert.ok(b.every((x) => x === ((lba & ~255) & 255)));
  }
  const reads = raw.stats.readOps - before.readOps;
  assert.ok(reads < 4096 / 8 / 2, `${reads} raw reads for 512 sequential 32 KiB reads`);
  assert.ok(r.stats().readCacheHits > 2000);
});

test('options and argument errors', async () => {
  const raw = new MemDevice(4096);
  await assert.rejects(SwornDisk.create(raw, new Uint8Array(16), nodeCrypto), (e) => e instanceof StorageError && e.code === 'EINVAL');
  await assert.rejects(SwornDisk.create(raw, KEY, nodeCrypto, { memtableCapacity: 0 }), (e) => e instanceof StorageError && e.code === 'EINVAL');
  const d = await SwornDisk.create(raw, KEY, nodeCrypto, small);
  await assert.rejects(d.write(d.nblocks, block(0, 0)), (e) => e instanceof StorageError && e.code === 'EINVAL');
  await assert.rejects(d.read(0, new Uint8Array(100)), (e) => e instanceof StorageError && e.code === 'EINVAL');
  await assert.rejects(d.trim(d.nblocks - 1, 2), (e) => e instanceof StorageError && e.code === 'EINVAL');
  // Argument errors do not poison the disk.
  await d.write(0, block(0, 1));
  assert.deepEqual(await readBlock(d, 0), block(0, 1));
  await d.close();
  await assert.rejects(d.read(0, new Uint8Array(BLOCK_SIZE)), /closed/);
});

test('sealed trusted counter: persists, verifies its seal, and SwornDisk keeps it in step', async () => {
  const ctrRaw = new MemDevice(1);
  const c = await SealedCounter.create(ctrRaw, KEY, nodeCrypto);
  const raw = new MemDevice(4096);
  const d = await SwornDisk.create(raw, KEY, nodeCrypto, { ...small, counter: c });
  for (let i = 0; i < 5; i++) {
    await d.write(i, block(i, 1));
    await d.flush();
  }
  await d.flush(); // nothing new: no sync, no increment
  assert.equal(await c.read(), 5n);
  const c2 = await SealedCounter.open(ctrRaw.handle(), KEY, nodeCrypto);
  assert.equal(await c2.read(), 5n);
  await assert.rejects(SealedCounter.open(ctrRaw.handle(), new Uint8Array(32), nodeCrypto), /seal/);
  ctrRaw.image[9] ^= 1;
  await assert.rejects(SealedCounter.open(ctrRaw.handle(), KEY, nodeCrypto), /seal/);
  // An image ahead of the counter (crash between sync and increment) catches the counter up.
  const m = new MemCounter(3n);
  const d2 = await SwornDisk.open(raw.handle(), KEY, nodeCrypto, { ...small, counter: m });
  assert.equal(m.value, 5n);
  assert.equal(d2.committedSyncId, 5);
});

function target(raw: number, opts: SwornDiskOptions): ModelTarget {
  return {
    name: `sworndisk raw=${raw} memtable=${opts.memtableCapacity}`,
    nblocks: computeLayout(raw).logicalBlocks,
    crashState: 'last-flush',
    survivesReordering: true,
    create: async (store) => SwornDisk.create(await store.open('disk', raw), KEY, nodeCrypto, opts),
    open: async (store) => SwornDisk.open(await store.open('disk'), KEY, nodeCrypto, opts),
  };
}

test('model test: random write/read/trim/flush/reopen/crash/power loss (two seeds)', async () => {
  for (const seed of [101, 202]) {
    const r = await runModel(target(4096, { memtableCapacity: 200, nodeCacheBlocks: 64, readCacheBlocks: 32 }), { seed, steps: 1500, maxRun: 16 });
    assert.ok(r.crashes.midOp + r.crashes.powerLoss + r.crashes.abandon > 20);
  }
});

// Data segments are encrypted in batches (HostCrypto.aesGcmEncryptBlocks, in worker threads) while
// the next segment fills, and long read runs are decrypted in batches (aesGcmDecryptBlocks).
// Without those optional methods SwornDisk does the same per block on its own thread: both paths
// must produce the same format and the same checks.
const perBlockCrypto = { ...nodeCrypto, aesGcmEncryptBlocks: undefined, aesGcmDecryptBlocks: undefined, allocShared: undefined };

test('batched and per-block crypto read each other\'s images; segments in flight are visible to reads and trims', async () => {
  for (const [writer, reader] of [[nodeCrypto, perBlockCrypto], [perBlockCrypto, nodeCrypto]] as const) {
    const mem = new MemDevice(rawBlocksFor(8192));
    const d = await SwornDisk.create(mem.handle(), KEY, writer, { logicalBlocks: 8192 });
    const model = new Map<number, number>();
    // 2.5 segments: the third write fills a buffer while the second segment is in flight.
    for (let lba = 0; lba < 2560; lba += 64) {
      const buf = new Uint8Array(64 * BLOCK_SIZE);
      for (let i = 0; i < 64; i++) { buf.set(block(lba + i, 1), i * BLOCK_SIZE); model.set(lba + i, 1); }
      await d.write(lba, buf);
    }
    // Read and trim blocks of the segment in flight, before any flush.
    assert.deepEqual(await readBlock(d, 1500), block(1500, 1));
    await d.trim(1100, 4);
    for (let l = 1100; l < 1104; l++) model.delete(l);
    await checkAll(d, model, 'before flush');
    await d.close();
    const r = await SwornDisk.open(mem.handle(), KEY, reader, {});
    await checkAll(r, model, 'reopened with the other crypto path');
    await r.close();
  }
});

test('a long read run is verified block by block: one tampered block fails the whole read with EIO', async () => {
  const mem = new MemDevice(rawBlocksFor(4096));
  const d = await SwornDisk.create(mem.handle(), KEY, nodeCrypto, { logicalBlocks: 4096 });
  const buf = new Uint8Array(256 * BLOCK_SIZE);
  for (let i = 0; i < 256; i++) buf.set(block(i, 1), i * BLOCK_SIZE);
  await d.write(0, buf);
  await d.flush();
  const victim = (await d.hostBlockOf(200))!;
  await d.close();
  const raw = mem.handle();
  const b = new Uint8Array(BLOCK_SIZE);
  await raw.read(victim, b);
  b[77] ^= 1;
  await raw.write(victim, b);
  const r = await SwornDisk.open(mem.handle(), KEY, nodeCrypto, { readCacheBlocks: 0 });
  const out = new Uint8Array(256 * BLOCK_SIZE);
  await assert.rejects(r.read(0, out), (e: unknown) => e instanceof StorageError && e.code === 'EIO' && /LBA 200\b/.test(e.message));
  // The blocks before it are intact and the disk stays usable.
  await r.read(0, out.subarray(0, 128 * BLOCK_SIZE));
  for (let i = 0; i < 128; i++) assert.deepEqual(out.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE), block(i, 1));
  await r.close();
});
