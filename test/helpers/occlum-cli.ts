// Runs the real `occlum` CLI (bin/occlum.js) in a child process, with an environment that holds
// nothing from the test runner and a temporary HOME (the default signing and sealing keys go
// there, never into the real home).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { REPO } from './libos.js';

export const OCCLUM = path.join(REPO, 'bin', 'occlum.js');

export interface CliResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** A temporary work directory with its own HOME inside; remove it with fs.rmSync when done. */
export function tempWork(prefix: string): { work: string; env: (extra?: Record<string, string>) => Record<string, string> } {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const home = path.join(work, 'home');
  fs.mkdirSync(home);
  return { work, env: (extra = {}) => ({ PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, ...extra }) };
}

/** Runs `bin` (default bin/occlum.js) with `args` in `cwd` and exactly the environment `env`. */
export function occlum(args: string[], cwd: string, env: Record<string, string>, bin = OCCLUM): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    c.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    c.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    c.on('error', reject);
    c.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The command failed (exit != 0) with exactly one "occlum: " line on stderr; returns it. */
export function refused(r: CliResult): string {
  assert.notEqual(r.code, 0, `expected a failure, got exit 0: ${r.stdout}`);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^occlum: /);
  assert.doesNotMatch(lines[0]!, /internal error|    at /);
  return lines[0]!;
}

/** The command succeeded; returns stdout. */
export function ok(r: CliResult): string {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}
