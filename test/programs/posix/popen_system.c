/* system() and popen()/pclose() (through /bin/sh -c). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("system(NULL) says a shell exists: %d\n", system(NULL) != 0);
	int st = system("echo hello from system");
	printf("status: exited %d code %d\n", WIFEXITED(st), WEXITSTATUS(st));
	st = system("exit 3");
	printf("exit 3: code %d\n", WEXITSTATUS(st));
	st = system("true; false");
	printf("true; false: code %d\n", WEXITSTATUS(st));

	FILE *f = popen("echo line one; echo line two", "r");
	printf("popen r: %s\n", f ? "ok" : "failed");
	char buf[128];
	int n = 0;
	while (fgets(buf, sizeof buf, f)) printf("  read %d: %s", ++n, buf);
	st = pclose(f);
	printf("pclose: exited %d code %d\n", WIFEXITED(st), WEXITSTATUS(st));

	f = popen("cat", "w");
	printf("popen w: %s\n", f ? "ok" : "failed");
	fprintf(f, "written through popen\n");
	st = pclose(f);
	printf("pclose: code %d\n", WEXITSTATUS(st));

	f = popen("exit 5", "r");
	printf("EOF at once: %d\n", fgetc(f) == EOF);
	printf("pclose returns the shell's status: %d\n", WEXITSTATUS(pclose(f)));
	printf("popen with a bad mode fails: %d\n", popen("true", "x") == NULL);
	return 0;
}
