/* SDK problem found by the shell (`cd /tmp && cat file` with a cat that never calls getcwd),
 * reduced: a relative path must resolve against the process's current directory (inherited from
 * its parent, here set by the harness). A program that never calls getcwd/chdir resolves it
 * against "/" instead (the SDK learns the directory from /proc/self/cwd, which the kernel lacks).
 * Run with cwd = a directory containing a file "marker"; prints "relative=ok". */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
  int fd = open("marker", O_RDONLY);
  printf("relative=%s\n", fd >= 0 ? "ok" : "failed");
  return 0;
}
