/* sigaltstack: handlers run on the thread's stack; an alternate stack is recorded and reported only. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>

int sigaltstack(const stack_t *restrict ss, stack_t *restrict old)
{
	static stack_t cur = { .ss_sp = 0, .ss_flags = SS_DISABLE, .ss_size = 0 };
	if (ss) {
		if (ss->ss_flags & ~(SS_DISABLE | SS_AUTODISARM)) {
			errno = EINVAL;
			return -1;
		}
		if (!(ss->ss_flags & SS_DISABLE) && ss->ss_size < MINSIGSTKSZ) {
			errno = ENOMEM;
			return -1;
		}
	}
	if (old) *old = cur;
	if (ss) {
		cur = *ss;
		if (cur.ss_flags & SS_DISABLE) {
			cur.ss_sp = 0;
			cur.ss_size = 0;
			cur.ss_flags = SS_DISABLE;
		}
	}
	return 0;
}
