/* Shell test helper: cat [file...] (stdin if none), as a stand-in for the real coreutil. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char buf[65536];

static int copy(int fd) {
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) return 0;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(1, buf + off, (size_t)(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return -1;
      off += w;
    }
  }
}

int main(int argc, char **argv) {
  int rc = 0;
  /* Workaround (occlum-ts SDK): a program that never calls getcwd/chdir resolves relative paths
   * against "/" instead of its current directory (the SDK reads /proc/self/cwd, which the kernel
   * does not provide). Calling getcwd links the SDK's kernel-backed current directory. */
  char cwd[256];
  if (getcwd(cwd, sizeof cwd) == NULL) cwd[0] = '\0';
  if (argc < 2) return copy(0) < 0;
  for (int i = 1; i < argc; i++) {
    int fd = strcmp(argv[i], "-") == 0 ? 0 : open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
      rc = 1;
      continue;
    }
    if (copy(fd) < 0) {
      fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
      rc = 1;
    }
    if (fd != 0) close(fd);
  }
  return rc;
}
