/* flock (per open file description) and fcntl record locks (per process, byte ranges) across
 * processes: conflicts, split/merge, release on close of any fd and on exit, F_SETLKW blocking,
 * EINTR and EDEADLK. The child is this program run with a command; it reports on stdout. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "test_errno.h"

extern char **environ;
static const char *self;

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static int setlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	return fcntl(fd, cmd, &fl);
}

/* F_GETLK at [start, start+len): "unlocked", or the conflicting lock's type and range. */
static void getlk(const char *label, int fd, short type, off_t start, off_t len, pid_t owner)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len, .l_pid = 12345 };
	if (fcntl(fd, F_GETLK, &fl) < 0) { printf("%s: getlk %s\n", label, en(errno)); return; }
	if (fl.l_type == F_UNLCK) printf("%s: unlocked\n", label);
	else printf("%s: %s [%ld,+%ld) by %s\n", label, fl.l_type == F_WRLCK ? "write" : "read",
		(long)fl.l_start, (long)fl.l_len, fl.l_pid == owner ? "parent" : "someone else");
	fflush(stdout);
}

static pid_t spawn_child(const char *cmd, int *to_parent)
{
	int p[2];
	pipe(p);
	char fdarg[16];
	snprintf(fdarg, sizeof fdarg, "%d", p[1]);
	char *argv[] = { (char *)self, (char *)cmd, fdarg, NULL };
	pid_t pid;
	fflush(stdout);
	if (posix_spawn(&pid, self, NULL, NULL, argv, environ)) { printf("spawn failed\n"); exit(1); }
	close(p[1]);
	*to_parent = p[0];
	return pid;
}

static void wait_ready(int fd)
{
	char c;
	read(fd, &c, 1);
}

static void reap(pid_t pid, int fd)
{
	int st;
	waitpid(pid, &st, 0);
	close(fd);
	printf("child done: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st));
}

static void on_alarm(int sig) { (void)sig; }

/* ---- child side ---- */

static int child(const char *cmd, int out)
{
	int fd = open("lockfile", O_RDWR);
	pid_t parent = getppid();
	if (!strcmp(cmd, "flock-try")) {
		CALL("child flock EX|NB", flock(fd, LOCK_EX | LOCK_NB));
		CALL("child flock SH|NB", flock(fd, LOCK_SH | LOCK_NB));
	} else if (!strcmp(cmd, "flock-wait")) {
		write(out, "r", 1);
		CALL("child flock EX (blocks)", flock(fd, LOCK_EX));
	} else if (!strcmp(cmd, "getlk")) {
		getlk("child getlk 0+10 W", fd, F_WRLCK, 0, 10, parent);
		getlk("child getlk 0+10 R", fd, F_RDLCK, 0, 10, parent);
		getlk("child getlk 50+5 W", fd, F_WRLCK, 50, 5, parent);
		getlk("child getlk 95+10 W", fd, F_WRLCK, 95, 10, parent);
		getlk("child getlk 200+0 W", fd, F_WRLCK, 200, 0, parent);
		CALL("child setlk 50+5 W", setlk(fd, F_SETLK, F_WRLCK, 50, 5));
		CALL("child setlk 0+1 W", setlk(fd, F_SETLK, F_WRLCK, 0, 1));
	} else if (!strcmp(cmd, "setlkw")) {
		write(out, "r", 1);
		CALL("child setlkw 0+10 W (blocks)", setlk(fd, F_SETLKW, F_WRLCK, 0, 10));
	} else if (!strcmp(cmd, "eintr")) {
		struct sigaction sa = { .sa_handler = on_alarm };
		sigaction(SIGALRM, &sa, NULL);
		alarm(1);
		CALL("child setlkw (interrupted)", setlk(fd, F_SETLKW, F_WRLCK, 0, 10));
	} else if (!strcmp(cmd, "hold-and-exit")) {
		CALL("child setlk 0+0 W", setlk(fd, F_SETLK, F_WRLCK, 0, 0));
		CALL("child flock EX", flock(fd, LOCK_EX));
	} else if (!strcmp(cmd, "deadlock")) {
		CALL("child setlk 20+1 W", setlk(fd, F_SETLK, F_WRLCK, 20, 1));
		write(out, "r", 1);
		CALL("child setlkw 10+1 W (blocks, then gets it)", setlk(fd, F_SETLKW, F_WRLCK, 10, 1));
	}
	return 0;
}

int main(int argc, char **argv)
{
	self = argv[0];
	if (argc > 2) return child(argv[1], atoi(argv[2]));
	int fd = open("lockfile", O_CREAT | O_RDWR, 0644);
	int c;
	pid_t pid;
	write(fd, "some bytes", 10);

	/* flock */
	CALL("flock EX", flock(fd, LOCK_EX));
	pid = spawn_child("flock-try", &c);
	reap(pid, c);
	int fd2 = open("lockfile", O_RDWR);
	CALL("flock EX|NB on a second open file", flock(fd2, LOCK_EX | LOCK_NB));
	int dupfd = dup(fd);
	CALL("flock EX on a dup (same description)", flock(dupfd, LOCK_EX | LOCK_NB));
	CALL("flock SH (downgrade)", flock(fd, LOCK_SH));
	CALL("flock SH|NB on the second", flock(fd2, LOCK_SH | LOCK_NB));
	CALL("flock EX|NB upgrade while shared elsewhere", flock(fd, LOCK_EX | LOCK_NB));
	CALL("flock UN second", flock(fd2, LOCK_UN));
	CALL("flock UN first", flock(fd, LOCK_UN));
	CALL("flock bad op", flock(fd, 0));
	CALL("flock bad fd", flock(99, LOCK_SH));
	CALL("flock EX again", flock(fd, LOCK_EX));
	close(fd);
	CALL("flock EX|NB after closing one of two fds", flock(fd2, LOCK_EX | LOCK_NB));
	close(dupfd);
	CALL("flock EX|NB after the last close", flock(fd2, LOCK_EX | LOCK_NB));
	pid = spawn_child("flock-wait", &c);
	wait_ready(c);
	msleep(200);
	printf("parent unlocks\n");
	fflush(stdout);
	flock(fd2, LOCK_UN);
	reap(pid, c);
	close(fd2);

	/* fcntl record locks */
	fd = open("lockfile", O_RDWR);
	CALL("setlk 0+100 W", setlk(fd, F_SETLK, F_WRLCK, 0, 100));
	CALL("unlock 40+20 (split)", setlk(fd, F_SETLK, F_UNLCK, 40, 20));
	CALL("setlk 90+20 R (replace the tail)", setlk(fd, F_SETLK, F_RDLCK, 90, 20));
	getlk("own getlk", fd, F_WRLCK, 0, 10, getpid());
	pid = spawn_child("getlk", &c);
	reap(pid, c);
	CALL("setlk bad type", setlk(fd, F_SETLK, 7, 0, 1));
	CALL("setlk negative start", setlk(fd, F_SETLK, F_WRLCK, -5, 1));
	int rdonly = open("lockfile", O_RDONLY);
	CALL("setlk W on a read-only fd", setlk(rdonly, F_SETLK, F_WRLCK, 0, 1));
	CALL("setlk R on a read-only fd", setlk(rdonly, F_SETLK, F_RDLCK, 300, 1));
	/* closing ANY fd of the file drops all of this process's locks on it */
	close(rdonly);
	pid = spawn_child("getlk", &c);
	reap(pid, c);

	CALL("setlk 0+10 W", setlk(fd, F_SETLK, F_WRLCK, 0, 10));
	pid = spawn_child("setlkw", &c);
	wait_ready(c);
	msleep(200);
	printf("parent unlocks\n");
	fflush(stdout);
	setlk(fd, F_SETLK, F_UNLCK, 0, 0);
	reap(pid, c);

	CALL("setlk 0+10 W", setlk(fd, F_SETLK, F_WRLCK, 0, 10));
	pid = spawn_child("eintr", &c);
	reap(pid, c);
	setlk(fd, F_SETLK, F_UNLCK, 0, 0);

	pid = spawn_child("hold-and-exit", &c);
	reap(pid, c);
	CALL("setlk after the holder exited", setlk(fd, F_SETLK, F_WRLCK, 0, 0));
	CALL("flock after the holder exited", flock(fd, LOCK_EX | LOCK_NB));
	flock(fd, LOCK_UN);
	setlk(fd, F_SETLK, F_UNLCK, 0, 0);

	/* the simple two-process cycle: the second to block gets EDEADLK */
	CALL("setlk 10+1 W", setlk(fd, F_SETLK, F_WRLCK, 10, 1));
	pid = spawn_child("deadlock", &c);
	wait_ready(c);
	msleep(300);
	CALL("setlkw 20+1 W (cycle)", setlk(fd, F_SETLKW, F_WRLCK, 20, 1));
	setlk(fd, F_SETLK, F_UNLCK, 10, 1);
	reap(pid, c);
	close(fd);
	return 0;
}
