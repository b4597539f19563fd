/*
 * syscall(2) with Linux x86-64 numbers (sdk/include/sys/syscall.h), for programs that call raw
 * syscalls: a useful subset mapped onto the SDK's and wasi-libc's functions (so it adds only the
 * imports those use); everything else fails with ENOSYS. Results follow syscall(2): the value,
 * or -1 with errno set. getcwd returns the length including the NUL, as the raw syscall does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

long syscall(long n, ...)
{
	va_list ap;
	long a, b, c, d;
	va_start(ap, n);
	a = va_arg(ap, long);
	b = va_arg(ap, long);
	c = va_arg(ap, long);
	d = va_arg(ap, long);
	va_end(ap);
	(void)d;

	switch (n) {
	case SYS_read: return read((int)a, (void *)b, (size_t)c);
	case SYS_write: return write((int)a, (const void *)b, (size_t)c);
	case SYS_close: return close((int)a);
	case SYS_getpid: return getpid();
	case SYS_getppid: return getppid();
	case SYS_gettid: return gettid();
	case SYS_getuid: return getuid();
	case SYS_geteuid: return geteuid();
	case SYS_getgid: return getgid();
	case SYS_getegid: return getegid();
	case SYS_getpgid: return getpgid((pid_t)a);
	case SYS_getpgrp: return getpgrp();
	case SYS_setpgid: return setpgid((pid_t)a, (pid_t)b);
	case SYS_getsid: return getsid((pid_t)a);
	case SYS_setsid: return setsid();
	case SYS_kill: return kill((pid_t)a, (int)b);
	case SYS_tkill: return tgkill(getpid(), (pid_t)a, (int)b);
	case SYS_tgkill: return tgkill((pid_t)a, (pid_t)b, (int)c);
	case SYS_exit:
	case SYS_exit_group: _exit((int)a);
	case SYS_pipe: return pipe((int *)a);
	case SYS_pipe2: return __occlum_ret(__linux_pipe2((int *)a, (int)b));
	case SYS_dup: return dup((int)a);
	case SYS_dup2: return dup2((int)a, (int)b);
	case SYS_dup3: return __occlum_ret(__linux_dup3((int)a, (int)b, (int)c));
	case SYS_fcntl: return __occlum_ret(__linux_fcntl((int)a, (int)b, (int)c));
	case SYS_ioctl: return ioctl((int)a, (int)b, (void *)c);
	case SYS_getcwd: return __occlum_ret(__linux_getcwd((char *)a, (size_t)b));
	case SYS_chdir: return chdir((const char *)a);
	case SYS_fchdir: return fchdir((int)a);
	case SYS_umask: return umask((mode_t)a);
	case SYS_uname: return uname((struct utsname *)a);
	case SYS_sysinfo: return sysinfo((struct sysinfo *)a);
	case SYS_sched_yield: return sched_yield();
	case SYS_nanosleep: return nanosleep((const struct timespec *)a, (struct timespec *)b);
	case SYS_alarm: return alarm((unsigned)a);
	case SYS_pause: return pause();
	case SYS_getitimer: return getitimer((int)a, (struct itimerval *)b);
	case SYS_setitimer: return setitimer((int)a, (const struct itimerval *)b, (struct itimerval *)c);
	case SYS_rt_sigprocmask:
		/* (how, set, oldset, sigsetsize): kernel sets are 8 bytes */
		if (d != 8) {
			errno = EINVAL;
			return -1;
		}
		return __occlum_ret(__linux_rt_sigprocmask((int)a, (const uint64_t *)b, (uint64_t *)c));
	case SYS_rt_sigpending: return __occlum_ret(__linux_rt_sigpending((uint64_t *)a));
	case SYS_wait4: return wait4((pid_t)a, (int *)b, (int)c, (struct rusage *)d);
	case SYS_getrlimit: return getrlimit((int)a, (struct rlimit *)b);
	case SYS_setrlimit: return setrlimit((int)a, (const struct rlimit *)b);
	case SYS_prlimit64: return prlimit((pid_t)a, (int)b, (const struct rlimit *)c, (struct rlimit *)d);
	case SYS_eventfd: return eventfd((unsigned)a, 0);
	case SYS_eventfd2: return __occlum_ret(__linux_eventfd2((unsigned)a, (int)b));
	case SYS_getdents64: return __occlum_ret(__linux_getdents64((int)a, (void *)b, (size_t)c));
	case SYS_flock: return __occlum_ret(__linux_flock((int)a, (int)b));
	case SYS_statfs: return statfs((const char *)a, (struct statfs *)b);
	case SYS_fstatfs: return fstatfs((int)a, (struct statfs *)b);
	case SYS_umount2: return __occlum_ret(__linux_umount2((const char *)a, (int)b));
	case SYS_getrandom: {
		/* (buf, len, flags): WASI's random source, in chunks getentropy accepts */
		size_t len = (size_t)b, done = 0;
		while (done < len) {
			size_t k = len - done > 256 ? 256 : len - done;
			if (getentropy((char *)a + done, k)) return -1;
			done += k;
		}
		return (long)len;
	}
	default:
		errno = ENOSYS;
		return -1;
	}
}
