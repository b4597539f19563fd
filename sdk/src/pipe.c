/* pipe, pipe2, dup, dup2, dup3 on the kernel's file table. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "internal.h"

int pipe2(int fds[2], int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK)) {
		errno = EINVAL;
		return -1;
	}
	return __occlum_ret(__linux_pipe2(fds, __occlum_oflags_to_linux(flags) & (L_O_CLOEXEC | L_O_NONBLOCK)));
}

int pipe(int fds[2])
{
	return __occlum_ret(__linux_pipe2(fds, 0));
}

int dup(int fd)
{
	return __occlum_ret(__linux_dup(fd));
}

int dup2(int oldfd, int newfd)
{
	return __occlum_ret(__linux_dup2(oldfd, newfd));
}

int dup3(int oldfd, int newfd, int flags)
{
	if (flags & ~O_CLOEXEC) {
		errno = EINVAL;
		return -1;
	}
	return __occlum_ret(__linux_dup3(oldfd, newfd, flags & O_CLOEXEC ? L_O_CLOEXEC : 0));
}
