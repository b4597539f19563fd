// Linux open(2) flags and friends (x86-64/generic values; the kernel speaks Linux).
export const O_ACCMODE = 0o3, O_RDONLY = 0o0, O_WRONLY = 0o1, O_RDWR = 0o2;
export const O_CREAT = 0o100, O_EXCL = 0o200, O_NOCTTY = 0o400, O_TRUNC = 0o1000, O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000, O_DSYNC = 0o10000, O_DIRECTORY = 0o200000, O_NOFOLLOW = 0o400000;
export const O_CLOEXEC = 0o2000000, O_SYNC = 0o4010000, O_PATH = 0o10000000, O_TMPFILE = 0o20200000;
export const AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_SYMLINK_FOLLOW = 0x400, AT_EMPTY_PATH = 0x1000;
export const SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;
/** Flags F_SETFL may change. */
export const SETFL_MASK = O_APPEND | O_NONBLOCK;
