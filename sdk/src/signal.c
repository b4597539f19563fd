/*
 * Installing handlers the old ways: signal (= __occlum_signal, see <signal.h>), bsd_signal,
 * siginterrupt, sigignore, sigset. All go through sigaction (sigaction.c), which is what links
 * the signal trampoline into a program.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

void (*signal(int sig, void (*func)(int)))(int) /* = __occlum_signal, see <signal.h> */
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = func;
	sa.sa_flags = SA_RESTART; /* BSD semantics, as glibc and musl */
	if (sigaction(sig, &sa, &old) < 0) return SIG_ERR;
	return old.sa_handler;
}

void (*bsd_signal(int sig, void (*func)(int)))(int)
{
	return signal(sig, func);
}

int siginterrupt(int sig, int flag)
{
	struct sigaction sa;
	if (sigaction(sig, NULL, &sa) < 0) return -1;
	if (flag) sa.sa_flags &= ~SA_RESTART;
	else sa.sa_flags |= SA_RESTART;
	return sigaction(sig, &sa, NULL);
}

int sigignore(int sig)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	return sigaction(sig, &sa, NULL);
}

void (*sigset(int sig, void (*handler)(int)))(int)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	if (sigaction(sig, &sa, &old) < 0) return SIG_ERR;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	if (sigprocmask(SIG_UNBLOCK, &s, NULL) < 0) return SIG_ERR;
	return old.sa_handler;
}

/* The plain name for code compiled without the SDK's headers (weak: wasi-libc's emulation may exist). */
void (*__occlum_signal_alias(int, void (*)(int)))(int) __asm__("signal") __attribute__((weak, alias("__occlum_signal")));
