/*
 * grep [-EFGivcnqlLhHswxr] [-e PATTERN]... [-m NUM] [PATTERN] [FILE]...: prints lines that match.
 * Patterns are basic regular expressions (<regex.h>; -E extended, -F fixed strings); several
 * patterns (-e, or newlines in PATTERN) match if any does. Exit status 0 if a line was selected,
 * 1 if none, 2 on an error (unless -q found a match), as GNU grep. Files with NUL bytes are
 * binary: "grep: X: binary file matches" (on stderr, as GNU grep 3.8) instead of the lines.
 * -r searches directories (names sorted; no "./" prefix when no file is named).
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <regex.h>
#include <sys/stat.h>
#include "common.h"

enum { BRE, ERE, FIXED };

static int mode = BRE, icase, invert, count_only, line_numbers, quiet, list_files, list_nonmatching, no_messages,
    word, whole_line, recursive, with_names = -1, only_matching;
static long long max_count = -1;

static char **patterns;
static size_t npatterns;
static regex_t *regs;
static int status_error;

static void add_patterns(const char *text) {
  /* one pattern per line */
  const char *p = text;
  for (;;) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    char *s = (char *)malloc(n + 1);
    char **v = (char **)realloc(patterns, (npatterns + 1) * sizeof *patterns);
    if (!s || !v) {
      ul_err("memory exhausted");
      exit(2);
    }
    memcpy(s, p, n);
    s[n] = '\0';
    patterns = v;
    patterns[npatterns++] = s;
    if (!nl) break;
    p = nl + 1;
  }
}

static int is_word_char(unsigned char c) { return isalnum(c) || c == '_'; }

/* Finds pattern k in line[0..len) from `from`: returns 1 with the match's [so, eo). */
static int find_one(size_t k, const char *line, size_t len, size_t from, size_t *so, size_t *eo) {
  if (mode == FIXED) {
    const char *pat = patterns[k];
    size_t m = strlen(pat);
    if (m > len) return 0;
    for (size_t i = from; i + m <= len; i++) {
      int ok = icase ? strncasecmp(line + i, pat, m) == 0 : memcmp(line + i, pat, m) == 0;
      if (ok) {
        *so = i;
        *eo = i + m;
        return 1;
      }
    }
    return 0;
  }
  regmatch_t rm[1];
  /* line is NUL-terminated by the caller */
  int flags = from > 0 ? REG_NOTBOL : 0;
  if (regexec(&regs[k], line + from, 1, rm, flags) != 0) return 0;
  *so = from + (size_t)rm[0].rm_so;
  *eo = from + (size_t)rm[0].rm_eo;
  return 1;
}

/* Does the line match (before -v)? -w and -x constrain where the match may lie. */
static int line_matches(const char *line, size_t len) {
  for (size_t k = 0; k < npatterns; k++) {
    size_t from = 0, so, eo;
    while (from <= len && find_one(k, line, len, from, &so, &eo)) {
      if (whole_line) {
        if (so == 0 && eo == len) return 1;
        /* a regex may match the whole line in another way: anchored variants are compiled for -x */
        break;
      }
      if (!word) return 1;
      int left_ok = so == 0 || !is_word_char((unsigned char)line[so - 1]);
      int right_ok = eo == len || !is_word_char((unsigned char)line[eo]);
      if (left_ok && right_ok) return 1;
      from = so + 1;
    }
  }
  return 0;
}

static void compile_patterns(void) {
  if (mode == FIXED) return;
  regs = (regex_t *)calloc(npatterns, sizeof *regs);
  if (!regs) exit(2);
  for (size_t k = 0; k < npatterns; k++) {
    const char *pat = patterns[k];
    char *anchored = NULL;
    if (whole_line) {
      /* ^(pat)$ so that the leftmost match is the whole line when possible */
      size_t n = strlen(pat);
      anchored = (char *)malloc(n + 8);
      if (!anchored) exit(2);
      if (mode == ERE) snprintf(anchored, n + 8, "^(%s)$", pat);
      else snprintf(anchored, n + 8, "^\\(%s\\)$", pat);
      pat = anchored;
    }
    int flags = (mode == ERE ? REG_EXTENDED : 0) | (icase ? REG_ICASE : 0);
    int r = regcomp(&regs[k], pat, flags);
    if (r != 0) {
      /* GNU grep's wording (libc regerror texts differ between glibc and musl) */
      const char *msg;
      switch (r) {
      case REG_EBRACK: msg = "Unmatched [, [^, [:, [., or [="; break;
      case REG_EPAREN: msg = "Unmatched ( or \\("; break;
      case REG_EBRACE: msg = "Unmatched \\{"; break;
      case REG_BADRPT: msg = "Invalid preceding regular expression"; break;
      case REG_ECOLLATE: msg = "Invalid collation character"; break;
      case REG_ECTYPE: msg = "Invalid character class name"; break;
      case REG_EESCAPE: msg = "Trailing backslash"; break;
      case REG_ESUBREG: msg = "Invalid back reference"; break;
      case REG_ERANGE: msg = "Invalid range end"; break;
      case REG_BADBR: msg = "Invalid content of \\{\\}"; break;
      case REG_ESPACE: msg = "Memory exhausted"; break;
      default: msg = "Invalid regular expression"; break;
      }
      ul_err("%s", msg);
      exit(2);
    }
    free(anchored);
  }
}

static struct ul_buf linebuf;

static void print_name(const char *name, char sep) {
  fputs(name, stdout);
  putchar(sep);
}

/* Searches one open file; returns the number of selected lines. */
static long long grep_fd(int fd, const char *name) {
  static char buf[65536];
  long long selected = 0, lineno = 0;
  int binary = 0, done = 0;
  linebuf.len = 0;
  for (;;) {
    ssize_t r = done ? 0 : ul_read(fd, buf, sizeof buf);
    if (r < 0) {
      if (!no_messages) ul_err("%s: %s", name, strerror(errno));
      status_error = 1;
      break;
    }
    if (r == 0 && linebuf.len == 0) break;
    if (r > 0) {
      if (memchr(buf, '\0', (size_t)r)) binary = 1;
      ul_buf_add(&linebuf, buf, (size_t)r);
    }
    /* process complete lines (all of it at EOF) */
    size_t start = 0;
    for (;;) {
      char *nl = (char *)memchr(linebuf.data + start, '\n', linebuf.len - start);
      if (!nl && r != 0) break;
      size_t end = nl ? (size_t)(nl - linebuf.data) : linebuf.len;
      if (!nl && end == start) break;
      char saved = linebuf.data[end];
      linebuf.data[end] = '\0';
      lineno++;
      int m = line_matches(linebuf.data + start, end - start) != invert;
      if (m) {
        selected++;
        if (quiet) exit(0);
        if (list_files || list_nonmatching) {
          done = 1;
        } else if (!count_only && !binary) {
          if (with_names) print_name(name, ':');
          if (line_numbers) printf("%lld:", lineno);
          fwrite(linebuf.data + start, 1, end - start, stdout);
          putchar('\n');
        }
        if (max_count >= 0 && selected >= max_count) done = 1;
      }
      linebuf.data[end] = saved;
      start = nl ? end + 1 : end;
      if (done || !nl) break;
    }
    memmove(linebuf.data, linebuf.data + start, linebuf.len - start);
    linebuf.len -= start;
    if (done) break;
    if (r == 0) {
      if (linebuf.len == 0) break;
      continue;
    }
  }
  if (count_only) {
    if (with_names) print_name(name, ':');
    printf("%lld\n", selected);
  }
  if (list_files && selected > 0) printf("%s\n", name);
  if (list_nonmatching && selected == 0) printf("%s\n", name);
  if (binary && selected > 0 && !count_only && !list_files && !list_nonmatching) ul_err("%s: binary file matches", name);
  return selected;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* `top`: a command-line operand; `implicit`: the "." searched by -r without operands. */
static long long grep_path(const char *path, int top, int implicit) {
  if (strcmp(path, "-") == 0) return grep_fd(0, "(standard input)");
  struct stat st;
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    if (!recursive) {
      if (!no_messages) ul_err("%s: Is a directory", path);
      status_error = 1;
      return 0;
    }
    DIR *d = opendir(path);
    if (!d) {
      if (!no_messages) ul_err("%s: %s", path, strerror(errno));
      status_error = 1;
      return 0;
    }
    struct ul_buf names = {0};
    size_t count = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
      if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
      ul_buf_add(&names, de->d_name, strlen(de->d_name) + 1);
      count++;
    }
    closedir(d);
    long long total = 0;
    char **v = (char **)malloc((count + 1) * sizeof *v);
    if (!v) exit(2);
    const char *n = names.data;
    for (size_t i = 0; i < count; i++, n += strlen(n) + 1) v[i] = (char *)n;
    qsort(v, count, sizeof *v, cmp_str);
    for (size_t i = 0; i < count; i++) {
      char *child = implicit ? strdup(v[i]) : ul_path_join(path, v[i]);
      struct stat cst;
      if (child && lstat(child, &cst) == 0 && !S_ISLNK(cst.st_mode)) total += grep_path(child, 0, 0);
      free(child);
    }
    free(v);
    free(names.data);
    return total;
  }
  (void)top;
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    if (!no_messages) ul_err("%s: %s", path, strerror(errno));
    status_error = 1;
    return 0;
  }
  long long n = grep_fd(fd, path);
  close(fd);
  return n;
}

int main(int argc, char **argv) {
  ul_setprog("grep");
  struct ul_getopt g;
  int c, have_e = 0;
  ul_getopt_init(&g, argc, argv, "EFGivycnqslLhHwxrRe:m:o", 1, 2);
  while ((c = ul_getopt_next(&g)) != -1) {
    switch (c) {
    case 'E': mode = ERE; break;
    case 'F': mode = FIXED; break;
    case 'G': mode = BRE; break;
    case 'i': case 'y': icase = 1; break;
    case 'v': invert = 1; break;
    case 'c': count_only = 1; break;
    case 'n': line_numbers = 1; break;
    case 'q': quiet = 1; break;
    case 's': no_messages = 1; break;
    case 'l': list_files = 1; list_nonmatching = 0; break;
    case 'L': list_nonmatching = 1; list_files = 0; break;
    case 'h': with_names = 0; break;
    case 'H': with_names = 1; break;
    case 'w': word = 1; break;
    case 'x': whole_line = 1; break;
    case 'r': case 'R': recursive = 1; break;
    case 'o': only_matching = 1; break;
    case 'e': add_patterns(g.arg); have_e = 1; break;
    case 'm': {
      char *end;
      max_count = strtoll(g.arg, &end, 10);
      if (*g.arg == '\0' || *end != '\0') {
        ul_err("invalid max count");
        return 2;
      }
      break;
    }
    default:
      if (strcmp(g.arg, "extended-regexp") == 0) mode = ERE;
      else if (strcmp(g.arg, "fixed-strings") == 0) mode = FIXED;
      else if (strcmp(g.arg, "ignore-case") == 0) icase = 1;
      else if (strcmp(g.arg, "invert-match") == 0) invert = 1;
      else if (strcmp(g.arg, "count") == 0) count_only = 1;
      else if (strcmp(g.arg, "line-number") == 0) line_numbers = 1;
      else if (strcmp(g.arg, "quiet") == 0 || strcmp(g.arg, "silent") == 0) quiet = 1;
      else if (strcmp(g.arg, "recursive") == 0) recursive = 1;
      else if (strncmp(g.arg, "regexp=", 7) == 0) { add_patterns(g.arg + 7); have_e = 1; }
      else ul_bad_long(&g);
    }
  }
  if (only_matching) {
    ul_err("-o is not supported");
    return 2;
  }
  int first = 0;
  if (!have_e) {
    if (g.nops == 0) {
      fprintf(stderr, "Usage: grep [OPTION]... PATTERNS [FILE]...\n");
      ul_try_help();
      return 2;
    }
    add_patterns(g.ops[0]);
    first = 1;
  }
  compile_patterns();
  int nfiles = g.nops - first;
  char **files = g.ops + first;
  static char *dash[] = {(char *)"-"}, *dot[] = {(char *)"."};
  if (nfiles == 0) {
    files = recursive ? dot : dash;
    nfiles = 1;
  }
  if (with_names < 0) with_names = nfiles > 1 || recursive;
  long long selected = 0;
  for (int i = 0; i < nfiles; i++) selected += grep_path(files[i], 1, files == dot);
  if (ul_flush_stdout()) return 2;
  if (status_error && !(quiet && selected > 0)) return 2;
  return selected > 0 ? 0 : 1;
}
