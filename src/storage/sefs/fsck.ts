// fsck for sefs: checks the invariants every committed state must satisfy (and, called on a
// live mount, the in-memory state). Returns a list of problems; empty means consistent.
//
// Checked: the superblock's geometry regions are marked used; every allocated inode has a valid
// type and every free one type 0; every block an inode references lies in the data area, is
// marked in the block bitmap and belongs to exactly one inode; each inode's block count matches;
// no data block lies past the end of file; every set bit of the data area is owned; directory
// entries name allocated inodes of the right type, names are unique; nlink equals the number of
// entries (2 + subdirectories for a directory); every directory has one entry (the root none) and
// the right parent; every allocated inode is reachable from the root or is an orphan with nlink 0.
import { BLOCK_SIZE } from '../block-device.js';
import {
  DIRENTS_PER_BLOCK, DIND_START, IND_START, IType, NDIRECT, PTRS, ROOT_INO, TIND_START, decodeDirent, type DiskInode,
} from './layout.js';
import type { Sefs } from './sefs.js';

export interface FsckReport {
  problems: string[];
  inodes: number;
  dirs: number;
  blocksUsed: number;
}

export async function fsck(fs: Sefs, opts: { allowOrphans?: boolean } = {}): Promise<FsckReport> {
  return fs.withLock(async () => {
    const { sb, ibm, bbm, cache, orphans, loadDisk } = fs.internals();
    const problems: string[] = [];
    const p = (s: string) => { if (problems.length < 200) problems.push(s); };
    const owner = new Map<number, number>();
    const inodes = new Map<number, { d: DiskInode; parent: number }>();
    const dirEntries = new Map<number, { name: string; ino: number; type: IType }[]>();
    const read = async (lba: number) => cache.get(lba);
    const ptrAt = (b: Uint8Array, i: number) => new DataView(b.buffer, b.byteOffset, BLOCK_SIZE).getUint32(i * 4, true);

    for (let b = 0; b < sb.dataStart; b++) if (!bbm.isSet(b)) p(`metadata block ${b} is not marked used`);
    if (!ibm.isSet(0)) p('inode 0 is not reserved');

    for (let ino = 1; ino < sb.ninodes; ino++) {
      const allocated = ibm.isSet(ino);
      const { d, parent } = await loadDisk(ino);
      if (!allocated) {
        if (d.type !== IType.Free) p(`inode ${ino} is free in the bitmap but has type ${d.type}`);
        continue;
      }
      if (d.type < IType.File || d.type > IType.Fifo) { p(`inode ${ino} is allocated with bad type ${d.type}`); continue; }
      inodes.set(ino, { d, parent });
    }

    for (const [ino, { d }] of inodes) {
      // walk the block tree
      let count = 0;
      const lastFb = Math.ceil(d.size / BLOCK_SIZE) - 1;
      const claim = (lba: number, what: string): boolean => {
        if (lba < sb.dataStart || lba >= sb.nblocks) { p(`inode ${ino}: ${what} block ${lba} is outside the data area`); return false; }
        if (!bbm.isSet(lba)) p(`inode ${ino}: ${what} block ${lba} is not marked used`);
        const o = owner.get(lba);
        if (o !== undefined) p(`block ${lba} is owned by inode ${o} and inode ${ino}`);
        owner.set(lba, ino);
        count++;
        return true;
      };
      const dataBlock = (lba: number, fb: number) => {
        if (!claim(lba, `file block ${fb}`)) return;
        if (fb > lastFb) p(`inode ${ino}: block at file block ${fb} lies past the end of file (size ${d.size})`);
      };
      const walk = async (lba: number, level: number, base: number): Promise<void> => {
        if (!claim(lba, `level-${level} indirect`)) return;
        const b = await read(lba);
        const span = PTRS ** (level - 1);
        for (let i = 0; i < PTRS; i++) {
          const c = ptrAt(b, i);
          if (!c) continue;
          if (level === 1) dataBlock(c, base + i);
          else await walk(c, level - 1, base + i * span);
        }
      };
      if (!d.inline) {
        for (let fb = 0; fb < NDIRECT; fb++) if (d.ptrs[fb]) dataBlock(d.ptrs[fb]!, fb);
        if (d.ptrs[NDIRECT]) await walk(d.ptrs[NDIRECT]!, 1, IND_START);
        if (d.ptrs[NDIRECT + 1]) await walk(d.ptrs[NDIRECT + 1]!, 2, DIND_START);
        if (d.ptrs[NDIRECT + 2]) await walk(d.ptrs[NDIRECT + 2]!, 3, TIND_START);
      }
      if (count !== d.blocks) p(`inode ${ino}: block count ${d.blocks}, but ${count} blocks referenced`);
      if (d.type === IType.Symlink && (d.size === 0 || d.size > BLOCK_SIZE - 1)) p(`symlink ${ino} has size ${d.size}`);
      if (d.type === IType.Symlink && !d.inline && !d.ptrs[0]) p(`symlink ${ino} has no target block`);
      if (d.type === IType.Dir) {
        if (d.size % BLOCK_SIZE !== 0) p(`directory ${ino} has size ${d.size}`);
        const list: { name: string; ino: number; type: IType }[] = [];
        const names = new Set<string>();
        for (let fb = 0; fb < d.size / BLOCK_SIZE; fb++) {
          const lba = await blockOf(d, fb, read, ptrAt);
          if (!lba) continue;
          const b = await read(lba);
          for (let s = 0; s < DIRENTS_PER_BLOCK; s++) {
            const e = decodeDirent(b, s);
            if (!e) continue;
            const name = new TextDecoder().decode(e.name);
            if (names.has(name)) p(`directory ${ino}: duplicate name '${name}'`);
            names.add(name);
            list.push({ name, ino: e.ino, type: e.type });
          }
        }
        dirEntries.set(ino, list);
      }
    }

    for (let b = sb.dataStart; b < sb.nblocks; b++) if (bbm.isSet(b) && !owner.has(b)) p(`block ${b} is marked used but owned by no inode`);

    // names → link counts, reachability
    const refs = new Map<number, number>();
    const subdirs = new Map<number, number>();
    const parentOf = new Map<number, number>();
    for (const [dir, list] of dirEntries) {
      for (const e of list) {
        const t = inodes.get(e.ino);
        if (!t) { p(`directory ${dir}: entry '${e.name}' names unallocated inode ${e.ino}`); continue; }
        if (t.d.type !== e.type) p(`directory ${dir}: entry '${e.name}' has type ${e.type}, inode ${e.ino} has ${t.d.type}`);
        refs.set(e.ino, (refs.get(e.ino) ?? 0) + 1);
        if (t.d.type === IType.Dir) {
          subdirs.set(dir, (subdirs.get(dir) ?? 0) + 1);
          parentOf.set(e.ino, dir);
        }
      }
    }
    const reachable = new Set<number>([ROOT_INO]);
    const queue = [ROOT_INO];
    while (queue.length) {
      const d = queue.pop()!;
      for (const e of dirEntries.get(d) ?? []) {
        if (!reachable.has(e.ino) && inodes.has(e.ino)) {
          reachable.add(e.ino);
          if (inodes.get(e.ino)!.d.type === IType.Dir) queue.push(e.ino);
        }
      }
    }
    const orphanInos = new Set([...orphans].map((n) => n.ino));
    for (const [ino, { d, parent }] of inodes) {
      const r = refs.get(ino) ?? 0;
      if (d.nlink === 0) {
        if (!opts.allowOrphans && !orphanInos.has(ino)) p(`inode ${ino} has nlink 0 but is not an orphan`);
        if (r !== 0) p(`inode ${ino} has nlink 0 but ${r} entries`);
        continue;
      }
      if (!reachable.has(ino)) p(`inode ${ino} (nlink ${d.nlink}) is not reachable from the root`);
      if (d.type === IType.Dir) {
        const want = 2 + (subdirs.get(ino) ?? 0);
        if (d.nlink !== want) p(`directory ${ino}: nlink ${d.nlink}, expected ${want}`);
        if (ino === ROOT_INO ? r !== 0 : r !== 1) p(`directory ${ino} has ${r} entries naming it`);
        if (ino !== ROOT_INO && parentOf.get(ino) !== undefined && parent !== parentOf.get(ino)) {
          p(`directory ${ino}: parent link ${parent}, but it is in directory ${parentOf.get(ino)}`);
        }
      } else if (d.nlink !== r) {
        p(`inode ${ino}: nlink ${d.nlink}, but ${r} entries`);
      }
    }
    return { problems, inodes: inodes.size, dirs: dirEntries.size, blocksUsed: owner.size };
  });
}

async function blockOf(d: DiskInode, fb: number, read: (lba: number) => Promise<Uint8Array>, ptrAt: (b: Uint8Array, i: number) => number): Promise<number> {
  if (fb < NDIRECT) return d.ptrs[fb]!;
  let lba: number, rel: number, levels: number;
  if (fb < DIND_START) { lba = d.ptrs[NDIRECT]!; rel = fb - IND_START; levels = 1; }
  else if (fb < TIND_START) { lba = d.ptrs[NDIRECT + 1]!; rel = fb - DIND_START; levels = 2; }
  else { lba = d.ptrs[NDIRECT + 2]!; rel = fb - TIND_START; levels = 3; }
  for (let l = levels; l >= 1 && lba; l--) {
    const span = PTRS ** (l - 1);
    lba = ptrAt(await read(lba), Math.floor(rel / span));
    rel %= span;
  }
  return lba;
}
