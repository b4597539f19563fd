// unionfs (src/kernel/fs/unionfs/): a writable upper layer over a read-only lower one.
//  (a) the semantics through the VFS, with ramfs layers: merged lookup and readdir, copy-up on
//      write/append/truncate/chmod/link/rename, whiteouts, opaque directories, renames of files and
//      whole directories across layers, reserved names, inode numbers; after every test the lower
//      layer is compared with its snapshot from before;
//  (b) real programs with the union as the LibOS root: test/programs/files.c against native, and
//      the userland tools (sh, ls, cp, mv, rm, mkdir, cat...) working on files of the image;
//  (c) persistence: a sefs upper on a memory disk, unmounted and mounted again under a new union;
//  (d) random operations against a model of the merged view.
// covers: openat read write lseek newfstatat fstat getdents64 mkdirat renameat unlinkat symlinkat readlinkat linkat ftruncate fchmodat utimensat close exit_group
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SysError } from '../src/kernel/errno.js';
import { Vfs } from '../src/kernel/fs/vfs.js';
import { RamFs, RamInode } from '../src/kernel/fs/ramfs.js';
import { UnionFs } from '../src/kernel/fs/unionfs/union-fs.js';
import { SefsFileSystem } from '../src/kernel/fs/sefs.js';
import { MemDevice } from '../src/storage/mem-device.js';
import { nodeCrypto } from '../src/host/node-crypto.js';
import type { FileSystem, Inode } from '../src/kernel/fs/inode.js';
import type { FileDescription } from '../src/kernel/fs/file.js';
import { O_APPEND, O_CREAT, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY } from '../src/kernel/fs/flags.js';
import { LibOS, REPO, compileProgram, runNative, tempDir, PROGRAMS_DIR, type RunResult } from './helpers/libos.js';

const te = new TextEncoder();
const td = new TextDecoder();
const clock = (): bigint => BigInt(Date.now()) * 1_000_000n;

// ---- layers and helpers ----------------------------------------------------------------------

/** A lower layer: path -> file text, `/` suffix for a directory, `-> target` for a symlink. */
type Tree = Record<string, string>;

const LOWER: Tree = {
  'etc/': '', 'etc/hosts': '127.0.0.1 localhost\n', 'etc/motd': 'welcome\n',
  'a/': '', 'a/x': 'lower x\n', 'a/y': 'lower y\n', 'a/sub/': '', 'a/sub/deep': 'deep\n', 'a/link': '-> x',
  'b': 'lower b\n', 'empty/': '', 'tmp/': '',
};

/** A read-only RamFs holding `tree` (populated with add(), which bypasses the read-only check, like the image loader). */
function lowerFs(tree: Tree): RamFs {
  const ram = new RamFs(clock, true);
  const dirs = new Map<string, RamInode>([['', ram.root]]);
  for (const [p, v] of Object.entries(tree).sort(([a], [b]) => a.length - b.length)) {
    const isDir = p.endsWith('/');
    const rel = isDir ? p.slice(0, -1) : p;
    const parent = dirs.get(path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel))!;
    const name = path.posix.basename(rel);
    let node: RamInode;
    if (isDir) {
      node = new RamInode(ram, 'dir', 0o755);
      dirs.set(rel, node);
    } else if (v.startsWith('-> ')) {
      node = new RamInode(ram, 'symlink', 0o777);
      node.target = v.slice(3);
    } else {
      node = new RamInode(ram, 'file', 0o640);
      const bytes = te.encode(v);
      node.setLoader(bytes.length, () => bytes.slice());
    }
    node.mtimeNs = 1_600_000_000_000_000_000n; // a fixed, recognizable time (copy-up must keep it)
    parent.add(name, node);
  }
  return ram;
}

/** Everything a layer holds, by path: type, mode, times, data or target (raw layer view, markers included). */
async function snapshot(fs: FileSystem): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: Inode, at: string): Promise<void> => {
    for (const e of await dir.readdir()) {
      const child = await dir.lookup(e.name);
      const st = await child.stat();
      const p = `${at}/${e.name}`;
      let body = '';
      if (child.type === 'symlink') body = await child.readlink();
      if (child.type === 'file') {
        const h = await child.open(O_RDONLY);
        const buf = new Uint8Array(st.size);
        const n = await h.read(0, buf);
        await h.close();
        body = td.decode(buf.subarray(0, n));
      }
      out.set(p, `${child.type} ${st.mode.toString(8)} ino=${st.ino} nlink=${st.nlink} m=${st.mtimeNs} ${JSON.stringify(body)}`);
      if (child.type === 'dir') await walk(child, p);
    }
  };
  await walk(fs.root, '');
  return out;
}

interface Setup { lower: RamFs; upper: FileSystem; union: UnionFs; vfs: Vfs; before: Map<string, string> }

async function setup(upper: FileSystem = new RamFs(clock), tree: Tree = LOWER): Promise<Setup> {
  const lower = lowerFs(tree);
  const union = new UnionFs(upper, [lower]);
  return { lower, upper, union, vfs: new Vfs(union), before: await snapshot(lower) };
}

/** The lower layer is exactly what it was (every test ends with this). */
async function assertLowerUntouched(s: Setup): Promise<void> {
  assert.deepEqual(await snapshot(s.lower), s.before, 'the lower layer changed');
}

async function errnoOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    if (e instanceof SysError) return e.message.split(':')[0]!.split(' ')[0]!;
    throw e;
  }
}

async function withFile<T>(vfs: Vfs, p: string, flags: number, fn: (f: FileDescription) => Promise<T>): Promise<T> {
  const f = await vfs.open(vfs.rootStack, p, flags, 0o644);
  try {
    return await fn(f);
  } finally {
    await f.unref();
  }
}

async function readAll(f: FileDescription): Promise<string> {
  const chunks: string[] = [];
  const buf = new Uint8Array(7); // small, so that reads take several calls
  for (let n; (n = await f.checkedRead(buf)) > 0;) chunks.push(td.decode(buf.subarray(0, n)));
  return chunks.join('');
}

const cat = (vfs: Vfs, p: string): Promise<string> => withFile(vfs, p, O_RDONLY, readAll);
const put = (vfs: Vfs, p: string, text: string, flags = O_WRONLY | O_CREAT | O_TRUNC): Promise<number> =>
  withFile(vfs, p, flags, (f) => f.checkedWrite(te.encode(text)));

async function ls(vfs: Vfs, p: string): Promise<string[]> {
  return (await (await vfs.lookup(vfs.rootStack, p, true)).readdir()).map((e) => e.name);
}

const stat = (vfs: Vfs, p: string) => vfs.stat(vfs.rootStack, p, false);

/** The names of a raw layer directory (markers included). */
async function rawLs(fs: FileSystem, p: string): Promise<string[]> {
  let dir = fs.root;
  for (const c of p.split('/').filter(Boolean)) dir = await dir.lookup(c);
  return (await dir.readdir()).map((e) => e.name).sort();
}

// ---- (a) semantics ---------------------------------------------------------------------------

describe('unionfs semantics (ramfs layers, through the VFS)', () => {
  test('lookup and readdir merge the layers; the upper wins; listings are sorted and deduplicated', async () => {
    const s = await setup();
    await s.vfs.mkdir(s.vfs.rootStack, '/c', 0o755);
    await put(s.vfs, '/a/z', 'upper z\n');
    await put(s.vfs, '/a/x', 'upper x\n');
    assert.deepEqual(await ls(s.vfs, '/'), ['a', 'b', 'c', 'empty', 'etc', 'tmp']);
    assert.deepEqual(await ls(s.vfs, '/a'), ['link', 'sub', 'x', 'y', 'z']);
    assert.equal(await cat(s.vfs, '/a/x'), 'upper x\n');
    assert.equal(await cat(s.vfs, '/a/y'), 'lower y\n');
    assert.equal(await cat(s.vfs, '/a/link'), 'upper x\n', 'a lower symlink resolves in the union');
    assert.equal(await s.vfs.readlink(s.vfs.rootStack, '/a/link'), 'x');
    // identity: one inode object per file; numbers unique in a listing and equal to stat's
    assert.equal(await s.vfs.lookup(s.vfs.rootStack, '/a/y', false), await s.vfs.lookup(s.vfs.rootStack, '/a/y', false));
    const entries = await (await s.vfs.lookup(s.vfs.rootStack, '/a', true)).readdir();
    assert.equal(new Set(entries.map((e) => e.ino)).size, entries.length);
    for (const e of entries) assert.equal((await stat(s.vfs, `/a/${e.name}`)).ino, e.ino, e.name);
    assert.equal((await stat(s.vfs, '/a')).dev, s.union.dev);
    assert.equal((await stat(s.vfs, '/a')).nlink, 1, 'a merged directory reports nlink 1 (as overlayfs)');
    assert.equal((await stat(s.vfs, '/empty')).nlink, 2, 'a lower-only directory keeps its count');
    await assertLowerUntouched(s);
  });

  test('copy-up on write, append, truncate, chmod and utimes keeps data, mode, times and the inode number', async () => {
    const s = await setup();
    const ino = (await stat(s.vfs, '/a/x')).ino;
    await withFile(s.vfs, '/a/x', O_RDWR, async (f) => { await f.seek(6, 0); await f.checkedWrite(te.encode('X')); });
    assert.equal(await cat(s.vfs, '/a/x'), 'lower X\n');
    assert.equal((await stat(s.vfs, '/a/x')).ino, ino, 'the number survives the copy-up');
    assert.deepEqual(await rawLs(s.upper, '/a'), ['x'], 'only the file and its parent are copied up');

    await put(s.vfs, '/a/y', 'more\n', O_WRONLY | O_APPEND);
    assert.equal(await cat(s.vfs, '/a/y'), 'lower y\nmore\n');

    await withFile(s.vfs, '/etc/hosts', O_RDWR, (f) => f.truncate(3));
    assert.equal(await cat(s.vfs, '/etc/hosts'), '127');
    await put(s.vfs, '/etc/motd', 'new', O_WRONLY | O_TRUNC);
    assert.equal(await cat(s.vfs, '/etc/motd'), 'new');

    const sub = await s.vfs.lookup(s.vfs.rootStack, '/a/sub/deep', false);
    const before = await sub.stat();
    await sub.setattr({ mode: 0o600 });
    const after = await stat(s.vfs, '/a/sub/deep');
    assert.equal(after.mode & 0o7777, 0o600);
    assert.equal(after.mtimeNs, before.mtimeNs, 'chmod copies up with the lower times');
    assert.equal(await cat(s.vfs, '/a/sub/deep'), 'deep\n');
    assert.equal((await stat(s.vfs, '/b')).mode & 0o7777, 0o640);
    await (await s.vfs.lookup(s.vfs.rootStack, '/b', false)).setattr({ mtimeNs: 5n });
    assert.equal((await stat(s.vfs, '/b')).mtimeNs, 5n);
    assert.equal((await stat(s.vfs, '/b')).mode & 0o7777, 0o640, 'copy-up keeps the mode');
    assert.equal(await cat(s.vfs, '/b'), 'lower b\n');
    assert.deepEqual(await rawLs(s.upper, '/'), ['a', 'b', 'etc'], 'no temporary file is left');
    await assertLowerUntouched(s);
  });

  test('a reader that opened the lower file sees what a later writer writes after the copy-up', async () => {
    const s = await setup();
    const reader = await s.vfs.open(s.vfs.rootStack, '/a/x', O_RDONLY, 0);
    const buf = new Uint8Array(5);
    assert.equal(await reader.checkedRead(buf), 5);
    assert.equal(td.decode(buf), 'lower');
    await put(s.vfs, '/a/x', 'upper data\n');
    assert.equal(await readAll(reader), ' data\n', 'the old fd reads the copied-up file from its offset');
    await reader.unref();
    await assertLowerUntouched(s);
  });

  test('concurrent writers of one lower file copy it up once', async () => {
    const s = await setup();
    const writers = [0, 1, 2, 3, 4].map((i) => withFile(s.vfs, '/a/x', O_RDWR, (f) => f.checkedPwrite(te.encode(String(i)), i)));
    await Promise.all(writers);
    assert.equal(await cat(s.vfs, '/a/x'), '01234 x\n');
    assert.deepEqual(await rawLs(s.upper, '/a'), ['x']);
    await assertLowerUntouched(s);
  });

  test('what a crash can leave in the upper layer stays hidden', async () => {
    const upper = new RamFs(clock);
    const a = await upper.root.create('a', 'dir', 0o755);
    await a.create('.wh..wh.tmp.left', 'file', 0o600); // a copy-up that never completed
    await a.create('sub', 'dir', 0o755); // mkdir over a whiteout, stopped before the opaque marker...
    await a.create('.wh.sub', 'file', 0o600); // ...and before removing the whiteout
    const s = await setup(upper);
    assert.deepEqual(await ls(s.vfs, '/a'), ['link', 'sub', 'x', 'y']);
    assert.deepEqual(await ls(s.vfs, '/a/sub'), [], 'the new directory hides the lower one');
    assert.equal(await cat(s.vfs, '/a/x'), 'lower x\n');
    await s.vfs.rmdir(s.vfs.rootStack, '/a/sub');
    assert.deepEqual(await rawLs(upper, '/a'), ['.wh..wh.tmp.left', '.wh.sub']);
    await assertLowerUntouched(s);
  });

  test('unlink leaves a whiteout; creating the name again removes it', async () => {
    const s = await setup();
    await s.vfs.unlink(s.vfs.rootStack, '/a/x');
    assert.equal(await errnoOf(stat(s.vfs, '/a/x')), 'ENOENT');
    assert.deepEqual(await ls(s.vfs, '/a'), ['link', 'sub', 'y']);
    assert.deepEqual(await rawLs(s.upper, '/a'), ['.wh.x']);
    assert.equal(await errnoOf(cat(s.vfs, '/a/link')), 'ENOENT', 'a symlink to it dangles');
    await put(s.vfs, '/a/x', 'again\n');
    assert.equal(await cat(s.vfs, '/a/x'), 'again\n');
    assert.deepEqual(await rawLs(s.upper, '/a'), ['x']);
    // unlink of an upper-only file leaves nothing
    await put(s.vfs, '/new', 'n');
    await s.vfs.unlink(s.vfs.rootStack, '/new');
    assert.ok(!(await rawLs(s.upper, '/')).some((n) => n.includes('new')));
    assert.equal(await errnoOf(s.vfs.unlink(s.vfs.rootStack, '/a/x/')), 'ENOTDIR');
    assert.equal(await errnoOf(s.vfs.unlink(s.vfs.rootStack, '/a/sub')), 'EISDIR');
    await assertLowerUntouched(s);
  });

  test('rmdir checks the merged directory; rm -r then mkdir gives an opaque, empty directory', async () => {
    const s = await setup();
    assert.equal(await errnoOf(s.vfs.rmdir(s.vfs.rootStack, '/a/sub')), 'ENOTEMPTY', 'lower-only contents count');
    await s.vfs.unlink(s.vfs.rootStack, '/a/sub/deep');
    assert.deepEqual(await ls(s.vfs, '/a/sub'), []);
    await s.vfs.rmdir(s.vfs.rootStack, '/a/sub');
    assert.equal(await errnoOf(stat(s.vfs, '/a/sub')), 'ENOENT');
    assert.deepEqual(await rawLs(s.upper, '/a'), ['.wh.sub']);
    await s.vfs.rmdir(s.vfs.rootStack, '/empty');
    assert.equal(await errnoOf(s.vfs.rmdir(s.vfs.rootStack, '/empty')), 'ENOENT');
    await s.vfs.mkdir(s.vfs.rootStack, '/a/sub', 0o700);
    assert.deepEqual(await ls(s.vfs, '/a/sub'), [], 'the lower contents stay hidden');
    assert.equal(await errnoOf(stat(s.vfs, '/a/sub/deep')), 'ENOENT');
    assert.deepEqual(await rawLs(s.upper, '/a/sub'), ['.wh..wh..opq']);
    assert.equal((await stat(s.vfs, '/a/sub')).mode & 0o7777, 0o700);
    await put(s.vfs, '/a/sub/deep', 'new deep');
    assert.equal(await cat(s.vfs, '/a/sub/deep'), 'new deep');
    // a merged directory whose upper part holds only markers is empty and can go
    await s.vfs.unlink(s.vfs.rootStack, '/a/sub/deep');
    await s.vfs.rmdir(s.vfs.rootStack, '/a/sub');
    assert.deepEqual(await ls(s.vfs, '/a'), ['link', 'x', 'y']);
    await assertLowerUntouched(s);
  });

  test('rename of files across layers: lower to new name, over a lower file, over a whiteout', async () => {
    const s = await setup();
    const ino = (await stat(s.vfs, '/a/x')).ino;
    await s.vfs.rename(s.vfs.rootStack, '/a/x', s.vfs.rootStack, '/a/moved');
    assert.equal(await cat(s.vfs, '/a/moved'), 'lower x\n');
    assert.equal((await stat(s.vfs, '/a/moved')).ino, ino);
    assert.equal(await errnoOf(stat(s.vfs, '/a/x')), 'ENOENT');
    await s.vfs.rename(s.vfs.rootStack, '/a/moved', s.vfs.rootStack, '/b');
    assert.equal(await cat(s.vfs, '/b'), 'lower x\n', 'replaces the lower /b');
    await s.vfs.unlink(s.vfs.rootStack, '/a/y');
    await s.vfs.rename(s.vfs.rootStack, '/b', s.vfs.rootStack, '/a/y');
    assert.equal(await cat(s.vfs, '/a/y'), 'lower x\n', 'renamed onto a whited-out name');
    assert.deepEqual(await ls(s.vfs, '/'), ['a', 'empty', 'etc', 'tmp']);
    assert.deepEqual(await ls(s.vfs, '/a'), ['link', 'sub', 'y']);
    assert.equal(await errnoOf(cat(s.vfs, '/a/link')), 'ENOENT', 'the symlink to x dangles');
    // a lower symlink moves as a symlink
    await s.vfs.rename(s.vfs.rootStack, '/a/link', s.vfs.rootStack, '/l2');
    assert.equal(await s.vfs.readlink(s.vfs.rootStack, '/l2'), 'x');
    assert.equal(await errnoOf(s.vfs.rename(s.vfs.rootStack, '/etc/hosts', s.vfs.rootStack, '/a')), 'EISDIR');
    assert.equal(await errnoOf(s.vfs.rename(s.vfs.rootStack, '/empty', s.vfs.rootStack, '/a')), 'ENOTEMPTY');
    assert.equal(await errnoOf(s.vfs.rename(s.vfs.rootStack, '/a', s.vfs.rootStack, '/etc/motd')), 'ENOTDIR');
    await assertLowerUntouched(s);
  });

  test('rename of a lower directory moves its whole tree; over an empty lower directory it is opaque', async () => {
    const s = await setup();
    await put(s.vfs, '/a/new', 'upper file');
    await s.vfs.unlink(s.vfs.rootStack, '/a/y');
    const cwd = await s.vfs.walk(s.vfs.rootStack, '/a/sub', true); // a held directory keeps working
    await s.vfs.rename(s.vfs.rootStack, '/a', s.vfs.rootStack, '/moved');
    assert.equal(await errnoOf(stat(s.vfs, '/a')), 'ENOENT');
    assert.deepEqual(await ls(s.vfs, '/moved'), ['link', 'new', 'sub', 'x']);
    assert.equal(await cat(s.vfs, '/moved/sub/deep'), 'deep\n');
    assert.equal(await cat(s.vfs, '/moved/link'), 'lower x\n');
    const f = await s.vfs.open(cwd, 'deep', O_RDONLY, 0);
    assert.equal(await readAll(f), 'deep\n');
    await f.unref();
    // onto an empty lower directory: its (absent) lower contents must not appear; mkdir -p style
    await s.vfs.rename(s.vfs.rootStack, '/moved/sub', s.vfs.rootStack, '/empty');
    assert.deepEqual(await ls(s.vfs, '/empty'), ['deep']);
    assert.equal(await errnoOf(s.vfs.rename(s.vfs.rootStack, '/moved', s.vfs.rootStack, '/moved/x2')), 'EINVAL');
    // and back over the original (whited-out) name: opaque, only what was moved
    await s.vfs.rename(s.vfs.rootStack, '/moved', s.vfs.rootStack, '/a');
    assert.deepEqual(await ls(s.vfs, '/a'), ['link', 'new', 'x']);
    await assertLowerUntouched(s);
  });

  test('a hard link to a lower file copies it up once; both names are one file', async () => {
    const s = await setup();
    await s.vfs.link(s.vfs.rootStack, '/a/x', s.vfs.rootStack, '/tmp/hard', false);
    const [a, b] = [await stat(s.vfs, '/a/x'), await stat(s.vfs, '/tmp/hard')];
    assert.equal(a.ino, b.ino);
    assert.equal(a.nlink, 2);
    assert.equal(await s.vfs.lookup(s.vfs.rootStack, '/a/x', false), await s.vfs.lookup(s.vfs.rootStack, '/tmp/hard', false));
    await put(s.vfs, '/tmp/hard', 'via hard', O_WRONLY | O_TRUNC);
    assert.equal(await cat(s.vfs, '/a/x'), 'via hard');
    await s.vfs.unlink(s.vfs.rootStack, '/a/x');
    assert.equal((await stat(s.vfs, '/tmp/hard')).nlink, 1);
    assert.equal(await cat(s.vfs, '/tmp/hard'), 'via hard');
    await assertLowerUntouched(s);
  });

  test('names starting with .wh. are reserved: invisible and not creatable', async () => {
    const s = await setup();
    await s.vfs.unlink(s.vfs.rootStack, '/b');
    assert.equal(await errnoOf(stat(s.vfs, '/.wh.b')), 'ENOENT');
    assert.equal(await errnoOf(put(s.vfs, '/.wh.x', 'no')), 'EINVAL');
    assert.equal(await errnoOf(s.vfs.mkdir(s.vfs.rootStack, '/a/.wh..wh..opq', 0o755)), 'EINVAL');
    assert.equal(await errnoOf(s.vfs.symlink(s.vfs.rootStack, 'x', '/.wh.s')), 'EINVAL');
    assert.equal(await errnoOf(s.vfs.rename(s.vfs.rootStack, '/etc/motd', s.vfs.rootStack, '/.wh.etc')), 'EINVAL');
    assert.ok(!(await ls(s.vfs, '/')).some((n) => n.startsWith('.wh.')));
    await assertLowerUntouched(s);
  });

  test('the union is read-only when its upper layer is', async () => {
    const s = await setup(new RamFs(clock, true));
    assert.equal(s.union.readonly, true);
    assert.equal(await cat(s.vfs, '/a/x'), 'lower x\n');
    assert.equal(await errnoOf(put(s.vfs, '/a/x', 'no', O_WRONLY)), 'EROFS');
    assert.equal(await errnoOf(s.vfs.unlink(s.vfs.rootStack, '/b')), 'EROFS');
    await assertLowerUntouched(s);
  });

  test('several lower layers: priority order, and a whiteout in a lower layer hides the ones below', async () => {
    const top = lowerFs({ 'd/': '', 'd/one': 'top one', '.wh.gone': '', 'f': 'top f' });
    const bottom = lowerFs({ 'd/': '', 'd/one': 'bottom one', 'd/two': 'bottom two', 'gone': 'hidden', 'f': 'bottom f' });
    const union = new UnionFs(new RamFs(clock), [top, bottom]);
    const vfs = new Vfs(union);
    assert.deepEqual(await ls(vfs, '/'), ['d', 'f']);
    assert.deepEqual(await ls(vfs, '/d'), ['one', 'two']);
    assert.equal(await cat(vfs, '/d/one'), 'top one');
    assert.equal(await cat(vfs, '/d/two'), 'bottom two');
    assert.equal(await errnoOf(cat(vfs, '/gone')), 'ENOENT');
    await put(vfs, '/d/two', 'upper two', O_WRONLY | O_TRUNC);
    assert.equal(await cat(vfs, '/d/two'), 'upper two');
    const inos = (await (await vfs.lookup(vfs.rootStack, '/d', true)).readdir()).map((e) => e.ino);
    assert.equal(new Set(inos).size, inos.length);
  });
});

// ---- (b) real programs -------------------------------------------------------------------------

const FILES_SOURCE = path.join(PROGRAMS_DIR, 'files.c');
const ENV = { FILES_TEST_VAR: 'hello there' };
const EXTRA = ['a b', 'ünï'];
const BIN = path.join(REPO, 'userland', 'bin');
const TOOLS = ['sh', 'ls', 'cp', 'mv', 'rm', 'mkdir', 'cat', 'echo', 'ln', 'touch'];
const cleanup: string[] = [];
after(() => { for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true }); });

/** Boots a LibOS whose root is a union over the (read-only) image; `upper` gets the changes. */
async function bootUnion(upper: FileSystem, programs: Record<string, string>, files: Record<string, string> = {}): Promise<{ libos: LibOS; image: () => RamFs }> {
  let image: RamFs | undefined;
  const libos = await LibOS.boot({ programs, files, rootFs: (img) => { image = img; return new UnionFs(upper, [img]); } });
  return { libos, image: () => image! };
}

describe('unionfs as the LibOS root', () => {
  let wasm = '';
  let nat: RunResult;
  before(async () => {
    wasm = await compileProgram('files');
    const dir = tempDir('occlum-ts-union-native-');
    cleanup.push(dir);
    nat = await runNative(FILES_SOURCE, [dir, '0', ...EXTRA], { env: ENV, cwd: dir });
    assert.equal(nat.exitCode, 0);
    assert.match(nat.stdout, /many entries \(with \. and \.\.\): 42/);
  });

  test('files.c in /tmp of the image (a lower directory) matches native; the image is untouched', async () => {
    const upper = new RamFs(clock);
    const { libos, image } = await bootUnion(upper, { files: wasm });
    try {
      const before = await snapshot(image());
      const r = await libos.run('files', ['/tmp', '0', ...EXTRA], { env: ENV });
      assert.equal(r.stderr, '');
      assert.deepEqual(libos.kernelBugs(), []);
      assert.equal(r.stdout, nat.stdout);
      assert.equal(r.exitCode, 0);
      assert.deepEqual(await snapshot(image()), before);
      assert.deepEqual(await rawLs(upper, '/tmp'), [], 'files.c cleans up after itself');
      assert.deepEqual(libos.leaks(), []);
    } finally {
      await libos.shutdown();
    }
  });

  test('files.c on a union over a sefs upper mounted at /u matches native', async () => {
    const sefs = await SefsFileSystem.format(new MemDevice(4096), { crypto: nodeCrypto, commitIntervalMs: 0 });
    const union = new UnionFs(sefs, [lowerFs(LOWER)]);
    const libos = await LibOS.boot({ programs: { files: wasm }, mounts: [{ target: '/u', fs: union }] });
    try {
      const r = await libos.run('files', ['/u/a', '0', ...EXTRA], { env: ENV });
      assert.equal(r.stderr, '');
      assert.equal(r.stdout, nat.stdout);
      assert.equal(r.exitCode, 0);
    } finally {
      await libos.shutdown();
      await union.unmount();
    }
  });

  test('the userland tools work on image files: cat, cp, mv of a directory, rm -r, mkdir, ln, ls', async (t) => {
    const missing = TOOLS.filter((u) => !fs.existsSync(path.join(BIN, u)));
    if (missing.length > 0) { t.skip(`userland/bin lacks ${missing.join(' ')}: run node scripts/build-userland.js`); return; }
    const upper = new RamFs(clock);
    const { libos, image } = await bootUnion(upper, Object.fromEntries(TOOLS.map((u) => [u, path.join(BIN, u)])), {
      '/data/one.txt': 'one\n', '/data/two.txt': 'two\n', '/data/sub/three.txt': 'three\n', '/etc/motd': 'hello\n',
    });
    try {
      const before = await snapshot(image());
      const script = [
        'cat /etc/motd /data/one.txt',
        'echo appended >> /etc/motd',
        'cat /etc/motd',
        'cp /data/one.txt /data/copy.txt',
        'mv /data /moved',
        'ls /moved /moved/sub',
        'ls / | grep -c data || echo no data',
        'rm -r /moved/sub',
        'mkdir /moved/sub',
        'ls /moved/sub',
        'echo new > /moved/sub/n && cat /moved/sub/n',
        'ln /moved/two.txt /moved/two.hard',
        'echo 2 >> /moved/two.hard && cat /moved/two.txt',
        'rm /moved/one.txt',
        'ls /moved',
        'cat /moved/one.txt',
      ].join('\n');
      const r = await libos.run('sh', ['-c', script], { env: { PATH: '/bin' } });
      assert.deepEqual(libos.kernelBugs(), []);
      assert.equal(r.stdout, [
        'hello', 'one', 'hello', 'appended',
        '/moved:', 'copy.txt', 'one.txt', 'sub', 'two.txt', '', '/moved/sub:', 'three.txt',
        'no data',
        'new', 'two', '2', 'copy.txt', 'sub', 'two.hard', 'two.txt', '',
      ].join('\n'));
      assert.match(r.stderr, /one\.txt/, 'cat of the removed file fails');
      assert.equal(r.exitCode, 1);
      assert.deepEqual(await snapshot(image()), before, 'the image is untouched');
      assert.ok((await rawLs(upper, '/')).includes('.wh.data'), 'the moved directory left a whiteout');
      assert.deepEqual(libos.leaks(), []);
    } finally {
      await libos.shutdown();
    }
  });
});

// ---- (c) persistence ---------------------------------------------------------------------------

test('a sefs upper keeps the changes and whiteouts across unmount and mount; the lower is untouched', async () => {
  const disk = new MemDevice(4096);
  const opts = { crypto: nodeCrypto, commitIntervalMs: 0 };
  const lower = lowerFs(LOWER);
  const before = await snapshot(lower);
  {
    const union = new UnionFs(await SefsFileSystem.format(disk.handle(), opts), [lower]);
    const vfs = new Vfs(union);
    await put(vfs, '/a/x', 'changed x\n');
    await s_unlink(vfs, '/b');
    await s_unlink(vfs, '/a/sub/deep');
    await vfs.rmdir(vfs.rootStack, '/a/sub');
    await vfs.mkdir(vfs.rootStack, '/a/sub', 0o755);
    await vfs.rename(vfs.rootStack, '/etc', vfs.rootStack, '/etc2');
    await vfs.symlink(vfs.rootStack, '/etc2/hosts', '/hosts');
    await union.unmount();
  }
  const union = new UnionFs(await SefsFileSystem.mount(disk.handle(), opts), [lower]);
  const vfs = new Vfs(union);
  assert.deepEqual(await ls(vfs, '/'), ['a', 'empty', 'etc2', 'hosts', 'tmp']);
  assert.equal(await cat(vfs, '/a/x'), 'changed x\n');
  assert.equal(await errnoOf(stat(vfs, '/b')), 'ENOENT');
  assert.deepEqual(await ls(vfs, '/a/sub'), [], 'the opaque directory persists');
  assert.equal(await cat(vfs, '/hosts'), '127.0.0.1 localhost\n');
  assert.deepEqual(await ls(vfs, '/etc2'), ['hosts', 'motd']);
  assert.equal((await stat(vfs, '/etc2/motd')).mtimeNs, 1_600_000_000_000_000_000n);
  assert.deepEqual(await snapshot(lower), before);
  await union.unmount();
});

function s_unlink(vfs: Vfs, p: string): Promise<void> { return vfs.unlink(vfs.rootStack, p); }

// ---- (d) random operations against a model -----------------------------------------------------

/** A tiny deterministic PRNG (mulberry32), so that a failure can be replayed from its seed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('random operations agree with a model of the merged view (and survive a remount)', async () => {
  for (const seed of [1, 2, 3]) {
    const rnd = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const disk = new MemDevice(4096);
    const opts = { crypto: nodeCrypto, commitIntervalMs: 0 };
    const s = await setup(await SefsFileSystem.format(disk.handle(), opts));
    // the model: path -> file text, or null for a directory
    const model = new Map<string, string | null>([['/', null]]);
    for (const [p, v] of Object.entries(LOWER)) if (!v.startsWith('-> ')) model.set(`/${p.replace(/\/$/, '')}`, p.endsWith('/') ? null : v);
    const names = ['a', 'b', 'x', 'y', 'sub', 'etc', 'empty', 'tmp', 'n'];
    const dirs = (): string[] => [...model].filter(([, v]) => v === null).map(([p]) => p);
    const join = (d: string, n: string): string => (d === '/' ? `/${n}` : `${d}/${n}`);
    const children = (d: string): string[] => [...model.keys()].filter((p) => p !== d && path.posix.dirname(p) === d);
    const log: string[] = [];
    for (let i = 0; i < 300; i++) {
      const p = join(pick(dirs()), pick(names));
      const kind = model.get(p);
      const op = pick(['write', 'append', 'unlink', 'mkdir', 'rmdir', 'rename', 'truncate']);
      log.push(`${op} ${p}`);
      const ctx = `seed ${seed} step ${i}: ${op} ${p}`;
      if (op === 'write' || op === 'append') {
        const text = `${op}${i};`;
        const r = await errnoOf(put(s.vfs, p, text, O_WRONLY | O_CREAT | (op === 'write' ? O_TRUNC : O_APPEND)));
        if (kind === null) { assert.equal(r, 'EISDIR', ctx); continue; }
        assert.equal(r, 'OK', ctx);
        model.set(p, op === 'write' || kind === undefined ? text : kind + text);
      } else if (op === 'truncate') {
        const r = await errnoOf(withFile(s.vfs, p, O_RDWR, (f) => f.truncate(2)));
        if (kind === undefined) assert.equal(r, 'ENOENT', ctx);
        else if (kind === null) assert.equal(r, 'EISDIR', ctx);
        else { assert.equal(r, 'OK', ctx); model.set(p, kind.slice(0, 2) + '\0'.repeat(Math.max(0, 2 - kind.length))); }
      } else if (op === 'unlink') {
        const r = await errnoOf(s.vfs.unlink(s.vfs.rootStack, p));
        assert.equal(r, kind === undefined ? 'ENOENT' : kind === null ? 'EISDIR' : 'OK', ctx);
        if (r === 'OK') model.delete(p);
      } else if (op === 'mkdir') {
        const r = await errnoOf(s.vfs.mkdir(s.vfs.rootStack, p, 0o755));
        assert.equal(r, kind === undefined ? 'OK' : 'EEXIST', ctx);
        if (r === 'OK') model.set(p, null);
      } else if (op === 'rmdir') {
        const r = await errnoOf(s.vfs.rmdir(s.vfs.rootStack, p));
        const want = kind === undefined ? 'ENOENT' : kind !== null ? 'ENOTDIR' : children(p).length > 0 ? 'ENOTEMPTY' : 'OK';
        assert.equal(r, want, ctx);
        if (r === 'OK') model.delete(p);
      } else {
        const q = join(pick(dirs()), pick(names));
        const qk = model.get(q);
        const r = await errnoOf(s.vfs.rename(s.vfs.rootStack, p, s.vfs.rootStack, q));
        let want = 'OK';
        if (kind === undefined) want = 'ENOENT';
        else if (p === q) want = 'OK';
        else if (kind === null && (q + '/').startsWith(p + '/')) want = 'EINVAL';
        else if (qk !== undefined && kind === null && qk !== null) want = 'ENOTDIR';
        else if (qk !== undefined && kind !== null && qk === null) want = 'EISDIR';
        else if (qk === null && children(q).length > 0) want = 'ENOTEMPTY';
        assert.equal(r, want, `${ctx} -> ${q}`);
        if (r === 'OK' && p !== q) {
          const moved = [...model].filter(([k]) => k === p || k.startsWith(p + '/'));
          for (const [k] of moved) model.delete(k);
          for (const k of [...model.keys()]) if (k === q || k.startsWith(q + '/')) model.delete(k);
          for (const [k, v] of moved) model.set(q + k.slice(p.length), v);
        }
      }
    }
    const check = async (vfs: Vfs, when: string): Promise<void> => {
      const seen = new Map<string, string | null>([['/', null]]);
      const walk = async (d: string): Promise<void> => {
        for (const n of await ls(vfs, d)) {
          const p = join(d, n);
          const st = await stat(vfs, p);
          if ((st.mode & 0o170000) === 0o040000) { seen.set(p, null); await walk(p); } else if ((st.mode & 0o170000) === 0o100000) seen.set(p, await cat(vfs, p));
        }
      };
      await walk('/');
      assert.deepEqual(new Map([...seen].sort()), new Map([...model].sort()), `seed ${seed} ${when}; ops:\n${log.join('\n')}`);
    };
    await check(s.vfs, 'live');
    await s.union.unmount();
    const again = new UnionFs(await SefsFileSystem.mount(disk.handle(), opts), [s.lower]);
    await check(new Vfs(again), 'after a remount');
    await again.unmount();
    await assertLowerUntouched(s);
  }
});
