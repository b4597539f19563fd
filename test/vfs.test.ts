// VFS semantics as Linux (issue #5 item 1): the C programs in test/programs/vfs run in the LibOS
// and natively (gcc) and must print the same; what cannot run natively (mounts, read-only file
// systems, statfs magic numbers) is checked in the LibOS against Linux's documented values.
// covers: openat newfstatat readlinkat symlinkat linkat renameat unlinkat mkdirat ftruncate fallocate utimensat fsync fdatasync getdents64 statfs fstatfs flock fcntl mount umount2
import { test } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { PROGRAMS_DIR, compileProgram } from './helpers/libos.js';
import { assertSameAsNative } from './helpers/differential.js';

const VFS_DIR = path.join(PROGRAMS_DIR, 'vfs');
const HAVE_GCC = (() => {
  try { execFileSync('gcc', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
})();
/** Programs compared with native Linux (the others are LibOS-only helpers). */
const DIFFERENTIAL = ['paths', 'links', 'fileops', 'locks'];

for (const name of DIFFERENTIAL) {
  test(`vfs/${name}: same output and status in the LibOS as natively`, { skip: HAVE_GCC ? false : 'gcc not found', timeout: 120_000 }, async () => {
    const src = path.join(VFS_DIR, `${name}.c`);
    await assertSameAsNative(src, { wasm: await compileProgram(src) });
  });
}

test('every differential program exists', () => {
  for (const name of DIFFERENTIAL) fs.accessSync(path.join(VFS_DIR, `${name}.c`));
});
