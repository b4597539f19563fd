/* eventfd (declared by wasi-libc's <sys/eventfd.h> but not defined) on `linux.eventfd2`. */
#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "internal.h"

int eventfd(unsigned int count, int flags)
{
	if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK)) {
		errno = EINVAL;
		return -1;
	}
	int l = (flags & EFD_SEMAPHORE ? 1 : 0) | (flags & EFD_CLOEXEC ? L_O_CLOEXEC : 0)
		| (flags & EFD_NONBLOCK ? L_O_NONBLOCK : 0);
	return __occlum_ret(__linux_eventfd2(count, l));
}

int eventfd_read(int fd, eventfd_t *value)
{
	return sizeof(*value) == read(fd, value, sizeof(*value)) ? 0 : -1;
}

int eventfd_write(int fd, eventfd_t value)
{
	return sizeof(value) == write(fd, &value, sizeof(value)) ? 0 : -1;
}
