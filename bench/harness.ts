// Shared benchmark helpers: the Benchmark/row types that main.ts prints, and the three ways to run
// a program: in the occlum-ts LibOS (in this process: the kernel runs on this main thread), under
// node:wasi (in a child process, bench/wasi-runner.ts), and natively (gcc -O2, cached by hash).
//
// A benchmark module (bench/<name>.ts) exports one `Benchmark`; main.ts registers it. Rows carry the
// LibOS figure in `value` and the same measurement on other systems in `compare`, keyed by system
// name (the `System` constants below), so that tables and JSON stay uniform across benchmarks.
import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileCached, REPO_ROOT } from '../src/sdk/compiler.js';
import { Kernel } from '../src/kernel/kernel.js';
import { RamFs } from '../src/kernel/fs/ramfs.js';
import type { FileSystem } from '../src/kernel/fs/inode.js';
import { Log } from '../src/kernel/log.js';
import { nodeHost } from '../src/host/node.js';
import type { HostStdio } from '../src/host/types.js';
import { populateFromHost } from '../src/instance/image-loader.js';
import { moduleInterface } from '../src/runtime/wasm-module.js';

// ---------------------------------------------------------------------------------------------
// Types shared by all benchmarks

/** Names of the systems a figure can come from (column headers and JSON `compare` keys). */
export const System = {
  libos: 'occlum-ts',
  nodeWasi: 'node:wasi',
  nodeWasiShared: 'node:wasi+shared',
  nodeWasiTurbofan: 'node:wasi --no-liftoff',
  native: 'native',
} as const;

export interface BenchOptions {
  /** Fewer iterations/repetitions: the whole `--quick` run must stay under a minute. */
  quick: boolean;
  /** Progress messages (stderr; stdout is reserved for the table or the JSON). */
  progress: (msg: string) => void;
}

/** A goal that a row's figures are checked against; shown in the table only. */
export interface Target {
  /** Short text for the table, e.g. "<= 1000" or "nat<=1.3x wasi<=1.05x". */
  text: string;
  met: boolean;
}

export interface BenchRow {
  bench: string;
  case: string;
  unit: string;
  /** The occlum-ts LibOS figure. */
  value: number;
  /** The same measurement on other systems, keyed by system name. */
  compare: Record<string, number>;
  target?: Target;
  /** Show value/compare ratio columns for this row (default true; false for counts and the like). */
  ratios?: boolean;
}

export interface Benchmark {
  name: string;
  /** One line for `--help` and the table title. */
  description: string;
  /** Compare columns in display order. */
  systems: string[];
  /** Systems that get an occlum-ts/system ratio column in the table (default: all of `systems`). */
  ratioSystems?: string[];
  run(opts: BenchOptions): Promise<BenchRow[]>;
}

/** A benchmark could not produce trustworthy figures (failed run, checksum mismatch...). */
export class BenchError extends Error {}

// ---------------------------------------------------------------------------------------------
// Locations and compilation

export const BENCH_SRC_DIR = path.join(REPO_ROOT, 'bench');
export const PROGRAMS_DIR = path.join(BENCH_SRC_DIR, 'programs');
export const NATIVE_CACHE_DIR = path.join(REPO_ROOT, '.cache', 'native');
const WASI_RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'wasi-runner.js');

/**
 * Compiles a C program to Wasm with occlum-cc's cached driver. When `wasiOnly` is set (programs
 * that must also run under node:wasi), refuses a module that imports anything but
 * wasi_snapshot_preview1 functions.
 */
export async function compileWasm(source: string, flags: string[], wasiOnly = true): Promise<string> {
  const out = await compileCached(source, { flags });
  if (wasiOnly) {
    const foreign = moduleInterface(fs.readFileSync(out)).imports.filter(
      (i) => i.kind === 0 && i.module !== 'wasi_snapshot_preview1',
    );
    if (foreign.length > 0) {
      throw new BenchError(`${path.basename(source)} imports non-WASI functions (${foreign.map((i) => `${i.module}.${i.name}`).join(', ')}); node:wasi cannot run it`);
    }
  }
  return out;
}

let gccVersion: string | null | undefined;

/** `gcc --version`'s first line, or null when gcc is missing. */
export function nativeCompiler(): string | null {
  if (gccVersion === undefined) {
    try {
      gccVersion = execFileSync('gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
    } catch {
      gccVersion = null;
    }
  }
  return gccVersion;
}

/**
 * Compiles a single-file C program natively with gcc, cached under .cache/native by the hash of
 * the source, the flags and the gcc version. Returns the executable's path, or null without gcc.
 * `libs` go after the source (e.g. -lm).
 */
export function compileNative(source: string, cflags: string[], libs: string[] = []): string | null {
  const gcc = nativeCompiler();
  if (gcc === null) return null;
  const h = createHash('sha256');
  h.update(gcc + '\0' + cflags.join('\0') + '\0' + libs.join('\0') + '\0');
  h.update(fs.readFileSync(source));
  const exe = path.join(NATIVE_CACHE_DIR, `${path.basename(source, '.c')}-${h.digest('hex').slice(0, 16)}`);
  if (fs.existsSync(exe)) return exe;
  fs.mkdirSync(NATIVE_CACHE_DIR, { recursive: true });
  const tmp = `${exe}.tmp${process.pid}`;
  try {
    execFileSync('gcc', [...cflags, '-o', tmp, source, ...libs], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? String(e);
    throw new BenchError(`gcc failed on ${path.basename(source)}:\n${stderr}`);
  }
  fs.renameSync(tmp, exe);
  return exe;
}

// ---------------------------------------------------------------------------------------------
// Running programs

export interface RunOutput {
  stdout: string;
  stderr: string;
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  /** Wall-clock time of the whole run, start-up included (ms). */
  wallMs: number;
}

/** HostStdio that keeps what the program writes (fd 1 and 2) and gives it an empty stdin. */
class CaptureStdio implements HostStdio {
  readonly out: Buffer[] = [];
  readonly err: Buffer[] = [];
  write(fd: 1 | 2, buf: Uint8Array): number {
    (fd === 1 ? this.out : this.err).push(Buffer.from(buf)); // copies: buf may view process memory
    return buf.length;
  }
  read(): Promise<number> { return Promise.resolve(0); }
  isatty(): boolean { return false; }
  winsize(): undefined { return undefined; }
}

/**
 * Returns `bytes` with a custom section holding a random nonce appended. V8 keeps compiled Wasm
 * per process keyed by the module's bytes, tiered-up (TurboFan) code included, so a second run of
 * the same module in this process would start with optimized code that a fresh process (node:wasi,
 * native, `occlum run`) does not have. A unique section makes every run a fresh compile.
 */
function withNonce(bytes: Uint8Array): Uint8Array {
  const name = Buffer.from('occlum-bench-nonce');
  const payload = Buffer.concat([Buffer.from([name.length]), name, randomBytes(16)]);
  return Buffer.concat([bytes, Buffer.from([0, payload.length]), payload]); // payload.length < 128: one LEB byte
}

/**
 * Runs `wasm` as a process of a fresh occlum-ts kernel (booted in this process on a ramfs that
 * holds just the program at /prog.wasm) and returns what it printed. The module is compiled afresh
 * for each run (see withNonce), as it would be by a fresh `occlum run`.
 */
/**
 * Runs `wasm` as /prog.wasm in a fresh kernel; `extra` installs more programs (LibOS name -> .wasm
 * path); `mounts` are mounted (in order) before the program starts; the caller keeps ownership of
 * them (unmounting them is the caller's job).
 */
export async function runLibOS(
  wasm: string, args: string[], env: string[] = [], extra: Record<string, string> = {}, mounts: { target: string; fs: FileSystem }[] = [],
): Promise<RunOutput> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'occlum-bench-'));
  const stdio = new CaptureStdio();
  const start = performance.now();
  try {
    fs.writeFileSync(path.join(dir, 'prog.wasm'), withNonce(fs.readFileSync(wasm)));
    for (const [name, file] of Object.entries(extra)) fs.writeFileSync(path.join(dir, name), fs.readFileSync(file));
    const host = nodeHost({ stdio });
    const rootFs = new RamFs(() => host.clock.realtimeNs());
    populateFromHost(rootFs, host.fs, dir);
    const kernel = new Kernel({ host, rootFs, log: new Log('off', host.log) });
    let status: number;
    try {
      for (const m of mounts) await kernel.vfs.mount(m.target, m.fs);
      const proc = await kernel.spawn('/prog.wasm', { argv: ['/prog.wasm', ...args], env });
      status = await proc.exited;
    } finally {
      await kernel.shutdown();
    }
    return {
      stdout: Buffer.concat(stdio.out).toString('utf8'),
      stderr: Buffer.concat(stdio.err).toString('utf8'),
      code: (status & 0x7f) === 0 ? (status >> 8) & 0xff : null,
      wallMs: performance.now() - start,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function runChild(file: string, args: string[]): Promise<RunOutput> {
  const start = performance.now();
  return new Promise((resolve) => {
    execFile(file, args, { maxBuffer: 64 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; signal?: string | null }) | null;
      let code: number | null = 0;
      if (e) code = typeof e.code === 'number' ? e.code : null;
      if (e && code === null) stderr += e.signal ? `\n(killed by ${e.signal})` : `\n${e.message}`;
      resolve({ stdout, stderr, code, wallMs: performance.now() - start });
    });
  });
}

/**
 * Runs `wasm` under Node's own WASI (node:wasi, preview1) in a child process. With `shared`, the
 * module first gets the rewrite the LibOS applies (memory made an imported shared memory), to
 * tell the cost of shared memory apart from the cost of the LibOS. `nodeFlags` go to node (V8
 * flags such as --no-liftoff).
 *
 * --single-threaded-gc works around a Node 20 crash: node:wasi on a plain (non-shared) memory
 * that has grown dies with SIGSEGV in most runs once the program exits (never with shared memory,
 * never with GC on one thread). The timed code is Wasm that allocates nothing on the JS heap.
 */
export function runNodeWasi(wasm: string, args: string[], opts: { shared?: boolean; nodeFlags?: string[] } = {}): Promise<RunOutput> {
  return runChild(process.execPath, [
    '--no-warnings', '--single-threaded-gc', ...(opts.nodeFlags ?? []),
    WASI_RUNNER, ...(opts.shared === true ? ['--shared'] : []), wasm, ...args,
  ]);
}

/** Runs a native executable. */
export function runNative(exe: string, args: string[]): Promise<RunOutput> {
  return runChild(exe, args);
}

/** Throws a BenchError with the program's stderr unless it exited with 0. */
export function expectSuccess(out: RunOutput, what: string): RunOutput {
  if (out.code !== 0) {
    const detail = (out.stderr.trim() || out.stdout.trim()).split('\n').slice(-5).join('\n');
    throw new BenchError(`${what} failed (${out.code === null ? 'killed by a signal' : `exit ${out.code}`})${detail ? `:\n${detail}` : ''}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing and statistics

/** Parses "key value..." lines into key -> rest of line. */
export function parseLines(stdout: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const t = line.trim();
    if (t === '') continue;
    const sp = t.indexOf(' ');
    if (sp < 0) m.set(t, '');
    else m.set(t.slice(0, sp), t.slice(sp + 1).trim());
  }
  return m;
}

/** The numeric value of `key` in parsed output; throws if missing or not a number. */
export function numberOf(m: Map<string, string>, key: string, what: string): number {
  const s = m.get(key);
  const v = s === undefined ? NaN : Number(s.split(' ')[0]);
  if (!Number.isFinite(v)) throw new BenchError(`${what}: no numeric "${key}" in the program's output`);
  return v;
}

export function geomean(xs: number[]): number {
  if (xs.length === 0) return NaN;
  return Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}
