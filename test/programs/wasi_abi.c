/* wasi_abi.c: targeted checks of the trickier wasi_snapshot_preview1 functions, called directly
 * (not through wasi-libc) so that the test sees exactly what the kernel returns.
 *
 * usage: wasi_abi <check> [dir]
 *   dir is relative to the preopened "/" (fd 3), e.g. "tmp" or "host".
 * Every line is "key=value" (or "key: value") for the test to parse; errnos are WASI numbers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WASI(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))

typedef uint16_t errno_t;
typedef struct { uint32_t buf; uint32_t len; } iovec_t;

WASI(fd_readdir) errno_t w_fd_readdir(int fd, void *buf, uint32_t len, uint64_t cookie, uint32_t *used);
WASI(path_open) errno_t w_path_open(int fd, uint32_t dirflags, const char *path, uint32_t path_len, uint32_t oflags,
                                    uint64_t rights, uint64_t rights_inh, uint32_t fdflags, uint32_t *fd_out);
WASI(path_create_directory) errno_t w_path_create_directory(int fd, const char *path, uint32_t len);
WASI(path_remove_directory) errno_t w_path_remove_directory(int fd, const char *path, uint32_t len);
WASI(path_unlink_file) errno_t w_path_unlink_file(int fd, const char *path, uint32_t len);
WASI(fd_close) errno_t w_fd_close(int fd);
WASI(poll_oneoff) errno_t w_poll_oneoff(const void *in, void *out, uint32_t n, uint32_t *nevents);
WASI(clock_time_get) errno_t w_clock_time_get(uint32_t id, uint64_t precision, uint64_t *out);
WASI(fd_fdstat_get) errno_t w_fd_fdstat_get(int fd, void *out);
WASI(fd_fdstat_set_flags) errno_t w_fd_fdstat_set_flags(int fd, uint32_t flags);
WASI(fd_renumber) errno_t w_fd_renumber(int from, int to);
WASI(fd_read) errno_t w_fd_read(int fd, const iovec_t *iovs, uint32_t n, uint32_t *nread);
WASI(fd_write) errno_t w_fd_write(int fd, const iovec_t *iovs, uint32_t n, uint32_t *nwritten);
WASI(path_filestat_set_times) errno_t w_path_filestat_set_times(int fd, uint32_t flags, const char *path, uint32_t len,
                                                                uint64_t atim, uint64_t mtim, uint32_t fst);
WASI(path_filestat_get) errno_t w_path_filestat_get(int fd, uint32_t flags, const char *path, uint32_t len, void *out);
WASI(fd_filestat_set_times) errno_t w_fd_filestat_set_times(int fd, uint64_t atim, uint64_t mtim, uint32_t fst);
WASI(fd_filestat_get) errno_t w_fd_filestat_get(int fd, void *out);
WASI(fd_allocate) errno_t w_fd_allocate(int fd, uint64_t offset, uint64_t len);
WASI(fd_pread) errno_t w_fd_pread(int fd, const iovec_t *iovs, uint32_t n, uint64_t offset, uint32_t *nread);
WASI(proc_raise) errno_t w_proc_raise(uint32_t sig);
WASI(fd_prestat_get) errno_t w_fd_prestat_get(int fd, void *out);
WASI(fd_prestat_dir_name) errno_t w_fd_prestat_dir_name(int fd, char *buf, uint32_t len);

enum { FT_CHAR = 2, FT_DIR = 3, FT_REG = 4 };
enum { OFLAG_CREAT = 1, OFLAG_DIRECTORY = 2, OFLAG_EXCL = 4, OFLAG_TRUNC = 8 };
enum { FDFLAG_APPEND = 1 };
enum { FST_ATIM = 1, FST_ATIM_NOW = 2, FST_MTIM = 4, FST_MTIM_NOW = 8 };
#define RIGHTS_ALL ((1ull << 29) - 1)
#define RIGHT_FD_WRITE (1ull << 6)
#define RIGHT_FD_READ (1ull << 1)
#define RIGHT_FD_SEEK (1ull << 2)
#define RIGHT_FD_TELL (1ull << 5)
#define SIGTERM_WASI 15

/* filestat layout (64 bytes) */
typedef struct {
  uint64_t dev, ino;
  uint8_t filetype;
  uint64_t nlink, size, atim, mtim, ctim;
} filestat_t;
/* fdstat layout (24 bytes) */
typedef struct {
  uint8_t filetype;
  uint16_t flags;
  uint64_t rights_base, rights_inheriting;
} fdstat_t;

static char dirbuf[512];

static const char *J(const char *dir, const char *name) {
  static char b[2][512];
  static int i;
  char *p = b[i++ & 1];
  snprintf(p, 512, "%s/%s", dir, name);
  return p;
}

static uint32_t open_at(int dirfd, const char *path, uint32_t oflags, uint32_t fdflags, errno_t *err) {
  uint32_t fd = 0;
  *err = w_path_open(dirfd, 1, path, strlen(path), oflags, RIGHTS_ALL, RIGHTS_ALL, fdflags, &fd);
  return fd;
}

static uint32_t must_open(int dirfd, const char *path, uint32_t oflags, uint32_t fdflags) {
  errno_t e;
  uint32_t fd = open_at(dirfd, path, oflags, fdflags, &e);
  if (e) { printf("open %s: errno=%d\n", path, e); exit(1); }
  return fd;
}

static void put(int fd, const char *s) {
  iovec_t iov = {(uint32_t)(uintptr_t)s, (uint32_t)strlen(s)};
  uint32_t n;
  errno_t e = w_fd_write(fd, &iov, 1, &n);
  if (e || n != strlen(s)) { printf("write: errno=%d n=%u\n", e, n); exit(1); }
}

static uint64_t mono(void) {
  uint64_t t = 0;
  w_clock_time_get(1, 1, &t);
  return t;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Lists a directory with fd_readdir and a buffer of `bufsize` bytes, following WASI's contract:
 * a full buffer may end with a cut entry; continue from the last complete entry's d_next. */
static void readdir_check(const char *dir, uint32_t bufsize) {
  errno_t e;
  uint32_t dfd = must_open(3, dir, OFLAG_DIRECTORY, 0);
  static unsigned char buf[4096];
  char *names[128];
  int n = 0, calls = 0, cut = 0, grew = 0;
  uint32_t start = bufsize;
  uint64_t cookie = 0;
  for (;;) {
    uint32_t used = 0;
    e = w_fd_readdir(dfd, buf, bufsize, cookie, &used);
    calls++;
    if (e) { printf("fd_readdir errno=%d\n", e); exit(1); }
    uint32_t off = 0;
    int whole = 0;
    while (off + 24 <= used) {
      uint64_t next; uint32_t namlen;
      memcpy(&next, buf + off, 8);
      memcpy(&namlen, buf + off + 16, 4);
      if (off + 24 + namlen > used) break;
      char *s = malloc(namlen + 1);
      memcpy(s, buf + off + 24, namlen);
      s[namlen] = 0;
      if (n < 128) names[n++] = s;
      cookie = next;
      off += 24 + namlen;
      whole++;
    }
    if (off < used) cut++;
    if (used < bufsize) break;  /* end of directory */
    /* not even one entry fit: grow the buffer, as wasi-libc's readdir does */
    if (whole == 0) { bufsize *= 2; grew++; if (bufsize > sizeof buf) { printf("buffer too small\n"); break; } }
    if (calls > 1000) { printf("too many calls\n"); break; }
  }
  qsort(names, n, sizeof names[0], cmp);
  printf("bufsize=%u calls=%d cut=%d grew=%d entries=%d names=", start, calls, cut, grew, n);
  for (int i = 0; i < n; i++) { printf("%s%s", i ? "," : "", names[i]); free(names[i]); }
  printf("\n");
  w_fd_close(dfd);
}

static void check_readdir(const char *base) {
  snprintf(dirbuf, sizeof dirbuf, "%s/rd", base);
  errno_t e = w_path_create_directory(3, dirbuf, strlen(dirbuf));
  printf("mkdir errno=%d\n", e);
  char name[64];
  for (int i = 0; i < 20; i++) {
    int len = 1 + i % 12;
    for (int k = 0; k < len; k++) name[k] = 'a' + (i + k) % 26;
    snprintf(name + len, sizeof name - len, "%02d", i);
    uint32_t fd = must_open(3, J(dirbuf, name), OFLAG_CREAT | OFLAG_EXCL, 0);
    w_fd_close(fd);
  }
  readdir_check(dirbuf, 4096);
  readdir_check(dirbuf, 48);
  readdir_check(dirbuf, 30);
  /* a buffer smaller than one entry header: filled completely */
  uint32_t dfd = must_open(3, dirbuf, OFLAG_DIRECTORY, 0);
  uint32_t used = 0;
  unsigned char tiny[8];
  e = w_fd_readdir(dfd, tiny, sizeof tiny, 0, &used);
  printf("tiny errno=%d used=%u\n", e, used);
  /* a cookie past the end: nothing */
  e = w_fd_readdir(dfd, dirbuf + 256, 200, 1000, &used);
  printf("past-end errno=%d used=%u\n", e, used);
  w_fd_close(dfd);
  /* clean up */
  snprintf(dirbuf, sizeof dirbuf, "%s/rd", base);
  for (int i = 0; i < 20; i++) {
    int len = 1 + i % 12;
    for (int k = 0; k < len; k++) name[k] = 'a' + (i + k) % 26;
    snprintf(name + len, sizeof name - len, "%02d", i);
    const char *p = J(dirbuf, name);
    w_path_unlink_file(3, p, strlen(p));
  }
  e = w_path_remove_directory(3, dirbuf, strlen(dirbuf));
  printf("rmdir errno=%d\n", e);
}

/* subscription (48 bytes) and event (32 bytes) layouts */
typedef struct {
  uint64_t userdata;
  uint8_t tag;
  uint32_t clock_id;
  uint64_t timeout, precision;
  uint16_t flags;
} sub_clock_t;
typedef struct {
  uint64_t userdata;
  uint16_t error;
  uint8_t type;
  uint64_t nbytes;
  uint16_t flags;
} event_t;

static void sleep_check(const char *what, uint64_t timeout, uint16_t flags) {
  _Alignas(8) unsigned char in[48] = {0};
  _Alignas(8) unsigned char out[32] = {0};
  uint64_t userdata = 0x1122334455667788ull;
  memcpy(in, &userdata, 8);
  in[8] = 0; /* clock */
  uint32_t id = 1; /* monotonic */
  memcpy(in + 16, &id, 4);
  memcpy(in + 24, &timeout, 8);
  memcpy(in + 40, &flags, 2);
  uint32_t nevents = 0;
  uint64_t t0 = mono();
  errno_t e = w_poll_oneoff(in, out, 1, &nevents);
  uint64_t t1 = mono();
  uint64_t ud; uint16_t err;
  memcpy(&ud, out, 8);
  memcpy(&err, out + 8, 2);
  printf("%s: errno=%d elapsed_us=%llu nevents=%u type=%u userdata_ok=%d event_error=%u\n", what, e,
         (unsigned long long)((t1 - t0) / 1000), nevents, out[10], ud == userdata, err);
}

static void check_sleep(void) {
  sleep_check("relative", 50000000ull, 0);
  sleep_check("absolute", mono() + 30000000ull, 1);
  sleep_check("zero", 0, 0);
}

static void show_fdstat(const char *what, int fd) {
  _Alignas(8) unsigned char b[24];
  errno_t e = w_fd_fdstat_get(fd, b);
  if (e) { printf("%s: errno=%d\n", what, e); return; }
  uint16_t flags; uint64_t base;
  memcpy(&flags, b + 2, 2);
  memcpy(&base, b + 8, 8);
  /* wasi-libc's isatty(): a character device that cannot seek or tell */
  int tty = b[0] == FT_CHAR && !(base & (RIGHT_FD_SEEK | RIGHT_FD_TELL));
  printf("%s: filetype=%u flags=%u can_read=%d can_write=%d can_seek=%d wasi_isatty=%d\n", what, b[0], flags,
         (base & RIGHT_FD_READ) != 0, (base & RIGHT_FD_WRITE) != 0, (base & RIGHT_FD_SEEK) != 0, tty);
}

static void check_fdstat(const char *base) {
  show_fdstat("stdin", 0);
  show_fdstat("stdout", 1);
  show_fdstat("preopen", 3);
  uint32_t fd = must_open(3, J(base, "fdstat-file"), OFLAG_CREAT | OFLAG_TRUNC, FDFLAG_APPEND);
  show_fdstat("append file", fd);
  printf("set_flags errno=%d\n", w_fd_fdstat_set_flags(fd, 0));
  show_fdstat("after set_flags", fd);
  w_fd_close(fd);
  show_fdstat("closed", fd);
  show_fdstat("fd 999", 999);
  const char *p = J(base, "fdstat-file");
  w_path_unlink_file(3, p, strlen(p));
}

static void read_all(const char *what, int fd) {
  char buf[64] = {0};
  iovec_t iov = {(uint32_t)(uintptr_t)buf, sizeof buf - 1};
  uint32_t n = 0;
  errno_t e = w_fd_pread(fd, &iov, 1, 0, &n);
  if (e) printf("%s: errno=%d\n", what, e);
  else printf("%s: [%.*s]\n", what, (int)n, buf);
}

static void check_renumber(const char *base) {
  uint32_t a = must_open(3, J(base, "ren-a"), OFLAG_CREAT | OFLAG_TRUNC, 0);
  uint32_t b = must_open(3, J(base, "ren-b"), OFLAG_CREAT | OFLAG_TRUNC, 0);
  put(a, "contents of A");
  put(b, "contents of B");
  printf("distinct fds: %d\n", a != b);
  printf("renumber a->b errno=%d\n", w_fd_renumber(a, b));
  read_all("read b", b);
  read_all("read a", a);
  printf("renumber b->a(closed) errno=%d\n", w_fd_renumber(b, a));
  printf("renumber 999->b errno=%d\n", w_fd_renumber(999, b));
  printf("renumber b->b errno=%d\n", w_fd_renumber(b, b));
  read_all("read b again", b);
  printf("close b errno=%d\n", w_fd_close(b));
  printf("close a errno=%d\n", w_fd_close(a));
  const char *p = J(base, "ren-a");
  w_path_unlink_file(3, p, strlen(p));
  p = J(base, "ren-b");
  w_path_unlink_file(3, p, strlen(p));
}

static void show_times(const char *what, const char *path) {
  _Alignas(8) unsigned char st[64];
  errno_t e = w_path_filestat_get(3, 1, path, strlen(path), st);
  uint64_t atim, mtim;
  memcpy(&atim, st + 40, 8);
  memcpy(&mtim, st + 48, 8);
  if (e) printf("%s: errno=%d\n", what, e);
  else printf("%s: atim=%llu mtim=%llu\n", what, (unsigned long long)atim, (unsigned long long)mtim);
}

static void check_times(const char *base) {
  const char *p = J(base, "times-file");
  uint32_t fd = must_open(3, p, OFLAG_CREAT | OFLAG_TRUNC, 0);
  uint64_t at = 1600000000123456789ull, mt = 1700000000987654321ull;
  printf("set both errno=%d\n", w_path_filestat_set_times(3, 1, p, strlen(p), at, mt, FST_ATIM | FST_MTIM));
  show_times("after set both", p);
  printf("set mtim only errno=%d\n", w_path_filestat_set_times(3, 1, p, strlen(p), 0, 1500000000000000000ull, FST_MTIM));
  show_times("after set mtim", p);
  printf("fd set atim errno=%d\n", w_fd_filestat_set_times(fd, 1400000000000000000ull, 0, FST_ATIM));
  show_times("after fd set atim", p);
  printf("conflicting flags errno=%d\n", w_path_filestat_set_times(3, 1, p, strlen(p), 0, 0, FST_ATIM | FST_ATIM_NOW));
  printf("missing file errno=%d\n", w_path_filestat_set_times(3, 1, "no/such/file", 12, 0, 0, FST_ATIM_NOW));
  uint64_t now = 0;
  w_clock_time_get(0, 1, &now);
  printf("now_s=%llu\n", (unsigned long long)(now / 1000000000ull));
  printf("set now errno=%d\n", w_path_filestat_set_times(3, 1, p, strlen(p), 0, 0, FST_ATIM_NOW | FST_MTIM_NOW));
  show_times("after set now", p);
  w_fd_close(fd);
  w_path_unlink_file(3, p, strlen(p));
}

static uint64_t fsize(int fd) {
  _Alignas(8) unsigned char st[64];
  uint64_t size = ~0ull;
  if (w_fd_filestat_get(fd, st) == 0) memcpy(&size, st + 32, 8);
  return size;
}

static void check_allocate(const char *base) {
  const char *p = J(base, "alloc-file");
  uint32_t fd = must_open(3, p, OFLAG_CREAT | OFLAG_TRUNC, 0);
  put(fd, "0123456789");
  printf("size=%llu\n", (unsigned long long)fsize(fd));
  printf("allocate inside errno=%d\n", w_fd_allocate(fd, 0, 5));
  printf("size=%llu\n", (unsigned long long)fsize(fd));
  printf("allocate beyond errno=%d\n", w_fd_allocate(fd, 100, 50));
  printf("size=%llu\n", (unsigned long long)fsize(fd));
  char buf[160];
  memset(buf, 'x', sizeof buf);
  iovec_t iov = {(uint32_t)(uintptr_t)buf, sizeof buf};
  uint32_t n = 0;
  errno_t e = w_fd_pread(fd, &iov, 1, 0, &n);
  int zeros = 0;
  for (uint32_t i = 10; i < n; i++) zeros += buf[i] == 0;
  printf("pread errno=%d n=%u head=[%.10s] zeros=%d\n", e, n, buf, zeros);
  printf("allocate len 0 errno=%d\n", w_fd_allocate(fd, 0, 0));
  printf("allocate bad fd errno=%d\n", w_fd_allocate(999, 0, 1));
  w_fd_close(fd);
  uint32_t dfd = must_open(3, base, OFLAG_DIRECTORY, 0);
  printf("allocate on dir errno=%d\n", w_fd_allocate(dfd, 0, 1));
  w_fd_close(dfd);
  w_path_unlink_file(3, p, strlen(p));
}

static void check_raise(void) {
  printf("raising SIGTERM\n");
  fflush(stdout);
  errno_t e = w_proc_raise(SIGTERM_WASI);
  printf("survived proc_raise errno=%d\n", e);
}

static void check_prestat(void) {
  _Alignas(4) unsigned char b[8];
  errno_t e = w_fd_prestat_get(3, b);
  uint32_t len;
  memcpy(&len, b + 4, 4);
  printf("fd3: errno=%d tag=%u name_len=%u\n", e, b[0], len);
  char name[16] = {0};
  e = w_fd_prestat_dir_name(3, name, len);
  printf("fd3 name: errno=%d name=[%s]\n", e, name);
  printf("fd4: errno=%d\n", w_fd_prestat_get(4, b));
  printf("fd0: errno=%d\n", w_fd_prestat_get(0, b));
}

WASI(fd_pwrite) errno_t w_fd_pwrite(int fd, const iovec_t *iovs, uint32_t n, uint64_t offset, uint32_t *nwritten);
WASI(fd_filestat_set_size) errno_t w_fd_filestat_set_size(int fd, uint64_t size);

/* Edge cases found by fuzzing (regression checks). */
static void check_edge(const char *base) {
  char p[256];
  int n = snprintf(p, sizeof p, "%s/nul", base);
  p[n - 2] = 0; /* "<base>/n\0l" */
  uint32_t fd = 0;
  printf("open with NUL errno=%d\n", w_path_open(3, 1, p, n, 1, RIGHTS_ALL, RIGHTS_ALL, 0, &fd));
  n = snprintf(p, sizeof p, "%s/bad\xff\xfe", base);
  printf("mkdir not UTF-8 errno=%d\n", w_path_create_directory(3, p, n));
  n = snprintf(p, sizeof p, "%s/\xc3\xa9t\xc3\xa9", base);
  printf("mkdir UTF-8 errno=%d\n", w_path_create_directory(3, p, n));
  printf("rmdir UTF-8 errno=%d\n", w_path_remove_directory(3, p, n));

  uint32_t dfd = must_open(3, base, OFLAG_DIRECTORY, 0);
  static unsigned char buf[256];
  uint32_t used = 77;
  printf("readdir cookie 2^64-1 errno=%d used=%u\n", w_fd_readdir(dfd, buf, sizeof buf, ~0ull, &used), used);
  used = 77;
  printf("readdir cookie 2^63 errno=%d used=%u\n", w_fd_readdir(dfd, buf, sizeof buf, 1ull << 63, &used), used);
  w_fd_close(dfd);

  const char *f = J(base, "edge-file");
  uint32_t ffd = must_open(3, f, OFLAG_CREAT | OFLAG_TRUNC, 0);
  put(ffd, "data");
  printf("set_size 2^62 errno=%d\n", w_fd_filestat_set_size(ffd, 1ull << 62));
  iovec_t iov = {(uint32_t)(uintptr_t)buf, 4};
  uint32_t nn = 77;
  printf("pwrite at 2^62 errno=%d\n", w_fd_pwrite(ffd, &iov, 1, 1ull << 62, &nn));
  nn = 77;
  errno_t e = w_fd_pread(ffd, &iov, 1, 1ull << 62, &nn);
  printf("pread at 2^62 errno=%d n=%u\n", e, nn);
  printf("size=%llu\n", (unsigned long long)fsize(ffd));
  w_fd_close(ffd);
  w_path_unlink_file(3, f, strlen(f));
}

static void check_echo(void) {
  static char buf[5000];
  unsigned long total = 0;
  int reads = 0;
  for (;;) {
    iovec_t iov = {(uint32_t)(uintptr_t)buf, sizeof buf};
    uint32_t n = 0;
    errno_t e = w_fd_read(0, &iov, 1, &n);
    reads++;
    if (e) { fprintf(stderr, "read errno=%d\n", e); exit(1); }
    if (n == 0) break;
    total += n;
    uint32_t off = 0;
    while (off < n) {
      iovec_t o = {(uint32_t)(uintptr_t)(buf + off), n - off};
      uint32_t w = 0;
      if (w_fd_write(1, &o, 1, &w) || w == 0) { fprintf(stderr, "write failed\n"); exit(1); }
      off += w;
    }
  }
  fprintf(stderr, "total=%lu reads=%d\n", total, reads);
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: wasi_abi <check> [dir]\n"); return 2; }
  const char *c = argv[1], *dir = argc > 2 ? argv[2] : "tmp";
  if (!strcmp(c, "readdir")) check_readdir(dir);
  else if (!strcmp(c, "sleep")) check_sleep();
  else if (!strcmp(c, "fdstat")) check_fdstat(dir);
  else if (!strcmp(c, "renumber")) check_renumber(dir);
  else if (!strcmp(c, "times")) check_times(dir);
  else if (!strcmp(c, "allocate")) check_allocate(dir);
  else if (!strcmp(c, "raise")) check_raise();
  else if (!strcmp(c, "prestat")) check_prestat();
  else if (!strcmp(c, "echo")) check_echo();
  else if (!strcmp(c, "edge")) check_edge(dir);
  else { fprintf(stderr, "unknown check %s\n", c); return 2; }
  printf("done\n");
  return 0;
}
