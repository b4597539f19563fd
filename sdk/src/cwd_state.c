/*
 * wasi-libc's current-directory state, replacing libc.a's getcwd.c.obj (__wasilibc_cwd) and the
 * path half of chdir.c.obj (__wasilibc_find_relpath_alloc).
 *
 * wasi-libc resolves every path itself: a relative path is joined to __wasilibc_cwd, and the
 * result is looked up among the preopened directories (the kernel preopens "/" at fd 3). Here
 * the kernel owns the current directory (children inherit it, /proc shows it), so this copy is
 * initialised from the kernel the first time a relative path is resolved, and chdir()/fchdir()
 * (cwd.c) update it after the kernel has changed directory.
 *
 * The initialisation must not add a `linux` import to every program that opens a file (such a
 * program would no longer start on plain WASI runtimes), so it reads /proc/self/cwd with WASI's
 * path_readlink; when cwd.c is linked anyway (the program calls chdir/getcwd), it asks the kernel
 * with linux.getcwd instead. Without either source (another WASI runtime) the directory stays
 * "/", wasi-libc's own default.
 *
 * This object is linked whenever wasi-libc's preopens are: libocclum's copy of preopens.c.obj
 * carries a strong reference to __wasilibc_find_relpath_alloc (see preopens_hook.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>
#include "internal.h"

char *__wasilibc_cwd = "/";
static int cwd_known;

/* In cwd.c (weak: only present when the program calls chdir/fchdir/getcwd). */
int __occlum_kernel_getcwd(char *buf, size_t size) __attribute__((weak));
int __wasilibc_find_abspath(const char *path, const char **abs_prefix, const char **relative_path);

/* Replaces the cached directory (takes ownership of `dir`, which must be malloc'd). */
void __occlum_set_cwd(char *dir)
{
	static char *owned;
	free(owned);
	owned = dir;
	__wasilibc_cwd = dir;
	cwd_known = 1;
}

static void learn_cwd(void)
{
	char buf[4096];
	int saved = errno;
	cwd_known = 1;
	if (__occlum_kernel_getcwd) {
		if (__occlum_kernel_getcwd(buf, sizeof buf) > 0 && buf[0] == '/') {
			char *d = strdup(buf);
			if (d) __occlum_set_cwd(d);
		}
		errno = saved;
		return;
	}
	const char *prefix, *rel;
	int fd = __wasilibc_find_abspath("/proc/self/cwd", &prefix, &rel);
	if (fd >= 0) {
		size_t n = 0;
		if (__wasi_path_readlink(fd, rel, (uint8_t *)buf, sizeof buf - 1, &n) == 0 && n > 0 && n < sizeof buf
			&& buf[0] == '/') {
			buf[n] = 0;
			char *d = strdup(buf);
			if (d) __occlum_set_cwd(d);
		}
	}
	errno = saved;
}

/* Forgets the cached directory: the next relative path asks again (used after a failed chdir). */
void __occlum_forget_cwd(void)
{
	cwd_known = 0;
}

static const char *make_absolute(const char *path)
{
	static char *buf = NULL;
	static size_t len = 0;

	if (path[0] == '/') return path;
	if (!cwd_known) learn_cwd();
	if (path[0] == 0 || !strcmp(path, ".") || !strcmp(path, "./")) return __wasilibc_cwd;
	if (path[0] == '.' && path[1] == '/') path += 2;

	size_t cwd_len = strlen(__wasilibc_cwd);
	size_t path_len = strlen(path);
	int need_slash = __wasilibc_cwd[cwd_len - 1] == '/' ? 0 : 1;
	size_t alloc_len = cwd_len + path_len + 1 + need_slash;
	if (alloc_len > len) {
		char *tmp = realloc(buf, alloc_len);
		if (tmp == NULL) return NULL;
		buf = tmp;
		len = alloc_len;
	}
	strcpy(buf, __wasilibc_cwd);
	if (need_slash) strcpy(buf + cwd_len, "/");
	strcpy(buf + cwd_len + need_slash, path);
	return buf;
}

/* Same contract as wasi-libc's (libc-bottom-half/sources/chdir.c). */
int __wasilibc_find_relpath_alloc(const char *path, const char **abs_prefix, char **relative_buf,
	size_t *relative_buf_len, int can_realloc)
{
	const char *abspath = make_absolute(path);
	if (abspath == NULL) {
		errno = ENOMEM;
		return -1;
	}
	const char *rel;
	int fd = __wasilibc_find_abspath(abspath, abs_prefix, &rel);
	if (fd == -1) return -1;

	size_t rel_len = strlen(rel);
	if (*relative_buf_len < rel_len + 1) {
		if (!can_realloc) {
			errno = ERANGE;
			return -1;
		}
		char *tmp = realloc(*relative_buf, rel_len + 1);
		if (tmp == NULL) {
			errno = ENOMEM;
			return -1;
		}
		*relative_buf = tmp;
		*relative_buf_len = rel_len + 1;
	}
	strcpy(*relative_buf, rel);
	return fd;
}
