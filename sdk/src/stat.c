/*
 * stat, lstat, fstat, fstatat (the headers name them __occlum_*): wasi-libc's, plus the mode
 * WASI's filestat has no field for. The occlum-ts kernel puts Linux's st_mode (type and
 * permission bits) in the filestat's padding (byte 17 = 'O', bytes 18-19 = st_mode, see
 * docs/linux-abi.md); other runtimes leave the zeroed padding alone and get wasi-libc's answer
 * (type bits only). Plain WASI calls: no `linux` import, the program still runs elsewhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <wasi/api.h>
#include <wasi/libc-find-relpath.h>
#include "internal.h"

#define MODE_MARK 'O'

static void to_stat(const __wasi_filestat_t *in, struct stat *out)
{
	const unsigned char *raw = (const unsigned char *)in;
	memset(out, 0, sizeof *out);
	out->st_dev = in->dev;
	out->st_ino = in->ino;
	out->st_nlink = in->nlink;
	out->st_size = in->size;
	out->st_atim = (struct timespec){ in->atim / 1000000000, in->atim % 1000000000 };
	out->st_mtim = (struct timespec){ in->mtim / 1000000000, in->mtim % 1000000000 };
	out->st_ctim = (struct timespec){ in->ctim / 1000000000, in->ctim % 1000000000 };
	if (raw[17] == MODE_MARK) {
		out->st_mode = raw[18] | raw[19] << 8;
		out->st_blksize = 4096;
		out->st_blocks = (in->size + 511) / 512;
		return;
	}
	switch (in->filetype) {
	case __WASI_FILETYPE_BLOCK_DEVICE: out->st_mode = S_IFBLK; break;
	case __WASI_FILETYPE_CHARACTER_DEVICE: out->st_mode = S_IFCHR; break;
	case __WASI_FILETYPE_DIRECTORY: out->st_mode = S_IFDIR; break;
	case __WASI_FILETYPE_REGULAR_FILE: out->st_mode = S_IFREG; break;
	case __WASI_FILETYPE_SOCKET_DGRAM:
	case __WASI_FILETYPE_SOCKET_STREAM: out->st_mode = S_IFSOCK; break;
	case __WASI_FILETYPE_SYMBOLIC_LINK: out->st_mode = S_IFLNK; break;
	}
}

static int result(__wasi_errno_t err, const __wasi_filestat_t *fs, struct stat *st)
{
	if (err != 0) {
		errno = err; /* wasi-libc's errno values are WASI's */
		return -1;
	}
	to_stat(fs, st);
	return 0;
}

int fstatat(int dirfd, const char *restrict path, struct stat *restrict st, int flags) /* = __occlum_fstatat */
{
	static char *rel_buf;
	static size_t rel_len;
	if (flags & ~AT_SYMLINK_NOFOLLOW) {
		errno = EINVAL;
		return -1;
	}
	const char *rel = path;
	if (dirfd == AT_FDCWD || path[0] == '/') {
		const char *abs_prefix;
		dirfd = __wasilibc_find_relpath_alloc(path, &abs_prefix, &rel_buf, &rel_len, 1);
		if (dirfd == -1) {
			if (errno != ENOMEM) errno = ENOENT;
			return -1;
		}
		rel = rel_buf;
	}
	__wasi_filestat_t fs;
	memset(&fs, 0, sizeof fs);
	__wasi_lookupflags_t lookup = flags & AT_SYMLINK_NOFOLLOW ? 0 : __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
	return result(__wasi_path_filestat_get(dirfd, lookup, rel, &fs), &fs, st);
}

int stat(const char *restrict path, struct stat *restrict st) /* = __occlum_stat */
{
	return fstatat(AT_FDCWD, path, st, 0);
}

int lstat(const char *restrict path, struct stat *restrict st) /* = __occlum_lstat */
{
	return fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

int fstat(int fd, struct stat *st) /* = __occlum_fstat */
{
	__wasi_filestat_t fs;
	memset(&fs, 0, sizeof fs);
	return result(__wasi_fd_filestat_get(fd, &fs), &fs, st);
}
