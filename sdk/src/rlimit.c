/* getrlimit, setrlimit, prlimit on the kernel's `linux.prlimit64`; getpriority/setpriority. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>
#include "internal.h"

_Static_assert(sizeof(struct rlimit) == sizeof(struct k_rlimit), "struct rlimit is the kernel's");

int prlimit(pid_t pid, int resource, const struct rlimit *new_limit, struct rlimit *old_limit)
{
	return __occlum_ret(__linux_prlimit64(pid, resource, (const struct k_rlimit *)new_limit, (struct k_rlimit *)old_limit));
}

int getrlimit(int resource, struct rlimit *rlim)
{
	return prlimit(0, resource, NULL, rlim);
}

int setrlimit(int resource, const struct rlimit *rlim)
{
	return prlimit(0, resource, rlim, NULL);
}

int getdtablesize(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return 1024;
	return rl.rlim_cur < 0x7fffffff ? (int)rl.rlim_cur : 0x7fffffff;
}

/* Scheduling priorities: the LibOS has none to change; everyone runs at nice 0. */
int getpriority(int which, id_t who)
{
	(void)who;
	if (which < PRIO_PROCESS || which > PRIO_USER) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int setpriority(int which, id_t who, int prio)
{
	(void)who, (void)prio;
	if (which < PRIO_PROCESS || which > PRIO_USER) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int nice(int inc)
{
	(void)inc;
	return 0;
}
