// Builds the protected image from image/ (Occlum's `sefs-cli zip` step of `occlum build`).
//
// Build flow:
//  1. walk image/ (names sorted; only directories, regular files and symlinks; permission bits
//     kept, host times/owners/inode numbers dropped) and add the mount points the configuration
//     needs as empty directories (the read-only root cannot create them at boot);
//  2. number the inodes depth-first and lay the files out in that order: the metadata;
//  3. write metadata and file data block by block into <image>.tmp, encrypting each block when
//     keyed and recording its leaf hash; an unchanged file (build-cache.ts) is copied from the
//     previous image with its recorded hashes instead of being read and hashed again;
//  4. write the IV table, the header and the hash tree; rename over the image; save the cache.
// The result is a function of image/'s names, contents, permission bits and the key only.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nodeCrypto } from '../../host/node-crypto.js';
import {
  BLOCK_SIZE, HASH_BYTES, IV_BYTES, KEY_CHECK_BYTES, blocksFor, encodeHeader, encodeMetadata, geometry, ivBlocksFor,
  type ImageEntry, type ImageHeader,
} from '../../image/format.js';
import { leafHash, serializeTree, treeBlocksFor, treeLevels, treeRoot } from '../../image/hash-tree.js';
import { deriveImageKeys, encryptBlock, keyCheckValue, type ImageKeys } from '../../image/image-crypto.js';
import { CliError } from '../instance.js';
import { fileIdentity, loadImageCache, saveImageCache, sameFile, type CachedFile } from './build-cache.js';

export interface ImageBuildOptions {
  /** The 16-byte image key: encrypt the image. */
  key?: Uint8Array;
  /** Build cache file; absent = no cache. */
  cacheFile?: string;
  /** Ignore the cache (occlum build -f). */
  force?: boolean;
  /** LibOS directories that must exist (mount points), e.g. "/tmp". */
  mountPoints?: readonly string[];
  /** Called as bytes of file data are written. */
  progress?: (doneBytes: number, totalBytes: number) => void;
}

export interface ImageBuildResult {
  /** The hash tree's root: the image MAC. */
  root: Uint8Array;
  encrypted: boolean;
  files: number;
  bytes: number;
  /** Files read and hashed, and files copied from the previous image (cache hits). */
  hashedFiles: number;
  reusedFiles: number;
  blocks: number;
}

interface Node {
  type: 'dir' | 'file' | 'symlink';
  mode: number;
  /** Host path (files), '' for a synthesized mount point. */
  host: string;
  stat?: fs.BigIntStats;
  children: Map<string, Node>;
  target: string;
}

const COPY_CHUNK_BLOCKS = 256;

function kindOf(st: fs.BigIntStats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file, directory or symlink';
}

/** Step 1. Throws CliError listing every entry of a type an image cannot hold. */
function scan(imageDir: string, mountPoints: readonly string[]): Node {
  const problems: string[] = [];
  const walk = (host: string, shown: string, st: fs.BigIntStats): Node => {
    const node: Node = { type: 'dir', mode: Number(st.mode) & 0o7777, host, stat: st, children: new Map(), target: '' };
    for (const name of fs.readdirSync(host).sort()) {
      const p = path.join(host, name);
      const s = fs.lstatSync(p, { bigint: true });
      const mode = Number(s.mode) & 0o7777;
      if (s.isDirectory()) node.children.set(name, walk(p, `${shown}/${name}`, s));
      else if (s.isFile()) node.children.set(name, { type: 'file', mode, host: p, stat: s, children: new Map(), target: '' });
      else if (s.isSymbolicLink()) node.children.set(name, { type: 'symlink', mode, host: p, children: new Map(), target: fs.readlinkSync(p) });
      else problems.push(`${shown}/${name} is ${kindOf(s)}; image/ may hold only regular files, directories and symlinks; remove it`);
    }
    return node;
  };
  const root = walk(imageDir, 'image', fs.statSync(imageDir, { bigint: true }));
  if (problems.length > 0) throw new CliError(problems);
  for (const mp of mountPoints) {
    let dir = root;
    for (const c of mp.split('/').filter((x) => x !== '')) {
      let next = dir.children.get(c);
      if (!next) dir.children.set(c, (next = { type: 'dir', mode: 0o755, host: '', children: new Map(), target: '' }));
      if (next.type !== 'dir') break; // boot reports a mount point that is not a directory
      dir = next;
    }
  }
  return root;
}

interface Layout {
  entries: ImageEntry[];
  /** Files in data order, with their image entries. */
  files: { node: Node; entry: Extract<ImageEntry, { type: 'file' }>; libos: string }[];
  dataBlocks: number;
  bytes: number;
}

/** Step 2: depth-first numbering; files get consecutive data blocks in that order. */
function layOut(root: Node): Layout {
  const l: Layout = { entries: [], files: [], dataBlocks: 0, bytes: 0 };
  const visit = (n: Node, libos: string): number => {
    const i = l.entries.length;
    l.entries.push({ type: 'symlink', mode: 0, target: '' }); // placeholder until the children are numbered
    if (n.type === 'dir') {
      const children: [string, number][] = [];
      for (const [name, c] of n.children) children.push([name, visit(c, `${libos === '/' ? '' : libos}/${name}`)]);
      l.entries[i] = { type: 'dir', mode: n.mode, children };
    } else if (n.type === 'file') {
      const size = Number(n.stat!.size);
      const entry = { type: 'file' as const, mode: n.mode, size, start: l.dataBlocks };
      l.entries[i] = entry;
      l.files.push({ node: n, entry, libos });
      l.dataBlocks += blocksFor(size);
      l.bytes += size;
    } else {
      l.entries[i] = { type: 'symlink', mode: n.mode, target: n.target };
    }
    return i;
  };
  visit(root, '/');
  return l;
}

/** Writes blocks into the output file, encrypting payload blocks and recording leaves and IVs. */
class ImageWriter {
  readonly leaves: Uint8Array;
  readonly ivs: Uint8Array;

  constructor(private readonly fd: number, readonly header: ImageHeader, private readonly keys: ImageKeys | undefined) {
    const g = geometry(header);
    this.leaves = new Uint8Array(g.leafCount * HASH_BYTES);
    this.ivs = new Uint8Array(header.ivBlocks * BLOCK_SIZE);
  }

  /** Stores plaintext block(s) at block `b` (payload blocks: metadata and data). */
  payload(b: number, plain: Uint8Array): void {
    for (let i = 0; i * BLOCK_SIZE < plain.length; i++) {
      const block = plain.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE);
      let stored = block;
      if (this.keys) {
        const { iv, cipher } = encryptBlock(nodeCrypto, this.keys, b + i, block);
        this.ivs.set(iv, (b + i - 1) * IV_BYTES);
        stored = cipher;
      }
      this.raw(b + i, stored);
    }
  }

  /** Stores already-final block(s) at block `b` and hashes them. */
  raw(b: number, stored: Uint8Array): void {
    for (let i = 0; i * BLOCK_SIZE < stored.length; i++) {
      this.leaves.set(leafHash(nodeCrypto, stored.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE)), (b + i) * HASH_BYTES);
    }
    this.write(b, stored);
  }

  write(b: number, bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(this.fd, bytes, done, bytes.length - done, b * BLOCK_SIZE + done);
  }
}

function readExactly(fd: number, buf: Uint8Array, pos: number): number {
  let done = 0;
  while (done < buf.length) {
    const n = fs.readSync(fd, buf, done, buf.length - done, pos + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

export function buildImage(imageDir: string, outFile: string, opts: ImageBuildOptions = {}): ImageBuildResult {
  const layout = layOut(scan(imageDir, opts.mountPoints ?? []));
  const keys = opts.key ? deriveImageKeys(nodeCrypto, opts.key) : undefined;
  const keyCheck = keys ? keyCheckValue(nodeCrypto, keys) : new Uint8Array(KEY_CHECK_BYTES);
  const keyId = keys ? Buffer.from(keyCheck).toString('base64') : '';
  const meta = encodeMetadata(layout.entries);
  const metaBlocks = blocksFor(meta.length);
  const ivBlocks = ivBlocksFor(keys !== undefined, metaBlocks + layout.dataBlocks);
  const leafCount = 1 + metaBlocks + layout.dataBlocks + ivBlocks;
  const header: ImageHeader = {
    encrypted: keys !== undefined, metaBlocks, metaBytes: meta.length, dataBlocks: layout.dataBlocks, ivBlocks,
    treeBlocks: treeBlocksFor(leafCount), keyCheck,
  };
  const g = geometry(header);

  const cache = opts.cacheFile && !opts.force ? loadImageCache(opts.cacheFile, outFile) : undefined;
  const usable = cache && cache.keyId === keyId ? cache : undefined;
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const tmp = `${outFile}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  const oldFd = usable ? fs.openSync(outFile, 'r') : -1;
  const newCache: Record<string, CachedFile> = {};
  let hashedFiles = 0, reusedFiles = 0, doneBytes = 0;
  try {
    const w = new ImageWriter(fd, header, keys);
    const metaPadded = new Uint8Array(metaBlocks * BLOCK_SIZE);
    metaPadded.set(meta);
    w.payload(g.metaStart, metaPadded);

    for (const { node, entry, libos } of layout.files) {
      const first = g.dataStart + entry.start;
      const n = blocksFor(entry.size);
      const old = usable?.files[libos];
      const oldLeaves = Buffer.from(old?.leaves ?? '', 'base64');
      const oldIvs = Buffer.from(old?.ivs ?? '', 'base64');
      if (old && usable && sameFile(old, node.stat!) && oldLeaves.length === n * HASH_BYTES &&
          (!keys || (old.start === entry.start && oldIvs.length === n * IV_BYTES))) {
        copyBlocks(oldFd, usable.dataStart + old.start, w, first, n);
        w.leaves.set(oldLeaves, first * HASH_BYTES);
        if (keys) w.ivs.set(oldIvs, (first - 1) * IV_BYTES);
        reusedFiles++;
      } else {
        storeFile(node.host, entry.size, w, first, libos, (bytes) => opts.progress?.(doneBytes + bytes, layout.bytes));
        hashedFiles++;
      }
      newCache[libos] = {
        ...fileIdentity(node.stat!), start: entry.start,
        leaves: Buffer.from(w.leaves.subarray(first * HASH_BYTES, (first + n) * HASH_BYTES)).toString('base64'),
        ivs: keys ? Buffer.from(w.ivs.subarray((first - 1) * IV_BYTES, (first - 1 + n) * IV_BYTES)).toString('base64') : '',
      };
      doneBytes += entry.size;
      opts.progress?.(doneBytes, layout.bytes);
    }

    if (ivBlocks > 0) w.raw(g.ivStart, w.ivs);
    w.raw(0, encodeHeader(header));
    const levels = treeLevels(nodeCrypto, w.leaves);
    w.write(g.treeStart, serializeTree(levels));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, outFile);
    if (opts.cacheFile) saveImageCache(opts.cacheFile, outFile, { dataStart: g.dataStart, keyId, files: newCache });
    return {
      root: treeRoot(levels), encrypted: keys !== undefined, files: layout.files.length, bytes: layout.bytes,
      hashedFiles, reusedFiles, blocks: g.totalBlocks,
    };
  } catch (e) {
    try { fs.closeSync(fd); } catch { /* already closed */ }
    fs.rmSync(tmp, { force: true });
    throw e;
  } finally {
    if (oldFd >= 0) fs.closeSync(oldFd);
  }
}

/** Reads a source file into the image (encrypted, hashed); it must still have the size the scan saw. */
function storeFile(host: string, size: number, w: ImageWriter, first: number, libos: string, progress: (bytes: number) => void): void {
  const changed = () => new CliError(`image${libos} changed while the image was built; run \`occlum build\` again`);
  const src = fs.openSync(host, 'r');
  try {
    const chunk = new Uint8Array(COPY_CHUNK_BLOCKS * BLOCK_SIZE);
    for (let off = 0; off < size; off += chunk.length) {
      const want = Math.min(chunk.length, size - off);
      const buf = chunk.subarray(0, blocksFor(want) * BLOCK_SIZE);
      buf.fill(0);
      if (readExactly(src, buf.subarray(0, want), off) !== want) throw changed();
      w.payload(first + off / BLOCK_SIZE, buf);
      progress(off + want);
    }
    if (readExactly(src, new Uint8Array(1), size) !== 0) throw changed();
  } finally {
    fs.closeSync(src);
  }
}

/** Copies stored blocks of an unchanged file from the previous image (no hashing: see build-cache.ts). */
function copyBlocks(oldFd: number, from: number, w: ImageWriter, to: number, count: number): void {
  const chunk = new Uint8Array(COPY_CHUNK_BLOCKS * BLOCK_SIZE);
  for (let i = 0; i < count; i += COPY_CHUNK_BLOCKS) {
    const n = Math.min(COPY_CHUNK_BLOCKS, count - i);
    const buf = chunk.subarray(0, n * BLOCK_SIZE);
    if (readExactly(oldFd, buf, (from + i) * BLOCK_SIZE) !== buf.length) throw new CliError('the previous image is shorter than its build cache says; run `occlum build -f`');
    w.write(to + i, buf);
  }
}
