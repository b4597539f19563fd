// Runs a WASI command under Node's own node:wasi (preview1), the baseline the LibOS is compared to.
//
//   node dist/bench/wasi-runner.js [--shared] [--dir HOSTDIR] <program.wasm> [args...]
//
// The program's stdout/stderr are this process's fds 1 and 2 (node:wasi writes to real fds); the
// exit status is the program's. `/` is preopened at HOSTDIR (default: the OS temp dir), the same
// fd (3) that the LibOS preopens its root at; the environment is empty, as in the LibOS runs.
// With --shared, the module is first rewritten the way the LibOS rewrites it
// (src/runtime/wasm-module.ts: memory becomes an imported *shared* memory), to measure what
// shared memory alone costs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { WASI } from 'node:wasi';
import { prepareModule } from '../src/runtime/wasm-module.js';

function usage(): never {
  process.stderr.write('usage: wasi-runner [--shared] [--dir HOSTDIR] <program.wasm> [args...]\n');
  process.exit(2);
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let shared = false;
  let dir = os.tmpdir();
  while (argv[0]?.startsWith('--')) {
    const opt = argv.shift()!;
    if (opt === '--shared') shared = true;
    else if (opt === '--dir') dir = argv.shift() ?? usage();
    else usage();
  }
  const wasm = argv.shift() ?? usage();
  const bytes = fs.readFileSync(wasm);

  const wasi = new WASI({ version: 'preview1', args: [wasm, ...argv], env: {}, returnOnExit: true, preopens: { '/': dir } });
  const imports = wasi.getImportObject() as WebAssembly.Imports;
  let module: WebAssembly.Module;
  if (shared) {
    const prepared = prepareModule(bytes);
    module = await WebAssembly.compile(prepared.bytes);
    const { module: mod, name, initial, maximum } = prepared.memory;
    const memory = new WebAssembly.Memory({ initial, maximum, shared: true });
    imports[mod] = { ...(imports[mod] ?? {}), [name]: memory };
  } else {
    module = await WebAssembly.compile(bytes);
  }
  const instance = await WebAssembly.instantiate(module, imports);
  return wasi.start(instance as unknown as object);
}

main().then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    process.stderr.write(`wasi-runner: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 70;
  },
);
