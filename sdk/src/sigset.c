/* Signal sets (musl's sigset_t; bits 0-63 are signals 1-64). No kernel involved. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>

#define BITS (8 * sizeof(unsigned long))

static int bad(int sig)
{
	if (sig >= 1 && sig < _NSIG) return 0;
	errno = EINVAL;
	return 1;
}

int sigemptyset(sigset_t *set)
{
	memset(set, 0, sizeof *set);
	return 0;
}

int sigfillset(sigset_t *set)
{
	memset(set, 0, sizeof *set);
	for (unsigned i = 0; i < (_NSIG - 1) / BITS; i++) set->__bits[i] = ~0UL;
	return 0;
}

int sigaddset(sigset_t *set, int sig)
{
	if (bad(sig)) return -1;
	unsigned s = sig - 1;
	set->__bits[s / BITS] |= 1UL << (s % BITS);
	return 0;
}

int sigdelset(sigset_t *set, int sig)
{
	if (bad(sig)) return -1;
	unsigned s = sig - 1;
	set->__bits[s / BITS] &= ~(1UL << (s % BITS));
	return 0;
}

int sigismember(const sigset_t *set, int sig)
{
	if (bad(sig)) return -1;
	unsigned s = sig - 1;
	return !!(set->__bits[s / BITS] & (1UL << (s % BITS)));
}

int sigisemptyset(const sigset_t *set)
{
	for (unsigned i = 0; i < (_NSIG - 1) / BITS; i++)
		if (set->__bits[i]) return 0;
	return 1;
}

int sigorset(sigset_t *dest, const sigset_t *left, const sigset_t *right)
{
	for (unsigned i = 0; i < sizeof dest->__bits / sizeof dest->__bits[0]; i++)
		dest->__bits[i] = left->__bits[i] | right->__bits[i];
	return 0;
}

int sigandset(sigset_t *dest, const sigset_t *left, const sigset_t *right)
{
	for (unsigned i = 0; i < sizeof dest->__bits / sizeof dest->__bits[0]; i++)
		dest->__bits[i] = left->__bits[i] & right->__bits[i];
	return 0;
}

int __libc_current_sigrtmin(void) { return SIGRTMIN; }
int __libc_current_sigrtmax(void) { return SIGRTMAX; }
