/* files.c: file, directory, args, env, clock, random and exit-code behaviour, printed so that
 * the output is identical under the LibOS (wasi-libc) and natively (glibc on Linux).
 *
 * usage: files <base-dir> <exit-code> [args...]
 *   base-dir   an existing, writable directory; everything happens in <base>/w (removed at the end)
 *   exit-code  the code to exit with
 * env: FILES_TEST_VAR is printed; FILES_TEST_UNSET must be unset.
 *
 * Rules that keep the two outputs comparable: never print the base path, fd numbers, inode
 * numbers, devices or times; print errno *names* (wasi-libc numbers errno differently);
 * sort directory listings; no permission bits (WASI's filestat has none, wasi-libc reports 0).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#ifndef __wasi__
#include <sys/random.h>
#endif

static const char *ename(int e) {
  static char other[32];
  switch (e) {
    case 0: return "OK";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case ELOOP: return "ELOOP";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ESPIPE: return "ESPIPE";
    case EXDEV: return "EXDEV";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EROFS: return "EROFS";
    case ENOSPC: return "ENOSPC";
    case EIO: return "EIO";
    case ENOSYS: return "ENOSYS";
    case ENOTSUP: return "ENOTSUP";
    default: snprintf(other, sizeof other, "errno(%d)", e); return other;
  }
}

static char base[1024];

/* base-relative path (static rotating buffers so that two can be used in one call) */
static const char *P(const char *rel) {
  static char bufs[4][2048];
  static int i;
  char *b = bufs[i++ & 3];
  snprintf(b, 2048, "%s/w%s%s", base, rel[0] ? "/" : "", rel);
  return b;
}

/* Prints "<what>: OK" or "<what>: <ERRNO>" for a call returning -1 on error. */
static long check(const char *what, long r) {
  printf("%s: %s\n", what, r < 0 ? ename(errno) : "OK");
  return r;
}

/* Prints "<what>: <n>" or the errno name. */
static long count(const char *what, long r) {
  if (r < 0) printf("%s: %s\n", what, ename(errno));
  else printf("%s: %ld\n", what, r);
  return r;
}

static const char *ftype(mode_t m) {
  if (S_ISREG(m)) return "reg";
  if (S_ISDIR(m)) return "dir";
  if (S_ISLNK(m)) return "lnk";
  if (S_ISCHR(m)) return "chr";
  if (S_ISFIFO(m)) return "fifo";
  return "other";
}

static void show_stat(const char *what, int r, const struct stat *st, int perms) {
  if (r < 0) { printf("%s: %s\n", what, ename(errno)); return; }
  if (S_ISDIR(st->st_mode)) printf("%s: type=dir", what); /* directory sizes differ between file systems */
  else printf("%s: type=%s size=%lld", what, ftype(st->st_mode), (long long)st->st_size);
  (void)perms; /* WASI preview1 filestat has no permission bits: never printed */
  if (S_ISREG(st->st_mode)) printf(" nlink=%lu", (unsigned long)st->st_nlink);
  printf("\n");
}

static void do_stat(const char *what, const char *rel, int perms) {
  struct stat st;
  int r = stat(P(rel), &st);
  show_stat(what, r, &st, perms);
}

static void do_lstat(const char *what, const char *rel) {
  struct stat st;
  int r = lstat(P(rel), &st);
  show_stat(what, r, &st, 0);
}

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list_dir(const char *what, const char *rel) {
  DIR *d = opendir(P(rel));
  if (!d) { printf("%s: %s\n", what, ename(errno)); return; }
  char *names[256];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && n < 256) {
    char t = e->d_type == DT_DIR ? 'd' : e->d_type == DT_REG ? 'f' : e->d_type == DT_LNK ? 'l' : '?';
    char *s = malloc(strlen(e->d_name) + 3);
    sprintf(s, "%s:%c", e->d_name, t);
    names[n++] = s;
  }
  closedir(d);
  qsort(names, n, sizeof names[0], cmpstr);
  printf("%s:", what);
  for (int i = 0; i < n; i++) { printf(" %s", names[i]); free(names[i]); }
  printf("\n");
}

static void write_file(const char *rel, const char *text) {
  int fd = open(P(rel), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) { printf("write_file %s: %s\n", rel, ename(errno)); return; }
  if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) printf("write_file %s: short write\n", rel);
  close(fd);
}

static void cat_file(const char *what, const char *rel) {
  char buf[256];
  int fd = open(P(rel), O_RDONLY);
  if (fd < 0) { printf("%s: %s\n", what, ename(errno)); return; }
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n < 0) { printf("%s: read %s\n", what, ename(errno)); return; }
  printf("%s: [", what);
  for (ssize_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)buf[i];
    if (c >= 32 && c < 127) putchar(c); else printf("\\x%02x", c);
  }
  printf("] (%zd bytes)\n", n);
}

static double now(clockid_t id) {
  struct timespec ts;
  if (clock_gettime(id, &ts) != 0) return -1;
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void section(const char *name) { printf("== %s\n", name); }

int main(int argc, char **argv) {
#ifndef __wasi__
  umask(022); /* the LibOS's umask; wasi-libc has no umask() */
#endif
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 3) { fprintf(stderr, "usage: files <base> <exit-code> [args...]\n"); return 2; }
  snprintf(base, sizeof base, "%s", argv[1]);
  int code = atoi(argv[2]);

  section("args");
  printf("argc=%d\n", argc);
  for (int i = 2; i < argc; i++) printf("argv[%d]=[%s]\n", i, argv[i]);

  section("env");
  const char *v = getenv("FILES_TEST_VAR");
  printf("FILES_TEST_VAR=[%s]\n", v ? v : "(unset)");
  printf("FILES_TEST_UNSET is %s\n", getenv("FILES_TEST_UNSET") ? "set" : "unset");

  section("clocks");
  double m1 = now(CLOCK_MONOTONIC);
  volatile unsigned long spin = 0;
  for (int i = 0; i < 2000000; i++) spin += i;
  struct timespec nap = {0, 2000000}; /* 2 ms */
  nanosleep(&nap, NULL);
  double m2 = now(CLOCK_MONOTONIC);
  printf("monotonic increases: %s\n", m2 > m1 && m1 >= 0 ? "yes" : "no");
  printf("monotonic step >= 2ms: %s\n", m2 - m1 >= 0.002 ? "yes" : "no");
  double rt = now(CLOCK_REALTIME);
  printf("realtime after 2020: %s\n", rt > 1577836800.0 ? "yes" : "no");
  printf("realtime before 2100: %s\n", rt < 4102444800.0 ? "yes" : "no");
  time_t tt = time(NULL);
  printf("time() agrees with realtime: %s\n", tt - (time_t)rt <= 1 && (time_t)rt - tt <= 1 ? "yes" : "no");

  section("random");
  unsigned char r1[32], r2[32];
  int e1 = getentropy(r1, sizeof r1), e2 = getentropy(r2, sizeof r2);
  printf("getentropy: %s %s\n", e1 == 0 ? "OK" : ename(errno), e2 == 0 ? "OK" : ename(errno));
  printf("two draws differ: %s\n", memcmp(r1, r2, sizeof r1) != 0 ? "yes" : "no");
  int zeros = 0;
  for (int i = 0; i < 32; i++) zeros += r1[i] == 0;
  printf("draw not all zero: %s\n", zeros < 32 ? "yes" : "no");

  section("mkdir");
  check("mkdir w", mkdir(P(""), 0755));
  check("mkdir w again", mkdir(P(""), 0755));
  check("mkdir w/d", mkdir(P("d"), 0755));
  check("mkdir missing/x", mkdir(P("missing/x"), 0755));
  do_stat("stat w/d", "d", 1);

  section("create and write");
  int fd = check("open f O_CREAT|O_WRONLY|O_TRUNC", open(P("d/f"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
  count("write hello", write(fd, "hello world\n", 12));
  check("close", close(fd));
  check("close again", close(fd));
  check("open f O_CREAT|O_EXCL", open(P("d/f"), O_WRONLY | O_CREAT | O_EXCL, 0644));
  check("open nofile", open(P("d/nofile"), O_RDONLY));
  check("open nodir/f O_CREAT", open(P("nodir/f"), O_WRONLY | O_CREAT, 0644));
  check("open f/x (file as dir)", open(P("d/f/x"), O_RDONLY));
  check("open d O_WRONLY", open(P("d"), O_WRONLY));
  check("open f O_DIRECTORY", open(P("d/f"), O_RDONLY | O_DIRECTORY));
  do_stat("stat f", "d/f", 1);

  section("read and seek");
  char buf[128];
  fd = check("open f O_RDWR", open(P("d/f"), O_RDWR));
  ssize_t n = count("read 5", read(fd, buf, 5));
  printf("data=[%.*s]\n", (int)(n > 0 ? n : 0), buf);
  count("lseek cur", lseek(fd, 0, SEEK_CUR));
  count("lseek end", lseek(fd, 0, SEEK_END));
  count("lseek set 6", lseek(fd, 6, SEEK_SET));
  n = count("read rest", read(fd, buf, sizeof buf));
  printf("data=[%.*s]\n", (int)(n > 1 ? n - 1 : 0), buf);
  count("read at eof", read(fd, buf, sizeof buf));
  count("lseek negative", lseek(fd, -100, SEEK_SET));
  count("lseek bad whence", lseek(fd, 0, 12345));
  n = count("pread 4 at 2", pread(fd, buf, 4, 2));
  printf("data=[%.*s]\n", (int)(n > 0 ? n : 0), buf);
  count("pread past end", pread(fd, buf, 4, 1000));
  count("offset after pread", lseek(fd, 0, SEEK_CUR));
  count("pwrite XY at 0", pwrite(fd, "XY", 2, 0));
  count("offset after pwrite", lseek(fd, 0, SEEK_CUR));
  count("lseek end+10", lseek(fd, 10, SEEK_END));
  count("write Z past end", write(fd, "Z", 1));
  struct stat st;
  show_stat("fstat f", fstat(fd, &st), &st, 1);
  n = count("pread hole", pread(fd, buf, sizeof buf, 0));
  int holezeros = 0;
  for (ssize_t i = 12; i < n && i < 22; i++) holezeros += buf[i] == 0;
  printf("hole zeros=%d first=[%.12s] last=%c\n", holezeros, buf, n > 0 ? buf[n - 1] : '?');
  check("ftruncate 5", ftruncate(fd, 5));
  show_stat("fstat after truncate", fstat(fd, &st), &st, 0);
  check("ftruncate 8", ftruncate(fd, 8));
  n = count("pread after extend", pread(fd, buf, sizeof buf, 0));
  printf("tail zeros=%d head=[%.5s]\n", (n == 8 && !buf[5] && !buf[6] && !buf[7]) ? 3 : -1, buf);
  check("ftruncate negative", ftruncate(fd, -1));
  check("close f", close(fd));
  cat_file("cat f", "d/f");

  fd = check("open f O_RDONLY", open(P("d/f"), O_RDONLY));
  count("write to O_RDONLY fd", write(fd, "x", 1));
  check("ftruncate O_RDONLY fd", ftruncate(fd, 0));
  close(fd);
  count("read closed fd", read(fd, buf, 1));
  count("read fd 999", read(999, buf, 1));
  count("write fd -1", write(-1, "x", 1));
  count("lseek fd 999", lseek(999, 0, SEEK_SET));
  show_stat("fstat fd 999", fstat(999, &st), &st, 0);

  int dfd = check("open d O_RDONLY", open(P("d"), O_RDONLY));
  count("read on dir fd", read(dfd, buf, 10));
  show_stat("fstat dir fd", fstat(dfd, &st), &st, 0);
  close(dfd);

  section("O_APPEND and O_TRUNC");
  write_file("d/a", "one\n");
  fd = check("open a O_WRONLY|O_APPEND", open(P("d/a"), O_WRONLY | O_APPEND));
  count("lseek 0", lseek(fd, 0, SEEK_SET));
  count("append two", write(fd, "two\n", 4));
  count("offset after append", lseek(fd, 0, SEEK_CUR));
  close(fd);
  cat_file("cat a", "d/a");
  fd = check("open a O_WRONLY|O_TRUNC", open(P("d/a"), O_WRONLY | O_TRUNC));
  show_stat("fstat truncated a", fstat(fd, &st), &st, 0);
  count("write three", write(fd, "three\n", 6));
  close(fd);
  cat_file("cat a", "d/a");
  fd = check("open a O_RDWR|O_CREAT (exists)", open(P("d/a"), O_RDWR | O_CREAT, 0644));
  count("read a", read(fd, buf, sizeof buf));
  close(fd);

  section("links");
  check("symlink l -> f", symlink("f", P("d/l")));
  check("symlink l again", symlink("f", P("d/l")));
  check("symlink dangling -> nowhere", symlink("nowhere", P("d/dangling")));
  n = readlink(P("d/l"), buf, sizeof buf);
  if (n < 0) printf("readlink l: %s\n", ename(errno)); else printf("readlink l: [%.*s]\n", (int)n, buf);
  n = readlink(P("d/l"), buf, 0 + 1);
  printf("readlink l bufsize 1: %zd\n", n);
  count("readlink f (not a link)", readlink(P("d/f"), buf, sizeof buf));
  count("readlink missing", readlink(P("d/missing"), buf, sizeof buf));
  do_lstat("lstat l", "d/l");
  do_stat("stat l", "d/l", 0);
  do_stat("stat dangling", "d/dangling", 0);
  do_lstat("lstat dangling", "d/dangling");
  cat_file("cat l", "d/l");
  check("open l O_NOFOLLOW", open(P("d/l"), O_RDONLY | O_NOFOLLOW));
  check("link f hard", link(P("d/f"), P("d/hard")));
  do_stat("stat f after link", "d/f", 0);
  check("link onto existing", link(P("d/f"), P("d/a")));
  check("link dir", link(P("d"), P("dlink")));
  check("unlink hard", unlink(P("d/hard")));
  do_stat("stat f after unlink hard", "d/f", 0);
  check("mkdir d/sub", mkdir(P("d/sub"), 0755));
  write_file("d/sub/x", "x");
  check("symlink sublink -> sub", symlink("sub", P("d/sublink")));
  cat_file("cat through dir link", "d/sublink/x");
  check("symlink loop1 -> loop2", symlink("loop2", P("d/loop1")));
  check("symlink loop2 -> loop1", symlink("loop1", P("d/loop2")));
  check("open loop1", open(P("d/loop1"), O_RDONLY));
  list_dir("ls d", "d");

  section("rename");
  check("rename f -> g", rename(P("d/f"), P("d/g")));
  do_stat("stat f", "d/f", 0);
  do_stat("stat g", "d/g", 0);
  write_file("d/h", "H");
  check("rename g -> h (replace)", rename(P("d/g"), P("d/h")));
  cat_file("cat h", "d/h");
  do_stat("stat g", "d/g", 0);
  check("rename missing", rename(P("d/missing"), P("d/m2")));
  check("rename sub -> sub2 (dir)", rename(P("d/sub"), P("d/sub2")));
  check("mkdir empty", mkdir(P("d/empty"), 0755));
  check("rename sub2 -> empty (replace empty dir)", rename(P("d/sub2"), P("d/empty")));
  cat_file("cat empty/x", "d/empty/x");
  check("mkdir full", mkdir(P("d/full"), 0755));
  write_file("d/full/y", "y");
  check("rename empty -> full (non-empty)", rename(P("d/empty"), P("d/full")));
  check("rename h -> full (file onto dir)", rename(P("d/h"), P("d/full")));
  check("rename full -> h (dir onto file)", rename(P("d/full"), P("d/h")));
  check("rename empty -> empty/in (into itself)", rename(P("d/empty"), P("d/empty/in")));
  check("rename h -> h (same)", rename(P("d/h"), P("d/h")));
  check("rename h -> nodir/h", rename(P("d/h"), P("d/nodir/h")));
  list_dir("ls d", "d");

  section("unlink and rmdir");
  check("unlink h", unlink(P("d/h")));
  check("unlink h again", unlink(P("d/h")));
  check("unlink dir", unlink(P("d/full")));
  check("unlink l (symlink only)", unlink(P("d/l")));
  check("rmdir non-empty", rmdir(P("d/full")));
  check("rmdir file", rmdir(P("d/a")));
  check("rmdir missing", rmdir(P("d/missing")));
  check("unlink full/y", unlink(P("d/full/y")));
  check("rmdir full", rmdir(P("d/full")));
  check("mkdir x/y under file", mkdir(P("d/a/y"), 0755));
  list_dir("ls d", "d");
  list_dir("ls a (file)", "d/a");
  list_dir("ls missing", "d/missing");

  section("many entries");
  check("mkdir many", mkdir(P("many"), 0755));
  char name[64];
  for (int i = 0; i < 40; i++) {
    snprintf(name, sizeof name, "many/entry-with-a-longer-name-%02d", i);
    write_file(name, "");
  }
  DIR *d = opendir(P("many"));
  int entries = 0;
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL) entries++;
  if (d) closedir(d);
  printf("many entries (with . and ..): %d\n", entries);
  for (int i = 0; i < 40; i++) {
    snprintf(name, sizeof name, "many/entry-with-a-longer-name-%02d", i);
    unlink(P(name));
  }
  check("rmdir many", rmdir(P("many")));

  section("cleanup");
  const char *files[] = {"d/a", "d/dangling", "d/sublink", "d/loop1", "d/loop2", "d/empty/x", NULL};
  for (int i = 0; files[i]; i++) check(files[i], unlink(P(files[i])));
  check("rmdir d/empty", rmdir(P("d/empty")));
  list_dir("ls d", "d");
  check("rmdir d", rmdir(P("d")));
  check("rmdir w", rmdir(P("")));

  printf("exit %d\n", code);
  return code;
}
