// Resource limits of Occlum.json, enforced at process creation (Occlum's process VM does the same:
// a new process gets its heap and stack reserved from the one user-space pool, or fails).
//
//   user_space_size          every process's Wasm memory reservation comes out of this pool;
//   process.default_heap_size a process may grow its memory this far beyond its initial size
//                            (the module's own maximum still applies): the reservation;
//   max_num_of_threads       threads of live processes (zombies hold none).
//
// Running out fails the spawn/execve with ENOMEM or EAGAIN, and the log line names the field of
// Occlum.json to raise, since a program only sees the errno.
import { SysError } from '../errno.js';
import { SpawnError } from './loader.js';
import type { Log } from '../log.js';

const PAGE = 65536;
const MB = 1024 * 1024;

export interface LimitSettings {
  /** resource_limits.user_space_size in bytes. */
  userSpaceBytes: number;
  /** process.default_heap_size in bytes; undefined = the module's own maximum. */
  heapBytes: number | undefined;
  /** resource_limits.max_num_of_threads. */
  maxThreads: number;
}

export const UNLIMITED: LimitSettings = { userSpaceBytes: 300 * MB, heapBytes: undefined, maxThreads: Number.MAX_SAFE_INTEGER };

/** One process's share of the user space, held until it releases it (exit, or execve's old image). */
export interface Reservation { readonly bytes: number; readonly maximumPages: number; release(): void }

function mb(bytes: number): string { return `${Math.round((bytes / MB) * 10) / 10}MB`; }

export class ResourceLimits {
  private reservedBytes = 0;
  private threads = 0;

  constructor(public settings: LimitSettings, private readonly log: Log) {}

  get userSpaceBytes(): number { return this.settings.userSpaceBytes; }
  get usedBytes(): number { return this.reservedBytes; }
  get liveThreads(): number { return this.threads; }

  /**
   * Reserves memory for a program whose module asks for `initial`..`maximum` pages (execve passes
   * the reservation it replaces as `replacing`). Throws SpawnError(ENOMEM).
   */
  reserveMemory(path: string, initial: number, maximum: number, replacing?: Reservation): Reservation {
    const { heapBytes, userSpaceBytes } = this.settings;
    const maximumPages = heapBytes === undefined ? maximum : Math.max(initial, Math.min(maximum, initial + Math.ceil(heapBytes / PAGE)));
    const bytes = heapBytes === undefined ? initial * PAGE : maximumPages * PAGE;
    const available = userSpaceBytes - this.reservedBytes + (replacing?.bytes ?? 0);
    if (bytes > available) {
      const why = `${path} needs ${mb(bytes)} (initial memory + process.default_heap_size) but only ${mb(Math.max(0, available))} of resource_limits.user_space_size (${mb(userSpaceBytes)}) is free`;
      this.log.warn(`${why}; raise resource_limits.user_space_size in Occlum.json`);
      throw new SpawnError(new SysError('ENOMEM', why), `${why}; raise resource_limits.user_space_size in Occlum.json (or lower process.default_heap_size)`);
    }
    replacing?.release();
    this.reservedBytes += bytes;
    let held = true;
    return {
      bytes, maximumPages,
      release: () => { if (held) { held = false; this.reservedBytes -= bytes; } },
    };
  }

  /** Takes one thread slot. Throws SpawnError(EAGAIN). */
  reserveThread(path: string): () => void {
    if (this.threads >= this.settings.maxThreads) {
      const why = `${path}: all ${this.settings.maxThreads} threads of resource_limits.max_num_of_threads are in use`;
      this.log.warn(`${why}; raise it in Occlum.json`);
      throw new SpawnError(new SysError('EAGAIN', why), `${why}; raise resource_limits.max_num_of_threads in Occlum.json`);
    }
    this.threads++;
    let held = true;
    return () => { if (held) { held = false; this.threads--; } };
  }
}
