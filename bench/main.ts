// Benchmark entry point: `node dist/bench/main.js [names...] [--json] [--quick]` (npm run bench).
//
// Runs the named benchmarks (all when none is named) one after another and prints one table per
// benchmark, or with --json only a JSON array of {bench, case, unit, value, compare} on stdout.
// Table columns: the occlum-ts figure, its target, the other systems' figures, then the ratios
// occlum-ts / other system (columns headed "/<system>").
// Progress goes to stderr. A benchmark that fails is reported on stderr and the exit code is 1;
// the others still run. To add a benchmark, write bench/<name>.ts exporting a `Benchmark`
// (bench/harness.ts) and list it in BENCHMARKS.
import * as os from 'node:os';
import { BenchError, nativeCompiler, System, type Benchmark, type BenchRow } from './harness.js';
import { syscallBench } from './syscall.js';
import { computeBench } from './compute.js';
import { spawnBench, pipeBench } from './process.js';
import { diskBench } from './disk.js';
import { fsBench } from './fs.js';

const BENCHMARKS: Benchmark[] = [syscallBench, computeBench, spawnBench, pipeBench, diskBench, fsBench];

function usage(): string {
  const names = BENCHMARKS.map((b) => `  ${b.name.padEnd(10)} ${b.description}`).join('\n');
  return `usage: node dist/bench/main.js [names...] [--json] [--quick]\n\nbenchmarks:\n${names}\n\n` +
    `  --json   print only a JSON array of {bench, case, unit, value, compare} on stdout\n` +
    `  --quick  fewer iterations and repetitions (whole run under a minute)\n`;
}

// ---------------------------------------------------------------------------------------------
// Table output

function fmt(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '-';
  const a = Math.abs(v);
  if (a >= 1000 || Number.isInteger(v)) return Math.round(v).toString();
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function ratio(a: number, b: number | undefined): string {
  if (b === undefined || !Number.isFinite(b) || b === 0 || !Number.isFinite(a)) return '-';
  return `${(a / b).toFixed(2)}x`;
}

function renderTable(bench: Benchmark, rows: BenchRow[]): string {
  const ratioSystems = bench.ratioSystems ?? bench.systems;
  const header = ['case', 'unit', System.libos, 'target', ...bench.systems, ...ratioSystems.map((s) => `/${s}`)];
  const body = rows.map((r) => [
    r.case,
    r.unit,
    fmt(r.value),
    r.target ? `${r.target.text} ${r.target.met ? 'ok' : 'MISS'}` : '',
    ...bench.systems.map((s) => fmt(r.compare[s])),
    ...ratioSystems.map((s) => (r.ratios === false ? '' : ratio(r.value, r.compare[s]))),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 || i === 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [
    `${bench.name}: ${bench.description}`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
  ].join('\n');
}

function environment(quick: boolean): string {
  const cpus = os.cpus();
  return [
    `# occlum-ts benchmarks (${quick ? 'quick' : 'full'} run), ${new Date().toISOString()}`,
    `# node ${process.version}, ${cpus.length} x ${cpus[0]?.model ?? 'unknown CPU'}, ${os.platform()} ${os.release()}`,
    `# native: ${nativeCompiler() ?? 'gcc not found'}`,
    `# load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other load skews latency: the channel spins on both cores)`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main(argv: string[]): Promise<number> {
  let json = false, quick = false;
  const names: string[] = [];
  for (const a of argv) {
    if (a === '--json') json = true;
    else if (a === '--quick') quick = true;
    else if (a === '--help' || a === '-h') { process.stdout.write(usage()); return 0; }
    else if (a.startsWith('-')) { process.stderr.write(`bench: unknown option ${a}\n${usage()}`); return 2; }
    else names.push(a);
  }
  const unknown = names.filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')} (have: ${BENCHMARKS.map((b) => b.name).join(', ')})\n`);
    return 2;
  }
  const selected = names.length === 0 ? BENCHMARKS : BENCHMARKS.filter((b) => names.includes(b.name));
  const progress = (msg: string) => process.stderr.write(`# ${msg}\n`);

  if (!json) process.stdout.write(environment(quick) + '\n');
  const all: BenchRow[] = [];
  let failed = 0;
  const t0 = performance.now();
  for (const bench of selected) {
    const start = performance.now();
    try {
      const rows = await bench.run({ quick, progress });
      all.push(...rows);
      if (!json) process.stdout.write(`\n${renderTable(bench, rows)}\n`);
      progress(`${bench.name}: done in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    } catch (e) {
      failed++;
      const msg = e instanceof BenchError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
      process.stderr.write(`bench ${bench.name} failed: ${msg}\n`);
    }
  }
  progress(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (json) {
    const out = all.map((r) => ({ bench: r.bench, case: r.case, unit: r.unit, value: r.value, compare: r.compare }));
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  }
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    // Exit explicitly: a leaked worker or handle in the runtime must not hang the benchmark run.
    process.stdout.write('', () => process.exit(code));
  },
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
