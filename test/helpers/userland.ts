// Builds the multi-file userland programs (today: the shell, userland/sh/*.c) natively with gcc
// and for the LibOS with occlum-cc, once per content: outputs are cached under .cache/ by a hash
// of the sources (and, for Wasm, of the SDK and the compiler version), like compileCached does
// for single files.
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from './libos.js';
import { compileCached, compilerVersion, runCompiler } from '../../src/sdk/compiler.js';

export const SHELL_DIR = path.join(REPO, 'userland', 'sh');
const CACHE = path.join(REPO, '.cache');

function listFiles(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const name of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (fs.statSync(p).isDirectory()) listFiles(p, out);
    else out.push(p);
  }
  return out;
}

function hashFiles(files: string[], extra: string[]): string {
  const h = createHash('sha256');
  for (const e of extra) h.update(e).update('\0');
  for (const f of files) h.update(path.relative(REPO, f)).update('\0').update(fs.readFileSync(f)).update('\0');
  return h.digest('hex').slice(0, 32);
}

function shellSources(): { all: string[]; c: string[] } {
  const all = listFiles(SHELL_DIR).filter((f) => /\.[ch]$/.test(f));
  return { all, c: all.filter((f) => f.endsWith('.c')) };
}

const pending = new Map<string, Promise<string>>();
function once(key: string, build: () => Promise<string>): Promise<string> {
  let p = pending.get(key);
  if (!p) {
    p = build();
    pending.set(key, p);
  }
  return p;
}

/** The shell compiled natively with gcc -O2 (the oracle runs compare it with dash). */
export function buildShellNative(): Promise<string> {
  const { all, c } = shellSources();
  const hash = hashFiles(all, ['gcc', '-O2']);
  const out = path.join(CACHE, 'native', `sh-${hash}`);
  return once(out, async () => {
    if (fs.existsSync(out)) return out;
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    await new Promise<void>((resolve, reject) => {
      execFile('gcc', ['-O2', '-Wall', '-o', tmp, ...c], (err, _o, stderr) => {
        if (err) reject(new Error(`gcc failed:\n${stderr}`));
        else resolve();
      });
    });
    fs.renameSync(tmp, out); // atomic: a concurrent run may have produced the same file
    return out;
  });
}

/** The shell compiled with occlum-cc -O2 to a .wasm for the LibOS. */
export function buildShellWasm(): Promise<string> {
  const { all, c } = shellSources();
  const sdk = listFiles(path.join(REPO, 'sdk', 'include')).concat(listFiles(path.join(REPO, 'sdk', 'lib')));
  const hash = hashFiles([...all, ...sdk], ['occlum-cc', compilerVersion(), '-O2']);
  const out = path.join(CACHE, 'wasm', `sh-${hash}.wasm`);
  return once(out, async () => {
    if (fs.existsSync(out)) return out;
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const tmp = `${out}.${process.pid}.tmp.wasm`;
    const r = await runCompiler('cc', [...c, '-O2', '-o', tmp]);
    if (r.code !== 0) throw new Error(`occlum-cc failed (exit ${r.code}):\n${r.stderr}`);
    fs.renameSync(tmp, out); // atomic: a concurrent run may have produced the same file
    return out;
  });
}

/**
 * A coreutil written in userland/<name>.c (by the coreutils work), compiled for the LibOS; or
 * undefined (with the reason) if the source is missing or does not compile yet.
 */
export async function buildUserlandTool(name: string): Promise<{ wasm?: string; reason?: string }> {
  const src = path.join(REPO, 'userland', `${name}.c`);
  if (!fs.existsSync(src)) return { reason: `userland/${name}.c does not exist yet` };
  try {
    return { wasm: await compileCached(src, { flags: ['-O2'] }) };
  } catch (e) {
    return { reason: `userland/${name}.c does not compile: ${(e as Error).message.split('\n')[0]}` };
  }
}
