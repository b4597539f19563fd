/* Tries to reach host files outside a hostfs mount. Commands (argv[1..]), each printing one line:
 *   read <path>             the first line of the file, or the errno name
 *   write <path>            creates/truncates the file with "written by escape"
 *   symlink <target> <path> symlink(2)
 *   rename <old> <new>      rename(2)
 *   chdir <dir>             chdir(2)
 *   waitfor <path>          polls until <path> exists (the test changes the host meanwhile)
 *   ls <dir>                the names in <dir>, sorted by the kernel's order, on one line */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *en(int e)
{
	switch (e) {
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EXDEV: return "EXDEV";
	case EEXIST: return "EEXIST";
	case ENOTDIR: return "ENOTDIR";
	case ELOOP: return "ELOOP";
	case EPERM: return "EPERM";
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	default: return "E?";
	}
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *cmd = argv[i];
		if (!strcmp(cmd, "read") && i + 1 < argc) {
			const char *p = argv[++i];
			int fd = open(p, O_RDONLY);
			if (fd < 0) { printf("read %s: %s\n", p, en(errno)); continue; }
			char buf[256];
			ssize_t n = read(fd, buf, sizeof buf - 1);
			close(fd);
			if (n < 0) { printf("read %s: %s\n", p, en(errno)); continue; }
			buf[n] = 0;
			char *nl = strchr(buf, '\n');
			if (nl) *nl = 0;
			printf("read %s: \"%s\"\n", p, buf);
		} else if (!strcmp(cmd, "write") && i + 1 < argc) {
			const char *p = argv[++i];
			int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0) { printf("write %s: %s\n", p, en(errno)); continue; }
			write(fd, "written by escape\n", 18);
			close(fd);
			printf("write %s: ok\n", p);
		} else if (!strcmp(cmd, "symlink") && i + 2 < argc) {
			const char *t = argv[++i], *p = argv[++i];
			printf("symlink %s %s: %s\n", t, p, symlink(t, p) ? en(errno) : "ok");
		} else if (!strcmp(cmd, "rename") && i + 2 < argc) {
			const char *o = argv[++i], *n = argv[++i];
			printf("rename %s %s: %s\n", o, n, rename(o, n) ? en(errno) : "ok");
		} else if (!strcmp(cmd, "chdir") && i + 1 < argc) {
			const char *d = argv[++i];
			printf("chdir %s: %s\n", d, chdir(d) ? en(errno) : "ok");
		} else if (!strcmp(cmd, "waitfor") && i + 1 < argc) {
			const char *p = argv[++i];
			printf("waiting for %s\n", p);
			fflush(stdout);
			while (access(p, F_OK) != 0) usleep(5000);
		} else if (!strcmp(cmd, "ls") && i + 1 < argc) {
			const char *d = argv[++i];
			DIR *dir = opendir(d);
			if (!dir) { printf("ls %s: %s\n", d, en(errno)); continue; }
			printf("ls %s:", d);
			struct dirent *e;
			while ((e = readdir(dir))) if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) printf(" %s", e->d_name);
			printf("\n");
			closedir(dir);
		} else {
			printf("bad command %s\n", cmd);
			return 2;
		}
		fflush(stdout);
	}
	return 0;
}
