// pipe benchmark: push BYTES through a pipe from this process to a spawned reader, 64 KiB writes.
// usage: pipe <path-of-self> <MiB>        (writer; spawns "<self> --read" with stdin on the pipe)
//        pipe --read                      (reader: counts bytes to EOF, prints "read_bytes N")
// The writer prints "bytes N", "ns N" (from the first write to the reader's exit).
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
#define CHUNK 65536

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int reader(void) {
  static char buf[CHUNK];
  long long total = 0;
  unsigned sum = 0;
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0) { perror("read"); return 1; }
    if (n == 0) break;
    sum += (unsigned char)buf[0];
    total += n;
  }
  printf("read_bytes %lld\n", total);
  return sum == 0xffffffff; // keeps the loop honest
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "--read") == 0) return reader();
  if (argc < 3) { fprintf(stderr, "usage: pipe SELF MiB\n"); return 2; }
  long long bytes = atoll(argv[2]) * 1024 * 1024;
  int fds[2];
  if (pipe(fds) != 0) { perror("pipe"); return 1; }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  posix_spawn_file_actions_addclose(&fa, fds[1]);
  char *cargv[] = {"pipe", "--read", NULL};
  pid_t pid;
  int r = posix_spawn(&pid, argv[1], &fa, NULL, cargv, environ);
  if (r != 0) { fprintf(stderr, "posix_spawn: error %d\n", r); return 1; }
  close(fds[0]);
  static char buf[CHUNK];
  memset(buf, 'x', sizeof buf);
  long long t0 = now_ns(), sent = 0;
  while (sent < bytes) {
    ssize_t n = write(fds[1], buf, sizeof buf);
    if (n <= 0) { perror("write"); return 1; }
    sent += n;
  }
  close(fds[1]);
  int st;
  waitpid(pid, &st, 0);
  long long t1 = now_ns();
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) { fprintf(stderr, "reader failed\n"); return 1; }
  printf("bytes %lld\nns %lld\n", sent, t1 - t0);
  return 0;
}
