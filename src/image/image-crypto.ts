// Image encryption: deterministic, so that the same image/ and key give the same image and the
// same measurement (a reproducible build), with no nonce ever reused for different plaintexts.
//   keys     HKDF-SHA256(image key, salt "occlum-ts image", info "enc" | "siv" | "check")
//   block i  IV = HMAC-SHA256(siv key, u64le(i) || plaintext)[0..16]   (SIV style, RFC 5297's idea)
//            ciphertext = AES-256-CTR(enc key, IV, plaintext)
//   check    HMAC-SHA256(check key, "occlum-ts image key check"), stored in the header, tells a
//            wrong key from a damaged image before any block is decrypted.
// Integrity comes from the hash tree over the ciphertext, so the IV is not re-checked on read.
// Identical blocks at the same position encrypt identically; nothing else is revealed.
import type { HostCrypto } from '../host/types.js';
import { IV_BYTES } from './format.js';

export const IMAGE_KEY_BYTES = 16;
const SALT = new TextEncoder().encode('occlum-ts image');
const CHECK_TEXT = new TextEncoder().encode('occlum-ts image key check');

export class ImageKeyFormatError extends Error {}

export interface ImageKeys {
  enc: Uint8Array;
  siv: Uint8Array;
  check: Uint8Array;
}

export function deriveImageKeys(crypto: HostCrypto, key: Uint8Array): ImageKeys {
  return {
    enc: crypto.hkdf(key, SALT, 'enc', 32),
    siv: crypto.hkdf(key, SALT, 'siv', 32),
    check: crypto.hkdf(key, SALT, 'check', 32),
  };
}

export function keyCheckValue(crypto: HostCrypto, keys: ImageKeys): Uint8Array {
  return crypto.hmacSha256(keys.check, CHECK_TEXT);
}

function indexBytes(i: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(i), true);
  return b;
}

export function encryptBlock(crypto: HostCrypto, keys: ImageKeys, index: number, plain: Uint8Array): { iv: Uint8Array; cipher: Uint8Array } {
  const iv = crypto.hmacSha256(keys.siv, indexBytes(index), plain).subarray(0, IV_BYTES);
  return { iv, cipher: crypto.aesCtr(keys.enc, iv, plain) };
}

export function decryptBlock(crypto: HostCrypto, keys: ImageKeys, iv: Uint8Array, cipher: Uint8Array): Uint8Array {
  return crypto.aesCtr(keys.enc, iv, cipher);
}

/** Occlum's key file text: 16 bytes as "xx-xx-...-xx". */
export function formatImageKey(key: Uint8Array): string {
  return [...key].map((b) => b.toString(16).padStart(2, '0')).join('-');
}

/** Parses a key file's text (surrounding whitespace ignored). Throws ImageKeyFormatError. */
export function parseImageKey(text: string): Uint8Array {
  const t = text.trim();
  if (!/^[0-9a-fA-F]{2}(-[0-9a-fA-F]{2}){15}$/.test(t)) {
    throw new ImageKeyFormatError('is not an image key (16 bytes written as xx-xx-...-xx, as `occlum gen-image-key` makes)');
  }
  return new Uint8Array(t.split('-').map((h) => parseInt(h, 16)));
}
