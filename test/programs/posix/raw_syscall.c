/* syscall(2) with SYS_* numbers from <sys/syscall.h>. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>
#include "test_errno.h"

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("SYS_getpid=%d SYS_gettid=%d SYS_kill=%d SYS_tgkill=%d SYS_getcwd=%d\n", SYS_getpid, SYS_gettid, SYS_kill, SYS_tgkill, SYS_getcwd);
	printf("getpid: %d\n", syscall(SYS_getpid) == getpid());
	printf("gettid == getpid (one thread): %d\n", syscall(SYS_gettid) == getpid());
	printf("getppid: %d\n", syscall(SYS_getppid) == getppid());
	printf("getuid: %d\n", syscall(SYS_getuid) == getuid());
	char buf[4096], buf2[4096];
	long n = syscall(SYS_getcwd, buf, sizeof buf);
	getcwd(buf2, sizeof buf2);
	printf("getcwd returns the length with the NUL: %d\n", n == (long)strlen(buf2) + 1 && !strcmp(buf, buf2));
	signal(SIGUSR1, SIG_IGN);
	printf("kill: %ld\n", syscall(SYS_kill, getpid(), SIGUSR1));
	printf("tgkill: %ld\n", syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1));
	CALL("kill(bad signal)", syscall(SYS_kill, getpid(), 1000));
	mode_t old = umask(022);
	printf("umask: %#lo\n", syscall(SYS_umask, old));
	printf("write: %ld\n", syscall(SYS_write, 1, "written by SYS_write\n", 21));
	int p[2];
	printf("pipe2: %ld\n", syscall(SYS_pipe2, p, 0));
	printf("dup: %d\n", syscall(SYS_dup, p[0]) > p[1]);
	CALL("an unknown number", syscall(-1));
	return 0;
}
