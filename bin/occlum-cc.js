#!/usr/bin/env node
// occlum-cc: gcc/clang-like compiler driver producing WebAssembly programs for occlum-ts.
import('../dist/src/sdk/occlum-cc.js').then(
  (m) => m.main('cc', process.argv.slice(2)),
  (e) => {
    process.stderr.write('occlum-cc: cannot load the compiled driver (run `npm run build` first): ' + (e && e.message ? e.message.split('\n')[0] : String(e)) + '\n');
    process.exitCode = 1;
  },
);
