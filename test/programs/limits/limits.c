/* Resource limits as a program sees them: malloc fails (NULL, ENOMEM) at the heap cap, and
 * posix_spawn fails with ENOMEM / EAGAIN when the user space or the thread slots run out. */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *en(int e)
{
	return e == ENOMEM ? "ENOMEM" : e == EAGAIN ? "EAGAIN" : e == 0 ? "ok" : "other";
}

/* Allocates 1 MiB blocks until malloc fails; prints how many it got. */
static int heap(void)
{
	int n = 0;
	errno = 0;
	for (;;) {
		char *p = malloc(1 << 20);
		if (!p) break;
		memset(p, 1, 1 << 20);
		n++;
		if (n > 4096) break;
	}
	printf("heap MiB=%d errno=%s\n", n, en(errno));
	return 0;
}

/* Spawns children that wait on a pipe until the spawns fail; then frees them and spawns again. */
static int spawns(char *self)
{
	int fds[2];
	pipe(fds);
	pid_t kids[256];
	int n = 0, err = 0;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
	posix_spawn_file_actions_addclose(&fa, fds[1]); /* else no child ever sees EOF */
	char *argv[] = { self, "wait", NULL };
	while (n < 256) {
		err = posix_spawn(&kids[n], self, &fa, NULL, argv, environ);
		if (err) break;
		n++;
	}
	printf("children=%d then %s\n", n, en(err));
	close(fds[1]);
	for (int i = 0; i < n; i++) waitpid(kids[i], NULL, 0);
	pid_t again;
	char *argv2[] = { self, "exit", NULL };
	err = posix_spawn(&again, self, NULL, NULL, argv2, environ);
	int st = 0;
	if (!err) waitpid(again, &st, 0);
	printf("after release: spawn %s, exit %d\n", en(err), WEXITSTATUS(st));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "heap")) return heap();
	if (argc > 1 && !strcmp(argv[1], "spawns")) return spawns(argv[0]);
	if (argc > 1 && !strcmp(argv[1], "wait")) { char c; read(0, &c, 1); return 0; }
	if (argc > 1 && !strcmp(argv[1], "exit")) return 7;
	fprintf(stderr, "usage: limits heap|spawns\n");
	return 2;
}
