// Test harness: run Wasm programs in a fresh occlum-ts kernel (runInLibOS, LibOS) and C programs
// natively with gcc as the oracle (runNative), with captured stdio and Linux wait statuses.
//
// A LibOS boot:
//  1. builds a temporary image directory: each program at /bin/<name>, an empty /tmp, and the
//     caller's extra files at their absolute paths;
//  2. populates a RamFs root from it (file contents load lazily, so the directory lives until
//     shutdown), mounts the kernel's /proc, /dev and /dev/shm and, if asked, mounts a host
//     directory as hostfs at /host and the caller's file systems (`mounts`);
//  3. boots a Kernel whose log (level 'error' by default) is captured in `kernelLog`;
//  4. spawns each program with its own capturing stdio (so concurrent processes don't mix).
import { createHash } from 'node:crypto';
import { execFile, execFileSync, spawn as spawnChild } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LimitSettings } from '../../src/kernel/process/limits.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { RamFs } from '../../src/kernel/fs/ramfs.js';
import { HostFsMount } from '../../src/kernel/fs/hostfs.js';
import { mountKernelFileSystems } from '../../src/kernel/fs/kernel-mounts.js';
import type { FileSystem } from '../../src/kernel/fs/inode.js';
import { HostInput, StdioFile } from '../../src/kernel/fs/stdio.js';
import { Log, type LogLevel } from '../../src/kernel/log.js';
import type { Process } from '../../src/kernel/process/process.js';
import { nodeHost, nodeHostFs } from '../../src/host/node.js';
import { HostError, type Host, type HostStdio } from '../../src/host/types.js';
import type { MountFactory } from '../../src/kernel/fs/mount-factory.js';
import { populateFromHost } from '../../src/instance/image-loader.js';
import { compileCached } from '../../src/sdk/compiler.js';

/** The repository root (this file is compiled to <repo>/dist/test/helpers/libos.js). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const PROGRAMS_DIR = path.join(REPO, 'test', 'programs');
/** Headers shared by the C test programs (test_errno.h). */
export const TEST_INCLUDE = path.join(PROGRAMS_DIR, 'include');
const NATIVE_CACHE = path.join(REPO, '.cache', 'native');

/** How a process ended, decoded from its Linux wait status, plus what it printed. */
export interface RunResult {
  /** Linux wait status (as waitpid reports it). */
  status: number;
  /** WEXITSTATUS if it exited normally, else null. */
  exitCode: number | null;
  /** WTERMSIG if a signal ended it, else null. */
  signal: number | null;
  stdout: string;
  stderr: string;
  /** True if the harness killed it (SIGKILL) because timeoutMs passed. */
  timedOut: boolean;
  /** Wall time from spawn to exit. */
  ms: number;
}

export function decodeStatus(status: number): { exitCode: number | null; signal: number | null } {
  const sig = status & 0x7f;
  return sig === 0 ? { exitCode: (status >> 8) & 0xff, signal: null } : { exitCode: null, signal: sig };
}

/** Compiles test/programs/<name>.c (or an absolute path) to Wasm with occlum-cc; cached by content. */
export function compileProgram(nameOrPath: string, flags: string[] = []): Promise<string> {
  const src = path.isAbsolute(nameOrPath) ? nameOrPath : path.join(PROGRAMS_DIR, nameOrPath.endsWith('.c') ? nameOrPath : `${nameOrPath}.c`);
  return compileCached(src, { flags: [`-I${TEST_INCLUDE}`, ...flags] });
}

/** A HostStdio over byte buffers: stdin is a fixed byte string (then EOF), output is captured. */
export class CaptureStdio implements HostStdio {
  private readonly out: Buffer[] = [];
  private readonly err: Buffer[] = [];
  private inPos = 0;
  /** `tty`: report all three as a terminal (80x24). */
  constructor(private readonly input: Uint8Array = new Uint8Array(0), private readonly tty = false) {}

  write(fd: 1 | 2, buf: Uint8Array): number {
    (fd === 1 ? this.out : this.err).push(Buffer.from(buf)); // copy: buf may be a view of process memory
    return buf.length;
  }

  async read(buf: Uint8Array): Promise<number> {
    const n = Math.min(buf.length, this.input.length - this.inPos);
    buf.set(this.input.subarray(this.inPos, this.inPos + n));
    this.inPos += n;
    return n;
  }

  isatty(): boolean { return this.tty; }
  winsize(): { rows: number; cols: number } | undefined { return this.tty ? { rows: 24, cols: 80 } : undefined; }

  get stdout(): string { return Buffer.concat(this.out).toString('utf8'); }
  get stderr(): string { return Buffer.concat(this.err).toString('utf8'); }
}

export interface BootOptions {
  /** Programs to install: paths (name = basename without .wasm) or name -> path. */
  programs?: string[] | Record<string, string>;
  /** Extra files for the root image, by absolute LibOS path. */
  files?: Record<string, string | Uint8Array>;
  /** Extra (empty) directories for the root image. */
  dirs?: string[];
  /** Host directory mounted as hostfs at /host. */
  hostDir?: string;
  /** Extra file systems to mount after /host, in order (the caller keeps ownership: unmount them yourself). */
  mounts?: { target: string; fs: FileSystem }[];
  /** Kernel log level; lines are collected in LibOS.kernelLog (default 'error'). */
  logLevel?: LogLevel;
  /** Occlum.json's resource limits (default: the kernel's). */
  limits?: LimitSettings;
  /** The root file system, made from the image (then a read-only RamFs), e.g. a union over it (the caller unmounts it). */
  rootFs?: (image: RamFs) => FileSystem | Promise<FileSystem>;
  /** What mount(2) can mount, given the booted host (default: the kernel's, ramfs and hostfs). */
  mountFactory?: (host: Host) => MountFactory;
}

export interface SpawnOpts {
  /** Environment as "K=V" strings or a record (default: none). */
  env?: string[] | Record<string, string>;
  stdin?: Uint8Array | string;
  cwd?: string;
  /** Kill (SIGKILL) after this long; the result then has timedOut = true (default 30 s). */
  timeoutMs?: number;
  /** argv[0] (default: the program's path). */
  argv0?: string;
  /** Make stdin/stdout/stderr look like a terminal. */
  tty?: boolean;
}

export interface Running {
  proc: Process;
  /** Live capture of the process's stdio (stdout/stderr so far). */
  stdio: CaptureStdio;
  result: Promise<RunResult>;
}

function programMap(p: BootOptions['programs']): Record<string, string> {
  if (!p) return {};
  if (Array.isArray(p)) return Object.fromEntries(p.map((f) => [path.basename(f).replace(/\.wasm$/, ''), f]));
  return p;
}

function envList(env: SpawnOpts['env']): string[] {
  if (!env) return [];
  return Array.isArray(env) ? env : Object.entries(env).map(([k, v]) => `${k}=${v}`);
}

/** One booted kernel with its image; run several programs in it, concurrently if wanted. */
export class LibOS {
  private closed = false;
  /** Every process started through spawn() (root processes leave the kernel's table when they end). */
  private readonly spawned: Process[] = [];

  private constructor(
    readonly kernel: Kernel,
    readonly imageDir: string,
    readonly programs: Record<string, string>,
    /** Kernel log lines (and host log lines), in order. */
    readonly kernelLog: string[],
  ) {}

  static async boot(opts: BootOptions = {}): Promise<LibOS> {
    const programs = programMap(opts.programs);
    const imageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'occlum-ts-image-'));
    try {
      fs.mkdirSync(path.join(imageDir, 'bin'));
      fs.mkdirSync(path.join(imageDir, 'tmp'));
      for (const [name, wasm] of Object.entries(programs)) {
        // Installed executable (the compile cache's files are 0644; access(X_OK) sees the mode).
        fs.copyFileSync(wasm, path.join(imageDir, 'bin', name));
        fs.chmodSync(path.join(imageDir, 'bin', name), 0o755);
      }
      for (const d of opts.dirs ?? []) fs.mkdirSync(path.join(imageDir, d), { recursive: true });
      for (const [p, data] of Object.entries(opts.files ?? {})) {
        if (!p.startsWith('/')) throw new Error(`files: ${p} is not an absolute path`);
        const host = path.join(imageDir, p);
        fs.mkdirSync(path.dirname(host), { recursive: true });
        fs.writeFileSync(host, data);
      }
      const log: string[] = [];
      const host = nodeHost({ stdio: new CaptureStdio(), log: (line) => log.push(line) });
      const image = new RamFs(() => host.clock.realtimeNs(), opts.rootFs !== undefined);
      populateFromHost(image, host.fs, imageDir);
      const root = opts.rootFs ? await opts.rootFs(image) : image;
      const kernel = new Kernel({
        host, rootFs: root, log: new Log(opts.logLevel ?? 'error', (line) => log.push(line)),
        ...(opts.limits ? { limits: opts.limits } : {}),
        ...(opts.mountFactory ? { mountFactory: opts.mountFactory(host) } : {}),
      });
      await mountKernelFileSystems(kernel);
      if (opts.hostDir !== undefined) {
        const real = fs.realpathSync(opts.hostDir);
        await kernel.vfs.mount('/host', new HostFsMount(nodeHostFs, real, hostRealpath));
      }
      for (const m of opts.mounts ?? []) await kernel.vfs.mount(m.target, m.fs);
      return new LibOS(kernel, imageDir, programs, log);
    } catch (e) {
      fs.rmSync(imageDir, { recursive: true, force: true });
      throw e;
    }
  }

  /** Kernel log lines that report kernel bugs (exceptions other than SysError). */
  kernelBugs(): string[] {
    return this.kernelLog.filter((l) => /kernel bug/i.test(l));
  }

  /** Leak check (style.md practice 9): processes still alive, or ended with fds still open. */
  leaks(): string[] {
    const out: string[] = [];
    for (const p of new Set([...this.spawned, ...this.kernel.processes.values()])) {
      if (p.alive) out.push(`pid ${p.pid} (${p.exe}) is still alive`);
      else if (p.fds.count() !== 0) out.push(`pid ${p.pid} (${p.exe}) ended with ${p.fds.count()} open fds`);
    }
    return out;
  }

  /** Starts `/bin/<name>` (or a LibOS path) with argv[1..] = args. */
  async spawn(nameOrPath: string, args: string[] = [], opts: SpawnOpts = {}): Promise<Running> {
    const exe = nameOrPath.startsWith('/') ? nameOrPath : `/bin/${nameOrPath}`;
    const stdio = new CaptureStdio(typeof opts.stdin === 'string' ? Buffer.from(opts.stdin) : opts.stdin, opts.tty === true);
    const clock = () => this.kernel.host.clock.realtimeNs();
    const files: [StdioFile, StdioFile, StdioFile] = [new StdioFile(stdio, 0, clock, new HostInput(stdio)), new StdioFile(stdio, 1, clock), new StdioFile(stdio, 2, clock)];
    const t0 = performance.now();
    const proc = await this.kernel.spawn(exe, {
      argv: [opts.argv0 ?? exe, ...args], env: envList(opts.env), stdio: files,
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    });
    this.spawned.push(proc);
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; void this.kernel.signal(proc, 9); }, opts.timeoutMs ?? 30_000);
    const result = proc.exited.then((status) => {
      clearTimeout(timer);
      return { status, ...decodeStatus(status), stdout: stdio.stdout, stderr: stdio.stderr, timedOut, ms: performance.now() - t0 };
    });
    return { proc, stdio, result };
  }

  async run(nameOrPath: string, args: string[] = [], opts: SpawnOpts = {}): Promise<RunResult> {
    return (await this.spawn(nameOrPath, args, opts)).result;
  }

  /** Kills what still runs, stops the worker pool and removes the image directory. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.kernel.shutdown();
      // Safety net: a worker left parked in a syscall would keep Node (and the test run) alive.
      for (const p of new Set([...this.spawned, ...this.kernel.processes.values()])) p.runner.kill();
    } finally {
      fs.rmSync(this.imageDir, { recursive: true, force: true });
    }
  }
}

/** realpath that reports failures as HostError, as HostFsMount expects (same as instance/boot.ts). */
function hostRealpath(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new HostError(err.code ?? 'EIO', err.message);
  }
}

export interface RunOptions extends SpawnOpts, Omit<BootOptions, 'programs'> {}

/**
 * Boots a kernel with the program(s), runs the first one with argv[1..] = `args`, shuts down.
 * `wasm`: one .wasm path, several (the first runs), or name -> path (the first key runs).
 */
export async function runInLibOS(wasm: string | string[] | Record<string, string>, args: string[] = [], opts: RunOptions = {}): Promise<RunResult & { kernelLog: string[] }> {
  const programs = programMap(typeof wasm === 'string' ? [wasm] : wasm);
  const first = Object.keys(programs)[0];
  if (first === undefined) throw new Error('runInLibOS: no program');
  const libos = await LibOS.boot({ ...opts, programs });
  try {
    const r = await libos.run(first, args, opts);
    return { ...r, kernelLog: libos.kernelLog };
  } finally {
    await libos.shutdown();
  }
}

// ---- native oracle ----

/** Compiles C source (a path or the text itself) with `gcc -O0`, cached by content under .cache/native/. */
/** gcc is there (the native side of differential tests; they skip without it). */
export const HAVE_GCC = (() => {
  try { execFileSync('gcc', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
})();

export async function compileNative(source: string, flags: string[] = []): Promise<string> {
  const text = source.includes('\n') ? source : fs.readFileSync(source, 'utf8');
  const hash = createHash('sha256').update(JSON.stringify(flags)).update('\0').update(text).digest('hex').slice(0, 32);
  const exe = path.join(NATIVE_CACHE, hash);
  if (fs.existsSync(exe)) return exe;
  fs.mkdirSync(NATIVE_CACHE, { recursive: true });
  const src = `${exe}.${process.pid}.c`;
  const tmp = `${exe}.${process.pid}.tmp`;
  fs.writeFileSync(src, text);
  try {
    await new Promise<void>((resolve, reject) => {
      execFile('gcc', ['-O0', '-w', ...flags, '-o', tmp, src], (err, _out, stderr) => {
        if (err) reject(new Error(`gcc failed:\n${stderr}`)); else resolve();
      });
    });
    fs.renameSync(tmp, exe);
  } finally {
    fs.rmSync(src, { force: true });
    fs.rmSync(tmp, { force: true });
  }
  return exe;
}

export interface NativeOptions {
  env?: string[] | Record<string, string>;
  stdin?: Uint8Array | string;
  /** Working directory (default: a fresh temp dir, removed afterwards). */
  cwd?: string;
  timeoutMs?: number;
  /** Extra gcc flags. */
  flags?: string[];
  /** argv[0] (default: the executable's path). */
  argv0?: string;
}

/** Compiles (cached) and runs C source natively; same result shape as the LibOS runs. */
export async function runNative(cSource: string, args: string[] = [], opts: NativeOptions = {}): Promise<RunResult> {
  const exe = await compileNative(cSource, opts.flags);
  const ownCwd = opts.cwd === undefined;
  const cwd = opts.cwd ?? fs.mkdtempSync(path.join(os.tmpdir(), 'occlum-ts-native-'));
  const env: Record<string, string> = {};
  for (const kv of envList(opts.env)) { const i = kv.indexOf('='); env[kv.slice(0, i)] = kv.slice(i + 1); }
  const t0 = performance.now();
  try {
    return await new Promise<RunResult>((resolve, reject) => {
      const child = spawnChild(exe, args, { cwd, env, argv0: opts.argv0 ?? exe, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [], err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.stdin.on('error', () => { /* the program may not read its stdin */ });
      child.stdin.end(opts.stdin ?? '');
      let timedOut = false;
      const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, opts.timeoutMs ?? 30_000);
      child.on('error', (e) => { clearTimeout(timer); reject(e); });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const sig = signal ? os.constants.signals[signal] : 0;
        const status = sig ? sig : ((code ?? 0) & 0xff) << 8;
        resolve({ status, ...decodeStatus(status), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut, ms: performance.now() - t0 });
      });
    });
  } finally {
    if (ownCwd) fs.rmSync(cwd, { recursive: true, force: true });
  }
}

/** A fresh temporary directory (caller removes it). */
export function tempDir(prefix = 'occlum-ts-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
