/* The exec family: execv/execvp/execl/execle/execve replace the program (same pid, fds kept). */
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

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 2 && !strcmp(argv[1], "--launch")) {
		char pid[16];
		snprintf(pid, sizeof pid, "%d", (int)getpid());
		char *nargv[] = { argv[0], "--exec", "1", pid, argv[2], NULL };
		execvp(argv[0], nargv);
		return 1;
	}
	if (argc > 1 && !strcmp(argv[1], "--exec")) {
		/* argv: prog --exec STAGE PID FD */
		int stage = atoi(argv[2]);
		int same_pid = atoi(argv[3]) == getpid();
		int fd = atoi(argv[4]);
		char msg[32];
		int n = snprintf(msg, sizeof msg, "stage %d\n", stage);
		int fd_ok = write(fd, msg, n) == n;
		printf("stage %d: same pid %d, inherited fd works %d, VAR=%s\n", stage, same_pid, fd_ok, getenv("VAR") ? getenv("VAR") : "(unset)");
		char s[8];
		snprintf(s, sizeof s, "%d", stage + 1);
		if (stage == 1) execl(argv[0], argv[0], "--exec", s, argv[3], argv[4], (char *)NULL);
		if (stage == 2) {
			char *env[] = { "VAR=from-execle", NULL };
			execle(argv[0], argv[0], "--exec", s, argv[3], argv[4], (char *)NULL, env);
		}
		if (stage == 3) {
			char *nargv[] = { argv[0], "--exec", s, argv[3], argv[4], NULL };
			char *env[] = { "VAR=from-execve", NULL };
			execve(argv[0], nargv, env);
		}
		if (stage == 4) {
			errno = 0;
			char *nargv[] = { "no-such-program", NULL };
			int r = execvp("no-such-program-anywhere", nargv);
			printf("execvp of a missing program: %d %s\n", r, en(errno));
			errno = 0;
			r = execv("/no/such/file", nargv);
			printf("execv of a missing file: %d %s\n", r, en(errno));
			return 42;
		}
		printf("exec failed\n");
		return 1;
	}

	int p[2];
	pipe(p);
	char fd[16];
	pid_t child;
	/* the chain runs in a child so that we can check its exit status and the pipe */
	snprintf(fd, sizeof fd, "%d", p[1]);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	char *env[] = { "VAR=from-spawn", NULL };
	/* The child needs its own pid on the command line: it is the one that execs, so spawn a
	 * launcher stage 0 that execs stage 1 with its pid. */
	char *a0[] = { argv[0], "--launch", fd, NULL };
	posix_spawn(&child, argv[0], &fa, NULL, a0, env);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	char buf[256];
	size_t got = 0;
	ssize_t n;
	while ((n = read(p[0], buf + got, sizeof buf - 1 - got)) > 0) got += n;
	buf[got] = 0;
	printf("through the inherited pipe:\n%s", buf);
	int st;
	waitpid(child, &st, 0);
	printf("exit status of the last image: %d\n", WEXITSTATUS(st));
	return 0;
}
