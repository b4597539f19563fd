/* statfs/fstatfs and statvfs/fstatvfs (the header redirects those to __occlum_*), from the
 * kernel's `linux.statfs`/`fstatfs` (Linux's struct statfs with 64-bit fields). */
#include <string.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include "internal.h"

static void to_statfs(const struct k_statfs *k, struct statfs *s)
{
	memset(s, 0, sizeof *s);
	s->f_type = (unsigned long)k->type;
	s->f_bsize = (unsigned long)k->bsize;
	s->f_blocks = k->blocks;
	s->f_bfree = k->bfree;
	s->f_bavail = k->bavail;
	s->f_files = k->files;
	s->f_ffree = k->ffree;
	s->f_fsid.__val[0] = k->fsid[0];
	s->f_fsid.__val[1] = k->fsid[1];
	s->f_namelen = (unsigned long)k->namelen;
	s->f_frsize = (unsigned long)k->frsize;
	s->f_flags = (unsigned long)k->flags;
}

/* musl's statfs -> statvfs conversion. */
static void to_statvfs(const struct k_statfs *k, struct statvfs *s)
{
	memset(s, 0, sizeof *s);
	s->f_bsize = (unsigned long)k->bsize;
	s->f_frsize = (unsigned long)(k->frsize ? k->frsize : k->bsize);
	s->f_blocks = k->blocks;
	s->f_bfree = k->bfree;
	s->f_bavail = k->bavail;
	s->f_files = k->files;
	s->f_ffree = k->ffree;
	s->f_favail = k->ffree;
	s->f_fsid = (unsigned long)k->fsid[0];
	s->f_flag = (unsigned long)k->flags;
	s->f_namemax = (unsigned long)k->namelen;
	s->f_type = (unsigned)k->type;
}

int statfs(const char *path, struct statfs *buf)
{
	struct k_statfs k;
	int r = __linux_statfs(path, &k);
	if (r < 0) return __occlum_ret(r);
	to_statfs(&k, buf);
	return 0;
}

int fstatfs(int fd, struct statfs *buf)
{
	struct k_statfs k;
	int r = __linux_fstatfs(fd, &k);
	if (r < 0) return __occlum_ret(r);
	to_statfs(&k, buf);
	return 0;
}

int statvfs(const char *restrict path, struct statvfs *restrict buf) /* = __occlum_statvfs */
{
	struct k_statfs k;
	int r = __linux_statfs(path, &k);
	if (r < 0) return __occlum_ret(r);
	to_statvfs(&k, buf);
	return 0;
}

int fstatvfs(int fd, struct statvfs *buf) /* = __occlum_fstatvfs */
{
	struct k_statfs k;
	int r = __linux_fstatfs(fd, &k);
	if (r < 0) return __occlum_ret(r);
	to_statvfs(&k, buf);
	return 0;
}
