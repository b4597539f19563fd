// Differential runs: a C program runs in the LibOS (compiled with occlum-cc) and natively (gcc),
// and both runs must print the same output and end with the same status. Used by the SDK's
// posix programs (test/sdk.test.ts) and the VFS programs (test/vfs.test.ts).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LibOS, runNative, TEST_INCLUDE, type BootOptions, type RunResult } from './libos.js';

export interface DifferentialOptions {
  /** The program compiled with occlum-cc. */
  wasm: string;
  /** Other programs for /bin (e.g. the sh that system() runs). */
  programs?: Record<string, string>;
  /** Extra boot options for the LibOS run (mounts, host directory...). */
  boot?: Omit<BootOptions, 'programs'>;
  timeoutMs?: number;
  /** Working directory of the LibOS run (default /tmp): put it on the file system under test. */
  cwd?: string;
}

/**
 * The C source as one text for gcc: `#include "x.h"` lines naming a file next to the source or in
 * test/programs/include are inlined, so that the native cache (keyed by the text) sees header changes too.
 */
export function nativeSource(cFile: string): string {
  const dirs = [path.dirname(cFile), TEST_INCLUDE];
  return fs.readFileSync(cFile, 'utf8').replace(/^#include "([\w.-]+)"$/gm, (line, h: string) => {
    const p = dirs.map((d) => path.join(d, h)).find((f) => fs.existsSync(f));
    return p ? fs.readFileSync(p, 'utf8') : line;
  });
}

/** Runs `cFile` as /bin/<name> with cwd /tmp (or `cwd`) in a fresh LibOS and natively in a temp dir; asserts equal output and status. */
export async function assertSameAsNative(cFile: string, opts: DifferentialOptions): Promise<{ libos: RunResult; native: RunResult }> {
  const name = path.basename(cFile, '.c');
  const timeoutMs = opts.timeoutMs ?? 60_000;
  // Keeps Node's event loop alive while the kernel only waits on workers.
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    const libos = await LibOS.boot({ ...opts.boot, programs: { [name]: opts.wasm, ...opts.programs } });
    let got: RunResult;
    try {
      got = await libos.run(name, [], { cwd: opts.cwd ?? '/tmp', timeoutMs });
      assert.deepEqual(libos.kernelBugs(), [], 'kernel bugs logged');
    } finally {
      await libos.shutdown();
    }
    const want = await runNative(nativeSource(cFile), [], { timeoutMs });
    assert.equal(want.timedOut, false, 'native run timed out');
    assert.equal(got.timedOut, false, `LibOS run timed out; output so far:\n${got.stdout}`);
    assert.equal(got.stdout, want.stdout);
    assert.equal(got.status, want.status, `status (stderr: ${got.stderr})`);
    return { libos: got, native: want };
  } finally {
    clearInterval(keepAlive);
  }
}
