/*
 * A minimal /bin/sh for the SDK's tests (system() and popen() run "/bin/sh -c CMD"): commands
 * separated by ';', words separated by spaces, builtins echo [-n], exit [N], true, false, pwd,
 * cat (stdin or files); anything else is run with posix_spawnp and waited for. Natively the real
 * /bin/sh runs the same command lines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int cat_fd(int fd)
{
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (write(1, buf, n) != n) return 1;
	return n < 0;
}

static int run(char *cmd, int *exiting)
{
	char *argv[64];
	int argc = 0;
	for (char *w = strtok(cmd, " \t\n"); w && argc < 63; w = strtok(NULL, " \t\n")) argv[argc++] = w;
	argv[argc] = NULL;
	if (argc == 0) return 0;
	if (!strcmp(argv[0], "exit")) {
		*exiting = 1;
		return argc > 1 ? atoi(argv[1]) : 0;
	}
	if (!strcmp(argv[0], "true")) return 0;
	if (!strcmp(argv[0], "false")) return 1;
	if (!strcmp(argv[0], "echo")) {
		int i = 1, nl = 1;
		if (argc > 1 && !strcmp(argv[1], "-n")) nl = 0, i++;
		for (; i < argc; i++) printf("%s%s", argv[i], i + 1 < argc ? " " : "");
		if (nl) printf("\n");
		fflush(stdout);
		return 0;
	}
	if (!strcmp(argv[0], "pwd")) {
		char buf[4096];
		if (!getcwd(buf, sizeof buf)) return 1;
		printf("%s\n", buf);
		fflush(stdout);
		return 0;
	}
	if (!strcmp(argv[0], "cat")) {
		if (argc == 1) return cat_fd(0);
		int rc = 0;
		for (int i = 1; i < argc; i++) {
			int fd = open(argv[i], O_RDONLY);
			if (fd < 0) {
				fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
				rc = 1;
				continue;
			}
			rc |= cat_fd(fd);
			close(fd);
		}
		return rc;
	}
	pid_t pid;
	int e = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (e) {
		fprintf(stderr, "sh: %s: not found\n", argv[0]);
		return 127;
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) return 127;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[1], "-c")) {
		fprintf(stderr, "usage: sh -c COMMAND\n");
		return 2;
	}
	char *line = strdup(argv[2]);
	int rc = 0, exiting = 0;
	for (char *save = NULL, *cmd = strtok_r(line, ";", &save); cmd && !exiting; cmd = strtok_r(NULL, ";", &save)) {
		char *copy = strdup(cmd);
		rc = run(copy, &exiting);
		free(copy);
	}
	free(line);
	return rc;
}
