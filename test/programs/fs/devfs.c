/* devfs: the device files and links of /dev. Prints what it observes; test/devfs.test.ts checks.
 * Modes: devices | tty */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "test_errno.h"

static const char *kind(mode_t m)
{
	return S_ISCHR(m) ? "chr" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "lnk" : S_ISREG(m) ? "reg" : S_ISFIFO(m) ? "fifo" : "?";
}

static void devices(void)
{
	static const char *names[] = { "null", "zero", "random", "urandom", "tty", "stdin", "stdout", "stderr", "fd", "shm", 0 };
	for (int i = 0; names[i]; i++) {
		char path[64];
		struct stat st;
		snprintf(path, sizeof path, "/dev/%s", names[i]);
		if (lstat(path, &st) != 0) { printf("lstat %s: %s\n", path, en(errno)); continue; }
		printf("lstat %s: %s\n", path, kind(st.st_mode));
	}

	char buf[4096];
	int fd = open("/dev/null", O_RDWR);
	printf("null write: %zd\n", write(fd, "swallowed", 9));
	printf("null read: %zd\n", read(fd, buf, sizeof buf));
	close(fd);

	fd = open("/dev/zero", O_RDONLY);
	memset(buf, 0xAA, sizeof buf);
	ssize_t n = read(fd, buf, sizeof buf);
	int zeros = 0;
	for (ssize_t i = 0; i < n; i++) zeros += buf[i] == 0;
	printf("zero read: %zd bytes, %d zeros\n", n, zeros);
	close(fd);

	for (int r = 0; r < 2; r++) {
		const char *dev = r ? "/dev/random" : "/dev/urandom";
		unsigned char a[32], b[32];
		fd = open(dev, O_RDONLY);
		ssize_t na = read(fd, a, sizeof a), nb = read(fd, b, sizeof b);
		close(fd);
		printf("%s: %zd+%zd bytes, reads differ: %s\n", dev, na, nb, memcmp(a, b, sizeof a) ? "yes" : "no");
	}

	fd = open("/dev/stdout", O_WRONLY);
	printf("open /dev/stdout: %s\n", fd >= 0 ? "ok" : en(errno));
	fflush(stdout);
	if (fd >= 0 && write(fd, "via /dev/stdout\n", 16) != 16) perror("write /dev/stdout");
	close(fd);
	fd = open("/dev/stderr", O_WRONLY);
	if (fd >= 0 && write(fd, "via /dev/stderr\n", 16) != 16) perror("write /dev/stderr");
	close(fd);
	fd = open("/dev/stdin", O_RDONLY);
	n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	buf[n > 0 ? n : 0] = 0;
	printf("via /dev/stdin: %s\n", buf);
	close(fd);

	DIR *d = opendir("/dev/fd");
	struct dirent *e;
	printf("/dev/fd:");
	while (d && (e = readdir(d))) if (e->d_name[0] != '.') printf(" %s", e->d_name);
	printf("\n");
	if (d) closedir(d);

	errno = 0;
	fd = open("/dev/tty", O_RDWR);
	printf("open /dev/tty: %s\n", fd >= 0 ? "ok" : en(errno));

	fd = open("/dev/shm/segment", O_CREAT | O_RDWR, 0600);
	n = write(fd, "shared", 6);
	close(fd);
	fd = open("/dev/shm/segment", O_RDONLY);
	n = read(fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	printf("/dev/shm file: %s\n", buf);
	close(fd);
	unlink("/dev/shm/segment");

	errno = 0;
	fd = open("/dev/newfile", O_CREAT | O_WRONLY, 0644);
	printf("create /dev/newfile: %s\n", fd >= 0 ? "ok" : en(errno));
	errno = 0;
	printf("unlink /dev/null: %s\n", unlink("/dev/null") < 0 ? en(errno) : "ok");
}

static void tty(void)
{
	int fd = open("/dev/tty", O_RDWR);
	printf("open /dev/tty: %s, isatty: %d\n", fd >= 0 ? "ok" : en(errno), fd >= 0 ? isatty(fd) : -1);
	fflush(stdout);
	if (fd >= 0 && write(fd, "to the terminal\n", 16) != 16) perror("write /dev/tty");
	char buf[64] = {0};
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	printf("from the terminal: %zd [%s]\n", n, buf);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "tty") == 0) tty();
	else devices();
	return 0;
}
