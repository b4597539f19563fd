/* SDK problem found by the shell (a non-executable file must give "Permission denied", status
 * 126), reduced: a file created with mode 0644 must stat as 644 and fail access(X_OK) with EACCES
 * (even for root: no execute bit is set). Prints "mode=644 access(X_OK)=-1 EACCES". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char **argv) {
  const char *p = argc > 1 ? argv[1] : "/tmp/access-x-test";
  int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  close(fd);
  struct stat st;
  stat(p, &st);
  int r = access(p, X_OK);
  printf("mode=%o access(X_OK)=%d%s\n", st.st_mode & 0777, r, r ? (errno == EACCES ? " EACCES" : " other") : "");
  unlink(p);
  return 0;
}
