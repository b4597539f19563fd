/* /bin/sh: memory, strings, messages. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

static void oom(void) {
  static const char msg[] = "sh: out of memory\n";
  write_all(2, msg, sizeof msg - 1);
  _exit(2);
}

void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (p == NULL) oom();
  return p;
}

void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (p == NULL) oom();
  return p;
}

char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

char *xstrndup(const char *s, size_t n) {
  char *p = xmalloc(n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

static void str_grow(str_t *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 32;
  while (cap < b->len + extra + 1) cap *= 2;
  b->s = xrealloc(b->s, cap);
  b->cap = cap;
}

void str_addc(str_t *b, char c) {
  str_grow(b, 1);
  b->s[b->len++] = c;
  b->s[b->len] = '\0';
}

void str_addn(str_t *b, const char *s, size_t n) {
  str_grow(b, n);
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void str_adds(str_t *b, const char *s) { str_addn(b, s, strlen(s)); }

char *str_done(str_t *b) {
  char *s = b->s ? b->s : xstrdup("");
  b->s = NULL;
  b->len = b->cap = 0;
  return s;
}

void strv_add(strv_t *l, char *s) {
  if (l->n + 2 > l->cap) {
    l->cap = l->cap ? l->cap * 2 : 8;
    l->v = xrealloc(l->v, (size_t)l->cap * sizeof *l->v);
  }
  l->v[l->n++] = s;
  l->v[l->n] = NULL;
}

void strv_free(strv_t *l) {
  for (int i = 0; i < l->n; i++) free(l->v[i]);
  free(l->v);
  l->v = NULL;
  l->n = l->cap = 0;
}

char **strv_nullterm(strv_t *l) {
  if (l->v == NULL) {
    l->v = xmalloc(sizeof *l->v);
    l->cap = 1;
  }
  l->v[l->n] = NULL;
  return l->v;
}

int write_all(int fd, const char *s, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    s += w;
    n -= (size_t)w;
  }
  return 0;
}

void sh_error(const char *fmt, ...) {
  char buf[2048];
  int n = snprintf(buf, sizeof buf, "%s: ", sh.name ? sh.name : "sh");
  if (n < 0) n = 0;
  va_list ap;
  va_start(ap, fmt);
  int m = vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
  va_end(ap);
  if (m < 0) m = 0;
  n += m;
  if ((size_t)n > sizeof buf - 2) n = (int)sizeof buf - 2;
  buf[n++] = '\n';
  write_all(2, buf, (size_t)n);
}

int fd_move_high(int fd) {
  if (fd < 0 || fd >= SH_FD_MIN) {
    if (fd >= 0) fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
  }
  int nfd = fcntl(fd, F_DUPFD_CLOEXEC, SH_FD_MIN);
  if (nfd < 0) return fd;
  close(fd);
  return nfd;
}
