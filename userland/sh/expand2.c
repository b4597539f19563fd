/* /bin/sh: word expansion, continued — the walk over raw text, ${...} forms, field splitting,
 * pathname expansion and the public entry points. */
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sh.h"
#include "expand.h"

/* modes of expand_mode() */
enum { X_UNQUOTED = 0, X_DQUOTE = 1, X_HEREDOC = 2 };

static int at_zero; /* "$@" with no parameters was expanded inside the current double quotes */

static int expand_mode(struct xbuf *o, const char *p, const char *end, int mode);

int expand_raw(struct xbuf *o, const char *p, const char *end, int dq) {
  return expand_mode(o, p, end, dq ? X_DQUOTE : X_UNQUOTED);
}

static void add_val(struct xbuf *o, const char *v, int dq) { xb_adds(o, v, dq ? M_QUOTED : M_EXP); }

static int is_name_start(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

static void add_cmdsubst(struct xbuf *o, const char *text, int dq, int *err) {
  char *out = cmdsubst(text, err);
  if (out) {
    add_val(o, out, dq);
    free(out);
  }
}

/* Removes the shortest/longest prefix/suffix of v matching pat. */
static char *trim(const char *v, const char *pat, char op, int longest) {
  size_t n = strlen(v);
  char *tmp = xstrdup(v);
  char *res = NULL;
  if (op == '#') {
    for (size_t k = 0; k <= n; k++) {
      size_t i = longest ? n - k : k;
      char save = tmp[i];
      tmp[i] = '\0';
      int m = fnmatch(pat, tmp, 0) == 0;
      tmp[i] = save;
      if (m) {
        res = xstrdup(v + i);
        break;
      }
    }
  } else {
    for (size_t k = 0; k <= n; k++) {
      size_t i = longest ? k : n - k;
      if (fnmatch(pat, v + i, 0) == 0) {
        res = xstrndup(v, i);
        break;
      }
    }
  }
  free(tmp);
  return res ? res : xstrdup(v);
}

/* ${...}: b..e is the text between the braces. */
static int expand_brace(struct xbuf *o, const char *b, const char *e, int dq) {
  const char *name = b;
  size_t nlen = 0;
  int length = 0;
  if (b < e && *b == '#' && e - b > 1) {
    length = 1;
    name = b + 1;
  }
  const char *q = name;
  if (q < e && is_name_start(*q)) {
    while (q < e && is_name_char(*q)) q++;
  } else if (q < e && *q >= '0' && *q <= '9') {
    while (q < e && *q >= '0' && *q <= '9') q++;
  } else if (q < e && strchr("@*#?$!-", *q)) {
    q++;
  }
  nlen = (size_t)(q - name);
  if (length && (nlen == 0 || q != e)) {
    /* "${#-...}" etc.: '#' is the parameter */
    length = 0;
    name = b;
    q = b + 1;
    nlen = 1;
  }
  if (nlen == 0) {
    sh_error("%.*s: bad substitution", (int)(e - b + 3), b - 2);
    return -1;
  }
  int is_args = nlen == 1 && (*name == '@' || *name == '*');
  char *val = param_value(name, nlen);
  if (length) {
    char buf[32];
    if (val == NULL && sh.opt_u && !is_args) {
      sh_error("%.*s: parameter not set", (int)nlen, name);
      return -1;
    }
    snprintf(buf, sizeof buf, "%zu", val ? strlen(val) : (size_t)0);
    if (is_args) snprintf(buf, sizeof buf, "%d", sh_argc);
    add_val(o, buf, dq);
    free(val);
    return 0;
  }
  if (q == e) {
    if (val == NULL && sh.opt_u && !is_args) {
      sh_error("%.*s: parameter not set", (int)nlen, name);
      return -1;
    }
    if (is_args) {
      if (sh_argc == 0 && dq && *name == '@') at_zero = 1;
      add_args(o, dq, *name == '*');
    } else if (val) {
      add_val(o, val, dq);
    }
    free(val);
    return 0;
  }
  int colon = 0;
  const char *op = q;
  if (*op == ':') {
    colon = 1;
    op++;
  }
  if (op >= e || !strchr(colon ? "-=?+" : "-=?+%#", *op)) {
    free(val);
    sh_error("${%.*s}: bad substitution", (int)(e - b), b);
    return -1;
  }
  char opc = *op++;
  int longest = 0;
  if ((opc == '%' || opc == '#') && op < e && *op == opc) {
    longest = 1;
    op++;
  }
  int set = val != NULL && !(colon && val[0] == '\0');
  int r = 0;
  switch (opc) {
  case '-':
    if (set) {
      if (is_args) add_args(o, dq, *name == '*');
      else add_val(o, val, dq);
    } else {
      r = expand_raw(o, op, e, dq);
    }
    break;
  case '+':
    if (set) r = expand_raw(o, op, e, dq);
    break;
  case '=':
  case '?':
    if (set) {
      if (is_args) add_args(o, dq, *name == '*');
      else add_val(o, val, dq);
      break;
    } else {
      struct xbuf w = {0};
      r = expand_raw(&w, op, e, 1);
      char *s = xb_string(&w);
      xb_free(&w);
      if (r == 0 && opc == '?') {
        if (*s == '\0') {
          free(s);
          s = xstrdup(val == NULL ? "parameter not set" : "parameter null or not set");
        }
        sh_error("%.*s: %s", (int)nlen, name, s);
        r = -1;
      } else if (r == 0) {
        if (!var_is_name(name, nlen)) {
          sh_error("%.*s: bad variable name", (int)nlen, name);
          r = -1;
        } else {
          char *nm = xstrndup(name, nlen);
          if (var_set(nm, s, 0) < 0) r = -1;
          else add_val(o, s, dq);
          free(nm);
        }
      }
      free(s);
    }
    break;
  default: { /* % %% # ## */
    struct xbuf w = {0};
    r = expand_raw(&w, op, e, 0);
    char *pat = xb_pattern(&w);
    xb_free(&w);
    if (r == 0) {
      char *res = trim(val ? val : "", pat, opc, longest);
      add_val(o, res, dq);
      free(res);
    }
    free(pat);
    break;
  }
  }
  free(val);
  return r;
}

/* p at '$'; returns the position after the expansion, or NULL on error. */
static const char *expand_dollar(struct xbuf *o, const char *p, const char *end, int mode) {
  int dq = mode != X_UNQUOTED;
  const char *q = p + 1;
  if (q >= end) {
    xb_add(o, '$', dq ? M_QUOTED : M_LIT);
    return q;
  }
  if (*q == '{') {
    const char *close = skip_brace(q, end);
    if (close >= end) {
      sh_error("Missing '}'");
      return NULL;
    }
    if (expand_brace(o, q + 1, close, dq) < 0) return NULL;
    return close + 1;
  }
  if (*q == '(' && q + 1 < end && q[1] == '(') {
    const char *close = skip_arith(p, end); /* the last ')' */
    if (close >= end || close - 1 < q + 2 || close[-1] != ')') {
      sh_error("Missing '))'");
      return NULL;
    }
    struct xbuf w = {0};
    int r = expand_mode(&w, q + 2, close - 1, X_HEREDOC);
    char *expr = xb_string(&w);
    xb_free(&w);
    long v = 0;
    if (r == 0) r = arith_eval(expr, &v);
    free(expr);
    if (r < 0) return NULL;
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", v);
    add_val(o, buf, dq);
    return close + 1;
  }
  if (*q == '(') {
    /* "$(" in raw text (here-documents; words from the lexer use markers) */
    char *text;
    long n = lex_cmdsubst_in_string(q + 1, &text);
    if (n < 0) return NULL;
    int err = 0;
    add_cmdsubst(o, text, dq, &err);
    free(text);
    if (err) return NULL;
    return q + 1 + n;
  }
  const char *name = q;
  if (is_name_start(*q)) {
    while (q < end && is_name_char(*q)) q++;
  } else if ((*q >= '0' && *q <= '9') || strchr("@*#?$!-", *q)) {
    q++;
  } else {
    xb_add(o, '$', dq ? M_QUOTED : M_LIT);
    return q;
  }
  size_t n = (size_t)(q - name);
  if (n == 1 && (*name == '@' || *name == '*')) {
    if (sh_argc == 0 && dq && *name == '@') at_zero = 1;
    add_args(o, dq, *name == '*');
    return q;
  }
  char *v = param_value(name, n);
  if (v == NULL && sh.opt_u && *name != '!') {
    sh_error("%.*s: parameter not set", (int)n, name);
    return NULL;
  }
  if (v) add_val(o, v, dq);
  free(v);
  return q;
}

static int expand_mode(struct xbuf *o, const char *p, const char *end, int mode) {
  int dq = mode != X_UNQUOTED;
  while (p < end) {
    char c = *p;
    if (c == '\\') {
      if (p + 1 >= end) {
        xb_add(o, '\\', M_QUOTED);
        p++;
        continue;
      }
      char d = p[1];
      if (mode == X_UNQUOTED || d == '$' || d == '`' || d == '\\' || (mode == X_DQUOTE && d == '"')) {
        xb_add(o, d, M_QUOTED);
      } else if (d == '\n') {
        /* line continuation (here-documents) */
      } else {
        xb_add(o, '\\', M_QUOTED);
        xb_add(o, d, M_QUOTED);
      }
      p += 2;
    } else if (c == '\'' && mode == X_UNQUOTED) {
      const char *close = memchr(p + 1, '\'', (size_t)(end - p - 1));
      if (close == NULL) close = end;
      xb_add(o, 0, M_EMPTY);
      for (const char *s = p + 1; s < close; s++) xb_add(o, *s, M_QUOTED);
      p = close < end ? close + 1 : end;
    } else if (c == '"' && mode != X_HEREDOC) {
      const char *close = skip_dquote(p, end);
      size_t before = o->s.len;
      int save = at_zero;
      at_zero = 0;
      if (expand_mode(o, p + 1, close, X_DQUOTE) < 0) return -1;
      if (o->s.len == before && !at_zero) xb_add(o, 0, M_EMPTY);
      at_zero = save;
      p = close < end ? close + 1 : end;
    } else if (c == '$') {
      p = expand_dollar(o, p, end, mode);
      if (p == NULL) return -1;
    } else if (c == '`') {
      const char *close = skip_bquote(p, end);
      str_t t = {0};
      for (const char *s = p + 1; s < close; s++) {
        if (*s == '\\' && s + 1 < close && (s[1] == '$' || s[1] == '`' || s[1] == '\\' || (dq && s[1] == '"'))) s++;
        str_addc(&t, *s);
      }
      char *text = str_done(&t);
      int err = 0;
      add_cmdsubst(o, text, dq, &err);
      free(text);
      if (err) return -1;
      p = close < end ? close + 1 : end;
    } else if (c == '\001') {
      const char *close = skip_cmdsubst(p, end);
      char *text = xstrndup(p + 1, (size_t)(close - p - 1));
      int err = 0;
      add_cmdsubst(o, text, dq, &err);
      free(text);
      if (err) return -1;
      p = close < end ? close + 1 : end;
    } else {
      xb_add(o, c, dq ? M_QUOTED : M_LIT);
      p++;
    }
  }
  return 0;
}

/* ~ and ~/... at the start of a word. */
static const char *tilde(struct xbuf *o, const char *p, const char *end) {
  if (p < end && *p == '~' && (p + 1 == end || p[1] == '/')) {
    const char *home = var_get("HOME");
    xb_add(o, 0, M_EMPTY);
    xb_adds(o, home ? home : "/", M_QUOTED);
    return p + 1;
  }
  return p;
}

/* ---- field splitting and pathname expansion ---- */

static void emit(strv_t *out, struct xbuf *f, int glob_ok) {
  int has_glob = 0;
  if (glob_ok)
    for (size_t i = 0; i < f->s.len; i++)
      if ((f->m.s[i] == M_LIT || f->m.s[i] == M_EXP) && strchr("*?[", f->s.s[i])) has_glob = 1;
  if (has_glob) {
    char *pat = xb_pattern(f);
    glob_t g;
    if (glob(pat, 0, NULL, &g) == 0 && g.gl_pathc > 0) {
      for (size_t i = 0; i < g.gl_pathc; i++) strv_add(out, xstrdup(g.gl_pathv[i]));
      globfree(&g);
      free(pat);
      return;
    }
    free(pat);
  }
  strv_add(out, xb_string(f));
}

static void split(struct xbuf *o, strv_t *out, int glob_ok) {
  const char *ifs = var_get("IFS");
  if (ifs == NULL) ifs = " \t\n";
  struct xbuf f = {0};
  int has = 0, pending_ws = 0;
  for (size_t i = 0; i < o->s.len; i++) {
    char c = o->s.s[i], m = o->m.s[i];
    if (m == M_BREAK) {
      if (f.s.len || has) emit(out, &f, glob_ok);
      xb_free(&f);
      has = 0;
      pending_ws = 0;
      continue;
    }
    if (m == M_EMPTY) {
      has = 1;
      xb_add(&f, 0, M_EMPTY);
      continue;
    }
    if (m == M_EXP && c != '\0' && strchr(ifs, c)) {
      int ws = c == ' ' || c == '\t' || c == '\n';
      if (ws) {
        if (f.s.len || has) {
          emit(out, &f, glob_ok);
          pending_ws = 1;
        }
      } else {
        if (!pending_ws) emit(out, &f, glob_ok);
        pending_ws = 0;
      }
      xb_free(&f);
      has = 0;
      continue;
    }
    pending_ws = 0;
    xb_add(&f, c, m);
    has = 1;
  }
  if (f.s.len || has) emit(out, &f, glob_ok);
  xb_free(&f);
}

/* ---- entry points ---- */

int expand_word(const char *raw, int flags, strv_t *out) {
  struct xbuf o = {0};
  const char *end = raw + strlen(raw);
  const char *p = tilde(&o, raw, end);
  int r = expand_mode(&o, p, end, X_UNQUOTED);
  if (r == 0) {
    if (flags & (EXP_FIELDS | EXP_NOGLOB)) split(&o, out, (flags & EXP_FIELDS) && !sh.opt_f);
    else strv_add(out, xb_string(&o));
  }
  xb_free(&o);
  return r;
}

char *expand_string(const char *raw, int *err) {
  struct xbuf o = {0};
  const char *end = raw + strlen(raw);
  const char *p = tilde(&o, raw, end);
  *err = expand_mode(&o, p, end, X_UNQUOTED) < 0;
  char *s = xb_string(&o);
  xb_free(&o);
  return s;
}

char *expand_pattern(const char *raw, int *err) {
  struct xbuf o = {0};
  const char *end = raw + strlen(raw);
  const char *p = tilde(&o, raw, end);
  *err = expand_mode(&o, p, end, X_UNQUOTED) < 0;
  char *s = xb_pattern(&o);
  xb_free(&o);
  return s;
}

char *expand_heredoc(const char *body, int *err) {
  struct xbuf o = {0};
  *err = expand_mode(&o, body, body + strlen(body), X_HEREDOC) < 0;
  char *s = xb_string(&o);
  xb_free(&o);
  return s;
}
