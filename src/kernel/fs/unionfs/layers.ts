// Reading a stack of layers (no writes here): how a name resolves through the upper and lower
// directories of one union directory, and the merged directory listing. Rules, per layer from the
// top (Linux overlayfs, with aufs-style markers, see names.ts):
//  - an entry hides every layer below unless it is a directory, which merges with the
//    directories of the same name below until one of them is opaque (or has a whiteout of the
//    same name next to it: what a crash between "create" and "remove whiteout" leaves);
//  - a non-directory below a directory is hidden, and so is everything below it;
//  - a whiteout hides the name in the layers below.
import { SysError } from '../../errno.js';
import type { DirEntry, Inode } from '../inode.js';
import { OPAQUE_MARKER, isReserved, whiteoutOf, whitedOut } from './names.js';

/** One layer's inode: idx 0 is the upper layer, 1.. the lowers in priority order. */
export interface Layer { readonly idx: number; readonly inode: Inode }

/** `dir.lookup(name)`, or undefined on ENOENT. */
export async function tryLookup(dir: Inode, name: string): Promise<Inode | undefined> {
  try {
    return await dir.lookup(name);
  } catch (e) {
    if (e instanceof SysError && e.errno === 2) return undefined;
    throw e;
  }
}

export async function isOpaque(dir: Inode): Promise<boolean> {
  return (await tryLookup(dir, OPAQUE_MARKER)) !== undefined;
}

/**
 * The layers `name` resolves to below the directory layers `stack` (top first): [] if it does
 * not exist, one layer for a non-directory, the merged directories for a directory.
 */
export async function resolveChild(stack: readonly Layer[], name: string): Promise<Layer[]> {
  const found: Layer[] = [];
  for (let i = 0; i < stack.length; i++) {
    const { idx, inode: dir } = stack[i]!;
    const last = i === stack.length - 1;
    const child = await tryLookup(dir, name);
    if (!child) {
      // a layer without the name: look below, unless a whiteout hides it there
      if (last || await tryLookup(dir, whiteoutOf(name))) break;
      continue;
    }
    if (found.length > 0 && child.type !== 'dir') break;
    found.push({ idx, inode: child });
    if (child.type !== 'dir' || last) break;
    if (await isOpaque(child) || await tryLookup(dir, whiteoutOf(name))) break;
  }
  return found;
}

/** An entry of a merged listing, with the layer it came from. */
export interface MergedEntry { entry: DirEntry; idx: number; alsoBelow: boolean }

/**
 * The merged listing of the directory layers `stack`: reserved names dropped, whiteouts applied,
 * each name once (from its top layer; `alsoBelow`: a directory also present as a directory in a
 * lower layer, so possibly merged: only a hint, lookup decides), sorted by name.
 */
export async function mergedListing(stack: readonly Layer[]): Promise<MergedEntry[]> {
  const seen = new Map<string, MergedEntry>();
  const hidden = new Set<string>();
  for (const { idx, inode } of stack) {
    const entries = await inode.readdir();
    for (const e of entries) {
      if (isReserved(e.name)) continue;
      const above = seen.get(e.name);
      // a directory below one above may be merged with it (a hint: lookup decides)
      if (above) { if (above.entry.type === 'dir' && e.type === 'dir') above.alsoBelow = true; continue; }
      if (!hidden.has(e.name)) seen.set(e.name, { entry: e, idx, alsoBelow: false });
    }
    for (const e of entries) {
      const w = whitedOut(e.name);
      if (w !== undefined) hidden.add(w);
    }
  }
  return [...seen.values()].sort((a, b) => (a.entry.name < b.entry.name ? -1 : a.entry.name > b.entry.name ? 1 : 0));
}
