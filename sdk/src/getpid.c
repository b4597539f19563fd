/*
 * getpid: the real pid from the kernel (wasi-libc's libwasi-emulated-getpid returns 42).
 * The headers call __occlum_getpid; `getpid` is a weak alias for code compiled without them.
 */
#include <unistd.h>
#include "internal.h"

pid_t getpid(void) /* = __occlum_getpid, see unistd.h */
{
	return __linux_getpid();
}

pid_t __occlum_getpid_alias(void) __asm__("getpid") __attribute__((weak, alias("__occlum_getpid")));
