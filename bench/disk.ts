// disk: fio-style block-device jobs on SwornDisk vs PfsDisk (SGX-PFS design, two cache sizes) vs
// CryptDisk (encryption only: the ceiling), all in one process, one run, one host file system
// (sworndisk-reference.md §4 B and §5).
//
// Jobs (QD1, one request at a time, `size` bytes each: 1 GiB, --quick 64 MiB, or
// OCCLUM_BENCH_DISK_MIB; the logical disk is `size` bytes, so every job touches the whole disk):
//   seq-write-256K, rand-write-4K/32K/256K (seeded permutation of the bs-aligned slots: each slot
//   written exactly once, fio randommap + randrepeat), final flush() inside the timed region
//   (fsync_on_close=1);
//   seq-read-256K, rand-read-4K/32K/256K (seeded permutation, each slot read once) on the image the
//   seq-write job left, each after close + reopen (cold in-process caches);
//   seq-read-256K (aged): the same, on the image the rand-write-4K job left (for SwornDisk, LBA
//   order no longer matches HBA order).
// Order: for each job, SwornDisk, PfsDisk-48, PfsDisk-<N>, CryptDisk back to back, so that machine
// noise hits all alike.
//
// Images (host files under a temp dir in os.tmpdir(), deleted at the end):
// - SwornDisk: a fresh disk for every write job (as in the reference), formatted over one
//   preallocated host file (zero-filled before the first job, untimed), so that no system pays
//   host file-system block allocation in the timed region; the reads use the image of the
//   seq-write job, the aged read the image of the rand-write-4K job.
// - PfsDisk and CryptDisk are in-place designs: each image is PREFILLED once (untimed: every block
//   written, flushed), then every write job overwrites it. PfsDisk's image is sparse until written
//   (a never-written node costs no read and no recovery copy), so only a prefilled image shows
//   SGX's real overwrite costs (read-verify of the old node, recovery-file copy, MHT path).
//   CryptDisk is prefilled too (a dm-crypt volume over an allocated device; no host-FS allocation in
//   the timed region), which can only raise the ceiling.
//
// Memory: SwornDisk runs with its defaults stated explicitly: a 4 MiB write buffer (1024 blocks),
// a 4 MiB read cache (1024 blocks) and a 16 MiB index-node cache (4096 blocks), i.e. 6144 blocks =
// 24 MiB of block buffers. The equal-memory PfsDisk gets the same: a 6144-node cache (24 MiB). Not
// counted on either side: SwornDisk's 4 MiB ciphertext staging buffer and its memtable (48 B per
// record, ≤ 3 MiB), PfsDisk's per-node ciphertext copies. PfsDisk-48 is SGX's default
// (MAX_PAGES_IN_CACHE, 192 KiB).
// SwornDisk's memtable capacity is 65536 records (the reference: compaction does happen in a
// 1 GiB run: 4 minor compactions per 1 GiB write job); smaller jobs scale it to size/4 blocks so
// that --quick exercises compaction as often.
//
// Metrics: MiB/s of user data (wall time, final flush included for writes); WAF = host bytes
// written ÷ user bytes, RAF = host bytes read ÷ user bytes, fsyncs = raw flush() calls, all from
// the counting wrapper (CountingDevice/CountingStore) around each system's host files.
// Load: the machine may be shared. Each measurement also reads the main thread's run-queue wait
// (/proc/thread-self/schedstat: time runnable but not running) and reports MiB/s over (wall - that wait)
// as "excl. runq wait" rows: an estimate of an unloaded machine (the disks run on the main
// thread: crypto and fs calls are synchronous; fsync time stays in). Exception: SwornDisk
// encrypts data segments (and decrypts long read runs) in worker threads as well
// (HostCrypto.aesGcmEncryptBlocks), so its adjusted figure is rougher, in either direction: the
// workers' own run-queue wait is not subtracted, and they may progress while the main thread waits.
// Caveat: Node cannot do O_DIRECT, so host I/O goes through the host page cache. Writes end with
// fdatasync (their data reaches the device), but reads are served from the page cache (the image
// was just written and the machine has RAM to spare): read figures measure the disk's CPU work
// (lookup, decryption, verification, syscalls), not the device.
//
// Every read checks the stamp (LBA, generation) at the start of each block: a disk returning
// wrong data fails the benchmark.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BenchError, geomean, type Benchmark, type BenchOptions, type BenchRow, type Target } from './harness.js';
import { BLOCK_SIZE, type BlockDevice } from '../src/storage/block-device.js';
import { CountingDevice, CountingStore, diffIoStats, newIoStats, type IoStats } from '../src/storage/counting-device.js';
import { HostBlockFile, HostDirStore } from '../src/host/block-file.js';
import { nodeCrypto } from '../src/host/node-crypto.js';
import { PfsDisk } from '../src/storage/pfs/pfs-disk.js';
import { SwornDisk } from '../src/storage/sworndisk/sworndisk.js';
import { rawBlocksFor, SEGMENT_BLOCKS } from '../src/storage/sworndisk/layout.js';
import { CryptDisk } from '../src/storage/crypt-disk.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** SwornDisk's block buffers (see the header): write buffer + read cache + node cache. */
const SD_READ_CACHE = 1024;
const SD_NODE_CACHE = 4096;
const SD_MEMTABLE = 65536;
const EQUAL_MEMORY_NODES = SEGMENT_BLOCKS + SD_READ_CACHE + SD_NODE_CACHE; // 6144 = 24 MiB

const S = {
  sworn: 'SwornDisk',
  pfs48: 'PfsDisk-48',
  pfsEq: `PfsDisk-${EQUAL_MEMORY_NODES}`,
  crypt: 'CryptDisk',
} as const;
const COMPARE = [S.pfs48, S.pfsEq, S.crypt];
const PFS = [S.pfs48, S.pfsEq];

/** Targets (the issue). */
const T_WRITE_EACH = 3;
const T_WRITE_GEOMEAN = 5;
const T_WAF_4K = 1.1;
const T_READ = 1.0;
const T_SEQ_VS_CRYPT = 0.5;

// ---------------------------------------------------------------------------------------------
// Jobs

interface Job {
  name: string;
  write: boolean;
  bs: number;
  random: boolean;
  seed: number;
}

const SEQ_WRITE: Job = { name: 'seq-write-256K', write: true, bs: 256 * KiB, random: false, seed: 0 };
const RAND_WRITE: Job[] = [
  { name: 'rand-write-4K', write: true, bs: 4 * KiB, random: true, seed: 11 },
  { name: 'rand-write-32K', write: true, bs: 32 * KiB, random: true, seed: 12 },
  { name: 'rand-write-256K', write: true, bs: 256 * KiB, random: true, seed: 13 },
];
const READS: Job[] = [
  { name: 'seq-read-256K', write: false, bs: 256 * KiB, random: false, seed: 0 },
  { name: 'rand-read-4K', write: false, bs: 4 * KiB, random: true, seed: 21 },
  { name: 'rand-read-32K', write: false, bs: 32 * KiB, random: true, seed: 22 },
  { name: 'rand-read-256K', write: false, bs: 256 * KiB, random: true, seed: 23 },
];
const AGED_READ: Job = { name: 'seq-read-256K (aged)', write: false, bs: 256 * KiB, random: false, seed: 0 };
const WRITE_JOBS = [SEQ_WRITE, ...RAND_WRITE];

/** mulberry32: a small seeded PRNG (the permutations must be the same for every system). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Slot order of a job: 0..n-1, or a seeded Fisher-Yates permutation. */
function slotOrder(n: number, job: Job): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  if (!job.random) return a;
  const r = prng(job.seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = a[i]!; a[i] = a[j]!; a[j] = t;
  }
  return a;
}

// ---------------------------------------------------------------------------------------------
// Systems

interface Sys {
  name: string;
  /** Counters of every host file of this system. */
  stats: IoStats;
  /** The device a write job runs on (fresh SwornDisk, or the prefilled in-place image). */
  forWrite(): Promise<BlockDevice>;
  /** Reopens the current image (cold in-process caches). */
  reopen(): Promise<BlockDevice>;
  /** Untimed preparation: create (and, for in-place designs, prefill) the image. */
  prepare(fill: (d: BlockDevice) => Promise<void>): Promise<void>;
}

function makeSystems(dir: string, nblocks: number, memtable: number): Sys[] {
  const key32 = nodeCrypto.randomBytes(32);
  const key16 = nodeCrypto.randomBytes(16);

  const swornFile = path.join(dir, 'sworndisk.img');
  const swornStats = newIoStats();
  const swornOpts = { nodeCacheBlocks: SD_NODE_CACHE, readCacheBlocks: SD_READ_CACHE, memtableCapacity: memtable };
  const sworn: Sys = {
    name: S.sworn,
    stats: swornStats,
    async forWrite() {
      // A fresh SwornDisk on a preallocated host file (like a partition): the first job zero-fills
      // it, later jobs format over the previous image. create() ends with a raw flush, so the
      // zeros are durable before the timed region. The old image's blocks fail authentication
      // under the new disk's keys (fresh disk id).
      const raw = new CountingDevice(HostBlockFile.open(swornFile, { nblocks: rawBlocksFor(nblocks), zeroFill: true }), swornStats);
      return SwornDisk.create(raw, key32, nodeCrypto, { ...swornOpts, logicalBlocks: nblocks });
    },
    async reopen() {
      return SwornDisk.open(new CountingDevice(HostBlockFile.open(swornFile), swornStats), key32, nodeCrypto, swornOpts);
    },
    async prepare() { /* fresh disk per write job */ },
  };

  const pfs = (name: string, cacheSize: number): Sys => {
    const store = new CountingStore(new HostDirStore(path.join(dir, name)));
    const o = { key: key16, crypto: nodeCrypto, cacheSize };
    return {
      name,
      stats: store.stats,
      forWrite: () => PfsDisk.openIn(store, o),
      reopen: () => PfsDisk.openIn(store, o),
      async prepare(fill) {
        const d = await PfsDisk.createIn(store, { ...o, nblocks });
        await fill(d);
        await d.close();
      },
    };
  };

  const cryptFile = path.join(dir, 'cryptdisk.img');
  const cryptStats = newIoStats();
  const cryptOpen = (create: boolean) =>
    new CryptDisk(new CountingDevice(HostBlockFile.open(cryptFile, create ? { nblocks } : { create: false }), cryptStats), { key: key16, crypto: nodeCrypto });
  const crypt: Sys = {
    name: S.crypt,
    stats: cryptStats,
    forWrite: async () => cryptOpen(false),
    reopen: async () => cryptOpen(false),
    async prepare(fill) {
      const d = cryptOpen(true);
      await fill(d);
      await d.close();
    },
  };

  return [sworn, pfs(S.pfs48, 48), pfs(S.pfsEq, EQUAL_MEMORY_NODES), crypt];
}

// ---------------------------------------------------------------------------------------------
// Running a job

interface Result {
  mibps: number;
  /** MiB/s over (wall - run-queue wait of the main thread); = mibps where schedstat is missing. */
  adjMibps: number;
  ms: number;
  /** Main thread's time runnable but not running (ms), or 0. */
  runqMs: number;
  cpuPct: number;
  io: IoStats;
  /** Bytes of user data moved. */
  bytes: number;
}

/** Writes (LBA, generation) at the start of each block of buf[0, len). */
function stamp(view: DataView, len: number, lba: number, gen: number): void {
  for (let off = 0, l = lba; off < len; off += BLOCK_SIZE, l++) {
    view.setUint32(off, l, true);
    view.setUint32(off + 4, gen, true);
  }
}

function check(view: DataView, len: number, lba: number, gen: number, what: string): void {
  for (let off = 0, l = lba; off < len; off += BLOCK_SIZE, l++) {
    const gotL = view.getUint32(off, true), gotG = view.getUint32(off + 4, true);
    if (gotL !== l || gotG !== gen) {
      throw new BenchError(`${what}: block ${l} holds (lba ${gotL}, generation ${gotG}), expected (lba ${l}, generation ${gen})`);
    }
  }
}

/** [on-cpu ns, run-queue wait ns] of the main thread (Linux), or null. */
function schedstat(): [number, number] | null {
  try {
    const f = fs.readFileSync('/proc/thread-self/schedstat', 'utf8').trim().split(/\s+/).map(Number);
    return Number.isFinite(f[0]) && Number.isFinite(f[1]) ? [f[0]!, f[1]!] : null;
  } catch {
    return null;
  }
}

class Runner {
  private readonly data: Uint8Array;
  private readonly view: DataView;
  private readonly orders = new Map<string, Uint32Array>();

  constructor(readonly nblocks: number) {
    this.data = nodeCrypto.randomBytes(256 * KiB);
    this.view = new DataView(this.data.buffer, this.data.byteOffset, this.data.byteLength);
  }

  private order(job: Job): Uint32Array {
    const k = `${job.bs}/${job.random}/${job.seed}`;
    let o = this.orders.get(k);
    if (!o) {
      o = slotOrder((this.nblocks * BLOCK_SIZE) / job.bs, job);
      this.orders.set(k, o);
    }
    return o;
  }

  /** Untimed sequential fill of the whole disk with generation `gen`, then flush. */
  async fill(d: BlockDevice, gen: number): Promise<void> {
    const nb = this.data.length / BLOCK_SIZE;
    for (let lba = 0; lba < this.nblocks; lba += nb) {
      const n = Math.min(nb, this.nblocks - lba);
      stamp(this.view, n * BLOCK_SIZE, lba, gen);
      await d.write(lba, this.data.subarray(0, n * BLOCK_SIZE));
    }
    await d.flush();
  }

  async write(d: BlockDevice, job: Job, gen: number, stats: IoStats): Promise<Result> {
    const order = this.order(job);
    const nb = job.bs / BLOCK_SIZE;
    const buf = this.data.subarray(0, job.bs);
    const io0 = { ...stats };
    const sch0 = schedstat();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < order.length; i++) {
      const lba = order[i]! * nb;
      stamp(this.view, job.bs, lba, gen);
      await d.write(lba, buf);
    }
    await d.flush();
    return this.result(t0, cpu0, sch0, diffIoStats(stats, io0), order.length * job.bs);
  }

  async read(d: BlockDevice, job: Job, gen: number, stats: IoStats, what: string): Promise<Result> {
    const order = this.order(job);
    const nb = job.bs / BLOCK_SIZE;
    const buf = new Uint8Array(job.bs);
    const view = new DataView(buf.buffer);
    const io0 = { ...stats };
    const sch0 = schedstat();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < order.length; i++) {
      const lba = order[i]! * nb;
      await d.read(lba, buf);
      check(view, job.bs, lba, gen, what);
    }
    return this.result(t0, cpu0, sch0, diffIoStats(stats, io0), order.length * job.bs);
  }

  private result(t0: number, cpu0: NodeJS.CpuUsage, sch0: [number, number] | null, io: IoStats, bytes: number): Result {
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const sch1 = schedstat();
    const runqMs = sch0 && sch1 ? Math.max(0, Math.min(ms, (sch1[1] - sch0[1]) / 1e6)) : 0;
    const mibps = bytes / MiB / (ms / 1000);
    return {
      mibps, adjMibps: bytes / MiB / ((ms - runqMs) / 1000), ms, runqMs,
      cpuPct: ((cpu.user + cpu.system) / 1000 / ms) * 100, io, bytes,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Rows

type PerSystem = Map<string, Result>;

const fmtX = (x: number) => `${x.toFixed(2)}x`;
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

function describe(sys: string, job: string, r: Result, extra = ''): string {
  const waf = r.io.writeBytes / r.bytes, raf = r.io.readBytes / r.bytes;
  return `disk: ${job.padEnd(21)} ${sys.padEnd(13)} ${r.mibps.toFixed(1).padStart(7)} MiB/s  ${(r.ms / 1000).toFixed(2).padStart(6)} s  cpu ${r.cpuPct.toFixed(0).padStart(3)}%  `
    + `runq wait ${(r.runqMs / 1000).toFixed(2)} s (excl.: ${r.adjMibps.toFixed(1)} MiB/s)  `
    + `WAF ${waf.toFixed(3)} RAF ${raf.toFixed(3)}  host writes ${r.io.writeOps} reads ${r.io.readOps} fsyncs ${r.io.flushes}${extra}`;
}

function row(caseName: string, unit: string, res: PerSystem, f: (r: Result) => number, target?: Target, ratios = true): BenchRow {
  const compare: Record<string, number> = {};
  for (const s of COMPARE) compare[s] = f(res.get(s)!);
  const r: BenchRow = { bench: 'disk', case: caseName, unit, value: f(res.get(S.sworn)!), compare };
  if (target) r.target = target;
  if (!ratios) r.ratios = false;
  return r;
}

/** The throughput rows (per job, summaries, targets) for one metric: wall MiB/s or adjusted. */
function throughputRows(results: Map<string, PerSystem>, f: (r: Result) => number, suffix: string): BenchRow[] {
  const rows: BenchRow[] = [];
  const get = (j: Job) => results.get(j.name)!;
  const speedup = (res: PerSystem, sys: string) => f(res.get(S.sworn)!) / f(res.get(sys)!);

  // Writes.
  for (const j of WRITE_JOBS) {
    const res = get(j);
    const minPfs = Math.min(...PFS.map((s) => speedup(res, s)));
    let target: Target = { text: `pfs>=${T_WRITE_EACH}x (${fmtX(minPfs)})`, met: minPfs >= T_WRITE_EACH };
    if (j === SEQ_WRITE) {
      const vc = speedup(res, S.crypt);
      target = { text: `${target.text} crypt>=${T_SEQ_VS_CRYPT}x (${fmtX(vc)})`, met: target.met && vc >= T_SEQ_VS_CRYPT };
    }
    rows.push(row(`${j.name}${suffix}`, 'MiB/s', res, f, target));
  }
  const gm: Record<string, number> = {};
  for (const s of [S.sworn, ...COMPARE]) gm[s] = geomean(WRITE_JOBS.map((j) => f(get(j).get(s)!)));
  const gmPfs = Math.min(...PFS.map((s) => gm[S.sworn]! / gm[s]!));
  rows.push({
    bench: 'disk', case: `write geomean${suffix}`, unit: 'MiB/s', value: gm[S.sworn]!,
    compare: Object.fromEntries(COMPARE.map((s) => [s, gm[s]!])),
    target: { text: `pfs>=${T_WRITE_GEOMEAN}x (${fmtX(gmPfs)})`, met: gmPfs >= T_WRITE_GEOMEAN },
  });
  const minOver = (s: string) => Math.min(...WRITE_JOBS.map((j) => speedup(get(j), s)));
  const minPfsAll = Math.min(...PFS.map(minOver));
  rows.push({
    bench: 'disk', case: `write min SwornDisk÷sys${suffix}`, unit: 'x', value: minPfsAll,
    compare: Object.fromEntries(COMPARE.map((s) => [s, minOver(s)])),
    target: { text: `pfs>=${T_WRITE_EACH}x`, met: minPfsAll >= T_WRITE_EACH }, ratios: false,
  });

  // Reads.
  for (const j of READS) {
    const res = get(j);
    const minPfs = Math.min(...PFS.map((s) => speedup(res, s)));
    rows.push(row(`${j.name}${suffix}`, 'MiB/s', res, f, { text: `pfs>=${T_READ.toFixed(1)}x (${fmtX(minPfs)})`, met: minPfs >= T_READ }));
  }
  const minRead = (s: string) => Math.min(...READS.map((j) => speedup(get(j), s)));
  const minReadPfs = Math.min(...PFS.map(minRead));
  rows.push({
    bench: 'disk', case: `read min SwornDisk÷sys${suffix}`, unit: 'x', value: minReadPfs,
    compare: Object.fromEntries(COMPARE.map((s) => [s, minRead(s)])),
    target: { text: `pfs>=${T_READ.toFixed(1)}x`, met: minReadPfs >= T_READ }, ratios: false,
  });
  rows.push(row(`${AGED_READ.name}${suffix}`, 'MiB/s', get(AGED_READ), f));
  return rows;
}

function buildRows(results: Map<string, PerSystem>): BenchRow[] {
  const get = (j: Job) => results.get(j.name)!;
  const rows: BenchRow[] = [
    ...throughputRows(results, (r) => r.mibps, ''),
    ...throughputRows(results, (r) => r.adjMibps, ', excl. runq wait'),
  ];

  // Amplification and fsyncs.
  for (const j of WRITE_JOBS) {
    const res = get(j);
    const waf = (r: Result) => r.io.writeBytes / r.bytes;
    const t = j === RAND_WRITE[0] ? { text: `<=${T_WAF_4K}`, met: waf(res.get(S.sworn)!) <= T_WAF_4K } : undefined;
    rows.push(row(`${j.name} WAF`, 'x', res, waf, t, false));
  }
  for (const j of WRITE_JOBS) rows.push(row(`${j.name} RAF`, 'x', get(j), (r) => r.io.readBytes / r.bytes, undefined, false));
  for (const j of [...READS, AGED_READ]) rows.push(row(`${j.name} RAF`, 'x', get(j), (r) => r.io.readBytes / r.bytes, undefined, false));
  for (const j of WRITE_JOBS) rows.push(row(`${j.name} fsyncs`, 'count', get(j), (r) => r.io.flushes, undefined, false));
  const open = results.get('open')!;
  rows.push(row('open (after seq-write)', 'ms', open, (r) => r.ms, undefined, false));
  return rows;
}

// ---------------------------------------------------------------------------------------------

/** Job size in MiB: OCCLUM_BENCH_DISK_MIB, else 1024 (--quick: 64). */
function jobMiB(quick: boolean): number {
  const env = process.env.OCCLUM_BENCH_DISK_MIB;
  if (env !== undefined && env !== '') {
    const v = Number(env);
    if (!Number.isInteger(v) || v < 4 || v % 4 !== 0) throw new BenchError(`OCCLUM_BENCH_DISK_MIB=${env}: want a multiple of 4 (MiB), >= 4`);
    return v;
  }
  return quick ? 64 : 1024;
}

export const diskBench: Benchmark = {
  name: 'disk',
  description: `fio-style jobs, MiB/s: SwornDisk (the occlum-ts column; fresh disk per write job) vs PfsDisk `
    + `(SGX-PFS design; write jobs overwrite a PREFILLED image) with SGX's 48-node cache and with ${EQUAL_MEMORY_NODES} nodes `
    + `(24 MiB = SwornDisk's write buffer + read cache + node cache) vs CryptDisk (encryption only, prefilled; the ceiling); `
    + `ratio columns = SwornDisk ÷ system (higher is better for SwornDisk); reads come from the host page cache`,
  systems: COMPARE,
  ratioSystems: COMPARE,

  async run(opts: BenchOptions): Promise<BenchRow[]> {
    const mib = jobMiB(opts.quick);
    const nblocks = (mib * MiB) / BLOCK_SIZE;
    const memtable = Math.min(SD_MEMTABLE, Math.max(1024, Math.floor(nblocks / 4)));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'occlum-bench-disk-'));
    opts.progress(`disk: ${mib} MiB per job, images in ${dir}; SwornDisk memtable ${memtable} records; PfsDisk caches 48 and ${EQUAL_MEMORY_NODES} nodes; load average ${load()}`);
    const results = new Map<string, PerSystem>();
    const put = (job: string, sys: string, r: Result) => {
      let m = results.get(job);
      if (!m) results.set(job, (m = new Map()));
      m.set(sys, r);
    };
    try {
      const systems = makeSystems(dir, nblocks, memtable);
      const runner = new Runner(nblocks);
      let gen = 1;

      // Untimed: prefill the in-place images.
      for (const s of systems) {
        const t0 = performance.now();
        await s.prepare((d) => runner.fill(d, gen));
        if (s.name !== S.sworn) opts.progress(`disk: prefilled ${s.name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }

      const writeJob = async (job: Job): Promise<void> => {
        gen++;
        opts.progress(`disk: ${job.name} (load average ${load()})`);
        for (const s of systems) {
          const d = await s.forWrite();
          const r = await runner.write(d, job, gen, s.stats);
          let extra = '';
          if (d instanceof SwornDisk) {
            const st = d.stats();
            extra = `  [buffer flushes ${st.bufferFlushes}, minor ${st.minorCompactions} major ${st.majorCompactions} full ${st.fullCompactions} compactions, checkpoints ${st.checkpoints}, journal blocks ${st.journalBlocksWritten}, index nodes written ${st.nodeWrites}]`;
          } else if (d instanceof PfsDisk) {
            extra = `  [internal flushes ${d.stats.internalFlushes} (eviction ${d.stats.evictionFlushes}), recovery node writes ${d.stats.recoveryNodeWrites}]`;
          }
          await d.close();
          opts.progress(describe(s.name, job.name, r, extra));
          put(job.name, s.name, r);
        }
      };

      const readJob = async (job: Job, from: number): Promise<void> => {
        opts.progress(`disk: ${job.name} (load average ${load()})`);
        for (const s of systems) {
          const d = await s.reopen();
          const r = await runner.read(d, job, from, s.stats, `${job.name} on ${s.name}`);
          await d.close();
          opts.progress(describe(s.name, job.name, r));
          put(job.name, s.name, r);
        }
      };

      await writeJob(SEQ_WRITE);
      const seqGen = gen;
      // Open time of the image just written (SwornDisk: journal walk + scan of every index table).
      for (const s of systems) {
        const t0 = performance.now();
        const d = await s.reopen();
        const ms = performance.now() - t0;
        await d.close();
        put('open', s.name, { mibps: 0, adjMibps: 0, ms, runqMs: 0, cpuPct: 0, io: newIoStats(), bytes: 0 });
      }
      for (const j of READS) await readJob(j, seqGen);
      await writeJob(RAND_WRITE[0]!);
      await readJob(AGED_READ, gen);
      for (const j of RAND_WRITE.slice(1)) await writeJob(j);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    opts.progress(`disk: load average at the end ${load()}`);
    return buildRows(results);
  },
};
