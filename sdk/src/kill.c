/* Sending signals: kill, killpg, tgkill, raise (= __occlum_raise, see <signal.h>), pthread_kill, sigqueue. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

int kill(pid_t pid, int sig)
{
	return __occlum_ret(__linux_kill(pid, sig));
}

int killpg(pid_t pgrp, int sig)
{
	if (pgrp < 0) {
		errno = EINVAL;
		return -1;
	}
	return kill(-pgrp, sig);
}

int tgkill(pid_t tgid, pid_t tid, int sig)
{
	return __occlum_ret(__linux_tgkill(tgid, tid, sig));
}

int raise(int sig) /* = __occlum_raise, see <signal.h> */
{
	/* The handler (if any) runs when this call returns, before raise() does. */
	return __occlum_ret(__linux_tgkill(__linux_getpid(), __linux_gettid(), sig));
}

int pthread_kill(pthread_t t, int sig)
{
	if (!pthread_equal(t, pthread_self())) return ESRCH;
	return __occlum_err(__linux_tgkill(__linux_getpid(), __linux_gettid(), sig));
}

int sigqueue(pid_t pid, int sig, union sigval value)
{
	(void)pid, (void)sig, (void)value;
	errno = ENOSYS; /* no rt_sigqueueinfo in the kernel yet */
	return -1;
}

/* The plain name for code compiled without the SDK's headers (weak: wasi-libc's emulation may exist). */
int __occlum_raise_alias(int) __asm__("raise") __attribute__((weak, alias("__occlum_raise")));
