/* Hard links and rename: link counts, data shared, EPERM on directories, EEXIST; rename of
 * files and directories over each other, into itself, over non-empty directories. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "test_errno.h"

static long nlink(const char *p)
{
	struct stat st;
	return lstat(p, &st) ? -1 : (long)st.st_nlink;
}

static void put(const char *p, const char *s)
{
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	write(fd, s, strlen(s));
	close(fd);
}

static void show(const char *p)
{
	char buf[64] = {0};
	int fd = open(p, O_RDONLY);
	if (fd < 0) { printf("%s: missing\n", p); return; }
	read(fd, buf, sizeof buf - 1);
	close(fd);
	printf("%s: \"%s\"\n", p, buf);
}

int main(void)
{
	struct stat a, b;
	put("a", "alpha");
	CALL("link a b", link("a", "b"));
	CALL("nlink a", nlink("a"));
	stat("a", &a);
	stat("b", &b);
	printf("same inode: %d\n", a.st_ino == b.st_ino);
	put("b", "beta");
	show("a");
	CALL("link to existing", link("a", "b"));
	CALL("link missing", link("nope", "c"));
	CALL("mkdir dir", mkdir("dir", 0755));
	CALL("link dir", link("dir", "dir2"));
	CALL("unlink a", unlink("a"));
	CALL("nlink b", nlink("b"));
	show("b");
	CALL("symlink s -> b", symlink("b", "s"));
	CALL("link s s2 (no follow)", link("s", "s2"));
	CALL("lstat s2 is link", S_ISLNK((lstat("s2", &a), a.st_mode)));
	CALL("linkat follow", linkat(AT_FDCWD, "s", AT_FDCWD, "s3", AT_SYMLINK_FOLLOW));
	CALL("s3 is regular", S_ISREG((lstat("s3", &a), a.st_mode)));
	CALL("nlink b", nlink("b"));
	CALL("unlink dir", unlink("dir"));
	CALL("rmdir file", rmdir("b"));

	/* rename */
	put("x", "ex");
	put("y", "why");
	CALL("rename x y (replace)", rename("x", "y"));
	show("x");
	show("y");
	CALL("rename y y", rename("y", "y"));
	CALL("rename b s3 (hard links of one inode)", rename("b", "s3"));
	CALL("b still there", nlink("b"));
	CALL("mkdir d1", mkdir("d1", 0755));
	CALL("mkdir d2", mkdir("d2", 0755));
	put("d1/in", "inside");
	CALL("rename d1 d2 (empty dir replaced)", rename("d1", "d2"));
	show("d2/in");
	CALL("mkdir d3", mkdir("d3", 0755));
	put("d3/z", "z");
	CALL("mkdir d4", mkdir("d4", 0755));
	CALL("rename d4 d3 (not empty)", rename("d4", "d3"));
	CALL("rename file over dir", rename("y", "d4"));
	CALL("rename dir over file", rename("d4", "y"));
	CALL("rename dir into itself", rename("d3", "d3/sub"));
	CALL("rename to missing dir", rename("y", "nodir/y"));
	CALL("rename missing", rename("nothing", "z"));
	CALL("rename dir trailing slash", rename("d4/", "d5/"));
	CALL("rename file trailing slash", rename("y/", "y2"));
	CALL("rename d2/in up", rename("d2/in", "in"));
	show("in");
	CALL("nlink d2 (empty dir)", nlink("d2"));
	CALL("mkdir d2/c", mkdir("d2/c", 0755));
	CALL("nlink d2 (one subdir)", nlink("d2"));
	CALL("rename d2/c d3/c", rename("d2/c", "d3/c"));
	CALL("nlink d2", nlink("d2"));
	CALL("nlink d3", nlink("d3"));
	CALL("rmdir d3 (not empty)", rmdir("d3"));
	return 0;
}
