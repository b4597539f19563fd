// `npm run syscalls [-- --json]`: the syscall table with the test files that exercise each call.
// A test file declares what it covers with a line `// covers: name name ...` (Linux syscall names).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syscallTable } from '../kernel/syscall/table.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

function coverage(): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const file of testFiles(join(repo, 'test'))) {
    const rel = relative(repo, file);
    for (const m of readFileSync(file, 'utf8').matchAll(/^\/\/ covers:(.*)$/gm)) {
      for (const name of m[1]!.trim().split(/[\s,]+/).filter(Boolean)) {
        const list = map.get(name) ?? [];
        if (!list.includes(rel)) list.push(rel);
        map.set(name, list);
      }
    }
  }
  return map;
}

const cov = coverage();
const rows = syscallTable().map((r) => ({ name: r.name, status: r.status, tests: cov.get(r.name) ?? [], ...(r.note ? { note: r.note } : {}), via: r.via }));

if (process.argv.includes('--json')) {
  process.stdout.write(JSON.stringify(rows.map(({ name, status, tests }) => ({ name, status, tests })), null, 1) + '\n');
} else {
  const shown = process.argv.includes('--all') ? rows : rows.filter((r) => r.status !== 'enosys');
  for (const r of shown) console.log(`${r.name.padEnd(20)} ${r.status.padEnd(12)} ${r.tests.length ? r.tests.join(' ') : '(no test)'}${r.note ? `  — ${r.note}` : ''}`);
  const count = (s: string) => rows.filter((r) => r.status === s).length;
  console.log(`\n${count('implemented')} implemented, ${count('partial')} partial, ${count('enosys')} ENOSYS of ${rows.length} Linux syscalls` + (process.argv.includes('--all') ? '' : ' (--all lists every one)'));
}
