// Image keys on the host: `occlum gen-image-key`, reading a key file, and the built-in key.
//
// At run time an encrypted image's key comes from, in this order:
//   1. OCCLUM_IMAGE_KEY_FILE=<key file> in the environment (or `occlum mount --image-key`);
//   2. build/image_key.sealed, written by `occlum build --buildin-image-key`: the key sealed with
//      the platform sealing key (src/host/sealing.ts; AES-256-GCM under an HKDF-derived key, the
//      image root hash as associated data, so it unseals only on this machine and only for this
//      image). Occlum keeps the key in the initfs (/etc/image_key) for the same purpose.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nodeCrypto } from '../../host/node-crypto.js';
import { loadSealingKey, SealingKeyError } from '../../host/sealing.js';
import { formatImageKey, IMAGE_KEY_BYTES, ImageKeyFormatError, parseImageKey } from '../../image/image-crypto.js';
import { CliError, writeAtomic, type Instance } from '../instance.js';

export const IMAGE_KEY_ENV = 'OCCLUM_IMAGE_KEY_FILE';
export const SEALED_KEY_FILE = path.join('build', 'image_key.sealed');
const SEAL_SALT = new TextEncoder().encode('occlum-ts image key seal');
const SEALED_FORMAT = 'occlum-ts/sealed-image-key/1';

/** The one line that says how to give the key of an encrypted image. */
export const KEY_HOWTO = `give its key with ${IMAGE_KEY_ENV}=<key file>, or build with --buildin-image-key`;

/** `occlum gen-image-key <file>`: a random 128-bit key as Occlum writes it, mode 0600. */
export function genImageKey(file: string): void {
  const text = `${formatImageKey(nodeCrypto.randomBytes(IMAGE_KEY_BYTES))}\n`;
  const fd = fs.openSync(file, 'w', 0o600);
  try {
    fs.fchmodSync(fd, 0o600); // an existing file keeps its mode otherwise
    fs.writeSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads a key file; `shown` names where it came from in the error. Throws CliError. */
export function readImageKeyFile(file: string, shown: string): Uint8Array {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`${shown} ${file}: cannot read the image key (${(e as NodeJS.ErrnoException).code ?? 'error'}); make one with \`occlum gen-image-key <file>\``);
  }
  try {
    return parseImageKey(text);
  } catch (e) {
    if (e instanceof ImageKeyFormatError) throw new CliError(`${shown} ${file} ${e.message}`);
    throw e;
  }
}

function sealKey(): Uint8Array {
  try {
    return nodeCrypto.hkdf(loadSealingKey(), SEAL_SALT, 'image key', 32);
  } catch (e) {
    if (e instanceof SealingKeyError) throw new CliError(`${e.message}; fix it, or set OCCLUM_TS_SEALING_KEY to another key file`);
    throw e;
  }
}

/** Seals `key` for this machine and this image into build/image_key.sealed. */
export function sealImageKey(inst: Instance, key: Uint8Array, root: Uint8Array): void {
  const iv = nodeCrypto.randomBytes(12);
  const { ciphertext, tag } = nodeCrypto.aesGcmEncrypt(sealKey(), iv, key, root);
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  writeAtomic(path.join(inst.dir, SEALED_KEY_FILE), JSON.stringify({ format: SEALED_FORMAT, iv: b64(iv), ciphertext: b64(ciphertext), tag: b64(tag) }) + '\n');
}

/** Unseals build/image_key.sealed for the image with root hash `root`. Throws CliError. */
export function unsealImageKey(inst: Instance, root: Uint8Array): Uint8Array {
  let s: { format?: string; iv?: string; ciphertext?: string; tag?: string };
  try {
    s = JSON.parse(fs.readFileSync(path.join(inst.dir, SEALED_KEY_FILE), 'utf8')) as typeof s;
  } catch {
    throw new CliError(`${SEALED_KEY_FILE} is missing or damaged; run \`occlum build --image-key <file> --buildin-image-key\` again, or ${KEY_HOWTO.replace(', or build with --buildin-image-key', '')}`);
  }
  const b = (x: string | undefined) => new Uint8Array(Buffer.from(x ?? '', 'base64'));
  const key = s.format === SEALED_FORMAT ? nodeCrypto.aesGcmDecrypt(sealKey(), b(s.iv), b(s.ciphertext), b(s.tag), root) : undefined;
  if (!key || key.length !== IMAGE_KEY_BYTES) {
    throw new CliError(`${SEALED_KEY_FILE} does not unseal on this machine for this image; rebuild with --buildin-image-key here, or give the key with ${IMAGE_KEY_ENV}=<key file>`);
  }
  return key;
}
