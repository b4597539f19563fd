/* alarm, setitimer, getitimer, ualarm on the kernel's ITIMER_REAL (SIGALRM). */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/time.h>
#include <unistd.h>
#include "internal.h"

_Static_assert(sizeof(struct itimerval) == sizeof(struct k_itimerval), "struct itimerval is the kernel's");

unsigned alarm(unsigned seconds)
{
	int r = __linux_alarm(seconds);
	return r < 0 ? 0 : (unsigned)r;
}

int setitimer(int which, const struct itimerval *restrict v, struct itimerval *restrict old)
{
	return __occlum_ret(__linux_setitimer(which, (const struct k_itimerval *)v, (struct k_itimerval *)old));
}

int getitimer(int which, struct itimerval *cur)
{
	return __occlum_ret(__linux_getitimer(which, (struct k_itimerval *)cur));
}

unsigned ualarm(unsigned value, unsigned interval)
{
	struct itimerval it = {
		.it_interval.tv_usec = interval,
		.it_value.tv_usec = value,
	}, old;
	if (setitimer(ITIMER_REAL, &it, &old) < 0) return (unsigned)-1;
	return old.it_value.tv_sec * 1000000 + old.it_value.tv_usec;
}
