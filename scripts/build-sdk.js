#!/usr/bin/env node
// Builds sdk/lib/libocclum.a, the SDK's C library, with the bundled toolchain (npm @yowasp/clang).
//
//   node scripts/build-sdk.js [--force] [--quiet]
//
// Needs the compiled driver (dist/src/sdk/compiler.js, i.e. run `tsc` first). Steps:
//  1. hash the inputs (sdk/src, sdk/include, this script, the driver, the toolchain version);
//     when sdk/lib/libocclum.stamp holds the same hash, there is nothing to do;
//  2. compile every sdk/src/*.c with occlum-cc (runCompiler: the same flags and SDK headers as
//     user programs) plus -O2;
//  3. make libocclum's copy of wasi-libc's preopens.c.obj: `wasm-ld -r` of the sysroot's object
//     and preopens_hook.o, which adds a strong reference to __wasilibc_find_relpath_alloc (so the
//     SDK's cwd handling is linked whenever paths are resolved; see sdk/src/cwd_state.c);
//  4. archive with `llvm-ar rcsD` (deterministic), then check with llvm-nm that no libc.a object
//     can be linked next to the SDK's replacement of it (every strong symbol of a replaced
//     object must be defined by libocclum) and that the SDK defines no strong symbol that
//     wasi-libc's emulation libraries also define; a violation fails the build;
//  5. write libocclum.a and the stamp atomically.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SDK = path.join(REPO, 'sdk');
const SRC = path.join(SDK, 'src');
const LIB = path.join(SDK, 'lib');
const ARCHIVE = path.join(LIB, 'libocclum.a');
const STAMP = path.join(LIB, 'libocclum.stamp');
const DRIVER = path.join(REPO, 'dist', 'src', 'sdk', 'compiler.js');
const FORMAT = 'build-sdk-1';
/** Sources that are not archive members on their own. */
const HOOK = 'preopens_hook.c';
const SYSROOT_LIB = '/usr/lib/wasm32-wasip1';
const EMULATION_LIBS = ['libwasi-emulated-signal.a', 'libwasi-emulated-getpid.a', 'libwasi-emulated-process-clocks.a', 'libwasi-emulated-mman.a'];

const args = process.argv.slice(2);
const force = args.includes('--force');
const quiet = args.includes('--quiet');
const log = (s) => { if (!quiet) console.log(s); };

function listFiles(dir, base = '') {
  const out = [];
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(path.join(dir, e.name), rel));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

function toolchainVersion() {
  const main = createRequire(import.meta.url).resolve('@yowasp/clang');
  const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(main), '..', 'package.json'), 'utf8'));
  return String(pkg.version);
}

function inputHash() {
  const h = createHash('sha256');
  const field = (s) => {
    const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(b.length));
    h.update(len);
    h.update(b);
  };
  field(FORMAT);
  field(toolchainVersion());
  field(fs.readFileSync(fileURLToPath(import.meta.url)));
  field(fs.readFileSync(DRIVER));
  for (const dir of ['src', 'include']) {
    for (const rel of listFiles(path.join(SDK, dir))) {
      field(`${dir}/${rel}`);
      field(fs.readFileSync(path.join(SDK, dir, rel)));
    }
  }
  return h.digest('hex');
}

// ---- running LLVM tools over an in-memory tree (as src/sdk/compiler.ts does) ----

let llvm;
async function runTool(argv, tree) {
  llvm ??= await import('@yowasp/clang');
  const out = [];
  const sink = (b) => { if (b && b.length) out.push(Buffer.from(b)); };
  try {
    const r = await llvm.runLLVM(argv, tree, { stdout: sink, stderr: sink, decodeASCII: false, fetchProgress: () => undefined });
    return { code: 0, output: Buffer.concat(out).toString('utf8'), tree: r ?? tree };
  } catch (e) {
    if (e instanceof llvm.Exit) return { code: e.code || 1, output: Buffer.concat(out).toString('utf8'), tree: e.files ?? tree };
    throw e;
  }
}

function fileAt(tree, virt) {
  let node = tree;
  for (const seg of virt.split('/').filter(Boolean)) {
    if (node === undefined || node instanceof Uint8Array || typeof node === 'string') return undefined;
    node = node[seg];
  }
  return node instanceof Uint8Array ? node : typeof node === 'string' ? Buffer.from(node) : undefined;
}

async function tool(argv, tree, what) {
  const r = await runTool(argv, tree);
  if (r.code !== 0) throw new Error(`${what} failed (exit code ${r.code}):\n${r.output}`);
  return r;
}

// ---- the duplicate-definition check ----

/** Parses `llvm-nm -A -P` output into member -> [{ name, type }]. */
function parseNm(text) {
  const members = new Map();
  for (const line of text.split('\n')) {
    const m = /^(.*?)(?:\[(.*?)\])?: (\S+) (\S)(?: |$)/.exec(line);
    if (!m) continue;
    const key = m[2] !== undefined ? `${path.posix.basename(m[1])}:${m[2]}` : path.posix.basename(m[1]);
    if (!members.has(key)) members.set(key, []);
    members.get(key).push({ name: m[3], type: m[4] });
  }
  return members;
}

const isDefined = (t) => t !== 'U' && t !== 'w' && t !== 'v';
const isStrong = (t) => isDefined(t) && t === t.toUpperCase() && t !== 'W' && t !== 'V';
const isGlobal = (t) => t === t.toUpperCase();

/** Returns { replaced: Map<member, symbols>, problems: string[] }. */
function checkOverrides(ours, libc, emulation) {
  const ourDefs = new Map();
  for (const syms of ours.values()) for (const s of syms) if (isDefined(s.type) && isGlobal(s.type)) ourDefs.set(s.name, s.type);
  const problems = [];
  const replaced = new Map();
  for (const [member, syms] of libc) {
    const defs = syms.filter((s) => isDefined(s.type) && isGlobal(s.type));
    // Only strong-strong pairs clash (a weak definition yields to a strong one, as wasi-libc's
    // own weak __wasilibc_populate_preopens in __wasilibc_fd_renumber.c.obj does).
    const overlap = defs.filter((s) => isStrong(s.type) && ourDefs.has(s.name) && isStrong(ourDefs.get(s.name)));
    if (overlap.length === 0) continue;
    replaced.set(member, overlap.map((s) => s.name));
    for (const s of defs) {
      if (isStrong(s.type) && !ourDefs.has(s.name)) {
        problems.push(`${member} is replaced (${overlap.map((x) => x.name).join(', ')}) but its strong symbol ${s.name} is not defined by libocclum: linking both would duplicate symbols`);
      }
    }
  }
  for (const [member, syms] of emulation) {
    for (const s of syms) {
      if (isStrong(s.type) && ourDefs.has(s.name) && isStrong(ourDefs.get(s.name))) {
        problems.push(`${member} and libocclum both define ${s.name} strongly: make libocclum's weak or rename it`);
      }
    }
  }
  return { replaced, problems };
}

// ---- main ----

async function main() {
  const t0 = performance.now();
  const lap = (what) => { if (process.env.BUILD_SDK_TIMING) console.error(`  ${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`); };
  if (!fs.existsSync(DRIVER)) {
    console.error(`build-sdk: ${path.relative(REPO, DRIVER)} is missing; run \`tsc -p tsconfig.json\` first`);
    process.exit(1);
  }
  const hash = inputHash();
  if (!force && fs.existsSync(ARCHIVE) && fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8').trim() === hash) {
    log('build-sdk: sdk/lib/libocclum.a is up to date');
    return;
  }

  const { runCompiler } = await import(pathToFileURL(DRIVER).href);
  const sources = fs.readdirSync(SRC).filter((f) => f.endsWith('.c')).sort();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'occlum-sdk-build-'));
  try {
    // 2. compile (one driver run; outputs land in the work directory as <name>.o)
    const cc = await runCompiler('cc', ['-c', '-O2', '-Wall', '-Wextra', '-Wno-unused-parameter', ...sources.map((s) => path.join(SRC, s))], { cwd: work });
    if (cc.stderr.trim() !== '' && !quiet) process.stderr.write(cc.stderr);
    if (cc.code !== 0) throw new Error(`compiling sdk/src failed (exit code ${cc.code})`);
    lap('compiled');
    const objects = {};
    for (const s of sources) {
      const o = s.replace(/\.c$/, '.o');
      objects[o] = fs.readFileSync(path.join(work, o));
    }

    // 3. libocclum's preopens.o = wasi-libc's preopens.c.obj + the hook
    let tree = { ...objects };
    tree = (await tool(['llvm-ar', 'x', `${SYSROOT_LIB}/libc.a`, 'preopens.c.obj'], tree, 'extracting preopens.c.obj')).tree;
    tree = (await tool(['wasm-ld', '-r', 'preopens.c.obj', HOOK.replace(/\.c$/, '.o'), '-o', 'preopens.o'], tree, 'wasm-ld -r preopens')).tree;

    lap('preopens merged');
    // 4. archive
    const members = [...Object.keys(objects).filter((o) => o !== HOOK.replace(/\.c$/, '.o')), 'preopens.o'].sort();
    tree = (await tool(['llvm-ar', 'rcsD', 'libocclum.a', ...members], tree, 'llvm-ar')).tree;
    const archive = fileAt(tree, '/libocclum.a');
    if (!archive) throw new Error('llvm-ar produced no libocclum.a');

    lap('archived');
    // check: no duplicate definitions possible against wasi-libc
    const nm = async (file) => parseNm((await tool(['llvm-nm', '-A', '-P', file], tree, `llvm-nm ${file}`)).output);
    const ours = await nm('libocclum.a');
    const libc = await nm(`${SYSROOT_LIB}/libc.a`);
    const emulation = new Map();
    for (const lib of EMULATION_LIBS) for (const [k, v] of await nm(`${SYSROOT_LIB}/${lib}`)) emulation.set(k, v);
    const { replaced, problems } = checkOverrides(ours, libc, emulation);
    lap('checked');
    if (problems.length) throw new Error(`libocclum.a would break links:\n  ${problems.join('\n  ')}`);

    // 5. install
    fs.mkdirSync(LIB, { recursive: true });
    const tmp = `${ARCHIVE}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, archive);
    fs.renameSync(tmp, ARCHIVE);
    fs.writeFileSync(STAMP, hash + '\n');
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    log(`build-sdk: sdk/lib/libocclum.a: ${members.length} objects, ${(archive.length / 1024).toFixed(0)} KiB, built in ${secs} s`);
    log(`build-sdk: replaces wasi-libc objects: ${[...replaced.keys()].map((k) => k.replace(/^libc\.a:/, '')).sort().join(' ')}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`build-sdk: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
