/*
 * touch [-acm] [-r FILE] [-d DATE] [-t STAMP] FILE...: sets the access and modification times
 * (to now by default), creating missing files unless -c. DATE: "@SECONDS" or
 * "YYYY-MM-DD[ HH:MM[:SS]]" (local time); STAMP: [[CC]YY]MMDDhhmm[.ss].
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include "common.h"

static int digits(const char *s, int n) {
  for (int i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return 1;
}

static int num(const char *s, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
  return v;
}

static int parse_date(const char *s, struct timespec *ts) {
  if (s[0] == '@') {
    char *end;
    double v = strtod(s + 1, &end);
    if (end == s + 1 || *end) return -1;
    ts->tv_sec = (time_t)v;
    ts->tv_nsec = (long)((v - (double)ts->tv_sec) * 1e9);
    return 0;
  }
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  int y, mo, d, h = 0, mi = 0, sec = 0;
  char sep;
  int n = sscanf(s, "%d-%d-%d%c%d:%d:%d", &y, &mo, &d, &sep, &h, &mi, &sec);
  if (n != 3 && n < 6) return -1;
  if (n >= 4 && sep != ' ' && sep != 'T') return -1;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  tm.tm_isdst = -1;
  time_t t = mktime(&tm);
  if (t == (time_t)-1) return -1;
  ts->tv_sec = t;
  ts->tv_nsec = 0;
  return 0;
}

static int parse_stamp(const char *s, struct timespec *ts) {
  size_t n = strlen(s);
  const char *dot = strchr(s, '.');
  size_t main_len = dot ? (size_t)(dot - s) : n;
  if (!digits(s, (int)main_len) || (main_len != 8 && main_len != 10 && main_len != 12)) return -1;
  if (dot && (strlen(dot + 1) != 2 || !digits(dot + 1, 2))) return -1;
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  time_t now = time(NULL);
  struct tm *cur = localtime(&now);
  int year = cur ? cur->tm_year + 1900 : 1970;
  const char *p = s;
  if (main_len == 12) {
    year = num(p, 4);
    p += 4;
  } else if (main_len == 10) {
    int yy = num(p, 2);
    year = yy < 69 ? 2000 + yy : 1900 + yy;
    p += 2;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = num(p, 2) - 1;
  tm.tm_mday = num(p + 2, 2);
  tm.tm_hour = num(p + 4, 2);
  tm.tm_min = num(p + 6, 2);
  tm.tm_sec = dot ? num(dot + 1, 2) : 0;
  tm.tm_isdst = -1;
  time_t t = mktime(&tm);
  if (t == (time_t)-1) return -1;
  ts->tv_sec = t;
  ts->tv_nsec = 0;
  return 0;
}

int main(int argc, char **argv) {
  ul_setprog("touch");
  struct ul_getopt g;
  int c, no_create = 0, only_a = 0, only_m = 0, status = 0, have_time = 0;
  struct timespec when[2];
  ul_getopt_init(&g, argc, argv, "acmfhr:d:t:", 1, 1);
  while ((c = ul_getopt_next(&g)) != -1) {
    switch (c) {
    case 'a': only_a = 1; break;
    case 'c': no_create = 1; break;
    case 'm': only_m = 1; break;
    case 'f': case 'h': break;
    case 'r': {
      struct stat st;
      if (stat(g.arg, &st) != 0) {
        ul_err("failed to get attributes of %s: %s", ul_q(g.arg), strerror(errno));
        return 1;
      }
      when[0] = st.st_atim;
      when[1] = st.st_mtim;
      have_time = 1;
      break;
    }
    case 'd':
      if (parse_date(g.arg, &when[0]) != 0) {
        ul_err("invalid date format %s", ul_q(g.arg));
        return 1;
      }
      when[1] = when[0];
      have_time = 1;
      break;
    case 't':
      if (parse_stamp(g.arg, &when[0]) != 0) {
        ul_err("invalid date format %s", ul_q(g.arg));
        return 1;
      }
      when[1] = when[0];
      have_time = 1;
      break;
    default:
      if (strcmp(g.arg, "no-create") == 0) no_create = 1;
      else ul_bad_long(&g);
    }
  }
  if (g.nops == 0) ul_usage_error(1, "missing file operand");
  if (!have_time) {
    when[0].tv_sec = when[1].tv_sec = 0;
    when[0].tv_nsec = when[1].tv_nsec = UTIME_NOW;
  }
  if (only_a && !only_m) when[1].tv_nsec = UTIME_OMIT;
  if (only_m && !only_a) when[0].tv_nsec = UTIME_OMIT;
  for (int i = 0; i < g.nops; i++) {
    const char *path = g.ops[i];
    int fd = -1;
    if (!no_create && strcmp(path, "-") != 0) {
      fd = open(path, O_WRONLY | O_CREAT | O_NONBLOCK, 0666);
      if (fd < 0 && errno != EISDIR && errno != EACCES) {
        ul_err("cannot touch %s: %s", ul_q(path), strerror(errno));
        status = 1;
        continue;
      }
    }
    int r = fd >= 0 ? futimens(fd, when) : utimensat(AT_FDCWD, path, when, 0);
    if (fd >= 0) close(fd);
    if (r != 0) {
      if (no_create && errno == ENOENT) continue;
      ul_err("setting times of %s: %s", ul_q(path), strerror(errno));
      status = 1;
    }
  }
  return status;
}
