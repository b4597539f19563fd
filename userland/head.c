/*
 * head [-n [-]N | -c [-]N | -N] [-qv] [FILE]...: the first 10 (N) lines or N bytes of each file;
 * with a leading '-', all but the last N. Several files get "==> name <==" headers.
 */
#include <fcntl.h>
#include "common.h"

static int by_bytes, all_but;
static long long count = 10;

/* Reads all of fd. Returns 0 or -1 (errno set). */
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
static int head_fd(int fd) {
  if (all_but) {
    struct ul_buf b = {0};
    int r = slurp(fd, &b);
    size_t keep = 0;
    if (by_bytes) {
      keep = b.len > (size_t)count ? b.len - (size_t)count : 0;
    } else {
      /* drop the last `count` lines (a final line without '\n' counts as a line) */
      size_t end = b.len;
      long long n = count;
      if (end > 0 && b.data[end - 1] != '\n') {
        if (n > 0) {
          while (end > 0 && b.data[end - 1] != '\n') end--;
          n--;
        }
      }
      while (n > 0 && end > 0) {
        end--; /* the '\n' ending the line */
        while (end > 0 && b.data[end - 1] != '\n') end--;
        n--;
      }
      keep = end;
    }
    int w = keep ? ul_write_all(1, b.data, keep) : 0;
    free(b.data);
    if (w < 0) return -2;
    return r;
  }
  char buf[65536];
  long long left = count;
  while (left > 0) {
    ssize_t r = ul_read(fd, buf, sizeof buf);
    if (r == 0) return 0;
    if (r < 0) return -1;
    size_t n = (size_t)r;
    if (by_bytes) {
      if ((long long)n > left) n = (size_t)left;
      left -= (long long)n;
    } else {
      size_t i = 0;
      for (; i < n && left > 0; i++)
        if (buf[i] == '\n') left--;
      n = i;
    }
    if (ul_write_all(1, buf, n) < 0) return -2;
  }
  return 0;
}

static void set_count(const char *s, int bytes) {
  by_bytes = bytes;
  all_but = *s == '-';
  if (all_but) s++;
  count = ul_parse_count(s);
  if (count < 0) {
    ul_err("invalid number of %s: %s", bytes ? "bytes" : "lines", ul_q(all_but ? s - 1 : s));
    exit(1);
  }
}

int main(int argc, char **argv) {
  ul_setprog("head");
  int headers = -1, c, status = 0;
  /* obsolete "-N" (also "-Nc") as the first argument */
  if (argc > 1 && argv[1][0] == '-' && argv[1][1] >= '0' && argv[1][1] <= '9') {
    char *a = argv[1] + 1, num[64];
    size_t k = strspn(a, "0123456789");
    if (k < sizeof num - 1 && (a[k] == '\0' || ((a[k] == 'c' || a[k] == 'l') && a[k + 1] == '\0'))) {
      memcpy(num, a, k);
      num[k] = '\0';
      set_count(num, a[k] == 'c');
      argv[1] = argv[0];
      argv++;
      argc--;
    }
  }
  struct ul_getopt g;
  ul_getopt_init(&g, argc, argv, "n:c:qvz", 1, 1);
  while ((c = ul_getopt_next(&g)) != -1) {
    switch (c) {
    case 'n': set_count(g.arg, 0); break;
    case 'c': set_count(g.arg, 1); break;
    case 'q': headers = 0; break;
    case 'v': headers = 1; break;
    case 'z': break;
    default:
      if (strncmp(g.arg, "lines=", 6) == 0) set_count(g.arg + 6, 0);
      else if (strncmp(g.arg, "bytes=", 6) == 0) set_count(g.arg + 6, 1);
      else if (strcmp(g.arg, "quiet") == 0 || strcmp(g.arg, "silent") == 0) headers = 0;
      else if (strcmp(g.arg, "verbose") == 0) headers = 1;
      else ul_bad_long(&g);
    }
  }
  static char *dash[] = {(char *)"-"};
  char **files = g.nops ? g.ops : dash;
  int nfiles = g.nops ? g.nops : 1;
  if (headers < 0) headers = nfiles > 1;
  int first = 1;
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
    int r = head_fd(fd);
    if (r == -1) {
      ul_err("error reading %s: %s", ul_q(name), strerror(errno));
      status = 1;
    } else if (r == -2) {
      if (errno != EPIPE) ul_err("error writing 'standard output': %s", strerror(errno));
      return 1;
    }
    if (!is_stdin) close(fd);
  }
  return status;
}
