// occlum-cc / occlum-c++: a gcc/clang-like compiler driver over npm @yowasp/clang.
//
// @yowasp/clang is clang 22 compiled to Wasm; it has no executable, only a JS API that runs
// LLVM tools over an in-memory file tree whose root "/" also holds the wasm32-wasip1 sysroot
// (under /usr). This module
//   1. parses the user's arguments like a compiler driver would,
//   2. mirrors the needed host files into the tree: the host cwd is virtual "/", any other
//      host path P lives at "/.host" + P; named inputs, the headers they include (scanned
//      transitively), the libraries named by -l in -L directories, and the SDK
//      (<repo>/sdk/include at /.occlum-sdk/include, <repo>/sdk/lib at /.occlum-sdk/lib),
//   3. runs `clang -###` and then each command it prints (Wasm cannot spawn processes),
//   4. writes every new or changed file of the resulting tree back to its host path, and
//      maps virtual paths in clang's output back to host paths.
//
// The compiled module of llvm.wasm is kept for the life of the process, so compiling many
// programs in one process is cheap after the first (~1-2 s cold, ~0.2 s warm).

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Tree, RunOptions } from '@yowasp/clang';
import { scanIncludes, type Loc } from './include-scan.js';

export type CompilerKind = 'cc' | 'c++';

export interface CompileResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunCompilerOptions {
  /** Host directory that relative paths are relative to (default: process.cwd()). */
  cwd?: string;
  /** Bytes to feed clang's standard input (for the input file `-`). */
  stdin?: Uint8Array;
}

/** Raw result (bytes, not strings), used by the CLI so that `-o -` of binary data survives. */
export interface RawCompileResult {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

/** An error in the driver itself (not a compile error); the CLI prints its message as one line. */
export class DriverError extends Error {}

// ---------------------------------------------------------------------------------------------
// Locations

/** The repository root: this file is compiled to <repo>/dist/src/sdk/compiler.js. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SDK_DIR = path.join(REPO_ROOT, 'sdk');
export const SDK_INCLUDE_DIR = path.join(SDK_DIR, 'include');
export const SDK_LIB_DIR = path.join(SDK_DIR, 'lib');
export const CACHE_DIR = path.join(REPO_ROOT, '.cache', 'wasm');

/** 4 MiB, Occlum's default_stack_size (wasm-ld's default of 64 KiB is too small). */
export const DEFAULT_STACK_SIZE = 4 * 1024 * 1024;

const HOST_PREFIX = '/.host';
const SDK_VIRT = '/.occlum-sdk';
const OUT_VIRT = '/.occlum-out';
/** Top-level names of the virtual tree that host-cwd-relative paths must not use. */
const RESERVED_TOP = new Set(['usr', 'tmp', '.host', '.occlum-sdk', '.occlum-out']);
/** Bump when the driver's defaults change, so that cached outputs are rebuilt. */
const CACHE_FORMAT = 'occlum-cc-cache-1';

let clangVersionCache: string | undefined;

/** The @yowasp/clang package version (read from its package.json without loading LLVM). */
export function compilerVersion(): string {
  if (clangVersionCache === undefined) {
    try {
      const main = createRequire(import.meta.url).resolve('@yowasp/clang');
      const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(main), '..', 'package.json'), 'utf8')) as {
        version?: unknown;
      };
      clangVersionCache = typeof pkg.version === 'string' ? pkg.version : 'unknown';
    } catch {
      clangVersionCache = 'unknown';
    }
  }
  return clangVersionCache;
}

// ---------------------------------------------------------------------------------------------
// Argument parsing

/** Options whose value is the next argument (when not joined). */
const SEPARATE_VALUE = new Set([
  '-o', '-I', '-L', '-isystem', '-iquote', '-idirafter', '-include', '-imacros', '-MF', '-MT', '-MQ',
  '-MJ', '-x', '-Xlinker', '-Xclang', '-mllvm', '-Xpreprocessor', '-Xassembler', '-D', '-U', '-l',
  '-arch', '-target', '-T', '-u', '-e', '-z', '-isysroot', '--sysroot', '-iprefix', '-iwithprefix',
  '-iwithprefixbefore', '-ivfsoverlay', '-working-directory', '-F', '-framework', '-rpath', '--param',
  '-A', '-dependency-file', '-serialize-diagnostics', '-Xanalyzer', '--output',
]);
/** Options whose (joined or separate) value is a host path that must be mapped. */
const PATH_VALUED = ['-isystem', '-iquote', '-idirafter', '-include', '-imacros', '-MF', '-MJ', '-I', '-L', '-o'];

const SOURCE_EXT = new Set([
  '.c', '.i', '.h', '.cc', '.cp', '.cxx', '.cpp', '.c++', '.C', '.CPP', '.ii', '.hh', '.hpp', '.hxx',
  '.s', '.S', '.sx', '.ll', '.bc', '.m', '.mm',
]);
const CXX_EXT = new Set(['.cc', '.cp', '.cxx', '.cpp', '.c++', '.C', '.CPP', '.ii', '.hh', '.hpp', '.hxx', '.mm']);
const CXX_LANGS = new Set(['c++', 'c++-header', 'c++-cpp-output', 'objective-c++']);

interface ParsedArgs {
  /** Arguments with host paths rewritten to virtual ones. */
  args: string[];
  inputs: Array<{ arg: string; loc: Loc | null; lang: string | null }>;
  includeDirs: { quote: Loc[]; angle: Loc[] };
  forcedIncludes: Loc[];
  libDirs: Loc[];
  libs: string[];
  /** Parent directories of output files (created in the tree when they exist on the host). */
  outputParents: Loc[];
  output: Loc | null;
  stdoutOutput: boolean;
  noLink: boolean;
  usesHostPrefix: boolean;
  has: (flag: string) => boolean;
}

class PathMapper {
  constructor(readonly cwd: string) {}

  /** Maps a path as the user wrote it to the argument clang sees and the file's location. */
  map(p: string): { arg: string; loc: Loc } {
    const host = path.resolve(this.cwd, p);
    const segs = p.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
    const first = segs[0];
    const outside =
      path.isAbsolute(p) || segs.includes('..') || (first !== undefined && RESERVED_TOP.has(first));
    if (outside) {
      const virt = HOST_PREFIX + toPosix(host);
      return { arg: virt, loc: { host, virt } };
    }
    return { arg: p, loc: { host, virt: path.posix.normalize('/' + segs.join('/')) } };
  }

  /** Maps a normalized virtual path back to the host, or null for the sysroot/SDK/temp areas. */
  toHost(virt: string): string | null {
    if (virt === HOST_PREFIX) return '/';
    if (virt.startsWith(HOST_PREFIX + '/')) return path.resolve(virt.slice(HOST_PREFIX.length));
    const first = virt.split('/')[1] ?? '';
    if (RESERVED_TOP.has(first)) return null;
    return path.resolve(this.cwd, '.' + virt);
  }
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function parseArgs(argv: string[], mapper: PathMapper): ParsedArgs {
  const args: string[] = [];
  const inputs: ParsedArgs['inputs'] = [];
  const includeDirs = { quote: [] as Loc[], angle: [] as Loc[] };
  const afterDirs: Loc[] = [];
  const forcedIncludes: Loc[] = [];
  const libDirs: Loc[] = [];
  const libs: string[] = [];
  const outputParents: Loc[] = [];
  const flags = new Set<string>();
  let output: Loc | null = null;
  let stdoutOutput = false;
  let usesHostPrefix = false;
  let lang: string | null = null;
  let onlyInputs = false;

  const mapPath = (p: string): { arg: string; loc: Loc } => {
    const m = mapper.map(p);
    if (m.arg !== p) usesHostPrefix = true;
    return m;
  };

  /** `joined` is the text the value was glued to ('-I', '--output='), or null for `opt value`. */
  const handleValue = (opt: string, value: string, joined: string | null): void => {
    const emit = (v: string): void => {
      if (joined !== null) args.push(joined + v);
      else args.push(opt, v);
    };
    switch (opt) {
      case '-x':
        lang = value === 'none' ? null : value;
        emit(value);
        return;
      case '-l':
        libs.push(value);
        emit(value);
        return;
      case '-o':
      case '--output':
        if (value === '-') {
          stdoutOutput = true;
          emit(value);
          return;
        }
        break;
      default:
        break;
    }
    if (!PATH_VALUED.includes(opt) && opt !== '--output') {
      emit(value);
      return;
    }
    const m = mapPath(value);
    emit(m.arg);
    const dirLoc = m.loc;
    switch (opt) {
      case '-I':
        includeDirs.angle.push(dirLoc);
        break;
      case '-isystem':
        includeDirs.angle.push(dirLoc);
        break;
      case '-iquote':
        includeDirs.quote.push(dirLoc);
        break;
      case '-idirafter':
        afterDirs.push(dirLoc);
        break;
      case '-include':
      case '-imacros':
        forcedIncludes.push(dirLoc);
        break;
      case '-L':
        libDirs.push(dirLoc);
        break;
      case '-o':
      case '--output':
        output = dirLoc;
        outputParents.push(parentOf(dirLoc));
        break;
      case '-MF':
      case '-MJ':
        outputParents.push(parentOf(dirLoc));
        break;
      default:
        break;
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (onlyInputs || a === '-' || !a.startsWith('-')) {
      if (a === '-') {
        inputs.push({ arg: a, loc: null, lang });
        args.push(a);
      } else if (a.startsWith('@') && !onlyInputs) {
        args.push(a); // response file: passed through unchanged (see README limitations)
      } else {
        const m = mapPath(a);
        inputs.push({ arg: m.arg, loc: m.loc, lang });
        args.push(m.arg);
      }
      continue;
    }
    if (a === '--') {
      onlyInputs = true;
      args.push(a);
      continue;
    }
    flags.add(a);
    if (SEPARATE_VALUE.has(a)) {
      const v = argv[i + 1];
      if (v === undefined) {
        args.push(a); // let clang report the missing value
        continue;
      }
      i++;
      handleValue(a, v, null);
      continue;
    }
    if (a.startsWith('--output=')) {
      handleValue('--output', a.slice('--output='.length), '--output=');
      continue;
    }
    const joined = PATH_VALUED.find((opt) => a.startsWith(opt) && a.length > opt.length);
    if (joined !== undefined && !(joined === '-o' && /^-o(bjc|bject|ffload|penmp)/.test(a))) {
      handleValue(joined, a.slice(joined.length), joined);
      continue;
    }
    if (a.startsWith('-l') && a.length > 2) {
      libs.push(a.slice(2));
    } else if (a.startsWith('-x') && a.length > 2) {
      const v = a.slice(2);
      lang = v === 'none' ? null : v;
    }
    args.push(a);
  }

  includeDirs.angle.push(...afterDirs);
  const has = (flag: string): boolean => flags.has(flag);
  const noLink = ['-c', '-S', '-E', '-M', '-MM', '-fsyntax-only', '-emit-ast', '--precompile'].some(has);
  return {
    args, inputs, includeDirs, forcedIncludes, libDirs, libs, outputParents, output, stdoutOutput,
    noLink, usesHostPrefix, has,
  };
}

function parentOf(loc: Loc): Loc {
  return { host: path.dirname(loc.host), virt: path.posix.dirname(loc.virt) };
}

function isSourceInput(input: { arg: string; lang: string | null }): boolean {
  if (input.lang !== null) return true;
  return SOURCE_EXT.has(path.extname(input.arg));
}

function isCxxInput(input: { arg: string; lang: string | null }): boolean {
  if (input.lang !== null) return CXX_LANGS.has(input.lang);
  return CXX_EXT.has(path.extname(input.arg));
}

// ---------------------------------------------------------------------------------------------
// Planning: which files go into the tree, which arguments clang gets

interface FileEntry {
  host: string | null;
  data: Buffer;
}

interface Plan {
  kind: CompilerKind;
  /** Run the tool directly (no `-###` step): version/help queries and argument lists without inputs. */
  direct: boolean;
  args: string[];
  files: Map<string, FileEntry>;
  dirs: Set<string>;
  linking: boolean;
  /** Virtual path of the linked executable (gets mode 0755 on the host). */
  exeVirt: string | null;
  mapper: PathMapper;
}

const PTHREAD_MESSAGE = 'occlum-cc: -pthread is not supported yet (no wasm32 threads sysroot); remove it';

function listFiles(dir: string, base: string, out: Array<{ rel: string; host: string }>): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const host = path.join(dir, e.name);
    const rel = base === '' ? e.name : base + '/' + e.name;
    if (e.isDirectory()) listFiles(host, rel, out);
    else if (e.isFile()) out.push({ rel, host });
  }
}

function plan(
  kind: CompilerKind,
  argv: string[],
  cwd: string,
  extra: { output?: string; stdin?: Uint8Array } = {},
): Plan {
  const mapper = new PathMapper(cwd);
  const parsed = parseArgs(argv, mapper);
  const files = new Map<string, FileEntry>();
  const dirs = new Set<string>();

  const direct =
    parsed.inputs.length === 0 ||
    ['--version', '-help', '--help', '--help-hidden', '-###'].some((f) => parsed.has(f));
  if (direct) {
    return { kind, direct, args: parsed.args, files, dirs, linking: false, exeVirt: null, mapper };
  }

  // Options the driver adds go after the user's (so that e.g. the user's -isystem dirs come
  // first), but before a `--`, after which everything is an input.
  const dashDash = parsed.args.indexOf('--');
  const userArgs = dashDash < 0 ? parsed.args : parsed.args.slice(0, dashDash);
  const trailingInputs = dashDash < 0 ? [] : parsed.args.slice(dashDash);
  const args = [...userArgs];
  const sources = parsed.inputs.filter(isSourceInput);
  const compiling = sources.length > 0;
  const linking = !parsed.noLink;
  const cxx = kind === 'c++' || parsed.inputs.some(isCxxInput);

  // Named inputs and everything they include.
  const roots: Loc[] = [...parsed.forcedIncludes];
  for (const input of parsed.inputs) if (input.loc !== null) roots.push(input.loc);
  const inline = extra.stdin !== undefined ? [{ dir: { host: cwd, virt: '/' }, data: extra.stdin }] : [];
  const scan = scanIncludes(roots, parsed.includeDirs, (v) => mapper.toHost(v), inline);
  for (const [virt, f] of scan.files) files.set(virt, f);

  // Search directories exist in the tree even when empty (clang expects them to).
  for (const d of [...parsed.includeDirs.quote, ...parsed.includeDirs.angle, ...parsed.libDirs]) {
    if (isDir(d.host)) dirs.add(d.virt);
  }
  for (const d of parsed.outputParents) if (isDir(d.host)) dirs.add(d.virt);

  // Libraries named by -l in -L directories.
  for (const lib of parsed.libs) {
    const names = lib.startsWith(':') ? [lib.slice(1)] : [`lib${lib}.a`, `lib${lib}.so`];
    for (const dir of parsed.libDirs) {
      for (const name of names) {
        const host = path.join(dir.host, name);
        const virt = path.posix.join(dir.virt, name);
        if (!files.has(virt) && isFile(host)) files.set(virt, { host, data: fs.readFileSync(host) });
      }
    }
  }

  // The SDK: headers ahead of the sysroot's, and libocclum when linking.
  if (compiling) {
    const sdkHeaders: Array<{ rel: string; host: string }> = [];
    listFiles(SDK_INCLUDE_DIR, '', sdkHeaders);
    for (const f of sdkHeaders) files.set(`${SDK_VIRT}/include/${f.rel}`, { host: f.host, data: fs.readFileSync(f.host) });
    dirs.add(`${SDK_VIRT}/include`);
    args.push('-isystem', `${SDK_VIRT}/include`);
    if (parsed.usesHostPrefix) args.push(`-ffile-prefix-map=${HOST_PREFIX}=`);
  }
  if (compiling && cxx && !['-fexceptions', '-fcxx-exceptions', '-fno-exceptions', '-fwasm-exceptions'].some(parsed.has)) {
    args.push('-fno-exceptions');
  }
  let exeVirt: string | null = null;
  if (linking) {
    if (!argv.some((a) => a.includes('stack-size'))) args.push(`-Wl,-z,stack-size=${DEFAULT_STACK_SIZE}`);
    const libocclum = path.join(SDK_LIB_DIR, 'libocclum.a');
    if (isFile(libocclum)) {
      const sdkLibs: Array<{ rel: string; host: string }> = [];
      listFiles(SDK_LIB_DIR, '', sdkLibs);
      for (const f of sdkLibs) {
        if (f.rel.endsWith('.a')) files.set(`${SDK_VIRT}/lib/${f.rel}`, { host: f.host, data: fs.readFileSync(f.host) });
      }
      args.push(`-L${SDK_VIRT}/lib`, '-locclum');
    }
    exeVirt = parsed.output !== null ? parsed.output.virt : parsed.stdoutOutput ? null : '/a.out';
  }
  if (extra.output !== undefined) {
    args.push('-o', extra.output);
    dirs.add(path.posix.dirname(extra.output));
    exeVirt = linking ? extra.output : null;
  }
  args.push(...trailingInputs);
  return { kind, direct, args, files, dirs, linking, exeVirt, mapper };
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function buildTree(p: Plan): Tree {
  const root: Tree = {};
  const dirAt = (virt: string): Tree => {
    let node = root;
    for (const seg of virt.split('/')) {
      if (seg === '') continue;
      const next = node[seg];
      if (next === undefined || typeof next === 'string' || next instanceof Uint8Array) {
        const d: Tree = {};
        node[seg] = d;
        node = d;
      } else {
        node = next;
      }
    }
    return node;
  };
  for (const d of p.dirs) dirAt(d);
  for (const [virt, f] of p.files) {
    dirAt(path.posix.dirname(virt))[path.posix.basename(virt)] = f.data;
  }
  return root;
}

function flattenTree(tree: Tree, prefix: string, out: Map<string, Uint8Array>): void {
  for (const [name, entry] of Object.entries(tree)) {
    const virt = prefix + '/' + name;
    if (typeof entry === 'string') out.set(virt, Buffer.from(entry, 'utf8'));
    else if (entry instanceof Uint8Array) out.set(virt, entry);
    else flattenTree(entry, virt, out);
  }
}

// ---------------------------------------------------------------------------------------------
// Running LLVM

interface ClangModule {
  runLLVM: (args?: string[], files?: Tree, options?: RunOptions) => Promise<Tree> | Tree | undefined;
  Exit: new (...args: never[]) => Error & { code: number; files: Tree };
}

let clangModule: Promise<ClangModule> | undefined;
function loadClang(): Promise<ClangModule> {
  clangModule ??= import('@yowasp/clang').then((m) => ({ runLLVM: m.runLLVM, Exit: m.Exit }));
  return clangModule;
}

/** Compiles run one at a time: each LLVM instance is large, and Wasm runs synchronously anyway. */
let queue: Promise<unknown> = Promise.resolve();
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}

class Sink {
  private chunks: Buffer[] = [];
  readonly write = (bytes: Uint8Array | null): void => {
    if (bytes !== null && bytes.length > 0) this.chunks.push(Buffer.from(bytes));
  };
  push(text: string): void {
    if (text !== '') this.chunks.push(Buffer.from(text, 'utf8'));
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Splits one command line of `clang -###` output into its arguments. */
function unquoteCommand(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/ (?:([^ "]+)|"((?:[^"\\$]|\\["\\$])*)")/g)) {
    if (m[1] !== undefined) out.push(m[1]);
    else out.push((m[2] ?? '').replace(/\\(["\\$])/g, '$1'));
  }
  return out;
}

const HEADER_RE = /^(clang version |Target: |Thread model: |InstalledDir: |Build config: |Configuration file: )/;

interface Execution {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
  /** Files of the final tree (virtual path -> bytes). */
  files: Map<string, Uint8Array>;
}

async function execute(p: Plan, stdin: Uint8Array | undefined): Promise<Execution> {
  const clang = await loadClang();
  const stdout = new Sink();
  const stderr = new Sink();
  let stdinOffset = 0;
  const options: RunOptions = {
    stdout: stdout.write,
    stderr: stderr.write,
    decodeASCII: false,
    fetchProgress: () => undefined,
    stdin: (n: number): Uint8Array | null => {
      if (stdin === undefined || stdinOffset >= stdin.length) return null;
      const chunk = stdin.subarray(stdinOffset, stdinOffset + Math.max(1, n));
      stdinOffset += chunk.length;
      return chunk;
    },
  };
  const tool = p.kind === 'c++' ? 'clang++' : 'clang';
  let tree = buildTree(p);
  let code = 0;

  const runTool = async (argv: string[]): Promise<boolean> => {
    try {
      const r = await clang.runLLVM(argv, tree, options);
      if (r !== undefined) tree = r;
      return true;
    } catch (e) {
      if (e instanceof clang.Exit) {
        code = e.code === 0 ? 1 : e.code;
        if (e.files !== undefined) tree = e.files;
        return false;
      }
      throw new DriverError(`clang failed internally: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  if (p.direct) {
    await runTool([tool, ...p.args]);
  } else {
    // Ask the driver for its plan, then run each step ourselves (Wasm cannot spawn processes).
    const plan = new Sink();
    const planOptions: RunOptions = { ...options, stdout: plan.write, stderr: plan.write };
    let planCode = 0;
    try {
      const r = await clang.runLLVM([tool, '-###', ...p.args], tree, planOptions);
      if (r !== undefined) tree = r;
    } catch (e) {
      if (!(e instanceof clang.Exit)) {
        throw new DriverError(`clang failed internally: ${e instanceof Error ? e.message : String(e)}`);
      }
      planCode = e.code === 0 ? 1 : e.code;
    }
    const verbose = p.args.includes('-v');
    const commands: string[][] = [];
    for (const line of plan.bytes().toString('utf8').split('\n')) {
      if (line === '') continue;
      if (line === ' (in-process)') continue;
      if (line.startsWith(' "')) {
        const cmd = unquoteCommand(line);
        if (cmd[0] === '') cmd.shift();
        commands.push(cmd);
        if (verbose) stderr.push(line + '\n');
        continue;
      }
      if (HEADER_RE.test(line)) {
        if (verbose) stderr.push(line + '\n');
        continue;
      }
      stderr.push(line + '\n'); // driver diagnostics (warnings, errors)
    }
    if (planCode !== 0) {
      code = planCode;
    } else {
      for (const cmd of commands) {
        if (!(await runTool(cmd))) break;
      }
    }
  }

  delete tree['tmp'];
  const files = new Map<string, Uint8Array>();
  flattenTree(tree, '', files);
  return { code, stdout: stdout.bytes(), stderr: stderr.bytes(), files };
}

// ---------------------------------------------------------------------------------------------
// Mapping back to the host

function replaceAll(buf: Buffer, from: string, to: string): Buffer {
  const needle = Buffer.from(from, 'utf8');
  if (buf.indexOf(needle) < 0) return buf;
  const repl = Buffer.from(to, 'utf8');
  const parts: Buffer[] = [];
  let pos = 0;
  for (let at = buf.indexOf(needle, pos); at >= 0; at = buf.indexOf(needle, pos)) {
    parts.push(buf.subarray(pos, at), repl);
    pos = at + needle.length;
  }
  parts.push(buf.subarray(pos));
  return Buffer.concat(parts);
}

/** Rewrites virtual paths in clang's output to host paths. */
function hostifyText(buf: Buffer): Buffer {
  let out = replaceAll(buf, HOST_PREFIX + '/', '/');
  out = replaceAll(out, SDK_VIRT + '/', toPosix(SDK_DIR) + '/');
  return out;
}

/**
 * Rewrites a make dependency file (-MD/-MMD) for the host: sysroot headers (virtual /usr/...)
 * have no host path, so they are dropped (as if they were system headers under -MMD), and
 * virtual paths of host files are mapped back.
 */
function hostifyDepFile(buf: Buffer): Buffer {
  const text = buf.toString('utf8');
  const logical = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const out: string[] = [];
  for (const line of logical) {
    if (line.trim() === '') continue;
    // Tokens are separated by unescaped whitespace ("\ " is a space inside a file name).
    const tokens = line.match(/(?:\\.|[^\s\\])+/g) ?? [];
    const kept = tokens.filter((t) => !t.startsWith('/usr/'));
    if (kept.length === 0) continue; // a -MP phony rule for a sysroot header
    out.push(kept.join(' \\\n  ').replace(/^(.*?:) \\\n {2}/, '$1 '));
  }
  return hostifyText(Buffer.from(out.join('\n') + '\n', 'utf8'));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a === b || (a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b));
}

function writeBack(p: Plan, ex: Execution): void {
  for (const [virt, data] of ex.files) {
    if (virt.startsWith(OUT_VIRT + '/')) continue;
    const before = p.files.get(virt);
    if (before !== undefined && sameBytes(before.data, data)) continue;
    const host = p.mapper.toHost(virt);
    if (host === null) continue;
    let bytes: Uint8Array = data;
    if (virt.endsWith('.d')) bytes = hostifyDepFile(Buffer.from(data));
    fs.mkdirSync(path.dirname(host), { recursive: true });
    fs.writeFileSync(host, bytes);
    if (virt === p.exeVirt && ex.code === 0) fs.chmodSync(host, 0o755);
  }
}

// ---------------------------------------------------------------------------------------------
// Public API

/** Like runCompiler, but returns raw bytes (the CLI uses this). */
export async function runCompilerRaw(
  kind: CompilerKind,
  args: string[],
  opts: RunCompilerOptions = {},
): Promise<RawCompileResult> {
  if (args.includes('-pthread')) {
    return { code: 1, stdout: Buffer.alloc(0), stderr: Buffer.from(PTHREAD_MESSAGE + '\n') };
  }
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const p = plan(kind, args, cwd, opts.stdin !== undefined ? { stdin: opts.stdin } : {});
  const ex = await serialized(() => execute(p, opts.stdin));
  writeBack(p, ex);
  // Binary standard output (`-c -o -`) is left alone: rewriting would corrupt it.
  const stdout = ex.stdout.includes(0) ? ex.stdout : hostifyText(ex.stdout);
  return { code: ex.code, stdout, stderr: hostifyText(ex.stderr) };
}

/**
 * Runs occlum-cc (`kind` 'cc') or occlum-c++ (`kind` 'c++') with gcc/clang-style arguments,
 * as if from the host directory `opts.cwd`; outputs are written to the host.
 */
export async function runCompiler(
  kind: CompilerKind,
  args: string[],
  opts: RunCompilerOptions = {},
): Promise<CompileResult> {
  const r = await runCompilerRaw(kind, args, opts);
  return { code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

/**
 * Compiles and links one source file to a .wasm, caching the result under
 * <repo>/.cache/wasm/<sha256>.wasm. The hash covers the source and every header it includes
 * (as found by the include scan), the flags, the compiler version and the SDK's files.
 * Returns the cached file's path; throws an Error carrying clang's diagnostics on failure.
 */
export async function compileCached(
  source: string,
  opts: { flags?: string[]; cxx?: boolean } = {},
): Promise<string> {
  const flags = opts.flags ?? [];
  const kind: CompilerKind = opts.cxx === true ? 'c++' : 'cc';
  if (flags.includes('-pthread')) throw new Error(PTHREAD_MESSAGE);
  const abs = path.resolve(source);
  const outVirt = `${OUT_VIRT}/out.wasm`;
  const p = plan(kind, [...flags, abs], process.cwd(), { output: outVirt });

  const h = createHash('sha256');
  const field = (s: string | Uint8Array): void => {
    const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(b.length));
    h.update(len);
    h.update(b);
  };
  field(CACHE_FORMAT);
  field(compilerVersion());
  field(kind);
  for (const a of p.args) field(a);
  const virts = [...p.files.keys()].sort();
  for (const v of virts) {
    field(v);
    field((p.files.get(v) as FileEntry).data);
  }
  // The SDK's contents count even when not all of it is mirrored (e.g. libocclum appearing).
  const sdkFiles: Array<{ rel: string; host: string }> = [];
  listFiles(SDK_DIR, '', sdkFiles);
  for (const f of sdkFiles) {
    if (!f.rel.startsWith('include/') && !f.rel.startsWith('lib/')) continue;
    field('sdk:' + f.rel);
    field(fs.readFileSync(f.host));
  }
  const hash = h.digest('hex');
  const target = path.join(CACHE_DIR, `${hash}.wasm`);
  if (isFile(target)) return target;

  const ex = await serialized(() => execute(p, undefined));
  const out = ex.files.get(outVirt);
  if (ex.code !== 0 || out === undefined) {
    const diag = hostifyText(ex.stderr).toString('utf8').trimEnd();
    throw new Error(`occlum-cc: compiling ${abs} failed (exit code ${ex.code})${diag === '' ? '' : ':\n' + diag}`);
  }
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, out);
  fs.renameSync(tmp, target);
  return target;
}
