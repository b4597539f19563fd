/* SIGCHLD: default (ignored), a handler counting exits, SA_NOCLDSTOP, waitid, and SIGCHLD's siginfo. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test_errno.h"

extern char **environ;

static volatile sig_atomic_t chld, last_pid, last_status, last_code;

static void on_chld(int sig, siginfo_t *si, void *ctx)
{
	(void)sig, (void)ctx;
	chld++;
	last_pid = si->si_pid;
	last_status = si->si_status;
	last_code = si->si_code;
}

static pid_t spawn(char **argv, const char *code)
{
	char *cargv[] = { argv[0], "--exit", (char *)code, NULL };
	pid_t pid;
	posix_spawn(&pid, argv[0], NULL, NULL, cargv, environ);
	return pid;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 2 && !strcmp(argv[1], "--exit")) {
		if (!strcmp(argv[2], "pause")) pause();
		return atoi(argv[2]);
	}

	/* default disposition: nothing happens to us */
	pid_t pid = spawn(argv, "1");
	int st;
	waitpid(pid, &st, 0);
	printf("default SIGCHLD: still here, child exited %d\n", WEXITSTATUS(st));

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);

	/* block SIGCHLD so that the handler runs when we choose */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid = spawn(argv, "5");
	siginfo_t info;
	memset(&info, 0, sizeof info);
	printf("waitid: %d\n", waitid(P_PID, pid, &info, WEXITED));
	printf("waitid info: signo SIGCHLD %d, pid matches %d, code CLD_EXITED %d, status %d\n", info.si_signo == SIGCHLD, info.si_pid == pid, info.si_code == CLD_EXITED, info.si_status);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("handler ran on unblock: %d, si_pid matches %d, si_code CLD_EXITED %d, si_status %d\n", (int)chld, last_pid == pid, last_code == CLD_EXITED, (int)last_status);

	/* WNOHANG with waitid: nothing to report */
	errno = 0;
	memset(&info, 0, sizeof info);
	CALL("waitid with no children", waitid(P_ALL, 0, &info, WEXITED | WNOHANG));

	/* a child killed by a signal, seen through waitid */
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid = spawn(argv, "pause");
	kill(pid, SIGKILL);
	memset(&info, 0, sizeof info);
	waitid(P_ALL, 0, &info, WEXITED);
	printf("killed child: code CLD_KILLED %d, status SIGKILL %d\n", info.si_code == CLD_KILLED, info.si_status == SIGKILL);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* SIG_IGN for SIGCHLD */
	signal(SIGCHLD, SIG_DFL);
	return 0;
}
