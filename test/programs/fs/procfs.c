/* procfs: what a process reads about itself and others in /proc. Prints raw values; the test
 * (test/procfs.test.ts) checks them against what it knows (argv, pids, files it opened).
 * Modes: self | child | ps | sleeper. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test_errno.h"

/* Reads a whole file (up to 64 KiB); returns its length or -1. */
static long slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) return -1;
	size_t n = 0;
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r <= 0) break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = 0;
	return (long)n;
}

static char buf[65536];

/* Prints a file's lines with a prefix ("mountinfo: ..."). */
static void show(const char *label, const char *path)
{
	if (slurp(path, buf, sizeof buf) < 0) { printf("%s: open failed: %s\n", label, en(errno)); return; }
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) printf("%s: %s\n", label, line);
}

static void link_of(const char *label, const char *path)
{
	char t[4096];
	ssize_t n = readlink(path, t, sizeof t - 1);
	if (n < 0) { printf("%s: readlink failed: %s\n", label, en(errno)); return; }
	t[n] = 0;
	printf("%s: %s\n", label, t);
}

/* The lines of /proc/<pid>/status that start with one of the given keys. */
static void status_lines(const char *path)
{
	static const char *keys[] = { "Name:", "State:", "Pid:", "PPid:", "Uid:", "Gid:", "VmSize:", "VmRSS:", "Threads:", 0 };
	if (slurp(path, buf, sizeof buf) < 0) { printf("status: open failed: %s\n", en(errno)); return; }
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		for (int i = 0; keys[i]; i++)
			if (strncmp(line, keys[i], strlen(keys[i])) == 0) printf("status: %s\n", line);
}

static void self(int argc, char **argv)
{
	char path[256];
	printf("getpid: %d\ngetppid: %d\n", (int)getpid(), (int)getppid());
	link_of("self", "/proc/self");
	long n = slurp("/proc/self/cmdline", buf, sizeof buf);
	printf("cmdline: ");
	for (long i = 0; i < n; i++) putchar(buf[i] ? buf[i] : '|');
	printf(" (%ld bytes, argc %d)\n", n, argc);
	(void)argv;
	show("comm", "/proc/self/comm");
	if (chdir("/tmp") != 0) perror("chdir");
	link_of("cwd", "/proc/self/cwd");
	link_of("exe", "/proc/self/exe");
	link_of("root", "/proc/self/root");
	show("stat", "/proc/self/stat");
	status_lines("/proc/self/status");

	/* fd links: a file, a pipe, an eventfd */
	int f = open("/tmp/procfs-file", O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (write(f, "through the link\n", 17) != 17) perror("write");
	int p[2];
	if (pipe(p) != 0) perror("pipe");
	int e = eventfd(0, 0);
	printf("fds: file=%d pipe=%d,%d eventfd=%d\n", f, p[0], p[1], e);
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.') continue;
		snprintf(path, sizeof path, "/proc/self/fd/%s", de->d_name);
		char label[64];
		snprintf(label, sizeof label, "fd %s", de->d_name);
		link_of(label, path);
	}
	if (d) closedir(d);
	/* following the link opens the file itself, not a path text */
	snprintf(path, sizeof path, "/proc/self/fd/%d", f);
	printf("via fd link: %ld bytes: %s", slurp(path, buf, sizeof buf), buf);
	/* a pipe's link reopens the pipe: what goes in one end comes out of the reopened read end */
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
	int r = open(path, O_RDONLY);
	if (write(p[1], "piped", 5) != 5) perror("write pipe");
	char pb[8] = {0};
	printf("reopened pipe: fd=%s read=%zd [%s]\n", r >= 0 ? "ok" : en(errno), r >= 0 ? read(r, pb, 5) : (ssize_t)-1, pb);

	/* /proc lists our pid */
	int found = 0;
	d = opendir("/proc");
	while (d && (de = readdir(d))) if (atoi(de->d_name) == getpid()) found = 1;
	if (d) closedir(d);
	printf("/proc lists own pid: %s\n", found ? "yes" : "no");

	show("mountinfo", "/proc/self/mountinfo");
	show("mounts", "/proc/mounts");
	show("meminfo", "/proc/meminfo");
	show("uptime", "/proc/uptime");
	show("cpuinfo", "/proc/cpuinfo");
	show("kstat", "/proc/stat");

	/* read-only */
	errno = 0;
	int w = open("/proc/cpuinfo", O_WRONLY);
	printf("open cpuinfo O_WRONLY: %s\n", w < 0 ? en(errno) : "ok");
	errno = 0;
	w = open("/proc/newfile", O_CREAT | O_WRONLY, 0644);
	printf("create /proc/newfile: %s\n", w < 0 ? en(errno) : "ok");
	errno = 0;
	printf("mkdir /proc/newdir: %s\n", mkdir("/proc/newdir", 0755) < 0 ? en(errno) : "ok");
	errno = 0;
	printf("unlink /proc/cpuinfo: %s\n", unlink("/proc/cpuinfo") < 0 ? en(errno) : "ok");
	errno = 0;
	printf("open /proc/99999/stat: %s\n", open("/proc/99999/stat", O_RDONLY) < 0 ? en(errno) : "ok");
	unlink("/tmp/procfs-file");
}

static pid_t start(char *const argv[])
{
	pid_t pid;
	int err = posix_spawn(&pid, argv[0], NULL, NULL, argv, NULL);
	if (err) { printf("posix_spawn %s: %s\n", argv[0], en(err)); exit(1); }
	return pid;
}

/* Waits until the child is parked in its sleep (state S), at most ~2 s. */
static void await_sleep(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 200; i++) {
		if (slurp(path, buf, sizeof buf) > 0) {
			char *s = strrchr(buf, ')');
			if (s && s[2] == 'S') return;
		}
		usleep(10000);
	}
}

static void child(const char *self_path)
{
	char *args[] = { (char *)self_path, "sleeper", "with args", NULL };
	pid_t pid = start(args);
	printf("child: %d\n", (int)pid);
	await_sleep(pid);
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	show("child stat", path);
	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	long n = slurp(path, buf, sizeof buf);
	printf("child cmdline: ");
	for (long i = 0; i < n; i++) putchar(buf[i] ? buf[i] : '|');
	printf("\n");
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	status_lines(path);
	kill(pid, SIGKILL);
	int st;
	waitpid(pid, &st, 0);
	printf("child killed: %s\n", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? "yes" : "no");
	snprintf(path, sizeof path, "/proc/%d", (int)pid);
	struct stat sb;
	errno = 0;
	printf("after reaping: %s\n", stat(path, &sb) < 0 ? en(errno) : "still there");
}

static void ps(const char *self_path)
{
	char *args[] = { (char *)self_path, "sleeper", NULL };
	pid_t pid = start(args);
	printf("sleeper: %d\n", (int)pid);
	await_sleep(pid);
	fflush(stdout);
	char *ps_args[] = { "/bin/ps", "-ef", NULL };
	pid_t p = start(ps_args);
	int st;
	waitpid(p, &st, 0);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "self";
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(mode, "self") == 0) self(argc, argv);
	else if (strcmp(mode, "child") == 0) child(argv[0]);
	else if (strcmp(mode, "ps") == 0) ps(argv[0]);
	else if (strcmp(mode, "sleeper") == 0) sleep(30);
	return 0;
}
