// `occlum mount <dir>` without FUSE: copies the verified root file system of an instance to a
// host directory, for looking at what the programs see. The copy is read-only-ish: files lose
// their write bits, and nothing written there goes back into the instance.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileSystem, Inode } from '../../kernel/fs/inode.js';
import { CliError } from '../instance.js';

export interface ExportCounts { files: number; dirs: number; symlinks: number; bytes: number }

const CHUNK = 1 << 20;

/** Copies `fsys` to `dir` (which must be absent or empty). Throws CliError. */
export async function exportTree(fsys: FileSystem, dir: string, shown: string): Promise<ExportCounts> {
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new CliError(`mount: ${shown} is not a directory we can use (${(e as NodeJS.ErrnoException).code}); give an empty or new directory`);
  }
  if (entries.length > 0) throw new CliError(`mount: ${shown} is not empty; give an empty or new directory`);
  fs.mkdirSync(dir, { recursive: true });
  const counts: ExportCounts = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  const copy = async (inode: Inode, host: string): Promise<void> => {
    const mode = (await inode.stat()).mode & 0o7777;
    if (inode.type === 'dir') {
      for (const e of (await inode.readdir()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const child = await inode.lookup(e.name);
        const p = path.join(host, e.name);
        if (child.type === 'dir') { fs.mkdirSync(p); counts.dirs++; }
        await copy(child, p);
      }
      fs.chmodSync(host, mode | 0o700); // the owner can still clean the copy up
    } else if (inode.type === 'symlink') {
      fs.symlinkSync(await inode.readlink(), host);
      counts.symlinks++;
    } else if (inode.type === 'file') {
      const h = await inode.open(0);
      const out = fs.openSync(host, 'w', 0o600);
      try {
        const buf = new Uint8Array(CHUNK);
        for (let off = 0; ; ) {
          const n = await h.read(off, buf);
          if (n === 0) break;
          fs.writeSync(out, buf, 0, n, off);
          off += n;
          counts.bytes += n;
        }
      } finally {
        fs.closeSync(out);
        await h.close();
      }
      fs.chmodSync(host, mode & ~0o222);
      counts.files++;
    }
  };
  await copy(fsys.root, dir);
  return counts;
}
