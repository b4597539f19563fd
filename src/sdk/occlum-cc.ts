// The occlum-cc / occlum-c++ command line (bin/occlum-cc.js, bin/occlum-c++.js).
// Behaves like gcc/clang: clang's diagnostics and exit code pass through unchanged; problems
// of the driver itself are one line `occlum-cc: <problem>` and exit code 1, never a stack trace.

import { runCompilerRaw, DriverError, type CompilerKind } from './compiler.js';

function readStdin(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks)));
    process.stdin.on('error', reject);
  });
}

function writeAll(stream: NodeJS.WriteStream, data: Buffer): Promise<void> {
  if (data.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    stream.write(data, () => resolve());
  });
}

/** Runs the driver and returns the exit code (also stored in process.exitCode). */
export async function main(kind: CompilerKind, argv: string[]): Promise<number> {
  const name = kind === 'c++' ? 'occlum-c++' : 'occlum-cc';
  let code: number;
  try {
    const stdin = argv.includes('-') ? await readStdin() : undefined;
    const r = await runCompilerRaw(kind, argv, stdin === undefined ? {} : { stdin });
    await writeAll(process.stdout, r.stdout);
    await writeAll(process.stderr, r.stderr);
    code = r.code;
  } catch (e) {
    const msg = e instanceof DriverError || e instanceof Error ? e.message : String(e);
    const line = msg.split('\n')[0] ?? msg;
    process.stderr.write(`${name}: ${line.startsWith(`${name}: `) ? line.slice(name.length + 2) : line}\n`);
    code = 1;
  }
  process.exitCode = code;
  return code;
}
