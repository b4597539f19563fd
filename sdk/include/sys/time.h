/*
 * occlum-ts SDK: <sys/time.h> = wasi-libc's plus interval timers (ITIMER_REAL only, as the
 * kernel supports; libocclum wraps `linux.setitimer`/`linux.getitimer`). struct timeval is
 * 16 bytes here (64-bit seconds and microseconds), exactly the kernel's k_timeval.
 */
#ifndef __OCCLUM_SYS_TIME_H
#define __OCCLUM_SYS_TIME_H

#include_next <sys/time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ITIMER_REAL    0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF    2

struct itimerval {
	struct timeval it_interval;
	struct timeval it_value;
};

int getitimer (int, struct itimerval *);
int setitimer (int, const struct itimerval *__restrict, struct itimerval *__restrict);

#ifdef __cplusplus
}
#endif

#endif
