/*
 * occlum-ts SDK: <stdio.h> = wasi-libc's (or libc++'s wrapper of it) plus popen/pclose, which
 * libocclum implements with posix_spawn of "/bin/sh -c" and a pipe.
 */
#ifndef __OCCLUM_STDIO_H
#define __OCCLUM_STDIO_H

#include_next <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

FILE *popen(const char *, const char *);
int pclose(FILE *);

#ifdef __cplusplus
}
#endif

#endif
