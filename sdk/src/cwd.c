/*
 * chdir, fchdir, getcwd (replacing libc.a's chdir.c.obj and getcwd.c.obj, together with
 * cwd_state.c): the kernel owns the current directory; wasi-libc's copy (__wasilibc_cwd, used to
 * resolve relative paths) is refreshed from the kernel after every change.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

void __occlum_set_cwd(char *dir);
void __occlum_forget_cwd(void);

/* Also used by cwd_state.c (weakly) to learn the initial directory. */
int __occlum_kernel_getcwd(char *buf, size_t size)
{
	return __linux_getcwd(buf, size);
}

static void refresh(void)
{
	char buf[4096];
	int r = __linux_getcwd(buf, sizeof buf);
	char *d = r > 0 ? strdup(buf) : NULL;
	if (d) __occlum_set_cwd(d);
	else __occlum_forget_cwd();
}

int chdir(const char *path)
{
	int r = __occlum_ret(__linux_chdir(path));
	if (r == 0) refresh();
	return r;
}

int fchdir(int fd)
{
	int r = __occlum_ret(__linux_fchdir(fd));
	if (r == 0) refresh();
	return r;
}

char *getcwd(char *buf, size_t size)
{
	char tmp[4096];
	if (buf == NULL) {
		int r = __linux_getcwd(tmp, sizeof tmp);
		if (r < 0) {
			errno = __occlum_errno(-r);
			return NULL;
		}
		if (size != 0 && (size_t)r > size) {
			errno = ERANGE;
			return NULL;
		}
		return strdup(tmp);
	}
	if (size == 0) {
		errno = EINVAL;
		return NULL;
	}
	int r = __linux_getcwd(buf, size);
	if (r < 0) {
		errno = __occlum_errno(-r);
		return NULL;
	}
	return buf;
}

char *get_current_dir_name(void)
{
	return getcwd(NULL, 0);
}
