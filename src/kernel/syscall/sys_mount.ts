// mount(2) and umount2(2) at run time, with Occlum's limits: what can be mounted is decided by
// the kernel's MountFactory (ramfs, hostfs; sefs when the instance layer provides it), '/'
// can be neither mounted over nor unmounted, remounts/binds/moves are not supported.
import { fail } from '../errno.js';
import type { Thread } from '../process/process.js';
import type { Mount } from '../fs/vfs.js';
import { AT_FDCWD } from '../fs/flags.js';
import { startOf } from './sys_fs.js';

export const MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32, MS_NOATIME = 1024, MS_BIND = 4096, MS_MOVE = 8192;
/** Flags that only restrict what runs on the mount: accepted and ignored (one user, no devices). */
const MS_ACCEPTED = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | 0xc0ed0000; /* MS_MGC_VAL */
export const MNT_FORCE = 1, MNT_DETACH = 2, MNT_EXPIRE = 4, UMOUNT_NOFOLLOW = 8;

export async function sysMount(t: Thread, source: string, target: string, type: string, flags: number, data: string): Promise<number> {
  if (flags & (MS_REMOUNT | MS_BIND | MS_MOVE)) fail('EINVAL', 'remount, bind and move mounts are not supported');
  if (flags & ~MS_ACCEPTED) fail('EINVAL', `mount flags ${flags.toString(16)}`);
  const vfs = t.kernel.vfs;
  const stack = await vfs.walk(startOf(t, AT_FDCWD, target), target, true);
  if (stack.length === 1) fail('EBUSY', 'cannot mount over /');
  if (stack[stack.length - 1]!.inode.type !== 'dir') fail('ENOTDIR');
  const fs = await t.kernel.mountFactory({ type, source, data, readonly: (flags & MS_RDONLY) !== 0 });
  try {
    vfs.mountAt(stack, fs, source);
  } catch (e) {
    await fs.unmount?.();
    throw e;
  }
  vfs.adopt(fs);
  t.kernel.log.info(`mount: ${type} at ${target}`);
  return 0;
}

/** A process has its cwd or an open file in `m`, or another mount sits inside it. */
function busy(t: Thread, m: Mount): boolean {
  const inside = (fs: unknown) => fs === m.fs;
  if (t.kernel.vfs.mountList().some((o) => o !== m && o.mountpoint.some((e) => inside(e.inode.fs)))) return true;
  for (const p of t.kernel.processes.values()) {
    if (!p.alive) continue;
    if (p.cwd.some((e) => inside(e.inode.fs))) return true;
    if (p.fds.files().some((f) => inside(f.inode()?.fs))) return true;
  }
  return false;
}

/**
 * umount2: EINVAL if `target` is not the root of a mount, EBUSY for '/' and for a mount in use
 * (unless MNT_DETACH: then it leaves the namespace now, and its file system is synced but only
 * released at kernel shutdown, as Linux's lazy unmount keeps it for its users). MNT_FORCE is accepted.
 */
export async function sysUmount2(t: Thread, target: string, flags: number): Promise<number> {
  if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW)) fail('EINVAL', `umount2 flags ${flags}`);
  if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH))) fail('EINVAL');
  const vfs = t.kernel.vfs;
  const stack = await vfs.walk(startOf(t, AT_FDCWD, target), target, !(flags & UMOUNT_NOFOLLOW));
  if (stack.length === 1) fail('EBUSY', 'cannot unmount /');
  const m = vfs.mountRootedAt(stack) ?? fail('EINVAL', `${target} is not a mountpoint`);
  if (flags & MNT_EXPIRE) fail('EAGAIN', 'not marked as expired');
  const inUse = busy(t, m);
  if (inUse && !(flags & MNT_DETACH)) fail('EBUSY', `${m.target} is in use`);
  vfs.detach(m);
  if (inUse) await m.fs.sync?.(); // still in use: released at shutdown
  else await vfs.release(m.fs);
  t.kernel.log.info(`umount: ${m.target}`);
  return 0;
}
