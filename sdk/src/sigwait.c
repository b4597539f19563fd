/* Taking blocked signals synchronously: sigtimedwait, sigwaitinfo, sigwait. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

int sigtimedwait(const sigset_t *restrict set, siginfo_t *restrict si, const struct timespec *restrict to)
{
	struct k_siginfo ki;
	struct k_timespec ts;
	if (to) {
		ts.sec = to->tv_sec;
		ts.nsec = to->tv_nsec;
	}
	int r = __linux_rt_sigtimedwait((const uint64_t *)(const void *)set, &ki, to ? &ts : NULL);
	if (r < 0) return __occlum_ret(r);
	if (si) {
		memset(si, 0, sizeof *si);
		si->si_signo = ki.signo;
		si->si_errno = ki.errno_;
		si->si_code = ki.code;
		si->si_pid = ki.pid;
		si->si_uid = ki.uid;
		if (ki.signo == SIGCHLD) si->si_status = ki.status;
		else si->si_value.sival_int = ki.value;
	}
	return r;
}

int sigwaitinfo(const sigset_t *restrict set, siginfo_t *restrict si)
{
	return sigtimedwait(set, si, NULL);
}

int sigwait(const sigset_t *restrict set, int *restrict sig)
{
	int r;
	do r = sigtimedwait(set, NULL, NULL);
	while (r < 0 && errno == EINTR);
	if (r < 0) return errno;
	*sig = r;
	return 0;
}
