/* sigprocmask, sigpending, sigsuspend, sigtimedwait, sigwait, pthread_sigmask. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "test_errno.h"

static volatile sig_atomic_t got;

static void handler(int sig)
{
	got = sig;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	sigset_t set, old, pend;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	printf("block: %d\n", sigprocmask(SIG_BLOCK, &set, &old));
	printf("was blocked before: %d\n", sigismember(&old, SIGUSR1));
	kill(getpid(), SIGUSR1);
	printf("blocked signal not delivered: got=%d\n", (int)got);
	sigpending(&pend);
	printf("pending: SIGUSR1 %d SIGUSR2 %d\n", sigismember(&pend, SIGUSR1), sigismember(&pend, SIGUSR2));

	sigset_t wait_mask;
	sigemptyset(&wait_mask);
	errno = 0;
	int r = sigsuspend(&wait_mask);
	printf("sigsuspend: %d %s got=%d\n", r, errno == EINTR ? "EINTR" : "?", (int)got);
	sigprocmask(SIG_BLOCK, NULL, &old);
	printf("mask restored after sigsuspend: SIGUSR1 blocked %d\n", sigismember(&old, SIGUSR1));
	sigpending(&pend);
	printf("nothing pending: %d\n", sigismember(&pend, SIGUSR1));

	/* unblocking delivers a pending signal before sigprocmask returns */
	got = 0;
	kill(getpid(), SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	printf("delivered on unblock: got=%d\n", (int)got);

	/* sigtimedwait takes a blocked signal without running the handler */
	sigprocmask(SIG_BLOCK, &set, NULL);
	got = 0;
	kill(getpid(), SIGUSR1);
	siginfo_t si;
	struct timespec ts = { 1, 0 };
	r = sigtimedwait(&set, &si, &ts);
	printf("sigtimedwait: %d si_signo=%d si_code=SI_USER:%d handler ran=%d\n", r, si.si_signo, si.si_code == SI_USER, (int)got);
	struct timespec zero = { 0, 0 };
	errno = 0;
	r = sigtimedwait(&set, &si, &zero);
	printf("sigtimedwait, nothing pending: %d %s\n", r, en(errno));
	struct timespec short_wait = { 0, 50 * 1000 * 1000 };
	errno = 0;
	r = sigtimedwait(&set, &si, &short_wait);
	printf("sigtimedwait, timeout: %d %s\n", r, en(errno));

	kill(getpid(), SIGUSR1);
	int sig = 0;
	r = sigwait(&set, &sig);
	printf("sigwait: %d sig=%d\n", r, sig);

	/* pthread_sigmask returns an error number instead of setting errno */
	r = pthread_sigmask(12345, &set, NULL);
	printf("pthread_sigmask(bad how) returns EINVAL: %d\n", r == EINVAL);
	CALL("sigprocmask(bad how)", sigprocmask(12345, &set, NULL));

	/* SIGKILL and SIGSTOP cannot be blocked */
	sigfillset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	sigprocmask(SIG_SETMASK, NULL, &old);
	printf("fill: SIGKILL blocked %d SIGSTOP blocked %d SIGTERM blocked %d\n", sigismember(&old, SIGKILL), sigismember(&old, SIGSTOP), sigismember(&old, SIGTERM));

	/* signal set operations */
	sigemptyset(&set);
	CALL("sigaddset(0)", sigaddset(&set, 0));
	CALL("sigaddset(65)", sigaddset(&set, 65));
	CALL("sigismember(SIGRTMAX)", sigismember(&set, SIGRTMAX));
	return 0;
}
