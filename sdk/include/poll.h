/*
 * occlum-ts SDK: <poll.h>, replacing wasi-libc's (whose POLL* values are WASI-specific and
 * whose poll() only sees what WASI poll_oneoff can). Linux values; poll/ppoll (and select/
 * pselect) are libocclum wrappers on the kernel's `linux.ppoll`, so readiness of pipes,
 * eventfds and stdin comes from the kernel.
 */
#ifndef _POLL_H
#define _POLL_H
#define __wasilibc___header_poll_h

#ifdef __cplusplus
extern "C" {
#endif

#include <features.h>
#include <__struct_pollfd.h>
#include <__typedef_nfds_t.h>

#define POLLIN     0x001
#define POLLPRI    0x002
#define POLLOUT    0x004
#define POLLERR    0x008
#define POLLHUP    0x010
#define POLLNVAL   0x020
#define POLLRDNORM 0x040
#define POLLRDBAND 0x080
#define POLLWRNORM 0x100
#define POLLWRBAND 0x200
#define POLLMSG    0x400
#define POLLRDHUP  0x2000

int poll (struct pollfd *, nfds_t, int);

#if defined(_GNU_SOURCE) || defined(_BSD_SOURCE)
#define __NEED_time_t
#define __NEED_struct_timespec
#define __NEED_sigset_t
#include <bits/alltypes.h>
int ppoll(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);
#endif

#ifdef __cplusplus
}
#endif

#endif
