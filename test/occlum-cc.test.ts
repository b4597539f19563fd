// Tests for occlum-cc / occlum-c++ (src/sdk/compiler.ts, src/sdk/occlum-cc.ts, bin/occlum-cc.js).
// Compiled to dist/test/occlum-cc.test.js; run with `node --test dist/test/occlum-cc.test.js`.
// The CLI is spawned only where the CLI itself is the point (each spawn pays the ~2 s cold start);
// everything else calls runCompiler in this process.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';
import { runCompiler, compileCached } from '../src/sdk/compiler.js';

// tsconfig's lib has no DOM types and @types/node 20 does not declare WebAssembly: the bits used here.
const { WebAssembly: Wasm } = globalThis as unknown as {
  WebAssembly: {
    compile(bytes: Uint8Array): Promise<object>;
    instantiate(module: object, imports: object): Promise<object>;
  };
};

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CC_BIN = path.join(REPO, 'bin', 'occlum-cc.js');

let dir = '';
const cachedOutputs = new Set<string>();

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'occlum-cc-test-'));
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  // Leave the shared cache as we found it (the hashes include this run's temp paths).
  for (const f of cachedOutputs) fs.rmSync(f, { force: true });
});

function write(rel: string, text: string): string {
  const p = path.join(dir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

interface Spawned {
  code: number;
  stdout: string;
  stderr: string;
}

function spawnCli(bin: string, args: string[], cwd: string): Promise<Spawned> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs a WASI command module; returns its exit code and what it wrote to stdout. */
async function runWasm(file: string, args: string[]): Promise<{ code: number; stdout: string }> {
  const bytes = fs.readFileSync(file);
  assert.deepEqual([...bytes.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d], `${file} is not a Wasm module`);
  const outFile = path.join(dir, `stdout-${path.basename(file)}-${Date.now()}.txt`);
  const fd = fs.openSync(outFile, 'w');
  try {
    const wasi = new WASI({ version: 'preview1', args, env: {}, stdout: fd, returnOnExit: true });
    const module = await Wasm.compile(bytes);
    const instance = await Wasm.instantiate(module, wasi.getImportObject());
    const code = wasi.start(instance);
    return { code, stdout: fs.readFileSync(outFile, 'utf8') };
  } finally {
    fs.closeSync(fd);
  }
}

test('occlum-cc CLI: C hello world with argv and exit code', async () => {
  write(
    'hello/hello.c',
    `#include <stdio.h>
#include <occlum.h>
int main(int argc, char **argv) {
  printf("hello from %s, argc=%d, arg1=%s, occlum=%d\\n", argv[0], argc, argc > 1 ? argv[1] : "-", OCCLUM_TS);
  return 42;
}
`,
  );
  const cwd = path.join(dir, 'hello');
  const r = await spawnCli(CC_BIN, ['hello.c', '-o', 'my_app'], cwd);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  const app = path.join(cwd, 'my_app');
  assert.equal(fs.statSync(app).mode & 0o777, 0o755);
  const run = await runWasm(app, ['my_app', 'world']);
  assert.equal(run.stdout, 'hello from my_app, argc=2, arg1=world, occlum=1\n');
  assert.equal(run.code, 42);
});

test('occlum-c++: iostream program', async () => {
  write(
    'cxx/prog.cpp',
    `#include <iostream>
#include <map>
#include <string>
int main(int argc, char **argv) {
  std::map<std::string, int> m{{"one", 1}, {"two", 2}};
  std::cout << "c++ says " << m["two"] << " to " << argv[1] << std::endl;
  return 0;
}
`,
  );
  const cwd = path.join(dir, 'cxx');
  const r = await runCompiler('c++', ['prog.cpp', '-O1', '-o', 'prog'], { cwd });
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  const run = await runWasm(path.join(cwd, 'prog'), ['prog', 'you']);
  assert.equal(run.stdout, 'c++ says 2 to you\n');
  assert.equal(run.code, 0);
});

test('multi-file: -c a.c, -c b.c, then link a.o b.o, with -I, quoted includes and -D', async () => {
  const cwd = path.join(dir, 'multi');
  write('multi/include/mylib/add.h', 'int add(int a, int b);\n');
  write('multi/src/local.h', '#define GREETING "hi"\n');
  write(
    'multi/src/a.c',
    `#include <stdio.h>
#include <mylib/add.h>
#include "local.h"
int main(void) { printf("%s %d %s\\n", GREETING, add(40, 2), NAME); return 0; }
`,
  );
  write('multi/src/b.c', '#include "mylib/add.h"\nint add(int a, int b) { return a + b; }\n');
  let r = await runCompiler('cc', ['-c', 'src/a.c', '-Iinclude', '-DNAME="from-define"', '-O2', '-Wall'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  r = await runCompiler('cc', ['-c', 'src/b.c', '-I', 'include', '-g'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(fs.existsSync(path.join(cwd, 'a.o')), 'a.o written next to the cwd');
  assert.ok(fs.existsSync(path.join(cwd, 'b.o')), 'b.o written next to the cwd');
  r = await runCompiler('cc', ['a.o', 'b.o', '-o', 'prog'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fs.statSync(path.join(cwd, 'prog')).mode & 0o777, 0o755);
  const run = await runWasm(path.join(cwd, 'prog'), ['prog']);
  assert.equal(run.stdout, 'hi 42 from-define\n');

  // Absolute paths (outside the virtual cwd) work too, and -E goes to stdout.
  r = await runCompiler('cc', ['-E', '-DNAME=7', path.join(cwd, 'src', 'a.c'), `-I${path.join(cwd, 'include')}`], {
    cwd: dir,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /int add\(int a, int b\);/);
  assert.ok(r.stdout.includes(`"${path.join(cwd, 'src', 'a.c')}"`), 'line markers show host paths');
  assert.ok(!r.stdout.includes('/.host'), 'no virtual paths leak');
});

test('syntax error: clang diagnostic with the real file name, non-zero exit, no stack trace', async () => {
  const cwd = path.join(dir, 'bad');
  write('bad/bad.c', 'int main(void) {\n  int x = 1;\n  return x +;\n}\n');
  const r = await spawnCli(CC_BIN, ['bad.c', '-o', 'bad'], cwd);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /bad\.c:3:\d+: error:/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.ok(!fs.existsSync(path.join(cwd, 'bad')));

  // Through the library, with an absolute path: the diagnostic names the host file.
  const abs = path.join(cwd, 'bad.c');
  const r2 = await runCompiler('cc', ['-c', abs], { cwd: dir });
  assert.equal(r2.code, 1);
  assert.ok(r2.stderr.includes(`${abs}:3:`), r2.stderr);
  assert.ok(!r2.stderr.includes('/.host'), r2.stderr);
});

test('compileCached: same path twice, fast second call, flags and headers change the hash', async () => {
  write('cached/defs.h', '#define VALUE 1\n');
  const src = write(
    'cached/prog.c',
    '#include <stdio.h>\n#include "defs.h"\nint main(void) { printf("%d %d\\n", VALUE, EXTRA); return 0; }\n',
  );
  const p1 = await compileCached(src, { flags: ['-DEXTRA=5', '-O2'] });
  cachedOutputs.add(p1);
  const t0 = performance.now();
  const p2 = await compileCached(src, { flags: ['-DEXTRA=5', '-O2'] });
  const dt = performance.now() - t0;
  assert.equal(p2, p1);
  assert.ok(dt < 100, `cached call took ${dt.toFixed(1)} ms`);
  assert.equal((await runWasm(p1, ['prog'])).stdout, '1 5\n');

  const p3 = await compileCached(src, { flags: ['-DEXTRA=6', '-O2'] });
  cachedOutputs.add(p3);
  assert.notEqual(p3, p1);
  assert.equal((await runWasm(p3, ['prog'])).stdout, '1 6\n');

  write('cached/defs.h', '#define VALUE 2\n');
  const p4 = await compileCached(src, { flags: ['-DEXTRA=5', '-O2'] });
  cachedOutputs.add(p4);
  assert.notEqual(p4, p1, 'editing an included header invalidates the cache');
  assert.equal((await runWasm(p4, ['prog'])).stdout, '2 5\n');

  const bad = write('cached/bad.c', 'int main(void) { return undeclared; }\n');
  await assert.rejects(compileCached(bad), (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.ok(e.message.includes(`${bad}:1:`), e.message);
    assert.match(e.message, /undeclared/);
    return true;
  });
});

test('-pthread gives one clear line and exit code 1', async () => {
  write('pt/t.c', 'int main(void) { return 0; }\n');
  const r = await spawnCli(CC_BIN, ['-pthread', 't.c', '-o', 't'], path.join(dir, 'pt'));
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'occlum-cc: -pthread is not supported yet (no wasm32 threads sysroot); remove it\n');
  const r2 = await runCompiler('c++', ['-pthread', 't.c'], { cwd: path.join(dir, 'pt') });
  assert.equal(r2.code, 1);
  assert.equal(r2.stderr.trim().split('\n').length, 1);
});
