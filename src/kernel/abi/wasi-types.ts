// WASI preview1 constants and the Linux -> WASI errno translation.
import { Errno } from '../errno.js';
import type { FileType } from '../fs/inode.js';

export const WasiErrno = {
  SUCCESS: 0, E2BIG: 1, EACCES: 2, EADDRINUSE: 3, EADDRNOTAVAIL: 4, EAFNOSUPPORT: 5, EAGAIN: 6, EALREADY: 7,
  EBADF: 8, EBADMSG: 9, EBUSY: 10, ECANCELED: 11, ECHILD: 12, ECONNABORTED: 13, ECONNREFUSED: 14, ECONNRESET: 15,
  EDEADLK: 16, EDESTADDRREQ: 17, EDOM: 18, EDQUOT: 19, EEXIST: 20, EFAULT: 21, EFBIG: 22, EHOSTUNREACH: 23,
  EIDRM: 24, EILSEQ: 25, EINPROGRESS: 26, EINTR: 27, EINVAL: 28, EIO: 29, EISCONN: 30, EISDIR: 31, ELOOP: 32,
  EMFILE: 33, EMLINK: 34, EMSGSIZE: 35, EMULTIHOP: 36, ENAMETOOLONG: 37, ENETDOWN: 38, ENETRESET: 39,
  ENETUNREACH: 40, ENFILE: 41, ENOBUFS: 42, ENODEV: 43, ENOENT: 44, ENOEXEC: 45, ENOLCK: 46, ENOLINK: 47,
  ENOMEM: 48, ENOMSG: 49, ENOPROTOOPT: 50, ENOSPC: 51, ENOSYS: 52, ENOTCONN: 53, ENOTDIR: 54, ENOTEMPTY: 55,
  ENOTRECOVERABLE: 56, ENOTSOCK: 57, ENOTSUP: 58, ENOTTY: 59, ENXIO: 60, EOVERFLOW: 61, EOWNERDEAD: 62,
  EPERM: 63, EPIPE: 64, EPROTO: 65, EPROTONOSUPPORT: 66, EPROTOTYPE: 67, ERANGE: 68, EROFS: 69, ESPIPE: 70,
  ESRCH: 71, ESTALE: 72, ETIMEDOUT: 73, ETXTBSY: 74, EXDEV: 75, ENOTCAPABLE: 76,
} as const;

const linuxToWasi = new Map<number, number>();
for (const [name, v] of Object.entries(WasiErrno)) {
  const l = (Errno as Record<string, number>)[name];
  if (l !== undefined) linuxToWasi.set(l, v);
}
linuxToWasi.set(Errno.EOPNOTSUPP, WasiErrno.ENOTSUP);

export function toWasiErrno(linux: number): number {
  return linuxToWasi.get(linux) ?? WasiErrno.EIO;
}

export const WasiFiletype = { UNKNOWN: 0, BLOCK_DEVICE: 1, CHARACTER_DEVICE: 2, DIRECTORY: 3, REGULAR_FILE: 4, SOCKET_DGRAM: 5, SOCKET_STREAM: 6, SYMBOLIC_LINK: 7 } as const;

export function wasiFiletype(t: FileType | 'stdio' | 'pipe' | 'socket' | 'eventfd'): number {
  switch (t) {
    case 'file': return WasiFiletype.REGULAR_FILE;
    case 'dir': return WasiFiletype.DIRECTORY;
    case 'symlink': return WasiFiletype.SYMBOLIC_LINK;
    case 'chardev': case 'stdio': return WasiFiletype.CHARACTER_DEVICE;
    case 'blockdev': return WasiFiletype.BLOCK_DEVICE;
    case 'socket': return WasiFiletype.SOCKET_STREAM;
    default: return WasiFiletype.UNKNOWN; // fifo, pipe, eventfd: WASI has no type for them
  }
}

// fdflags
export const FDFLAG_APPEND = 1, FDFLAG_DSYNC = 2, FDFLAG_NONBLOCK = 4, FDFLAG_RSYNC = 8, FDFLAG_SYNC = 16;
/** Not WASI: the SDK passes O_CLOEXEC as fdflags bit 5 (plain WASI runtimes ignore it). */
export const FDFLAG_SDK_CLOEXEC = 0x20;
// oflags
export const OFLAG_CREAT = 1, OFLAG_DIRECTORY = 2, OFLAG_EXCL = 4, OFLAG_TRUNC = 8;
// lookupflags
export const LOOKUP_SYMLINK_FOLLOW = 1;
// fstflags
export const FST_ATIM = 1, FST_ATIM_NOW = 2, FST_MTIM = 4, FST_MTIM_NOW = 8;
// rights
export const RIGHT_FD_READ = 1n << 1n, RIGHT_FD_WRITE = 1n << 6n, RIGHTS_ALL = 2 ** 30 - 1;
// eventtype
export const EVENTTYPE_CLOCK = 0, EVENTTYPE_FD_READ = 1, EVENTTYPE_FD_WRITE = 2;
export const SUBCLOCKFLAG_ABSTIME = 1, EVENT_FD_READWRITE_HANGUP = 1;

/** WASI signal numbers -> Linux (they diverge after SIGTERM: WASI has no SIGSTKFLT). */
export function wasiSignalToLinux(sig: number): number {
  return sig <= 15 ? sig : sig + 1;
}
