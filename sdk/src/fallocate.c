/* Linux's fallocate (posix_fallocate stays wasi-libc's, on WASI fd_allocate = mode 0). */
#include <fcntl.h>
#include "internal.h"

int fallocate(int fd, int mode, off_t offset, off_t len)
{
	return __occlum_ret(__linux_fallocate(fd, mode, offset, len));
}
