// The measured, signed build config (Occlum's .Occlum_sys.json.protected + the enclave signature).
//
//   build/.Occlum_sys.json.protected   the measured config in canonical bytes: JSON with sorted
//                                      keys, no spaces, UTF-8. MRENCLAVE = SHA-256 of these bytes.
//   build/.Occlum_sys.json.sig         {format, public_key (SPKI PEM), signature (base64)} over them.
// The config holds what decides how the instance behaves: the security-relevant parts of
// Occlum.json (with the image MAC filled into the root unionfs' lower layer, options.MAC, as
// Occlum's build does), the image's root hash and encryption mode, and the occlum-ts version.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { MountEntry, OcclumConfig } from '../config.js';

export const MEASURED_FORMAT = 'occlum-ts/measured-config/1';
export const SIGNATURE_FORMAT = 'occlum-ts/signature/1';
export const PROTECTED_FILE = path.join('build', '.Occlum_sys.json.protected');
export const SIGNATURE_FILE = path.join('build', '.Occlum_sys.json.sig');
/** The image file, relative to the instance (Occlum keeps its RO sefs in build/mount/__ROOT). */
export const IMAGE_FILE = path.join('build', 'mount', '__ROOT', 'image.bin');

/** Where an encrypted image's key comes from at run time. */
export type ImageKeySource = 'none' | 'builtin' | 'external';

export interface MeasuredConfig {
  format: typeof MEASURED_FORMAT;
  occlum_ts_version: string;
  config: Pick<OcclumConfig, 'entry_points' | 'env' | 'mount' | 'resource_limits' | 'process' | 'metadata' | 'feature'>;
  image: {
    /** Hash-tree root, hex. */
    root_hash: string;
    encryption: 'none' | 'aes-256-ctr-siv';
    key: ImageKeySource;
  };
}

export interface SignatureFile {
  format: typeof SIGNATURE_FORMAT;
  public_key: string;
  signature: string;
}

/** JSON with object keys sorted at every level and no whitespace. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function sha256Hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Occlum writes MACs as dash-separated hex bytes. */
export function macText(root: Uint8Array): string {
  return [...root].map((b) => b.toString(16).padStart(2, '0')).join('-');
}

/** The root mount with the image MAC in its first sefs layer that has a MAC key (else the first). */
function withImageMac(mounts: MountEntry[], mac: string): MountEntry[] {
  return mounts.map((m) => {
    if (m.target !== '/' || m.type !== 'unionfs' || !m.options?.layers) return m;
    const layers = m.options.layers;
    const lower = Math.max(0, layers.findIndex((l) => l.options?.MAC !== undefined));
    return { ...m, options: { ...m.options, layers: layers.map((l, i) => (i === lower ? { ...l, options: { ...l.options, MAC: mac } } : l)) } };
  });
}

let version: string | undefined;
/** The occlum-ts version from package.json (this file is dist/src/instance/image/measured-config.js). */
export function occlumTsVersion(): string {
  if (version === undefined) {
    const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'package.json');
    version = (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
  }
  return version;
}

export function measuredConfig(config: OcclumConfig, root: Uint8Array, encrypted: boolean, key: ImageKeySource): MeasuredConfig {
  const { entry_points, env, mount, resource_limits, process, metadata, feature } = config;
  return {
    format: MEASURED_FORMAT,
    occlum_ts_version: occlumTsVersion(),
    config: { entry_points, env, mount: withImageMac(mount, macText(root)), resource_limits, process, metadata, feature },
    image: { root_hash: Buffer.from(root).toString('hex'), encryption: encrypted ? 'aes-256-ctr-siv' : 'none', key },
  };
}

export function encodeMeasured(m: MeasuredConfig): Uint8Array {
  return new TextEncoder().encode(canonicalJson(m));
}
