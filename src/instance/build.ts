// `occlum build`: checks Occlum.json and every program in image/, makes the protected image,
// measures and signs the build config, and marks the instance built.
//
// Build flow (Occlum's tools/occlum_build.mk):
//  1. read and validate Occlum.json, filling in the template's defaults; read the keys;
//  2. walk image/ and check each file that looks like a program: a Wasm module must parse and
//     import only what the LibOS provides; native ELF and other non-programs are refused
//     (build/.check_cache.json keeps each file's verdict, so an unchanged file is not read again);
//  3. image/ -> build/mount/__ROOT/image.bin (image/builder.ts; encrypted with --image-key),
//     whose hash-tree root is the image MAC;
//  4. the measured config (image/measured-config.ts) -> build/.Occlum_sys.json.protected, signed
//     with --sign-key or the per-user key -> build/.Occlum_sys.json.sig; with
//     --buildin-image-key the image key is sealed into build/image_key.sealed;
//  5. write build/.Occlum_sys.json (readable: the config as measured, the program list, the
//     measurements) and set the status to `built`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { CONFIG_FILE, ConfigError, parseConfigText, validateConfig, normalizePath, type OcclumConfig } from './config.js';
import { CliError, Instance, writeAtomic } from './instance.js';
import { wipeLayers } from './sefs-layer.js';
import { isWasm, moduleInterface, prepareModule, WasmFormatError } from '../runtime/wasm-module.js';
import { providesImport } from '../kernel/abi/index.js';
import { defaultSignKey, loadSignKey, mrsignerOf, publicKeyPem, signData, SigningKeyError } from '../host/signing.js';
import { buildImage, type ImageBuildResult } from './image/builder.js';
import { fileIdentity, sameFile, type FileIdentity } from './image/build-cache.js';
import { readImageKeyFile, sealImageKey, SEALED_KEY_FILE } from './image/image-key.js';
import {
  IMAGE_FILE, PROTECTED_FILE, SIGNATURE_FILE, SIGNATURE_FORMAT, canonicalJson, measuredConfig, occlumTsVersion, sha256Hex, type SignatureFile,
} from './image/measured-config.js';
import type { KeyObject } from 'node:crypto';

export const SYS_CONFIG_FORMAT = 'occlum-ts/sys-config/1';

export interface ProgramRecord {
  /** Path inside the LibOS, e.g. "/bin/app". */
  path: string;
  kind: 'wasm' | 'script';
  size: number;
  sha256: string;
}

/** build/.Occlum_sys.json */
export interface SysConfig {
  format: typeof SYS_CONFIG_FORMAT;
  config: OcclumConfig;
  programs: ProgramRecord[];
  image: { files: number; bytes: number; root_hash: string; encryption: string };
  mrenclave: string;
  mrsigner: string;
}

export interface BuildOptions {
  force?: boolean;
  signKey?: string;
  signTool?: string;
  imageKey?: string;
  buildinImageKey?: boolean;
  sgxMode?: string;
  enableEdmm?: string;
  /** Progress of the image build (bytes of file data written). */
  progress?: (doneBytes: number, totalBytes: number) => void;
}

export interface BuildResult {
  sys: SysConfig;
  /** Lines worth printing (unknown fields, ignored options...); the build succeeded anyway. */
  warnings: string[];
  image: ImageBuildResult;
}

/** Reads and validates the instance's Occlum.json. Throws CliError. */
export function loadConfig(inst: Instance): { config: OcclumConfig; warnings: string[] } {
  let text: string;
  try {
    text = fs.readFileSync(inst.configPath, 'utf8');
  } catch {
    throw new CliError(`${CONFIG_FILE} is missing in ${inst.dir}; restore it (\`occlum new <dir>\` writes the template)`);
  }
  try {
    return validateConfig(parseConfigText(text));
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.problems);
    throw e;
  }
}

export function buildInstance(inst: Instance, opts: BuildOptions = {}): BuildResult {
  const before = inst.status();
  try {
    const result = build(inst, opts);
    inst.setStatus('built');
    return result;
  } catch (e) {
    // What `occlum run` would boot no longer matches a successful build.
    if (before === 'built' || before === 'running') inst.setStatus('initialized');
    throw e;
  }
}

function build(inst: Instance, opts: BuildOptions): BuildResult {
  const warnings = checkOptions(opts);
  const { config, warnings: configWarnings } = loadConfig(inst);
  warnings.push(...configWarnings);
  const imageKey = opts.imageKey !== undefined ? readImageKeyFile(opts.imageKey, '--image-key') : undefined;
  const signKey = loadKey(opts.signKey);
  if (!isDir(inst.imageDir)) throw new CliError(`image/ is missing in ${inst.dir}; create it and put your programs in image/bin`);

  const programDirs = ['/bin', '/sbin', ...config.entry_points].map(normalizePath);
  const checkCache = path.join(inst.buildDir, '.check_cache.json');
  const scan = scanImage(inst.imageDir, programDirs, opts.force ? {} : loadCheckCache(checkCache));
  if (scan.problems.length > 0) throw new CliError(scan.problems);

  fs.mkdirSync(inst.buildDir, { recursive: true });
  const mountPoints = [...config.mount.map((m) => normalizePath(m.target)).filter((t) => t !== '/'), '/tmp', '/dev/shm'];
  const image = buildImage(inst.imageDir, path.join(inst.dir, IMAGE_FILE), {
    ...(imageKey ? { key: imageKey } : {}),
    cacheFile: path.join(inst.buildDir, '.image_cache.json'),
    force: opts.force === true,
    mountPoints,
    ...(opts.progress ? { progress: opts.progress } : {}),
  });

  const keySource = imageKey === undefined ? 'none' : opts.buildinImageKey ? 'builtin' : 'external';
  const measured = measuredConfig(config, image.root, image.encrypted, keySource);
  const text = canonicalJson(measured);
  const bytes = new TextEncoder().encode(text);
  const sig: SignatureFile = { format: SIGNATURE_FORMAT, public_key: publicKeyPem(signKey), signature: Buffer.from(signData(signKey, bytes)).toString('base64') };
  writeAtomic(path.join(inst.dir, PROTECTED_FILE), text);
  writeAtomic(path.join(inst.dir, SIGNATURE_FILE), JSON.stringify(sig, null, 2) + '\n');
  if (imageKey && opts.buildinImageKey) sealImageKey(inst, imageKey, image.root);
  else fs.rmSync(path.join(inst.dir, SEALED_KEY_FILE), { force: true });

  const sys: SysConfig = {
    format: SYS_CONFIG_FORMAT, config: measured.config, programs: scan.programs,
    image: { files: scan.files, bytes: scan.bytes, root_hash: measured.image.root_hash, encryption: measured.image.encryption },
    mrenclave: sha256Hex(bytes), mrsigner: mrsignerOf(signKey),
  };
  writeAtomic(inst.sysConfigPath, JSON.stringify(sys, null, 2) + '\n');
  writeAtomic(checkCache, JSON.stringify({ format: CHECK_CACHE_FORMAT, version: occlumTsVersion(), files: scan.verdicts }));
  // As Occlum's build: what the previous build's programs wrote is gone (a new, empty writable layer).
  wipeLayers(path.join(inst.dir, 'run'));
  return { sys, warnings, image };
}

/** The --sign-key key, or the per-user default key. Throws CliError. */
function loadKey(file: string | undefined): KeyObject {
  try {
    return file !== undefined ? loadSignKey(file) : defaultSignKey().key;
  } catch (e) {
    if (e instanceof SigningKeyError) throw new CliError(`${file !== undefined ? '--sign-key: ' : ''}${e.message}; ${file !== undefined ? 'give a PEM private key' : 'fix it, or set OCCLUM_TS_SIGN_KEY to another key file'}`);
    throw e;
  }
}

function checkOptions(opts: BuildOptions): string[] {
  const warnings: string[] = [];
  const mustRead = (flag: string, file: string | undefined) => {
    if (file === undefined) return;
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch {
      throw new CliError(`${flag} ${file}: no such readable file; give the path of an existing file`);
    }
  };
  mustRead('--sign-key', opts.signKey);
  mustRead('--sign-tool', opts.signTool);
  mustRead('--image-key', opts.imageKey);
  if (opts.sgxMode !== undefined && opts.sgxMode !== 'SIM') {
    if (opts.sgxMode !== 'HW' && opts.sgxMode !== 'HYPER') throw new CliError(`--sgx-mode must be one of HW, SIM, HYPER (got "${opts.sgxMode}")`);
    throw new CliError(`--sgx-mode ${opts.sgxMode} is not supported; occlum-ts runs in SIM mode (leave out --sgx-mode)`);
  }
  if (opts.enableEdmm !== undefined && opts.enableEdmm !== 'Y' && opts.enableEdmm !== 'N') {
    throw new CliError(`--enable-edmm must be Y or N (got "${opts.enableEdmm}")`);
  }
  if (opts.buildinImageKey === true && opts.imageKey === undefined) {
    throw new CliError('--buildin-image-key needs --image-key <file> (the key to build in); make one with `occlum gen-image-key <file>`');
  }
  if (opts.signTool !== undefined) warnings.push('--sign-tool is ignored: occlum-ts signs with node:crypto (give the key with --sign-key)');
  return warnings;
}

// ---------------------------------------------------------------------------------------------
// The image scan

interface Scan {
  programs: ProgramRecord[];
  problems: string[];
  files: number;
  bytes: number;
  /** The verdict on each file that passed, for the next build. */
  verdicts: Record<string, Verdict>;
}

/** A file that passed the check: its identity, where it was, and the program it is (if any). */
interface Verdict { id: FileIdentity; inProgramDir: boolean; program: ProgramRecord | null }

const CHECK_CACHE_FORMAT = 'occlum-ts/check-cache/1';

/** The last build's verdicts, if that build was made by this occlum-ts (what it accepts may differ). */
function loadCheckCache(file: string): Record<string, Verdict> {
  try {
    const c = JSON.parse(fs.readFileSync(file, 'utf8')) as { format?: string; version?: string; files?: Record<string, Verdict> };
    if (c.format === CHECK_CACHE_FORMAT && c.version === occlumTsVersion() && typeof c.files === 'object' && c.files !== null) return c.files;
  } catch { /* no cache */ }
  return {};
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

function startsWith(b: Uint8Array, magic: number[]): boolean {
  return b.length >= magic.length && magic.every((x, i) => b[i] === x);
}

/** True if LibOS path `p` is `dir` or below it (whole components). */
function under(p: string, dir: string): boolean {
  return dir === '/' || p === dir || p.startsWith(dir + '/');
}

function scanImage(imageDir: string, programDirs: string[], cached: Record<string, Verdict>): Scan {
  const scan: Scan = { programs: [], problems: [], files: 0, bytes: 0, verdicts: {} };
  const walk = (hostDir: string, libosDir: string) => {
    for (const name of fs.readdirSync(hostDir).sort()) {
      const hostPath = path.join(hostDir, name);
      const libosPath = libosDir === '/' ? `/${name}` : `${libosDir}/${name}`;
      const st = fs.lstatSync(hostPath, { bigint: true });
      if (st.isDirectory()) { walk(hostPath, libosPath); continue; }
      if (!st.isFile()) continue;
      scan.files++;
      scan.bytes += Number(st.size);
      const inProgramDir = programDirs.some((d) => under(libosPath, d));
      const hit = cached[libosPath];
      if (hit && hit.inProgramDir === inProgramDir && sameFile(hit.id, st)) {
        if (hit.program) scan.programs.push(hit.program);
        scan.verdicts[libosPath] = hit;
        continue;
      }
      const problems = scan.problems.length, programs = scan.programs.length;
      checkFile(scan, hostPath, libosPath, Number(st.mode), Number(st.size), inProgramDir);
      if (scan.problems.length === problems) {
        scan.verdicts[libosPath] = { id: fileIdentity(st), inProgramDir, program: scan.programs.length > programs ? scan.programs[programs]! : null };
      }
    }
  };
  walk(imageDir, '/');
  return scan;
}

function readHead(file: string, n: number): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = new Uint8Array(n);
    const got = fs.readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    fs.closeSync(fd);
  }
}

function checkFile(scan: Scan, hostPath: string, libosPath: string, mode: number, size: number, inProgramDir: boolean): void {
  const shown = `image${libosPath}`;
  const executable = (mode & 0o111) !== 0;
  let head: Uint8Array;
  try {
    head = readHead(hostPath, 8);
  } catch (e) {
    scan.problems.push(`${shown} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}); fix its permissions`);
    return;
  }
  if (isWasm(head)) {
    const bytes = new Uint8Array(fs.readFileSync(hostPath));
    const problem = checkWasm(bytes, shown, inProgramDir);
    if (problem) scan.problems.push(problem);
    else scan.programs.push({ path: libosPath, kind: 'wasm', size, sha256: sha256(bytes) });
  } else if (startsWith(head, ELF_MAGIC)) {
    scan.problems.push(`${shown} is a native ELF binary; compile it to WebAssembly with occlum-cc`);
  } else if (executable && inProgramDir) {
    if (head[0] === 0x23 && head[1] === 0x21 /* #! */) {
      scan.programs.push({ path: libosPath, kind: 'script', size, sha256: sha256(fs.readFileSync(hostPath)) });
    } else {
      scan.problems.push(`${shown} is executable but is neither a WebAssembly program nor a script starting with #!; compile it with occlum-cc, or clear its executable bit (chmod -x)`);
    }
  }
}

/** One line describing what is wrong with a Wasm file, or undefined if it can run. */
function checkWasm(bytes: Uint8Array, shown: string, requireStart: boolean): string | undefined {
  let iface: ReturnType<typeof moduleInterface>;
  try {
    iface = moduleInterface(bytes);
    prepareModule(bytes);
  } catch (e) {
    if (e instanceof WasmFormatError) return `${shown} is not a usable WebAssembly module (${e.message}); rebuild it with occlum-cc`;
    throw e;
  }
  if (!WebAssembly.validate(bytes)) return `${shown} is not a valid WebAssembly module (validation failed); rebuild it with occlum-cc`;
  const kinds = ['function', 'table', 'memory', 'global', 'tag'] as const;
  const missing = iface.imports
    .filter((i) => !providesImport(i.module, i.name, kinds[i.kind] ?? 'tag'))
    .map((i) => (i.kind === 0 ? `${i.module}.${i.name}` : `${i.module}.${i.name} (${kinds[i.kind] ?? 'unknown kind'})`));
  if (missing.length > 0) {
    const list = missing.length > 8 ? `${missing.slice(0, 8).join(', ')} and ${missing.length - 8} more` : missing.join(', ');
    return `${shown} imports ${list}, which occlum-ts does not provide; rebuild it with occlum-cc against the occlum-ts SDK`;
  }
  if (requireStart && !iface.exports.some((x) => x.name === '_start' && x.kind === 0)) {
    return `${shown} has no _start export, so it is not a program (a WASI command); link it as an executable with occlum-cc`;
  }
  return undefined;
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

function isDir(p: string): boolean {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}
