/*
 * seq [-w] [-s SEP] [-f FORMAT] [FIRST [INCREMENT]] LAST: numbers from FIRST (1) to LAST by
 * INCREMENT (1). As GNU seq: integers print as integers; otherwise the precision is the
 * larger of FIRST's and INCREMENT's decimals; -w pads with zeros to equal width. (double
 * arithmetic: wasi-libc prints long double only with an extra library.)
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include "common.h"

struct operand {
  double value;
  int width;     /* characters of the number as written */
  int precision; /* digits after '.', INT_MAX with an exponent */
};

static struct operand scan_arg(const char *arg) {
  struct operand r;
  char *end;
  const char *s = arg;
  while (*s == ' ' || *s == '\t') s++;
  errno = 0;
  r.value = strtod(s, &end);
  if (end == s || *end != '\0' || isnan(r.value)) {
    ul_err("invalid floating point argument: %s", ul_q(arg));
    ul_try_help();
    exit(1);
  }
  r.width = (int)strlen(s);
  r.precision = 0;
  if (*s == '+') r.width--;
  const char *dot = strchr(s, '.');
  const char *e = strpbrk(s, "eExXpP");
  if (isinf(r.value) || e) {
    r.precision = INT_MAX;
  } else if (dot) {
    r.precision = (int)strlen(dot + 1);
    if (r.precision == 0) r.width--; /* "1." */
  }
  return r;
}

/* Turns the user's printf format for one floating number into `out`; exits on a bad format. */
static void check_format(const char *fmt, char *out, size_t cap) {
  size_t n = 0;
  int found = 0;
  for (const char *p = fmt; *p; p++) {
    if (n + 4 >= cap) break;
    if (*p != '%') {
      out[n++] = *p;
      continue;
    }
    if (p[1] == '%') {
      out[n++] = '%';
      out[n++] = '%';
      p++;
      continue;
    }
    if (found) {
      ul_err("format %s has too many %% directives", ul_q(fmt));
      exit(1);
    }
    found = 1;
    out[n++] = *p++;
    while (*p && strchr("-+ #0'", *p) && n + 4 < cap) out[n++] = *p++;
    while (*p >= '0' && *p <= '9' && n + 4 < cap) out[n++] = *p++;
    if (*p == '.') {
      out[n++] = *p++;
      while (*p >= '0' && *p <= '9' && n + 4 < cap) out[n++] = *p++;
    }
    if (!*p || !strchr("aAeEfFgG", *p)) {
      if (*p) ul_err("format %s has unknown %%%c directive", ul_q(fmt), *p);
      else ul_err("format %s ends in %%", ul_q(fmt));
      exit(1);
    }
    out[n++] = *p;
  }
  out[n] = '\0';
  if (!found) {
    ul_err("format %s has no %% directive", ul_q(fmt));
    exit(1);
  }
}

int main(int argc, char **argv) {
  ul_setprog("seq");
  const char *sep = "\n", *user_fmt = NULL;
  int equal_width = 0;
  char **ops = argv + 1;
  int nops = 0;
  int i = 1;
  /* options end at the first operand; "-1" and "-.5" are operands (negative numbers) */
  for (; i < argc; i++) {
    char *a = argv[i];
    if (a[0] != '-' || a[1] == '\0' || (a[1] >= '0' && a[1] <= '9') || a[1] == '.') break;
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    }
    if (strncmp(a, "--separator=", 12) == 0) { sep = a + 12; continue; }
    if (strncmp(a, "--format=", 9) == 0) { user_fmt = a + 9; continue; }
    if (strcmp(a, "--equal-width") == 0) { equal_width = 1; continue; }
    if (a[1] == '-') ul_usage_error(1, "unrecognized option '%s'", a);
    for (char *p = a + 1; *p; p++) {
      if (*p == 'w') {
        equal_width = 1;
      } else if (*p == 's' || *p == 'f') {
        char *v = p[1] ? p + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v) {
          char m[2] = {*p, 0};
          ul_usage_error(1, "option requires an argument -- '%s'", m);
        }
        if (*p == 's') sep = v; else user_fmt = v;
        break;
      } else {
        char m[2] = {*p, 0};
        ul_usage_error(1, "invalid option -- '%s'", m);
      }
    }
  }
  for (; i < argc; i++) ops[nops++] = argv[i];
  if (nops < 1) ul_usage_error(1, "missing operand");
  if (nops > 3) ul_usage_error(1, "extra operand %s", ul_q(ops[3]));
  if (user_fmt && equal_width) {
    ul_err("format string may not be specified when printing equal width strings");
    ul_try_help();
    return 1;
  }

  struct operand first = {1, 1, 0}, step = {1, 1, 0}, last;
  if (nops >= 2) first = scan_arg(ops[0]);
  if (nops == 3) {
    step = scan_arg(ops[1]);
    if (step.value == 0) {
      ul_err("invalid Zero increment value: %s", ul_q(ops[1]));
      ul_try_help();
      return 1;
    }
  }
  last = scan_arg(ops[nops - 1]);

  char fmt[256];
  if (user_fmt) {
    check_format(user_fmt, fmt, sizeof fmt);
  } else {
    int prec = first.precision > step.precision ? first.precision : step.precision;
    if (prec != INT_MAX && last.precision != INT_MAX) {
      if (equal_width) {
        int fw = first.width + (prec - first.precision);
        int lw = last.width + (prec - last.precision);
        if (last.precision && prec == 0) lw--;
        if (last.precision == 0 && prec) lw++;
        if (first.precision == 0 && prec) fw++;
        snprintf(fmt, sizeof fmt, "%%0%d.%df", fw > lw ? fw : lw, prec);
      } else {
        snprintf(fmt, sizeof fmt, "%%.%df", prec);
      }
    } else {
      strcpy(fmt, "%g");
    }
  }

  char cur[512], prev[512];
  int printed = 0;
  double x = first.value;
  if (!(step.value > 0 ? x > last.value : x < last.value)) {
    for (long long k = 1;; k++) {
      snprintf(cur, sizeof cur, fmt, x);
      if (printed) fputs(sep, stdout);
      fputs(cur, stdout);
      printed = 1;
      strcpy(prev, cur);
      x = first.value + (double)k * step.value;
      if (step.value > 0 ? x > last.value : x < last.value) {
        /* print one more if it shows as LAST (rounding) and differs from the previous */
        snprintf(cur, sizeof cur, fmt, x);
        char *end;
        double shown = strtod(cur, &end);
        if (!user_fmt && shown == last.value && strcmp(cur, prev) != 0) {
          fputs(sep, stdout);
          fputs(cur, stdout);
        }
        break;
      }
      if (ferror(stdout)) break;
    }
  }
  if (printed) fputs("\n", stdout);
  return ul_flush_stdout();
}
