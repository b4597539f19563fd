#!/usr/bin/env node
// occlum: the command line of occlum-ts (new, init, build, run, status...); see src/cli/occlum.ts.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/occlum.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('occlum: the project is not built; run `npm run build`\n');
  process.exit(1);
}
let cli;
try {
  ({ cli } = await import(entry.href));
} catch (e) {
  const msg = e && e.message ? String(e.message).split('\n')[0] : String(e);
  process.stderr.write(`occlum: cannot load the compiled CLI (${msg}); run \`npm run build\`\n`);
  process.exit(1);
}
await cli(process.argv.slice(2));
