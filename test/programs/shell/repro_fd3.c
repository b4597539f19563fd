/* Kernel/SDK problem found by the shell (`exec 3>file`, `cmd 3>file`), reduced: on Linux fds >= 3
 * are the program's to use; in occlum-ts fd 3 is the WASI preopen of "/" that wasi-libc resolves
 * every path against, so replacing it makes later open() calls fail. Prints "open-after=ok". */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "/tmp";
  char a[256], b[256];
  snprintf(a, sizeof a, "%s/repro-fd3-a", dir);
  snprintf(b, sizeof b, "%s/repro-fd3-b", dir);
  int fd = open(a, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || dup2(fd, 3) != 3) return 2;
  int fd2 = open(b, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  printf("open-after=%s\n", fd2 >= 0 ? "ok" : "failed");
  unlink(a);
  unlink(b);
  return 0;
}
