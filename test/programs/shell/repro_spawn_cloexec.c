/* Kernel problem found by the shell (reduced): posix_spawn with a file action dup2(fd, 1) where
 * fd is close-on-exec. Linux (fork, actions, exec) runs the actions before closing the
 * close-on-exec fds, so the child writes into the pipe. Prints "spawn=0 got=[hello]".
 * Usage: repro_spawn_cloexec /path/to/echoargs */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
  int p[2];
  if (argc < 2 || pipe(p) != 0) return 2;
  fcntl(p[1], F_SETFD, FD_CLOEXEC);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, p[1], 1);
  char *av[] = {argv[1], (char *)"hello", NULL};
  pid_t pid;
  int r = posix_spawn(&pid, argv[1], &fa, NULL, av, environ);
  close(p[1]);
  char buf[64] = {0};
  if (r == 0) {
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    if (n > 0 && buf[n - 1] == '\n') buf[n - 1] = '\0';
    waitpid(pid, NULL, 0);
  }
  printf("spawn=%d got=%s\n", r, buf);
  return 0;
}
