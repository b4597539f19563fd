// /bin/sh (userland/sh, a POSIX-style shell that never forks): the snippets of
// test/programs/shell/cases.txt under dash (the oracle), under our shell compiled natively with
// gcc, and under our shell compiled with occlum-cc in the LibOS, with identical stdout, stderr
// (dash's line numbers removed) and exit status; then the scenarios of the shell's brief
// (100 MiB through a 5-process pipeline, scripts with arguments, commands from stdin, the
// interactive prompt, `ls /bin | head -3`), and the kernel/SDK problems the shell ran into,
// reduced to small C programs (`todo` until fixed).
// covers: spawn wait4 pipe2 dup3 fcntl kill rt_sigaction rt_sigprocmask chdir getcwd execve ioctl umask clock_nanosleep
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn as spawnChild, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LibOS, compileNative, compileProgram, runInLibOS, tempDir, PROGRAMS_DIR, type RunResult } from './helpers/libos.js';
import { buildShellNative, buildShellWasm, buildUserlandTool } from './helpers/userland.js';

const SHELL_PROGRAMS = path.join(PROGRAMS_DIR, 'shell');
const HELPERS = ['cat', 'wc', 'echoargs', 'sleep', 'gen', 'count', 'exitwith'];
const HOME = '/home';

interface Case { script: string; nativeOnly: boolean; noStderr: boolean; libosBug: boolean }

function loadCases(): Case[] {
  const text = fs.readFileSync(path.join(SHELL_PROGRAMS, 'cases.txt'), 'utf8');
  const out: Case[] = [];
  let cur: Case | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (cur) out.push({ ...cur, script: lines.join('\n').replace(/\n+$/, '') });
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('#---')) {
      flush();
      cur = { script: '', nativeOnly: /\bnative\b/.test(line), noStderr: /\bnostderr\b/.test(line), libosBug: /\blibosbug\b/.test(line) };
      lines = [];
    } else if (cur) {
      lines.push(line);
    }
  }
  flush();
  return out;
}

const CASES = loadCases();

interface Outcome { stdout: string; stderr: string; status: number }

/** dash adds the line number to messages ("sh: 3: foo: not found"); ours don't. */
function normalize(stderr: string): string {
  return stderr.replace(/^([^:\n]*): \d+: /gm, '$1: ');
}

function outcome(r: RunResult): Outcome {
  return { stdout: r.stdout, stderr: normalize(r.stderr), status: r.exitCode ?? 128 + (r.signal ?? 0) };
}

/** Runs `<shell> -c script` on the host with argv[0] "sh", in a fresh directory. */
function runHost(shell: string, binDir: string, script: string, stdin = ''): Promise<Outcome> {
  const cwd = tempDir('occlum-ts-sh-');
  return new Promise<Outcome>((resolve, reject) => {
    const child = spawnChild(shell, ['-c', script], {
      cwd, argv0: 'sh', env: { PATH: `${binDir}:/usr/bin:/bin`, HOME }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [], err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => { /* may not read it */ });
    child.stdin.end(stdin);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      fs.rmSync(cwd, { recursive: true, force: true });
      const sig = signal ? os.constants.signals[signal] : 0;
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: normalize(Buffer.concat(err).toString('utf8')), status: sig ? 128 + sig : code ?? 0 });
    });
  });
}

let nativeSh = '';
let wasmSh = '';
let dashBin = '';   // PATH dir: helpers + sh -> dash
let oursBin = '';   // PATH dir: helpers + sh -> our native shell
const helperWasm: Record<string, string> = {};
const cleanup: string[] = [];

function binDir(shTarget: string, helpers: Record<string, string>): string {
  const d = tempDir('occlum-ts-sh-bin-');
  cleanup.push(d);
  for (const [name, exe] of Object.entries(helpers)) fs.symlinkSync(exe, path.join(d, name));
  fs.symlinkSync(shTarget, path.join(d, 'sh'));
  return d;
}

before(async () => {
  nativeSh = await buildShellNative();
  wasmSh = await buildShellWasm();
  const nativeHelpers: Record<string, string> = {};
  for (const h of HELPERS) {
    const src = path.join(SHELL_PROGRAMS, `${h}.c`);
    nativeHelpers[h] = await compileNative(src, ['-O2']);
    helperWasm[h] = await compileProgram(src, ['-O2']);
  }
  const dash = execFileSync('sh', ['-c', 'command -v dash'], { encoding: 'utf8' }).trim();
  dashBin = binDir(dash, nativeHelpers);
  oursBin = binDir(nativeSh, nativeHelpers);
});

after(() => {
  for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
});

function comparable(c: Case, o: Outcome): Outcome {
  return c.noStderr ? { ...o, stderr: '' } : o;
}

/** dash's results, computed once per case. */
const dashCache = new Map<string, Promise<Outcome>>();
function dash(script: string, stdin = ''): Promise<Outcome> {
  const key = `${script}\0${stdin}`;
  let p = dashCache.get(key);
  if (!p) {
    p = runHost(path.join(dashBin, 'sh'), dashBin, script, stdin);
    dashCache.set(key, p);
  }
  return p;
}

function title(script: string): string {
  const one = script.replace(/\n/g, '⏎');
  return one.length > 90 ? `${one.slice(0, 87)}...` : one;
}

describe('native: our shell vs dash', () => {
  for (const c of CASES) {
    test(title(c.script), async () => {
      const [want, got] = await Promise.all([dash(c.script), runHost(path.join(oursBin, 'sh'), oursBin, c.script)]);
      assert.deepEqual(comparable(c, got), comparable(c, want));
    });
  }
});

describe('LibOS: our shell vs dash', () => {
  const cases = CASES.filter((c) => !c.nativeOnly);
  let libos: LibOS;
  before(async () => {
    libos = await LibOS.boot({
      programs: { sh: wasmSh, ...helperWasm },
      dirs: [HOME.slice(1), ...cases.map((_, i) => `work/${i}`)],
    });
  });
  after(async () => {
    await libos?.shutdown();
  });
  cases.forEach((c, i) => {
    const todo = c.libosBug ? { todo: 'a kernel/SDK problem (see the suite "kernel/SDK problems found by the shell")' } : {};
    test(title(c.script), todo, async () => {
      const want = await dash(c.script);
      const r = await libos.run('sh', ['-c', c.script], { argv0: 'sh', env: ['PATH=/bin', `HOME=${HOME}`], cwd: `/work/${i}` });
      assert.equal(r.timedOut, false, 'timed out');
      assert.deepEqual(comparable(c, outcome(r)), comparable(c, want));
    });
  });
  test('no kernel bugs, no leaked processes or fds', async () => {
    assert.deepEqual(libos.kernelBugs(), []);
    // background commands a case left running (as dash would) get a few seconds to finish
    for (let i = 0; i < 50 && libos.leaks().some((l) => l.includes('still alive')); i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(libos.leaks(), []);
  });
});

describe('scenarios', () => {
  async function inLibOS(args: string[], opts: { stdin?: string; tty?: boolean; files?: Record<string, string>; programs?: Record<string, string>; timeoutMs?: number } = {}) {
    const r = await runInLibOS({ sh: wasmSh, ...helperWasm, ...(opts.programs ?? {}) }, args, {
      argv0: 'sh', env: ['PATH=/bin', `HOME=${HOME}`], dirs: [HOME.slice(1)], cwd: '/tmp',
      ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}), ...(opts.tty ? { tty: true } : {}),
      ...(opts.files ? { files: opts.files } : {}), timeoutMs: opts.timeoutMs ?? 60_000,
    });
    assert.equal(r.timedOut, false, 'timed out');
    assert.deepEqual(r.kernelLog.filter((l) => /kernel bug/i.test(l)), []);
    return r;
  }

  test('echo hello world | wc -w -> 2 (LibOS)', async () => {
    const r = await inLibOS(['-c', 'echo hello world | wc -w']);
    assert.equal(r.stdout, '2\n');
    assert.equal(r.exitCode, 0);
  });

  test('100 MiB through a 5-process pipeline (LibOS and native)', async () => {
    const script = 'gen 104857600 | cat | cat | cat | count; echo status=$?';
    const want = '104857600 ok\nstatus=0\n';
    const r = await inLibOS(['-c', script], { timeoutMs: 120_000 });
    assert.equal(r.stdout, want);
    assert.equal(r.stderr, '');
    const n = await runHost(path.join(oursBin, 'sh'), oursBin, script);
    assert.equal(n.stdout, want);
  });

  test('a script file with arguments (LibOS vs dash)', async () => {
    const script = [
      '# a script',
      'echo "name=$0 argc=$# args=$*"',
      'for a in "$@"; do echo "[$a]"; done',
      'shift; echo "after shift: $1"',
      'f() { echo "in f: $1"; }',
      'f "$2"',
      'exit 5',
      '',
    ].join('\n');
    const r = await inLibOS(['/tmp/script.sh', 'one', 'two words', 'three'], { files: { '/tmp/script.sh': script } });
    const dir = tempDir('occlum-ts-sh-script-');
    cleanup.push(dir);
    fs.writeFileSync(path.join(dir, 'script.sh'), script);
    const d = await runHost(path.join(dashBin, 'sh'), dashBin, `cd ${dir} && sh ./script.sh one 'two words' three`);
    assert.equal(d.status, 5);
    assert.equal(r.exitCode, 5);
    assert.equal(r.stdout, d.stdout.replace('name=./script.sh', 'name=/tmp/script.sh'));
  });

  test('commands from stdin when it is not a terminal: no prompt', async () => {
    const stdin = 'echo one\nX=two\necho $X | cat\nif true\nthen echo three\nfi\nexit 4\necho never\n';
    const r = await inLibOS([], { stdin });
    assert.equal(r.stdout, 'one\ntwo\nthree\n');
    assert.equal(r.stderr, '');
    assert.equal(r.exitCode, 4);
    const d = await dash('sh', stdin);
    assert.deepEqual({ stdout: r.stdout, status: r.exitCode }, { stdout: d.stdout, status: d.status });
  });

  test('interactive on a terminal: "$ " prompts (and "> " for continuation lines) on stderr', async () => {
    const r = await inLibOS([], { tty: true, stdin: 'echo hi\nif true\nthen echo multi\nfi\nfoo\necho a | cat\nexit 3\n' });
    assert.equal(r.stdout, 'hi\nmulti\na\n');
    assert.equal(r.stderr, '$ $ > > $ sh: foo: not found\n$ $ ');
    assert.equal(r.exitCode, 3);
  });

  test('unknown command: 127 and "sh: foo: not found" on stderr (LibOS)', async () => {
    const r = await inLibOS(['-c', 'foo; echo $?']);
    assert.equal(r.stdout, '127\n');
    assert.equal(r.stderr, 'sh: foo: not found\n');
  });

  test('sleep 10 & kill -TERM $!; wait $!; echo $? -> 143 (LibOS)', async () => {
    const r = await inLibOS(['-c', 'sleep 10 & kill -TERM $!; wait $!; echo $?']);
    assert.equal(r.stdout, '143\n');
    assert.ok(r.ms < 8000, `took ${r.ms} ms`);
  });

  test('ls /bin | head -3; exit 7 (LibOS, with the coreutils of userland/)', async (t) => {
    const ls = await buildUserlandTool('ls');
    const head = await buildUserlandTool('head');
    if (!ls.wasm || !head.wasm) {
      t.skip(ls.reason ?? head.reason);
      return;
    }
    const programs = { ls: ls.wasm, head: head.wasm };
    const r = await inLibOS(['-c', 'ls /bin | head -3; exit 7'], { programs });
    const names = ['sh', ...HELPERS, 'ls', 'head'].sort();
    assert.equal(r.stdout, names.slice(0, 3).map((n) => `${n}\n`).join(''));
    assert.equal(r.exitCode, 7);
  });
});

describe('kernel/SDK problems found by the shell (reduced)', () => {
  test('posix_spawn: dup2 file action from a close-on-exec fd', async () => {
    const src = path.join(SHELL_PROGRAMS, 'repro_spawn_cloexec.c');
    const native = execFileSync(await compileNative(src), [await compileNative(path.join(SHELL_PROGRAMS, 'echoargs.c'))], { encoding: 'utf8' });
    assert.equal(native, 'spawn=0 got=[hello]\n');
    const r = await runInLibOS({ repro: await compileProgram(src), echoargs: helperWasm.echoargs! }, ['/bin/echoargs']);
    assert.equal(r.stdout, native);
  });

  test('posix_spawn keeps ignored signals ignored (trap \'\' INT)', async () => {
    const src = path.join(SHELL_PROGRAMS, 'repro_sigign_spawn.c');
    const want = 'child: SIG_IGN, survived\nparent: child exited 0\n';
    const exe = await compileNative(src);
    assert.equal(execFileSync(exe, [], { encoding: 'utf8' }), want);
    const r = await runInLibOS(await compileProgram(src), []);
    assert.equal(r.stdout, want);
  });

  test('stat() permission bits and access(X_OK)', async () => {
    const src = path.join(SHELL_PROGRAMS, 'repro_access_x.c');
    const want = 'mode=644 access(X_OK)=-1 EACCES\n';
    const dir = tempDir('occlum-ts-sh-access-');
    cleanup.push(dir);
    assert.equal(execFileSync(await compileNative(src), [path.join(dir, 'f')], { encoding: 'utf8' }), want);
    const r = await runInLibOS(await compileProgram(src), ['/tmp/f']);
    assert.equal(r.stdout, want);
  });

  test('fd 3 is usable by programs (exec 3>file)', { todo: 'SDK/kernel: fd 3 is the WASI preopen of "/"; replacing it breaks every later path lookup' }, async () => {
    const src = path.join(SHELL_PROGRAMS, 'repro_fd3.c');
    const dir = tempDir('occlum-ts-sh-fd3-');
    cleanup.push(dir);
    assert.equal(execFileSync(await compileNative(src), [dir], { encoding: 'utf8' }), 'open-after=ok\n');
    const r = await runInLibOS(await compileProgram(src), ['/tmp']);
    assert.equal(r.stdout, 'open-after=ok\n');
  });

  test('relative paths resolve against the inherited current directory', async () => {
    const src = path.join(SHELL_PROGRAMS, 'repro_relcwd.c');
    const dir = tempDir('occlum-ts-sh-cwd-');
    cleanup.push(dir);
    fs.writeFileSync(path.join(dir, 'marker'), '');
    assert.equal(execFileSync(await compileNative(src), [], { cwd: dir, encoding: 'utf8' }), 'relative=ok\n');
    const r = await runInLibOS(await compileProgram(src), [], { cwd: '/work', files: { '/work/marker': '' } });
    assert.equal(r.stdout, 'relative=ok\n');
  });
});
