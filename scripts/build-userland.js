#!/usr/bin/env node
// Builds the utilities of the default image: userland/<name>.c -> userland/bin/<name>, and
// userland/sh/*.c (all of them, one program) -> userland/bin/sh when that directory exists.
//
//   node scripts/build-userland.js [--force] [--quiet] [--jobs N] [name...]
//
// Needs the compiled driver (dist/src/sdk/compiler.js: run `tsc` first) and the SDK library
// (sdk/lib/libocclum.a: run `node scripts/build-sdk.js`). Each program is compiled at -O2 with
// occlum-cc (runCompiler, the same driver user programs get). A program is skipped when the
// hash of its inputs is the one recorded in userland/bin/.hashes.json: its sources, the
// userland headers (userland/common.h, userland/sh/*.h), every file of sdk/include, libocclum.a,
// the driver, the toolchain version and this script. Programs compile in `--jobs` worker
// threads (default: 2 if the machine has 2 or more CPUs): each worker loads LLVM once (~1 s).
// Outputs are written atomically (temp file + rename); the hash file is updated after each one.
// Exit status 1 if any program failed (the others are still built).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USERLAND = path.join(REPO, 'userland');
const SH_DIR = path.join(USERLAND, 'sh');
const BIN = path.join(USERLAND, 'bin');
const HASHES = path.join(BIN, '.hashes.json');
const DRIVER = path.join(REPO, 'dist', 'src', 'sdk', 'compiler.js');
const SDK_INCLUDE = path.join(REPO, 'sdk', 'include');
const LIBOCCLUM = path.join(REPO, 'sdk', 'lib', 'libocclum.a');
const FORMAT = 'build-userland-1';
const FLAGS = ['-O2'];

// ---- worker: compiles the programs it is sent, one at a time ----

if (!isMainThread) {
  const { runCompiler } = await import(pathToFileURL(workerData.driver).href);
  parentPort.on('message', async (job) => {
    const t0 = performance.now();
    try {
      const r = await runCompiler('cc', [...job.sources, ...job.flags, ...FLAGS, '-o', job.out], { cwd: REPO });
      parentPort.postMessage({ name: job.name, code: r.code, stderr: r.stdout + r.stderr, ms: performance.now() - t0 });
    } catch (e) {
      parentPort.postMessage({ name: job.name, code: -1, stderr: e instanceof Error ? e.stack ?? e.message : String(e), ms: performance.now() - t0 });
    }
  });
} else {
  await main();
}

// ---- main thread ----

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

/** The programs: [{ name, sources (absolute), headers (absolute), flags }], sorted by name. */
function findPrograms() {
  const progs = [];
  const common = path.join(USERLAND, 'common.h');
  const commonHeaders = fs.existsSync(common) ? [common] : [];
  for (const f of fs.readdirSync(USERLAND).sort()) {
    if (!f.endsWith('.c')) continue;
    const p = path.join(USERLAND, f);
    if (!fs.statSync(p).isFile()) continue;
    progs.push({ name: f.slice(0, -2), sources: [p], headers: commonHeaders, flags: [] });
  }
  if (fs.existsSync(SH_DIR) && fs.statSync(SH_DIR).isDirectory()) {
    const files = listFiles(SH_DIR);
    const sources = files.filter((f) => f.endsWith('.c')).map((f) => path.join(SH_DIR, f));
    const headers = files.filter((f) => f.endsWith('.h')).map((f) => path.join(SH_DIR, f));
    // -iquote userland: `#include "common.h"` finds userland/common.h. (`#include "../common.h"`
    // cannot work: the compiler's in-memory file system does not resolve ".." in paths.)
    if (sources.length > 0) progs.push({ name: 'sh', sources, headers: [...commonHeaders, ...headers], flags: ['-iquote', 'userland'] });
  }
  return progs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function hasher() {
  const h = createHash('sha256');
  const field = (s) => {
    const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(b.length));
    h.update(len);
    h.update(b);
  };
  return { field, digest: () => h.digest('hex') };
}

/** The hash of what every program depends on (toolchain, driver, SDK, this script). */
function sharedHash() {
  const { field, digest } = hasher();
  field(FORMAT);
  field(toolchainVersion());
  field(JSON.stringify(FLAGS));
  field(fs.readFileSync(fileURLToPath(import.meta.url)));
  field(fs.readFileSync(DRIVER));
  for (const rel of listFiles(SDK_INCLUDE)) {
    field(`include/${rel}`);
    field(fs.readFileSync(path.join(SDK_INCLUDE, rel)));
  }
  field('libocclum.a');
  field(fs.readFileSync(LIBOCCLUM));
  return digest();
}

function programHash(shared, prog) {
  const { field, digest } = hasher();
  field(shared);
  field(prog.name);
  field(JSON.stringify(prog.flags));
  for (const f of [...prog.sources, ...prog.headers]) {
    field(path.relative(USERLAND, f));
    field(fs.readFileSync(f));
  }
  return digest();
}

function readHashes() {
  try {
    const h = JSON.parse(fs.readFileSync(HASHES, 'utf8'));
    return h && typeof h === 'object' && !Array.isArray(h) ? h : {};
  } catch {
    return {};
  }
}

function writeHashes(h) {
  const tmp = `${HASHES}.${process.pid}.tmp`;
  const sorted = Object.fromEntries(Object.entries(h).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  fs.writeFileSync(tmp, JSON.stringify(sorted, null, 2) + '\n');
  fs.renameSync(tmp, HASHES);
}

function parseCli(argv) {
  const opts = { force: false, quiet: false, jobs: os.cpus().length >= 2 ? 2 : 1, names: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--force') opts.force = true;
    else if (a === '--quiet') opts.quiet = true;
    else if (a === '--jobs' || a === '-j') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) fail(`--jobs needs a positive integer`);
      opts.jobs = n;
    } else if (a === '--help' || a === '-h') {
      console.log('Usage: node scripts/build-userland.js [--force] [--quiet] [--jobs N] [name...]');
      process.exit(0);
    } else if (a.startsWith('-')) fail(`unknown option ${a}; see --help`);
    else opts.names.push(a);
  }
  return opts;
}

function fail(msg) {
  console.error(`build-userland: ${msg}`);
  process.exit(1);
}

async function main() {
  const t0 = performance.now();
  const opts = parseCli(process.argv.slice(2));
  const log = (s) => { if (!opts.quiet) console.log(s); };
  if (!fs.existsSync(DRIVER)) fail(`${path.relative(REPO, DRIVER)} is missing; run \`tsc -p tsconfig.json\` first`);
  if (!fs.existsSync(LIBOCCLUM)) fail(`${path.relative(REPO, LIBOCCLUM)} is missing; run \`node scripts/build-sdk.js\` first`);

  let progs = findPrograms();
  if (opts.names.length > 0) {
    const known = new Set(progs.map((p) => p.name));
    for (const n of opts.names) if (!known.has(n)) fail(`no program named ${n} (userland/${n}.c or userland/sh/)`);
    progs = progs.filter((p) => opts.names.includes(p.name));
  }
  fs.mkdirSync(BIN, { recursive: true });
  const hashes = readHashes();

  // outputs whose source is gone (only ones this script made, i.e. recorded in the hash file)
  if (opts.names.length === 0) {
    const names = new Set(progs.map((p) => p.name));
    for (const name of Object.keys(hashes)) {
      if (names.has(name)) continue;
      fs.rmSync(path.join(BIN, name), { force: true });
      delete hashes[name];
      log(`build-userland: removed userland/bin/${name} (its source is gone)`);
    }
    writeHashes(hashes);
  }

  const shared = sharedHash();
  const todo = [];
  for (const p of progs) {
    p.hash = programHash(shared, p);
    const out = path.join(BIN, p.name);
    if (!opts.force && hashes[p.name] === p.hash && fs.existsSync(out)) {
      // up to date; keep it newer than its sources (a checkout touches them) for mtime-based checks
      const newest = Math.max(...[...p.sources, ...p.headers].map((f) => fs.statSync(f).mtimeMs));
      if (fs.statSync(out).mtimeMs < newest) {
        const now = new Date();
        fs.utimesSync(out, now, now);
      }
      continue;
    }
    todo.push(p);
  }
  if (todo.length === 0) {
    log(`build-userland: ${progs.length} programs up to date in userland/bin (${((performance.now() - t0) / 1000).toFixed(2)} s)`);
    return;
  }

  const failed = [];
  let built = 0;
  const nworkers = Math.min(opts.jobs, todo.length);
  const queue = [...todo];
  const byName = new Map(todo.map((p) => [p.name, p]));
  await Promise.all(Array.from({ length: nworkers }, () => new Promise((resolve, reject) => {
    const w = new Worker(fileURLToPath(import.meta.url), { workerData: { driver: DRIVER } });
    const next = () => {
      const p = queue.shift();
      if (p === undefined) {
        void w.terminate().then(() => resolve());
        return;
      }
      p.tmp = path.join(BIN, `.${p.name}.${process.pid}.tmp`);
      w.postMessage({ name: p.name, sources: p.sources.map((s) => path.relative(REPO, s)), flags: p.flags, out: path.relative(REPO, p.tmp) });
    };
    w.on('message', (m) => {
      const p = byName.get(m.name);
      const out = path.join(BIN, p.name);
      if (m.code === 0 && fs.existsSync(p.tmp)) {
        fs.chmodSync(p.tmp, 0o755);
        fs.renameSync(p.tmp, out);
        hashes[p.name] = p.hash;
        writeHashes(hashes);
        built++;
        if (m.stderr.trim() !== '') process.stderr.write(m.stderr.endsWith('\n') ? m.stderr : m.stderr + '\n');
        if (!opts.quiet && process.env.BUILD_USERLAND_VERBOSE) log(`  ${p.name}: ${(m.ms / 1000).toFixed(2)} s`);
      } else {
        fs.rmSync(p.tmp, { force: true });
        // a stale binary would be tested and installed as if it were current: remove it
        fs.rmSync(out, { force: true });
        delete hashes[p.name];
        writeHashes(hashes);
        failed.push(p.name);
        process.stderr.write(`build-userland: ${p.name} failed (exit code ${m.code}):\n${m.stderr}${m.stderr.endsWith('\n') ? '' : '\n'}`);
      }
      next();
    });
    w.on('error', reject);
    next();
  })));

  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  const upToDate = progs.length - todo.length;
  log(`build-userland: built ${built} program${built === 1 ? '' : 's'}${upToDate ? `, ${upToDate} up to date` : ''} in userland/bin, ${secs} s (${nworkers} worker${nworkers === 1 ? '' : 's'})`);
  if (failed.length > 0) {
    console.error(`build-userland: failed: ${failed.join(' ')}`);
    process.exitCode = 1;
  }
}
