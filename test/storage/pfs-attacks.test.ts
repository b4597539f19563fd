// The attack and crash catalogue of sworndisk-reference.md §6, PFS column, run against PfsDisk on
// an AdversarialStore (the host is the test). Row numbers are the catalogue's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { BLOCK_SIZE, StorageError } from '../../src/storage/block-device.js';
import { AdversarialStore } from '../../src/storage/adversarial-device.js';
import { PfsDisk } from '../../src/storage/pfs/pfs-disk.js';
import * as L from '../../src/storage/pfs/layout.js';
import { nodeCrypto } from '../../src/host/node-crypto.js';
import { prng } from './model.js';

const KEY = new Uint8Array(16).fill(7);
const MAIN = 'pfsdisk';
const REC = 'pfsdisk_recovery';

const opts = (cacheSize = 48) => ({ key: KEY, crypto: nodeCrypto, cacheSize });

async function fresh(nblocks: number, cacheSize = 48) {
  const store = new AdversarialStore();
  const disk = await PfsDisk.createIn(store, { ...opts(cacheSize), nblocks });
  return { store, disk };
}

function block(lba: number, version: number, text = 'pfs-test'): Uint8Array {
  const b = new TextEncoder().encode(`${text} lba=${lba} v=${version};`.repeat(BLOCK_SIZE));
  return b.subarray(0, BLOCK_SIZE);
}

async function readBlock(d: PfsDisk, lba: number): Promise<Uint8Array> {
  const b = new Uint8Array(BLOCK_SIZE);
  await d.read(lba, b);
  return b;
}

async function readAll(d: PfsDisk): Promise<Uint8Array> {
  const img = new Uint8Array(d.nblocks * BLOCK_SIZE);
  for (let lba = 0; lba < d.nblocks; lba += 64) {
    await d.read(lba, img.subarray(lba * BLOCK_SIZE, Math.min(d.nblocks, lba + 64) * BLOCK_SIZE));
  }
  return img;
}

const digest = (img: Uint8Array) => createHash('sha256').update(img).digest('hex');

async function rejectsEio(p: Promise<unknown>, re: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof StorageError, `expected a StorageError, got ${String(e)}`);
    assert.equal(e.code, 'EIO');
    assert.match(e.message, re);
    return true;
  });
}

test('#1 snooping: no plaintext in the host files; which nodes change is visible', async () => {
  const { store, disk } = await fresh(300, 8);
  for (let lba = 0; lba < 200; lba += 4) {
    const buf = new Uint8Array(4 * BLOCK_SIZE);
    for (let j = 0; j < 4; j++) buf.set(block(lba + j, 1, 'TOP-SECRET-MARKER'), j * BLOCK_SIZE);
    await disk.write(lba, buf);
  }
  await disk.flush();
  for (const name of [MAIN, REC]) {
    assert.equal(Buffer.from(store.image(name)).includes('TOP-SECRET'), false, `plaintext found in ${name}`);
  }
  // Expected for PFS: a write to block b changes data node b's fixed physical position, its MHT
  // path and the metadata node (sworndisk-reference.md §6 #18: HBA = f(offset)).
  const before = store.image(MAIN).slice();
  await disk.write(150, block(150, 2, 'TOP-SECRET-MARKER'));
  await disk.flush();
  const after = store.image(MAIN);
  const changed: number[] = [];
  for (let p = 0; p < after.length / BLOCK_SIZE; p++) {
    if (Buffer.compare(before.subarray(p * BLOCK_SIZE, (p + 1) * BLOCK_SIZE), after.subarray(p * BLOCK_SIZE, (p + 1) * BLOCK_SIZE)) !== 0) changed.push(p);
  }
  assert.deepEqual(changed, [0, L.mhtPhys(0), L.mhtPhys(1), L.dataPhys(150)]);
  await disk.close();
});

test('#2 tampered data or MHT ciphertext: the read fails with EIO naming the node', async () => {
  const { store, disk } = await fresh(300);
  for (let lba = 0; lba < 300; lba += 50) await disk.write(lba, block(lba, 1));
  await disk.write(10, block(10, 1));
  await disk.write(11, block(11, 1));
  await disk.close();
  store.device(MAIN).flipBit(L.dataPhys(10) * BLOCK_SIZE + 100, 2);
  let d = await PfsDisk.openIn(store, opts());
  await rejectsEio(d.read(10, new Uint8Array(BLOCK_SIZE)), /data node 10 \(physical 12\) failed GMAC/);
  assert.deepEqual(await readBlock(d, 11), block(11, 1), 'other blocks stay readable');
  await d.close();
  // An MHT node: every block under it fails.
  store.device(MAIN).flipBit(L.mhtPhys(1) * BLOCK_SIZE + 4000, 0);
  d = await PfsDisk.openIn(store, opts());
  await rejectsEio(d.read(100, new Uint8Array(BLOCK_SIZE)), /MHT node 1 \(physical 98\) failed GMAC/);
  assert.deepEqual(await readBlock(d, 0), block(0, 1));
  await d.close();
  // The root MHT node is checked at open.
  store.device(MAIN).flipBit(L.mhtPhys(0) * BLOCK_SIZE + 7, 7);
  await rejectsEio(PfsDisk.openIn(store, opts()), /root MHT node/);
});

test('#5 tampered metadata node, wrong key, wrong file name, not a PFS image: open fails', async () => {
  const { store, disk } = await fresh(100);
  await disk.write(1, block(1, 1));
  await disk.close();
  const snap = store.snapshot();
  const cases: Array<[string, () => void, RegExp, Partial<{ key: Uint8Array; name: string }>]> = [
    ['encrypted part', () => store.device(MAIN).flipBit(L.META_ENC + 300), /metadata node failed GMAC/, {}],
    ['stored GMAC', () => store.device(MAIN).flipBit(L.META_GMAC), /metadata node failed GMAC/, {}],
    ['key id', () => store.device(MAIN).flipBit(L.META_KEY_ID + 3), /metadata node failed GMAC/, {}],
    ['file id', () => store.device(MAIN).flipBit(L.META_FILE_ID), /not a protected file/, {}],
    ['wrong key', () => {}, /metadata node failed GMAC verification \(wrong key/, { key: new Uint8Array(16).fill(8) }],
    // #16 (file swap): the image of another file name fails SGX's clean_filename check.
    ['wrong name', () => {}, /file name mismatch/, { name: 'other' }],
  ];
  for (const [what, tamper, re, o] of cases) {
    store.restore(snap);
    tamper();
    if (o.name) {
      // The host renames the files: the content is intact, the name inside is not 'other'.
      store.restore(new Map([...snap, ['other', snap.get(MAIN)!], ['other_recovery', snap.get(REC)!]]));
    }
    await rejectsEio(PfsDisk.openIn(store, { ...opts(), ...o }), re).catch((e) => { throw new Error(`${what}: ${(e as Error).message}`); });
  }
  store.restore(snap);
  const d = await PfsDisk.openIn(store, opts());
  assert.deepEqual(await readBlock(d, 1), block(1, 1));
  await d.close();
});

test('#6 block replay (old ciphertext restored in place): EIO', async () => {
  const { store, disk } = await fresh(300);
  await disk.write(20, block(20, 1));
  await disk.write(150, block(150, 1));
  await disk.flush();
  const oldData = store.device(MAIN).rawBlock(L.dataPhys(20));
  const oldMht = store.device(MAIN).rawBlock(L.mhtPhys(1));
  const oldData150 = store.device(MAIN).rawBlock(L.dataPhys(150));
  await disk.write(20, block(20, 2));
  await disk.write(150, block(150, 2));
  await disk.close();
  // Data node alone: its parent holds the new key and GMAC.
  const snap = store.snapshot();
  store.device(MAIN).setRawBlock(L.dataPhys(20), oldData);
  let d = await PfsDisk.openIn(store, opts());
  await rejectsEio(d.read(20, new Uint8Array(BLOCK_SIZE)), /data node 20/);
  await d.close();
  // Data node and its MHT node together: caught one level up.
  store.restore(snap);
  store.device(MAIN).setRawBlock(L.dataPhys(150), oldData150);
  store.device(MAIN).setRawBlock(L.mhtPhys(1), oldMht);
  d = await PfsDisk.openIn(store, opts());
  await rejectsEio(d.read(150, new Uint8Array(BLOCK_SIZE)), /MHT node 1/);
  assert.deepEqual(await readBlock(d, 20), block(20, 2));
  await d.close();
});

test('#7 swapped data nodes or MHT nodes: EIO', async () => {
  const { store, disk } = await fresh(400);
  for (const lba of [30, 31, 5, 200, 290]) await disk.write(lba, block(lba, 1));
  await disk.close();
  const snap = store.snapshot();
  for (const [a, b] of [[30, 31], [5, 200]]) {
    store.restore(snap);
    store.device(MAIN).swapBlocks(L.dataPhys(a), L.dataPhys(b));
    const d = await PfsDisk.openIn(store, opts());
    await rejectsEio(d.read(a, new Uint8Array(BLOCK_SIZE)), new RegExp(`data node ${a} `));
    await rejectsEio(d.read(b, new Uint8Array(BLOCK_SIZE)), new RegExp(`data node ${b} `));
    await d.close();
  }
  store.restore(snap);
  store.device(MAIN).swapBlocks(L.mhtPhys(2), L.mhtPhys(3));
  const d = await PfsDisk.openIn(store, opts());
  await rejectsEio(d.read(200, new Uint8Array(BLOCK_SIZE)), /MHT node 2 /);
  await rejectsEio(d.read(290, new Uint8Array(BLOCK_SIZE)), /MHT node 3 /);
  await d.close();
});

test('#11 whole-image rollback is ACCEPTED (known PFS weakness: no monotonic counter)', async () => {
  const { store, disk } = await fresh(200);
  await disk.write(3, block(3, 1));
  await disk.flush();
  const old = store.snapshot();
  await disk.write(3, block(3, 2));
  await disk.write(4, block(4, 2));
  await disk.close();
  store.restore(old);
  const d = await PfsDisk.openIn(store, opts());
  assert.deepEqual(await readBlock(d, 3), block(3, 1), 'the rolled-back image opens and serves old data');
  assert.deepEqual(await readBlock(d, 4), new Uint8Array(BLOCK_SIZE));
  await d.close();
});

test('forged update_flag rolls back to the recovery file\'s state (unauthenticated flag, same weakness as #11)', async () => {
  const { store, disk } = await fresh(200);
  await disk.write(3, block(3, 1));
  await disk.flush();
  await disk.write(3, block(3, 2));
  await disk.flush(); // one internal_flush: the recovery file now holds the v1 nodes and metadata
  await disk.close();
  store.device(MAIN).flipBit(L.META_UPDATE_FLAG, 0);
  const d = await PfsDisk.openIn(store, opts());
  assert.equal(d.stats.recoveries, 1);
  assert.deepEqual(await readBlock(d, 3), block(3, 1));
  await d.close();
});

test('tampered recovery file during a crash recovery: EIO, never wrong data', async () => {
  const { store, disk } = await fresh(300, 1024); // no eviction flushes: one internal_flush per flush()
  for (let lba = 0; lba < 300; lba += 3) await disk.write(lba, block(lba, 1));
  await disk.flush();
  for (let lba = 0; lba < 300; lba += 3) await disk.write(lba, block(lba, 2));
  // Crash after the recovery file, the update flag and one node have been written.
  store.controller.crashAfter(3);
  await assert.rejects(disk.flush());
  store.controller.revive();
  const snap = store.snapshot();
  assert.equal(store.image(MAIN)[L.META_UPDATE_FLAG], 1);
  // Untampered: rolls back to the v1 state.
  let d = await PfsDisk.openIn(store, opts(1024));
  assert.equal(d.stats.recoveries, 1);
  for (let lba = 0; lba < 300; lba += 30) assert.deepEqual(await readBlock(d, lba), block(lba, 1));
  await d.close();
  // Tampered node images in the recovery file.
  const hdr = L.recoveryHeaderBlocks(new DataView(snap.get(REC)!.buffer).getUint32(8, true));
  for (const rec of [0, 5, 20]) {
    store.restore(snap);
    store.device(REC).flipBit((hdr + rec) * BLOCK_SIZE + 9);
    let failed = false;
    try {
      d = await PfsDisk.openIn(store, opts(1024));
      const img = await readAll(d);
      for (let lba = 0; lba < 300; lba++) {
        const want = lba % 3 === 0 ? block(lba, 1) : new Uint8Array(BLOCK_SIZE);
        assert.deepEqual(img.subarray(lba * BLOCK_SIZE, (lba + 1) * BLOCK_SIZE), want);
      }
    } catch (e) {
      assert.ok(e instanceof StorageError && e.code === 'EIO', String(e));
      failed = true;
    }
    assert.ok(failed, `tampered recovery record ${rec} went unnoticed`);
  }
  // A recovery file the host deleted: open fails.
  store.restore(snap);
  await store.remove(REC);
  await rejectsEio(PfsDisk.openIn(store, opts()), /recovery file is unusable/);
});

/**
 * Runs a workload on a recorded store; returns what is needed to check every crash point:
 * the block writes in order (lba, content), and for each flush the number of block writes it
 * covers and the host-write count at which it completed.
 */
async function recordWorkload(nblocks: number, cacheSize: number, ops: number, flushEvery: number, seed: number) {
  const { store, disk } = await fresh(nblocks, cacheSize);
  const snap = store.startRecording();
  const rnd = prng(seed);
  const writes: Array<{ lba: number; data: Uint8Array; hostWritesBefore: number }> = [];
  const flushes: Array<{ blocks: number; hostWrites: number }> = [];
  for (let i = 0; i < ops; i++) {
    const len = 1 + Math.floor(rnd() * 4);
    const lba = Math.floor(rnd() * (nblocks - len));
    const buf = new Uint8Array(len * BLOCK_SIZE);
    const before = store.controller.writes;
    for (let j = 0; j < len; j++) {
      const b = block(lba + j, i);
      buf.set(b, j * BLOCK_SIZE);
      writes.push({ lba: lba + j, data: b, hostWritesBefore: before });
    }
    await disk.write(lba, buf);
    if (flushEvery && i % flushEvery === flushEvery - 1) {
      await disk.flush();
      flushes.push({ blocks: writes.length, hostWrites: store.controller.writes });
    }
  }
  store.controller.record = false;
  return { store, snap, writes, flushes, total: store.recordedWrites().length };
}

/** State after each prefix of the block writes, as digests of the whole disk. */
function prefixDigests(nblocks: number, writes: Array<{ lba: number; data: Uint8Array }>): Map<string, number[]> {
  const img = new Uint8Array(nblocks * BLOCK_SIZE);
  const m = new Map<string, number[]>();
  const add = (j: number) => {
    const h = digest(img);
    m.set(h, [...(m.get(h) ?? []), j]);
  };
  add(0);
  writes.forEach((w, j) => {
    img.set(w.data, w.lba * BLOCK_SIZE);
    add(j + 1);
  });
  return m;
}

test('#12 crash after every host write: reopens to a consistent state, never older than the last flush', async () => {
  const n = 300;
  const { store, snap, writes, flushes, total } = await recordWorkload(n, 8, 90, 25, 12);
  const states = prefixDigests(n, writes);
  const seen = new Set<string>();
  for (let k = 0; k <= total; k++) {
    store.replay(snap, k);
    const d = await PfsDisk.openIn(store, opts(8));
    const h = digest(await readAll(d));
    await d.close();
    const js = states.get(h);
    assert.ok(js, `crash after host write ${k}/${total}: the disk is in no state of the workload`);
    const minJ = Math.max(0, ...flushes.filter((f) => f.hostWrites <= k).map((f) => f.blocks));
    const maxJ = writes.filter((w) => w.hostWritesBefore < k).length;
    assert.ok(js.some((j) => j >= minJ && j <= maxJ), `crash after host write ${k}: state prefix ${js} not within [${minJ}, ${maxJ}]`);
    seen.add(h);
  }
  assert.ok(total > 100, `${total} host writes`);
  assert.ok(seen.size > flushes.length + 1, 'eviction states are reachable by a crash (PFS has no flush atomicity)');
});

test('#13 eviction attack (CVE-2022-27499): many more valid states than syncs', async (t) => {
  const n = 300;
  // Write A then B with no sync in between, one sync at the end: a small cache evicts mid-sequence.
  const { store, snap, writes, flushes, total } = await recordWorkload(n, 8, 60, 0, 13);
  const states = prefixDigests(n, writes);
  const valid = new Set<string>();
  for (let k = 0; k <= total; k++) {
    store.replay(snap, k);
    // The host snapshots its files after every write and keeps those that open and read cleanly.
    try {
      const d = await PfsDisk.openIn(store, opts(8));
      const h = digest(await readAll(d));
      await d.close();
      assert.ok(states.has(h));
      valid.add(h);
    } catch (e) {
      if (!(e instanceof StorageError)) throw e;
    }
  }
  const syncs = flushes.length;
  t.diagnostic(`${valid.size} distinct valid states from ${total} host writes with ${syncs} syncs (SwornDisk: ${syncs + 1})`);
  assert.ok(valid.size > syncs + 1 + 5, `only ${valid.size} valid states`);
});

test('#19 unwritten blocks read as zeros, inside and beyond the file size', async () => {
  const { disk } = await fresh(400);
  await disk.write(250, block(250, 1));
  await disk.flush();
  const zero = new Uint8Array(BLOCK_SIZE);
  for (const lba of [0, 95, 96, 249, 251, 399]) assert.deepEqual(await readBlock(disk, lba), zero, `block ${lba}`);
  await disk.close();
});
