/* mount/umount2 at run time (LibOS only: natively this needs privileges), read-only mounts
 * (EROFS on every write path), EXDEV across mounts, statfs magic numbers. argv[1] is a host
 * directory for hostfs. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include "test_errno.h"

static void fstype(const char *p)
{
	struct statfs sf;
	if (statfs(p, &sf)) printf("statfs %s: %s\n", p, en(errno));
	else printf("statfs %s: type %#lx\n", p, (unsigned long)sf.f_type);
}

static void put(const char *p, const char *s)
{
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0) { printf("put %s: %s\n", p, en(errno)); return; }
	write(fd, s, strlen(s));
	close(fd);
}

/* Every write path on a read-only mount; `file` exists there. */
static void erofs(const char *dir, const char *file)
{
	char p[256], q[256];
	struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };
	snprintf(p, sizeof p, "%s/new", dir);
	snprintf(q, sizeof q, "%s/other", dir);
	CALL("ro: creat", open(p, O_CREAT | O_WRONLY, 0644));
	CALL("ro: open O_WRONLY", open(file, O_WRONLY));
	CALL("ro: open O_RDWR", open(file, O_RDWR));
	CALL("ro: open O_RDONLY|O_TRUNC", open(file, O_RDONLY | O_TRUNC));
	int fd;
	CALL("ro: open O_RDONLY", (fd = open(file, O_RDONLY)) < 0 ? -1 : 0);
	close(fd);
	CALL("ro: mkdir", mkdir(p, 0755));
	CALL("ro: symlink", symlink("x", p));
	CALL("ro: link", link(file, p));
	CALL("ro: rename", rename(file, q));
	CALL("ro: unlink", unlink(file));
	CALL("ro: truncate", truncate(file, 0));
	CALL("ro: chmod", chmod(file, 0600));
	CALL("ro: utimensat", utimensat(AT_FDCWD, file, ts, 0));
	CALL("ro: access W_OK", access(file, W_OK));
	CALL("ro: access R_OK", access(file, R_OK));
	struct statvfs sv;
	statvfs(dir, &sv);
	printf("ro: ST_RDONLY %d\n", (int)(sv.f_flag & ST_RDONLY));
}

int main(int argc, char **argv)
{
	const char *hostdir = argc > 1 ? argv[1] : "/nonexistent";
	char opt[300];
	char buf[32] = {0};
	fstype("/");
	fstype("/tmp");

	/* ramfs, EXDEV */
	CALL("mkdir /mnt", mkdir("/mnt", 0755));
	CALL("mkdir /mnt/r", mkdir("/mnt/r", 0755));
	CALL("mount ramfs", mount("none", "/mnt/r", "ramfs", 0, NULL));
	fstype("/mnt/r");
	put("/tmp/x", "x");
	put("/mnt/r/y", "y");
	CALL("rename across mounts", rename("/tmp/x", "/mnt/r/x"));
	CALL("link across mounts", link("/tmp/x", "/mnt/r/x"));
	CALL("rename within the mount", rename("/mnt/r/y", "/mnt/r/z"));
	CALL("rmdir a mountpoint", rmdir("/mnt/r"));
	CALL("rename a mountpoint", rename("/mnt/r", "/mnt/q"));
	CALL("stat /mnt/r/.. is /mnt", ({ struct stat a, b; stat("/mnt/r/..", &a); stat("/mnt", &b); a.st_ino == b.st_ino && a.st_dev == b.st_dev; }));
	int fd = open("/mnt/r/z", O_RDWR);
	CALL("fallocate PUNCH_HOLE", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 1));
	close(fd);

	/* busy mounts */
	CALL("chdir into the mount", chdir("/mnt/r"));
	CALL("umount (cwd inside)", umount("/mnt/r"));
	CALL("chdir /", chdir("/"));
	fd = open("/mnt/r/z", O_RDONLY);
	CALL("umount (file open inside)", umount("/mnt/r"));
	CALL("umount2 MNT_DETACH", umount2("/mnt/r", MNT_DETACH));
	CALL("the open file still reads", read(fd, buf, sizeof buf));
	close(fd);
	CALL("gone from the namespace", access("/mnt/r/z", F_OK));
	CALL("umount again (not a mountpoint)", umount("/mnt/r"));

	/* errors */
	CALL("umount /", umount("/"));
	CALL("mount over /", mount("none", "/", "ramfs", 0, NULL));
	CALL("umount missing", umount("/nowhere"));
	CALL("umount bad flags", umount2("/tmp", 0x100));
	CALL("mount unknown type", mount("none", "/mnt/r", "ext9", 0, NULL));
	CALL("mount on a missing dir", mount("none", "/mnt/none", "ramfs", 0, NULL));
	CALL("mount on a file", mount("none", "/tmp/x", "ramfs", 0, NULL));
	CALL("mount MS_BIND", mount("/tmp", "/mnt/r", NULL, MS_BIND, NULL));
	CALL("hostfs without dir=", mount("hostfs", "/mnt/r", "hostfs", 0, NULL));
	CALL("hostfs relative dir=", mount("hostfs", "/mnt/r", "hostfs", 0, "dir=relative/path"));
	CALL("hostfs missing dir=", mount("hostfs", "/mnt/r", "hostfs", 0, "dir=/nonexistent/occlum-ts"));

	/* hostfs */
	snprintf(opt, sizeof opt, "dir=%s", hostdir);
	CALL("mkdir /mnt/h", mkdir("/mnt/h", 0755));
	CALL("mount hostfs", mount("hostfs", "/mnt/h", "hostfs", 0, opt));
	put("/mnt/h/from-libos", "written in the LibOS");
	fstype("/mnt/h");
	CALL("umount hostfs", umount("/mnt/h"));
	CALL("the file left with it", access("/mnt/h/from-libos", F_OK));

	/* read-only */
	CALL("mount hostfs read-only", mount("hostfs", "/mnt/h", "hostfs", MS_RDONLY, opt));
	erofs("/mnt/h", "/mnt/h/from-libos");
	CALL("umount2 MNT_FORCE", umount2("/mnt/h", MNT_FORCE));
	CALL("mount ramfs read-only", mount("none", "/mnt/r", "ramfs", MS_RDONLY, NULL));
	CALL("ro: creat on an empty read-only ramfs", open("/mnt/r/f", O_CREAT | O_WRONLY, 0644));
	CALL("umount", umount("/mnt/r"));

	/* stacked mounts */
	CALL("mount ramfs 1", mount("none", "/mnt/r", "ramfs", 0, NULL));
	put("/mnt/r/one", "1");
	CALL("mount ramfs 2 on top", mount("none", "/mnt/r", "ramfs", 0, NULL));
	CALL("top hides the first", access("/mnt/r/one", F_OK));
	CALL("umount top", umount("/mnt/r"));
	CALL("first is back", access("/mnt/r/one", F_OK));
	CALL("umount first", umount("/mnt/r"));
	return 0;
}
