/*
 * occlum-ts SDK: <sys/statvfs.h> = wasi-libc's, with statvfs/fstatvfs redirected (asm labels) to
 * libocclum's, which fill it from the kernel's statfs (wasi-libc's only fail with ENOSYS).
 */
#ifndef __OCCLUM_SYS_STATVFS_H
#define __OCCLUM_SYS_STATVFS_H

#include_next <sys/statvfs.h>

#ifdef __cplusplus
extern "C" {
#endif

int statvfs(const char *__restrict, struct statvfs *__restrict) __asm__("__occlum_statvfs");
int fstatvfs(int, struct statvfs *) __asm__("__occlum_fstatvfs");

#ifdef __cplusplus
}
#endif

#endif
