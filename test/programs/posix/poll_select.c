/* poll, ppoll and select over pipes: readiness, timeouts, POLLHUP, POLLNVAL, write readiness. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "test_errno.h"

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int p[2];
	pipe(p);
	struct pollfd fds[2] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 } };
	int r = poll(fds, 2, 0);
	printf("poll, empty pipe: %d rd.revents=%#x wr.revents=%#x\n", r, fds[0].revents, fds[1].revents);
	r = poll(fds, 1, 50);
	printf("poll, 50 ms timeout: %d\n", r);
	write(p[1], "abc", 3);
	r = poll(fds, 1, -1);
	printf("poll after a write: %d POLLIN=%d\n", r, (fds[0].revents & POLLIN) != 0);

	struct timespec ts = { 0, 0 };
	sigset_t mask;
	sigemptyset(&mask);
	fds[0].revents = 0;
	r = ppoll(fds, 1, &ts, &mask);
	printf("ppoll: %d POLLIN=%d\n", r, (fds[0].revents & POLLIN) != 0);

	fd_set rd, wr;
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(p[0], &rd);
	FD_SET(p[1], &wr);
	struct timeval tv = { 0, 0 };
	r = select(p[1] + 1, &rd, &wr, NULL, &tv);
	printf("select: %d readable=%d writable=%d\n", r, FD_ISSET(p[0], &rd), FD_ISSET(p[1], &wr));

	char buf[8];
	read(p[0], buf, sizeof buf);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	tv.tv_sec = 0;
	tv.tv_usec = 30 * 1000;
	r = select(p[0] + 1, &rd, NULL, NULL, &tv);
	printf("select, drained pipe, 30 ms: %d readable=%d\n", r, FD_ISSET(p[0], &rd));

	struct timespec pts = { 0, 10 * 1000 * 1000 };
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	r = pselect(p[0] + 1, &rd, NULL, NULL, &pts, &mask);
	printf("pselect, 10 ms: %d\n", r);

	close(p[1]);
	fds[0].revents = 0;
	r = poll(fds, 1, 1000);
	printf("poll after the writer closed: %d POLLHUP=%d\n", r, (fds[0].revents & POLLHUP) != 0);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	r = select(p[0] + 1, &rd, NULL, NULL, NULL);
	printf("select sees EOF as readable: %d %d\n", r, FD_ISSET(p[0], &rd));
	close(p[0]);

	struct pollfd bad = { 12345, POLLIN, 0 };
	r = poll(&bad, 1, 0);
	printf("poll on a closed fd: %d POLLNVAL=%d\n", r, (bad.revents & POLLNVAL) != 0);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	errno = 0;
	r = select(p[0] + 1, &rd, NULL, NULL, &tv);
	printf("select on a closed fd: %d %s\n", r, en(errno));
	struct pollfd ignored = { -1, POLLIN, 0 };
	r = poll(&ignored, 1, 0);
	printf("negative fds are ignored: %d revents=%d\n", r, ignored.revents);
	return 0;
}
