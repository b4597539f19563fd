/* Process ids, groups and sessions; user and group ids (single-user: everyone is root). */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>
#include "internal.h"

pid_t getppid(void) { return __linux_getppid(); }
pid_t gettid(void) { return __linux_gettid(); }
pid_t getpgid(pid_t pid) { return __occlum_ret(__linux_getpgid(pid)); }
pid_t getpgrp(void) { return __linux_getpgid(0); }
int setpgid(pid_t pid, pid_t pgid) { return __occlum_ret(__linux_setpgid(pid, pgid)); }
pid_t setpgrp(void) { return setpgid(0, 0); }
pid_t setsid(void) { return __occlum_ret(__linux_setsid()); }
pid_t getsid(pid_t pid) { return __occlum_ret(__linux_getsid(pid)); }

uid_t getuid(void) { return __linux_getuid(); }
uid_t geteuid(void) { return __linux_geteuid(); }
gid_t getgid(void) { return __linux_getgid(); }
gid_t getegid(void) { return __linux_getegid(); }

int getgroups(int size, gid_t list[])
{
	if (size < 0) {
		errno = EINVAL;
		return -1;
	}
	return __occlum_ret(__linux_getgroups(size, (uint32_t *)list));
}

/* Changing identity: only to what we already are (root), as a single-user system allows. */
static int same_id(unsigned id, unsigned current)
{
	if (id == (unsigned)-1 || id == current) return 0;
	errno = EPERM;
	return -1;
}

int setuid(uid_t uid) { return same_id(uid, getuid()); }
int seteuid(uid_t uid) { return same_id(uid, geteuid()); }
int setgid(gid_t gid) { return same_id(gid, getgid()); }
int setegid(gid_t gid) { return same_id(gid, getegid()); }
int setreuid(uid_t r, uid_t e) { return same_id(r, getuid()) ? -1 : same_id(e, geteuid()); }
int setregid(gid_t r, gid_t e) { return same_id(r, getgid()) ? -1 : same_id(e, getegid()); }

int setresuid(uid_t r, uid_t e, uid_t s)
{
	return same_id(r, getuid()) || same_id(e, geteuid()) || same_id(s, geteuid()) ? -1 : 0;
}

int setresgid(gid_t r, gid_t e, gid_t s)
{
	return same_id(r, getgid()) || same_id(e, getegid()) || same_id(s, getegid()) ? -1 : 0;
}

int getresuid(uid_t *r, uid_t *e, uid_t *s)
{
	*r = getuid();
	*e = geteuid();
	*s = *e;
	return 0;
}

int getresgid(gid_t *r, gid_t *e, gid_t *s)
{
	*r = getgid();
	*e = getegid();
	*s = *e;
	return 0;
}

int setgroups(size_t n, const gid_t *list)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] != 0) {
			errno = EPERM;
			return -1;
		}
	return 0;
}

int issetugid(void) { return 0; }
