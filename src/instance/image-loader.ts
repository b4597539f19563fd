// Populates a ramfs root from the instance's image/ directory at boot. File contents load
// lazily on first access, so booting a large image costs one stat per file.
// (The protected image replaces this when measured boot lands.)
import type { HostFs } from '../host/types.js';
import { RamInode, type RamFs } from '../kernel/fs/ramfs.js';
import { fileTypeOf } from '../kernel/fs/inode.js';

export function populateFromHost(fs: RamFs, host: HostFs, hostDir: string): { files: number; bytes: number } {
  let files = 0, bytes = 0;
  const walk = (dir: RamInode, path: string) => {
    for (const name of host.readdir(path).sort()) {
      const p = `${path}/${name}`;
      const st = host.lstat(p);
      const type = fileTypeOf(st.mode);
      if (type !== 'file' && type !== 'dir' && type !== 'symlink') continue; // sockets, fifos, devices: not image content
      const node = new RamInode(fs, type, st.mode);
      node.mtimeNs = st.mtimeNs;
      if (type === 'file') {
        node.setLoader(st.size, () => host.readFile(p));
        files++;
        bytes += st.size;
      } else if (type === 'symlink') {
        node.target = host.readlink(p);
      }
      dir.add(name, node);
      if (type === 'dir') walk(node, p);
    }
  };
  walk(fs.root, hostDir);
  return { files, bytes };
}
