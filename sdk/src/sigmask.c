/* Signal masks: sigprocmask, pthread_sigmask, sigpending, sigsuspend, pause, sighold/sigrelse/sigpause. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

int sigprocmask(int how, const sigset_t *restrict set, sigset_t *restrict old)
{
	uint64_t o;
	int r = __linux_rt_sigprocmask(how, set ? (const uint64_t *)(const void *)set : NULL, old ? &o : NULL);
	if (r < 0) return __occlum_ret(r);
	if (old) __occlum_sigset_put(old, o);
	return 0;
}

int pthread_sigmask(int how, const sigset_t *restrict set, sigset_t *restrict old)
{
	uint64_t o;
	int r = __linux_rt_sigprocmask(how, set ? (const uint64_t *)(const void *)set : NULL, old ? &o : NULL);
	if (r < 0) return __occlum_err(r);
	if (old) __occlum_sigset_put(old, o);
	return 0;
}

int sigpending(sigset_t *set)
{
	uint64_t s;
	int r = __linux_rt_sigpending(&s);
	if (r < 0) return __occlum_ret(r);
	__occlum_sigset_put(set, s);
	return 0;
}

int sigsuspend(const sigset_t *mask)
{
	return __occlum_ret(__linux_rt_sigsuspend((const uint64_t *)(const void *)mask));
}

int pause(void)
{
	uint64_t cur;
	__linux_rt_sigprocmask(SIG_BLOCK, NULL, &cur);
	return __occlum_ret(__linux_rt_sigsuspend(&cur));
}

static int mask_one(int how, int sig)
{
	sigset_t s;
	sigemptyset(&s);
	if (sigaddset(&s, sig) < 0) return -1;
	return sigprocmask(how, &s, NULL);
}

int sighold(int sig) { return mask_one(SIG_BLOCK, sig); }
int sigrelse(int sig) { return mask_one(SIG_UNBLOCK, sig); }

int sigpause(int sig)
{
	sigset_t mask;
	sigprocmask(SIG_BLOCK, NULL, &mask);
	if (sigdelset(&mask, sig) < 0) return -1;
	return sigsuspend(&mask);
}
