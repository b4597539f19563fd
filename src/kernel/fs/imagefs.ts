// imagefs: the read-only protected image (src/image/format.ts) mounted in the kernel. It stands
// where Occlum mounts the integrity-only sefs lower layer of the root unionfs.
//
// Open flow (ImageFs.open):
//  1. read and parse the header (block 0);
//  2. the file must have exactly the size the header gives;
//  3. leaf hashes: with verifyAll, hash every covered block of the file (boot does this, so a
//     changed byte anywhere refuses the boot) and require the stored tree to be exactly the tree
//     of those leaves; otherwise take the stored leaves and check only the header block;
//  4. the tree's root must equal the expected root (the measured image MAC);
//  5. encrypted images: the key must match the header's key check; the IV table is loaded;
//  6. the metadata is read (verified, decrypted) and parsed.
// Open errors are ImageError. After open, the leaf hashes stay in memory and every block read is
// hashed again and compared (the host can change the file at any time): a mismatch is EIO for the
// program plus one log line, never wrong data.
import { fail, SysError } from '../errno.js';
import { InodeBase, allocDev, nullHandle, typeBits, type DirEntry, type FileSystem, type Inode, type InodeHandle, type SetAttr, type Stat } from './inode.js';
import { HostError, type HostCrypto, type HostFs } from '../../host/types.js';
import {
  BLOCK_SIZE, HASH_BYTES, IMAGE_MTIME_NS, IV_BYTES, ImageFormatError, blocksFor, decodeHeader, decodeMetadata, geometry,
  type ImageEntry, type ImageGeometry, type ImageHeader,
} from '../../image/format.js';
import { leafHash, serializeTree, treeLevels, treeRoot } from '../../image/hash-tree.js';
import { decryptBlock, deriveImageKeys, keyCheckValue, type ImageKeys } from '../../image/image-crypto.js';

/** Why an image cannot be mounted: missing/unreadable, damaged or modified, or a key problem. */
export class ImageError extends Error {
  constructor(readonly kind: 'unreadable' | 'integrity' | 'key', message: string) { super(message); }
}

export interface ImageFsOptions {
  hostFs: HostFs;
  /** Host path of the image file. */
  path: string;
  /** The expected root hash (the measured image MAC). */
  root: Uint8Array;
  crypto: HostCrypto;
  /** The 16-byte image key, for an encrypted image. */
  key?: Uint8Array;
  /** Hash the whole file at open (default true); false trusts the stored leaves until read. */
  verifyAll?: boolean;
  log?: (line: string) => void;
}

const READ_CHUNK_BLOCKS = 256;
const CACHE_BLOCKS = 64;

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/**
 * The image's blocks as the kernel reads them: each one hashed and compared to its leaf (kept in
 * memory since open), then decrypted. A small cache holds recently verified blocks.
 */
class VerifiedBlocks {
  /** Decrypted, verified blocks recently read (insertion order = LRU order). */
  private readonly cache = new Map<number, Uint8Array>();
  /** The IV table (encrypted images), loaded through readBlock once the leaves are known. */
  ivs: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly opts: ImageFsOptions,
    private fd: number,
    readonly geo: ImageGeometry,
    private readonly leaves: Uint8Array,
    private readonly keys: ImageKeys | undefined,
  ) {}

  /** Block `b` of the file, verified against its leaf hash and decrypted (cached). Throws SysError EIO. */
  read(b: number): Uint8Array {
    const hit = this.cache.get(b);
    if (hit) {
      this.cache.delete(b);
      this.cache.set(b, hit);
      return hit;
    }
    const block = this.fetch(b, 1);
    this.cache.set(b, block);
    if (this.cache.size > CACHE_BLOCKS) this.cache.delete(this.cache.keys().next().value as number);
    return block;
  }

  /** `count` blocks from `first`, back to back: one host read per chunk, not cached (streaming). */
  readRange(first: number, count: number): Uint8Array {
    if (count === 1) return this.read(first);
    const out = new Uint8Array(count * BLOCK_SIZE);
    for (let i = 0; i < count; i += READ_CHUNK_BLOCKS) {
      out.set(this.fetch(first + i, Math.min(READ_CHUNK_BLOCKS, count - i)), i * BLOCK_SIZE);
    }
    return out;
  }

  /** Reads blocks [first, first + count) from the host, verifies each, and decrypts payload blocks. */
  private fetch(first: number, count: number): Uint8Array {
    if (this.fd < 0) fail('EIO', 'the image is unmounted');
    let raw: Uint8Array;
    try {
      raw = readBlocks(this.opts.hostFs, this.fd, first, count);
    } catch (e) {
      if (e instanceof HostError || e instanceof ImageFormatError) fail('EIO', `image blocks ${first}+${count}: ${e.message}`);
      throw e;
    }
    for (let i = 0; i < count; i++) {
      const b = first + i;
      const block = raw.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE);
      if (!equalBytes(leafHash(this.opts.crypto, block), this.leaves.subarray(b * HASH_BYTES, (b + 1) * HASH_BYTES))) {
        this.opts.log?.(`imagefs: block ${b} of ${this.opts.path} does not match its hash (the image was modified); returning EIO`);
        fail('EIO', `image block ${b} failed verification`);
      }
      if (this.keys && b >= this.geo.metaStart && b < this.geo.ivStart) {
        const p = b - this.geo.metaStart;
        block.set(decryptBlock(this.opts.crypto, this.keys, this.ivs.subarray(p * IV_BYTES, (p + 1) * IV_BYTES), block));
      }
    }
    return raw;
  }

  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    this.cache.clear();
    this.opts.hostFs.close(fd);
  }
}

export class ImageFs implements FileSystem {
  readonly type = 'imagefs';
  readonly dev = allocDev();
  readonly readonly = true;
  readonly root: ImageInode;
  private readonly inodes: (ImageInode | undefined)[];

  private constructor(private readonly blocks: VerifiedBlocks, readonly header: ImageHeader, readonly entries: ImageEntry[]) {
    this.inodes = new Array<ImageInode | undefined>(entries.length);
    this.root = this.inode(0);
  }

  /** Opens and verifies the image (flow above). Throws ImageError. */
  static open(opts: ImageFsOptions): ImageFs {
    const hfs = opts.hostFs;
    let fd: number;
    try {
      fd = hfs.open(opts.path, hfs.constants.O_RDONLY | hfs.constants.O_NOFOLLOW, 0);
    } catch (e) {
      throw new ImageError('unreadable', `cannot be opened (${e instanceof HostError ? e.code : String(e)})`);
    }
    try {
      return ImageFs.verify(opts, fd);
    } catch (e) {
      hfs.close(fd);
      if (e instanceof ImageFormatError) throw new ImageError('integrity', `is damaged or was modified (${e.message})`);
      if (e instanceof SysError) throw new ImageError('integrity', 'is damaged or was modified (a block does not match its hash)');
      if (e instanceof HostError) throw new ImageError('unreadable', `cannot be read (${e.code})`);
      throw e;
    }
  }

  private static verify(opts: ImageFsOptions, fd: number): ImageFs {
    const { crypto } = opts;
    const head = readBlocks(opts.hostFs, fd, 0, 1);
    const header = decodeHeader(head);
    const geo = geometry(header);
    const size = opts.hostFs.fstat(fd).size;
    if (size !== geo.totalBlocks * BLOCK_SIZE) throw new ImageFormatError(`the file has ${size} bytes, the header says ${geo.totalBlocks * BLOCK_SIZE}`);

    const stored = readBlocks(opts.hostFs, fd, geo.treeStart, geo.totalBlocks - geo.treeStart);
    let leaves: Uint8Array;
    let levels: Uint8Array[];
    if (opts.verifyAll ?? true) {
      leaves = new Uint8Array(geo.leafCount * HASH_BYTES);
      for (let b = 0; b < geo.leafCount; b += READ_CHUNK_BLOCKS) {
        const n = Math.min(READ_CHUNK_BLOCKS, geo.leafCount - b);
        const chunk = readBlocks(opts.hostFs, fd, b, n);
        for (let i = 0; i < n; i++) leaves.set(leafHash(crypto, chunk.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE)), (b + i) * HASH_BYTES);
      }
      levels = treeLevels(crypto, leaves);
      if (!equalBytes(serializeTree(levels), stored)) throw new ImageFormatError('the stored hash tree does not match the blocks');
    } else {
      leaves = stored.slice(0, geo.leafCount * HASH_BYTES);
      if (!equalBytes(leafHash(crypto, head), leaves.subarray(0, HASH_BYTES))) throw new ImageFormatError('the header does not match its hash');
      levels = treeLevels(crypto, leaves);
    }
    if (!equalBytes(treeRoot(levels), opts.root)) throw new ImageFormatError('its root hash is not the measured one');

    let keys: ImageKeys | undefined;
    if (header.encrypted) {
      if (!opts.key) throw new ImageError('key', 'is encrypted and no image key was given');
      keys = deriveImageKeys(crypto, opts.key);
      if (!equalBytes(keyCheckValue(crypto, keys), header.keyCheck)) throw new ImageError('key', 'is encrypted with another key');
    }
    const blocks = new VerifiedBlocks(opts, fd, geo, leaves, keys);
    blocks.ivs = blocks.readRange(geo.ivStart, header.ivBlocks);
    const meta = blocks.readRange(geo.metaStart, header.metaBlocks);
    const entries = decodeMetadata(meta.subarray(0, header.metaBytes), header.dataBlocks);
    if (entries[0]!.type !== 'dir') throw new ImageFormatError('the root is not a directory');
    return new ImageFs(blocks, header, entries);
  }

  /** The inode for table index `i` (one object per index: the VFS compares Inode identity). */
  inode(i: number): ImageInode {
    return (this.inodes[i] ??= new ImageInode(this, i, this.entries[i]!));
  }

  /** Copies file bytes [offset, offset + buf.length) into buf; returns the count (0 at EOF). Throws SysError EIO. */
  readFile(e: Extract<ImageEntry, { type: 'file' }>, offset: number, buf: Uint8Array): number {
    const end = Math.min(e.size, offset + buf.length);
    if (end <= offset) return 0;
    const firstBlock = Math.floor(offset / BLOCK_SIZE);
    const lastBlock = Math.floor((end - 1) / BLOCK_SIZE);
    let done = 0;
    // Chunk by chunk: a small read goes through the block cache, a large one streams.
    for (let b = firstBlock; b <= lastBlock; b += READ_CHUNK_BLOCKS) {
      const n = Math.min(READ_CHUNK_BLOCKS, lastBlock + 1 - b);
      const data = this.blocks.readRange(this.blocks.geo.dataStart + e.start + b, n);
      const from = Math.max(offset, b * BLOCK_SIZE) - b * BLOCK_SIZE;
      const to = Math.min(end, (b + n) * BLOCK_SIZE) - b * BLOCK_SIZE;
      buf.set(data.subarray(from, to), done);
      done += to - from;
    }
    return done;
  }

  async unmount(): Promise<void> { this.blocks.close(); }
}

/** Reads `count` whole blocks from block `first`; a short file is a format error. */
function readBlocks(hfs: HostFs, fd: number, first: number, count: number): Uint8Array {
  const buf = new Uint8Array(count * BLOCK_SIZE);
  let done = 0;
  while (done < buf.length) {
    const n = hfs.read(fd, buf.subarray(done), first * BLOCK_SIZE + done);
    if (n === 0) throw new ImageFormatError('the file ends early');
    done += n;
  }
  return buf;
}

export class ImageInode extends InodeBase {
  readonly ino: number;
  readonly type: ImageEntry['type'];
  private children: Map<string, number> | undefined;

  constructor(readonly fs: ImageFs, readonly index: number, private readonly entry: ImageEntry) {
    super();
    this.ino = index + 1;
    this.type = entry.type;
  }

  private names(): Map<string, number> {
    if (this.entry.type !== 'dir') fail('ENOTDIR');
    return (this.children ??= new Map(this.entry.children));
  }

  async stat(): Promise<Stat> {
    const e = this.entry;
    const size = e.type === 'file' ? e.size : e.type === 'symlink' ? new TextEncoder().encode(e.target).length : BLOCK_SIZE;
    const subdirs = e.type === 'dir' ? e.children.filter(([, i]) => this.fs.entries[i]!.type === 'dir').length : 0;
    return {
      dev: this.fs.dev, ino: this.ino, mode: typeBits[e.type] | e.mode, nlink: e.type === 'dir' ? 2 + subdirs : 1,
      uid: 0, gid: 0, rdev: 0, size, blksize: BLOCK_SIZE, blocks: blocksFor(size) * (BLOCK_SIZE / 512),
      atimeNs: IMAGE_MTIME_NS, mtimeNs: IMAGE_MTIME_NS, ctimeNs: IMAGE_MTIME_NS,
    };
  }

  override async lookup(name: string): Promise<Inode> {
    const i = this.names().get(name);
    return i === undefined ? fail('ENOENT') : this.fs.inode(i);
  }

  override async readdir(): Promise<DirEntry[]> {
    return [...this.names()].map(([name, i]) => ({ name, ino: i + 1, type: this.fs.entries[i]!.type }));
  }

  override async readlink(): Promise<string> {
    if (this.entry.type !== 'symlink') fail('EINVAL', 'not a symlink');
    return this.entry.target;
  }

  override async open(_flags: number): Promise<InodeHandle> {
    const e = this.entry;
    if (e.type === 'dir') return nullHandle('EISDIR');
    if (e.type !== 'file') fail('ENXIO');
    const fsys = this.fs;
    return {
      async read(offset, buf) { return fsys.readFile(e, offset, buf); },
      async write() { fail('EROFS', 'the image is read-only'); },
      async sync() { /* nothing to write back */ },
      async close() { /* no per-open state */ },
    };
  }

  // A read-only file system: every change is EROFS (after the not-a-directory checks Linux does first).
  private readOnly(): never {
    this.names();
    fail('EROFS', 'the image is read-only');
  }
  override async setattr(_attr: SetAttr): Promise<void> { fail('EROFS', 'the image is read-only'); }
  override async create(_name: string, _type: 'file' | 'dir' | 'fifo', _mode: number): Promise<Inode> { return this.readOnly(); }
  override async symlink(_name: string, _target: string): Promise<Inode> { return this.readOnly(); }
  override async link(_name: string, _target: Inode): Promise<void> { this.readOnly(); }
  override async unlink(_name: string): Promise<void> { this.readOnly(); }
  override async rmdir(_name: string): Promise<void> { this.readOnly(); }
  override async rename(_oldName: string, _newDir: Inode, _newName: string): Promise<void> { this.readOnly(); }
}
