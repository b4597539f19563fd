// The root's encrypted writable layer (issue: file systems and measured boot): files a program
// writes persist across `occlum run`s until the next `occlum build`; the host files under run/
// hold no plaintext of them and no file names; tampering, rollback and another machine's
// sealing key are detected (EIO or a refusal to boot with one line), never silent old data.
// Everything goes through the real CLI in temp dirs with a private HOME (sealing key, counters).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { occlum as runCli, tempWork, type CliResult } from './helpers/occlum-cli.js';

const { work, env } = tempWork('occlum-layer-test-');
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** The CLI with this file's private HOME (or another one: another machine's sealing key). */
function occlum(args: string[], cwd: string, homeDir?: string): Promise<CliResult> {
  return runCli(args, cwd, homeDir === undefined ? env() : env({ HOME: homeDir }));
}
const home = env()['HOME']!;

async function ok(args: string[], cwd: string): Promise<string> {
  const r = await occlum(args, cwd);
  assert.equal(r.code, 0, `occlum ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A built instance named `name` (the userland tools are in image/bin). */
async function instance(name: string): Promise<string> {
  await ok(['new', name], work);
  const dir = path.join(work, name);
  await ok(['build'], dir);
  return dir;
}

const sh = (dir: string, script: string) => occlum(['run', '/bin/sh', '-c', script], dir);

/** Every file below `dir`, recursively. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/**
 * One pass over a (sparse, possibly multi-GB) host file: which needles occur, and which 4 KiB
 * blocks are not all zeros.
 */
function scan(file: string, needles: string[]): { found: string[]; used: number[] } {
  const CHUNK = 64 << 20, OVERLAP = 256;
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(CHUNK + OVERLAP);
  const found = new Set<string>();
  const used: number[] = [];
  try {
    const size = fs.fstatSync(fd).size;
    for (let off = 0; off < size; off += CHUNK) {
      const n = fs.readSync(fd, buf, 0, Math.min(CHUNK + OVERLAP, size - off), off);
      const view = buf.subarray(0, n);
      for (const needle of needles) if (view.includes(needle)) found.add(needle);
      for (let b = 0; b * 4096 < Math.min(n, CHUNK); b++) {
        const blk = view.subarray(b * 4096, (b + 1) * 4096);
        if (blk.some((x) => x !== 0)) used.push(off / 4096 + b);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return { found: [...found], used };
}

/** XORs one byte of `file` at `pos` with `mask` in place (twice restores it). */
function flip(file: string, pos: number, mask: number): void {
  const fd = fs.openSync(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, pos);
    b[0] = b[0]! ^ mask;
    fs.writeSync(fd, b, 0, 1, pos);
  } finally {
    fs.closeSync(fd);
  }
}

test('files written by a program persist across runs, deletions of image files too, until the next build', async () => {
  const dir = await instance('persist');
  let r = await sh(dir, 'mkdir -p /root/notes && echo first > /root/notes/a.txt && rm /etc/hosts && echo done');
  assert.equal(r.code, 0, r.stderr);
  r = await sh(dir, 'cat /root/notes/a.txt; echo second >> /root/notes/a.txt; cat /etc/hosts || echo gone');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n')[0], 'first');
  assert.match(r.stdout, /gone/);
  r = await sh(dir, 'cat /root/notes/a.txt; ls /root/notes');
  assert.equal(r.stdout, 'first\nsecond\na.txt\n');
  // The image itself is untouched: /etc/hosts is still in image/, and a rebuild starts afresh.
  assert.equal(fs.readFileSync(path.join(dir, 'image', 'etc', 'hosts'), 'utf8'), '127.0.0.1 localhost\n');
  await ok(['build'], dir);
  r = await sh(dir, 'cat /etc/hosts; cat /root/notes/a.txt || echo empty');
  assert.equal(r.stdout, '127.0.0.1 localhost\nempty\n');
});

test('the host files under run/ hold no plaintext and no file names', async () => {
  const dir = await instance('plain');
  const marker = 'PLAINTEXT-MARKER-6d1f9c0e';
  const name = 'name-marker-b71a4f';
  let r = await sh(dir, `mkdir /root/${name}-dir && i=0; while [ $i -lt 200 ]; do echo ${marker} $i; i=$((i+1)); done > /root/${name}-dir/${name}.txt; echo ok`);
  assert.equal(r.code, 0, r.stderr);
  r = await sh(dir, `cat /root/${name}-dir/${name}.txt | head -n 1`);
  assert.equal(r.stdout, `${marker} 0\n`);
  const files = filesUnder(path.join(dir, 'run'));
  assert.ok(files.length > 0, 'run/ holds the layer');
  for (const f of files) {
    assert.deepEqual(scan(f, [marker, name]).found, [], `${f} holds plaintext or a file name`);
    assert.ok(!path.basename(f).includes(name));
  }
});

test('a flipped byte in the layer never yields wrong or old data: the run fails, or reads the right data', async () => {
  const dir = await instance('tamper');
  let r = await sh(dir, 'echo version-one > /root/v.txt; echo ok');
  assert.equal(r.code, 0, r.stderr);
  r = await sh(dir, 'echo version-two > /root/v.txt; echo ok');
  assert.equal(r.code, 0, r.stderr);
  const disk = filesUnder(path.join(dir, 'run')).sort((x, y) => fs.statSync(y).size - fs.statSync(x).size)[0]!;
  const { used } = scan(disk, []);
  assert.ok(used.length > 0);
  const picks = [...new Set([0, 1, 2, 3, Math.floor(used.length / 3), Math.floor(used.length / 2), used.length - 2, used.length - 1])]
    .filter((i) => i >= 0 && i < used.length).map((i) => used[i]!);
  let detected = 0;
  for (const blk of picks) {
    flip(disk, blk * 4096 + 100, 0x40);
    const t = await sh(dir, 'cat /root/v.txt');
    if (t.code === 0) assert.equal(t.stdout, 'version-two\n', `block ${blk}: a run that succeeds reads the right data`);
    else {
      detected++;
      assert.doesNotMatch(t.stdout, /version-one/, `block ${blk}: old data`);
      assert.doesNotMatch(t.stderr, /\n\s+at /, 'no stack trace');
    }
    flip(disk, blk * 4096 + 100, 0x40);
  }
  assert.ok(detected > 0, 'some flip must be detected');
  r = await sh(dir, 'cat /root/v.txt');
  assert.equal(r.stdout, 'version-two\n', 'restored: boots again');
});

test('rolling the whole layer back to an older copy is refused at boot', async () => {
  const dir = await instance('rollback');
  let r = await sh(dir, 'echo balance=100 > /root/account; echo ok');
  assert.equal(r.code, 0, r.stderr);
  const old = path.join(work, 'rollback-run-copy');
  fs.cpSync(path.join(dir, 'run'), old, { recursive: true });
  r = await sh(dir, 'echo balance=0 > /root/account; echo ok');
  assert.equal(r.code, 0, r.stderr);
  fs.rmSync(path.join(dir, 'run'), { recursive: true });
  fs.cpSync(old, path.join(dir, 'run'), { recursive: true });
  r = await sh(dir, 'cat /root/account');
  assert.notEqual(r.code, 0);
  assert.doesNotMatch(r.stdout, /balance=100/);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /run\/mount\/__ROOT.*(rolled back|rollback)/);
});

test('another machine (another sealing key) cannot open the layer: one line, non-zero exit', async () => {
  const dir = await instance('elsewhere');
  const r0 = await sh(dir, 'echo mine > /root/m.txt; echo ok');
  assert.equal(r0.code, 0, r0.stderr);
  const otherHome = path.join(work, 'other-home');
  fs.mkdirSync(otherHome);
  // The signing key must be the same, so copy it: only the sealing key differs.
  fs.mkdirSync(path.join(otherHome, '.occlum-ts'), { recursive: true });
  for (const f of fs.readdirSync(path.join(home, '.occlum-ts'))) {
    if (/sign/.test(f)) fs.copyFileSync(path.join(home, '.occlum-ts', f), path.join(otherHome, '.occlum-ts', f));
  }
  const r = await occlum(['run', '/bin/cat', '/root/m.txt'], dir, otherHome);
  assert.notEqual(r.code, 0);
  assert.doesNotMatch(r.stdout, /mine/);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /run\/mount\/__ROOT/);
});

test('a sefs mount of Occlum.json keeps its files across runs, encrypted in its host directory', async () => {
  await ok(['new', 'sefsmount'], work);
  const dir = path.join(work, 'sefsmount');
  const cfgPath = path.join(dir, 'Occlum.json');
  const cfg = JSON.parse(fs.readFileSync(cfgPath, 'utf8')) as { mount: Record<string, unknown>[] };
  cfg.mount.push({ target: '/data', type: 'sefs', source: './run/mount/data' });
  fs.writeFileSync(cfgPath, JSON.stringify(cfg, null, 2));
  await ok(['build'], dir);
  const marker = 'SEFS-MOUNT-MARKER-30c1';
  let r = await sh(dir, `echo ${marker} > /data/kept.txt; echo ok`);
  assert.equal(r.code, 0, r.stderr);
  r = await sh(dir, 'cat /data/kept.txt');
  assert.equal(r.stdout, `${marker}\n`);
  const files = filesUnder(path.join(dir, 'run', 'mount', 'data'));
  assert.ok(files.length > 0, 'the sefs lives in run/mount/data');
  for (const f of files) assert.deepEqual(scan(f, [marker, 'kept.txt']).found, [], f);
});

test('occlum mount exports the root as programs see it (image + writable layer) and creates no layer', async () => {
  const dir = await instance('exported');
  const fresh = path.join(work, 'export-fresh');
  await ok(['mount', fresh], dir);
  assert.equal(fs.readFileSync(path.join(fresh, 'etc', 'hosts'), 'utf8'), '127.0.0.1 localhost\n');
  assert.ok(!fs.existsSync(path.join(dir, 'run', 'mount', '__ROOT', 'sefs.hdr')), 'inspection created a layer');
  const r = await sh(dir, 'echo from-a-program > /root/made.txt; rm /etc/hosts; echo ok');
  assert.equal(r.code, 0, r.stderr);
  const out = path.join(work, 'export-after');
  await ok(['mount', out], dir);
  assert.equal(fs.readFileSync(path.join(out, 'root', 'made.txt'), 'utf8'), 'from-a-program\n');
  assert.ok(!fs.existsSync(path.join(out, 'etc', 'hosts')), 'the deletion shows');
  assert.ok(fs.existsSync(path.join(out, 'bin', 'sh')));
  // Inspection leaves the layer as it was: the program still sees its file.
  const again = await sh(dir, 'cat /root/made.txt');
  assert.equal(again.stdout, 'from-a-program\n');
});
