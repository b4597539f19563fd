// spawn benchmark: posix_spawn + exit + waitpid of a tiny program, per-iteration latency.
// usage: spawn <path-of-child> <iterations>; prints "p50_ns N", "p99_ns N", "mean_ns N".
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  long long x = *(const long long *)a, y = *(const long long *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: spawn CHILD N\n"); return 2; }
  const char *child = argv[1];
  int n = atoi(argv[2]);
  long long *t = malloc(sizeof(long long) * (size_t)n);
  char *cargv[] = {"true", NULL};
  for (int i = -n / 10; i < n; i++) { // the first tenth warms caches and pools
    long long t0 = now_ns();
    pid_t pid;
    int r = posix_spawn(&pid, child, NULL, NULL, cargv, environ);
    if (r != 0) { fprintf(stderr, "posix_spawn: error %d\n", r); return 1; }
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) { fprintf(stderr, "bad child status\n"); return 1; }
    if (i >= 0) t[i] = now_ns() - t0;
  }
  qsort(t, (size_t)n, sizeof(long long), cmp);
  long long sum = 0;
  for (int i = 0; i < n; i++) sum += t[i];
  printf("p50_ns %lld\np99_ns %lld\nmean_ns %lld\n", t[n / 2], t[(n * 99) / 100], sum / n);
  return 0;
}
