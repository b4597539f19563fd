// unionfs: a writable upper file system over read-only lower ones (Linux overlayfs semantics;
// Occlum's root: lower = the integrity-protected image, upper = the encrypted writable sefs).
// Files: names.ts (the persistent markers), layers.ts (resolving names through the layers),
// union-inode.ts (the Inode), copy-up.ts, handle.ts (open files).
//
// Inode numbers (overlayfs "xino"-like): a layer inode's number i in layer idx (0 = upper,
// 1.. = lowers) is i * (layers) + idx, unique across the layers. A directory present in a lower
// layer takes the number of its top lower directory, so it is the same before and after a
// copy-up and across remounts. A file copied up keeps its lower number for the life of the mount
// (the upper has no xattrs to record the origin in); after a remount it shows its upper number.
//
// Identity (inode.ts): one UnionInode per top layer inode (the upper one, or the top lower one
// before a copy-up), kept in a WeakMap while referenced.
//
// Limits (as overlayfs, or because the upper has no xattrs): hard links inside a lower layer are
// not kept by copy-up (each name copies up on its own); a lower name longer than NAME_MAX - 4
// bytes cannot be deleted (its whiteout name would be too long: the upper's ENAMETOOLONG);
// changing a lower layer while the union is mounted is unsupported (names are cached, layers.ts).
//
// Concurrency: every operation that changes a layer (create, remove, rename, copy-up) runs under
// one lock, so a copy-up never races another change; lookups and reads do not wait for it.
import { allocDev, type FileSystem, type Inode } from '../inode.js';
import { UnionInode } from './union-inode.js';
import { Layers, type Layer } from './layers.js';

export class UnionFs implements FileSystem {
  readonly type = 'unionfs';
  readonly dev = allocDev();
  readonly root: UnionInode;
  /** Reads the layers; every change to the upper goes through it (it caches directory names). */
  readonly layers = new Layers();
  /** Copied-up files (upper inode number) -> the union number they had before (see the header). */
  readonly origins = new Map<number, number>();
  private readonly nodes = new WeakMap<Inode, UnionInode>();
  private readonly big = new Map<string, number>();
  private nextBig = Number.MAX_SAFE_INTEGER;
  private queue: Promise<unknown> = Promise.resolve();

  /** `lowers` in priority order (they are only read); the union owns the layers (unmount). */
  constructor(readonly upper: FileSystem, readonly lowers: readonly FileSystem[]) {
    if (upper.root.type !== 'dir' || lowers.some((l) => l.root.type !== 'dir')) throw new TypeError('unionfs: a layer root is not a directory');
    this.root = this.node([{ idx: 0, inode: upper.root }, ...lowers.map((l, i) => ({ idx: i + 1, inode: l.root }))], undefined, '');
  }

  get readonly(): boolean { return this.upper.readonly; }

  async sync(): Promise<void> { await this.upper.sync?.(); }

  async unmount(): Promise<void> {
    await this.upper.unmount?.();
    for (const l of this.lowers) await l.unmount?.();
  }

  /** Runs `fn` under the union's change lock (not reentrant: callers inside it call ...Locked methods). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The union inode number of inode number `ino` of layer `idx`. */
  layerIno(idx: number, ino: number): number {
    const n = ino * (this.lowers.length + 1) + idx;
    if (Number.isSafeInteger(n)) return n;
    // huge host inode numbers (hostfs layers): numbered from the top down, once each
    const key = `${idx}:${ino}`;
    let b = this.big.get(key);
    if (b === undefined) { b = this.nextBig--; this.big.set(key, b); }
    return b;
  }

  /** The number a union entry shows, given its layers (see the header). */
  inoOf(layers: readonly Layer[]): number {
    const top = layers[0]!;
    const lower = top.inode.type === 'dir' ? layers.find((l) => l.idx > 0) : undefined;
    return lower ? this.layerIno(lower.idx, lower.inode.ino) : this.topIno(top.idx, top.inode.ino);
  }

  /** The number of an entry that exists in layer `idx` only, as inode `ino` (copied-up files keep theirs). */
  topIno(idx: number, ino: number): number {
    return (idx === 0 ? this.origins.get(ino) : undefined) ?? this.layerIno(idx, ino);
  }

  /**
   * The union inode for `layers` (non-empty, top first) reached as `name` in `parent`.
   * Precondition: resolved just now by resolveChild.
   */
  node(layers: readonly Layer[], parent: UnionInode | undefined, name: string): UnionInode {
    const top = layers[0]!.inode;
    const known = this.nodes.get(top);
    if (known && !known.removed) {
      if (known.top === top) {
        if (!known.upper) known.moveTo(parent, name); // a lower file with several names: copy up where last seen
        return known;
      }
      // copied up since `layers` was resolved (lookups do not take the lock): the same file
      if (known.parent === parent && known.name === name) return known;
    }
    const upper = layers[0]!.idx === 0 ? top : undefined;
    const n = new UnionInode(this, top.type, this.inoOf(layers), upper, layers.filter((l) => l.idx > 0), parent, name);
    this.nodes.set(top, n);
    return n;
  }

  /** Records that `n` now has an upper inode (after a copy-up). */
  copiedUp(n: UnionInode, upper: Inode): void {
    this.nodes.set(upper, n);
    if (n.type !== 'dir') this.origins.set(upper.ino, n.ino);
  }
}
