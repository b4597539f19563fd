// What mount(2) may create at run time (Occlum allows hostfs, ramfs and sefs/unionfs layers).
// The kernel asks a MountFactory for the file system; the default one (below) knows ramfs and
// hostfs, the instance layer passes one that also knows sefs (src/instance/sefs-mount.ts).
//
// hostfs: `data` is "dir=<host dir>", an ABSOLUTE host path (there is no instance directory to
// be relative to at this level), realpath'd once; the file system is then confined below it
// exactly like a boot-time hostfs (hostfs.ts).
import { fail, SysError } from '../errno.js';
import { HostError, type Host } from '../../host/types.js';
import type { FileSystem } from './inode.js';
import { RamFs } from './ramfs.js';
import { HostFsMount } from './hostfs.js';

export interface MountRequest {
  /** mount(2)'s filesystemtype. */
  type: string;
  source: string;
  /** mount(2)'s data: comma-separated options ("dir=/x,key=..."). */
  data: string;
  /** MS_RDONLY. */
  readonly: boolean;
}

/** Creates the file system for a mount request, or throws SysError (ENODEV: unknown type). */
export type MountFactory = (req: MountRequest) => Promise<FileSystem>;

/** One option of mount(2)'s data string ("a=1,b,c=x" -> option(data, 'c') = 'x'). */
export function mountOption(data: string, key: string): string | undefined {
  for (const part of data.split(',')) {
    const i = part.indexOf('=');
    if ((i < 0 ? part : part.slice(0, i)) === key) return i < 0 ? '' : part.slice(i + 1);
  }
  return undefined;
}

/** The host directory of a "dir=<absolute host path>" option, realpath'd. Errors: EINVAL, ENOENT, ENOTDIR. */
export function hostDirOption(host: Host, data: string): string {
  const dir = mountOption(data, 'dir');
  if (!dir) fail('EINVAL', 'this file system needs a dir=<host directory> option');
  if (!dir.startsWith('/')) fail('EINVAL', `dir=${dir}: the host directory must be an absolute path`);
  const realpath = host.fs.realpath ?? fail('ENODEV', 'this host cannot resolve host paths');
  try {
    return realpath(dir);
  } catch (e) {
    if (e instanceof HostError) throw new SysError(e.code === 'ENOENT' ? 'ENOENT' : 'EINVAL', `dir=${dir}: ${e.message}`);
    throw e;
  }
}

/** ramfs and hostfs. */
export function defaultMountFactory(host: Host): MountFactory {
  return async (req) => {
    switch (req.type) {
      case 'ramfs':
      case 'tmpfs':
        return new RamFs(() => host.clock.realtimeNs(), req.readonly);
      case 'hostfs': {
        const dir = hostDirOption(host, req.data);
        return new HostFsMount(host.fs, dir, (p) => host.fs.realpath!(p), req.readonly);
      }
      default:
        return fail('ENODEV', `file system type "${req.type}" cannot be mounted here`);
    }
  };
}
