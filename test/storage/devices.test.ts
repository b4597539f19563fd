// Raw devices and wrappers: MemDevice/MemStore, HostBlockFile/HostDirStore, CountingDevice,
// AdversarialDevice/AdversarialStore, and the CryptDisk baseline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BLOCK_SIZE, StorageError } from '../../src/storage/block-device.js';
import { MemDevice, MemStore } from '../../src/storage/mem-device.js';
import { HostBlockFile, HostDirStore } from '../../src/host/block-file.js';
import { CountingDevice, CountingStore } from '../../src/storage/counting-device.js';
import { AdversarialDevice, AdversarialStore } from '../../src/storage/adversarial-device.js';
import { CryptDisk } from '../../src/storage/crypt-disk.js';
import { nodeCrypto } from '../../src/host/node-crypto.js';
import { ModelError, runModel, type ModelTarget } from './model.js';

const blk = (fill: number, n = 1) => new Uint8Array(n * BLOCK_SIZE).fill(fill);
const code = (e: unknown) => (e instanceof StorageError ? e.code : String(e));

async function rejectsWith(p: Promise<unknown>, errno: string, re?: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.equal(code(e), errno);
    if (re) assert.match((e as Error).message, re);
    return true;
  });
}

test('MemDevice: read/write/trim, range checks, handles share content', async () => {
  const d = new MemDevice(8);
  assert.equal(d.nblocks, 8);
  await d.write(2, blk(7, 2));
  const b = new Uint8Array(3 * BLOCK_SIZE);
  await d.read(1, b);
  assert.deepEqual(b, new Uint8Array([...blk(0), ...blk(7, 2)]));
  await d.trim(3, 1);
  await d.read(3, b.subarray(0, BLOCK_SIZE));
  assert.deepEqual(b.subarray(0, BLOCK_SIZE), blk(0));
  await rejectsWith(d.write(7, blk(1, 2)), 'EINVAL');
  await rejectsWith(d.read(0, new Uint8Array(100)), 'EINVAL');
  const h = d.handle();
  await d.close();
  await rejectsWith(d.read(0, blk(0)), 'EIO');
  await h.read(2, b.subarray(0, BLOCK_SIZE));
  assert.equal(b[0], 7);
});

test('MemStore: create, reopen keeps content, grow, missing name', async () => {
  const s = new MemStore();
  await rejectsWith(s.open('x'), 'EINVAL');
  const a = await s.open('x', 4);
  await a.write(1, blk(9));
  await a.close();
  const b = await s.open('x', 6);
  assert.equal(b.nblocks, 6);
  const r = blk(0);
  await b.read(1, r);
  assert.equal(r[100], 9);
  assert.equal(await s.exists('x'), true);
  await s.remove('x');
  assert.equal(await s.exists('x'), false);
});

test('HostBlockFile and HostDirStore: positioned I/O, flush, reopen, trim, growth', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'occlum-ts-blk-'));
  try {
    const f = path.join(dir, 'disk.img');
    const d = HostBlockFile.open(f, { nblocks: 16 });
    assert.equal(fs.statSync(f).size, 16 * BLOCK_SIZE);
    await d.write(3, blk(0xab, 2));
    await d.flush();
    await d.trim(4, 1);
    await rejectsWith(d.write(15, blk(1, 2)), 'EINVAL');
    await d.close();
    await rejectsWith(d.read(0, blk(0)), 'EIO');
    const e = HostBlockFile.open(f);
    assert.equal(e.nblocks, 16);
    const r = blk(0, 2);
    await e.read(3, r);
    assert.deepEqual(r, new Uint8Array([...blk(0xab), ...blk(0)]));
    await e.close();
    // A host file shrunk behind our back reads as zeros past its end (the host is untrusted).
    const g = HostBlockFile.open(f, { nblocks: 16 });
    fs.truncateSync(f, 3 * BLOCK_SIZE + 10);
    await g.read(3, r);
    assert.deepEqual(r.subarray(0, 10), blk(0xab).subarray(0, 10));
    assert.deepEqual(r.subarray(10), new Uint8Array(2 * BLOCK_SIZE - 10));
    await g.close();
    assert.throws(() => HostBlockFile.open(path.join(dir, 'missing')), (err: unknown) => code(err) === 'EIO');

    const s = new HostDirStore(path.join(dir, 'store'), { zeroFill: true });
    await rejectsWith(s.open('a'), 'EINVAL');
    await rejectsWith(s.open('../evil', 1), 'EINVAL');
    const a = await s.open('a', 2);
    await a.write(0, blk(5));
    await a.close();
    const a2 = await s.open('a', 4);
    assert.equal(a2.nblocks, 4);
    await a2.read(0, r.subarray(0, BLOCK_SIZE));
    assert.equal(r[0], 5);
    await a2.close();
    assert.equal(await s.exists('a'), true);
    await s.remove('a');
    assert.equal(await s.exists('a'), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('CountingDevice and CountingStore count host bytes, calls and flushes', async () => {
  const c = new CountingDevice(new MemDevice(8));
  await c.write(0, blk(1, 3));
  await c.write(5, blk(1));
  await c.read(0, blk(0, 2));
  await c.trim(0, 2);
  await c.flush();
  await rejectsWith(c.write(8, blk(1)), 'EINVAL');
  assert.deepEqual(c.snapshot(), { readOps: 1, readBytes: 2 * BLOCK_SIZE, writeOps: 2, writeBytes: 4 * BLOCK_SIZE, trimOps: 1, trimBytes: 2 * BLOCK_SIZE, flushes: 1 });
  c.reset();
  assert.equal(c.stats.writeBytes, 0);

  const s = new CountingStore(new MemStore());
  const a = await s.open('a', 4);
  const b = await s.open('b', 4);
  await a.write(0, blk(1));
  await b.write(0, blk(1, 2));
  await b.flush();
  assert.equal(s.stats.writeBytes, 3 * BLOCK_SIZE);
  assert.equal(s.stats.writeOps, 2);
  assert.equal(s.stats.flushes, 1);
});

test('AdversarialDevice: snapshot/restore, flip a bit, swap blocks, raw access', async () => {
  const d = AdversarialDevice.create(4);
  await d.write(0, blk(1));
  await d.write(1, blk(2));
  const snap = d.snapshot();
  d.swapBlocks(0, 1);
  assert.equal(d.rawBlock(0)[0], 2);
  assert.equal(d.rawBlock(1)[0], 1);
  d.flipBit(BLOCK_SIZE + 5, 3);
  assert.equal(d.rawBlock(1)[5], 1 ^ 8);
  d.restore(snap);
  assert.deepEqual(d.rawBlock(0), blk(1));
  assert.deepEqual(d.rawBlock(1), blk(2));
  d.setRawBlock(3, blk(3));
  const r = blk(0);
  await d.read(3, r);
  assert.deepEqual(r, blk(3));
});

test('AdversarialDevice: dropped writes are acknowledged but not applied', async () => {
  const d = AdversarialDevice.create(4);
  d.controller.dropIf = (w) => w.lba === 2;
  await d.write(1, blk(1, 2));
  await d.write(2, blk(9));
  assert.equal(d.rawBlock(1)[0], 1);
  assert.equal(d.rawBlock(2)[0], 1);
  assert.equal(d.controller.writes, 2);
});

test('AdversarialDevice: crash after the k-th write, then the device is dead until revive', async () => {
  const d = AdversarialDevice.create(8);
  d.controller.crashAfter(2);
  await d.write(0, blk(1));
  await d.write(1, blk(2));
  await rejectsWith(d.write(2, blk(3)), 'EIO', /crashed/);
  assert.equal(d.rawBlock(2)[0], 0, 'the write after the k-th is lost');
  assert.equal(d.controller.dead, true);
  await rejectsWith(d.read(0, blk(0)), 'EIO');
  await rejectsWith(d.flush(), 'EIO');
  d.controller.revive();
  await rejectsWith(d.read(0, blk(0)), 'EIO', /crashed instance/);
  const fresh = new AdversarialDevice(d.mem.handle(), { controller: d.controller });
  const r = blk(0);
  await fresh.read(1, r);
  assert.equal(r[0], 2);
});

test('AdversarialDevice: record and replay the first k writes onto a snapshot', async () => {
  const d = AdversarialDevice.create(4);
  const snap = d.snapshot();
  d.controller.record = true;
  for (let i = 0; i < 4; i++) await d.write(i, blk(i + 1));
  await d.flush();
  assert.equal(d.controller.log.length, 5);
  d.replay(snap, 2);
  assert.deepEqual([0, 1, 2, 3].map((i) => d.rawBlock(i)[0]), [1, 2, 0, 0]);
  d.replay(snap, 4);
  assert.deepEqual([0, 1, 2, 3].map((i) => d.rawBlock(i)[0]), [1, 2, 3, 4]);
});

test('AdversarialDevice: power loss drops unflushed writes (all, or a chosen subset)', async () => {
  const d = AdversarialDevice.create(4);
  d.controller.trackUnsynced = true;
  await d.write(0, blk(1));
  await d.flush();
  await d.write(0, blk(2));
  await d.write(1, blk(3));
  await d.write(2, blk(4));
  assert.equal(d.controller.unsyncedWrites(), 3);
  const snap = d.snapshot();
  d.controller.powerLoss();
  assert.deepEqual([0, 1, 2].map((i) => d.rawBlock(i)[0]), [1, 0, 0]);
  assert.equal(d.controller.dead, true);
  d.controller.revive();
  // Same again, keeping only the write to block 2.
  const d2 = AdversarialDevice.create(4);
  d2.controller.trackUnsynced = true;
  d2.restore(snap);
  await d2.flush();
  await d2.write(0, blk(7));
  await d2.write(2, blk(8));
  d2.controller.powerLoss((w) => w.lba === 2);
  assert.deepEqual([0, 1, 2].map((i) => d2.rawBlock(i)[0]), [2, 3, 8]);
});

test('AdversarialStore: one controller across devices, global write order, replay, restore', async () => {
  const s = new AdversarialStore();
  const a = await s.open('a', 4);
  const snap = s.startRecording();
  await a.write(0, blk(1));
  const b = await s.open('b', 2); // created after the snapshot
  await b.write(1, blk(2));
  await a.write(1, blk(3));
  assert.deepEqual(s.recordedWrites().map((w) => `${w.device}@${w.lba}`), ['a@0', 'b@1', 'a@1']);
  s.controller.crashAfter(0);
  await rejectsWith(b.write(0, blk(9)), 'EIO');
  await rejectsWith(a.read(0, blk(0)), 'EIO');
  s.controller.revive();
  s.replay(snap, 2);
  assert.equal(s.image('a')[0], 1);
  assert.equal(s.image('a')[BLOCK_SIZE], 0);
  assert.equal(s.image('b')[BLOCK_SIZE], 2);
  s.replay(snap, 3, (w) => w.device === 'a');
  assert.equal(await s.exists('b'), false, 'b did not exist at the snapshot and none of its writes were replayed');
  assert.equal(s.image('a')[BLOCK_SIZE], 3);
  s.restore(snap);
  assert.deepEqual(s.names(), ['a']);
  const a2 = await s.open('a');
  const r = blk(0);
  await a2.read(0, r);
  assert.deepEqual(r, blk(0));
  s.device('a').flipBit(0);
  assert.equal(s.image('a')[0], 1);
});

test('CryptDisk: round trip, zeros when unwritten, no plaintext on the host, CTR runs', async () => {
  const key = nodeCrypto.randomBytes(16);
  const mem = new MemDevice(32);
  const d = new CryptDisk(mem, { key, crypto: nodeCrypto });
  const text = new TextEncoder().encode('SECRET-PLAINTEXT-MARKER '.repeat(171)).subarray(0, BLOCK_SIZE);
  const data = new Uint8Array(4 * BLOCK_SIZE);
  for (let i = 0; i < 4; i++) data.set(text, i * BLOCK_SIZE);
  await d.write(5, data);
  await d.flush();
  const r = new Uint8Array(6 * BLOCK_SIZE);
  await d.read(4, r);
  assert.deepEqual(r.subarray(0, BLOCK_SIZE), blk(0));
  assert.deepEqual(r.subarray(BLOCK_SIZE, 5 * BLOCK_SIZE), data);
  assert.deepEqual(r.subarray(5 * BLOCK_SIZE), blk(0));
  assert.equal(Buffer.from(mem.image).includes('SECRET-PLAINTEXT'), false);
  // One multi-block write produces the same host bytes as block-by-block writes.
  const mem2 = new MemDevice(32);
  const d2 = new CryptDisk(mem2, { key, crypto: nodeCrypto });
  for (let i = 0; i < 4; i++) await d2.write(5 + i, text);
  assert.deepEqual(mem2.image, mem.image);
  // Different blocks, different keystreams; another name, another key.
  assert.notDeepEqual(mem.image.subarray(5 * BLOCK_SIZE, 6 * BLOCK_SIZE), mem.image.subarray(6 * BLOCK_SIZE, 7 * BLOCK_SIZE));
  const mem3 = new MemDevice(32);
  await new CryptDisk(mem3, { key, crypto: nodeCrypto, name: 'other' }).write(5, data);
  assert.notDeepEqual(mem3.image, mem.image);
  await d.trim(5, 1);
  await d.read(5, r.subarray(0, BLOCK_SIZE));
  assert.deepEqual(r.subarray(0, BLOCK_SIZE), blk(0));
  // No integrity: a flipped ciphertext bit flips the plaintext bit, silently.
  mem.image[6 * BLOCK_SIZE + 3] ^= 0x20;
  await d.read(6, r.subarray(0, BLOCK_SIZE));
  assert.equal(r[3], text[3] ^ 0x20);
});

/** A huge, sparse device (a Map of blocks), for LBAs beyond what memory could hold. */
class SparseDevice {
  readonly blocks = new Map<number, Uint8Array>();
  constructor(readonly nblocks: number) {}
  async read(lba: number, buf: Uint8Array) {
    for (let i = 0; i < buf.length / BLOCK_SIZE; i++) buf.set(this.blocks.get(lba + i) ?? blk(0), i * BLOCK_SIZE);
  }
  async write(lba: number, data: Uint8Array) {
    for (let i = 0; i < data.length / BLOCK_SIZE; i++) this.blocks.set(lba + i, data.slice(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE));
  }
  async flush() {}
  async trim() {}
  async close() {}
}

test('CryptDisk: the CTR counter carries correctly at high LBAs', async () => {
  const key = nodeCrypto.randomBytes(16);
  const lba = 2 ** 24 - 1; // lba·256 + 256 = 2^32: the carry crosses the low 32-bit word
  const a = new SparseDevice(2 ** 40);
  const b = new SparseDevice(2 ** 40);
  const data = nodeCrypto.randomBytes(3 * BLOCK_SIZE);
  await new CryptDisk(a, { key, crypto: nodeCrypto }).write(lba, data);
  const db = new CryptDisk(b, { key, crypto: nodeCrypto });
  for (let i = 0; i < 3; i++) await db.write(lba + i, data.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE));
  for (let i = 0; i < 3; i++) assert.deepEqual(a.blocks.get(lba + i), b.blocks.get(lba + i));
  const r = new Uint8Array(3 * BLOCK_SIZE);
  await db.read(lba, r);
  assert.deepEqual(r, data);
  const far = 2 ** 39 + 12345;
  await db.write(far, data.subarray(0, BLOCK_SIZE));
  await db.read(far, r.subarray(0, BLOCK_SIZE));
  assert.deepEqual(r.subarray(0, BLOCK_SIZE), data.subarray(0, BLOCK_SIZE));
});

test('model driver: passes a disk that keeps its promise, catches one that does not (with seed and step)', async () => {
  const key = nodeCrypto.randomBytes(16);
  const crypt = (crashState: ModelTarget['crashState'], survivesReordering = false): ModelTarget => ({
    name: `cryptdisk ${crashState}`,
    nblocks: 64,
    create: async (s) => new CryptDisk(await s.open('crypt', 64), { key, crypto: nodeCrypto }),
    open: async (s) => new CryptDisk(await s.open('crypt'), { key, crypto: nodeCrypto }),
    crashState,
    survivesReordering,
  });
  // Every write goes straight to the host: after a crash the disk holds a prefix of the writes.
  const r = await runModel(crypt('prefix'), { seed: 3, steps: 600 });
  assert.ok(r.crashes.abandon + r.crashes.midOp > 5 && r.reads > 100);
  // But it has no flush atomicity, and reordered writes break even the prefix promise.
  for (const t of [crypt('last-flush'), crypt('prefix', true)]) {
    await assert.rejects(runModel(t, { seed: 3, steps: 600 }), (e: unknown) => {
      assert.ok(e instanceof ModelError, String(e));
      assert.match(e.message, /^model\[cryptdisk .*\] seed=3 step=\d+: after a crash/);
      return true;
    });
  }
});
