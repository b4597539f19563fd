// sefs on-disk format: geometry, superblock, inode and directory-entry codecs (see sefs.ts for
// the design). Everything is little-endian; block numbers and inode numbers are u32.
import { BLOCK_SIZE } from '../block-device.js';
import type { HostCrypto } from '../../host/types.js';
import { SefsError } from './errors.js';

export const MAGIC = 'OCTSSEFS';
export const VERSION = 1;

export const INODE_SIZE = 128;
export const INODES_PER_BLOCK = BLOCK_SIZE / INODE_SIZE;
export const BITS_PER_BLOCK = BLOCK_SIZE * 8;
export const ROOT_INO = 1;

/** Block pointers per indirect block. */
export const PTRS = BLOCK_SIZE / 4;
export const NDIRECT = 12;
/** First file block served by the single, double and triple indirect block. */
export const IND_START = NDIRECT;
export const DIND_START = IND_START + PTRS;
export const TIND_START = DIND_START + PTRS * PTRS;
export const MAX_FILE_BLOCKS = TIND_START + PTRS * PTRS * PTRS;
/** Largest file (Linux's s_maxbytes): limited by JS safe integers well before the triple indirect block. */
export const MAX_FILE_SIZE = Math.min(MAX_FILE_BLOCKS * BLOCK_SIZE, Number.MAX_SAFE_INTEGER);

export const NAME_MAX = 255;
export const DIRENT_SIZE = 264;
export const DIRENTS_PER_BLOCK = Math.floor(BLOCK_SIZE / DIRENT_SIZE);
/** Symlink targets up to this many bytes live inside the inode (in the block-pointer area). */
export const INLINE_SYMLINK_MAX = 60;
/** Longest symlink target (Linux PATH_MAX - 1); longer ones are ENAMETOOLONG. */
export const SYMLINK_MAX = BLOCK_SIZE - 1;

/** Journal header: fixed part, then one u32 home block number per logged block. */
export const JOURNAL_HDR_FIXED = 64;
export const JOURNAL_MAX_LOG = (BLOCK_SIZE - JOURNAL_HDR_FIXED) / 4;
export const JOURNAL_MAGIC = 'SEFSJRNL';

export const enum IType { Free = 0, File = 1, Dir = 2, Symlink = 3, Fifo = 4 }

export interface Geometry {
  nblocks: number;
  ninodes: number;
  inodeBitmapStart: number;
  inodeBitmapBlocks: number;
  inodeTableStart: number;
  inodeTableBlocks: number;
  blockBitmapStart: number;
  blockBitmapBlocks: number;
  journalStart: number;
  journalBlocks: number;
  dataStart: number;
}

export interface Superblock extends Geometry {
  rootIno: number;
  /** Head of the orphan list (inodes with nlink 0 still open when the state was committed). */
  orphanHead: number;
  fsId: Uint8Array;
  commitSeq: number;
  createdNs: bigint;
}

export interface GeometryOptions {
  /** Inodes (default one per 16 KiB of device, at least 64). */
  inodes?: number;
  /** Journal blocks including the header (default 1/32 of the device, 65..JOURNAL_MAX_LOG+1). */
  journalBlocks?: number;
}

export function computeGeometry(nblocks: number, o: GeometryOptions = {}): Geometry {
  if (!Number.isInteger(nblocks) || nblocks < 64 || nblocks > 0xffffffff) {
    throw new SefsError('EINVAL', `sefs needs a device of 64 to 2^32-1 blocks (got ${nblocks})`);
  }
  const ninodes = roundUp(Math.max(64, o.inodes ?? Math.floor(nblocks / 4)), INODES_PER_BLOCK);
  const inodeBitmapBlocks = Math.ceil(ninodes / BITS_PER_BLOCK);
  const inodeTableBlocks = ninodes / INODES_PER_BLOCK;
  const blockBitmapBlocks = Math.ceil(nblocks / BITS_PER_BLOCK);
  const journalBlocks = o.journalBlocks ?? Math.min(JOURNAL_MAX_LOG + 1, Math.max(65, Math.floor(nblocks / 32)));
  if (!Number.isInteger(journalBlocks) || journalBlocks < 17 || journalBlocks > JOURNAL_MAX_LOG + 1) {
    throw new SefsError('EINVAL', `journal must have 17..${JOURNAL_MAX_LOG + 1} blocks (got ${journalBlocks})`);
  }
  const inodeBitmapStart = 1;
  const inodeTableStart = inodeBitmapStart + inodeBitmapBlocks;
  const blockBitmapStart = inodeTableStart + inodeTableBlocks;
  const journalStart = blockBitmapStart + blockBitmapBlocks;
  const dataStart = journalStart + journalBlocks;
  if (dataStart + 16 > nblocks) throw new SefsError('EINVAL', `device of ${nblocks} blocks is too small for ${ninodes} inodes`);
  return {
    nblocks, ninodes, inodeBitmapStart, inodeBitmapBlocks, inodeTableStart, inodeTableBlocks,
    blockBitmapStart, blockBitmapBlocks, journalStart, journalBlocks, dataStart,
  };
}

function roundUp(n: number, m: number): number { return Math.ceil(n / m) * m; }

// ---- superblock ----

const SB_MAC = BLOCK_SIZE - 32;
const enc = new TextEncoder();

export function encodeSuperblock(crypto: HostCrypto, macKey: Uint8Array, sb: Superblock): Uint8Array {
  const b = new Uint8Array(BLOCK_SIZE);
  const v = new DataView(b.buffer);
  b.set(enc.encode(MAGIC), 0);
  v.setUint32(8, VERSION, true);
  v.setUint32(12, BLOCK_SIZE, true);
  const g: number[] = [sb.nblocks, sb.ninodes, sb.inodeBitmapStart, sb.inodeBitmapBlocks, sb.inodeTableStart, sb.inodeTableBlocks,
    sb.blockBitmapStart, sb.blockBitmapBlocks, sb.journalStart, sb.journalBlocks, sb.dataStart, sb.rootIno, sb.orphanHead];
  g.forEach((x, i) => v.setUint32(16 + 4 * i, x, true));
  b.set(sb.fsId.subarray(0, 16), 72);
  v.setBigUint64(88, BigInt(sb.commitSeq), true);
  v.setBigInt64(96, sb.createdNs, true);
  b.set(crypto.hmacSha256(macKey, b.subarray(0, SB_MAC)), SB_MAC);
  return b;
}

/** Decodes and checks block 0. Errors: EINVAL (not sefs / other version), EIO (bad MAC: wrong key or corrupted). */
export function decodeSuperblock(crypto: HostCrypto, macKey: Uint8Array, b: Uint8Array, devBlocks: number): Superblock {
  if (new TextDecoder().decode(b.subarray(0, 8)) !== MAGIC) throw new SefsError('EINVAL', 'not a sefs file system (bad magic)');
  const v = new DataView(b.buffer, b.byteOffset, BLOCK_SIZE);
  const version = v.getUint32(8, true);
  if (version !== VERSION) throw new SefsError('EINVAL', `sefs version ${version} is not supported (expected ${VERSION})`);
  if (v.getUint32(12, true) !== BLOCK_SIZE) throw new SefsError('EINVAL', 'sefs block size mismatch');
  const mac = crypto.hmacSha256(macKey, b.subarray(0, SB_MAC));
  if (!mac.every((x, i) => x === b[SB_MAC + i])) {
    throw new SefsError('EIO', 'sefs superblock MAC mismatch (wrong key, or the superblock was modified)');
  }
  const u = (i: number) => v.getUint32(16 + 4 * i, true);
  const sb: Superblock = {
    nblocks: u(0), ninodes: u(1), inodeBitmapStart: u(2), inodeBitmapBlocks: u(3), inodeTableStart: u(4), inodeTableBlocks: u(5),
    blockBitmapStart: u(6), blockBitmapBlocks: u(7), journalStart: u(8), journalBlocks: u(9), dataStart: u(10), rootIno: u(11), orphanHead: u(12),
    fsId: b.slice(72, 88), commitSeq: Number(v.getBigUint64(88, true)), createdNs: v.getBigInt64(96, true),
  };
  const g = computeGeometry(sb.nblocks, { inodes: sb.ninodes, journalBlocks: sb.journalBlocks });
  for (const k of Object.keys(g) as (keyof Geometry)[]) {
    if (g[k] !== sb[k]) throw new SefsError('EIO', `sefs superblock geometry is inconsistent (${k})`);
  }
  if (sb.nblocks > devBlocks) throw new SefsError('EIO', `sefs needs ${sb.nblocks} blocks; the device has ${devBlocks}`);
  return sb;
}

// ---- inodes ----

/** The in-memory form of an on-disk inode (fields mirror Linux's struct inode where they exist). */
export interface DiskInode {
  type: IType;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  /** Blocks owned (data, indirect, symlink), in 4 KiB units. */
  blocks: number;
  nextOrphan: number;
  /** direct[0..11], then single, double, triple indirect. */
  ptrs: Uint32Array;
  /** Inline symlink target (type Symlink with size <= INLINE_SYMLINK_MAX), else null. */
  inline: Uint8Array | null;
  generation: number;
}

export function emptyInode(): DiskInode {
  return {
    type: IType.Free, mode: 0, nlink: 0, uid: 0, gid: 0, size: 0, atimeNs: 0n, mtimeNs: 0n, ctimeNs: 0n,
    blocks: 0, nextOrphan: 0, ptrs: new Uint32Array(NDIRECT + 3), inline: null, generation: 0,
  };
}

const FLAG_INLINE = 1;

export function encodeInode(i: DiskInode, block: Uint8Array, off: number): void {
  const b = block.subarray(off, off + INODE_SIZE);
  b.fill(0);
  const v = new DataView(b.buffer, b.byteOffset, INODE_SIZE);
  v.setUint8(0, i.type);
  v.setUint8(1, i.inline ? FLAG_INLINE : 0);
  v.setUint16(2, i.mode & 0o7777, true);
  v.setUint32(4, i.nlink, true);
  v.setUint32(8, i.uid >>> 0, true);
  v.setUint32(12, i.gid >>> 0, true);
  v.setUint32(16, i.size % 0x100000000, true);
  v.setUint32(20, Math.floor(i.size / 0x100000000), true);
  v.setBigInt64(24, i.atimeNs, true);
  v.setBigInt64(32, i.mtimeNs, true);
  v.setBigInt64(40, i.ctimeNs, true);
  v.setUint32(48, i.blocks, true);
  v.setUint32(52, i.nextOrphan, true);
  if (i.inline) b.set(i.inline, 56);
  else for (let k = 0; k < NDIRECT + 3; k++) v.setUint32(56 + 4 * k, i.ptrs[k]!, true);
  v.setUint32(116, i.generation, true);
}

export function decodeInode(block: Uint8Array, off: number): DiskInode {
  const b = block.subarray(off, off + INODE_SIZE);
  const v = new DataView(b.buffer, b.byteOffset, INODE_SIZE);
  const i = emptyInode();
  i.type = v.getUint8(0) as IType;
  i.mode = v.getUint16(2, true);
  i.nlink = v.getUint32(4, true);
  i.uid = v.getUint32(8, true);
  i.gid = v.getUint32(12, true);
  i.size = v.getUint32(16, true) + v.getUint32(20, true) * 0x100000000;
  i.atimeNs = v.getBigInt64(24, true);
  i.mtimeNs = v.getBigInt64(32, true);
  i.ctimeNs = v.getBigInt64(40, true);
  i.blocks = v.getUint32(48, true);
  i.nextOrphan = v.getUint32(52, true);
  if (v.getUint8(1) & FLAG_INLINE) i.inline = b.slice(56, 56 + Math.min(i.size, INLINE_SYMLINK_MAX));
  else for (let k = 0; k < NDIRECT + 3; k++) i.ptrs[k] = v.getUint32(56 + 4 * k, true);
  i.generation = v.getUint32(116, true);
  return i;
}

// ---- directory entries ----

export interface RawDirent { ino: number; type: IType; name: Uint8Array }

export function encodeDirent(block: Uint8Array, slotInBlock: number, e: RawDirent | null): void {
  const off = slotInBlock * DIRENT_SIZE;
  const b = block.subarray(off, off + DIRENT_SIZE);
  b.fill(0);
  if (!e) return;
  const v = new DataView(b.buffer, b.byteOffset, DIRENT_SIZE);
  v.setUint32(0, e.ino, true);
  v.setUint8(4, e.type);
  v.setUint8(5, e.name.length);
  b.set(e.name, 8);
}

/** The entry in a slot, or null for an empty slot. */
export function decodeDirent(block: Uint8Array, slotInBlock: number): RawDirent | null {
  const off = slotInBlock * DIRENT_SIZE;
  const v = new DataView(block.buffer, block.byteOffset + off, DIRENT_SIZE);
  const ino = v.getUint32(0, true);
  if (ino === 0) return null;
  const len = v.getUint8(5);
  return { ino, type: v.getUint8(4) as IType, name: block.slice(off + 8, off + 8 + len) };
}
