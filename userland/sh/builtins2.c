/* /bin/sh: the test ([) and printf builtins. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sh.h"

/* ---- test ---- */

static const char *test_name = "test"; /* "test" or "[" for messages */

struct targs {
  char **v;
  int n, i;
  int err;
};

static int is_unary(const char *s) {
  return s[0] == '-' && s[1] && !s[2] && strchr("bcdefghknprstuwxzLSGO", s[1]);
}

static int is_binary(const char *s) {
  static const char *const ops[] = {"=", "!=", "==", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt",
                                    "-ge", "-nt", "-ot", "-ef", NULL};
  for (int i = 0; ops[i]; i++)
    if (strcmp(s, ops[i]) == 0) return 1;
  return 0;
}

static int to_int(struct targs *t, const char *s, long *v) {
  char *end;
  while (*s == ' ' || *s == '\t') s++;
  errno = 0;
  *v = strtol(s, &end, 10);
  while (*end == ' ' || *end == '\t') end++;
  if (*s == '\0' || *end != '\0' || errno) {
    sh_error("%s: Illegal number: %s", test_name, s);
    t->err = 1;
    return -1;
  }
  return 0;
}

static int unary(struct targs *t, const char *op, const char *a) {
  struct stat st;
  switch (op[1]) {
  case 'n': return a[0] != '\0';
  case 'z': return a[0] == '\0';
  case 't': {
    long fd;
    if (to_int(t, a, &fd) < 0) return 0;
    return isatty((int)fd);
  }
  case 'L':
  case 'h': return lstat(a, &st) == 0 && S_ISLNK(st.st_mode);
  default: break;
  }
  if (stat(a, &st) != 0) return 0;
  switch (op[1]) {
  case 'e': return 1;
  case 'f': return S_ISREG(st.st_mode);
  case 'd': return S_ISDIR(st.st_mode);
  case 'b': return S_ISBLK(st.st_mode);
  case 'c': return S_ISCHR(st.st_mode);
  case 'p': return S_ISFIFO(st.st_mode);
  case 'S': return S_ISSOCK(st.st_mode);
  case 's': return st.st_size > 0;
  case 'r': return access(a, R_OK) == 0;
  case 'w': return access(a, W_OK) == 0;
  case 'x': return access(a, X_OK) == 0;
  case 'g': return (st.st_mode & S_ISGID) != 0;
  case 'u': return (st.st_mode & S_ISUID) != 0;
  case 'k': return (st.st_mode & S_ISVTX) != 0;
  case 'G':
  case 'O': return 1;
  default: return 0;
  }
}

static int binary(struct targs *t, const char *a, const char *op, const char *b) {
  if (strcmp(op, "=") == 0 || strcmp(op, "==") == 0) return strcmp(a, b) == 0;
  if (strcmp(op, "!=") == 0) return strcmp(a, b) != 0;
  if (strcmp(op, "<") == 0) return strcmp(a, b) < 0;
  if (strcmp(op, ">") == 0) return strcmp(a, b) > 0;
  if (strcmp(op, "-nt") == 0 || strcmp(op, "-ot") == 0 || strcmp(op, "-ef") == 0) {
    struct stat sa, sb;
    int ha = stat(a, &sa) == 0, hb = stat(b, &sb) == 0;
    if (strcmp(op, "-ef") == 0) return ha && hb && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (strcmp(op, "-nt") == 0) return ha && (!hb || sa.st_mtime > sb.st_mtime);
    return hb && (!ha || sa.st_mtime < sb.st_mtime);
  }
  long x, y;
  if (to_int(t, a, &x) < 0 || to_int(t, b, &y) < 0) return 0;
  if (strcmp(op, "-eq") == 0) return x == y;
  if (strcmp(op, "-ne") == 0) return x != y;
  if (strcmp(op, "-lt") == 0) return x < y;
  if (strcmp(op, "-le") == 0) return x <= y;
  if (strcmp(op, "-gt") == 0) return x > y;
  return x >= y;
}

static int t_or(struct targs *t);

static const char *t_next(struct targs *t) {
  if (t->i >= t->n) {
    if (!t->err) sh_error("%s: argument expected", test_name);
    t->err = 1;
    return "";
  }
  return t->v[t->i++];
}

static int t_primary(struct targs *t) {
  if (t->i >= t->n) {
    t_next(t);
    return 0;
  }
  const char *a = t->v[t->i];
  if (strcmp(a, "!") == 0) {
    t->i++;
    return !t_primary(t);
  }
  if (strcmp(a, "(") == 0) {
    t->i++;
    int r = t_or(t);
    if (t->i >= t->n || strcmp(t->v[t->i], ")") != 0) {
      if (!t->err) sh_error("%s: closing paren expected", test_name);
      t->err = 1;
      return 0;
    }
    t->i++;
    return r;
  }
  if (t->i + 2 < t->n + 0 && is_binary(t->v[t->i + 1])) {
    t->i += 3;
    return binary(t, a, t->v[t->i - 2], t->v[t->i - 1]);
  }
  if (t->i + 2 == t->n && is_binary(t->v[t->i + 1])) {
    t->i += 3;
    return binary(t, a, t->v[t->i - 2], t->v[t->i - 1]);
  }
  if (is_unary(a) && t->i + 1 < t->n) {
    t->i += 2;
    return unary(t, a, t->v[t->i - 1]);
  }
  t->i++;
  return a[0] != '\0';
}

static int t_and(struct targs *t) {
  int r = t_primary(t);
  while (t->i < t->n && strcmp(t->v[t->i], "-a") == 0) {
    t->i++;
    int s = t_primary(t);
    r = r && s;
  }
  return r;
}

static int t_or(struct targs *t) {
  int r = t_and(t);
  while (t->i < t->n && strcmp(t->v[t->i], "-o") == 0) {
    t->i++;
    int s = t_and(t);
    r = r || s;
  }
  return r;
}

/* POSIX's rules by argument count, then the general grammar. */
static int t_eval(struct targs *t, char **v, int n) {
  switch (n) {
  case 0: return 0;
  case 1: return v[0][0] != '\0';
  case 2:
    if (strcmp(v[0], "!") == 0) return v[1][0] == '\0';
    if (is_unary(v[0])) return unary(t, v[0], v[1]);
    break;
  case 3:
    if (is_binary(v[1])) return binary(t, v[0], v[1], v[2]);
    if (strcmp(v[0], "!") == 0) return !t_eval(t, v + 1, 2);
    if (strcmp(v[0], "(") == 0 && strcmp(v[2], ")") == 0) return v[1][0] != '\0';
    break;
  case 4:
    if (strcmp(v[0], "!") == 0) return !t_eval(t, v + 1, 3);
    if (strcmp(v[0], "(") == 0 && strcmp(v[3], ")") == 0) return t_eval(t, v + 1, 2);
    break;
  default: break;
  }
  t->v = v;
  t->n = n;
  t->i = 0;
  int r = t_or(t);
  if (!t->err && t->i < t->n) {
    sh_error("%s: unexpected operator", test_name);
    t->err = 1;
  }
  return r;
}

int bi_test(int argc, char **argv) {
  test_name = argv[0];
  if (strcmp(argv[0], "[") == 0) {
    if (strcmp(argv[argc - 1], "]") != 0) {
      sh_error("[: missing ]");
      return 2;
    }
    argc--;
  }
  struct targs t = {NULL, 0, 0, 0};
  int r = t_eval(&t, argv + 1, argc - 1);
  if (t.err) return 2;
  return r ? 0 : 1;
}

/* ---- printf ---- */

/* Backslash escapes of the format (and of %b arguments; then \c stops everything). */
static int escape(const char **pp, str_t *o, int in_b) {
  const char *p = *pp; /* at the character after '\\' */
  switch (*p) {
  case 'a': str_addc(o, '\a'); break;
  case 'b': str_addc(o, '\b'); break;
  case 'c': *pp = p + 1; return 1;
  case 'e': str_addc(o, 27); break;
  case 'f': str_addc(o, '\f'); break;
  case 'n': str_addc(o, '\n'); break;
  case 'r': str_addc(o, '\r'); break;
  case 't': str_addc(o, '\t'); break;
  case 'v': str_addc(o, '\v'); break;
  case '\\': str_addc(o, '\\'); break;
  case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
    int v = 0, k = 0;
    if (in_b && *p == '0') p++;
    while (k < 3 && *p >= '0' && *p <= '7') {
      v = v * 8 + (*p++ - '0');
      k++;
    }
    str_addc(o, (char)v);
    *pp = p;
    return 0;
  }
  case '\0': str_addc(o, '\\'); *pp = p; return 0;
  default:
    str_addc(o, '\\');
    str_addc(o, *p);
    break;
  }
  *pp = p + 1;
  return 0;
}

static long arg_num(const char *s, int *bad) {
  if (s[0] == '\'' || s[0] == '"') return (unsigned char)s[1];
  char *end;
  errno = 0;
  long v = strtol(s, &end, 0);
  if (*s == '\0') return 0;
  if (*end || errno) {
    sh_error("printf: %s: %s", s, end == s ? "expected numeric value" : *end ? "not completely converted" : strerror(errno));
    *bad = 1;
  }
  return v;
}

int bi_printf(int argc, char **argv) {
  if (argc < 2) {
    sh_error("printf: usage: printf format [arg ...]");
    return 2;
  }
  const char *fmt = argv[1];
  int ai = 2, bad = 0, stop = 0;
  str_t o = {0};
  do {
    int used = 0;
    for (const char *p = fmt; *p && !stop;) {
      if (*p == '\\') {
        p++;
        if (escape(&p, &o, 0)) stop = 1;
        continue;
      }
      if (*p != '%') {
        str_addc(&o, *p++);
        continue;
      }
      if (p[1] == '%') {
        str_addc(&o, '%');
        p += 2;
        continue;
      }
      /* %[flags][width][.prec]conv */
      char spec[64];
      size_t k = 0;
      spec[k++] = *p++;
      while (*p && strchr("-+ #0", *p) && k < 40) spec[k++] = *p++;
      if (*p == '*') {
        const char *a = ai < argc ? argv[ai++] : "0";
        used = 1;
        k += (size_t)snprintf(spec + k, sizeof spec - k, "%ld", arg_num(a, &bad));
        p++;
      } else {
        while (*p >= '0' && *p <= '9' && k < 50) spec[k++] = *p++;
      }
      if (*p == '.') {
        spec[k++] = *p++;
        if (*p == '*') {
          const char *a = ai < argc ? argv[ai++] : "0";
          used = 1;
          k += (size_t)snprintf(spec + k, sizeof spec - k, "%ld", arg_num(a, &bad));
          p++;
        } else {
          while (*p >= '0' && *p <= '9' && k < 58) spec[k++] = *p++;
        }
      }
      char conv = *p ? *p++ : 's';
      const char *a = ai < argc ? argv[ai++] : NULL;
      if (a) used = 1;
      char buf[512];
      int n = 0;
      switch (conv) {
      case 'd':
      case 'i':
        spec[k++] = 'l';
        spec[k++] = 'd';
        spec[k] = '\0';
        n = snprintf(buf, sizeof buf, spec, a ? arg_num(a, &bad) : 0L);
        break;
      case 'u':
      case 'o':
      case 'x':
      case 'X':
        spec[k++] = 'l';
        spec[k++] = conv;
        spec[k] = '\0';
        n = snprintf(buf, sizeof buf, spec, (unsigned long)(a ? arg_num(a, &bad) : 0L));
        break;
      case 'c':
        spec[k++] = 'c';
        spec[k] = '\0';
        n = snprintf(buf, sizeof buf, spec, a && *a ? *a : '\0');
        if (!(a && *a)) n = 0;
        break;
      case 'b': {
        str_t t = {0};
        for (const char *q = a ? a : ""; *q && !stop;) {
          if (*q == '\\') {
            q++;
            if (escape(&q, &t, 1)) stop = 1;
          } else {
            str_addc(&t, *q++);
          }
        }
        char *ts = str_done(&t);
        spec[k++] = 's';
        spec[k] = '\0';
        int m = snprintf(NULL, 0, spec, ts);
        char *big = xmalloc((size_t)m + 1);
        snprintf(big, (size_t)m + 1, spec, ts);
        str_addn(&o, big, (size_t)m);
        free(big);
        free(ts);
        continue;
      }
      case 's':
      default: {
        spec[k++] = 's';
        spec[k] = '\0';
        const char *s = a ? a : "";
        int m = snprintf(NULL, 0, spec, s);
        char *big = xmalloc((size_t)m + 1);
        snprintf(big, (size_t)m + 1, spec, s);
        str_addn(&o, big, (size_t)m);
        free(big);
        continue;
      }
      }
      if (n > 0) str_addn(&o, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
    }
    if (!used) break;
  } while (ai < argc && !stop);
  if (o.len && write_all(1, o.s, o.len) < 0 && errno != EPIPE) sh_error("printf: write error: %s", strerror(errno));
  free(o.s);
  return bad ? 1 : 0;
}
