// Tests of the `occlum` CLI's working paths (src/cli/occlum.ts, src/instance/*): the seed flow
// new -> build -> run, argv, env, exit codes, signals, the log, mounts; plus unit tests of the
// instance helpers. Error paths are in cli-errors.test.ts.
// Compiled to dist/test/cli.test.js; run with `node --test dist/test/cli.test.js`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { occlum as runOcclum, type CliResult } from './helpers/occlum-cli.js';
import { compileCached } from '../src/sdk/compiler.js';
import { templateConfig, validateConfig, parseSize, ConfigError } from '../src/instance/config.js';
import { checkProgramPath, exitCodeOf, mergeEnv, signalMessage } from '../src/instance/run.js';
import { CliError } from '../src/instance/instance.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const OCCLUM = path.join(REPO, 'bin', 'occlum.js');
const PROBE_SRC = path.join(REPO, 'test', 'programs', 'cli', 'probe.c');

let work = '';
let probe = '';
/** The seed instance, built once with the probe as /bin/my_app. */
let inst = '';

type Result = CliResult;

/** A minimal host environment: nothing from the test runner leaks in (OCCLUM_LOG_LEVEL...). */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: os.tmpdir(), ...extra };
}

function occlum(args: string[], cwd: string, env: Record<string, string> = cleanEnv()): Promise<Result> {
  return runOcclum(args, cwd, env);
}

/** stderr holds exactly one line starting with "occlum: " and no stack trace. */
function oneLine(r: Result): string {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^occlum: /);
  return lines[0]!;
}

before(async () => {
  probe = await compileCached(PROBE_SRC);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'occlum-cli-test-'));
  inst = path.join(work, 'seed');
  const n = await occlum(['new', 'seed'], work);
  assert.equal(n.code, 0, n.stderr);
  fs.copyFileSync(probe, path.join(inst, 'image', 'bin', 'my_app'));
  const b = await occlum(['build'], inst);
  assert.equal(b.code, 0, b.stderr);
});

after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// The seed flow, verbatim: occlum new; cd; cp app image/bin/; occlum build; occlum run

test('seed flow: new, cp, build, run /bin/my_app arg1 arg2', async () => {
  const r1 = await occlum(['new', 'occlum_instance'], work);
  assert.equal(r1.code, 0, r1.stderr);
  const dir = path.join(work, 'occlum_instance');
  assert.equal(fs.readFileSync(path.join(dir, '.__occlum_status'), 'utf8').trim(), 'initialized');
  assert.equal(fs.readFileSync(path.join(dir, '.sgx_mode'), 'utf8').trim(), 'SIM');
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'Occlum.json'), 'utf8')), templateConfig());
  for (const d of ['bin', 'lib', 'lib64', 'root', 'host', 'tmp', 'dev', 'proc', 'etc', 'sbin']) {
    assert.ok(fs.statSync(path.join(dir, 'image', d)).isDirectory(), `image/${d}`);
  }
  assert.equal(fs.readFileSync(path.join(dir, 'image', 'etc', 'hosts'), 'utf8'), '127.0.0.1 localhost\n');

  fs.copyFileSync(probe, path.join(dir, 'image', 'bin', 'my_app'));
  const r2 = await occlum(['build'], dir);
  assert.equal(r2.code, 0, r2.stderr);
  // my_app plus the default utilities `occlum new` put in image/bin (userland/bin, if built)
  const shipped = fs.readdirSync(path.join(dir, 'image', 'bin')).length;
  assert.match(r2.stdout, new RegExp(`${shipped} programs? checked`));
  assert.equal(r2.stderr, '');
  assert.equal((await occlum(['status'], dir)).stdout, 'built\n');
  const sys = JSON.parse(fs.readFileSync(path.join(dir, 'build', '.Occlum_sys.json'), 'utf8'));
  const checked: string[] = sys.programs.map((p: { path: string }) => p.path);
  assert.ok(checked.includes('/bin/my_app'), `my_app among the checked programs: ${checked.join(' ')}`);
  assert.equal(checked.length, shipped);

  const r3 = await occlum(['run', '/bin/my_app', 'arg1', 'arg2'], dir);
  assert.equal(r3.stdout, 'Hello from my_app! arg1 arg2\n', r3.stderr);
  assert.equal(r3.stderr, '');
  assert.equal(r3.code, 3); // the probe exits with argc
  assert.equal((await occlum(['status'], dir)).stdout, 'built\n');
});

test('build is idempotent', async () => {
  const file = path.join(inst, 'build', '.Occlum_sys.json');
  const before1 = fs.readFileSync(file, 'utf8');
  const r = await occlum(['build', '-f'], inst);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fs.readFileSync(file, 'utf8'), before1);
  assert.equal((await occlum(['status'], inst)).stdout, 'built\n');
});

test('argv: argv[0] is the basename; arguments after the path are the program\'s, option-like or not', async () => {
  const r = await occlum(['run', '/bin/my_app', 'args', '-x', '--help', '--', 'two words'], inst);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'argc=6\nargv[0]=my_app\nargv[1]=args\nargv[2]=-x\nargv[3]=--help\nargv[4]=--\nargv[5]=two words\n');
});

test('env: env.default, then whitelisted host variables override; nothing else passes', async () => {
  const dir = path.join(work, 'envtest');
  assert.equal((await occlum(['new', 'envtest'], work)).code, 0);
  fs.copyFileSync(probe, path.join(dir, 'image', 'bin', 'app'));
  const cfgPath = path.join(dir, 'Occlum.json');
  const cfg = JSON.parse(fs.readFileSync(cfgPath, 'utf8'));
  cfg.env = { default: ['OCCLUM=yes', 'EXAMPLE=from-config', 'KEEP=1'], untrusted: ['EXAMPLE', 'EXTRA', 'ABSENT'] };
  fs.writeFileSync(cfgPath, JSON.stringify(cfg, null, 4));
  assert.equal((await occlum(['build'], dir)).code, 0);

  const host = cleanEnv({ EXAMPLE: 'from-host', EXTRA: 'x=y', SECRET: 'must-not-leak' });
  const r = await occlum(['run', '/bin/app', 'env'], dir, host);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trimEnd().split('\n'), ['env OCCLUM=yes', 'env EXAMPLE=from-host', 'env KEEP=1', 'env EXTRA=x=y']);

  const r2 = await occlum(['run', '/bin/app', 'env'], dir, cleanEnv());
  assert.deepEqual(r2.stdout.trimEnd().split('\n'), ['env OCCLUM=yes', 'env EXAMPLE=from-config', 'env KEEP=1'], r2.stderr);

  // Like Occlum, run uses the configuration of the last build, not the edited Occlum.json.
  cfg.env.default = ['CHANGED=1'];
  fs.writeFileSync(cfgPath, JSON.stringify(cfg, null, 4));
  const r3 = await occlum(['run', '/bin/app', 'env'], dir, cleanEnv());
  assert.match(r3.stdout, /env KEEP=1/, r3.stderr);
  assert.equal((await occlum(['build'], dir)).code, 0);
  const r4 = await occlum(['run', '/bin/app', 'env'], dir, cleanEnv());
  assert.equal(r4.stdout, 'env CHANGED=1\n', r4.stderr);
});

test('exit codes 0-127 pass through; higher codes are masked with 0x7F like occlum-run', async () => {
  for (const [code, want] of [[0, 0], [1, 1], [42, 42], [127, 127], [200, 72]] as const) {
    const r = await occlum(['run', '/bin/my_app', 'exit', String(code)], inst);
    assert.equal(r.code, want, `exit ${code}: ${r.stderr}`);
    assert.equal(r.stderr, '');
  }
});

test('a trapping program: out-of-bounds store is SIGSEGV (139), __builtin_trap is SIGILL (132)', async () => {
  const segv = await occlum(['run', '/bin/my_app', 'segv'], inst);
  assert.equal(segv.code, 139);
  assert.equal(segv.stdout, 'storing out of bounds\n');
  assert.match(oneLine(segv), /^occlum: \/bin\/my_app terminated by SIGSEGV \(.*out of bounds.*\)$/);

  const trap = await occlum(['run', '/bin/my_app', 'trap'], inst);
  assert.equal(trap.code, 132);
  assert.equal(trap.stdout, 'trapping\n');
  assert.match(oneLine(trap), /^occlum: \/bin\/my_app terminated by SIGILL \(.+\)$/);
});

/** Runs the probe's busy loop and sends `sig` once it printed "ready"; ms = kill -> exit. */
function interrupt(sig: NodeJS.Signals): Promise<Result & { ms: number }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [OCCLUM, 'run', '/bin/my_app', 'loop'], { cwd: inst, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', t0 = 0, ms = -1;
    c.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (t0 === 0 && stdout.includes('ready')) {
        // Let the loop get going, then interrupt it mid-computation.
        setTimeout(() => { t0 = performance.now(); c.kill(sig); }, 100);
      }
    });
    c.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    c.on('error', reject);
    c.on('exit', () => { ms = performance.now() - t0; });
    c.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms }));
    setTimeout(() => { if (t0 === 0) { c.kill('SIGKILL'); reject(new Error(`no "ready" from the probe: ${stderr}`)); } }, 20000).unref();
  });
}

test('Ctrl-C: SIGINT kills a program spinning in user code within 100 ms, exit 130', async () => {
  const r = await interrupt('SIGINT');
  assert.equal(r.code, 130, r.stderr);
  assert.equal(r.stdout, 'ready\n');
  assert.equal(r.stderr, ''); // like a shell, nothing to say about Ctrl-C
  assert.ok(r.ms <= 100, `took ${r.ms.toFixed(1)} ms from SIGINT to exit`);
});

test('SIGTERM is forwarded too: exit 143 with one line', async () => {
  const r = await interrupt('SIGTERM');
  assert.equal(r.code, 143);
  assert.equal(oneLine(r), 'occlum: /bin/my_app terminated by SIGTERM');
  assert.ok(r.ms <= 100, `took ${r.ms.toFixed(1)} ms from SIGTERM to exit`);
});

test('OCCLUM_LOG_LEVEL=info shows kernel log lines on stderr; the default shows none', async () => {
  const r = await occlum(['run', '/bin/my_app', 'exit', '0'], inst, cleanEnv({ OCCLUM_LOG_LEVEL: 'info' }));
  assert.equal(r.code, 0);
  assert.match(r.stderr, /^\[occlum\]\[INFO\] .*spawn \/bin\/my_app/m);
  const quiet = await occlum(['run', '/bin/my_app', 'exit', '0'], inst, cleanEnv({ OCCLUM_LOG_LEVEL: 'off' }));
  assert.equal(quiet.stderr, '');
  const upper = await occlum(['run', '/bin/my_app', 'exit', '0'], inst, cleanEnv({ OCCLUM_LOG_LEVEL: 'INFO' }));
  assert.match(upper.stderr, /\[occlum\]\[INFO\]/);
});

test('mounts: the instance dir at /host (hostfs), /tmp and /dev/shm', async () => {
  const host = await occlum(['run', '/bin/my_app', 'ls', '/host'], inst);
  assert.equal(host.code, 0, host.stderr);
  const names = host.stdout.split('\n');
  for (const n of ['Occlum.json', 'image', 'build', '.__occlum_status']) assert.ok(names.includes(n), `${n} in /host: ${host.stdout}`);
  for (const d of ['/tmp', '/dev/shm', '/etc']) {
    const r = await occlum(['run', '/bin/my_app', 'ls', d], inst);
    assert.equal(r.code, 0, `${d}: ${r.stderr}`);
  }
});

test('help lists every subcommand', async () => {
  const r = await occlum(['--help'], work);
  assert.equal(r.code, 0);
  for (const c of ['new', 'init', 'build', 'run', 'start', 'exec', 'stop', 'package', 'mount', 'gen-image-key', 'print', 'status']) {
    assert.match(r.stdout, new RegExp(`^  ${c}\\b`, 'm'), c);
  }
  const sub = await occlum(['run', '--help'], work);
  assert.equal(sub.code, 0);
  assert.match(sub.stdout, /^Usage: occlum run/);
});

test('init in an existing directory keeps the files there', async () => {
  const dir = path.join(work, 'existing');
  fs.mkdirSync(path.join(dir, 'image', 'bin'), { recursive: true });
  fs.copyFileSync(probe, path.join(dir, 'image', 'bin', 'tool'));
  const r = await occlum(['init'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(fs.existsSync(path.join(dir, 'image', 'bin', 'tool')));
  assert.equal((await occlum(['build'], dir)).code, 0);
  assert.equal((await occlum(['run', '/bin/tool', 'exit', '5'], dir)).code, 5);
});

// ---------------------------------------------------------------------------------------------
// Units, in-process

test('config: sizes, defaults filled in, unknown fields are warnings', () => {
  assert.equal(parseSize('300MB'), 300 * 1024 * 1024);
  assert.equal(parseSize('1GB'), 1024 ** 3);
  assert.equal(parseSize('12B'), 12);
  assert.equal(parseSize('lots'), undefined);
  assert.equal(parseSize('1.5MB'), undefined);
  const v = validateConfig({ resource_limits: { user_space_size: '1GB', typo_size: '1MB' } });
  assert.equal(v.config.resource_limits.user_space_size, '1GB');
  assert.equal(v.config.resource_limits.kernel_space_heap_size, '32MB');
  assert.deepEqual(v.config.entry_points, ['/bin']);
  assert.deepEqual(v.config.mount, templateConfig().mount);
  assert.deepEqual(v.warnings, ['Occlum.json: unknown field resource_limits.typo_size is ignored (check its spelling)']);
  assert.deepEqual(validateConfig(templateConfig()).config, templateConfig());
  assert.throws(() => validateConfig({ process: { default_heap_size: 32 } }), (e: unknown) =>
    e instanceof ConfigError && e.problems[0] === 'Occlum.json: process.default_heap_size must be a string (got 32)');
});

test('run helpers: entry points match whole components; env merge; wait status -> exit code', () => {
  checkProgramPath('/bin/app', ['/bin']);
  checkProgramPath('/bin//sub/./app', ['/bin/']);
  checkProgramPath('/anything', ['/']);
  for (const bad of ['/binx/app', '/usr/bin/app', '/bi']) {
    assert.throws(() => checkProgramPath(bad, ['/bin']), (e: unknown) => e instanceof CliError && e.exitCode === 127);
  }
  assert.throws(() => checkProgramPath('/bin/../etc/app', ['/bin']), /absolute and must not contain/);
  assert.throws(() => checkProgramPath('bin/app', ['/bin']), /absolute/);

  assert.deepEqual(mergeEnv({ default: ['A=1', 'B=2'], untrusted: ['B', 'C', 'D'] }, { B: 'h', C: '', E: 'no' }), ['A=1', 'B=h', 'C=']);

  assert.equal(exitCodeOf(0), 0);
  assert.equal(exitCodeOf(42 << 8), 42);
  assert.equal(exitCodeOf(255 << 8), 127);
  assert.equal(exitCodeOf(11 | 0x80), 139);
  assert.equal(exitCodeOf(9), 137);
  assert.equal(signalMessage('/bin/a', 11 | 0x80, 'SIGSEGV: memory access out of bounds'), '/bin/a terminated by SIGSEGV (memory access out of bounds)');
  assert.equal(signalMessage('/bin/a', 9, 'killed'), '/bin/a terminated by SIGKILL');
  assert.equal(signalMessage('/bin/a', 2, 'killed by SIGINT'), undefined);
  assert.equal(signalMessage('/bin/a', 3 << 8, 'exited with 3'), undefined);
});

test('the seed flow verbatim for a C++ iostream program: occlum-c++, new, cp, build, run', async () => {
  const dir = fs.mkdtempSync(path.join(work, 'cxx-'));
  fs.writeFileSync(path.join(dir, 'hello.cpp'),
    '#include <iostream>\n#include <string>\n#include <vector>\n' +
    'int main(int argc, char **argv) {\n  std::vector<std::string> args(argv + 1, argv + argc);\n' +
    '  std::cout << "Hello from C++ with " << args.size() << " args:";\n  for (auto &a : args) std::cout << " " << a;\n' +
    '  std::cout << std::endl;\n  return 3;\n}\n');
  const cxx = await runOcclum(['hello.cpp', '-o', 'my_app'], dir, cleanEnv(), path.join(REPO, 'bin', 'occlum-c++.js'));
  assert.equal(cxx.code, 0, cxx.stderr);
  assert.equal((await occlum(['new', 'my_occlum_instance'], dir)).code, 0);
  const inst = path.join(dir, 'my_occlum_instance');
  fs.copyFileSync(path.join(dir, 'my_app'), path.join(inst, 'image', 'bin', 'my_app'));
  const b = await occlum(['build'], inst);
  assert.equal(b.code, 0, b.stderr);
  const r = await occlum(['run', '/bin/my_app', 'arg1', 'arg2'], inst);
  assert.equal(r.stdout, 'Hello from C++ with 2 args: arg1 arg2\n', r.stderr);
  assert.equal(r.code, 3);
});
