// sefs, through its kernel-facing API (SefsFileSystem / SefsInode), on a plain MemDevice, on
// PfsDisk and on SwornDisk (when src/storage/sworndisk exports it): file and directory semantics,
// persistence, a randomized crash model test with an fsck, tampering, snooping, and keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nodeCrypto } from '../../src/host/node-crypto.js';
import { MemDevice, MemStore, type RawStore } from '../../src/storage/mem-device.js';
import { AdversarialStore } from '../../src/storage/adversarial-device.js';
import { BLOCK_SIZE, type BlockDevice } from '../../src/storage/block-device.js';
import { SefsFileSystem, type SefsInode } from '../../src/kernel/fs/sefs.js';
import { SysError, Errno } from '../../src/kernel/errno.js';
import type { Inode, InodeHandle } from '../../src/kernel/fs/inode.js';
import { fsck } from '../../src/storage/sefs/fsck.js';
import { SefsError } from '../../src/storage/sefs/errors.js';
import { createVolume, openVolume, loadSwornDisk, type DiskKind } from '../../src/storage/sefs/volume.js';
import { checkKeyPlacement, loadSealingKey, SealingKeyError } from '../../src/host/sealing.js';
import { prng } from './model.js';

const SEALING = nodeCrypto.randomBytes(32);
const te = new TextEncoder();
const td = new TextDecoder();
const haveSworn = (await loadSwornDisk()) !== undefined;
const NO_SWORN = 'src/storage/sworndisk does not export SwornDisk yet';

/** A place to put a sefs: a plain memory device, or a secure disk in a store. */
interface Target {
  name: string;
  skip?: string;
  /** Formats a fresh file system. */
  format(): Promise<SefsFileSystem>;
  /** Mounts what format() (or the last unmount) left. */
  mount(): Promise<SefsFileSystem>;
}

function memTarget(nblocks = 8192): Target {
  const dev = new MemDevice(nblocks);
  return {
    name: 'mem',
    format: () => SefsFileSystem.format(dev.handle(), { crypto: nodeCrypto, commitIntervalMs: 0 }),
    mount: () => SefsFileSystem.mount(dev.handle(), { crypto: nodeCrypto, commitIntervalMs: 0 }),
  };
}

function volumeTarget(kind: DiskKind, store: RawStore = new MemStore(), nblocks = 8192, extra: { log?: (l: string) => void } = {}): Target {
  return {
    name: kind,
    ...(kind === 'sworndisk' && !haveSworn ? { skip: NO_SWORN } : {}),
    async format() {
      const v = await createVolume(store, { disk: kind, nblocks, sealingKey: SEALING, crypto: nodeCrypto, swornOptions: { memtableCapacity: 4096 } });
      return SefsFileSystem.format(v.dev, { crypto: nodeCrypto, key: v.fsKey, atomicFlush: v.atomicFlush, commitIntervalMs: 0, ...extra });
    },
    async mount() {
      const v = await openVolume(store, { sealingKey: SEALING, crypto: nodeCrypto, swornOptions: { memtableCapacity: 4096 } });
      return SefsFileSystem.mount(v.dev, { crypto: nodeCrypto, key: v.fsKey, atomicFlush: v.atomicFlush, commitIntervalMs: 0, ...extra });
    },
  };
}

/** Factories: each test gets a fresh device. */
const targets: (() => Target)[] = [() => memTarget(), () => volumeTarget('pfs'), () => volumeTarget('sworndisk')];

async function errno(p: Promise<unknown>): Promise<string> {
  try { await p; } catch (e) {
    if (e instanceof SysError) return Object.entries(Errno).find(([, v]) => v === e.errno)![0];
    throw e;
  }
  return 'OK';
}

async function writeAll(h: InodeHandle, off: number, data: Uint8Array): Promise<void> {
  assert.equal(await h.write(off, data), data.length);
}

async function readAll(i: Inode): Promise<Uint8Array> {
  const size = (await i.stat()).size;
  const h = await i.open(0);
  const buf = new Uint8Array(size);
  let done = 0;
  while (done < size) {
    const n = await h.read(done, buf.subarray(done));
    if (n === 0) break;
    done += n;
  }
  await h.close();
  return buf.subarray(0, done);
}

function pattern(n: number, seed: number): Uint8Array {
  const r = prng(seed);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) { const v = (r() * 2 ** 32) >>> 0; b[i] = v; b[i + 1] = v >>> 8; b[i + 2] = v >>> 16; b[i + 3] = v >>> 24; }
  return b;
}

async function clean(f: SefsFileSystem): Promise<void> {
  await f.sync();
  assert.deepEqual((await fsck(f.sefs)).problems, []);
}

// ---- semantics, on each disk ----

for (const mk of targets) {
  const name = mk().name;

  test(`${name}: files: write, read, append, overwrite, truncate, holes`, async (t) => {
    const tg = mk();
    if (tg.skip) { t.skip(tg.skip); return; }
    const f = await tg.format();
    const file = await f.root.create('f', 'file', 0o644);
    const h = await file.open(2);
    await writeAll(h, 0, te.encode('hello world'));
    await writeAll(h, 11, te.encode('!\n')); // append
    await writeAll(h, 0, te.encode('J'));    // overwrite inside a block
    assert.equal(td.decode(await readAll(file)), 'Jello world!\n');
    assert.equal((await file.stat()).size, 13);
    // a hole: write past the end; the gap reads as zeros, also across whole unallocated blocks
    await writeAll(h, 3 * BLOCK_SIZE + 10, te.encode('Z'));
    const all = await readAll(file);
    assert.equal(all.length, 3 * BLOCK_SIZE + 11);
    assert.ok(all.subarray(13, 3 * BLOCK_SIZE + 10).every((b) => b === 0));
    assert.equal(all[3 * BLOCK_SIZE + 10], 'Z'.charCodeAt(0));
    assert.equal((await file.stat()).blocks, 2 * 8, 'holes own no blocks');
    // truncate down into a block, then up: the cut bytes read as zeros
    await file.setattr({ size: 5 });
    await file.setattr({ size: 9 });
    assert.deepEqual([...await readAll(file)], [...te.encode('Jello'), 0, 0, 0, 0]);
    assert.equal(await h.read(100, new Uint8Array(4)), 0, 'read past EOF');
    assert.equal(await errno(file.setattr({ size: -1 })), 'EINVAL');
    assert.equal(await errno(f.root.setattr({ size: 0 })), 'EISDIR');
    await h.close();
    await clean(f);
    await f.unmount();
  });

  test(`${name}: large files: direct, single, double and triple indirect blocks`, async (t) => {
    const tg = mk();
    if (tg.skip) { t.skip(tg.skip); return; }
    let f = await tg.format();
    const file = await f.root.create('big', 'file', 0o644);
    const h = await file.open(2);
    const data = pattern(6 << 20, 1); // 6 MiB: past the first indirect block (4 MiB + 48 KiB)
    for (let off = 0; off < data.length; off += 1 << 20) await writeAll(h, off, data.subarray(off, off + (1 << 20)));
    // a sparse block beyond 4 GiB lives under the triple indirect block
    const far = 5 * 2 ** 30 + 123;
    await writeAll(h, far, te.encode('far away'));
    assert.equal((await file.stat()).size, far + 8);
    await h.close();
    await f.unmount();
    f = await tg.mount();
    const again = await f.root.lookup('big');
    const h2 = await again.open(0);
    const back = new Uint8Array(data.length);
    assert.equal(await h2.read(0, back), back.length);
    assert.ok(Buffer.from(back).equals(Buffer.from(data)), 'large file content survives remount');
    // small sequential reads (read-ahead path) see the same bytes
    const small = new Uint8Array(1000);
    for (let off = 4 << 20; off < (4 << 20) + 50_000; off += 1000) {
      assert.equal(await h2.read(off, small), 1000);
      assert.ok(Buffer.from(small).equals(Buffer.from(data.subarray(off, off + 1000))));
    }
    const tail = new Uint8Array(16);
    assert.equal(await h2.read(far - 4, tail), 12);
    assert.deepEqual([...tail.subarray(0, 12)], [0, 0, 0, 0, ...te.encode('far away')]);
    const mid = new Uint8Array(8);
    assert.equal(await h2.read(3 * 2 ** 30, mid), 8);
    assert.ok(mid.every((b) => b === 0), 'hole between 6 MiB and 5 GiB reads as zeros');
    await h2.close();
    await clean(f);
    const before = f.sefs.stats().freeBlocks;
    await again.setattr({ size: 1 << 20 });
    await f.sync(); // frees are deferred to the commit
    assert.ok(f.sefs.stats().freeBlocks > before + 1200, 'truncate freed the blocks');
    await f.root.unlink('big');
    await clean(f);
    await f.unmount();
  });

  test(`${name}: directories, links, symlinks, rename rules, times, persistence`, async (t) => {
    const tg = mk();
    if (tg.skip) { t.skip(tg.skip); return; }
    let f = await tg.format();
    const r = f.root;
    const d = await r.create('d', 'dir', 0o755);
    assert.equal(await errno(r.create('d', 'dir', 0o755)), 'EEXIST');
    assert.equal((await r.stat()).nlink, 3);
    const a = await d.create('a', 'file', 0o600);
    const ha = await a.open(2);
    await writeAll(ha, 0, te.encode('A'));
    await ha.close();
    await d.link('a2', a);
    assert.equal((await a.stat()).nlink, 2);
    assert.equal(await errno(d.link('a2', a)), 'EEXIST');
    assert.equal(await errno(r.link('dl', d)), 'EPERM');
    const s = await d.symlink('s', 'a');
    assert.equal(await s.readlink(), 'a');
    const longTarget = 'x/'.repeat(200) + 'end';
    await d.symlink('long', longTarget);
    assert.equal(await (await d.lookup('long')).readlink(), longTarget);
    assert.equal(await errno(a.readlink()), 'EINVAL');
    assert.equal(await errno(d.lookup('nope')), 'ENOENT');
    assert.equal(await errno(a.lookup('x')), 'ENOTDIR');
    assert.equal(await errno(d.create('n'.repeat(256), 'file', 0o644)), 'ENAMETOOLONG');
    await d.create('n'.repeat(255), 'file', 0o644);
    await d.create('ünï €', 'file', 0o644);
    const sub = await d.create('sub', 'dir', 0o700);
    await sub.create('x', 'file', 0o644);
    await d.create('empty', 'dir', 0o755);
    // rename rules (ramfs)
    assert.equal(await errno(d.rename('empty', d, 'sub')), 'ENOTEMPTY');
    assert.equal(await errno(d.rename('a', d, 'sub')), 'EISDIR');
    assert.equal(await errno(d.rename('sub', d, 'a')), 'ENOTDIR');
    assert.equal(await errno(d.rename('sub', sub, 'in')), 'EINVAL');
    assert.equal(await errno(d.rename('missing', d, 'm')), 'ENOENT');
    await d.rename('a2', d, 'a'); // same inode: nothing happens
    assert.equal((await a.stat()).nlink, 2);
    await d.rename('sub', d, 'empty'); // replaces the empty directory
    assert.equal((await d.stat()).nlink, 3);
    await d.rename('empty', r, 'moved'); // across directories
    assert.equal((await d.stat()).nlink, 2);
    assert.equal((await r.stat()).nlink, 4);
    assert.equal(await errno(r.rmdir('moved')), 'ENOTEMPTY');
    assert.equal(await errno(r.rmdir('d')), 'ENOTEMPTY');
    assert.equal(await errno(d.rmdir('a')), 'ENOTDIR');
    assert.equal(await errno(r.unlink('d')), 'EISDIR');
    // times: a write moves mtime; setattr sets them
    const mt = (await a.stat()).mtimeNs;
    await new Promise((res) => setTimeout(res, 5));
    const h = await a.open(2);
    await writeAll(h, 1, te.encode('B'));
    await h.close();
    assert.ok((await a.stat()).mtimeNs > mt);
    await a.setattr({ atimeNs: 1_000_000_000n, mtimeNs: 2_000_000_000n, mode: 0o640 });
    const st = await a.stat();
    assert.equal(st.mtimeNs, 2_000_000_000n);
    assert.equal(st.atimeNs, 1_000_000_000n);
    assert.equal(st.mode & 0o7777, 0o640);
    // many entries: directory spans several blocks
    for (let i = 0; i < 100; i++) await d.create(`many-${i}`, 'file', 0o644);
    for (let i = 0; i < 100; i += 2) await d.unlink(`many-${i}`);
    await clean(f);
    const listing = (await d.readdir()).map((e) => `${e.name}:${e.type}`).sort();
    await f.unmount();
    // everything persists
    f = await tg.mount();
    const d2 = await f.root.lookup('d');
    assert.deepEqual((await d2.readdir()).map((e) => `${e.name}:${e.type}`).sort(), listing);
    const a2 = await d2.lookup('a2');
    assert.equal(td.decode(await readAll(a2)), 'AB');
    const st2 = await a2.stat();
    assert.equal(st2.mtimeNs, 2_000_000_000n);
    assert.equal(st2.nlink, 2);
    assert.equal(st2.mode & 0o7777, 0o640);
    assert.equal(await (await d2.lookup('s')).readlink(), 'a');
    assert.equal(await (await d2.lookup('long')).readlink(), longTarget);
    assert.ok((await d2.readdir()).some((e) => e.name === 'ünï €'));
    assert.equal(td.decode(await readAll(await (await f.root.lookup('moved')).lookup('x'))), '');
    assert.deepEqual((await fsck(f.sefs)).problems, []);
    await f.unmount();
  });

  test(`${name}: an unlinked file stays readable while open, and is freed at the last close`, async (t) => {
    const tg = mk();
    if (tg.skip) { t.skip(tg.skip); return; }
    let f = await tg.format();
    const file = await f.root.create('tmp', 'file', 0o644);
    const h = await file.open(2);
    const data = pattern(200_000, 7);
    await writeAll(h, 0, data);
    const h2 = await file.open(0);
    await f.root.unlink('tmp');
    assert.equal(await errno(f.root.lookup('tmp')), 'ENOENT');
    assert.equal((await file.stat()).nlink, 0);
    await f.sync(); // commits an orphan
    assert.deepEqual((await fsck(f.sefs)).problems, []);
    const free0 = f.sefs.stats().freeBlocks;
    await h.close();
    const buf = new Uint8Array(data.length);
    assert.equal(await h2.read(0, buf), data.length, 'still readable through the other handle');
    assert.ok(Buffer.from(buf).equals(Buffer.from(data)));
    await writeAll(h2, 0, te.encode('still writable'));
    await h2.close();
    await f.sync();
    assert.ok(f.sefs.stats().freeBlocks >= free0 + 49, 'blocks freed at the last close');
    assert.deepEqual((await fsck(f.sefs)).problems, []);
    // an open, removed directory reads as empty and refuses new entries
    const d = await f.root.create('gone', 'dir', 0o755);
    const hd = await d.open(0);
    await f.root.rmdir('gone');
    assert.deepEqual(await d.readdir(), []);
    assert.equal(await errno(d.create('x', 'file', 0o644)), 'ENOENT');
    await hd.close();
    // a crash with an unlinked open file: the next mount frees it (orphan list)
    const g = await f.root.create('orphan', 'file', 0o644);
    const hg = await g.open(2);
    await writeAll(hg, 0, pattern(100_000, 9));
    await f.root.unlink('orphan');
    await f.sync();
    const beforeCrash = f.sefs.stats().freeBlocks;
    // simulate the process dying: no close, no unmount; mount the committed state again
    f = await tg.mount();
    assert.ok(f.sefs.stats().freeBlocks >= beforeCrash + 24, 'mount freed the orphan');
    assert.deepEqual((await fsck(f.sefs)).problems, []);
    await f.unmount();
  });

  test(`${name}: ENOSPC when full; space comes back after unlink`, async (t) => {
    const tg = name === 'mem' ? memTarget(1024) : volumeTarget(name as DiskKind, new MemStore(), 1024);
    if (tg.skip) { t.skip(tg.skip); return; }
    const f = await tg.format();
    const file = await f.root.create('fill', 'file', 0o644);
    const h = await file.open(2);
    const chunk = new Uint8Array(256 << 10).fill(1);
    let off = 0;
    let err = 'OK';
    for (let i = 0; i < 64 && err === 'OK'; i++) {
      try {
        const n = await h.write(off, chunk);
        off += n;
        if (n < chunk.length) err = 'short';
      } catch (e) { err = await errno(Promise.reject(e)); }
    }
    assert.ok(err === 'ENOSPC' || err === 'short', `got ${err}`);
    assert.equal(await errno(h.write(off, chunk)), 'ENOSPC');
    await h.close();
    await f.root.unlink('fill');
    const again = await f.root.create('again', 'file', 0o644);
    const h2 = await again.open(2);
    await writeAll(h2, 0, chunk); // the unlinked blocks are reusable (after an internal commit)
    await h2.close();
    await clean(f);
    await f.unmount();
  });
}

// ---- crash model ----

type MNode = { type: 'file'; data: Uint8Array } | { type: 'dir' };
type Model = Map<string, MNode>; // path -> node ('' is the root, never stored)

/** Deep copy that keeps hard links (paths sharing one node) shared. */
function cloneModel(m: Model): Model {
  const c: Model = new Map();
  const copies = new Map<MNode, MNode>();
  for (const [k, v] of m) {
    let n = copies.get(v);
    if (!n) { n = v.type === 'file' ? { type: 'file', data: v.data.slice() } : v; copies.set(v, n); }
    c.set(k, n);
  }
  return c;
}

interface CrashTarget {
  name: string;
  /** Crashes are armed 0..window host writes ahead (SwornDisk batches its writes: a small window). */
  window: number;
  skip?: string;
  store: AdversarialStore;
  format(): Promise<SefsFileSystem>;
  mount(): Promise<SefsFileSystem>;
}

function crashTargets(): CrashTarget[] {
  const raw = new AdversarialStore();
  const rawOpts = { crypto: nodeCrypto, commitIntervalMs: 0, cacheBlocks: 64 };
  const mk = (kind: DiskKind): CrashTarget => {
    const store = new AdversarialStore();
    const v = volumeTarget(kind, store, 2048);
    return { name: `${kind}`, window: kind === 'sworndisk' ? 6 : 60, store, format: v.format, mount: v.mount, ...(v.skip ? { skip: v.skip } : {}) };
  };
  return [
    {
      name: 'raw device (journal)', window: 60, store: raw,
      format: async () => SefsFileSystem.format(await raw.open('raw', 2048), rawOpts),
      mount: async () => SefsFileSystem.mount(await raw.open('raw'), rawOpts),
    },
    mk('pfs'),
    mk('sworndisk'),
  ];
}

function describeDiff(got: Uint8Array, want: Uint8Array): string {
  let i = 0;
  while (i < Math.min(got.length, want.length) && got[i] === want[i]) i++;
  let j = i;
  while (j < Math.min(got.length, want.length) && got[j] !== want[j]) j++;
  return `size ${got.length} (want ${want.length}), first difference at ${i}, differing run to ${j}`;
}

async function resolve(f: SefsFileSystem, p: string): Promise<SefsInode> {
  let cur: Inode = f.root;
  for (const c of p.split('/').filter(Boolean)) cur = await cur.lookup(c);
  return cur as SefsInode;
}

// SEFS_CRASH_SEEDS=n runs n seeds per disk (default 2) to hunt bugs; a failure names its seed;
// SEFS_CRASH_SEED0=s starts at seed s; SEFS_TRACE=1 prints the operations (and, on a content
// mismatch, which file's data turned up in the differing blocks) to stderr.
// What is checked after each crash: the image mounts (journal replayed, orphans freed), fsck is
// clean, and every path whose inode was not changed since the last sync has its synced content.
// (Commits also happen between syncs, so a crash may keep later changes: those are not checked.)
const CRASH_SEEDS = Number(process.env['SEFS_CRASH_SEEDS'] ?? 2);
const CRASH_SEED0 = Number(process.env['SEFS_CRASH_SEED0'] ?? 1234);
const TRACE = process.env['SEFS_TRACE'] === '1';
const trace = (s: string) => { if (TRACE) process.stderr.write(s + '\n'); };
for (let si = 0; si < CRASH_SEEDS; si++) for (const ct of crashTargets()) {
  const seed = CRASH_SEED0 + si;
  test(`crash model on ${ct.name}, seed ${seed}: mounts, fsck-clean, fsync'd files intact`, async (t) => {
    if (ct.skip) { t.skip(ct.skip); return; }
    const rnd = prng(seed);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    let f = await ct.format();
    let model: Model = new Map();
    let synced: Model = new Map();
    let tainted = new Set<string>(); // paths changed since the last sync (a prefix taints below it)
    const isTainted = (p: string) => [...tainted].some((q) => p === q || p.startsWith(q + '/'));
    /** Taints every path of the inode at `p` (its hard links too). */
    const taintInode = (p: string) => { const n = model.get(p); for (const [k, v] of model) if (v === n) tainted.add(k); tainted.add(p); };
    let armed = false;
    const dirs = () => ['', ...[...model].filter(([, v]) => v.type === 'dir').map(([k]) => k)];
    const files = () => [...model].filter(([, v]) => v.type === 'file').map(([k]) => k);
    const join = (d: string, n: string) => (d ? `${d}/${n}` : n);
    let crashes = 0, syncs = 0, ops = 0;
    const STEPS = 260;
    for (let step = 0; step < STEPS; step++) {
      const x = rnd();
      try {
        if (x < 0.06 && step > 5) {
          // arm a crash a few host writes ahead; the next operations hit it
          if (!armed) ct.store.controller.crashAfter(Math.floor(rnd() * ct.window));
          armed = true;
        } else if (x < 0.14) {
          trace(`${step} sync`);
          await f.sync();
          synced = cloneModel(model);
          tainted = new Set();
          syncs++;
        } else if (x < 0.30 || files().length === 0) {
          const dir = pick(dirs());
          const p = join(dir, `f${step}`);
          trace(`${step} create ${p}`);
          await (await resolve(f, dir)).create(`f${step}`, 'file', 0o644);
          model.set(p, { type: 'file', data: new Uint8Array(0) });
          tainted.add(p);
        } else if (x < 0.55) {
          const p = pick(files());
          const node = model.get(p) as { type: 'file'; data: Uint8Array };
          const len = rnd() < 0.2 ? Math.floor(rnd() * 300_000) : Math.floor(rnd() * 9000);
          const off = Math.floor(rnd() * (node.data.length + 20_000));
          const data = pattern(len, step);
          taintInode(p);
          trace(`${step} write ${p} ino ${(await resolve(f, p)).ino} off ${off} len ${len}`);
          const h = await (await resolve(f, p)).open(2);
          try { await writeAll(h, off, data); } finally { await h.close().catch(() => {}); }
          const nd = new Uint8Array(Math.max(node.data.length, off + len));
          nd.set(node.data);
          nd.set(data, off);
          node.data = nd;
        } else if (x < 0.63) {
          const p = pick(files());
          const node = model.get(p) as { type: 'file'; data: Uint8Array };
          const size = Math.floor(rnd() * (node.data.length + 10_000));
          taintInode(p);
          trace(`${step} truncate ${p} ino ${(await resolve(f, p)).ino} ${size}`);
          await (await resolve(f, p)).setattr({ size });
          const nd = new Uint8Array(size);
          nd.set(node.data.subarray(0, Math.min(size, node.data.length)));
          node.data = nd;
        } else if (x < 0.72) {
          const p = pick(files());
          tainted.add(p);
          const slash = p.lastIndexOf('/');
          trace(`${step} unlink ${p}`);
          await (await resolve(f, p.slice(0, Math.max(0, slash)))).unlink(p.slice(slash + 1));
          model.delete(p);
        } else if (x < 0.80) {
          const dir = pick(dirs());
          const p = join(dir, `d${step}`);
          tainted.add(p);
          await (await resolve(f, dir)).create(`d${step}`, 'dir', 0o755);
          model.set(p, { type: 'dir' });
        } else if (x < 0.92) {
          // rename a file (possibly replacing another file) or an empty directory
          const from = pick([...files(), ...dirs().filter((d) => d && ![...model.keys()].some((k) => k.startsWith(d + '/')))]);
          const toDir = pick(dirs().filter((d) => d !== from && !d.startsWith(from + '/')));
          const victims = files().filter((q) => q.startsWith(toDir ? toDir + '/' : '') && !q.slice(toDir ? toDir.length + 1 : 0).includes('/'));
          const replace = model.get(from)!.type === 'file' && victims.length > 0 && rnd() < 0.4;
          const newName = replace ? pick(victims).split('/').pop()! : `r${step}`;
          const to = join(toDir, newName);
          if (to !== from && model.get(to) !== model.get(from)) { // same inode: rename does nothing
            tainted.add(from); tainted.add(to);
            trace(`${step} rename ${from} -> ${to}`);
            const fs1 = from.lastIndexOf('/');
            await (await resolve(f, from.slice(0, Math.max(0, fs1)))).rename(from.slice(fs1 + 1), await resolve(f, toDir), newName);
            const node = model.get(from)!;
            model.delete(from);
            model.set(to, node);
          }
        } else if (x < 0.96) {
          const empty = dirs().filter((d) => d && ![...model.keys()].some((k) => k.startsWith(d + '/')));
          if (empty.length) {
            const p = pick(empty);
            tainted.add(p);
            const s = p.lastIndexOf('/');
            await (await resolve(f, p.slice(0, Math.max(0, s)))).rmdir(p.slice(s + 1));
            model.delete(p);
          }
        } else {
          const p = pick(files());
          const dir = pick(dirs());
          const q = join(dir, `l${step}`);
          tainted.add(q);
          trace(`${step} link ${p} -> ${q}`);
          await (await resolve(f, dir)).link(`l${step}`, await resolve(f, p));
          model.set(q, model.get(p)!); // shares the node object: same inode
        }
        ops++;
      } catch (e) {
        if (!ct.store.controller.dead) throw e;
      }
      if (ct.store.controller.dead) {
        // the host died: remount the surviving image and compare with the last synced state
        crashes++;
        trace(`${step} CRASH (after ${ct.store.controller.writes} writes)`);
        armed = false;
        ct.store.controller.revive();
        f = await ct.mount();
        const rep = await fsck(f.sefs);
        assert.deepEqual(rep.problems, [], `${ct.name} seed ${seed} step ${step}: fsck after crash`);
        for (const [p, node] of synced) {
          if (isTainted(p)) continue;
          const i = await resolve(f, p).catch(() => undefined);
          assert.ok(i, `${ct.name} step ${step}: synced ${p} is missing after the crash`);
          if (node.type === 'file') {
            const got = await readAll(i);
            if (TRACE && !Buffer.from(got).equals(Buffer.from(node.data))) {
              for (let blk = 0; blk * BLOCK_SIZE < got.length; blk++) {
                const g = Buffer.from(got.subarray(blk * BLOCK_SIZE, (blk + 1) * BLOCK_SIZE));
                if (g.equals(Buffer.from(node.data.subarray(blk * BLOCK_SIZE, (blk + 1) * BLOCK_SIZE)))) continue;
                const hits = [...model].filter(([, v]) => v.type === 'file' && Buffer.from(v.data).includes(g.subarray(0, 64))).map(([k]) => k);
                trace(`  block ${blk} differs; its first 64 bytes appear in (current model): ${hits.join(', ') || 'none'}; zero: ${g.every((x) => x === 0)}`);
              }
            }
            assert.ok(Buffer.from(got).equals(Buffer.from(node.data)), `${ct.name} step ${step}: synced ${p} has other content: ${describeDiff(got, node.data)}`);
          } else {
            assert.equal(i.type, 'dir');
          }
        }
        // continue from what the disk has: rebuild the model from the file system itself
        model = new Map();
        const walk = async (dir: Inode, prefix: string) => {
          for (const e of await dir.readdir()) {
            const p = join(prefix, e.name);
            const i = await dir.lookup(e.name);
            if (e.type === 'dir') { model.set(p, { type: 'dir' }); await walk(i, p); }
            else model.set(p, { type: 'file', data: (await readAll(i)).slice() });
          }
        };
        await walk(f.root, '');
        // hard links: share nodes by inode number so that writes through one show in the other
        const byIno = new Map<number, MNode>();
        for (const [p, node] of [...model]) {
          if (node.type !== 'file') continue;
          const ino = (await resolve(f, p)).ino;
          const first = byIno.get(ino);
          if (first) model.set(p, first); else byIno.set(ino, node);
        }
        synced = cloneModel(model);
        tainted = new Set();
      }
    }
    ct.store.controller.crashAfter(1e12); // disarm
    await f.unmount();
    f = await ct.mount();
    assert.deepEqual((await fsck(f.sefs)).problems, []);
    for (const [p, node] of model) {
      const i = await resolve(f, p);
      if (node.type === 'file') assert.ok(Buffer.from(await readAll(i)).equals(Buffer.from(node.data)), `final content of ${p}`);
    }
    await f.unmount();
    assert.ok(crashes >= 2, `only ${crashes} crashes happened`);
    t.diagnostic(`${ops} operations, ${syncs} syncs, ${crashes} crashes`);
  });
}

// ---- tampering, snooping, keys ----

const MARKER = 'SEFS-PLAINTEXT-MARKER-0123456789';
const SECRET_NAME = 'secret-file-name-qwerty';

function contains(hay: Uint8Array, needle: string): boolean {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.length).includes(Buffer.from(needle));
}

for (const kind of ['pfs', 'sworndisk'] as DiskKind[]) {
  test(`${kind}: no plaintext and no file name in the host image`, async (t) => {
    if (kind === 'sworndisk' && !haveSworn) { t.skip(NO_SWORN); return; }
    const store = new MemStore();
    const f = await volumeTarget(kind, store).format();
    const d = await f.root.create(`dir-${SECRET_NAME}`, 'dir', 0o755);
    const file = await d.create(SECRET_NAME, 'file', 0o644);
    const h = await file.open(2);
    const text = te.encode(MARKER.repeat(500));
    await writeAll(h, 0, text);
    await writeAll(h, 1 << 20, text); // a whole-block run written straight to the disk
    await h.close();
    await d.symlink(`link-${SECRET_NAME}`, `target-${SECRET_NAME}`);
    await f.unmount();
    assert.ok(store.devices.size >= 2);
    for (const [devName, dev] of store.devices) {
      for (const needle of [MARKER, SECRET_NAME, 'OCTSSEFS', 'SEFSJRNL']) {
        assert.ok(!contains(dev.image, needle), `${needle} visible in raw device ${devName}`);
      }
    }
    // the plain device shows both, as a control
    const mem = new MemDevice(4096);
    const pf = await SefsFileSystem.format(mem.handle(), { crypto: nodeCrypto, commitIntervalMs: 0 });
    const pfile = await pf.root.create(SECRET_NAME, 'file', 0o644);
    const ph = await pfile.open(2);
    await writeAll(ph, 0, text);
    await ph.close();
    await pf.unmount();
    assert.ok(contains(mem.image, MARKER) && contains(mem.image, SECRET_NAME));
  });

  test(`${kind}: a flipped byte in the host image gives EIO, never other data`, async (t) => {
    if (kind === 'sworndisk' && !haveSworn) { t.skip(NO_SWORN); return; }
    const store = new MemStore();
    const tg = volumeTarget(kind, store);
    let f = await tg.format();
    const file = await f.root.create('victim', 'file', 0o644);
    await f.unmount();
    const before = new Map([...store.devices].map(([n, d]) => [n, d.image.slice()]));
    f = await tg.mount();
    const data = pattern(64 << 10, 42);
    const h = await (await f.root.lookup('victim')).open(2);
    await writeAll(h, 0, data);
    await h.close();
    await f.unmount();
    void file;
    const after = new Map([...store.devices].map(([n, d]) => [n, d.image.slice()]));
    // every block that the write changed, in every raw device
    const changed: [string, number][] = [];
    for (const [n, img] of after) {
      const old = before.get(n)!;
      for (let b = 0; b < img.length / BLOCK_SIZE; b++) {
        const a = img.subarray(b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE), o = old.subarray(b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE);
        if (!Buffer.from(a).equals(Buffer.from(o))) changed.push([n, b]);
      }
    }
    assert.ok(changed.length >= 16, `only ${changed.length} changed blocks`);
    let readEio = 0, mountFail = 0, intact = 0;
    for (const [n, b] of changed) {
      for (const [name, img] of after) store.devices.get(name)!.image = img.slice();
      store.devices.get(n)!.image[b * BLOCK_SIZE + 1000] ^= 0x5a;
      const log: string[] = [];
      let fs2: SefsFileSystem;
      try {
        fs2 = await volumeTarget(kind, store, 8192, { log: (l) => log.push(l) }).mount();
      } catch (e) {
        assert.ok(e instanceof SysError || e instanceof SefsError || (e as Error).name === 'StorageError' || /EIO|integrity|MAC|GMAC/i.test(String(e)), String(e));
        mountFail++;
        continue;
      }
      try {
        const got = await readAll(await fs2.root.lookup('victim'));
        assert.ok(Buffer.from(got).equals(Buffer.from(data)), `${n}@${b}: tampered image returned other data`);
        intact++;
      } catch (e) {
        assert.ok(e instanceof SysError && e.errno === Errno.EIO, `${n}@${b}: ${String(e)}`);
        assert.ok(log.some((l) => /sefs: .*disk error EIO/.test(l)), 'an integrity error is logged');
        readEio++;
      }
      await fs2.unmount().catch(() => {});
    }
    t.diagnostic(`${changed.length} tampered blocks: ${readEio} read EIO, ${mountFail} mount failures, ${intact} not needed for the read`);
    assert.ok(readEio > 0, 'tampering with file data makes reads fail with EIO');
  });
}

test('wrong sealing key: the volume does not mount, with a clear error', async () => {
  const store = new MemStore();
  const f = await volumeTarget('pfs', store).format();
  await f.unmount();
  await assert.rejects(openVolume(store, { sealingKey: nodeCrypto.randomBytes(32), crypto: nodeCrypto }),
    (e: unknown) => e instanceof SefsError && e.code === 'EACCES' && /sealing key does not match/.test(e.message));
  // the disk alone, mounted with a key derived from another sealing key, fails its MAC checks
  const v = await openVolume(store, { sealingKey: SEALING, crypto: nodeCrypto });
  await assert.rejects(SefsFileSystem.mount(v.dev, { crypto: nodeCrypto, key: nodeCrypto.randomBytes(32), commitIntervalMs: 0 }),
    (e: unknown) => e instanceof SysError && e.errno === Errno.EIO && /superblock MAC/.test(e.message));
});

test('sealing key: created 0600 on first use, stable, refused when open to others or next to the data', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'occlum-ts-sealing-'));
  try {
    const file = path.join(dir, 'keys', 'sealing.key');
    const k1 = loadSealingKey({ path: file });
    assert.equal(k1.length, 32);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
    assert.deepEqual(loadSealingKey({ path: file }), k1);
    fs.chmodSync(file, 0o644);
    assert.throws(() => loadSealingKey({ path: file }), (e: unknown) => e instanceof SealingKeyError && /chmod 600/.test(e.message));
    assert.throws(() => loadSealingKey({ path: path.join(dir, 'none'), create: false }), SealingKeyError);
    assert.throws(() => checkKeyPlacement(path.join(dir, 'data', 'k'), path.join(dir, 'data')), SealingKeyError);
    checkKeyPlacement(file, path.join(dir, 'data'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('periodic commit: data written without fsync is durable after commitIntervalMs', async () => {
  const dev = new MemDevice(4096);
  const f = await SefsFileSystem.format(dev.handle(), { crypto: nodeCrypto, commitIntervalMs: 30 });
  const h = await (await f.root.create('p', 'file', 0o644)).open(2);
  await writeAll(h, 0, te.encode('periodic'));
  await new Promise((res) => setTimeout(res, 150));
  // "crash": mount a copy of the image as it is now, without unmounting
  const copy = new MemDevice({ image: dev.image.slice() });
  const g = await SefsFileSystem.mount(copy, { crypto: nodeCrypto, commitIntervalMs: 0 });
  assert.equal(td.decode(await readAll(await g.root.lookup('p'))), 'periodic');
  await g.unmount();
  await h.close();
  await f.unmount();
});

test('concurrent operations from many callers serialize cleanly', async () => {
  const f = await memTarget().format();
  const d = await f.root.create('c', 'dir', 0o755);
  const work: Promise<unknown>[] = [];
  for (let i = 0; i < 40; i++) {
    work.push((async () => {
      const file = await d.create(`f${i}`, 'file', 0o644);
      const h = await file.open(2);
      await Promise.all([writeAll(h, 0, pattern(50_000, i)), writeAll(h, 60_000, pattern(5000, i + 100))]);
      await h.close();
      if (i % 3 === 0) await d.rename(`f${i}`, f.root, `moved${i}`);
      if (i % 5 === 0) await f.sync();
    })());
  }
  await Promise.all(work);
  await clean(f);
  for (let i = 0; i < 40; i++) {
    const got = await readAll(await (i % 3 === 0 ? f.root.lookup(`moved${i}`) : d.lookup(`f${i}`)));
    assert.equal(got.length, 65_000);
    assert.ok(Buffer.from(got.subarray(0, 50_000)).equals(Buffer.from(pattern(50_000, i))));
  }
  await f.unmount();
});

test('mount refuses a device that is not sefs', async () => {
  const dev: BlockDevice = new MemDevice(1024);
  await assert.rejects(SefsFileSystem.mount(dev, { crypto: nodeCrypto, commitIntervalMs: 0 }), (e: unknown) => e instanceof SysError && e.errno === Errno.EINVAL);
});
