/*
 * cat [-nbsEAu] [FILE]...: concatenates the files ("-" or none: standard input).
 * -n numbers all lines, -b non-empty lines, -s squeezes repeated empty lines, -E shows '$' at
 * line ends, -u is ignored. Errors ("cat: x: No such file or directory") don't stop the rest.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include "common.h"

static int number, number_nonblank, squeeze, show_ends;
/* State carried across files, as GNU cat does: the line counter and where the last file ended. */
static long long line_no;
static int at_line_start = 1, blank_run;

static char outbuf[65536];
static size_t outlen;

static int out_flush(void) {
  if (outlen && ul_write_all(1, outbuf, outlen) < 0) return -1;
  outlen = 0;
  return 0;
}

static int out_bytes(const char *p, size_t n) {
  if (outlen + n > sizeof outbuf && out_flush() < 0) return -1;
  if (n > sizeof outbuf) return ul_write_all(1, p, n);
  memcpy(outbuf + outlen, p, n);
  outlen += n;
  return 0;
}

/* The formatting path (-n, -b, -s, -E). Returns 0, -1 read error, -2 write error. */
static int cat_formatted(int fd) {
  static char buf[65536];
  for (;;) {
    ssize_t r = ul_read(fd, buf, sizeof buf);
    if (r == 0) return out_flush() < 0 ? -2 : 0;
    if (r < 0) return out_flush() < 0 ? -2 : -1;
    for (ssize_t i = 0; i < r; i++) {
      char c = buf[i];
      if (at_line_start) {
        if (c == '\n') {
          blank_run++;
          if (squeeze && blank_run > 1) continue;
        } else {
          blank_run = 0;
        }
        if (number && !(number_nonblank && c == '\n')) {
          char num[32];
          int k = snprintf(num, sizeof num, "%6lld\t", ++line_no);
          if (out_bytes(num, (size_t)k) < 0) return -2;
        }
      }
      if (c == '\n' && show_ends && out_bytes("$", 1) < 0) return -2;
      if (out_bytes(&c, 1) < 0) return -2;
      at_line_start = c == '\n';
    }
  }
}

int main(int argc, char **argv) {
  ul_setprog("cat");
  struct ul_getopt g;
  int c, status = 0;
  ul_getopt_init(&g, argc, argv, "nbsEAeuv", 1, 1);
  while ((c = ul_getopt_next(&g)) != -1) {
    switch (c) {
    case 'n': number = 1; break;
    case 'b': number = number_nonblank = 1; break;
    case 's': squeeze = 1; break;
    case 'E': case 'A': case 'e': show_ends = 1; break;
    case 'u': case 'v': break;
    default:
      if (strcmp(g.arg, "number") == 0) number = 1;
      else if (strcmp(g.arg, "number-nonblank") == 0) number = number_nonblank = 1;
      else if (strcmp(g.arg, "squeeze-blank") == 0) squeeze = 1;
      else if (strcmp(g.arg, "show-ends") == 0) show_ends = 1;
      else ul_bad_long(&g);
    }
  }
  int formatted = number || squeeze || show_ends;
  static char *dash[] = {(char *)"-"};
  char **files = g.nops ? g.ops : dash;
  int nfiles = g.nops ? g.nops : 1;
  for (int i = 0; i < nfiles; i++) {
    const char *name = files[i];
    int fd = strcmp(name, "-") == 0 ? 0 : open(name, O_RDONLY);
    if (fd < 0) {
      ul_err("%s: %s", ul_qf(name), strerror(errno));
      status = 1;
      continue;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      ul_err("%s: %s", ul_qf(name), strerror(EISDIR));
      status = 1;
      if (fd != 0) close(fd);
      continue;
    }
    int r = formatted ? cat_formatted(fd) : ul_copy_fd(fd, 1);
    if (r == -1) {
      ul_err("%s: %s", ul_qf(name), strerror(errno));
      status = 1;
    } else if (r == -2) {
      if (errno != EPIPE) ul_err("write error: %s", strerror(errno));
      return 1;
    }
    if (fd != 0) close(fd);
  }
  return status;
}
