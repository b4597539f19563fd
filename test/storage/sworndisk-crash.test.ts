// The crash rows of the catalogue (sworndisk-reference.md §6, #12-#15), SwornDisk column: a
// workload runs once on an AdversarialStore that records every host write; then, for every k, the
// first k writes are replayed onto the pre-workload image (optionally dropping a random subset of
// the writes since the last flush barrier), the disk is reopened and its whole content compared with
// the states the workload flushed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { BLOCK_SIZE } from '../../src/storage/block-device.js';
import { AdversarialStore, type StoreSnapshot } from '../../src/storage/adversarial-device.js';
import { SwornDisk, type SwornDiskOptions } from '../../src/storage/sworndisk/sworndisk.js';
import { nodeCrypto } from '../../src/host/node-crypto.js';
import { prng } from './model.js';

const KEY = new Uint8Array(32).fill(0x77);
const RAW = 4096;
const ZERO = new Uint8Array(BLOCK_SIZE);

function block(lba: number, version: number): Uint8Array {
  const b = new Uint8Array(BLOCK_SIZE);
  const v = new DataView(b.buffer);
  for (let o = 0; o < BLOCK_SIZE; o += 8) {
    v.setUint32(o, lba);
    v.setUint32(o + 4, version);
  }
  return b;
}

/** Digest of a model: (lba, content) of every non-zero block, by LBA. */
function modelDigest(model: Map<number, number>): string {
  const h = createHash('sha256');
  for (const lba of [...model.keys()].sort((a, b) => a - b)) {
    h.update(`${lba}:`);
    h.update(block(lba, model.get(lba)!));
  }
  return h.digest('hex');
}

/** The same digest of a disk's content. */
async function diskDigest(d: SwornDisk): Promise<string> {
  const h = createHash('sha256');
  const chunk = 256;
  const buf = new Uint8Array(chunk * BLOCK_SIZE);
  for (let lba = 0; lba < d.nblocks; lba += chunk) {
    const n = Math.min(chunk, d.nblocks - lba);
    await d.read(lba, buf.subarray(0, n * BLOCK_SIZE));
    for (let i = 0; i < n; i++) {
      const b = buf.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE);
      if (Buffer.compare(b, ZERO) === 0) continue;
      h.update(`${lba + i}:`);
      h.update(b);
    }
  }
  return h.digest('hex');
}

interface Sync { start: number; end: number; digest: string }

interface Run {
  store: AdversarialStore;
  snap: StoreSnapshot;
  initial: string;
  syncs: Sync[];
  total: number;
}

type Workload = (disk: SwornDisk, model: Map<number, number>, flush: () => Promise<void>) => Promise<void>;

/** Creates a disk, commits `setup`, then records `work`. */
async function record(opts: SwornDiskOptions, setup: Workload, work: Workload): Promise<Run> {
  const store = new AdversarialStore();
  const disk = await SwornDisk.create(await store.open('disk', RAW), KEY, nodeCrypto, opts);
  const model = new Map<number, number>();
  await setup(disk, model, () => disk.flush());
  await disk.flush();
  const initial = modelDigest(model);
  const snap = store.startRecording();
  const ctl = store.controller;
  const base = ctl.writes; // replay(k) counts the recorded writes only
  const syncs: Sync[] = [];
  const flush = async () => {
    const start = ctl.writes - base;
    await disk.flush();
    syncs.push({ start, end: ctl.writes - base, digest: modelDigest(model) });
  };
  await work(disk, model, flush);
  return { store, snap, initial, syncs, total: ctl.writes - base };
}

/** The states a crash after the first k host writes may leave. */
function expected(run: Run, k: number): string[] {
  let cur = run.initial;
  for (const s of run.syncs) {
    if (s.end <= k) cur = s.digest;
    else if (s.start < k) return [cur, s.digest];
    else break;
  }
  return [cur];
}

/** Write index -> number of flush barriers before it, in the recorded log. */
function barriers(store: AdversarialStore): number[] {
  const out: number[] = [];
  let f = 0;
  for (const op of store.controller.log) {
    if (op.kind === 'flush') f++;
    else out.push(f);
  }
  out.push(f);
  return out;
}

/** Recoveries that had to strip uncommitted records out of tables (see sworndisk.ts, recovery step 6). */
let strips = 0;

/** Replays the first k writes (with `subset`, unflushed ones each kept with probability 1/2) and opens. */
async function stateAt(run: Run, k: number, subset?: () => number): Promise<string> {
  const { store } = run;
  if (subset) {
    const b = barriers(store);
    store.replay(run.snap, k, (_w, i) => b[i] < b[k] || subset() < 0.5);
  } else {
    store.replay(run.snap, k);
  }
  store.controller.record = false;
  store.controller.revive();
  try {
    const d = await SwornDisk.open(await store.open('disk'), KEY, nodeCrypto, { nodeCacheBlocks: 64, readCacheBlocks: 0 });
    strips += d.stats().strips;
    return await diskDigest(d);
  } catch (e) {
    return `open failed: ${(e as Error).message}`;
  }
}

/** Random writes and trims over `span` LBAs, `n` operations, flushing with probability pFlush. */
function randomWork(seed: number, n: number, span: number, pFlush: number): Workload {
  return async (disk, model, flush) => {
    const rnd = prng(seed);
    let v = 1000;
    for (let i = 0; i < n; i++) {
      const lba = Math.floor(rnd() * span);
      if (rnd() < 0.08) {
        const len = 1 + Math.floor(rnd() * 8);
        await disk.trim(lba, len);
        for (let j = 0; j < len; j++) model.delete(lba + j);
      } else {
        const len = 1 + Math.floor(rnd() * 6);
        const buf = new Uint8Array(len * BLOCK_SIZE);
        for (let j = 0; j < len; j++) {
          buf.set(block(lba + j, ++v), j * BLOCK_SIZE);
          model.set(lba + j, v);
        }
        await disk.write(lba, buf);
      }
      if (rnd() < pFlush) await flush();
    }
    await flush();
  };
}

const seedData: Workload = async (disk, model) => {
  for (let lba = 0; lba < 600; lba += 3) {
    await disk.write(lba, block(lba, 1));
    model.set(lba, 1);
  }
};

test('#12 crash after every host write: reopen yields exactly the last synced state (prefixes and dropped unflushed writes)', async () => {
  const opts: SwornDiskOptions = { memtableCapacity: 96, l0Limit: 2, nodeCacheBlocks: 64 };
  const run = await record(opts, seedData, randomWork(12, 700, 700, 0.06));
  assert.ok(run.syncs.length >= 20 && run.total >= 120, `${run.syncs.length} syncs, ${run.total} host writes`);
  const rnd = prng(1212);
  strips = 0;
  for (let k = 0; k <= run.total; k++) {
    const want = expected(run, k);
    const got = await stateAt(run, k);
    assert.ok(want.includes(got), `prefix ${k}/${run.total}: ${got.slice(0, 60)} is not ${want.length > 1 ? 'either flushed state' : 'the last flushed state'}`);
    const got2 = await stateAt(run, k, rnd);
    assert.ok(want.includes(got2), `prefix ${k} with unflushed writes dropped: ${got2.slice(0, 60)}`);
  }
  assert.ok(strips > 0, 'some crash points left uncommitted records in tables');
});

test('#13 eviction attack: the host images after every write open to exactly #syncs + 1 distinct states', async () => {
  // Long stretches without a sync: buffer flushes, journal blocks and compactions hit the host
  // between syncs (what PFS's cache evictions do), yet none of them is a state that opens.
  const opts: SwornDiskOptions = { memtableCapacity: 128, l0Limit: 2, nodeCacheBlocks: 64 };
  const run = await record(opts, async () => {}, async (disk, model, flush) => {
    const rnd = prng(13);
    let v = 0;
    for (let s = 0; s < 6; s++) {
      for (let i = 0; i < 400; i++) {
        const lba = Math.floor(rnd() * 2000);
        await disk.write(lba, block(lba, ++v));
        model.set(lba, v);
      }
      await flush();
    }
  });
  const states = new Set<string>();
  for (let k = 0; k <= run.total; k++) states.add(await stateAt(run, k));
  const valid = new Set([run.initial, ...run.syncs.map((s) => s.digest)]);
  assert.equal(valid.size, run.syncs.length + 1);
  assert.deepEqual([...states].filter((s) => !valid.has(s)), [], 'a state that is no flush');
  assert.equal(states.size, run.syncs.length + 1, `${states.size} distinct states over ${run.total} host images, ${run.syncs.length} syncs`);
});

test('#14 crash during compaction: the index equals the synced view; a redone compaction writes identical nodes', async () => {
  const store = new AdversarialStore();
  const opts: SwornDiskOptions = { memtableCapacity: 400, l0Limit: 2, nodeCacheBlocks: 64 };
  let disk = await SwornDisk.create(await store.open('disk', RAW), KEY, nodeCrypto, opts);
  const model = new Map<number, number>();
  const rnd = prng(14);
  for (let r = 0; r < 4; r++) {
    for (let i = 0; i < 300; i++) {
      const lba = Math.floor(rnd() * 2500);
      await disk.write(lba, block(lba, r * 1000 + i));
      model.set(lba, r * 1000 + i);
    }
    await disk.flush();
    if (r < 3) await disk.compact(); // L0 + L1 after the second, one L0 table and L1 after the third
  }
  await disk.close();
  const want = modelDigest(model);
  const image = store.snapshot();
  const ctl = store.controller;

  // Reference: a clean compaction (minor, then the L0 -> L1 major one) from this image.
  const nodesAfterCompaction = async (d: SwornDisk): Promise<Map<number, string>> => {
    const m = new Map<number, string>();
    const dev = store.device('disk');
    for (const t of d.tableBlocks()) for (const b of t.blocks) m.set(b, Buffer.from(dev.rawBlock(b)).toString('hex'));
    return m;
  };
  disk = await SwornDisk.open(await store.open('disk'), KEY, nodeCrypto, opts);
  ctl.clearLog();
  ctl.record = true;
  const before = ctl.writes;
  await disk.compact();
  const writes = ctl.writes - before;
  const s = disk.stats();
  assert.ok(s.minorCompactions === 1 && s.majorCompactions >= 1, JSON.stringify(s));
  const reference = await nodesAfterCompaction(disk);
  assert.equal(await diskDigest(disk), want);
  ctl.record = false;

  for (let k = 0; k < writes; k++) {
    store.restore(image);
    ctl.revive();
    const d1 = await SwornDisk.open(await store.open('disk'), KEY, nodeCrypto, opts);
    ctl.crashAfter(k);
    await assert.rejects(d1.compact(), /crashed/);
    ctl.revive();
    const d2 = await SwornDisk.open(await store.open('disk'), KEY, nodeCrypto, opts);
    assert.equal(await diskDigest(d2), want, `crash after ${k} of ${writes} compaction writes`);
    await d2.compact(); // redo (or, if the checkpoint was durable, nothing to merge)
    const again = await nodesAfterCompaction(d2);
    assert.deepEqual(again, reference, `crash after ${k}: the redone compaction wrote different nodes`);
    assert.equal(await diskDigest(d2), want);
  }
});

test('#15 crash during sync, at every host write and with unflushed writes dropped: all of the sync or none', async () => {
  const opts: SwornDiskOptions = { memtableCapacity: 1500, nodeCacheBlocks: 64 };
  const run = await record(opts, seedData, async (disk, model, flush) => {
    // One sync carrying 1200 blocks (more than a segment), trims and overwrites.
    let v = 5000;
    for (let lba = 0; lba < 1200; lba += 4) {
      const buf = new Uint8Array(4 * BLOCK_SIZE);
      for (let j = 0; j < 4; j++) {
        buf.set(block(lba + j, ++v), j * BLOCK_SIZE);
        model.set(lba + j, v);
      }
      await disk.write(lba, buf);
    }
    await disk.trim(300, 50);
    for (let j = 300; j < 350; j++) model.delete(j);
    await flush();
  });
  assert.equal(run.syncs.length, 1);
  const [sync] = run.syncs;
  const rnd = prng(15);
  const seen = new Set<string>();
  for (let k = 0; k <= run.total; k++) {
    const want = expected(run, k);
    for (const got of [await stateAt(run, k), await stateAt(run, k, rnd), await stateAt(run, k, rnd)]) {
      assert.ok(want.includes(got), `crash after ${k} of ${run.total} writes (sync spans ${sync.start}..${sync.end}): ${got.slice(0, 60)}`);
      seen.add(got);
    }
  }
  assert.deepEqual([...seen].sort(), [run.initial, sync.digest].sort(), 'both the old and the new state occur');
});
