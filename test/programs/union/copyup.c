/* POSIX file behaviour that a union must keep across copy-up, run on a file of the lower layer
 * (argv[1]: a directory holding `f` = "old data\n" and `d/` with `g`): inode numbers stay the
 * same, a reader opened before a writer sees the writer's data, readdir agrees with stat, and
 * removed names stay removed. Prints no inode numbers (they differ natively), only comparisons. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char path[4][1024];
static const char *P(int slot, const char *base, const char *rel) {
  snprintf(path[slot], sizeof path[slot], "%s/%s", base, rel);
  return path[slot];
}

static ino_t dirent_ino(const char *dir, const char *name) {
  DIR *d = opendir(dir);
  ino_t ino = 0;
  for (struct dirent *e; d && (e = readdir(d));) if (strcmp(e->d_name, name) == 0) ino = e->d_ino;
  if (d) closedir(d);
  return ino;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *b = argv[1];
  struct stat st, st2;
  char buf[64];

  if (stat(P(0, b, "f"), &st) != 0) { perror("stat f"); return 1; }
  ino_t ino = st.st_ino;
  printf("readdir ino == stat ino: %s\n", dirent_ino(b, "f") == ino ? "yes" : "no");

  int r = open(P(0, b, "f"), O_RDONLY);
  ssize_t n = read(r, buf, 4);
  printf("reader got [%.*s]\n", (int)n, buf);
  int w = open(P(0, b, "f"), O_WRONLY | O_TRUNC);
  n = write(w, "NEW DATA here\n", 14);
  printf("writer wrote %zd\n", n);
  fstat(r, &st2);
  printf("reader fstat: same ino %s, size %lld\n", st2.st_ino == ino ? "yes" : "no", (long long)st2.st_size);
  n = read(r, buf, sizeof buf);
  printf("reader then got [%.*s]\n", (int)(n > 0 && buf[n - 1] == '\n' ? n - 1 : n), buf);
  close(w);
  close(r);
  stat(P(0, b, "f"), &st2);
  printf("after copy-up: same ino %s; readdir agrees %s\n", st2.st_ino == ino ? "yes" : "no", dirent_ino(b, "f") == ino ? "yes" : "no");

  /* chmod keeps the data */
  chmod(P(0, b, "d/g"), 0600);
  int fd = open(P(0, b, "d/g"), O_RDONLY);
  n = read(fd, buf, sizeof buf);
  close(fd);
  printf("d/g after chmod: [%.*s]\n", (int)(n > 0 ? n - 1 : 0), buf);

  /* remove, then the name is gone from lookups and listings; recreate */
  printf("unlink f: %d\n", unlink(P(0, b, "f")));
  printf("stat f: %s\n", stat(P(0, b, "f"), &st2) == 0 ? "exists" : strerror(errno));
  printf("listed: %s\n", dirent_ino(b, "f") ? "yes" : "no");
  fd = open(P(0, b, "f"), O_WRONLY | O_CREAT | O_EXCL, 0644);
  printf("create f again: %s\n", fd >= 0 ? "ok" : strerror(errno));
  close(fd);
  printf("new f is empty: %s\n", stat(P(0, b, "f"), &st2) == 0 && st2.st_size == 0 ? "yes" : "no");
  unlink(P(0, b, "f"));

  /* rm -r d, mkdir d: empty */
  unlink(P(0, b, "d/g"));
  printf("rmdir d: %d\n", rmdir(P(0, b, "d")));
  printf("mkdir d: %d\n", mkdir(P(0, b, "d"), 0755));
  printf("d/g: %s\n", stat(P(0, b, "d/g"), &st2) == 0 ? "exists" : strerror(errno));
  printf("rmdir d: %d\n", rmdir(P(0, b, "d")));
  return 0;
}
