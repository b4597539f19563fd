// Signing the measured build config (the sim platform's sgx_sign): a private key in PEM, any
// type node:crypto signs with (RSA as SGX, EC, Ed25519). Without --sign-key, a per-user key is
// created on first use next to the sealing key (default ~/.occlum-ts/sign-key.pem, mode 0600;
// OCCLUM_TS_SIGN_KEY overrides the path, like OCCLUM_TS_SEALING_KEY in sealing.ts). It is an
// RSA-3072 key with exponent 3, the kind SGX enclaves are signed with.
//
// MRSIGNER is SGX's: SHA-256 of the RSA modulus, little-endian. For other key types (which SGX
// does not have) it is SHA-256 of the DER SubjectPublicKeyInfo.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as crypto from 'node:crypto';

export class SigningKeyError extends Error {}

export function defaultSignKeyPath(): string {
  return process.env['OCCLUM_TS_SIGN_KEY'] || path.join(os.homedir(), '.occlum-ts', 'sign-key.pem');
}

/** Loads a PEM private key. Throws SigningKeyError (one sentence). */
export function loadSignKey(file: string): crypto.KeyObject {
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new SigningKeyError(`cannot read signing key ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return crypto.createPrivateKey(pem);
  } catch {
    throw new SigningKeyError(`${file} is not a PEM private key (e.g. make one with \`openssl genrsa -3 -out key.pem 3072\`)`);
  }
}

/** The default per-user key, created (RSA-3072, e = 3, mode 0600 in a 0700 directory) on first use. */
export function defaultSignKey(): { key: crypto.KeyObject; path: string } {
  const file = path.resolve(defaultSignKeyPath());
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 3072, publicExponent: 3 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    try {
      const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
      try { fs.writeSync(fd, pem); fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new SigningKeyError(`cannot create signing key ${file}: ${(e as Error).message}`);
      // another build created it first: use theirs
    }
  }
  return { key: loadSignKey(file), path: file };
}

/** The digest argument of crypto.sign/verify for a key type: Ed25519/Ed448 hash internally. */
function digestFor(key: crypto.KeyObject): string | null {
  return key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448' ? null : 'sha256';
}

/** Signs `data` (RSA: PKCS#1 v1.5 with SHA-256, as SGX's SIGSTRUCT). */
export function signData(key: crypto.KeyObject, data: Uint8Array): Uint8Array {
  return new Uint8Array(crypto.sign(digestFor(key), data, key));
}

export function verifyData(publicKey: crypto.KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return crypto.verify(digestFor(publicKey), data, publicKey, signature);
  } catch {
    return false;
  }
}

function publicOf(key: crypto.KeyObject): crypto.KeyObject {
  return key.type === 'public' ? key : crypto.createPublicKey(key);
}

export function publicKeyPem(key: crypto.KeyObject): string {
  return publicOf(key).export({ type: 'spki', format: 'pem' }).toString();
}

/** MRSIGNER of a public (or private) key, hex. */
export function mrsignerOf(key: crypto.KeyObject): string {
  const pub = publicOf(key);
  if (pub.asymmetricKeyType === 'rsa') {
    const n = Buffer.from(pub.export({ format: 'jwk' }).n ?? '', 'base64url');
    return crypto.createHash('sha256').update(Buffer.from(n).reverse()).digest('hex');
  }
  return crypto.createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex');
}
