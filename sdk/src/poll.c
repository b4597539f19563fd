/*
 * poll, ppoll, select, pselect (replacing libc.a's poll.c.obj, select.c.obj and pselect.c.obj),
 * all on the kernel's `linux.ppoll`, so that pipes, eventfds and stdin report their real
 * readiness. POLL* values are Linux's (sdk/include/poll.h). fd_set is wasi-libc's (a list of
 * fds, not a bitmap).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include "internal.h"

_Static_assert(sizeof(struct pollfd) == sizeof(struct k_pollfd), "struct pollfd is the kernel's");

static int do_ppoll(struct pollfd *fds, nfds_t n, const struct k_timespec *ts, const sigset_t *mask)
{
	if (n > 0x7fffffff) {
		errno = EINVAL;
		return -1;
	}
	return __occlum_ret(__linux_ppoll((struct k_pollfd *)fds, (int)n, ts, mask ? (const uint64_t *)mask : 0));
}

int poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	struct k_timespec ts = { timeout_ms / 1000, (int64_t)(timeout_ms % 1000) * 1000000 };
	return do_ppoll(fds, n, timeout_ms >= 0 ? &ts : NULL, NULL);
}

int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *to, const sigset_t *mask)
{
	struct k_timespec ts;
	if (to) {
		ts.sec = to->tv_sec;
		ts.nsec = to->tv_nsec;
	}
	return do_ppoll(fds, n, to ? &ts : NULL, mask);
}

/* select/pselect: one pollfd per distinct fd named in the three sets. */
static int do_select(int nfds, fd_set *r, fd_set *w, fd_set *e, const struct k_timespec *ts, const sigset_t *mask)
{
	if (nfds < 0 || nfds > FD_SETSIZE) {
		errno = EINVAL;
		return -1;
	}
	struct pollfd stack_fds[64];
	size_t cap = (r ? r->__nfds : 0) + (w ? w->__nfds : 0) + (e ? e->__nfds : 0);
	struct pollfd *pfd = cap <= 64 ? stack_fds : malloc(cap * sizeof *pfd);
	if (!pfd) {
		errno = ENOMEM;
		return -1;
	}
	size_t n = 0;
	fd_set *sets[3] = { r, w, e };
	static const short ev[3] = { POLLIN, POLLOUT, POLLPRI };
	for (int s = 0; s < 3; s++) {
		if (!sets[s]) continue;
		for (size_t i = 0; i < sets[s]->__nfds; i++) {
			int fd = sets[s]->__fds[i];
			if (fd < 0 || fd >= nfds) continue;
			size_t k = 0;
			while (k < n && pfd[k].fd != fd) k++;
			if (k == n) {
				pfd[n].fd = fd;
				pfd[n].events = 0;
				pfd[n].revents = 0;
				n++;
			}
			pfd[k].events |= ev[s];
		}
	}
	int ret = do_ppoll(pfd, n, ts, mask);
	if (ret >= 0) {
		for (size_t k = 0; k < n; k++)
			if (pfd[k].revents & POLLNVAL) {
				if (pfd != stack_fds) free(pfd);
				errno = EBADF;
				return -1;
			}
		if (r) FD_ZERO(r);
		if (w) FD_ZERO(w);
		if (e) FD_ZERO(e);
		ret = 0;
		for (size_t k = 0; k < n; k++) {
			short re = pfd[k].revents;
			if (r && (pfd[k].events & POLLIN) && (re & (POLLIN | POLLHUP | POLLERR))) { FD_SET(pfd[k].fd, r); ret++; }
			if (w && (pfd[k].events & POLLOUT) && (re & (POLLOUT | POLLERR))) { FD_SET(pfd[k].fd, w); ret++; }
			if (e && (pfd[k].events & POLLPRI) && (re & POLLPRI)) { FD_SET(pfd[k].fd, e); ret++; }
		}
	}
	if (pfd != stack_fds) free(pfd);
	return ret;
}

int select(int nfds, fd_set *restrict r, fd_set *restrict w, fd_set *restrict e, struct timeval *restrict tv)
{
	struct k_timespec ts;
	if (tv) {
		if (tv->tv_sec < 0 || tv->tv_usec < 0) {
			errno = EINVAL;
			return -1;
		}
		ts.sec = tv->tv_sec + tv->tv_usec / 1000000;
		ts.nsec = (tv->tv_usec % 1000000) * 1000;
	}
	return do_select(nfds, r, w, e, tv ? &ts : NULL, NULL);
}

int pselect(int nfds, fd_set *restrict r, fd_set *restrict w, fd_set *restrict e,
	const struct timespec *restrict to, const sigset_t *restrict mask)
{
	struct k_timespec ts;
	if (to) {
		ts.sec = to->tv_sec;
		ts.nsec = to->tv_nsec;
	}
	return do_select(nfds, r, w, e, to ? &ts : NULL, mask);
}
