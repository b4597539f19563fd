/*
 * ioctl (replacing libc.a's ioctl.c.obj) on the kernel's `linux.ioctl` with Linux request
 * numbers; isatty (the headers name it __occlum_isatty; wasi-libc keeps its own __isatty for
 * stdio's buffering decision) as TCGETS; ttyname.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include "internal.h"

int ioctl(int fd, int request, ...)
{
	va_list ap;
	va_start(ap, request);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return __occlum_ret(__linux_ioctl(fd, (unsigned)request, arg));
}

int isatty(int fd) /* = __occlum_isatty, see unistd.h */
{
	struct termios t;
	int r = __linux_ioctl(fd, TCGETS, &t);
	if (r < 0) {
		errno = __occlum_errno(-r);
		return 0;
	}
	return 1;
}

int ttyname_r(int fd, char *buf, size_t size)
{
	if (!isatty(fd)) return errno;
	/* The LibOS has one terminal (the host's, behind stdio); Linux would name a pty. */
	static const char name[] = "/dev/tty";
	if (size < sizeof name) return ERANGE;
	memcpy(buf, name, sizeof name);
	return 0;
}

char *ttyname(int fd)
{
	static char buf[32];
	int e = ttyname_r(fd, buf, sizeof buf);
	if (e) {
		errno = e;
		return NULL;
	}
	return buf;
}

pid_t tcgetpgrp(int fd)
{
	int pgrp;
	if (ioctl(fd, TIOCGPGRP, &pgrp) < 0) return -1;
	return pgrp;
}

int tcsetpgrp(int fd, pid_t pgrp)
{
	int p = pgrp;
	return ioctl(fd, TIOCSPGRP, &p);
}
