// Boots a Kernel for an instance: the root file system, then the mounts of Occlum.json.
//
// Boot flow:
//  1. root: a ramfs filled from image/ (it stands in for the root unionfs of sefs layers until
//     the protected image lands; the unionfs entry of Occlum.json is accepted for that);
//  2. the other mounts of Occlum.json, parents before children:
//       hostfs  -> the host directory `source`, relative to the instance dir, realpath'd;
//       ramfs   -> an empty ramfs;
//       sefs    -> an empty ramfs for now ("temporary": true means exactly that; a persistent
//                  sefs warns at build time that its contents do not persist yet);
//  3. /tmp as a ramfs if neither Occlum.json nor the image provides it, and /dev/shm as a ramfs
//     (Occlum always mounts one there).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kernel } from '../kernel/kernel.js';
import { SysError } from '../kernel/errno.js';
import { RamFs } from '../kernel/fs/ramfs.js';
import { HostFsMount } from '../kernel/fs/hostfs.js';
import type { FileSystem } from '../kernel/fs/inode.js';
import type { Log } from '../kernel/log.js';
import { HostError, type Host } from '../host/types.js';
import { nodeHost } from '../host/node.js';
import { populateFromHost } from './image-loader.js';
import { normalizePath, parseSize, type MountEntry, type OcclumConfig } from './config.js';
import { CliError, type Instance } from './instance.js';

export interface BootOptions {
  log: Log;
  host?: Host;
}

/** realpath that reports failures as HostError, the way hostfs expects from the host. */
export function hostRealpath(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new HostError(err.code ?? 'EIO', err.message);
  }
}

function depth(target: string): number {
  return normalizePath(target).split('/').filter((c) => c !== '').length;
}

/** Builds the kernel for `inst` with `config` (from build/.Occlum_sys.json). Throws CliError. */
export async function bootInstance(inst: Instance, config: OcclumConfig, opts: BootOptions): Promise<Kernel> {
  const host = opts.host ?? nodeHost();
  const log = opts.log;
  const clock = () => host.clock.realtimeNs();
  const root = new RamFs(clock);
  let image: { files: number; bytes: number };
  try {
    image = populateFromHost(root, host.fs, inst.imageDir);
  } catch (e) {
    if (e instanceof HostError) throw new CliError(`cannot load image/ of ${inst.dir} (${e.code}); check that it exists and is readable, then run \`occlum build\``);
    throw e;
  }
  log.info(`boot: root is image/ (${image.files} files, ${image.bytes} bytes) in a ramfs`);

  const kernel = new Kernel({ host, rootFs: root, log, hostname: os.hostname() });
  kernel.userSpaceBytes = parseSize(config.resource_limits.user_space_size) ?? kernel.userSpaceBytes;
  try {
    const entries = config.mount
      .map((m, i) => ({ m, i }))
      .filter(({ m }) => normalizePath(m.target) !== '/')
      .sort((a, b) => depth(a.m.target) - depth(b.m.target));
    for (const { m, i } of entries) {
      const fsys = makeFs(inst, m, i, host, clock);
      await mountOrFail(kernel, m.target, fsys, `mount[${i}] (${m.type} at ${m.target})`);
      const how = m.type === 'hostfs' ? ` <- ${(fsys as HostFsMount).rootPath}` : m.type === 'sefs' ? ' (in memory for now)' : '';
      log.info(`boot: mounted ${m.type} at ${normalizePath(m.target)}${how}`);
    }
    const targets = new Set(config.mount.map((m) => normalizePath(m.target)));
    if (!targets.has('/tmp') && !(await isDir(kernel, '/tmp'))) {
      await mountOrFail(kernel, '/tmp', new RamFs(clock), '/tmp');
      log.info('boot: mounted ramfs at /tmp');
    }
    if (!targets.has('/dev/shm') && !targets.has('/dev')) {
      await mountOrFail(kernel, '/dev/shm', new RamFs(clock), '/dev/shm');
      log.info('boot: mounted ramfs at /dev/shm');
    }
  } catch (e) {
    await kernel.shutdown();
    throw e;
  }
  return kernel;
}

function makeFs(inst: Instance, m: MountEntry, i: number, host: Host, clock: () => bigint): FileSystem {
  switch (m.type) {
    case 'hostfs': {
      const source = m.source ?? '.';
      const abs = path.resolve(inst.dir, source);
      let real: string;
      try {
        real = fs.realpathSync.native(abs);
      } catch {
        throw new CliError(`mount[${i}] (hostfs at ${m.target}): source "${source}" (${abs}) does not exist; create it or fix mount[${i}].source in Occlum.json`);
      }
      try {
        return new HostFsMount(host.fs, real, hostRealpath);
      } catch (e) {
        if (e instanceof SysError) throw new CliError(`mount[${i}] (hostfs at ${m.target}): source "${source}" (${real}) is not a directory; fix mount[${i}].source in Occlum.json`);
        throw e;
      }
    }
    case 'ramfs':
    case 'sefs':
      return new RamFs(clock);
    default:
      // `occlum build` refuses these; a hand-edited build/.Occlum_sys.json could still hold one.
      throw new CliError(`mount[${i}]: type "${m.type}" at ${m.target} is not supported; fix Occlum.json and run \`occlum build\``);
  }
}

async function mountOrFail(kernel: Kernel, target: string, fsys: FileSystem, what: string): Promise<void> {
  try {
    await kernel.vfs.mount(normalizePath(target), fsys);
  } catch (e) {
    if (e instanceof SysError) throw new CliError(`${what}: cannot mount (${e.message}); make sure image${normalizePath(target)} is a directory or absent`);
    throw e;
  }
}

async function isDir(kernel: Kernel, p: string): Promise<boolean> {
  try {
    const stack = await kernel.vfs.walk(kernel.vfs.rootStack, p, true);
    return stack[stack.length - 1]!.inode.type === 'dir';
  } catch {
    return false;
  }
}
