// sefs errors: Linux errno names, so that the kernel adapter (src/kernel/fs/sefs.ts) maps them
// one to one onto SysError. The storage layer does not import the kernel (design.md, Layers).

export type SefsErrno =
  | 'ENOENT' | 'EEXIST' | 'ENOTDIR' | 'EISDIR' | 'ENOTEMPTY' | 'EINVAL' | 'EIO' | 'ENOSPC' | 'EFBIG'
  | 'ENAMETOOLONG' | 'EMLINK' | 'EROFS' | 'EPERM' | 'EXDEV' | 'EBADF' | 'EBUSY' | 'EACCES';

export class SefsError extends Error {
  constructor(readonly code: SefsErrno, message: string) { super(message); }
}

export function fsFail(code: SefsErrno, message: string = code): never {
  throw new SefsError(code, message);
}
