// The protected image's on-disk format (what `occlum build` makes of image/ and ImageFs mounts).
// Shared by the builder (host side) and the kernel's ImageFs; knows no host or kernel types.
//
// Layout, in 4 KiB blocks (all integers little-endian):
//   block 0                      header (below), never encrypted
//   [1, 1+meta)                  metadata: canonical JSON of the inode table (encrypted if keyed)
//   [1+meta, 1+meta+data)        file data, each file in consecutive blocks, the last one
//                                zero-padded (encrypted if keyed)
//   [.., +iv)                    encrypted images only: the 16-byte IV of each metadata/data block
//   [.., +tree)                  the SHA-256 hash tree over every block above (hash-tree.ts)
// The root of the hash tree is the image MAC: it covers the header (leaf 0), so the geometry,
// the encryption flag and the key check value are measured like the content.
//
// Determinism: entries are sorted by name, files are laid out in inode order, and nothing from
// the build host (times, uid/gid, inode numbers) is stored; every image has mtime IMAGE_MTIME_NS.

export const BLOCK_SIZE = 4096;
export const HASH_BYTES = 32;
export const IV_BYTES = 16;
export const KEY_CHECK_BYTES = 32;
export const FORMAT_VERSION = 1;
/** The mtime (and atime, ctime) of every file of an image: the epoch, like SOURCE_DATE_EPOCH=0. */
export const IMAGE_MTIME_NS = 0n;

const MAGIC = new TextEncoder().encode('OCCLUM-TS-IMAGE\n');
const FLAG_ENCRYPTED = 1;
// magic, then version, flags, block size, meta blocks, meta bytes, data, iv, tree blocks (u32 each)
const KEY_CHECK_OFFSET = 16 + 4 * 8;

export class ImageFormatError extends Error {}

export interface ImageHeader {
  encrypted: boolean;
  /** Metadata blocks, and the exact byte length of the metadata JSON in them. */
  metaBlocks: number;
  metaBytes: number;
  dataBlocks: number;
  ivBlocks: number;
  treeBlocks: number;
  /** HMAC of a fixed string under the image key (encrypted images), else zeros: finds a wrong key. */
  keyCheck: Uint8Array;
}

/** Where each region starts, and how many leaves the hash tree has. */
export interface ImageGeometry {
  metaStart: number;
  dataStart: number;
  ivStart: number;
  treeStart: number;
  /** Blocks covered by the hash tree (all but the tree itself). */
  leafCount: number;
  totalBlocks: number;
}

export function blocksFor(bytes: number): number {
  return Math.ceil(bytes / BLOCK_SIZE);
}

/** Blocks that are encrypted in a keyed image: metadata and data. */
export function payloadBlocks(h: Pick<ImageHeader, 'metaBlocks' | 'dataBlocks'>): number {
  return h.metaBlocks + h.dataBlocks;
}

export function ivBlocksFor(encrypted: boolean, payload: number): number {
  return encrypted ? blocksFor(payload * IV_BYTES) : 0;
}

export function geometry(h: ImageHeader): ImageGeometry {
  const metaStart = 1;
  const dataStart = metaStart + h.metaBlocks;
  const ivStart = dataStart + h.dataBlocks;
  const treeStart = ivStart + h.ivBlocks;
  return { metaStart, dataStart, ivStart, treeStart, leafCount: treeStart, totalBlocks: treeStart + h.treeBlocks };
}

export function encodeHeader(h: ImageHeader): Uint8Array {
  const b = new Uint8Array(BLOCK_SIZE);
  const v = new DataView(b.buffer);
  b.set(MAGIC, 0);
  const fields = [FORMAT_VERSION, h.encrypted ? FLAG_ENCRYPTED : 0, BLOCK_SIZE, h.metaBlocks, h.metaBytes, h.dataBlocks, h.ivBlocks, h.treeBlocks];
  fields.forEach((x, i) => v.setUint32(16 + 4 * i, x, true));
  b.set(h.keyCheck, KEY_CHECK_OFFSET);
  return b;
}

/** Parses block 0. Throws ImageFormatError for anything but a header this version wrote. */
export function decodeHeader(b: Uint8Array): ImageHeader {
  if (b.length < BLOCK_SIZE || !MAGIC.every((x, i) => b[i] === x)) throw new ImageFormatError('not an occlum-ts image (bad magic)');
  const v = new DataView(b.buffer, b.byteOffset, BLOCK_SIZE);
  const u = (i: number) => v.getUint32(16 + 4 * i, true);
  if (u(0) !== FORMAT_VERSION) throw new ImageFormatError(`image format version ${u(0)} is not ${FORMAT_VERSION}`);
  if (u(1) !== 0 && u(1) !== FLAG_ENCRYPTED) throw new ImageFormatError(`unknown image flags ${u(1)}`);
  if (u(2) !== BLOCK_SIZE) throw new ImageFormatError(`image block size ${u(2)} is not ${BLOCK_SIZE}`);
  const h: ImageHeader = {
    encrypted: u(1) === FLAG_ENCRYPTED,
    metaBlocks: u(3), metaBytes: u(4), dataBlocks: u(5), ivBlocks: u(6), treeBlocks: u(7),
    keyCheck: b.slice(KEY_CHECK_OFFSET, KEY_CHECK_OFFSET + KEY_CHECK_BYTES),
  };
  if (blocksFor(h.metaBytes) !== h.metaBlocks || h.metaBlocks === 0) throw new ImageFormatError('image metadata size does not match its block count');
  if (h.ivBlocks !== ivBlocksFor(h.encrypted, payloadBlocks(h))) throw new ImageFormatError('image IV table size does not match its block count');
  if (b.subarray(KEY_CHECK_OFFSET + KEY_CHECK_BYTES).some((x) => x !== 0)) throw new ImageFormatError('image header has stray bytes');
  return h;
}

// ---- metadata: the inode table ----

/**
 * One image inode. Index 0 is the root directory. `start` is the first block of the file's data,
 * relative to the data region (so the metadata does not depend on its own size).
 */
export type ImageEntry =
  | { type: 'dir'; mode: number; children: [name: string, index: number][] }
  | { type: 'file'; mode: number; size: number; start: number }
  | { type: 'symlink'; mode: number; target: string };

/** Canonical bytes of the inode table: compact JSON arrays, children sorted by name. */
export function encodeMetadata(entries: readonly ImageEntry[]): Uint8Array {
  const rows = entries.map((e) => {
    switch (e.type) {
      case 'dir': return ['d', e.mode, e.children];
      case 'file': return ['f', e.mode, e.size, e.start];
      case 'symlink': return ['l', e.mode, e.target];
    }
  });
  return new TextEncoder().encode(JSON.stringify(rows));
}

/** Parses and checks the inode table against the header's data region. Throws ImageFormatError. */
export function decodeMetadata(bytes: Uint8Array, dataBlocks: number): ImageEntry[] {
  let rows: unknown;
  try {
    rows = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ImageFormatError('image metadata is not valid JSON');
  }
  if (!Array.isArray(rows) || rows.length === 0) throw new ImageFormatError('image metadata has no root');
  const bad = (i: number, why: string): never => { throw new ImageFormatError(`image inode ${i}: ${why}`); };
  const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
  return rows.map((r: unknown, i): ImageEntry => {
    if (!Array.isArray(r) || !isCount(r[1]) || r[1] > 0o7777) return bad(i, 'malformed');
    const mode = r[1];
    if (r[0] === 'd' && Array.isArray(r[2])) {
      const children = r[2] as unknown[];
      for (const c of children) {
        if (!Array.isArray(c) || typeof c[0] !== 'string' || !isCount(c[1]) || c[1] <= 0 || c[1] >= rows.length) bad(i, 'bad directory entry');
        const name = (c as unknown[])[0] as string;
        if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) bad(i, `bad name "${name}"`);
      }
      return { type: 'dir', mode, children: children as [string, number][] };
    }
    if (r[0] === 'f' && isCount(r[2]) && isCount(r[3])) {
      if (r[3] + blocksFor(r[2]) > dataBlocks) bad(i, 'data outside the data region');
      return { type: 'file', mode, size: r[2], start: r[3] };
    }
    if (r[0] === 'l' && typeof r[2] === 'string') return { type: 'symlink', mode, target: r[2] };
    return bad(i, 'malformed');
  });
}
