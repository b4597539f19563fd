/*
 * occlum-ts SDK: <unistd.h> = wasi-libc's plus the process, pipe, identity and terminal calls
 * it leaves out (implemented by libocclum on the kernel's `linux` imports).
 *
 * A few functions that wasi-libc (or one of its emulation libraries) already defines are
 * declared with an asm label, so that calls from code compiled with these headers reach
 * libocclum's kernel-backed version while wasi-libc's own internal calls keep its version
 * (which adds no `linux` import): getpid (wasi-libc's emulation returns 42), isatty (ioctl
 * TCGETS instead of a file-type guess), sysconf and getpagesize (a 4096-byte page, as on Linux),
 * access and faccessat (the kernel checks x bits and read-only mounts).
 */
#ifndef __OCCLUM_UNISTD_H
#define __OCCLUM_UNISTD_H

/* Declares getpid without wasi-libc's deprecation attribute; libocclum provides the real one. */
#ifndef _WASI_EMULATED_GETPID
#define _WASI_EMULATED_GETPID
#define __OCCLUM_UNDEF_WASI_EMULATED_GETPID
#endif
#include_next <unistd.h>
#ifdef __OCCLUM_UNDEF_WASI_EMULATED_GETPID
#undef _WASI_EMULATED_GETPID
#undef __OCCLUM_UNDEF_WASI_EMULATED_GETPID
#endif

#ifdef __cplusplus
extern "C" {
#endif

pid_t getpid(void) __asm__("__occlum_getpid");
int isatty(int) __asm__("__occlum_isatty");
long sysconf(int) __asm__("__occlum_sysconf");
/* access/faccessat on the kernel's `linux.faccessat`: X_OK sees the mode bits, W_OK read-only mounts. */
int access(const char *, int) __asm__("__occlum_access");
int faccessat(int, const char *, int, int) __asm__("__occlum_faccessat");

int pipe(int [2]);
int dup(int);
int dup2(int, int);

int fchdir(int);
unsigned alarm(unsigned);
int pause(void);

pid_t fork(void);
int execve(const char *, char *const [], char *const []);
int execv(const char *, char *const []);
int execle(const char *, const char *, ...);
int execl(const char *, const char *, ...);
int execvp(const char *, char *const []);
int execlp(const char *, const char *, ...);
int fexecve(int, char *const [], char *const []);

pid_t getppid(void);
pid_t getpgrp(void);
pid_t getpgid(pid_t);
int setpgid(pid_t, pid_t);
pid_t setsid(void);
pid_t getsid(pid_t);

char *ttyname(int);
int ttyname_r(int, char *, size_t);
pid_t tcgetpgrp(int);
int tcsetpgrp(int, pid_t);

uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
int getgroups(int, gid_t []);
int setuid(uid_t);
int seteuid(uid_t);
int setgid(gid_t);
int setegid(gid_t);

int chown(const char *, uid_t, gid_t);
int fchown(int, uid_t, gid_t);
int lchown(const char *, uid_t, gid_t);
int fchownat(int, const char *, uid_t, gid_t, int);

int sethostname(const char *, size_t);

#if defined(_XOPEN_SOURCE) || defined(_GNU_SOURCE) || defined(_BSD_SOURCE)
int setreuid(uid_t, uid_t);
int setregid(gid_t, gid_t);
int nice(int);
pid_t setpgrp(void);
#endif

#if defined(_GNU_SOURCE) || defined(_BSD_SOURCE) \
 || (defined(_XOPEN_SOURCE) && _XOPEN_SOURCE+0 < 700)
unsigned ualarm(unsigned, unsigned);
#endif

#if defined(_GNU_SOURCE) || defined(_BSD_SOURCE)
pid_t vfork(void);
int getpagesize(void) __asm__("__occlum_getpagesize");
int getdtablesize(void);
int setgroups(size_t, const gid_t *);
long syscall(long, ...);
int execvpe(const char *, char *const [], char *const []);
int issetugid(void);
#endif

#ifdef _GNU_SOURCE
int pipe2(int [2], int);
int dup3(int, int, int);
pid_t _Fork(void);
pid_t gettid(void);
int setresuid(uid_t, uid_t, uid_t);
int setresgid(gid_t, gid_t, gid_t);
int getresuid(uid_t *, uid_t *, uid_t *);
int getresgid(gid_t *, gid_t *, gid_t *);
char *get_current_dir_name(void);
#endif

#ifdef __cplusplus
}
#endif

/* Feature-test macros that wasi-libc leaves out because WASI has no processes. */
#ifndef _POSIX_JOB_CONTROL
#define _POSIX_JOB_CONTROL 1
#endif
#ifndef _POSIX_SAVED_IDS
#define _POSIX_SAVED_IDS 1
#endif
#ifndef _POSIX_SPAWN
#define _POSIX_SPAWN _POSIX_VERSION
#endif

#endif /* __OCCLUM_UNISTD_H */
