// Copy-up: giving a lower file or directory (and its parent chain) an upper copy before it
// changes, as overlayfs does. A regular file is copied under a reserved temporary name and renamed
// into place once complete, so a crash never leaves a partial file hiding the lower one. Mode,
// owner and times are kept; symlinks are copied as symlinks. Lower hard links are not preserved
// (each name copies up on its own, as overlayfs without index=on).
// Precondition for everything here: the caller holds the union's lock (UnionFs.exclusive).
import { SysError, fail } from '../../errno.js';
import type { Inode, SetAttr } from '../inode.js';
import { O_RDONLY, O_WRONLY } from '../flags.js';
import { OPAQUE_MARKER, isReserved, tempName, whiteoutOf } from './names.js';
import type { Layers } from './layers.js';
import type { UnionInode } from './union-inode.js';

const CHUNK = 256 * 1024;

/**
 * The upper inode of `node`, copying it up first if it has none. `size`: only the first `size`
 * bytes of a file's data are needed (a truncate follows).
 */
export async function copyUp(node: UnionInode, size = Infinity): Promise<Inode> {
  if (node.upper) return node.upper;
  if (node.removed || !node.parent) fail('ESTALE', 'unionfs: the file was removed; it cannot change any more');
  const dir = await copyUp(node.parent);
  const layers = node.fs.layers;
  const src = node.lowers[0]!.inode;
  const st = await src.stat();
  const mode = st.mode & 0o7777;
  const attrs: SetAttr = { mode, uid: st.uid, gid: st.gid, atimeNs: st.atimeNs, mtimeNs: st.mtimeNs };
  let up: Inode;
  switch (node.type) {
    case 'dir':
      up = await layers.create(dir, node.name, 'dir', mode);
      await up.setattr(attrs);
      break;
    case 'symlink':
      up = await layers.symlink(dir, node.name, await src.readlink());
      await up.setattr(attrs).catch(ignoreEperm); // some file systems keep no symlink attributes
      break;
    case 'fifo':
      up = await layers.create(dir, node.name, 'fifo', mode);
      await up.setattr(attrs);
      break;
    case 'file': {
      const tmp = tempName();
      up = await layers.create(dir, tmp, 'file', mode);
      try {
        await copyData(src, up, Math.min(st.size, size));
        await up.setattr(attrs);
        await layers.rename(dir, tmp, dir, node.name);
      } catch (e) {
        await layers.unlink(dir, tmp).catch(() => undefined);
        throw e;
      }
      break;
    }
    default:
      fail('EOPNOTSUPP', `unionfs: cannot copy up a ${node.type}`);
  }
  node.upper = up;
  node.fs.copiedUp(node, up);
  return up;
}

function ignoreEperm(e: unknown): void {
  if (!(e instanceof SysError) || e.errno !== 1) throw e;
}

async function copyData(src: Inode, dst: Inode, size: number): Promise<void> {
  if (size === 0) return;
  const from = await src.open(O_RDONLY);
  try {
    const to = await dst.open(O_WRONLY);
    try {
      const buf = new Uint8Array(Math.min(CHUNK, size));
      for (let off = 0; off < size;) {
        const n = await from.read(off, buf.subarray(0, Math.min(buf.length, size - off)));
        if (n === 0) break; // the lower file is shorter than it said: copy what there is
        for (let w = 0; w < n;) w += await to.write(off + w, buf.subarray(w, n));
        off += n;
      }
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
}

/**
 * Copies up the directory `node` and everything below it, then makes it opaque: afterwards it
 * owes nothing to the lower layers, so it can move anywhere in the upper (rename of a lower or
 * merged directory; overlayfs would need redirect_dir).
 */
export async function copyUpTree(node: UnionInode): Promise<void> {
  const up = await copyUp(node);
  const layers = node.fs.layers;
  for (const m of await layers.mergedListing(node.stack)) {
    const child = node.fs.node(await layers.resolveChild(node.stack, m.entry.name), node, m.entry.name);
    if (child.type === 'dir') await copyUpTree(child);
    else await copyUp(child);
  }
  await markOpaque(layers, up);
  node.lowers = [];
}

export async function markOpaque(layers: Layers, upperDir: Inode): Promise<void> {
  if (!(await layers.isOpaque(upperDir))) await layers.create(upperDir, OPAQUE_MARKER, 'file', 0o600);
}

export async function addWhiteout(layers: Layers, upperDir: Inode, name: string): Promise<void> {
  if (!(await layers.tryLookup(upperDir, whiteoutOf(name)))) await layers.create(upperDir, whiteoutOf(name), 'file', 0o600);
}

export async function removeWhiteout(layers: Layers, upperDir: Inode, name: string): Promise<void> {
  if (await layers.tryLookup(upperDir, whiteoutOf(name))) await layers.unlink(upperDir, whiteoutOf(name));
}

/** Removes the markers (whiteouts, opaque marker, leftover temporaries) of an upper directory about to go. */
export async function clearMarkers(layers: Layers, upperDir: Inode): Promise<void> {
  for (const e of await upperDir.readdir()) if (isReserved(e.name)) await layers.unlink(upperDir, e.name);
}
