// Host implementation on Node.js: node:fs for files, host fds 0-2 for stdio, hrtime for clocks.
import * as fs from 'node:fs';
import * as tty from 'node:tty';
import { randomFillSync } from 'node:crypto';
import { HostError, type Host, type HostFs, type HostStat, type HostStdio, type HostClock } from './types.js';

function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (typeof err?.code === 'string') throw new HostError(err.code, err.message);
    throw e;
  }
}

function toStat(s: fs.BigIntStats): HostStat {
  return {
    dev: Number(s.dev), ino: Number(s.ino), mode: Number(s.mode), nlink: Number(s.nlink),
    uid: Number(s.uid), gid: Number(s.gid), size: Number(s.size), blocks: Number(s.blocks),
    atimeNs: s.atimeNs, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs,
    isFile: s.isFile(), isDirectory: s.isDirectory(), isSymlink: s.isSymbolicLink(),
  };
}

export const nodeHostFs: HostFs = {
  lstat: (p) => wrap(() => toStat(fs.lstatSync(p, { bigint: true }))),
  fstat: (fd) => wrap(() => toStat(fs.fstatSync(fd, { bigint: true }))),
  open: (p, flags, mode) => wrap(() => fs.openSync(p, flags | fs.constants.O_NOFOLLOW, mode)),
  close: (fd) => wrap(() => fs.closeSync(fd)),
  read: (fd, buf, pos) => wrap(() => fs.readSync(fd, buf, 0, buf.length, pos)),
  write: (fd, buf, pos) => wrap(() => fs.writeSync(fd, buf, 0, buf.length, pos)),
  ftruncate: (fd, size) => wrap(() => fs.ftruncateSync(fd, size)),
  fsync: (fd) => wrap(() => fs.fsyncSync(fd)),
  fdatasync: (fd) => wrap(() => fs.fdatasyncSync(fd)),
  readdir: (p) => wrap(() => fs.readdirSync(p)),
  mkdir: (p, mode) => wrap(() => { fs.mkdirSync(p, { mode }); }),
  rmdir: (p) => wrap(() => fs.rmdirSync(p)),
  unlink: (p) => wrap(() => fs.unlinkSync(p)),
  rename: (a, b) => wrap(() => fs.renameSync(a, b)),
  link: (a, b) => wrap(() => fs.linkSync(a, b)),
  symlink: (t, p) => wrap(() => fs.symlinkSync(t, p)),
  readlink: (p) => wrap(() => fs.readlinkSync(p)),
  chmod: (p, m) => wrap(() => fs.chmodSync(p, m)),
  utimes: (p, a, m) => wrap(() => fs.lutimesSync(p, a, m)),
  readFile: (p) => wrap(() => fs.readFileSync(p)),
  realpath: (p) => wrap(() => fs.realpathSync.native(p)),
  statfs: (p) => wrap(() => {
    const s = fs.statfsSync(p);
    return { type: s.type, bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, files: s.files, ffree: s.ffree };
  }),
  constants: {
    O_RDONLY: fs.constants.O_RDONLY, O_WRONLY: fs.constants.O_WRONLY, O_RDWR: fs.constants.O_RDWR,
    O_CREAT: fs.constants.O_CREAT, O_EXCL: fs.constants.O_EXCL, O_TRUNC: fs.constants.O_TRUNC,
    O_APPEND: fs.constants.O_APPEND, O_NOFOLLOW: fs.constants.O_NOFOLLOW, O_DIRECTORY: fs.constants.O_DIRECTORY,
  },
};

/** Sleeps the calling thread briefly (used when a host stdio fd is non-blocking and full). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function nodeHostStdio(fds: { stdin: number; stdout: number; stderr: number } = { stdin: 0, stdout: 1, stderr: 2 }): HostStdio {
  const map = [fds.stdin, fds.stdout, fds.stderr] as const;
  return {
    write(fd, buf) {
      let off = 0;
      while (off < buf.length) {
        try {
          off += fs.writeSync(map[fd], buf, off, buf.length - off);
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          if (err.code === 'EAGAIN') { pause(1); continue; }
          throw new HostError(err.code ?? 'EIO', err.message);
        }
      }
      return off;
    },
    read(buf) {
      return new Promise((resolve, reject) => {
        fs.read(map[0], buf, 0, buf.length, null, (err, n) => {
          if (err) {
            if (err.code === 'EAGAIN') { setTimeout(() => this.read(buf).then(resolve, reject), 5); return; }
            if (err.code === 'EOF') { resolve(0); return; }
            reject(new HostError(err.code ?? 'EIO', err.message));
            return;
          }
          resolve(n);
        });
      });
    },
    isatty: (fd) => tty.isatty(map[fd]),
    winsize(fd) {
      if (!tty.isatty(map[fd])) return undefined;
      const s = fd === 0 ? undefined : (fd === 1 ? process.stdout : process.stderr);
      if (s && 'rows' in s && typeof s.rows === 'number') return { rows: s.rows, cols: s.columns };
      return { rows: 24, cols: 80 };
    },
  };
}

export const nodeHostClock: HostClock = {
  realtimeNs: () => BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000)) * 1000n,
  monotonicNs: () => process.hrtime.bigint(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

export function nodeHost(opts: { stdio?: HostStdio; log?: (line: string) => void } = {}): Host {
  return {
    fs: nodeHostFs,
    stdio: opts.stdio ?? nodeHostStdio(),
    clock: nodeHostClock,
    randomFill: (buf) => {
      for (let off = 0; off < buf.length; off += 65536) randomFillSync(buf.subarray(off, Math.min(buf.length, off + 65536)));
    },
    log: opts.log ?? ((line) => { try { fs.writeSync(2, line + '\n'); } catch { /* stderr gone */ } }),
  };
}
