/* utimensat (the header names it __occlum_utimensat): Linux rejects unknown flags with EINVAL,
 * wasi-libc's ignores them; the call itself is wasi-libc's (WASI path_filestat_set_times). */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>


extern int __wasilibc_utimensat(int, const char *, const struct timespec[2], int) __asm__("utimensat");

int utimensat(int fd, const char *path, const struct timespec times[2], int flags) /* = __occlum_utimensat */
{
	if (flags & ~AT_SYMLINK_NOFOLLOW) {
		errno = EINVAL;
		return -1;
	}
	return __wasilibc_utimensat(fd, path, times, flags);
}
