/* occlum-ts SDK: <sys/stat.h> = wasi-libc's plus umask (libocclum, on the kernel's `linux.umask`)
 * and a utimensat that checks its flags as Linux does. */
#ifndef __OCCLUM_SYS_STAT_H
#define __OCCLUM_SYS_STAT_H

#include_next <sys/stat.h>

#ifdef __cplusplus
extern "C" {
#endif

mode_t umask(mode_t);
/* utimensat with Linux's flag check (EINVAL for unknown flags), then wasi-libc's. */
int utimensat(int, const char *, const struct timespec [2], int) __asm__("__occlum_utimensat");

#ifdef __cplusplus
}
#endif

#endif
