/*
 * occlum-ts SDK: <sys/statfs.h> (Linux's; wasi-libc has none). struct statfs as musl defines it
 * for 32-bit targets; statfs/fstatfs are libocclum's, on the kernel's `linux.statfs`/`fstatfs`.
 * f_type holds Linux's magic numbers (ramfs 0x858458f6, procfs 0x9fa0...).
 */
#ifndef __OCCLUM_SYS_STATFS_H
#define __OCCLUM_SYS_STATFS_H

#include <sys/statvfs.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef __OCCLUM_FSID_T
#define __OCCLUM_FSID_T
typedef struct __fsid_t {
	int __val[2];
} fsid_t;
#endif

struct statfs {
	unsigned long f_type, f_bsize;
	fsblkcnt_t f_blocks, f_bfree, f_bavail;
	fsfilcnt_t f_files, f_ffree;
	fsid_t f_fsid;
	unsigned long f_namelen, f_frsize, f_flags, f_spare[4];
};

int statfs(const char *, struct statfs *);
int fstatfs(int, struct statfs *);

#if defined(_GNU_SOURCE) || defined(_LARGEFILE64_SOURCE)
#define statfs64 statfs
#define fstatfs64 fstatfs
#endif

#ifdef __cplusplus
}
#endif

#endif
