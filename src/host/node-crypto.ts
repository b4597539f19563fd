// HostCrypto on node:crypto (AES-NI backed OpenSSL).
import * as crypto from 'node:crypto';
import type { HostCrypto } from './types.js';

const gcmName = (key: Uint8Array) => (key.length === 32 ? 'aes-256-gcm' : 'aes-128-gcm');

export const nodeCrypto: HostCrypto = {
  randomBytes: (n) => new Uint8Array(crypto.randomBytes(n)),
  aesGcmEncrypt(key, iv, plaintext, aad) {
    const c = crypto.createCipheriv(gcmName(key), key, iv);
    if (aad) c.setAAD(aad);
    const a = c.update(plaintext);
    const b = c.final();
    const ciphertext = b.length ? new Uint8Array(Buffer.concat([a, b])) : new Uint8Array(a.buffer, a.byteOffset, a.length);
    return { ciphertext, tag: new Uint8Array(c.getAuthTag()) };
  },
  aesGcmDecrypt(key, iv, ciphertext, tag, aad) {
    try {
      const d = crypto.createDecipheriv(gcmName(key), key, iv);
      if (aad) d.setAAD(aad);
      d.setAuthTag(tag);
      const a = d.update(ciphertext);
      const b = d.final();
      return b.length ? new Uint8Array(Buffer.concat([a, b])) : new Uint8Array(a.buffer, a.byteOffset, a.length);
    } catch {
      return undefined;
    }
  },
  aesCtr(key, iv, data) {
    const c = crypto.createCipheriv(key.length === 32 ? 'aes-256-ctr' : 'aes-128-ctr', key, iv.length === 16 ? iv : Buffer.concat([iv, Buffer.alloc(16 - iv.length)]));
    return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
  },
  sha256(...parts) {
    const h = crypto.createHash('sha256');
    for (const p of parts) h.update(p);
    return new Uint8Array(h.digest());
  },
  hmacSha256(key, ...parts) {
    const h = crypto.createHmac('sha256', key);
    for (const p of parts) h.update(p);
    return new Uint8Array(h.digest());
  },
  hkdf: (ikm, salt, info, length) => new Uint8Array(crypto.hkdfSync('sha256', ikm, salt, info, length)),
};
