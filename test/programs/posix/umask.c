/*
 * umask: returns the previous mask and keeps only the permission bits. (Its effect on created
 * files is not checked here: WASI's filestat carries no permission bits, so wasi-libc's stat()
 * reports none.)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	mode_t old = umask(022);
	printf("umask(022) returned a mask: %d\n", old <= 0777);
	printf("umask(077) returns 022: %#o\n", (unsigned)umask(077));
	int fd = open("umask-file", O_CREAT | O_WRONLY | O_TRUNC, 0666);
	printf("a file can be created under 077: %d\n", fd >= 0);
	close(fd);
	unlink("umask-file");
	printf("umask(0) returns 077: %#o\n", (unsigned)umask(0));
	printf("only permission bits are kept: %#o\n", (unsigned)(umask(07777) & 07777));
	printf("back to 022: %#o\n", (unsigned)umask(022));
	return 0;
}
