/* /bin/sh: word expansion — tilde, parameters, command substitution, arithmetic, field
 * splitting, pathname expansion and quote removal.
 *
 * A raw word is expanded into a buffer of characters, each with a mark saying how it may be
 * treated afterwards: M_QUOTED (literal), M_LIT (unquoted source text: globbed, not split),
 * M_EXP (result of an unquoted expansion: split and globbed), plus two zero-width marks:
 * M_EMPTY (quotes were here, so the field exists even if empty) and M_BREAK (a field boundary,
 * between the words of $@). */
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"
#include "expand.h"

void xb_add(struct xbuf *o, char c, char mark) {
  str_addc(&o->s, c);
  str_addc(&o->m, mark);
}

void xb_adds(struct xbuf *o, const char *s, char mark) {
  for (; *s; s++) xb_add(o, *s, mark);
}

void xb_free(struct xbuf *o) {
  free(o->s.s);
  free(o->m.s);
  o->s.s = o->m.s = NULL;
  o->s.len = o->s.cap = o->m.len = o->m.cap = 0;
}

/* ---- scanning raw text ---- */

/* p at an opening quote ("); returns the closing one (or end). */
const char *skip_dquote(const char *p, const char *end) {
  for (p++; p < end; p++) {
    if (*p == '\\' && p + 1 < end) p++;
    else if (*p == '"') return p;
    else if (*p == '`') p = skip_bquote(p, end);
    else if (*p == '\001') p = skip_cmdsubst(p, end);
    else if (*p == '$' && p + 1 < end && p[1] == '{') p = skip_brace(p + 1, end);
    else if (*p == '$' && p + 2 < end && p[1] == '(' && p[2] == '(') p = skip_arith(p, end);
    if (p >= end) return end;
  }
  return end;
}

/* p at a backquote; returns the closing one. */
const char *skip_bquote(const char *p, const char *end) {
  for (p++; p < end; p++) {
    if (*p == '\\' && p + 1 < end) p++;
    else if (*p == '`') return p;
  }
  return end;
}

const char *skip_cmdsubst(const char *p, const char *end) {
  for (p++; p < end; p++)
    if (*p == '\002') return p;
  return end;
}

/* p at '{' of "${"; returns the matching '}'. */
const char *skip_brace(const char *p, const char *end) {
  for (p++; p < end; p++) {
    switch (*p) {
    case '\\':
      if (p + 1 < end) p++;
      break;
    case '\'': {
      const char *q = memchr(p + 1, '\'', (size_t)(end - p - 1));
      p = q ? q : end;
      break;
    }
    case '"': p = skip_dquote(p, end); break;
    case '`': p = skip_bquote(p, end); break;
    case '\001': p = skip_cmdsubst(p, end); break;
    case '$':
      if (p + 1 < end && p[1] == '{') p = skip_brace(p + 1, end);
      else if (p + 2 < end && p[1] == '(' && p[2] == '(') p = skip_arith(p, end);
      break;
    case '}': return p;
    default: break;
    }
    if (p >= end) return end;
  }
  return end;
}

/* p at '$' of "$(("; returns the last ')' of the matching "))". */
const char *skip_arith(const char *p, const char *end) {
  int depth = 0;
  for (p++; p < end; p++) {
    if (*p == '(') depth++;
    else if (*p == ')') {
      if (--depth == 0) return p;
    } else if (*p == '\001') p = skip_cmdsubst(p, end);
    else if (*p == '`') p = skip_bquote(p, end);
    else if (*p == '\'') {
      const char *q = memchr(p + 1, '\'', (size_t)(end - p - 1));
      p = q ? q : end;
    } else if (*p == '"') p = skip_dquote(p, end);
    if (p >= end) return end;
  }
  return end;
}

/* ---- parameters ---- */

static char *itoa_dup(long v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%ld", v);
  return xstrdup(buf);
}

char *opt_string(void) {
  char buf[16], *p = buf;
  if (sh.opt_e) *p++ = 'e';
  if (sh.opt_f) *p++ = 'f';
  if (sh.interactive) *p++ = 'i';
  if (sh.opt_n) *p++ = 'n';
  if (sh.opt_u) *p++ = 'u';
  if (sh.opt_v) *p++ = 'v';
  if (sh.opt_x) *p++ = 'x';
  *p = '\0';
  return xstrdup(buf);
}

/* $* joined by the first character of IFS (space if IFS is unset, nothing if it is empty). */
char *join_args(void) {
  const char *ifs = var_get("IFS");
  char sep = ifs == NULL ? ' ' : ifs[0];
  str_t b = {0};
  for (int i = 0; i < sh_argc; i++) {
    if (i && sep) str_addc(&b, sep);
    str_adds(&b, sh_argv[i]);
  }
  return str_done(&b);
}

/* The value of a parameter (name of length n: a variable, a number or a special character);
 * NULL if unset. The caller frees. */
char *param_value(const char *name, size_t n) {
  if (n == 1) {
    switch (name[0]) {
    case '?': return itoa_dup(sh.status);
    case '$': return itoa_dup(sh.pid);
    case '!': return sh.last_bg ? itoa_dup(sh.last_bg) : NULL;
    case '#': return itoa_dup(sh_argc);
    case '-': return opt_string();
    case '0': return xstrdup(sh_arg0 ? sh_arg0 : "sh");
    case '@':
    case '*': return sh_argc ? join_args() : NULL;
    default: break;
    }
  }
  if (name[0] >= '0' && name[0] <= '9') {
    long k = 0;
    for (size_t i = 0; i < n; i++) k = k * 10 + (name[i] - '0');
    if (k == 0) return xstrdup(sh_arg0 ? sh_arg0 : "sh");
    return k <= sh_argc ? xstrdup(sh_argv[k - 1]) : NULL;
  }
  char *nm = xstrndup(name, n);
  const char *v = var_get(nm);
  free(nm);
  return v ? xstrdup(v) : NULL;
}

/* Adds the words of $@ / $* (quoted: one field per parameter; unquoted: split later). */
void add_args(struct xbuf *o, int dq, int star) {
  if (dq && star) {
    char *j = join_args();
    xb_adds(o, j, M_QUOTED);
    free(j);
    return;
  }
  for (int i = 0; i < sh_argc; i++) {
    if (i) xb_add(o, 0, M_BREAK);
    if (dq) xb_add(o, 0, M_EMPTY);
    xb_adds(o, sh_argv[i], dq ? M_QUOTED : M_EXP);
  }
}

/* ---- turning a buffer into results ---- */

/* Plain string: marks dropped, field breaks become spaces. */
char *xb_string(struct xbuf *o) {
  str_t b = {0};
  for (size_t i = 0; i < o->s.len; i++) {
    char m = o->m.s[i];
    if (m == M_EMPTY) continue;
    str_addc(&b, m == M_BREAK ? ' ' : o->s.s[i]);
  }
  return str_done(&b);
}

/* Pattern for fnmatch: quoted characters escaped. */
char *xb_pattern(struct xbuf *o) {
  str_t b = {0};
  for (size_t i = 0; i < o->s.len; i++) {
    char m = o->m.s[i], c = o->s.s[i];
    if (m == M_EMPTY) continue;
    if (m == M_BREAK) c = ' ';
    if (m == M_QUOTED && strchr("*?[]\\", c)) str_addc(&b, '\\');
    str_addc(&b, c);
  }
  return str_done(&b);
}
