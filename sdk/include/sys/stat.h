/* occlum-ts SDK: <sys/stat.h> = wasi-libc's plus umask (libocclum, on the kernel's `linux.umask`). */
#ifndef __OCCLUM_SYS_STAT_H
#define __OCCLUM_SYS_STAT_H

#include_next <sys/stat.h>

#ifdef __cplusplus
extern "C" {
#endif

mode_t umask(mode_t);

#ifdef __cplusplus
}
#endif

#endif
