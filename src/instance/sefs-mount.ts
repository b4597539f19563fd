// mount(2) of sefs at run time: an encrypted sefs on a secure disk (SwornDisk when this build has
// it, else PfsDisk) whose blocks live in a host directory, keyed by the platform sealing key
// (design.md: sealing keys come from the platform). Used by boot and tests as the kernel's
// MountFactory for type "sefs"; every other type goes to the kernel's default factory.
//
//   mount("sefs", "/mnt/secure", "sefs", 0, "dir=/abs/host/dir[,size=64MB]")
//
// The first mount of an empty directory creates and formats the volume (`size`, Occlum.json's size syntax, default 64MB);
// later mounts open it. A volume made under another sealing key is refused (EACCES).
import { SysError, fail } from '../kernel/errno.js';
import { hostDirOption, mountOption, type MountFactory } from '../kernel/fs/mount-factory.js';
import type { Host, HostCrypto } from '../host/types.js';
import { openOrCreateSefs } from './sefs-layer.js';
import { SefsError } from '../storage/sefs/errors.js';
import { StorageError, BLOCK_SIZE } from '../storage/block-device.js';
import { parseSize } from './config.js';

export interface SefsMountOptions {
  host: Host;
  crypto: HostCrypto;
  /** The key volumes derive theirs from: boot gives the build's auto-key (sefs-layer.ts autoKey). */
  sealingKey: Uint8Array;
  /** Log lines (recovery, integrity errors). */
  log?: (line: string) => void;
}

const DEFAULT_SIZE = 64 * 1024 * 1024;

/** Storage and sefs errors as the program's errno. */
function sysError(e: unknown): never {
  if (e instanceof SysError) throw e;
  if (e instanceof SefsError) throw new SysError(e.code === 'EACCES' ? 'EACCES' : e.code === 'EEXIST' ? 'EEXIST' : 'EINVAL', `sefs: ${e.message}`);
  if (e instanceof StorageError) throw new SysError('EIO', `sefs: ${e.message}`);
  throw e;
}

/** A MountFactory that mounts "sefs" as described above and hands every other type to `base`. */
export function sefsMountFactory(base: MountFactory, o: SefsMountOptions): MountFactory {
  return async (req) => {
    if (req.type !== 'sefs') return base(req);
    const dir = hostDirOption(o.host, req.data);
    const sizeOpt = mountOption(req.data, 'size');
    const bytes = sizeOpt === undefined ? DEFAULT_SIZE : parseSize(sizeOpt) ?? fail('EINVAL', `size=${sizeOpt} is not a size`);
    const clock = () => o.host.clock.realtimeNs();
    const log = o.log ?? (() => {});
    try {
      return (await openOrCreateSefs(dir, {
        crypto: o.crypto, key: o.sealingKey, nblocks: Math.max(64, Math.floor(bytes / BLOCK_SIZE)), readonly: req.readonly, clock, log,
      })).fs;
    } catch (e) {
      return sysError(e);
    }
  };
}
