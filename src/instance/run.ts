// `occlum run <path> [args...]`: boots the built instance, runs one program, and turns its end
// into Occlum's exit code.
//
// Run flow (Occlum's tools/occlum `run` + src/run/main.c + libos entry.rs):
//  1. the instance must be built; image/verify.ts checks the signed config and the whole image
//     (any failure ends here, before a program runs); the configuration is the verified one;
//  2. the path must be absolute, without '..', under one of entry_points (whole components);
//  3. env = env.default, then the host variables named in env.untrusted (overriding defaults);
//     argv[0] = the path's basename;
//  4. boot the kernel, spawn the program, forward SIGINT/SIGTERM/SIGHUP to it;
//  5. exit code: WEXITSTATUS & 0x7F for a normal exit, 128 + N when signal N killed it,
//     127 when the program could not be started.
import { SpawnError, type Kernel } from '../kernel/kernel.js';
import { Log, type LogLevel } from '../kernel/log.js';
import { signalName } from '../kernel/process/signals.js';
import type { Process } from '../kernel/process/process.js';
import { isCleanAbsolutePath, normalizePath, type OcclumConfig } from './config.js';
import { CliError, type Instance } from './instance.js';
import { bootInstance } from './boot.js';
import { hasBuild, verifyBuild, type VerifiedBuild } from './image/verify.js';
import { nodeHost } from '../host/node.js';
import type { Host } from '../host/types.js';

/** Exit code when the program cannot be created (Occlum's occlum-run). */
export const EXIT_CANNOT_START = 127;

export interface RunOptions {
  /** The host environment (only names listed in env.untrusted pass). */
  hostEnv: Record<string, string | undefined>;
  logLevel: LogLevel;
  /** Host signals forwarded to the program (default SIGINT, SIGTERM, SIGHUP). */
  forwardSignals?: readonly NodeJS.Signals[];
  /** Writes one line to the user (stderr). */
  say: (line: string) => void;
  host?: Host;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** Checks a program path against Occlum's rules (entry.rs: validate_program_path). Throws CliError(127). */
export function checkProgramPath(p: string, entryPoints: readonly string[]): void {
  if (!isCleanAbsolutePath(p)) {
    throw new CliError(`${p}: the program path must be absolute and must not contain ".." (EINVAL); e.g. \`occlum run /bin/app\``, EXIT_CANNOT_START);
  }
  const norm = normalizePath(p);
  const ok = entryPoints.some((ep) => {
    const e = normalizePath(ep);
    return e === '/' || norm === e || norm.startsWith(e + '/');
  });
  if (!ok) {
    throw new CliError(`${p} is not in entry_points ${JSON.stringify(entryPoints)} of Occlum.json; add its directory there and run \`occlum build\``, EXIT_CANNOT_START);
  }
}

/** env.default, then the host's values of the env.untrusted names (entry.rs: merge_env). */
export function mergeEnv(env: OcclumConfig['env'], hostEnv: Record<string, string | undefined>): string[] {
  const out = [...env.default];
  for (const name of env.untrusted) {
    const v = hostEnv[name];
    if (v === undefined) continue;
    const assignment = `${name}=${v}`;
    const i = out.findIndex((e) => e.slice(0, e.indexOf('=')) === name);
    if (i >= 0) out[i] = assignment;
    else out.push(assignment);
  }
  return out;
}

/** The shell-style exit code of a Linux wait status (src/run/main.c). */
export function exitCodeOf(status: number): number {
  const sig = status & 0x7f;
  if (sig === 0) return ((status >> 8) & 0xff) & 0x7f;
  return 128 + sig;
}

/** One line for a program that a signal killed, or undefined (none for SIGINT/SIGPIPE, like shells). */
export function signalMessage(path: string, status: number, endReason: string): string | undefined {
  const sig = status & 0x7f;
  if (sig === 0 || sig === 2 || sig === 13) return undefined;
  const name = signalName(sig);
  const prefix = `${name}: `;
  const detail = endReason.startsWith(prefix) ? endReason.slice(prefix.length) : '';
  return `${path} terminated by ${name}${detail ? ` (${detail})` : ''}`;
}

/** Runs `programPath` in the built instance; resolves the exit code. Throws CliError. */
export async function runProgram(inst: Instance, programPath: string, args: string[], opts: RunOptions): Promise<number> {
  const status = inst.status();
  if ((status !== 'built' && status !== 'running') || !hasBuild(inst)) throw new CliError('the instance is not built; run `occlum build` first');
  const log = new Log(opts.logLevel, (line) => opts.say(line));
  const host = opts.host ?? nodeHost();
  const verified: VerifiedBuild = await verifyBuild(inst, host, { env: opts.hostEnv, log: (line) => log.warn(line) });
  const config = verified.config;
  log.info(`boot: verified the build (mrenclave ${verified.mrenclave}, mrsigner ${verified.mrsigner})`);
  try {
    checkProgramPath(programPath, config.entry_points);
  } catch (e) {
    await verified.image.unmount();
    throw e;
  }

  const env = mergeEnv(config.env, opts.hostEnv);
  const base = normalizePath(programPath).split('/').pop() ?? programPath;
  const argv = [base === '' ? programPath : base, ...args];

  const forwarded = opts.forwardSignals ?? (['SIGINT', 'SIGTERM', 'SIGHUP'] as const);
  let kernel: Kernel | undefined;
  let proc: Process | undefined;
  let ending = false;
  const onSignal = (sig: NodeJS.Signals) => {
    const n = SIGNAL_NUMBERS[sig] ?? 15;
    // Before the program exists, or a second signal while cleaning up: leave at once.
    if (!proc || !kernel || ending || !proc.alive) process.exit(128 + n);
    // Like a terminal's Ctrl-C: the whole foreground process group gets it, not just the root.
    void kernel.signalGroup(proc.pgid, n);
  };
  for (const s of forwarded) process.on(s, onSignal);
  try {
    kernel = await bootInstance(inst, config, { log, host, verified });
    try {
      proc = await kernel.spawn(programPath, { argv, env });
    } catch (e) {
      if (e instanceof SpawnError) {
        const hint = e.errno?.errno === 2 ? `; copy it into image${normalizePath(programPath).replace(/\/[^/]*$/, '') || '/'} and run \`occlum build\`` : '';
        throw new CliError(`${e.message}${hint}`, EXIT_CANNOT_START);
      }
      throw e;
    }
    const waitStatus = await proc.exited;
    ending = true;
    if (proc.endReason.startsWith('cannot start')) {
      opts.say(`occlum: ${programPath}: ${proc.endReason}`);
      return EXIT_CANNOT_START;
    }
    const msg = signalMessage(programPath, waitStatus, proc.endReason);
    if (msg) opts.say(`occlum: ${msg}`);
    return exitCodeOf(waitStatus);
  } finally {
    ending = true;
    if (kernel) await kernel.shutdown();
    else await verified.image.unmount();
    for (const s of forwarded) process.off(s, onSignal);
  }
}
