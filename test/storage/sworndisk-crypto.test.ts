// The batched per-block AES-GCM that SwornDisk's data path uses (HostCrypto.aesGcmEncryptBlocks /
// aesGcmDecryptBlocks / helpPendingBlocks on node:crypto, run by worker threads plus the waiting
// caller): same output as the one-block call, every block verified, the failing block reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeCrypto } from '../../src/host/node-crypto.js';

const BS = 4096;
const ZERO_IV = new Uint8Array(12);

function setup(n: number) {
  const shared = nodeCrypto.allocShared!;
  const pt = shared(n * BS), ct = shared(n * BS), back = shared(n * BS), tags = shared(n * 16);
  pt.set(nodeCrypto.randomBytes(n * BS));
  return { keys: nodeCrypto.randomBytes(16 * n), pt, ct, back, tags };
}

for (const [n, help] of [[200, false], [200, true], [8, false]] as const) {
  test(`${n} blocks${help ? ', caller helping' : ''}: each block is AES-GCM under its own key, and decrypts back`, async () => {
    const { keys, pt, ct, back, tags } = setup(n);
    const sealing = nodeCrypto.aesGcmEncryptBlocks!(keys, pt, ct, tags, BS);
    if (help) nodeCrypto.helpPendingBlocks!(sealing);
    await sealing;
    for (const i of [0, 1, n >> 1, n - 1]) {
      const one = nodeCrypto.aesGcmEncrypt(keys.subarray(16 * i, 16 * i + 16), ZERO_IV, pt.subarray(i * BS, (i + 1) * BS));
      assert.deepEqual(ct.subarray(i * BS, (i + 1) * BS), one.ciphertext, `ciphertext of block ${i}`);
      assert.deepEqual(tags.subarray(16 * i, 16 * i + 16), one.tag, `tag of block ${i}`);
    }
    const opening = nodeCrypto.aesGcmDecryptBlocks!(keys, ct, back, tags, BS);
    if (help) nodeCrypto.helpPendingBlocks!(opening);
    assert.equal(await opening, -1);
    assert.deepEqual(back, pt);
  });
}

test('a tampered block (ciphertext or tag) is reported by index', async () => {
  const n = 150;
  const { keys, pt, ct, back, tags } = setup(n);
  await nodeCrypto.aesGcmEncryptBlocks!(keys, pt, ct, tags, BS);
  ct[97 * BS + 5] ^= 1;
  assert.equal(await nodeCrypto.aesGcmDecryptBlocks!(keys, ct, back, tags, BS), 97);
  ct[97 * BS + 5] ^= 1;
  tags[16 * 120] ^= 1;
  assert.equal(await nodeCrypto.aesGcmDecryptBlocks!(keys, ct, back, tags, BS), 120);
  // Plain (non-shared) buffers take the calling thread; same results.
  const plainCt = new Uint8Array(ct), plainOut = new Uint8Array(n * BS);
  assert.equal(await nodeCrypto.aesGcmDecryptBlocks!(keys, plainCt, plainOut, tags, BS), 120);
});

test('bad sizes are refused', async () => {
  const { keys, pt, ct, tags } = setup(4);
  await assert.rejects(nodeCrypto.aesGcmEncryptBlocks!(keys, pt.subarray(0, 100), ct, tags, BS), RangeError);
  await assert.rejects(nodeCrypto.aesGcmEncryptBlocks!(keys.subarray(0, 16), pt, ct, tags, BS), RangeError);
});
