/*
 * posix_spawn and posix_spawnp on the kernel's `linux.spawn` (Occlum's spawn syscall): the file
 * actions are encoded as k_spawn_action (open flags in Linux values), the attributes as
 * k_spawn_attr. posix_spawnp searches PATH (default "/bin:/usr/bin") like execvp.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

char **__wasilibc_get_environ(void);

/* ---- file actions: a growable array of k_spawn_action; paths are owned copies ---- */

int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
	memset(fa, 0, sizeof *fa);
	return 0;
}

int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
	struct k_spawn_action *a = fa->__actions;
	for (int i = 0; i < fa->__count; i++)
		if (a[i].path) free((void *)(uintptr_t)a[i].path);
	free(a);
	memset(fa, 0, sizeof *fa);
	return 0;
}

static struct k_spawn_action *add(posix_spawn_file_actions_t *fa)
{
	if (fa->__count == fa->__cap) {
		int cap = fa->__cap ? fa->__cap * 2 : 8;
		void *p = realloc(fa->__actions, cap * sizeof(struct k_spawn_action));
		if (!p) return NULL;
		fa->__actions = p;
		fa->__cap = cap;
	}
	struct k_spawn_action *a = (struct k_spawn_action *)fa->__actions + fa->__count++;
	memset(a, 0, sizeof *a);
	return a;
}

int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa, int fd)
{
	if (fd < 0) return EBADF;
	struct k_spawn_action *a = add(fa);
	if (!a) return ENOMEM;
	a->kind = 0;
	a->fd = fd;
	return 0;
}

int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int fd, int newfd)
{
	if (fd < 0 || newfd < 0) return EBADF;
	struct k_spawn_action *a = add(fa);
	if (!a) return ENOMEM;
	a->kind = 1;
	a->fd = fd;
	a->newfd = newfd;
	return 0;
}

static int add_path(posix_spawn_file_actions_t *fa, unsigned kind, int fd, const char *path, int oflag, mode_t mode)
{
	char *copy = strdup(path);
	if (!copy) return ENOMEM;
	struct k_spawn_action *a = add(fa);
	if (!a) {
		free(copy);
		return ENOMEM;
	}
	a->kind = kind;
	a->fd = fd;
	a->path = (uint32_t)(uintptr_t)copy;
	a->oflag = (uint32_t)oflag;
	a->mode = mode;
	return 0;
}

int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *restrict fa, int fd, const char *restrict path,
	int flags, mode_t mode)
{
	if (fd < 0) return EBADF;
	return add_path(fa, 2, fd, path, __occlum_oflags_to_linux(flags), mode);
}

/* Proposed kernel action kinds 3 (chdir) and 4 (fchdir); see docs/linux-abi.md. */
int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *restrict fa, const char *restrict path)
{
	return add_path(fa, 3, -1, path, 0, 0);
}

int posix_spawn_file_actions_addfchdir_np(posix_spawn_file_actions_t *fa, int fd)
{
	if (fd < 0) return EBADF;
	struct k_spawn_action *a = add(fa);
	if (!a) return ENOMEM;
	a->kind = 4;
	a->fd = fd;
	return 0;
}

/* ---- attributes ---- */

int posix_spawnattr_init(posix_spawnattr_t *attr)
{
	memset(attr, 0, sizeof *attr);
	return 0;
}

int posix_spawnattr_destroy(posix_spawnattr_t *attr)
{
	(void)attr;
	return 0;
}

int posix_spawnattr_setflags(posix_spawnattr_t *attr, short flags)
{
	const unsigned all = POSIX_SPAWN_RESETIDS | POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF
		| POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSCHEDPARAM | POSIX_SPAWN_SETSCHEDULER
		| POSIX_SPAWN_USEVFORK | POSIX_SPAWN_SETSID;
	if ((unsigned short)flags & ~all) return EINVAL;
	attr->__flags = (unsigned short)flags;
	return 0;
}

int posix_spawnattr_getflags(const posix_spawnattr_t *restrict attr, short *restrict flags)
{
	*flags = (short)attr->__flags;
	return 0;
}

int posix_spawnattr_setpgroup(posix_spawnattr_t *attr, pid_t pgrp)
{
	attr->__pgrp = pgrp;
	return 0;
}

int posix_spawnattr_getpgroup(const posix_spawnattr_t *restrict attr, pid_t *restrict pgrp)
{
	*pgrp = attr->__pgrp;
	return 0;
}

int posix_spawnattr_setsigmask(posix_spawnattr_t *restrict attr, const sigset_t *restrict mask)
{
	attr->__mask = *mask;
	return 0;
}

int posix_spawnattr_getsigmask(const posix_spawnattr_t *restrict attr, sigset_t *restrict mask)
{
	*mask = attr->__mask;
	return 0;
}

int posix_spawnattr_setsigdefault(posix_spawnattr_t *restrict attr, const sigset_t *restrict def)
{
	attr->__def = *def;
	return 0;
}

int posix_spawnattr_getsigdefault(const posix_spawnattr_t *restrict attr, sigset_t *restrict def)
{
	*def = attr->__def;
	return 0;
}

int posix_spawnattr_setschedparam(posix_spawnattr_t *restrict attr, const struct sched_param *restrict p)
{
	(void)attr, (void)p;
	return ENOTSUP;
}

int posix_spawnattr_getschedparam(const posix_spawnattr_t *restrict attr, struct sched_param *restrict p)
{
	(void)attr, (void)p;
	return ENOTSUP;
}

int posix_spawnattr_setschedpolicy(posix_spawnattr_t *attr, int policy)
{
	(void)attr, (void)policy;
	return ENOTSUP;
}

int posix_spawnattr_getschedpolicy(const posix_spawnattr_t *restrict attr, int *restrict policy)
{
	(void)attr, (void)policy;
	return ENOTSUP;
}

/* ---- spawning ---- */

int posix_spawn(pid_t *restrict res, const char *restrict path, const posix_spawn_file_actions_t *fa,
	const posix_spawnattr_t *restrict attr, char *const argv[restrict], char *const envp[restrict])
{
	struct k_spawn_attr ka;
	if (attr) {
		if (attr->__flags & (POSIX_SPAWN_SETSCHEDPARAM | POSIX_SPAWN_SETSCHEDULER)) return ENOTSUP;
		ka.flags = (uint32_t)attr->__flags & ~(uint32_t)(POSIX_SPAWN_USEVFORK | POSIX_SPAWN_RESETIDS);
		ka.pgroup = attr->__pgrp;
		ka.sigmask = __occlum_sigset_get(&attr->__mask);
		ka.sigdefault = __occlum_sigset_get(&attr->__def);
	}
	static char *const empty[] = { NULL };
	int pid = 0;
	int r = __linux_spawn(path, argv ? argv : empty, envp ? envp : empty,
		fa ? (const struct k_spawn_action *)fa->__actions : NULL, fa ? fa->__count : 0,
		attr ? &ka : NULL, &pid);
	if (r < 0) return __occlum_errno(-r);
	if (res) *res = pid;
	return 0;
}

/* PATH search shared with execvp (exec.c): calls try(file) until it fails with something else
 * than "not here"; returns that error (an errno value) or 0. */
int __occlum_path_search(const char *file, int (*try_)(const char *path, void *ctx), void *ctx)
{
	if (!*file) return ENOENT;
	if (strchr(file, '/')) return try_(file, ctx);
	const char *path = NULL;
	char **env = __wasilibc_get_environ();
	for (char **e = env; e && *e; e++)
		if (!strncmp(*e, "PATH=", 5)) {
			path = *e + 5;
			break;
		}
	if (!path) path = "/bin:/usr/bin";
	size_t k = strnlen(file, NAME_MAX + 1);
	if (k > NAME_MAX) return ENAMETOOLONG;
	size_t l = strnlen(path, PATH_MAX - 1) + 1;
	char buf[l + k + 1];
	int seen_eacces = 0;
	for (const char *p = path, *z;; p = z) {
		z = strchr(p, ':');
		if (!z) z = p + strlen(p);
		if ((size_t)(z - p) >= l) {
			if (!*z++) break;
			continue;
		}
		memcpy(buf, p, z - p);
		buf[z - p] = '/';
		memcpy(buf + (z - p) + (z > p), file, k + 1);
		int e = try_(buf, ctx);
		switch (e) {
		case EACCES:
			seen_eacces = 1;
			/* fall through */
		case ENOENT:
		case ENOTDIR:
			break;
		default:
			return e;
		}
		if (!*z++) break;
	}
	return seen_eacces ? EACCES : ENOENT;
}

struct spawnp_ctx {
	pid_t *res;
	const posix_spawn_file_actions_t *fa;
	const posix_spawnattr_t *attr;
	char *const *argv, *const *envp;
};

static int try_spawn(const char *path, void *p)
{
	struct spawnp_ctx *c = p;
	return posix_spawn(c->res, path, c->fa, c->attr, c->argv, c->envp);
}

int posix_spawnp(pid_t *restrict res, const char *restrict file, const posix_spawn_file_actions_t *fa,
	const posix_spawnattr_t *restrict attr, char *const argv[restrict], char *const envp[restrict])
{
	struct spawnp_ctx c = { res, fa, attr, argv, envp };
	return __occlum_path_search(file, try_spawn, &c);
}
