// The protected image in-process: the builder (src/instance/image/builder.ts: determinism, the
// build cache, file types, encryption) and the kernel's ImageFs (src/kernel/fs/imagefs.ts:
// read-only, stat, symlinks, readdir, every block verified, keys), plus the key file format and
// the progress bar. The CLI paths are in measured-boot.test.ts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildImage, type ImageBuildOptions } from '../src/instance/image/builder.js';
import { progressBar } from '../src/instance/image/progress.js';
import { ImageError, ImageFs, type ImageInode } from '../src/kernel/fs/imagefs.js';
import { nodeHostFs } from '../src/host/node.js';
import { nodeCrypto } from '../src/host/node-crypto.js';
import { SysError } from '../src/kernel/errno.js';
import { CliError } from '../src/instance/instance.js';
import { BLOCK_SIZE, decodeHeader, geometry } from '../src/image/format.js';
import { formatImageKey, parseImageKey } from '../src/image/image-crypto.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'occlum-image-test-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));
let serial = 0;

const BIG = Buffer.alloc(3 * BLOCK_SIZE + 100, 0).map((_, i) => (i * 7 + 3) & 0xff);

/** A fresh image/ directory: `files` by relative path (string/bytes = file, {link} = symlink, null = dir). */
function imageDir(files: Record<string, string | Uint8Array | { link: string } | null>): string {
  const dir = path.join(work, `src-${serial++}`);
  fs.mkdirSync(dir);
  for (const [p, v] of Object.entries(files)) {
    const host = path.join(dir, p);
    fs.mkdirSync(path.dirname(host), { recursive: true });
    if (v === null) fs.mkdirSync(host, { recursive: true });
    else if (typeof v === 'object' && 'link' in v) fs.symlinkSync(v.link, host);
    else fs.writeFileSync(host, v);
  }
  return dir;
}

const SAMPLE = {
  'bin/tool': 'not really a program\n',
  'etc/hosts': '127.0.0.1 localhost\n',
  'etc/big.bin': BIG,
  'etc/empty': '',
  'etc/link': { link: 'hosts' },
  'etc/abs': { link: '/etc/big.bin' },
  'var/lib/deep/file': 'deep\n',
  'srv': null,
};

function build(dir: string, opts: ImageBuildOptions = {}): { file: string; root: Uint8Array; hashed: number; reused: number } {
  const file = path.join(work, `out-${serial++}`, 'image.bin');
  const r = buildImage(dir, file, opts);
  return { file, root: r.root, hashed: r.hashedFiles, reused: r.reusedFiles };
}

function open(file: string, root: Uint8Array, extra: Partial<Parameters<typeof ImageFs.open>[0]> = {}): ImageFs {
  return ImageFs.open({ hostFs: nodeHostFs, path: file, root, crypto: nodeCrypto, ...extra });
}

async function walk(fsys: ImageFs, p: string): Promise<ImageInode> {
  let node = fsys.root as ImageInode;
  for (const c of p.split('/').filter((x) => x !== '')) node = (await node.lookup(c)) as ImageInode;
  return node;
}

async function readAll(fsys: ImageFs, p: string): Promise<Buffer> {
  const inode = await walk(fsys, p);
  const st = await inode.stat();
  const h = await inode.open(0);
  const buf = new Uint8Array(st.size + 10);
  let off = 0;
  for (let n; (n = await h.read(off, buf.subarray(off, Math.min(buf.length, off + 1000)))) > 0;) off += n;
  return Buffer.from(buf.subarray(0, off));
}

async function errno(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SysError) return e.message.split(':')[0]!;
    throw e;
  }
  return 'ok';
}

test('ImageFs: contents, readdir, symlinks, stat with the image\'s mode bits and a fixed mtime', async () => {
  const dir = imageDir(SAMPLE);
  fs.chmodSync(path.join(dir, 'bin', 'tool'), 0o751);
  fs.chmodSync(path.join(dir, 'etc', 'hosts'), 0o640);
  const { file, root } = build(dir);
  const fsys = open(file, root);
  try {
    assert.deepEqual((await fsys.root.readdir()).map((e) => [e.name, e.type]), [['bin', 'dir'], ['etc', 'dir'], ['srv', 'dir'], ['var', 'dir']]);
    assert.deepEqual((await (await walk(fsys, '/etc')).readdir()).map((e) => e.name), ['abs', 'big.bin', 'empty', 'hosts', 'link']);
    assert.ok((await readAll(fsys, '/etc/big.bin')).equals(BIG));
    assert.equal((await readAll(fsys, '/etc/hosts')).toString(), '127.0.0.1 localhost\n');
    assert.equal((await readAll(fsys, '/etc/empty')).length, 0);
    assert.equal((await readAll(fsys, '/var/lib/deep/file')).toString(), 'deep\n');

    const tool = await (await walk(fsys, '/bin/tool')).stat();
    assert.equal(tool.mode, 0o100751);
    assert.equal(tool.mtimeNs, 0n);
    assert.equal((await (await walk(fsys, '/etc/hosts')).stat()).mode, 0o100640);
    const big = await (await walk(fsys, '/etc/big.bin')).stat();
    assert.equal(big.size, BIG.length);
    assert.equal(big.nlink, 1);
    const etc = await (await walk(fsys, '/etc')).stat();
    assert.equal(etc.mode & 0o170000, 0o040000);
    assert.equal((await fsys.root.stat()).nlink, 2 + 4, 'a directory links its subdirectories\' ..');

    const link = await walk(fsys, '/etc/link');
    assert.equal(link.type, 'symlink');
    assert.equal(await link.readlink(), 'hosts');
    assert.equal((await link.stat()).size, 'hosts'.length);
    assert.equal(await (await walk(fsys, '/etc/abs')).readlink(), '/etc/big.bin');
    assert.equal(await errno((await walk(fsys, '/etc/hosts')).readlink()), 'EINVAL');
    assert.equal(await errno(fsys.root.lookup('nope')), 'ENOENT');
    assert.equal(await errno((await walk(fsys, '/etc/hosts')).lookup('x')), 'ENOTDIR');

    // The same object for the same file (the VFS compares Inode identity).
    assert.equal(await walk(fsys, '/etc/hosts'), await walk(fsys, '/etc/hosts'));
    // Reads past the end return 0; reads across block boundaries are exact.
    const h = await (await walk(fsys, '/etc/big.bin')).open(0);
    const mid = new Uint8Array(200);
    assert.equal(await h.read(BLOCK_SIZE - 50, mid), 200);
    assert.ok(Buffer.from(mid).equals(BIG.subarray(BLOCK_SIZE - 50, BLOCK_SIZE + 150)));
    assert.equal(await h.read(BIG.length + 5, mid), 0);
  } finally {
    await fsys.unmount();
  }
});

test('ImageFs is read-only: every change is EROFS', async () => {
  const { file, root } = build(imageDir(SAMPLE));
  const fsys = open(file, root);
  try {
    assert.equal(fsys.readonly, true);
    const etc = await walk(fsys, '/etc');
    const hosts = await walk(fsys, '/etc/hosts');
    assert.equal(await errno(etc.create('new', 'file', 0o644)), 'EROFS');
    assert.equal(await errno(etc.create('newdir', 'dir', 0o755)), 'EROFS');
    assert.equal(await errno(etc.unlink('hosts')), 'EROFS');
    assert.equal(await errno(fsys.root.rmdir('srv')), 'EROFS');
    assert.equal(await errno(etc.rename('hosts', etc, 'h2')), 'EROFS');
    assert.equal(await errno(etc.symlink('l2', 'x')), 'EROFS');
    assert.equal(await errno(etc.link('l3', hosts)), 'EROFS');
    assert.equal(await errno(hosts.setattr({ mode: 0o600 })), 'EROFS');
    assert.equal(await errno((await hosts.open(1)).write(0, new Uint8Array([1]))), 'EROFS');
    assert.equal(await errno(hosts.unlink('x')), 'ENOTDIR');
  } finally {
    await fsys.unmount();
  }
});

test('a block changed after mount is EIO with one log line, never wrong data', async () => {
  const { file, root } = build(imageDir(SAMPLE));
  const log: string[] = [];
  const fsys = open(file, root, { log: (l) => log.push(l) });
  try {
    const g = geometry(decodeHeader(fs.readFileSync(file).subarray(0, BLOCK_SIZE)));
    const inode = await walk(fsys, '/etc/big.bin');
    const start = (fsys.entries[inode.index] as { start: number }).start;
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from('X'), 0, 1, (g.dataStart + start + 2) * BLOCK_SIZE + 9);
    fs.closeSync(fd);
    const h = await inode.open(0);
    const buf = new Uint8Array(100);
    assert.equal(await h.read(0, buf), 100, 'an untouched block still reads');
    assert.equal(await errno(h.read(2 * BLOCK_SIZE, buf)), 'EIO');
    assert.equal(log.length, 1);
    assert.match(log[0]!, /block \d+ of .* does not match its hash/);
  } finally {
    await fsys.unmount();
  }
});

test('open: the root must match; a wrong root, a short file and a damaged header are integrity errors', () => {
  const { file, root } = build(imageDir(SAMPLE));
  const bad = Uint8Array.from(root);
  bad[0]! ^= 1;
  const kind = (f: () => unknown): string => { try { f(); return 'ok'; } catch (e) { assert.ok(e instanceof ImageError, String(e)); return `${e.kind}: ${e.message}`; } };
  assert.match(kind(() => open(file, bad)), /^integrity: .*root hash is not the measured one/);
  for (const verifyAll of [true, false]) {
    const copy = path.join(work, `copy-${serial++}`);
    const bytes = fs.readFileSync(file);
    bytes[30]! ^= 1; // a header field
    fs.writeFileSync(copy, bytes);
    assert.match(kind(() => open(copy, root, { verifyAll })), /^integrity: /);
    fs.writeFileSync(copy, fs.readFileSync(file).subarray(0, BLOCK_SIZE * 2));
    assert.match(kind(() => open(copy, root, { verifyAll })), /^integrity: /);
  }
  assert.match(kind(() => open(path.join(work, 'missing.bin'), root)), /^unreadable: cannot be opened \(ENOENT\)/);
  assert.equal(kind(() => open(file, root, { verifyAll: false }).unmount()), 'ok');
});

test('determinism: names sorted, host times and creation order ignored; content and modes count', () => {
  const a = imageDir(SAMPLE);
  const reversed = Object.fromEntries(Object.entries(SAMPLE).reverse());
  const b = imageDir(reversed);
  const old = new Date('1999-09-09T09:09:09Z');
  fs.utimesSync(path.join(b, 'etc', 'hosts'), old, old);
  fs.utimesSync(path.join(b, 'var'), old, old);
  const ia = build(a), ib = build(b);
  assert.ok(fs.readFileSync(ia.file).equals(fs.readFileSync(ib.file)), 'byte-identical images');
  assert.deepEqual(ia.root, ib.root);
  fs.chmodSync(path.join(b, 'etc', 'hosts'), 0o600);
  assert.notDeepEqual(build(b).root, ia.root);
  fs.chmodSync(path.join(b, 'etc', 'hosts'), fs.statSync(path.join(a, 'etc', 'hosts')).mode & 0o7777);
  fs.writeFileSync(path.join(b, 'etc', 'empty'), 'x');
  assert.notDeepEqual(build(b).root, ia.root);
});

test('the builder reports progress in bytes of file data, ending at the total', () => {
  const seen: [number, number][] = [];
  build(imageDir(SAMPLE), { progress: (done, total) => seen.push([done, total]) });
  const total = BIG.length + ['not really a program\n', '127.0.0.1 localhost\n', 'deep\n'].reduce((s, x) => s + x.length, 0);
  assert.ok(seen.length >= 5);
  assert.deepEqual(seen[seen.length - 1], [total, total]);
  assert.ok(seen.every(([d], i) => i === 0 || d >= seen[i - 1]![0]), 'monotonic');
});

test('mount points missing from image/ become empty directories', async () => {
  const { file, root } = build(imageDir({ 'etc/hosts': 'h\n' }), { mountPoints: ['/tmp', '/dev/shm', '/etc/hosts/x'] });
  const fsys = open(file, root);
  try {
    assert.equal((await walk(fsys, '/dev/shm')).type, 'dir');
    assert.equal((await walk(fsys, '/tmp')).type, 'dir');
    assert.equal((await walk(fsys, '/etc/hosts')).type, 'file', 'an existing file is left alone');
  } finally {
    await fsys.unmount();
  }
});

test('only directories, regular files and symlinks: a FIFO is refused with one line', () => {
  const dir = imageDir({ 'etc/hosts': 'h\n' });
  execFileSync('mkfifo', [path.join(dir, 'etc', 'pipe')]);
  assert.throws(() => build(dir), (e: unknown) => e instanceof CliError && e.lines.length === 1 &&
    e.lines[0] === 'image/etc/pipe is a FIFO; image/ may hold only regular files, directories and symlinks; remove it');
});

test('the build cache: unchanged files are copied, not read and hashed; the result equals a full build', () => {
  const dir = imageDir(SAMPLE);
  const out = path.join(work, `incr-${serial++}`, 'image.bin');
  const cacheFile = path.join(path.dirname(out), 'cache.json');
  const first = buildImage(dir, out, { cacheFile });
  assert.equal(first.hashedFiles, 5);
  const again = buildImage(dir, out, { cacheFile });
  assert.deepEqual([again.hashedFiles, again.reusedFiles], [0, 5]);
  assert.deepEqual(again.root, first.root);

  // Change one file, and add one that sorts first (every later file moves by a block).
  fs.writeFileSync(path.join(dir, 'etc', 'hosts'), '127.0.0.2 changed\n');
  fs.writeFileSync(path.join(dir, 'a-first'), 'new\n');
  const third = buildImage(dir, out, { cacheFile });
  assert.deepEqual([third.hashedFiles, third.reusedFiles], [2, 4]);
  const full = build(dir);
  assert.ok(fs.readFileSync(out).equals(fs.readFileSync(full.file)), 'incremental = full build');

  // A cache that lies cannot slip data past verification: the built image fails to open.
  const cache = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { files: Record<string, { leaves: string }> };
  const entry = cache.files['/etc/big.bin']!;
  entry.leaves = Buffer.alloc(Buffer.from(entry.leaves, 'base64').length, 0xab).toString('base64');
  fs.writeFileSync(cacheFile, JSON.stringify(cache));
  const lied = buildImage(dir, out, { cacheFile });
  assert.equal(lied.hashedFiles, 0);
  assert.throws(() => open(out, lied.root), (e: unknown) => e instanceof ImageError && e.kind === 'integrity');
  assert.equal(buildImage(dir, out, { cacheFile, force: true }).hashedFiles, 6);
  // A cache for another image file is not used.
  fs.appendFileSync(out, 'x');
  assert.equal(buildImage(dir, out, { cacheFile }).hashedFiles, 6);
  assert.equal(buildImage(dir, out, { cacheFile, force: true }).hashedFiles, 6, '-f ignores the cache');
});

test('encryption: deterministic per key, no plaintext, the right key opens it, a wrong or missing key is a key error', async () => {
  const key = parseImageKey('00-11-22-33-44-55-66-77-88-99-aa-bb-cc-dd-ee-ff\n');
  const other = parseImageKey(formatImageKey(new Uint8Array(16).fill(7)));
  const dir = imageDir({ ...SAMPLE, 'etc/secret': 'SECRET-MARKER-1234 '.repeat(300) });
  const e1 = build(dir, { key }), e2 = build(dir, { key });
  assert.ok(fs.readFileSync(e1.file).equals(fs.readFileSync(e2.file)), 'same key, same bytes');
  const bytes = fs.readFileSync(e1.file);
  assert.ok(!bytes.includes('SECRET-MARKER') && !bytes.includes('big.bin') && !bytes.includes('127.0.0.1'), 'no plaintext, not even names');
  assert.notDeepEqual(build(dir, { key: other }).root, e1.root);
  assert.notDeepEqual(build(dir).root, e1.root);

  const fsys = open(e1.file, e1.root, { key });
  try {
    assert.equal((await readAll(fsys, '/etc/secret')).toString(), 'SECRET-MARKER-1234 '.repeat(300));
    assert.ok((await readAll(fsys, '/etc/big.bin')).equals(BIG));
  } finally {
    await fsys.unmount();
  }
  assert.throws(() => open(e1.file, e1.root, { key: other }), (e: unknown) => e instanceof ImageError && e.kind === 'key' && /another key/.test(e.message));
  assert.throws(() => open(e1.file, e1.root), (e: unknown) => e instanceof ImageError && e.kind === 'key' && /no image key/.test(e.message));

  // Incremental with a key: files that keep their place are reused, and the result is identical.
  const out = path.join(work, `enc-incr-${serial++}`, 'image.bin');
  const cacheFile = `${out}.cache`;
  buildImage(dir, out, { key, cacheFile });
  const again = buildImage(dir, out, { key, cacheFile });
  assert.equal(again.hashedFiles, 0);
  assert.ok(fs.readFileSync(out).equals(bytes));
  assert.equal(buildImage(dir, out, { key: other, cacheFile }).hashedFiles, 6, 'another key: nothing reused');
});

test('image key text: xx-xx-...-xx, 16 bytes; anything else is refused', () => {
  const k = new Uint8Array([...Array(16).keys()].map((i) => i * 17));
  assert.equal(formatImageKey(k), '00-11-22-33-44-55-66-77-88-99-aa-bb-cc-dd-ee-ff');
  assert.deepEqual(parseImageKey(`  ${formatImageKey(k).toUpperCase()}\n`), k);
  for (const bad of ['', '00-11', '0011223344556677889900aabbccddeeff', `${formatImageKey(k)}-00`, formatImageKey(k).replace('ff', 'fg')]) {
    assert.throws(() => parseImageKey(bad), /is not an image key/, bad);
  }
});

test('progress bar: off unless stderr is a terminal and the image is large, or OCCLUM_PROGRESS=1', () => {
  const written: string[] = [];
  const sink = { isTTY: false, write: (s: string) => written.push(s) };
  assert.equal(progressBar(sink, {}), undefined);
  const tty = progressBar({ ...sink, isTTY: true }, {})!;
  tty.update(10, 1000); // a small image: nothing
  tty.done();
  assert.deepEqual(written, []);
  const forced = progressBar(sink, { OCCLUM_PROGRESS: '1' })!;
  forced.update(0, 100);
  forced.update(50, 100);
  forced.update(50, 100); // no redraw for the same percentage
  forced.update(100, 100);
  forced.done();
  assert.equal(written.length, 4);
  assert.match(written[1]!, /^\rbuilding image \[#{15} {15}\]  50%/);
  assert.equal(written[3], '\n');
  assert.equal(progressBar({ ...sink, isTTY: true }, { OCCLUM_PROGRESS: '0' }), undefined);
});
