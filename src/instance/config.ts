// Occlum.json: the schema (after Occlum's etc/template/Occlum.json and tools/gen_internal_conf),
// the template that `occlum init` writes, and validation that names the field and the fix.
//
// Validation flow:
//  1. parse the text (a syntax error reports its line and column);
//  2. check it against the JSON Schema with ajv, filling in the template's defaults;
//  3. check what a schema cannot say (the root mount, duplicate targets, unsupported types...).
// Unknown fields are warnings, not errors: Occlum (serde) ignores them, but a typo deserves a note.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

export const CONFIG_FILE = 'Occlum.json';

export interface MountOptions {
  MAC?: string;
  layers?: MountEntry[];
  temporary?: boolean;
  cache_size?: string;
  disk_size?: string;
  index?: number;
}

export interface MountEntry {
  target: string;
  type: MountType;
  source?: string;
  options?: MountOptions;
}

export const MOUNT_TYPES = ['sefs', 'hostfs', 'ramfs', 'unionfs', 'devfs', 'procfs', 'ext2'] as const;
export type MountType = (typeof MOUNT_TYPES)[number];

export interface OcclumConfig {
  resource_limits: {
    user_space_size: string;
    user_space_max_size?: string;
    kernel_space_heap_size: string;
    kernel_space_heap_max_size?: string;
    kernel_space_stack_size: string;
    max_num_of_threads: number;
    init_num_of_threads?: number;
    marshal_buffer_size?: string;
  };
  process: { default_stack_size: string; default_heap_size: string; default_mmap_size: string };
  entry_points: string[];
  env: { default: string[]; untrusted: string[] };
  metadata: {
    product_id: number;
    version_number: number;
    debuggable: boolean;
    disable_log?: boolean;
    enable_kss: boolean;
    family_id: { high: string; low: string };
    ext_prod_id: { high: string; low: string };
  };
  feature: { amx: number; pkru: number; io_uring: number; enable_edmm: boolean; enable_posix_shm: boolean };
  mount: MountEntry[];
}

/** Occlum's etc/template/Occlum.json (v0.31), which `occlum init` copies into the instance. */
export function templateConfig(): OcclumConfig {
  return {
    resource_limits: {
      user_space_size: '300MB',
      kernel_space_heap_size: '32MB',
      kernel_space_stack_size: '1MB',
      max_num_of_threads: 32,
    },
    process: { default_stack_size: '4MB', default_heap_size: '32MB', default_mmap_size: '100MB' },
    entry_points: ['/bin'],
    env: { default: ['OCCLUM=yes'], untrusted: ['EXAMPLE'] },
    metadata: {
      product_id: 0,
      version_number: 0,
      debuggable: true,
      enable_kss: false,
      family_id: { high: '0x0', low: '0x0' },
      ext_prod_id: { high: '0x0', low: '0x0' },
    },
    feature: { amx: 0, pkru: 0, io_uring: 0, enable_edmm: false, enable_posix_shm: false },
    mount: [
      {
        target: '/',
        type: 'unionfs',
        options: {
          layers: [
            { target: '/', type: 'sefs', source: './build/mount/__ROOT', options: { MAC: '' } },
            { target: '/', type: 'sefs', source: './run/mount/__ROOT' },
          ],
        },
      },
      { target: '/host', type: 'hostfs', source: '.' },
      { target: '/tmp', type: 'sefs', source: './run/mount/tmp', options: { temporary: true } },
    ],
  };
}

/** The text `occlum init` writes (4-space indent, like Occlum's template). */
export function templateText(): string {
  return JSON.stringify(templateConfig(), null, 4) + '\n';
}

// ---------------------------------------------------------------------------------------------
// Sizes ("300MB"), as Occlum's parse_memory_size reads them

const SIZE_RE = /^\s*(\d+)\s*(B|KB|MB|GB|TB)\s*$/;
const UNIT: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** Bytes in a size string such as "300MB"; undefined if it is not one. */
export function parseSize(s: string): number | undefined {
  const m = SIZE_RE.exec(s);
  return m ? Number(m[1]) * UNIT[m[2]!]! : undefined;
}

/** True for absolute LibOS paths without '..' components. */
export function isCleanAbsolutePath(p: string): boolean {
  return p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\0');
}

// ---------------------------------------------------------------------------------------------
// The JSON Schema

const size = (def?: string) => ({ type: 'string', format: 'size', ...(def !== undefined ? { default: def } : {}) });
const hex64 = { type: 'string', format: 'hex64' };
const tpl = templateConfig();

const mountSchema = {
  type: 'object',
  required: ['target', 'type'],
  additionalProperties: false,
  properties: {
    target: { type: 'string', format: 'abs-path' },
    type: { type: 'string', enum: [...MOUNT_TYPES] },
    source: { type: 'string', minLength: 1 },
    options: {
      type: 'object',
      additionalProperties: false,
      properties: {
        MAC: { type: 'string' },
        layers: { type: 'array', items: { $ref: '#/$defs/mount' } },
        temporary: { type: 'boolean' },
        cache_size: size(),
        disk_size: size(),
        index: { type: 'integer', minimum: 0 },
      },
    },
  },
};

const schema = {
  type: 'object',
  additionalProperties: false,
  $defs: { mount: mountSchema },
  properties: {
    resource_limits: {
      type: 'object',
      default: {},
      additionalProperties: false,
      properties: {
        user_space_size: size(tpl.resource_limits.user_space_size),
        user_space_max_size: size(),
        kernel_space_heap_size: size(tpl.resource_limits.kernel_space_heap_size),
        kernel_space_heap_max_size: size(),
        kernel_space_stack_size: size(tpl.resource_limits.kernel_space_stack_size),
        max_num_of_threads: { type: 'integer', minimum: 1, default: tpl.resource_limits.max_num_of_threads },
        init_num_of_threads: { type: 'integer', minimum: 1 },
        marshal_buffer_size: size(),
      },
    },
    process: {
      type: 'object',
      default: {},
      additionalProperties: false,
      properties: {
        default_stack_size: size(tpl.process.default_stack_size),
        default_heap_size: size(tpl.process.default_heap_size),
        default_mmap_size: size(tpl.process.default_mmap_size),
      },
    },
    entry_points: { type: 'array', items: { type: 'string', format: 'abs-path' }, default: tpl.entry_points },
    env: {
      type: 'object',
      default: {},
      additionalProperties: false,
      properties: {
        default: { type: 'array', items: { type: 'string', format: 'env-assignment' }, default: tpl.env.default },
        untrusted: { type: 'array', items: { type: 'string', format: 'env-name' }, default: tpl.env.untrusted },
      },
    },
    metadata: {
      type: 'object',
      default: {},
      additionalProperties: false,
      properties: {
        product_id: { type: 'integer', minimum: 0, maximum: 65535, default: 0 },
        version_number: { type: 'integer', minimum: 0, maximum: 65535, default: 0 },
        debuggable: { type: 'boolean', default: true },
        disable_log: { type: 'boolean' },
        enable_kss: { type: 'boolean', default: false },
        family_id: {
          type: 'object', default: {}, additionalProperties: false,
          properties: { high: { ...hex64, default: '0x0' }, low: { ...hex64, default: '0x0' } },
        },
        ext_prod_id: {
          type: 'object', default: {}, additionalProperties: false,
          properties: { high: { ...hex64, default: '0x0' }, low: { ...hex64, default: '0x0' } },
        },
        // Older templates kept these two here; they moved to `feature`.
        pkru: { type: 'integer', enum: [0, 1, 2] },
        amx: { type: 'integer', enum: [0, 1, 2] },
      },
    },
    feature: {
      type: 'object',
      default: {},
      additionalProperties: false,
      properties: {
        amx: { type: 'integer', enum: [0, 1, 2], default: 0 },
        pkru: { type: 'integer', enum: [0, 1, 2], default: 0 },
        io_uring: { type: 'integer', minimum: 0, maximum: 16, default: 0 },
        enable_edmm: { type: 'boolean', default: false },
        enable_posix_shm: { type: 'boolean', default: false },
      },
    },
    mount: { type: 'array', items: { $ref: '#/$defs/mount' }, default: tpl.mount },
  },
};

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: true, strictTypes: false });
  ajv.addFormat('size', { type: 'string', validate: (s: string) => SIZE_RE.test(s) });
  ajv.addFormat('hex64', { type: 'string', validate: (s: string) => /^0x[0-9a-fA-F]{1,16}$/.test(s) });
  ajv.addFormat('abs-path', { type: 'string', validate: isCleanAbsolutePath });
  ajv.addFormat('env-assignment', { type: 'string', validate: (s: string) => /^[^=\0]+=/.test(s) });
  ajv.addFormat('env-name', { type: 'string', validate: (s: string) => /^[^=\0]+$/.test(s) });
  compiled = ajv.compile(schema);
  return compiled;
}

// ---------------------------------------------------------------------------------------------
// Errors

/** A problem in Occlum.json; `message` is one line, without the "occlum: " prefix. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) { super(problems.join('; ')); }
}

export interface ValidatedConfig {
  config: OcclumConfig;
  /** Unknown fields and other notes worth a line on stderr; the build goes on. */
  warnings: string[];
}

/** "/mount/1/type" -> "mount[1].type" */
function fieldPath(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

const FORMAT_HINT: Record<string, string> = {
  size: 'a size like "300MB" (units B, KB, MB, GB, TB)',
  hex64: 'a hex string like "0x0"',
  'abs-path': 'an absolute path without ".." like "/bin"',
  'env-assignment': 'an assignment like "NAME=value"',
  'env-name': 'a variable name like "EXAMPLE" (no "=")',
};

const TYPE_NAME: Record<string, string> = {
  string: 'a string', integer: 'an integer', number: 'a number', boolean: 'true or false',
  array: 'a list [...]', object: 'an object {...}',
};

function got(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function describeError(e: ErrorObject): string {
  const field = fieldPath(e.instancePath);
  const subject = field === '' ? 'Occlum.json' : field;
  switch (e.keyword) {
    case 'required':
      return `${fieldPath(e.instancePath, String(e.params['missingProperty']))} is missing`;
    case 'format':
      return `${subject} must be ${FORMAT_HINT[String(e.params['format'])] ?? e.params['format']} (got ${got(e.data)})`;
    case 'type': {
      const t = String(e.params['type']);
      return field === ''
        ? `Occlum.json must hold a JSON object {...} (got ${got(e.data)})`
        : `${subject} must be ${TYPE_NAME[t] ?? t} (got ${got(e.data)})`;
    }
    case 'enum':
      return `${subject} must be one of ${(e.params['allowedValues'] as unknown[]).map((v) => String(v)).join(', ')} (got ${got(e.data)})`;
    case 'minimum':
      return `${subject} must be at least ${String(e.params['limit'])} (got ${got(e.data)})`;
    case 'maximum':
      return `${subject} must be at most ${String(e.params['limit'])} (got ${got(e.data)})`;
    case 'minLength':
      return `${subject} must not be empty`;
    default:
      return `${subject} ${e.message ?? 'is invalid'}`;
  }
}

/** Position of a JSON.parse error as 1-based line and column, and the message without it. */
function jsonErrorPosition(text: string, err: Error): { line: number; column: number; msg: string } {
  let msg = err.message;
  let pos = text.length;
  const m = /at position (\d+)/.exec(msg);
  if (m) pos = Number(m[1]);
  const lc = /\(line (\d+) column (\d+)\)/.exec(msg);
  msg = msg.replace(/\s*\(line \d+ column \d+\)/, '').replace(/\s*in JSON at position \d+/, '').replace(/^JSON\.parse: /, '');
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]), msg };
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column, msg };
}

/** Parses Occlum.json text. Throws ConfigError with the line and column of a syntax error. */
export function parseConfigText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const { line, column, msg } = jsonErrorPosition(text, e as Error);
    throw new ConfigError([`Occlum.json is not valid JSON (line ${line}, column ${column}): ${msg}`]);
  }
}

/** Checks a parsed config and fills in defaults. Throws ConfigError listing every problem. */
export function validateConfig(data: unknown): ValidatedConfig {
  const copy: unknown = data === undefined ? undefined : JSON.parse(JSON.stringify(data));
  const validate = validator();
  const problems: string[] = [];
  const warnings: string[] = [];
  if (!validate(copy)) {
    for (const e of validate.errors ?? []) {
      if (e.keyword === 'additionalProperties') {
        warnings.push(`unknown field ${fieldPath(e.instancePath, String(e.params['additionalProperty']))} is ignored (check its spelling)`);
      } else if (e.keyword !== 'if') {
        problems.push(describeError(e));
      }
    }
    // Only unknown fields: the data is still usable.
    if (problems.length === 0) return finish(copy as OcclumConfig, warnings);
    throw new ConfigError(dedupe(problems).map(prefixed));
  }
  return finish(copy as OcclumConfig, warnings);
}

function finish(config: OcclumConfig, warnings: string[]): ValidatedConfig {
  const problems = checkSemantics(config, warnings);
  if (problems.length > 0) throw new ConfigError(problems.map(prefixed));
  return { config, warnings: warnings.map(prefixed) };
}

function prefixed(p: string): string {
  return p.startsWith('Occlum.json') ? p : `Occlum.json: ${p}`;
}

function dedupe(xs: string[]): string[] { return [...new Set(xs)]; }

/** Rules that the JSON Schema cannot express. */
function checkSemantics(c: OcclumConfig, warnings: string[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  let root: MountEntry | undefined;
  c.mount.forEach((m, i) => {
    const at = `mount[${i}] (${m.type} at ${m.target})`;
    const target = normalizePath(m.target);
    const prev = seen.get(target);
    if (prev !== undefined) problems.push(`mount[${i}].target ${m.target} is already used by mount[${prev}]; give each mount its own target`);
    seen.set(target, i);
    if (m.type === 'devfs' || m.type === 'procfs') {
      problems.push(`${at}: type "${m.type}" is not supported yet by occlum-ts; remove this entry (Occlum mounts /dev and /proc by itself)`);
    } else if (m.type === 'ext2') {
      problems.push(`${at}: type "ext2" is not supported yet by occlum-ts; use "sefs" or "ramfs"`);
    }
    if (target === '/') {
      root = m;
      if (m.type !== 'unionfs') {
        problems.push(`${at}: the root mount must be of type "unionfs" with sefs layers (see the template from \`occlum init\`)`);
      } else {
        const layers = m.options?.layers ?? [];
        if (layers.length === 0) problems.push(`mount[${i}].options.layers is missing; the root unionfs needs its sefs layers (see the template from \`occlum init\`)`);
        layers.forEach((l, j) => {
          if (l.type !== 'sefs') problems.push(`mount[${i}].options.layers[${j}].type must be "sefs" (got "${l.type}")`);
          if (l.source === undefined) problems.push(`mount[${i}].options.layers[${j}].source is missing; a sefs layer needs a host directory`);
        });
      }
      return;
    }
    switch (m.type) {
      case 'unionfs':
        problems.push(`${at}: a unionfs is supported only as the root mount "/" for now`);
        break;
      case 'hostfs':
        if (m.source === undefined) problems.push(`mount[${i}].source is missing; a hostfs mount needs a host directory (relative to the instance dir), e.g. "."`);
        break;
      case 'sefs':
        if (m.source === undefined) problems.push(`mount[${i}].source is missing; a sefs mount needs a host directory, e.g. "./run/mount${m.target}"`);
        if (m.options?.temporary === true && m.options.MAC !== undefined) problems.push(`${at}: "temporary" and "MAC" cannot be used together`);
        if (m.options?.MAC !== undefined) problems.push(`${at}: a read-only sefs with a MAC is only supported as the root's image layer; drop "MAC" for an encrypted writable sefs`);
        break;
      default:
        break;
    }
  });
  if (!root) problems.push('mount has no entry for "/"; add the root unionfs entry from the template (`occlum init` writes it)');
  return problems;
}

/** "/a//b/./c/" -> "/a/b/c" (no '..' handling: validated paths have none). */
export function normalizePath(p: string): string {
  return '/' + p.split('/').filter((c) => c !== '' && c !== '.').join('/');
}
