/* getpid (not wasi-libc's 42), getppid, user/group ids, the user database, strsignal. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "test_errno.h"

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	pid_t pid = getpid(), ppid = getppid();
	printf("getpid > 0: %d, getppid >= 0: %d, differ: %d\n", pid > 0, ppid >= 0, pid != ppid);
	printf("uid == euid: %d, gid == egid: %d\n", getuid() == geteuid(), getgid() == getegid());
	gid_t groups[64];
	int n = getgroups(64, groups);
	int m = getgroups(0, NULL);
	printf("getgroups: %d, size query agrees: %d\n", n >= 0, m == n);
	CALL("setuid to our own uid", setuid(getuid()));

	struct passwd *pw = getpwuid(0);
	printf("getpwuid(0): %s uid=%d\n", pw ? pw->pw_name : "(none)", pw ? (int)pw->pw_uid : -1);
	pw = getpwnam("root");
	printf("getpwnam(root): uid=%d gid=%d\n", pw ? (int)pw->pw_uid : -1, pw ? (int)pw->pw_gid : -1);
	pw = getpwnam("no-such-user-xyz");
	printf("getpwnam(no such user): %s\n", pw ? "found" : "NULL");
	struct passwd pwd, *res = NULL;
	char buf[1024];
	int e = getpwuid_r(0, &pwd, buf, sizeof buf, &res);
	printf("getpwuid_r(0): %d %s\n", e, res ? res->pw_name : "(none)");
	struct group *gr = getgrgid(0);
	printf("getgrgid(0): %s\n", gr ? gr->gr_name : "(none)");
	gr = getgrnam("root");
	printf("getgrnam(root): gid=%d\n", gr ? (int)gr->gr_gid : -1);

	printf("strsignal: %s / %s / %s / %s\n", strsignal(SIGINT), strsignal(SIGKILL), strsignal(SIGSEGV), strsignal(SIGCHLD));
	return 0;
}
