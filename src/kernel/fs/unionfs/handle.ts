// An open regular file of a union. A file opened for writing was copied up first, so its handle
// is on the upper file. A file opened read-only from a lower layer follows a later copy-up by
// another opener: its next read reopens the upper copy (what Linux overlayfs does since 4.19),
// so every open file sees the data written through the others, as on any POSIX file system.
import type { Inode, InodeHandle } from '../inode.js';
import type { UnionInode } from './union-inode.js';

export async function openUnionFile(node: UnionInode, flags: number): Promise<InodeHandle> {
  let layer: Inode = node.top;
  let handle = await layer.open(flags);
  let switching: Promise<void> | undefined;

  const current = async (): Promise<InodeHandle> => {
    while (node.upper && layer !== node.upper) {
      switching ??= (async () => {
        const up = node.upper!;
        const next = await up.open(flags);
        const old = handle;
        handle = next;
        layer = up;
        await old.close();
      })().finally(() => { switching = undefined; });
      await switching;
    }
    return handle;
  };

  return {
    read: async (offset, buf) => (await current()).read(offset, buf),
    write: async (offset, data) => (await current()).write(offset, data),
    sync: async (dataOnly) => (await current()).sync(dataOnly),
    close: async () => { await switching?.catch(() => undefined); await handle.close(); },
  };
}
