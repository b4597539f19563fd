#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with Node's built-in test runner.
// Extra arguments filter test files by substring: `npm test -- fuzz files`.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, 'dist', 'test');
const files = [];
(function walk(d) {
  for (const name of readdirSync(d).sort()) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js')) files.push(p);
  }
})(dir);
const filters = process.argv.slice(2);
const chosen = filters.length ? files.filter((f) => filters.some((s) => f.includes(s))) : files;
if (chosen.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', ...chosen], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
