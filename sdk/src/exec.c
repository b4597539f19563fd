/* The exec family on the kernel's `linux.execve`; fork and vfork fail with ENOSYS (use posix_spawn). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include "internal.h"

char **__wasilibc_get_environ(void);
int __occlum_path_search(const char *file, int (*try_)(const char *path, void *ctx), void *ctx);

int execve(const char *path, char *const argv[], char *const envp[])
{
	static char *const empty[] = { NULL };
	return __occlum_ret(__linux_execve(path, argv ? argv : empty, envp ? envp : empty));
}

int execv(const char *path, char *const argv[])
{
	return execve(path, argv, __wasilibc_get_environ());
}

struct exec_ctx {
	char *const *argv, *const *envp;
};

static int try_exec(const char *path, void *p)
{
	struct exec_ctx *c = p;
	execve(path, c->argv, c->envp);
	return errno;
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
	struct exec_ctx c = { argv, envp };
	errno = __occlum_path_search(file, try_exec, &c);
	return -1;
}

int execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, __wasilibc_get_environ());
}

/* execl, execlp, execle: collect the variadic arguments into an argv on the stack. */
#define COLLECT(argv0, ap, extra)                                   \
	int argc;                                                       \
	va_start(ap, argv0);                                            \
	for (argc = 1; va_arg(ap, const char *); argc++) ;              \
	va_end(ap);                                                     \
	char *argv[argc + 1];                                           \
	argv[0] = (char *)argv0;                                        \
	va_start(ap, argv0);                                            \
	for (int i = 1; i <= argc; i++) argv[i] = va_arg(ap, char *);   \
	extra;                                                          \
	va_end(ap);

int execl(const char *path, const char *argv0, ...)
{
	va_list ap;
	COLLECT(argv0, ap, (void)0)
	return execv(path, argv);
}

int execlp(const char *file, const char *argv0, ...)
{
	va_list ap;
	COLLECT(argv0, ap, (void)0)
	return execvp(file, argv);
}

int execle(const char *path, const char *argv0, ...)
{
	va_list ap;
	char **envp;
	COLLECT(argv0, ap, envp = va_arg(ap, char **))
	return execve(path, argv, envp);
}

int fexecve(int fd, char *const argv[], char *const envp[])
{
	(void)fd, (void)argv, (void)envp;
	errno = ENOSYS;
	return -1;
}

/* No fork in the LibOS (as in Occlum): programs must use posix_spawn. */
pid_t fork(void)
{
	errno = ENOSYS;
	return -1;
}

pid_t vfork(void)
{
	errno = ENOSYS;
	return -1;
}

pid_t _Fork(void)
{
	errno = ENOSYS;
	return -1;
}
