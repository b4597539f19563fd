// Boots a Kernel for an instance: the root file system, then the mounts of Occlum.json.
//
// Boot flow (after image/verify.ts has checked signature -> config -> image):
//  1. root: Occlum's root unionfs: the verified read-only image below, the encrypted writable
//     sefs layer (the layer of the root entry without a MAC, ./run/mount/__ROOT; sefs-layer.ts)
//     above, persisting across runs until the next `occlum build` wipes run/; without a
//     verified image (in-process callers), a ramfs filled from image/;
//  2. the kernel's procfs at /proc, devfs at /dev, a ramfs at /dev/shm (mountKernelFileSystems);
//  3. the other mounts of Occlum.json, parents before children:
//       hostfs  -> the host directory `source`, relative to the instance dir, realpath'd;
//       ramfs   -> an empty ramfs;
//       sefs    -> an encrypted sefs in the host directory `source` (created empty on first
//                  use), or an empty ramfs when "temporary": true (recreated every boot);
//  4. /tmp as a ramfs if Occlum.json does not mount it and the root has no writable one.
// The kernel owns what boot mounted: kernel.shutdown() unmounts it (root last).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kernel } from '../kernel/kernel.js';
import { SysError } from '../kernel/errno.js';
import { RamFs } from '../kernel/fs/ramfs.js';
import { HostFsMount } from '../kernel/fs/hostfs.js';
import { mountKernelFileSystems } from '../kernel/fs/kernel-mounts.js';
import type { FileSystem } from '../kernel/fs/inode.js';
import type { Log } from '../kernel/log.js';
import { UNLIMITED, type LimitSettings } from '../kernel/process/limits.js';
import { HostError, type Host } from '../host/types.js';
import { nodeHost } from '../host/node.js';
import { populateFromHost } from './image-loader.js';
import { normalizePath, parseSize, type MountEntry, type OcclumConfig } from './config.js';
import { CliError, type Instance } from './instance.js';
import { autoKey, hasSefs, openSefsLayer } from './sefs-layer.js';
import { sefsMountFactory } from './sefs-mount.js';
import { defaultMountFactory } from '../kernel/fs/mount-factory.js';
import { UnionFs } from '../kernel/fs/unionfs/union-fs.js';
import { nodeCrypto } from '../host/node-crypto.js';

export interface BootOptions {
  log: Log;
  host?: Host;
  /** The verified build (image/verify.ts): its image becomes the root's lower layer. */
  verified?: { image: FileSystem; mrsigner: string };
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

/** Builds the kernel for `inst` with `config` (the verified one). Throws CliError. */
export async function bootInstance(inst: Instance, config: OcclumConfig, opts: BootOptions): Promise<Kernel> {
  const host = opts.host ?? nodeHost();
  const log = opts.log;
  const clock = () => host.clock.realtimeNs();
  // One key for every sefs of this build: the writable layer, Occlum.json's sefs mounts, mount(2).
  const key = opts.verified ? autoKey(nodeCrypto, opts.verified.mrsigner) : undefined;
  const root: FileSystem = opts.verified && key ? await openRootFs(inst, config, opts.verified.image, key, (l) => log.info(l)) : loadImageDir(inst, host, clock, log);
  const mountFactory = key
    ? sefsMountFactory(defaultMountFactory(host), { host, crypto: nodeCrypto, sealingKey: key, log: (l) => log.info(l) })
    : undefined;
  const kernel = new Kernel({ host, rootFs: root, log, hostname: os.hostname(), limits: limitsOf(config), ...(mountFactory ? { mountFactory } : {}) });
  kernel.vfs.adopt(root); // released last, after the mounts adopted below
  try {
    await mountKernelFileSystems(kernel);
    log.info('boot: mounted procfs at /proc, devfs at /dev, ramfs at /dev/shm');
    const entries = config.mount
      .map((m, i) => ({ m, i }))
      .filter(({ m }) => normalizePath(m.target) !== '/')
      .sort((a, b) => depth(a.m.target) - depth(b.m.target));
    for (const { m, i } of entries) {
      const fsys = await makeFs(inst, m, i, host, clock, key, log);
      kernel.vfs.adopt(fsys);
      await mountOrFail(kernel, m.target, fsys, `mount[${i}] (${m.type} at ${m.target})`);
      const how = m.type === 'hostfs' ? ` <- ${(fsys as HostFsMount).rootPath}` : m.type === 'sefs' ? (fsys.type === 'sefs' ? ` <- ${m.source}` : ' (temporary, in memory)') : '';
      log.info(`boot: mounted ${m.type} at ${normalizePath(m.target)}${how}`);
    }
    const targets = new Set(config.mount.map((m) => normalizePath(m.target)));
    if (!targets.has('/tmp') && (root.readonly || !(await isDir(kernel, '/tmp')))) {
      await mountOrFail(kernel, '/tmp', new RamFs(clock), '/tmp');
      log.info('boot: mounted ramfs at /tmp');
    }
  } catch (e) {
    await kernel.shutdown();
    throw e;
  }
  return kernel;
}

/**
 * The root unionfs: the verified image below, the encrypted writable layer above (the root
 * entry's layer without a MAC) under `key` (autoKey()). The caller unmounts it (both layers).
 */
export async function openRootFs(
  inst: Instance, config: OcclumConfig, image: FileSystem, key: Uint8Array, log: (line: string) => void,
  opts: { readonly?: boolean } = {},
): Promise<FileSystem> {
  const rootEntry = config.mount.find((m) => normalizePath(m.target) === '/');
  const writable = rootEntry?.options?.layers?.find((l) => l.options?.MAC === undefined);
  const source = writable?.source ?? './run/mount/__ROOT';
  const dir = path.resolve(inst.dir, source);
  const shown = path.relative(inst.dir, dir) || '.';
  // Read-only (inspection): an instance that never ran has no layer yet; show the image alone.
  if (opts.readonly && !hasSefs(dir)) return new UnionFs(new RamFs(() => 0n, true), [image]);
  const upper = await openSefsLayer(dir, { crypto: nodeCrypto, key, shown, log, readonly: opts.readonly === true });
  log(`boot: root is a unionfs of the verified image and the encrypted layer ${shown}`);
  return new UnionFs(upper, [image]);
}

/** Occlum.json's resource limits as the kernel enforces them (see kernel/process/limits.ts). */
export function limitsOf(config: OcclumConfig): LimitSettings {
  return {
    userSpaceBytes: parseSize(config.resource_limits.user_space_size) ?? UNLIMITED.userSpaceBytes,
    heapBytes: parseSize(config.process.default_heap_size),
    maxThreads: config.resource_limits.max_num_of_threads,
  };
}

function loadImageDir(inst: Instance, host: Host, clock: () => bigint, log: Log): RamFs {
  const root = new RamFs(clock);
  try {
    const image = populateFromHost(root, host.fs, inst.imageDir);
    log.info(`boot: root is image/ (${image.files} files, ${image.bytes} bytes) in a ramfs`);
  } catch (e) {
    if (e instanceof HostError) throw new CliError(`cannot load image/ of ${inst.dir} (${e.code}); check that it exists and is readable, then run \`occlum build\``);
    throw e;
  }
  return root;
}

async function makeFs(inst: Instance, m: MountEntry, i: number, host: Host, clock: () => bigint, key: Uint8Array | undefined, log: Log): Promise<FileSystem> {
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
    case 'sefs': {
      if (m.options?.temporary === true || key === undefined || m.source === undefined) return new RamFs(clock);
      const dir = path.resolve(inst.dir, m.source);
      return openSefsLayer(dir, { crypto: nodeCrypto, key, shown: path.relative(inst.dir, dir) || '.', log: (l) => log.info(l) });
    }
    case 'ramfs':
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
