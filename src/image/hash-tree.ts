// The image's SHA-256 hash tree (a Merkle tree, fan-out 128 = one 4 KiB block of hashes).
//   leaf  = SHA-256(0x00 || block)             one per covered block, in block order
//   node  = SHA-256(0x01 || child hashes...)   up to 128 children, left to right
//   root  = the single node of the top level (there is always at least one node level)
// The domain bytes keep a leaf from passing for a node. Block positions are bound by the tree's
// order, so a leaf does not depend on where its block sits (the builder reuses a file's leaf
// hashes when the file moves). The stored tree is every level, leaves first, concatenated and
// zero-padded to whole blocks.
import { BLOCK_SIZE, HASH_BYTES, blocksFor } from './format.js';
import type { HostCrypto } from '../host/types.js';

export const FANOUT = BLOCK_SIZE / HASH_BYTES;
const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);

export function leafHash(crypto: HostCrypto, block: Uint8Array): Uint8Array {
  return crypto.sha256(LEAF, block);
}

/** Hashes of the levels above the leaves (`leaves` holds leafCount hashes back to back). */
export function treeLevels(crypto: HostCrypto, leaves: Uint8Array): Uint8Array[] {
  const levels = [leaves];
  do {
    const below = levels[levels.length - 1]!;
    const n = below.length / HASH_BYTES;
    const up = new Uint8Array(Math.ceil(n / FANOUT) * HASH_BYTES);
    for (let i = 0; i * FANOUT < n; i++) {
      const children = below.subarray(i * FANOUT * HASH_BYTES, Math.min(n, (i + 1) * FANOUT) * HASH_BYTES);
      up.set(crypto.sha256(NODE, children), i * HASH_BYTES);
    }
    levels.push(up);
  } while (levels[levels.length - 1]!.length > HASH_BYTES);
  return levels;
}

export function treeRoot(levels: Uint8Array[]): Uint8Array {
  return levels[levels.length - 1]!;
}

/** Size in blocks of the stored tree for `leafCount` leaves. */
export function treeBlocksFor(leafCount: number): number {
  let hashes = leafCount, n = leafCount;
  do { n = Math.ceil(n / FANOUT); hashes += n; } while (n > 1);
  return blocksFor(hashes * HASH_BYTES);
}

/** The stored form of the tree: all levels, zero-padded to whole blocks. */
export function serializeTree(levels: Uint8Array[]): Uint8Array {
  const bytes = levels.reduce((s, l) => s + l.length, 0);
  const out = new Uint8Array(blocksFor(bytes) * BLOCK_SIZE);
  let off = 0;
  for (const l of levels) { out.set(l, off); off += l.length; }
  return out;
}
