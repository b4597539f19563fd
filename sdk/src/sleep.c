/*
 * nanosleep, clock_nanosleep, sleep, usleep (replacing libc.a's objects of the same names) on
 * the kernel's `linux.clock_nanosleep`: interruptible by signals (EINTR with the time left),
 * EINVAL for a bad timespec, EFAULT for a NULL one (wasi-libc's return 0 for both).
 */
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

#define L_CLOCK_REALTIME 0
#define L_CLOCK_MONOTONIC 1

/* Returns an errno value (0 on success), like clock_nanosleep. */
static int sleep_ns(int clock, int flags, const struct timespec *req, struct timespec *rem)
{
	if (req == NULL) return EFAULT;
	if (req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= 1000000000L) return EINVAL;
	struct k_timespec kreq = { req->tv_sec, req->tv_nsec }, krem = { 0, 0 };
	int r = __linux_clock_nanosleep(clock, flags, &kreq, rem ? &krem : NULL);
	if (r < 0) {
		if (rem && r == -4 /* EINTR */) {
			rem->tv_sec = krem.sec;
			rem->tv_nsec = (long)krem.nsec;
		}
		return __occlum_errno(-r);
	}
	return 0;
}

int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
	int id;
	if (clk == CLOCK_REALTIME) id = L_CLOCK_REALTIME;
	else if (clk == CLOCK_MONOTONIC) id = L_CLOCK_MONOTONIC;
	else return EINVAL; /* CPU-time clocks: Linux says EINVAL for the thread's, and the kernel has no others */
	return sleep_ns(id, flags & TIMER_ABSTIME, req, rem);
}

int __clock_nanosleep(clockid_t, int, const struct timespec *, struct timespec *)
	__attribute__((weak, alias("clock_nanosleep")));

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	int e = sleep_ns(L_CLOCK_REALTIME, 0, req, rem);
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

unsigned sleep(unsigned seconds)
{
	struct timespec tv = { .tv_sec = seconds, .tv_nsec = 0 };
	if (nanosleep(&tv, &tv)) return tv.tv_sec + (tv.tv_nsec >= 500000000L); /* glibc rounds */
	return 0;
}

int usleep(unsigned useconds)
{
	struct timespec tv = { .tv_sec = useconds / 1000000, .tv_nsec = (useconds % 1000000) * 1000 };
	return nanosleep(&tv, &tv);
}
