/* mount(2) of an encrypted sefs in a host directory (LibOS only): argv[1] = "create" writes a
 * file and unmounts, "reopen" mounts the same volume again and reads it back; argv[2] is the
 * host directory. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include "test_errno.h"

int main(int argc, char **argv)
{
	char opt[300], buf[64] = {0};
	struct statfs sf;
	if (argc < 3) return 2;
	snprintf(opt, sizeof opt, "dir=%s,size=4MB", argv[2]);
	mkdir("/mnt", 0755);
	mkdir("/mnt/s", 0755);
	CALL("mount sefs", mount("sefs", "/mnt/s", "sefs", 0, opt));
	statfs("/mnt/s", &sf);
	printf("type %#lx\n", (unsigned long)sf.f_type);
	if (!strcmp(argv[1], "create")) {
		int fd = open("/mnt/s/secret", O_CREAT | O_WRONLY, 0600);
		CALL("write", write(fd, "kept across mounts", 18));
		CALL("fsync", fsync(fd));
		close(fd);
	} else {
		int fd = open("/mnt/s/secret", O_RDONLY);
		CALL("read", read(fd, buf, sizeof buf - 1));
		printf("data: %s\n", buf);
		close(fd);
	}
	CALL("umount", umount("/mnt/s"));
	CALL("gone", access("/mnt/s/secret", F_OK));
	return 0;
}
