// The kernel's own file systems, mounted at boot after the root (Occlum's fs/mod.rs does the
// same with its procfs, devfs and the ramfs on /dev/shm): before the instance's other mounts,
// so that Occlum.json may still mount something over /dev/shm.
import type { Kernel } from '../kernel.js';
import { DevFs } from './devfs.js';
import { ProcFs } from './procfs/procfs.js';
import { RamFs } from './ramfs.js';

export async function mountKernelFileSystems(kernel: Kernel): Promise<void> {
  await kernel.vfs.mount('/proc', new ProcFs(kernel));
  await kernel.vfs.mount('/dev', new DevFs(kernel));
  await kernel.vfs.mount('/dev/shm', new RamFs(() => kernel.host.clock.realtimeNs()));
}
