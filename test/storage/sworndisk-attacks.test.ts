// The attack catalogue of sworndisk-reference.md §6, SwornDisk column, against an AdversarialDevice
// (the host is the test). Row numbers are the catalogue's; crash rows are in sworndisk-crash.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCK_SIZE, StorageError } from '../../src/storage/block-device.js';
import { AdversarialDevice } from '../../src/storage/adversarial-device.js';
import { MemDevice } from '../../src/storage/mem-device.js';
import { SwornDisk, type SwornDiskOptions } from '../../src/storage/sworndisk/sworndisk.js';
import { MemCounter, SealedCounter } from '../../src/storage/sworndisk/counter.js';
import { nodeCrypto } from '../../src/host/node-crypto.js';
import { prng } from './model.js';

const KEY = new Uint8Array(32).fill(0x33);
const OPTS: SwornDiskOptions = { memtableCapacity: 256, nodeCacheBlocks: 256, readCacheBlocks: 0 };
const RAW = 8192;

function block(lba: number, version: number, text = 'sworn'): Uint8Array {
  return new TextEncoder().encode(`${text} lba=${lba} v=${version};`.repeat(BLOCK_SIZE)).subarray(0, BLOCK_SIZE);
}

async function fresh(opts: SwornDiskOptions = OPTS) {
  const dev = AdversarialDevice.create(RAW);
  const disk = await SwornDisk.create(dev, KEY, nodeCrypto, opts);
  return { dev, disk };
}

/** A new handle on the same image and controller (the disk closes the handle it was given). */
const handle = (dev: AdversarialDevice) => new AdversarialDevice(dev.mem.handle(), { controller: dev.controller });

const open = (dev: AdversarialDevice, opts: SwornDiskOptions = OPTS, key = KEY) => SwornDisk.open(handle(dev), key, nodeCrypto, opts);

async function readBlock(d: SwornDisk, lba: number): Promise<Uint8Array> {
  const b = new Uint8Array(BLOCK_SIZE);
  await d.read(lba, b);
  return b;
}

async function rejectsEio(p: Promise<unknown>, re: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof StorageError, `expected a StorageError, got ${String(e)}`);
    assert.equal(e.code, 'EIO', e.message);
    assert.match(e.message, re);
    return true;
  });
}

/** Writes `n` versions of a few LBAs with a flush after each round. */
async function rounds(d: SwornDisk, from: number, to: number, lbas: number[]) {
  for (let v = from; v <= to; v++) {
    for (const l of lbas) await d.write(l, block(l, v));
    await d.flush();
  }
}

/** The valid-looking journal blocks (footer magic), by sequence number. */
function journalBlocks(dev: AdversarialDevice, d: SwornDisk): Map<number, number> {
  const { journalStart, journalBlocks: n } = d.layout;
  const out = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const b = dev.rawBlock(journalStart + i);
    const v = new DataView(b.buffer);
    if (v.getUint32(4032, true) !== 0x4c4e4a53) continue;
    out.set(v.getUint32(4040, true), journalStart + i);
  }
  return out;
}

const lastSeq = (m: Map<number, number>) => Math.max(...m.keys());

test('#1 snooping: no plaintext and no LBA value on the host image', async () => {
  const { dev, disk } = await fresh();
  // LBAs far from every small number the plaintext footers and headers hold.
  const lbas: number[] = [];
  for (let l = 3001; l < 6500; l += 17) lbas.push(l);
  for (const l of lbas) await disk.write(l, block(l, 1, 'TOP-SECRET-MARKER'));
  await disk.flush();
  await disk.compact(); // records now in a table, too
  for (const l of lbas.slice(0, 50)) await disk.write(l, block(l, 2, 'TOP-SECRET-MARKER'));
  await disk.flush(); // and in journal DATA records
  const img = Buffer.from(dev.mem.image);
  assert.equal(img.includes('TOP-SECRET'), false, 'plaintext on the host');
  assert.equal(img.includes('sworn lba='), false);
  // Every LBA here is < 2^16: as a little-endian u48 (the record format) it is 2 bytes then 4
  // zeros, big-endian 4 zeros then 2 bytes. A 2-byte pattern next to zero padding also occurs by
  // chance (about 0.3% per padding boundary), but records in plaintext would expose every LBA:
  // count the distinct LBAs found, and check the detector on a planted plaintext copy.
  const found = (im: Uint8Array): Set<number> => {
    const set = new Set(lbas), hit = new Set<number>();
    for (let i = 0; i + 6 <= im.length; i++) {
      if ((im[i + 2] | im[i + 3] | im[i + 4] | im[i + 5]) === 0 && set.has(im[i] | (im[i + 1] << 8))) hit.add(im[i] | (im[i + 1] << 8));
      if ((im[i] | im[i + 1] | im[i + 2] | im[i + 3]) === 0 && set.has((im[i + 4] << 8) | im[i + 5])) hit.add((im[i + 4] << 8) | im[i + 5]);
    }
    return hit;
  };
  const hits = found(img);
  assert.ok(hits.size <= lbas.length / 10, `${hits.size} of ${lbas.length} LBAs visible: ${[...hits].slice(0, 10).join(', ')}`);
  const planted = Buffer.from(img);
  lbas.forEach((l, k) => planted.writeUIntLE(l, disk.layout.dataStart * BLOCK_SIZE - 48 * (k + 1), 6));
  assert.equal(found(planted).size, lbas.length, 'the detector finds plaintext records');
  assert.equal(img.includes(Buffer.from(KEY)), false, 'root key on the host');
});

test('#2 tampered data ciphertext: reading that LBA fails with EIO, others still read', async () => {
  const { dev, disk } = await fresh();
  await rounds(disk, 1, 1, [10, 11, 12]);
  const hb = await disk.hostBlockOf(11);
  assert.ok(hb !== undefined && hb >= disk.layout.dataStart);
  dev.flipBit(hb * BLOCK_SIZE + 1234, 3);
  await rejectsEio(disk.read(11, new Uint8Array(BLOCK_SIZE)), /LBA 11.*failed authentication/);
  await rejectsEio(disk.read(8, new Uint8Array(8 * BLOCK_SIZE)), /LBA 11/);
  assert.deepEqual(await readBlock(disk, 10), block(10, 1));
  assert.deepEqual(await readBlock(disk, 12), block(12, 1));
  // The disk is still usable: overwrite the damaged block.
  await disk.write(11, block(11, 2));
  await disk.flush();
  assert.deepEqual(await readBlock(await open(dev), 11), block(11, 2));
});

test('#3 tampered index table node: open fails; with a cold node cache, lookups fail', async () => {
  const { dev, disk } = await fresh();
  await rounds(disk, 1, 3, Array.from({ length: 200 }, (_, i) => i * 3));
  await disk.compact(true);
  const blocks = disk.tableBlocks().flatMap((t) => t.blocks);
  assert.ok(blocks.length >= 3);
  await disk.close();
  const snap = dev.snapshot();
  for (const b of blocks) {
    dev.flipBit(b * BLOCK_SIZE + 100, 0);
    await rejectsEio(open(dev), /index node at index block \d+ .* failed authentication/);
    dev.restore(snap);
  }
  // Lookup path: tamper after open, with a node cache too small to keep the leaves.
  const d = await open(dev, { ...OPTS, nodeCacheBlocks: 1 });
  dev.flipBit(blocks[0] * BLOCK_SIZE + 9, 1); // the first leaf
  await rejectsEio(d.read(0, new Uint8Array(BLOCK_SIZE)), /index node/);
});

test('#3/#4 tampered journal (WAL) block, payload or footer: recovery rejects it when committed blocks follow', async () => {
  const { dev, disk } = await fresh();
  await rounds(disk, 1, 6, [1, 2, 3]);
  const jb = journalBlocks(dev, disk);
  const last = lastSeq(jb);
  assert.ok(last >= 5);
  await disk.close();
  const snap = dev.snapshot();
  const mid = jb.get(last - 3)!;
  for (const [what, off] of [['payload', 17], ['len', 4036], ['seq', 4040], ['iv', 4050], ['prevMac', 4062], ['mac', 4080]] as const) {
    dev.flipBit(mid * BLOCK_SIZE + off, 2);
    await rejectsEio(open(dev), /journal block \d+ fails authentication but committed blocks follow it/).catch((e) => {
      throw new Error(`flipped ${what}: ${(e as Error).message}`);
    });
    dev.restore(snap);
  }
  assert.deepEqual(await readBlock(await open(dev), 3), block(3, 6));
});

test('#4/#9 tampering with or dropping the last journal blocks: a crash without the counter, EIO with it', async () => {
  const counter = new MemCounter();
  const { dev, disk } = await fresh({ ...OPTS, counter });
  await rounds(disk, 1, 4, [5]);
  const jb = journalBlocks(dev, disk);
  await disk.close();
  assert.equal(counter.value, 4n);
  const snap = dev.snapshot();
  // Flip a bit in the last (commit) block: indistinguishable from a crash before it.
  dev.flipBit(jb.get(lastSeq(jb))! * BLOCK_SIZE + 4070, 0);
  const d = await open(dev);
  assert.equal(d.committedSyncId, 3);
  assert.deepEqual(await readBlock(d, 5), block(5, 3));
  await rejectsEio(open(dev, { ...OPTS, counter }), /rollback detected: image sync id 3 < trusted counter 4/);
  dev.restore(snap);
  // Truncation: the last two blocks never reached the disk.
  for (const s of [lastSeq(jb), lastSeq(jb) - 1]) dev.setRawBlock(jb.get(s)!, new Uint8Array(BLOCK_SIZE));
  assert.equal((await open(dev)).committedSyncId, 2);
  await rejectsEio(open(dev, { ...OPTS, counter }), /rollback detected/);
});

test('#5 tampered superblock or checkpoint, wrong root key: open fails with EIO', async () => {
  const { dev, disk } = await fresh();
  await rounds(disk, 1, 2, [1, 2]);
  await disk.compact(); // checkpoint 2
  await rounds(disk, 3, 3, [1]); // its CKPT record is now durable in the journal
  await disk.close();
  const snap = dev.snapshot();
  await rejectsEio(open(dev, OPTS, new Uint8Array(32).fill(1)), /superblock MAC mismatch \(tampered superblock or wrong root key\)/);
  for (const off of [0, 20, 60, 100, 140]) {
    dev.flipBit(off, 1);
    await rejectsEio(open(dev), /superblock/);
    dev.restore(snap);
  }
  // The newest checkpoint pack (version 2, slot 0) is damaged: the older one would open, but the
  // journal proves pack 2 was committed.
  const slot0 = disk.layout.ckptStart;
  dev.flipBit(slot0 * BLOCK_SIZE + 70, 4);
  await rejectsEio(open(dev), /checkpoint 2 was committed but is unreadable/);
  dev.restore(snap);
  // Both packs damaged.
  dev.flipBit(slot0 * BLOCK_SIZE + 70, 4);
  dev.flipBit((slot0 + disk.layout.ckptBlocks) * BLOCK_SIZE + 70, 4);
  await rejectsEio(open(dev), /no valid checkpoint/);
  dev.restore(snap);
  // An older pack put back in place of the newest one: the same.
  const d = await open(dev);
  await d.compact(); // pack 3 in slot 1
  await rounds(d, 4, 4, [1]);
  await d.close();
  const withPack3 = dev.snapshot();
  const slot1 = slot0 + disk.layout.ckptBlocks;
  for (let i = 0; i < disk.layout.ckptBlocks; i++) dev.setRawBlock(slot1 + i, snap.subarray((slot1 + i) * BLOCK_SIZE, (slot1 + i + 1) * BLOCK_SIZE));
  await rejectsEio(open(dev), /checkpoint 3 was committed but is unreadable/);
  dev.restore(withPack3);
  assert.deepEqual(await readBlock(await open(dev), 1), block(1, 4));
});

test('#6 block replay: an old ciphertext of the same LBA is rejected; at its old HBA it is never read', async () => {
  const { dev, disk } = await fresh();
  await rounds(disk, 1, 1, [42]);
  const hb1 = (await disk.hostBlockOf(42))!;
  const old = dev.rawBlock(hb1);
  await rounds(disk, 2, 2, [42]);
  const hb2 = (await disk.hostBlockOf(42))!;
  assert.notEqual(hb1, hb2, 'a new HBA per write');
  // Old ciphertext back at its old place: nothing references it.
  dev.setRawBlock(hb1, old);
  assert.deepEqual(await readBlock(disk, 42), block(42, 2));
  // Old ciphertext at the block's current place: its key is not the current one.
  dev.setRawBlock(hb2, old);
  await rejectsEio(disk.read(42, new Uint8Array(BLOCK_SIZE)), /LBA 42/);
  await rejectsEio((await open(dev)).read(42, new Uint8Array(BLOCK_SIZE)), /LBA 42/);
});

test('#7 swapped data blocks, table nodes or journal blocks: EIO', async () => {
  const { dev, disk } = await fresh();
  await rounds(disk, 1, 1, Array.from({ length: 300 }, (_, i) => i));
  await disk.compact(true);
  await rounds(disk, 2, 5, [7, 8]);
  const a = (await disk.hostBlockOf(100))!, b = (await disk.hostBlockOf(200))!;
  const tb = disk.tableBlocks().flatMap((t) => t.blocks);
  const jb = journalBlocks(dev, disk);
  await disk.close();
  const snap = dev.snapshot();
  dev.swapBlocks(a, b);
  const d = await open(dev);
  await rejectsEio(d.read(100, new Uint8Array(BLOCK_SIZE)), /LBA 100/);
  await rejectsEio(d.read(200, new Uint8Array(BLOCK_SIZE)), /LBA 200/);
  dev.restore(snap);
  assert.ok(tb.length >= 2);
  dev.swapBlocks(tb[0], tb[1]);
  await rejectsEio(open(dev), /index node/);
  dev.restore(snap);
  const last = lastSeq(jb);
  dev.swapBlocks(jb.get(last - 2)!, jb.get(last - 1)!);
  await rejectsEio(open(dev), /journal block \d+ fails authentication/);
});

test('#8 index rollback: an older table put back under the current catalog is detected', async () => {
  const { dev, disk } = await fresh();
  await rounds(disk, 1, 2, Array.from({ length: 300 }, (_, i) => i * 2));
  await disk.compact(true);
  const old = dev.snapshot();
  const oldTables = disk.tableBlocks().flatMap((t) => t.blocks);
  await rounds(disk, 3, 4, Array.from({ length: 300 }, (_, i) => i * 2 + 1));
  await disk.compact(true);
  const cur = disk.tableBlocks().flatMap((t) => t.blocks);
  await disk.close();
  const snap = dev.snapshot();
  // Put the whole index area back as it was (the journal and checkpoint stay current).
  const { indexStart, indexBlocks } = disk.layout;
  for (let i = indexStart; i < indexStart + indexBlocks; i++) dev.setRawBlock(i, old.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE));
  await rejectsEio(open(dev), /index node/);
  dev.restore(snap);
  // Or one current node replaced by an older node of the same position.
  const same = cur.filter((b) => oldTables.includes(b));
  const target = same.length ? same[0] : cur[0];
  dev.setRawBlock(target, old.subarray(target * BLOCK_SIZE, (target + 1) * BLOCK_SIZE));
  await rejectsEio(open(dev), /index node/);
});

test('#10 journal splice from another disk with the same root key: detected', async () => {
  const A = await fresh();
  const B = await fresh();
  await rounds(A.disk, 1, 6, [1, 2]);
  await rounds(B.disk, 1, 6, [1, 2]);
  const ja = journalBlocks(A.dev, A.disk), jb = journalBlocks(B.dev, B.disk);
  await A.disk.close();
  await B.disk.close();
  const snap = A.dev.snapshot();
  // One journal block of B at the same position in A's ring.
  const s = lastSeq(ja) - 2;
  A.dev.setRawBlock(ja.get(s)!, B.dev.rawBlock(jb.get(s)!));
  await rejectsEio(open(A.dev), /journal block \d+ fails authentication/);
  A.dev.restore(snap);
  // B's checkpoint packs in A: A's keys are per-disk (salted with the disk id), so they do not verify.
  const { ckptStart, ckptBlocks } = A.disk.layout;
  for (let i = ckptStart; i < ckptStart + 2 * ckptBlocks; i++) A.dev.setRawBlock(i, B.dev.rawBlock(i));
  await rejectsEio(open(A.dev), /no valid checkpoint/);
  A.dev.restore(snap);
  // B's superblock over A's image: B's disk id, so none of A's metadata verifies.
  A.dev.setRawBlock(0, B.dev.rawBlock(0));
  await rejectsEio(open(A.dev), /no valid checkpoint/);
});

test('#11 whole-image rollback: accepted without a trusted counter, detected with one', async () => {
  const ctrDev = new MemDevice(1);
  const counter = await SealedCounter.create(ctrDev, KEY, nodeCrypto);
  const { dev, disk } = await fresh({ ...OPTS, counter });
  await rounds(disk, 1, 2, [9]);
  await disk.close();
  const old = dev.snapshot();
  const d = await open(dev, { ...OPTS, counter: await SealedCounter.open(ctrDev.handle(), KEY, nodeCrypto) });
  await rounds(d, 3, 5, [9]);
  await d.close();
  dev.restore(old);
  assert.deepEqual(await readBlock(await open(dev), 9), block(9, 2), 'without a counter the old image opens (documented)');
  await rejectsEio(open(dev, { ...OPTS, counter: await SealedCounter.open(ctrDev.handle(), KEY, nodeCrypto) }), /rollback detected: image sync id 2 < trusted counter 5/);
});

test('#18 access pattern: random-LBA writes go to sequential HBAs', async () => {
  const { dev, disk } = await fresh({ ...OPTS, memtableCapacity: 100000 });
  dev.controller.record = true;
  const rnd = prng(18);
  const lbas = new Set<number>();
  while (lbas.size < 2500) lbas.add(Math.floor(rnd() * disk.nblocks));
  for (const l of lbas) await disk.write(l, block(l, 1));
  await disk.flush();
  const dataWrites = dev.controller.log.filter((op) => op.kind === 'write' && op.lba >= disk.layout.dataStart)
    .map((op) => op as { lba: number; data: Uint8Array });
  assert.ok(dataWrites.length <= 3, `${dataWrites.length} data writes for 2500 random blocks (one per 4 MiB segment)`);
  let next = disk.layout.dataStart;
  for (const w of dataWrites) {
    assert.equal(w.lba, next, 'each data write continues the previous one');
    next += w.data.length / BLOCK_SIZE;
  }
  assert.equal(next - disk.layout.dataStart, 2500);
  // HBA order is write order, not LBA order.
  const sorted = [...lbas].sort((x, y) => x - y);
  assert.equal(await disk.hostBlockOf([...lbas][0]), disk.layout.dataStart);
  assert.notEqual(await disk.hostBlockOf(sorted[0]), disk.layout.dataStart);
});
