/* access/faccessat, chmod/fchmod/fchmodat and mkdir/mkdirat (the headers name them __occlum_*):
 * on the kernel's `linux` imports, which know mode bits and read-only mounts (WASI knows neither). */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

int faccessat(int dirfd, const char *path, int mode, int flags) /* = __occlum_faccessat */
{
	int lflags = flags & AT_SYMLINK_NOFOLLOW ? L_AT_SYMLINK_NOFOLLOW : 0;
	return __occlum_ret(__linux_faccessat(__occlum_dirfd(dirfd), path, mode, lflags));
}

int access(const char *path, int mode) /* = __occlum_access */
{
	return __occlum_ret(__linux_faccessat(L_AT_FDCWD, path, mode, 0));
}

int fchmodat(int dirfd, const char *path, mode_t mode, int flags) /* = __occlum_fchmodat */
{
	if (flags & AT_SYMLINK_NOFOLLOW) {
		errno = EOPNOTSUPP; /* as Linux: symlinks have no mode of their own */
		return -1;
	}
	return __occlum_ret(__linux_fchmodat(__occlum_dirfd(dirfd), path, mode));
}

int chmod(const char *path, mode_t mode) /* = __occlum_chmod */
{
	return __occlum_ret(__linux_fchmodat(L_AT_FDCWD, path, mode));
}

int fchmod(int fd, mode_t mode) /* = __occlum_fchmod */
{
	return __occlum_ret(__linux_fchmod(fd, mode));
}

int mkdirat(int dirfd, const char *path, mode_t mode) /* = __occlum_mkdirat */
{
	return __occlum_ret(__linux_mkdirat(__occlum_dirfd(dirfd), path, mode));
}

int mkdir(const char *path, mode_t mode) /* = __occlum_mkdir */
{
	return __occlum_ret(__linux_mkdirat(L_AT_FDCWD, path, mode));
}
