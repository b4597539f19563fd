/* pipe + dup2 (directly and as a posix_spawn file action), EOF on close, EPIPE with SIGPIPE ignored. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test_errno.h"

extern char **environ;

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "--child")) {
		/* stdout is the pipe; stdin is the other pipe */
		char buf[64];
		ssize_t n = read(0, buf, sizeof buf - 1);
		buf[n > 0 ? n : 0] = 0;
		printf("child got [%s] on stdin", buf);
		return 3;
	}

	int p[2];
	printf("pipe: %d\n", pipe(p));
	printf("write: %d\n", (int)write(p[1], "hello", 5));
	char buf[128];
	printf("read: %d\n", (int)read(p[0], buf, sizeof buf));

	/* dup2 in this process */
	int saved = dup(1);
	printf("dup returns a new fd: %d\n", saved > 2);
	dup2(p[1], 1);
	printf("into the pipe");
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	ssize_t n = read(p[0], buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	printf("read back: [%s]\n", buf);
	printf("dup2 of the same fd: %d\n", dup2(p[0], p[0]) == p[0]);
	CALL("dup2 of a closed fd", dup2(1000, 5));

	/* a child with stdin and stdout redirected to pipes */
	int in[2], out[2];
	pipe(in);
	pipe(out);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	char *cargv[] = { argv[0], "--child", NULL };
	pid_t pid;
	int e = posix_spawn(&pid, argv[0], &fa, NULL, cargv, environ);
	posix_spawn_file_actions_destroy(&fa);
	printf("spawn: %d\n", e);
	close(in[0]);
	close(out[1]);
	write(in[1], "ping", 4);
	close(in[1]);
	size_t got = 0;
	while ((n = read(out[0], buf + got, sizeof buf - 1 - got)) > 0) got += n;
	buf[got] = 0;
	printf("parent read [%s], then EOF (%d)\n", buf, (int)n);
	int st;
	waitpid(pid, &st, 0);
	printf("child exit: %d\n", WEXITSTATUS(st));

	/* writing to a pipe without readers */
	signal(SIGPIPE, SIG_IGN);
	int q[2];
	pipe(q);
	close(q[0]);
	CALL("write without readers", write(q[1], "x", 1));
	close(q[1]);
	return 0;
}
