/* Process groups and sessions: setpgid, getpgrp, POSIX_SPAWN_SETPGROUP, kill(-pgid), setsid. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test_errno.h"

extern char **environ;

static int tests(char **argv);

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "--tests")) return tests(argv);
	if (argc > 1 && !strcmp(argv[1], "--child")) {
		if (!strcmp(argv[2], "report")) return getpgrp() == getpid() ? 10 : 11;
		if (!strcmp(argv[2], "setsid")) {
			pid_t s = setsid();
			return s == getpid() && getsid(0) == getpid() && getpgrp() == getpid() ? 20 : 21;
		}
		pause();
		return 0;
	}
	/* The tests run in a child: whoever started us may have made us a session leader. */
	char *targv[] = { argv[0], "--tests", NULL };
	pid_t t;
	posix_spawn(&t, argv[0], NULL, NULL, targv, environ);
	int st;
	waitpid(t, &st, 0);
	return WEXITSTATUS(st);
}

static int tests(char **argv)
{
	CALL("setpgid(0, 0)", setpgid(0, 0));
	printf("getpgrp() == getpid(): %d, getpgid(0) == getpid(): %d\n", getpgrp() == getpid(), getpgid(0) == getpid());
	/* Natively the session may be 0 (a container's init session), so only success is portable. */
	printf("getsid(0) succeeds: %d\n", getsid(0) >= 0);
	CALL("setsid as a group leader", setsid());
	CALL("getpgid(no such pid)", getpgid(999999));

	posix_spawnattr_t attr;
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	short flags;
	pid_t pg;
	posix_spawnattr_getflags(&attr, &flags);
	posix_spawnattr_getpgroup(&attr, &pg);
	printf("attr flags=%d pgroup=%d\n", flags, (int)pg);

	pid_t a, b;
	char *report[] = { argv[0], "--child", "report", NULL };
	posix_spawn(&a, argv[0], NULL, &attr, report, environ);
	int st;
	waitpid(a, &st, 0);
	printf("child in its own group: %d\n", WEXITSTATUS(st) == 10);

	char *wait_argv[] = { argv[0], "--child", "wait", NULL };
	posix_spawn(&a, argv[0], NULL, &attr, wait_argv, environ);
	posix_spawnattr_setpgroup(&attr, a);
	posix_spawn(&b, argv[0], NULL, &attr, wait_argv, environ);
	posix_spawnattr_destroy(&attr);
	printf("second child joined the first one's group: %d\n", getpgid(b) == a);
	CALL("kill(-pgid, SIGTERM)", kill(-a, SIGTERM));
	int sa, sb;
	waitpid(a, &sa, 0);
	waitpid(b, &sb, 0);
	printf("both killed by SIGTERM: %d %d\n", WIFSIGNALED(sa) && WTERMSIG(sa) == SIGTERM, WIFSIGNALED(sb) && WTERMSIG(sb) == SIGTERM);

	/* a child starts a new session */
	char *setsid_argv[] = { argv[0], "--child", "setsid", NULL };
	posix_spawn(&a, argv[0], NULL, NULL, setsid_argv, environ);
	waitpid(a, &st, 0);
	printf("child setsid(): %d\n", WEXITSTATUS(st) == 20);

	/* setpgid on a child that has already exec'd (a spawned one always has): EACCES */
	posix_spawn(&a, argv[0], NULL, NULL, wait_argv, environ);
	CALL("setpgid(spawned child, itself)", setpgid(a, a));
	kill(a, SIGKILL);
	waitpid(a, &st, 0);

	/* killpg on a group made at spawn time */
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawn(&a, argv[0], NULL, &attr, wait_argv, environ);
	posix_spawnattr_destroy(&attr);
	CALL("killpg", killpg(a, SIGKILL));
	waitpid(a, &st, 0);
	printf("killed by SIGKILL: %d\n", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	return 0;
}
