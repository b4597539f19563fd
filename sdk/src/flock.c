/* flock (sys/file.h; wasi-libc declares it but has none), on the kernel's `linux.flock`. */
#include <sys/file.h>
#include "internal.h"

int flock(int fd, int op)
{
	return __occlum_ret(__linux_flock(fd, op));
}
