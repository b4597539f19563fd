/* /bin/sh: $(( ... )) — C-like integer arithmetic on longs: numbers (decimal, 0x hex, 0 octal),
 * variables (unset or empty = 0), unary + - ! ~, * / %, + -, << >>, < <= > >=, == !=, &, ^, |,
 * &&, ||, ?:, assignments (= += -= *= /= %= <<= >>= &= ^= |=) and parentheses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sh.h"

struct ax {
  const char *p;
  const char *all;
  int err;
  int noeval; /* inside the untaken branch of && || ?: */
};

static long parse_assign(struct ax *a);

static void skipws(struct ax *a) {
  while (*a->p == ' ' || *a->p == '\t' || *a->p == '\n') a->p++;
}

static void fail(struct ax *a, const char *msg) {
  if (!a->err) sh_error("arithmetic expression: %s: \"%s\"", msg, a->all);
  a->err = 1;
}

static long var_num(struct ax *a, const char *name) {
  const char *v = var_get(name);
  if (v == NULL || *v == '\0') return 0;
  char *end;
  long n = strtol(v, &end, 0);
  while (*end == ' ' || *end == '\t' || *end == '\n') end++;
  if (*end) fail(a, "bad number");
  return n;
}

static int is_ident(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static long parse_primary(struct ax *a) {
  skipws(a);
  char c = *a->p;
  if (c == '(') {
    a->p++;
    long v = parse_assign(a);
    skipws(a);
    if (*a->p != ')') fail(a, "expecting ')'");
    else a->p++;
    return v;
  }
  if (c == '+' || c == '-' || c == '!' || c == '~') {
    a->p++;
    long v = parse_primary(a);
    switch (c) {
    case '-': return -v;
    case '!': return !v;
    case '~': return ~v;
    default: return v;
    }
  }
  if (c >= '0' && c <= '9') {
    char *end;
    long v = strtol(a->p, &end, 0);
    if (is_ident(*end) || (*end >= '0' && *end <= '9')) fail(a, "bad number");
    a->p = end;
    return v;
  }
  if (is_ident(c)) {
    const char *s = a->p;
    while (is_ident(*a->p) || (*a->p >= '0' && *a->p <= '9')) a->p++;
    char *name = xstrndup(s, (size_t)(a->p - s));
    long v = var_num(a, name);
    free(name);
    return v;
  }
  fail(a, "expecting primary");
  return 0;
}

/* binary operators by precedence level (lowest first) */
static const char *const levels[][6] = {
  {"||", NULL}, {"&&", NULL}, {"|", NULL}, {"^", NULL}, {"&", NULL},
  {"==", "!=", NULL}, {"<=", ">=", "<", ">", NULL}, {"<<", ">>", NULL},
  {"+", "-", NULL}, {"*", "/", "%", NULL},
};
#define NLEVELS ((int)(sizeof levels / sizeof levels[0]))

static const char *match_op(struct ax *a, int level) {
  skipws(a);
  for (int i = 0; levels[level][i]; i++) {
    const char *op = levels[level][i];
    size_t n = strlen(op);
    if (strncmp(a->p, op, n) != 0) continue;
    /* don't take "|" of "||", "&" of "&&", "<" of "<<", or an assignment "+=" etc. */
    if (n == 1 && (a->p[1] == op[0] && (op[0] == '|' || op[0] == '&' || op[0] == '<' || op[0] == '>')))
      continue;
    if (a->p[n] == '=' && op[n - 1] != '=') continue; /* an assignment operator */
    return op;
  }
  return NULL;
}

static long apply(struct ax *a, const char *op, long l, long r) {
  switch (op[0]) {
  case '|': return op[1] ? (l || r) : (l | r);
  case '&': return op[1] ? (l && r) : (l & r);
  case '^': return l ^ r;
  case '=': return l == r;
  case '!': return l != r;
  case '<': return op[1] == '=' ? l <= r : op[1] == '<' ? (long)((unsigned long)l << (r & 63)) : l < r;
  case '>': return op[1] == '=' ? l >= r : op[1] == '>' ? l >> (r & 63) : l > r;
  case '+': return (long)((unsigned long)l + (unsigned long)r);
  case '-': return (long)((unsigned long)l - (unsigned long)r);
  case '*': return (long)((unsigned long)l * (unsigned long)r);
  case '/':
  case '%':
    if (r == 0) {
      if (!a->noeval) fail(a, "division by zero");
      return 0;
    }
    if (r == -1) return op[0] == '/' ? (long)(0UL - (unsigned long)l) : 0;
    return op[0] == '/' ? l / r : l % r;
  }
  return 0;
}

static long parse_binary(struct ax *a, int level) {
  if (level >= NLEVELS) return parse_primary(a);
  long l = parse_binary(a, level + 1);
  for (;;) {
    const char *op = match_op(a, level);
    if (op == NULL || a->err) return l;
    a->p += strlen(op);
    int short_circuit = (level == 0 && l) || (level == 1 && !l);
    if (short_circuit) a->noeval++;
    long r = parse_binary(a, level + 1);
    if (short_circuit) a->noeval--;
    l = apply(a, op, l, r);
  }
}

static long parse_cond(struct ax *a) {
  long c = parse_binary(a, 0);
  skipws(a);
  if (*a->p != '?') return c;
  a->p++;
  if (!c) a->noeval++;
  long x = parse_assign(a);
  if (!c) a->noeval--;
  skipws(a);
  if (*a->p != ':') {
    fail(a, "expecting ':'");
    return 0;
  }
  a->p++;
  if (c) a->noeval++;
  long y = parse_cond(a);
  if (c) a->noeval--;
  return c ? x : y;
}

static long parse_assign(struct ax *a) {
  skipws(a);
  const char *s = a->p;
  if (is_ident(*s)) {
    const char *e = s;
    while (is_ident(*e) || (*e >= '0' && *e <= '9')) e++;
    const char *q = e;
    while (*q == ' ' || *q == '\t') q++;
    static const char *const ops[] = {"=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|=", NULL};
    for (int i = 0; ops[i]; i++) {
      size_t n = strlen(ops[i]);
      if (strncmp(q, ops[i], n) != 0 || (n == 1 && q[1] == '=')) continue;
      char *name = xstrndup(s, (size_t)(e - s));
      a->p = q + n;
      long r = parse_assign(a);
      long v = r;
      if (n > 1) {
        char op[3] = {ops[i][0], n == 3 ? ops[i][1] : '\0', '\0'};
        v = apply(a, op, var_num(a, name), r);
      }
      if (!a->err && !a->noeval) {
        char buf[32];
        snprintf(buf, sizeof buf, "%ld", v);
        if (var_set(name, buf, 0) < 0) a->err = 1;
      }
      free(name);
      return v;
    }
  }
  return parse_cond(a);
}

int arith_eval(const char *expr, long *result) {
  struct ax a = {expr, expr, 0, 0};
  skipws(&a);
  if (*a.p == '\0') {
    *result = 0;
    return 0;
  }
  long v = parse_assign(&a);
  skipws(&a);
  if (!a.err && *a.p != '\0') fail(&a, "syntax error");
  *result = v;
  return a.err ? -1 : 0;
}
