/*
 * sleep NUMBER[SUFFIX]...: pauses for the sum of the intervals. NUMBER may be fractional;
 * SUFFIX is s (seconds, the default), m (minutes), h (hours) or d (days).
 */
#include <time.h>
#include "common.h"

static int parse_interval(const char *s, double *out) {
  char *end;
  errno = 0;
  if (!((*s >= '0' && *s <= '9') || *s == '.' || *s == '+')) return -1;
  double v = strtod(s, &end);
  if (end == s || errno == ERANGE || v < 0 || v != v) return -1;
  double mul = 1;
  if (*end != '\0') {
    switch (*end) {
    case 's': mul = 1; break;
    case 'm': mul = 60; break;
    case 'h': mul = 3600; break;
    case 'd': mul = 86400; break;
    default: return -1;
    }
    if (end[1] != '\0') return -1;
  }
  *out = v * mul;
  return 0;
}

int main(int argc, char **argv) {
  ul_setprog("sleep");
  struct ul_getopt g;
  int c, bad = 0;
  ul_getopt_init(&g, argc, argv, "", 0, 1);
  while ((c = ul_getopt_next(&g)) != -1) ul_bad_long(&g);
  if (g.nops == 0) ul_usage_error(1, "missing operand");
  double total = 0;
  for (int i = 0; i < g.nops; i++) {
    double v;
    if (parse_interval(g.ops[i], &v) != 0) {
      ul_err("invalid time interval %s", ul_q(g.ops[i]));
      bad = 1;
    } else {
      total += v;
    }
  }
  if (bad) {
    ul_try_help();
    return 1;
  }
  struct timespec ts;
  if (total > 1e15) total = 1e15;
  ts.tv_sec = (time_t)total;
  ts.tv_nsec = (long)((total - (double)ts.tv_sec) * 1e9);
  if (ts.tv_nsec >= 1000000000L) ts.tv_nsec = 999999999L;
  while (nanosleep(&ts, &ts) != 0) {
    if (errno != EINTR) {
      ul_err("cannot read realtime clock: %s", strerror(errno));
      return 1;
    }
  }
  return 0;
}
