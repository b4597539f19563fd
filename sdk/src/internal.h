/*
 * libocclum internals: the `linux` imports (docs/linux-abi.md), the kernel's structures, and the
 * helpers every wrapper uses. Not installed; sdk/src only.
 *
 * Conventions of the imports: every one returns i32, >= 0 or -errno in Linux numbering; flags
 * and signal numbers are Linux's. The wrappers convert errno to wasi-libc's numbering
 * (__occlum_errno) and O_* flags between wasi-libc's and Linux's values (__occlum_oflags_*).
 *
 * Linking discipline (see sdk/README.md): wasm-ld drops functions nobody calls and, with them,
 * the imports only they used, so a program imports exactly the `linux` functions it needs. What
 * decides whether an object is linked at all is the symbols it defines; objects that replace a
 * wasi-libc object define every strong symbol of that object.
 */
#ifndef OCCLUM_SDK_INTERNAL_H
#define OCCLUM_SDK_INTERNAL_H

#include <stdint.h>
#include <stddef.h>
#include <errno.h>
#include <string.h>
#include <signal.h>

#define LINUX_IMPORT(name) __attribute__((import_module("linux"), import_name(#name)))

/* ---- the kernel's structures (wasm32 layouts) ---- */

struct k_sigaction {
	uint32_t handler; /* function table index; 0 = SIG_DFL, 1 = SIG_IGN */
	uint32_t flags;   /* SA_* (Linux) */
	uint32_t restorer;
	uint32_t pad;
	uint64_t mask;
};

struct k_siginfo {
	int32_t signo, errno_, code, pid, uid, status, value;
};

struct k_timespec {
	int64_t sec, nsec;
};

struct k_timeval {
	int64_t sec, usec;
};

struct k_itimerval {
	struct k_timeval interval, value;
};

struct k_pollfd {
	int32_t fd;
	int16_t events, revents;
};

struct k_rlimit {
	uint64_t cur, max;
};

struct k_spawn_action {
	uint32_t kind; /* 0 close, 1 dup2, 2 open, 3 chdir (proposed), 4 fchdir (proposed) */
	int32_t fd;
	int32_t newfd;
	uint32_t path;
	uint32_t oflag; /* Linux O_* */
	uint32_t mode;
};

struct k_spawn_attr {
	uint32_t flags;
	int32_t pgroup;
	uint64_t sigmask;
	uint64_t sigdefault;
};

struct k_sysinfo {
	int32_t uptime;
	uint32_t loads[3];
	uint32_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t totalhigh, freehigh;
	uint32_t mem_unit;
	char f_[8];
};

/* Linux's struct statfs with 64-bit fields. */
struct k_statfs {
	uint64_t type, bsize, blocks, bfree, bavail, files, ffree;
	int32_t fsid[2];
	uint64_t namelen, frsize, flags, spare[4];
};

_Static_assert(sizeof(struct k_statfs) == 120, "k_statfs");
_Static_assert(sizeof(struct k_sigaction) == 24, "k_sigaction");
_Static_assert(sizeof(struct k_siginfo) == 28, "k_siginfo");
_Static_assert(sizeof(struct k_timespec) == 16, "k_timespec");
_Static_assert(sizeof(struct k_itimerval) == 32, "k_itimerval");
_Static_assert(sizeof(struct k_pollfd) == 8, "k_pollfd");
_Static_assert(sizeof(struct k_rlimit) == 16, "k_rlimit");
_Static_assert(sizeof(struct k_spawn_action) == 24, "k_spawn_action");
_Static_assert(sizeof(struct k_spawn_attr) == 24, "k_spawn_attr");
_Static_assert(sizeof(struct k_sysinfo) == 64, "k_sysinfo");

/* ---- the imports ---- */

/* processes */
LINUX_IMPORT(spawn) int __linux_spawn(const char *path, char *const *argv, char *const *envp,
	const struct k_spawn_action *actions, int nactions, const struct k_spawn_attr *attr, int *pid_out);
LINUX_IMPORT(execve) int __linux_execve(const char *path, char *const *argv, char *const *envp);
LINUX_IMPORT(wait4) int __linux_wait4(int pid, int *status, int options, void *rusage);
LINUX_IMPORT(getpid) int __linux_getpid(void);
LINUX_IMPORT(getppid) int __linux_getppid(void);
LINUX_IMPORT(gettid) int __linux_gettid(void);
LINUX_IMPORT(getpgid) int __linux_getpgid(int pid);
LINUX_IMPORT(getsid) int __linux_getsid(int pid);
LINUX_IMPORT(setpgid) int __linux_setpgid(int pid, int pgid);
LINUX_IMPORT(setsid) int __linux_setsid(void);
LINUX_IMPORT(getuid) int __linux_getuid(void);
LINUX_IMPORT(geteuid) int __linux_geteuid(void);
LINUX_IMPORT(getgid) int __linux_getgid(void);
LINUX_IMPORT(getegid) int __linux_getegid(void);
LINUX_IMPORT(getgroups) int __linux_getgroups(int size, uint32_t *list);

/* signals */
LINUX_IMPORT(kill) int __linux_kill(int pid, int sig);
LINUX_IMPORT(tgkill) int __linux_tgkill(int tgid, int tid, int sig);
LINUX_IMPORT(rt_sigaction) int __linux_rt_sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *old);
LINUX_IMPORT(rt_sigprocmask) int __linux_rt_sigprocmask(int how, const uint64_t *set, uint64_t *old);
LINUX_IMPORT(rt_sigpending) int __linux_rt_sigpending(uint64_t *set);
LINUX_IMPORT(rt_sigsuspend) int __linux_rt_sigsuspend(const uint64_t *mask);
LINUX_IMPORT(rt_sigtimedwait) int __linux_rt_sigtimedwait(const uint64_t *set, struct k_siginfo *info,
	const struct k_timespec *timeout);
LINUX_IMPORT(alarm) int __linux_alarm(unsigned seconds);
LINUX_IMPORT(setitimer) int __linux_setitimer(int which, const struct k_itimerval *v, struct k_itimerval *old);
LINUX_IMPORT(getitimer) int __linux_getitimer(int which, struct k_itimerval *cur);
LINUX_IMPORT(sigdeliver) int __linux_sigdeliver(struct k_siginfo *info, struct k_sigaction *act);
LINUX_IMPORT(sigreturn) int __linux_sigreturn(void);

/* files */
LINUX_IMPORT(pipe2) int __linux_pipe2(int *fds, int flags);
LINUX_IMPORT(dup) int __linux_dup(int fd);
LINUX_IMPORT(dup2) int __linux_dup2(int oldfd, int newfd);
LINUX_IMPORT(dup3) int __linux_dup3(int oldfd, int newfd, int flags);
LINUX_IMPORT(fcntl) int __linux_fcntl(int fd, int cmd, int arg);
LINUX_IMPORT(eventfd2) int __linux_eventfd2(unsigned initval, int flags);
LINUX_IMPORT(ppoll) int __linux_ppoll(struct k_pollfd *fds, int nfds, const struct k_timespec *timeout,
	const uint64_t *sigmask);
LINUX_IMPORT(ioctl) int __linux_ioctl(int fd, unsigned request, void *arg);
LINUX_IMPORT(flock) int __linux_flock(int fd, int op);
LINUX_IMPORT(fallocate) int __linux_fallocate(int fd, int mode, int64_t offset, int64_t len);
LINUX_IMPORT(getdents64) int __linux_getdents64(int fd, void *buf, size_t len);
LINUX_IMPORT(statfs) int __linux_statfs(const char *path, struct k_statfs *buf);
LINUX_IMPORT(fstatfs) int __linux_fstatfs(int fd, struct k_statfs *buf);
LINUX_IMPORT(mount) int __linux_mount(const char *source, const char *target, const char *type,
	unsigned long flags, const void *data);
LINUX_IMPORT(umount2) int __linux_umount2(const char *target, int flags);
LINUX_IMPORT(faccessat) int __linux_faccessat(int dirfd, const char *path, int mode, int flags);
LINUX_IMPORT(fchmodat) int __linux_fchmodat(int dirfd, const char *path, unsigned mode);
LINUX_IMPORT(fchmod) int __linux_fchmod(int fd, unsigned mode);
LINUX_IMPORT(mkdirat) int __linux_mkdirat(int dirfd, const char *path, unsigned mode);

/* process world */
LINUX_IMPORT(umask) int __linux_umask(unsigned mask);
LINUX_IMPORT(getcwd) int __linux_getcwd(char *buf, size_t size);
LINUX_IMPORT(chdir) int __linux_chdir(const char *path);
LINUX_IMPORT(fchdir) int __linux_fchdir(int fd);
LINUX_IMPORT(prlimit64) int __linux_prlimit64(int pid, int resource, const struct k_rlimit *new_,
	struct k_rlimit *old);
LINUX_IMPORT(uname) int __linux_uname(void *buf);
LINUX_IMPORT(sysinfo) int __linux_sysinfo(struct k_sysinfo *buf);
LINUX_IMPORT(clock_nanosleep) int __linux_clock_nanosleep(int clock, int flags, const struct k_timespec *req,
	struct k_timespec *rem);

/* ---- helpers (errno.c, flags.c) ---- */

/* Linux errno -> wasi-libc errno. */
int __occlum_errno(int linux_errno);

/* A raw import result -> POSIX convention: r if r >= 0, else -1 with errno set. */
static inline int __occlum_ret(int r)
{
	if (r < 0) {
		errno = __occlum_errno(-r);
		return -1;
	}
	return r;
}

/* A raw import result -> pthread convention: 0 or a (wasi-libc) error number. */
static inline int __occlum_err(int r)
{
	return r < 0 ? __occlum_errno(-r) : 0;
}

/* wasi-libc O_* (with the SDK's O_CLOEXEC) <-> Linux O_*. */
int __occlum_oflags_to_linux(int wasi_flags);
int __occlum_oflags_from_linux(int linux_flags);

/* Linux values used by the wrappers. */
#define L_O_RDONLY    00
#define L_O_WRONLY    01
#define L_O_RDWR      02
#define L_O_CREAT     0100
#define L_O_EXCL      0200
#define L_O_NOCTTY    0400
#define L_O_TRUNC     01000
#define L_O_APPEND    02000
#define L_O_NONBLOCK  04000
#define L_O_DSYNC     010000
#define L_O_DIRECTORY 0200000
#define L_O_NOFOLLOW  0400000
#define L_O_CLOEXEC   02000000
#define L_O_SYNC      04010000
#define L_O_PATH      010000000

#define L_AT_FDCWD (-100)
#define L_AT_SYMLINK_NOFOLLOW 0x100

/* A wasi-libc dirfd (AT_FDCWD is -2 there) as the kernel's. */
static inline int __occlum_dirfd(int fd)
{
	return fd == -2 ? L_AT_FDCWD : fd;
}

#define L_SIG_DFL 0u
#define L_SIG_IGN 1u

/*
 * sigset_t <-> the kernel's 64-bit set: the first 8 bytes of musl's sigset_t are exactly it
 * (bit n-1 = signal n), so a sigset_t pointer can be handed to the kernel as is.
 */
static inline uint64_t __occlum_sigset_get(const sigset_t *s)
{
	uint64_t v;
	memcpy(&v, s, sizeof v);
	return v;
}

static inline void __occlum_sigset_put(sigset_t *s, uint64_t v)
{
	memset(s, 0, sizeof *s);
	memcpy(s, &v, sizeof v);
}

/* Helpers shared by signal.c and abort.c. */
void __occlum_abort_hook(void);

#endif /* OCCLUM_SDK_INTERNAL_H */
