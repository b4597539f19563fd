/* sigaction + kill: handlers, SA_SIGINFO, SA_RESETHAND, SA_NODEFER masks, SA_RESTART vs EINTR. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <stdlib.h>
#include <unistd.h>
#include "test_errno.h"

extern char **environ;

static volatile sig_atomic_t hits, last_sig, info_pid_ok, info_code, blocked_inside;

static void on_usr1(int sig)
{
	hits++;
	last_sig = sig;
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	blocked_inside = sigismember(&cur, SIGUSR1) * 10 + sigismember(&cur, SIGUSR2);
}

static void on_info(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	last_sig = sig;
	info_pid_ok = si->si_pid == getpid();
	info_code = si->si_code;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void slow_writer(int fd)
{
	/* child: wait, then write a byte */
	struct timespec ts = { 0, 300 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	write(fd, "z", 1);
}

static void read_with(int restart, char **argv)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGALRM, &sa, NULL);

	int p[2];
	pipe(p);
	char fd[16];
	snprintf(fd, sizeof fd, "%d", p[1]);
	char *cargv[] = { argv[0], "--writer", fd, NULL };
	pid_t pid;
	posix_spawn(&pid, argv[0], NULL, NULL, cargv, environ);
	close(p[1]);

	struct itimerval it = { { 0, 0 }, { 0, 100 * 1000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	char c = 0;
	errno = 0;
	ssize_t n = read(p[0], &c, 1);
	printf("read with%s SA_RESTART: %d %s%c\n", restart ? "" : "out", (int)n, errno == EINTR ? "EINTR" : "", n == 1 ? c : ' ');
	int st;
	waitpid(pid, &st, 0);
	close(p[0]);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 2 && !strcmp(argv[1], "--writer")) {
		slow_writer(atoi(argv[2]));
		return 0;
	}

	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	printf("sigaction: %d\n", sigaction(SIGUSR1, &sa, &old));
	printf("old handler was SIG_DFL: %d\n", old.sa_handler == SIG_DFL);
	printf("kill self: %d\n", kill(getpid(), SIGUSR1));
	printf("handler ran before kill returned: hits=%d sig=%d\n", (int)hits, (int)last_sig);
	printf("inside the handler: SIGUSR1 blocked %d, SIGUSR2 (sa_mask) blocked %d\n", blocked_inside / 10, blocked_inside % 10);
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	printf("after the handler: SIGUSR1 blocked %d\n", sigismember(&cur, SIGUSR1));

	raise(SIGUSR1);
	printf("raise: hits=%d\n", (int)hits);

	sigaction(SIGUSR1, NULL, &old);
	printf("query returns the handler: %d, mask has SIGUSR2: %d\n", old.sa_handler == on_usr1, sigismember(&old.sa_mask, SIGUSR2));

	/* SA_NODEFER: the signal stays unblocked inside its handler */
	sa.sa_flags = SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	kill(getpid(), SIGUSR1);
	printf("SA_NODEFER: SIGUSR1 blocked inside %d\n", blocked_inside / 10);

	/* SA_SIGINFO */
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR2, &sa, NULL);
	kill(getpid(), SIGUSR2);
	printf("SA_SIGINFO: sig=%d si_pid is ours=%d si_code=SI_USER:%d\n", (int)last_sig, (int)info_pid_ok, info_code == SI_USER);

	/* SA_RESETHAND: one shot */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGHUP, &sa, NULL);
	kill(getpid(), SIGHUP);
	sigaction(SIGHUP, NULL, &old);
	printf("SA_RESETHAND: handler now SIG_DFL %d\n", old.sa_handler == SIG_DFL);

	/* SIG_IGN */
	signal(SIGUSR1, SIG_IGN);
	hits = 0;
	kill(getpid(), SIGUSR1);
	printf("ignored: hits=%d, signal() returns SIG_IGN now: %d\n", (int)hits, signal(SIGUSR1, SIG_DFL) == SIG_IGN);

	/* errors */
	CALL("sigaction(SIGKILL)", sigaction(SIGKILL, &sa, NULL));
	CALL("kill(bad signal)", kill(getpid(), 1000));
	CALL("kill(no such pid)", kill(999999, 0));
	printf("kill(self, 0): %d\n", kill(getpid(), 0));

	read_with(1, argv);
	read_with(0, argv);
	return 0;
}
