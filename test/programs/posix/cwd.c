/* getcwd/chdir/fchdir: relative paths follow the directory, children inherit it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test_errno.h"

extern char **environ;

static const char *base(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;
	return !p ? "(null)" : s && s[1] ? s + 1 : p;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	char buf[4096];
	if (argc > 1 && !strcmp(argv[1], "--child")) {
		printf("child cwd ends in: %s\n", base(getcwd(buf, sizeof buf)));
		FILE *f = fopen("note.txt", "r");
		const char *line = f && fgets(buf, sizeof buf, f) ? buf : "(failed)\n";
		printf("child reads note.txt by a relative path: %s", line);
		return 0;
	}

	char start[4096];
	char *r = getcwd(start, sizeof start);
	printf("getcwd: %s, absolute: %d\n", r == start ? "ok" : "failed", start[0] == '/');
	char *dup = getcwd(NULL, 0);
	printf("getcwd(NULL, 0) allocates the same: %d\n", dup && !strcmp(dup, start));
	free(dup);
	errno = 0;
	r = getcwd(buf, 2);
	printf("getcwd, tiny buffer: %s %s\n", r ? "ok" : "NULL", en(errno));

	mkdir("cwd-test", 0777);
	mkdir("cwd-test/sub", 0777);
	CALL("chdir(cwd-test/sub)", chdir("cwd-test/sub"));
	getcwd(buf, sizeof buf);
	int under = strlen(buf) > strlen(start) && !strncmp(buf, start, strlen(start));
	printf("now in: %s, under where we started: %d\n", base(buf), under);

	FILE *f = fopen("note.txt", "w");
	fprintf(f, "written in sub\n");
	fclose(f);
	char abs[4200];
	snprintf(abs, sizeof abs, "%s/cwd-test/sub/note.txt", start);
	struct stat st;
	CALL("the relative file is at the absolute path", stat(abs, &st));
	int isdir = stat(".", &st) == 0 && S_ISDIR(st.st_mode);
	printf("stat(\".\") is a directory: %d\n", isdir);

	char *cargv[] = { argv[0], "--child", NULL };
	pid_t pid;
	posix_spawn(&pid, argv[0], NULL, NULL, cargv, environ);
	int status;
	waitpid(pid, &status, 0);

	CALL("chdir(..)", chdir(".."));
	printf("now in: %s\n", base(getcwd(buf, sizeof buf)));
	CALL("access(sub/note.txt)", access("sub/note.txt", F_OK));
	int dfd = open("sub", O_RDONLY | O_DIRECTORY);
	CALL("fchdir", fchdir(dfd));
	close(dfd);
	printf("now in: %s\n", base(getcwd(buf, sizeof buf)));
	CALL("chdir to a missing directory", chdir("no-such-dir"));
	CALL("chdir to a file", chdir("note.txt"));
	printf("still in: %s\n", base(getcwd(buf, sizeof buf)));

	chdir(start);
	unlink("cwd-test/sub/note.txt");
	rmdir("cwd-test/sub");
	rmdir("cwd-test");
	getcwd(buf, sizeof buf);
	printf("back: %d\n", strcmp(buf, start) == 0);
	return 0;
}
