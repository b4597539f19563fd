// The image build cache (build/.image_cache.json): what the last build stored for each file, so
// that `occlum build` neither re-reads nor re-hashes a file that has not changed.
//
// A file is unchanged when its host identity and times are (dev, ino, size, mtime, ctime: ctime
// also moves when someone sets mtime back by hand). Its blocks are then copied from the previous
// image with the leaf hashes recorded here. The cache is used only if the previous image is the
// file it describes (size, mtime, ino) and was made with the same key; for an encrypted image the
// file must also stay at the same block (the ciphertext depends on the position). Nothing in the
// cache is trusted at boot: a wrong copy fails the boot-time verification, and `occlum build -f`
// ignores the cache.
import * as fs from 'node:fs';
import { writeAtomic } from '../instance.js';

const CACHE_FORMAT = 'occlum-ts/image-cache/1';

export interface CachedFile {
  dev: number;
  ino: number;
  size: number;
  mtimeNs: string;
  ctimeNs: string;
  /** First block in the previous image's data region. */
  start: number;
  /** Leaf hashes of its blocks, base64. */
  leaves: string;
  /** IVs of its blocks (encrypted images), base64. */
  ivs: string;
}

export interface ImageCache {
  format: typeof CACHE_FORMAT;
  /** The previous image file, as it was when written. */
  image: { size: number; mtimeNs: string; ino: number };
  /** Absolute block of the previous image's data region. */
  dataStart: number;
  /** Key check value of the previous image's key (base64), or '' for a plain image. */
  keyId: string;
  files: Record<string, CachedFile>;
}

/** What tells one version of a host file from another. */
export type FileIdentity = Pick<CachedFile, 'dev' | 'ino' | 'size' | 'mtimeNs' | 'ctimeNs'>;

export function fileIdentity(st: fs.BigIntStats): FileIdentity {
  return { dev: Number(st.dev), ino: Number(st.ino), size: Number(st.size), mtimeNs: st.mtimeNs.toString(), ctimeNs: st.ctimeNs.toString() };
}

export function sameFile(c: FileIdentity, st: fs.BigIntStats): boolean {
  const id = fileIdentity(st);
  return c.dev === id.dev && c.ino === id.ino && c.size === id.size && c.mtimeNs === id.mtimeNs && c.ctimeNs === id.ctimeNs;
}

function imageIdentity(file: string): ImageCache['image'] | undefined {
  try {
    const st = fs.statSync(file, { bigint: true });
    return { size: Number(st.size), mtimeNs: st.mtimeNs.toString(), ino: Number(st.ino) };
  } catch {
    return undefined;
  }
}

/** The cache for `imageFile`, or undefined if there is none or it describes another file. */
export function loadImageCache(cacheFile: string, imageFile: string): ImageCache | undefined {
  let c: ImageCache;
  try {
    c = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as ImageCache;
  } catch {
    return undefined;
  }
  const now = imageIdentity(imageFile);
  if (c?.format !== CACHE_FORMAT || !now || typeof c.files !== 'object' || c.files === null) return undefined;
  if (c.image?.size !== now.size || c.image.mtimeNs !== now.mtimeNs || c.image.ino !== now.ino) return undefined;
  return c;
}

export function saveImageCache(cacheFile: string, imageFile: string, c: Omit<ImageCache, 'format' | 'image'>): void {
  const image = imageIdentity(imageFile);
  if (!image) return;
  writeAtomic(cacheFile, JSON.stringify({ format: CACHE_FORMAT, image, ...c }));
}
