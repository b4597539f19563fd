/*
 * ps [-e|-A] [-f]: lists every process from /proc (this LibOS has no terminals to select by,
 * so plain `ps` lists all, as `ps -e`): PID, PPID, STAT (the state letter of
 * /proc/<pid>/stat), TIME (user + system CPU time, [DD-]HH:MM:SS) and CMD, the command name, or
 * with -f the full command line (`[name] <defunct>` for a zombie, as procps shows).
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include "common.h"

/* Reads up to cap-1 bytes of a /proc file; returns the length, or -1 (the process is gone). */
static long read_file(const char *path, char *buf, size_t cap) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  size_t n = 0;
  ssize_t r;
  while (n < cap - 1 && (r = read(fd, buf + n, cap - 1 - n)) > 0) n += (size_t)r;
  close(fd);
  buf[n] = 0;
  return (long)n;
}

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* One line for `pid`; returns 0 if the process vanished meanwhile. */
static int show(int pid, int full) {
  char path[64], stat[1024], cmd[4096];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  if (read_file(path, stat, sizeof stat) <= 0) return 0;
  /* "pid (comm) S ppid ...": comm may hold spaces and parentheses; it ends at the last ')'. */
  char *open_paren = strchr(stat, '('), *close_paren = strrchr(stat, ')');
  if (!open_paren || !close_paren || close_paren < open_paren) return 0;
  *close_paren = 0;
  const char *comm = open_paren + 1;
  char state = 0;
  int ppid = 0;
  unsigned long long utime = 0, stime = 0;
  /* after comm: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime */
  if (sscanf(close_paren + 2, "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &state, &ppid, &utime, &stime) != 4) return 0;
  long ticks = sysconf(_SC_CLK_TCK);
  unsigned long long secs = (utime + stime) / (unsigned long long)(ticks > 0 ? ticks : 100);
  char time[32];
  if (secs >= 86400) snprintf(time, sizeof time, "%llu-%02llu:%02llu:%02llu", secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
  else snprintf(time, sizeof time, "%02llu:%02llu:%02llu", secs / 3600, secs / 60 % 60, secs % 60);

  const char *what = comm;
  if (full) {
    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    long n = read_file(path, cmd, sizeof cmd);
    if (n > 0) {
      for (long i = 0; i < n - 1; i++) if (cmd[i] == 0) cmd[i] = ' ';
      what = cmd;
    } else {
      snprintf(cmd, sizeof cmd, "[%s]%s", comm, state == 'Z' ? " <defunct>" : "");
      what = cmd;
    }
  }
  printf("%5d %5d %-4c %8s %s\n", pid, ppid, state, time, what);
  return 1;
}

int main(int argc, char **argv) {
  ul_prog = "ps";
  int full = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] != '-' || a[1] == 0) {
      ul_err("unsupported argument '%s' (usage: ps [-e|-A] [-f])", a);
      return 1;
    }
    for (const char *c = a + 1; *c; c++) {
      if (*c == 'f') full = 1;
      else if (*c != 'e' && *c != 'A') {
        ul_err("unsupported option '-%c' (usage: ps [-e|-A] [-f])", *c);
        return 1;
      }
    }
  }
  DIR *d = opendir("/proc");
  if (!d) {
    ul_err("/proc: %s", strerror(errno));
    return 1;
  }
  int *pids = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!isdigit((unsigned char)e->d_name[0])) continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      int *grown = realloc(pids, cap * sizeof *pids);
      if (!grown) {
        ul_err("out of memory");
        return 1;
      }
      pids = grown;
    }
    pids[n++] = atoi(e->d_name);
  }
  closedir(d);
  qsort(pids, n, sizeof *pids, cmp_int);
  printf("  PID  PPID STAT     TIME CMD\n");
  for (size_t i = 0; i < n; i++) show(pids[i], full);
  free(pids);
  return fflush(stdout) == 0 ? 0 : 1;
}
