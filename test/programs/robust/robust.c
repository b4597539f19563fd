// Process robustness scenarios (test/processes.test.ts). Each mode prints a few result lines.
//   concurrent N   spawn N children at once (child exits with i % 200), reap all, check statuses
//   killbusy       SIGKILL a child in a compute loop; report how long until waitpid saw it
//   storm N        10k-signal storm at ourselves while N children exit; SIGCHLD handler reaps them
//   epipe          write to a pipe whose reader is gone: SIGPIPE ignored -> EPIPE; default -> killed
//   midwrite       kill a child that is blocked writing into a pipe; its peer keeps working
//   cycles N       N sequential spawn+exit+waitpid cycles
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
static const char *child_path = "/bin/child";

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static pid_t spawn_child(char *const argv[], posix_spawn_file_actions_t *fa) {
  pid_t pid;
  int r = posix_spawn(&pid, child_path, fa, NULL, argv, environ);
  if (r != 0) { printf("posix_spawn failed: %s\n", strerror(r)); exit(1); }
  return pid;
}

static int concurrent(int n) {
  pid_t *pids = malloc(sizeof(pid_t) * n);
  char code[16];
  for (int i = 0; i < n; i++) {
    snprintf(code, sizeof code, "%d", i % 200);
    char *argv[] = {"child", "exit", code, NULL};
    pids[i] = spawn_child(argv, NULL);
  }
  int ok = 0;
  for (int i = 0; i < n; i++) {
    int st;
    if (waitpid(pids[i], &st, 0) == pids[i] && WIFEXITED(st) && WEXITSTATUS(st) == i % 200) ok++;
  }
  int more = waitpid(-1, NULL, WNOHANG);
  printf("spawned %d reaped_ok %d leftover_wait %d errno_echild %d\n", n, ok, more, more < 0 && errno == ECHILD);
  return ok == n ? 0 : 1;
}

static int killbusy(void) {
  int fds[2];
  pipe(fds);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  char *argv[] = {"child", "spin", NULL};
  pid_t pid = spawn_child(argv, &fa);
  close(fds[1]);
  char c;
  if (read(fds[0], &c, 1) != 1) { printf("child never got ready\n"); return 1; }
  long long t0 = now_ms();
  kill(pid, SIGKILL);
  int st;
  waitpid(pid, &st, 0);
  long long dt = now_ms() - t0;
  printf("signaled %d termsig %d shell_status %d fast %d\n", WIFSIGNALED(st), WTERMSIG(st), 128 + WTERMSIG(st), dt < 100);
  fprintf(stderr, "kill-to-reap %lld ms\n", dt);
  return 0;
}

static volatile int usr1 = 0, reaped = 0;
static void on_usr1(int s) { (void)s; usr1++; }
static void on_chld(int s) {
  (void)s;
  int saved = errno;
  while (waitpid(-1, NULL, WNOHANG) > 0) reaped++;
  errno = saved;
}

static int storm(int n) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, NULL);
  sa.sa_handler = on_chld;
  sigaction(SIGCHLD, &sa, NULL);
  for (int i = 0; i < n; i++) {
    char *argv[] = {"child", "exit", "0", NULL};
    spawn_child(argv, NULL);
  }
  pid_t self = getpid();
  for (int i = 0; i < 10000; i++) kill(self, SIGUSR1);
  long long deadline = now_ms() + 20000;
  while (reaped < n && now_ms() < deadline) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  on_chld(SIGCHLD); // standard signals coalesce: one last sweep, as real programs do
  printf("children %d reaped %d usr1_seen %d\n", n, reaped, usr1 > 0);
  return reaped == n ? 0 : 1;
}

static int epipe(void) {
  int fds[2];
  pipe(fds);
  close(fds[0]);
  signal(SIGPIPE, SIG_IGN);
  ssize_t r = write(fds[1], "x", 1);
  printf("write %zd epipe %d\n", r, r < 0 && errno == EPIPE);
  // default disposition: a child doing the same is killed by SIGPIPE
  int p2[2];
  pipe(p2);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, p2[1], 1);
  posix_spawn_file_actions_addclose(&fa, p2[0]);
  posix_spawnattr_t at;
  posix_spawnattr_init(&at);
  sigset_t def;
  sigemptyset(&def);
  sigaddset(&def, SIGPIPE);
  posix_spawnattr_setsigdefault(&at, &def);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF);
  close(p2[0]);
  char *argv[] = {"child", "flood", NULL};
  pid_t pid;
  posix_spawn(&pid, child_path, &fa, &at, argv, environ);
  close(p2[1]);
  int st;
  waitpid(pid, &st, 0);
  printf("child signaled %d sigpipe %d\n", WIFSIGNALED(st), WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
  return 0;
}

static int midwrite(void) {
  // victim floods a pipe nobody reads (blocks once it is full); peer echoes through another pipe
  int vp[2], in[2], out[2];
  // close-on-exec, so that each child holds only the ends its file actions give it
  pipe2(vp, O_CLOEXEC); pipe2(in, O_CLOEXEC); pipe2(out, O_CLOEXEC);
  posix_spawn_file_actions_t fv, fp;
  posix_spawn_file_actions_init(&fv);
  posix_spawn_file_actions_adddup2(&fv, vp[1], 1);
  posix_spawn_file_actions_init(&fp);
  posix_spawn_file_actions_adddup2(&fp, in[0], 0);
  posix_spawn_file_actions_adddup2(&fp, out[1], 1);
  char *va[] = {"child", "flood", NULL}, *pa[] = {"child", "echo", NULL};
  pid_t victim = spawn_child(va, &fv);
  pid_t peer = spawn_child(pa, &fp);
  close(vp[1]); close(in[0]); close(out[1]);
  struct timespec ts = {0, 50000000};
  nanosleep(&ts, NULL); // the victim is now blocked in write()
  kill(victim, SIGKILL);
  int st;
  waitpid(victim, &st, 0);
  write(in[1], "still alive\n", 12);
  close(in[1]);
  char buf[64] = {0};
  int n = 0, r;
  while ((r = read(out[0], buf + n, sizeof buf - 1 - n)) > 0) n += r;
  waitpid(peer, &st, 0);
  printf("victim killed %d peer said: %s", 1, buf);
  printf("peer exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  return 0;
}

static int cycles(int n) {
  int ok = 0;
  for (int i = 0; i < n; i++) {
    char *argv[] = {"child", "exit", "3", NULL};
    pid_t pid = spawn_child(argv, NULL);
    int st;
    if (waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 3) ok++;
  }
  printf("cycles %d ok %d\n", n, ok);
  return ok == n ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *self = getenv("ROBUST_CHILD");
  if (self) child_path = self;
  int n = argc > 2 ? atoi(argv[2]) : 0;
  if (!strcmp(argv[1], "concurrent")) return concurrent(n);
  if (!strcmp(argv[1], "killbusy")) return killbusy();
  if (!strcmp(argv[1], "storm")) return storm(n);
  if (!strcmp(argv[1], "epipe")) return epipe();
  if (!strcmp(argv[1], "midwrite")) return midwrite();
  if (!strcmp(argv[1], "cycles")) return cycles(n);
  return 2;
}
