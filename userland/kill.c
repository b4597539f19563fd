/*
 * kill [-s SIGNAL | -SIGNAL | -N] PID... | kill -l [SIGNAL|STATUS]... | kill -t: sends a signal
 * (TERM by default) to processes; "--" lets a negative PID (a process group) follow.
 * -l lists the signal names one per line (as coreutils' kill), or converts names to numbers and
 * numbers (or exit statuses above 128) to names; -t prints a table.
 */
#include <signal.h>
#include "common.h"

#define RTMIN 34
#define RTMAX 64

/* The name of a signal (without SIG), including RTMIN+n / RTMAX-n; 0 if none. */
static int sig_name(int sig, char *buf, size_t n) {
  const char *s = ul_signame(sig);
  if (s) {
    snprintf(buf, n, "%s", s);
    return 1;
  }
  if (sig >= RTMIN && sig <= RTMAX) {
    if (sig <= RTMIN + (RTMAX - RTMIN) / 2) {
      if (sig == RTMIN) snprintf(buf, n, "RTMIN");
      else snprintf(buf, n, "RTMIN+%d", sig - RTMIN);
    } else {
      if (sig == RTMAX) snprintf(buf, n, "RTMAX");
      else snprintf(buf, n, "RTMAX-%d", RTMAX - sig);
    }
    return 1;
  }
  return 0;
}

/* A signal number from a name ("TERM", "SIGTERM", "RTMIN+2") or a number; -1 if invalid. */
static int sig_number(const char *s) {
  int n = ul_signum(s);
  if (n >= 0) return n;
  if (strncasecmp(s, "SIG", 3) == 0) s += 3;
  if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
    int base = strncasecmp(s, "RTMIN", 5) == 0 ? RTMIN : RTMAX;
    const char *rest = s + 5;
    if (*rest == '\0') return base;
    char *end;
    long d = strtol(rest, &end, 10);
    if ((*rest != '+' && *rest != '-') || *end != '\0') return -1;
    long v = base + d;
    return v >= RTMIN && v <= RTMAX ? (int)v : -1;
  }
  return -1;
}

static int list_signals(int table, char **args, int nargs) {
  char name[32];
  if (nargs == 0) {
    for (int sig = 1; sig <= RTMAX; sig++) {
      if (!sig_name(sig, name, sizeof name)) continue;
      if (table) printf("%2d %-8s\n", sig, name);
      else puts(name);
    }
    return ul_flush_stdout();
  }
  int status = 0;
  for (int i = 0; i < nargs; i++) {
    const char *a = args[i];
    if (a[0] >= '0' && a[0] <= '9') {
      char *end;
      long n = strtol(a, &end, 10);
      if (*end == '\0' && n > 128) n -= 128; /* an exit status: 128 + signal */
      if (*end != '\0' || !sig_name((int)n, name, sizeof name)) {
        ul_err("%s: invalid signal", ul_q(a));
        status = 1;
        continue;
      }
      if (table) printf("%2ld %-8s\n", n, name);
      else puts(name);
    } else {
      int n = sig_number(a);
      if (n <= 0) {
        ul_err("%s: invalid signal", ul_q(a));
        status = 1;
        continue;
      }
      if (table) {
        sig_name(n, name, sizeof name);
        printf("%2d %-8s\n", n, name);
      } else {
        printf("%d\n", n);
      }
    }
  }
  if (ul_flush_stdout()) return 1;
  return status;
}

int main(int argc, char **argv) {
  ul_setprog("kill");
  int sig = SIGTERM, i = 1, have_sig = 0;
  for (; i < argc; i++) {
    char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    }
    if (a[0] != '-' || a[1] == '\0') break;
    if (have_sig && a[1] >= '0' && a[1] <= '9') break; /* "kill -9 -123": a process group */
    if (strcmp(a, "-l") == 0 || strcmp(a, "--list") == 0 || strcmp(a, "-L") == 0 || strcmp(a, "-t") == 0 ||
        strcmp(a, "--table") == 0) {
      int table = a[1] != 'l' && strcmp(a, "--list") != 0;
      i++;
      if (i < argc && strcmp(argv[i], "--") == 0) i++;
      return list_signals(table, argv + i, argc - i);
    }
    const char *name;
    if (strcmp(a, "-s") == 0 || strcmp(a, "-n") == 0) {
      if (i + 1 >= argc) {
        char m[2] = {a[1], 0};
        ul_usage_error(1, "option requires an argument -- '%s'", m);
      }
      name = argv[++i];
    } else if (strncmp(a, "--signal=", 9) == 0) {
      name = a + 9;
    } else if (a[1] == 's' && a[2] != '\0' && sig_number(a + 1) < 0) {
      name = a + 2; /* -sTERM */
    } else if (a[1] == '-') {
      ul_usage_error(1, "unrecognized option '%s'", a);
    } else {
      name = a + 1;
    }
    if (have_sig) ul_usage_error(1, "%s: multiple signals specified", ul_q(name));
    sig = sig_number(name);
    if (sig < 0) {
      ul_err("%s: invalid signal", ul_q(name));
      ul_try_help();
      return 1;
    }
    have_sig = 1;
  }
  if (i >= argc) ul_usage_error(1, "no process ID specified");
  int status = 0;
  for (; i < argc; i++) {
    const char *a = argv[i];
    char *end;
    errno = 0;
    long pid = strtol(a, &end, 10);
    if (*a == '\0' || *end != '\0' || errno || pid != (long)(pid_t)pid) {
      ul_err("%s: invalid process id", ul_q(a));
      status = 1;
      continue;
    }
    if (kill((pid_t)pid, sig) != 0) {
      ul_err("%s: %s", ul_q(a), strerror(errno));
      status = 1;
    }
  }
  return status;
}
