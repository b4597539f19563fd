// Boot verification (what SGX's EINIT + Occlum's LibOS init check, done in software): before any
// program runs, `occlum run` and `occlum mount` check the whole chain of the build.
//
// Verification flow:
//  1. the signature over build/.Occlum_sys.json.protected verifies with the public key stored
//     beside it; MRSIGNER = the hash of that key (SGX: of the RSA modulus);
//  2. the protected bytes are a measured config of this occlum-ts version; MRENCLAVE = their hash;
//  3. the image file hashes, block by block, to the root hash that config names (every byte of
//     the file is checked), and an encrypted image's key matches (OCCLUM_IMAGE_KEY_FILE or the
//     built-in sealed key);
//  4. the result: the verified config, the measurements, and the mounted ImageFs.
// Every failure is a CliError with one line: the file, what failed, and the fix.
// As in SGX, any key may sign: a config changed and re-signed with another key boots, with another
// MRENCLAVE and MRSIGNER. Whoever relies on the instance checks those two values (attestation;
// `occlum mount --sign-key` checks the signer).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { nodeCrypto } from '../../host/node-crypto.js';
import { mrsignerOf, verifyData } from '../../host/signing.js';
import type { Host } from '../../host/types.js';
import { ImageError, ImageFs } from '../../kernel/fs/imagefs.js';
import type { OcclumConfig } from '../config.js';
import { CliError, type Instance } from '../instance.js';
import { IMAGE_KEY_ENV, KEY_HOWTO, readImageKeyFile, unsealImageKey } from './image-key.js';
import {
  IMAGE_FILE, MEASURED_FORMAT, PROTECTED_FILE, SIGNATURE_FILE, SIGNATURE_FORMAT, occlumTsVersion, sha256Hex,
  type MeasuredConfig, type SignatureFile,
} from './measured-config.js';

export interface SignedConfig {
  measured: MeasuredConfig;
  config: OcclumConfig;
  /** SHA-256 of the protected config, hex. */
  mrenclave: string;
  /** SHA-256 of the signer's key (RSA: modulus, little-endian), hex. */
  mrsigner: string;
}

export interface VerifiedBuild extends SignedConfig {
  /** The verified image, ready to be the root (or the root's lower layer). */
  image: ImageFs;
}

export interface VerifyOptions {
  /** Environment for OCCLUM_IMAGE_KEY_FILE. */
  env: Record<string, string | undefined>;
  /** An explicit key file (`occlum mount --image-key`), before the environment. */
  imageKeyFile?: string;
  /** Kernel log sink for blocks that fail verification after boot. */
  log?: (line: string) => void;
}

const AGAIN = 'run `occlum build` again';

/** True if `occlum build` left its signed config (the status file alone can be stale). */
export function hasBuild(inst: Instance): boolean {
  return fs.existsSync(path.join(inst.dir, PROTECTED_FILE));
}

/** Steps 1-2. Throws CliError. */
export function verifySignedConfig(inst: Instance): SignedConfig {
  const read = (rel: string): Buffer => {
    try {
      return fs.readFileSync(path.join(inst.dir, rel));
    } catch {
      throw new CliError(`${rel} is missing; ${AGAIN}`);
    }
  };
  const bytes = read(PROTECTED_FILE);
  let sig: Partial<SignatureFile>;
  let publicKey: KeyObject;
  try {
    sig = JSON.parse(read(SIGNATURE_FILE).toString('utf8')) as Partial<SignatureFile>;
    if (sig.format !== SIGNATURE_FORMAT || typeof sig.signature !== 'string') throw new Error('format');
    publicKey = createPublicKey(sig.public_key ?? '');
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${SIGNATURE_FILE} is damaged (not a signature file with a public key); ${AGAIN}`);
  }
  if (!verifyData(publicKey, bytes, Buffer.from(sig.signature, 'base64'))) {
    throw new CliError(`${PROTECTED_FILE}: the signature does not verify (the config or ${SIGNATURE_FILE} was modified); ${AGAIN}`);
  }
  let measured: MeasuredConfig;
  try {
    measured = JSON.parse(bytes.toString('utf8')) as MeasuredConfig;
  } catch {
    throw new CliError(`${PROTECTED_FILE} is not a measured config; ${AGAIN}`);
  }
  if (measured.format !== MEASURED_FORMAT || typeof measured.image?.root_hash !== 'string' || typeof measured.config !== 'object') {
    throw new CliError(`${PROTECTED_FILE} was made by another version of occlum; ${AGAIN}`);
  }
  if (measured.occlum_ts_version !== occlumTsVersion()) {
    throw new CliError(`${PROTECTED_FILE} was built by occlum-ts ${measured.occlum_ts_version}, this is ${occlumTsVersion()}; ${AGAIN}`);
  }
  return { measured, config: measured.config, mrenclave: sha256Hex(bytes), mrsigner: mrsignerOf(publicKey) };
}

/** The image key for a signed config: explicit file, then OCCLUM_IMAGE_KEY_FILE, then the built-in key. */
function imageKey(inst: Instance, m: MeasuredConfig, root: Uint8Array, opts: VerifyOptions): { key?: Uint8Array; from: string } {
  if (m.image.encryption === 'none') return { from: '' };
  if (opts.imageKeyFile !== undefined) return { key: readImageKeyFile(opts.imageKeyFile, '--image-key'), from: `--image-key ${opts.imageKeyFile}` };
  const env = opts.env[IMAGE_KEY_ENV];
  if (env) return { key: readImageKeyFile(env, IMAGE_KEY_ENV), from: `${IMAGE_KEY_ENV}=${env}` };
  if (m.image.key === 'builtin') return { key: unsealImageKey(inst, root), from: 'the built-in key' };
  throw new CliError(`${IMAGE_FILE} is encrypted and no image key was given; ${KEY_HOWTO}`);
}

/** The whole flow. Throws CliError. */
export async function verifyBuild(inst: Instance, host: Host, opts: VerifyOptions): Promise<VerifiedBuild> {
  const signed = verifySignedConfig(inst);
  const root = new Uint8Array(Buffer.from(signed.measured.image.root_hash, 'hex'));
  const { key, from } = imageKey(inst, signed.measured, root, opts);
  let image: ImageFs;
  try {
    image = ImageFs.open({
      hostFs: host.fs, path: path.join(inst.dir, IMAGE_FILE), root, crypto: nodeCrypto, verifyAll: true,
      ...(key ? { key } : {}), ...(opts.log ? { log: opts.log } : {}),
    });
  } catch (e) {
    if (!(e instanceof ImageError)) throw e;
    switch (e.kind) {
      case 'unreadable': throw new CliError(`${IMAGE_FILE} ${e.message}; ${AGAIN}`);
      case 'integrity': throw new CliError(`${IMAGE_FILE} ${e.message}; run \`occlum build -f\` again`);
      case 'key':
        if (!key) throw new CliError(`${IMAGE_FILE} is encrypted and no image key was given; ${KEY_HOWTO}`);
        throw new CliError(`the image key from ${from} does not open ${IMAGE_FILE} (it was encrypted with another key); ${KEY_HOWTO}`);
    }
  }
  return { ...signed, image };
}
