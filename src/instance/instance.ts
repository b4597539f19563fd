// An Occlum instance directory: its status file, its layout, and `occlum new` / `occlum init`.
//
// Layout (after Occlum's tools/occlum):
//   .__occlum_status   initialized | built | running
//   .sgx_mode          SIM (the only platform so far)
//   Occlum.json        the user's configuration
//   image/             the root file system the programs see
//   build/             what `occlum build` makes (build/.Occlum_sys.json: the checked configuration)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_FILE, templateText } from './config.js';

export const STATUS_FILE = '.__occlum_status';
export const SGX_MODE_FILE = '.sgx_mode';
export const SYS_CONFIG_FILE = path.join('build', '.Occlum_sys.json');

export type InstanceStatus = 'initialized' | 'built' | 'running';

/** Directories of image/ that `occlum init` creates (Occlum's list; ext2 is left out until it is supported). */
export const IMAGE_DIRS = ['bin', 'lib', 'lib64', 'root', 'host', 'tmp', 'dev', 'proc', 'etc', 'sbin'] as const;

/**
 * A user-facing failure of an `occlum` command: one line per problem (without "occlum: "),
 * and the exit code.
 */
export class CliError extends Error {
  readonly lines: string[];
  constructor(message: string | string[], readonly exitCode = 1) {
    const lines = typeof message === 'string' ? [message] : message;
    super(lines.join('\n'));
    this.lines = lines;
  }
}

export class Instance {
  constructor(readonly dir: string) {}

  get imageDir(): string { return path.join(this.dir, 'image'); }
  get buildDir(): string { return path.join(this.dir, 'build'); }
  get configPath(): string { return path.join(this.dir, CONFIG_FILE); }
  get sysConfigPath(): string { return path.join(this.dir, SYS_CONFIG_FILE); }

  /** The status word, or undefined if the directory is not an instance. */
  status(): InstanceStatus | undefined {
    let s: string;
    try {
      s = fs.readFileSync(path.join(this.dir, STATUS_FILE), 'utf8').trim();
    } catch {
      return undefined;
    }
    if (s === 'initialized' || s === 'built' || s === 'running') return s;
    throw new CliError(`${STATUS_FILE} holds an unknown status "${s.slice(0, 40)}"; run \`occlum build\` to rebuild the instance`);
  }

  setStatus(s: InstanceStatus): void {
    writeAtomic(path.join(this.dir, STATUS_FILE), `${s}\n`);
  }

  /** The instance in `dir`, or a CliError saying how to make one. */
  static open(dir: string): Instance {
    const inst = new Instance(path.resolve(dir));
    if (inst.status() === undefined) {
      throw new CliError(`${inst.dir} is not an Occlum instance (no ${STATUS_FILE}); run \`occlum new <dir>\`, or \`occlum init\` in it`);
    }
    return inst;
  }
}

/** Writes a file through a temporary name, so a crash never leaves half a file. */
export function writeAtomic(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

// ---- the default utilities (userland/bin, built by scripts/build-userland.js) ----

/** The repository root: this file is compiled to <repo>/dist/src/instance/instance.js. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const USERLAND_DIR = path.join(REPO_ROOT, 'userland');
export const USERLAND_BIN_DIR = path.join(USERLAND_DIR, 'bin');

/** Writes an `occlum init` warning (one line) to stderr. */
export type WarnFn = (line: string) => void;
const stderrWarn: WarnFn = (line) => { process.stderr.write(`occlum: warning: ${line}\n`); };

/** The utilities the image should get: one per userland/<name>.c, and sh if userland/sh/ has sources. */
export function defaultUtilities(): string[] {
  const names: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(USERLAND_DIR, { withFileTypes: true });
  } catch {
    return names;
  }
  for (const e of entries) {
    if (e.isFile() && e.name.endsWith('.c')) names.push(e.name.slice(0, -2));
    else if (e.isDirectory() && e.name === 'sh') {
      try {
        if (fs.readdirSync(path.join(USERLAND_DIR, 'sh')).some((f) => f.endsWith('.c'))) names.push('sh');
      } catch { /* unreadable: treat as absent */ }
    }
  }
  return names.sort();
}

/**
 * Copies the built utilities (userland/bin/*) into `binDir`, keeping files already there (the
 * user's programs win). Utilities that are not built are skipped with one warning line.
 * Returns the names copied.
 */
export function installUtilities(binDir: string, warn: WarnFn = stderrWarn): string[] {
  const copied: string[] = [];
  const missing: string[] = [];
  for (const name of defaultUtilities()) {
    const src = path.join(USERLAND_BIN_DIR, name);
    let ok = false;
    try {
      ok = fs.statSync(src).isFile();
    } catch { /* missing */ }
    if (!ok) {
      missing.push(name);
      continue;
    }
    const dst = path.join(binDir, name);
    if (fs.existsSync(dst) || isDanglingLink(dst)) continue;
    fs.copyFileSync(src, dst);
    fs.chmodSync(dst, 0o755);
    copied.push(name);
  }
  if (missing.length > 0) {
    const shown = missing.length > 6 ? `${missing.slice(0, 6).join(', ')}, ...` : missing.join(', ');
    warn(`${missing.length} default utilit${missing.length === 1 ? 'y is' : 'ies are'} not built, so image/bin/ lacks ${missing.length === 1 ? 'it' : 'them'} (${shown}); run \`npm run build\` in ${REPO_ROOT}, then copy userland/bin/* to image/bin/`);
  }
  return copied;
}

/** `occlum init`: makes `dir` (which must exist) an instance. Returns a note about what it did. */
export function initInstance(dir: string, warn: WarnFn = stderrWarn): { instance: Instance; keptConfig: boolean } {
  const inst = new Instance(path.resolve(dir));
  if (inst.status() !== undefined) {
    throw new CliError(`${inst.dir} is already an Occlum instance; edit its Occlum.json and run \`occlum build\`, or make a new one with \`occlum new <dir>\``);
  }
  for (const d of IMAGE_DIRS) fs.mkdirSync(path.join(inst.imageDir, d), { recursive: true });
  installUtilities(path.join(inst.imageDir, 'bin'), warn);
  const hosts = path.join(inst.imageDir, 'etc', 'hosts');
  if (!fs.existsSync(hosts)) fs.writeFileSync(hosts, '127.0.0.1 localhost\n');
  // Occlum copies its template over any Occlum.json; we keep one the user already wrote.
  const keptConfig = fs.existsSync(inst.configPath);
  if (!keptConfig) fs.writeFileSync(inst.configPath, templateText());
  fs.writeFileSync(path.join(inst.dir, SGX_MODE_FILE), 'SIM\n');
  inst.setStatus('initialized');
  return { instance: inst, keptConfig };
}

/** `occlum new <path>`: creates the directory (it must not exist) and initializes it. */
export function newInstance(dir: string, shown = dir, warn: WarnFn = stderrWarn): Instance {
  const abs = path.resolve(dir);
  if (fs.existsSync(abs) || isDanglingLink(abs)) {
    throw new CliError(`${shown} already exists; choose a new path, or run \`occlum init\` inside an existing directory`);
  }
  fs.mkdirSync(abs, { recursive: true });
  return initInstance(abs, warn).instance;
}

function isDanglingLink(p: string): boolean {
  try { fs.lstatSync(p); return true; } catch { return false; }
}
