#!/usr/bin/env node
// The seed's demo, verbatim, in a fresh temp dir: occlum-cc, occlum new, cp, occlum build, occlum run.
// Uses the `occlum` and `occlum-cc` commands on PATH (installed by `npm link`), else this checkout's bin/.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : join(repo, 'bin', `${cmd}.js`);
}
const occlum = which('occlum'), occlumCc = which('occlum-cc');
const dir = mkdtempSync(join(tmpdir(), 'occlum-demo-'));
const run = (cmd, args, cwd) => {
  console.log(`$ ${[cmd.endsWith('.js') ? cmd.split('/').pop().replace(/\.js$/, '') : cmd.split('/').pop(), ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  return r.status ?? 1;
};
try {
  writeFileSync(join(dir, 'hello.c'), `#include <stdio.h>
int main(int argc, char **argv) {
    printf("Hello World from %s inside occlum-ts!\\n", argv[0]);
    for (int i = 1; i < argc; i++) printf("  arg %d: %s\\n", i, argv[i]);
    return 0;
}
`);
  let code = run(occlumCc, ['hello.c', '-o', 'my_app'], dir);
  if (code === 0) code = run(occlum, ['new', 'my_occlum_instance'], dir);
  const inst = join(dir, 'my_occlum_instance');
  if (code === 0) {
    console.log('$ cd my_occlum_instance');
    console.log('$ cp ../my_app image/bin/');
    copyFileSync(join(dir, 'my_app'), join(inst, 'image', 'bin', 'my_app'));
    code = run(occlum, ['build'], inst);
  }
  if (code === 0) code = run(occlum, ['run', '/bin/my_app', 'arg1', 'arg2'], inst);
  process.exitCode = code;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
