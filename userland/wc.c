/*
 * wc [-lwcmL] [FILE]...: newline, word and byte counts (by default all three), with a total
 * line for several files. Column widths follow GNU wc: 1 when only one count of one input is
 * printed, else the digits of the regular files' total size, at least 7 if an input is not a
 * regular file. Words, as GNU wc in the C locale: runs of printable non-space bytes.
 */
#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>
#include "common.h"

static int do_lines, do_words, do_chars, do_bytes, do_maxlen;

struct counts {
  unsigned long long lines, words, chars, bytes, maxlen;
};

static struct counts total;
static int width = 1;

static int count_fd(int fd, struct counts *c) {
  static char buf[65536];
  int in_word = 0;
  unsigned long long linepos = 0;
  for (;;) {
    ssize_t r = ul_read(fd, buf, sizeof buf);
    if (r == 0) break;
    if (r < 0) return -1;
    c->bytes += (unsigned long long)r;
    for (ssize_t i = 0; i < r; i++) {
      unsigned char ch = (unsigned char)buf[i];
      switch (ch) {
      case '\n':
        c->lines++;
        /* fall through */
      case '\r': case '\f':
        if (linepos > c->maxlen) c->maxlen = linepos;
        linepos = 0;
        c->words += in_word;
        in_word = 0;
        break;
      case '\t':
        linepos += 8 - linepos % 8;
        c->words += in_word;
        in_word = 0;
        break;
      case ' ':
        linepos++;
        /* fall through */
      case '\v':
        c->words += in_word;
        in_word = 0;
        break;
      default:
        if (isprint(ch)) {
          linepos++;
          in_word = 1;
        }
        break;
      }
    }
  }
  if (linepos > c->maxlen) c->maxlen = linepos;
  c->words += in_word;
  c->chars = c->bytes; /* C locale: one byte, one character */
  return 0;
}

static void print_counts(const struct counts *c, const char *name) {
  const char *sep = "";
  if (do_lines) { printf("%s%*llu", sep, width, c->lines); sep = " "; }
  if (do_words) { printf("%s%*llu", sep, width, c->words); sep = " "; }
  if (do_chars) { printf("%s%*llu", sep, width, c->chars); sep = " "; }
  if (do_bytes) { printf("%s%*llu", sep, width, c->bytes); sep = " "; }
  if (do_maxlen) { printf("%s%*llu", sep, width, c->maxlen); sep = " "; }
  if (name) printf(" %s", name);
  putchar('\n');
}

int main(int argc, char **argv) {
  ul_setprog("wc");
  struct ul_getopt g;
  int c, status = 0;
  ul_getopt_init(&g, argc, argv, "lwcmL", 1, 1);
  while ((c = ul_getopt_next(&g)) != -1) {
    switch (c) {
    case 'l': do_lines = 1; break;
    case 'w': do_words = 1; break;
    case 'c': do_bytes = 1; break;
    case 'm': do_chars = 1; break;
    case 'L': do_maxlen = 1; break;
    default:
      if (strcmp(g.arg, "lines") == 0) do_lines = 1;
      else if (strcmp(g.arg, "words") == 0) do_words = 1;
      else if (strcmp(g.arg, "bytes") == 0) do_bytes = 1;
      else if (strcmp(g.arg, "chars") == 0) do_chars = 1;
      else if (strcmp(g.arg, "max-line-length") == 0) do_maxlen = 1;
      else ul_bad_long(&g);
    }
  }
  if (!(do_lines || do_words || do_chars || do_bytes || do_maxlen)) do_lines = do_words = do_bytes = 1;
  int ncounts = do_lines + do_words + do_chars + do_bytes + do_maxlen;
  int nfiles = g.nops ? g.nops : 1;
  char **files = g.ops;

  /* column width, from stat of every input first (as GNU wc does) */
  if (!(nfiles == 1 && ncounts == 1)) {
    int first_ok = 1, min_width = 1;
    unsigned long long regular = 0;
    for (int i = 0; i < nfiles; i++) {
      struct stat st;
      const char *name = g.nops ? files[i] : "-";
      int failed = strcmp(name, "-") == 0 ? fstat(0, &st) : stat(name, &st);
      if (i == 0 && failed) first_ok = 0;
      if (failed) continue;
      if (S_ISREG(st.st_mode)) regular += (unsigned long long)st.st_size;
      else min_width = 7;
    }
    if (first_ok) {
      for (width = 1; regular >= 10; regular /= 10) width++;
      if (width < min_width) width = min_width;
    }
  }

  for (int i = 0; i < nfiles; i++) {
    const char *name = g.nops ? files[i] : NULL;
    int is_stdin = !name || strcmp(name, "-") == 0;
    int fd = is_stdin ? 0 : open(name, O_RDONLY);
    if (fd < 0) {
      ul_err("%s: %s", ul_qf(name), strerror(errno));
      status = 1;
      continue;
    }
    struct counts cnt = {0, 0, 0, 0, 0};
    if (count_fd(fd, &cnt) < 0) {
      ul_err("%s: %s", ul_qf(name ? name : "-"), strerror(errno));
      status = 1;
    }
    if (!is_stdin) close(fd);
    print_counts(&cnt, name);
    total.lines += cnt.lines;
    total.words += cnt.words;
    total.chars += cnt.chars;
    total.bytes += cnt.bytes;
    if (cnt.maxlen > total.maxlen) total.maxlen = cnt.maxlen;
  }
  if (nfiles > 1) print_counts(&total, "total");
  if (ul_flush_stdout()) return 1;
  return status;
}
