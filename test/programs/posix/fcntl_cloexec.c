/* O_CLOEXEC and FD_CLOEXEC: open, pipe2, dup3, F_DUPFD_CLOEXEC, F_SETFD, inheritance by children. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test_errno.h"

extern char **environ;

static int cloexec(int fd)
{
	int f = fcntl(fd, F_GETFD);
	return f < 0 ? -1 : (f & FD_CLOEXEC) != 0;
}

static int flag(int fd, int mask)
{
	return (fcntl(fd, F_GETFL) & mask) != 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "--child")) {
		for (int i = 2; i < argc; i++) {
			errno = 0;
			int r = fcntl(atoi(argv[i]), F_GETFD);
			printf("  child: fd #%d %s\n", i - 1, r >= 0 ? "open" : en(errno));
		}
		return 0;
	}

	int f1 = open("cloexec-file", O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0666);
	int f2 = open("cloexec-file", O_RDONLY);
	printf("open O_CLOEXEC: %d\n", cloexec(f1));
	printf("plain open: %d\n", cloexec(f2));
	printf("O_CLOEXEC is not an F_GETFL flag: %d\n", !flag(f1, O_CLOEXEC));
	printf("F_GETFL access modes: rdwr %d\n", (fcntl(f1, F_GETFL) & O_ACCMODE) == O_RDWR);
	printf("F_GETFL access modes: rdonly %d\n", (fcntl(f2, F_GETFL) & O_ACCMODE) == O_RDONLY);

	int p[2];
	CALL("pipe2(O_CLOEXEC|O_NONBLOCK)", pipe2(p, O_CLOEXEC | O_NONBLOCK));
	printf("  cloexec %d %d nonblock %d\n", cloexec(p[0]), cloexec(p[1]), flag(p[0], O_NONBLOCK));
	CALL("F_SETFL 0 on the pipe", fcntl(p[0], F_SETFL, 0));
	printf("  nonblock %d\n", flag(p[0], O_NONBLOCK));
	CALL("F_SETFL O_APPEND on the file", fcntl(f2, F_SETFL, O_APPEND));
	printf("  append %d\n", flag(f2, O_APPEND));

	int d1 = dup(f1);
	int d2 = fcntl(f1, F_DUPFD_CLOEXEC, 20);
	int d3 = fcntl(f1, F_DUPFD, 30);
	int d4 = dup3(f2, 40, O_CLOEXEC);
	printf("dup: cloexec %d\n", cloexec(d1));
	printf("F_DUPFD_CLOEXEC: >=20 %d, cloexec %d\n", d2 >= 20, cloexec(d2));
	printf("F_DUPFD: >=30 %d, cloexec %d\n", d3 >= 30, cloexec(d3));
	printf("dup3(O_CLOEXEC): fd 40 %d, cloexec %d\n", d4 == 40, cloexec(d4));
	CALL("dup3 onto itself", dup3(f2, f2, 0));
	CALL("F_SETFD FD_CLOEXEC", fcntl(f2, F_SETFD, FD_CLOEXEC));
	printf("  cloexec %d\n", cloexec(f2));
	CALL("F_SETFD 0", fcntl(f2, F_SETFD, 0));
	printf("  cloexec %d\n", cloexec(f2));
	CALL("F_GETFD on a closed fd", fcntl(999, F_GETFD));

	/* what a spawned child inherits */
	char a[4][16];
	int fds[4] = { f1, f2, p[0], d1 };
	for (int i = 0; i < 4; i++) snprintf(a[i], sizeof a[i], "%d", fds[i]);
	char *cargv[] = { argv[0], "--child", a[0], a[1], a[2], a[3], NULL };
	pid_t pid;
	printf("a child sees fd #1 (O_CLOEXEC), #2 (plain), #3 (pipe2 O_CLOEXEC), #4 (dup of #1):\n");
	posix_spawn(&pid, argv[0], NULL, NULL, cargv, environ);
	int st;
	waitpid(pid, &st, 0);

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 50, "cloexec-file", O_RDONLY, 0);
	char *c2[] = { argv[0], "--child", "50", NULL };
	printf("a file opened by a spawn action:\n");
	posix_spawn(&pid, argv[0], &fa, NULL, c2, environ);
	posix_spawn_file_actions_destroy(&fa);
	waitpid(pid, &st, 0);
	unlink("cloexec-file");
	return 0;
}
