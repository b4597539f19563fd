/* eventfd: counter, semaphore mode, non-blocking EAGAIN, poll readiness. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "test_errno.h"

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int fd = eventfd(3, EFD_CLOEXEC);
	int fdflags = fcntl(fd, F_GETFD);
	printf("eventfd: %d, close-on-exec: %d\n", fd >= 0, fdflags & FD_CLOEXEC);
	uint64_t v = 4;
	CALL("write 4", write(fd, &v, sizeof v));
	CALL("eventfd_write 5", eventfd_write(fd, 5));
	eventfd_t got = 0;
	CALL("eventfd_read", eventfd_read(fd, &got));
	printf("value: %llu\n", (unsigned long long)got);
	close(fd);

	fd = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
	int fl = fcntl(fd, F_GETFL);
	printf("O_NONBLOCK set: %d\n", (fl & O_NONBLOCK) != 0);
	for (int i = 0; i < 3; i++) {
		got = 0;
		CALL("semaphore read", read(fd, &got, sizeof got));
		printf("  value %llu\n", (unsigned long long)got);
	}
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
	int r = poll(&p, 1, 0);
	printf("poll, counter 0: %d in=%d out=%d\n", r, (p.revents & POLLIN) != 0, (p.revents & POLLOUT) != 0);
	eventfd_write(fd, 1);
	p.revents = 0;
	r = poll(&p, 1, 0);
	printf("poll, counter 1: %d in=%d\n", r, (p.revents & POLLIN) != 0);
	CALL("short read", read(fd, &got, 4));
	close(fd);
	CALL("bad flags", eventfd(0, 0x7fff0000));
	return 0;
}
