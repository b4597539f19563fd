/*
 * fcntl for programs (the headers name it __occlum_fcntl; wasi-libc keeps its own for its
 * internal use). Commands go to the kernel's `linux.fcntl`; F_GETFL/F_SETFL translate O_* flags.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include "internal.h"

int fcntl(int fd, int cmd, ...) /* = __occlum_fcntl, see fcntl.h */
{
	va_list ap;
	va_start(ap, cmd);
	uintptr_t arg = va_arg(ap, uintptr_t);
	va_end(ap);

	switch (cmd) {
	case F_GETFL: {
		int r = __linux_fcntl(fd, F_GETFL, 0);
		if (r < 0) return __occlum_ret(r);
		return __occlum_oflags_from_linux(r) & ~O_CLOEXEC;
	}
	case F_SETFL:
		return __occlum_ret(__linux_fcntl(fd, F_SETFL, __occlum_oflags_to_linux((int)arg) & ~L_O_CLOEXEC));
	default:
		/* F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD (FD_CLOEXEC = 1 in both), and the rest
		 * (locks, owners) passed through for the kernel to accept or reject. */
		return __occlum_ret(__linux_fcntl(fd, cmd, (int)arg));
	}
}
