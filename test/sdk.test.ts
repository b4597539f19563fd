// Tests for the SDK (sdk/include, sdk/src -> sdk/lib/libocclum.a, scripts/build-sdk.js).
// Compiled to dist/test/sdk.test.js; run with `node --test dist/test/sdk.test.js`.
//
// Compile-time part (always): libocclum.a is built and current; every program under
// test/programs/posix compiles with occlum-cc and natively with gcc; a broad header/flag matrix
// compiles; programs import only the `linux` functions they use, all of which the kernel
// provides; a plain hello world gains no `linux` import and still runs under node:wasi.
//
// Runtime part (on by default; OCCLUM_SDK_RUNTIME=0 skips it): each posix program runs in the LibOS and natively, and
// the outputs and exit statuses must be identical.
// covers: alarm setitimer getitimer rt_sigaction rt_sigprocmask rt_sigpending rt_sigsuspend rt_sigtimedwait rt_sigreturn kill tgkill eventfd2 pipe2 dup dup2 dup3 fcntl ppoll poll ioctl spawn wait4 execve getpid getppid gettid getpgid setpgid getsid setsid getuid geteuid getgid getegid getgroups umask getcwd chdir fchdir prlimit64 getrlimit setrlimit uname sysinfo clock_nanosleep nanosleep

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WASI } from 'node:wasi';
import { runCompiler, compileCached, SDK_LIB_DIR, REPO_ROOT } from '../src/sdk/compiler.js';
import { providesImport } from '../src/kernel/abi/index.js';
import { compileNative, compileProgram, HAVE_GCC, PROGRAMS_DIR } from './helpers/libos.js';
import { assertSameAsNative, nativeSource } from './helpers/differential.js';

const POSIX_DIR = path.join(PROGRAMS_DIR, 'posix');
const PROGRAMS = fs.readdirSync(POSIX_DIR).filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2)).sort();
/** Not a test of its own: the /bin/sh that system() and popen() run in the LibOS. */
const SHELL = 'sh';
const RUNTIME = process.env.OCCLUM_SDK_RUNTIME !== '0';

const Wasm = WebAssembly as unknown as {
  Module: { new (bytes: Uint8Array): object; imports(m: object): { module: string; name: string; kind: string }[]; exports(m: object): { name: string; kind: string }[] };
  instantiate(m: object, imports: object): Promise<object>;
};

let dir = '';
const wasmOf = new Map<string, string>();

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'occlum-sdk-test-'));
  // The library must exist (and be current) before anything is linked against it.
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build-sdk.js'), '--quiet'], { cwd: REPO_ROOT }, (err, _out, stderr) => {
      if (err) reject(new Error(`build-sdk failed:\n${stderr}`));
      else resolve();
    });
  });
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(rel: string, text: string): string {
  const p = path.join(dir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

function moduleOf(file: string): object {
  return new Wasm.Module(fs.readFileSync(file));
}

function linuxImports(file: string): string[] {
  return Wasm.Module.imports(moduleOf(file)).filter((i) => i.module === 'linux').map((i) => i.name).sort();
}

async function compilePosix(name: string): Promise<string> {
  let p = wasmOf.get(name);
  if (p === undefined) {
    p = await compileProgram(path.join(POSIX_DIR, `${name}.c`), ['-O1']);
    wasmOf.set(name, p);
  }
  return p;
}

/** Runs a WASI command under node:wasi with `preopens`; returns exit code and stdout. */
async function runNodeWasi(file: string, args: string[], preopens: Record<string, string> = {}): Promise<{ code: number; stdout: string }> {
  const outFile = path.join(dir, `out-${path.basename(file)}-${process.hrtime.bigint()}.txt`);
  const fd = fs.openSync(outFile, 'w');
  try {
    const wasi = new WASI({ version: 'preview1', args, env: {}, preopens, stdout: fd, returnOnExit: true });
    const instance = await Wasm.instantiate(moduleOf(file), wasi.getImportObject());
    const code = wasi.start(instance as Parameters<WASI['start']>[0]);
    return { code, stdout: fs.readFileSync(outFile, 'utf8') };
  } finally {
    fs.closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// The library

test('libocclum.a is built, current, and replaces wasi-libc objects without duplicate symbols', () => {
  const lib = path.join(SDK_LIB_DIR, 'libocclum.a');
  assert.ok(fs.statSync(lib).size > 10_000, 'libocclum.a exists');
  // build-sdk.js (run in before()) checks duplicates with llvm-nm and fails the build otherwise;
  // running it again must be a no-op.
  const out = execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build-sdk.js')], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.match(out, /up to date/);
});

test('every `linux` import the SDK declares is provided by the kernel', () => {
  const internal = fs.readFileSync(path.join(REPO_ROOT, 'sdk', 'src', 'internal.h'), 'utf8');
  const names = [...internal.matchAll(/^LINUX_IMPORT\((\w+)\)/gm)].map((m) => m[1] as string);
  assert.ok(names.length > 40, `found ${names.length} imports`);
  const missing = names.filter((n) => !providesImport('linux', n, 'function'));
  assert.deepEqual(missing, [], `the kernel lacks linux.${missing.join(', linux.')}`);
});

// ---------------------------------------------------------------------------------------------
// Compiling: the posix programs, both ways

for (const name of PROGRAMS) {
  test(`posix/${name}.c compiles with occlum-cc`, async () => {
    const wasm = await compilePosix(name);
    assert.ok(fs.statSync(wasm).size > 0);
    for (const imp of Wasm.Module.imports(moduleOf(wasm))) {
      assert.ok(providesImport(imp.module, imp.name, imp.kind as 'function'), `${name} imports ${imp.module}.${imp.name}, which the kernel lacks`);
    }
  });
  test(`posix/${name}.c compiles natively with gcc`, { skip: HAVE_GCC ? false : 'gcc not found' }, async () => {
    const exe = await compileNative(nativeSource(path.join(POSIX_DIR, `${name}.c`)));
    assert.ok(fs.statSync(exe).size > 0);
  });
}

test('programs import only the `linux` functions they use', async () => {
  assert.deepEqual(linuxImports(await compilePosix('poll_select')), ['pipe2', 'ppoll']);
  assert.deepEqual(linuxImports(await compilePosix('umask')), ['umask']);
  assert.deepEqual(linuxImports(await compilePosix('uname_sysinfo')), ['sysinfo', 'uname']);
  assert.deepEqual(linuxImports(await compilePosix('termios')), ['ioctl', 'pipe2']);
  // The signal trampoline (and its sigdeliver/sigreturn imports) comes with sigaction() only.
  const spawnWait = await compilePosix('spawn_wait'); // kill, pause, no handlers
  assert.ok(!linuxImports(spawnWait).includes('sigdeliver'));
  assert.ok(!Wasm.Module.exports(moduleOf(spawnWait)).some((e) => e.name === '__occlum_signal_entry'));
  const sig = await compilePosix('sigaction_kill');
  assert.ok(linuxImports(sig).includes('sigdeliver') && linuxImports(sig).includes('sigreturn'));
  assert.ok(Wasm.Module.exports(moduleOf(sig)).some((e) => e.name === '__occlum_signal_entry' && e.kind === 'function'));
});

// ---------------------------------------------------------------------------------------------
// Programs that don't use the SDK's functions are unchanged

test('a plain hello world gains no `linux` import and runs under node:wasi', async () => {
  const src = write('hello.c', '#include <stdio.h>\nint main(int argc, char **argv) { printf("hello %s\\n", argv[1]); return 3; }\n');
  const wasm = await compileCached(src);
  const mods = new Set(Wasm.Module.imports(moduleOf(wasm)).map((i) => i.module));
  assert.deepEqual([...mods], ['wasi_snapshot_preview1']);
  const r = await runNodeWasi(wasm, ['hello', 'world']);
  assert.equal(r.stdout, 'hello world\n');
  assert.equal(r.code, 3);
});

test('file I/O with relative paths and O_CLOEXEC still runs under node:wasi (no `linux` import)', async () => {
  const data = path.join(dir, 'sandbox');
  fs.mkdirSync(data, { recursive: true });
  fs.writeFileSync(path.join(data, 'in.txt'), 'from a file\n');
  const src = write(
    'files.c',
    `#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
int main(void) {
  char buf[64] = "";
  /* O_CLOEXEC travels as WASI fdflags bit 5, which other runtimes ignore */
  int fd = open("in.txt", O_RDONLY | O_CLOEXEC);
  FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
  if (!f || !fgets(buf, sizeof buf, f)) return 1;
  fclose(f);
  f = fopen("out.txt", "w");
  fprintf(f, "copied: %s", buf);
  fclose(f);
  struct stat st;
  printf("%s%d %ld\\n", buf, stat("out.txt", &st), (long)st.st_size);
  return 0;
}
`,
  );
  const wasm = await compileCached(src);
  assert.deepEqual(linuxImports(wasm), []);
  const r = await runNodeWasi(wasm, ['files'], { '.': data });
  assert.equal(r.stdout, 'from a file\n0 20\n');
  assert.equal(fs.readFileSync(path.join(data, 'out.txt'), 'utf8'), 'copied: from a file\n');
});

// ---------------------------------------------------------------------------------------------
// Headers: real-world include sets and flag combinations compile

const KITCHEN_SINK = `
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/limits.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifdef __wasm__ /* the SDK's Linux-compatible layouts and numbers (glibc's SIGRTMAX is not a constant) */
_Static_assert(sizeof(sigset_t) == 128, "musl's sigset_t");
_Static_assert(SIGCHLD == 17 && SIGRTMAX == 64 && _NSIG == 65, "Linux signal numbers");
_Static_assert(SA_RESTART == 0x10000000 && SA_SIGINFO == 4 && SIG_SETMASK == 2, "Linux SA_* and SIG_*");
_Static_assert(O_CLOEXEC != 0 && FD_CLOEXEC == 1, "a real O_CLOEXEC");
_Static_assert(sizeof(struct termios) == 60, "Linux struct termios");
_Static_assert(sizeof(struct winsize) == 8 && TIOCGWINSZ == 0x5413 && FIONREAD == 0x541B, "Linux ioctls");
_Static_assert(POLLIN == 1 && POLLOUT == 4 && POLLHUP == 0x10, "Linux poll bits");
_Static_assert(RLIMIT_NOFILE == 7 && RUSAGE_SELF == 0, "Linux resource numbers");
_Static_assert(SYS_getpid == 39 && SYS_gettid == 186 && SYS_tgkill == 234, "x86-64 syscall numbers");
_Static_assert(WNOHANG == 1 && POSIX_SPAWN_SETSIGMASK == 8, "wait and spawn flags");
#endif

static volatile sig_atomic_t seen;
static void on_sig(int sig, siginfo_t *si, void *ctx) { (void)ctx; seen = sig + si->si_pid; }

int main(int argc, char **argv) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sig;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, NULL);
  if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) return 1;
  sigset_t set;
  sigfillset(&set);
  pthread_sigmask(SIG_SETMASK, &set, NULL);
  int p[2];
  if (pipe(p) < 0 || dup2(p[0], 10) < 0) return 1;
  struct pollfd pfd = { p[0], POLLIN, 0 };
  poll(&pfd, 1, 0);
  fd_set rd;
  FD_ZERO(&rd);
  FD_SET(p[0], &rd);
  struct timeval tv = { 0, 0 };
  select(p[0] + 1, &rd, NULL, NULL, &tv);
  pid_t pid;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, p[1], 1);
  if (posix_spawnp(&pid, "true", &fa, NULL, argv, NULL) == 0) {
    int st;
    waitpid(pid, &st, 0);
    if (WIFSIGNALED(st)) psignal(WTERMSIG(st), "child");
  }
  struct termios t;
  if (isatty(0) && tcgetattr(0, &t) == 0) {
#if defined(_BSD_SOURCE) || defined(_DEFAULT_SOURCE) || defined(_GNU_SOURCE)
    cfmakeraw(&t);
#endif
    tcsetattr(0, TCSANOW, &t);
  }
  struct winsize ws;
  ioctl(1, TIOCGWINSZ, &ws);
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  struct utsname u;
  uname(&u);
  struct sysinfo si;
  sysinfo(&si);
  struct passwd *pw = getpwuid(getuid());
  long self = getpid();
#if defined(_BSD_SOURCE) || defined(_DEFAULT_SOURCE) || defined(_GNU_SOURCE)
  self = syscall(SYS_getpid);
#endif
  printf("%s %ld %ld %d %s %s\\n", u.sysname, sysconf(_SC_PAGESIZE), self, getpgrp(), pw ? pw->pw_name : "-", strsignal(SIGTERM));
  if (fork() < 0 && errno == ENOSYS) execvp("true", argv);
  alarm(0);
  umask(022);
  chown("/", 0, 0);
  kill(getpid(), 0);
  int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  close(efd);
  FILE *f = popen("true", "r");
  if (f) pclose(f);
  return system(NULL) ? 0 : argc;
}
`;

const CXX_SINK = `
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>
#include <map>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <fcntl.h>

static volatile std::sig_atomic_t hits;
extern "C" void on_sig(int) { hits = hits + 1; }

int main(int argc, char **argv) {
  std::signal(SIGINT, on_sig);
  std::raise(SIGINT);
  struct sigaction sa{};
  sa.sa_handler = SIG_DFL;
  ::sigaction(SIGINT, &sa, nullptr);
  std::vector<std::string> args(argv, argv + argc);
  std::map<std::string, int> m{{"pid", static_cast<int>(::getpid())}};
  int p[2];
  if (::pipe2(p, O_CLOEXEC) == 0) ::close(p[0]);
  pid_t pid;
  if (::posix_spawnp(&pid, "true", nullptr, nullptr, argv, nullptr) == 0) ::waitpid(pid, nullptr, 0);
  std::cout << args.size() << " " << (m["pid"] > 0) << " " << ::isatty(1) << std::endl;
  return 0;
}
`;

test('a kitchen-sink POSIX program compiles and links under several flag sets', async () => {
  const src = write('sink/sink.c', KITCHEN_SINK);
  const cwd = path.dirname(src);
  const variants: string[][] = [
    ['-Wall', '-Wextra', '-Werror', '-Wno-unused-parameter'],
    ['-std=c11', '-D_POSIX_C_SOURCE=200809L', '-Wall', '-Werror'],
    ['-std=gnu99', '-D_GNU_SOURCE', '-O2'],
    ['-D_XOPEN_SOURCE=700', '-D_DEFAULT_SOURCE'],
    // Build scripts adapted to plain wasi-libc keep working: the emulation libraries link
    // alongside libocclum (no duplicate symbols) and the SDK's versions are the ones called.
    ['-D_WASI_EMULATED_SIGNAL', '-D_WASI_EMULATED_GETPID', '-D_WASI_EMULATED_PROCESS_CLOCKS', '-lwasi-emulated-signal', '-lwasi-emulated-getpid', '-lwasi-emulated-process-clocks', '-lwasi-emulated-mman'],
  ];
  for (const [i, flags] of variants.entries()) {
    const out = `sink-${i}.wasm`;
    const r = await runCompiler('cc', [...flags, 'sink.c', '-o', out], { cwd });
    assert.equal(r.code, 0, `flags ${flags.join(' ')}:\n${r.stderr}`);
    const imports = Wasm.Module.imports(moduleOf(path.join(cwd, out)));
    assert.ok(imports.some((x) => x.module === 'linux' && x.name === 'getpid'), 'getpid is the kernel one');
    assert.ok(!imports.some((x) => x.module === 'linux' && !providesImport('linux', x.name, 'function')), 'only imports the kernel provides');
  }
  if (HAVE_GCC) {
    // The same source is ordinary Linux C.
    await compileNative(src, ['-D_GNU_SOURCE']);
  }
});

test('a C++ program using <csignal>, <iostream> and POSIX headers compiles and links', async () => {
  const src = write('cxx/sink.cpp', CXX_SINK);
  const r = await runCompiler('c++', ['-Wall', '-O1', 'sink.cpp', '-o', 'sink.wasm'], { cwd: path.dirname(src) });
  assert.equal(r.code, 0, r.stderr);
  const imports = linuxImports(path.join(path.dirname(src), 'sink.wasm'));
  for (const n of ['getpid', 'pipe2', 'rt_sigaction', 'spawn', 'tgkill', 'wait4']) assert.ok(imports.includes(n), `imports linux.${n}`);
});

test('every SDK header compiles on its own, in C and C++', async () => {
  const headers: string[] = [];
  (function walk(d: string, rel: string) {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else if (e.name.endsWith('.h') && !e.name.startsWith('__')) headers.push(r);
    }
  })(path.join(REPO_ROOT, 'sdk', 'include'), '');
  assert.ok(headers.length >= 15, `${headers.length} headers`);
  const c = write('each/each.c', headers.map((h) => `#include <${h}>\n`).join('') + 'int main(void) { return 0; }\n');
  for (const h of headers) {
    const one = write(`each/one-${h.replace(/\//g, '_')}.c`, `#include <${h}>\n#include <${h}>\nint x;\n`);
    const r = await runCompiler('cc', ['-fsyntax-only', '-Wall', '-Werror', path.basename(one)], { cwd: path.dirname(one) });
    assert.equal(r.code, 0, `<${h}> on its own:\n${r.stderr}`);
  }
  let r = await runCompiler('cc', ['-fsyntax-only', '-Wall', '-Werror', path.basename(c)], { cwd: path.dirname(c) });
  assert.equal(r.code, 0, r.stderr);
  const cxx = write('each/each.cpp', fs.readFileSync(c, 'utf8'));
  r = await runCompiler('c++', ['-fsyntax-only', '-Wall', '-Werror', path.basename(cxx)], { cwd: path.dirname(cxx) });
  assert.equal(r.code, 0, r.stderr);
});

// ---------------------------------------------------------------------------------------------
// Runtime: LibOS versus native (skip with OCCLUM_SDK_RUNTIME=0)

const runtimeSkip = RUNTIME ? (HAVE_GCC ? false : 'gcc not found') : 'OCCLUM_SDK_RUNTIME=0 skips the differential tests';

for (const name of PROGRAMS.filter((n) => n !== SHELL)) {
  test(`posix/${name}: same output and status in the LibOS as natively`, { skip: runtimeSkip, timeout: 120_000 }, async () => {
    await assertSameAsNative(path.join(POSIX_DIR, `${name}.c`), { wasm: await compilePosix(name), programs: { sh: await compilePosix(SHELL) } });
  });
}
