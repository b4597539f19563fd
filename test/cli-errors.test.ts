// Tests of the `occlum` CLI's error paths: every failure is one line "occlum: ..." on stderr that
// names the problem and the fix, with Occlum's exit codes (1 for usage/config/build errors, 127
// when a program cannot be started). Compiled to dist/test/cli-errors.test.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { occlum as runOcclum, type CliResult } from './helpers/occlum-cli.js';
import { compileCached } from '../src/sdk/compiler.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const OCCLUM = path.join(REPO, 'bin', 'occlum.js');
const PROBE_SRC = path.join(REPO, 'test', 'programs', 'cli', 'probe.c');

let work = '';
let probe = '';
/** A built instance with the probe as /bin/app, a text file /bin/notes.txt and a script. */
let built = '';
let counter = 0;

type Result = CliResult;

function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: os.tmpdir(), ...extra };
}

function occlum(args: string[], cwd: string, env: Record<string, string> = cleanEnv(), bin = OCCLUM): Promise<Result> {
  return runOcclum(args, cwd, env, bin);
}

/** Asserts exit code `code` and exactly one stderr line "occlum: ..." (no stack trace); returns it. */
function fails(r: Result, code: number): string {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(r.code, code, `exit code; stderr:\n${r.stderr}`);
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^occlum: /);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
  return lines[0]!;
}

/** A fresh initialized instance; `edit` may change its Occlum.json object. */
async function fresh(edit?: (cfg: Record<string, unknown>) => void): Promise<string> {
  const name = `inst${++counter}`;
  const r = await occlum(['new', name], work);
  assert.equal(r.code, 0, r.stderr);
  const dir = path.join(work, name);
  if (edit) {
    const p = path.join(dir, 'Occlum.json');
    const cfg = JSON.parse(fs.readFileSync(p, 'utf8')) as Record<string, unknown>;
    edit(cfg);
    fs.writeFileSync(p, JSON.stringify(cfg, null, 4));
  }
  return dir;
}

/** Hand-assembles a tiny Wasm command that imports `module.name` (a function) and exports _start. */
function wasmImporting(module: string, name: string): Uint8Array {
  const enc = (s: string) => [s.length, ...Buffer.from(s)];
  const sec = (id: number, body: number[]) => [id, body.length, ...body];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...sec(1, [1, 0x60, 0, 0]),                               // type 0: () -> ()
    ...sec(2, [1, ...enc(module), ...enc(name), 0x00, 0]),   // import func of type 0
    ...sec(3, [1, 0]),                                       // one function of type 0
    ...sec(5, [1, 0x00, 1]),                                 // memory: 1 page
    ...sec(7, [1, ...enc('_start'), 0x00, 1]),               // export _start = func 1
    ...sec(10, [1, 2, 0, 0x0b]),                             // body: no locals, end
  ]);
}

before(async () => {
  probe = await compileCached(PROBE_SRC);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'occlum-cli-errors-'));
  built = await fresh();
  fs.copyFileSync(probe, path.join(built, 'image', 'bin', 'app'));
  fs.writeFileSync(path.join(built, 'image', 'bin', 'notes.txt'), 'not a program\n');
  fs.writeFileSync(path.join(built, 'image', 'bin', 'hello.sh'), '#!/bin/sh\necho hello\n', { mode: 0o755 });
  fs.mkdirSync(path.join(built, 'image', 'opt'));
  fs.copyFileSync(probe, path.join(built, 'image', 'opt', 'tool'));
  const r = await occlum(['build'], built);
  assert.equal(r.code, 0, r.stderr);
  // app, the script, opt/tool, and the default utilities `occlum new` copied into image/bin
  const utilities = fs.readdirSync(path.join(built, 'image', 'bin')).filter((n) => !['notes.txt', 'hello.sh', 'app', 'my_app'].includes(n)).length;
  assert.match(r.stdout, new RegExp(`${3 + utilities} programs checked`));
});

after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// occlum run

test('run before build is refused', async () => {
  const dir = await fresh();
  fs.copyFileSync(probe, path.join(dir, 'image', 'bin', 'app'));
  const line = fails(await occlum(['run', '/bin/app'], dir), 1);
  assert.equal(line, 'occlum: the instance is not built; run `occlum build` first');
});

test('commands outside an instance say how to make one', async () => {
  const dir = path.join(work, 'plain');
  fs.mkdirSync(dir);
  for (const cmd of [['build'], ['run', '/bin/app'], ['status']]) {
    assert.match(fails(await occlum(cmd, dir), 1), /is not an Occlum instance .*occlum new/);
  }
});

test('a path outside entry_points exits 127', async () => {
  const line = fails(await occlum(['run', '/opt/tool'], built), 127);
  assert.equal(line, 'occlum: /opt/tool is not in entry_points ["/bin"] of Occlum.json; add its directory there and run `occlum build`');
  fails(await occlum(['run', '/binx/app'], built), 127);
});

test('a relative path or one with ".." exits 127 (EINVAL)', async () => {
  assert.match(fails(await occlum(['run', 'bin/app'], built), 127), /must be absolute .*EINVAL/);
  assert.match(fails(await occlum(['run', '/bin/../bin/app'], built), 127), /must not contain "\.\."/);
});

test('a missing program exits 127', async () => {
  const line = fails(await occlum(['run', '/bin/nope'], built), 127);
  assert.match(line, /^occlum: \/bin\/nope: no such file or directory; copy it into image\/bin/);
});

test('a file that is not Wasm exits 127', async () => {
  assert.match(fails(await occlum(['run', '/bin/notes.txt'], built), 127), /notes\.txt: not a WebAssembly program/);
  // A directory is not a program either.
  fails(await occlum(['run', '/bin'], built), 127);
});

test('invalid OCCLUM_LOG_LEVEL names the allowed values', async () => {
  const line = fails(await occlum(['run', '/bin/app'], built, cleanEnv({ OCCLUM_LOG_LEVEL: 'loud' })), 1);
  assert.equal(line, 'occlum: OCCLUM_LOG_LEVEL must be one of off, error, warn, info, debug, trace (got "loud"); fix or unset it');
});

test('run without a path', async () => {
  assert.match(fails(await occlum(['run'], built), 1), /missing the program path/);
});

// ---------------------------------------------------------------------------------------------
// occlum build: the image

test('a native ELF binary is refused at build time', async () => {
  const dir = await fresh();
  const elf = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(elf); // ELF64, little-endian
  fs.writeFileSync(path.join(dir, 'image', 'bin', 'app'), elf, { mode: 0o755 });
  const line = fails(await occlum(['build'], dir), 1);
  assert.equal(line, 'occlum: image/bin/app is a native ELF binary; compile it to WebAssembly with occlum-cc');
  assert.equal((await occlum(['status'], dir)).stdout, 'initialized\n');
});

test('an executable that is neither Wasm nor a script is refused', async () => {
  const dir = await fresh();
  fs.writeFileSync(path.join(dir, 'image', 'bin', 'blob'), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), { mode: 0o755 });
  const line = fails(await occlum(['build'], dir), 1);
  assert.match(line, /^occlum: image\/bin\/blob is executable but is neither a WebAssembly program nor a script/);
  // The same bytes without the executable bit are data, and fine.
  fs.chmodSync(path.join(dir, 'image', 'bin', 'blob'), 0o644);
  assert.equal((await occlum(['build'], dir)).code, 0);
});

test('a Wasm module importing what the LibOS lacks is refused', async () => {
  const dir = await fresh();
  fs.writeFileSync(path.join(dir, 'image', 'bin', 'app'), wasmImporting('linux', 'foo'));
  const line = fails(await occlum(['build'], dir), 1);
  assert.match(line, /^occlum: image\/bin\/app imports linux\.foo, which occlum-ts does not provide/);
  // A module importing a provided function passes.
  fs.writeFileSync(path.join(dir, 'image', 'bin', 'app'), wasmImporting('wasi_snapshot_preview1', 'sched_yield'));
  const ok = await occlum(['build'], dir);
  assert.equal(ok.code, 0, ok.stderr);
});

test('a truncated Wasm module is refused', async () => {
  const dir = await fresh();
  fs.writeFileSync(path.join(dir, 'image', 'bin', 'app'), fs.readFileSync(probe).subarray(0, 300));
  assert.match(fails(await occlum(['build'], dir), 1), /^occlum: image\/bin\/app is not a (usable|valid) WebAssembly module/);
});

test('a failed rebuild leaves the instance not built', async () => {
  const dir = await fresh();
  fs.copyFileSync(probe, path.join(dir, 'image', 'bin', 'app'));
  assert.equal((await occlum(['build'], dir)).code, 0);
  fs.writeFileSync(path.join(dir, 'image', 'bin', 'bad'), Buffer.from('\x7fELF\x02\x01\x01\x00', 'latin1'));
  fails(await occlum(['build'], dir), 1);
  assert.match(fails(await occlum(['run', '/bin/app'], dir), 1), /not built/);
});

// ---------------------------------------------------------------------------------------------
// occlum build: Occlum.json

test('malformed Occlum.json: line and column', async () => {
  const dir = await fresh();
  fs.writeFileSync(path.join(dir, 'Occlum.json'), '{\n  "entry_points": ["/bin"],\n    oops\n}\n');
  const line = fails(await occlum(['build'], dir), 1);
  assert.match(line, /^occlum: Occlum\.json is not valid JSON \(line 3, column 5\): \S/);
});

test('a bad size string names the field and the expected form', async () => {
  const dir = await fresh((c) => { (c['resource_limits'] as Record<string, unknown>)['user_space_size'] = 'lots'; });
  const line = fails(await occlum(['build'], dir), 1);
  assert.equal(line, 'occlum: Occlum.json: resource_limits.user_space_size must be a size like "300MB" (units B, KB, MB, GB, TB) (got "lots")');
});

test('an unknown mount type names the allowed ones', async () => {
  const dir = await fresh((c) => { (c['mount'] as Record<string, unknown>[])[1]!['type'] = 'nfs'; });
  const line = fails(await occlum(['build'], dir), 1);
  assert.equal(line, 'occlum: Occlum.json: mount[1].type must be one of sefs, hostfs, ramfs, unionfs, devfs, procfs, ext2 (got "nfs")');
});

test('mount types not supported yet, and a missing root mount', async () => {
  const dir = await fresh((c) => { (c['mount'] as unknown[]).push({ target: '/proc', type: 'procfs' }); });
  assert.match(fails(await occlum(['build'], dir), 1), /mount\[3\] \(procfs at \/proc\): type "procfs" is not supported yet/);
  const dir2 = await fresh((c) => { c['mount'] = (c['mount'] as { target: string }[]).filter((m) => m.target !== '/'); });
  assert.match(fails(await occlum(['build'], dir2), 1), /mount has no entry for "\/"/);
});

test('entry_points must be absolute', async () => {
  const dir = await fresh((c) => { c['entry_points'] = ['bin']; });
  const line = fails(await occlum(['build'], dir), 1);
  assert.equal(line, 'occlum: Occlum.json: entry_points[0] must be an absolute path without ".." like "/bin" (got "bin")');
});

test('a wrong type and an env entry without "="', async () => {
  const dir = await fresh((c) => { (c['resource_limits'] as Record<string, unknown>)['max_num_of_threads'] = 'many'; });
  assert.equal(fails(await occlum(['build'], dir), 1), 'occlum: Occlum.json: resource_limits.max_num_of_threads must be an integer (got "many")');
  const dir2 = await fresh((c) => { (c['env'] as Record<string, unknown>)['default'] = ['NOVALUE']; });
  assert.match(fails(await occlum(['build'], dir2), 1), /env\.default\[0\] must be an assignment like "NAME=value" \(got "NOVALUE"\)/);
});

test('several problems: one line each', async () => {
  const dir = await fresh((c) => { c['entry_points'] = ['bin']; (c['metadata'] as Record<string, unknown>)['debuggable'] = 'yes'; });
  const r = await occlum(['build'], dir);
  assert.equal(r.code, 1);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 2, r.stderr);
  for (const l of lines) assert.match(l, /^occlum: Occlum\.json: /);
});

test('a hostfs source that does not exist fails at run time with exit 1', async () => {
  const dir = await fresh((c) => { (c['mount'] as Record<string, unknown>[])[1]!['source'] = './missing'; });
  fs.copyFileSync(probe, path.join(dir, 'image', 'bin', 'app'));
  assert.equal((await occlum(['build'], dir)).code, 0);
  assert.match(fails(await occlum(['run', '/bin/app'], dir), 1), /hostfs at \/host\): source "\.\/missing" .* does not exist/);
});

// ---------------------------------------------------------------------------------------------
// Usage

test('new on an existing path', async () => {
  fs.mkdirSync(path.join(work, 'taken'));
  assert.equal(fails(await occlum(['new', 'taken'], work), 1),
    'occlum: taken already exists; choose a new path, or run `occlum init` inside an existing directory');
  assert.match(fails(await occlum(['new'], work), 1), /missing the path/);
});

test('init twice', async () => {
  assert.match(fails(await occlum(['init'], built), 1), /is already an Occlum instance/);
});

test('unknown and not-yet-implemented subcommands, unknown options, no arguments', async () => {
  assert.equal(fails(await occlum(['frobnicate'], work), 1), "occlum: unknown command 'frobnicate'; run `occlum --help` for the list of commands");
  for (const c of ['start', 'exec', 'stop', 'package']) {
    assert.equal(fails(await occlum([c], built), 1), `occlum: '${c}' is not implemented yet`);
  }
  assert.equal(fails(await occlum(['build', '--frob'], built), 1), 'occlum: build: unknown option --frob; see `occlum build --help`');
  assert.match(fails(await occlum(['build', '--sign-key'], built), 1), /--sign-key needs a value/);
  assert.match(fails(await occlum(['build', '--sign-key', '/nonexistent.pem'], built), 1), /--sign-key \/nonexistent\.pem: no such readable file/);
  const none = await occlum([], work);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /^Usage: occlum <command>/);
});

test('bin/occlum.js says so when the project is not built', async () => {
  const fake = path.join(work, 'unbuilt');
  fs.mkdirSync(path.join(fake, 'bin'), { recursive: true });
  fs.copyFileSync(OCCLUM, path.join(fake, 'bin', 'occlum.js'));
  fs.writeFileSync(path.join(fake, 'package.json'), '{"type": "module"}\n');
  const line = fails(await occlum(['status'], work, cleanEnv(), path.join(fake, 'bin', 'occlum.js')), 1);
  assert.equal(line, 'occlum: the project is not built; run `npm run build`');
});
