// Randomized model test driver for BlockDevices over raw storage (PfsDisk, SwornDisk, and the file
// systems above them). A seeded PRNG drives a long random sequence of write / read / trim / flush /
// clean reopen / crash; every read is checked against an in-memory model (last flushed state +
// unflushed writes). After a crash the disk is reopened over the surviving raw images and its whole
// content is compared with what the target promises (ModelTarget.crashState).
//
// Crash kinds (picked at random at each crash step):
// - abandon:   the process dies between requests; every host write already issued survives.
// - mid-op:    the host dies after a random number k of further host writes (the (k+1)-th is lost)
//              or inside the (k+1)-th raw flush, in whatever request (or flush, or eviction) runs then.
// - power-loss (only if target.survivesReordering): a mid-op crash, after which the writes since
//              each raw device's last flush are also dropped, each with probability 1/2.
//
// A failure throws ModelError naming the target, the seed and the step, with the last operations:
// rerun with the same seed (and `trace: true`) to reproduce.
import type { BlockDevice } from '../../src/storage/block-device.js';
import { BLOCK_SIZE } from '../../src/storage/block-device.js';
import { AdversarialStore } from '../../src/storage/adversarial-device.js';
import type { RawStore } from '../../src/storage/mem-device.js';

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ModelTarget {
  /** Shown in failure messages, e.g. 'pfs cache=8'. */
  name: string;
  /** Capacity of the disk in blocks (the driver's LBAs are below it). */
  nblocks: number;
  /** Creates a fresh disk in `store`. */
  create(store: RawStore): Promise<BlockDevice>;
  /** Opens the disk found in `store` (after a clean close or a crash). */
  open(store: RawStore): Promise<BlockDevice>;
  /**
   * What a crash may leave:
   * - 'last-flush': exactly the state of the last completed flush (SwornDisk). A crash inside
   *   flush() may leave either the previous or the new state.
   * - 'prefix': the state after some prefix of the block writes (and trims) issued since the last
   *   completed flush, no earlier (PfsDisk: eviction flushes persist intermediate states).
   */
  crashState: 'last-flush' | 'prefix';
  /** Also run power-loss crashes (unflushed host writes dropped in any combination). Default false. */
  survivesReordering?: boolean;
  /** Issue trims (default true). */
  trim?: boolean;
}

export type ModelOp = 'write' | 'read' | 'trim' | 'flush' | 'reopen' | 'crash';

export interface ModelOptions {
  seed: number;
  steps: number;
  /** Relative weights; defaults: write 40, read 30, trim 5, flush 8, reopen 1, crash 3. */
  mix?: Partial<Record<ModelOp, number>>;
  /** Largest request, in blocks (default 8). */
  maxRun?: number;
  /** Probability that a request targets the hot set (the first 1/16 of the disk). Default 0.3. */
  hot?: number;
  /** Log every operation to stderr. */
  trace?: boolean;
  /** Use this store instead of a fresh AdversarialStore. */
  store?: AdversarialStore;
}

export interface ModelReport {
  steps: number;
  writes: number;
  reads: number;
  trims: number;
  flushes: number;
  reopens: number;
  crashes: { abandon: number; midOp: number; powerLoss: number };
  /** Crashes after which the disk came back with some (not all, not none) unflushed writes: PFS eviction states. */
  intermediateStates: number;
  blocksWritten: number;
  hostWrites: number;
  store: AdversarialStore;
}

export class ModelError extends Error {}

type Content = Uint8Array | undefined; // undefined = zeros

const POOL_SIZE = 1 << 16;

function sameBlock(a: Content, b: Content): boolean {
  if (a === b) return true;
  if (a && b) return Buffer.compare(a, b) === 0;
  const x = (a ?? b)!;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) return false;
  return true;
}

/** The driver's block header: 'MODL', lba, version (so a wrong block can be named). */
function describe(c: Content): string {
  if (!c) return 'zeros';
  const v = new DataView(c.buffer, c.byteOffset, 16);
  if (v.getUint32(0) === 0x4d4f444c) return `{lba ${v.getUint32(4)}, version ${v.getUint32(8)}}`;
  for (let i = 0; i < c.length; i++) if (c[i] !== 0) return 'garbage';
  return 'zeros';
}

export async function runModel(target: ModelTarget, o: ModelOptions): Promise<ModelReport> {
  const rnd = prng(o.seed);
  const n = target.nblocks;
  const maxRun = Math.max(1, Math.min(o.maxRun ?? 8, n));
  const hot = o.hot ?? 0.3;
  const hotSize = Math.max(maxRun, Math.floor(n / 16));
  const mix: Record<ModelOp, number> = { write: 40, read: 30, trim: 5, flush: 8, reopen: 1, crash: 3, ...o.mix };
  if (target.trim === false) mix.trim = 0;
  const ops = Object.keys(mix) as ModelOp[];
  const total = ops.reduce((s, k) => s + mix[k], 0);
  const store = o.store ?? new AdversarialStore();
  const ctl = store.controller;
  if (target.survivesReordering) ctl.trackUnsynced = true;

  const pool = new Uint8Array(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = (rnd() * 256) | 0;

  const report: ModelReport = {
    steps: 0, writes: 0, reads: 0, trims: 0, flushes: 0, reopens: 0,
    crashes: { abandon: 0, midOp: 0, powerLoss: 0 }, intermediateStates: 0, blocksWritten: 0, hostWrites: 0, store,
  };
  let durable = new Map<number, Content>();
  let current = new Map<number, Content>();
  let pending: Array<[number, Content]> = [];
  let version = 0;
  let step = 0;
  const history: string[] = [];

  const fail = (msg: string): never => {
    throw new ModelError(`model[${target.name}] seed=${o.seed} step=${step}: ${msg}\n  last ops:\n    ${history.slice(-12).join('\n    ')}`);
  };
  const note = (s: string) => {
    history.push(`#${step} ${s}`);
    if (history.length > 64) history.splice(0, history.length - 32);
    if (o.trace) process.stderr.write(`model[${target.name}] #${step} ${s}\n`);
  };
  const pick = (): ModelOp => {
    let r = rnd() * total;
    for (const k of ops) if ((r -= mix[k]) < 0) return k;
    return 'read';
  };
  const range = (): [number, number] => {
    const len = 1 + Math.floor(rnd() * maxRun);
    const span = rnd() < hot ? hotSize : n;
    const lba = Math.min(Math.floor(rnd() * span), n - len);
    return [lba, len];
  };
  const makeBlocks = (lba: number, len: number): Uint8Array => {
    const buf = new Uint8Array(len * BLOCK_SIZE);
    const v = new DataView(buf.buffer);
    for (let i = 0; i < len; i++) {
      const off = Math.floor(rnd() * (POOL_SIZE - BLOCK_SIZE));
      buf.set(pool.subarray(off, off + BLOCK_SIZE), i * BLOCK_SIZE);
      v.setUint32(i * BLOCK_SIZE, 0x4d4f444c);
      v.setUint32(i * BLOCK_SIZE + 4, lba + i);
      v.setUint32(i * BLOCK_SIZE + 8, ++version);
      v.setUint32(i * BLOCK_SIZE + 12, o.seed >>> 0);
    }
    return buf;
  };
  const readAll = async (disk: BlockDevice): Promise<Uint8Array> => {
    const img = new Uint8Array(n * BLOCK_SIZE);
    for (let lba = 0; lba < n; lba += 64) {
      await disk.read(lba, img.subarray(lba * BLOCK_SIZE, Math.min(n, lba + 64) * BLOCK_SIZE));
    }
    return img;
  };
  const blockOf = (img: Uint8Array, lba: number) => img.subarray(lba * BLOCK_SIZE, (lba + 1) * BLOCK_SIZE);
  const checkEquals = (img: Uint8Array, want: Map<number, Content>, what: string) => {
    for (let lba = 0; lba < n; lba++) {
      if (!sameBlock(blockOf(img, lba), want.get(lba))) {
        fail(`${what}: block ${lba} is ${describe(blockOf(img, lba))}, expected ${describe(want.get(lba))}`);
      }
    }
  };

  // Operations that change the model. A write is entered in the model before the disk sees it, so
  // a crash inside it leaves it among the candidate states.
  const doWrite = async (disk: BlockDevice) => {
    const [lba, len] = range();
    const data = makeBlocks(lba, len);
    note(`write ${lba}+${len} (v${version - len + 1}..${version})`);
    for (let i = 0; i < len; i++) {
      const c = data.slice(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE);
      pending.push([lba + i, c]);
      current.set(lba + i, c);
    }
    report.writes++;
    report.blocksWritten += len;
    await disk.write(lba, data);
  };
  const doTrim = async (disk: BlockDevice) => {
    const [lba, len] = range();
    note(`trim ${lba}+${len}`);
    for (let i = 0; i < len; i++) {
      pending.push([lba + i, undefined]);
      current.delete(lba + i);
    }
    report.trims++;
    await disk.trim(lba, len);
  };
  const doRead = async (disk: BlockDevice) => {
    const [lba, len] = range();
    note(`read ${lba}+${len}`);
    const buf = new Uint8Array(len * BLOCK_SIZE);
    report.reads++;
    await disk.read(lba, buf);
    for (let i = 0; i < len; i++) {
      if (!sameBlock(blockOf(buf, i), current.get(lba + i))) {
        fail(`read block ${lba + i}: got ${describe(blockOf(buf, i))}, expected ${describe(current.get(lba + i))}`);
      }
    }
  };
  const doFlush = async (disk: BlockDevice) => {
    note('flush');
    report.flushes++;
    await disk.flush();
    durable = new Map(current);
    pending = [];
  };

  /** After a crash: reopen, and check (and adopt) the state the disk came back with. */
  const recoverAndCheck = async (flushRunning: boolean): Promise<BlockDevice> => {
    ctl.revive();
    let disk: BlockDevice;
    try {
      disk = await target.open(store);
    } catch (e) {
      return fail(`reopen after crash failed: ${(e as Error).message}`);
    }
    const img = await readAll(disk);
    if (target.crashState === 'last-flush') {
      let ok = true;
      for (let lba = 0; lba < n && ok; lba++) ok = sameBlock(blockOf(img, lba), durable.get(lba));
      if (!ok && flushRunning) {
        checkEquals(img, current, 'after a crash inside flush, the disk matches neither the previous nor the new flush');
      } else if (!ok) {
        checkEquals(img, durable, 'after a crash, the disk differs from the last flush');
      }
      durable = new Map(ok ? durable : current);
    } else {
      // Find a prefix j of `pending` whose state equals the image: track the number of blocks where
      // state_j and the image differ.
      const state = new Map(durable);
      let diff = 0;
      for (let lba = 0; lba < n; lba++) if (!sameBlock(blockOf(img, lba), state.get(lba))) diff++;
      let found = diff === 0 ? 0 : -1;
      let best = 0;
      let bestDiff = diff;
      for (let j = 0; j < pending.length; j++) {
        const [lba, c] = pending[j];
        const before = sameBlock(blockOf(img, lba), state.get(lba));
        state.set(lba, c);
        const after = sameBlock(blockOf(img, lba), c);
        diff += (after ? 0 : 1) - (before ? 0 : 1);
        if (diff === 0) found = j + 1;
        if (diff <= bestDiff) [best, bestDiff] = [j + 1, diff];
      }
      if (found < 0) {
        const closest = new Map(durable);
        for (let j = 0; j < best; j++) closest.set(pending[j][0], pending[j][1]);
        const bad: string[] = [];
        for (let lba = 0; lba < n && bad.length < 6; lba++) {
          if (!sameBlock(blockOf(img, lba), closest.get(lba))) bad.push(`block ${lba} is ${describe(blockOf(img, lba))}, expected ${describe(closest.get(lba))}`);
        }
        const seen = pending.map(([lba, c]) => (sameBlock(blockOf(img, lba), c) ? '1' : '0')).join('');
        fail(`after a crash, the disk is not the state of any prefix of the ${pending.length} unflushed block writes ` +
          `(present in the image: ${seen}); ` +
          `the closest is prefix ${best} with ${bestDiff} blocks differing: ${bad.join('; ')}`);
      }
      if (found > 0 && found < pending.length) report.intermediateStates++;
      durable = new Map(durable);
      for (let j = 0; j < found; j++) durable.set(pending[j][0], pending[j][1]);
    }
    for (const [k, v] of [...durable]) if (!v) durable.delete(k);
    current = new Map(durable);
    pending = [];
    return disk;
  };

  let disk = await target.create(store);
  for (step = 0; step < o.steps; step++) {
    const op = pick();
    switch (op) {
      case 'write': await doWrite(disk); break;
      case 'trim': await doTrim(disk); break;
      case 'read': await doRead(disk); break;
      case 'flush': await doFlush(disk); break;
      case 'reopen': {
        note('flush + close + open');
        report.reopens++;
        await disk.flush();
        await disk.close();
        durable = new Map(current);
        pending = [];
        disk = await target.open(store);
        checkEquals(await readAll(disk), current, 'after a clean reopen');
        break;
      }
      case 'crash': {
        const kinds = target.survivesReordering ? 3 : 2;
        const kind = Math.floor(rnd() * kinds);
        if (kind === 0) {
          note('crash (abandon)');
          report.crashes.abandon++;
          ctl.crash();
          disk = await recoverAndCheck(false);
        } else {
          // mid-op: the host dies inside a request; with kind 2 it also loses a random subset of
          // the host writes not yet covered by a flush of their raw device.
          const atFlush = rnd() < 0.3;
          const k = Math.floor(rnd() * (atFlush ? 4 : 40));
          const powerLoss = kind === 2;
          note(`crash after ${k} more host ${atFlush ? 'flushes' : 'writes'}${powerLoss ? ', then power loss' : ''}`);
          if (powerLoss) report.crashes.powerLoss++;
          else report.crashes.midOp++;
          if (atFlush) ctl.crashAfterFlushes(k);
          else ctl.crashAfter(k);
          let flushRunning = false;
          for (let t = 0; t < 64 && !ctl.dead; t++) {
            const r = rnd();
            try {
              if (r < 0.15) {
                flushRunning = true;
                await doFlush(disk);
                flushRunning = false;
              } else if (r < 0.3) await doRead(disk);
              else if (r < 0.35 && target.trim !== false) await doTrim(disk);
              else await doWrite(disk);
            } catch (e) {
              if (!ctl.dead) throw e;
              note(`  (host died: ${(e as Error).message})`);
            }
          }
          if (powerLoss) {
            note(`  power loss (${ctl.unsyncedWrites()} unflushed host writes)`);
            ctl.powerLoss(() => rnd() < 0.5);
          } else if (!ctl.dead) {
            ctl.crash();
          }
          disk = await recoverAndCheck(flushRunning);
        }
        break;
      }
    }
  }
  step = o.steps;
  note('final flush + close + open');
  await disk.flush();
  await disk.close();
  disk = await target.open(store);
  checkEquals(await readAll(disk), current, 'after the final reopen');
  await disk.close();
  report.steps = o.steps;
  report.hostWrites = ctl.writes;
  return report;
}
