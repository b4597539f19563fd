/* occlum-ts SDK: <sys/stat.h> = wasi-libc's plus umask (libocclum, on the kernel's `linux.umask`),
 * a utimensat that checks its flags as Linux does, a working chmod family, mkdir that keeps its
 * mode, and stat/lstat/fstat/fstatat that report permission bits. */
#ifndef __OCCLUM_SYS_STAT_H
#define __OCCLUM_SYS_STAT_H

#include_next <sys/stat.h>

#ifdef __cplusplus
extern "C" {
#endif

mode_t umask(mode_t);
/* utimensat with Linux's flag check (EINVAL for unknown flags), then wasi-libc's. */
int utimensat(int, const char *, const struct timespec [2], int) __asm__("__occlum_utimensat");
/* stat family with permission bits (sdk/src/stat.c; still plain WASI calls). */
int stat(const char *__restrict, struct stat *__restrict) __asm__("__occlum_stat");
int lstat(const char *__restrict, struct stat *__restrict) __asm__("__occlum_lstat");
int fstat(int, struct stat *) __asm__("__occlum_fstat");
int fstatat(int, const char *__restrict, struct stat *__restrict, int) __asm__("__occlum_fstatat");
/* mkdir with its mode (WASI's path_create_directory has none), on the kernel's `linux.mkdirat`. */
int mkdir(const char *, mode_t) __asm__("__occlum_mkdir");
int mkdirat(int, const char *, mode_t) __asm__("__occlum_mkdirat");
/* chmod family on the kernel's `linux.fchmodat`/`fchmod` (wasi-libc's fail with ENOSYS). */
int chmod(const char *, mode_t) __asm__("__occlum_chmod");
int fchmod(int, mode_t) __asm__("__occlum_fchmod");
int fchmodat(int, const char *, mode_t, int) __asm__("__occlum_fchmodat");

#ifdef __cplusplus
}
#endif

#endif
