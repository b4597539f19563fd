/*
 * chown family. The LibOS is single-user (everyone is root, as in Occlum) and its file systems
 * keep no owners, so changing ownership succeeds without effect once the file is known to
 * exist (the usual errors, e.g. ENOENT, are reported).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int chown(const char *path, uid_t uid, gid_t gid)
{
	struct stat st;
	(void)uid, (void)gid;
	return stat(path, &st);
}

int lchown(const char *path, uid_t uid, gid_t gid)
{
	struct stat st;
	(void)uid, (void)gid;
	return lstat(path, &st);
}

int fchown(int fd, uid_t uid, gid_t gid)
{
	struct stat st;
	(void)uid, (void)gid;
	return fstat(fd, &st);
}

int fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	struct stat st;
	(void)uid, (void)gid;
	return fstatat(dirfd, path, &st, flags);
}
