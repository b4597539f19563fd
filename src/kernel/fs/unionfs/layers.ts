// Reading a stack of layers, and the changes made to the upper one. How a name resolves, per
// layer from the top (Linux overlayfs, with aufs-style markers, see names.ts):
//  - an entry hides every layer below unless it is a directory, which merges with the
//    directories of the same name below until one of them is opaque (or has a whiteout of the
//    same name next to it: what a crash between "create" and "remove whiteout" leaves);
//  - a non-directory below a directory is hidden, and so is everything below it;
//  - a whiteout hides the name in the layers below.
//
// Most names live in one layer, so most layer lookups miss. A miss through Inode.lookup costs a
// thrown ENOENT (with its stack trace); instead the names of each layer directory are read once
// and kept while the directory inode lives. The lower layers never change (they are read-only;
// changing them under a mounted union is unsupported, as for overlayfs) and the upper one changes
// only through the methods below, which keep the cache right. `version` counts changes, so that a
// listing read while a change ran is not kept.
import { SysError } from '../../errno.js';
import type { DirEntry, Inode } from '../inode.js';
import { OPAQUE_MARKER, isReserved, whiteoutOf, whitedOut } from './names.js';

/** One layer's inode: idx 0 is the upper layer, 1.. the lowers in priority order. */
export interface Layer { readonly idx: number; readonly inode: Inode }

/** An entry of a merged listing, with the layer it came from. */
export interface MergedEntry { entry: DirEntry; idx: number; alsoBelow: boolean }

export class Layers {
  private readonly names = new WeakMap<Inode, Set<string>>();
  private version = 0;

  /** The entries of layer directory `dir` (and its names cached, if nothing changed meanwhile). */
  private async list(dir: Inode): Promise<DirEntry[]> {
    const v = this.version;
    const entries = await dir.readdir();
    if (v === this.version) this.names.set(dir, new Set(entries.map((e) => e.name)));
    return entries;
  }

  /** `dir.lookup(name)`, or undefined if there is no such name. */
  async tryLookup(dir: Inode, name: string): Promise<Inode | undefined> {
    const known = this.names.get(dir) ?? new Set((await this.list(dir)).map((e) => e.name));
    if (!known.has(name)) return undefined;
    try {
      return await dir.lookup(name);
    } catch (e) {
      if (e instanceof SysError && e.errno === 2) return undefined;
      throw e;
    }
  }

  async isOpaque(dir: Inode): Promise<boolean> {
    return (await this.tryLookup(dir, OPAQUE_MARKER)) !== undefined;
  }

  /**
   * The layers `name` resolves to below the directory layers `stack` (top first): [] if it does
   * not exist, one layer for a non-directory, the merged directories for a directory.
   */
  async resolveChild(stack: readonly Layer[], name: string): Promise<Layer[]> {
    const found: Layer[] = [];
    for (let i = 0; i < stack.length; i++) {
      const { idx, inode: dir } = stack[i]!;
      const last = i === stack.length - 1;
      const child = await this.tryLookup(dir, name);
      if (!child) {
        // a layer without the name: look below, unless a whiteout hides it there
        if (last || await this.tryLookup(dir, whiteoutOf(name))) break;
        continue;
      }
      if (found.length > 0 && child.type !== 'dir') break;
      found.push({ idx, inode: child });
      if (child.type !== 'dir' || last) break;
      if (await this.isOpaque(child) || await this.tryLookup(dir, whiteoutOf(name))) break;
    }
    return found;
  }

  /**
   * The merged listing of the directory layers `stack`: reserved names dropped, whiteouts applied,
   * each name once (from its top layer; `alsoBelow`: a directory also present as a directory in a
   * lower layer, so possibly merged: only a hint, lookup decides), sorted by name.
   */
  async mergedListing(stack: readonly Layer[]): Promise<MergedEntry[]> {
    const seen = new Map<string, MergedEntry>();
    const hidden = new Set<string>();
    for (const { idx, inode } of stack) {
      const entries = await this.list(inode);
      for (const e of entries) {
        if (isReserved(e.name)) continue;
        const above = seen.get(e.name);
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

  // ---- changes to upper directories (every one goes through here) ----

  private added(dir: Inode, name: string): void { this.version++; this.names.get(dir)?.add(name); }
  private removed(dir: Inode, name: string): void { this.version++; this.names.get(dir)?.delete(name); }

  async create(dir: Inode, name: string, type: 'file' | 'dir' | 'fifo', mode: number): Promise<Inode> {
    this.version++;
    const child = await dir.create(name, type, mode);
    this.added(dir, name);
    return child;
  }

  async symlink(dir: Inode, name: string, target: string): Promise<Inode> {
    this.version++;
    const child = await dir.symlink(name, target);
    this.added(dir, name);
    return child;
  }

  async link(dir: Inode, name: string, target: Inode): Promise<void> {
    this.version++;
    await dir.link(name, target);
    this.added(dir, name);
  }

  async unlink(dir: Inode, name: string): Promise<void> {
    this.version++;
    await dir.unlink(name);
    this.removed(dir, name);
  }

  async rmdir(dir: Inode, name: string): Promise<void> {
    this.version++;
    await dir.rmdir(name);
    this.removed(dir, name);
  }

  async rename(from: Inode, oldName: string, to: Inode, newName: string): Promise<void> {
    this.version++;
    try {
      await from.rename(oldName, to, newName);
    } catch (e) {
      // the state is unknown (a file system may fail half-way): read both again
      this.names.delete(from);
      this.names.delete(to);
      throw e;
    }
    this.removed(from, oldName);
    this.added(to, newName);
  }
}
