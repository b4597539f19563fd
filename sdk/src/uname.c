/* uname (replacing libc.a's uname.c.obj, whose answer is a constant "wasi") and sethostname. */
#include <errno.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "internal.h"

_Static_assert(sizeof(struct utsname) == 6 * 65, "struct utsname is the kernel's");

int uname(struct utsname *uts)
{
	return __occlum_ret(__linux_uname(uts));
}

int sethostname(const char *name, size_t len)
{
	(void)name, (void)len;
	errno = EPERM; /* the host name comes from the LibOS configuration */
	return -1;
}
