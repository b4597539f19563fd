/*
 * system, popen, pclose (musl's algorithms) over posix_spawn of "/bin/sh -c": the LibOS has no
 * fork, like Occlum, whose libc needed the same change (occlum/occlum#887, #427).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char **__wasilibc_get_environ(void);

int system(const char *cmd)
{
	pid_t pid;
	sigset_t old, reset;
	struct sigaction sa, oldint, oldquit;
	int status = -1, ret;
	posix_spawnattr_t attr;

	if (!cmd) return 1;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, &oldint);
	sigaction(SIGQUIT, &sa, &oldquit);
	sigaddset(&sa.sa_mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &sa.sa_mask, &old);

	sigemptyset(&reset);
	if (oldint.sa_handler != SIG_IGN) sigaddset(&reset, SIGINT);
	if (oldquit.sa_handler != SIG_IGN) sigaddset(&reset, SIGQUIT);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &old);
	posix_spawnattr_setsigdefault(&attr, &reset);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	ret = posix_spawn(&pid, "/bin/sh", NULL, &attr, argv, __wasilibc_get_environ());
	posix_spawnattr_destroy(&attr);

	if (!ret)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR) ;
	sigaction(SIGINT, &oldint, NULL);
	sigaction(SIGQUIT, &oldquit, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);

	if (ret) {
		errno = ret;
		/* As if the shell could not run the command (glibc reports 127 too). */
		status = 127 << 8;
	}
	return status;
}

/* popen'd streams and their children. */
static struct popen_child {
	FILE *f;
	pid_t pid;
	struct popen_child *next;
} *children;

FILE *popen(const char *cmd, const char *mode)
{
	int p[2], op, e;
	pid_t pid;
	FILE *f;
	posix_spawn_file_actions_t fa;

	if (*mode == 'r') op = 0;
	else if (*mode == 'w') op = 1;
	else {
		errno = EINVAL;
		return NULL;
	}

	struct popen_child *c = malloc(sizeof *c);
	if (!c) return NULL;
	/* Our end is close-on-exec; the child's end is not, so that the spawn's dup2 finds it
	 * whether the kernel applies close-on-exec before or after the file actions. */
	if (pipe(p)) {
		free(c);
		return NULL;
	}
	fcntl(p[op], F_SETFD, FD_CLOEXEC);
	f = fdopen(p[op], mode);
	if (!f) {
		e = errno;
		close(p[0]);
		close(p[1]);
		free(c);
		errno = e;
		return NULL;
	}

	e = ENOMEM;
	if (!posix_spawn_file_actions_init(&fa)) {
		/* The child's end becomes its stdin or stdout; our ends of this and earlier popen pipes
		 * are close-on-exec, so the child inherits none of them. */
		if (!posix_spawn_file_actions_adddup2(&fa, p[1 - op], 1 - op)
			&& (p[1 - op] == 1 - op || !posix_spawn_file_actions_addclose(&fa, p[1 - op]))) {
			char *argv[] = { "sh", "-c", (char *)cmd, NULL };
			e = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, __wasilibc_get_environ());
			if (!e) {
				posix_spawn_file_actions_destroy(&fa);
				close(p[1 - op]);
				c->f = f;
				c->pid = pid;
				c->next = children;
				children = c;
				return f;
			}
		}
		posix_spawn_file_actions_destroy(&fa);
	}
	fclose(f);
	close(p[1 - op]);
	free(c);
	errno = e;
	return NULL;
}

int pclose(FILE *f)
{
	struct popen_child **pp = &children, *c;
	while ((c = *pp) && c->f != f) pp = &c->next;
	if (!c) {
		errno = ECHILD;
		return -1;
	}
	*pp = c->next;
	pid_t pid = c->pid;
	free(c);
	fclose(f);
	int status, r;
	while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR) ;
	if (r < 0) return -1;
	return status;
}
