/*
 * occlum-ts SDK: <fcntl.h> = wasi-libc's plus what Linux programs expect.
 *
 * O_CLOEXEC: wasi-libc defines it as 0. Here it is 0x20, a bit that wasi-libc's open()/openat()
 * pass through unchanged as bit 5 of the WASI path_open fdflags (WASI preview1 defines bits 0-4
 * only); the occlum-ts kernel reads that bit as O_CLOEXEC, other WASI runtimes ignore it.
 * libocclum translates it to Linux's 0o2000000 for pipe2, dup3, eventfd and spawn file actions.
 *
 * fcntl: declared with an asm label, so that calls from programs go to libocclum's version
 * (F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD/F_SETFD with real close-on-exec, F_GETFL/F_SETFL with the
 * O_* flags translated, on the kernel's `linux.fcntl`), while wasi-libc's internal calls (fdopen)
 * keep its own WASI-only fcntl.
 */
#ifndef __OCCLUM_FCNTL_H
#define __OCCLUM_FCNTL_H

#include_next <fcntl.h>

#undef O_CLOEXEC
#define O_CLOEXEC 0x20

#ifndef O_NDELAY
#define O_NDELAY O_NONBLOCK
#endif
#ifndef O_ASYNC
#define O_ASYNC 0
#endif
#ifndef O_DIRECT
#define O_DIRECT 0
#endif
#ifndef O_LARGEFILE
#define O_LARGEFILE 0
#endif
#ifndef O_NOATIME
#define O_NOATIME 0
#endif
#ifndef O_PATH
#define O_PATH O_SEARCH
#endif

#ifndef F_DUPFD
#define F_DUPFD 0
#endif
#ifndef F_DUPFD_CLOEXEC
#define F_DUPFD_CLOEXEC 1030
#endif
#ifndef F_GETLK
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#endif
#ifndef F_SETOWN
#define F_SETOWN 8
#define F_GETOWN 9
#define F_SETSIG 10
#define F_GETSIG 11
#endif
#ifndef F_RDLCK
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#endif
#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 1
#define FALLOC_FL_PUNCH_HOLE 2
#endif

#ifdef __cplusplus
extern "C" {
#endif

int fcntl(int, int, ...) __asm__("__occlum_fcntl");
/* Linux's fallocate (libocclum, `linux.fallocate`): mode 0 and FALLOC_FL_KEEP_SIZE. */
int fallocate(int, int, off_t, off_t);

#ifdef __cplusplus
}
#endif

#endif /* __OCCLUM_FCNTL_H */
