/* abort(): a SIGABRT handler runs, then the process dies of SIGABRT; also without a handler. */
#define _GNU_SOURCE
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void on_abrt(int sig)
{
	printf("  handler: signal %d\n", sig);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "--handler")) {
		signal(SIGABRT, on_abrt);
		abort();
	}
	if (argc > 1 && !strcmp(argv[1], "--ignored")) {
		signal(SIGABRT, SIG_IGN);
		abort();
	}
	if (argc > 1 && !strcmp(argv[1], "--plain")) abort();

	const char *modes[] = { "--handler", "--ignored", "--plain" };
	for (int i = 0; i < 3; i++) {
		char *cargv[] = { argv[0], (char *)modes[i], NULL };
		pid_t pid;
		posix_spawn(&pid, argv[0], NULL, NULL, cargv, environ);
		int st;
		waitpid(pid, &st, 0);
		printf("%s: signaled %d, signal %d\n", modes[i], WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : -1);
	}
	return 0;
}
