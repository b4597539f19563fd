// HostBlockFile: a raw block device over a preallocated host file (the untrusted side; what
// SwornDisk, PfsDisk and CryptDisk sit on). HostDirStore: named HostBlockFiles in one host directory.
//
// Positioned reads and writes with fs.readSync/fs.writeSync (no shared file offset), fdatasync on
// flush. No O_DIRECT: Node buffers are not 4 KiB aligned, so I/O goes through the host page cache
// (benchmarks must end with flush() inside the timed region). "Preallocated" means ftruncate to the
// full size: the file is sparse on most host file systems unless `zeroFill` is asked for.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BLOCK_SIZE, StorageError, checkRange, type BlockDevice } from '../storage/block-device.js';
import type { RawStore } from '../storage/mem-device.js';

export interface HostBlockFileOptions {
  /** Device size in blocks. Required to create; an existing smaller file is grown to it. */
  nblocks?: number;
  /** Create the file if missing (default true when nblocks is given). */
  create?: boolean;
  /** When creating or growing, write zeros over the new range instead of leaving a sparse hole. */
  zeroFill?: boolean;
  /**
   * Do not extend the host file to `nblocks`: it grows as blocks are written (reads past its end
   * are zeros). For large, mostly empty devices (a 4 GiB writable layer would otherwise be a
   * 4 GiB file to every tool that copies or scans the instance).
   */
  lazy?: boolean;
}

const ZERO_CHUNK = new Uint8Array(1 << 20);

function hostErr(e: unknown, what: string): StorageError {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOSPC') return new StorageError('ENOSPC', `${what}: ${err.message}`);
  if (err?.code === 'EACCES' || err?.code === 'EPERM') return new StorageError('EACCES', `${what}: ${err.message}`);
  if (err?.code === 'EROFS') return new StorageError('EROFS', `${what}: ${err.message}`);
  return new StorageError('EIO', `${what}: ${err?.message ?? String(e)}`);
}

export class HostBlockFile implements BlockDevice {
  private fd: number;

  private constructor(readonly path: string, fd: number, readonly nblocks: number) { this.fd = fd; }

  /** Opens (and, with `nblocks`, creates or grows) the host file at `file`. */
  static open(file: string, opts: HostBlockFileOptions = {}): HostBlockFile {
    const create = opts.create ?? opts.nblocks !== undefined;
    let fd: number;
    try {
      fd = fs.openSync(file, create ? fs.constants.O_RDWR | fs.constants.O_CREAT : fs.constants.O_RDWR, 0o600);
    } catch (e) {
      throw hostErr(e, `open ${file}`);
    }
    try {
      const size = fs.fstatSync(fd).size;
      let nblocks = Math.floor(size / BLOCK_SIZE);
      if (opts.lazy) return new HostBlockFile(file, fd, Math.max(nblocks, opts.nblocks ?? 0));
      if (opts.nblocks !== undefined && opts.nblocks > nblocks) {
        const from = size;
        fs.ftruncateSync(fd, opts.nblocks * BLOCK_SIZE);
        if (opts.zeroFill) {
          for (let pos = from; pos < opts.nblocks * BLOCK_SIZE;) {
            const n = Math.min(ZERO_CHUNK.length, opts.nblocks * BLOCK_SIZE - pos);
            pos += fs.writeSync(fd, ZERO_CHUNK, 0, n, pos);
          }
        }
        nblocks = opts.nblocks;
      }
      return new HostBlockFile(file, fd, nblocks);
    } catch (e) {
      fs.closeSync(fd);
      throw hostErr(e, `size ${file}`);
    }
  }

  async read(lba: number, buf: Uint8Array): Promise<void> {
    this.readSync(lba, buf);
  }

  /** Synchronous read; bytes beyond the host file's end (a truncated file) read as zeros. */
  readSync(lba: number, buf: Uint8Array): void {
    this.check();
    checkRange(this, lba, buf.length);
    let done = 0;
    try {
      while (done < buf.length) {
        const n = fs.readSync(this.fd, buf, done, buf.length - done, lba * BLOCK_SIZE + done);
        if (n === 0) { buf.fill(0, done); break; }
        done += n;
      }
    } catch (e) {
      throw hostErr(e, `read ${this.path} @${lba}`);
    }
  }

  async write(lba: number, data: Uint8Array): Promise<void> {
    this.writeSync(lba, data);
  }

  writeSync(lba: number, data: Uint8Array): void {
    this.check();
    checkRange(this, lba, data.length);
    let done = 0;
    try {
      while (done < data.length) done += fs.writeSync(this.fd, data, done, data.length - done, lba * BLOCK_SIZE + done);
    } catch (e) {
      throw hostErr(e, `write ${this.path} @${lba}`);
    }
  }

  async flush(): Promise<void> {
    this.check();
    try {
      fs.fdatasyncSync(this.fd);
    } catch (e) {
      throw hostErr(e, `fdatasync ${this.path}`);
    }
  }

  /** Writes zeros (Node has no portable hole punching). */
  async trim(lba: number, count: number): Promise<void> {
    this.check();
    checkRange(this, lba, count * BLOCK_SIZE);
    for (let b = lba; b < lba + count;) {
      const n = Math.min(ZERO_CHUNK.length / BLOCK_SIZE, lba + count - b);
      this.writeSync(b, ZERO_CHUNK.subarray(0, n * BLOCK_SIZE));
      b += n;
    }
  }

  async close(): Promise<void> {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    try {
      fs.closeSync(fd);
    } catch (e) {
      throw hostErr(e, `close ${this.path}`);
    }
  }

  private check(): void {
    if (this.fd < 0) throw new StorageError('EIO', `${this.path} is closed`);
  }
}

/** RawStore over a host directory: device `name` is the file `<dir>/<name>`. */
export class HostDirStore implements RawStore {
  constructor(readonly dir: string, readonly opts: { zeroFill?: boolean; lazy?: boolean } = {}) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private file(name: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(name) || name === '.' || name === '..') {
      throw new StorageError('EINVAL', `bad raw device name '${name}'`);
    }
    return path.join(this.dir, name);
  }

  async open(name: string, nblocks?: number): Promise<BlockDevice> {
    const file = this.file(name);
    if (nblocks === undefined && !fs.existsSync(file)) throw new StorageError('EINVAL', `no raw device named '${name}' in ${this.dir}`);
    return HostBlockFile.open(file, nblocks === undefined ? { create: false } : { nblocks, zeroFill: this.opts.zeroFill ?? false, lazy: this.opts.lazy ?? false });
  }

  async exists(name: string): Promise<boolean> { return fs.existsSync(this.file(name)); }

  async remove(name: string): Promise<void> { fs.rmSync(this.file(name), { force: true }); }
}
