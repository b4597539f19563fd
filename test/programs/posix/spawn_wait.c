/* posix_spawn + waitpid: exit codes, argv/envp passing, file actions, signals, WNOHANG, ECHILD. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test_errno.h"

extern char **environ;

static void report(const char *what, int st)
{
	if (WIFEXITED(st)) printf("%s: exited %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st)) printf("%s: killed by signal %d\n", what, WTERMSIG(st));
	else printf("%s: status %#x\n", what, st);
}

static int child(int argc, char **argv)
{
	if (!strcmp(argv[2], "exit")) return atoi(argv[3]);
	if (!strcmp(argv[2], "args")) {
		printf("child: argc=%d", argc);
		for (int i = 3; i < argc; i++) printf(" [%s]", argv[i]);
		printf(" GREETING=%s\n", getenv("GREETING") ? getenv("GREETING") : "(unset)");
		return 0;
	}
	if (!strcmp(argv[2], "ppid")) return getppid() == atoi(argv[3]) ? 0 : 1;
	if (!strcmp(argv[2], "wait")) {
		pause();
		return 0;
	}
	return 99;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 2 && !strcmp(argv[1], "--child")) return child(argc, argv);

	pid_t pid;
	int st, e;
	char *a1[] = { argv[0], "--child", "exit", "7", NULL };
	e = posix_spawn(&pid, argv[0], NULL, NULL, a1, environ);
	printf("spawn: %s, pid>0: %d\n", en(e), pid > 0);
	printf("waitpid returns the pid: %d\n", waitpid(pid, &st, 0) == pid);
	report("exit 7", st);

	char *env[] = { "GREETING=hello", NULL };
	char *a2[] = { argv[0], "--child", "args", "one", "two words", "", NULL };
	e = posix_spawn(&pid, argv[0], NULL, NULL, a2, env);
	waitpid(pid, &st, 0);
	report("args", st);

	char ppid[16];
	snprintf(ppid, sizeof ppid, "%d", (int)getpid());
	char *a3[] = { argv[0], "--child", "ppid", ppid, NULL };
	posix_spawn(&pid, argv[0], NULL, NULL, a3, environ);
	waitpid(pid, &st, 0);
	report("child sees our pid as its ppid", st);

	char *a4[] = { argv[0], "--child", "wait", NULL };
	posix_spawn(&pid, argv[0], NULL, NULL, a4, environ);
	printf("WNOHANG while running: %d\n", (int)waitpid(pid, &st, WNOHANG));
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	report("SIGTERM", st);

	char *a5[] = { "nonexistent", NULL };
	e = posix_spawn(&pid, "/nonexistent/program", NULL, NULL, a5, environ);
	printf("spawn of a missing file: %s\n", en(e));
	e = posix_spawnp(&pid, "no-such-program-anywhere", NULL, NULL, a5, environ);
	printf("spawnp of a missing program: %s\n", en(e));

	CALL("wait with no children", wait(&st));

	/* several children, reaped in any order */
	int sum = 0;
	for (int i = 1; i <= 3; i++) {
		char code[4];
		snprintf(code, sizeof code, "%d", i * 10);
		char *a[] = { argv[0], "--child", "exit", code, NULL };
		posix_spawn(&pid, argv[0], NULL, NULL, a, environ);
	}
	for (int i = 0; i < 3; i++) {
		wait(&st);
		sum += WEXITSTATUS(st);
	}
	printf("sum of three exit codes: %d\n", sum);
	return 0;
}
