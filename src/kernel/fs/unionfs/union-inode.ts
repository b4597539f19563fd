// A union file or directory: its upper inode (if any) over its lower ones. Reads go to the top
// layer; every change goes to the upper layer, after a copy-up (copy-up.ts). Deleting a name that
// exists below leaves a whiteout; a directory created over a whiteout is opaque (names.ts).
import { fail } from '../../errno.js';
import {
  InodeBase, type DirEntry, type FileType, type Inode, type InodeHandle, type SetAttr, type Stat,
} from '../inode.js';
import { O_ACCMODE, O_RDONLY } from '../flags.js';
import { WHITEOUT_PREFIX, isReserved } from './names.js';
import type { Layer, Layers } from './layers.js';
import { addWhiteout, clearMarkers, copyUp, copyUpTree, markOpaque, removeWhiteout } from './copy-up.js';
import { openUnionFile } from './handle.js';
import type { UnionFs } from './union-fs.js';

export class UnionInode extends InodeBase {
  /** No name leads here any more (unlinked lower file, removed directory): it can no longer change. */
  removed = false;

  constructor(
    readonly fs: UnionFs,
    readonly type: FileType,
    readonly ino: number,
    /** The upper inode, once there is one. */
    public upper: Inode | undefined,
    /** Lower inodes: for a directory, the lower directories merged below (top first); else the top one. */
    public lowers: Layer[],
    /** Where this was last reached (copy-up recreates it there); undefined for the root. */
    public parent: UnionInode | undefined,
    public name: string,
  ) {
    super();
  }

  private get layers(): Layers { return this.fs.layers; }

  get top(): Inode { return this.upper ?? this.lowers[0]!.inode; }

  /** The directory layers, top first. */
  get stack(): Layer[] { return this.upper ? [{ idx: 0, inode: this.upper }, ...this.lowers] : this.lowers; }

  moveTo(parent: UnionInode | undefined, name: string): void {
    this.parent = parent;
    this.name = name;
  }

  async stat(): Promise<Stat> {
    const st = await this.top.stat();
    // Linux overlayfs reports nlink 1 for a merged directory (its subdirectories are not counted)
    const merged = this.type === 'dir' && this.upper !== undefined && this.lowers.length > 0;
    return { ...st, dev: this.fs.dev, ino: this.ino, nlink: merged ? 1 : st.nlink };
  }

  override setattr(a: SetAttr): Promise<void> {
    return this.fs.exclusive(async () => {
      const up = await copyUp(this, this.type === 'file' && a.size !== undefined ? a.size : Infinity);
      await up.setattr(a);
    });
  }

  // ---- directories ----

  private live(): void {
    if (this.type !== 'dir') fail('ENOTDIR');
    if (this.removed) fail('ENOENT', 'the directory was removed');
  }

  /** The child `name` or undefined (reserved names do not exist for programs). */
  private async child(name: string): Promise<UnionInode | undefined> {
    this.live();
    if (isReserved(name)) return undefined;
    const layers = await this.layers.resolveChild(this.stack, name);
    return layers.length === 0 ? undefined : this.fs.node(layers, this, name);
  }

  private async existing(name: string): Promise<UnionInode> {
    return (await this.child(name)) ?? fail('ENOENT');
  }

  /** True if a lower layer below this directory has `name` (then removing it needs a whiteout). */
  private async lowerHas(name: string): Promise<boolean> {
    return (await this.layers.resolveChild(this.lowers, name)).length > 0;
  }

  override lookup(name: string): Promise<Inode> { return this.existing(name); }

  override create(name: string, type: 'file' | 'dir' | 'fifo', mode: number): Promise<Inode> {
    return this.addEntry(name, type === 'dir', (up) => this.layers.create(up, name, type, mode));
  }

  override symlink(name: string, target: string): Promise<Inode> {
    return this.addEntry(name, false, (up) => this.layers.symlink(up, name, target));
  }

  override async link(name: string, target: Inode): Promise<void> {
    if (!(target instanceof UnionInode) || target.fs !== this.fs) fail('EXDEV');
    if (target.type === 'dir') fail('EPERM');
    await this.addEntry(name, false, async (up) => {
      const t = await copyUp(target);
      await this.layers.link(up, name, t);
      return t;
    });
  }

  /** Creates `name` in the upper copy of this directory with `make`, over a whiteout if there is one. */
  private addEntry(name: string, isDir: boolean, make: (upperDir: Inode) => Promise<Inode>): Promise<Inode> {
    return this.fs.exclusive(async () => {
      if (isReserved(name)) fail('EINVAL', `unionfs reserves names starting with ${WHITEOUT_PREFIX}`);
      if (await this.child(name)) fail('EEXIST');
      const up = await copyUp(this);
      const created = await make(up);
      // what the whiteout hid must stay hidden: a directory made there is opaque
      if (isDir && await this.lowerHas(name)) await markOpaque(this.layers, created);
      await removeWhiteout(this.layers, up, name);
      return this.existing(name);
    });
  }

  override unlink(name: string): Promise<void> {
    return this.fs.exclusive(async () => {
      const child = await this.existing(name);
      if (child.type === 'dir') fail('EISDIR');
      await this.removeEntry(name, child);
    });
  }

  override rmdir(name: string): Promise<void> {
    return this.fs.exclusive(async () => {
      const child = await this.existing(name);
      if (child.type !== 'dir') fail('ENOTDIR');
      if ((await this.layers.mergedListing(child.stack)).length > 0) fail('ENOTEMPTY');
      await this.removeEntry(name, child);
    });
  }

  /** Removes `name` (resolving to `child`): whiteout first (so a crash never uncovers a lower file), then the upper entry. */
  private async removeEntry(name: string, child: UnionInode): Promise<void> {
    const up = await copyUp(this);
    if (await this.lowerHas(name)) await addWhiteout(this.layers, up, name);
    if (child.upper) {
      if (child.type === 'dir') {
        await clearMarkers(this.layers, child.upper);
        await this.layers.rmdir(up, name);
      } else {
        await this.forgetOrigin(child.upper);
        await this.layers.unlink(up, name);
      }
    }
    this.dropped(child);
  }

  /** `child` lost a name: a lower-only file or a directory has no other one. */
  private dropped(child: UnionInode): void {
    if (child.type === 'dir' || !child.upper) {
      child.removed = true;
      child.lowers = [];
    }
  }

  /** An upper file about to lose its last name gives up its copied-up number (the upper may reuse its own). */
  private async forgetOrigin(upperFile: Inode): Promise<void> {
    if ((await upperFile.stat()).nlink <= 1) this.fs.origins.delete(upperFile.ino);
  }

  override async rename(oldName: string, newDir: Inode, newName: string): Promise<void> {
    if (!(newDir instanceof UnionInode) || newDir.fs !== this.fs) fail('EXDEV');
    if (isReserved(newName)) fail('EINVAL', `unionfs reserves names starting with ${WHITEOUT_PREFIX}`);
    await this.fs.exclusive(async () => {
      const src = await this.existing(oldName);
      const victim = await newDir.child(newName);
      if (victim === src) return;
      if (victim) {
        if (src.type === 'dir' && victim.type !== 'dir') fail('ENOTDIR');
        if (src.type !== 'dir' && victim.type === 'dir') fail('EISDIR');
        if (victim.type === 'dir' && (await this.layers.mergedListing(victim.stack)).length > 0) fail('ENOTEMPTY');
      }
      if (src.type === 'dir') {
        for (let d: UnionInode | undefined = newDir; d; d = d.parent) if (d === src) fail('EINVAL', 'cannot move a directory into itself');
      }
      // everything moves in the upper layer: a directory with lower parts moves whole
      if (src.type === 'dir' && src.lowers.length > 0) await copyUpTree(src);
      const srcUp = await copyUp(src);
      const from = await copyUp(this);
      const to = await copyUp(newDir);
      if (src.type === 'dir' && !(await this.layers.isOpaque(srcUp)) && await newDir.lowerHas(newName)) await markOpaque(this.layers, srcUp);
      if (await this.lowerHas(oldName)) await addWhiteout(this.layers, from, oldName);
      if (victim?.upper) {
        if (victim.type === 'dir') await clearMarkers(this.layers, victim.upper);
        else await this.forgetOrigin(victim.upper);
      }
      await this.layers.rename(from, oldName, to, newName);
      await removeWhiteout(this.layers, to, newName);
      src.moveTo(newDir, newName);
      if (victim) this.dropped(victim);
    });
  }

  override async readdir(): Promise<DirEntry[]> {
    if (this.type !== 'dir') fail('ENOTDIR');
    if (this.removed) return [];
    const out: DirEntry[] = [];
    for (const { entry, idx, alsoBelow } of await this.layers.mergedListing(this.stack)) {
      // a possibly merged directory: its number comes from the layers it resolves to
      const ino = alsoBelow ? (await this.existing(entry.name)).ino : this.fs.topIno(idx, entry.ino);
      out.push({ name: entry.name, ino, type: entry.type });
    }
    return out;
  }

  // ---- symlinks and files ----

  override readlink(): Promise<string> { return this.top.readlink(); }

  override async open(flags: number): Promise<InodeHandle> {
    if (this.type === 'dir') return this.top.open(flags);
    if ((flags & O_ACCMODE) !== O_RDONLY) await this.fs.exclusive(() => copyUp(this));
    return openUnionFile(this, flags);
  }
}
