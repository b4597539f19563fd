/* File operations: ftruncate/truncate, fallocate (mode 0, KEEP_SIZE) and posix_fallocate,
 * utimensat/futimens (UTIME_NOW, UTIME_OMIT, AT_SYMLINK_NOFOLLOW), fsync/fdatasync, getdents64
 * with small buffers, statfs/fstatfs errors. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include "test_errno.h"

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 1
#endif

struct dirent64_raw {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static long fsize(int fd)
{
	struct stat st;
	return fstat(fd, &st) ? -1 : (long)st.st_size;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void getdents_test(void)
{
	char *names[16];
	int count = 0;
	mkdir("gd", 0755);
	const char *files[] = { "a", "bb", "a-rather-long-name-for-one-entry", "c" };
	for (int i = 0; i < 4; i++) {
		char p[64];
		snprintf(p, sizeof p, "gd/%s", files[i]);
		close(open(p, O_CREAT | O_WRONLY, 0644));
	}
	int fd = open("gd", O_RDONLY | O_DIRECTORY);
	char buf[256] __attribute__((aligned(8)));
	CALL("getdents64 buffer of 1 byte", syscall(SYS_getdents64, fd, buf, 1));
	CALL("getdents64 buffer of 23 bytes", syscall(SYS_getdents64, fd, buf, 23));
	/* one entry at a time: 24 bytes hold '.', '..', 'a', 'c' and nothing longer */
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, 24);
		if (n < 0) {
			/* an entry longer than the buffer: read it with a larger one */
			printf("getdents64 24: %s\n", en(errno));
			n = syscall(SYS_getdents64, fd, buf, 48);
			if (n < 0) {
				printf("getdents64 48: %s\n", en(errno));
				n = syscall(SYS_getdents64, fd, buf, sizeof buf);
			}
		}
		if (n <= 0) { printf("end: %ld\n", n); break; }
		for (long off = 0; off < n;) {
			struct dirent64_raw *d = (struct dirent64_raw *)(buf + off);
			/* the order is the file system's: print sorted */
			char line[128];
			snprintf(line, sizeof line, "%s reclen %u type %s", d->d_name, d->d_reclen, d->d_type == 4 ? "dir" : d->d_type == 8 ? "file" : "?");
			names[count++] = strdup(line);
			off += d->d_reclen;
		}
	}
	qsort(names, count, sizeof names[0], cmp);
	for (int i = 0; i < count; i++) printf("entry %s\n", names[i]);
	/* resuming at a d_off: rewind, read one entry, seek to its d_off elsewhere */
	lseek(fd, 0, SEEK_SET);
	long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
	long total = 0;
	int64_t second_off = 0;
	for (long off = 0; off < n; total++) {
		struct dirent64_raw *d = (struct dirent64_raw *)(buf + off);
		if (total == 0) second_off = d->d_off;
		off += d->d_reclen;
	}
	printf("entries in one call: %ld\n", total);
	CALL("seek to first d_off", lseek(fd, second_off, SEEK_SET) == second_off);
	n = syscall(SYS_getdents64, fd, buf, sizeof buf);
	long rest = 0;
	for (long off = 0; off < n; rest++) off += ((struct dirent64_raw *)(buf + off))->d_reclen;
	printf("entries after it: %ld\n", rest);
	close(fd);
	int f = open("gd/a", O_RDONLY);
	CALL("getdents64 on a file", syscall(SYS_getdents64, f, buf, sizeof buf));
	close(f);
	CALL("getdents64 bad fd", syscall(SYS_getdents64, 99, buf, sizeof buf));
}

int main(void)
{
	char buf[16];
	int fd = open("t", O_CREAT | O_RDWR, 0644);
	CALL("write", write(fd, "0123456789", 10));
	CALL("ftruncate 4", ftruncate(fd, 4));
	CALL("size", fsize(fd));
	CALL("ftruncate 8", ftruncate(fd, 8));
	CALL("pread", pread(fd, buf, sizeof buf, 0));
	printf("bytes: %d %d %d %d\n", buf[3], buf[4], buf[5], buf[7]);
	CALL("ftruncate -1", ftruncate(fd, -1));
	CALL("truncate path", truncate("t", 2));
	CALL("size", fsize(fd));
	int ro = open("t", O_RDONLY);
	CALL("ftruncate read-only fd", ftruncate(ro, 0));
	CALL("fallocate read-only fd", fallocate(ro, 0, 0, 10));
	close(ro);

	CALL("fallocate 0..100", fallocate(fd, 0, 0, 100));
	CALL("size", fsize(fd));
	CALL("fallocate inside", fallocate(fd, 0, 10, 10));
	CALL("size", fsize(fd));
	CALL("fallocate KEEP_SIZE", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 4096));
	CALL("size", fsize(fd));
	CALL("fallocate len 0", fallocate(fd, 0, 0, 0));
	CALL("fallocate negative offset", fallocate(fd, 0, -1, 10));
	CALL("posix_fallocate 200", posix_fallocate(fd, 100, 100));
	CALL("size", fsize(fd));
	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	CALL("fallocate on dir", fallocate(dfd, 0, 0, 10));
	int p[2];
	pipe(p);
	CALL("fallocate on pipe", fallocate(p[1], 0, 0, 10));
	CALL("ftruncate on pipe", ftruncate(p[1], 0));
	CALL("fsync", fsync(fd));
	CALL("fdatasync", fdatasync(fd));
	CALL("fsync dir", fsync(dfd));
	CALL("fsync pipe", fsync(p[1]));
	CALL("fsync bad fd", fsync(99));
	close(p[0]);
	close(p[1]);

	/* utimensat */
	/* Binary fractions of a second: hostfs sets host times through node:fs, in double seconds,
	 * which cannot carry single nanoseconds at this epoch (tmpfs/sefs/ramfs keep them). */
	struct timespec ts[2] = { { 1000000000, 500000000 }, { 1100000000, 250000000 } };
	struct stat st;
	CALL("utimensat set", utimensat(AT_FDCWD, "t", ts, 0));
	stat("t", &st);
	printf("atime %ld.%ld mtime %ld.%ld\n", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec, (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	struct timespec omit[2] = { { 5, UTIME_OMIT }, { 1200000000, 0 } };
	CALL("utimensat omit atime", utimensat(AT_FDCWD, "t", omit, 0));
	stat("t", &st);
	printf("atime %ld mtime %ld\n", (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec);
	struct timespec now[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
	struct timeval tv;
	gettimeofday(&tv, NULL);
	CALL("utimensat atime now", utimensat(AT_FDCWD, "t", now, 0));
	stat("t", &st);
	printf("atime is now: %d mtime %ld\n", st.st_atim.tv_sec >= tv.tv_sec - 1, (long)st.st_mtim.tv_sec);
	CALL("futimens", futimens(fd, ts));
	fstat(fd, &st);
	printf("mtime %ld\n", (long)st.st_mtim.tv_sec);
	struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
	CALL("utimensat bad nsec", utimensat(AT_FDCWD, "t", bad, 0));
	CALL("utimensat missing", utimensat(AT_FDCWD, "missing", ts, 0));
	symlink("t", "tl");
	struct timespec lts[2] = { { 1300000000, 0 }, { 1300000000, 0 } };
	CALL("utimensat NOFOLLOW on symlink", utimensat(AT_FDCWD, "tl", lts, AT_SYMLINK_NOFOLLOW));
	lstat("tl", &st);
	printf("link mtime %ld\n", (long)st.st_mtim.tv_sec);
	stat("tl", &st);
	printf("target mtime %ld\n", (long)st.st_mtim.tv_sec);
	CALL("utimensat bad flags", utimensat(AT_FDCWD, "t", ts, 0x4000));
	close(fd);
	close(dfd);

	/* statfs */
	struct statfs sf, sf2;
	CALL("statfs .", statfs(".", &sf));
	CALL("fstatfs", (fd = open("t", O_RDONLY), fstatfs(fd, &sf2)));
	printf("same type: %d, namelen %ld, bsize > 0: %d\n", sf.f_type == sf2.f_type, (long)sf.f_namelen, sf.f_bsize > 0);
	close(fd);
	CALL("statfs missing", statfs("missing/x", &sf));
	CALL("fstatfs bad fd", fstatfs(99, &sf));

	/* modes: chmod/fchmod/fchmodat, stat's permission bits, access (everyone is root) */
	umask(022);
	fd = open("m", O_CREAT | O_WRONLY, 0666);
	fstat(fd, &st);
	printf("created 0666 under umask 022: %o\n", (unsigned)(st.st_mode & 07777));
	CALL("fchmod 0600", fchmod(fd, 0600));
	fstat(fd, &st);
	printf("mode %o, regular %d\n", (unsigned)(st.st_mode & 07777), S_ISREG(st.st_mode));
	close(fd);
	CALL("chmod 4755", chmod("m", 04755));
	stat("m", &st);
	printf("mode %o\n", (unsigned)(st.st_mode & 07777));
	CALL("access X_OK (x set)", access("m", X_OK));
	CALL("fchmodat 0644", fchmodat(AT_FDCWD, "m", 0644, 0));
	CALL("access X_OK (no x bit, even for root)", access("m", X_OK));
	CALL("access W_OK|R_OK", access("m", W_OK | R_OK));
	CALL("access bad mode", access("m", 0100));
	CALL("access missing", access("missing", F_OK));
	CALL("chmod missing", chmod("missing", 0644));
	mkdir("dm", 0700);
	stat("dm", &st);
	printf("dir mode %o, dir %d\n", (unsigned)(st.st_mode & 07777), S_ISDIR(st.st_mode));
	CALL("access X_OK on a dir", access("dm", X_OK));
	lstat("tl", &st);
	printf("symlink %d mode %o\n", S_ISLNK(st.st_mode), (unsigned)(st.st_mode & 0777));
	CALL("fstatat NOFOLLOW", fstatat(AT_FDCWD, "tl", &st, AT_SYMLINK_NOFOLLOW));
	printf("symlink %d\n", S_ISLNK(st.st_mode));
	int pp[2];
	pipe(pp);
	fstat(pp[0], &st);
	printf("pipe is a fifo: %d\n", S_ISFIFO(st.st_mode));
	close(pp[0]);
	close(pp[1]);

	getdents_test();
	return 0;
}
