/*
 * tail [-n [+]N | -c [+]N | -N] [-qv] [-f] [FILE]...: the last 10 (N) lines or N bytes of each
 * file; with '+', everything from line (byte) N on. Several files get "==> name <==" headers.
 * -f keeps reading the (last) file as it grows, polling every 0.2 s.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include "common.h"

static int by_bytes, from_start, follow;
static long long count = 10;

static int slurp(int fd, struct ul_buf *b) {
  char buf[65536];
  for (;;) {
    ssize_t r = ul_read(fd, buf, sizeof buf);
    if (r == 0) return 0;
    if (r < 0) return -1;
    ul_buf_add(b, buf, (size_t)r);
  }
}

/* Returns 0, -1 (read error), -2 (write error). */
static int tail_fd(int fd) {
  struct ul_buf b = {0};
  int r = slurp(fd, &b);
  size_t start;
  if (by_bytes) {
    if (from_start) start = count > 0 ? (size_t)(count - 1) : 0;
    else start = b.len > (size_t)count ? b.len - (size_t)count : 0;
    if (start > b.len) start = b.len;
  } else if (from_start) {
    start = 0;
    for (long long n = count > 0 ? count - 1 : 0; n > 0 && start < b.len; n--) {
      const char *nl = (const char *)memchr(b.data + start, '\n', b.len - start);
      start = nl ? (size_t)(nl - b.data) + 1 : b.len;
    }
  } else {
    start = b.len;
    long long n = count;
    if (start > 0 && b.data[start - 1] == '\n') start--; /* the final newline ends the last line */
    while (n > 0) {
      while (start > 0 && b.data[start - 1] != '\n') start--;
      if (--n > 0 && start > 0) start--;
      else break;
    }
    if (count == 0) start = b.len;
  }
  int w = b.len > start ? ul_write_all(1, b.data + start, b.len - start) : 0;
  free(b.data);
  if (w < 0) return -2;
  return r;
}

static void set_count(const char *s, int bytes) {
  const char *orig = s;
  by_bytes = bytes;
  from_start = *s == '+';
  if (*s == '+' || *s == '-') s++;
  count = ul_parse_count(s);
  if (count < 0) {
    ul_err("invalid number of %s: %s", bytes ? "bytes" : "lines", ul_q(orig));
    exit(1);
  }
}

int main(int argc, char **argv) {
  ul_setprog("tail");
  int headers = -1, c, status = 0;
  if (argc > 1 && argv[1][0] == '-' && argv[1][1] >= '0' && argv[1][1] <= '9') {
    char *a = argv[1] + 1, num[64];
    size_t k = strspn(a, "0123456789");
    if (k < sizeof num - 1 && (a[k] == '\0' || ((a[k] == 'c' || a[k] == 'l' || a[k] == 'f') && a[k + 1] == '\0'))) {
      memcpy(num, a, k);
      num[k] = '\0';
      set_count(num, a[k] == 'c');
      if (a[k] == 'f') follow = 1;
      argv[1] = argv[0];
      argv++;
      argc--;
    }
  }
  struct ul_getopt g;
  ul_getopt_init(&g, argc, argv, "n:c:qvfFz", 1, 1);
  while ((c = ul_getopt_next(&g)) != -1) {
    switch (c) {
    case 'n': set_count(g.arg, 0); break;
    case 'c': set_count(g.arg, 1); break;
    case 'q': headers = 0; break;
    case 'v': headers = 1; break;
    case 'f': case 'F': follow = 1; break;
    case 'z': break;
    default:
      if (strncmp(g.arg, "lines=", 6) == 0) set_count(g.arg + 6, 0);
      else if (strncmp(g.arg, "bytes=", 6) == 0) set_count(g.arg + 6, 1);
      else if (strcmp(g.arg, "quiet") == 0 || strcmp(g.arg, "silent") == 0) headers = 0;
      else if (strcmp(g.arg, "verbose") == 0) headers = 1;
      else if (strcmp(g.arg, "follow") == 0) follow = 1;
      else ul_bad_long(&g);
    }
  }
  static char *dash[] = {(char *)"-"};
  char **files = g.nops ? g.ops : dash;
  int nfiles = g.nops ? g.nops : 1;
  if (headers < 0) headers = nfiles > 1;
  int first = 1, last_fd = -1;
  for (int i = 0; i < nfiles; i++) {
    const char *name = files[i];
    int is_stdin = strcmp(name, "-") == 0;
    int fd = is_stdin ? 0 : open(name, O_RDONLY);
    if (fd < 0) {
      ul_err("cannot open %s for reading: %s", ul_q(name), strerror(errno));
      status = 1;
      continue;
    }
    if (headers) {
      printf("%s==> %s <==\n", first ? "" : "\n", is_stdin ? "standard input" : name);
      if (ul_flush_stdout()) return 1;
    }
    first = 0;
    int r = tail_fd(fd);
    if (r == -1) {
      ul_err("error reading %s: %s", ul_q(name), strerror(errno));
      status = 1;
    } else if (r == -2) {
      if (errno != EPIPE) ul_err("error writing 'standard output': %s", strerror(errno));
      return 1;
    }
    if (follow && i == nfiles - 1 && r == 0) last_fd = fd;
    else if (!is_stdin) close(fd);
  }
  if (follow && last_fd >= 0) {
    struct stat st;
    if (fstat(last_fd, &st) == 0 && (S_ISFIFO(st.st_mode) || last_fd == 0)) return status; /* a pipe ended */
    for (;;) {
      struct timespec ts = {0, 200000000L};
      nanosleep(&ts, NULL);
      int r = ul_copy_fd(last_fd, 1);
      if (r == -2) return 1;
    }
  }
  return status;
}
