// hostfs confinement (issue: file systems and measured boot): a program can reach nothing of the
// host outside the mounted directory, whether by '..', by relative or absolute symlinks (made on
// the host or by the program), by renames, or by the host moving a directory away while the
// program works inside it. Every test checks both what the program saw and that the host files
// outside the mount are unchanged.
// covers: openat readlinkat symlinkat renameat chdir
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileProgram, LibOS, PROGRAMS_DIR, tempDir } from './helpers/libos.js';

let wasm = '';
const cleanup: string[] = [];

before(async () => { wasm = await compileProgram(path.join(PROGRAMS_DIR, 'hostfs', 'escape.c')); });
after(() => { for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true }); });

interface Setup { outer: string; host: string; snapshot: () => string }

/** <outer>/secret.txt and <outer>/secret-dir/ outside the mount; <outer>/host is mounted at /host. */
function setup(): Setup {
  const outer = tempDir('occlum-ts-escape-');
  cleanup.push(outer);
  const host = path.join(outer, 'host');
  fs.mkdirSync(path.join(host, 'sub', 'deeper'), { recursive: true });
  fs.writeFileSync(path.join(host, 'inside.txt'), 'inside\n');
  fs.writeFileSync(path.join(outer, 'secret.txt'), 'SECRET\n');
  fs.mkdirSync(path.join(outer, 'secret-dir'));
  fs.writeFileSync(path.join(outer, 'secret-dir', 'file.txt'), 'SECRET2\n');
  const snapshot = () => {
    const out: string[] = [];
    const walk = (d: string) => {
      for (const n of fs.readdirSync(d).sort()) {
        const p = path.join(d, n);
        if (p === host) continue;
        const st = fs.lstatSync(p);
        out.push(`${path.relative(outer, p)} ${st.isDirectory() ? 'dir' : JSON.stringify(fs.readFileSync(p, 'utf8'))}`);
        if (st.isDirectory()) walk(p);
      }
    };
    walk(outer);
    return out.join('\n');
  };
  return { outer, host, snapshot };
}

async function run(s: Setup, args: string[]): Promise<string> {
  const before = s.snapshot();
  const libos = await LibOS.boot({ programs: { escape: wasm }, hostDir: s.host });
  try {
    const r = await libos.run('escape', args);
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.deepEqual(libos.kernelBugs(), []);
    assert.equal(s.snapshot(), before, 'host files outside the mount changed');
    assert.doesNotMatch(r.stdout, /SECRET/);
    return r.stdout;
  } finally {
    await libos.shutdown();
  }
}

test('".." stops at the LibOS root: /host/.. is the LibOS root, never the host parent', async () => {
  const s = setup();
  const out = await run(s, [
    'read', '/host/inside.txt',
    'read', '/host/../secret.txt', 'read', '/host/sub/../../secret.txt', 'read', '/host/sub/deeper/../../../../../secret.txt',
    'chdir', '/host/sub', 'read', '../../secret.txt', 'read', '../inside.txt',
    'write', '/host/../secret.txt', 'ls', '/host/..',
  ]);
  assert.match(out, /^read \/host\/inside.txt: "inside"$/m);
  assert.match(out, /^read \/host\/\.\.\/secret.txt: ENOENT$/m);
  assert.match(out, /^read \/host\/sub\/\.\.\/\.\.\/secret.txt: ENOENT$/m);
  assert.match(out, /^read \/host\/sub\/deeper\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/secret.txt: ENOENT$/m);
  assert.match(out, /^read \.\.\/\.\.\/secret.txt: ENOENT$/m);
  assert.match(out, /^read \.\.\/inside.txt: "inside"$/m);
  // The write lands in the LibOS root (a ramfs), not next to the host's secret.
  assert.match(out, /^write \/host\/\.\.\/secret.txt: ok$/m);
  assert.match(out, /^ls \/host\/\.\.: .*\bbin\b.*\bhost\b/m);
  assert.doesNotMatch(out, /secret-dir/);
});

test('relative symlinks made on the host resolve in the LibOS namespace', async () => {
  const s = setup();
  fs.symlinkSync('../secret.txt', path.join(s.host, 'rel'));
  fs.symlinkSync('../../secret-dir', path.join(s.host, 'sub', 'reldir'));
  fs.symlinkSync('../../../../../../../../secret.txt', path.join(s.host, 'sub', 'deep'));
  const out = await run(s, ['read', '/host/rel', 'read', '/host/sub/reldir/file.txt', 'read', '/host/sub/deep', 'write', '/host/rel', 'ls', '/host/sub/reldir']);
  assert.match(out, /^read \/host\/rel: ENOENT$/m);
  assert.match(out, /^read \/host\/sub\/reldir\/file.txt: ENOENT$/m);
  assert.match(out, /^read \/host\/sub\/deep: ENOENT$/m);
  assert.match(out, /^ls \/host\/sub\/reldir: ENOENT$/m);
  assert.equal(fs.readFileSync(path.join(s.outer, 'secret.txt'), 'utf8'), 'SECRET\n');
});

test('absolute symlinks made on the host resolve in the LibOS namespace', async () => {
  const s = setup();
  fs.symlinkSync(path.join(s.outer, 'secret.txt'), path.join(s.host, 'abs'));
  fs.symlinkSync(path.join(s.outer, 'secret-dir'), path.join(s.host, 'absdir'));
  fs.symlinkSync('/etc/passwd', path.join(s.host, 'passwd'));
  const out = await run(s, ['read', '/host/abs', 'read', '/host/absdir/file.txt', 'write', '/host/absdir/new.txt', 'read', '/host/passwd']);
  assert.match(out, /^read \/host\/abs: ENOENT$/m);
  assert.match(out, /^read \/host\/absdir\/file.txt: ENOENT$/m);
  assert.match(out, /^write \/host\/absdir\/new.txt: ENOENT$/m);
  assert.doesNotMatch(out, /root:/);
  assert.ok(!fs.existsSync(path.join(s.outer, 'secret-dir', 'new.txt')));
});

test('symlinks a program makes in hostfs cannot point out of it either', async () => {
  const s = setup();
  const out = await run(s, [
    'symlink', '../secret.txt', '/host/mine', 'read', '/host/mine',
    'symlink', `${s.outer}/secret-dir`, '/host/mineabs', 'read', '/host/mineabs/file.txt', 'write', '/host/mineabs/planted.txt',
  ]);
  assert.match(out, /^symlink \.\.\/secret.txt \/host\/mine: ok$/m);
  assert.match(out, /^read \/host\/mine: ENOENT$/m);
  assert.match(out, /^read \/host\/mineabs\/file.txt: ENOENT$/m);
  assert.match(out, /^write \/host\/mineabs\/planted.txt: ENOENT$/m);
  assert.equal(fs.readlinkSync(path.join(s.host, 'mine')), '../secret.txt', 'the link itself is stored as written');
  assert.ok(!fs.existsSync(path.join(s.outer, 'secret-dir', 'planted.txt')));
});

test('renames cannot move files out of the mount or through links out of it', async () => {
  const s = setup();
  fs.symlinkSync(s.outer, path.join(s.host, 'up'));
  const out = await run(s, [
    'rename', '/host/inside.txt', '/host/../moved.txt',
    'rename', '/host/inside.txt', '/host/up/moved.txt',
    'rename', '/host/sub', '/host/../sub',
    'rename', '/host/inside.txt', '/host/sub/deeper/ok.txt',
    'read', '/host/sub/deeper/ok.txt',
  ]);
  assert.match(out, /^rename \/host\/inside.txt \/host\/\.\.\/moved.txt: EXDEV$/m);
  assert.match(out, /^rename \/host\/inside.txt \/host\/up\/moved.txt: (ENOENT|EXDEV)$/m);
  assert.match(out, /^rename \/host\/sub \/host\/\.\.\/sub: EXDEV$/m);
  assert.match(out, /^read \/host\/sub\/deeper\/ok.txt: "inside"$/m);
  assert.ok(!fs.existsSync(path.join(s.outer, 'moved.txt')));
});

test('a directory the host swaps for a symlink (or moves away) while a program works in it is not followed', async () => {
  const s = setup();
  fs.writeFileSync(path.join(s.host, 'sub', 'here.txt'), 'here\n');
  const libos = await LibOS.boot({ programs: { escape: wasm }, hostDir: s.host });
  const before = s.snapshot();
  try {
    const running = await libos.spawn('escape', [
      'chdir', '/host/sub', 'read', 'here.txt', 'waitfor', '/host/go',
      'read', 'here.txt', 'read', 'file.txt', 'write', 'planted.txt', 'read', '../secret.txt',
    ]);
    // Wait until the program sits in /host/sub, then swap it for a link to the secret directory.
    for (let i = 0; i < 2000 && !running.stdio.stdout.includes('waiting'); i++) await new Promise((r) => setTimeout(r, 5));
    fs.renameSync(path.join(s.host, 'sub'), path.join(s.outer, 'moved-away'));
    fs.symlinkSync(path.join(s.outer, 'secret-dir'), path.join(s.host, 'sub'));
    fs.writeFileSync(path.join(s.host, 'go'), '');
    const r = await running.result;
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^read here.txt: "here"$/m);
    const afterSwap = r.stdout.slice(r.stdout.indexOf('waiting'));
    assert.match(afterSwap, /^read here.txt: (ENOENT|EACCES)$/m);
    assert.match(afterSwap, /^read file.txt: (ENOENT|EACCES)$/m);
    assert.match(afterSwap, /^write planted.txt: (ENOENT|EACCES)$/m);
    assert.doesNotMatch(r.stdout, /SECRET/);
    assert.ok(!fs.existsSync(path.join(s.outer, 'secret-dir', 'planted.txt')));
    assert.ok(!fs.existsSync(path.join(s.outer, 'moved-away', 'planted.txt')));
    assert.deepEqual(libos.kernelBugs(), []);
  } finally {
    await libos.shutdown();
  }
  const after = s.snapshot().split('\n').filter((l) => !l.startsWith('moved-away')).join('\n');
  assert.equal(after, before.split('\n').filter((l) => !l.startsWith('moved-away')).join('\n'));
});
