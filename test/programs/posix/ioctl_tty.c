/* ioctl on pipes and non-terminals: FIONREAD, FIONBIO, FIOCLEX, TIOCGWINSZ/TCGETS -> ENOTTY, isatty. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "test_errno.h"

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int p[2];
	pipe(p);
	int n = -1;
	CALL("FIONREAD, empty", ioctl(p[0], FIONREAD, &n));
	printf("  n=%d\n", n);
	write(p[1], "hello", 5);
	CALL("FIONREAD, 5 bytes", ioctl(p[0], FIONREAD, &n));
	printf("  n=%d\n", n);

	int on = 1;
	CALL("FIONBIO on", ioctl(p[0], FIONBIO, &on));
	printf("  O_NONBLOCK=%d\n", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
	char buf[16];
	read(p[0], buf, sizeof buf);
	CALL("read, empty non-blocking pipe", read(p[0], buf, sizeof buf));
	on = 0;
	ioctl(p[0], FIONBIO, &on);
	printf("FIONBIO off: O_NONBLOCK=%d\n", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);

	CALL("FIOCLEX", ioctl(p[1], FIOCLEX));
	printf("  FD_CLOEXEC=%d\n", fcntl(p[1], F_GETFD) & FD_CLOEXEC);
	CALL("FIONCLEX", ioctl(p[1], FIONCLEX));
	printf("  FD_CLOEXEC=%d\n", fcntl(p[1], F_GETFD) & FD_CLOEXEC);

	struct winsize ws;
	CALL("TIOCGWINSZ on a pipe", ioctl(p[0], TIOCGWINSZ, &ws));
	errno = 0;
	int t = isatty(p[0]);
	printf("isatty(pipe): %d %s\n", t, en(errno));
	errno = 0;
	t = isatty(999);
	printf("isatty(closed fd): %d %s\n", t, en(errno));
	CALL("ioctl on a closed fd", ioctl(999, FIONREAD, &n));
	printf("sizeof(struct winsize) = %zu\n", sizeof ws);
	return 0;
}
