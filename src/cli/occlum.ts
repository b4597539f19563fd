// The `occlum` command line, after Occlum's tools/occlum: new, init, build, run, status (and the
// names of the subcommands still to come).
//
// Exit codes:
//   0        success
//   1        usage, configuration or build errors, and errors of occlum itself
//   0-127    `occlum run`: the program's own exit code (WEXITSTATUS & 0x7F, as Occlum's occlum-run)
//   127      `occlum run`: the program could not be started (missing, not Wasm, outside entry_points)
//   128+N    `occlum run`: signal N killed the program (130 for Ctrl-C, 139 for SIGSEGV)
//
// Every error is one line on stderr, "occlum: <problem>; <fix>", never a stack trace.
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { CliError, Instance, initInstance, newInstance } from '../instance/instance.js';
import { buildInstance } from '../instance/build.js';
import { Log, LOG_LEVELS, type LogLevel } from '../kernel/log.js';

type ParseOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

const USAGE = `Usage: occlum <command> [options]

Commands:
  new <path>                  create the directory <path> and initialize an instance in it
  init                        initialize the current directory as an instance
  build [-f] [--sign-key <pem>] [--image-key <file>]
                              check Occlum.json and the programs in image/, and build the instance
  run <path> [args...]        run the program <path> (e.g. /bin/app) of the built instance
  start                       start the instance in the background (not implemented yet)
  exec <path> [args...]       run a program in the started instance (not implemented yet)
  stop                        stop the started instance (not implemented yet)
  package [<name>]            pack the built instance for deployment (not implemented yet)
  mount <dir>                 mount the instance's file system on the host (not implemented yet)
  gen-image-key <file>        write a random key for --image-key (not implemented yet)
  print mrenclave|mrsigner    print the instance's measurement (not implemented yet)
  status                      print the instance's status: initialized, built or running

Commands other than new act on the instance in the current directory.
Run \`occlum <command> --help\` for the options of a command.

Environment:
  OCCLUM_LOG_LEVEL            off|error|warn|info|debug|trace (default off): the LibOS log on stderr

Exit status of \`occlum run\`: the program's exit code (0-127), 128+N if signal N killed it,
127 if the program could not be started; 1 for errors of occlum itself.
`;

const COMMAND_USAGE: Record<string, string> = {
  new: 'Usage: occlum new <path>\n\nCreates the directory <path> (it must not exist) and initializes an Occlum instance in it.\n',
  init: 'Usage: occlum init\n\nInitializes the current directory as an Occlum instance: Occlum.json, image/, status files.\n',
  build: `Usage: occlum build [-f|--force] [--sign-key <pem>] [--sign-tool <path>] [--image-key <file>]
                    [--buildin-image-key] [--sgx-mode SIM] [--enable-edmm Y|N]

Checks Occlum.json and every program in image/, then writes build/ and marks the instance built.
The signing and image-key options are accepted for compatibility; image protection comes later.
`,
  run: `Usage: occlum run [--config-id <base64>] [--config-svn <n>] <path> [args...]

Runs the program <path> (absolute, under entry_points of Occlum.json) in the built instance.
Everything after <path> goes to the program. Exit status: the program's code (0-127),
128+N if signal N killed it, 127 if it could not be started.
`,
  status: 'Usage: occlum status\n\nPrints the status of the instance in the current directory: initialized, built or running.\n',
};

const NOT_IMPLEMENTED = new Set(['start', 'exec', 'stop', 'package', 'mount', 'gen-image-key', 'print', 'gdb']);

interface Io {
  out: (text: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
}

const nodeIo: Io = {
  out: (text) => writeAll(1, text),
  err: (line) => writeAll(2, line.endsWith('\n') ? line : line + '\n'),
  env: process.env,
  cwd: process.cwd(),
};

/** Writes synchronously, so that nothing is lost when process.exit follows. */
function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      return; // the terminal is gone: nothing more to say
    }
  }
}

/** Parses options with node's parseArgs, turning its errors into one clear line. */
interface Parsed { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] }

function parse(cmd: string, args: string[], options: ParseOptions, positionals: { min: number; max: number; names: string }): Parsed {
  let r: Parsed;
  try {
    r = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    const opt = /'([^']+)'/.exec(err.message)?.[1] ?? '';
    switch (err.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
        throw new CliError(`${cmd}: unknown option ${opt}; see \`occlum ${cmd} --help\``);
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
        throw new CliError(`${cmd}: option ${opt.replace(/ <value>$/, '').split(',').pop()?.trim() ?? opt} ${/argument missing/.test(err.message) ? 'needs a value' : 'takes no value'}; see \`occlum ${cmd} --help\``);
      default:
        throw new CliError(`${cmd}: ${err.message.split('\n')[0]}`);
    }
  }
  if (!r.values['help']) {
    if (r.positionals.length < positionals.min) throw new CliError(`${cmd}: missing ${positionals.names}; see \`occlum ${cmd} --help\``);
    if (r.positionals.length > positionals.max) throw new CliError(`${cmd}: unexpected argument "${r.positionals[positionals.max]}"; see \`occlum ${cmd} --help\``);
  }
  return r;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** `occlum run` options come before the program path; everything from the path on is the program's. */
function splitRunArgs(args: string[]): { options: string[]; program: string[] } {
  const withValue = new Set(['--config-id', '--config-svn']);
  let i = 0;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--') return { options: args.slice(0, i), program: args.slice(i + 1) };
    if (!a.startsWith('-') || a === '-') break;
    i += withValue.has(a) ? 2 : 1;
  }
  return { options: args.slice(0, i), program: args.slice(i) };
}

function logLevelFrom(env: Record<string, string | undefined>): LogLevel {
  const raw = env['OCCLUM_LOG_LEVEL'];
  const level = Log.parseLevel(raw);
  if (level === undefined) throw new CliError(`OCCLUM_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${raw}"); fix or unset it`);
  return level;
}

/** Runs one `occlum` command line; resolves the exit code. Throws only on internal errors. */
export async function main(argv: string[], io: Io = nodeIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    if (e instanceof CliError) {
      for (const line of e.lines) io.err(`occlum: ${line}`);
      return e.exitCode;
    }
    const err = e as NodeJS.ErrnoException;
    if (typeof err?.code === 'string' && typeof err.syscall === 'string') {
      // A host file operation failed (permissions, full disk...): say which.
      io.err(`occlum: ${err.message.split('\n')[0]}`);
      return 1;
    }
    io.err(`occlum: internal error: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
    return 1;
  }
}

async function dispatch(argv: string[], io: Io): Promise<number> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) {
    io.err(USAGE.trimEnd());
    return 1;
  }
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
    const topic = args[0];
    io.out(topic !== undefined && COMMAND_USAGE[topic] ? COMMAND_USAGE[topic] : USAGE);
    return 0;
  }
  if (NOT_IMPLEMENTED.has(cmd)) throw new CliError(`'${cmd}' is not implemented yet`);

  switch (cmd) {
    case 'new': {
      const r = parse('new', args, { 'init-ra': { type: 'string' } }, { min: 1, max: 1, names: 'the path of the new instance' });
      if (r.values['help']) { io.out(COMMAND_USAGE['new']!); return 0; }
      if (r.values['init-ra'] !== undefined) throw new CliError('new: --init-ra is not supported yet; leave it out');
      const inst = newInstance(resolveFrom(io.cwd, r.positionals[0]!), r.positionals[0]!);
      io.out(`Created a new Occlum instance in ${inst.dir}\n`);
      return 0;
    }
    case 'init': {
      const r = parse('init', args, { 'init-ra': { type: 'string' } }, { min: 0, max: 0, names: '' });
      if (r.values['help']) { io.out(COMMAND_USAGE['init']!); return 0; }
      if (r.values['init-ra'] !== undefined) throw new CliError('init: --init-ra is not supported yet; leave it out');
      const { instance, keptConfig } = initInstance(io.cwd);
      io.out(`Initialized an Occlum instance in ${instance.dir}${keptConfig ? ' (kept the existing Occlum.json)' : ''}\n`);
      return 0;
    }
    case 'build': {
      const r = parse('build', args, {
        force: { type: 'boolean', short: 'f' },
        'sign-key': { type: 'string' },
        'sign-tool': { type: 'string' },
        'image-key': { type: 'string' },
        'buildin-image-key': { type: 'boolean' },
        'sgx-mode': { type: 'string' },
        'enable-edmm': { type: 'string' },
      }, { min: 0, max: 0, names: '' });
      if (r.values['help']) { io.out(COMMAND_USAGE['build']!); return 0; }
      const inst = Instance.open(io.cwd);
      const v = r.values;
      const rel = (p: unknown) => (typeof p === 'string' ? resolveFrom(io.cwd, p) : undefined);
      const result = buildInstance(inst, {
        force: v['force'] === true,
        ...(rel(v['sign-key']) !== undefined ? { signKey: rel(v['sign-key'])! } : {}),
        ...(rel(v['sign-tool']) !== undefined ? { signTool: rel(v['sign-tool'])! } : {}),
        ...(rel(v['image-key']) !== undefined ? { imageKey: rel(v['image-key'])! } : {}),
        buildinImageKey: v['buildin-image-key'] === true,
        ...(str(v['sgx-mode']) !== undefined ? { sgxMode: str(v['sgx-mode'])! } : {}),
        ...(str(v['enable-edmm']) !== undefined ? { enableEdmm: str(v['enable-edmm'])! } : {}),
      });
      for (const w of result.warnings) io.err(`occlum: warning: ${w}`);
      const n = result.sys.programs.length;
      const kb = Math.ceil(result.sys.image.bytes / 1024);
      io.out(`Built the Occlum instance: ${n} program${n === 1 ? '' : 's'} checked (image: ${result.sys.image.files} files, ${kb} KB)\n`);
      return 0;
    }
    case 'run': {
      const { options, program } = splitRunArgs(args);
      const r = parse('run', options, { 'config-id': { type: 'string' }, 'config-svn': { type: 'string' } }, { min: 0, max: 0, names: '' });
      if (r.values['help']) { io.out(COMMAND_USAGE['run']!); return 0; }
      const svn = str(r.values['config-svn']);
      if (svn !== undefined && !/^\d+$/.test(svn)) throw new CliError(`run: --config-svn must be a number (got "${svn}")`);
      const [path, ...progArgs] = program;
      if (path === undefined) throw new CliError('run: missing the program path; e.g. `occlum run /bin/app`');
      const logLevel = logLevelFrom(io.env);
      const inst = Instance.open(io.cwd);
      // Loaded here, not at the top: the kernel and its workers are needed by `run` only.
      const { runProgram } = await import('../instance/run.js');
      return await runProgram(inst, path, progArgs, { hostEnv: io.env, logLevel, say: io.err });
    }
    case 'status': {
      const r = parse('status', args, {}, { min: 0, max: 0, names: '' });
      if (r.values['help']) { io.out(COMMAND_USAGE['status']!); return 0; }
      io.out(`${Instance.open(io.cwd).status()}\n`);
      return 0;
    }
    default:
      throw new CliError(`unknown command '${cmd}'; run \`occlum --help\` for the list of commands`);
  }
}

function resolveFrom(cwd: string, p: string): string {
  return p.startsWith('/') ? p : `${cwd}/${p}`;
}

/** Entry point of bin/occlum.js: runs the command, then exits (no stray handle keeps Node alive). */
export async function cli(argv: string[]): Promise<never> {
  const bail = (e: unknown) => {
    nodeIo.err(`occlum: internal error: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
    process.exit(1);
  };
  process.on('uncaughtException', bail);
  process.on('unhandledRejection', bail);
  const code = await main(argv);
  process.exit(code);
}
