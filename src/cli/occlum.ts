// The `occlum` command line, after Occlum's tools/occlum: new, init, build, run, status, print,
// gen-image-key, mount (and the names of the subcommands still to come).
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
import { genImageKey, IMAGE_KEY_ENV } from '../instance/image/image-key.js';
import { progressBar } from '../instance/image/progress.js';
import { hasBuild, verifySignedConfig } from '../instance/image/verify.js';
import { IMAGE_FILE } from '../instance/image/measured-config.js';
import { Log, LOG_LEVELS, type LogLevel } from '../kernel/log.js';

type ParseOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

const USAGE = `Usage: occlum <command> [options]

Commands:
  new <path>                  create the directory <path> and initialize an instance in it
  init                        initialize the current directory as an instance
  build [-f] [--sign-key <pem>] [--image-key <file>] [--buildin-image-key]
                              check Occlum.json and the programs in image/, make the protected
                              image (build/mount/__ROOT/image.bin), measure and sign the config
  run <path> [args...]        run the program <path> (e.g. /bin/app) of the built instance
  start                       start the instance in the background (not implemented yet)
  exec <path> [args...]       run a program in the started instance (not implemented yet)
  stop                        stop the started instance (not implemented yet)
  package [<name>]            pack the built instance for deployment (not implemented yet)
  mount <dir>                 verify the build and copy its file system to the host directory <dir>
  gen-image-key <file>        write a random key for --image-key
  print mrenclave|mrsigner    print the build's measurement or its signer's key hash
  status                      print the instance's status: initialized, built or running

Commands other than new act on the instance in the current directory.
Run \`occlum <command> --help\` for the options of a command.

Environment:
  OCCLUM_LOG_LEVEL            off|error|warn|info|debug|trace (default off): the LibOS log on stderr
  OCCLUM_IMAGE_KEY_FILE       the key file of an encrypted image, for \`occlum run\` (unless built in)
  OCCLUM_TS_SIGN_KEY          the default signing key (default ~/.occlum-ts/sign-key.pem, made on first use)
  OCCLUM_PROGRESS             1: always show the build's progress bar; 0: never

Exit status of \`occlum run\`: the program's exit code (0-127), 128+N if signal N killed it,
127 if the program could not be started; 1 for errors of occlum itself.
`;

const COMMAND_USAGE: Record<string, string> = {
  new: 'Usage: occlum new <path>\n\nCreates the directory <path> (it must not exist) and initializes an Occlum instance in it.\n',
  init: 'Usage: occlum init\n\nInitializes the current directory as an Occlum instance: Occlum.json, image/, status files.\n',
  build: `Usage: occlum build [-f|--force] [--sign-key <pem>] [--sign-tool <path>] [--image-key <file>]
                    [--buildin-image-key] [--sgx-mode SIM] [--enable-edmm Y|N]

Checks Occlum.json and every program in image/, turns image/ into the read-only protected image
build/mount/__ROOT/image.bin (hash tree; unchanged files are taken from the last build unless -f),
and writes the measured config build/.Occlum_sys.json.protected with its signature.
  --sign-key <pem>       sign with this private key (RSA, EC or Ed25519; default: a per-user
                         RSA-3072 key, ~/.occlum-ts/sign-key.pem, or $OCCLUM_TS_SIGN_KEY)
  --image-key <file>     encrypt the image with this key (\`occlum gen-image-key <file>\`)
  --buildin-image-key    seal the image key into build/ for this machine, so that \`occlum run\`
                         needs no key; without it, run needs ${IMAGE_KEY_ENV}=<key file>
  --sign-tool            ignored (occlum-ts signs with node:crypto)
`,
  print: `Usage: occlum print mrenclave|mrsigner

Prints, in hex, the measurement of the build (SHA-256 of build/.Occlum_sys.json.protected, which
covers the configuration and the image's root hash) or the hash of the key that signed it
(for RSA, of the modulus, as SGX's MRSIGNER). The signature is checked first.
`,
  'gen-image-key': 'Usage: occlum gen-image-key <file>\n\nWrites a random 128-bit image key as xx-xx-...-xx to <file> (mode 0600), for `occlum build --image-key`.\n',
  mount: `Usage: occlum mount [--sign-key <pem>] [--sign-tool <path>] [--image-key <file>] <dir>

Verifies the build like \`occlum run\` (signature, config, the whole image) and copies the instance's
root file system into the host directory <dir> (new or empty), without running a program. The copy
is read-only-ish: files lose their write bits, and changes there do not go back into the instance.
  --sign-key <pem>       refuse unless the build was signed with this key
  --image-key <file>     the key of an encrypted image (else ${IMAGE_KEY_ENV} or the built-in key)
`,
  run: `Usage: occlum run [--config-id <base64>] [--config-svn <n>] <path> [args...]

Runs the program <path> (absolute, under entry_points of Occlum.json) in the built instance.
Everything after <path> goes to the program. Exit status: the program's code (0-127),
128+N if signal N killed it, 127 if it could not be started.
`,
  status: 'Usage: occlum status\n\nPrints the status of the instance in the current directory: initialized, built or running.\n',
};

const NOT_IMPLEMENTED = new Set(['start', 'exec', 'stop', 'package', 'gdb']);

interface Io {
  out: (text: string) => void;
  err: (line: string) => void;
  /** Where the build's progress bar goes (stderr), if anywhere. */
  progress?: { isTTY?: boolean; write: (text: string) => unknown };
  env: Record<string, string | undefined>;
  cwd: string;
}

const nodeIo: Io = {
  out: (text) => writeAll(1, text),
  err: (line) => writeAll(2, line.endsWith('\n') ? line : line + '\n'),
  progress: { isTTY: process.stderr.isTTY, write: (text) => writeAll(2, text) },
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
      const bar = io.progress ? progressBar(io.progress, io.env) : undefined;
      const result = buildInstance(inst, {
        force: v['force'] === true,
        ...(rel(v['sign-key']) !== undefined ? { signKey: rel(v['sign-key'])! } : {}),
        ...(rel(v['sign-tool']) !== undefined ? { signTool: rel(v['sign-tool'])! } : {}),
        ...(rel(v['image-key']) !== undefined ? { imageKey: rel(v['image-key'])! } : {}),
        buildinImageKey: v['buildin-image-key'] === true,
        ...(str(v['sgx-mode']) !== undefined ? { sgxMode: str(v['sgx-mode'])! } : {}),
        ...(str(v['enable-edmm']) !== undefined ? { enableEdmm: str(v['enable-edmm'])! } : {}),
        ...(bar ? { progress: bar.update } : {}),
      });
      bar?.done();
      for (const w of result.warnings) io.err(`occlum: warning: ${w}`);
      const n = result.sys.programs.length;
      const kb = Math.ceil(result.sys.image.bytes / 1024);
      const img = result.image;
      io.out(`Built the Occlum instance: ${n} program${n === 1 ? '' : 's'} checked (image: ${img.files} files, ${kb} KB, ` +
        `${img.hashedFiles} hashed, ${img.reusedFiles} unchanged${img.encrypted ? ', encrypted' : ''}); mrenclave ${result.sys.mrenclave}\n`);
      return 0;
    }
    case 'print': {
      const r = parse('print', args, {}, { min: 1, max: 1, names: 'what to print (mrenclave or mrsigner)' });
      if (r.values['help']) { io.out(COMMAND_USAGE['print']!); return 0; }
      const what = r.positionals[0]!;
      if (what !== 'mrenclave' && what !== 'mrsigner') throw new CliError(`print: unknown "${what}"; use \`occlum print mrenclave\` or \`occlum print mrsigner\``);
      const inst = Instance.open(io.cwd);
      requireBuild(inst);
      const signed = verifySignedConfig(inst);
      io.out(`${what === 'mrenclave' ? signed.mrenclave : signed.mrsigner}\n`);
      return 0;
    }
    case 'gen-image-key': {
      const r = parse('gen-image-key', args, {}, { min: 1, max: 1, names: 'the key file to write' });
      if (r.values['help']) { io.out(COMMAND_USAGE['gen-image-key']!); return 0; }
      const file = resolveFrom(io.cwd, r.positionals[0]!);
      try {
        genImageKey(file);
      } catch (e) {
        throw new CliError(`gen-image-key: cannot write ${r.positionals[0]} (${(e as NodeJS.ErrnoException).code ?? 'error'}); give a writable path`);
      }
      return 0;
    }
    case 'mount': {
      const r = parse('mount', args, { 'sign-key': { type: 'string' }, 'sign-tool': { type: 'string' }, 'image-key': { type: 'string' } },
        { min: 1, max: 1, names: 'the host directory to copy the file system to' });
      if (r.values['help']) { io.out(COMMAND_USAGE['mount']!); return 0; }
      const inst = Instance.open(io.cwd);
      requireBuild(inst);
      const rel = (p: unknown) => (typeof p === 'string' ? resolveFrom(io.cwd, p) : undefined);
      const { mountInstance } = await import('../instance/image/mount.js');
      const signKey = rel(r.values['sign-key']);
      const imageKey = rel(r.values['image-key']);
      const c = await mountInstance(inst, resolveFrom(io.cwd, r.positionals[0]!), r.positionals[0]!, {
        env: io.env, ...(signKey ? { signKey } : {}), ...(imageKey ? { imageKey } : {}),
      });
      io.out(`Exported the verified file system (mrenclave ${c.mrenclave}) to ${r.positionals[0]}: ${c.files} files, ${c.dirs} directories, ` +
        `${c.symlinks} symlinks, ${Math.ceil(c.bytes / 1024)} KB (a read-only copy of ${IMAGE_FILE})\n`);
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
      const inst = Instance.open(io.cwd);
      const status = inst.status();
      // A status file that says built while build/ is gone (deleted by hand) is not a build.
      io.out(`${status !== 'initialized' && !hasBuild(inst) ? 'initialized' : status}\n`);
      return 0;
    }
    default:
      throw new CliError(`unknown command '${cmd}'; run \`occlum --help\` for the list of commands`);
  }
}

/** `occlum print` and `occlum mount` need a build, like `occlum run`. */
function requireBuild(inst: Instance): void {
  const status = inst.status();
  if ((status !== 'built' && status !== 'running') || !hasBuild(inst)) throw new CliError('the instance is not built; run `occlum build` first');
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
